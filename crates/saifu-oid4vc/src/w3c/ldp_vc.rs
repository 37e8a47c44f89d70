//! `ldp_vc`: a VCDM 2.0 credential secured with Data Integrity, presented in a verifiable
//! presentation whose `authentication` proof carries `challenge` = the request's nonce and
//! `domain` = the verifier's client id (OpenID4VP 1.0 B.1.3.2.5). Keys are `did:key` methods.

use saifu_credential::w3c::contexts::CREDENTIALS_V2;
use saifu_credential::w3c::datetime;
use saifu_credential::w3c::di::{self, AUTHENTICATION, DidKeyResolver, ProofOptions};
use saifu_credential::w3c::model;
use saifu_credential::w3c::verify::{self, CredentialReport, VerifyOptions};
use saifu_credential::w3c::{ProofError, VerifyError};
use saifu_crypto::Signer;
use serde_json::{Map, Value, json};

use super::jwt_vc::Binding;
use super::{W3cFormatError, cryptosuite_for};

/// Signs a presentation of `credential` for `binding`, created at `now`. The signer's `kid` is
/// the holder's `did:key` method; its DID becomes `holder`.
pub async fn sign_presentation(
    credential: &Value,
    binding: &Binding<'_>,
    now: i64,
    signer: &dyn Signer,
) -> Result<Value, W3cFormatError> {
    let method = signer
        .key_id()
        .ok_or_else(|| W3cFormatError::Signing("the holder signer has no `kid`".into()))?;
    let suite = cryptosuite_for(signer.public_key().key_type()).ok_or_else(|| {
        W3cFormatError::Signing(format!(
            "no cryptosuite for {} keys",
            signer.public_key().key_type()
        ))
    })?;
    let presentation = json!({
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": di::method::controller(method),
        "verifiableCredential": [credential],
    });
    let mut options = ProofOptions::new(suite, method, AUTHENTICATION);
    options.created = Some(datetime::format(now));
    options.challenge = Some(binding.nonce.to_owned());
    options.domain = Some(binding.audience.to_owned());
    di::add_proof(&presentation, &options, signer)
        .await
        .map_err(|e| W3cFormatError::Signing(e.to_string()))
}

/// A verified `ldp_vc` credential.
#[derive(Debug, Clone, PartialEq)]
pub struct LdpCredential {
    /// The issuer's DID.
    pub issuer: String,
    /// `credentialSubject.id`, when bound.
    pub subject: Option<String>,
    /// The credential without its proof: DCQL claim paths start here (B.1.2).
    pub credential: Map<String, Value>,
    /// Its `credentialStatus` entries.
    pub status: Vec<Value>,
}

/// Verifies a Data Integrity credential at `now`: VCDM 2.0 rules, the issuer's
/// `assertionMethod` proof by a `did:key` method of `issuer`.
pub fn verify_credential(credential: &Value, now: i64) -> Result<LdpCredential, W3cFormatError> {
    let options = VerifyOptions {
        now,
        challenge: None,
        domain: None,
        resolver: &DidKeyResolver,
    };
    let report = verify::verify_credential(credential, &options).map_err(classify)?;
    verified(credential, report)
}

fn verified(credential: &Value, report: CredentialReport) -> Result<LdpCredential, W3cFormatError> {
    let mut map = credential
        .as_object()
        .cloned()
        .ok_or_else(|| W3cFormatError::Malformed("a credential is an object".into()))?;
    map.remove("proof");
    let subject = match map.get("credentialSubject") {
        Some(Value::Object(subject)) => subject.get("id").and_then(Value::as_str),
        _ => {
            return Err(W3cFormatError::Malformed(
                "`credentialSubject` must be one object".into(),
            ));
        }
    }
    .map(str::to_owned);
    Ok(LdpCredential {
        issuer: report.issuer,
        subject,
        credential: map,
        status: report.credential_status,
    })
}

/// A verified presentation and its one credential.
#[derive(Debug, Clone, PartialEq)]
pub struct LdpPresentation {
    /// The DID whose key signed the presentation.
    pub holder: String,
    /// The credential, verified and bound to `holder`.
    pub credential: LdpCredential,
    /// The presentation proof's cryptosuite.
    pub cryptosuite: &'static str,
}

/// Verifies a presentation for `binding` at `now`: `authentication` proof with the request's
/// challenge and domain, by the holder, carrying exactly one credential that verifies and whose
/// `credentialSubject.id` is that holder.
pub fn verify_presentation(
    presentation: &Value,
    binding: &Binding<'_>,
    now: i64,
) -> Result<LdpPresentation, W3cFormatError> {
    let map = presentation
        .as_object()
        .ok_or_else(|| W3cFormatError::Malformed("a presentation is an object".into()))?;
    let credentials = model::presentation_credentials(map).map_err(VerifyError::from)?;
    let [credential] = credentials.as_slice() else {
        return Err(W3cFormatError::CredentialCount(credentials.len()));
    };
    let credential = Value::Object((*credential).clone());
    let options = VerifyOptions {
        now,
        challenge: Some(binding.nonce),
        domain: Some(binding.audience),
        resolver: &DidKeyResolver,
    };
    let mut report = verify::verify_presentation(presentation, &options).map_err(classify)?;
    let proof = report
        .proofs
        .first()
        .ok_or(W3cFormatError::DataIntegrity(VerifyError::Proof(
            ProofError::MissingProof,
        )))?;
    let holder = di::method::controller(&proof.verification_method).to_owned();
    let cryptosuite = proof.cryptosuite.name();
    if report.holder.as_ref().is_some_and(|h| *h != holder) {
        return Err(W3cFormatError::SignerMismatch {
            party: report.holder.unwrap_or_default(),
            method: proof.verification_method.clone(),
        });
    }
    let credential = verified(&credential, report.credentials.remove(0))?;
    if credential.subject.as_deref() != Some(holder.as_str()) {
        return Err(W3cFormatError::HolderMismatch {
            holder,
            subject: credential.subject.unwrap_or_else(|| "(none)".into()),
        });
    }
    Ok(LdpPresentation {
        holder,
        credential,
        cryptosuite,
    })
}

/// The challenge and domain refusals get the binding variants every format shares.
fn classify(error: VerifyError) -> W3cFormatError {
    match error {
        VerifyError::Proof(ProofError::ChallengeMismatch) => W3cFormatError::WrongNonce,
        VerifyError::Proof(ProofError::DomainMismatch) => W3cFormatError::WrongAudience,
        other => W3cFormatError::DataIntegrity(other),
    }
}
