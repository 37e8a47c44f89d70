//! Error responses in the OAuth 2.0 format (`error`, `error_description`; RFC 6749 §5.2), which
//! OpenID4VCI and OpenID4VP reuse, so every saifu endpoint fails the same way.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error response: a status code, a machine-readable code and a human-readable description.
///
/// Descriptions are written for the client; internal details (paths, SQL, secrets) go to the
/// log instead.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, error: &'static str, description: String) -> Self {
        ApiError {
            status,
            error,
            description,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.error, "error_description": self.description });
        (self.status, Json(body)).into_response()
    }
}
