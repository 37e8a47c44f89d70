//! `jwt_vc_json`: a VCDM 1.1 §6.3 JWT credential and VP-JWT presentation (OpenID4VCI 1.0 A.1.1,
//! OpenID4VP 1.0 B.1.3.1). The credential's registered claims carry what VCDM 1.1 §6.3.1 moves
//! out of it: `iss` = issuer, `sub` = `credentialSubject.id`, `nbf` = issuance, `exp` =
//! expiration; the rest is the `vc` claim. Keys are `did:key` methods named by `kid`.

use saifu_credential::w3c::contexts::{CREDENTIALS_V1, CREDENTIALS_V2};
use saifu_credential::w3c::di::{DidKeyResolver, MethodResolver, method::controller};
use saifu_crypto::jws::{self, VerifyPolicy};
use saifu_crypto::{Algorithm, Signer};
use serde_json::{Map, Value, json};

use super::W3cFormatError;

/// The `typ` VCDM 1.1 §6.3.1 shows for credential and presentation JWTs.
pub const JWT_TYP: &str = "JWT";
/// Largest token accepted (a presentation embeds its credential).
pub const MAX_TOKEN_LEN: usize = 128 * 1024;
/// Signature algorithms accepted; the key type narrows further.
pub const ALGORITHMS: [Algorithm; 3] = [Algorithm::ES256, Algorithm::EdDSA, Algorithm::Ed25519];

/// The registered claims of a credential JWT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialClaims<'a> {
    /// `iss`: the issuer's DID.
    pub issuer: &'a str,
    /// `sub`: the holder's DID (`credentialSubject.id`), when bound.
    pub subject: Option<&'a str>,
    /// `nbf` and `iat`: issuance, Unix seconds.
    pub issued_at: i64,
    /// `exp`, Unix seconds.
    pub expires_at: Option<i64>,
}

/// Signs `vc` (the credential without `issuer` and dates) as a `jwt_vc_json` credential. The
/// signer's `kid` must be a `did:key` method of `claims.issuer`.
pub async fn sign_credential(
    vc: &Map<String, Value>,
    claims: &CredentialClaims<'_>,
    signer: &dyn Signer,
) -> Result<String, W3cFormatError> {
    let mut payload = Map::new();
    payload.insert("iss".into(), claims.issuer.into());
    if let Some(subject) = claims.subject {
        payload.insert("sub".into(), subject.into());
    }
    payload.insert("nbf".into(), claims.issued_at.into());
    payload.insert("iat".into(), claims.issued_at.into());
    if let Some(exp) = claims.expires_at {
        payload.insert("exp".into(), exp.into());
    }
    payload.insert("vc".into(), Value::Object(vc.clone()));
    sign(&payload, signer).await
}

async fn sign(payload: &Map<String, Value>, signer: &dyn Signer) -> Result<String, W3cFormatError> {
    let mut header = Map::new();
    header.insert("typ".into(), JWT_TYP.into());
    let bytes = serde_json::to_vec(payload).map_err(|e| W3cFormatError::Signing(e.to_string()))?;
    jws::sign_compact(&header, &bytes, signer)
        .await
        .map_err(|e| W3cFormatError::Signing(e.to_string()))
}

/// A verified `jwt_vc_json` credential.
#[derive(Debug, Clone, PartialEq)]
pub struct JwtCredential {
    /// `iss`.
    pub issuer: String,
    /// `sub` (= `credentialSubject.id`), when bound.
    pub subject: Option<String>,
    /// `exp`.
    pub expires_at: Option<i64>,
    /// The credential as VCDM 1.1 §6.3.1 decoding rebuilds it: the `vc` claim with `issuer`
    /// and `credentialSubject.id` from `iss` / `sub`. DCQL claim paths start here (B.1.2).
    pub credential: Map<String, Value>,
}

