//! OAuth 2.0 Authorization Server Metadata (RFC 8414) with the OpenID4VCI (§12.3), PAR (RFC 9126
//! §5) and DPoP (RFC 9449 §5.1) members.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::issuer::{MetadataError, check_issuer_match};
use super::well_known::check_issuer_identifier;
use crate::oauth::pkce;

/// Authorization Server Metadata.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationServerMetadata {
    /// The AS issuer identifier.
    pub issuer: String,
    /// Authorization endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// Token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// JWK Set URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// PAR endpoint (RFC 9126 §5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_authorization_request_endpoint: Option<String>,
    /// Whether authorization requests must be pushed (RFC 9126 §5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_pushed_authorization_requests: Option<bool>,
    /// Supported scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// Supported response types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_types_supported: Option<Vec<String>>,
    /// Supported grant types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types_supported: Option<Vec<String>>,
    /// Client authentication methods at the token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// PKCE methods (RFC 7636); saifu needs `S256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// DPoP algorithms (RFC 9449 §5.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
    /// `iss` in authorization responses (RFC 9207).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_response_iss_parameter_supported: Option<bool>,
    /// Whether the pre-authorized code grant works without client authentication (§12.3).
    #[serde(
        rename = "pre-authorized_grant_anonymous_access_supported",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pre_authorized_grant_anonymous_access_supported: Option<bool>,
    /// Every other member, kept as received.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl AuthorizationServerMetadata {
    /// Parses metadata fetched for `expected_issuer`; `issuer` must be identical (RFC 8414 §3.3).
    pub fn parse(json: &str, expected_issuer: &str) -> Result<Self, MetadataError> {
        let metadata: Self =
            serde_json::from_str(json).map_err(|e| MetadataError::Json(e.to_string()))?;
        check_issuer_match(expected_issuer, &metadata.issuer)?;
        check_issuer_identifier(&metadata.issuer)?;
        Ok(metadata)
    }

    /// Whether the AS advertises PKCE `S256`.
    pub fn supports_s256(&self) -> bool {
        self.code_challenge_methods_supported
            .iter()
            .flatten()
            .any(|m| m == pkce::S256)
    }
}
