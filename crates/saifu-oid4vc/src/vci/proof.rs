//! Verification of `jwt` key proofs (OpenID4VCI 1.0 App. F.1) at the Credential Endpoint.
//!
//! [`verify_jwt_proof`] checks the header (`typ`, exactly one key reference), the signature under
//! an algorithm allow-list, and the claims (`aud`, `iat` window, `iss`, `nonce`), and returns the
//! holder key to bind the credential to. The nonce comes back in [`VerifiedProof`] so the issuer
//! can consume it in its store: single use is the store's job, not this function's.

use saifu_crypto::jws::{self, DecodedJws, JwsError, VerifyPolicy};
use saifu_crypto::{Algorithm, CryptoError, Jwk, PublicKey};
use serde_json::{Map, Value};

use super::credential::CredentialError;
use crate::oauth::constant_time_eq;

/// `typ` of a key proof JWT.
pub const PROOF_JWT_TYP: &str = "openid4vci-proof+jwt";

/// Why a key proof was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// Not a compact JWS.
    #[error("malformed proof: {0}")]
    Malformed(JwsError),
    /// `typ` is not `openid4vci-proof+jwt`.
    #[error("proof typ is {0:?}, expected openid4vci-proof+jwt")]
    WrongTyp(Option<String>),
    /// Not exactly one of `kid`, `jwk`, `x5c` in the protected header.
    #[error("a proof names its key with exactly one of kid, jwk, x5c; found {0}")]
    KeyReferenceCount(usize),
    /// The `jwk` header holds private key material.
    #[error("the proof's jwk header holds private key material")]
    PrivateJwk,
    /// The `jwk` header is not a usable public key.
    #[error("unusable jwk header: {0}")]
    InvalidJwk(CryptoError),
    /// `x5c` is not an array of strings.
    #[error("x5c header must be an array of base64 certificates")]
    MalformedX5c,
    /// The resolver does not know the `kid` / accept the `x5c` chain.
    #[error("cannot resolve the proof key ({0})")]
    UnresolvedKey(String),
    /// Signature or algorithm rejected (including `alg: none` and algorithms not allowed).
    #[error("proof signature rejected: {0}")]
    Signature(JwsError),
    /// The payload is not a JSON object or a claim has the wrong type.
    #[error("malformed proof claims: {0}")]
    Claims(String),
    /// `aud` is not the Credential Issuer Identifier.
    #[error("proof aud {0:?} is not the credential issuer")]
    WrongAudience(Option<String>),
    /// `iat` is missing.
    #[error("proof has no iat")]
    MissingIat,
    /// `iat` is later than now plus the allowed skew.
    #[error("proof iat {iat} is in the future (now {now})")]
    IatInFuture {
        /// The claim.
        iat: i64,
        /// The verifier's time.
        now: i64,
    },
    /// `iat` is older than the accepted age.
    #[error("proof iat {iat} is too old (now {now})")]
    IatTooOld {
        /// The claim.
        iat: i64,
        /// The verifier's time.
        now: i64,
    },
    /// `iss` does not match the client (or is present for anonymous access).
    #[error("proof iss {found:?} does not match client_id {expected:?}")]
    WrongIssuer {
        /// The authenticated client, `None` for anonymous pre-authorized access.
        expected: Option<String>,
        /// The claim.
        found: Option<String>,
    },
    /// A nonce was expected but the proof has none.
    #[error("proof has no nonce")]
    MissingNonce,
    /// The nonce is not the expected `c_nonce`.
    #[error("proof nonce is not the expected c_nonce")]
    WrongNonce,
}

impl ProofError {
    /// The Credential Endpoint error code: `invalid_nonce` for nonce problems, else `invalid_proof`.
    pub fn error_code(&self) -> &'static str {
        CredentialError::from(self).code()
    }
}

impl From<&ProofError> for CredentialError {
    fn from(e: &ProofError) -> Self {
        match e {
            ProofError::MissingNonce | ProofError::WrongNonce => {
                CredentialError::InvalidNonce(e.to_string())
            }
            _ => CredentialError::InvalidProof(e.to_string()),
        }
    }
}

/// Resolves the holder key a proof refers to by `kid` (e.g. a DID URL) or `x5c`.
pub trait HolderKeyResolver {
    /// The key for a `kid`, or `None` when unknown.
    fn resolve_kid(&self, kid: &str) -> Option<PublicKey>;

    /// The leaf key of a trusted `x5c` chain; by default no chain is trusted.
    fn resolve_x5c(&self, chain: &[String]) -> Option<PublicKey> {
        let _ = chain;
        None
    }
}

impl<F: Fn(&str) -> Option<PublicKey>> HolderKeyResolver for F {
    fn resolve_kid(&self, kid: &str) -> Option<PublicKey> {
        self(kid)
    }
}

/// What a valid proof must say.
#[derive(Debug, Clone, Copy)]
pub struct ProofExpectations<'a> {
    /// The Credential Issuer Identifier (`aud`).
    pub issuer: &'a str,
    /// The authenticated client (`iss`); `None` for anonymous pre-authorized access, where `iss`
    /// must be absent.
    pub client_id: Option<&'a str>,
    /// The `c_nonce` the proof must carry; `None` when the issuer has no Nonce Endpoint.
    pub nonce: Option<&'a str>,
    /// Current time, seconds since the epoch.
    pub now: i64,
    /// Oldest accepted `iat`, in seconds before `now`.
    pub max_age: i64,
    /// Accepted clock skew for an `iat` after `now`, in seconds.
    pub max_future_skew: i64,
    /// Accepted signature algorithms (the issuer's `proof_signing_alg_values_supported`).
    pub allowed_algorithms: &'a [Algorithm],
}

