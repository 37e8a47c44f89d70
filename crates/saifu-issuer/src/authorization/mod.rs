//! The OpenID4VCI authorization code flow (§5): pushed authorization requests (RFC 9126),
//! PKCE S256 (RFC 7636), `issuer_state`, `authorization_details` and `scope`, and the login
//! step against the issuer's own subject records.
//!
//! Three kinds of single-use value are kept: the `issuer_state` an offer carries, the
//! `request_uri` of a pushed request, and the authorization code. Each is stored under the
//! digest of its secret with an opaque JSON body; the database enforces expiry, attempts and
//! single use, so several nodes sharing one database behave like one.

mod error;
mod login;
mod push;
mod record;
mod requested;
mod token;

use std::future::Future;

pub use error::AuthorizationError;

use crate::store::StoreFailure;

/// The storage the authorization code flow needs. `kind` separates the three kinds of value
/// (a code is never accepted as a `request_uri`); `digest` is the SHA-256 of the secret. Every
/// `spend_*` / `consume_*` is one conditional statement, atomic in the database.
pub trait AuthorizationStore: Send + Sync {
    /// Stores a new value with `attempts` attempts left, unused, expiring at `expires_at`.
    fn insert_authorization(
        &self,
        kind: &str,
        digest: &str,
        body: &str,
        attempts: i64,
        expires_at: i64,
    ) -> impl Future<Output = Result<(), StoreFailure>> + Send;

    /// The body and attempts left of a live value: unused, unexpired at `now`, attempts left.
    fn find_authorization(
        &self,
        kind: &str,
        digest: &str,
        now: i64,
    ) -> impl Future<Output = Result<Option<(String, i64)>, StoreFailure>> + Send;

    /// Atomically uses up one attempt of a live value; `false` when it was not live.
    fn spend_authorization_attempt(
        &self,
        kind: &str,
        digest: &str,
        now: i64,
    ) -> impl Future<Output = Result<bool, StoreFailure>> + Send;

    /// Atomically marks a live value as used; `false` when it was not live (so of two
    /// concurrent redemptions exactly one wins).
    fn consume_authorization(
        &self,
        kind: &str,
        digest: &str,
        now: i64,
    ) -> impl Future<Output = Result<bool, StoreFailure>> + Send;
}
