//! The verifier's entry point: a credential or presentation is accepted only if the data model
//! holds, every proof verifies for the right purpose, and the issuer signed the credential.

use serde_json::Value;

use super::di::{
    self, ASSERTION_METHOD, AUTHENTICATION, MethodResolver, ProofExpectations, VerifiedProof,
};
use super::model::{self, ENVELOPED_CREDENTIAL_TYPE};
use super::{ModelError, VerifyError};

/// What the verifier knows and requires.
#[derive(Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// Verification time, Unix seconds (injected, never read from the clock here).
    pub now: i64,
    /// The challenge the verifier gave the holder (presentations).
    pub challenge: Option<&'a str>,
    /// The domain the presentation must be bound to (presentations).
    pub domain: Option<&'a str>,
    /// How verification methods become keys.
    pub resolver: &'a dyn MethodResolver,
}

/// A credential that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialReport {
    /// The issuer's URL.
    pub issuer: String,
    /// Every proof, all verified.
    pub proofs: Vec<VerifiedProof>,
    /// The `credentialStatus` entries, for the caller to check against their status lists
    /// (see [`crate::status::bitstring`]).
    pub credential_status: Vec<Value>,
}

/// A presentation that verified, with the credentials it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentationReport {
    /// The holder's URL, when stated.
    pub holder: Option<String>,
    /// The presentation's proofs.
    pub proofs: Vec<VerifiedProof>,
    /// Each embedded credential, verified.
    pub credentials: Vec<CredentialReport>,
}

/// Verifies a Data Integrity secured credential.
pub fn verify_credential(
    credential: &Value,
    options: &VerifyOptions<'_>,
) -> Result<CredentialReport, VerifyError> {
    model::validate_credential(credential, options.now)?;
    let expect = ProofExpectations {
        purpose: ASSERTION_METHOD,
        challenge: None,
        domain: None,
        now: options.now,
    };
    let proofs = di::verify_proofs(credential, &expect, options.resolver)?;
    let map = credential.as_object().ok_or(ModelError::NotAnObject)?;
    let issuer = model::issuer_id(map)?.to_owned();
    // The issuer must have signed: at least one proof's method is controlled by the issuer
    // (others in a proof set may be endorsements or witnesses).
    if !proofs
        .iter()
        .any(|p| di::method::controller(&p.verification_method) == issuer)
    {
        return Err(VerifyError::IssuerMismatch {
            issuer,
            method: proofs[0].verification_method.clone(),
        });
    }
    let credential_status = match map.get("credentialStatus") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
    };
    Ok(CredentialReport {
        issuer,
        proofs,
        credential_status,
    })
}

/// Verifies a Data Integrity secured presentation (purpose `authentication`, with the
/// verifier's challenge and domain) and every credential in it.
pub fn verify_presentation(
    presentation: &Value,
    options: &VerifyOptions<'_>,
) -> Result<PresentationReport, VerifyError> {
    model::validate_presentation(presentation, options.now)?;
    let expect = ProofExpectations {
        purpose: AUTHENTICATION,
        challenge: options.challenge,
        domain: options.domain,
        now: options.now,
    };
    let proofs = di::verify_proofs(presentation, &expect, options.resolver)?;
    let map = presentation.as_object().ok_or(ModelError::NotAnObject)?;
    let mut credentials = Vec::new();
    for credential in model::presentation_credentials(map)? {
        if model::has_type(credential, ENVELOPED_CREDENTIAL_TYPE) {
            return Err(VerifyError::Unsupported(
                "an enveloped credential inside a Data Integrity presentation (verify it with w3c::jose)",
            ));
        }
        credentials.push(verify_credential(
            &Value::Object(credential.clone()),
            options,
        )?);
    }
    let holder = map.get("holder").and_then(|h| {
        h.as_str()
            .or_else(|| h.get("id").and_then(Value::as_str))
            .map(str::to_owned)
    });
    Ok(PresentationReport {
        holder,
        proofs,
        credentials,
    })
}
