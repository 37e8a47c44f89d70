//! The verification pipeline: request → vp_token shape → each presentation (issuer key,
//! signature and profile rules, key binding, trust, status) → DCQL match.

use std::sync::Arc;

use saifu_credential::sd_jwt::{KeyBindingPolicy, Limits, SdJwt, SdJwtError, VerifyOptions};
use saifu_credential::sd_jwt_vc::{VcVerifyOptions, VerifiedVc, verify_vc};
use saifu_credential::status::{ReferenceOptions, StatusValue};
use saifu_crypto::{Algorithm, Jwk};
use saifu_did::http::HttpClient;
use saifu_oid4vc::dcql::{Candidate, CredentialQuery, Format, evaluate, validate_vp_token_shape};
use saifu_oid4vc::w3c::status::BitstringStatus;
use serde_json::Value;

use crate::error::{QueryMismatch, VerifierError};
use crate::keys::IssuerKeys;
use crate::over_disclosure::over_disclosed;
use crate::report::{PresentedCredential, Recorder, VerificationReport, Warning};
use crate::request::PresentationRequest;
use crate::status::StatusChecker;
use crate::trust::{IssuerIdentity, TrustPolicy};

/// What the verifier accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierConfig {
    /// Algorithms accepted for issuer signatures and KB-JWTs (each key type narrows further).
    pub allowed_algorithms: Vec<Algorithm>,
    /// Size, disclosure-count and depth limits per presentation.
    pub limits: Limits,
    /// Tolerated clock difference for credential validity and KB-JWT `iat`, in seconds.
    pub skew: i64,
    /// How old a KB-JWT `iat` may be, in seconds.
    pub key_binding_max_age: i64,
    /// Accept the legacy `typ` `vc+sd-jwt` (STANDARDS §5: only behind a switch).
    pub accept_legacy_typ: bool,
    /// What a credential's `status.status_list.uri` may be.
    pub status_references: ReferenceOptions,
}

impl Default for VerifierConfig {
    /// Every algorithm saifu verifies, default limits, 60 s skew, KB-JWTs up to 5 minutes old,
    /// no legacy `typ`, `https` status lists only.
    fn default() -> Self {
        VerifierConfig {
            allowed_algorithms: Algorithm::ALL.to_vec(),
            limits: Limits::default(),
            skew: 60,
            key_binding_max_age: 300,
            accept_legacy_typ: false,
            status_references: ReferenceOptions::default(),
        }
    }
}

/// The verifier role: checks OpenID4VP responses to its requests.
pub struct Verifier {
    keys: IssuerKeys,
    pub(crate) trust: Arc<dyn TrustPolicy>,
    status: Arc<dyn StatusChecker>,
    pub(crate) config: VerifierConfig,
    /// Fetches Bitstring Status Lists of W3C credentials; `None` refuses credentials with one.
    pub(crate) bitstring: Option<BitstringStatus>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("keys", &self.keys)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A presentation that passed every per-credential check.
struct Accepted {
    /// The credential query it was presented under.
    query: String,
    /// Its position in that query's `vp_token` array.
    index: usize,
    candidate: Candidate,
    /// The SD-JWT, for the over-disclosure check (W3C credentials have no disclosures).
    sd_jwt: Option<SdJwt>,
}

impl Verifier {
    /// A verifier finding issuer keys through `keys`, trusting per `trust` and checking status
    /// through `status`.
    pub fn new(
        keys: IssuerKeys,
        trust: Arc<dyn TrustPolicy>,
        status: Arc<dyn StatusChecker>,
        config: VerifierConfig,
    ) -> Verifier {
        Verifier {
            keys,
            trust,
            status,
            config,
            bitstring: None,
        }
    }

    /// Fetches the Bitstring Status Lists of W3C credentials through `http`, keeping each
    /// verified list for `max_age` seconds (`saifu_oid4vc::w3c::status::DEFAULT_MAX_AGE` is
    /// the usual choice; 0 fetches for every presentation).
    pub fn with_bitstring_status(mut self, http: HttpClient, max_age: i64) -> Verifier {
        self.bitstring = Some(BitstringStatus::new(http, max_age, self.config.skew));
        self
    }

    /// The JOSE names of the algorithms accepted for issuer signatures and KB-JWTs, which a
    /// request declares in `client_metadata.vp_formats_supported`.
    pub fn jose_algorithms(&self) -> Vec<&'static str> {
        self.config
            .allowed_algorithms
            .iter()
            .map(|alg| alg.jose_name())
            .collect()
    }

