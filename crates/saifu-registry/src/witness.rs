//! C2SP tlog-witness: parsing `add-checkpoint` requests and the witness's decision, with the
//! HTTP status code the spec prescribes for each refusal.
//!
//! A witness keeps, per known log, the size and root it last cosigned, and cosigns a newer
//! checkpoint only if it is signed by the log and provably extends that one. The stored state
//! advances by compare-and-set *before* the cosignature is returned (tlog-witness
//! "add-checkpoint": persist atomically before replying), so a crash or a concurrent request
//! can never make the witness cosign two diverging trees.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::cosignature::cosign;
use crate::note::{MAX_NOTE_SIZE, Note, NoteError, NoteSignature, NoteSigner, NoteVerifier};
use crate::store::StoreFailure;
use crate::tree::{Hash, TreeError, empty_root, verify_consistency};

/// tlog-witness: at most 63 consistency proof lines.
pub const MAX_PROOF_LINES: usize = 63;
/// Largest request body: the note plus the `old` line and the proof.
pub const MAX_REQUEST_SIZE: usize = MAX_NOTE_SIZE + 64 * 46;
/// Content type of a 409 body carrying the witness's latest size.
pub const SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// A parsed `add-checkpoint` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The size of the checkpoint the proof starts from.
    pub old_size: u64,
    /// Consistency proof from `old_size` to the checkpoint's size.
    pub proof: Vec<Hash>,
    /// The signed checkpoint.
    pub note: Note,
}

/// Why a witness refused; [`WitnessError::status`] gives the HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    /// 400: the request body is malformed.
    #[error("malformed request: {0}")]
    Malformed(&'static str),
    /// 400: the note or checkpoint inside is malformed.
    #[error("malformed checkpoint: {0}")]
    BadCheckpoint(#[from] CheckpointError),
    /// 400: `old` is larger than the checkpoint's size.
    #[error("old size {old} is larger than the checkpoint size {size}")]
    OldBeyondNew {
        /// Requested old size.
        old: u64,
        /// Checkpoint size.
        size: u64,
    },
    /// 404: the origin is not a log this witness knows.
    #[error("unknown log {0}")]
    UnknownLog(String),
    /// 403: no valid signature by a key of the log.
    #[error("checkpoint is not signed by the log: {0}")]
    Unsigned(NoteError),
    /// 409: `old` is not the size this witness last cosigned; the body is that size.
    #[error("old size does not match the latest cosigned size {latest}")]
    Conflict {
        /// The witness's latest cosigned size.
        latest: u64,
    },
    /// 422: the consistency proof does not verify (also for a same-size different root).
    #[error("consistency proof does not verify: {0}")]
    BadProof(TreeError),
    /// 500: the witness could not sign or store.
    #[error("witness failure: {0}")]
    Internal(String),
}

impl WitnessError {
    /// The HTTP status code tlog-witness prescribes.
    pub fn status(&self) -> u16 {
        match self {
            WitnessError::Malformed(_)
            | WitnessError::BadCheckpoint(_)
            | WitnessError::OldBeyondNew { .. } => 400,
            WitnessError::Unsigned(_) => 403,
            WitnessError::UnknownLog(_) => 404,
            WitnessError::Conflict { .. } => 409,
            WitnessError::BadProof(_) => 422,
            WitnessError::Internal(_) => 500,
        }
    }
}

impl AddCheckpoint {
    /// Parses a request body: `old <n>\n`, up to 63 base64 hash lines, a blank line, the note.
    pub fn parse(body: &[u8]) -> Result<AddCheckpoint, WitnessError> {
        if body.len() > MAX_REQUEST_SIZE {
            return Err(WitnessError::Malformed("request too large"));
        }
        let mut rest = body;
        let mut next_line = || -> Result<&[u8], WitnessError> {
            let end = rest
                .iter()
                .position(|&b| b == b'\n')
                .ok_or(WitnessError::Malformed("missing newline"))?;
            let line = &rest[..end];
            rest = &rest[end + 1..];
            Ok(line)
        };
        let old = next_line()?
            .strip_prefix(b"old ")
            .and_then(|n| std::str::from_utf8(n).ok())
            .filter(|n| *n == "0" || !n.starts_with('0'))
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse().ok())
            .ok_or(WitnessError::Malformed("bad old line"))?;
        let mut proof = Vec::new();
        loop {
            let line = next_line()?;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(WitnessError::Malformed("too many proof lines"));
            }
            let hash: Hash = B64
                .decode(line)
                .ok()
                .and_then(|h| h.try_into().ok())
                .ok_or(WitnessError::Malformed("bad proof line"))?;
            proof.push(hash);
        }
        let note = Note::parse(rest).map_err(|_| WitnessError::Malformed("bad note"))?;
        Ok(AddCheckpoint {
            old_size: old,
            proof,
            note,
        })
    }

    /// The request body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("old {}\n", self.old_size);
        for hash in &self.proof {
            out.push_str(&B64.encode(hash));
            out.push('\n');
        }
        out.push('\n');
        [out.into_bytes(), self.note.to_bytes()].concat()
    }
}

