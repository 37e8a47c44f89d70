//! RFC 9162 §2.1 Merkle tree hashing: leaf and node hashes, tree heads from stored subtree
//! hashes, and inclusion and consistency proofs — generation for the log, verification for
//! clients (the verification functions are the offline client library).
//!
//! The log stores the hash of every *complete* subtree (`level`, `index`) — the subtree over
//! leaves `[index·2^level, (index+1)·2^level)` — as Go's `tlog` does; any tree head or proof
//! for any size is then a function of those immutable hashes.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

/// A SHA-256 tree hash.
pub type Hash = [u8; 32];

/// The address of a complete subtree: `(level, index)`.
pub type NodeId = (u8, u64);

/// Deepest level a tree of `u64` leaves can have; bounds proof lengths read from the wire.
pub const MAX_LEVEL: u8 = 63;

/// Why a tree operation or proof check failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange {
        /// Requested leaf.
        index: u64,
        /// Tree size.
        size: u64,
    },
    /// A consistency request whose old size is larger than the new size.
    #[error("old size {old} is larger than new size {new}")]
    InvalidSizes {
        /// Older tree size.
        old: u64,
        /// Newer tree size.
        new: u64,
    },
    /// The hash source does not hold a subtree the computation needs.
    #[error("subtree hash ({level}, {index}) is not stored")]
    MissingNode {
        /// Subtree level.
        level: u8,
        /// Subtree index at that level.
        index: u64,
    },
    /// A proof has more or fewer hashes than the sizes imply.
    #[error("proof has the wrong number of hashes")]
    WrongProofLength,
    /// The proof recomputes a different root than the one claimed.
    #[error("proof does not lead to the claimed root")]
    RootMismatch,
}

/// RFC 9162 §2.1.1: the hash of a leaf, `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    Sha256::new()
        .chain_update([0u8])
        .chain_update(data)
        .finalize()
        .into()
}

/// RFC 9162 §2.1.1: the hash of an interior node, `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    Sha256::new()
        .chain_update([1u8])
        .chain_update(left)
        .chain_update(right)
        .finalize()
        .into()
}

/// RFC 9162 §2.1.1: the root of the empty tree, `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Where the hashes of complete subtrees come from: memory, a database snapshot, a tile cache.
pub trait HashSource {
    /// The hash of complete subtree `(level, index)`.
    fn node(&self, level: u8, index: u64) -> Result<Hash, TreeError>;
}

impl HashSource for HashMap<NodeId, Hash> {
    fn node(&self, level: u8, index: u64) -> Result<Hash, TreeError> {
        self.get(&(level, index))
            .copied()
            .ok_or(TreeError::MissingNode { level, index })
    }
}

/// Largest power of two strictly smaller than `n` (`n >= 2`): RFC 9162's split point `k`.
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// MTH over leaves `[start, start + n)`, `n >= 1`, where `start` is a multiple of the
/// largest power of two `<= n` (true of every range the RFC recursion visits).
fn subtree(src: &dyn HashSource, start: u64, n: u64) -> Result<Hash, TreeError> {
    if n.is_power_of_two() {
        let level = n.trailing_zeros() as u8;
        return src.node(level, start >> level);
    }
    let k = split(n);
    Ok(node_hash(
        &subtree(src, start, k)?,
        &subtree(src, start + k, n - k)?,
    ))
}

/// The tree head (MTH) of the first `size` leaves.
pub fn root(src: &dyn HashSource, size: u64) -> Result<Hash, TreeError> {
    if size == 0 {
        return Ok(empty_root());
    }
    subtree(src, 0, size)
}

/// RFC 9162 §2.1.3.1: the inclusion proof of leaf `index` in the tree of `size` leaves.
pub fn inclusion_proof(
    src: &dyn HashSource,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, TreeError> {
    if index >= size {
        return Err(TreeError::IndexOutOfRange { index, size });
    }
    let mut proof = Vec::new();
    path(src, index, 0, size, &mut proof)?;
    Ok(proof)
}

/// PATH(m, D[start:start+n]), appending hashes from the leaf upward.
fn path(
    src: &dyn HashSource,
    m: u64,
    start: u64,
    n: u64,
    out: &mut Vec<Hash>,
) -> Result<(), TreeError> {
    if n == 1 {
        return Ok(());
    }
    let k = split(n);
    if m < k {
        path(src, m, start, k, out)?;
        out.push(subtree(src, start + k, n - k)?);
    } else {
        path(src, m - k, start + k, n - k, out)?;
        out.push(subtree(src, start, k)?);
    }
    Ok(())
}

/// RFC 9162 §2.1.4.1: the consistency proof between the trees of `old` and `new` leaves
/// (empty when `old` is 0 or equal to `new`).
pub fn consistency_proof(src: &dyn HashSource, old: u64, new: u64) -> Result<Vec<Hash>, TreeError> {
    if old > new {
        return Err(TreeError::InvalidSizes { old, new });
    }
    let mut proof = Vec::new();
    if old > 0 && old < new {
        subproof(src, old, 0, new, true, &mut proof)?;
    }
    Ok(proof)
}

/// SUBPROOF(m, D[start:start+n], b).
fn subproof(
    src: &dyn HashSource,
    m: u64,
    start: u64,
    n: u64,
    complete: bool,
    out: &mut Vec<Hash>,
) -> Result<(), TreeError> {
    if m == n {
        if !complete {
            out.push(subtree(src, start, n)?);
        }
        return Ok(());
    }
    let k = split(n);
    if m <= k {
        subproof(src, m, start, k, complete, out)?;
        out.push(subtree(src, start + k, n - k)?);
    } else {
        subproof(src, m - k, start + k, n - k, false, out)?;
        out.push(subtree(src, start, k)?);
    }
    Ok(())
}

/// RFC 9162 §2.1.3.2: checks that `leaf` is leaf `index` of the tree of `size` leaves with
/// head `root`.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), TreeError> {
    if index >= size {
        return Err(TreeError::IndexOutOfRange { index, size });
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return Err(TreeError::WrongProofLength);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(TreeError::WrongProofLength);
    }
    if r != *root {
        return Err(TreeError::RootMismatch);
    }
    Ok(())
}

