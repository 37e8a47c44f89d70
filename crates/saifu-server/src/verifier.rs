//! The verifier role over HTTP (OpenID4VP 1.0): admin endpoints that create presentation
//! sessions and read their results, the public `request_uri` serving signed request objects
//! (`x509_san_dns:`, `decentralized_identifier:`) and the public `response_uri` wallets post
//! to with `direct_post` or `direct_post.jwt`.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use saifu_did::http::HttpClient;
use saifu_store::verifier::VerifierSessions;
use saifu_verifier::Outcome as CheckOutcome;
use saifu_verifier::client::{ClientIdPrefix, RequestSigners};
use saifu_verifier::session::RespondError;
use saifu_verifier::session::{
    CreateError, CreateOptions, RequestObjectError, ResponseMode, SessionService, SessionStatus,
    WalletResponse,
};
use saifu_verifier::{VerificationReport, Verifier};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth;
use crate::error::ApiError;
use crate::metrics::Outcome;
use crate::openapi::OAuthError;
use crate::registry_service::RegistryService;
use crate::verifier_webhook::Webhooks;
use saifu_registry::entry::AuditEvent;

/// The verifier a node runs, with the bearer token its admin endpoints require.
pub struct VerifierRole {
    sessions: SessionService<VerifierSessions>,
    admin_token: String,
    public_url: String,
    webhooks: Option<Webhooks>,
    registry: Option<Arc<RegistryService>>,
}

impl std::fmt::Debug for VerifierRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifierRole")
            .field("admin_token", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl VerifierRole {
    /// A verifier keeping sessions in `sessions`, checking responses with `verifier`, signing
    /// request objects with `signers` (`RequestSigners::default()` for `redirect_uri:` only);
    /// request and response URIs start with `public_url`, sessions last `lifetime` seconds and
    /// `admin_token` protects `/admin/presentations`.
    pub fn new(
        sessions: VerifierSessions,
        verifier: Arc<Verifier>,
        signers: RequestSigners,
        public_url: &str,
        lifetime: i64,
        admin_token: String,
    ) -> Self {
        VerifierRole {
            sessions: SessionService::new(sessions, verifier, signers, public_url, lifetime),
            admin_token,
            public_url: public_url.trim_end_matches('/').to_owned(),
            webhooks: None,
            registry: None,
        }
    }

    /// Also logs each presentation result as an audit event in `registry`.
    pub(crate) fn with_registry(mut self, registry: Option<Arc<RegistryService>>) -> Self {
        self.registry = registry;
        self
    }

    /// Lets requests name a `webhook_url` the result is posted to through `http`.
    pub fn with_webhooks(mut self, sessions: VerifierSessions, http: HttpClient) -> Self {
        self.webhooks = Some(Webhooks::new(sessions, http));
        self
    }

    /// The sessions, for the verifier portal pages (which create and read them too).
    pub(crate) fn sessions(&self) -> &SessionService<VerifierSessions> {
        &self.sessions
    }

    /// The admin token, which also signs operators in to the portal pages.
    pub(crate) fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// The node's public URL, whose origin the portal pages accept form posts from.
    pub(crate) fn public_url(&self) -> &str {
        &self.public_url
    }

    fn authorize(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        if auth::has_admin_token(headers, &self.admin_token) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "a valid admin bearer token is required".to_owned(),
            ))
        }
    }
}

type Role = State<Arc<VerifierRole>>;

/// The verifier's routes, or none when the node runs no verifier.
pub(crate) fn router<S: Clone + Send + Sync + 'static>(
    role: Option<Arc<VerifierRole>>,
) -> Router<S> {
    let Some(role) = role else {
        return Router::new();
    };
    Router::new()
        .route("/admin/presentations", post(create))
        .route("/admin/presentations/{id}", get(status))
        .route("/presentations/{id}/request", get(request_object))
        .route("/presentations/{id}/response", post(respond))
        .with_state(role)
}

/// Seconds since the epoch, the clock sessions are created and read at.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

fn invalid_request(description: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", description)
}

fn server_error(error: &dyn std::error::Error) -> ApiError {
    tracing::error!(%error, "verifier request failed");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "the verifier could not process the request".to_owned(),
    )
}

fn not_found(description: String) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", description)
}

