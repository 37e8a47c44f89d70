//! Fetching a request object passed by reference (`request_uri`, OpenID4VP 1.0 §5.10,
//! RFC 9101 §5.2) on the wallet side.
//!
//! A `request_uri` comes from a QR code or a link anyone can make, so fetching it is a request
//! forgery vector: the fetch goes through saifu-did's SSRF-safe [`HttpClient`], which refuses
//! loopback, private and other non-public addresses (before and after DNS resolution), plain
//! `http`, redirects and oversized bodies. Only `request_uri_method` `get` is supported; the
//! answer must be a compact JWS served as `application/oauth-authz-req+jwt`. The signature is
//! checked by the caller, against the client identifier prefix.

use saifu_did::http::{HttpClient, HttpError};
use url::Url;

/// The media type of a signed authorization request (RFC 9101 §10.2).
pub const REQUEST_OBJECT_MEDIA_TYPE: &str = "application/oauth-authz-req+jwt";

/// Why a request object could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestUriError {
    /// The `request_uri` is not an absolute URL.
    #[error("request_uri is not a URL: {0}")]
    InvalidUri(String),
    /// The `request_uri_method` is not `get`.
    #[error("request_uri_method `{0}` is not supported")]
    UnsupportedMethod(String),
    /// The fetch was refused or failed (forbidden address, scheme, redirect, size, status…).
    #[error("fetching the request_uri failed: {0}")]
    Fetch(#[from] HttpError),
    /// The answer is not served as a request object.
    #[error("request_uri answered with content type {0:?}, not {REQUEST_OBJECT_MEDIA_TYPE}")]
    WrongContentType(Option<String>),
    /// The answer is not a compact JWS.
    #[error("request_uri answer is not a compact JWS")]
    NotCompactJws,
}

/// Fetches the request object at `request_uri` with `request_uri_method` (absent means `get`).
pub async fn fetch_request_object(
    client: &HttpClient,
    request_uri: &str,
    request_uri_method: Option<&str>,
) -> Result<String, RequestUriError> {
    match request_uri_method {
        None | Some("get") => {}
        Some(other) => return Err(RequestUriError::UnsupportedMethod(other.to_owned())),
    }
    let url = Url::parse(request_uri).map_err(|e| RequestUriError::InvalidUri(e.to_string()))?;
    let response = client.get(&url, REQUEST_OBJECT_MEDIA_TYPE).await?;
    let media_type = response
        .content_type
        .as_deref()
        .and_then(|value| value.split(';').next())
        .map(str::trim);
    if !media_type.is_some_and(|media| media.eq_ignore_ascii_case(REQUEST_OBJECT_MEDIA_TYPE)) {
        return Err(RequestUriError::WrongContentType(response.content_type));
    }
    let text = String::from_utf8(response.body).map_err(|_| RequestUriError::NotCompactJws)?;
    let object = text.trim();
    let parts: Vec<&str> = object.split('.').collect();
    let base64url = |part: &&str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if parts.len() != 3 || !parts.iter().all(base64url) {
        return Err(RequestUriError::NotCompactJws);
    }
    Ok(object.to_owned())
}
