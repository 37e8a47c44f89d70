//! did:webvh 1.0 (DIF): did:web with a verifiable history. The DID's location holds a log
//! (`did.jsonl`) of signed, hash-chained entries; its self-certifying identifier (SCID) is the
//! hash of the first entry, so the DID cannot be re-created by whoever controls the web server.
//!
//! - [`identifier`]: the DID syntax and the DID-to-HTTPS transformation;
//! - [`entry`]: log entries and their parameters (read `null` as default, never write it);
//! - [`hash`]: SCID, entry hash and pre-rotation key hash;
//! - [`proof`]: eddsa-jcs-2022 entry proofs by update keys;
//! - [`build`]: create, update (rotate) and deactivate, as a controller does;
//! - [`verify`](mod@verify): the resolver's check of a whole log;
//! - [`resolve`]: fetching a log and selecting the version a query asks for.

pub mod build;
pub mod entry;
mod error;
pub mod hash;
pub mod identifier;
pub mod proof;
pub mod resolve;
pub mod verify;
mod witness;

pub use entry::{LogEntry, METHOD_VERSION, Parameters, WitnessConfig};
pub use error::WebvhError;
pub use identifier::{METHOD, WebvhDid, WebvhDidError};
pub use resolve::VersionQuery;
pub use verify::{ActiveParameters, VerifiedLog, Version, verify_log};
