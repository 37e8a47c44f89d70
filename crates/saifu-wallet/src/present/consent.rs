//! The consent view: who asks, for what, with which of the holder's credentials, and exactly which
//! claims each would disclose. Only what the DCQL query asks for is ever offered; nothing is
//! sent until the holder approves.

use saifu_oid4vc::dcql::{Candidate, Disclosure, MatchResult, evaluate};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::request::{ClientIdPrefix, PresentationRequest};
use crate::WalletError;
use crate::model::{CredentialStatus, StoredCredential};
use crate::wallet::Wallet;

/// Everything the holder decides on.
#[derive(Debug, Clone, Serialize)]
pub struct ConsentView {
    /// Who asks.
    pub verifier: VerifierView,
    /// One entry per credential query, in query order.
    pub queries: Vec<QueryConsent>,
    /// Whether every required query can be answered.
    pub satisfiable: bool,
}

/// Who asks, and how sure the wallet is of it.
#[derive(Debug, Clone, Serialize)]
pub struct VerifierView {
    /// The full client identifier.
    pub client_id: String,
    /// The name the verifier gives itself (unverified).
    pub name: Option<String>,
    /// How the verifier identified itself.
    pub prefix: ClientIdPrefix,
    /// Whether the request was signed by the client identifier's key.
    pub authenticated: bool,
    /// The host the answer goes to.
    pub response_host: String,
}

/// One credential query.
#[derive(Debug, Clone, Serialize)]
pub struct QueryConsent {
    /// The query id.
    pub id: String,
    /// Whether the verifier requires it (optional queries are off by default).
    pub required: bool,
    /// The holder's credentials that answer it, best first.
    pub options: Vec<CredentialOption>,
}

/// One credential that answers a query.
#[derive(Debug, Clone, Serialize)]
pub struct CredentialOption {
    /// The wallet's credential id.
    pub credential: String,
    /// Card name.
    pub name: String,
    /// Issuer name.
    pub issuer_name: Option<String>,
    /// Last known status.
    pub status: CredentialStatus,
    /// The claims it would disclose: exactly what the query asks for.
    pub claims: Vec<ClaimConsent>,
    /// Whether every copy has already gone to another verifier.
    pub linkable: bool,
    /// The format cannot disclose selectively (`jwt_vc_json`, `ldp_vc`): the verifier receives
    /// the whole credential, so `claims` lists every claim of its subject, not only those asked.
    pub whole_credential: bool,
}

/// One claim to disclose.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimConsent {
    /// JSON pointer, e.g. `/degree`.
    pub path: String,
    /// Human label from the issuer's metadata, or the pointer.
    pub label: String,
    /// The value that would be shown.
    pub value: Value,
}

/// The holder's decision: which credential answers which query, and which claims to withhold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Approval {
    /// One entry per query to answer.
    pub choices: Vec<Choice>,
    /// Accept presenting a copy another verifier already saw.
    pub allow_linkable: bool,
}

/// The answer to one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The query id.
    pub query: String,
    /// The credential chosen among the query's options.
    pub credential: String,
    /// Claims (JSON pointers) the holder switched off.
    pub withheld: Vec<String>,
}

impl Approval {
    /// The minimal answer: the first option of every required query, every asked claim, and
    /// no optional query.
    pub fn minimal(view: &ConsentView) -> Approval {
        let choices = view
            .queries
            .iter()
            .filter(|query| query.required)
            .filter_map(|query| {
                query.options.first().map(|option| Choice {
                    query: query.id.clone(),
                    credential: option.credential.clone(),
                    withheld: Vec::new(),
                })
            })
            .collect();
        Approval {
            choices,
            allow_linkable: false,
        }
    }
}

