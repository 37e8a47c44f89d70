//! The VC-API issuer's status bits on SQLite and PostgreSQL: which Bitstring Status List index
//! each issued credential holds, and whether it is revoked or suspended.
//!
//! An index is taken by inserting its row, so the primary key — not an in-process counter —
//! decides who gets it: nodes sharing one PostgreSQL never hand out the same bit twice.

use crate::{Store, StoreError};

/// Which of a credential's two status bits (revocation, suspension) a change or query is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusBit {
    /// The revocation list's bit (permanent by convention, but stored like the other).
    Revoked,
    /// The suspension list's bit.
    Suspended,
}

impl StatusBit {
    fn column(self) -> &'static str {
        match self {
            StatusBit::Revoked => "revoked",
            StatusBit::Suspended => "suspended",
        }
    }
}

/// The VC-API status rows in a [`Store`].
#[derive(Debug, Clone)]
pub struct VcApiStatus {
    store: Store,
}

impl VcApiStatus {
    /// Status rows kept in `store`.
    pub fn new(store: Store) -> Self {
        VcApiStatus { store }
    }

    /// Takes `index` for a credential signed by `key_name`; `false` when the index is already
    /// taken (the caller draws another).
    pub async fn claim(
        &self,
        key_name: &str,
        index: i64,
        credential_id: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "INSERT INTO vc_api_status (key_name, status_index, credential_id, \
            issued_at) VALUES ($1, $2, $3, $4) ON CONFLICT (key_name, status_index) DO NOTHING";
        let affected = on_pool!(self.store, pool => sqlx::query(SQL)
            .bind(key_name)
            .bind(index)
            .bind(credential_id)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(affected == 1)
    }

    /// Gives `index` back, when the credential it was claimed for could not be issued after all
    /// (a failed request leaves nothing behind).
    pub async fn release(&self, key_name: &str, index: i64) -> Result<(), StoreError> {
        const SQL: &str = "DELETE FROM vc_api_status WHERE key_name = $1 AND status_index = $2";
        on_pool!(self.store, pool => sqlx::query(SQL)
            .bind(key_name)
            .bind(index)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }

    /// How many indexes `key_name` has handed out (to decide when a list is full enough to
    /// open the next one).
    pub async fn count(&self, key_name: &str) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM vc_api_status WHERE key_name = $1";
        let count: i64 = on_pool!(self.store, pool => sqlx::query_scalar(SQL)
            .bind(key_name)
            .fetch_one(pool)
            .await)?;
        Ok(count)
    }

    /// Sets or clears `bit` of every credential with `credential_id` (of any key); the number
    /// of credentials changed, 0 when the id is unknown.
    pub async fn set(
        &self,
        credential_id: &str,
        bit: StatusBit,
        value: bool,
        now: i64,
    ) -> Result<u64, StoreError> {
        let sql = format!(
            "UPDATE vc_api_status SET {column} = $1, changed_at = $2 WHERE credential_id = $3",
            column = bit.column()
        );
        let affected = on_pool!(self.store, pool => sqlx::query(&sql)
            .bind(i64::from(value))
            .bind(now)
            .bind(credential_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(affected)
    }

    /// The indexes in `start..end` of `key_name` whose `bit` is set: the ones bits of one
    /// published list.
    pub async fn set_indexes(
        &self,
        key_name: &str,
        bit: StatusBit,
        start: i64,
        end: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let sql = format!(
            "SELECT status_index FROM vc_api_status WHERE key_name = $1 AND {column} = 1 \
             AND status_index >= $2 AND status_index < $3 ORDER BY status_index",
            column = bit.column()
        );
        let indexes = on_pool!(self.store, pool => sqlx::query_scalar(&sql)
            .bind(key_name)
            .bind(start)
            .bind(end)
            .fetch_all(pool)
            .await)?;
        Ok(indexes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestDatabase;

    /// Claims, counts, bit changes and list queries behave the same on both backends.
    async fn exercise(store: Store) {
        let status = VcApiStatus::new(store);
        assert!(status.claim("ed25519", 7, Some("urn:a"), 1).await.unwrap());
        assert!(!status.claim("ed25519", 7, Some("urn:b"), 2).await.unwrap());
        assert!(status.claim("p256", 7, Some("urn:b"), 2).await.unwrap());
        assert!(status.claim("ed25519", 9, None, 3).await.unwrap());
        assert_eq!(status.count("ed25519").await.unwrap(), 2);
        status.release("ed25519", 9).await.unwrap();
        assert_eq!(status.count("ed25519").await.unwrap(), 1);
        assert!(status.claim("ed25519", 9, None, 3).await.unwrap());
        assert_eq!(
            status
                .set("urn:a", StatusBit::Revoked, true, 4)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            status
                .set("urn:unknown", StatusBit::Revoked, true, 4)
                .await
                .unwrap(),
            0
        );
        let revoked = |key: &'static str, start, end| {
            let status = status.clone();
            async move {
                status
                    .set_indexes(key, StatusBit::Revoked, start, end)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(revoked("ed25519", 0, 100).await, vec![7]);
        assert_eq!(revoked("ed25519", 8, 100).await, Vec::<i64>::new());
        assert_eq!(revoked("p256", 0, 100).await, Vec::<i64>::new());
        assert!(
            status
                .set_indexes("ed25519", StatusBit::Suspended, 0, 100)
                .await
                .unwrap()
                .is_empty()
        );
        status
            .set("urn:a", StatusBit::Revoked, false, 5)
            .await
            .unwrap();
        assert_eq!(revoked("ed25519", 0, 100).await, Vec::<i64>::new());
    }

    #[tokio::test]
    async fn sqlite_status_rows() {
        let dir = tempfile::tempdir().unwrap();
        exercise(Store::open_in_dir(dir.path()).await.unwrap()).await;
    }

    #[tokio::test]
    async fn postgres_status_rows() {
        let db = TestDatabase::create().await.unwrap();
        exercise(Store::open(db.url()).await.unwrap()).await;
    }
}
