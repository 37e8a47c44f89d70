//! [`RegistryStore`] and [`WitnessState`] on SQLite and PostgreSQL: transparency-log entries,
//! subtree hashes, checkpoints and the sequencer lease, the cosigned checkpoint served, the
//! trust registry's index, and a witness's latest cosigned sizes.
//!
//! A batch is one transaction whose first statement is a compare-and-set on the log row
//! (size and lease holder); on PostgreSQL that row lock also serialises competing nodes, so a
//! loser sees the new size and writes nothing.

use std::collections::HashMap;

use saifu_registry::store::{Batch, CommitError, Cosigned, RegistryStore, StoreFailure};
use saifu_registry::tree::{Hash, NodeId};
use saifu_registry::trust::TrustStatement;
use saifu_registry::trust_index::{SubjectQuery, TrustIndexStore};
use saifu_registry::witness::WitnessState;

use crate::{Store, StoreError};

/// Rows per multi-row `INSERT` (4 parameters each stays far below both dialects' limits).
const ROWS_PER_INSERT: usize = 1000;

fn failure(e: sqlx::Error) -> StoreFailure {
    StoreFailure(Box::new(StoreError::from(e)))
}

/// Database integers are signed; sizes and indices beyond `i64::MAX` cannot occur in practice
/// but must not wrap.
fn int(n: u64) -> Result<i64, StoreFailure> {
    i64::try_from(n).map_err(|e| StoreFailure(Box::new(e)))
}

fn uint(n: i64) -> Result<u64, StoreFailure> {
    u64::try_from(n).map_err(|e| StoreFailure(Box::new(e)))
}

fn hash(bytes: Vec<u8>) -> Result<Hash, StoreFailure> {
    bytes
        .try_into()
        .map_err(|_| StoreFailure("stored hash is not 32 bytes".into()))
}

