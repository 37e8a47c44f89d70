//! IETF Token Status List (draft-ietf-oauth-status-list-20): how an issuer says, later and in
//! bulk, that a token it issued is revoked or suspended — without learning who checks it.
//!
//! The layers, from the bytes up:
//!
//! * [`list`]: the packed status array (`bits` per token, LSB-first), its ZLIB compression and
//!   its JSON and CBOR `StatusList` objects (§4), decoded within hard [`Limits`] so a hostile
//!   list cannot exhaust memory;
//! * [`token`]: the signed Status List Token as JWT (`statuslist+jwt`) or CWT
//!   (`application/statuslist+cwt`) (§5);
//! * [`reference`](mod@reference): the `status.status_list` {`idx`, `uri`} claim a credential
//!   carries (§6);
//! * [`fetch`]: the verifier side — fetch the token behind a reference through the SSRF-safe
//!   client, verify it, cache it as long as its `ttl`/`exp` allow, and answer the status (§8).
//!
//! The IETF list is not the W3C Bitstring Status List: bits are LSB-first here, the compression
//! is ZLIB (not GZIP), `idx` is an integer and `ttl` is in seconds (STANDARDS §17).

pub mod bitstring;
mod error;
pub mod fetch;
pub mod list;
pub mod reference;
pub mod token;

pub use error::{FetchError, ReferenceError, StatusListError, TokenError, TransportError};
pub use fetch::{FetchConfig, HttpFetch, KeyResolver, StatusListFetcher};
pub use list::{Bits, Limits, StatusList, StatusValue};
pub use reference::{ReferenceOptions, StatusReference};
pub use token::{StatusListToken, TokenFormat, VerifyOptions};
