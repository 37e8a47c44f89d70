//! The one axum router of a node, composed of role routers, with the limits and error formats
//! every route shares.

use std::sync::Arc;

use axum::Router;
use axum::http::{Method, StatusCode, Uri, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use saifu_store::Store;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::health;
use crate::issuer::{self, IssuerRole};
use crate::metrics::Metrics;
use crate::vc_api::VcApi;
use crate::verifier::{self, VerifierRole};
use crate::wallet_web::WebWallet;

/// Largest request body accepted on any route (1 MiB): larger bodies are refused with 413
/// before a handler reads them, bounding the memory a hostile client can make a node spend.
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// What every handler may use; cheap to clone (axum clones it per request).
#[derive(Debug, Clone)]
pub struct AppState {
    pub(crate) store: Store,
    issuer: Option<Arc<IssuerRole>>,
    verifier: Option<Arc<VerifierRole>>,
    wallet: Option<Arc<WebWallet>>,
    registry: Option<Router<AppState>>,
    witness: Option<Router<AppState>>,
    vc_api: Option<Arc<VcApi>>,
}

impl AppState {
    /// State for a node whose roles keep their data in `store`.
    pub fn new(store: Store) -> Self {
        AppState {
            store,
            issuer: None,
            verifier: None,
            wallet: None,
            registry: None,
            witness: None,
            vc_api: None,
        }
    }

    /// Also serves the issuer role.
    pub fn with_issuer(mut self, issuer: IssuerRole) -> Self {
        self.issuer = Some(Arc::new(issuer));
        self
    }

    /// Also serves the registry's routes.
    pub(crate) fn with_registry(mut self, routes: Router<AppState>) -> Self {
        self.registry = Some(routes);
        self
    }

    /// Also serves a tlog-witness under `/witness/`.
    pub(crate) fn with_witness(mut self, routes: Router<AppState>) -> Self {
        self.witness = Some(routes);
        self
    }

    /// Also serves the web wallet.
    pub(crate) fn with_wallet(mut self, wallet: WebWallet) -> Self {
        self.wallet = Some(Arc::new(wallet));
        self
    }

    /// Also serves the W3C VC-API.
    pub(crate) fn with_vc_api(mut self, api: VcApi) -> Self {
        self.vc_api = Some(Arc::new(api));
        self
    }

    /// Also serves the verifier role.
    pub fn with_verifier(mut self, verifier: VerifierRole) -> Self {
        self.verifier = Some(Arc::new(verifier));
        self
    }
}

/// Builds the node's router: every role router, a body size limit on everything, and JSON
/// errors in the OAuth format for unknown paths (404), wrong methods (405) and oversized
/// bodies (413).
pub fn build_router(state: AppState) -> Router {
    let metrics = Arc::new(Metrics::default());
    Router::new()
        .merge(crate::metrics::router(metrics.clone()))
        .merge(health::router())
        .merge(crate::openapi::router())
        .merge(issuer::router(state.issuer.clone()))
        .merge(verifier::router(state.verifier.clone()))
        .merge(crate::pages::router(
            state.issuer.clone(),
            state.verifier.clone(),
        ))
        .merge(
            state
                .wallet
                .clone()
                .map(crate::wallet_web::router)
                .unwrap_or_default(),
        )
        .merge(state.registry.clone().unwrap_or_default())
        .merge(
            state
                .witness
                .clone()
                .map(|routes| Router::new().nest("/witness", routes))
                .unwrap_or_default(),
        )
        .merge(crate::vc_api::router(state.vc_api.clone()))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(middleware::from_fn_with_state(
            metrics,
            crate::metrics::record,
        ))
        .layer(middleware::map_response(payload_too_large_as_json))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no resource at {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} does not accept {method}", uri.path()),
    )
}

/// The body limit answers 413 in plain text; clients of a protocol API expect the JSON error
/// format there too.
async fn payload_too_large_as_json(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE || is_json {
        return response;
    }
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "invalid_request",
        format!("the request body exceeds the limit of {BODY_LIMIT_BYTES} bytes"),
    )
    .into_response()
}
