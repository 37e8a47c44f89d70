//! C2SP tlog-tiles: the immutable, cache-friendly resources a log serves — hash tiles,
//! entry bundles and their paths — computed from stored subtree hashes.
//!
//! A tile at level `L` holds up to 256 consecutive subtree hashes of tree level `8·L`; a
//! partial tile (`.p/<W>`) holds the first `W` of a tile that is not yet full. Full tiles never
//! change, and a partial tile of width `W` never changes either, which is what makes them
//! cacheable forever (tlog-tiles "Merkle Tree").

use crate::tree::{HashSource, TreeError};

/// Hashes (or entries) per full tile (tlog-tiles: tile height 8).
pub const TILE_WIDTH: u64 = 256;
/// Largest tile level whose hashes fit a `u64`-sized tree (8·7 = 56 ≤ 63).
pub const MAX_TILE_LEVEL: u8 = 7;
/// Largest entry an entry bundle can carry (its length prefix is a `uint16`).
pub const MAX_ENTRY_SIZE: usize = u16::MAX as usize;
/// Longest tile path accepted from a request, bounding the work spent parsing it.
const MAX_PATH_LEN: usize = 64;

/// What a tile holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileKind {
    /// Subtree hashes of tree level `8·level`.
    Hashes {
        /// Tile level.
        level: u8,
    },
    /// An entry bundle: the entries of leaves `256·index ..`.
    Entries,
}

/// One tile resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tile {
    /// Hash tile or entry bundle.
    pub kind: TileKind,
    /// Tile index `N` within its level.
    pub index: u64,
    /// Number of hashes or entries, `1..=256`; `256` is a full tile.
    pub width: u16,
}

/// Why a tile path, request or bundle was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    /// The path does not have the tlog-tiles shape.
    #[error("malformed tile path")]
    MalformedPath,
    /// The tile does not exist (yet) at the current tree size.
    #[error("tile is beyond the current tree size")]
    BeyondTree,
    /// An entry bundle is truncated or has trailing bytes.
    #[error("malformed entry bundle")]
    MalformedBundle,
    /// An entry is larger than a bundle can carry.
    #[error("entry of {0} bytes exceeds the {MAX_ENTRY_SIZE}-byte limit")]
    EntryTooLarge(usize),
}

/// Encodes `n` as tlog-tiles path elements: 3-digit groups, all but the last prefixed `x`.
fn encode_index(mut n: u64) -> String {
    let mut groups = vec![format!("{:03}", n % 1000)];
    n /= 1000;
    while n > 0 {
        groups.push(format!("x{:03}", n % 1000));
        n /= 1000;
    }
    groups.reverse();
    groups.join("/")
}

impl Tile {
    /// The tile of `kind` and `index` as it exists in a tree of `size` leaves, or
    /// [`TileError::BeyondTree`] when that tree has none of its hashes yet.
    pub fn at_size(kind: TileKind, index: u64, size: u64) -> Result<Tile, TileError> {
        let level = match kind {
            TileKind::Hashes { level } => level,
            TileKind::Entries => 0,
        };
        let available = size >> (8 * u32::from(level));
        let start = index.checked_mul(TILE_WIDTH).ok_or(TileError::BeyondTree)?;
        if available <= start {
            return Err(TileError::BeyondTree);
        }
        let width = (available - start).min(TILE_WIDTH) as u16;
        Ok(Tile { kind, index, width })
    }

    /// The path below the log prefix, e.g. `tile/0/x001/234.p/7` or `tile/entries/000`.
    pub fn path(&self) -> String {
        let kind = match self.kind {
            TileKind::Hashes { level } => level.to_string(),
            TileKind::Entries => "entries".to_owned(),
        };
        let mut path = format!("tile/{kind}/{}", encode_index(self.index));
        if u64::from(self.width) < TILE_WIDTH {
            path.push_str(&format!(".p/{}", self.width));
        }
        path
    }

