//! Errors of the authorization code flow, each an OAuth error code with its HTTP status.

use saifu_oid4vc::oauth::ErrorResponse;
use saifu_oid4vc::oauth::par::ParError;

use super::login::PendingAuthorization;

/// Why a pushed authorization request or an authorization request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizationError {
    /// The request is malformed or misses a parameter (RFC 6749 §4.1.2.1 `invalid_request`),
    /// including PKCE other than `S256` and an unknown or spent `issuer_state`.
    #[error("{0}")]
    InvalidRequest(String),
    /// `response_type` is not `code` (RFC 6749 §4.1.2.1).
    #[error("{0}")]
    UnsupportedResponseType(String),
    /// `scope` names no credential configuration, or neither `scope` nor
    /// `authorization_details` was sent (RFC 6749 §3.3).
    #[error("{0}")]
    InvalidScope(String),
    /// `authorization_details` is malformed or names an unknown configuration (RFC 9396 §5).
    #[error("{0}")]
    InvalidAuthorizationDetails(String),
    /// The `request_uri` is unknown, expired, used, locked after failed logins, or was pushed
    /// by another client (RFC 9126 §4, RFC 9101 §7 `invalid_request_uri`).
    #[error("{0}")]
    InvalidRequestUri(String),
    /// The user id or password on the login page is wrong (which one is not said); the request
    /// stays usable while it has attempts left, to show the login page again.
    #[error("wrong user id or password; {} attempts left", .0.attempts_left)]
    LoginFailed(PendingAuthorization),
}

impl AuthorizationError {
    /// The OAuth `error` code.
    pub fn code(&self) -> &'static str {
        match self {
            AuthorizationError::InvalidRequest(_) => "invalid_request",
            AuthorizationError::UnsupportedResponseType(_) => "unsupported_response_type",
            AuthorizationError::InvalidScope(_) => "invalid_scope",
            AuthorizationError::InvalidAuthorizationDetails(_) => "invalid_authorization_details",
            AuthorizationError::InvalidRequestUri(_) => "invalid_request_uri",
            AuthorizationError::LoginFailed(_) => "access_denied",
        }
    }

    /// The HTTP status the error is answered with: 401 for a failed login, 400 for the
    /// client's mistakes.
    pub fn status(&self) -> u16 {
        match self {
            AuthorizationError::LoginFailed(_) => 401,
            _ => 400,
        }
    }

    /// The error as an OAuth error body.
    pub fn to_response(&self) -> ErrorResponse {
        ErrorResponse::new(self.code(), self.to_string())
    }
}

impl From<ParError> for AuthorizationError {
    fn from(e: ParError) -> Self {
        AuthorizationError::InvalidRequest(e.to_string())
    }
}
