//! The notification half of [`saifu_issuer::IssuerStore`] on SQLite and PostgreSQL: which
//! credentials one Credential Response's `notification_id` covers, for which session, and what
//! the wallet last reported about them.

use saifu_issuer::{StoreFailure, WalletEvent};

use crate::Store;
use crate::sql::failure;

type WalletEventRow = (Option<String>, Option<String>, Option<i64>);

impl Store {
    /// Links every credential of `status_indexes` to the notification, in one transaction.
    pub(crate) async fn issuer_link_notification(
        &self,
        notification_digest: &str,
        token_digest: &str,
        status_indexes: &[i64],
    ) -> Result<(), StoreFailure> {
        const SQL: &str = "UPDATE issuer_issued SET notification_digest = $1, \
            notification_token_digest = $2 WHERE status_index = $3";
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.map_err(failure)?;
            for index in status_indexes {
                sqlx::query(SQL)
                    .bind(notification_digest)
                    .bind(token_digest)
                    .bind(index)
                    .execute(&mut *tx)
                    .await
                    .map_err(failure)?;
            }
            tx.commit().await.map_err(failure)
        })
    }

    /// Sets the wallet's event on the notification's credentials, only when the notification
    /// belongs to `token_digest`: one conditional statement, so a foreign id changes nothing.
    pub(crate) async fn issuer_record_wallet_event(
        &self,
        notification_digest: &str,
        token_digest: &str,
        event: &WalletEvent,
    ) -> Result<bool, StoreFailure> {
        const SQL: &str = "UPDATE issuer_issued SET wallet_event = $1, \
            wallet_event_description = $2, wallet_event_at = $3 \
            WHERE notification_digest = $4 AND notification_token_digest = $5";
        let affected = on_pool!(self, pool => sqlx::query(SQL)
            .bind(&event.event)
            .bind(&event.description)
            .bind(event.at)
            .bind(notification_digest)
            .bind(token_digest)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(failure)?;
        Ok(affected > 0)
    }

    /// The wallet's last event on the credential at `status_index`.
    pub(crate) async fn issuer_find_wallet_event(
        &self,
        status_index: i64,
    ) -> Result<Option<WalletEvent>, StoreFailure> {
        const SQL: &str = "SELECT wallet_event, wallet_event_description, wallet_event_at \
            FROM issuer_issued WHERE status_index = $1";
        let row: Option<WalletEventRow> = on_pool!(self, pool => sqlx::query_as(SQL)
            .bind(status_index)
            .fetch_optional(pool)
            .await)
        .map_err(failure)?;
        Ok(match row {
            Some((Some(event), description, Some(at))) => Some(WalletEvent {
                event,
                description,
                at,
            }),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use saifu_issuer::{IssuerStore, WalletEvent};

    use crate::Store;
    use crate::issuer_status::tests::issued;
    use crate::testing::TestDatabase;

    fn event(name: &str, at: i64) -> WalletEvent {
        WalletEvent {
            event: name.into(),
            description: Some("why".into()),
            at,
        }
    }

    /// Events reach exactly the notification's credentials, only from its session; the last
    /// event wins.
    async fn semantics(store: &Store) {
        for index in [1, 2, 3] {
            assert!(store.record_issued(&issued(index, 0)).await.unwrap());
        }
        store.link_notification("n", "t", &[1, 2]).await.unwrap();
        store.link_notification("m", "u", &[3]).await.unwrap();
        let accepted = event("credential_accepted", 10);
        assert!(
            !store
                .record_wallet_event("n", "u", &accepted)
                .await
                .unwrap()
        );
        assert!(
            !store
                .record_wallet_event("x", "t", &accepted)
                .await
                .unwrap()
        );
        assert_eq!(store.find_wallet_event(1).await.unwrap(), None);
        assert!(
            store
                .record_wallet_event("n", "t", &accepted)
                .await
                .unwrap()
        );
        let deleted = event("credential_deleted", 11);
        assert!(store.record_wallet_event("n", "t", &deleted).await.unwrap());
        assert_eq!(
            store.find_wallet_event(1).await.unwrap(),
            Some(deleted.clone())
        );
        assert_eq!(store.find_wallet_event(2).await.unwrap(), Some(deleted));
        assert_eq!(store.find_wallet_event(3).await.unwrap(), None);
        assert_eq!(store.find_wallet_event(99).await.unwrap(), None);
    }

    #[tokio::test]
    async fn notifications_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_dir(dir.path()).await.unwrap();
        semantics(&store).await;
    }

    #[tokio::test]
    async fn notifications_on_postgres() {
        let database = TestDatabase::create().await.unwrap();
        let store = Store::open(database.url()).await.unwrap();
        semantics(&store).await;
        store.close().await;
    }
}
