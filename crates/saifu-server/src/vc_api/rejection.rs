//! Why a VC-API verification refused a credential or presentation, as the `errors` entries of
//! the response: a stable `code` per rule (what clients and tests match on), the specification's
//! problem `type` where one is defined, and a human-readable `message`.

use saifu_credential::status::bitstring::BitstringError;
use saifu_credential::w3c::{JsonLdError, ModelError, ProofError, VerifyError};
use serde_json::{Value, json};

/// VCDM 2.0 §7.1 problem types.
const VC: &str = "https://www.w3.org/TR/vc-data-model#";
/// Data Integrity 1.0 §4.7 problem types.
const SECURITY: &str = "https://w3id.org/security#";

/// A refused verification request.
#[derive(Debug)]
pub(crate) enum Rejection {
    /// The request itself is malformed (not JSON, members missing or of the wrong type).
    Request(String),
    /// The credential or presentation failed a data model, JSON-LD or proof rule.
    Verify(VerifyError),
    /// A status entry could not be checked, or says revoked or suspended.
    Status(BitstringError),
}

impl From<VerifyError> for Rejection {
    fn from(error: VerifyError) -> Self {
        Rejection::Verify(error)
    }
}

impl From<ModelError> for Rejection {
    fn from(error: ModelError) -> Self {
        Rejection::Verify(error.into())
    }
}

impl From<BitstringError> for Rejection {
    fn from(error: BitstringError) -> Self {
        Rejection::Status(error)
    }
}

impl Rejection {
    /// The `errors` entry describing this rejection.
    pub(crate) fn to_json(&self) -> Value {
        let (code, problem) = self.classify();
        let message = match self {
            Rejection::Request(message) => message.clone(),
            Rejection::Verify(error) => error.to_string(),
            Rejection::Status(error) => error.to_string(),
        };
        let mut entry = json!({ "code": code, "message": message });
        if let Some(problem) = problem {
            entry["type"] = problem.into();
        }
        entry
    }

    /// The check that failed: `proof` for everything up to the signatures, `status` after.
    pub(crate) fn check(&self) -> &'static str {
        match self {
            Rejection::Status(_) => "status",
            _ => "proof",
        }
    }

    /// `(code, problem type)`.
    fn classify(&self) -> (&'static str, Option<String>) {
        let vc = |t: &str| Some(format!("{VC}{t}"));
        let security = |t: &str| Some(format!("{SECURITY}{t}"));
        match self {
            Rejection::Request(_) => ("invalid_request", vc("PARSING_ERROR")),
            Rejection::Verify(VerifyError::Model(error)) => (model_code(error), {
                if matches!(error, ModelError::NotYetValid(_) | ModelError::Expired(_)) {
                    vc("RANGE_ERROR")
                } else {
                    vc("MALFORMED_VALUE_ERROR")
                }
            }),
            Rejection::Verify(VerifyError::JsonLd(error))
            | Rejection::Verify(VerifyError::Proof(ProofError::JsonLd(error))) => {
                (json_ld_code(error), security("PROOF_TRANSFORMATION_ERROR"))
            }
            Rejection::Verify(VerifyError::Proof(error)) => {
                let problem = match error {
                    ProofError::ChallengeMismatch => "INVALID_CHALLENGE_ERROR",
                    ProofError::DomainMismatch => "INVALID_DOMAIN_ERROR",
                    _ => "PROOF_VERIFICATION_ERROR",
                };
                (proof_code(error), security(problem))
            }
            Rejection::Verify(VerifyError::IssuerMismatch { .. }) => {
                ("issuer_mismatch", security("PROOF_VERIFICATION_ERROR"))
            }
            Rejection::Verify(VerifyError::Unsupported(_)) => ("unsupported", None),
            Rejection::Verify(VerifyError::Jose(_)) => {
                ("invalid_jwt", vc("CRYPTOGRAPHIC_SECURITY_ERROR"))
            }
            Rejection::Status(error) => status_code(error),
        }
    }
}

fn model_code(error: &ModelError) -> &'static str {
    match error {
        ModelError::NotAnObject => "not_an_object",
        ModelError::MissingContext => "missing_context",
        ModelError::ContextOrder(_) => "context_order",
        ModelError::InvalidContextEntry => "invalid_context",
        ModelError::MissingType(_) => "missing_type",
        ModelError::InvalidType(_) => "invalid_type",
        ModelError::InvalidId(_) => "invalid_id",
        ModelError::MissingIssuer => "missing_issuer",
        ModelError::InvalidIssuer => "invalid_issuer",
        ModelError::InvalidCredentialSubject => "invalid_credential_subject",
        ModelError::InvalidDateTime { .. } => "invalid_date_time",
        ModelError::InvertedValidity => "inverted_validity",
        ModelError::NotYetValid(_) => "not_yet_valid",
        ModelError::Expired(_) => "expired",
        ModelError::InvalidProperty { .. } => "invalid_property",
        ModelError::InvalidPresentationCredential => "invalid_presentation_credential",
    }
}

fn json_ld_code(error: &JsonLdError) -> &'static str {
    match error {
        JsonLdError::UnknownContext(_) => "unknown_context",
        JsonLdError::TooLarge(_) => "too_large",
        JsonLdError::Syntax(_) => "invalid_json_ld",
        JsonLdError::Unsupported(_) => "unsupported_json_ld",
        JsonLdError::PoisonDataset(..) => "poison_dataset",
    }
}

fn proof_code(error: &ProofError) -> &'static str {
    match error {
        ProofError::MissingProof => "missing_proof",
        ProofError::Malformed(_) => "malformed_proof",
        ProofError::UnsupportedCryptosuite(_) => "unsupported_cryptosuite",
        ProofError::MalformedMultibase(_) => "malformed_multibase",
        ProofError::WrongProofPurpose { .. } => "wrong_proof_purpose",
        ProofError::ChallengeMismatch => "challenge_mismatch",
        ProofError::DomainMismatch => "domain_mismatch",
        ProofError::ProofExpired => "proof_expired",
        ProofError::ContextMismatch => "proof_context_mismatch",
        ProofError::VerificationMethod { .. } => "verification_method",
        ProofError::UnknownPreviousProof(_) => "unknown_previous_proof",
        ProofError::InvalidSignature => "invalid_signature",
        ProofError::Signing(_) => "signing",
        ProofError::JsonLd(error) => json_ld_code(error),
    }
}

/// Bitstring Status List §3.5 problem types for the status step.
fn status_code(error: &BitstringError) -> (&'static str, Option<String>) {
    let status = |t: &str| Some(format!("https://www.w3.org/ns/credentials/status-list#{t}"));
    match error {
        BitstringError::Revoked => ("revoked", None),
        BitstringError::Suspended => ("suspended", None),
        BitstringError::Fetch(_) => ("status_retrieval", status("STATUS_RETRIEVAL_ERROR")),
        BitstringError::TooSmall(_) | BitstringError::DecompressedTooLarge(_) => {
            ("status_list_length", status("STATUS_LIST_LENGTH_ERROR"))
        }
        BitstringError::IndexOutOfRange { .. } => ("status_range", status("RANGE_ERROR")),
        BitstringError::InvalidEntry(_) => ("invalid_status_entry", vc_malformed()),
        BitstringError::MalformedEncodedList(_)
        | BitstringError::ListMismatch(_)
        | BitstringError::Credential(_) => {
            ("status_verification", status("STATUS_VERIFICATION_ERROR"))
        }
    }
}

fn vc_malformed() -> Option<String> {
    Some(format!("{VC}MALFORMED_VALUE_ERROR"))
}
