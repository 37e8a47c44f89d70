//! `POST /credentials/verify` and `POST /presentations/verify`: any did:key issuer or holder,
//! Data Integrity (eddsa-rdfc-2022, eddsa-jcs-2022, ecdsa-rdfc-2019) or VC-JOSE-COSE
//! (`EnvelopedVerifiableCredential` / `EnvelopedVerifiablePresentation` with a `data:` URL of a
//! `vc+jwt` / `vp+jwt`), then the Bitstring Status List of every credential.
//!
//! 200 `{verified: true, checks, warnings: [], errors: []}` when everything holds; otherwise 400
//! `{verified: false, checks, warnings: [], errors: [{code, type, message}]}` naming the rule.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use saifu_credential::w3c::di::DidKeyResolver;
use saifu_credential::w3c::model::{self, ENVELOPED_CREDENTIAL_TYPE};
use saifu_credential::w3c::verify::{self as w3c_verify, VerifyOptions};
use saifu_credential::w3c::{ModelError, jose};
use serde::Deserialize;
use serde_json::{Value, json};

use super::VcApi;
use super::rejection::Rejection;
use crate::verifier::now;

/// The presentation counterpart of [`ENVELOPED_CREDENTIAL_TYPE`] (VCDM 2.0 §4.13.2).
const ENVELOPED_PRESENTATION_TYPE: &str = "EnvelopedVerifiablePresentation";

/// `POST /credentials/verify` body (VC-API `VerifyCredentialRequest`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CredentialRequest {
    verifiable_credential: Value,
    /// A credential has no challenge or domain to check; its options (`checks`) are accepted
    /// and ignored, since every check always runs.
    #[serde(default, rename = "options")]
    _options: Option<serde::de::IgnoredAny>,
    #[serde(rename = "@context", default)]
    _context: Option<Value>,
}

/// `POST /presentations/verify` body (VC-API `VerifyPresentationRequest`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PresentationRequest {
    verifiable_presentation: Value,
    #[serde(default)]
    options: RequestOptions,
    #[serde(rename = "@context", default)]
    _context: Option<Value>,
}

/// Verification options. VC-API options are an open set (`checks`, for instance, only says what
/// the client cares about; saifu always runs every check), so unknown members are ignored.
#[derive(Default, Deserialize)]
struct RequestOptions {
    /// The challenge the presentation's proof must carry.
    challenge: Option<String>,
    /// The domain the presentation's proof must be bound to.
    domain: Option<String>,
}

/// The checks a successful verification ran.
type Checks = Vec<&'static str>;

/// `POST /credentials/verify`.
#[utoipa::path(post, path = "/credentials/verify", tag = "vc-api",
    request_body(content = Object, description = "`{verifiableCredential, options}`: a Data Integrity secured credential (any did:key issuer, eddsa-rdfc-2022, eddsa-jcs-2022, ecdsa-rdfc-2019) or an enveloped `vc+jwt`"),
    responses((status = 200, description = "`{verified: true, checks, warnings, errors: []}`", body = Object),
              (status = 400, description = "`{verified: false, errors}` with the reason: tampered, wrong proof purpose, unknown context, not yet valid, expired, revoked, suspended, …", body = Object)))]
pub(crate) async fn credential(State(api): State<Arc<VcApi>>, body: Bytes) -> Response {
    let outcome = match serde_json::from_slice::<CredentialRequest>(&body) {
        Ok(request) => verify_credential(&api, &request.verifiable_credential, now()).await,
        Err(e) => Err(Rejection::Request(format!("invalid request body: {e}"))),
    };
    answer(outcome)
}

/// `POST /presentations/verify`.
#[utoipa::path(post, path = "/presentations/verify", tag = "vc-api",
    request_body(content = Object, description = "`{verifiablePresentation, options: {challenge, domain}}`"),
    responses((status = 200, description = "`{verified: true, checks, warnings, errors: []}`: the presentation's proof (challenge and domain) and every credential in it", body = Object),
              (status = 400, description = "`{verified: false, errors}` with the reason", body = Object)))]
pub(crate) async fn presentation(State(api): State<Arc<VcApi>>, body: Bytes) -> Response {
    let outcome = match serde_json::from_slice::<PresentationRequest>(&body) {
        Ok(request) => {
            verify_presentation(
                &api,
                &request.verifiable_presentation,
                &request.options,
                now(),
            )
            .await
        }
        Err(e) => Err(Rejection::Request(format!("invalid request body: {e}"))),
    };
    answer(outcome)
}

