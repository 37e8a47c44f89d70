//! Matching credentials against a DCQL query (OpenID4VP 1.0 §6.4): what the wallet offers for
//! consent and what the verifier checks a response against.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::credential_sets::{self, CredentialSetResult};
use super::model::{AuthorityType, ClaimsQuery, CredentialQuery, DcqlQuery, Format, Meta};
use super::path::ClaimPath;

/// A credential to match, in a format-neutral shape. mdoc claims are given as
/// `{namespace: {element: value}}` so that `[namespace, element]` paths select them (§7.2).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Candidate {
    /// An opaque identifier the caller uses to recognise the credential in the result.
    pub id: String,
    /// The credential's format.
    pub format: Format,
    /// SD-JWT VC `vct`.
    #[serde(default)]
    pub vct: Option<String>,
    /// mdoc doctype.
    #[serde(default)]
    pub doctype: Option<String>,
    /// W3C `type`, as expanded IRIs.
    #[serde(default)]
    pub types: Vec<String>,
    /// The claims (or mdoc namespaces) the holder can disclose.
    pub claims: Value,
    /// Whether the credential can be presented with cryptographic holder binding.
    pub holder_binding: bool,
    /// Identifiers of the authorities behind the issuer (for example the AKIs in its chain).
    #[serde(default)]
    pub authorities: Vec<AuthorityId>,
}

/// One identifier of an authority behind a credential's issuer (§6.1.1).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AuthorityId {
    /// The kind of identifier.
    #[serde(rename = "type")]
    pub kind: AuthorityType,
    /// The identifier, in the encoding `trusted_authorities` uses.
    pub value: String,
}

/// The outcome of a whole query against a set of candidates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchResult {
    /// Whether the candidates can answer the query: every required credential set has a
    /// satisfiable option, or, without `credential_sets`, every credential query matched.
    pub satisfied: bool,
    /// Per credential query id.
    pub queries: BTreeMap<String, QueryMatch>,
    /// Per entry of `credential_sets`, in order (empty when the query has none).
    pub credential_sets: Vec<CredentialSetResult>,
}

impl MatchResult {
    /// The consent view: the credential queries to present, in query order, each with whether
    /// it is required. Without `credential_sets` every query is required; otherwise each set
    /// contributes its preferred option (a query in a required set is required).
    pub fn to_present(&self, query: &DcqlQuery) -> Vec<(String, bool)> {
        let Some(sets) = &query.credential_sets else {
            return query
                .credentials
                .iter()
                .map(|c| (c.id.clone(), true))
                .collect();
        };
        query
            .credentials
            .iter()
            .filter_map(|credential| {
                let mut chosen = sets
                    .iter()
                    .zip(&self.credential_sets)
                    .filter(|(set, result)| {
                        result
                            .preferred_option()
                            .is_some_and(|option| set.options[option].contains(&credential.id))
                    });
                chosen.next().map(|(first, _)| {
                    (
                        credential.id.clone(),
                        first.required || chosen.any(|(set, _)| set.required),
                    )
                })
            })
            .collect()
    }
}

/// The outcome of one credential query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryMatch {
    /// The candidates that answer the query, in input order.
    pub matches: Vec<CandidateMatch>,
    /// Why each other candidate does not.
    pub rejections: Vec<Rejection>,
}

impl QueryMatch {
    /// Whether at least one candidate answers the query.
    pub fn is_match(&self) -> bool {
        !self.matches.is_empty()
    }
}

/// A candidate that answers a credential query, with what it must disclose.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateMatch {
    /// [`Candidate::id`].
    pub candidate: String,
    /// The index of the chosen `claim_sets` option, the first satisfiable one.
    pub claim_set: Option<usize>,
    /// The minimal disclosure.
    pub disclose: Disclosure,
}

/// What a matching credential must disclose.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    /// The query has no `claims`: the whole credential.
    WholeCredential,
    /// Concrete claim paths (wildcards expanded to the matching indexes), in query order.
    Claims(Vec<ClaimPath>),
}

/// A candidate that does not answer a credential query, and the first reason why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejection {
    /// [`Candidate::id`].
    pub candidate: String,
    /// The reason.
    pub reason: NoMatch,
}

/// Why a candidate does not answer a credential query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoMatch {
    /// The credential has another format.
    WrongFormat,
    /// `vct`, doctype or type does not fit `meta`.
    MetaMismatch,
    /// None of the credential's authorities is in `trusted_authorities`.
    UntrustedAuthority,
    /// The query requires holder binding and the credential has none.
    HolderBindingRequired,
    /// The path selects nothing (§7.1 processing aborts).
    MissingClaim {
        /// The query's path.
        path: ClaimPath,
    },
    /// The path selects values, none of them in `values`.
    ValueMismatch {
        /// The query's path.
        path: ClaimPath,
    },
    /// No `claim_sets` option has all its claims.
    NoClaimSetSatisfied,
}

