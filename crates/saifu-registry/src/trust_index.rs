//! The trust registry's query index: the trust statements of a log, by subject, in database
//! tables derived from the log and rebuilt from it.
//!
//! The log is the record; the index is a cache that answers TRQP queries in one indexed
//! lookup. It is brought up to date from the log before each query ([`catch_up`]) — so it is
//! right whichever node appended, and after a crash between an append and its indexing.

use std::future::Future;

use crate::entry::Entry;
use crate::store::{RegistryStore, StoreFailure};
use crate::tiles::TILE_WIDTH;
use crate::trust::{Relation, TrustStatement};

/// The statements about one subject a query looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectQuery<'a> {
    /// The authority.
    pub authority_id: &'a str,
    /// The entity.
    pub entity_id: &'a str,
    /// Authorization or recognition.
    pub relation: Relation,
    /// The action; any when `None`.
    pub action: Option<&'a str>,
    /// The resource; any when `None`.
    pub resource: Option<&'a str>,
}

/// Storage for the index.
pub trait TrustIndexStore: Send + Sync + 'static {
    /// The first leaf index not yet indexed.
    fn trust_cursor(&self, origin: &str) -> impl Future<Output = Result<u64, StoreFailure>> + Send;

    /// Records `statements` (with their leaf indices) and moves the cursor to `next` (never
    /// backwards), in one transaction; statements already indexed are left alone.
    fn index_trust(
        &self,
        origin: &str,
        statements: &[(u64, TrustStatement)],
        next: u64,
    ) -> impl Future<Output = Result<(), StoreFailure>> + Send;

    /// Whether `authority_id` made any indexed statement in the log: a registry answers for
    /// the authorities it knows, and says "not found" for the others (TRQP 404).
    fn knows_authority(
        &self,
        origin: &str,
        authority_id: &str,
    ) -> impl Future<Output = Result<bool, StoreFailure>> + Send;

    /// The indexed statements matching `query`, with their leaf indices.
    fn trust_statements(
        &self,
        origin: &str,
        query: &SubjectQuery<'_>,
    ) -> impl Future<Output = Result<Vec<(u64, TrustStatement)>, StoreFailure>> + Send;
}

/// Indexes every trust statement the log holds beyond the cursor, one entry bundle's worth of
/// entries at a time. Entries that are not trust statements are skipped.
pub async fn catch_up<S: RegistryStore + TrustIndexStore>(
    store: &S,
    origin: &str,
) -> Result<(), StoreFailure> {
    let size = store.log_size(origin).await?;
    let mut next = store.trust_cursor(origin).await?;
    while next < size {
        let end = (next + TILE_WIDTH).min(size);
        let entries = store.entries(origin, next, end).await?;
        let statements: Vec<(u64, TrustStatement)> = (next..)
            .zip(entries)
            .filter_map(|(leaf, bytes)| match Entry::parse(&bytes) {
                Ok(Entry::Trust(signed)) => Some((leaf, signed.statement)),
                _ => None,
            })
            .collect();
        store.index_trust(origin, &statements, end).await?;
        next = end;
    }
    Ok(())
}
