//! The log's side of C2SP tlog-witness: after the sequencer publishes a checkpoint, send it
//! with a consistency proof to every configured witness at once, verify the `cosignature/v1`
//! each returns, and store the checkpoint with the cosignatures gathered.
//!
//! A witness remembers the last size it cosigned; the log remembers what it last learned of
//! each witness and starts from 0 otherwise. A `409 Conflict` carries the witness's size
//! (`text/x.tlog.size`), and the request is repeated once with a proof from there
//! (tlog-witness "add-checkpoint"). Other refusals are reported as typed errors and logged.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use crate::checkpoint::Checkpoint;
use crate::log::{LogError, LogReader};
use crate::note::{Note, NoteError, NoteSignature, NoteVerifier};
use crate::store::{Cosigned, RegistryStore};
use crate::witness::{AddCheckpoint, SIZE_CONTENT_TYPE};

/// A boxed future, so transports can be trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A witness's HTTP answer, as far as the protocol needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessReply {
    /// HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

/// How requests reach witnesses (an HTTP client in the node, anything in tests).
pub trait WitnessTransport: Send + Sync {
    /// POSTs `body` to `url` and returns the answer, or why there was none.
    fn post<'a>(
        &'a self,
        url: &'a str,
        body: Vec<u8>,
    ) -> BoxFuture<'a, Result<WitnessReply, String>>;
}

/// One configured witness.
#[derive(Debug, Clone)]
pub struct WitnessEndpoint {
    /// Its `add-checkpoint` URL.
    pub url: String,
    /// Its cosignature/v1 verifier key.
    pub key: NoteVerifier,
}

/// Why a witness did not cosign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatherError {
    /// No answer (connection refused, TLS, …).
    #[error("witness unreachable: {0}")]
    Unreachable(String),
    /// No answer within the timeout.
    #[error("witness did not answer within {0:?}")]
    Timeout(Duration),
    /// 403: the witness does not accept the log's signature (it knows another key).
    #[error("witness refused the log's signature (403): {0}")]
    Forbidden(String),
    /// 404: the witness does not follow this log.
    #[error("witness does not know this log (404): {0}")]
    UnknownLog(String),
    /// 422: the witness says the checkpoint does not extend what it cosigned — a fork, as far
    /// as that witness can tell.
    #[error("witness rejected the consistency proof (422): {0}")]
    Inconsistent(String),
    /// 409 even after retrying from the size the witness reported.
    #[error("witness keeps answering 409 (its size {latest})")]
    Conflict {
        /// The size the witness reported last.
        latest: u64,
    },
    /// The witness has cosigned a larger tree than this log has: this log lost entries, or
    /// someone else signs checkpoints with its key.
    #[error("witness has cosigned size {witness}, beyond this checkpoint's size {ours}")]
    WitnessAhead {
        /// The witness's size.
        witness: u64,
        /// This checkpoint's size.
        ours: u64,
    },
    /// Another status code, or a 409 without a readable size.
    #[error("unexpected answer {status}: {body}")]
    Unexpected {
        /// HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The returned line is not a valid cosignature by the configured witness key.
    #[error("witness returned no valid cosignature: {0}")]
    BadCosignature(String),
    /// The log could not build the consistency proof.
    #[error("could not build the consistency proof: {0}")]
    Proof(String),
}

/// A checkpoint and what each witness answered.
#[derive(Debug, Clone)]
pub struct Gathered {
    /// The checkpoint with every valid cosignature added.
    pub note: Note,
    /// The checkpoint's size.
    pub size: u64,
    /// Per witness (in configuration order): its cosignature or why there is none.
    pub results: Vec<Result<NoteSignature, GatherError>>,
}

impl Gathered {
    /// How many witnesses cosigned.
    pub fn cosignatures(&self) -> usize {
        self.results.iter().filter(|r| r.is_ok()).count()
    }
}

/// Gathers cosignatures for one log.
pub struct Cosigner<S> {
    reader: LogReader<S>,
    witnesses: Vec<WitnessEndpoint>,
    transport: Arc<dyn WitnessTransport>,
    timeout: Duration,
    /// What each witness (by URL) last told us it has cosigned.
    known: Mutex<HashMap<String, u64>>,
}

