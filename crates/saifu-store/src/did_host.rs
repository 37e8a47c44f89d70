//! [`DidHostStore`] on SQLite and PostgreSQL: the entries of hosted did:webvh logs with their
//! transparency-log leaf indices. Uniqueness of (name, version number) is the database's, so
//! nodes sharing a PostgreSQL database cannot publish two different entries for one version.

use saifu_registry::did_host::{DidHostStore, HostStoreError, HostedEntry};
use saifu_registry::store::StoreFailure;

use crate::{Store, StoreError};

fn failure(e: sqlx::Error) -> StoreFailure {
    StoreFailure(Box::new(StoreError::from(e)))
}

fn int(n: u64) -> Result<i64, StoreFailure> {
    i64::try_from(n).map_err(|e| StoreFailure(Box::new(e)))
}

impl DidHostStore for Store {
    async fn hosted_entries(&self, name: &str) -> Result<Vec<HostedEntry>, StoreFailure> {
        const SQL: &str = "SELECT version_id, line, leaf_index FROM did_host_entry \
            WHERE name = $1 ORDER BY number";
        let rows: Vec<(String, String, i64)> = on_pool!(self, pool => sqlx::query_as(SQL)
            .bind(name)
            .fetch_all(pool)
            .await)
        .map_err(failure)?;
        rows.into_iter()
            .map(|(version_id, line, leaf)| {
                Ok(HostedEntry {
                    version_id,
                    line,
                    leaf_index: u64::try_from(leaf).map_err(|e| StoreFailure(Box::new(e)))?,
                })
            })
            .collect()
    }

    async fn store_hosted_entry(
        &self,
        name: &str,
        number: u64,
        did: &str,
        entry: &HostedEntry,
    ) -> Result<(), HostStoreError> {
        const SQL: &str = "INSERT INTO did_host_entry \
            (name, number, did, version_id, line, leaf_index) VALUES ($1, $2, $3, $4, $5, $6) \
            ON CONFLICT (name, number) DO NOTHING";
        let inserted = on_pool!(self, pool => sqlx::query(SQL)
            .bind(name)
            .bind(int(number)?)
            .bind(did)
            .bind(&entry.version_id)
            .bind(&entry.line)
            .bind(int(entry.leaf_index)?)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
        .map_err(failure)?;
        if inserted == 1 {
            Ok(())
        } else {
            Err(HostStoreError::Conflict)
        }
    }
}
