//! Deferred issuances (OpenID4VCI §9) on SQLite and PostgreSQL: requests waiting for the
//! operator, moved between states by conditional updates so each decision and each delivery
//! happens once.

use saifu_issuer::{PendingKey, PendingRecord, StoreFailure};

use crate::Store;
use crate::sql::failure;

type PendingRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
    i64,
);

const COLUMNS: &str = "id, transaction_digest, token_digest, config_id, claims, subject_id, \
    holder_keys, state, created_at, expires_at";

fn pending(row: PendingRow) -> PendingRecord {
    PendingRecord {
        id: row.0,
        transaction_digest: row.1,
        token_digest: row.2,
        config_id: row.3,
        claims: row.4,
        subject_id: row.5,
        holder_keys: row.6,
        state: row.7,
        created_at: row.8,
        expires_at: row.9,
    }
}

impl Store {
    pub(crate) async fn issuer_insert_pending(
        &self,
        record: &PendingRecord,
    ) -> Result<(), StoreFailure> {
        let sql = format!(
            "INSERT INTO issuer_pending ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        on_pool!(self, pool => sqlx::query(&sql)
            .bind(&record.id)
            .bind(&record.transaction_digest)
            .bind(&record.token_digest)
            .bind(&record.config_id)
            .bind(&record.claims)
            .bind(&record.subject_id)
            .bind(&record.holder_keys)
            .bind(&record.state)
            .bind(record.created_at)
            .bind(record.expires_at)
            .execute(pool)
            .await
            .map(drop))
        .map_err(failure)
    }

    pub(crate) async fn issuer_find_pending(
        &self,
        transaction_digest: &str,
        now: i64,
    ) -> Result<Option<PendingRecord>, StoreFailure> {
        let sql = format!(
            "SELECT {COLUMNS} FROM issuer_pending WHERE transaction_digest = $1 AND expires_at > $2"
        );
        let row: Option<PendingRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(transaction_digest)
            .bind(now)
            .fetch_optional(pool)
            .await)
        .map_err(failure)?;
        Ok(row.map(pending))
    }

    pub(crate) async fn issuer_list_pending(
        &self,
        state: Option<&str>,
        limit: i64,
    ) -> Result<Vec<PendingRecord>, StoreFailure> {
        let sql = format!(
            "SELECT {COLUMNS} FROM issuer_pending WHERE ($1 IS NULL OR state = $1) \
             ORDER BY created_at DESC, id LIMIT $2"
        );
        let rows: Vec<PendingRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(state)
            .bind(limit)
            .fetch_all(pool)
            .await)
        .map_err(failure)?;
        Ok(rows.into_iter().map(pending).collect())
    }

    pub(crate) async fn issuer_move_pending(
        &self,
        key: PendingKey<'_>,
        from: &str,
        to: &str,
    ) -> Result<bool, StoreFailure> {
        let (column, value) = match key {
            PendingKey::Id(id) => ("id", id),
            PendingKey::Transaction(digest) => ("transaction_digest", digest),
        };
        let sql =
            format!("UPDATE issuer_pending SET state = $1 WHERE {column} = $2 AND state = $3");
        let affected = on_pool!(self, pool => sqlx::query(&sql)
            .bind(to)
            .bind(value)
            .bind(from)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(failure)?;
        Ok(affected == 1)
    }
}
