//! Presentation sessions: one OpenID4VP 1.0 authorization request, answered at most once.
//!
//! [`SessionService::create`] makes an unsigned request with the `redirect_uri:` client
//! identifier prefix and response mode `direct_post` (§5.9.3: unsigned only, the client
//! identifier being the `response_uri`), passed by value in an `openid4vp://` deep link.
//! [`SessionService::respond`] checks a wallet's response against its session and stores the
//! [`VerificationReport`] as the session's single completion. Single use is enforced by the
//! [`SessionStore`], i.e. by the database (ARCHITECTURE.md §5), never by this process.

use std::future::Future;
use std::sync::Arc;

use rand::RngCore;
use saifu_oid4vc::dcql::{DcqlError, DcqlQuery, Limits};
use serde::Serialize;
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use crate::pipeline::Verifier;
use crate::report::VerificationReport;
use crate::request::PresentationRequest;

/// A presentation session as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Random 128-bit identifier, hex.
    pub id: String,
    /// The DCQL query JSON sent to the wallet.
    pub dcql_query: Value,
    /// The fresh nonce the KB-JWTs must carry.
    pub nonce: String,
    /// The `state` the response must echo.
    pub state: String,
    /// The full prefixed Client Identifier (`redirect_uri:…`).
    pub client_id: String,
    /// Where the wallet posts its response.
    pub response_uri: String,
    /// Creation time, seconds since the epoch.
    pub created_at: i64,
    /// No response is accepted from this instant on (seconds since the epoch).
    pub expires_at: i64,
}

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// Waiting for the wallet's response.
    Pending,
    /// Answered with a presentation that passed every check.
    Verified,
    /// Answered with a presentation that failed a check.
    Rejected,
    /// No response arrived in time.
    Expired,
}

impl SessionStatus {
    /// The stable lower-case name stored in the database and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Pending => "pending",
            SessionStatus::Verified => "verified",
            SessionStatus::Rejected => "rejected",
            SessionStatus::Expired => "expired",
        }
    }

    /// The status named `name` ([`Self::as_str`]), if any.
    pub fn from_name(name: &str) -> Option<SessionStatus> {
        [
            SessionStatus::Pending,
            SessionStatus::Verified,
            SessionStatus::Rejected,
            SessionStatus::Expired,
        ]
        .into_iter()
        .find(|status| status.as_str() == name)
    }
}

/// A stored session with its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    /// The session.
    pub session: Session,
    /// Its stored status (a pending session past `expires_at` is still stored as pending).
    pub status: SessionStatus,
    /// The verification report (JSON) once completed.
    pub report: Option<Value>,
}

