//! The issuer's Bitstring Status Lists: a random, persistent index per issued credential, the
//! signed list credentials published at `/status/w3c/{key}-{purpose}-{n}`, and the admin route
//! that revokes, suspends and reinstates (`POST /credentials/status`).
//!
//! Each signing key has its own lists (a list must be issued by the credential's issuer), and a
//! credential's revocation and suspension bits share one index.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use rand::rngs::OsRng;
use saifu_credential::status::bitstring::{
    BitstringStatusList, MIN_ENTRIES, StatusEntry, StatusPurpose,
};
use saifu_credential::w3c::datetime;
use saifu_credential::w3c::di::{self, ASSERTION_METHOD, ProofOptions};
use saifu_store::StoreError;
use saifu_store::vc_api::{StatusBit, VcApiStatus};
use serde::Deserialize;
use serde_json::{Value, json};

use super::keys::KeyName;
use super::{VcApi, internal, invalid_request, parse_body};
use crate::auth::has_admin_token;
use crate::error::ApiError;
use crate::openapi::OAuthError;
use crate::verifier::now;

/// Entries per list: the specification's minimum, 16 KB of bits (Bitstring Status List §2.1).
pub(crate) const LIST_SIZE: i64 = MIN_ENTRIES as i64;
/// Highest list number a URL may name (no key will ever fill a million lists).
const MAX_LIST_NUMBER: i64 = 1 << 20;
/// Random draws before giving up on finding a free index.
const CLAIM_ATTEMPTS: usize = 32;
/// How long a published list credential stays valid: a verifier must fetch a fresh one at
/// least this often, so an old "not revoked" copy cannot be replayed for long.
const LIST_VALIDITY_SECONDS: i64 = 24 * 3600;

/// The status list side of the VC-API issuer.
pub(crate) struct StatusLists {
    store: VcApiStatus,
    base_url: String,
}

impl StatusLists {
    /// Lists whose bits live in `store`, published under `base_url`.
    pub(crate) fn new(store: VcApiStatus, base_url: &str) -> Self {
        StatusLists {
            store,
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    fn list_url(&self, key: KeyName, purpose: StatusPurpose, number: i64) -> String {
        format!(
            "{}/status/w3c/{}-{}-{number}",
            self.base_url,
            key.as_str(),
            purpose.as_str()
        )
    }

    /// Claims a random free index of `key`'s current list for `credential_id`; `None` when no
    /// free index was found. Each list is filled to half before the next opens, so a random draw
    /// rarely hits a taken index.
    pub(crate) async fn allocate(
        &self,
        key: KeyName,
        credential_id: &str,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let issued = self.store.count(key.as_str()).await?;
        let number = issued / (LIST_SIZE / 2);
        for _ in 0..CLAIM_ATTEMPTS {
            let index = number * LIST_SIZE + OsRng.gen_range(0..LIST_SIZE);
            if self
                .store
                .claim(key.as_str(), index, Some(credential_id), now)
                .await?
            {
                return Ok(Some(index));
            }
        }
        Ok(None)
    }

    /// Gives back an index whose credential was not issued.
    pub(crate) async fn release(&self, key: KeyName, index: i64) -> Result<(), StoreError> {
        self.store.release(key.as_str(), index).await
    }

    /// The `credentialStatus` value for `index`: a revocation and a suspension entry.
    pub(crate) fn entries(&self, key: KeyName, index: i64) -> Value {
        let (number, offset) = (index / LIST_SIZE, index % LIST_SIZE);
        let entry = |purpose| {
            let list_credential = self.list_url(key, purpose, number);
            let id = format!("{list_credential}#{offset}");
            StatusEntry {
                purpose,
                index: usize::try_from(offset).unwrap_or_default(),
                list_credential,
            }
            .to_json(&id)
        };
        json!([
            entry(StatusPurpose::Revocation),
            entry(StatusPurpose::Suspension)
        ])
    }
}

fn bit(purpose: StatusPurpose) -> StatusBit {
    match purpose {
        StatusPurpose::Revocation => StatusBit::Revoked,
        StatusPurpose::Suspension => StatusBit::Suspended,
    }
}

/// `{key}-{purpose}-{n}`, e.g. `ed25519-revocation-0`.
fn parse_list_name(name: &str) -> Option<(KeyName, StatusPurpose, i64)> {
    let mut parts = name.splitn(3, '-');
    let key = KeyName::parse(parts.next()?)?;
    let purpose = StatusPurpose::parse(parts.next()?)?;
    let number = parts.next()?;
    if number.is_empty() || !number.bytes().all(|c| c.is_ascii_digit()) || number.len() > 7 {
        return None;
    }
    let number: i64 = number.parse().ok()?;
    (number < MAX_LIST_NUMBER).then_some((key, purpose, number))
}

/// `GET /status/w3c/{list}`: the signed `BitstringStatusListCredential`, built from the store
/// on every request so a revocation shows at once on every node sharing the database.
pub(crate) async fn publish(
    State(api): State<Arc<VcApi>>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no status list `{name}`"),
        )
    };
    let lists = api.status.as_ref().ok_or_else(not_found)?;
    let (key, purpose, number) = parse_list_name(&name).ok_or_else(not_found)?;
    let start = number * LIST_SIZE;
    let set = lists
        .store
        .set_indexes(key.as_str(), bit(purpose), start, start + LIST_SIZE)
        .await
        .map_err(internal)?;
    let mut bits = BitstringStatusList::new(MIN_ENTRIES).map_err(internal)?;
    for index in set {
        bits.set(usize::try_from(index - start).unwrap_or(usize::MAX), true)
            .map_err(internal)?;
    }
    let now = now();
    let issuer = api.keys.get(key);
    let url = lists.list_url(key, purpose, number);
    let mut credential = bits.to_credential(&url, &issuer.did, purpose, &datetime::format(now));
    credential["validUntil"] = datetime::format(now + LIST_VALIDITY_SECONDS).into();
    let mut options = ProofOptions::new(key.list_suite(), issuer.method.clone(), ASSERTION_METHOD);
    options.created = Some(datetime::format(now));
    let signed = di::add_proof(&credential, &options, &issuer.signer)
        .await
        .map_err(internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vc"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Json(signed),
    )
        .into_response())
}

