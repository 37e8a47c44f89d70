//! The verifier's answer: every check with its outcome, what was verified, and why not.

use std::collections::BTreeMap;

use saifu_oid4vc::dcql::ClaimPath;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::VerifierError;

/// The outcome of [`crate::Verifier::verify`], serializable for the verifier API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerificationReport {
    /// Whether the response is accepted.
    pub verified: bool,
    /// The verified credentials per credential query id, in `vp_token` order. Empty unless
    /// `verified`: claims of a refused response are not handed on.
    pub credentials: BTreeMap<String, Vec<PresentedCredential>>,
    /// The checks run, in order. Verification stops at the first failure, so the last check of
    /// a refused response is the failed one.
    pub checks: Vec<Check>,
    /// Findings that do not refuse the response.
    pub warnings: Vec<Warning>,
    /// Why the response was refused.
    pub error: Option<VerifierError>,
}

/// One verified credential.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PresentedCredential {
    /// The credential type.
    pub vct: String,
    /// The `iss`.
    pub issuer: String,
    /// The claims the verifier may rely on: the signed ones plus the disclosed ones.
    pub claims: Map<String, Value>,
    /// RFC 7638 thumbprint of the holder key (`cnf.jwk`), when the credential has one.
    pub holder_key_thumbprint: Option<String>,
}

/// One step of the verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What was checked: `request_not_expired`, `vp_token_shape`, then per presentation
    /// `parse`, `issuer_key`, `credential` (issuer signature, disclosures, SD-JWT VC rules),
    /// `key_binding`, `trust`, `status`, and finally `dcql_match`.
    pub name: &'static str,
    /// The credential query and presentation index it concerns (`pid[0]`), if any.
    pub subject: Option<String>,
    /// Passed, failed or skipped.
    pub outcome: Outcome,
    /// Why it failed or was skipped.
    pub reason: Option<String>,
}

/// The outcome of a [`Check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The rule holds.
    Passed,
    /// The rule does not hold; the response is refused.
    Failed,
    /// The rule does not apply.
    Skipped,
}

/// A finding that does not refuse the response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// The holder disclosed claims the query did not ask for (data minimisation, not validity).
    OverDisclosure {
        /// The credential query and presentation index (`pid[0]`).
        subject: String,
        /// The selectively disclosed claims nobody asked for.
        paths: Vec<ClaimPath>,
    },
}

/// Collects checks, warnings and credentials while the pipeline runs.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    checks: Vec<Check>,
    warnings: Vec<Warning>,
    credentials: BTreeMap<String, Vec<PresentedCredential>>,
}

impl Recorder {
    /// Records `result` as the outcome of check `name` and passes it on.
    pub(crate) fn check<T>(
        &mut self,
        name: &'static str,
        subject: Option<&str>,
        result: Result<T, VerifierError>,
    ) -> Result<T, VerifierError> {
        let (outcome, reason) = match &result {
            Ok(_) => (Outcome::Passed, None),
            Err(error) => (Outcome::Failed, Some(error.to_string())),
        };
        self.push(name, subject, outcome, reason);
        result
    }

    /// Records that check `name` did not apply, and why.
    pub(crate) fn skip(&mut self, name: &'static str, subject: Option<&str>, reason: &str) {
        self.push(name, subject, Outcome::Skipped, Some(reason.to_owned()));
    }

    fn push(
        &mut self,
        name: &'static str,
        subject: Option<&str>,
        outcome: Outcome,
        reason: Option<String>,
    ) {
        self.checks.push(Check {
            name,
            subject: subject.map(str::to_owned),
            outcome,
            reason,
        });
    }

    pub(crate) fn warn(&mut self, warning: Warning) {
        self.warnings.push(warning);
    }

    pub(crate) fn credential(&mut self, query: &str, credential: PresentedCredential) {
        self.credentials
            .entry(query.to_owned())
            .or_default()
            .push(credential);
    }

    /// The report for the pipeline's `result`.
    pub(crate) fn finish(self, result: Result<(), VerifierError>) -> VerificationReport {
        let verified = result.is_ok();
        VerificationReport {
            verified,
            credentials: if verified {
                self.credentials
            } else {
                BTreeMap::new()
            },
            checks: self.checks,
            warnings: self.warnings,
            error: result.err(),
        }
    }
}
