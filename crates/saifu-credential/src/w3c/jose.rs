//! VC-JOSE-COSE (§3.1): a credential or presentation secured as a compact JWS whose payload is
//! the credential itself, with `typ` `vc+jwt` / `vp+jwt`.

use saifu_crypto::jws::{self, VerifyPolicy};
use saifu_crypto::{Algorithm, Signer};
use serde_json::{Map, Value};

use super::VerifyError;
use super::di::method::controller;
use super::model;
use super::verify::VerifyOptions;

/// `typ` of a credential JWT (VC-JOSE-COSE §3.1.1).
pub const VC_JWT_TYP: &str = "vc+jwt";
/// `typ` of a presentation JWT (VC-JOSE-COSE §3.1.2).
pub const VP_JWT_TYP: &str = "vp+jwt";
/// Largest token accepted.
pub const MAX_TOKEN_LEN: usize = 256 * 1024;
/// Algorithms accepted; the key type narrows this further.
const ALLOWED: [Algorithm; 3] = [Algorithm::Ed25519, Algorithm::EdDSA, Algorithm::ES256];

/// Signs `credential` as `application/vc+jwt`. The signer's key id (a DID URL controlled by
/// the issuer) goes into `kid`.
pub async fn sign_credential(
    credential: &Value,
    signer: &dyn Signer,
) -> Result<String, VerifyError> {
    sign(credential, VC_JWT_TYP, signer).await
}

/// Signs `presentation` as `application/vp+jwt`.
pub async fn sign_presentation(
    presentation: &Value,
    signer: &dyn Signer,
) -> Result<String, VerifyError> {
    sign(presentation, VP_JWT_TYP, signer).await
}

async fn sign(document: &Value, typ: &str, signer: &dyn Signer) -> Result<String, VerifyError> {
    let mut header = Map::new();
    header.insert("typ".into(), typ.into());
    let payload = serde_json::to_vec(document).map_err(|e| VerifyError::Jose(e.to_string()))?;
    jws::sign_compact(&header, &payload, signer)
        .await
        .map_err(|e| VerifyError::Jose(e.to_string()))
}

/// Verifies a `vc+jwt`: `typ`, signature by the `kid` key, `kid` controlled by the issuer,
/// then the data model. Returns the credential.
pub fn verify_credential(token: &str, options: &VerifyOptions<'_>) -> Result<Value, VerifyError> {
    let (credential, kid) = open(token, VC_JWT_TYP, "assertionMethod", options)?;
    model::validate_credential(&credential, options.now)?;
    let issuer = credential
        .as_object()
        .map(model::issuer_id)
        .transpose()?
        .unwrap_or_default();
    if controller(&kid) != issuer {
        return Err(VerifyError::IssuerMismatch {
            issuer: issuer.to_owned(),
            method: kid,
        });
    }
    Ok(credential)
}

/// Verifies a `vp+jwt` and, when the verifier set them, its `nonce` (challenge) and `aud`
/// (domain) claims. Returns the presentation.
pub fn verify_presentation(token: &str, options: &VerifyOptions<'_>) -> Result<Value, VerifyError> {
    let (presentation, _) = open(token, VP_JWT_TYP, "authentication", options)?;
    model::validate_presentation(&presentation, options.now)?;
    let claim = |name: &str| presentation.get(name).and_then(Value::as_str);
    if options.challenge.is_some_and(|c| claim("nonce") != Some(c)) {
        return Err(super::ProofError::ChallengeMismatch.into());
    }
    if options.domain.is_some_and(|d| claim("aud") != Some(d)) {
        return Err(super::ProofError::DomainMismatch.into());
    }
    Ok(presentation)
}

fn open(
    token: &str,
    typ: &str,
    purpose: &str,
    options: &VerifyOptions<'_>,
) -> Result<(Value, String), VerifyError> {
    let jose = |e: jws::JwsError| VerifyError::Jose(e.to_string());
    let decoded = jws::decode_compact(token, MAX_TOKEN_LEN).map_err(jose)?;
    if decoded.typ() != Some(typ) {
        return Err(VerifyError::Jose(format!("`typ` must be `{typ}`")));
    }
    let kid = decoded
        .kid()
        .ok_or_else(|| VerifyError::Jose("no `kid` header".into()))?
        .to_owned();
    let key = options.resolver.resolve(&kid, purpose)?;
    let payload = decoded
        .verify(&key, &VerifyPolicy::new(&ALLOWED))
        .map_err(jose)?;
    let document: Value =
        serde_json::from_slice(payload).map_err(|e| VerifyError::Jose(format!("payload: {e}")))?;
    super::rdf::check_depth(&document)?;
    Ok((document, kid))
}