/// The storage sessions need; implemented by saifu-store for SQLite and PostgreSQL.
pub trait SessionStore: Send + Sync {
    /// Why the storage failed.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Stores a new pending session.
    fn insert(&self, session: &Session) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// The session `id`, if it exists.
    fn load(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<SessionRecord>, Self::Error>> + Send;

    /// Completes the pending, unexpired (at `now`) session `id` whose state is `state` with
    /// `status` and `report`, atomically. `Ok(false)` when no such pending session exists,
    /// which makes a completion single use.
    fn complete(
        &self,
        id: &str,
        state: &str,
        status: SessionStatus,
        report: &Value,
        now: i64,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send;

    /// Marks the session `id` expired if it is pending and expired at `now`; `Ok(false)` if not.
    fn expire(&self, id: &str, now: i64) -> impl Future<Output = Result<bool, Self::Error>> + Send;
}

/// A created session: what the verifier's front end shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreatedSession {
    /// The session id.
    pub id: String,
    /// The authorization request parameters (OpenID4VP 1.0 §5).
    pub request: Value,
    /// The request by value as an `openid4vp://` deep link.
    pub link: String,
}

/// Why a session could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError<E> {
    /// The DCQL query is invalid.
    #[error("invalid dcql_query: {0}")]
    InvalidQuery(#[from] DcqlError),
    /// The store failed.
    #[error("storage failed: {0}")]
    Store(#[source] E),
}

/// Why a response was refused; the session is left as it was (except [`Self::Expired`],
/// which records the expiry, and [`Self::Rejected`], which is the session's completion).
#[derive(Debug, thiserror::Error)]
pub enum RespondError<E> {
    /// No session has this id.
    #[error("unknown presentation session")]
    UnknownSession,
    /// The `state` is not the session's.
    #[error("state does not match the request")]
    StateMismatch,
    /// The `vp_token` is not a JSON object.
    #[error("vp_token is not a JSON object: {0}")]
    MalformedVpToken(String),
    /// The session expired before the response arrived.
    #[error("the presentation session expired")]
    Expired,
    /// The session was already answered.
    #[error("the presentation session was already answered")]
    AlreadyAnswered,
    /// The presentation failed verification; the report is stored.
    #[error("the presentation was rejected: {}", .0.error.as_ref().map_or_else(String::new, ToString::to_string))]
    Rejected(Box<VerificationReport>),
    /// The stored DCQL query no longer parses (storage corruption).
    #[error("stored dcql_query is invalid: {0}")]
    StoredQuery(DcqlError),
    /// The report could not be serialized.
    #[error("report serialization failed: {0}")]
    Report(serde_json::Error),
    /// The store failed.
    #[error("storage failed: {0}")]
    Store(#[source] E),
}

impl<E> RespondError<E> {
    /// The OpenID4VP / OAuth error code (OpenID4VP 1.0 §8.5) for the wallet, or `None` for a
    /// server-side failure.
    pub fn oauth_code(&self) -> Option<&'static str> {
        match self {
            RespondError::StoredQuery(_) | RespondError::Report(_) | RespondError::Store(_) => None,
            _ => Some("invalid_request"),
        }
    }
}

/// Creates sessions and handles their responses.
#[derive(Debug)]
pub struct SessionService<S> {
    store: S,
    verifier: Arc<Verifier>,
    base_url: String,
    lifetime: i64,
}

impl<S: SessionStore> SessionService<S> {
    /// A service storing sessions in `store`, verifying with `verifier`, whose response URIs are
    /// `{base_url}/presentations/{id}/response` and whose sessions last `lifetime` seconds.
    pub fn new(store: S, verifier: Arc<Verifier>, base_url: &str, lifetime: i64) -> Self {
        SessionService {
            store,
            verifier,
            base_url: base_url.trim_end_matches('/').to_owned(),
            lifetime,
        }
    }

    /// Creates a session for `dcql_query` at `now`.
    pub async fn create(
        &self,
        dcql_query: Value,
        now: i64,
    ) -> Result<CreatedSession, CreateError<S::Error>> {
        DcqlQuery::from_json(&dcql_query, &Limits::default())?;
        let id = random_token();
        let response_uri = format!("{}/presentations/{id}/response", self.base_url);
        let session = Session {
            client_id: format!("redirect_uri:{response_uri}"),
            id,
            dcql_query,
            nonce: random_token(),
            state: random_token(),
            response_uri,
            created_at: now,
            expires_at: now.saturating_add(self.lifetime),
        };
        self.store
            .insert(&session)
            .await
            .map_err(CreateError::Store)?;
        let request = request_parameters(&session);
        Ok(CreatedSession {
            link: deep_link(&request),
            id: session.id,
            request: Value::Object(request),
        })
    }

    /// The session `id`, with a pending session past its expiry shown as expired.
    pub async fn status(&self, id: &str, now: i64) -> Result<Option<SessionRecord>, S::Error> {
        let record = self.store.load(id).await?;
        Ok(record.map(|mut record| {
            if record.status == SessionStatus::Pending && now >= record.session.expires_at {
                record.status = SessionStatus::Expired;
            }
            record
        }))
    }

    /// Handles the wallet's `direct_post` response to session `id` at `now`: `vp_token` (JSON
    /// text) and `state`. On success the verified report is the session's completion.
    pub async fn respond(
        &self,
        id: &str,
        vp_token: &str,
        state: &str,
        now: i64,
    ) -> Result<VerificationReport, RespondError<S::Error>> {
        let record = self
            .store
            .load(id)
            .await
            .map_err(RespondError::Store)?
            .ok_or(RespondError::UnknownSession)?;
        let session = record.session;
        if !bool::from(state.as_bytes().ct_eq(session.state.as_bytes())) {
            return Err(RespondError::StateMismatch);
        }
        if record.status != SessionStatus::Pending {
            return Err(RespondError::AlreadyAnswered);
        }
        if now >= session.expires_at {
            self.store
                .expire(id, now)
                .await
                .map_err(RespondError::Store)?;
            return Err(RespondError::Expired);
        }
        let vp_token: Value = serde_json::from_str(vp_token)
            .map_err(|e| RespondError::MalformedVpToken(e.to_string()))?;
        if !vp_token.is_object() {
            return Err(RespondError::MalformedVpToken("not an object".to_owned()));
        }
        let request = PresentationRequest {
            client_id: session.client_id,
            nonce: session.nonce,
            dcql: DcqlQuery::from_json(&session.dcql_query, &Limits::default())
                .map_err(RespondError::StoredQuery)?,
            issued_at: session.created_at,
            expires_at: session.expires_at,
        };
        let report = self.verifier.verify(&request, &vp_token, now).await;
        let status = if report.verified {
            SessionStatus::Verified
        } else {
            SessionStatus::Rejected
        };
        let stored = serde_json::to_value(&report).map_err(RespondError::Report)?;
        let completed = self
            .store
            .complete(id, state, status, &stored, now)
            .await
            .map_err(RespondError::Store)?;
        match (completed, report.verified) {
            (false, _) => Err(RespondError::AlreadyAnswered),
            (true, true) => Ok(report),
            (true, false) => Err(RespondError::Rejected(Box::new(report))),
        }
    }
}

/// The authorization request parameters of `session` (OpenID4VP 1.0 §5.1, §8.2).
fn request_parameters(session: &Session) -> Map<String, Value> {
    let text = |value: &str| Value::String(value.to_owned());
    Map::from_iter([
        ("response_type".to_owned(), text("vp_token")),
        ("client_id".to_owned(), text(&session.client_id)),
        ("response_mode".to_owned(), text("direct_post")),
        ("response_uri".to_owned(), text(&session.response_uri)),
        ("nonce".to_owned(), text(&session.nonce)),
        ("state".to_owned(), text(&session.state)),
        ("dcql_query".to_owned(), session.dcql_query.clone()),
    ])
}

/// `openid4vp://?…` carrying `request` by value; JSON members are encoded as JSON text.
fn deep_link(request: &Map<String, Value>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in request {
        match value {
            Value::String(text) => query.append_pair(name, text),
            other => query.append_pair(name, &other.to_string()),
        };
    }
    format!("openid4vp://?{}", query.finish())
}

/// 128 random bits, hex.
fn random_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Session, deep_link, request_parameters};

