//! Resolving a did:webvh DID whose history a transparency log also records: the did:webvh log
//! must verify on its own, and every one of its entries must be a leaf of a checkpoint the
//! client's [`WitnessPolicy`] accepts — checked with inclusion proofs computed from the log's
//! tlog-tiles hash tiles, so neither the DID host nor the log operator is trusted alone.
//!
//! The host lists the leaf index of each entry in `did-inclusion.json` beside `did.jsonl`;
//! those indices are only hints: a wrong one fails the proof.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use saifu_did::data_integrity::jcs;
use saifu_did::http::HttpError;
use saifu_did::webvh::{VerifiedLog, WebvhDid};
use saifu_did::{Did, ResolutionError, Resolver};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::checkpoint::Checkpoint;
use crate::policy::{PolicyError, WitnessPolicy};
use crate::tiles::{TILE_WIDTH, Tile, TileKind};
use crate::tree::{self, Hash, NodeId, node_hash, nodes_needed};

/// The file beside `did.jsonl` listing each entry's leaf index.
pub const INCLUSION_FILE: &str = "did-inclusion.json";

/// `did-inclusion.json`: where each entry of a hosted DID log sits in the transparency log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionFile {
    /// The transparency log's origin.
    pub origin: String,
    /// One record per entry, oldest first.
    pub entries: Vec<InclusionRecord>,
}

/// The leaf index of one DID log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InclusionRecord {
    /// The entry's `versionId`.
    pub version_id: String,
    /// Its leaf index.
    pub leaf_index: u64,
}

/// A transparency log a client trusts: where its tiles are served and whose checkpoints it
/// accepts.
#[derive(Debug, Clone)]
pub struct TrustedLog {
    /// The log's URL prefix, ending in `/` (e.g. `https://node.example/registry/`).
    pub prefix: Url,
    /// Which checkpoints are acceptable (log keys, witnesses).
    pub policy: WitnessPolicy,
}

/// Why a DID was refused.
#[derive(Debug, thiserror::Error)]
pub enum DidLogError {
    /// The DID did not resolve, or its did:webvh log did not verify.
    #[error(transparent)]
    Resolution(#[from] ResolutionError),
    /// A file could not be fetched.
    #[error("fetching {url}: {source}")]
    Fetch {
        /// What was fetched (boxed: it would make every result large).
        url: Box<Url>,
        /// Why it failed.
        source: HttpError,
    },
    /// `did-inclusion.json` or a tile is malformed.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// The checkpoint is not acceptable.
    #[error(transparent)]
    Checkpoint(#[from] PolicyError),
    /// An entry has no leaf in the accepted checkpoint.
    #[error("entry {version_id} is not in the transparency log")]
    NotIncluded {
        /// The entry's `versionId`.
        version_id: String,
    },
    /// The leaf the host names is not this entry: the DID log and the transparency log disagree.
    #[error("entry {version_id} is not leaf {index} of the transparency log")]
    Mismatch {
        /// The entry's `versionId`.
        version_id: String,
        /// The leaf index claimed.
        index: u64,
    },
}

/// A DID log whose every entry is proven included.
#[derive(Debug, Clone)]
pub struct IncludedLog {
    /// The verified did:webvh log.
    pub log: Arc<VerifiedLog>,
    /// The checkpoint the inclusion was proven against.
    pub checkpoint: Checkpoint,
    /// The leaf index of each entry, in log order.
    pub leaves: Vec<u64>,
}

/// The transparency-log leaf of a DID log entry: its JCS form.
pub fn leaf(entry: &serde_json::Value) -> Option<Vec<u8>> {
    jcs::canonicalize(entry).ok().map(String::into_bytes)
}

/// Resolves `did` with `resolver`, then proves each entry's inclusion in `trusted`.
pub async fn resolve_included(
    resolver: &Resolver,
    did: &Did,
    trusted: &TrustedLog,
) -> Result<IncludedLog, DidLogError> {
    let log = resolver.webvh_log(did).await?;
    let location = WebvhDid::parse(did)
        .map_err(|e| ResolutionError::from(saifu_did::error::InvalidDidReason::Webvh(e.into())))?;
    let inclusion: InclusionFile =
        serde_json::from_slice(&fetch(resolver, location.sibling_url(INCLUSION_FILE)).await?)
            .map_err(|_| DidLogError::Malformed(INCLUSION_FILE))?;
    let note = fetch(resolver, join(&trusted.prefix, "checkpoint")?).await?;
    let checkpoint = trusted.policy.accept(&note)?.checkpoint;
    let mut leaves = Vec::with_capacity(log.versions.len());
    let mut claims = Vec::with_capacity(log.versions.len());
    for version in &log.versions {
        let not_included = || DidLogError::NotIncluded {
            version_id: version.version_id.clone(),
        };
        let index = inclusion
            .entries
            .iter()
            .find(|r| r.version_id == version.version_id)
            .map(|r| r.leaf_index)
            .filter(|&index| index < checkpoint.size)
            .ok_or_else(not_included)?;
        let data = leaf(&version.entry).ok_or_else(not_included)?;
        leaves.push(index);
        claims.push((version.version_id.clone(), index, tree::leaf_hash(&data)));
    }
    let size = checkpoint.size;
    let needed: HashSet<NodeId> = claims
        .iter()
        .flat_map(|(_, index, _)| nodes_needed(|src| tree::inclusion_proof(src, *index, size)))
        .collect();
    let nodes = TileReader::new(resolver, trusted, size)
        .nodes(&needed)
        .await?;
    for (version_id, index, leaf_hash) in claims {
        let mismatch = || DidLogError::Mismatch {
            version_id: version_id.clone(),
            index,
        };
        let proof = tree::inclusion_proof(&nodes, index, size).map_err(|_| mismatch())?;
        tree::verify_inclusion(&leaf_hash, index, size, &proof, &checkpoint.root)
            .map_err(|_| mismatch())?;
    }
    Ok(IncludedLog {
        log,
        checkpoint,
        leaves,
    })
}

/// Reads subtree hashes from hash tiles: a node at level `l` is the root of at most 2⁷ hashes
/// of level `8·⌊l/8⌋`, all in one tile.
struct TileReader<'a> {
    resolver: &'a Resolver,
    trusted: &'a TrustedLog,
    size: u64,
    tiles: HashMap<(u8, u64), Vec<Hash>>,
}

impl<'a> TileReader<'a> {
    fn new(resolver: &'a Resolver, trusted: &'a TrustedLog, size: u64) -> Self {
        TileReader {
            resolver,
            trusted,
            size,
            tiles: HashMap::new(),
        }
    }