/// How the proof named its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyReference {
    /// `kid`.
    Kid(String),
    /// `jwk` (public).
    Jwk(Box<Jwk>),
    /// `x5c`.
    X5c(Vec<String>),
}

/// A proof that passed every check.
#[derive(Debug, Clone)]
pub struct VerifiedProof {
    /// The holder key to bind the credential to.
    pub public_key: PublicKey,
    /// How the proof named the key.
    pub key_reference: KeyReference,
    /// The nonce the proof carried: the issuer must now consume it (single use).
    pub nonce: Option<String>,
}

/// Verifies one `jwt` key proof.
pub fn verify_jwt_proof(
    jwt: &str,
    expect: &ProofExpectations<'_>,
    resolver: &dyn HolderKeyResolver,
) -> Result<VerifiedProof, ProofError> {
    let jws = jws::decode_compact(jwt, jws::DEFAULT_MAX_LEN).map_err(ProofError::Malformed)?;
    if jws.typ() != Some(PROOF_JWT_TYP) {
        return Err(ProofError::WrongTyp(jws.typ().map(str::to_owned)));
    }
    let key_reference = key_reference(&jws)?;
    let public_key = resolve(&key_reference, resolver)?;
    let payload = jws
        .verify(&public_key, &VerifyPolicy::new(expect.allowed_algorithms))
        .map_err(ProofError::Signature)?;
    let claims: Map<String, Value> =
        serde_json::from_slice(payload).map_err(|e| ProofError::Claims(e.to_string()))?;
    let nonce = check_claims(&claims, expect)?;
    Ok(VerifiedProof {
        public_key,
        key_reference,
        nonce,
    })
}

fn key_reference(jws: &DecodedJws) -> Result<KeyReference, ProofError> {
    let present: Vec<&str> = ["kid", "jwk", "x5c"]
        .into_iter()
        .filter(|name| jws.protected.contains_key(*name))
        .collect();
    let [name] = present[..] else {
        return Err(ProofError::KeyReferenceCount(present.len()));
    };
    let value = jws.protected[name].clone();
    match name {
        "kid" => value
            .as_str()
            .map(|kid| KeyReference::Kid(kid.to_owned()))
            .ok_or_else(|| ProofError::UnresolvedKey("kid is not a string".into())),
        "jwk" => {
            let jwk: Jwk = serde_json::from_value(value)
                .map_err(|e| ProofError::InvalidJwk(CryptoError::InvalidJwk(e.to_string())))?;
            if jwk.is_private() {
                return Err(ProofError::PrivateJwk);
            }
            Ok(KeyReference::Jwk(Box::new(jwk)))
        }
        _ => serde_json::from_value(value)
            .map(KeyReference::X5c)
            .map_err(|_| ProofError::MalformedX5c),
    }
}

fn resolve(
    reference: &KeyReference,
    resolver: &dyn HolderKeyResolver,
) -> Result<PublicKey, ProofError> {
    match reference {
        KeyReference::Jwk(jwk) => PublicKey::from_jwk(jwk).map_err(ProofError::InvalidJwk),
        KeyReference::Kid(kid) => resolver
            .resolve_kid(kid)
            .ok_or_else(|| ProofError::UnresolvedKey(format!("kid `{kid}`"))),
        KeyReference::X5c(chain) => resolver
            .resolve_x5c(chain)
            .ok_or_else(|| ProofError::UnresolvedKey("x5c chain".into())),
    }
}

fn check_claims(
    claims: &Map<String, Value>,
    expect: &ProofExpectations<'_>,
) -> Result<Option<String>, ProofError> {
    let string = |name: &str| -> Result<Option<String>, ProofError> {
        match claims.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ProofError::Claims(format!("`{name}` must be a string"))),
        }
    };
    let aud = string("aud")?;
    if aud.as_deref() != Some(expect.issuer) {
        return Err(ProofError::WrongAudience(aud));
    }
    let iat = claims.get("iat").ok_or(ProofError::MissingIat)?;
    let iat = iat
        .as_i64()
        .ok_or_else(|| ProofError::Claims("`iat` must be an integer".into()))?;
    let now = expect.now;
    if iat > now.saturating_add(expect.max_future_skew) {
        return Err(ProofError::IatInFuture { iat, now });
    }
    if iat < now.saturating_sub(expect.max_age) {
        return Err(ProofError::IatTooOld { iat, now });
    }
    // Appendix F.1: `iss` is the client_id when present; it is optional for a known client
    // and must be absent for anonymous pre-authorized access.
    let iss = string("iss")?;
    if iss.is_some() && iss.as_deref() != expect.client_id {
        return Err(ProofError::WrongIssuer {
            expected: expect.client_id.map(str::to_owned),
            found: iss,
        });
    }
    let nonce = string("nonce")?;
    if let Some(expected) = expect.nonce {
        let found = nonce.as_deref().ok_or(ProofError::MissingNonce)?;
        if !constant_time_eq(found.as_bytes(), expected.as_bytes()) {
            return Err(ProofError::WrongNonce);
        }
    }
    Ok(nonce)
}
