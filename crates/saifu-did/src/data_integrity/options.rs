//! The options of a new proof (Data Integrity §2.1): everything in the proof except `proofValue`.

use serde_json::{Map, Value};

use super::{PROOF_TYPE, Suite};

/// The options of a new proof, for cryptosuite type `S`.
#[derive(Debug, Clone)]
pub struct ProofOptions<S> {
    /// The cryptosuite.
    pub cryptosuite: S,
    /// The DID URL of the signing key.
    pub verification_method: String,
    /// `assertionMethod` for credentials, `authentication` for presentations.
    pub proof_purpose: String,
    /// `created` (dateTimeStamp); omitted when `None`.
    pub created: Option<String>,
    /// `expires` (dateTimeStamp).
    pub expires: Option<String>,
    /// `challenge` a verifier gave the holder, against replay.
    pub challenge: Option<String>,
    /// `domain` the presentation is meant for.
    pub domain: Option<String>,
    /// The proof's own `id`, needed when a later proof chains to it.
    pub id: Option<String>,
    /// `previousProof`: the id (string) or ids (array) of the proofs this one chains to.
    pub previous_proof: Option<Value>,
}

impl<S: Suite> ProofOptions<S> {
    /// Options with only the required members.
    pub fn new(
        cryptosuite: S,
        verification_method: impl Into<String>,
        proof_purpose: impl Into<String>,
    ) -> Self {
        ProofOptions {
            cryptosuite,
            verification_method: verification_method.into(),
            proof_purpose: proof_purpose.into(),
            created: None,
            expires: None,
            challenge: None,
            domain: None,
            id: None,
            previous_proof: None,
        }
    }

    /// The proof object without `proofValue`, members in the order the specifications show.
    pub fn to_proof(&self) -> Map<String, Value> {
        let mut proof = Map::new();
        proof.insert("type".into(), PROOF_TYPE.into());
        let optional = |proof: &mut Map<String, Value>, name: &str, value: &Option<String>| {
            if let Some(value) = value {
                proof.insert(name.into(), value.as_str().into());
            }
        };
        optional(&mut proof, "id", &self.id);
        proof.insert("cryptosuite".into(), self.cryptosuite.name().into());
        optional(&mut proof, "created", &self.created);
        optional(&mut proof, "expires", &self.expires);
        proof.insert(
            "verificationMethod".into(),
            self.verification_method.as_str().into(),
        );
        proof.insert("proofPurpose".into(), self.proof_purpose.as_str().into());
        optional(&mut proof, "challenge", &self.challenge);
        optional(&mut proof, "domain", &self.domain);
        if let Some(previous) = &self.previous_proof {
            proof.insert("previousProof".into(), previous.clone());
        }
        proof
    }
}