/// Evaluates `query` against `candidates`.
pub fn evaluate(query: &DcqlQuery, candidates: &[Candidate]) -> MatchResult {
    let queries: BTreeMap<String, QueryMatch> = query
        .credentials
        .iter()
        .map(|credential_query| {
            let mut result = QueryMatch {
                matches: Vec::new(),
                rejections: Vec::new(),
            };
            for candidate in candidates {
                match match_candidate(credential_query, candidate) {
                    Ok(found) => result.matches.push(found),
                    Err(reason) => result.rejections.push(Rejection {
                        candidate: candidate.id.clone(),
                        reason,
                    }),
                }
            }
            (credential_query.id.clone(), result)
        })
        .collect();
    let (satisfied, credential_sets) = credential_sets::evaluate(query, |id| {
        queries.get(id).is_some_and(QueryMatch::is_match)
    });
    MatchResult {
        satisfied,
        queries,
        credential_sets,
    }
}

fn match_candidate(
    query: &CredentialQuery,
    candidate: &Candidate,
) -> Result<CandidateMatch, NoMatch> {
    if candidate.format != query.format {
        return Err(NoMatch::WrongFormat);
    }
    if !meta_accepts(&query.meta, candidate) {
        return Err(NoMatch::MetaMismatch);
    }
    if let Some(trusted) = &query.trusted_authorities
        && !trusted.iter().any(|authority| {
            candidate
                .authorities
                .iter()
                .any(|id| id.kind == authority.kind && authority.values.contains(&id.value))
        })
    {
        return Err(NoMatch::UntrustedAuthority);
    }
    if query.require_cryptographic_holder_binding && !candidate.holder_binding {
        return Err(NoMatch::HolderBindingRequired);
    }
    let Some(claims) = &query.claims else {
        return Ok(CandidateMatch {
            candidate: candidate.id.clone(),
            claim_set: None,
            disclose: Disclosure::WholeCredential,
        });
    };
    let (claim_set, paths) = match &query.claim_sets {
        None => {
            let paths = claims
                .iter()
                .map(|claim| match_claim(claim, &candidate.claims))
                .collect::<Result<Vec<_>, _>>()?;
            (None, paths)
        }
        Some(sets) => {
            // Each claim is evaluated once; options are then tried in preference order (§6.4.1).
            let outcomes: Vec<_> = claims
                .iter()
                .map(|claim| match_claim(claim, &candidate.claims))
                .collect();
            let outcome_of = |id: &String| {
                claims
                    .iter()
                    .position(|claim| claim.id.as_ref() == Some(id))
                    .and_then(|i| outcomes[i].as_ref().ok())
            };
            sets.iter()
                .enumerate()
                .find_map(|(index, set)| {
                    set.iter()
                        .map(outcome_of)
                        .collect::<Option<Vec<_>>>()
                        .map(|paths| (Some(index), paths.into_iter().cloned().collect()))
                })
                .ok_or(NoMatch::NoClaimSetSatisfied)?
        }
    };
    let mut disclose: Vec<ClaimPath> = Vec::new();
    for path in paths.into_iter().flatten() {
        if !disclose.contains(&path) {
            disclose.push(path);
        }
    }
    Ok(CandidateMatch {
        candidate: candidate.id.clone(),
        claim_set,
        disclose: Disclosure::Claims(disclose),
    })
}

fn meta_accepts(meta: &Meta, candidate: &Candidate) -> bool {
    match meta {
        Meta::SdJwtVc { vct_values } => candidate
            .vct
            .as_ref()
            .is_some_and(|vct| vct_values.contains(vct)),
        Meta::Mdoc { doctype_value } => candidate.doctype.as_ref() == Some(doctype_value),
        Meta::W3c { type_values } => type_values
            .iter()
            .any(|required| required.iter().all(|t| candidate.types.contains(t))),
    }
}

/// The concrete paths a claims query discloses from `claims`: every selected node, or with
/// `values` only the nodes whose value is one of them.
fn match_claim(claim: &ClaimsQuery, claims: &Value) -> Result<Vec<ClaimPath>, NoMatch> {
    let selected = claim
        .path
        .select(claims)
        .ok_or_else(|| NoMatch::MissingClaim {
            path: claim.path.clone(),
        })?;
    let paths: Vec<ClaimPath> = selected
        .into_iter()
        .filter(|(_, value)| {
            claim
                .values
                .as_ref()
                .is_none_or(|values| values.iter().any(|wanted| wanted.matches(value)))
        })
        .map(|(path, _)| path)
        .collect();
    if paths.is_empty() {
        return Err(NoMatch::ValueMismatch {
            path: claim.path.clone(),
        });
    }
    Ok(paths)
}
