//! Ed25519 batch verification, for verifiers that receive many signatures at once.
//!
//! [`Ed25519Batch`] collects Ed25519 signatures and checks them together with
//! `ed25519_dalek::verify_batch`: one multi-scalar multiplication for the whole batch instead of
//! one double-scalar multiplication per signature. Signatures under other key types are verified
//! as soon as they are queued, so a batch can be fed a mixed workload through
//! [`Ed25519Batch::verifier`].
//!
//! # Semantics compared with [`PublicKey::verify`]
//!
//! Single verification uses `verify_strict`: the cofactorless equation `[s]B = R + [k]A`, with
//! small-order `A` and `R` and non-canonical `R` refused. The batch checks one random linear
//! combination of all the equations, `Σ zᵢ·([sᵢ]B − Rᵢ − [kᵢ]Aᵢ) = 0`, where the 128-bit `zᵢ`
//! are derived by ed25519-dalek from a transcript of every input (deterministic, so no RNG is
//! consulted; the inputs cannot be chosen after the `zᵢ`). ed25519-dalek 2.2 does not multiply
//! by the cofactor. Consequences:
//!
//! * A key of small order satisfies that equation for forged signatures on messages an attacker
//!   can search for. Such keys, and keys whose encoding is not canonical, never enter the batch:
//!   their signatures are checked alone with `verify_strict` (which refuses small-order keys), so
//!   for them the result is exactly the single-verification result.
//! * Whenever the batch fails, every queued signature is re-verified alone with
//!   `verify_strict`, which both names the failing items and gives each exactly its
//!   single-verification result.
//! * What remains is a batch that *passes* where `verify_strict` would refuse an item. Apart
//!   from a 2⁻¹²⁸-order chance, that needs an item whose `R` or key has a small-order component
//!   that the random combination happens to cancel. Producing such a signature needs the key's
//!   private scalar, so this is never a forgery; it is a signer deliberately making a signature
//!   that verifiers may judge differently. Ruling it out would cost a scalar multiplication per
//!   point (a torsion check), i.e. the whole gain of batching.
//!
//! A failed batch costs the batch plus one-by-one verification of every item, so callers facing
//! hostile traffic should keep batches moderate (tens of signatures).

use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::public::{Inner, ed25519_signature, verify_ed25519};
use crate::{Algorithm, CryptoError, KeyType, PublicKey, Verifier};

/// One queued Ed25519 check.
struct Queued {
    key: ed25519_dalek::VerifyingKey,
    message: Vec<u8>,
    signature: ed25519_dalek::Signature,
}

/// Ed25519 signatures queued for one batch verification (see the [module docs](self) for how the
/// result relates to [`PublicKey::verify`]).
#[derive(Default)]
pub struct Ed25519Batch {
    queued: Mutex<Vec<Queued>>,
}

impl std::fmt::Debug for Ed25519Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ed25519Batch({} queued)", self.len())
    }
}

impl Ed25519Batch {
    /// An empty batch.
    pub fn new() -> Ed25519Batch {
        Ed25519Batch::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Queued>> {
        // The queue is only ever pushed to: a panic elsewhere cannot leave it inconsistent.
        self.queued.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many signatures are queued. Each queued signature gets the next index in the result
    /// of [`Ed25519Batch::verify`].
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no signature is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks `signature` over `message` under `alg` with `key`, or queues it.
    ///
    /// Everything decidable for the signature alone is decided now, with the same error as
    /// [`PublicKey::verify`]: an algorithm that does not fit the key, a signature that is not 64
    /// bytes. Non-Ed25519 keys, and Ed25519 keys of small order or with a non-canonical encoding,
    /// are verified at once. Otherwise the signature is queued and `Ok(())` means only "queued":
    /// its verdict comes from [`Ed25519Batch::verify`].
    pub fn queue(
        &self,
        key: &PublicKey,
        alg: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        let Inner::Ed25519(k) = &key.0 else {
            return key.verify(alg, message, signature);
        };
        key.check_algorithm(alg)?;
        let signature = ed25519_signature(alg, signature)?;
        if k.is_weak() || !is_canonical(k.as_bytes()) {
            return verify_ed25519(k, message, &signature);
        }
        self.lock().push(Queued {
            key: *k,
            message: message.to_vec(),
            signature,
        });
        Ok(())
    }

    /// A [`Verifier`] for `key` whose checks go through [`Ed25519Batch::queue`].
    pub fn verifier<'a>(&'a self, key: &'a PublicKey) -> BatchVerifier<'a> {
        BatchVerifier { batch: self, key }
    }

    /// Verifies every queued signature; the result has one entry per queued signature, in queue
    /// order. All `Ok` when the batch equation holds; otherwise each signature's own
    /// [`PublicKey::verify`] result.
    pub fn verify(self) -> Vec<Result<(), CryptoError>> {
        let queued = self
            .queued
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        if queued.is_empty() {
            return Vec::new();
        }
        let messages: Vec<&[u8]> = queued.iter().map(|q| q.message.as_slice()).collect();
        let signatures: Vec<_> = queued.iter().map(|q| q.signature).collect();
        let keys: Vec<_> = queued.iter().map(|q| q.key).collect();
        if ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok() {
            return vec![Ok(()); queued.len()];
        }
        queued
            .iter()
            .map(|q| verify_ed25519(&q.key, &q.message, &q.signature))
            .collect()
    }
}

/// A key whose signature checks are queued on an [`Ed25519Batch`] (for Ed25519 keys) or done at
/// once (for others). `Ok` from [`Verifier::verify`] means "verified or queued".
#[derive(Debug, Clone, Copy)]
pub struct BatchVerifier<'a> {
    batch: &'a Ed25519Batch,
    key: &'a PublicKey,
}

impl Verifier for BatchVerifier<'_> {
    fn key_type(&self) -> KeyType {
        self.key.key_type()
    }

    fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
        self.batch.queue(self.key, alg, message, signature)
    }
}

/// Whether a compressed Edwards point is canonically encoded: its `y` (the low 255 bits) is
/// below p = 2²⁵⁵ − 19. The other non-canonical form, `x = 0` with the sign bit set, only exists
/// for the small-order points `y = ±1`, which [`ed25519_dalek::VerifyingKey::is_weak`] catches.
fn is_canonical(bytes: &[u8; 32]) -> bool {
    // y ≥ p exactly when bits 8..=254 are all ones and the low byte is at least 0xed.
    let top_all_ones = bytes[1..31].iter().all(|&b| b == 0xff) && bytes[31] & 0x7f == 0x7f;
    !(top_all_ones && bytes[0] >= 0xed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PrivateKey;

    fn signed(n: usize) -> Vec<(PublicKey, Vec<u8>, Vec<u8>)> {
        (0..n)
            .map(|i| {
                let key = PrivateKey::generate(KeyType::Ed25519).expect("key");
                let message = format!("message {i}").into_bytes();
                let sig = key.sign(Algorithm::Ed25519, &message).expect("sign");
                (key.public_key().clone(), message, sig)
            })
            .collect()
    }

    fn batch_of(items: &[(PublicKey, Vec<u8>, Vec<u8>)]) -> Ed25519Batch {
        let batch = Ed25519Batch::new();
        for (key, message, sig) in items {
            batch
                .queue(key, Algorithm::Ed25519, message, sig)
                .expect("queued");
        }
        batch
    }

    #[test]
    fn valid_batch_passes() {
        let items = signed(5);
        let batch = batch_of(&items);
        assert_eq!(batch.len(), 5);
        assert_eq!(batch.verify(), vec![Ok(()); 5]);
        assert!(Ed25519Batch::new().verify().is_empty());
    }

    #[test]
    fn one_bad_signature_is_named() {
        let mut items = signed(6);
        items[3].2[10] ^= 1;
        let results = batch_of(&items).verify();
        for (i, (r, (key, message, sig))) in results.iter().zip(&items).enumerate() {
            assert_eq!(r, &key.verify(Algorithm::Ed25519, message, sig), "item {i}");
            assert_eq!(r.is_err(), i == 3);
        }
        assert_eq!(results[3], Err(CryptoError::BadSignature));
    }

    #[test]
    fn errors_decidable_alone_match_single_verification() {
        let items = signed(1);
        let (key, message, sig) = &items[0];
        let batch = Ed25519Batch::new();
        for (alg, sig) in [
            (Algorithm::ES256, sig.as_slice()),
            (Algorithm::Ed25519, &sig[..63]),
        ] {
            assert_eq!(
                batch.queue(key, alg, message, sig),
                key.verify(alg, message, sig)
            );
        }
        assert!(batch.is_empty());
    }

    #[test]
    fn other_key_types_verify_at_once() {
        let key = PrivateKey::generate(KeyType::P256).expect("key");
        let sig = key.sign(Algorithm::ES256, b"m").expect("sign");
        let batch = Ed25519Batch::new();
        let verifier = batch.verifier(key.public_key());
        assert_eq!(verifier.key_type(), KeyType::P256);
        assert_eq!(verifier.verify(Algorithm::ES256, b"m", &sig), Ok(()));
        assert_eq!(
            verifier.verify(Algorithm::ES256, b"x", &sig),
            Err(CryptoError::BadSignature)
        );
        assert!(batch.is_empty());
    }

    /// The classic forgery under a small-order key (identity `A`, identity `R`, `s = 0`) passes
    /// the batch equation for every message; such keys must never reach it.
    #[test]
    fn small_order_keys_never_enter_the_batch() {
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let key = PublicKey::from_bytes(KeyType::Ed25519, &identity).expect("decodes");
        let mut forged = [0u8; 64];
        forged[..32].copy_from_slice(&identity);
        let batch = Ed25519Batch::new();
        assert_eq!(
            batch.queue(&key, Algorithm::Ed25519, b"anything", &forged),
            Err(CryptoError::BadSignature)
        );
        assert!(batch.is_empty());
    }

    #[test]
    fn non_canonical_keys_never_enter_the_batch() {
        let p_plus = |y: u8| {
            let mut bytes = [0xffu8; 32];
            bytes[0] = 0xed + y; // p + y, for y < 19
            bytes[31] = 0x7f;
            bytes
        };
        let mut large_order = 0;
        for y in 0..19 {
            let bytes = p_plus(y);
            assert!(!is_canonical(&bytes));
            let Ok(key) = PublicKey::from_bytes(KeyType::Ed25519, &bytes) else {
                continue; // not on the curve
            };
            let Inner::Ed25519(k) = &key.0 else {
                unreachable!()
            };
            assert_ne!(k.to_edwards().compress().as_bytes(), &bytes);
            large_order += usize::from(!k.is_weak());
            let batch = Ed25519Batch::new();
            assert_eq!(
                batch.queue(&key, Algorithm::Ed25519, b"m", &[0; 64]),
                Err(CryptoError::BadSignature)
            );
            assert!(batch.is_empty());
        }
        assert!(large_order > 0, "the check is exercised beyond is_weak");
        for (key, _, _) in signed(20) {
            assert!(is_canonical(
                key.to_bytes().as_slice().try_into().expect("32")
            ));
        }
    }
}
