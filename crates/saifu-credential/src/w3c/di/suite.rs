//! The cryptosuites: how a document and its proof configuration become the bytes that are
//! signed (transformation, proof configuration and hashing steps of each suite spec).

use saifu_crypto::{Algorithm, KeyType};
use saifu_did::data_integrity::{self, HashData, JcsError, Suite, jcs};
use serde_json::Value;

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
            Cryptosuite::EddsaJcs2022 => data_integrity::jcs::NAME,
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
            Cryptosuite::EddsaJcs2022 => Ok(jcs::canonicalize(document)?),
        }
    }

    /// Transformation, proof configuration and hashing: what the signature covers.
    /// `proof_config` is the proof without `proofValue`, with the document's `@context`.
    pub fn hash_data(
        self,
        unsecured: &Value,
        proof_config: &Value,
    ) -> Result<HashData, JsonLdError> {
        Ok(HashData::sha256(
            self.canonicalize(unsecured)?,
            self.canonicalize(proof_config)?,
        ))
    }
}

impl Suite for Cryptosuite {
    type Error = JsonLdError;

    fn name(self) -> &'static str {
        Cryptosuite::name(self)
    }

    fn from_name(name: &str) -> Option<Self> {
        Cryptosuite::from_name(name)
    }

    fn algorithm(self) -> Algorithm {
        Cryptosuite::algorithm(self)
    }

    fn hash_data(self, unsecured: &Value, proof_config: &Value) -> Result<HashData, JsonLdError> {
        Cryptosuite::hash_data(self, unsecured, proof_config)
    }

    fn proof_carries_context(self) -> bool {
        self == Cryptosuite::EddsaJcs2022
    }
}

/// JCS failures in the credential layer's terms.
impl From<JcsError> for JsonLdError {
    fn from(error: JcsError) -> Self {
        match error {
            JcsError::TooDeep => JsonLdError::TooLarge("depth"),
            JcsError::Syntax(reason) => JsonLdError::Syntax(reason),
        }
    }
}