    /// Verifies the `vp_token` answering `request`, at time `now` (seconds since the epoch).
    /// Checks stop at the first failure; the report lists each check run with its outcome.
    pub async fn verify(
        &self,
        request: &PresentationRequest,
        vp_token: &Value,
        now: i64,
    ) -> VerificationReport {
        let mut recorder = Recorder::default();
        let result = self.run(&mut recorder, request, vp_token, now).await;
        recorder.finish(result)
    }

    async fn run(
        &self,
        recorder: &mut Recorder,
        request: &PresentationRequest,
        vp_token: &Value,
        now: i64,
    ) -> Result<(), VerifierError> {
        let expired = request
            .is_expired(now)
            .then_some(VerifierError::RequestExpired {
                expires_at: request.expires_at,
                now,
            });
        recorder.check("request_not_expired", None, expired.map_or(Ok(()), Err))?;
        // With the presentations verified below and each matched to its own query, the shape
        // check (entries present satisfy `credential_sets`) makes the whole query satisfied.
        recorder.check(
            "vp_token_shape",
            None,
            validate_vp_token_shape(&request.dcql, vp_token)
                .map_err(|source| VerifierError::InvalidVpTokenShape { source }),
        )?;
        let mut accepted = Vec::new();
        for query in &request.dcql.credentials {
            let presentations = vp_token.get(&query.id).and_then(Value::as_array);
            for (index, presentation) in presentations.into_iter().flatten().enumerate() {
                let subject = format!("{}[{index}]", query.id);
                let (candidate, sd_jwt) = match query.format {
                    Format::JwtVcJson | Format::LdpVc => {
                        let candidate = self
                            .w3c_presentation(recorder, request, query, &subject, presentation, now)
                            .await?;
                        (candidate, None)
                    }
                    _ => {
                        let (candidate, sd_jwt) = self
                            .presentation(recorder, request, query, &subject, presentation, now)
                            .await?;
                        (candidate, Some(sd_jwt))
                    }
                };
                accepted.push(Accepted {
                    query: query.id.clone(),
                    index,
                    candidate,
                    sd_jwt,
                });
            }
        }
        self.match_queries(recorder, request, &accepted)
    }

    /// Every per-credential check of one presentation, recorded under `subject`; returns its
    /// DCQL view and the parsed presentation.
    async fn presentation(
        &self,
        recorder: &mut Recorder,
        request: &PresentationRequest,
        query: &CredentialQuery,
        subject: &str,
        presentation: &Value,
        now: i64,
    ) -> Result<(Candidate, SdJwt), VerifierError> {
        let invalid = |source| VerifierError::from_credential(&query.id, source);
        let sd_jwt = presentation
            .as_str()
            .ok_or_else(|| SdJwtError::Malformed("presentation is not a string".into()))
            .and_then(|text| SdJwt::parse_compact(text, &self.config.limits))
            .map_err(|e| invalid(e.into()));
        let sd_jwt = recorder.check("parse", Some(subject), sd_jwt)?;
        let resolved = self.keys.resolve(&sd_jwt, &self.config.limits).await;
        let (key, issuer) =
            recorder.check("issuer_key", Some(subject), resolved.map_err(invalid))?;
        let binding = query.require_cryptographic_holder_binding || sd_jwt.kb_jwt().is_some();
        let key_binding = binding.then_some(KeyBindingPolicy {
            audience: &request.client_id,
            nonce: &request.nonce,
            now,
            max_age: self.config.key_binding_max_age,
            skew: self.config.skew,
            allowed_algorithms: &self.config.allowed_algorithms,
        });
        let options = VcVerifyOptions {
            sd_jwt: VerifyOptions {
                allowed_algorithms: &self.config.allowed_algorithms,
                limits: self.config.limits,
                key_binding,
            },
            now,
            skew: self.config.skew,
            accept_legacy_typ: self.config.accept_legacy_typ,
            status: self.config.status_references,
        };
        let verified = verify_vc(&sd_jwt, &key, &options).map_err(invalid);
        let verified = match verified {
            Err(error) if error.is_key_binding() => {
                recorder.check("credential", Some(subject), Ok(()))?;
                return recorder.check("key_binding", Some(subject), Err(error));
            }
            other => recorder.check("credential", Some(subject), other)?,
        };
        if verified.sd_jwt.key_binding.is_some() {
            recorder.check("key_binding", Some(subject), Ok(()))?;
        } else {
            recorder.skip(
                "key_binding",
                Some(subject),
                "the query does not require holder binding",
            );
        }
        recorder.check(
            "trust",
            Some(subject),
            self.trust(&query.id, &issuer, &verified.vct).await,
        )?;
        self.status(recorder, &query.id, subject, &verified, now)
            .await?;
        recorder.credential(&query.id, presented(&verified, &issuer));
        Ok((candidate(subject, &verified), sd_jwt))
    }