/// RFC 9162 §2.1.4.2: checks that the tree of `new` leaves with head `new_root` extends the
/// tree of `old` leaves with head `old_root`.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), TreeError> {
    if old > new {
        return Err(TreeError::InvalidSizes { old, new });
    }
    if old == 0 || old == new {
        // Nothing to prove: the empty tree is a prefix of every tree; equal sizes must agree.
        if !proof.is_empty() {
            return Err(TreeError::WrongProofLength);
        }
        return if old == new && old_root != new_root {
            Err(TreeError::RootMismatch)
        } else {
            Ok(())
        };
    }
    let mut hashes = proof.iter();
    // Step 1: a power-of-two old tree is itself the first node of the path.
    let first = if old.is_power_of_two() {
        *old_root
    } else {
        *hashes.next().ok_or(TreeError::WrongProofLength)?
    };
    let (mut f, mut s) = (old - 1, new - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (first, first);
    for c in hashes {
        if s == 0 {
            return Err(TreeError::WrongProofLength);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(TreeError::WrongProofLength);
    }
    if fr != *old_root || sr != *new_root {
        return Err(TreeError::RootMismatch);
    }
    Ok(())
}

/// The complete subtrees on the right edge of a tree (its binary decomposition, largest
/// first): enough to append leaves and compute the tree head without reading anything else.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    nodes: Vec<(u8, Hash)>,
}

impl Frontier {
    /// The frontier of the tree of `size` leaves, read from stored subtree hashes.
    pub fn load(src: &dyn HashSource, size: u64) -> Result<Frontier, TreeError> {
        let mut nodes = Vec::new();
        let mut start = 0u64;
        for level in (0..=MAX_LEVEL).rev() {
            if size & (1 << level) != 0 {
                nodes.push((level, src.node(level, start >> level)?));
                start += 1 << level;
            }
        }
        Ok(Frontier { size, nodes })
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends one leaf hash and returns every complete subtree it completes (the leaf
    /// itself first), which the log must store.
    pub fn append(&mut self, leaf: Hash) -> Vec<(NodeId, Hash)> {
        let index = self.size;
        let mut created = vec![((0, index), leaf)];
        self.nodes.push((0, leaf));
        self.size += 1;
        while let [.., (left_level, left), (right_level, right)] = self.nodes[..] {
            if left_level != right_level {
                break;
            }
            self.nodes.truncate(self.nodes.len() - 2);
            let level = left_level + 1;
            let hash = node_hash(&left, &right);
            created.push(((level, index >> level), hash));
            self.nodes.push((level, hash));
        }
        created
    }

    /// The tree head of the current size.
    pub fn root(&self) -> Hash {
        let mut nodes = self.nodes.iter().rev();
        match nodes.next() {
            None => empty_root(),
            Some((_, last)) => nodes.fold(*last, |acc, (_, left)| node_hash(left, &acc)),
        }
    }
}

/// A whole tree in memory: every stored subtree hash, by level. Used by tests, benchmarks
/// and tools that rebuild a log from its entries.
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    frontier: Frontier,
    levels: Vec<Vec<Hash>>,
}

impl MemoryTree {
    /// An empty tree.
    pub fn new() -> MemoryTree {
        MemoryTree::default()
    }

    /// Appends an entry and returns its leaf index.
    pub fn push(&mut self, entry: &[u8]) -> u64 {
        let index = self.frontier.size();
        for ((level, _), hash) in self.frontier.append(leaf_hash(entry)) {
            let level = usize::from(level);
            if self.levels.len() <= level {
                self.levels.push(Vec::new());
            }
            self.levels[level].push(hash);
        }
        index
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The tree head of the current size.
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }
}

impl HashSource for MemoryTree {
    fn node(&self, level: u8, index: u64) -> Result<Hash, TreeError> {
        self.levels
            .get(usize::from(level))
            .and_then(|hashes| hashes.get(usize::try_from(index).ok()?))
            .copied()
            .ok_or(TreeError::MissingNode { level, index })
    }
}

/// The subtree hashes a computation over a [`HashSource`] reads, found by running it once
/// against a recorder; lets a caller fetch exactly those from a database in one query.
pub fn nodes_needed<T>(
    compute: impl FnOnce(&dyn HashSource) -> Result<T, TreeError>,
) -> Vec<NodeId> {
    struct Recorder(std::cell::RefCell<Vec<NodeId>>);
    impl HashSource for Recorder {
        fn node(&self, level: u8, index: u64) -> Result<Hash, TreeError> {
            self.0.borrow_mut().push((level, index));
            Ok([0; 32])
        }
    }
    let recorder = Recorder(std::cell::RefCell::new(Vec::new()));
    // The recorder never fails, so only the list of reads matters here.
    let _ = compute(&recorder);
    recorder.0.into_inner()
}
