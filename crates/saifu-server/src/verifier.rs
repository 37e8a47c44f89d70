//! The verifier role over HTTP (OpenID4VP 1.0, unsigned `redirect_uri:` requests answered with
//! `direct_post`): admin endpoints that create presentation sessions and read their results,
//! and the public `response_uri` wallets post to.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use saifu_store::verifier::VerifierSessions;
use saifu_verifier::Verifier;
use saifu_verifier::session::{CreateError, SessionService};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth;
use crate::error::ApiError;

/// The verifier a node runs, with the bearer token its admin endpoints require.
pub struct VerifierRole {
    sessions: SessionService<VerifierSessions>,
    admin_token: String,
}

impl std::fmt::Debug for VerifierRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifierRole")
            .field("admin_token", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl VerifierRole {
    /// A verifier keeping sessions in `sessions`, checking responses with `verifier`; response
    /// URIs start with `public_url`, sessions last `lifetime` seconds and `admin_token`
    /// protects `/admin/presentations`.
    pub fn new(
        sessions: VerifierSessions,
        verifier: Arc<Verifier>,
        public_url: &str,
        lifetime: i64,
        admin_token: String,
    ) -> Self {
        VerifierRole {
            sessions: SessionService::new(sessions, verifier, public_url, lifetime),
            admin_token,
        }
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
        .route("/presentations/{id}/response", post(respond))
        .with_state(role)
}

fn now() -> i64 {
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

/// Body of `POST /admin/presentations`.
#[derive(Debug, Deserialize)]
struct CreateBody {
    dcql_query: Value,
}

async fn create(
    State(role): Role,
    headers: HeaderMap,
    body: Result<Json<CreateBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    role.authorize(&headers)?;
    let Json(body) = body.map_err(|e| invalid_request(e.body_text()))?;
    match role.sessions.create(body.dcql_query, now()).await {
        Ok(created) => Ok((StatusCode::CREATED, Json(created)).into_response()),
        Err(CreateError::InvalidQuery(e)) => Err(invalid_request(e.to_string())),
        Err(CreateError::Store(e)) => Err(server_error(&e)),
    }
}

async fn status(
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
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "no such presentation session".to_owned(),
            )
        })?;
    Ok(Json(
        json!({"status": record.status, "report": record.report}),
    ))
}

/// The `direct_post` form (OpenID4VP 1.0 §8.2).
#[derive(Debug, Deserialize)]
struct ResponseForm {
    vp_token: String,
    state: String,
}

async fn respond(
    State(role): Role,
    Path(id): Path<String>,
    form: Result<Form<ResponseForm>, FormRejection>,
) -> Result<Json<Value>, ApiError> {
    let Form(form) = form.map_err(|e| invalid_request(e.body_text()))?;
    match role
        .sessions
        .respond(&id, &form.vp_token, &form.state, now())
        .await
    {
        Ok(_) => Ok(Json(json!({}))),
        Err(error) => Err(match error.oauth_code() {
            Some(code) => ApiError::new(StatusCode::BAD_REQUEST, code, error.to_string()),
            None => server_error(&error),
        }),
    }
}
