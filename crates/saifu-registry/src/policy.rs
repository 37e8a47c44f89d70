//! Client acceptance of checkpoints: the log's own signatures plus cosignatures from at least
//! `k` of `n` configured witnesses, and fork detection between two accepted checkpoints.

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::note::{Note, NoteError, NoteKeyKind, NoteVerifier};
use crate::tree::{Hash, TreeError, verify_consistency};

/// Why a checkpoint was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The note is malformed or a known key's signature is invalid.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The note text is not a checkpoint.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The checkpoint is for another log.
    #[error("checkpoint is for {0}, not this log")]
    WrongOrigin(String),
    /// A configured log key (e.g. the Ed25519 key every witnessed log must use) did not sign.
    #[error("log signature by {0} is missing")]
    MissingLogSignature(String),
    /// Fewer than `k` configured witnesses cosigned.
    #[error("{got} witness cosignatures, {need} required")]
    NotEnoughCosignatures {
        /// Distinct witnesses that cosigned.
        got: usize,
        /// The threshold `k`.
        need: usize,
    },
    /// The policy itself is unusable (no Ed25519 log key, or `k` > `n`, or a non-cosignature
    /// witness key).
    #[error("invalid policy: {0}")]
    InvalidPolicy(&'static str),
}

/// Evidence that a log showed two incompatible views of its history.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fork {
    /// Two checkpoints of the same size with different roots.
    #[error("two different roots for size {size}")]
    SameSizeDifferentRoot {
        /// The size both claim.
        size: u64,
    },
    /// The consistency proof between the two does not verify.
    #[error("the newer checkpoint does not extend the older one: {0}")]
    Inconsistent(TreeError),
}

/// A checkpoint that passed the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The checkpoint body.
    pub checkpoint: Checkpoint,
    /// Names of the witnesses whose cosignatures verified, with their timestamps.
    pub cosigners: Vec<(String, u64)>,
}

/// What a client trusts for one log.
#[derive(Debug, Clone)]
pub struct WitnessPolicy {
    origin: String,
    log_keys: Vec<NoteVerifier>,
    witnesses: Vec<NoteVerifier>,
    threshold: usize,
}

impl WitnessPolicy {
    /// Accept checkpoints of `origin` signed by every key in `log_keys` (which must include an
    /// Ed25519 key: tlog-witness logs MUST carry one) and cosigned by at least `threshold` of
    /// `witnesses`.
    pub fn new(
        origin: &str,
        log_keys: Vec<NoteVerifier>,
        witnesses: Vec<NoteVerifier>,
        threshold: usize,
    ) -> Result<WitnessPolicy, PolicyError> {
        if !log_keys.iter().any(|k| k.kind() == NoteKeyKind::Ed25519) {
            return Err(PolicyError::InvalidPolicy("no Ed25519 log key"));
        }
        if witnesses
            .iter()
            .any(|w| w.kind() != NoteKeyKind::Cosignature)
        {
            return Err(PolicyError::InvalidPolicy(
                "witness keys must be cosignature/v1 keys",
            ));
        }
        if threshold > witnesses.len() {
            return Err(PolicyError::InvalidPolicy(
                "threshold exceeds the number of witnesses",
            ));
        }
        Ok(WitnessPolicy {
            origin: origin.to_owned(),
            log_keys,
            witnesses,
            threshold,
        })
    }

    /// Parses and checks a signed checkpoint.
    pub fn accept(&self, note: &[u8]) -> Result<Accepted, PolicyError> {
        let note = Note::parse(note)?;
        let checkpoint = Checkpoint::parse(note.text())?;
        if checkpoint.origin != self.origin {
            return Err(PolicyError::WrongOrigin(checkpoint.origin));
        }
        let signed = note.verify(&self.log_keys)?;
        if let Some(missing) = self
            .log_keys
            .iter()
            .find(|k| !signed.iter().any(|(v, _)| std::ptr::eq(*v, *k)))
        {
            return Err(PolicyError::MissingLogSignature(missing.name().to_owned()));
        }
        let cosigners: Vec<(String, u64)> = match note.verify(&self.witnesses) {
            Ok(verified) => verified
                .into_iter()
                .map(|(v, time)| (v.name().to_owned(), time.unwrap_or(0)))
                .collect(),
            Err(NoteError::Untrusted) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        if cosigners.len() < self.threshold {
            return Err(PolicyError::NotEnoughCosignatures {
                got: cosigners.len(),
                need: self.threshold,
            });
        }
        Ok(Accepted {
            checkpoint,
            cosigners,
        })
    }
}

/// Checks that two accepted checkpoints of one log describe one history; `proof` is the
/// consistency proof from the smaller to the larger.
pub fn check_consistent(a: &Checkpoint, b: &Checkpoint, proof: &[Hash]) -> Result<(), Fork> {
    let (old, new) = if a.size <= b.size { (a, b) } else { (b, a) };
    if old.size == new.size && old.root != new.root {
        return Err(Fork::SameSizeDifferentRoot { size: old.size });
    }
    verify_consistency(old.size, new.size, &old.root, &new.root, proof).map_err(Fork::Inconsistent)
}
