//! Which issuers the verifier trusts, for which credential types.
//!
//! [`TrustPolicy`] is the seam: [`TrustList`] answers from configuration today; the trust
//! registry (TRQP) can answer the same question later.

use saifu_crypto::{Jwk, PublicKey};
use serde::Serialize;

/// How the verifier obtained the key that signed a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyOrigin {
    /// A verification method of the `iss` DID listed under `assertionMethod`.
    Did,
    /// A public key configured for the `iss` value.
    Pinned,
    /// JWT VC Issuer Metadata published under the `iss` URL (SD-JWT VC -18 §3).
    Metadata,
}

/// Who signed a verified credential, as far as the verifier could establish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuerIdentity {
    /// The credential's `iss`.
    pub iss: String,
    /// Where the signing key came from.
    pub origin: KeyOrigin,
    /// RFC 7638 thumbprint of the signing key.
    pub key_thumbprint: String,
}

/// Why an issuer is not trusted for a credential type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum TrustError {
    /// No entry trusts this issuer with a key of this origin.
    #[error("the issuer is not trusted")]
    UnknownIssuer,
    /// The issuer is trusted, but not for this `vct`.
    #[error("the issuer is not trusted for this credential type")]
    VctNotAllowed,
}

/// Decides whether credentials of type `vct` from `issuer` are accepted.
pub trait TrustPolicy: Send + Sync {
    /// `Ok` when the issuer is trusted for `vct`, else why not.
    fn is_trusted(&self, issuer: &IssuerIdentity, vct: &str) -> Result<(), TrustError>;
}

/// An issuer as configured, with the one way its key may be found.
#[derive(Debug, Clone, PartialEq)]
pub enum TrustedIssuer {
    /// A DID: any of its keys under `assertionMethod` (the `kid` must be a DID URL of it).
    Did(String),
    /// An `iss` value whose credentials must be signed by exactly this key.
    PinnedJwk {
        /// The `iss` the credentials carry.
        iss: String,
        /// The issuer's public key (boxed: a JWK is large next to the other variants).
        jwk: Box<Jwk>,
    },
    /// An `https` `iss` whose keys are published as JWT VC Issuer Metadata.
    Metadata(String),
}

impl TrustedIssuer {
    fn admits(&self, issuer: &IssuerIdentity) -> bool {
        match self {
            TrustedIssuer::Did(did) => issuer.origin == KeyOrigin::Did && *did == issuer.iss,
            TrustedIssuer::PinnedJwk { iss, jwk } => {
                issuer.origin == KeyOrigin::Pinned
                    && *iss == issuer.iss
                    && jwk.thumbprint().is_ok_and(|t| t == issuer.key_thumbprint)
            }
            TrustedIssuer::Metadata(url) => {
                issuer.origin == KeyOrigin::Metadata && *url == issuer.iss
            }
        }
    }
}

/// The credential types an entry covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VctFilter {
    /// Every `vct`.
    Any,
    /// Only these `vct` values (exact string match).
    Only(Vec<String>),
}

impl VctFilter {
    fn allows(&self, vct: &str) -> bool {
        match self {
            VctFilter::Any => true,
            VctFilter::Only(allowed) => allowed.iter().any(|v| v == vct),
        }
    }
}

/// One configured trust statement.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustEntry {
    /// The issuer and how its key is found.
    pub issuer: TrustedIssuer,
    /// What it may issue.
    pub vct: VctFilter,
}

/// A configured list of [`TrustEntry`]s.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrustList {
    entries: Vec<TrustEntry>,
}

impl TrustList {
    /// A list of `entries`.
    pub fn new(entries: Vec<TrustEntry>) -> TrustList {
        TrustList { entries }
    }

    /// The pinned keys of the list, `(iss, key)`, to configure [`crate::IssuerKeys`] with.
    /// Fails on a JWK that is not a supported public key.
    pub fn pinned_keys(&self) -> Result<Vec<(String, PublicKey)>, saifu_crypto::CryptoError> {
        self.entries
            .iter()
            .filter_map(|entry| match &entry.issuer {
                TrustedIssuer::PinnedJwk { iss, jwk } => Some((iss, jwk)),
                _ => None,
            })
            .map(|(iss, jwk)| Ok((iss.clone(), PublicKey::from_jwk(jwk)?)))
            .collect()
    }

    /// Whether some entry names the issuer `iss`, whatever it may issue.
    pub fn names(&self, iss: &str) -> bool {
        self.entries.iter().any(|entry| match &entry.issuer {
            TrustedIssuer::Did(did) | TrustedIssuer::Metadata(did) => did == iss,
            TrustedIssuer::PinnedJwk { iss: pinned, .. } => pinned == iss,
        })
    }
}

impl TrustPolicy for TrustList {
    fn is_trusted(&self, issuer: &IssuerIdentity, vct: &str) -> Result<(), TrustError> {
        let mut entries = self
            .entries
            .iter()
            .filter(|entry| entry.issuer.admits(issuer))
            .peekable();
        if entries.peek().is_none() {
            return Err(TrustError::UnknownIssuer);
        }
        if entries.any(|entry| entry.vct.allows(vct)) {
            Ok(())
        } else {
            Err(TrustError::VctNotAllowed)
        }
    }
}
