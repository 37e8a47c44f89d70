//! Token Endpoint messages (OpenID4VCI 1.0 §6): the request for both grants, the response with
//! `authorization_details`, and the errors of §6.3.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::legacy::{self, LegacyName};
use super::offer::PRE_AUTHORIZED_CODE_GRANT;
use crate::oauth::form::{self, Form, FormError};
use crate::oauth::pkce::PkceError;
use crate::oauth::{ErrorResponse, constant_time_eq};

/// The `authorization_details` type of OpenID4VCI (§5.1.1).
pub const OPENID_CREDENTIAL: &str = "openid_credential";

const AUTHORIZATION_CODE_GRANT: &str = "authorization_code";

/// A Token Request (§6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRequest {
    /// `grant_type=urn:ietf:params:oauth:grant-type:pre-authorized_code`.
    PreAuthorizedCode {
        /// `pre-authorized_code` from the offer.
        pre_authorized_code: String,
        /// The Transaction Code the user entered, a string.
        tx_code: Option<String>,
        /// `client_id`, absent for anonymous access.
        client_id: Option<String>,
    },
    /// `grant_type=authorization_code`.
    AuthorizationCode {
        /// The authorization code.
        code: String,
        /// PKCE verifier.
        code_verifier: Option<String>,
        /// Must equal the authorization request's `redirect_uri` when that had one.
        redirect_uri: Option<String>,
        /// `client_id`.
        client_id: Option<String>,
    },
}

impl TokenRequest {
    /// Parses a form-encoded token request.
    pub fn from_form(body: &str) -> Result<Self, TokenError> {
        let mut form = Form::parse(body)?;
        match form.require("grant_type")?.as_str() {
            PRE_AUTHORIZED_CODE_GRANT => Ok(TokenRequest::PreAuthorizedCode {
                pre_authorized_code: form.require("pre-authorized_code")?,
                tx_code: form.take("tx_code"),
                client_id: form.take("client_id"),
            }),
            AUTHORIZATION_CODE_GRANT => Ok(TokenRequest::AuthorizationCode {
                code: form.require("code")?,
                code_verifier: form.take("code_verifier"),
                redirect_uri: form.take("redirect_uri"),
                client_id: form.take("client_id"),
            }),
            other => Err(TokenError::UnsupportedGrantType(other.to_owned())),
        }
    }

    /// Serializes as a form body.
    pub fn to_form(&self) -> String {
        match self {
            TokenRequest::PreAuthorizedCode {
                pre_authorized_code,
                tx_code,
                client_id,
            } => form::encode([
                ("grant_type", Some(PRE_AUTHORIZED_CODE_GRANT)),
                ("pre-authorized_code", Some(pre_authorized_code.as_str())),
                ("tx_code", tx_code.as_deref()),
                ("client_id", client_id.as_deref()),
            ]),
            TokenRequest::AuthorizationCode {
                code,
                code_verifier,
                redirect_uri,
                client_id,
            } => form::encode([
                ("grant_type", Some(AUTHORIZATION_CODE_GRANT)),
                ("code", Some(code.as_str())),
                ("code_verifier", code_verifier.as_deref()),
                ("redirect_uri", redirect_uri.as_deref()),
                ("client_id", client_id.as_deref()),
            ]),
        }
    }
}

/// Checks a presented Transaction Code against the one the offer required (§6.3): missing or
/// unexpected → `invalid_request`, wrong → `invalid_grant`. The comparison does not stop early.
pub fn check_tx_code(expected: Option<&str>, presented: Option<&str>) -> Result<(), TokenError> {
    match (expected, presented) {
        (None, None) => Ok(()),
        (Some(_), None) => Err(TokenError::InvalidRequest("tx_code is required".into())),
        (None, Some(_)) => Err(TokenError::InvalidRequest(
            "tx_code was not expected".into(),
        )),
        (Some(expected), Some(presented)) => {
            if constant_time_eq(expected.as_bytes(), presented.as_bytes()) {
                Ok(())
            } else {
                Err(TokenError::InvalidGrant("wrong tx_code".into()))
            }
        }
    }
}

/// A successful Token Response (§6.2). It never carries `c_nonce`: nonces come from the Nonce
/// Endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: String,
    /// `Bearer` or `DPoP`.
    pub token_type: String,
    /// Lifetime in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// Refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Granted credentials and their identifiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_details: Option<Vec<AuthorizationDetail>>,
}

