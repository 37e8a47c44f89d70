//! Revocation and suspension: the status checker the verifier asks, and its implementation over
//! saifu-credential's Token Status List fetcher.

use std::error::Error;

use saifu_credential::status::fetch::BoxFuture;
use saifu_credential::status::{StatusListFetcher, StatusReference, StatusValue};

/// Why a status could not be determined (transport, list signature, index out of range, …).
pub type StatusCheckError = Box<dyn Error + Send + Sync>;

/// Answers the status of a credential's status list entry.
pub trait StatusChecker: Send + Sync {
    /// The status at `reference` at time `now` (seconds since the epoch).
    fn status_of<'a>(
        &'a self,
        reference: &'a StatusReference,
        now: i64,
    ) -> BoxFuture<'a, Result<StatusValue, StatusCheckError>>;
}

/// Fetches, verifies and caches the Token Status List (draft -20 §8).
impl StatusChecker for StatusListFetcher {
    fn status_of<'a>(
        &'a self,
        reference: &'a StatusReference,
        now: i64,
    ) -> BoxFuture<'a, Result<StatusValue, StatusCheckError>> {
        Box::pin(async move {
            StatusListFetcher::status_of(self, reference, now)
                .await
                .map_err(StatusCheckError::from)
        })
    }
}
