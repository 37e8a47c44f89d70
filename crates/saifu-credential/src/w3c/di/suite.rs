//! The cryptosuites: how a document and its proof configuration become the bytes that are
//! signed (transformation, proof configuration and hashing steps of each suite spec).

use saifu_crypto::{Algorithm, KeyType};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::super::JsonLdError;
use super::super::rdf::{self, RdfcHash};

/// A Data Integrity cryptosuite saifu can create and verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cryptosuite {
    /// Ed25519 over RDFC-1.0 canonical N-Quads (vc-di-eddsa §3.3).
    EddsaRdfc2022,
    /// Ed25519 over JCS (RFC 8785) canonical JSON (vc-di-eddsa §3.4).
    EddsaJcs2022,
    /// ECDSA P-256 / SHA-256 over RDFC-1.0 canonical N-Quads (vc-di-ecdsa §3.2).
    EcdsaRdfc2019,
}

impl Cryptosuite {
    /// The `cryptosuite` value in a proof.
    pub fn name(self) -> &'static str {
        match self {
            Cryptosuite::EddsaRdfc2022 => "eddsa-rdfc-2022",
            Cryptosuite::EddsaJcs2022 => "eddsa-jcs-2022",
            Cryptosuite::EcdsaRdfc2019 => "ecdsa-rdfc-2019",
        }
    }

    /// The suite a proof's `cryptosuite` names, if saifu implements it.
    pub fn from_name(name: &str) -> Option<Cryptosuite> {
        [
            Cryptosuite::EddsaRdfc2022,
            Cryptosuite::EddsaJcs2022,
            Cryptosuite::EcdsaRdfc2019,
        ]
        .into_iter()
        .find(|suite| suite.name() == name)
    }

    /// The signature algorithm; ECDSA hashes the 64-byte hash data again with SHA-256, as
    /// ecdsa-rdfc-2019 §3.2.6 (Proof Serialization) prescribes.
    pub fn algorithm(self) -> Algorithm {
        match self {
            Cryptosuite::EddsaRdfc2022 | Cryptosuite::EddsaJcs2022 => Algorithm::Ed25519,
            Cryptosuite::EcdsaRdfc2019 => Algorithm::ES256,
        }
    }

    /// The key type a verification method must have for this suite.
    pub fn key_type(self) -> KeyType {
        self.algorithm().key_type()
    }

    /// The transformation step: canonical N-Quads (RDFC-1.0, SHA-256) or canonical JSON (JCS).
    pub fn canonicalize(self, document: &Value) -> Result<String, JsonLdError> {
        match self {
            Cryptosuite::EddsaRdfc2022 | Cryptosuite::EcdsaRdfc2019 => {
                rdf::canonical_nquads(document, RdfcHash::Sha256)
            }
            Cryptosuite::EddsaJcs2022 => {
                rdf::check_depth(document)?;
                serde_json_canonicalizer::to_string(document)
                    .map_err(|e| JsonLdError::Syntax(e.to_string()))
            }
        }
    }

    /// Transformation, proof configuration and hashing: what the signature covers.
    /// `proof_config` is the proof without `proofValue`, with the document's `@context`.
    pub fn hash_data(
        self,
        unsecured: &Value,
        proof_config: &Value,
    ) -> Result<HashData, JsonLdError> {
        let canonical_document = self.canonicalize(unsecured)?;
        let canonical_proof_config = self.canonicalize(proof_config)?;
        Ok(HashData {
            proof_hash: Sha256::digest(canonical_proof_config.as_bytes()).into(),
            document_hash: Sha256::digest(canonical_document.as_bytes()).into(),
            canonical_document,
            canonical_proof_config,
        })
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
    /// `proofHash ‖ documentHash`, the bytes that are signed (vc-di-eddsa §3.3.4).
    pub fn to_bytes(&self) -> Vec<u8> {
        [self.proof_hash, self.document_hash].concat()
    }
}
