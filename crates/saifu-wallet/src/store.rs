//! The wallet file: one SQLite database whose records are sealed by the [`Vault`].
//!
//! Only a record's kind, random id and creation time are in the clear; its content (credentials,
//! holder keys, history) is sealed with the record's kind and id as associated data, so a record
//! cannot be moved or swapped into another slot without failing to open.

use std::path::Path;
use std::str::FromStr;

use saifu_crypto::keyfile::KdfParams;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use crate::WalletError;
use crate::vault::{Vault, VaultHeader};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS wallet_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS wallet_records (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (kind, id)
);";

/// What a record is, which is also the first half of its associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A stored credential with its batch copies and holder keys.
    Credential,
    /// One entry of the sharing history.
    History,
    /// A deferred issuance still waiting at the issuer.
    Pending,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Credential => "credential",
            Kind::History => "history",
            Kind::Pending => "pending",
        }
    }

    fn all() -> [Kind; 3] {
        [Kind::Credential, Kind::History, Kind::Pending]
    }
}

/// An open, unlocked wallet file.
#[derive(Debug)]
pub struct Store {
    pool: SqlitePool,
    vault: Vault,
}

/// One record in the clear, for backups.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PlainRecord {
    /// [`Kind`] name.
    pub kind: String,
    /// The record id.
    pub id: String,
    /// Seconds since the epoch.
    pub created_at: i64,
    /// The record's JSON content.
    pub content: serde_json::Value,
}

impl Store {
    /// Creates a new wallet file at `path` (refusing to overwrite one) under `passphrase`.
    pub async fn create(
        path: &Path,
        passphrase: &[u8],
        params: KdfParams,
    ) -> Result<Store, WalletError> {
        if path.exists() {
            return Err(WalletError::AlreadyExists(path.to_path_buf()));
        }
        let (vault, header) = Vault::create(passphrase, params)?;
        let pool = connect(path, true).await?;
        sqlx::raw_sql(SCHEMA)
            .execute(&pool)
            .await
            .map_err(storage)?;
        let header = serde_json::to_string(&header).expect("the header serializes");
        sqlx::query("INSERT INTO wallet_meta (name, value) VALUES ('vault', ?)")
            .bind(header)
            .execute(&pool)
            .await
            .map_err(storage)?;
        Ok(Store { pool, vault })
    }

    /// Opens and unlocks the wallet file at `path`.
    pub async fn open(path: &Path, passphrase: &[u8]) -> Result<Store, WalletError> {
        if !path.exists() {
            return Err(WalletError::NotFound(path.to_path_buf()));
        }
        let pool = connect(path, false).await?;
        let header: Option<String> =
            sqlx::query_scalar("SELECT value FROM wallet_meta WHERE name = 'vault'")
                .fetch_optional(&pool)
                .await
                .map_err(corrupted)?;
        let header = header.ok_or_else(|| WalletError::Corrupted("no vault header".into()))?;
        let header: VaultHeader = serde_json::from_str(&header)
            .map_err(|e| WalletError::Corrupted(format!("vault header: {e}")))?;
        let vault = Vault::unlock(passphrase, &header)?;
        Ok(Store { pool, vault })
    }

    /// Stores `content` as record `kind`/`id`, replacing what was there.
    pub async fn put<T: Serialize>(
        &self,
        kind: Kind,
        id: &str,
        created_at: i64,
        content: &T,
    ) -> Result<(), WalletError> {
        let plain =
            zeroize::Zeroizing::new(serde_json::to_vec(content).expect("records serialize"));
        let sealed = self.vault.seal(&aad(kind, id), &plain);
        sqlx::query(
            "INSERT INTO wallet_records (kind, id, created_at, sealed) VALUES (?, ?, ?, ?)
             ON CONFLICT (kind, id) DO UPDATE SET sealed = excluded.sealed",
        )
        .bind(kind.as_str())
        .bind(id)
        .bind(created_at)
        .bind(sealed)
        .execute(&self.pool)
        .await
        .map_err(storage)?;
        Ok(())
    }