/// One `openid_credential` entry of a token response's `authorization_details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationDetail {
    /// Always `openid_credential`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The granted configuration.
    pub credential_configuration_id: String,
    /// Identifiers to use as `credential_identifier` in Credential Requests.
    pub credential_identifiers: Vec<String>,
}

const RESPONSE_LEGACY: [(&str, &str); 2] = [
    ("c_nonce", "fetch nonces from the nonce_endpoint"),
    ("c_nonce_expires_in", "fetch nonces from the nonce_endpoint"),
];

impl TokenResponse {
    /// Parses a token response as a wallet receives it, refusing draft-era `c_nonce`.
    pub fn parse(json: &str) -> Result<Self, TokenResponseError> {
        let value: Value =
            serde_json::from_str(json).map_err(|e| TokenResponseError::Json(e.to_string()))?;
        if let Some(found) = value
            .as_object()
            .and_then(|o| legacy::find(o, &RESPONSE_LEGACY))
        {
            return Err(TokenResponseError::Legacy(found));
        }
        let response: Self =
            serde_json::from_value(value).map_err(|e| TokenResponseError::Json(e.to_string()))?;
        if let Some(detail) = response
            .authorization_details
            .iter()
            .flatten()
            .find(|d| d.type_ != OPENID_CREDENTIAL)
        {
            return Err(TokenResponseError::Json(format!(
                "authorization_details type `{}`",
                detail.type_
            )));
        }
        Ok(response)
    }
}

/// Why a wallet refused a token response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenResponseError {
    /// Not JSON, or a member has the wrong type or value.
    #[error("malformed token response: {0}")]
    Json(String),
    /// A draft-era member.
    #[error("{0}")]
    Legacy(LegacyName),
}

/// Token Endpoint errors (RFC 6749 §5.2 as used by §6.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Malformed request, missing or unexpected `tx_code`.
    #[error("invalid_request: {0}")]
    InvalidRequest(String),
    /// Client authentication failed, or anonymous access is not allowed.
    #[error("invalid_client: {0}")]
    InvalidClient(String),
    /// Bad, expired or used code, wrong `tx_code`, PKCE mismatch.
    #[error("invalid_grant: {0}")]
    InvalidGrant(String),
    /// The client may not use this grant.
    #[error("unauthorized_client: {0}")]
    UnauthorizedClient(String),
    /// Unknown `grant_type`.
    #[error("unsupported_grant_type: {0}")]
    UnsupportedGrantType(String),
    /// The requested scope is invalid.
    #[error("invalid_scope: {0}")]
    InvalidScope(String),
}

impl TokenError {
    /// The registered error code.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::InvalidRequest(_) => "invalid_request",
            TokenError::InvalidClient(_) => "invalid_client",
            TokenError::InvalidGrant(_) => "invalid_grant",
            TokenError::UnauthorizedClient(_) => "unauthorized_client",
            TokenError::UnsupportedGrantType(_) => "unsupported_grant_type",
            TokenError::InvalidScope(_) => "invalid_scope",
        }
    }

    /// HTTP status: 401 for `invalid_client`, 400 otherwise (RFC 6749 §5.2).
    pub fn status(&self) -> u16 {
        match self {
            TokenError::InvalidClient(_) => 401,
            _ => 400,
        }
    }

    /// The JSON body.
    pub fn to_response(&self) -> ErrorResponse {
        let (TokenError::InvalidRequest(d)
        | TokenError::InvalidClient(d)
        | TokenError::InvalidGrant(d)
        | TokenError::UnauthorizedClient(d)
        | TokenError::UnsupportedGrantType(d)
        | TokenError::InvalidScope(d)) = self;
        ErrorResponse::new(self.code(), d.as_str())
    }
}

impl From<FormError> for TokenError {
    fn from(e: FormError) -> Self {
        TokenError::InvalidRequest(e.to_string())
    }
}

impl From<PkceError> for TokenError {
    fn from(e: PkceError) -> Self {
        match e {
            PkceError::Mismatch => TokenError::InvalidGrant(e.to_string()),
            _ => TokenError::InvalidRequest(e.to_string()),
        }
    }
}
