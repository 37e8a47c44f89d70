//! Hosting did:webvh logs on a node, non-custodially: controllers make and sign entries with
//! their own update keys; the node verifies the whole log with the new entry before accepting
//! it, appends the entry to the transparency log, and only then publishes it.
//!
//! Authorisation: the entry's own proof by an authorized update key is what allows an update
//! (the node holds no DID keys). Creating a new name also needs the node's admin token, so that
//! nobody can squat names on someone else's node. A refused entry changes nothing.
//!
//! What enters the transparency log for each DID log entry is its JCS (RFC 8785) form: the
//! same bytes for any host or serialization of the entry, so a resolver can recompute the leaf.

use std::future::Future;
use std::sync::Arc;

use saifu_did::Did;
use saifu_did::data_integrity::jcs;
use saifu_did::webvh::{self, WebvhDid, WebvhError};
use serde_json::Value;
use url::Url;

use crate::sequencer::{Sequencer, SequencerError};
use crate::store::StoreFailure;

/// Longest name a hosted DID may have.
pub const MAX_NAME_LEN: usize = 64;

/// One stored entry of a hosted log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedEntry {
    /// The entry's `versionId`.
    pub version_id: String,
    /// The JSON line, exactly as published.
    pub line: String,
    /// Its leaf index in the node's transparency log.
    pub leaf_index: u64,
}

/// Why a hosted entry could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum HostStoreError {
    /// Another entry with this version number was stored first.
    #[error("an entry with this version number already exists")]
    Conflict,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreFailure),
}

/// The storage a DID host needs; `saifu-store` implements it for SQLite and PostgreSQL.
pub trait DidHostStore: Send + Sync + 'static {
    /// The entries of the log hosted under `name`, oldest first (empty if there is none).
    fn hosted_entries(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Vec<HostedEntry>, StoreFailure>> + Send;

    /// Stores entry `number` (1-based) of `name`; [`HostStoreError::Conflict`] if that number
    /// is taken (the database's uniqueness decides between racing nodes).
    fn store_hosted_entry(
        &self,
        name: &str,
        number: u64,
        did: &str,
        entry: &HostedEntry,
    ) -> impl Future<Output = Result<(), HostStoreError>> + Send;
}

/// Why a publication was refused.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The name is not 1–64 characters of `a-z`, `0-9`, `-`, `_`.
    #[error("`{0}` is not a valid DID name (1-{MAX_NAME_LEN} of a-z, 0-9, -, _)")]
    InvalidName(String),
    /// A new name needs the node's admin token.
    #[error("creating a new DID name needs the node's admin token")]
    Unauthorized,
    /// The body is not one JSON log entry.
    #[error("not a did:webvh log entry: {0}")]
    Malformed(String),
    /// The entry is larger than a transparency-log entry may be.
    #[error("the entry has {0} bytes, more than the transparency log accepts")]
    TooLarge(usize),
    /// The log with the new entry does not verify.
    #[error(transparent)]
    Invalid(#[from] WebvhError),
    /// The DID does not live at this name on this node.
    #[error("{did} is not hosted at {expected}")]
    WrongLocation {
        /// The DID of the entry.
        did: String,
        /// Where this name's log is served.
        expected: String,
    },
    /// Another entry with the same version number was published concurrently.
    #[error("another entry for this version was published first; fetch the log and retry")]
    Conflict,
    /// The transparency log did not take the entry.
    #[error("transparency log: {0}")]
    Log(#[from] SequencerError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreFailure),
}

/// A published entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The DID.
    pub did: String,
    /// The entry's `versionId`.
    pub version_id: String,
    /// Its leaf index in the transparency log.
    pub leaf_index: u64,
}

/// The DID host of a node whose public base URL is `base`.
#[derive(Debug)]
pub struct DidHost<S> {
    store: Arc<S>,
    sequencer: Sequencer,
    base: Url,
}