    /// Parses a path such as `tile/1/x002/003.p/12` (no leading slash), refusing anything
    /// not produced by [`Tile::path`] (no extra zeros, groups of exactly three digits).
    pub fn parse(path: &str) -> Result<Tile, TileError> {
        let bad = || TileError::MalformedPath;
        if path.len() > MAX_PATH_LEN || !path.is_ascii() {
            return Err(bad());
        }
        let rest = path.strip_prefix("tile/").ok_or_else(bad)?;
        let (kind, rest) = rest.split_once('/').ok_or_else(bad)?;
        let kind = match kind {
            "entries" => TileKind::Entries,
            digits => {
                let level = parse_decimal(digits).ok_or_else(bad)?;
                if level > u64::from(MAX_TILE_LEVEL) {
                    return Err(bad());
                }
                TileKind::Hashes { level: level as u8 }
            }
        };
        let (index_part, width) = match rest.split_once(".p/") {
            Some((index_part, w)) => {
                let w = parse_decimal(w).ok_or_else(bad)?;
                if w == 0 || w >= TILE_WIDTH {
                    return Err(bad());
                }
                (index_part, w as u16)
            }
            None => (rest, TILE_WIDTH as u16),
        };
        let groups: Vec<&str> = index_part.split('/').collect();
        let mut index: u64 = 0;
        for (i, group) in groups.iter().enumerate() {
            let digits = if i + 1 < groups.len() {
                group.strip_prefix('x').ok_or_else(bad)?
            } else {
                group
            };
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let value: u64 = digits.parse().map_err(|_| bad())?;
            index = index
                .checked_mul(1000)
                .and_then(|n| n.checked_add(value))
                .ok_or_else(bad)?;
        }
        let tile = Tile { kind, index, width };
        // Canonical form only: `x000/001` and `000/001`-style paths name no tile.
        if tile.path() != path {
            return Err(bad());
        }
        Ok(tile)
    }

    /// The first leaf (entry bundles) or subtree index (hash tiles) the tile covers.
    pub fn first(&self) -> u64 {
        self.index * TILE_WIDTH
    }
}

/// The bytes of hash tile `index` at tile `level` with `width` hashes: the subtree hashes of
/// tree level `8·level` at indices `256·index ..`, concatenated.
pub fn hash_tile(
    src: &dyn HashSource,
    level: u8,
    index: u64,
    width: u16,
) -> Result<Vec<u8>, TreeError> {
    let mut out = Vec::with_capacity(usize::from(width) * 32);
    for i in 0..u64::from(width) {
        out.extend_from_slice(&src.node(8 * level, index * TILE_WIDTH + i)?);
    }
    Ok(out)
}

/// Parses a decimal without sign or leading zeros.
fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 20 || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Encodes entries as an entry bundle: each one a big-endian `uint16` length and its bytes.
pub fn encode_bundle<E: AsRef<[u8]>>(entries: &[E]) -> Result<Vec<u8>, TileError> {
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.as_ref();
        let len = u16::try_from(entry.len()).map_err(|_| TileError::EntryTooLarge(entry.len()))?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(entry);
    }
    Ok(out)
}

/// Decodes an entry bundle fetched from a log (at most [`TILE_WIDTH`] entries).
pub fn decode_bundle(mut bytes: &[u8]) -> Result<Vec<Vec<u8>>, TileError> {
    let mut entries = Vec::new();
    while !bytes.is_empty() {
        if entries.len() as u64 == TILE_WIDTH {
            return Err(TileError::MalformedBundle);
        }
        let [hi, lo, rest @ ..] = bytes else {
            return Err(TileError::MalformedBundle);
        };
        let len = usize::from(u16::from_be_bytes([*hi, *lo]));
        if rest.len() < len {
            return Err(TileError::MalformedBundle);
        }
        entries.push(rest[..len].to_vec());
        bytes = &rest[len..];
    }
    Ok(entries)
}
