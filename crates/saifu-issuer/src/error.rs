//! Issuer errors, each mapping to the protocol error of its endpoint.

use saifu_oid4vc::vci::credential::CredentialError;
use saifu_oid4vc::vci::token::TokenError;

use crate::store::StoreFailure;

/// Why an issuer operation failed.
#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    /// A Token Endpoint error (§6.3).
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A Credential Endpoint error (§8.3.1.2).
    #[error(transparent)]
    Credential(#[from] CredentialError),
    /// The access token is missing, unknown or expired (RFC 6750 `invalid_token`).
    #[error("invalid_token")]
    InvalidToken,
    /// The offer asks for a credential type the issuer does not have.
    #[error("unknown credential configuration `{0}`")]
    UnknownConfiguration(String),
    /// The storage failed.
    #[error("storage: {0}")]
    Store(#[from] StoreFailure),
    /// Signing a credential or status list failed.
    #[error("signing: {0}")]
    Signing(String),
}
