//! Presentation sessions: one OpenID4VP 1.0 authorization request, answered at most once.
//!
//! [`SessionService::create`] makes a request under one of the client identifier prefixes of
//! [`ClientIdPrefix`] (§5.9.3): `redirect_uri:` requests are unsigned and passed by value in an
//! `openid4vp://` deep link; `x509_san_dns:` and `decentralized_identifier:` requests are signed
//! request objects passed by reference (`request_uri`, served by
//! [`SessionService::request_object`]). The response mode is `direct_post` or `direct_post.jwt`
//! (§8.2, §8.3), the latter with a fresh [`ResponseKey`] per session.
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

use crate::client::{ClientIdPrefix, PrefixNotConfigured, RequestSigners, SignError};
use crate::pipeline::Verifier;
use crate::report::VerificationReport;
use crate::request::PresentationRequest;
use crate::response_key::{EncryptedResponseError, ResponseKey};

/// How the wallet returns its response (OpenID4VP 1.0 §8.2, §8.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ResponseMode {
    /// `direct_post`: a form with `vp_token` and `state`.
    #[serde(rename = "direct_post")]
    DirectPost,
    /// `direct_post.jwt`: a form with `response`, a JWE to the session's [`ResponseKey`].
    #[serde(rename = "direct_post.jwt")]
    DirectPostJwt,
}

impl ResponseMode {
    /// The `response_mode` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseMode::DirectPost => "direct_post",
            ResponseMode::DirectPostJwt => "direct_post.jwt",
        }
    }

    /// The mode named `name` ([`Self::as_str`]), if saifu supports it.
    pub fn from_name(name: &str) -> Option<ResponseMode> {
        [ResponseMode::DirectPost, ResponseMode::DirectPostJwt]
            .into_iter()
            .find(|mode| mode.as_str() == name)
    }
}

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
    /// The full prefixed Client Identifier (`redirect_uri:…`, `x509_san_dns:…`, …).
    pub client_id: String,
    /// Where the wallet posts its response.
    pub response_uri: String,
    /// How the wallet posts its response.
    pub response_mode: ResponseMode,
    /// The signed request object served at the `request_uri`, for requests by reference.
    pub request_object: Option<String>,
    /// The `direct_post.jwt` decryption key.
    pub response_key: Option<ResponseKey>,
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

/// What a new session asks of the wallet besides the DCQL query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreateOptions {
    /// How the verifier identifies itself.
    pub prefix: ClientIdPrefix,
    /// How the wallet answers.
    pub response_mode: ResponseMode,
}

impl Default for CreateOptions {
    /// An unsigned `redirect_uri:` request answered with `direct_post`.
    fn default() -> Self {
        CreateOptions {
            prefix: ClientIdPrefix::RedirectUri,
            response_mode: ResponseMode::DirectPost,
        }
    }
}

/// A created session: what the verifier's front end shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreatedSession {
    /// The session id.
    pub id: String,
    /// The authorization request parameters (OpenID4VP 1.0 §5), signed into the request
    /// object when the request goes by reference.
    pub request: Value,
    /// Where the wallet fetches the signed request object, for requests by reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_uri: Option<String>,
    /// The request as an `openid4vp://` deep link (by value, or by reference).
    pub link: String,
}

/// A wallet's authorization response as posted to the `response_uri`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalletResponse<'a> {
    /// `direct_post`: the `vp_token` (JSON text) and `state` form fields.
    Plain {
        /// The `vp_token` field.
        vp_token: &'a str,
        /// The `state` field.
        state: &'a str,
    },
    /// `direct_post.jwt`: the `response` form field, a JWE.
    Encrypted(&'a str),
}

