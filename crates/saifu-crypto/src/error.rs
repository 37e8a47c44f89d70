//! The one error type of the crate's key and signature layer.
//!
//! Every variant names what was wrong so that callers (and ultimately users) can tell a
//! malformed key from a wrong signature from an unsupported algorithm.

use crate::alg::{Algorithm, KeyType};

/// Why a key operation, signature or verification failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The algorithm name is not one saifu implements (or is deliberately refused, like `none`).
    #[error("unsupported algorithm `{0}`")]
    UnsupportedAlgorithm(String),
    /// The key type (JWK `kty`/`crv`, or multicodec) is not one saifu implements.
    #[error("unsupported key type `{0}`")]
    UnsupportedKeyType(String),
    /// The algorithm cannot be used with this key (e.g. `ES256` over an Ed25519 key).
    #[error("algorithm {alg} cannot be used with a {key_type} key")]
    AlgorithmKeyMismatch {
        /// The requested algorithm.
        alg: Algorithm,
        /// The type of the key at hand.
        key_type: KeyType,
    },
    /// The key bytes have the wrong length for their type.
    #[error("invalid key length for {key_type}: expected {expected} bytes, got {actual}")]
    InvalidKeyLength {
        /// The key type being decoded.
        key_type: KeyType,
        /// The length the type requires.
        expected: usize,
        /// The length received.
        actual: usize,
    },
    /// The bytes have the right length but are not a valid key (e.g. not a point on the curve).
    #[error("invalid public key: {0}")]
    InvalidPublicKey(String),
    /// The private key material is malformed.
    #[error("invalid private key: {0}")]
    InvalidPrivateKey(String),
    /// A JWK is missing a member or carries a malformed one.
    #[error("invalid JWK: {0}")]
    InvalidJwk(String),
    /// A Multikey / multibase / multicodec value is malformed.
    #[error("invalid multikey: {0}")]
    InvalidMultikey(String),
    /// Base64url (or base64) input is malformed.
    #[error("invalid base64url in {0}")]
    InvalidBase64(&'static str),
    /// The signature has the wrong length or encoding for its algorithm.
    #[error("malformed signature for {alg}: {reason}")]
    MalformedSignature {
        /// The algorithm the signature claims.
        alg: Algorithm,
        /// What was wrong with it.
        reason: String,
    },
    /// The signature is well formed but does not verify.
    #[error("signature verification failed")]
    BadSignature,
    /// The operation needs a key that can sign, but only a public (or agreement-only) key is present.
    #[error("this key cannot sign: {0}")]
    CannotSign(String),
    /// A signer backend (remote, hardware, threshold) failed.
    #[error("signer failed: {0}")]
    SignerFailed(String),
    /// The operating system's random number generator failed.
    #[error("random number generator failed")]
    Rng,
}