impl<S> std::fmt::Debug for Cosigner<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cosigner")
            .field("witnesses", &self.witnesses)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The first bytes of a body, for error messages.
fn snippet(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(200)])
        .trim()
        .to_owned()
}

impl<S: RegistryStore> Cosigner<S> {
    /// A cosigner for the log `reader` reads, asking `witnesses` through `transport`, each
    /// request bounded by `timeout`.
    pub fn new(
        reader: LogReader<S>,
        witnesses: Vec<WitnessEndpoint>,
        transport: Arc<dyn WitnessTransport>,
        timeout: Duration,
    ) -> Cosigner<S> {
        Cosigner {
            reader,
            witnesses,
            transport,
            timeout,
            known: Mutex::new(HashMap::new()),
        }
    }

    /// The configured witnesses.
    pub fn witnesses(&self) -> &[WitnessEndpoint] {
        &self.witnesses
    }

    fn known(&self, url: &str) -> Option<u64> {
        self.known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(url)
            .copied()
    }

    fn learn(&self, url: &str, size: u64) {
        self.known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(url.to_owned(), size);
    }

    /// Sends the log-signed checkpoint `note` to every witness concurrently and returns it
    /// with the valid cosignatures added.
    pub async fn cosign(&self, note: &Note) -> Result<Gathered, NoteError> {
        let checkpoint = Checkpoint::parse(note.text())
            .map_err(|_| NoteError::Signing("the note is not a checkpoint".into()))?;
        let answers = self.witnesses.iter().map(|witness| async {
            tokio::time::timeout(
                self.timeout,
                self.cosign_one(witness, note, checkpoint.size),
            )
            .await
            .unwrap_or(Err(GatherError::Timeout(self.timeout)))
        });
        let results = join_all(answers.collect()).await;
        let mut cosigned = note.clone();
        for signature in results.iter().flatten() {
            cosigned.add_signature(signature.clone());
        }
        Ok(Gathered {
            note: cosigned,
            size: checkpoint.size,
            results,
        })
    }

    async fn cosign_one(
        &self,
        witness: &WitnessEndpoint,
        note: &Note,
        size: u64,
    ) -> Result<NoteSignature, GatherError> {
        let mut old = self.known(&witness.url).unwrap_or(0);
        // One try from what we know, one more from what a 409 tells us.
        for _ in 0..2 {
            if old > size {
                return Err(GatherError::WitnessAhead {
                    witness: old,
                    ours: size,
                });
            }
            let proof = self
                .reader
                .consistency_proof(old, size)
                .await
                .map_err(|e: LogError| GatherError::Proof(e.to_string()))?;
            let request = AddCheckpoint {
                old_size: old,
                proof,
                note: note.clone(),
            };
            let reply = self
                .transport
                .post(&witness.url, request.to_bytes())
                .await
                .map_err(GatherError::Unreachable)?;
            let body = snippet(&reply.body);
            match reply.status {
                200 => {
                    let signature = cosignature_in(&reply.body, &witness.key, note)?;
                    self.learn(&witness.url, size);
                    return Ok(signature);
                }
                409 => {
                    let latest = conflict_size(&reply).ok_or(GatherError::Unexpected {
                        status: 409,
                        body: body.clone(),
                    })?;
                    self.learn(&witness.url, latest);
                    if latest == old {
                        return Err(GatherError::Conflict { latest });
                    }
                    old = latest;
                }
                403 => return Err(GatherError::Forbidden(body)),
                404 => return Err(GatherError::UnknownLog(body)),
                422 => return Err(GatherError::Inconsistent(body)),
                status => return Err(GatherError::Unexpected { status, body }),
            }
        }
        Err(GatherError::Conflict { latest: old })
    }
}

