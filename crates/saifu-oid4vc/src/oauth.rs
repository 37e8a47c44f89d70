//! OAuth 2.0 building blocks used by the OpenID4VCI flows: PKCE (RFC 7636), Pushed
//! Authorization Requests (RFC 9126) and the common error response body (RFC 6749 §5.2).

mod error;
pub mod form;
pub mod par;
pub mod pkce;

pub use error::ErrorResponse;

/// Equality of two secrets whose running time does not depend on where they first differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let diff = a
        .iter()
        .zip(b)
        .fold(u8::from(a.len() != b.len()), |acc, (x, y)| acc | (x ^ y));
    diff == 0
}
