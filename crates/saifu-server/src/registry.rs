//! The verifiable data registry's HTTP face (C2SP tlog-tiles): the checkpoint (with the
//! witness cosignatures gathered for it), immutable hash tiles and entry bundles under
//! `/registry/`, appends that answer only once durable, trust statements, and inclusion and
//! consistency proofs as JSON for clients that verify them offline
//! (`saifu_registry::tree::verify_inclusion`, `verify_consistency`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use saifu_registry::checkpoint::Checkpoint;
use saifu_registry::log::{LogError, LogReader};
use saifu_registry::note::Note;
use saifu_registry::sequencer::SequencerError;
use saifu_registry::store::RegistryStore;
use saifu_registry::tiles::{MAX_ENTRY_SIZE, Tile};
use saifu_registry::tree::{Hash, TreeError};
use saifu_registry::trust::SignedTrustStatement;
use saifu_store::Store;
use serde_json::json;

use crate::auth::has_admin_token;
use crate::error::ApiError;
use crate::registry_service::{AppendError, RegistryService};

/// Full tiles and partial tiles of a given width never change (tlog-tiles), so caches may
/// keep them forever.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

struct Registry {
    service: Arc<RegistryService>,
    reader: LogReader<Store>,
    verifier_keys: String,
    admin_token: String,
}

type Shared = State<Arc<Registry>>;

/// Routes `GET /registry/checkpoint`, `GET /registry/tile/…`, `GET /registry/log-keys` (the
/// signed-note verifier keys clients and witnesses check checkpoints with, one per line),
/// `POST /registry/add-entry` (body: the raw entry, with the admin token; answer: its leaf
/// index, once durable),
/// `POST /registry/trust` (a signed trust statement), `GET /registry/proof/inclusion` and
/// `GET /registry/proof/consistency`, and the TRQP queries.
pub(crate) fn router<T: Clone + Send + Sync + 'static>(
    service: Arc<RegistryService>,
    verifier_keys: &[String],
    admin_token: String,
) -> Router<T> {
    let verifier_keys = verifier_keys.iter().map(|k| format!("{k}\n")).collect();
    let state = Arc::new(Registry {
        reader: service.reader(),
        service: service.clone(),
        verifier_keys,
        admin_token,
    });
    Router::new()
        .route("/registry/checkpoint", get(checkpoint))
        .route("/registry/log-keys", get(log_keys))
        .route("/registry/tile/{*path}", get(tile))
        .route(
            "/registry/add-entry",
            post(add_entry).layer(DefaultBodyLimit::max(MAX_ENTRY_SIZE)),
        )
        .route(
            "/registry/trust",
            post(add_trust).layer(DefaultBodyLimit::max(MAX_ENTRY_SIZE)),
        )
        .route("/registry/proof/inclusion", get(inclusion))
        .route("/registry/proof/consistency", get(consistency))
        .with_state(state)
        .merge(crate::trust_registry::router(service))
}

async fn log_keys(State(registry): Shared) -> Response {
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

/// The checkpoint clients should check: the cosigned one when witnesses are configured (see
/// `saifu_registry::gather::better`), else the latest the log signed (also when witnesses were
/// configured once and no longer are: their last cosigned checkpoint would go stale).
async fn served_checkpoint(registry: &Registry) -> Result<Option<Vec<u8>>, LogError> {
    let service = &registry.service;
    if service.witnessed()
        && let Some(cosigned) = service.store().cosigned(service.origin()).await?
    {
        return Ok(Some(cosigned.note));
    }
    registry.reader.checkpoint().await
}

async fn checkpoint(State(registry): Shared) -> Response {
    match served_checkpoint(&registry).await {
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

async fn tile(State(registry): Shared, Path(path): Path<String>) -> Response {
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

/// An append refusal as a JSON error.
pub(crate) fn append_error(e: &AppendError) -> ApiError {
    let (status, code) = match e {
        AppendError::Entry(_) => (StatusCode::BAD_REQUEST, "invalid_entry"),
        AppendError::Statement(_) => (StatusCode::BAD_REQUEST, "invalid_statement"),
        AppendError::UnknownKey { .. } => (StatusCode::BAD_REQUEST, "unknown_key"),
        AppendError::Superseded { .. } => (StatusCode::CONFLICT, "superseded"),
        AppendError::NodeOnly(_) => (StatusCode::FORBIDDEN, "node_only"),
        AppendError::Sequencer(SequencerError::EntryTooLarge(_)) => {
            (StatusCode::PAYLOAD_TOO_LARGE, "entry_too_large")
        }
        AppendError::Sequencer(SequencerError::NotLeader | SequencerError::Conflict) => {
            (StatusCode::SERVICE_UNAVAILABLE, "try_again")
        }
        AppendError::Sequencer(_) | AppendError::Store(_) => {
            tracing::error!(error = %e, "registry append failed");
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "the registry could not append the entry".into(),
            );
        }
    };
    ApiError::new(status, code, e.to_string())
}

/// Raw entries are the operator's: anyone could otherwise fill the log, which keeps every
/// entry forever. Entries that authenticate themselves have their own open routes (signed trust
/// statements at `/registry/trust`, did:webvh log entries at `/dids/`).
async fn add_entry(State(registry): Shared, headers: HeaderMap, body: Bytes) -> Response {
    if !has_admin_token(&headers, &registry.admin_token) {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "raw log entries need the node's admin token (Authorization: Bearer …); signed \
             trust statements go to POST /registry/trust"
                .into(),
        )
        .into_response();
    }
    match registry.service.append_raw(body.to_vec()).await {
        Ok(index) => (StatusCode::OK, format!("{index}\n")).into_response(),
        Err(e) => append_error(&e).into_response(),
    }
}

async fn add_trust(State(registry): Shared, body: Bytes) -> Result<Response, ApiError> {
    let signed: SignedTrustStatement = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_statement",
            format!("expected {{\"statement\": …, \"proof\": …}}: {e}"),
        )
    })?;
    let index = registry
        .service
        .append_trust(signed)
        .await
        .map_err(|e| append_error(&e))?;
    Ok((StatusCode::OK, Json(json!({"leaf_index": index}))).into_response())
}