/// Runs futures concurrently on the current task and collects their outputs in order.
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// The size in a 409 answer (`text/x.tlog.size`: a decimal and a newline).
fn conflict_size(reply: &WitnessReply) -> Option<u64> {
    let typed = reply
        .content_type
        .as_deref()
        .is_some_and(|t| t.starts_with(SIZE_CONTENT_TYPE));
    let text = std::str::from_utf8(&reply.body)
        .ok()?
        .trim_end_matches('\n');
    (typed && !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// The line of a 200 answer that is a valid cosignature of `note` by `key`.
fn cosignature_in(
    body: &[u8],
    key: &NoteVerifier,
    note: &Note,
) -> Result<NoteSignature, GatherError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| GatherError::BadCosignature("answer is not UTF-8".into()))?;
    for line in text.lines().filter(|l| !l.is_empty()) {
        let Ok(signature) = NoteSignature::parse_line(line) else {
            continue;
        };
        if key.matches(&signature) {
            key.verify(note.text(), &signature)
                .map_err(|e| GatherError::BadCosignature(e.to_string()))?;
            return Ok(signature);
        }
    }
    Err(GatherError::BadCosignature(
        "no line signed by the configured witness key".into(),
    ))
}

/// Keeps the log's cosigned checkpoint current: whenever `published` reports a new size,
/// gathers cosignatures for the latest checkpoint and stores the result if it is better than
/// the stored one (see [`better`]). Runs until `published` closes.
pub async fn run<S: RegistryStore>(
    store: Arc<S>,
    origin: String,
    cosigner: Arc<Cosigner<S>>,
    quorum: usize,
    mut published: watch::Receiver<u64>,
) {
    loop {
        // Marked before reading, so a publication during this round triggers the next one.
        published.mark_unchanged();
        match store.checkpoint(&origin).await {
            Ok(Some(bytes)) => match Note::parse(&bytes) {
                Ok(note) => match cosigner.cosign(&note).await {
                    Ok(gathered) => record(&*store, &origin, &cosigner, quorum, gathered).await,
                    Err(e) => log_failure(&origin, &e.to_string()),
                },
                Err(e) => log_failure(&origin, &e.to_string()),
            },
            Ok(None) => {}
            Err(e) => log_failure(&origin, &e.to_string()),
        }
        if published.changed().await.is_err() {
            return;
        }
    }
}

/// Logs each refusal with its reason and stores the cosigned checkpoint if it is better than
/// the stored one.
async fn record<S: RegistryStore>(
    store: &S,
    origin: &str,
    cosigner: &Cosigner<S>,
    quorum: usize,
    gathered: Gathered,
) {
    for (witness, result) in cosigner.witnesses().iter().zip(&gathered.results) {
        if let Err(error) = result {
            tracing::warn!(%origin, witness = %witness.url, %error, "witness did not cosign");
        }
    }
    let candidate = Cosigned {
        size: gathered.size,
        cosignatures: gathered.cosignatures(),
        note: gathered.note.to_bytes(),
    };
    if candidate.cosignatures < quorum {
        tracing::warn!(%origin, size = candidate.size, got = candidate.cosignatures, quorum,
            "checkpoint cosigned by fewer witnesses than the quorum");
    }
    let result = match store.cosigned(origin).await {
        Ok(current) if better(&candidate, current.as_ref(), quorum) => {
            store.put_cosigned(origin, &candidate).await
        }
        Ok(_) => Ok(()),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        log_failure(origin, &e.to_string());
    }
}

/// Whether `candidate` should replace `current` as the checkpoint the log serves: the newest
/// one that meets the quorum; while none does, the newest one with the most cosignatures.
pub fn better(candidate: &Cosigned, current: Option<&Cosigned>, quorum: usize) -> bool {
    let Some(current) = current else {
        return true;
    };
    let (new_ok, old_ok) = (
        candidate.cosignatures >= quorum,
        current.cosignatures >= quorum,
    );
    match (new_ok, old_ok) {
        (true, false) => true,
        (false, true) => false,
        _ => {
            candidate.size > current.size
                || (candidate.size == current.size && candidate.cosignatures > current.cosignatures)
        }
    }
}

fn log_failure(origin: &str, error: &str) {
    tracing::error!(%origin, %error, "cosigning the checkpoint failed");
}
