//! W3C Data Integrity 1.0 proofs on credentials and presentations: add a proof, verify every
//! proof of a document, including proof sets and proof chains (`previousProof`).
//!
//! The suite-independent core and eddsa-jcs-2022 live in [`saifu_did::data_integrity`] (DID
//! methods sign with them too); this module adds the RDF-canonicalizing suites ([`suite`]) and
//! the credential layer's view of keys ([`method`]).

pub mod method;
pub mod suite;

use saifu_did::data_integrity;
use serde_json::Value;

pub use data_integrity::{
    ASSERTION_METHOD, AUTHENTICATION, HashData, PROOF_TYPE, ProofExpectations, add_proof,
};
pub use method::{DidKeyResolver, MethodResolver};
pub use suite::Cryptosuite;

use super::ProofError;

/// The options of a new proof (Data Integrity §2.1) with one of the credential cryptosuites.
pub type ProofOptions = data_integrity::ProofOptions<Cryptosuite>;

/// A proof that verified.
pub type VerifiedProof = data_integrity::VerifiedProof<Cryptosuite>;

/// Verifies every proof of `document` (a proof set succeeds only if each member does).
pub fn verify_proofs(
    document: &Value,
    expect: &ProofExpectations<'_>,
    resolver: &dyn MethodResolver,
) -> Result<Vec<VerifiedProof>, ProofError> {
    data_integrity::verify_proofs(document, expect, &|method, purpose| {
        resolver.resolve(method, purpose)
    })
}