impl<S: DidHostStore> DidHost<S> {
    /// Hosts logs in `store`, appending to the transparency log through `sequencer`; logs are
    /// served under `{base}/dids/{name}/did.jsonl`.
    pub fn new(store: Arc<S>, sequencer: Sequencer, base: Url) -> Self {
        DidHost {
            store,
            sequencer,
            base,
        }
    }

    /// The stored entries of `name` (empty if none).
    pub async fn entries(&self, name: &str) -> Result<Vec<HostedEntry>, PublishError> {
        check_name(name)?;
        Ok(self.store.hosted_entries(name).await?)
    }

    /// Verifies `body` (one JSON entry) as the next entry of `name`'s log and publishes it.
    /// `admin` says whether the request carried the admin token; `now` is Unix seconds.
    pub async fn publish(
        &self,
        name: &str,
        body: &[u8],
        admin: bool,
        now: i64,
    ) -> Result<Published, PublishError> {
        check_name(name)?;
        let entry: Value =
            serde_json::from_slice(body).map_err(|e| PublishError::Malformed(e.to_string()))?;
        let line = serde_json::to_string(&entry)
            .unwrap_or_else(|e| unreachable!("JSON values serialize: {e}"));
        let leaf = jcs::canonicalize(&entry).map_err(|e| PublishError::Malformed(e.to_string()))?;
        if leaf.len() > crate::tiles::MAX_ENTRY_SIZE {
            return Err(PublishError::TooLarge(leaf.len()));
        }
        let existing = self.store.hosted_entries(name).await?;
        if existing.is_empty() && !admin {
            return Err(PublishError::Unauthorized);
        }
        let mut log: String = existing.iter().map(|e| format!("{}\n", e.line)).collect();
        log.push_str(&line);
        let verified = webvh::verify_log(None, &log, None, now)?;
        let latest = verified.latest();
        let did: Did = latest
            .state
            .get("id")
            .and_then(Value::as_str)
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| PublishError::Malformed("no DID in `state.id`".into()))?;
        self.check_location(name, &did)?;
        let leaf_index = self.sequencer.append(leaf.into_bytes()).await?;
        let hosted = HostedEntry {
            version_id: latest.version_id.clone(),
            line,
            leaf_index,
        };
        self.store
            .store_hosted_entry(name, latest.number, did.as_str(), &hosted)
            .await
            .map_err(|e| match e {
                HostStoreError::Conflict => PublishError::Conflict,
                HostStoreError::Store(failure) => PublishError::Store(failure),
            })?;
        Ok(Published {
            did: did.to_string(),
            version_id: hosted.version_id,
            leaf_index,
        })
    }

    /// The DID's log location must be this node's `/dids/{name}/did.jsonl` (the scheme aside:
    /// a development node serves plain http; and as did:webvh forbids IP addresses, a node on a
    /// loopback address hosts `localhost` DIDs).
    fn check_location(&self, name: &str, did: &Did) -> Result<(), PublishError> {
        let expected = self
            .base
            .join(&format!("dids/{name}/did.jsonl"))
            .map_err(|e| PublishError::Malformed(e.to_string()))?;
        let actual = WebvhDid::parse(did).map(|d| d.log_url()).ok();
        let same = actual.as_ref().is_some_and(|actual| {
            same_host(actual, &expected)
                && actual.port_or_known_default() == expected.port_or_known_default()
                && actual.path() == expected.path()
        });
        if same {
            Ok(())
        } else {
            Err(PublishError::WrongLocation {
                did: did.to_string(),
                expected: expected.to_string(),
            })
        }
    }
}

fn check_name(name: &str) -> Result<(), PublishError> {
    let valid = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(PublishError::InvalidName(name.to_owned()))
    }
}

/// Equal hosts, or both loopback (`localhost`, `127.0.0.1`, `::1`).
fn same_host(a: &Url, b: &Url) -> bool {
    let loopback = |url: &Url| match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    a.host_str() == b.host_str() || (loopback(a) && loopback(b))
}
