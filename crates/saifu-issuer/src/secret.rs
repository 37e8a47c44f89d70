//! Random secrets and their stored form: only the SHA-256 of a code, token or nonce is kept.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

/// 256 random bits, base64url.
pub(crate) fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(OsRng.r#gen::<[u8; 32]>())
}

/// `length` random decimal digits.
pub(crate) fn random_pin(length: u32) -> String {
    (0..length)
        .map(|_| char::from(b'0' + OsRng.gen_range(0..10u8)))
        .collect()
}

/// The stored form of a secret.
pub(crate) fn digest(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(secret.as_bytes()))
}