/// Verifies a `jwt_vc_json` credential at `now` (Unix seconds, `skew` tolerated): signature by
/// the `kid` key, `kid` controlled by `iss`, validity, and the shape of `vc`.
pub fn verify_credential(
    token: &str,
    now: i64,
    skew: i64,
) -> Result<JwtCredential, W3cFormatError> {
    let (payload, method) = open(token, "assertionMethod")?;
    let issuer = string_claim(&payload, "iss")?
        .ok_or_else(|| malformed("no `iss`"))?
        .to_owned();
    if controller(&method) != issuer {
        return Err(W3cFormatError::SignerMismatch {
            party: issuer,
            method,
        });
    }
    let expires_at = time_claim(&payload, "exp")?;
    if expires_at.is_some_and(|exp| now > exp + skew) {
        return Err(W3cFormatError::Validity("expired (`exp`)".into()));
    }
    if time_claim(&payload, "nbf")?.is_some_and(|nbf| now + skew < nbf) {
        return Err(W3cFormatError::Validity("not yet valid (`nbf`)".into()));
    }
    let subject = string_claim(&payload, "sub")?.map(str::to_owned);
    let mut credential = match payload.get("vc") {
        Some(Value::Object(vc)) => vc.clone(),
        _ => return Err(malformed("no `vc` object")),
    };
    check_document(&credential, "VerifiableCredential")?;
    let subject_object = match credential.get_mut("credentialSubject") {
        Some(Value::Object(subject)) => subject,
        _ => return Err(malformed("`credentialSubject` must be one object")),
    };
    if let Some(sub) = &subject {
        match subject_object.get("id") {
            None => {
                subject_object.insert("id".into(), sub.clone().into());
            }
            Some(Value::String(id)) if id == sub => {}
            Some(_) => return Err(malformed("`credentialSubject.id` differs from `sub`")),
        }
    }
    credential.insert("issuer".into(), issuer.clone().into());
    Ok(JwtCredential {
        issuer,
        subject,
        expires_at,
        credential,
    })
}

/// What binds a presentation to one request (OpenID4VP 1.0 §14.1.2, B.1.3.1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding<'a> {
    /// The request's `nonce`.
    pub nonce: &'a str,
    /// The verifier's full client id.
    pub audience: &'a str,
}

/// Signs a VP-JWT carrying `credential` (a `jwt_vc_json` JWT) for `binding`, issued at `now`.
/// The signer's `kid` is the holder's `did:key` method; its DID becomes `iss`.
pub async fn sign_presentation(
    credential: &str,
    binding: &Binding<'_>,
    now: i64,
    signer: &dyn Signer,
) -> Result<String, W3cFormatError> {
    let kid = signer
        .key_id()
        .ok_or_else(|| W3cFormatError::Signing("the holder signer has no `kid`".into()))?;
    let payload = json!({
        "iss": controller(kid),
        "aud": binding.audience,
        "nonce": binding.nonce,
        "iat": now,
        "nbf": now,
        "vp": {
            "@context": [CREDENTIALS_V1],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [credential],
        }
    });
    let Value::Object(payload) = payload else {
        unreachable!("a JSON object literal")
    };
    sign(&payload, signer).await
}

/// A verified VP-JWT.
#[derive(Debug, Clone, PartialEq)]
pub struct JwtPresentation {
    /// `iss`: the holder's DID, whose key signed.
    pub holder: String,
    /// The one credential JWT it carries (not yet verified).
    pub credential: String,
}

