//! [`IssuerStore`] on SQLite and PostgreSQL. The statements are written once in the syntax both
//! dialects accept (`$n` parameters, `ON CONFLICT`); single use is enforced by conditional
//! `UPDATE` / `DELETE` statements whose affected row count decides.

use saifu_issuer::{IssuedRecord, IssuerStore, OfferRecord, SessionRecord, StoreFailure};

use crate::store::Pool;
use crate::{Store, StoreError};

/// Runs `$body` with `$pool` bound to whichever pool the store has.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store.pool() {
            Pool::Sqlite($pool) => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

fn failure(e: sqlx::Error) -> StoreFailure {
    StoreFailure(Box::new(StoreError::from(e)))
}

type OfferRow = (String, String, String, Option<String>, i64, i64, bool);
type SessionRow = (String, String, String, i64);

impl IssuerStore for Store {
    async fn insert_offer(&self, offer: &OfferRecord) -> Result<(), StoreFailure> {
        const SQL: &str = "INSERT INTO issuer_offer (code_digest, config_id, claims, \
            tx_code_digest, attempts_left, expires_at, used) VALUES ($1, $2, $3, $4, $5, $6, $7)";
        on_pool!(self, pool => sqlx::query(SQL)
            .bind(&offer.code_digest)
            .bind(&offer.config_id)
            .bind(&offer.claims)
            .bind(&offer.tx_code_digest)
            .bind(offer.attempts_left)
            .bind(offer.expires_at)
            .bind(offer.used)
            .execute(pool)
            .await
            .map(drop))
        .map_err(failure)
    }

    async fn find_offer(&self, code_digest: &str) -> Result<Option<OfferRecord>, StoreFailure> {
        const SQL: &str = "SELECT code_digest, config_id, claims, tx_code_digest, \
            attempts_left, expires_at, used FROM issuer_offer WHERE code_digest = $1";
        let row: Option<OfferRow> = on_pool!(self, pool => sqlx::query_as(SQL)
            .bind(code_digest)
            .fetch_optional(pool)
            .await)
        .map_err(failure)?;
        Ok(row.map(
            |(code_digest, config_id, claims, tx_code_digest, attempts_left, expires_at, used)| {
                OfferRecord {
                    code_digest,
                    config_id,
                    claims,
                    tx_code_digest,
                    attempts_left,
                    expires_at,
                    used,
                }
            },
        ))
    }

    async fn spend_tx_attempt(&self, code_digest: &str) -> Result<bool, StoreFailure> {
        const SQL: &str = "UPDATE issuer_offer SET attempts_left = attempts_left - 1 \
            WHERE code_digest = $1 AND used = FALSE AND attempts_left > 0";
        self.affected_one(SQL, code_digest, None).await
    }

    async fn consume_offer(&self, code_digest: &str, now: i64) -> Result<bool, StoreFailure> {
        const SQL: &str = "UPDATE issuer_offer SET used = TRUE WHERE code_digest = $1 \
            AND used = FALSE AND attempts_left > 0 AND expires_at > $2";
        self.affected_one(SQL, code_digest, Some(now)).await
    }

    async fn insert_session(&self, session: &SessionRecord) -> Result<(), StoreFailure> {
        const SQL: &str = "INSERT INTO issuer_session (token_digest, config_id, claims, \
            expires_at) VALUES ($1, $2, $3, $4)";
        on_pool!(self, pool => sqlx::query(SQL)
            .bind(&session.token_digest)
            .bind(&session.config_id)
            .bind(&session.claims)
            .bind(session.expires_at)
            .execute(pool)
            .await
            .map(drop))
        .map_err(failure)
    }

    async fn find_session(
        &self,
        token_digest: &str,
        now: i64,
    ) -> Result<Option<SessionRecord>, StoreFailure> {
        const SQL: &str = "SELECT token_digest, config_id, claims, expires_at \
            FROM issuer_session WHERE token_digest = $1 AND expires_at > $2";
        let row: Option<SessionRow> = on_pool!(self, pool => sqlx::query_as(SQL)
            .bind(token_digest)
            .bind(now)
            .fetch_optional(pool)
            .await)
        .map_err(failure)?;
        Ok(row.map(
            |(token_digest, config_id, claims, expires_at)| SessionRecord {
                token_digest,
                config_id,
                claims,
                expires_at,
            },
        ))
    }

    async fn insert_nonce(&self, nonce_digest: &str, expires_at: i64) -> Result<(), StoreFailure> {
        const SQL: &str = "INSERT INTO issuer_nonce (nonce_digest, expires_at) VALUES ($1, $2)";
        on_pool!(self, pool => sqlx::query(SQL)
            .bind(nonce_digest)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(drop))
        .map_err(failure)
    }

    async fn consume_nonce(&self, nonce_digest: &str, now: i64) -> Result<bool, StoreFailure> {
        const SQL: &str = "DELETE FROM issuer_nonce WHERE nonce_digest = $1 AND expires_at > $2";
        self.affected_one(SQL, nonce_digest, Some(now)).await
    }