fn answer(outcome: Result<Checks, Rejection>) -> Response {
    match outcome {
        Ok(checks) => Json(json!({
            "verified": true, "checks": checks, "warnings": [], "errors": []
        }))
        .into_response(),
        Err(rejection) => (
            StatusCode::BAD_REQUEST,
            Json(json!({
                "verified": false,
                "checks": [rejection.check()],
                "warnings": [],
                "errors": [rejection.to_json()],
            })),
        )
            .into_response(),
    }
}

fn options<'a>(challenge: Option<&'a str>, domain: Option<&'a str>, now: i64) -> VerifyOptions<'a> {
    VerifyOptions {
        now,
        challenge,
        domain,
        resolver: &DidKeyResolver,
    }
}

/// The compact JWS inside an enveloped credential or presentation (`data:<media type>,<jws>`,
/// VCDM 2.0 §4.13), or `None` when `document` is not of `envelope_type`.
fn enveloped<'a>(
    document: &'a Value,
    envelope_type: &str,
    media_type: &str,
) -> Result<Option<&'a str>, Rejection> {
    let Some(map) = document.as_object() else {
        return Err(Rejection::from(ModelError::NotAnObject));
    };
    if !model::has_type(map, envelope_type) {
        return Ok(None);
    }
    let id = map.get("id").and_then(Value::as_str).unwrap_or_default();
    id.strip_prefix("data:")
        .and_then(|rest| rest.strip_prefix(media_type))
        .and_then(|rest| rest.strip_prefix(','))
        .map(Some)
        .ok_or_else(|| {
            Rejection::Request(format!(
                "an {envelope_type} must have a `data:{media_type},…` id"
            ))
        })
}

/// Verifies one credential (Data Integrity or enveloped `vc+jwt`) and its status.
async fn verify_credential(api: &VcApi, document: &Value, now: i64) -> Result<Checks, Rejection> {
    let options = options(None, None, now);
    let (status, issuer) =
        match enveloped(document, ENVELOPED_CREDENTIAL_TYPE, "application/vc+jwt")? {
            Some(token) => {
                let credential = jose::verify_credential(token, &options)?;
                let map = credential.as_object().cloned().unwrap_or_default();
                let issuer = model::issuer_id(&map).map_err(Rejection::from)?;
                (
                    status_entries(map.get("credentialStatus")),
                    issuer.to_owned(),
                )
            }
            None => {
                let report = w3c_verify::verify_credential(document, &options)?;
                (report.credential_status, report.issuer)
            }
        };
    let mut checks = vec!["proof"];
    if !status.is_empty() {
        api.checker.check_all(&status, &issuer, now).await?;
        checks.push("status");
    }
    Ok(checks)
}

/// Verifies a presentation (Data Integrity or enveloped `vp+jwt`) with the verifier's challenge
/// and domain, every credential in it, and their status.
async fn verify_presentation(
    api: &VcApi,
    document: &Value,
    request: &RequestOptions,
    now: i64,
) -> Result<Checks, Rejection> {
    let options = options(request.challenge.as_deref(), request.domain.as_deref(), now);
    let mut checks = vec!["proof"];
    match enveloped(document, ENVELOPED_PRESENTATION_TYPE, "application/vp+jwt")? {
        Some(token) => {
            let presentation = jose::verify_presentation(token, &options)?;
            let map = presentation.as_object().cloned().unwrap_or_default();
            for credential in model::presentation_credentials(&map).map_err(Rejection::from)? {
                let credential = Value::Object(credential.clone());
                let inner = Box::pin(verify_credential(api, &credential, now)).await?;
                if inner.contains(&"status") && !checks.contains(&"status") {
                    checks.push("status");
                }
            }
        }
        None => {
            let report = w3c_verify::verify_presentation(document, &options)?;
            for credential in &report.credentials {
                if !credential.credential_status.is_empty() {
                    api.checker
                        .check_all(&credential.credential_status, &credential.issuer, now)
                        .await?;
                    if !checks.contains(&"status") {
                        checks.push("status");
                    }
                }
            }
        }
    }
    Ok(checks)
}

/// `credentialStatus` as a list (one entry or several).
fn status_entries(value: Option<&Value>) -> Vec<Value> {
    match value {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
    }
}
