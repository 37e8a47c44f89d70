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

/// Inserts an issued credential's record (`&IssuedRecord`) under credential number `$number`;
/// no row is affected when the number is taken. A macro because the query is bound once for
/// each backend's pool or transaction.
macro_rules! insert_issued {
    ($record:expr, $number:expr) => {
        sqlx::query(
            "INSERT INTO issuer_issued (status_index, config_id, claims, holder_thumbprint, \
             issued_at, expires_at, subject_id, status) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (status_index) DO NOTHING",
        )
        .bind($number)
        .bind(&$record.config_id)
        .bind(&$record.claims)
        .bind(&$record.holder_thumbprint)
        .bind($record.issued_at)
        .bind($record.expires_at)
        .bind(&$record.subject_id)
        .bind(i64::from($record.status))
    };
}

/// A database error as the issuer's opaque [`StoreFailure`].
pub(crate) fn failure(e: sqlx::Error) -> StoreFailure {
    StoreFailure(Box::new(StoreError::from(e)))
}
