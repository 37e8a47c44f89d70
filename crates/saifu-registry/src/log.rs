//! Read access to a stored log: tree heads, proofs, tiles and entry bundles, computed from the
//! subtree hashes in a [`RegistryStore`] with one query per request.

use std::sync::Arc;

use crate::store::{RegistryStore, StoreFailure};
use crate::tiles::{Tile, TileError, TileKind, encode_bundle, hash_tile};
use crate::tree::{self, Hash, HashSource, TreeError, nodes_needed};

/// Why a read failed.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The request names sizes or indices the log does not have.
    #[error(transparent)]
    Tree(#[from] TreeError),
    /// The tile does not exist at the current size, or is malformed.
    #[error(transparent)]
    Tile(#[from] TileError),
    /// A size beyond the current log size.
    #[error("size {requested} is beyond the log size {size}")]
    BeyondLog {
        /// Requested size.
        requested: u64,
        /// Current size.
        size: u64,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreFailure),
}

/// A stored log, read-only.
#[derive(Debug)]
pub struct LogReader<S> {
    store: Arc<S>,
    origin: String,
}

impl<S> Clone for LogReader<S> {
    fn clone(&self) -> Self {
        LogReader {
            store: Arc::clone(&self.store),
            origin: self.origin.clone(),
        }
    }
}

impl<S: RegistryStore> LogReader<S> {
    /// Reads the log `origin` in `store`.
    pub fn new(store: Arc<S>, origin: &str) -> LogReader<S> {
        LogReader {
            store,
            origin: origin.to_owned(),
        }
    }

    /// The current log size.
    pub async fn size(&self) -> Result<u64, LogError> {
        Ok(self.store.log_size(&self.origin).await?)
    }

    /// The latest signed checkpoint.
    pub async fn checkpoint(&self) -> Result<Option<Vec<u8>>, LogError> {
        Ok(self.store.checkpoint(&self.origin).await?)
    }

    /// Runs `compute` over exactly the subtree hashes it needs, fetched in one query, after
    /// checking that `size` is not beyond the log.
    async fn with_nodes<T>(
        &self,
        size: u64,
        compute: impl Fn(&dyn HashSource) -> Result<T, TreeError>,
    ) -> Result<T, LogError> {
        let current = self.size().await?;
        if size > current {
            return Err(LogError::BeyondLog {
                requested: size,
                size: current,
            });
        }
        let ids = nodes_needed(&compute);
        let nodes = self.store.nodes(&self.origin, &ids).await?;
        Ok(compute(&nodes)?)
    }

    /// The tree head of `size`.
    pub async fn root(&self, size: u64) -> Result<Hash, LogError> {
        self.with_nodes(size, |src| tree::root(src, size)).await
    }

    /// The inclusion proof of leaf `index` in the tree of `size`.
    pub async fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, LogError> {
        self.with_nodes(size, |src| tree::inclusion_proof(src, index, size))
            .await
    }

    /// The leaf index of the entry whose RFC 9162 leaf hash is `leaf` (its first occurrence),
    /// if the log holds it: what a client holding only the entry needs to ask for its proof.
    pub async fn leaf_index(&self, leaf: &Hash) -> Result<Option<u64>, LogError> {
        Ok(self.store.leaf_index(&self.origin, leaf).await?)
    }

    /// The consistency proof from `old` to `new`.
    pub async fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, LogError> {
        self.with_nodes(new, |src| tree::consistency_proof(src, old, new))
            .await
    }

    /// The bytes of `tile` (a hash tile or an entry bundle); the tile must exist with exactly
    /// that width at the current size or have been full already.
    pub async fn tile(&self, tile: Tile) -> Result<Vec<u8>, LogError> {
        let size = self.size().await?;
        let current = Tile::at_size(tile.kind, tile.index, size)?;
        if current.width < tile.width {
            return Err(TileError::BeyondTree.into());
        }
        match tile.kind {
            TileKind::Hashes { level } => {
                self.with_nodes(size, |src| hash_tile(src, level, tile.index, tile.width))
                    .await
            }
            TileKind::Entries => {
                let start = tile.first();
                let entries = self
                    .store
                    .entries(&self.origin, start, start + u64::from(tile.width))
                    .await?;
                Ok(encode_bundle(&entries)?)
            }
        }
    }
}