/// Verifies a VP-JWT for `binding` at `now`: signature by the `kid` key controlled by `iss`,
/// `nonce`, `aud` (a string or an array holding it), `iat` within `max_age` (and `skew`).
pub fn verify_presentation(
    token: &str,
    binding: &Binding<'_>,
    now: i64,
    max_age: i64,
    skew: i64,
) -> Result<JwtPresentation, W3cFormatError> {
    let (payload, method) = open(token, "authentication")?;
    let holder = string_claim(&payload, "iss")?
        .ok_or_else(|| malformed("no `iss`"))?
        .to_owned();
    if controller(&method) != holder {
        return Err(W3cFormatError::SignerMismatch {
            party: holder,
            method,
        });
    }
    if payload.get("nonce").and_then(Value::as_str) != Some(binding.nonce) {
        return Err(W3cFormatError::WrongNonce);
    }
    let addressed = match payload.get("aud") {
        Some(Value::String(aud)) => aud == binding.audience,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(binding.audience)),
        _ => false,
    };
    if !addressed {
        return Err(W3cFormatError::WrongAudience);
    }
    let issued = time_claim(&payload, "iat")?.ok_or_else(|| malformed("no `iat`"))?;
    if issued > now + skew || now - issued > max_age + skew {
        return Err(W3cFormatError::Stale);
    }
    if time_claim(&payload, "exp")?.is_some_and(|exp| now > exp + skew) {
        return Err(W3cFormatError::Stale);
    }
    let vp = match payload.get("vp") {
        Some(Value::Object(vp)) => vp,
        _ => return Err(malformed("no `vp` object")),
    };
    check_document(vp, "VerifiablePresentation")?;
    let credentials = match vp.get("verifiableCredential") {
        Some(Value::Array(items)) => items.as_slice(),
        Some(one) => std::slice::from_ref(one),
        None => &[],
    };
    let [Value::String(credential)] = credentials else {
        return Err(W3cFormatError::CredentialCount(credentials.len()));
    };
    Ok(JwtPresentation {
        holder,
        credential: credential.clone(),
    })
}

/// Decodes a JWT, resolves its `kid` (a `did:key` method) and checks the signature; the
/// payload and the method.
fn open(token: &str, purpose: &str) -> Result<(Map<String, Value>, String), W3cFormatError> {
    let decoded =
        jws::decode_compact(token, MAX_TOKEN_LEN).map_err(|e| malformed(&e.to_string()))?;
    // VCDM 1.1 §6.3.1 makes `typ` optional; when present it must be the plain `JWT`, so a
    // VC-JOSE-COSE `vc+jwt` or another token type is not taken for this format.
    if decoded.typ().is_some_and(|typ| typ != JWT_TYP) {
        return Err(malformed("`typ` must be `JWT`"));
    }
    let method = decoded
        .kid()
        .ok_or_else(|| malformed("no `kid`"))?
        .to_owned();
    let key = DidKeyResolver.resolve(&method, purpose).map_err(|e| {
        W3cFormatError::VerificationMethod {
            method: method.clone(),
            reason: e.to_string(),
        }
    })?;
    let payload = decoded
        .verify(&key, &VerifyPolicy::new(&ALGORITHMS))
        .map_err(|e| W3cFormatError::Signature(e.to_string()))?;
    let payload: Map<String, Value> =
        serde_json::from_slice(payload).map_err(|e| malformed(&format!("payload: {e}")))?;
    saifu_credential::w3c::rdf::check_depth(&Value::Object(payload.clone()))
        .map_err(|e| malformed(&e.to_string()))?;
    Ok((payload, method))
}

/// `@context` (first the VCDM 1.1 or 2.0 base context) and a `type` including `base`.
fn check_document(document: &Map<String, Value>, base: &str) -> Result<(), W3cFormatError> {
    let first = match document.get("@context") {
        Some(Value::Array(items)) => items.first(),
        other => other,
    };
    if !matches!(
        first.and_then(Value::as_str),
        Some(CREDENTIALS_V1 | CREDENTIALS_V2)
    ) {
        return Err(malformed("`@context` must start with a VCDM base context"));
    }
    let typed = match document.get("type") {
        Some(Value::Array(types)) => types.iter().any(|t| t.as_str() == Some(base)),
        Some(Value::String(t)) => t == base,
        _ => false,
    };
    if !typed {
        return Err(malformed(&format!("`type` must include `{base}`")));
    }
    Ok(())
}

fn string_claim<'a>(
    payload: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, W3cFormatError> {
    match payload.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(malformed(&format!("`{name}` must be a string"))),
    }
}

fn time_claim(payload: &Map<String, Value>, name: &str) -> Result<Option<i64>, W3cFormatError> {
    match payload.get(name) {
        None => Ok(None),
        Some(value) => value
            .as_i64()
            .map(Some)
            .ok_or_else(|| malformed(&format!("`{name}` must be an integer"))),
    }
}

fn malformed(why: &str) -> W3cFormatError {
    W3cFormatError::Malformed(why.to_owned())
}
