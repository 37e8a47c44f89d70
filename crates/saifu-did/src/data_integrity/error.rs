//! Why a Data Integrity proof could not be created or was refused — one variant per rule.

use saifu_crypto::CryptoError;

/// A Data Integrity proof could not be created or was refused. `C` is the cryptosuite's
/// transformation error (JSON-LD / RDFC for the credential suites, [`JcsError`](super::JcsError)
/// for eddsa-jcs-2022).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError<C> {
    /// The document carries no `proof`.
    #[error("the document has no proof")]
    MissingProof,
    /// A proof is not an object or lacks a required member (Data Integrity §2.1).
    #[error("malformed proof: {0}")]
    Malformed(&'static str),
    /// `type`/`cryptosuite` is not one saifu implements.
    #[error("unsupported proof type or cryptosuite `{0}`")]
    UnsupportedCryptosuite(String),
    /// `proofValue` is not valid multibase base58btc, or has the wrong length.
    #[error("malformed multibase proofValue: {0}")]
    MalformedMultibase(String),
    /// `proofPurpose` is not the one the verifier expects (Data Integrity §4.2 step 9).
    #[error("proof purpose `{found}` where `{expected}` is required")]
    WrongProofPurpose {
        /// What the verifier expected.
        expected: String,
        /// What the proof says.
        found: String,
    },
    /// `challenge` is missing or differs from the verifier's (Data Integrity §2.1).
    #[error("proof challenge does not match")]
    ChallengeMismatch,
    /// `domain` is missing or differs from the verifier's (Data Integrity §2.1).
    #[error("proof domain does not match")]
    DomainMismatch,
    /// The proof `expires` is in the past or not a dateTimeStamp.
    #[error("proof expired or has an invalid `expires`")]
    ProofExpired,
    /// `proof.@context` is not a prefix of the document's `@context` (vc-di-eddsa §3.2.2 step 2).
    #[error("proof `@context` does not match the document `@context`")]
    ContextMismatch,
    /// The verification method could not be resolved to a usable key.
    #[error("verification method `{method}`: {reason}")]
    VerificationMethod {
        /// The `verificationMethod` value.
        method: String,
        /// Why it was refused.
        reason: String,
    },
    /// `previousProof` names a proof that is not in the proof set (Data Integrity §4.4).
    #[error("previousProof `{0}` is not in the proof set")]
    UnknownPreviousProof(String),
    /// The signature does not verify: the document or the proof was altered.
    #[error("signature verification failed: document or proof altered")]
    InvalidSignature,
    /// The signature could not be produced.
    #[error("signing failed: {0}")]
    Signing(String),
    /// The cryptosuite's transformation (canonicalization) step failed. The name is the one
    /// the credential layer has always matched on: its suites canonicalize JSON-LD.
    #[error(transparent)]
    JsonLd(C),
}

impl<C> From<CryptoError> for ProofError<C> {
    fn from(error: CryptoError) -> Self {
        ProofError::Signing(error.to_string())
    }
}
