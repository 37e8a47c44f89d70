//! `GET /healthz`: whether this node can serve, for load balancers and operators.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::AppState;
use crate::error::ApiError;
use crate::openapi::OAuthError;

/// The health router; it answers only after the database answered, because a node without its
/// database cannot do anything useful.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

/// 200 `{"status":"ok","version":…,"database":"sqlite"|"postgres"}`, or 503 in the OAuth error
/// format when the database does not answer (the reason goes to the log, not to the client).
#[utoipa::path(get, path = "/healthz", tag = "node",
    responses((status = 200, description = "`{\"status\": \"ok\", \"version\", \"database\": \"sqlite\"|\"postgres\"}`", body = Object),
              (status = 503, description = "The database did not answer", body = OAuthError)))]
pub(crate) async fn healthz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let database = state.store.backend().as_str();
    match state.store.ping().await {
        Ok(()) => Ok(Json(json!({
            "status": "ok",
            "version": env!("CARGO_PKG_VERSION"),
            "database": database,
        }))),
        Err(error) => {
            tracing::warn!(%error, "health check failed: the database did not answer");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                format!("the {database} database did not answer; see the node's log"),
            ))
        }
    }
}