/// The witness's durable memory: the latest cosigned (size, root) per log.
pub trait WitnessState: Send + Sync {
    /// The latest cosigned size and root of `origin`, if any.
    fn latest(
        &self,
        origin: &str,
    ) -> impl Future<Output = Result<Option<(u64, Hash)>, StoreFailure>> + Send;

    /// Records (`size`, `root`) for `origin` if the stored size is still `old` (none stored
    /// counts as 0); reports whether it did.
    fn advance(
        &self,
        origin: &str,
        old: u64,
        size: u64,
        root: Hash,
    ) -> impl Future<Output = Result<bool, StoreFailure>> + Send;
}

/// A shared state (e.g. one database handle for several routers) is the state itself.
impl<T: WitnessState> WitnessState for std::sync::Arc<T> {
    async fn latest(&self, origin: &str) -> Result<Option<(u64, Hash)>, StoreFailure> {
        (**self).latest(origin).await
    }

    async fn advance(
        &self,
        origin: &str,
        old: u64,
        size: u64,
        root: Hash,
    ) -> Result<bool, StoreFailure> {
        (**self).advance(origin, old, size, root).await
    }
}

/// Witness state in process memory, for tests and single-process tools.
#[derive(Debug, Default)]
pub struct MemoryWitnessState(Mutex<HashMap<String, (u64, Hash)>>);

impl MemoryWitnessState {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u64, Hash)>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl WitnessState for MemoryWitnessState {
    async fn latest(&self, origin: &str) -> Result<Option<(u64, Hash)>, StoreFailure> {
        Ok(self.map().get(origin).copied())
    }

    async fn advance(
        &self,
        origin: &str,
        old: u64,
        size: u64,
        root: Hash,
    ) -> Result<bool, StoreFailure> {
        let mut map = self.map();
        let current = map.get(origin).map_or(0, |(size, _)| *size);
        if current != old {
            return Ok(false);
        }
        map.insert(origin.to_owned(), (size, root));
        Ok(true)
    }
}

/// A witness: its cosigning key, the logs it follows and its state.
#[derive(Debug)]
pub struct Witness<S> {
    key: NoteSigner,
    logs: HashMap<String, Vec<NoteVerifier>>,
    state: S,
}

impl<S: WitnessState> Witness<S> {
    /// A witness cosigning with `key` (a cosignature/v1 key) for the given logs
    /// (origin → the log's public keys).
    pub fn new(key: NoteSigner, logs: HashMap<String, Vec<NoteVerifier>>, state: S) -> Self {
        Witness { key, logs, state }
    }

    /// tlog-witness "add-checkpoint": verifies and cosigns `request` at Unix time `now`,
    /// returning the cosignature line to send back.
    pub async fn add_checkpoint(
        &self,
        request: &AddCheckpoint,
        now: u64,
    ) -> Result<NoteSignature, WitnessError> {
        let checkpoint = Checkpoint::parse(request.note.text())?;
        let keys = self
            .logs
            .get(&checkpoint.origin)
            .ok_or_else(|| WitnessError::UnknownLog(checkpoint.origin.clone()))?;
        request.note.verify(keys).map_err(WitnessError::Unsigned)?;
        if request.old_size > checkpoint.size {
            return Err(WitnessError::OldBeyondNew {
                old: request.old_size,
                size: checkpoint.size,
            });
        }
        let internal = |e: StoreFailure| WitnessError::Internal(e.to_string());
        let (latest, latest_root) = self
            .state
            .latest(&checkpoint.origin)
            .await
            .map_err(internal)?
            .unwrap_or((0, empty_root()));
        if request.old_size != latest {
            return Err(WitnessError::Conflict { latest });
        }
        // Same size with a different root is a fork; verify_consistency reports it as a root
        // mismatch, which the current tlog-witness text answers with 422.
        verify_consistency(
            latest,
            checkpoint.size,
            &latest_root,
            &checkpoint.root,
            &request.proof,
        )
        .map_err(WitnessError::BadProof)?;
        if !self
            .state
            .advance(&checkpoint.origin, latest, checkpoint.size, checkpoint.root)
            .await
            .map_err(internal)?
        {
            // Another request advanced the state between our read and write.
            let latest = self
                .state
                .latest(&checkpoint.origin)
                .await
                .map_err(internal)?
                .map_or(0, |(size, _)| size);
            return Err(WitnessError::Conflict { latest });
        }
        cosign(&self.key, now, request.note.text())
            .await
            .map_err(|e| WitnessError::Internal(e.to_string()))
    }
}
