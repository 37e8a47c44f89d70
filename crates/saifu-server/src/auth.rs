//! Bearer tokens on requests: the admin token that guards every role's admin API, and the access
//! tokens of protocol endpoints.

use axum::http::{HeaderMap, header};
use subtle::ConstantTimeEq;

/// The token of an `Authorization: Bearer` header; `None` when absent, malformed or empty.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .filter(|token| !token.is_empty())
}

/// Whether the request carries `expected` as its bearer token, compared in constant time. An
/// empty `expected` never matches, so a node with no admin token configured is closed, not open.
pub(crate) fn has_admin_token(headers: &HeaderMap, expected: &str) -> bool {
    !expected.is_empty()
        && bearer(headers)
            .is_some_and(|token| bool::from(token.as_bytes().ct_eq(expected.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, value.parse().unwrap());
        h
    }

    #[test]
    fn admin_token_must_match_exactly_and_never_be_empty() {
        assert!(has_admin_token(&headers("Bearer s3cret"), "s3cret"));
        assert!(!has_admin_token(&headers("Bearer s3cre"), "s3cret"));
        assert!(!has_admin_token(&headers("bearer s3cret"), "s3cret"));
        assert!(!has_admin_token(&HeaderMap::new(), "s3cret"));
        assert!(!has_admin_token(&headers("Bearer "), ""));
        assert!(!has_admin_token(&HeaderMap::new(), ""));
    }
}
