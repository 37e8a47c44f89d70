//! W3C Data Integrity 1.0 proofs over JSON documents: the suite-independent core (proof
//! options, proof sets and chains, proof configuration, signing and verification) and the one
//! cryptosuite that needs no JSON-LD, eddsa-jcs-2022 ([`jcs`]).
//!
//! It lives here, below the credential formats, because DID methods need it too: every did:webvh
//! log entry carries an eddsa-jcs-2022 proof by a key of the DID's own `updateKeys`. The
//! credential layer plugs its RDF-canonicalizing suites in through the [`Suite`] trait and keeps
//! its own error type for their failures (the `C` of [`ProofError<C>`]).

mod error;
pub mod jcs;
mod options;
mod proof;

use saifu_crypto::{Algorithm, KeyType, PublicKey};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use error::ProofError;
pub use jcs::{EddsaJcs2022, JcsError};
pub use options::ProofOptions;
pub use proof::{
    ProofExpectations, VerifiedProof, add_proof, did_key_method, proofs_of, verify_proof,
    verify_proofs,
};

/// The proof `type` of every Data Integrity cryptosuite proof (Data Integrity §3.1).
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The purpose of an issuer's proof on a credential, and of a did:webvh log entry's proof.
pub const ASSERTION_METHOD: &str = "assertionMethod";
/// The purpose of a holder's proof on a presentation.
pub const AUTHENTICATION: &str = "authentication";

/// A cryptosuite: how a document and its proof configuration become the bytes that are signed.
pub trait Suite: Copy + Eq + std::fmt::Debug + Send + Sync + 'static {
    /// Why the transformation (canonicalization) step failed.
    type Error;

    /// The `cryptosuite` value in a proof.
    fn name(self) -> &'static str;

    /// The suite a proof's `cryptosuite` names, if this implementation knows it.
    fn from_name(name: &str) -> Option<Self>;

    /// The signature algorithm.
    fn algorithm(self) -> Algorithm;

    /// Transformation, proof configuration and hashing: what the signature covers.
    /// `proof_config` is the proof without `proofValue`, with the document's `@context`.
    fn hash_data(self, unsecured: &Value, proof_config: &Value) -> Result<HashData, Self::Error>;

    /// Whether the proof itself carries the document's `@context` (eddsa-jcs-2022 §3.4.5: a JCS
    /// proof is signed as JSON, so the context must travel with it).
    fn proof_carries_context(self) -> bool;

    /// The key type a verification method must have for this suite.
    fn key_type(self) -> KeyType {
        self.algorithm().key_type()
    }
}

/// The intermediate values of the hashing step, kept so tests can compare each with the
/// specifications' test vectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashData {
    /// Canonical form of the unsecured document.
    pub canonical_document: String,
    /// Canonical form of the proof configuration.
    pub canonical_proof_config: String,
    /// SHA-256 of the canonical proof configuration.
    pub proof_hash: [u8; 32],
    /// SHA-256 of the canonical document.
    pub document_hash: [u8; 32],
}

impl HashData {
    /// The hash data of two canonical forms, each hashed with SHA-256 (vc-di-eddsa §3.3.4,
    /// §3.4.4; ecdsa-rdfc-2019 §3.2.4).
    pub fn sha256(canonical_document: String, canonical_proof_config: String) -> HashData {
        HashData {
            proof_hash: Sha256::digest(canonical_proof_config.as_bytes()).into(),
            document_hash: Sha256::digest(canonical_document.as_bytes()).into(),
            canonical_document,
            canonical_proof_config,
        }
    }

    /// `proofHash ‖ documentHash`, the bytes that are signed (vc-di-eddsa §3.3.4).
    pub fn to_bytes(&self) -> Vec<u8> {
        [self.proof_hash, self.document_hash].concat()
    }
}

/// Finds the public key behind a proof's `verificationMethod` for a proof purpose, or refuses it.
pub type MethodLookup<'a, C> = dyn Fn(&str, &str) -> Result<PublicKey, ProofError<C>> + 'a;