/// A required or optional non-negative integer query parameter.
fn param(query: &HashMap<String, String>, name: &str) -> Result<Option<u64>, ApiError> {
    query
        .get(name)
        .map(|value| {
            value.parse().map_err(|_| {
                invalid_request(format!(
                    "`{name}` must be a non-negative integer, not {value:?}"
                ))
            })
        })
        .transpose()
}

fn required(value: Option<u64>, name: &str) -> Result<u64, ApiError> {
    value.ok_or_else(|| invalid_request(format!("the query parameter `{name}` is required")))
}

fn invalid_request(description: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", description)
}

/// The leaf index of the entry whose leaf hash is `hash` (base64), or 404 `unknown_leaf`.
async fn index_of(registry: &Registry, hash: &str) -> Result<u64, ApiError> {
    let leaf: Hash = B64
        .decode(hash)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| {
            invalid_request(format!(
                "`hash` must be a 32-byte RFC 9162 leaf hash in base64, not {hash:?}"
            ))
        })?;
    registry
        .reader
        .leaf_index(&leaf)
        .await
        .map_err(|e| proof_error(&e))?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_leaf",
                "no entry in this log has that leaf hash".into(),
            )
        })
}

fn proof_error(e: &LogError) -> ApiError {
    let (status, code) = match e {
        LogError::Tree(TreeError::IndexOutOfRange { .. }) => {
            (StatusCode::BAD_REQUEST, "index_out_of_range")
        }
        LogError::Tree(TreeError::InvalidSizes { .. }) => {
            (StatusCode::BAD_REQUEST, "invalid_sizes")
        }
        LogError::BeyondLog { .. } => (StatusCode::NOT_FOUND, "beyond_log"),
        _ => {
            tracing::error!(error = %e, "registry proof failed");
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "the proof could not be computed".into(),
            );
        }
    };
    ApiError::new(status, code, e.to_string())
}

fn encode(proof: &[Hash]) -> Vec<String> {
    proof.iter().map(|h| B64.encode(h)).collect()
}

/// The size of the served checkpoint, the default tree size proofs are for.
async fn served_size(registry: &Registry) -> Result<u64, ApiError> {
    let note = served_checkpoint(registry)
        .await
        .map_err(|e| proof_error(&e))?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "beyond_log",
                "the log is empty".into(),
            )
        })?;
    Note::parse(&note)
        .ok()
        .and_then(|note| Checkpoint::parse(note.text()).ok())
        .map(|c| c.size)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "the stored checkpoint is unreadable".into(),
            )
        })
}

/// `GET /registry/proof/inclusion?index=I[&size=N]`: the RFC 9162 §2.1.3 proof of leaf `I` in
/// the tree of `N` leaves (the served checkpoint's size by default). `hash=H` (the entry's leaf
/// hash, base64) instead of `index` finds the leaf first, as RFC 9162's get-proof-by-hash does;
/// the answer's `index` says where it is.
async fn inclusion(
    State(registry): Shared,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let index = match (param(&query, "index")?, query.get("hash")) {
        (Some(index), None) => index,
        (None, Some(hash)) => index_of(&registry, hash).await?,
        _ => {
            return Err(invalid_request(
                "give exactly one of `index` (a leaf index) and `hash` (the entry's RFC 9162 \
                 leaf hash, base64)"
                    .into(),
            ));
        }
    };
    let size = match param(&query, "size")? {
        Some(size) => size,
        None => served_size(&registry).await?,
    };
    let proof = registry
        .reader
        .inclusion_proof(index, size)
        .await
        .map_err(|e| proof_error(&e))?;
    Ok(Json(
        json!({"index": index, "size": size, "proof": encode(&proof)}),
    ))
}

/// `GET /registry/proof/consistency?old=M&new=N`: the RFC 9162 §2.1.4 proof that the tree of
/// `N` leaves extends the tree of `M`.
async fn consistency(
    State(registry): Shared,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let old = required(param(&query, "old")?, "old")?;
    let new = required(param(&query, "new")?, "new")?;
    let proof = registry
        .reader
        .consistency_proof(old, new)
        .await
        .map_err(|e| proof_error(&e))?;
    Ok(Json(
        json!({"old": old, "new": new, "proof": encode(&proof)}),
    ))
}
