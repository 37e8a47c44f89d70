//! What the rest of the node asks of the registry: append a verified trust statement, record a
//! status list publication or an audit event, and read an authority's statements for TRQP
//! queries and the verifier's trust policy.
//!
//! Hooks elsewhere stay one line: the issuer calls [`RegistryService::record_status`] after a
//! status change and [`RegistryService::audit`] after issuing; the verifier calls
//! [`RegistryService::audit`] with each result.
//!
//! A failed append never undoes the action that caused it. A status change stands (the status
//! list is what verifiers read, and revoking must not depend on the log being up); the failure
//! is logged at error level, and the missing publication is visible to anyone checking the list
//! against the log (`saifu_registry::status::check_list` reports it as unlogged). Audit events
//! are appended in the background, off the request path, and a failure is logged the same way.

use std::str::FromStr;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use saifu_credential::status::fetch::BoxFuture;
use saifu_credential::status::{Limits, StatusList};
use saifu_did::{DidUrl, Relationship, Resolver};
use saifu_registry::entry::{AuditEntry, AuditEvent, Entry, EntryError};
use saifu_registry::log::LogReader;
use saifu_registry::sequencer::{Sequencer, SequencerError};
use saifu_registry::status::{StatusListEntry, sha256_hex};
use saifu_registry::store::StoreFailure;
use saifu_registry::trust::{Relation, SignedTrustStatement, TrustStatement, TrustStatementError};
use saifu_registry::trust_index::{SubjectQuery, TrustIndexStore, catch_up};
use saifu_store::Store;
use saifu_verifier::RecognitionSource;
use serde_json::Value;

