//! The OAuth error response body shared by every endpoint (RFC 6749 §5.2).

use serde::{Deserialize, Serialize};

/// `{"error": …, "error_description": …}`, the body of every OAuth and OpenID4VCI error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The registered error code, e.g. `invalid_grant`.
    pub error: String,
    /// Human-readable detail for the client developer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

impl ErrorResponse {
    /// An error body with `code` and an optional description (empty descriptions are omitted).
    pub fn new(code: &str, description: impl Into<String>) -> Self {
        let description = description.into();
        ErrorResponse {
            error: code.to_owned(),
            error_description: (!description.is_empty()).then_some(description),
        }
    }
}
