//! PKCE (RFC 7636), S256 only.

use saifu_oid4vc::oauth::pkce::{self, PkceError};

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

#[test]
fn rfc7636_appendix_b_vector() {
    assert_eq!(pkce::challenge(VERIFIER).unwrap(), CHALLENGE);
    pkce::verify(VERIFIER, CHALLENGE, "S256").unwrap();
}

#[test]
fn plain_and_unknown_methods_are_refused() {
    assert_eq!(
        pkce::verify(VERIFIER, VERIFIER, "plain").unwrap_err(),
        PkceError::PlainRefused
    );
    assert_eq!(
        pkce::check_method("S512").unwrap_err(),
        PkceError::UnknownMethod("S512".into())
    );
}

#[test]
fn verifier_syntax_is_checked() {
    assert_eq!(
        pkce::challenge(&"a".repeat(42)).unwrap_err(),
        PkceError::VerifierLength(42)
    );
    assert_eq!(
        pkce::challenge(&"a".repeat(129)).unwrap_err(),
        PkceError::VerifierLength(129)
    );
    pkce::challenge(&"a".repeat(128)).unwrap();
    let bad = format!("{}+", "a".repeat(43));
    assert_eq!(
        pkce::challenge(&bad).unwrap_err(),
        PkceError::VerifierCharacter('+')
    );
}

#[test]
fn mismatch_is_invalid_grant() {
    let other = pkce::generate_verifier();
    let err = pkce::verify(&other, CHALLENGE, "S256").unwrap_err();
    assert_eq!(err, PkceError::Mismatch);
    assert_eq!(err.error_code(), "invalid_grant");
    assert_eq!(PkceError::PlainRefused.error_code(), "invalid_request");
}

#[test]
fn generated_verifiers_are_valid_and_distinct() {
    let (a, b) = (pkce::generate_verifier(), pkce::generate_verifier());
    assert_eq!(a.len(), 43);
    assert_ne!(a, b);
    pkce::verify(&a, &pkce::challenge(&a).unwrap(), "S256").unwrap();
}
