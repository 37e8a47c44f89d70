//! Why a did:webvh log was refused — one variant per rule of did:webvh 1.0 "Read (Resolve)".

use super::identifier::WebvhDidError;
use super::proof::WebvhProofError;

/// A did:webvh log (or a new entry for it) breaks a rule of the specification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebvhError {
    /// The DID itself is not a did:webvh identifier.
    #[error(transparent)]
    Did(#[from] WebvhDidError),
    /// The log has no entries.
    #[error("the DID log is empty")]
    EmptyLog,
    /// The log is longer than a resolver processes.
    #[error("the DID log has more than {0} entries")]
    TooManyEntries(usize),
    /// A line is not a JSON log entry with exactly the five members.
    #[error("line {line}: not a did:webvh log entry: {reason}")]
    MalformedEntry {
        /// 1-based line number.
        line: usize,
        /// The parser's message.
        reason: String,
    },
    /// `versionId` is not `<n>-<entryHash>` with `n` the entry's position.
    #[error("entry {number}: versionId `{found}` is not `{number}-<entryHash>`")]
    VersionId {
        /// The version number the entry must have.
        number: u64,
        /// The `versionId` found.
        found: String,
    },
    /// The entry hash does not match the entry and its predecessor: the entry was changed after
    /// it was made, or the chain was reordered.
    #[error("entry {version_id}: the entry hash does not match (tampered or out of order)")]
    EntryHash {
        /// The entry's `versionId`.
        version_id: String,
    },
    /// The first entry's SCID is not the hash of its preliminary form.
    #[error("the SCID {scid} is not the hash of the first entry")]
    ScidHash {
        /// The `scid` parameter.
        scid: String,
    },
    /// A SCID that must equal the log's SCID does not (the DID, or a `state.id`).
    #[error("entry {version_id}: SCID `{found}` where the log's SCID is `{expected}`")]
    ScidMismatch {
        /// The entry's `versionId`.
        version_id: String,
        /// The log's SCID (first entry's `scid` parameter).
        expected: String,
        /// The SCID found.
        found: String,
    },
    /// `method` is missing from the first entry or not exactly `did:webvh:1.0`.
    #[error("entry {version}: method {found:?} is not `did:webvh:1.0`")]
    Method {
        /// The version number.
        version: u64,
        /// The `method` found, if any.
        found: Option<String>,
    },
    /// A parameter the entry must carry is absent.
    #[error("entry {version}: parameter `{name}` is required")]
    MissingParameter {
        /// The version number.
        version: u64,
        /// The parameter.
        name: &'static str,
    },
    /// A parameter has a value the specification forbids here.
    #[error("entry {version}: parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The version number.
        version: u64,
        /// The parameter.
        name: &'static str,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The entry has no proof.
    #[error("entry {version_id} has no proof")]
    MissingProof {
        /// The entry's `versionId`.
        version_id: String,
    },
    /// A proof names a key that is not an active update key.
    #[error("entry {version_id} is signed by {method}, which is not an authorized update key")]
    UnauthorizedKey {
        /// The entry's `versionId`.
        version_id: String,
        /// The proof's `verificationMethod`.
        method: String,
    },
    /// A proof is malformed or its signature does not verify.
    #[error("entry {version_id}: {source}")]
    Proof {
        /// The entry's `versionId`.
        version_id: String,
        /// What is wrong with the proof.
        source: WebvhProofError,
    },
    /// Pre-rotation: an update key's hash is not among the previous entry's `nextKeyHashes`.
    #[error("entry {version_id}: update key {key} was not committed to in nextKeyHashes")]
    KeyNotCommitted {
        /// The entry's `versionId`.
        version_id: String,
        /// The uncommitted Multikey.
        key: String,
    },
    /// `versionTime` is not UTC, not after the previous entry's, or in the future.
    #[error("entry {version_id}: versionTime {reason}")]
    VersionTime {
        /// The entry's `versionId`.
        version_id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An entry follows the one that deactivated the DID.
    #[error("entry {version} follows the deactivation of the DID")]
    AfterDeactivation {
        /// The version number of the refused entry.
        version: u64,
    },
    /// `state` is not a DID document of a did:webvh DID.
    #[error("entry {version_id}: state is not a did:webvh DID document: {reason}")]
    State {
        /// The entry's `versionId`.
        version_id: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `state.id` changed in a DID that is not portable, or moved without `alsoKnownAs`.
    #[error("entry {version_id}: the DID moved to {to} without portability")]
    Moved {
        /// The entry's `versionId`.
        version_id: String,
        /// The new `state.id`.
        to: String,
    },
    /// No entry's `state.id` is the DID being resolved.
    #[error("no entry of the log is for {0}")]
    NotThisDid(String),
    /// Entries require witness approval and the threshold is not met.
    #[error("entry {version_id} lacks witness approval ({approvals} of {threshold})")]
    NotWitnessed {
        /// The entry's `versionId`.
        version_id: String,
        /// Distinct witnesses whose valid proofs were found.
        approvals: usize,
        /// Approvals required.
        threshold: u64,
    },
}
