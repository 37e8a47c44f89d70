//! did:webvh hosting over HTTP: `did:webvh:<SCID>:<host>%3A<port>:dids:<name>` resolves to
//! `GET /dids/{name}/did.jsonl` on this node.
//!
//! - `GET /dids/{name}/did.jsonl` — the log (`text/jsonl`);
//! - `GET /dids/{name}/did-inclusion.json` — the transparency-log leaf index of every entry;
//! - `POST /dids/{name}/entries` — a controller publishes its next signed entry (body: the entry
//!   JSON). The node verifies the whole log with it, appends it to the transparency log, then
//!   serves it. The first entry of a name needs the node's admin token; later ones are
//!   authorised by their own proof. Refusals are `400 invalid_entry` (with the rule broken),
//!   `401`, `409` or `413`, and store nothing.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use saifu_registry::did_host::{DidHost, DidHostStore, PublishError};
use saifu_registry::did_log::{InclusionFile, InclusionRecord};
use saifu_registry::sequencer::SequencerError;
use saifu_registry::tiles::MAX_ENTRY_SIZE;
use serde_json::json;

use crate::auth::has_admin_token;
use crate::error::ApiError;

struct Host<S> {
    host: DidHost<S>,
    origin: String,
    admin_token: String,
}

/// The DID hosting routes for `host`, whose entries go to the transparency log `origin`.
pub(crate) fn router<S: DidHostStore, T: Clone + Send + Sync + 'static>(
    host: DidHost<S>,
    origin: &str,
    admin_token: String,
) -> Router<T> {
    Router::new()
        .route("/dids/{name}/did.jsonl", get(log::<S>))
        .route("/dids/{name}/did-inclusion.json", get(inclusion::<S>))
        .route(
            "/dids/{name}/entries",
            // A JSON entry is at most what a log leaf may hold, plus slack for whitespace.
            post(publish::<S>).layer(DefaultBodyLimit::max(2 * MAX_ENTRY_SIZE)),
        )
        .with_state(Arc::new(Host {
            host,
            origin: origin.to_owned(),
            admin_token,
        }))
}

async fn log<S: DidHostStore>(
    State(state): State<Arc<Host<S>>>,
    Path(name): Path<String>,
) -> Response {
    match state.host.entries(&name).await {
        Ok(entries) if !entries.is_empty() => {
            let body: String = entries.iter().map(|e| format!("{}\n", e.line)).collect();
            (
                [
                    (header::CONTENT_TYPE, "text/jsonl"),
                    (header::CACHE_CONTROL, "no-cache"),
                ],
                body,
            )
                .into_response()
        }
        Ok(_) => not_found(&name),
        Err(e) => publish_error(&e),
    }
}

async fn inclusion<S: DidHostStore>(
    State(state): State<Arc<Host<S>>>,
    Path(name): Path<String>,
) -> Response {
    match state.host.entries(&name).await {
        Ok(entries) if !entries.is_empty() => {
            let file = InclusionFile {
                origin: state.origin.clone(),
                entries: entries
                    .into_iter()
                    .map(|e| InclusionRecord {
                        version_id: e.version_id,
                        leaf_index: e.leaf_index,
                    })
                    .collect(),
            };
            ([(header::CACHE_CONTROL, "no-cache")], axum::Json(file)).into_response()
        }
        Ok(_) => not_found(&name),
        Err(e) => publish_error(&e),
    }
}

async fn publish<S: DidHostStore>(
    State(state): State<Arc<Host<S>>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let admin = has_admin_token(&headers, &state.admin_token);
    match state.host.publish(&name, &body, admin, now()).await {
        Ok(published) => (
            StatusCode::CREATED,
            axum::Json(json!({
                "did": published.did,
                "versionId": published.version_id,
                "leafIndex": published.leaf_index,
            })),
        )
            .into_response(),
        Err(e) => publish_error(&e),
    }
}

fn not_found(name: &str) -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no DID is hosted under the name `{name}`"),
    )
    .into_response()
}

fn publish_error(error: &PublishError) -> Response {
    let (status, code) = match error {
        PublishError::InvalidName(_)
        | PublishError::Malformed(_)
        | PublishError::Invalid(_)
        | PublishError::WrongLocation { .. } => (StatusCode::BAD_REQUEST, "invalid_entry"),
        PublishError::Unauthorized => (StatusCode::UNAUTHORIZED, "invalid_token"),
        PublishError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "invalid_entry"),
        PublishError::Conflict => (StatusCode::CONFLICT, "conflict"),
        PublishError::Log(SequencerError::NotLeader | SequencerError::Conflict) => {
            (StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable")
        }
        PublishError::Log(_) | PublishError::Store(_) => {
            tracing::error!(error = %error, "DID hosting failed");
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "the entry could not be stored".into(),
            )
            .into_response();
        }
    };
    ApiError::new(status, code, error.to_string()).into_response()
}

fn now() -> i64 {
    crate::verifier::now()
}