/// Why a session could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError<E> {
    /// The DCQL query is invalid.
    #[error("invalid dcql_query: {0}")]
    InvalidQuery(#[from] DcqlError),
    /// The verifier has no identity for the requested client identifier prefix.
    #[error(transparent)]
    PrefixNotConfigured(#[from] PrefixNotConfigured),
    /// The request object could not be signed.
    #[error("request object signing failed: {0}")]
    Sign(#[source] SignError),
    /// The `direct_post.jwt` key could not be generated.
    #[error("response key generation failed: {0}")]
    ResponseKey(#[source] saifu_crypto::CryptoError),
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
    /// The response came in another response mode than the request asked for.
    #[error("the request asked for response mode {expected}")]
    WrongResponseMode {
        /// The request's response mode.
        expected: &'static str,
    },
    /// The `direct_post.jwt` response was refused before its content was looked at.
    #[error(transparent)]
    Encrypted(#[from] EncryptedResponseError),
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
    /// A `direct_post.jwt` session has no stored key (storage corruption).
    #[error("the session has no response key")]
    MissingResponseKey,
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
            RespondError::StoredQuery(_)
            | RespondError::MissingResponseKey
            | RespondError::Report(_)
            | RespondError::Store(_) => None,
            _ => Some("invalid_request"),
        }
    }
}

/// Why a request object is not served.
#[derive(Debug, thiserror::Error)]
pub enum RequestObjectError<E> {
    /// No session has this id.
    #[error("unknown presentation session")]
    UnknownSession,
    /// The session's request goes by value; there is nothing to fetch.
    #[error("this presentation request is passed by value")]
    ByValue,
    /// The session was answered or expired; its request is no longer served.
    #[error("the presentation session is closed")]
    Closed,
    /// The store failed.
    #[error("storage failed: {0}")]
    Store(#[source] E),
}

/// Creates sessions and handles their responses.
#[derive(Debug)]
pub struct SessionService<S> {
    store: S,
    verifier: Arc<Verifier>,
    signers: RequestSigners,
    base_url: String,
    lifetime: i64,
}

impl<S: SessionStore> SessionService<S> {
    /// A service storing sessions in `store`, verifying with `verifier`, signing request
    /// objects with `signers`, whose response URIs are `{base_url}/presentations/{id}/response`
    /// (request URIs `…/request`) and whose sessions last `lifetime` seconds.
    pub fn new(
        store: S,
        verifier: Arc<Verifier>,
        signers: RequestSigners,
        base_url: &str,
        lifetime: i64,
    ) -> Self {
        SessionService {
            store,
            verifier,
            signers,
            base_url: base_url.trim_end_matches('/').to_owned(),
            lifetime,
        }
    }

    /// Creates a session for `dcql_query` at `now`.
    pub async fn create(
        &self,
        dcql_query: Value,
        options: CreateOptions,
        now: i64,
    ) -> Result<CreatedSession, CreateError<S::Error>> {
        DcqlQuery::from_json(&dcql_query, &Limits::default())?;
        let id = random_token();
        let response_uri = format!("{}/presentations/{id}/response", self.base_url);
        let response_key = match options.response_mode {
            ResponseMode::DirectPost => None,
            ResponseMode::DirectPostJwt => {
                Some(ResponseKey::generate().map_err(CreateError::ResponseKey)?)
            }
        };
        let mut session = Session {
            client_id: self.signers.client_id(options.prefix, &response_uri)?,
            id,
            dcql_query,
            nonce: random_token(),
            state: random_token(),
            response_uri,
            response_mode: options.response_mode,
            request_object: None,
            response_key,
            created_at: now,
            expires_at: now.saturating_add(self.lifetime),
        };
        let request = request_parameters(&session, &self.verifier.jose_algorithms());
        session.request_object = self
            .signers
            .sign(
                options.prefix,
                &request,
                session.created_at,
                session.expires_at,
            )
            .await
            .map_err(CreateError::Sign)?;
        self.store
            .insert(&session)
            .await
            .map_err(CreateError::Store)?;
        let request_uri = session
            .request_object
            .is_some()
            .then(|| format!("{}/presentations/{}/request", self.base_url, session.id));
        let link = match &request_uri {
            Some(uri) => deep_link_by_reference(&session.client_id, uri),
            None => deep_link(&request),
        };
        Ok(CreatedSession {
            id: session.id,
            request: Value::Object(request),
            request_uri,
            link,
        })
    }

    /// The signed request object of session `id` at `now`, served while the session is open.
    pub async fn request_object(
        &self,
        id: &str,
        now: i64,
    ) -> Result<String, RequestObjectError<S::Error>> {
        let record = self
            .store
            .load(id)
            .await
            .map_err(RequestObjectError::Store)?
            .ok_or(RequestObjectError::UnknownSession)?;
        let object = record
            .session
            .request_object
            .ok_or(RequestObjectError::ByValue)?;
        if record.status != SessionStatus::Pending || now >= record.session.expires_at {
            return Err(RequestObjectError::Closed);
        }
        Ok(object)
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

    /// Handles the wallet's `response` to session `id` at `now`. On success the verified
    /// report is the session's completion; every refusal before verification leaves the
    /// session as it was.
    pub async fn respond(
        &self,
        id: &str,
        response: WalletResponse<'_>,
        now: i64,
    ) -> Result<VerificationReport, RespondError<S::Error>> {
        let record = self
            .store
            .load(id)
            .await
            .map_err(RespondError::Store)?
            .ok_or(RespondError::UnknownSession)?;
        let session = record.session;
        let (vp_token, state) = match (response, session.response_mode) {
            (WalletResponse::Plain { vp_token, state }, ResponseMode::DirectPost) => {
                (Unparsed::Text(vp_token), state.to_owned())
            }
            (WalletResponse::Encrypted(jwe), ResponseMode::DirectPostJwt) => {
                let key = session
                    .response_key
                    .as_ref()
                    .ok_or(RespondError::MissingResponseKey)?;
                let decrypted = key.decrypt(jwe)?;
                (Unparsed::Json(decrypted.vp_token), decrypted.state)
            }
            (_, mode) => {
                return Err(RespondError::WrongResponseMode {
                    expected: mode.as_str(),
                });
            }
        };
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
        let vp_token = vp_token.into_object()?;
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
            .complete(id, &state, status, &stored, now)
            .await
            .map_err(RespondError::Store)?;
        match (completed, report.verified) {
            (false, _) => Err(RespondError::AlreadyAnswered),
            (true, true) => Ok(report),
            (true, false) => Err(RespondError::Rejected(Box::new(report))),
        }
    }
}

/// A `vp_token` as received: JSON text from a form field, or JSON from a decrypted JWE.
enum Unparsed<'a> {
    Text(&'a str),
    Json(Value),
}

impl Unparsed<'_> {
    /// The `vp_token` object (§8.1).
    fn into_object<E>(self) -> Result<Value, RespondError<E>> {
        let value = match self {
            Unparsed::Text(text) => serde_json::from_str(text)
                .map_err(|e| RespondError::MalformedVpToken(e.to_string()))?,
            Unparsed::Json(value) => value,
        };
        if value.is_object() {
            Ok(value)
        } else {
            Err(RespondError::MalformedVpToken("not an object".to_owned()))
        }
    }
}

/// The authorization request parameters of `session` (OpenID4VP 1.0 §5.1, §8.2, §8.3), its
/// `client_metadata` declaring `vp_formats_supported` (SD-JWT VC with the JOSE `algorithms` the
/// verifier accepts, and the W3C formats), and for `direct_post.jwt` the response encryption key.
fn request_parameters(session: &Session, algorithms: &[&str]) -> Map<String, Value> {
    let text = |value: &str| Value::String(value.to_owned());
    let mut metadata = Map::from_iter([(
        "vp_formats_supported".to_owned(),
        serde_json::json!({
            "dc+sd-jwt": {"sd-jwt_alg_values": algorithms, "kb-jwt_alg_values": algorithms},
            // B.1.3.1.3 / B.1.3.2.3: what W3C credentials and presentations may be secured with.
            "jwt_vc_json": {"alg_values": saifu_oid4vc::w3c::jwt_vc::ALGORITHMS.map(|a| a.jose_name())},
            "ldp_vc": {
                "proof_type_values": [saifu_credential::w3c::di::PROOF_TYPE],
                "cryptosuite_values": ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"]
            }
        }),
    )]);
    if let Some(key) = &session.response_key {
        metadata.extend(key.client_metadata());
    }
    Map::from_iter([
        ("response_type".to_owned(), text("vp_token")),
        ("client_id".to_owned(), text(&session.client_id)),
        (
            "response_mode".to_owned(),
            text(session.response_mode.as_str()),
        ),
        ("response_uri".to_owned(), text(&session.response_uri)),
        ("nonce".to_owned(), text(&session.nonce)),
        ("state".to_owned(), text(&session.state)),
        ("dcql_query".to_owned(), session.dcql_query.clone()),
        ("client_metadata".to_owned(), Value::Object(metadata)),
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

/// `openid4vp://?client_id=…&request_uri=…&request_uri_method=get` (§5.10, RFC 9101 §5.2).
fn deep_link_by_reference(client_id: &str, request_uri: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("request_uri", request_uri)
        .append_pair("request_uri_method", "get")
        .finish();
    format!("openid4vp://?{query}")
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

    use super::{ResponseMode, Session, deep_link, deep_link_by_reference, request_parameters};

    #[test]
    fn deep_link_carries_every_parameter_by_value() {
        let session = Session {
            id: "id".into(),
            dcql_query: json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt"}]}),
            nonce: "n".into(),
            state: "s".into(),
            client_id: "redirect_uri:https://v.example/presentations/id/response".into(),
            response_uri: "https://v.example/presentations/id/response".into(),
            response_mode: ResponseMode::DirectPost,
            request_object: None,
            response_key: None,
            created_at: 0,
            expires_at: 300,
        };
        let link = deep_link(&request_parameters(&session, &["ES256"]));
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
        let metadata: serde_json::Value =
            serde_json::from_str(get("client_metadata").expect("client_metadata")).expect("json");
        assert_eq!(
            metadata,
            json!({"vp_formats_supported": {
                "dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]},
                "jwt_vc_json": {"alg_values": ["ES256", "EdDSA", "Ed25519"]},
                "ldp_vc": {
                    "proof_type_values": ["DataIntegrityProof"],
                    "cryptosuite_values": ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"]
                }
            }})
        );
        assert_eq!(pairs.len(), 8);
    }

    #[test]
    fn deep_link_by_reference_names_only_client_and_request_uri() {
        let link = deep_link_by_reference("x509_san_dns:v.example", "https://v.example/r?x=1");
        let query = link.strip_prefix("openid4vp://?").expect("scheme");
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let expected = [
            ("client_id", "x509_san_dns:v.example"),
            ("request_uri", "https://v.example/r?x=1"),
            ("request_uri_method", "get"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        assert_eq!(pairs, expected);
    }
}