    async fn nodes(
        mut self,
        needed: &HashSet<NodeId>,
    ) -> Result<HashMap<NodeId, Hash>, DidLogError> {
        let mut out = HashMap::with_capacity(needed.len());
        for &(level, index) in needed {
            let base = level - level % 8;
            let span = 1u64 << (level - base);
            let first = index * span;
            let tile_index = first / TILE_WIDTH;
            let hashes = self.tile(base / 8, tile_index).await?;
            let start = usize::try_from(first % TILE_WIDTH).unwrap_or(usize::MAX);
            let end = start.saturating_add(usize::try_from(span).unwrap_or(usize::MAX));
            let mut layer: Vec<Hash> = hashes
                .get(start..end)
                .ok_or(DidLogError::Malformed("hash tile"))?
                .to_vec();
            while layer.len() > 1 {
                layer = layer
                    .chunks(2)
                    .map(|pair| node_hash(&pair[0], &pair[1]))
                    .collect();
            }
            out.insert((level, index), layer[0]);
        }
        Ok(out)
    }

    async fn tile(&mut self, level: u8, index: u64) -> Result<&Vec<Hash>, DidLogError> {
        if !self.tiles.contains_key(&(level, index)) {
            let tile = Tile::at_size(TileKind::Hashes { level }, index, self.size)
                .map_err(|_| DidLogError::Malformed("hash tile"))?;
            let url = join(&self.trusted.prefix, &tile.path())?;
            let bytes = fetch(self.resolver, url).await?;
            if bytes.len() != usize::from(tile.width) * 32 {
                return Err(DidLogError::Malformed("hash tile"));
            }
            let hashes = bytes
                .chunks(32)
                .map(|c| c.try_into().unwrap_or([0; 32]))
                .collect();
            self.tiles.insert((level, index), hashes);
        }
        Ok(&self.tiles[&(level, index)])
    }
}

fn join(prefix: &Url, path: &str) -> Result<Url, DidLogError> {
    prefix
        .join(path)
        .map_err(|_| DidLogError::Malformed("log prefix"))
}

/// Fetches through the resolver's SSRF-safe client (plain http where it allows it).
async fn fetch(resolver: &Resolver, mut url: Url) -> Result<Vec<u8>, DidLogError> {
    if resolver.http().config().allow_http && url.scheme() == "https" {
        url.set_scheme("http")
            .unwrap_or_else(|()| unreachable!("https and http are both special schemes"));
    }
    match resolver.http().get(&url, "*/*").await {
        Ok(response) => Ok(response.body),
        Err(source) => Err(DidLogError::Fetch {
            url: Box::new(url),
            source,
        }),
    }
}