/// `POST /credentials/status` body (after VC-API's update-status request).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct UpdateRequest {
    credential_id: String,
    credential_status: Vec<StatusChange>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusChange {
    #[serde(rename = "type", default)]
    entry_type: Option<String>,
    status: String,
}

/// `POST /credentials/status` (admin token): `revoked`, `suspended` or `unsuspended` for every
/// credential issued with `credentialId`. Revocation is final, so there is no way back from it.
#[utoipa::path(post, path = "/credentials/status", tag = "vc-api",
    request_body(content = Object, description = "`{credentialId, credentialStatus: [{type, status}]}` with status `revoked`, `suspended` or `unsuspended`"),
    responses((status = 200, description = "The change is published in the status lists", body = Object),
              (status = 400, description = "Unknown credential or status, or a revoked credential", body = OAuthError),
              (status = 401, description = "Missing or wrong admin token", body = OAuthError)),
    security(("admin_token" = [])))]
pub(crate) async fn update(
    State(api): State<Arc<VcApi>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    if !has_admin_token(&headers, &api.admin_token) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "changing a credential's status needs the admin token".into(),
        ));
    }
    let request: UpdateRequest = parse_body(&body)?;
    let lists = api
        .status
        .as_ref()
        .ok_or_else(|| invalid_request("this node issues credentials without status".into()))?;
    let mut changes = Vec::new();
    for change in &request.credential_status {
        if let Some(other) = change
            .entry_type
            .as_deref()
            .filter(|t| *t != "BitstringStatusListEntry")
        {
            return Err(invalid_request(format!(
                "status type `{other}` is not supported (BitstringStatusListEntry is)"
            )));
        }
        changes.push(match change.status.as_str() {
            "revoked" => (StatusBit::Revoked, true),
            "suspended" => (StatusBit::Suspended, true),
            "unsuspended" => (StatusBit::Suspended, false),
            other => {
                return Err(invalid_request(format!(
                    "status `{other}`: expected revoked, suspended or unsuspended"
                )));
            }
        });
    }
    if changes.is_empty() {
        return Err(invalid_request("`credentialStatus` is empty".into()));
    }
    let now = now();
    let mut updated = 0;
    for (bit, value) in changes {
        updated = lists
            .store
            .set(&request.credential_id, bit, value, now)
            .await
            .map_err(internal)?;
        if updated == 0 {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!(
                    "no credential `{}` was issued with status",
                    request.credential_id
                ),
            ));
        }
    }
    Ok(Json(json!({ "credentialId": request.credential_id, "updated": updated })).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_names_are_parsed_strictly() {
        assert_eq!(
            parse_list_name("ed25519-revocation-0"),
            Some((KeyName::Ed25519, StatusPurpose::Revocation, 0))
        );
        assert_eq!(
            parse_list_name("p256-suspension-12"),
            Some((KeyName::P256, StatusPurpose::Suspension, 12))
        );
        for bad in [
            "ed25519-revocation-",
            "ed25519-revocation--1",
            "ed25519-revocation-+1",
            "ed25519-revocation-99999999",
            "ed25519-revocation-1048576",
            "rsa-revocation-0",
            "ed25519-message-0",
            "ed25519-revocation",
        ] {
            assert_eq!(parse_list_name(bad), None, "{bad}");
        }
    }
}