    #[test]
    fn deep_link_carries_every_parameter_by_value() {
        let session = Session {
            id: "id".into(),
            dcql_query: json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt"}]}),
            nonce: "n".into(),
            state: "s".into(),
            client_id: "redirect_uri:https://v.example/presentations/id/response".into(),
            response_uri: "https://v.example/presentations/id/response".into(),
            created_at: 0,
            expires_at: 300,
        };
        let link = deep_link(&request_parameters(&session));
        let query = link.strip_prefix("openid4vp://?").expect("scheme");
        assert!(
            query.contains("client_id=redirect_uri%3Ahttps%3A%2F%2Fv.example"),
            "{link}"
        );
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        assert_eq!(get("response_type"), Some("vp_token"));
        assert_eq!(get("response_mode"), Some("direct_post"));
        assert_eq!(get("client_id"), Some(session.client_id.as_str()));
        assert_eq!(get("response_uri"), Some(session.response_uri.as_str()));
        assert_eq!(get("nonce"), Some("n"));
        assert_eq!(get("state"), Some("s"));
        let dcql: serde_json::Value =
            serde_json::from_str(get("dcql_query").expect("dcql_query")).expect("json");
        assert_eq!(dcql, session.dcql_query);
        assert_eq!(pairs.len(), 7);
    }
}
