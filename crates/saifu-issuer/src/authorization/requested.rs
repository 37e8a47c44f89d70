//! Which credential configuration an authorization request asks for: through `scope`
//! (§5.1.2), through `authorization_details` of type `openid_credential` (§5.1.1), or both.
//! saifu grants one configuration per request, since an access token opens one session.

use std::collections::BTreeSet;

use saifu_oid4vc::vci::token::OPENID_CREDENTIAL;
use serde_json::{Map, Value};

use super::error::AuthorizationError;
use crate::config::CredentialConfig;

/// The configuration a request asks for, and how it asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Requested {
    pub config_id: String,
    pub by_details: bool,
}

/// Resolves `scope` and `authorization_details` (JSON text) against the issuer's
/// configurations; when both are present they must name the same one.
pub(super) fn requested(
    issuer_id: &str,
    catalog: &[CredentialConfig],
    scope: Option<&str>,
    details: Option<&str>,
) -> Result<Requested, AuthorizationError> {
    let from_scope = scope.map(|s| by_scope(catalog, s)).transpose()?;
    let from_details = details
        .map(|d| by_details(issuer_id, catalog, d))
        .transpose()?;
    match (from_scope, from_details) {
        (None, None) => Err(AuthorizationError::InvalidScope(
            "scope or authorization_details is required".into(),
        )),
        (Some(config_id), None) => Ok(Requested {
            config_id,
            by_details: false,
        }),
        (None, Some(config_id)) => Ok(Requested {
            config_id,
            by_details: true,
        }),
        (Some(a), Some(b)) if a == b => Ok(Requested {
            config_id: a,
            by_details: true,
        }),
        (Some(a), Some(b)) => Err(AuthorizationError::InvalidRequest(format!(
            "scope asks for `{a}` but authorization_details for `{b}`"
        ))),
    }
}

/// The one configuration `ids` names, or an error made by `error`.
fn single(
    ids: BTreeSet<String>,
    error: fn(String) -> AuthorizationError,
) -> Result<String, AuthorizationError> {
    let mut ids = ids.into_iter();
    match (ids.next(), ids.next()) {
        (Some(id), None) => Ok(id),
        (None, _) => Err(error("no credential configuration is requested".into())),
        (Some(_), Some(_)) => Err(AuthorizationError::InvalidRequest(
            "one credential configuration per authorization request".into(),
        )),
    }
}

/// Every space-separated scope value must be some configuration's `scope` (RFC 6749 §3.3).
fn by_scope(catalog: &[CredentialConfig], scope: &str) -> Result<String, AuthorizationError> {
    let ids = scope
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(|value| {
            catalog
                .iter()
                .find(|c| c.scope == value)
                .map(|c| c.id.clone())
                .ok_or_else(|| AuthorizationError::InvalidScope(format!("unknown scope `{value}`")))
        })
        .collect::<Result<BTreeSet<_>, _>>()?;
    single(ids, AuthorizationError::InvalidScope)
}

/// A non-empty array of `openid_credential` objects naming known configurations; `locations`,
/// when given, must include this issuer (§5.1.1). Draft-era `format` is refused.
fn by_details(
    issuer_id: &str,
    catalog: &[CredentialConfig],
    details: &str,
) -> Result<String, AuthorizationError> {
    let invalid = AuthorizationError::InvalidAuthorizationDetails;
    let entries: Vec<Map<String, Value>> = serde_json::from_str(details).map_err(|e| {
        invalid(format!(
            "authorization_details must be an array of objects: {e}"
        ))
    })?;
    let mut ids = BTreeSet::new();
    for entry in &entries {
        if entry.get("type").and_then(Value::as_str) != Some(OPENID_CREDENTIAL) {
            return Err(invalid(format!(
                "only type `{OPENID_CREDENTIAL}` is supported"
            )));
        }
        if entry.contains_key("format") {
            return Err(invalid(
                "`format` is not used in OpenID4VCI 1.0; name credential_configuration_id".into(),
            ));
        }
        if let Some(locations) = entry.get("locations") {
            let ours = locations
                .as_array()
                .is_some_and(|l| l.iter().any(|v| v.as_str() == Some(issuer_id)));
            if !ours {
                return Err(invalid(
                    "locations does not name this credential issuer".into(),
                ));
            }
        }
        let id = entry
            .get("credential_configuration_id")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("credential_configuration_id is required".into()))?;
        if !catalog.iter().any(|c| c.id == id) {
            return Err(invalid(format!("unknown credential configuration `{id}`")));
        }
        ids.insert(id.to_owned());
    }
    single(ids, invalid)
}
