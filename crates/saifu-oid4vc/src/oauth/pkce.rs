//! Proof Key for Code Exchange (RFC 7636), `S256` only: `plain` is refused (HAIP 1.0 §4, FAPI 2.0).

use rand::RngCore;
use sha2::{Digest, Sha256};

/// The only accepted `code_challenge_method`.
pub const S256: &str = "S256";

/// Shortest and longest code verifier (RFC 7636 §4.1).
pub const VERIFIER_LENGTH: std::ops::RangeInclusive<usize> = 43..=128;

/// Why a PKCE value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PkceError {
    /// `code_challenge_method=plain`: never accepted.
    #[error("PKCE method `plain` is not accepted; use S256")]
    PlainRefused,
    /// A method other than `S256` or `plain`.
    #[error("unknown PKCE method `{0}`")]
    UnknownMethod(String),
    /// The verifier is shorter than 43 or longer than 128 characters.
    #[error("code_verifier has {0} characters, outside 43..=128")]
    VerifierLength(usize),
    /// The verifier has a character outside `[A-Za-z0-9-._~]`.
    #[error("code_verifier contains {0:?}, outside the unreserved set")]
    VerifierCharacter(char),
    /// The verifier does not hash to the challenge (RFC 7636 §4.6).
    #[error("code_verifier does not match the code_challenge")]
    Mismatch,
    /// A `code_challenge` that no `S256` hash can be: not 43 base64url characters (§4.2).
    #[error("code_challenge is not an S256 challenge (43 base64url characters)")]
    ChallengeShape,
}

impl PkceError {
    /// The OAuth error code: a mismatch is `invalid_grant` (token endpoint, §4.6); everything else
    /// is a malformed request.
    pub fn error_code(&self) -> &'static str {
        match self {
            PkceError::Mismatch => "invalid_grant",
            _ => "invalid_request",
        }
    }
}

/// Checks a `code_challenge_method` as received at the authorization or PAR endpoint.
pub fn check_method(method: &str) -> Result<(), PkceError> {
    match method {
        S256 => Ok(()),
        "plain" => Err(PkceError::PlainRefused),
        other => Err(PkceError::UnknownMethod(other.to_owned())),
    }
}

/// Checks that a `code_challenge` has the shape of an `S256` challenge, base64url without
/// padding of 32 bytes (§4.2), so that a malformed one is refused when it is pushed rather than
/// making every later exchange fail.
pub fn check_challenge(challenge: &str) -> Result<(), PkceError> {
    let base64url = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_');
    if challenge.len() == 43 && challenge.chars().all(base64url) {
        Ok(())
    } else {
        Err(PkceError::ChallengeShape)
    }
}

/// Checks a code verifier's syntax (RFC 7636 §4.1).
pub fn check_verifier(verifier: &str) -> Result<(), PkceError> {
    if let Some(bad) = verifier
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')))
    {
        return Err(PkceError::VerifierCharacter(bad));
    }
    if !VERIFIER_LENGTH.contains(&verifier.len()) {
        return Err(PkceError::VerifierLength(verifier.len()));
    }
    Ok(())
}

/// The `S256` challenge of a verifier: base64url(SHA-256(ASCII(verifier))) (§4.2).
pub fn challenge(verifier: &str) -> Result<String, PkceError> {
    check_verifier(verifier)?;
    Ok(saifu_crypto::b64::encode(Sha256::digest(
        verifier.as_bytes(),
    )))
}

/// A fresh verifier: 32 random bytes, base64url (43 characters, §4.1's recommendation).
pub fn generate_verifier() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    saifu_crypto::b64::encode(bytes)
}

/// Token-endpoint check (§4.6): `verifier` must hash to the `challenge` stored with the code
/// under `method`. The comparison does not stop at the first differing byte.
pub fn verify(verifier: &str, challenge_value: &str, method: &str) -> Result<(), PkceError> {
    check_method(method)?;
    let computed = challenge(verifier)?;
    if super::constant_time_eq(computed.as_bytes(), challenge_value.as_bytes()) {
        Ok(())
    } else {
        Err(PkceError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_shape_is_that_of_an_s256_hash() {
        let verifier = generate_verifier();
        assert_eq!(check_challenge(&challenge(&verifier).unwrap()), Ok(()));
        for bad in [
            "",
            "short",
            &"A".repeat(44),
            &format!("{}=", "A".repeat(42)),
            &"+".repeat(43),
        ] {
            assert_eq!(
                check_challenge(bad),
                Err(PkceError::ChallengeShape),
                "{bad}"
            );
        }
    }
}