impl RegistryStore for Store {
    async fn log_size(&self, origin: &str) -> Result<u64, StoreFailure> {
        const SQL: &str = "SELECT size FROM registry_log WHERE origin = $1";
        let size: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(SQL)
            .bind(origin)
            .fetch_optional(pool)
            .await)
        .map_err(failure)?;
        uint(size.unwrap_or(0))
    }

    async fn leaf_index(&self, origin: &str, leaf: &Hash) -> Result<Option<u64>, StoreFailure> {
        // The partial index registry_leaf_hash (level 0) answers it.
        const SQL: &str =
            "SELECT MIN(idx) FROM registry_node WHERE origin = $1 AND level = 0 AND hash = $2";
        let index: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(SQL)
            .bind(origin)
            .bind(leaf.as_slice())
            .fetch_one(pool)
            .await)
        .map_err(failure)?;
        index.map(uint).transpose()
    }

    async fn nodes(
        &self,
        origin: &str,
        ids: &[NodeId],
    ) -> Result<HashMap<NodeId, Hash>, StoreFailure> {
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(ROWS_PER_INSERT) {
            let rows: Vec<(i32, i64, Vec<u8>)> = on_pool!(self, pool => {
                let mut query = sqlx::QueryBuilder::new(
                    "SELECT level, idx, hash FROM registry_node WHERE origin = ",
                );
                query.push_bind(origin).push(" AND (");
                let mut separated = query.separated(" OR ");
                for &(level, index) in chunk {
                    separated
                        .push("(level = ")
                        .push_bind_unseparated(i32::from(level))
                        .push_unseparated(" AND idx = ")
                        .push_bind_unseparated(int(index)?)
                        .push_unseparated(")");
                }
                query.push(")");
                query.build_query_as().fetch_all(pool).await
            })
            .map_err(failure)?;
            for (level, index, bytes) in rows {
                let level = u8::try_from(level).map_err(|e| StoreFailure(Box::new(e)))?;
                out.insert((level, uint(index)?), hash(bytes)?);
            }
        }
        Ok(out)
    }

    async fn entries(
        &self,
        origin: &str,
        start: u64,
        end: u64,
    ) -> Result<Vec<Vec<u8>>, StoreFailure> {
        const SQL: &str = "SELECT data FROM registry_entry WHERE origin = $1 AND idx >= $2 \
            AND idx < $3 ORDER BY idx";
        on_pool!(self, pool => sqlx::query_scalar(SQL)
            .bind(origin)
            .bind(int(start)?)
            .bind(int(end)?)
            .fetch_all(pool)
            .await)
        .map_err(failure)
    }

    async fn checkpoint(&self, origin: &str) -> Result<Option<Vec<u8>>, StoreFailure> {
        const SQL: &str = "SELECT checkpoint FROM registry_log WHERE origin = $1";
        let row: Option<Option<Vec<u8>>> = on_pool!(self, pool => sqlx::query_scalar(SQL)
            .bind(origin)
            .fetch_optional(pool)
            .await)
        .map_err(failure)?;
        Ok(row.flatten())
    }

    async fn try_lease(
        &self,
        origin: &str,
        holder: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, StoreFailure> {
        const CREATE: &str = "INSERT INTO registry_log (origin, size, lease_expires) \
            VALUES ($1, 0, 0) ON CONFLICT (origin) DO NOTHING";
        const TAKE: &str = "UPDATE registry_log SET lease_holder = $2, lease_expires = $3 \
            WHERE origin = $1 AND (lease_holder = $2 OR lease_holder IS NULL \
            OR lease_expires < $4)";
        let taken = on_pool!(self, pool => async {
            sqlx::query(CREATE).bind(origin).execute(pool).await?;
            sqlx::query(TAKE)
                .bind(origin)
                .bind(holder)
                .bind(until_ms)
                .bind(now_ms)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        }
        .await)
        .map_err(failure)?;
        Ok(taken == 1)
    }

    async fn commit(&self, origin: &str, holder: &str, batch: &Batch) -> Result<(), CommitError> {
        const ADVANCE: &str = "UPDATE registry_log SET size = $1, checkpoint = $2 \
            WHERE origin = $3 AND size = $4 AND lease_holder = $5";
        let old = int(batch.old_size)?;
        let new = int(batch.old_size + batch.entries.len() as u64)?;
        let nodes = batch
            .nodes
            .iter()
            .map(|&((level, index), hash)| Ok((i32::from(level), int(index)?, hash)))
            .collect::<Result<Vec<_>, StoreFailure>>()?;
        let advanced = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let advanced = sqlx::query(ADVANCE)
                .bind(new)
                .bind(&batch.checkpoint)
                .bind(origin)
                .bind(old)
                .bind(holder)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            if advanced {
                for (c, chunk) in batch.entries.chunks(ROWS_PER_INSERT).enumerate() {
                    let first = old + (c * ROWS_PER_INSERT) as i64;
                    let mut query = sqlx::QueryBuilder::new(
                        "INSERT INTO registry_entry (origin, idx, data) ",
                    );
                    query.push_values(chunk.iter().enumerate(), |mut row, (i, data)| {
                        row.push_bind(origin)
                            .push_bind(first + i as i64)
                            .push_bind(data.as_slice());
                    });
                    query.build().execute(&mut *tx).await?;
                }
                for chunk in nodes.chunks(ROWS_PER_INSERT) {
                    let mut query = sqlx::QueryBuilder::new(
                        "INSERT INTO registry_node (origin, level, idx, hash) ",
                    );
                    query.push_values(chunk, |mut row, (level, index, hash)| {
                        row.push_bind(origin)
                            .push_bind(*level)
                            .push_bind(*index)
                            .push_bind(hash.as_slice());
                    });
                    query.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
            Ok::<bool, sqlx::Error>(advanced)
        }
        .await)
        .map_err(failure)?;
        if advanced {
            Ok(())
        } else {
            Err(CommitError::Conflict)
        }
    }

    async fn cosigned(&self, origin: &str) -> Result<Option<Cosigned>, StoreFailure> {
        const SQL: &str =
            "SELECT size, cosignatures, checkpoint FROM registry_cosigned WHERE origin = $1";
        let row: Option<(i64, i32, Vec<u8>)> = on_pool!(self, pool => sqlx::query_as(SQL)
            .bind(origin)
            .fetch_optional(pool)
            .await)
        .map_err(failure)?;
        row.map(|(size, cosignatures, note)| {
            Ok(Cosigned {
                size: uint(size)?,
                cosignatures: usize::try_from(cosignatures)
                    .map_err(|e| StoreFailure(Box::new(e)))?,
                note,
            })
        })
        .transpose()
    }

    async fn put_cosigned(&self, origin: &str, cosigned: &Cosigned) -> Result<(), StoreFailure> {
        const SQL: &str = "INSERT INTO registry_cosigned (origin, size, cosignatures, checkpoint) \
            VALUES ($1, $2, $3, $4) ON CONFLICT (origin) DO UPDATE SET size = excluded.size, \
            cosignatures = excluded.cosignatures, checkpoint = excluded.checkpoint";
        let count = i32::try_from(cosigned.cosignatures).map_err(|e| StoreFailure(Box::new(e)))?;
        on_pool!(self, pool => sqlx::query(SQL)
            .bind(origin)
            .bind(int(cosigned.size)?)
            .bind(count)
            .bind(cosigned.note.as_slice())
            .execute(pool)
            .await
            .map(drop))
        .map_err(failure)
    }
}

