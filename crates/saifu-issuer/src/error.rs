//! Issuer errors, each mapping to the protocol error of its endpoint.

use saifu_oid4vc::vci::credential::{CredentialError, NotificationError};
use saifu_oid4vc::vci::token::TokenError;

use crate::authorization::AuthorizationError;
use crate::store::StoreFailure;

/// Why an issuer operation failed.
#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    /// A Token Endpoint error (§6.3).
    #[error(transparent)]
    Token(#[from] TokenError),
    /// An authorization code flow error (PAR, authorization endpoint, login).
    #[error(transparent)]
    Authorization(#[from] AuthorizationError),
    /// A Credential Endpoint error (§8.3.1.2).
    #[error(transparent)]
    Credential(#[from] CredentialError),
    /// A Notification Endpoint error (§11.3).
    #[error(transparent)]
    Notification(#[from] NotificationError),
    /// The access token is missing, unknown or expired (RFC 6750 `invalid_token`).
    #[error("invalid_token")]
    InvalidToken,
    /// The offer asks for a credential type the issuer does not have.
    #[error("unknown credential configuration `{0}`")]
    UnknownConfiguration(String),
    /// A subject, credential or offer the request names does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the current state (revoking a revoked credential).
    #[error("{0}")]
    Conflict(String),
    /// An administrative request is malformed (bad claims, bad CSV).
    #[error("{0}")]
    InvalidInput(String),
    /// The storage failed.
    #[error("storage: {0}")]
    Store(#[from] StoreFailure),
    /// Signing a credential or status list failed.
    #[error("signing: {0}")]
    Signing(String),
}
