//! `POST /credentials/issue`: sign a VCDM 2.0 credential as the node's did:key.
//!
//! The request names the credential's `issuer`, which must be the DID of the key that signs the
//! chosen cryptosuite (`GET /credentials/issuers` lists them): the issuer never signs a
//! credential claiming to come from someone else. Every VCDM 2.0 rule is checked before a status
//! index is taken, and an index is given back if signing fails, so a refused request changes
//! nothing.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use rand::RngCore;
use rand::rngs::OsRng;
use saifu_credential::w3c::di::{self, ASSERTION_METHOD, Cryptosuite, PROOF_TYPE, ProofOptions};
use saifu_credential::w3c::{ProofError, datetime, model};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::keys::KeyName;
use super::{VcApi, internal, invalid_request, parse_body};
use crate::auth::has_admin_token;
use crate::error::ApiError;
use crate::openapi::OAuthError;
use crate::verifier::now;

/// The request body (VC-API `IssueCredentialRequest`); a top-level `@context`, which some
/// clients send, is accepted and ignored.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueRequest {
    credential: Value,
    #[serde(default)]
    options: IssueOptions,
    #[serde(rename = "@context", default)]
    _context: Option<Value>,
}

/// The issuance options saifu understands; anything else is refused rather than ignored, so a
/// client never believes an option took effect when it did not.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct IssueOptions {
    /// Must be `DataIntegrityProof` when given.
    #[serde(rename = "type")]
    proof_type: Option<String>,
    /// The cryptosuite; the node's configured default when absent.
    cryptosuite: Option<String>,
    /// The credential's `id` when the credential has none.
    credential_id: Option<String>,
}

/// `POST /credentials/issue` → 201 `{verifiableCredential}`.
#[utoipa::path(post, path = "/credentials/issue", tag = "vc-api",
    request_body(content = Object, description = "`{credential, options: {type, cryptosuite, credentialId}}` (W3C CCG VC-API): a VCDM 2.0 credential without proof; the node signs it as its did:key with eddsa-rdfc-2022, eddsa-jcs-2022 or ecdsa-rdfc-2019 and adds `credentialStatus` when status is on"),
    responses((status = 201, description = "`{verifiableCredential}`", body = Object),
              (status = 400, description = "Not a valid credential, an unknown option or cryptosuite, or an unknown context", body = OAuthError),
              (status = 401, description = "Missing or wrong admin token (unless `[vc_api] open_issuance`)", body = OAuthError)),
    security(("admin_token" = [])))]
pub(crate) async fn issue(
    State(api): State<Arc<VcApi>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if !api.open_issuance && !has_admin_token(&headers, &api.admin_token) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "issuing needs the admin token (or `[vc_api] open_issuance = true`)".into(),
        ));
    }
    let request: IssueRequest = parse_body(&body)?;
    let suite = match (&request.options.proof_type, &request.options.cryptosuite) {
        (Some(other), _) if other != PROOF_TYPE => {
            return Err(invalid_request(format!(
                "proof type `{other}` is not supported (DataIntegrityProof is)"
            )));
        }
        (_, Some(name)) => Cryptosuite::from_name(name).ok_or_else(|| {
            invalid_request(format!(
                "cryptosuite `{name}` is not supported: use eddsa-rdfc-2022, eddsa-jcs-2022 or \
                 ecdsa-rdfc-2019"
            ))
        })?,
        (_, None) => api.default_suite,
    };
    let key = KeyName::for_suite(suite);
    let signer = api.keys.get(key);
    let now = now();
    let mut credential = checked_credential(request.credential, &signer.did, now)?;
    let id = match (credential.get("id"), request.options.credential_id) {
        (Some(Value::String(id)), _) => id.clone(),
        (Some(_), _) => return Err(invalid_request("`credential.id` must be a URL".into())),
        (None, Some(id)) => id,
        (None, None) => random_urn(),
    };
    credential.insert("id".into(), id.as_str().into());
    let credential = Value::Object(credential);
    model::validate_credential(&credential, now).map_err(|e| invalid_request(e.to_string()))?;

    let claimed = match &api.status {
        Some(lists) => {
            let index = lists
                .allocate(key, &id, now)
                .await
                .map_err(internal)?
                .ok_or_else(|| internal("no free status list index after many draws"))?;
            Some((lists, index))
        }
        None => None,
    };
    let mut credential = credential;
    if let Some((lists, index)) = claimed {
        credential["credentialStatus"] = lists.entries(key, index);
    }
    let mut options = ProofOptions::new(suite, signer.method.clone(), ASSERTION_METHOD);
    options.created = Some(datetime::format(now));
    match di::add_proof(&credential, &options, &signer.signer).await {
        Ok(signed) => Ok((
            StatusCode::CREATED,
            Json(json!({ "verifiableCredential": signed })),
        )),
        Err(error) => {
            if let Some((lists, index)) = claimed {
                lists.release(key, index).await.map_err(internal)?;
            }
            Err(match error {
                // The credential cannot be canonicalized (unknown context, bad JSON-LD): the
                // client's fault.
                ProofError::JsonLd(e) => invalid_request(e.to_string()),
                other => internal(other),
            })
        }
    }
}

/// The credential as an object whose `issuer` is `did` and which has no `proof` and no
/// `credentialStatus` yet (both are the issuer's to add).
fn checked_credential(
    credential: Value,
    did: &str,
    now: i64,
) -> Result<Map<String, Value>, ApiError> {
    // The data model first, so a malformed credential gets the precise rule it broke.
    model::validate_credential(&credential, now).map_err(|e| invalid_request(e.to_string()))?;
    let Value::Object(map) = credential else {
        return Err(invalid_request("`credential` must be an object".into()));
    };
    let issuer = model::issuer_id(&map).map_err(|e| invalid_request(e.to_string()))?;
    if issuer != did {
        return Err(invalid_request(format!(
            "`issuer` is `{issuer}`, but this cryptosuite signs as `{did}` (see GET \
             /credentials/issuers)"
        )));
    }
    for reserved in ["proof", "credentialStatus"] {
        if map.contains_key(reserved) {
            return Err(invalid_request(format!(
                "`{reserved}` is added by the issuer and must not be in the request"
            )));
        }
    }
    Ok(map)
}

/// A fresh `urn:uuid:` (RFC 9562 version 4) for a credential that has no `id`.
fn random_urn() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
