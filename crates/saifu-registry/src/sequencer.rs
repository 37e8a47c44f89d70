//! The sequencer: callers submit entries and get their leaf index back only once the batch
//! holding them is committed to the store (durable), with a signed checkpoint of the new size.
//!
//! Appends queue on a channel; one task drains whatever has accumulated (up to
//! [`SequencerConfig::max_batch`]) while the previous batch was committing, so batches grow
//! with load and each append is integrated within one commit of its arrival — well under a
//! second. The task holds the log's lease in the database; the commit itself is a
//! compare-and-set on the log size, so a second node can never fork the tree.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::{mpsc, oneshot, watch};

use crate::checkpoint::Checkpoint;
use crate::note::{Note, NoteError, NoteSigner};
use crate::store::{Batch, CommitError, RegistryStore, StoreFailure};
use crate::tiles::MAX_ENTRY_SIZE;
use crate::tree::{Frontier, TreeError, leaf_hash, nodes_needed};

/// Why an append was not acknowledged. Only acknowledged appends are promised: after a
/// [`SequencerError::Store`] failure the entry may or may not have been committed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SequencerError {
    /// The entry is larger than an entry bundle can carry.
    #[error("entry of {0} bytes exceeds the {MAX_ENTRY_SIZE}-byte limit")]
    EntryTooLarge(usize),
    /// Another node holds the log's sequencer lease; retry there or later.
    #[error("another node is sequencing this log")]
    NotLeader,
    /// The log changed under this node (another sequencer committed); retry.
    #[error("the log changed under this sequencer")]
    Conflict,
    /// The stored tree is missing hashes it should have.
    #[error("stored tree is inconsistent: {0}")]
    Corrupt(#[from] TreeError),
    /// The checkpoint could not be signed.
    #[error(transparent)]
    Signing(#[from] NoteError),
    /// The database failed.
    #[error("storage failed: {0}")]
    Store(String),
    /// The sequencer task has stopped.
    #[error("the sequencer has stopped")]
    Stopped,
}

impl From<StoreFailure> for SequencerError {
    fn from(e: StoreFailure) -> Self {
        SequencerError::Store(e.to_string())
    }
}

/// How a sequencer runs.
#[derive(Debug, Clone)]
pub struct SequencerConfig {
    /// The log's origin (checkpoint first line).
    pub origin: String,
    /// This node's lease holder id (unique per process).
    pub holder: String,
    /// Most entries per batch.
    pub max_batch: usize,
    /// How long a lease lasts without renewal.
    pub lease: Duration,
    /// Checkpoint signers: the Ed25519 log key first, then any ML-DSA-44 key.
    pub signers: Vec<NoteSigner>,
}

/// One queued append.
struct Pending {
    entry: Vec<u8>,
    ack: oneshot::Sender<Result<u64, SequencerError>>,
}

/// A handle to submit appends; clone freely.
#[derive(Debug, Clone)]
pub struct Sequencer {
    queue: mpsc::Sender<Pending>,
    published: watch::Receiver<u64>,
}

impl Sequencer {
    /// Starts the sequencing task on the current tokio runtime.
    pub fn start<S: RegistryStore>(store: Arc<S>, config: SequencerConfig) -> Sequencer {
        let (queue, rx) = mpsc::channel(config.max_batch.max(1) * 4);
        let (publish, published) = watch::channel(0);
        tokio::spawn(run(store, config, rx, publish));
        Sequencer { queue, published }
    }

    /// Follows the size of each checkpoint this sequencer commits (0 before the first), e.g.
    /// to gather witness cosignatures for it.
    pub fn published(&self) -> watch::Receiver<u64> {
        self.published.clone()
    }

    /// Appends `entry`; resolves to its leaf index once the entry is durable.
    pub async fn append(&self, entry: Vec<u8>) -> Result<u64, SequencerError> {
        if entry.len() > MAX_ENTRY_SIZE {
            return Err(SequencerError::EntryTooLarge(entry.len()));
        }
        let (ack, done) = oneshot::channel();
        self.queue
            .send(Pending { entry, ack })
            .await
            .map_err(|_| SequencerError::Stopped)?;
        done.await.map_err(|_| SequencerError::Stopped)?
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The task's view of the log while it holds the lease.
struct State {
    frontier: Frontier,
    lease_until: i64,
}

async fn run<S: RegistryStore>(
    store: Arc<S>,
    config: SequencerConfig,
    mut rx: mpsc::Receiver<Pending>,
    publish: watch::Sender<u64>,
) {
    let mut state: Option<State> = None;
    let mut batch = Vec::with_capacity(config.max_batch);
    while rx.recv_many(&mut batch, config.max_batch.max(1)).await > 0 {
        let (entries, acks): (Vec<_>, Vec<_>) = batch.drain(..).map(|p| (p.entry, p.ack)).unzip();
        let result = sequence(&*store, &config, &mut state, entries).await;
        if result.is_err() {
            // Re-read the log before the next batch: it may have moved on.
            state = None;
        } else if let Some(state) = &state {
            publish.send_replace(state.frontier.size());
        }
        for (i, ack) in acks.into_iter().enumerate() {
            let _ = ack.send(result.clone().map(|first| first + i as u64));
        }
    }
}

/// Commits one batch; returns the leaf index of its first entry.
async fn sequence<S: RegistryStore>(
    store: &S,
    config: &SequencerConfig,
    state: &mut Option<State>,
    entries: Vec<Vec<u8>>,
) -> Result<u64, SequencerError> {
    let now = now_ms();
    let lease_ms = i64::try_from(config.lease.as_millis()).unwrap_or(i64::MAX);
    // Renew once half the lease has passed, so a busy leader keeps it without a round trip
    // per batch.
    if state
        .as_ref()
        .is_none_or(|s| s.lease_until - now < lease_ms / 2)
    {
        if !store
            .try_lease(
                &config.origin,
                &config.holder,
                now,
                now.saturating_add(lease_ms),
            )
            .await?
        {
            return Err(SequencerError::NotLeader);
        }
        match state {
            Some(s) => s.lease_until = now.saturating_add(lease_ms),
            None => {
                let size = store.log_size(&config.origin).await?;
                let ids = nodes_needed(|src| Frontier::load(src, size));
                let nodes = store.nodes(&config.origin, &ids).await?;
                *state = Some(State {
                    frontier: Frontier::load(&nodes, size)?,
                    lease_until: now.saturating_add(lease_ms),
                });
            }
        }
    }
    let Some(state) = state else {
        return Err(SequencerError::Stopped);
    };
    let mut frontier = state.frontier.clone();
    let old_size = frontier.size();
    let mut nodes = Vec::with_capacity(entries.len() * 2);
    for entry in &entries {
        nodes.extend(frontier.append(leaf_hash(entry)));
    }
    let checkpoint = Checkpoint::new(&config.origin, frontier.size(), frontier.root());
    let mut note = Note::new(&checkpoint.to_text())?;
    note.sign(&config.signers).await?;
    let batch = Batch {
        old_size,
        entries,
        nodes,
        checkpoint: note.to_bytes(),
    };
    match store.commit(&config.origin, &config.holder, &batch).await {
        Ok(()) => {
            state.frontier = frontier;
            Ok(old_size)
        }
        Err(CommitError::Conflict) => Err(SequencerError::Conflict),
        Err(CommitError::Failure(e)) => Err(e.into()),
    }
}