impl TrustIndexStore for Store {
    async fn trust_cursor(&self, origin: &str) -> Result<u64, StoreFailure> {
        const SQL: &str = "SELECT next_idx FROM registry_trust_cursor WHERE origin = $1";
        let next: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(SQL)
            .bind(origin)
            .fetch_optional(pool)
            .await)
        .map_err(failure)?;
        uint(next.unwrap_or(0))
    }

    async fn index_trust(
        &self,
        origin: &str,
        statements: &[(u64, TrustStatement)],
        next: u64,
    ) -> Result<(), StoreFailure> {
        const INSERT: &str = "INSERT INTO registry_trust (origin, idx, authority_id, entity_id, \
            relation, action, resource, issued_at, statement) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (origin, idx) DO NOTHING";
        const CURSOR: &str = "INSERT INTO registry_trust_cursor (origin, next_idx) VALUES ($1, $2) \
            ON CONFLICT (origin) DO UPDATE SET next_idx = excluded.next_idx \
            WHERE registry_trust_cursor.next_idx < excluded.next_idx";
        let rows = statements
            .iter()
            .map(|(leaf, statement)| {
                let json =
                    serde_json::to_string(statement).map_err(|e| StoreFailure(Box::new(e)))?;
                Ok((int(*leaf)?, statement, json))
            })
            .collect::<Result<Vec<_>, StoreFailure>>()?;
        let next = int(next)?;
        on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            for (leaf, statement, json) in &rows {
                sqlx::query(INSERT)
                    .bind(origin)
                    .bind(*leaf)
                    .bind(&statement.authority_id)
                    .bind(&statement.entity_id)
                    .bind(statement.relation.as_str())
                    .bind(&statement.action)
                    .bind(&statement.resource)
                    .bind(statement.issued_at)
                    .bind(json)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(CURSOR).bind(origin).bind(next).execute(&mut *tx).await?;
            tx.commit().await
        }
        .await)
        .map_err(failure)
    }

    async fn knows_authority(
        &self,
        origin: &str,
        authority_id: &str,
    ) -> Result<bool, StoreFailure> {
        // A prefix of the registry_trust_subject index: one index probe.
        const SQL: &str =
            "SELECT 1 FROM registry_trust WHERE origin = $1 AND authority_id = $2 LIMIT 1";
        let found: Option<i32> = on_pool!(self, pool => sqlx::query_scalar(SQL)
            .bind(origin)
            .bind(authority_id)
            .fetch_optional(pool)
            .await)
        .map_err(failure)?;
        Ok(found.is_some())
    }

    async fn trust_statements(
        &self,
        origin: &str,
        query: &SubjectQuery<'_>,
    ) -> Result<Vec<(u64, TrustStatement)>, StoreFailure> {
        // `$5 IS NULL OR …` lets one statement serve "any action/resource" and exact queries.
        const SQL: &str = "SELECT idx, statement FROM registry_trust WHERE origin = $1 \
            AND authority_id = $2 AND entity_id = $3 AND relation = $4 \
            AND ($5 IS NULL OR action = $5) AND ($6 IS NULL OR resource = $6) ORDER BY idx";
        let rows: Vec<(i64, String)> = on_pool!(self, pool => sqlx::query_as(SQL)
            .bind(origin)
            .bind(query.authority_id)
            .bind(query.entity_id)
            .bind(query.relation.as_str())
            .bind(query.action)
            .bind(query.resource)
            .fetch_all(pool)
            .await)
        .map_err(failure)?;
        rows.into_iter()
            .map(|(leaf, json)| {
                let statement =
                    serde_json::from_str(&json).map_err(|e| StoreFailure(Box::new(e)))?;
                Ok((uint(leaf)?, statement))
            })
            .collect()
    }
}

impl WitnessState for Store {
    async fn latest(&self, origin: &str) -> Result<Option<(u64, Hash)>, StoreFailure> {
        const SQL: &str = "SELECT size, root FROM witness_state WHERE origin = $1";
        let row: Option<(i64, Vec<u8>)> = on_pool!(self, pool => sqlx::query_as(SQL)
            .bind(origin)
            .fetch_optional(pool)
            .await)
        .map_err(failure)?;
        row.map(|(size, root)| Ok((uint(size)?, hash(root)?)))
            .transpose()
    }

    async fn advance(
        &self,
        origin: &str,
        old: u64,
        size: u64,
        root: Hash,
    ) -> Result<bool, StoreFailure> {
        // One statement either way, so the check and the write are atomic: the first
        // cosignature inserts (or replaces a stored size 0), later ones update only while the
        // stored size is still `old`.
        const FIRST: &str = "INSERT INTO witness_state (origin, size, root) VALUES ($1, $2, $3) \
            ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root \
            WHERE witness_state.size = $4";
        const NEXT: &str = "UPDATE witness_state SET size = $2, root = $3 \
            WHERE origin = $1 AND size = $4";
        let sql = if old == 0 { FIRST } else { NEXT };
        let done = on_pool!(self, pool => sqlx::query(sql)
            .bind(origin)
            .bind(int(size)?)
            .bind(root.as_slice())
            .bind(int(old)?)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
        .map_err(failure)?;
        Ok(done == 1)
    }
}
