//! Verifier presentation sessions ([`saifu_verifier::session::SessionStore`]) on SQLite and
//! PostgreSQL. The SQL is written once with `$N` parameters, which both drivers accept; single
//! use is the conditional `UPDATE … WHERE status = 'pending'` and its affected-row count.

use saifu_verifier::response_key::ResponseKey;
use saifu_verifier::session::{ResponseMode, Session, SessionRecord, SessionStatus, SessionStore};
use serde_json::Value;

use crate::store::Pool;
use crate::{Store, StoreError};

/// Runs `$body` with `$pool` bound to the store's pool, whichever backend it is.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match $store.pool() {
            Pool::Sqlite($pool) => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

const INSERT: &str = "INSERT INTO verifier_sessions \
     (id, dcql_query, nonce, state, client_id, response_uri, created_at, expires_at, \
     response_mode, request_object, response_key) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
const SELECT: &str = "SELECT id, dcql_query, nonce, state, client_id, response_uri, created_at, \
     expires_at, status, report, response_mode, request_object, response_key \
     FROM verifier_sessions WHERE id = $1";
const COMPLETE: &str = "UPDATE verifier_sessions SET status = $1, report = $2, completed_at = $3 \
     WHERE id = $4 AND state = $5 AND status = 'pending' AND expires_at > $3";
const EXPIRE: &str = "UPDATE verifier_sessions SET status = 'expired', completed_at = $1 \
     WHERE id = $2 AND status = 'pending' AND expires_at <= $1";

/// One `verifier_sessions` row.
type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

/// The verifier's sessions in a [`Store`].
#[derive(Debug, Clone)]
pub struct VerifierSessions {
    store: Store,
}

impl VerifierSessions {
    /// Sessions kept in `store`.
    pub fn new(store: Store) -> Self {
        VerifierSessions { store }
    }

    /// Records where the result of session `id` is to be posted.
    pub async fn set_webhook(&self, id: &str, url: &str) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO verifier_webhook (session_id, url) VALUES ($1, $2)";
        on_pool!(self.store, |pool| sqlx::query(SQL)
            .bind(id)
            .bind(url)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }

    /// Where the result of session `id` is to be posted, if anywhere.
    pub async fn webhook(&self, id: &str) -> Result<Option<String>, StoreError> {
        const SQL: &str = "SELECT url FROM verifier_webhook WHERE session_id = $1";
        let row: Option<(String,)> = on_pool!(self.store, |pool| sqlx::query_as(SQL)
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|(url,)| url))
    }
}

/// A stored value that does not decode (the database was edited by hand).
fn corrupt(what: &str, reason: impl ToString) -> StoreError {
    StoreError::Query {
        source: sqlx::Error::Decode(
            format!("verifier_sessions.{what}: {}", reason.to_string()).into(),
        ),
    }
}

fn record(row: Row) -> Result<SessionRecord, StoreError> {
    let (
        id,
        dcql,
        nonce,
        state,
        client_id,
        response_uri,
        created_at,
        expires_at,
        status,
        report,
        response_mode,
        request_object,
        response_key,
    ) = row;
    let json = |what, text: &str| serde_json::from_str::<Value>(text).map_err(|e| corrupt(what, e));
    let response_key = response_key
        .map(|stored| ResponseKey::from_stored(&stored).map_err(|e| corrupt("response_key", e)))
        .transpose()?;
    Ok(SessionRecord {
        session: Session {
            id,
            dcql_query: json("dcql_query", &dcql)?,
            nonce,
            state,
            client_id,
            response_uri,
            response_mode: ResponseMode::from_name(&response_mode)
                .ok_or_else(|| corrupt("response_mode", response_mode))?,
            request_object,
            response_key,
            created_at,
            expires_at,
        },
        status: SessionStatus::from_name(&status).ok_or_else(|| corrupt("status", status))?,
        report: report.map(|text| json("report", &text)).transpose()?,
    })
}

impl SessionStore for VerifierSessions {
    type Error = StoreError;

