//! Verification methods: from a proof's `verificationMethod` to the public key that checks it.

use saifu_crypto::PublicKey;
use saifu_did::Did;

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
        let refuse = |reason: String| ProofError::VerificationMethod {
            method: method.to_owned(),
            reason,
        };
        let (did, fragment) = method
            .split_once('#')
            .ok_or_else(|| refuse("must be a DID URL with a fragment".into()))?;
        let did: Did = did.parse().map_err(|e| refuse(format!("{e}")))?;
        if did.method() != "key" {
            return Err(refuse("only did:key is resolved offline".into()));
        }
        // The did:key document's only method has the fragment equal to the multibase key.
        if fragment != did.method_specific_id() {
            return Err(refuse("fragment is not the key's multibase value".into()));
        }
        saifu_did::key::public_key(&did).map_err(|e| refuse(e.to_string()))
    }
}

/// The DID (or other controller URL) that controls `method`: everything before `#`.
pub fn controller(method: &str) -> &str {
    method
        .split_once('#')
        .map_or(method, |(controller, _)| controller)
}
