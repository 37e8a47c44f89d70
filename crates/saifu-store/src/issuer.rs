//! [`IssuerStore`] on SQLite and PostgreSQL. The statements are written once in the syntax both
//! dialects accept (`$n` parameters, `ON CONFLICT`); single use is enforced by conditional
//! `UPDATE` / `DELETE` statements whose affected row count decides.

use saifu_issuer::{
    IssuedRecord, IssuerStore, NewList, OfferRecord, PendingKey, PendingRecord, ReservedSlot,
    SessionRecord, StatusListRecord, StoreFailure, SubjectRecord, WalletEvent,
};

use crate::Store;
use crate::sql::failure;

type OfferRow = (
    String,
    String,
    String,
    Option<String>,
    i64,
    i64,
    bool,
    Option<String>,
    bool,
);
type SessionRow = (
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    bool,
);

impl IssuerStore for Store {
    async fn insert_offer(&self, offer: &OfferRecord) -> Result<(), StoreFailure> {
        const SQL: &str = "INSERT INTO issuer_offer (code_digest, config_id, claims, \
            tx_code_digest, attempts_left, expires_at, used, subject_id, deferred) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        on_pool!(self, pool => sqlx::query(SQL)
            .bind(&offer.code_digest)
            .bind(&offer.config_id)
            .bind(&offer.claims)
            .bind(&offer.tx_code_digest)
            .bind(offer.attempts_left)
            .bind(offer.expires_at)
            .bind(offer.used)
            .bind(&offer.subject_id)
            .bind(offer.deferred)
            .execute(pool)
            .await
            .map(drop))
        .map_err(failure)
    }

    async fn find_offer(&self, code_digest: &str) -> Result<Option<OfferRecord>, StoreFailure> {
        const SQL: &str = "SELECT code_digest, config_id, claims, tx_code_digest, \
            attempts_left, expires_at, used, subject_id, deferred FROM issuer_offer \
            WHERE code_digest = $1";
        let row: Option<OfferRow> = on_pool!(self, pool => sqlx::query_as(SQL)
            .bind(code_digest)
            .fetch_optional(pool)
            .await)
        .map_err(failure)?;
        Ok(row.map(
            |(
                code_digest,
                config_id,
                claims,
                tx_code_digest,
                attempts_left,
                expires_at,
                used,
                subject_id,
                deferred,
            )| {
                OfferRecord {
                    code_digest,
                    config_id,
                    claims,
                    tx_code_digest,
                    attempts_left,
                    expires_at,
                    used,
                    subject_id,
                    deferred,
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
            expires_at, subject_id, client_id, deferred) VALUES ($1, $2, $3, $4, $5, $6, $7)";
        on_pool!(self, pool => sqlx::query(SQL)
            .bind(&session.token_digest)
            .bind(&session.config_id)
            .bind(&session.claims)
            .bind(session.expires_at)
            .bind(&session.subject_id)
            .bind(&session.client_id)
            .bind(session.deferred)
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
        const SQL: &str = "SELECT token_digest, config_id, claims, expires_at, subject_id, client_id, deferred \
            FROM issuer_session WHERE token_digest = $1 AND expires_at > $2";
        let row: Option<SessionRow> = on_pool!(self, pool => sqlx::query_as(SQL)
            .bind(token_digest)
            .bind(now)
            .fetch_optional(pool)
            .await)
        .map_err(failure)?;
        Ok(row.map(
            |(token_digest, config_id, claims, expires_at, subject_id, client_id, deferred)| {
                SessionRecord {
                    token_digest,
                    config_id,
                    claims,
                    expires_at,
                    subject_id,
                    client_id,
                    deferred,
                }
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

    async fn consume_nonces(
        &self,
        nonce_digests: &[String],
        now: i64,
    ) -> Result<bool, StoreFailure> {
        const SQL: &str = "DELETE FROM issuer_nonce WHERE nonce_digest = $1 AND expires_at > $2";
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.map_err(failure)?;
            for digest in nonce_digests {
                let deleted = sqlx::query(SQL)
                    .bind(digest)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(failure)?
                    .rows_affected();
                if deleted != 1 {
                    tx.rollback().await.map_err(failure)?;
                    return Ok(false);
                }
            }
            tx.commit().await.map_err(failure)?;
            Ok(true)
        })
    }

    async fn record_in_next_slot<F>(
        &self,
        record: &IssuedRecord,
        new_list: NewList<'_>,
        place: F,
    ) -> Result<(ReservedSlot, i64), StoreFailure>
    where
        F: Fn(&ReservedSlot) -> Result<i64, StoreFailure> + Send,
    {
        self.issuer_record_in_next_slot(record, new_list, place)
            .await
    }

    async fn status_lists(&self) -> Result<Vec<StatusListRecord>, StoreFailure> {
        self.issuer_status_lists().await
    }

    async fn record_issued(&self, record: &IssuedRecord) -> Result<bool, StoreFailure> {
        let affected = on_pool!(self, pool => insert_issued!(record, record.status_index)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(failure)?;
        Ok(affected == 1)
    }

    async fn status_entries(&self, first: i64, end: i64) -> Result<Vec<(i64, u8)>, StoreFailure> {
        const SQL: &str = "SELECT status_index, status FROM issuer_issued \
            WHERE status <> 0 AND status_index >= $1 AND status_index < $2 ORDER BY status_index";
        let rows: Vec<(i64, i64)> = on_pool!(self, pool => sqlx::query_as(SQL)
            .bind(first)
            .bind(end)
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

    async fn find_issued(&self, status_index: i64) -> Result<Option<IssuedRecord>, StoreFailure> {
        self.issuer_find_issued(status_index).await
    }

    async fn list_issued(
        &self,
        subject_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<IssuedRecord>, StoreFailure> {
        self.issuer_list_issued(subject_id, limit).await
    }

    async fn change_status(
        &self,
        status_index: i64,
        from: u8,
        to: u8,
        now: i64,
    ) -> Result<bool, StoreFailure> {
        self.issuer_change_status(status_index, from, to, now).await
    }

    async fn upsert_subject(&self, subject: &SubjectRecord) -> Result<(), StoreFailure> {
        self.issuer_upsert_subject(subject).await
    }

    async fn find_subject(&self, id: &str) -> Result<Option<SubjectRecord>, StoreFailure> {
        self.issuer_find_subject(id).await
    }

    async fn list_subjects(&self, limit: i64) -> Result<Vec<SubjectRecord>, StoreFailure> {
        self.issuer_list_subjects(limit).await
    }

    async fn delete_subject(&self, id: &str) -> Result<bool, StoreFailure> {
        self.issuer_delete_subject(id).await
    }

    async fn insert_pending(&self, pending: &PendingRecord) -> Result<(), StoreFailure> {
        self.issuer_insert_pending(pending).await
    }

    async fn find_pending(
        &self,
        transaction_digest: &str,
        now: i64,
    ) -> Result<Option<PendingRecord>, StoreFailure> {
        self.issuer_find_pending(transaction_digest, now).await
    }

    async fn list_pending(
        &self,
        state: Option<&str>,
        limit: i64,
    ) -> Result<Vec<PendingRecord>, StoreFailure> {
        self.issuer_list_pending(state, limit).await
    }

    async fn move_pending(
        &self,
        key: PendingKey<'_>,
        from: &str,
        to: &str,
    ) -> Result<bool, StoreFailure> {
        self.issuer_move_pending(key, from, to).await
    }

    async fn insert_configuration(
        &self,
        id: &str,
        definition: &str,
        created_at: i64,
    ) -> Result<bool, StoreFailure> {
        self.issuer_insert_configuration(id, definition, created_at)
            .await
    }

    async fn list_configurations(&self) -> Result<Vec<String>, StoreFailure> {
        self.issuer_list_configurations().await
    }

    async fn insert_offer_reference(
        &self,
        id_digest: &str,
        sealed: &str,
        expires_at: i64,
    ) -> Result<(), StoreFailure> {
        self.issuer_insert_offer_reference(id_digest, sealed, expires_at)
            .await
    }

    async fn find_offer_reference(
        &self,
        id_digest: &str,
        now: i64,
    ) -> Result<Option<String>, StoreFailure> {
        self.issuer_find_offer_reference(id_digest, now).await
    }

    async fn link_notification(
        &self,
        notification_digest: &str,
        token_digest: &str,
        status_indexes: &[i64],
    ) -> Result<(), StoreFailure> {
        self.issuer_link_notification(notification_digest, token_digest, status_indexes)
            .await
    }

    async fn record_wallet_event(
        &self,
        notification_digest: &str,
        token_digest: &str,
        event: &WalletEvent,
    ) -> Result<bool, StoreFailure> {
        self.issuer_record_wallet_event(notification_digest, token_digest, event)
            .await
    }

    async fn find_wallet_event(
        &self,
        status_index: i64,
    ) -> Result<Option<WalletEvent>, StoreFailure> {
        self.issuer_find_wallet_event(status_index).await
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
    use saifu_issuer::{IssuedRecord, IssuerStore, OfferRecord, SessionRecord, SubjectRecord};

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
            subject_id: Some("s-1".into()),
            deferred: false,
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
            subject_id: Some("s-1".into()),
            status: 0,
            status_changed_at: None,
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
            subject_id: None,
            client_id: Some("wallet".into()),
            deferred: true,
        };
        store.insert_session(&session).await.unwrap();
        assert_eq!(store.find_session("t", NOW).await.unwrap(), Some(session));
        assert_eq!(store.find_session("t", NOW + 10).await.unwrap(), None);

        store.insert_nonce("n", NOW + 10).await.unwrap();
        store.insert_nonce("old", NOW).await.unwrap();
        let nonces = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert!(
            !store.consume_nonces(&nonces(&["old"]), NOW).await.unwrap(),
            "expired"
        );
        store.insert_nonce("m", NOW + 10).await.unwrap();
        assert!(
            !store
                .consume_nonces(&nonces(&["m", "old"]), NOW)
                .await
                .unwrap(),
            "one bad nonce refuses the batch"
        );
        assert!(
            store
                .consume_nonces(&nonces(&["n", "m"]), NOW)
                .await
                .unwrap(),
            "and consumed none"
        );
        assert!(
            !store.consume_nonces(&nonces(&["n"]), NOW).await.unwrap(),
            "single use"
        );

        assert!(store.record_issued(&issued(7)).await.unwrap());
        assert!(
            !store.record_issued(&issued(7)).await.unwrap(),
            "index taken"
        );
        assert!(store.status_entries(0, 10).await.unwrap().is_empty());
        admin_semantics(store).await;
    }

    /// Status transitions are conditional; subjects upsert; offer references expire.
    async fn admin_semantics(store: &Store) {
        assert!(store.change_status(7, 0, 2, NOW + 1).await.unwrap());
        assert!(
            !store.change_status(7, 0, 1, NOW + 2).await.unwrap(),
            "not valid any more"
        );
        assert!(
            !store.change_status(99, 0, 1, NOW).await.unwrap(),
            "no such entry"
        );
        assert_eq!(store.status_entries(0, 10).await.unwrap(), vec![(7, 2)]);
        let found = store.find_issued(7).await.unwrap().unwrap();
        assert_eq!((found.status, found.status_changed_at), (2, Some(NOW + 1)));
        assert_eq!(store.list_issued(Some("s-1"), 10).await.unwrap().len(), 1);
        assert!(store.list_issued(Some("s-2"), 10).await.unwrap().is_empty());
        assert_eq!(store.list_issued(None, 10).await.unwrap()[0], found);

        let mut subject = SubjectRecord {
            id: "s-1".into(),
            claims: r#"{"given_name":"Hanako"}"#.into(),
            password_hash: None,
            created_at: NOW,
            updated_at: NOW,
        };
        store.upsert_subject(&subject).await.unwrap();
        subject.claims = r#"{"given_name":"Hana"}"#.into();
        subject.updated_at = NOW + 5;
        store
            .upsert_subject(&SubjectRecord {
                created_at: NOW + 5,
                ..subject.clone()
            })
            .await
            .unwrap();
        assert_eq!(
            store.find_subject("s-1").await.unwrap(),
            Some(subject.clone())
        );
        assert_eq!(store.list_subjects(10).await.unwrap(), vec![subject]);
        assert!(store.delete_subject("s-1").await.unwrap());
        assert!(!store.delete_subject("s-1").await.unwrap());

        store
            .insert_offer_reference("r", "sealed", NOW + 5)
            .await
            .unwrap();
        assert_eq!(
            store
                .find_offer_reference("r", NOW)
                .await
                .unwrap()
                .as_deref(),
            Some("sealed")
        );
        assert_eq!(
            store.find_offer_reference("r", NOW + 5).await.unwrap(),
            None
        );
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
