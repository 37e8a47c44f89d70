//! Signature algorithms and key types, with their JOSE and COSE identifiers.

use std::fmt;
use std::str::FromStr;

use crate::CryptoError;

/// A key family. Each signing key type has exactly one natural algorithm, which keeps
/// algorithm/key confusion impossible by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// Ed25519 (RFC 8032), JWK `OKP`/`Ed25519`.
    Ed25519,
    /// X25519 (RFC 7748), key agreement only, JWK `OKP`/`X25519`.
    X25519,
    /// NIST P-256, JWK `EC`/`P-256`; signs (ES256) and agrees (ECDH-ES).
    P256,
    /// secp256k1, JWK `EC`/`secp256k1`.
    Secp256k1,
    /// ML-DSA-44 (FIPS 204), JWK `AKP` with `alg` `ML-DSA-44`.
    MlDsa44,
    /// ML-DSA-65 (FIPS 204), JWK `AKP` with `alg` `ML-DSA-65`.
    MlDsa65,
}

impl KeyType {
    /// The algorithm saifu uses when this key signs (RFC 9864 fully-specified names).
    /// `None` for agreement-only keys.
    pub fn default_algorithm(self) -> Option<Algorithm> {
        match self {
            KeyType::Ed25519 => Some(Algorithm::Ed25519),
            KeyType::X25519 => None,
            KeyType::P256 => Some(Algorithm::ES256),
            KeyType::Secp256k1 => Some(Algorithm::ES256K),
            KeyType::MlDsa44 => Some(Algorithm::MlDsa44),
            KeyType::MlDsa65 => Some(Algorithm::MlDsa65),
        }
    }

    /// Every key type that can sign, in the order saifu lists them.
    pub const SIGNING: [KeyType; 5] = [
        KeyType::Ed25519,
        KeyType::P256,
        KeyType::Secp256k1,
        KeyType::MlDsa44,
        KeyType::MlDsa65,
    ];

    /// Every key type, for CLIs and exhaustive tests.
    pub const ALL: [KeyType; 6] = [
        KeyType::Ed25519,
        KeyType::X25519,
        KeyType::P256,
        KeyType::Secp256k1,
        KeyType::MlDsa44,
        KeyType::MlDsa65,
    ];
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyType::Ed25519 => "Ed25519",
            KeyType::X25519 => "X25519",
            KeyType::P256 => "P-256",
            KeyType::Secp256k1 => "secp256k1",
            KeyType::MlDsa44 => "ML-DSA-44",
            KeyType::MlDsa65 => "ML-DSA-65",
        })
    }
}

/// A signature algorithm saifu implements.
///
/// `EdDSA` is kept as a distinct value so that a token that says `EdDSA` can be verified and
/// round-tripped faithfully, but saifu emits `Ed25519` (RFC 9864) unless told otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// Ed25519 signatures, fully-specified name (RFC 9864).
    Ed25519,
    /// Ed25519 signatures under the deprecated polymorphic name (RFC 8037); verify-compatible legacy.
    EdDSA,
    /// ECDSA over P-256 with SHA-256, signature `r‖s` (RFC 7518 §3.4).
    ES256,
    /// ECDSA over secp256k1 with SHA-256 (RFC 8812).
    ES256K,
    /// ML-DSA-44, pure mode, empty context (RFC 9964).
    MlDsa44,
    /// ML-DSA-65, pure mode, empty context (RFC 9964).
    MlDsa65,
}

impl Algorithm {
    /// Every algorithm, for allow-lists that accept anything saifu can verify.
    pub const ALL: [Algorithm; 6] = [
        Algorithm::Ed25519,
        Algorithm::EdDSA,
        Algorithm::ES256,
        Algorithm::ES256K,
        Algorithm::MlDsa44,
        Algorithm::MlDsa65,
    ];

    /// The JOSE `alg` value.
    pub fn jose_name(self) -> &'static str {
        match self {
            Algorithm::Ed25519 => "Ed25519",
            Algorithm::EdDSA => "EdDSA",
            Algorithm::ES256 => "ES256",
            Algorithm::ES256K => "ES256K",
            Algorithm::MlDsa44 => "ML-DSA-44",
            Algorithm::MlDsa65 => "ML-DSA-65",
        }
    }

    /// The COSE algorithm identifier (RFC 9053, RFC 8812, RFC 9864, RFC 9964).
    pub fn cose_id(self) -> i64 {
        match self {
            Algorithm::Ed25519 => -19,
            Algorithm::EdDSA => -8,
            Algorithm::ES256 => -7,
            Algorithm::ES256K => -47,
            Algorithm::MlDsa44 => -48,
            Algorithm::MlDsa65 => -49,
        }
    }

    /// Maps a COSE algorithm identifier; `ESP256` (-9) is the fully-specified alias of ES256 (-7).
    pub fn from_cose_id(id: i64) -> Result<Self, CryptoError> {
        Ok(match id {
            -19 => Algorithm::Ed25519,
            -8 => Algorithm::EdDSA,
            -7 | -9 => Algorithm::ES256,
            -47 => Algorithm::ES256K,
            -48 => Algorithm::MlDsa44,
            -49 => Algorithm::MlDsa65,
            other => return Err(CryptoError::UnsupportedAlgorithm(other.to_string())),
        })
    }

    /// The key type this algorithm signs with.
    pub fn key_type(self) -> KeyType {
        match self {
            Algorithm::Ed25519 | Algorithm::EdDSA => KeyType::Ed25519,
            Algorithm::ES256 => KeyType::P256,
            Algorithm::ES256K => KeyType::Secp256k1,
            Algorithm::MlDsa44 => KeyType::MlDsa44,
            Algorithm::MlDsa65 => KeyType::MlDsa65,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.jose_name())
    }
}

impl FromStr for Algorithm {
    type Err = CryptoError;

    /// Parses a JOSE `alg` value exactly (case-sensitive, as RFC 7515 requires).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.jose_name() == s)
            .ok_or_else(|| CryptoError::UnsupportedAlgorithm(s.to_owned()))
    }
}
