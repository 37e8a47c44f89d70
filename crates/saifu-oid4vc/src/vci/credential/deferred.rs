//! Deferred Credential Request (§9.1); the answer is a [`super::CredentialResponse`].

use serde::{Deserialize, Serialize};

use super::request::ResponseEncryptionParams;

/// `{"transaction_id": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeferredCredentialRequest {
    /// From the earlier `202` response.
    pub transaction_id: String,
    /// How to encrypt the response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_response_encryption: Option<ResponseEncryptionParams>,
}
