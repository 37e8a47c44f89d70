//! Verifying an SD-JWT VC: the SD-JWT rules, then the profile's header, claim and validity rules.

use saifu_crypto::Verifier;
use serde_json::{Map, Value};

use super::{LEGACY_TYP, NEVER_DISCLOSABLE, SdJwtVcError, TYP};
use crate::sd_jwt::{self, SdJwt, VerifiedSdJwt, VerifyOptions};
use crate::status::{ReferenceOptions, StatusReference};

/// What a verifier accepts.
#[derive(Debug, Clone, Copy)]
pub struct VcVerifyOptions<'a> {
    /// The SD-JWT rules: algorithms, limits, key binding.
    pub sd_jwt: VerifyOptions<'a>,
    /// The verifier's clock, seconds since the epoch.
    pub now: i64,
    /// Tolerated clock difference for `iat`, `nbf` and `exp`, in seconds.
    pub skew: i64,
    /// Also accept the legacy `typ` `vc+sd-jwt` (draft -18 tolerates it for a transition;
    /// STANDARDS §5 puts it behind this switch). saifu never emits it.
    pub accept_legacy_typ: bool,
    /// What `status.status_list.uri` may be.
    pub status: ReferenceOptions,
}

/// A verified SD-JWT VC.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedVc {
    /// The credential type.
    pub vct: String,
    /// The issuer, when the credential names one.
    pub issuer: Option<String>,
    /// The status list entry to check (with [`crate::status`]); passed through unchecked here.
    pub status: Option<StatusReference>,
    /// The SD-JWT result: header, disclosed claims, KB-JWT payload.
    pub sd_jwt: VerifiedSdJwt,
}

impl VerifiedVc {
    /// The claims the verifier may rely on.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.sd_jwt.claims
    }
}

/// Verifies `sd_jwt` as an SD-JWT VC signed by `issuer_key` (see
/// [`super::resolve_issuer_key`] to find it).
pub fn verify_vc(
    sd_jwt: &SdJwt,
    issuer_key: &dyn Verifier,
    options: &VcVerifyOptions<'_>,
) -> Result<VerifiedVc, SdJwtVcError> {
    let decoded = sd_jwt.decode_issuer_jwt(&options.sd_jwt.limits)?;
    match decoded.typ() {
        Some(TYP) => {}
        Some(LEGACY_TYP) if options.accept_legacy_typ => {}
        other => return Err(SdJwtVcError::WrongType(other.map(str::to_owned))),
    }
    let verified = sd_jwt::verify(sd_jwt, issuer_key, &options.sd_jwt)?;
    let signed: Map<String, Value> = serde_json::from_slice(&decoded.payload)
        .map_err(|_| SdJwtVcError::InvalidClaim("payload"))?;
    let claims = &verified.claims;
    if let Some(name) = NEVER_DISCLOSABLE
        .iter()
        .find(|name| claims.contains_key(**name) && !signed.contains_key(**name))
    {
        return Err(SdJwtVcError::NeverDisclosable((*name).to_owned()));
    }
    let vct = string_claim(claims, "vct")?.ok_or(SdJwtVcError::InvalidClaim("vct"))?;
    string_claim(claims, "vct#integrity")?;
    let issuer = string_claim(claims, "iss")?;
    let (now, skew) = (options.now, options.skew);
    if let Some(exp) = time_claim(claims, "exp")?
        && now - skew >= exp
    {
        return Err(SdJwtVcError::Expired { exp, now });
    }
    if let Some(nbf) = time_claim(claims, "nbf")?
        && now + skew < nbf
    {
        return Err(SdJwtVcError::NotYetValid { nbf, now });
    }
    if time_claim(claims, "iat")?.is_some_and(|iat| iat > now + skew) {
        return Err(SdJwtVcError::InvalidClaim("iat"));
    }
    let status = claims
        .get("status")
        .map(|s| StatusReference::from_json_status(s, options.status))
        .transpose()?;
    Ok(VerifiedVc {
        vct: vct.to_owned(),
        issuer: issuer.map(str::to_owned),
        status,
        sd_jwt: verified,
    })
}

fn string_claim<'a>(
    claims: &'a Map<String, Value>,
    name: &'static str,
) -> Result<Option<&'a str>, SdJwtVcError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(SdJwtVcError::InvalidClaim(name)),
    }
}

/// A NumericDate (RFC 7519 §2); fractional seconds are truncated.
fn time_claim(
    claims: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<i64>, SdJwtVcError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .map(Some)
            .ok_or(SdJwtVcError::InvalidClaim(name)),
        Some(_) => Err(SdJwtVcError::InvalidClaim(name)),
    }
}
