//! Key Binding JWTs (RFC 9901 §4.3): the holder's proof, over a verifier's `aud` and `nonce`,
//! that it controls the key in `cnf` and chose exactly these disclosures.

use saifu_crypto::jws::{self, VerifyPolicy};
use saifu_crypto::{Algorithm, Ed25519Batch, Jwk, PublicKey, Signer};
use serde_json::{Map, Value};

use super::SdJwtError;
use super::disclosure::HashAlg;

/// The `typ` of a KB-JWT (RFC 9901 §4.3).
pub const KB_JWT_TYP: &str = "kb+jwt";

/// What the holder signs into a KB-JWT: the verifier's audience and nonce and the time.
#[derive(Debug, Clone, Copy)]
pub struct KeyBindingRequest<'a> {
    /// The verifier (`aud`, a single string).
    pub audience: &'a str,
    /// The verifier's fresh nonce.
    pub nonce: &'a str,
    /// Seconds since the epoch to put in `iat` (injected so tests and replays are controlled).
    pub issued_at: i64,
}

/// What a verifier requires of the KB-JWT. Key binding is required by policy, never because a
/// KB-JWT happens to be present (RFC 9901 §7.3).
#[derive(Debug, Clone, Copy)]
pub struct KeyBindingPolicy<'a> {
    /// Expected `aud`.
    pub audience: &'a str,
    /// Expected `nonce`.
    pub nonce: &'a str,
    /// The verifier's clock, seconds since the epoch.
    pub now: i64,
    /// How old `iat` may be, in seconds.
    pub max_age: i64,
    /// Tolerated clock difference, in seconds, both ways.
    pub skew: i64,
    /// Algorithms accepted for the KB-JWT signature.
    pub allowed_algorithms: &'a [Algorithm],
}

/// Signs a KB-JWT over `sd_hash_input` (`<JWT>~<D1>~…~`).
pub(crate) async fn sign(
    sd_hash_input: &str,
    hash: HashAlg,
    request: &KeyBindingRequest<'_>,
    holder: &dyn Signer,
) -> Result<String, SdJwtError> {
    let mut header = Map::new();
    header.insert("typ".into(), Value::String(KB_JWT_TYP.into()));
    let payload = serde_json::json!({
        "iat": request.issued_at,
        "aud": request.audience,
        "nonce": request.nonce,
        "sd_hash": hash.digest(sd_hash_input),
    });
    let bytes = serde_json::to_vec(&payload).expect("JSON values serialize");
    Ok(jws::sign_compact(&header, &bytes, holder).await?)
}

/// Checks a KB-JWT against the holder key from `cnf` and the verifier's policy (RFC 9901 §7.3);
/// returns its payload. With `batch`, an Ed25519 holder signature is queued there instead of
/// verified.
pub(crate) fn verify(
    kb_jwt: &str,
    sd_hash_input: &str,
    hash: HashAlg,
    cnf: Option<&Value>,
    policy: &KeyBindingPolicy<'_>,
    batch: Option<&Ed25519Batch>,
) -> Result<Map<String, Value>, SdJwtError> {
    let jwk: Jwk = cnf
        .and_then(|c| c.get("jwk"))
        .and_then(|j| serde_json::from_value(j.clone()).ok())
        .ok_or(SdJwtError::MissingHolderKey)?;
    let holder = PublicKey::from_jwk(&jwk)?;
    let decoded = jws::decode_compact(kb_jwt, jws::DEFAULT_MAX_LEN)?;
    if decoded.typ() != Some(KB_JWT_TYP) {
        return Err(SdJwtError::WrongType {
            expected: KB_JWT_TYP,
            found: decoded.typ().map(str::to_owned),
        });
    }
    let jws_policy = VerifyPolicy::new(policy.allowed_algorithms);
    match batch {
        Some(batch) => decoded.verify(&batch.verifier(&holder), &jws_policy)?,
        None => decoded.verify(&holder, &jws_policy)?,
    };
    let claims: Map<String, Value> = serde_json::from_slice(&decoded.payload)
        .map_err(|_| SdJwtError::Malformed("KB-JWT payload is not a JSON object".into()))?;
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or(SdJwtError::InvalidClaim("iat"))?;
    let (earliest, latest) = (
        // Saturating: a caller-supplied max_age or skew must not overflow into a panic or wrap.
        policy
            .now
            .saturating_sub(policy.max_age)
            .saturating_sub(policy.skew),
        policy.now.saturating_add(policy.skew),
    );
    if iat < earliest || iat > latest {
        return Err(SdJwtError::StaleKeyBinding {
            iat,
            earliest,
            latest,
        });
    }
    match claims.get("aud") {
        Some(Value::String(aud)) if aud == policy.audience => {}
        Some(Value::String(_)) => return Err(SdJwtError::WrongAudience),
        _ => return Err(SdJwtError::InvalidClaim("aud")),
    }
    match claims.get("nonce") {
        Some(Value::String(nonce)) if nonce == policy.nonce => {}
        Some(Value::String(_)) => return Err(SdJwtError::WrongNonce),
        _ => return Err(SdJwtError::InvalidClaim("nonce")),
    }
    match claims.get("sd_hash") {
        Some(Value::String(h)) if *h == hash.digest(sd_hash_input) => Ok(claims),
        Some(Value::String(_)) => Err(SdJwtError::SdHashMismatch),
        _ => Err(SdJwtError::InvalidClaim("sd_hash")),
    }
}
