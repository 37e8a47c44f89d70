//! The storage a log needs, as a trait that `saifu-store` implements for SQLite and
//! PostgreSQL.
//!
//! One row per log carries its size, latest signed checkpoint and sequencer lease; every
//! commit is a compare-and-set on (size, lease holder) in one transaction, so two nodes on one
//! database can never extend the same tree in two ways, whatever their clocks or leases say.

use std::collections::HashMap;
use std::future::Future;

use crate::tree::{Hash, NodeId};

/// An opaque database failure.
#[derive(Debug, thiserror::Error)]
#[error("registry storage failed: {0}")]
pub struct StoreFailure(pub Box<dyn std::error::Error + Send + Sync>);

/// Why a batch was not committed.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// The log moved on (another sequencer committed) or this holder lost the lease; nothing
    /// was written.
    #[error("the log changed under this sequencer")]
    Conflict,
    /// The database failed; nothing was written.
    #[error(transparent)]
    Failure(#[from] StoreFailure),
}

/// One sequenced batch, written atomically.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Log size the batch extends; the commit fails unless the stored size still equals it.
    pub old_size: u64,
    /// The new entries, at leaf indices `old_size..`.
    pub entries: Vec<Vec<u8>>,
    /// Every complete subtree hash the entries create.
    pub nodes: Vec<(NodeId, Hash)>,
    /// The signed checkpoint of the new size.
    pub checkpoint: Vec<u8>,
}

/// A checkpoint with the witness cosignatures gathered for it: what the log serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cosigned {
    /// The checkpoint's size.
    pub size: u64,
    /// How many configured witnesses cosigned it.
    pub cosignatures: usize,
    /// The note: the log's signatures and the cosignatures.
    pub note: Vec<u8>,
}

/// Durable storage for one or more logs (keyed by origin).
pub trait RegistryStore: Send + Sync + 'static {
    /// Current size of the log (0 if it has never been written).
    fn log_size(&self, origin: &str) -> impl Future<Output = Result<u64, StoreFailure>> + Send;

    /// The stored subtree hashes among `ids` (missing ones are simply absent).
    fn nodes(
        &self,
        origin: &str,
        ids: &[NodeId],
    ) -> impl Future<Output = Result<HashMap<NodeId, Hash>, StoreFailure>> + Send;

    /// The first leaf index whose RFC 9162 leaf hash is `leaf`, if the log holds such an entry.
    fn leaf_index(
        &self,
        origin: &str,
        leaf: &Hash,
    ) -> impl Future<Output = Result<Option<u64>, StoreFailure>> + Send;

    /// Entries `start..end` (fewer if the log is shorter).
    fn entries(
        &self,
        origin: &str,
        start: u64,
        end: u64,
    ) -> impl Future<Output = Result<Vec<Vec<u8>>, StoreFailure>> + Send;

    /// The latest signed checkpoint, if any batch was committed.
    fn checkpoint(
        &self,
        origin: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreFailure>> + Send;

    /// Takes or renews the sequencer lease for `holder` until `until_ms` (Unix milliseconds)
    /// if it is free, expired at `now_ms`, or already held by `holder`; reports whether
    /// `holder` now holds it.
    fn try_lease(
        &self,
        origin: &str,
        holder: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> impl Future<Output = Result<bool, StoreFailure>> + Send;

    /// Writes `batch` in one transaction if the log size is still `batch.old_size` and
    /// `holder` holds the lease; acknowledging appends is safe once this returns `Ok`.
    fn commit(
        &self,
        origin: &str,
        holder: &str,
        batch: &Batch,
    ) -> impl Future<Output = Result<(), CommitError>> + Send;

    /// The cosigned checkpoint the log serves, if cosignatures were ever gathered.
    fn cosigned(
        &self,
        origin: &str,
    ) -> impl Future<Output = Result<Option<Cosigned>, StoreFailure>> + Send;

    /// Replaces the cosigned checkpoint the log serves.
    fn put_cosigned(
        &self,
        origin: &str,
        cosigned: &Cosigned,
    ) -> impl Future<Output = Result<(), StoreFailure>> + Send;
}
