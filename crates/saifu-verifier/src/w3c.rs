//! W3C credentials in OpenID4VP responses (Appendix B.1): a `jwt_vc_json` VP-JWT or an `ldp_vc`
//! Data Integrity presentation, each carrying one credential bound to the presenter. Checked
//! in order: presentation proof and its binding to the request (`nonce`/`aud`,
//! `challenge`/`domain`), the credential's own proof and validity, holder binding
//! (`credentialSubject.id` is the presenter), issuer trust, then the Bitstring Status List.

use saifu_credential::status::bitstring::BitstringError;
use saifu_crypto::PublicKey;
use saifu_oid4vc::dcql::{Candidate, CredentialQuery, Format};
use saifu_oid4vc::w3c::jwt_vc::{self, Binding};
use saifu_oid4vc::w3c::{W3cFormatError, expanded_types, ldp_vc};
use serde_json::{Map, Value};

use crate::error::VerifierError;
use crate::pipeline::Verifier;
use crate::report::{PresentedCredential, Recorder};
use crate::request::PresentationRequest;
use crate::trust::{IssuerIdentity, KeyOrigin};

/// A W3C credential whose presentation and proof verified.
struct Verified {
    issuer: String,
    /// Who presented it, when it came in a bound presentation.
    holder: Option<String>,
    credential: Map<String, Value>,
    status: Vec<Value>,
}

impl Verifier {
    /// Every check of one W3C presentation, recorded under `subject`; its DCQL view.
    pub(crate) async fn w3c_presentation(
        &self,
        recorder: &mut Recorder,
        request: &PresentationRequest,
        query: &CredentialQuery,
        subject: &str,
        presentation: &Value,
        now: i64,
    ) -> Result<Candidate, VerifierError> {
        let invalid = |source| VerifierError::from_w3c(&query.id, source);
        let binding = Binding {
            nonce: &request.nonce,
            audience: &request.client_id,
        };
        let verified = if !query.require_cryptographic_holder_binding
            && is_bare_credential(query.format, presentation)
        {
            self.bare_credential(recorder, query, subject, presentation, now)?
        } else {
            self.bound_presentation(recorder, query, subject, presentation, &binding, now)?
        };
        match &verified.holder {
            Some(holder) => {
                let bound = match verified.credential["credentialSubject"].get("id") {
                    Some(Value::String(id)) if id == holder => Ok(()),
                    other => Err(invalid(W3cFormatError::HolderMismatch {
                        holder: holder.clone(),
                        subject: other.and_then(Value::as_str).unwrap_or("(none)").to_owned(),
                    })),
                };
                recorder.check("holder_binding", Some(subject), bound)?;
            }
            None => recorder.skip(
                "holder_binding",
                Some(subject),
                "the query does not require holder binding",
            ),
        }
        let types = expanded_types(&verified.credential);
        recorder.check(
            "trust",
            Some(subject),
            self.w3c_trust(&query.id, &verified, &types),
        )?;
        self.w3c_status(recorder, &query.id, subject, &verified, now)
            .await?;
        let holder_key = verified
            .holder
            .as_deref()
            .and_then(|holder| did_key_public(holder).ok());
        recorder.credential(
            &query.id,
            PresentedCredential {
                vct: types.last().cloned().unwrap_or_default(),
                issuer: verified.issuer.clone(),
                claims: verified.credential.clone(),
                holder_key_thumbprint: holder_key.map(|k| k.thumbprint()),
            },
        );
        Ok(Candidate {
            id: subject.to_owned(),
            format: query.format,
            vct: None,
            doctype: None,
            types,
            claims: Value::Object(verified.credential),
            holder_binding: verified.holder.is_some(),
            authorities: Vec::new(),
        })
    }

    /// A credential presented as is (B.1: without holder binding when the query does not
    /// require it): its proof and validity only.
    fn bare_credential(
        &self,
        recorder: &mut Recorder,
        query: &CredentialQuery,
        subject: &str,
        presentation: &Value,
        now: i64,
    ) -> Result<Verified, VerifierError> {
        let invalid = |source| VerifierError::from_w3c(&query.id, source);
        recorder.check("parse", Some(subject), Ok(()))?;
        recorder.skip(
            "key_binding",
            Some(subject),
            "the query does not require holder binding",
        );
        let verified = match presentation {
            Value::String(token) => {
                jwt_vc::verify_credential(token, now, self.config.skew).map(|vc| Verified {
                    issuer: vc.issuer,
                    holder: None,
                    status: saifu_oid4vc::w3c::status::entries(&vc.credential),
                    credential: vc.credential,
                })
            }
            document => ldp_vc::verify_credential(document, now).map(|vc| Verified {
                issuer: vc.issuer,
                holder: None,
                credential: vc.credential,
                status: vc.status,
            }),
        };
        recorder.check("credential", Some(subject), verified.map_err(invalid))
    }

