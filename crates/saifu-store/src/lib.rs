//! saifu-store: the storage every saifu role shares — SQLite by default (a file in the data
//! directory, nothing to install) or PostgreSQL when several nodes must share one database.
//!
//! [`Store::open`] connects and brings the schema up to date with migrations kept in both SQL
//! dialects (`migrations/sqlite/`, `migrations/postgres/`), so every role can rely on the same
//! tables whichever backend the operator chose. Single-use values are enforced by the database,
//! never by an in-process map (see ARCHITECTURE.md §5), which is why the pool is shared here.

mod error;
#[macro_use]
mod sql;
pub mod did_host;
pub mod issuer;
mod issuer_admin;
mod issuer_auth;
mod issuer_deferred;
mod issuer_notification;
mod issuer_status;
mod migrations;
pub mod registry;
mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
#[cfg(test)]
mod tests;
pub mod vc_api;
pub mod verifier;

pub use error::StoreError;
pub use store::{Backend, SQLITE_FILE_NAME, Store};
