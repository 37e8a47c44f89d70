//! [`AuthorizationStore`] on SQLite and PostgreSQL: the `issuer_state` values, pushed
//! authorization requests and authorization codes of the OpenID4VCI authorization code flow,
//! one table keyed by kind and secret digest. Expiry, attempts and single use are decided by
//! conditional statements whose affected row count answers.

use saifu_issuer::{AuthorizationStore, StoreFailure};

use crate::Store;
use crate::sql::failure;

/// The condition of a live row (`$1` kind, `$2` digest, `$3` now).
macro_rules! live {
    () => {
        "kind = $1 AND digest = $2 AND used = FALSE AND attempts_left > 0 AND expires_at > $3"
    };
}

impl AuthorizationStore for Store {
    async fn insert_authorization(
        &self,
        kind: &str,
        digest: &str,
        body: &str,
        attempts: i64,
        expires_at: i64,
    ) -> Result<(), StoreFailure> {
        const SQL: &str = "INSERT INTO issuer_authorization \
            (kind, digest, body, attempts_left, expires_at, used) \
            VALUES ($1, $2, $3, $4, $5, FALSE)";
        on_pool!(self, pool => sqlx::query(SQL)
            .bind(kind)
            .bind(digest)
            .bind(body)
            .bind(attempts)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(drop))
        .map_err(failure)
    }

    async fn find_authorization(
        &self,
        kind: &str,
        digest: &str,
        now: i64,
    ) -> Result<Option<(String, i64)>, StoreFailure> {
        const SQL: &str = concat!(
            "SELECT body, attempts_left FROM issuer_authorization WHERE ",
            live!()
        );
        on_pool!(self, pool => sqlx::query_as(SQL)
            .bind(kind)
            .bind(digest)
            .bind(now)
            .fetch_optional(pool)
            .await)
        .map_err(failure)
    }

    async fn spend_authorization_attempt(
        &self,
        kind: &str,
        digest: &str,
        now: i64,
    ) -> Result<bool, StoreFailure> {
        const SQL: &str = concat!(
            "UPDATE issuer_authorization SET attempts_left = attempts_left - 1 WHERE ",
            live!()
        );
        self.authorization_changed(SQL, kind, digest, now).await
    }

    async fn consume_authorization(
        &self,
        kind: &str,
        digest: &str,
        now: i64,
    ) -> Result<bool, StoreFailure> {
        const SQL: &str = concat!(
            "UPDATE issuer_authorization SET used = TRUE WHERE ",
            live!()
        );
        self.authorization_changed(SQL, kind, digest, now).await
    }
}

impl Store {
    /// Runs a conditional `UPDATE` on one live row; whether it changed.
    async fn authorization_changed(
        &self,
        sql: &'static str,
        kind: &str,
        digest: &str,
        now: i64,
    ) -> Result<bool, StoreFailure> {
        let affected = on_pool!(self, pool => sqlx::query(sql)
            .bind(kind)
            .bind(digest)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(failure)?;
        Ok(affected == 1)
    }
}

#[cfg(test)]
mod tests {
    use saifu_issuer::AuthorizationStore;

    use crate::Store;
    use crate::testing::TestDatabase;

    const NOW: i64 = 1_000_000;

    /// Live means unused, unexpired and with attempts left; kinds never mix; every change is
    /// conditional on the row being live.
    async fn semantics(store: &Store) {
        store
            .insert_authorization("request", "r", "{\"a\":1}", 2, NOW + 10)
            .await
            .unwrap();
        let live = store.find_authorization("request", "r", NOW).await.unwrap();
        assert_eq!(live, Some(("{\"a\":1}".to_owned(), 2)));
        assert_eq!(
            store.find_authorization("code", "r", NOW).await.unwrap(),
            None,
            "kind"
        );
        assert!(
            !store.consume_authorization("code", "r", NOW).await.unwrap(),
            "kind"
        );
        assert_eq!(
            store
                .find_authorization("request", "r", NOW + 10)
                .await
                .unwrap(),
            None,
            "expired"
        );
        assert!(
            !store
                .consume_authorization("request", "r", NOW + 10)
                .await
                .unwrap()
        );
        assert!(
            !store
                .spend_authorization_attempt("request", "r", NOW + 10)
                .await
                .unwrap()
        );

        assert!(
            store
                .spend_authorization_attempt("request", "r", NOW)
                .await
                .unwrap()
        );
        let after = store.find_authorization("request", "r", NOW).await.unwrap();
        assert_eq!(after.map(|(_, left)| left), Some(1));
        assert!(
            store
                .spend_authorization_attempt("request", "r", NOW)
                .await
                .unwrap()
        );
        assert_eq!(
            store.find_authorization("request", "r", NOW).await.unwrap(),
            None,
            "locked"
        );
        assert!(
            !store
                .spend_authorization_attempt("request", "r", NOW)
                .await
                .unwrap()
        );
        assert!(
            !store
                .consume_authorization("request", "r", NOW)
                .await
                .unwrap(),
            "locked"
        );

        store
            .insert_authorization("code", "c", "{}", 1, NOW + 10)
            .await
            .unwrap();
        assert!(store.consume_authorization("code", "c", NOW).await.unwrap());
        assert!(
            !store.consume_authorization("code", "c", NOW).await.unwrap(),
            "single use"
        );
        assert_eq!(
            store.find_authorization("code", "c", NOW).await.unwrap(),
            None
        );
        assert_eq!(
            store
                .find_authorization("code", "missing", NOW)
                .await
                .unwrap(),
            None
        );
        assert!(
            store
                .insert_authorization("code", "c", "{}", 1, NOW + 10)
                .await
                .is_err(),
            "a digest is stored once"
        );
    }

    #[tokio::test]
    async fn authorization_state_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_dir(dir.path()).await.unwrap();
        semantics(&store).await;
    }

    #[tokio::test]
    async fn authorization_state_on_postgres() {
        let database = TestDatabase::create().await.unwrap();
        let store = Store::open(database.url()).await.unwrap();
        semantics(&store).await;
        store.close().await;
    }
}