    async fn record_issued(&self, record: &IssuedRecord) -> Result<bool, StoreFailure> {
        const SQL: &str = "INSERT INTO issuer_issued (status_index, config_id, claims, \
            holder_thumbprint, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) \
            ON CONFLICT (status_index) DO NOTHING";
        let affected = on_pool!(self, pool => sqlx::query(SQL)
            .bind(record.status_index)
            .bind(&record.config_id)
            .bind(&record.claims)
            .bind(&record.holder_thumbprint)
            .bind(record.issued_at)
            .bind(record.expires_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(failure)?;
        Ok(affected == 1)
    }

    async fn status_entries(&self) -> Result<Vec<(i64, u8)>, StoreFailure> {
        const SQL: &str = "SELECT status_index, status FROM issuer_issued WHERE status <> 0 ORDER BY status_index";
        let rows: Vec<(i64, i64)> = on_pool!(self, pool => sqlx::query_as(SQL)
            .fetch_all(pool)
            .await)
        .map_err(failure)?;
        rows.into_iter()
            .map(|(index, status)| {
                u8::try_from(status)
                    .map(|status| (index, status))
                    .map_err(|e| StoreFailure(Box::new(e)))
            })
            .collect()
    }
}

impl Store {
    /// Runs a conditional statement on `key` (and `now` as `$2`); whether exactly one row changed.
    async fn affected_one(
        &self,
        sql: &'static str,
        key: &str,
        now: Option<i64>,
    ) -> Result<bool, StoreFailure> {
        let affected = on_pool!(self, pool => {
            let query = sqlx::query(sql).bind(key);
            let query = match now {
                Some(now) => query.bind(now),
                None => query,
            };
            query.execute(pool).await.map(|r| r.rows_affected())
        })
        .map_err(failure)?;
        Ok(affected == 1)
    }
}

#[cfg(test)]
mod tests {
    use saifu_issuer::{IssuedRecord, IssuerStore, OfferRecord, SessionRecord};

    use crate::Store;
    use crate::testing::TestDatabase;

    const NOW: i64 = 1_000_000;

    fn offer(code: &str, expires_at: i64) -> OfferRecord {
        OfferRecord {
            code_digest: code.into(),
            config_id: "diploma".into(),
            claims: r#"{"given_name":"Hanako"}"#.into(),
            tx_code_digest: Some("pin-digest".into()),
            attempts_left: 2,
            expires_at,
            used: false,
        }
    }

    fn issued(index: i64) -> IssuedRecord {
        IssuedRecord {
            status_index: index,
            config_id: "diploma".into(),
            claims: "{}".into(),
            holder_thumbprint: Some("thumb".into()),
            issued_at: NOW,
            expires_at: NOW + 60,
        }
    }

    /// The single-use and counting rules, the same on every backend.
    async fn semantics(store: &Store) {
        store.insert_offer(&offer("a", NOW + 60)).await.unwrap();
        assert_eq!(
            store.find_offer("a").await.unwrap(),
            Some(offer("a", NOW + 60))
        );
        assert!(store.consume_offer("a", NOW).await.unwrap());
        assert!(!store.consume_offer("a", NOW).await.unwrap(), "single use");
        assert!(store.find_offer("a").await.unwrap().unwrap().used);
        assert!(
            !store.spend_tx_attempt("a").await.unwrap(),
            "used offers count nothing"
        );

        store.insert_offer(&offer("b", NOW + 60)).await.unwrap();
        assert!(store.spend_tx_attempt("b").await.unwrap());
        assert!(store.spend_tx_attempt("b").await.unwrap());
        assert!(
            !store.spend_tx_attempt("b").await.unwrap(),
            "no attempts left"
        );
        assert_eq!(
            store.find_offer("b").await.unwrap().unwrap().attempts_left,
            0
        );
        assert!(!store.consume_offer("b", NOW).await.unwrap(), "locked");

        store.insert_offer(&offer("c", NOW)).await.unwrap();
        assert!(!store.consume_offer("c", NOW).await.unwrap(), "expired");
        assert_eq!(store.find_offer("missing").await.unwrap(), None);

        let session = SessionRecord {
            token_digest: "t".into(),
            config_id: "diploma".into(),
            claims: "{}".into(),
            expires_at: NOW + 10,
        };
        store.insert_session(&session).await.unwrap();
        assert_eq!(store.find_session("t", NOW).await.unwrap(), Some(session));
        assert_eq!(store.find_session("t", NOW + 10).await.unwrap(), None);

        store.insert_nonce("n", NOW + 10).await.unwrap();
        store.insert_nonce("old", NOW).await.unwrap();
        assert!(!store.consume_nonce("old", NOW).await.unwrap(), "expired");
        assert!(store.consume_nonce("n", NOW).await.unwrap());
        assert!(!store.consume_nonce("n", NOW).await.unwrap(), "single use");

        assert!(store.record_issued(&issued(7)).await.unwrap());
        assert!(
            !store.record_issued(&issued(7)).await.unwrap(),
            "index taken"
        );
        assert!(store.status_entries().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn issuer_state_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_dir(dir.path()).await.unwrap();
        semantics(&store).await;
    }

    #[tokio::test]
    async fn issuer_state_on_postgres() {
        let database = TestDatabase::create().await.unwrap();
        let store = Store::open(database.url()).await.unwrap();
        semantics(&store).await;
        store.close().await;
    }
}
