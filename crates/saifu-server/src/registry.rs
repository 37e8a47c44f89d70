//! The verifiable data registry's HTTP face (C2SP tlog-tiles): the checkpoint, immutable hash
//! tiles and entry bundles under `/registry/`, and appends that answer only once durable.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use saifu_registry::log::{LogError, LogReader};
use saifu_registry::sequencer::{Sequencer, SequencerError};
use saifu_registry::store::RegistryStore;
use saifu_registry::tiles::{MAX_ENTRY_SIZE, Tile};

/// Full tiles and partial tiles of a given width never change (tlog-tiles), so caches may
/// keep them forever.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

struct Registry<S> {
    reader: LogReader<S>,
    sequencer: Sequencer,
    verifier_keys: String,
}

/// Routes `GET /registry/checkpoint`, `GET /registry/tile/…`, `GET /registry/log-keys` (the
/// signed-note verifier keys clients and witnesses check checkpoints with, one per line) and
/// `POST /registry/add-entry` (body: the raw entry; answer: its leaf index, once durable).
pub(crate) fn router<S: RegistryStore, T: Clone + Send + Sync + 'static>(
    reader: LogReader<S>,
    sequencer: Sequencer,
    verifier_keys: &[String],
) -> Router<T> {
    let verifier_keys = verifier_keys.iter().map(|k| format!("{k}\n")).collect();
    Router::new()
        .route("/registry/checkpoint", get(checkpoint::<S>))
        .route("/registry/log-keys", get(log_keys::<S>))
        .route("/registry/tile/{*path}", get(tile::<S>))
        .route(
            "/registry/add-entry",
            post(add_entry::<S>).layer(DefaultBodyLimit::max(MAX_ENTRY_SIZE)),
        )
        .with_state(Arc::new(Registry {
            reader,
            sequencer,
            verifier_keys,
        }))
}

async fn log_keys<S: RegistryStore>(State(registry): State<Arc<Registry<S>>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        registry.verifier_keys.clone(),
    )
        .into_response()
}

fn log_error(e: &LogError) -> Response {
    match e {
        LogError::Tile(_) | LogError::Tree(_) | LogError::BeyondLog { .. } => {
            (StatusCode::NOT_FOUND, e.to_string()).into_response()
        }
        LogError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn checkpoint<S: RegistryStore>(State(registry): State<Arc<Registry<S>>>) -> Response {
    match registry.reader.checkpoint().await {
        Ok(Some(note)) => (
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            note,
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "the log is empty").into_response(),
        Err(e) => log_error(&e),
    }
}

async fn tile<S: RegistryStore>(
    State(registry): State<Arc<Registry<S>>>,
    Path(path): Path<String>,
) -> Response {
    let tile = match Tile::parse(&format!("tile/{path}")) {
        Ok(tile) => tile,
        Err(e) => return log_error(&LogError::Tile(e)),
    };
    match registry.reader.tile(tile).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/octet-stream"),
                (header::CACHE_CONTROL, IMMUTABLE),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => log_error(&e),
    }
}

async fn add_entry<S: RegistryStore>(
    State(registry): State<Arc<Registry<S>>>,
    body: Bytes,
) -> Response {
    match registry.sequencer.append(body.to_vec()).await {
        Ok(index) => (StatusCode::OK, format!("{index}\n")).into_response(),
        Err(e @ SequencerError::EntryTooLarge(_)) => {
            (StatusCode::PAYLOAD_TOO_LARGE, e.to_string()).into_response()
        }
        Err(e @ (SequencerError::NotLeader | SequencerError::Conflict)) => {
            (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response()
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
