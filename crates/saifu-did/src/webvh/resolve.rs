//! Resolving a did:webvh DID: fetch `did.jsonl` (and `did-witness.json` when entries need
//! witnessing), verify the whole log, then pick the version asked for (did:webvh 1.0 "Read
//! (Resolve)", "Reading did:webvh DID URLs") and describe it in the document metadata.

use serde_json::{Map, Value, json};

use super::error::WebvhError;
use super::identifier::WebvhDid;
use super::verify::{VerifiedLog, Version, verify_log};
use crate::document::{DidDocument, OneOrMany, Service};
use crate::error::{InvalidDidReason, NotFoundReason, ResolutionError};
use crate::http::HttpClient;
use crate::resolution::{DocumentMetadata, ResolvedDocument};
use crate::web::fetch;
use crate::{datetime, syntax::Did};

/// The `Accept` header sent when fetching a log.
const ACCEPT: &str = "text/jsonl, application/jsonl, application/json;q=0.5, */*;q=0.1";

/// Which version of the DID a resolution asks for (the `versionId`, `versionTime` and
/// `versionNumber` DID URL query parameters).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum VersionQuery {
    /// The latest version.
    #[default]
    Latest,
    /// The version with this exact `versionId`.
    Id(String),
    /// The version in force at this time (Unix seconds).
    Time(i64),
    /// The version with this number.
    Number(u64),
}

/// A query parameter that cannot name a version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid version selector")]
pub struct InvalidVersionQuery(pub String);

impl VersionQuery {
    /// Reads the selector from a DID URL query (`versionId=…`, `versionTime=…`,
    /// `versionNumber=…`); other parameters are ignored.
    pub fn from_query(query: Option<&str>) -> Result<VersionQuery, InvalidVersionQuery> {
        let mut selected = VersionQuery::Latest;
        for pair in query.unwrap_or_default().split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let invalid = || InvalidVersionQuery(pair.to_owned());
            selected = match name {
                "versionId" => VersionQuery::Id(value.to_owned()),
                "versionTime" => VersionQuery::Time(
                    datetime::parse(&value.replace("%3A", ":")).ok_or_else(invalid)?,
                ),
                "versionNumber" => VersionQuery::Number(value.parse().map_err(|_| invalid())?),
                _ => continue,
            };
        }
        Ok(selected)
    }
}

/// Fetches the log of `did` and verifies it; the witness file is fetched only when an entry
/// needs witnessing.
pub async fn fetch_verified(
    client: &HttpClient,
    did: &WebvhDid,
    now: i64,
) -> Result<VerifiedLog, ResolutionError> {
    let log = fetch(client, did.log_url(), ACCEPT).await?;
    let log = String::from_utf8(log).map_err(|_| invalid(WebvhError::EmptyLog))?;
    match verify_log(Some(did.did()), &log, None, now) {
        Err(WebvhError::NotWitnessed { .. }) => {
            let file = fetch(client, did.witness_url(), "application/json").await?;
            let file: Value = serde_json::from_slice(&file).unwrap_or(Value::Null);
            verify_log(Some(did.did()), &log, Some(&file), now).map_err(invalid)
        }
        other => other.map_err(invalid),
    }
}

fn invalid(error: WebvhError) -> ResolutionError {
    ResolutionError::InvalidDid(InvalidDidReason::Webvh(error))
}

/// The version `query` selects from a verified log, as a resolved document with did:webvh
/// metadata. The latest version of a deactivated DID resolves to its bare `id`: the document
/// itself is not returned (did:webvh 1.0 "Deactivate").
pub fn select(
    log: &VerifiedLog,
    did: &WebvhDid,
    query: &VersionQuery,
) -> Result<ResolvedDocument, ResolutionError> {
    let not_found = || ResolutionError::from(NotFoundReason::Version(format!("{query:?}")));
    let version = match query {
        VersionQuery::Latest => Some(log.latest()),
        VersionQuery::Id(id) => log.versions.iter().find(|v| &v.version_id == id),
        VersionQuery::Number(n) => log.versions.iter().find(|v| v.number == *n),
        VersionQuery::Time(t) => log.versions.iter().rev().find(|v| v.time <= *t),
    }
    .ok_or_else(not_found)?;
    let latest = log.latest();
    let document = if *query == VersionQuery::Latest && latest.parameters.deactivated {
        DidDocument::new(did.did().clone())
    } else {
        let mut document: DidDocument = serde_json::from_value(version.state.clone())
            .map_err(|e| invalid(state_error(version, &e.to_string())))?;
        document
            .validate()
            .map_err(|e| invalid(state_error(version, &e.to_string())))?;
        add_implicit_services(&mut document, did);
        document
    };
    Ok(ResolvedDocument {
        document,
        metadata: metadata(log, version),
    })
}

fn state_error(version: &Version, reason: &str) -> WebvhError {
    WebvhError::State {
        version_id: version.version_id.clone(),
        reason: reason.to_owned(),
    }
}

/// did:webvh 1.0 "Read (Resolve)": the document metadata; numbers are strings, as DID
/// Resolution requires of metadata.
fn metadata(log: &VerifiedLog, version: &Version) -> DocumentMetadata {
    let latest = log.latest();
    let active = &latest.parameters;
    let mut extra = Map::new();
    extra.insert("versionTime".into(), version.version_time.clone().into());
    extra.insert("scid".into(), active.scid.clone().into());
    extra.insert("portable".into(), active.portable.into());
    extra.insert("ttl".into(), active.ttl.to_string().into());
    if active.witness.is_active() {
        extra.insert(
            "witness".into(),
            json!({
                "threshold": active.witness.threshold.unwrap_or_default().to_string(),
                "witnesses": active.witness.witnesses,
            }),
        );
    }
    extra.insert("watchers".into(), active.watchers.clone().into());
    let next = log.versions.iter().find(|v| v.number == version.number + 1);
    DocumentMetadata {
        created: Some(log.versions[0].version_time.clone()),
        updated: Some(latest.version_time.clone()),
        deactivated: Some(active.deactivated),
        version_id: Some(version.version_id.clone()),
        next_version_id: next.map(|v| v.version_id.clone()),
        extra,
        ..DocumentMetadata::default()
    }
}

/// did:webvh 1.0 "DID URL Resolution": the `#files` (relativeRef) and `#whois`
/// (LinkedVerifiablePresentation) services exist implicitly unless the document defines them.
fn add_implicit_services(document: &mut DidDocument, did: &WebvhDid) {
    let base = did.files_base();
    let has = |document: &DidDocument, fragment: &str| {
        document
            .service
            .iter()
            .any(|s| s.id == format!("#{fragment}") || s.id == format!("{}#{fragment}", did.did()))
    };
    if !has(document, "files") {
        document.service.push(Service {
            id: "#files".into(),
            type_: OneOrMany::One("relativeRef".into()),
            service_endpoint: base.clone().into(),
            extra: Map::new(),
        });
    }
    if !has(document, "whois") {
        let mut extra = Map::new();
        extra.insert(
            "@context".into(),
            "https://identity.foundation/linked-vp/contexts/v1".into(),
        );
        document.service.push(Service {
            id: "#whois".into(),
            type_: OneOrMany::One("LinkedVerifiablePresentation".into()),
            service_endpoint: format!("{base}/whois.vp").into(),
            extra,
        });
    }
}

/// The DID a did:webvh DID URL names, with its version selector.
pub fn parse_did(did: &Did) -> Result<WebvhDid, ResolutionError> {
    WebvhDid::parse(did).map_err(|e| invalid(e.into()))
}
