//! saifu-crypto — keys, algorithms and the JOSE/COSE envelopes every other saifu crate signs,
//! verifies and encrypts with.
//!
//! The crate is organised around two small traits: [`Signer`] (may be remote or async: local keys,
//! threshold keys and hardware keys all implement it) and [`Verifier`] (always local and
//! synchronous: verification only needs a public key). Key material is represented by
//! [`PublicKey`] and [`PrivateKey`], which convert to and from JWK (RFC 7517/8037, `AKP` for
//! ML-DSA per RFC 9964) and Multikey (multibase + multicodec).

pub mod alg;
pub mod b64;
pub mod batch;
/// COSE_Sign1 (RFC 9052) signing and verification, COSE header maps and COSE_Key conversion.
pub mod cose;
/// CBOR Web Token claim sets (RFC 8392): signed CWTs and time validation.
pub mod cwt;
pub mod error;
/// JWE compact serialization with direct ECDH-ES over P-256 and X25519, AES-GCM (RFC 7516, RFC 7518 §4.6).
pub mod jwe;
pub mod jwk;
pub mod jws;
pub mod keyfile;
mod mldsa_rng;
pub mod multikey;
pub mod private;
pub mod public;
pub mod signer;

pub use alg::{Algorithm, KeyType};
pub use batch::Ed25519Batch;
pub use error::CryptoError;
pub use jwk::Jwk;
pub use private::PrivateKey;
pub use public::PublicKey;
pub use signer::{LocalSigner, SignFuture, Signer, Verifier};