impl Wallet {
    /// The consent view of `request` over this wallet's credentials (revoked ones excluded).
    pub async fn consent(&self, request: &PresentationRequest) -> Result<ConsentView, WalletError> {
        let credentials = self.credentials().await?;
        let usable: Vec<&StoredCredential> = credentials
            .iter()
            .filter(|c| c.status != CredentialStatus::Revoked)
            .collect();
        let candidates = usable
            .iter()
            .map(|c| candidate(c))
            .collect::<Result<Vec<_>, _>>()?;
        let result = evaluate(&request.dcql, &candidates);
        let queries = result
            .to_present(&request.dcql)
            .into_iter()
            .map(|(id, required)| QueryConsent {
                options: options(&result, &id, &usable, &request.client_id),
                id,
                required,
            })
            .collect::<Vec<_>>();
        let satisfiable =
            result.satisfied && queries.iter().all(|q| !q.required || !q.options.is_empty());
        Ok(ConsentView {
            verifier: VerifierView {
                client_id: request.client_id.clone(),
                name: request.verifier_name.clone(),
                prefix: request.prefix,
                authenticated: request.is_authenticated(),
                response_host: url::Url::parse(&request.response_uri)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or_default(),
            },
            queries,
            satisfiable,
        })
    }
}

/// The DCQL view of a stored credential.
fn candidate(credential: &StoredCredential) -> Result<Candidate, WalletError> {
    serde_json::from_value(json!({
        "id": credential.id,
        "format": credential.format,
        "vct": credential.vct,
        "types": credential.types,
        "claims": credential.claims,
        "holder_binding": true,
    }))
    .map_err(|e| WalletError::Corrupted(format!("credential {}: {e}", credential.id)))
}

fn options(
    result: &MatchResult,
    query: &str,
    usable: &[&StoredCredential],
    client_id: &str,
) -> Vec<CredentialOption> {
    let Some(matched) = result.queries.get(query) else {
        return Vec::new();
    };
    matched
        .matches
        .iter()
        .filter_map(|found| {
            let credential = usable.iter().find(|c| c.id == found.candidate)?;
            let whole_credential = credential.format != SD_JWT_VC;
            let pointers: Vec<String> = match &found.disclose {
                // Without selective disclosure the whole subject goes, whatever was asked.
                _ if whole_credential => subject_pointers(&credential.claims),
                Disclosure::WholeCredential => credential
                    .claims
                    .keys()
                    .map(|name| format!("/{}", name.replace('~', "~0").replace('/', "~1")))
                    .collect(),
                Disclosure::Claims(paths) => paths
                    .iter()
                    .filter_map(|path| {
                        saifu_credential::sd_jwt::ClaimPath::from_json(&path.to_json())
                            .ok()
                            .map(|p| p.to_string())
                    })
                    .collect(),
            };
            let claims = pointers
                .into_iter()
                .map(|path| ClaimConsent {
                    label: label(&credential.display.claim_labels, &path),
                    value: Value::Object(credential.claims.clone())
                        .pointer(&path)
                        .cloned()
                        .unwrap_or(Value::Null),
                    path,
                })
                .collect();
            Some(CredentialOption {
                credential: credential.id.clone(),
                name: credential.display.name.clone(),
                issuer_name: credential.display.issuer_name.clone(),
                status: credential.status,
                claims,
                linkable: !credential
                    .copies
                    .iter()
                    .any(|copy| copy.shown_to.as_deref().is_none_or(|to| to == client_id)),
                whole_credential,
            })
        })
        .collect()
}

/// The SD-JWT VC format identifier, the one format here that discloses selectively.
const SD_JWT_VC: &str = "dc+sd-jwt";

/// Pointers to every member of a W3C credential's subject (or subjects).
fn subject_pointers(credential: &Map<String, Value>) -> Vec<String> {
    let escape = |name: &str| name.replace('~', "~0").replace('/', "~1");
    match credential.get("credentialSubject") {
        Some(Value::Object(subject)) => subject
            .keys()
            .map(|name| format!("/credentialSubject/{}", escape(name)))
            .collect(),
        Some(Value::Array(subjects)) => subjects
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_object().map(|s| (i, s)))
            .flat_map(|(i, s)| {
                s.keys()
                    .map(move |name| format!("/credentialSubject/{i}/{}", escape(name)))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn label(labels: &Map<String, Value>, path: &str) -> String {
    labels
        .get(path)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| path.trim_start_matches('/').replace('/', " › "))
}
