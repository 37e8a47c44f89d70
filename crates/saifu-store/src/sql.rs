//! What every role's SQL shares: running one statement on whichever pool the store has, and
//! turning a database error into the opaque failure the role traits carry.

use saifu_issuer::StoreFailure;

use crate::StoreError;

/// Runs `$body` with `$pool` bound to whichever pool the store has; the statements are written
/// once in the syntax both dialects accept (`$n` parameters, `ON CONFLICT`).
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store.pool() {
            $crate::store::Pool::Sqlite($pool) => $body,
            $crate::store::Pool::Postgres($pool) => $body,
        }
    };
}

/// A database error as the issuer's opaque [`StoreFailure`].
pub(crate) fn failure(e: sqlx::Error) -> StoreFailure {
    StoreFailure(Box::new(StoreError::from(e)))
}