    /// A verifiable presentation bound to the request, with the one credential it carries.
    fn bound_presentation(
        &self,
        recorder: &mut Recorder,
        query: &CredentialQuery,
        subject: &str,
        presentation: &Value,
        binding: &Binding<'_>,
        now: i64,
    ) -> Result<Verified, VerifierError> {
        let invalid = |source| VerifierError::from_w3c(&query.id, source);
        let verified = match query.format {
            Format::JwtVcJson => {
                let token = presentation.as_str().ok_or_else(|| {
                    invalid(W3cFormatError::Malformed(
                        "a jwt_vc_json presentation is a VP-JWT string".into(),
                    ))
                });
                let token = recorder.check("parse", Some(subject), token)?;
                let config = &self.config;
                let vp = jwt_vc::verify_presentation(
                    token,
                    binding,
                    now,
                    config.key_binding_max_age,
                    config.skew,
                );
                let vp = recorder.check("key_binding", Some(subject), vp.map_err(invalid))?;
                let vc = jwt_vc::verify_credential(&vp.credential, now, config.skew);
                let vc = recorder.check("credential", Some(subject), vc.map_err(invalid))?;
                let status = saifu_oid4vc::w3c::status::entries(&vc.credential);
                Verified {
                    issuer: vc.issuer,
                    holder: Some(vp.holder),
                    credential: vc.credential,
                    status,
                }
            }
            _ => {
                recorder.check("parse", Some(subject), Ok(()))?;
                // One Data Integrity verification covers the presentation proof (with its
                // challenge and domain) and the credential's proof.
                let vp = ldp_vc::verify_presentation(presentation, binding, now);
                let vp = recorder.check("key_binding", Some(subject), vp.map_err(invalid))?;
                recorder.check("credential", Some(subject), Ok(()))?;
                Verified {
                    issuer: vp.credential.issuer,
                    holder: Some(vp.holder),
                    credential: vp.credential.credential,
                    status: vp.credential.status,
                }
            }
        };
        Ok(verified)
    }

    /// The issuer is named by its `did:key`, so its identity is the DID and that key; it must be
    /// trusted for one of the credential's types (as written, or expanded).
    fn w3c_trust(
        &self,
        query: &str,
        verified: &Verified,
        expanded: &[String],
    ) -> Result<(), VerifierError> {
        let key = did_key_public(&verified.issuer).map_err(|e| {
            VerifierError::from_w3c(
                query,
                W3cFormatError::VerificationMethod {
                    method: verified.issuer.clone(),
                    reason: e,
                },
            )
        })?;
        let identity = IssuerIdentity {
            iss: verified.issuer.clone(),
            origin: KeyOrigin::Did,
            key_thumbprint: key.thumbprint(),
        };
        let written = entries(verified.credential.get("type"));
        let candidates: Vec<&str> = written
            .iter()
            .filter_map(Value::as_str)
            .chain(expanded.iter().map(String::as_str))
            .filter(|t| *t != "VerifiableCredential")
            .collect();
        let mut refusal = None;
        for credential_type in &candidates {
            match self.trust.is_trusted(&identity, credential_type) {
                Ok(()) => return Ok(()),
                Err(reason) => refusal = refusal.or(Some(reason)),
            }
        }
        Err(VerifierError::UntrustedIssuer {
            query: query.to_owned(),
            issuer: verified.issuer.clone(),
            vct: candidates.join(" "),
            reason: refusal.unwrap_or(crate::trust::TrustError::VctNotAllowed),
        })
    }

    /// Every `BitstringStatusListEntry` against its list, which must verify and come from the
    /// credential's own issuer (Bitstring Status List §3.2).
    async fn w3c_status(
        &self,
        recorder: &mut Recorder,
        query: &str,
        subject: &str,
        verified: &Verified,
        now: i64,
    ) -> Result<(), VerifierError> {
        if verified.status.is_empty() {
            recorder.skip(
                "status",
                Some(subject),
                "the credential has no status entry",
            );
            return Ok(());
        }
        let mut result = Ok(());
        for entry in &verified.status {
            result = self
                .bitstring_status(entry, &verified.issuer, now)
                .await
                .map_err(|e| match e {
                    BitstringError::Revoked => VerifierError::Revoked {
                        query: query.to_owned(),
                    },
                    BitstringError::Suspended => VerifierError::Suspended {
                        query: query.to_owned(),
                    },
                    other => VerifierError::StatusUnavailable {
                        query: query.to_owned(),
                        reason: other.to_string(),
                    },
                });
            if result.is_err() {
                break;
            }
        }
        recorder.check("status", Some(subject), result)
    }

    async fn bitstring_status(
        &self,
        entry: &Value,
        issuer: &str,
        now: i64,
    ) -> Result<(), BitstringError> {
        let status = self.bitstring.as_ref().ok_or_else(|| {
            BitstringError::Fetch("no client for Bitstring Status Lists is configured".into())
        })?;
        status.check(entry, issuer, now).await
    }
}

/// Whether a `jwt_vc_json` / `ldp_vc` answer is a credential rather than a presentation: a JWT
/// with a `vc` claim, or a document typed `VerifiableCredential`. Only a shape test; what it
/// is then verified as decides.
fn is_bare_credential(format: Format, presentation: &Value) -> bool {
    match (format, presentation) {
        (Format::JwtVcJson, Value::String(token)) => {
            saifu_crypto::jws::decode_compact(token, jwt_vc::MAX_TOKEN_LEN)
                .ok()
                .and_then(|jws| serde_json::from_slice::<Value>(&jws.payload).ok())
                .is_some_and(|payload| payload.get("vc").is_some())
        }
        (Format::LdpVc, Value::Object(document)) => {
            saifu_credential::w3c::model::has_type(document, "VerifiableCredential")
        }
        _ => false,
    }
}

/// A property that is one value or an array of values, as a list.
fn entries(value: Option<&Value>) -> Vec<Value> {
    match value {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
    }
}

/// The key of a `did:key` DID.
fn did_key_public(did: &str) -> Result<PublicKey, String> {
    let did: saifu_did::Did = did.parse().map_err(|e| format!("{e}"))?;
    if did.method() != "key" {
        return Err("not a did:key".into());
    }
    saifu_did::key::public_key(&did).map_err(|e| e.to_string())
}
