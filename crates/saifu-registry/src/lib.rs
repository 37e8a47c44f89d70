//! saifu-registry — the verifiable data registry: an append-only Merkle log whose checkpoints
//! independent witnesses cosign, holding DIDs, trust entries, status lists and audit events.
//!
//! - [`tree`]: RFC 9162 hashing, tree heads, inclusion and consistency proofs (the verify
//!   functions are the offline client library);
//! - [`tiles`]: C2SP tlog-tiles paths, hash tiles and entry bundles;
//! - [`note`], [`checkpoint`], [`cosignature`]: C2SP signed-note (Ed25519 plus ML-DSA-44),
//!   tlog-checkpoint and tlog-cosignature;
//! - [`witness`], [`policy`]: C2SP tlog-witness and client k-of-n acceptance with fork
//!   detection;
//! - [`store`], [`log`], [`sequencer`]: the storage trait `saifu-store` implements, reads of a
//!   stored log, and the batching sequencer that acknowledges appends once durable;
//! - [`gather`]: the log gathering witness cosignatures for its checkpoints;
//! - [`entry`], [`trust`], [`trust_index`], [`status`]: the typed entries saifu appends (trust statements
//!   answering TRQP queries, status list publications, audit events) and the client checks
//!   over them;
//! - [`did_host`], [`did_log`]: hosting did:webvh logs whose every entry is also a log leaf,
//!   and resolving such DIDs with inclusion proofs.

pub mod checkpoint;
pub mod cosignature;
pub mod did_host;
pub mod did_log;
pub mod entry;
pub mod gather;
pub mod log;
pub mod note;
pub mod policy;
pub mod sequencer;
pub mod status;
pub mod store;
pub mod tiles;
pub mod tree;
pub mod trust;
pub mod trust_index;
pub mod witness;
