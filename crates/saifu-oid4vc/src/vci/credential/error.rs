//! Credential, Deferred Credential and Notification Endpoint errors (§8.3.1.2, §9.3, §11.3).

use crate::oauth::ErrorResponse;

/// Credential Endpoint errors (§8.3.1.2, HTTP 400, never encrypted), plus the Deferred
/// Credential Endpoint's `invalid_transaction_id` (§9.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// Malformed request.
    #[error("invalid_credential_request: {0}")]
    InvalidCredentialRequest(String),
    /// `credential_configuration_id` unknown.
    #[error("unknown_credential_configuration: {0}")]
    UnknownCredentialConfiguration(String),
    /// `credential_identifier` unknown.
    #[error("unknown_credential_identifier: {0}")]
    UnknownCredentialIdentifier(String),
    /// A key proof is invalid.
    #[error("invalid_proof: {0}")]
    InvalidProof(String),
    /// A key proof's nonce is missing, wrong or used.
    #[error("invalid_nonce: {0}")]
    InvalidNonce(String),
    /// `credential_response_encryption` cannot be honoured.
    #[error("invalid_encryption_parameters: {0}")]
    InvalidEncryptionParameters(String),
    /// The issuer will not issue this credential.
    #[error("credential_request_denied: {0}")]
    CredentialRequestDenied(String),
    /// Deferred endpoint: unknown or used `transaction_id`.
    #[error("invalid_transaction_id: {0}")]
    InvalidTransactionId(String),
}

impl CredentialError {
    /// The registered error code.
    pub fn code(&self) -> &'static str {
        match self {
            CredentialError::InvalidCredentialRequest(_) => "invalid_credential_request",
            CredentialError::UnknownCredentialConfiguration(_) => {
                "unknown_credential_configuration"
            }
            CredentialError::UnknownCredentialIdentifier(_) => "unknown_credential_identifier",
            CredentialError::InvalidProof(_) => "invalid_proof",
            CredentialError::InvalidNonce(_) => "invalid_nonce",
            CredentialError::InvalidEncryptionParameters(_) => "invalid_encryption_parameters",
            CredentialError::CredentialRequestDenied(_) => "credential_request_denied",
            CredentialError::InvalidTransactionId(_) => "invalid_transaction_id",
        }
    }

    /// HTTP status: always 400.
    pub fn status(&self) -> u16 {
        400
    }

    /// The JSON body.
    pub fn to_response(&self) -> ErrorResponse {
        let (CredentialError::InvalidCredentialRequest(d)
        | CredentialError::UnknownCredentialConfiguration(d)
        | CredentialError::UnknownCredentialIdentifier(d)
        | CredentialError::InvalidProof(d)
        | CredentialError::InvalidNonce(d)
        | CredentialError::InvalidEncryptionParameters(d)
        | CredentialError::CredentialRequestDenied(d)
        | CredentialError::InvalidTransactionId(d)) = self;
        ErrorResponse::new(self.code(), d.as_str())
    }
}

/// Notification Endpoint errors (§11.3, HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    /// Unknown `notification_id`.
    #[error("invalid_notification_id: {0}")]
    InvalidNotificationId(String),
    /// Malformed notification.
    #[error("invalid_notification_request: {0}")]
    InvalidNotificationRequest(String),
}

impl NotificationError {
    /// The registered error code.
    pub fn code(&self) -> &'static str {
        match self {
            NotificationError::InvalidNotificationId(_) => "invalid_notification_id",
            NotificationError::InvalidNotificationRequest(_) => "invalid_notification_request",
        }
    }

    /// HTTP status: always 400.
    pub fn status(&self) -> u16 {
        400
    }

    /// The JSON body.
    pub fn to_response(&self) -> ErrorResponse {
        let (NotificationError::InvalidNotificationId(d)
        | NotificationError::InvalidNotificationRequest(d)) = self;
        ErrorResponse::new(self.code(), d.as_str())
    }
}
