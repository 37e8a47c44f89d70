//! Verification methods: from a proof's `verificationMethod` to the public key that checks it.

use saifu_crypto::PublicKey;

use super::super::ProofError;

/// Resolves a verification method for a proof purpose. Implementations decide which DID
/// methods they trust; saifu ships [`DidKeyResolver`].
pub trait MethodResolver: Send + Sync {
    /// The key behind `method`, if its controller authorizes it for `purpose`
    /// (`assertionMethod`, `authentication`, …).
    fn resolve(&self, method: &str, purpose: &str) -> Result<PublicKey, ProofError>;
}

/// Resolves `did:key` verification methods offline. A did:key document lists its one key under
/// every verification relationship, so any proof purpose is authorized (did:key §3.1.2).
#[derive(Debug, Clone, Copy, Default)]
pub struct DidKeyResolver;

impl MethodResolver for DidKeyResolver {
    fn resolve(&self, method: &str, _purpose: &str) -> Result<PublicKey, ProofError> {
        saifu_did::data_integrity::did_key_method(method)
    }
}

/// The DID (or other controller URL) that controls `method`: everything before `#`.
pub fn controller(method: &str) -> &str {
    method
        .split_once('#')
        .map_or(method, |(controller, _)| controller)
}
