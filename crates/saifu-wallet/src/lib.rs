//! saifu-wallet — the holder role: where a person (or a company, or an agent) keeps credentials
//! and decides what to show to whom. A library without an HTTP server, so apps can embed it;
//! `saifu wallet` and the web wallet of `saifu serve` are built on it.
//!
//! - [`Wallet`] is an encrypted SQLite file: an Argon2id-derived key seals every record with
//!   AES-256-GCM, so the file alone reveals neither credentials nor keys.
//! - Receiving ([`Wallet::preview_offer`], [`Wallet::accept_offer`],
//!   [`Wallet::begin_authorization`]) speaks OpenID4VCI 1.0 and keeps every copy of a batch,
//!   each bound to its own fresh holder key.
//! - Presenting ([`Wallet::open_request`], [`Wallet::consent`], [`Wallet::respond`]) speaks
//!   OpenID4VP 1.0 with DCQL: only what the verifier asked for is offered, nothing is sent
//!   without approval, and each verifier gets a copy no other verifier has seen, so two
//!   verifiers cannot link the holder by key, signature or salt.

mod backup;
mod error;
pub mod model;
pub mod present;
pub mod receive;
mod status;
mod store;
mod vault;
mod wallet;
mod wire;

pub use error::WalletError;
pub use saifu_crypto::keyfile::KdfParams;
pub use wallet::{Wallet, WalletConfig, now};