    /// Record `kind`/`id`, if present.
    pub async fn get<T: DeserializeOwned>(
        &self,
        kind: Kind,
        id: &str,
    ) -> Result<Option<T>, WalletError> {
        let row = sqlx::query("SELECT sealed FROM wallet_records WHERE kind = ? AND id = ?")
            .bind(kind.as_str())
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(corrupted)?;
        row.map(|row| self.decode(kind, id, row.get("sealed")))
            .transpose()
    }

    /// Every record of `kind`, oldest first.
    pub async fn list<T: DeserializeOwned>(&self, kind: Kind) -> Result<Vec<T>, WalletError> {
        let rows = sqlx::query(
            "SELECT id, sealed FROM wallet_records WHERE kind = ? ORDER BY created_at, id",
        )
        .bind(kind.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(corrupted)?;
        rows.iter()
            .map(|row| self.decode(kind, row.get("id"), row.get("sealed")))
            .collect()
    }

    /// Removes record `kind`/`id`; whether it existed.
    pub async fn delete(&self, kind: Kind, id: &str) -> Result<bool, WalletError> {
        let done = sqlx::query("DELETE FROM wallet_records WHERE kind = ? AND id = ?")
            .bind(kind.as_str())
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(storage)?;
        Ok(done.rows_affected() > 0)
    }

    /// Every record opened, for a backup.
    pub async fn export(&self) -> Result<Vec<PlainRecord>, WalletError> {
        let mut records = Vec::new();
        for kind in Kind::all() {
            let rows = sqlx::query(
                "SELECT id, created_at, sealed FROM wallet_records WHERE kind = ? ORDER BY created_at, id",
            )
            .bind(kind.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(corrupted)?;
            for row in rows {
                let id: String = row.get("id");
                let content = self.decode(kind, &id, row.get("sealed"))?;
                records.push(PlainRecord {
                    kind: kind.as_str().to_owned(),
                    id,
                    created_at: row.get("created_at"),
                    content,
                });
            }
        }
        Ok(records)
    }

    /// Seals `records` (from [`Store::export`]) into this store, in one transaction.
    pub async fn import(&self, records: &[PlainRecord]) -> Result<(), WalletError> {
        let mut tx = self.pool.begin().await.map_err(storage)?;
        for record in records {
            let kind = Kind::all()
                .into_iter()
                .find(|kind| kind.as_str() == record.kind)
                .ok_or_else(|| {
                    WalletError::Backup(format!("unknown record kind {:?}", record.kind))
                })?;
            let plain = zeroize::Zeroizing::new(
                serde_json::to_vec(&record.content).expect("JSON serializes"),
            );
            let sealed = self.vault.seal(&aad(kind, &record.id), &plain);
            sqlx::query(
                "INSERT INTO wallet_records (kind, id, created_at, sealed) VALUES (?, ?, ?, ?)",
            )
            .bind(kind.as_str())
            .bind(&record.id)
            .bind(record.created_at)
            .bind(sealed)
            .execute(&mut *tx)
            .await
            .map_err(storage)?;
        }
        tx.commit().await.map_err(storage)
    }

    /// Closes the file (pending writes are already committed).
    pub async fn close(self) {
        self.pool.close().await;
    }

    fn decode<T: DeserializeOwned>(
        &self,
        kind: Kind,
        id: &str,
        sealed: Vec<u8>,
    ) -> Result<T, WalletError> {
        let where_ = || format!("{} record {id}", kind.as_str());
        let plain = self
            .vault
            .open(&aad(kind, id), &sealed)
            .map_err(|()| WalletError::Corrupted(format!("{} does not decrypt", where_())))?;
        serde_json::from_slice(&plain)
            .map_err(|e| WalletError::Corrupted(format!("{} is malformed: {e}", where_())))
    }
}

fn aad(kind: Kind, id: &str) -> Vec<u8> {
    format!("{}/{id}", kind.as_str()).into_bytes()
}

async fn connect(path: &Path, create: bool) -> Result<SqlitePool, WalletError> {
    let url = format!("sqlite://{}", path.display());
    let options = SqliteConnectOptions::from_str(&url)
        .map_err(storage)?
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .map_err(corrupted)
}

fn storage(error: impl std::fmt::Display) -> WalletError {
    WalletError::Storage(error.to_string())
}

/// A read that fails on a file we opened means the file is not (or no longer) a wallet.
fn corrupted(error: sqlx::Error) -> WalletError {
    WalletError::Corrupted(error.to_string())
}
