//! Credential Response (§8.3), also the Deferred Credential Response (§9.2).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::vci::legacy::{self, LegacyName};

const LEGACY: [(&str, &str); 5] = [
    ("credential", "use the `credentials` array"),
    (
        "format",
        "the format follows from the requested configuration",
    ),
    ("c_nonce", "fetch nonces from the nonce_endpoint"),
    ("c_nonce_expires_in", "fetch nonces from the nonce_endpoint"),
    ("acceptance_token", "use `transaction_id`"),
];

/// Why a wallet refused a credential response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialResponseError {
    /// Not JSON, or not the shape its HTTP status calls for.
    #[error("malformed credential response: {0}")]
    Json(String),
    /// A draft-era member.
    #[error("{0}")]
    Legacy(LegacyName),
    /// `credentials` is empty.
    #[error("credentials must not be empty")]
    NoCredentials,
    /// A status other than 200 or 202.
    #[error("unexpected HTTP status {0} for a credential response")]
    UnexpectedStatus(u16),
}

/// A Credential (or Deferred Credential) Response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CredentialResponse {
    /// `200`: the credentials.
    Issued(Issued),
    /// `202`: come back later.
    Deferred(DeferredPending),
}

/// The `200` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issued {
    /// One entry per issued credential.
    pub credentials: Vec<IssuedCredential>,
    /// Identifier for the Notification Endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_id: Option<String>,
}

/// One issued credential: a string (e.g. an SD-JWT VC) or an object (e.g. `ldp_vc`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuedCredential {
    /// The credential.
    pub credential: Value,
}

/// The `202` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeferredPending {
    /// Identifier for the Deferred Credential Endpoint.
    pub transaction_id: String,
    /// Seconds to wait before asking.
    pub interval: u64,
}

impl CredentialResponse {
    /// The HTTP status this response is sent with.
    pub fn status(&self) -> u16 {
        match self {
            CredentialResponse::Issued(_) => 200,
            CredentialResponse::Deferred(_) => 202,
        }
    }

    /// Parses a response by its HTTP status.
    pub fn parse(status: u16, json: &str) -> Result<Self, CredentialResponseError> {
        let value: Value =
            serde_json::from_str(json).map_err(|e| CredentialResponseError::Json(e.to_string()))?;
        if let Some(found) = value.as_object().and_then(|o| legacy::find(o, &LEGACY)) {
            return Err(CredentialResponseError::Legacy(found));
        }
        let json_error = |e: serde_json::Error| CredentialResponseError::Json(e.to_string());
        match status {
            200 => {
                let issued: Issued = serde_json::from_value(value).map_err(json_error)?;
                if issued.credentials.is_empty() {
                    return Err(CredentialResponseError::NoCredentials);
                }
                Ok(CredentialResponse::Issued(issued))
            }
            202 => serde_json::from_value(value)
                .map(CredentialResponse::Deferred)
                .map_err(json_error),
            other => Err(CredentialResponseError::UnexpectedStatus(other)),
        }
    }
}
