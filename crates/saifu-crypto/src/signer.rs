//! The signing and verification abstractions every envelope (JWS, COSE, Data Integrity, signed
//! notes) is written against.
//!
//! [`Signer`] returns a boxed future so that a key held elsewhere — a threshold signing group, an
//! HSM, a phone reached over the network — fits behind the same trait as an in-memory key, and
//! `dyn Signer` works. The cost of the box is tens of nanoseconds against signatures that take
//! tens of microseconds. [`Verifier`] is synchronous: verification only ever needs a public key.

use std::future::Future;
use std::pin::Pin;

use crate::alg::{Algorithm, KeyType};
use crate::{CryptoError, PrivateKey, PublicKey};

/// The future a [`Signer`] returns: the raw signature bytes in the algorithm's JOSE/COSE form
/// (`r‖s` for ECDSA).
pub type SignFuture<'a> = Pin<Box<dyn Future<Output = Result<Vec<u8>, CryptoError>> + Send + 'a>>;

/// Something that can produce signatures with one algorithm and one public key.
pub trait Signer: Send + Sync {
    /// The algorithm this signer produces (goes into JOSE `alg` / COSE `alg`).
    fn algorithm(&self) -> Algorithm;

    /// The public key verifiers will use.
    fn public_key(&self) -> &PublicKey;

    /// A key identifier to put in headers (`kid`), e.g. a DID URL; `None` when the key is
    /// conveyed another way.
    fn key_id(&self) -> Option<&str>;

    /// Signs `message`.
    fn sign<'a>(&'a self, message: &'a [u8]) -> SignFuture<'a>;
}

/// Something that can check signatures for one public key.
pub trait Verifier: Send + Sync {
    /// The key's family, used to enforce per-key algorithm allow-lists.
    fn key_type(&self) -> KeyType;

    /// Checks `signature` over `message` under `alg`.
    fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> Result<(), CryptoError>;
}

impl Verifier for PublicKey {
    fn key_type(&self) -> KeyType {
        PublicKey::key_type(self)
    }

    fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
        PublicKey::verify(self, alg, message, signature)
    }
}

/// An in-memory private key used as a [`Signer`]. Signing happens inline: local signatures
/// take microseconds, far less than a thread hand-off.
#[derive(Debug)]
pub struct LocalSigner {
    key: PrivateKey,
    alg: Algorithm,
    kid: Option<String>,
}

impl LocalSigner {
    /// Wraps `key` with its default algorithm (`Ed25519`, `ES256`, `ES256K`, `ML-DSA-44/65`).
    pub fn new(key: PrivateKey) -> Result<LocalSigner, CryptoError> {
        let alg = key.key_type().default_algorithm().ok_or_else(|| {
            CryptoError::CannotSign(format!("{} keys only agree keys", key.key_type()))
        })?;
        Ok(LocalSigner {
            key,
            alg,
            kid: None,
        })
    }

    /// Signs under a specific algorithm name, e.g. the legacy `EdDSA` for peers that predate RFC 9864.
    pub fn with_algorithm(mut self, alg: Algorithm) -> Result<LocalSigner, CryptoError> {
        if alg.key_type() != self.key.key_type() {
            return Err(CryptoError::AlgorithmKeyMismatch {
                alg,
                key_type: self.key.key_type(),
            });
        }
        self.alg = alg;
        Ok(self)
    }

    /// Sets the `kid` to advertise.
    pub fn with_key_id(mut self, kid: impl Into<String>) -> LocalSigner {
        self.kid = Some(kid.into());
        self
    }

    /// The wrapped private key.
    pub fn private_key(&self) -> &PrivateKey {
        &self.key
    }

    /// Signs synchronously; what [`Signer::sign`] does for local keys.
    pub fn sign_now(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.key.sign(self.alg, message)
    }
}

impl Signer for LocalSigner {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn public_key(&self) -> &PublicKey {
        self.key.public_key()
    }

    fn key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    fn sign<'a>(&'a self, message: &'a [u8]) -> SignFuture<'a> {
        let result = self.sign_now(message);
        Box::pin(std::future::ready(result))
    }
}