/// Body of `POST /admin/presentations`: the DCQL query or, as a legacy form (ARCHITECTURE §3),
/// a DIF Presentation Exchange 2.0 `presentation_definition` translated to DCQL; and optionally
/// the client identifier prefix (default `redirect_uri`) and the response mode (default
/// `direct_post`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct CreateBody {
    /// What to ask for, as a DCQL query (OpenID4VP 1.0 §6).
    #[schema(value_type = Option<Object>)]
    dcql_query: Option<Value>,
    /// Legacy alternative to `dcql_query`: a DIF Presentation Exchange 2.0 definition.
    #[schema(value_type = Option<Object>)]
    presentation_definition: Option<Value>,
    /// `redirect_uri` (default), `decentralized_identifier` or `x509_san_dns`.
    client_id_prefix: Option<String>,
    /// `direct_post` (default) or `direct_post.jwt`.
    response_mode: Option<String>,
    /// An https URL told when the wallet has answered.
    webhook_url: Option<String>,
    /// Include the link as a QR code (`qr_svg`, default `true`); `false` when only the link
    /// is needed: rendering is most of a presentation session's creation (BENCHMARKS.md §4).
    #[serde(default = "crate::pages::qr_by_default")]
    qr: bool,
}

impl CreateBody {
    /// The DCQL query the session is created with: exactly one of `dcql_query` and
    /// `presentation_definition` must be given.
    fn dcql_query(&mut self) -> Result<Value, ApiError> {
        match (self.dcql_query.take(), &self.presentation_definition) {
            (Some(query), None) => Ok(query),
            (None, Some(definition)) => {
                saifu_oid4vc::pe::translate(definition, &saifu_oid4vc::pe::PeLimits::default())
                    .map(|query| json!(query))
                    .map_err(|e| invalid_request(format!("presentation_definition: {e}")))
            }
            _ => Err(invalid_request(
                "exactly one of `dcql_query` and `presentation_definition` is required".to_owned(),
            )),
        }
    }

    fn options(&self) -> Result<CreateOptions, ApiError> {
        let defaults = CreateOptions::default();
        let prefix = match &self.client_id_prefix {
            None => defaults.prefix,
            Some(name) => ClientIdPrefix::from_name(name)
                .ok_or_else(|| invalid_request(format!("unsupported client_id_prefix `{name}`")))?,
        };
        let response_mode = match &self.response_mode {
            None => defaults.response_mode,
            Some(name) => ResponseMode::from_name(name)
                .ok_or_else(|| invalid_request(format!("unsupported response_mode `{name}`")))?,
        };
        Ok(CreateOptions {
            prefix,
            response_mode,
        })
    }
}

#[utoipa::path(post, path = "/admin/presentations", tag = "verifier admin",
    request_body = CreateBody,
    responses((status = 201, description = "The session: `id`, the authorization `request`, the `openid4vp://` `link` for the wallet and a QR code (SVG)", body = Object),
              (status = 400, description = "Invalid DCQL query, unsupported prefix or response mode, or a prefix this node has no key for", body = OAuthError),
              (status = 401, description = "Missing or wrong admin token", body = OAuthError)),
    security(("admin_token" = [])))]
pub(crate) async fn create(
    State(role): Role,
    headers: HeaderMap,
    body: Result<Json<CreateBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    role.authorize(&headers)?;
    let Json(mut body) = body.map_err(|e| invalid_request(e.body_text()))?;
    let qr = body.qr;
    let options = body.options()?;
    let query = body.dcql_query()?;
    let webhook = match (&body.webhook_url, &role.webhooks) {
        (None, _) => None,
        (Some(url), Some(webhooks)) => Some(webhooks.check(url).map_err(invalid_request)?),
        (Some(_), None) => {
            return Err(invalid_request(
                "this node does not deliver webhooks".to_owned(),
            ));
        }
    };
    match role.sessions.create(query, options, now()).await {
        Ok(created) => {
            if let (Some(url), Some(webhooks)) = (&webhook, &role.webhooks) {
                webhooks
                    .register(&created.id, url)
                    .await
                    .map_err(|e| server_error(&e))?;
            }
            let mut body = json!(created);
            if qr {
                body["qr_svg"] =
                    crate::pages::qr_svg(&created.link).map_or(Value::Null, Value::String);
            }
            Ok((StatusCode::CREATED, Json(body)).into_response())
        }
        Err(CreateError::InvalidQuery(e)) => Err(invalid_request(e.to_string())),
        Err(CreateError::PrefixNotConfigured(e)) => Err(invalid_request(e.to_string())),
        Err(error @ (CreateError::Sign(_) | CreateError::ResponseKey(_))) => {
            Err(server_error(&error))
        }
        Err(CreateError::Store(e)) => Err(server_error(&e)),
    }
}

/// The media type of a signed authorization request (RFC 9101 §10.2).
const REQUEST_OBJECT_MEDIA_TYPE: &str = "application/oauth-authz-req+jwt";

