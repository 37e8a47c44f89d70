//! Which issuers the verifier trusts, for which credential types.
//!
//! [`TrustPolicy`] is the seam: [`TrustList`] answers from configuration; [`RegistryTrust`]
//! also accepts issuers an authority recognises in the trust registry (saifu-registry), at a
//! minimum assurance level, while the recognition is in force.

use std::sync::Arc;

use saifu_credential::status::fetch::BoxFuture;
use saifu_crypto::{Jwk, PublicKey};
use saifu_registry::trust::{AssuranceLevel, Standing, TrustStatement, latest};
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
    /// Neither configured nor recognised by the trust registry's authority for this type.
    #[error("the issuer is not recognised by {authority} for this credential type")]
    NotRecognised {
        /// The authority the verifier relies on.
        authority: String,
    },
    /// The authority withdrew its recognition.
    #[error("{authority} withdrew its recognition (registry entry {leaf_index})")]
    RecognitionWithdrawn {
        /// The authority.
        authority: String,
        /// The log entry that withdrew it.
        leaf_index: u64,
    },
    /// The recognition's validity ended or has not begun.
    #[error("the recognition by {authority} is not in force (registry entry {leaf_index})")]
    RecognitionNotInForce {
        /// The authority.
        authority: String,
        /// The log entry of the recognition.
        leaf_index: u64,
    },
    /// Recognised, but below the verifier's minimum level of assurance.
    #[error("recognised at assurance level {level:?}, {required:?} required")]
    AssuranceTooLow {
        /// The level the authority vouches for.
        level: AssuranceLevel,
        /// The verifier's minimum.
        required: AssuranceLevel,
    },
    /// The trust registry could not be asked.
    #[error("the trust registry is unavailable: {0}")]
    RegistryUnavailable(String),
}

/// Decides whether credentials of type `vct` from `issuer` are accepted.
pub trait TrustPolicy: Send + Sync {
    /// `Ok` when the issuer is trusted for `vct`, else why not, from what the policy knows
    /// without asking anyone.
    fn is_trusted(&self, issuer: &IssuerIdentity, vct: &str) -> Result<(), TrustError>;

    /// The full decision, which may ask a trust registry; by default [`TrustPolicy::is_trusted`].
    fn check<'a>(
        &'a self,
        issuer: &'a IssuerIdentity,
        vct: &'a str,
    ) -> BoxFuture<'a, Result<(), TrustError>> {
        Box::pin(std::future::ready(self.is_trusted(issuer, vct)))
    }

    /// Whether status lists signed by `iss` may be trusted: the policy trusts `iss` for some
    /// credential type.
    fn names_issuer<'a>(&'a self, iss: &'a str) -> BoxFuture<'a, bool>;
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
    fn names_issuer<'a>(&'a self, iss: &'a str) -> BoxFuture<'a, bool> {
        Box::pin(std::future::ready(self.names(iss)))
    }

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

/// Where [`RegistryTrust`] reads an authority's statements: the trust registry's index.
pub trait RecognitionSource: Send + Sync {
    /// Every statement (with its leaf index) by which `authority` authorizes `entity` to
    /// `issue` the credential type `vct` (any type when `None`).
    fn statements<'a>(
        &'a self,
        authority: &'a str,
        entity: &'a str,
        vct: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Vec<(u64, TrustStatement)>, String>>;
}

/// The configured list, and beyond it the issuers one authority authorizes in the trust
/// registry to issue a credential type at a minimum level of assurance.
pub struct RegistryTrust {
    list: Arc<TrustList>,
    authority: String,
    min_assurance: AssuranceLevel,
    source: Arc<dyn RecognitionSource>,
}

impl std::fmt::Debug for RegistryTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryTrust")
            .field("authority", &self.authority)
            .field("min_assurance", &self.min_assurance)
            .finish_non_exhaustive()
    }
}

/// The current Unix time in seconds.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl RegistryTrust {
    /// Trusts what `list` trusts, and issuers `authority` authorizes at `min_assurance` or
    /// above, as read from `source`.
    pub fn new(
        list: Arc<TrustList>,
        authority: &str,
        min_assurance: AssuranceLevel,
        source: Arc<dyn RecognitionSource>,
    ) -> RegistryTrust {
        RegistryTrust {
            list,
            authority: authority.to_owned(),
            min_assurance,
            source,
        }
    }

    /// The registry's answer for `iss` and `vct` at `at`.
    async fn recognised(&self, iss: &str, vct: &str, at: i64) -> Result<(), TrustError> {
        let statements = self
            .source
            .statements(&self.authority, iss, Some(vct))
            .await
            .map_err(TrustError::RegistryUnavailable)?;
        let authority = self.authority.clone();
        let Some((leaf_index, statement)) = latest(statements.iter().map(|(l, s)| (*l, s))) else {
            return Err(TrustError::NotRecognised { authority });
        };
        match statement.standing(at) {
            Standing::Withdrawn => Err(TrustError::RecognitionWithdrawn {
                authority,
                leaf_index,
            }),
            Standing::Expired { .. } | Standing::NotYetValid { .. } => {
                Err(TrustError::RecognitionNotInForce {
                    authority,
                    leaf_index,
                })
            }
            Standing::InForce if statement.assurance_level < self.min_assurance => {
                Err(TrustError::AssuranceTooLow {
                    level: statement.assurance_level,
                    required: self.min_assurance,
                })
            }
            Standing::InForce => Ok(()),
        }
    }
}

impl TrustPolicy for RegistryTrust {
    fn is_trusted(&self, issuer: &IssuerIdentity, vct: &str) -> Result<(), TrustError> {
        self.list.is_trusted(issuer, vct)
    }

    fn check<'a>(
        &'a self,
        issuer: &'a IssuerIdentity,
        vct: &'a str,
    ) -> BoxFuture<'a, Result<(), TrustError>> {
        Box::pin(async move {
            match self.list.is_trusted(issuer, vct) {
                Ok(()) => Ok(()),
                // A pinned key is configuration's business alone: the registry does not vouch
                // for keys, only for issuers whose keys their `iss` publishes.
                Err(e) if issuer.origin == KeyOrigin::Pinned => Err(e),
                Err(_) => self.recognised(&issuer.iss, vct, now()).await,
            }
        })
    }

    fn names_issuer<'a>(&'a self, iss: &'a str) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            if self.list.names(iss) {
                return true;
            }
            let at = now();
            let Ok(statements) = self.source.statements(&self.authority, iss, None).await else {
                return false;
            };
            // In force for some credential type: group by resource, take each one's latest.
            let mut resources: Vec<&str> = statements
                .iter()
                .map(|(_, s)| s.resource.as_str())
                .collect();
            resources.sort_unstable();
            resources.dedup();
            resources.into_iter().any(|resource| {
                let of_resource = statements
                    .iter()
                    .filter(|(_, s)| s.resource == resource)
                    .map(|(l, s)| (*l, s));
                latest(of_resource).is_some_and(|(_, s)| s.standing(at) == Standing::InForce)
            })
        })
    }
}
