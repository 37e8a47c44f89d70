//! A tlog-witness (C2SP) as its own small server, `saifu witness serve`: `POST /add-checkpoint`
//! checks the log's signature and the consistency proof from the size it last cosigned, stores
//! the new size and answers with a `cosignature/v1` line — or with the status code the spec
//! prescribes (409 with the known size as `text/x.tlog.size`, 422, 403, 404, 400).
//!
//! Its state (the latest size and root per log) lives in SQLite in its data directory, its
//! Ed25519 cosigning key beside it; the logs it witnesses are given by their verifier keys. A
//! node with `[witness] enabled` serves the same routes under `/witness/` on its own database.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use saifu_crypto::LocalSigner;
use saifu_registry::note::{NoteKeyKind, NoteSigner, NoteVerifier};
use saifu_registry::witness::{
    AddCheckpoint, MAX_REQUEST_SIZE, SIZE_CONTENT_TYPE, Witness, WitnessError,
};
use saifu_store::Store;
use tokio::net::TcpListener;

use crate::node_files;
use crate::roles::RoleError;
use crate::server::ServeError;

/// A witness whose state is open and whose port is bound.
pub struct WitnessServer {
    listener: TcpListener,
    local_addr: SocketAddr,
    store: Store,
    witness: Arc<Witness<Store>>,
    verifier_key: String,
}

impl std::fmt::Debug for WitnessServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WitnessServer")
            .field("local_addr", &self.local_addr)
            .field("verifier_key", &self.verifier_key)
            .finish_non_exhaustive()
    }
}

impl WitnessServer {
    /// Opens the witness state in `data_dir`, named `name` (its cosignature key name), for the
    /// logs whose signed-note verifier keys are `log_keys`, and binds `listen`.
    pub async fn bind(
        listen: SocketAddr,
        data_dir: &Path,
        name: &str,
        log_keys: &[String],
    ) -> Result<WitnessServer, ServeError> {
        let logs = witnessed_logs(log_keys)?;
        let store = Store::open_in_dir(data_dir).await?;
        let (witness, verifier_key) = open(data_dir, name, logs, store.clone())?;
        let bind_error = |source| ServeError::Bind {
            addr: listen,
            source,
        };
        let listener = TcpListener::bind(listen).await.map_err(bind_error)?;
        let local_addr = listener.local_addr().map_err(bind_error)?;
        Ok(WitnessServer {
            listener,
            local_addr,
            store,
            witness,
            verifier_key,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The witness's cosignature verifier key, which clients put in their witness policy.
    pub fn verifier_key(&self) -> &str {
        &self.verifier_key
    }

    /// Serves until `shutdown` completes.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        axum::serve(self.listener, routes(self.witness, self.verifier_key))
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServeError::Serve)?;
        self.store.close().await;
        Ok(())
    }
}

/// The logs to witness, by name, from their signed-note verifier keys; at least one.
pub(crate) fn witnessed_logs(
    log_keys: &[String],
) -> Result<HashMap<String, Vec<NoteVerifier>>, RoleError> {
    let mut logs: HashMap<String, Vec<NoteVerifier>> = HashMap::new();
    for vkey in log_keys {
        let verifier =
            NoteVerifier::from_vkey(vkey).map_err(|e| RoleError::Witness(e.to_string()))?;
        logs.entry(verifier.name().to_owned())
            .or_default()
            .push(verifier);
    }
    if logs.is_empty() {
        return Err(RoleError::Witness(
            "a witness needs at least one log key (`--log`, or `logs` in `[witness]`)".into(),
        ));
    }
    Ok(logs)
}

/// A witness of `logs` keeping its state in `store`, cosigning as `name` with the key in
/// `data_dir/witness-key.jwk` (made on first use); and its cosignature verifier key.
pub(crate) fn open(
    data_dir: &Path,
    name: &str,
    logs: HashMap<String, Vec<NoteVerifier>>,
    store: Store,
) -> Result<(Arc<Witness<Store>>, String), RoleError> {
    let invalid = |e: &dyn std::fmt::Display| RoleError::Witness(e.to_string());
    let key = node_files::witness_key(data_dir)?;
    let signer = LocalSigner::new(key).map_err(|e| invalid(&e))?;
    let signer = NoteSigner::new(name, NoteKeyKind::Cosignature, Arc::new(signer))
        .map_err(|e| invalid(&e))?;
    let verifier_key = signer.verifier().vkey();
    Ok((Arc::new(Witness::new(signer, logs, store)), verifier_key))
}

/// `POST /add-checkpoint` and `GET /verifier-key` (the key to put in a witness policy or a
/// log's `[registry] witnesses`); a node serves them under `/witness/`.
pub(crate) fn routes<S: Clone + Send + Sync + 'static>(
    witness: Arc<Witness<Store>>,
    verifier_key: String,
) -> Router<S> {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .route(
            "/verifier-key",
            get(move || async move {
                (
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    format!("{verifier_key}\n"),
                )
            }),
        )
        .layer(DefaultBodyLimit::max(MAX_REQUEST_SIZE))
        .with_state(witness)
}

async fn add_checkpoint(State(witness): State<Arc<Witness<Store>>>, body: Bytes) -> Response {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let result = match AddCheckpoint::parse(&body) {
        Ok(request) => witness.add_checkpoint(&request, now).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(cosignature) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{}\n", cosignature.line()),
        )
            .into_response(),
        Err(WitnessError::Conflict { latest }) => (
            StatusCode::CONFLICT,
            [(header::CONTENT_TYPE, SIZE_CONTENT_TYPE)],
            format!("{latest}\n"),
        )
            .into_response(),
        Err(e) => {
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            // Internal failures are not described to the caller.
            let message = if status.is_server_error() {
                String::new()
            } else {
                e.to_string()
            };
            (status, message).into_response()
        }
    }
}