/// `GET /presentations/{id}/request`: the signed request object, while the session is open.
async fn request_object(State(role): Role, Path(id): Path<String>) -> Result<Response, ApiError> {
    match role.sessions.request_object(&id, now()).await {
        Ok(object) => Ok((
            [(axum::http::header::CONTENT_TYPE, REQUEST_OBJECT_MEDIA_TYPE)],
            object,
        )
            .into_response()),
        Err(RequestObjectError::Store(e)) => Err(server_error(&e)),
        Err(error) => Err(not_found(error.to_string())),
    }
}

#[utoipa::path(get, path = "/admin/presentations/{id}", tag = "verifier admin",
    params(("id" = String, Path, description = "The session id")),
    responses((status = 200, description = "`status` (`pending`, `verified`, `rejected`, `expired`) and, once answered, the verification `report`: every check with its outcome and reason, and the disclosed claims", body = Object),
              (status = 404, description = "No such session", body = OAuthError),
              (status = 401, description = "Missing or wrong admin token", body = OAuthError)),
    security(("admin_token" = [])))]
pub(crate) async fn status(
    State(role): Role,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    role.authorize(&headers)?;
    let record = role
        .sessions
        .status(&id, now())
        .await
        .map_err(|e| server_error(&e))?
        .ok_or_else(|| not_found("no such presentation session".to_owned()))?;
    Ok(Json(
        json!({"status": record.status, "report": record.report}),
    ))
}

/// The `direct_post` form (OpenID4VP 1.0 §8.2: `vp_token`, `state`) or the `direct_post.jwt`
/// form (§8.3: `response`).
#[derive(Debug, Deserialize)]
struct ResponseForm {
    vp_token: Option<String>,
    state: Option<String>,
    response: Option<String>,
}

impl ResponseForm {
    fn wallet_response(&self) -> Result<WalletResponse<'_>, ApiError> {
        match (&self.vp_token, &self.state, &self.response) {
            (Some(vp_token), Some(state), None) => Ok(WalletResponse::Plain { vp_token, state }),
            (None, None, Some(response)) => Ok(WalletResponse::Encrypted(response)),
            _ => Err(invalid_request(
                "expected either `vp_token` and `state`, or `response` alone".to_owned(),
            )),
        }
    }
}

/// Posts a completed session's outcome to its webhook, if the node delivers webhooks.
/// Also logs the result's SHA-256 as an audit event: over the random session id and the
/// report, so the hash cannot be matched against guessed claims.
async fn notify(role: &VerifierRole, id: &str, status: SessionStatus, report: &VerificationReport) {
    if let Some(registry) = &role.registry {
        let event = [
            id.as_bytes(),
            &serde_json::to_vec(report).unwrap_or_default(),
        ]
        .concat();
        registry.audit(AuditEvent::Presentation, &event);
    }
    if let Some(webhooks) = &role.webhooks {
        webhooks.notify(id, status.as_str(), json!(report)).await;
    }
}

async fn respond(
    State(role): Role,
    Path(id): Path<String>,
    form: Result<Form<ResponseForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let Form(form) = form.map_err(|e| invalid_request(e.body_text()))?;
    match role
        .sessions
        .respond(&id, form.wallet_response()?, now())
        .await
    {
        Ok(report) => {
            notify(&role, &id, SessionStatus::Verified, &report).await;
            Ok(Outcome::Verified.attach(Json(json!({})).into_response()))
        }
        Err(error) => {
            if let RespondError::Rejected(report) = &error {
                notify(&role, &id, SessionStatus::Rejected, report).await;
            }
            let refusal = match error.oauth_code() {
                Some(code) => ApiError::new(StatusCode::BAD_REQUEST, code, error.to_string()),
                None => server_error(&error),
            };
            let response = refusal.into_response();
            Ok(match rejection_reason(&error) {
                Some(reason) => Outcome::Rejected(reason).attach(response),
                None => response,
            })
        }
    }
}

/// The metrics label of a refused response: the failed check, or the refusal that came before
/// any check. `None` for the node's own failures, which are not the presentation's fault.
fn rejection_reason<E>(error: &RespondError<E>) -> Option<&'static str> {
    Some(match error {
        RespondError::Rejected(report) => report
            .checks
            .iter()
            .rev()
            .find(|check| check.outcome == CheckOutcome::Failed)
            .map_or("unknown", |check| check.name),
        RespondError::UnknownSession => "unknown_session",
        RespondError::StateMismatch => "state_mismatch",
        RespondError::WrongResponseMode { .. } => "response_mode",
        RespondError::Encrypted(_) => "encrypted_response",
        RespondError::MalformedVpToken(_) => "vp_token_shape",
        RespondError::Expired => "request_not_expired",
        RespondError::AlreadyAnswered => "already_answered",
        RespondError::StoredQuery(_)
        | RespondError::MissingResponseKey
        | RespondError::Report(_)
        | RespondError::Store(_) => return None,
    })
}