    async fn trust(
        &self,
        query: &str,
        issuer: &IssuerIdentity,
        vct: &str,
    ) -> Result<(), VerifierError> {
        self.trust
            .check(issuer, vct)
            .await
            .map_err(|reason| VerifierError::UntrustedIssuer {
                query: query.to_owned(),
                issuer: issuer.iss.clone(),
                vct: vct.to_owned(),
                reason,
            })
    }

    /// The status check (only after the credential itself verified, draft -20 §8.3).
    async fn status(
        &self,
        recorder: &mut Recorder,
        query: &str,
        subject: &str,
        verified: &VerifiedVc,
        now: i64,
    ) -> Result<(), VerifierError> {
        let Some(reference) = &verified.status else {
            recorder.skip(
                "status",
                Some(subject),
                "the credential has no status reference",
            );
            return Ok(());
        };
        let query = query.to_owned();
        let result = match self.status.status_of(reference, now).await {
            Ok(StatusValue::Valid) => Ok(()),
            Ok(StatusValue::Invalid) => Err(VerifierError::Revoked { query }),
            Ok(StatusValue::Suspended) => Err(VerifierError::Suspended { query }),
            Ok(other) => Err(VerifierError::UnrecognizedStatus {
                query,
                value: other.raw(),
            }),
            Err(e) => Err(VerifierError::StatusUnavailable {
                query,
                reason: e.to_string(),
            }),
        };
        recorder.check("status", Some(subject), result)
    }

    /// Each presentation must answer the credential query it was presented under; disclosed
    /// claims beyond what that query asked for become warnings.
    fn match_queries(
        &self,
        recorder: &mut Recorder,
        request: &PresentationRequest,
        accepted: &[Accepted],
    ) -> Result<(), VerifierError> {
        let candidates: Vec<Candidate> = accepted.iter().map(|a| a.candidate.clone()).collect();
        let result = evaluate(&request.dcql, &candidates);
        let mut mismatches = Vec::new();
        for presented in accepted {
            let id = &presented.candidate.id;
            let Some(answer) = result.queries.get(&presented.query) else {
                continue; // the shape check admitted only known query ids
            };
            if let Some(found) = answer.matches.iter().find(|m| m.candidate == *id) {
                let paths = presented
                    .sd_jwt
                    .as_ref()
                    .map(|sd_jwt| over_disclosed(sd_jwt, &found.disclose, &self.config.limits))
                    .unwrap_or_default();
                if !paths.is_empty() {
                    recorder.warn(Warning::OverDisclosure {
                        subject: id.clone(),
                        paths,
                    });
                }
            } else if let Some(rejection) = answer.rejections.iter().find(|r| r.candidate == *id) {
                mismatches.push(QueryMismatch {
                    query: presented.query.clone(),
                    presentation: presented.index,
                    reason: rejection.reason.clone(),
                });
            }
        }
        let outcome = if mismatches.is_empty() {
            Ok(())
        } else {
            Err(VerifierError::QueryNotSatisfied {
                details: mismatches,
            })
        };
        recorder.check("dcql_match", None, outcome)
    }
}

/// The DCQL view of a verified credential, identified by its subject (`query[index]`).
fn candidate(subject: &str, verified: &VerifiedVc) -> Candidate {
    Candidate {
        id: subject.to_owned(),
        format: Format::DcSdJwt,
        vct: Some(verified.vct.clone()),
        doctype: None,
        types: Vec::new(),
        claims: Value::Object(verified.claims().clone()),
        holder_binding: verified.sd_jwt.key_binding.is_some(),
        // Issuer authority identifiers (`aki`, `etsi_tl`, federation) are not derived yet, so a
        // query with `trusted_authorities` is never answered.
        authorities: Vec::new(),
    }
}

fn presented(verified: &VerifiedVc, issuer: &IssuerIdentity) -> PresentedCredential {
    let holder_key_thumbprint = verified
        .claims()
        .get("cnf")
        .and_then(|cnf| cnf.get("jwk"))
        .and_then(|jwk| serde_json::from_value::<Jwk>(jwk.clone()).ok())
        .and_then(|jwk| jwk.thumbprint().ok());
    PresentedCredential {
        vct: verified.vct.clone(),
        issuer: issuer.iss.clone(),
        claims: verified.claims().clone(),
        holder_key_thumbprint,
    }
}