    async fn insert(&self, session: &Session) -> Result<(), StoreError> {
        let dcql = session.dcql_query.to_string();
        let response_key = session.response_key.as_ref().map(ResponseKey::to_stored);
        on_pool!(self.store, |pool| sqlx::query(INSERT)
            .bind(&session.id)
            .bind(&dcql)
            .bind(&session.nonce)
            .bind(&session.state)
            .bind(&session.client_id)
            .bind(&session.response_uri)
            .bind(session.created_at)
            .bind(session.expires_at)
            .bind(session.response_mode.as_str())
            .bind(session.request_object.as_deref())
            .bind(response_key.as_ref().map(|key| key.as_str()))
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }

    async fn load(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        let row: Option<Row> = on_pool!(self.store, |pool| sqlx::query_as(SELECT)
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        row.map(record).transpose()
    }

    async fn complete(
        &self,
        id: &str,
        state: &str,
        status: SessionStatus,
        report: &Value,
        now: i64,
    ) -> Result<bool, StoreError> {
        let report = report.to_string();
        let rows = on_pool!(self.store, |pool| sqlx::query(COMPLETE)
            .bind(status.as_str())
            .bind(&report)
            .bind(now)
            .bind(id)
            .bind(state)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(rows == 1)
    }

    async fn expire(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let rows = on_pool!(self.store, |pool| sqlx::query(EXPIRE)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(rows == 1)
    }
}

#[cfg(test)]
mod tests {
    use saifu_verifier::response_key::ResponseKey;
    use saifu_verifier::session::{ResponseMode, Session, SessionStatus, SessionStore};
    use serde_json::json;

    use super::VerifierSessions;
    use crate::Store;
    use crate::testing::TestDatabase;

    fn session(id: &str) -> Session {
        Session {
            id: id.to_owned(),
            dcql_query: json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt"}]}),
            nonce: "n-1".to_owned(),
            state: "s-1".to_owned(),
            client_id: "redirect_uri:https://v.example/presentations/a/response".to_owned(),
            response_uri: "https://v.example/presentations/a/response".to_owned(),
            response_mode: ResponseMode::DirectPost,
            request_object: None,
            response_key: None,
            created_at: 1_000,
            expires_at: 1_300,
        }
    }

    /// The session life cycle every backend must implement identically.
    async fn life_cycle(store: Store) {
        let sessions = VerifierSessions::new(store);
        let created = session("a");
        sessions.insert(&created).await.unwrap();
        assert!(sessions.insert(&created).await.is_err(), "duplicate id");
        let loaded = sessions.load("a").await.unwrap().unwrap();
        assert_eq!(loaded.session, created);
        assert_eq!(loaded.status, SessionStatus::Pending);
        assert_eq!(loaded.report, None);
        assert!(sessions.load("missing").await.unwrap().is_none());

        // A signed, encrypted-response session keeps its request object and key.
        let signed = Session {
            response_mode: ResponseMode::DirectPostJwt,
            request_object: Some("h.p.s".to_owned()),
            response_key: Some(ResponseKey::generate().unwrap()),
            ..session("c")
        };
        sessions.insert(&signed).await.unwrap();
        assert_eq!(sessions.load("c").await.unwrap().unwrap().session, signed);

        let report = json!({"verified": true});
        let complete = |state: &'static str, now| {
            let (sessions, report) = (&sessions, &report);
            async move {
                sessions
                    .complete("a", state, SessionStatus::Verified, report, now)
                    .await
                    .unwrap()
            }
        };
        assert!(!complete("wrong", 1_100).await, "state must match");
        assert!(!complete("s-1", 1_300).await, "expired");
        assert!(
            !sessions.expire("a", 1_299).await.unwrap(),
            "not yet expired"
        );
        assert!(complete("s-1", 1_100).await);
        assert!(!complete("s-1", 1_101).await, "single use");
        assert!(
            !sessions.expire("a", 2_000).await.unwrap(),
            "already answered"
        );
        let done = sessions.load("a").await.unwrap().unwrap();
        assert_eq!(done.status, SessionStatus::Verified);
        assert_eq!(done.report, Some(report.clone()));

        sessions.insert(&session("b")).await.unwrap();
        assert!(sessions.expire("b", 1_300).await.unwrap());
        let expired = sessions.load("b").await.unwrap().unwrap();
        assert_eq!(expired.status, SessionStatus::Expired);
        assert!(
            !sessions
                .complete("b", "s-1", SessionStatus::Verified, &report, 1_100)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn sqlite_sessions_are_single_use() {
        let dir = tempfile::tempdir().unwrap();
        life_cycle(Store::open_in_dir(dir.path()).await.unwrap()).await;
    }

    #[tokio::test]
    async fn postgres_sessions_are_single_use() {
        let db = TestDatabase::create().await.unwrap();
        life_cycle(Store::open(db.url()).await.unwrap()).await;
    }
}