/// Why an entry was not appended.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AppendError {
    /// A typed entry (JSON with a known `type`) that is malformed or not canonical.
    #[error(transparent)]
    Entry(#[from] EntryError),
    /// The trust statement or its proof is invalid.
    #[error(transparent)]
    Statement(#[from] TrustStatementError),
    /// The authority's key could not be resolved from the proof's `kid`.
    #[error("the authority's key {kid} could not be resolved: {why}")]
    UnknownKey {
        /// The proof's `kid`.
        kid: String,
        /// The resolver's reason.
        why: String,
    },
    /// A statement about the same subject with the same or a later `issued_at` is already in
    /// the log: this one would never be in force (and may be a replay).
    #[error("a statement issued at or after this one is already in the log (entry {leaf_index})")]
    Superseded {
        /// The newer entry.
        leaf_index: u64,
    },
    /// Status and audit entries are appended by the node itself, never from outside.
    #[error("{0} entries are appended by the node itself")]
    NodeOnly(&'static str),
    /// The log did not acknowledge the append.
    #[error(transparent)]
    Sequencer(#[from] SequencerError),
    /// The index could not be read.
    #[error(transparent)]
    Store(#[from] StoreFailure),
}

/// The registry's services for the node.
pub(crate) struct RegistryService {
    store: Arc<Store>,
    origin: String,
    sequencer: Sequencer,
    resolver: Resolver,
    witnessed: bool,
}

impl std::fmt::Debug for RegistryService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryService")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// The current Unix time in seconds.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl RegistryService {
    /// The services of the log `origin` in `store`, appending through `sequencer` and resolving
    /// authorities' DIDs with `resolver`; `witnessed` when witnesses cosign its checkpoints.
    pub(crate) fn new(
        store: Arc<Store>,
        origin: &str,
        sequencer: Sequencer,
        resolver: Resolver,
        witnessed: bool,
    ) -> RegistryService {
        RegistryService {
            store,
            origin: origin.to_owned(),
            sequencer,
            resolver,
            witnessed,
        }
    }

    /// Whether witnesses cosign the log's checkpoints (and the cosigned one is served).
    pub(crate) fn witnessed(&self) -> bool {
        self.witnessed
    }

    /// A reader of the log.
    pub(crate) fn reader(&self) -> LogReader<Store> {
        LogReader::new(self.store.clone(), &self.origin)
    }

    /// The store the log lives in.
    pub(crate) fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The log's origin.
    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }

    /// `POST /registry/add-entry`: raw bytes are appended as they are; bytes that are a saifu
    /// entry must be a valid trust statement (verified like [`RegistryService::append_trust`]),
    /// since the trust index reads every such entry from the log.
    pub(crate) async fn append_raw(&self, bytes: Vec<u8>) -> Result<u64, AppendError> {
        let typed = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_owned));
        match typed.as_deref() {
            Some("trust") => match Entry::parse(&bytes)? {
                Entry::Trust(signed) => self.append_trust(signed).await,
                _ => Err(EntryError::Malformed("type mismatch".into()).into()),
            },
            Some("status_list") => Err(AppendError::NodeOnly("status list")),
            Some("audit") => Err(AppendError::NodeOnly("audit")),
            _ => Ok(self.sequencer.append(bytes).await?),
        }
    }

    /// Verifies `signed` (the authority's key from its DID, the statement not superseded) and
    /// appends it; its leaf index once durable.
    pub(crate) async fn append_trust(
        &self,
        signed: SignedTrustStatement,
    ) -> Result<u64, AppendError> {
        let kid = signed.kid()?;
        let unknown = |why: String| AppendError::UnknownKey {
            kid: kid.clone(),
            why,
        };
        let url = DidUrl::from_str(&kid).map_err(|e| unknown(e.to_string()))?;
        let method = self
            .resolver
            .resolve_verification_method_for(&url, Relationship::AssertionMethod)
            .await
            .map_err(|e| unknown(e.to_string()))?;
        let key = method.public_key().map_err(|e| unknown(e.to_string()))?;
        signed.verify(&key)?;
        let statement = &signed.statement;
        let query = SubjectQuery {
            authority_id: &statement.authority_id,
            entity_id: &statement.entity_id,
            relation: statement.relation,
            action: Some(&statement.action),
            resource: Some(&statement.resource),
        };
        if let Some((leaf_index, _)) = self
            .statements(&query)
            .await?
            .into_iter()
            .find(|(_, s)| s.issued_at >= statement.issued_at)
        {
            return Err(AppendError::Superseded { leaf_index });
        }
        Ok(self
            .sequencer
            .append(Entry::Trust(signed).to_bytes())
            .await?)
    }

    /// The statements matching `query`, after bringing the index up to date with the log.
    pub(crate) async fn statements(
        &self,
        query: &SubjectQuery<'_>,
    ) -> Result<Vec<(u64, TrustStatement)>, StoreFailure> {
        catch_up(&*self.store, &self.origin).await?;
        self.store.trust_statements(&self.origin, query).await
    }

    /// Whether `authority_id` made any trust statement in the log (brought up to date by a
    /// [`statements`](Self::statements) query just before).
    pub(crate) async fn knows_authority(&self, authority_id: &str) -> Result<bool, StoreFailure> {
        self.store.knows_authority(&self.origin, authority_id).await
    }

    /// Records that the credential at `index` of the list in `token` (the Status List Token as
    /// served right after the change) now has `status`. Returns the leaf index, or `None` after
    /// logging why the append failed.
    pub(crate) async fn record_status(&self, token: &str, index: u64, status: u8) -> Option<u64> {
        let entry = match status_entry(token, index, status) {
            Ok(entry) => entry,
            Err(error) => {
                tracing::error!(%error, index, "status change not logged: unreadable status list");
                return None;
            }
        };
        match self
            .sequencer
            .append(Entry::StatusList(entry).to_bytes())
            .await
        {
            Ok(leaf) => Some(leaf),
            Err(error) => {
                tracing::error!(%error, index, status, "status change not logged in the registry");
                None
            }
        }
    }

    /// Appends the SHA-256 of `event_bytes` as an audit event, in the background.
    pub(crate) fn audit(&self, event: AuditEvent, event_bytes: &[u8]) {
        let entry = Entry::Audit(AuditEntry {
            event,
            sha256: sha256_hex(event_bytes),
            time: now(),
        });
        let sequencer = self.sequencer.clone();
        tokio::spawn(async move {
            if let Err(error) = sequencer.append(entry.to_bytes()).await {
                tracing::error!(%error, ?event, "audit event not logged in the registry");
            }
        });
    }
}

/// The publication entry for a Status List Token (a JWT whose `sub` is the list URI and whose
/// `status_list` holds the list, draft-ietf-oauth-status-list §5.1).
fn status_entry(token: &str, index: u64, status: u8) -> Result<StatusListEntry, String> {
    let payload = token.split('.').nth(1).ok_or("not a JWT")?;
    let payload = B64URL.decode(payload).map_err(|e| e.to_string())?;
    let claims: Value = serde_json::from_slice(&payload).map_err(|e| e.to_string())?;
    let uri = claims["sub"].as_str().ok_or("no `sub`")?.to_owned();
    let list = StatusList::from_json(&claims["status_list"], &Limits::default())
        .map_err(|e| e.to_string())?;
    Ok(StatusListEntry {
        uri,
        index,
        status,
        list_sha256: sha256_hex(list.as_bytes()),
        token_sha256: sha256_hex(token.as_bytes()),
        time: now(),
    })
}

impl RecognitionSource for RegistryService {
    fn statements<'a>(
        &'a self,
        authority: &'a str,
        entity: &'a str,
        vct: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Vec<(u64, TrustStatement)>, String>> {
        Box::pin(async move {
            let query = SubjectQuery {
                authority_id: authority,
                entity_id: entity,
                relation: Relation::Authorization,
                action: Some("issue"),
                resource: vct,
            };
            RegistryService::statements(self, &query)
                .await
                .map_err(|e| e.to_string())
        })
    }
}
