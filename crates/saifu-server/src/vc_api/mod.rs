//! W3C CCG VC-API: issue and verify W3C Verifiable Credentials (VCDM 2.0) over HTTP, the way the
//! W3C conformance suites drive implementations.
//!
//! * `POST /credentials/issue` `{credential, options}` → 201 `{verifiableCredential}`, signed by
//!   the node's did:key (Ed25519 for the eddsa suites, P-256 for ecdsa-rdfc-2019), with
//!   Bitstring Status List entries when status is on ([`issue`]);
//! * `POST /credentials/verify`, `POST /presentations/verify` → 200 `{verified: true, checks,
//!   warnings, errors}` or 400 with the reason in `errors` ([`verify`]);
//! * `GET /status/w3c/{list}` and the admin `POST /credentials/status` ([`status_lists`]);
//! * `GET /credentials/issuers`: the DIDs the issuer signs as, per cryptosuite.

pub(crate) mod issue;
mod keys;
mod rejection;
pub(crate) mod status_lists;
pub(crate) mod verify;

use std::path::Path;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use saifu_credential::w3c::di::Cryptosuite;
use saifu_did::http::HttpClient;
use saifu_oid4vc::w3c::status::{BitstringStatus, DEFAULT_SKEW};
use saifu_store::Store;
use saifu_store::vc_api::VcApiStatus;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::node_files::NodeFileError;
use crate::settings::VcApiSettings;
use keys::{IssuerKeys, KeyName};
use status_lists::StatusLists;

/// Why the VC-API could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum VcApiError {
    /// An issuer key file could not be read or created.
    #[error(transparent)]
    Key(#[from] NodeFileError),
    /// `[vc_api] cryptosuite` names no supported suite.
    #[error(
        "[vc_api] cryptosuite `{0}` is not supported: use eddsa-rdfc-2022, eddsa-jcs-2022 or \
         ecdsa-rdfc-2019"
    )]
    Cryptosuite(String),
}

/// The VC-API issuer and verifier of a node.
pub(crate) struct VcApi {
    keys: IssuerKeys,
    default_suite: Cryptosuite,
    status: Option<StatusLists>,
    open_issuance: bool,
    admin_token: String,
    checker: BitstringStatus,
}

impl std::fmt::Debug for VcApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VcApi")
            .field("default_suite", &self.default_suite)
            .finish_non_exhaustive()
    }
}

impl VcApi {
    /// The VC-API of a node at `base_url` keeping its keys in `data_dir` and its status bits in
    /// `store`; `http` fetches other issuers' status lists.
    pub(crate) fn new(
        settings: &VcApiSettings,
        data_dir: &Path,
        base_url: &str,
        store: Store,
        http: HttpClient,
        admin_token: String,
    ) -> Result<Self, VcApiError> {
        let default_suite = Cryptosuite::from_name(&settings.cryptosuite)
            .ok_or_else(|| VcApiError::Cryptosuite(settings.cryptosuite.clone()))?;
        let keys = IssuerKeys::load_or_create(data_dir)?;
        for key in [KeyName::Ed25519, KeyName::P256] {
            tracing::info!(did = %keys.get(key).did, "VC-API issuer identity");
        }
        Ok(VcApi {
            keys,
            default_suite,
            status: settings
                .status
                .then(|| StatusLists::new(VcApiStatus::new(store), base_url)),
            open_issuance: settings.open_issuance,
            admin_token,
            checker: BitstringStatus::new(http, settings.status_cache_seconds, DEFAULT_SKEW),
        })
    }
}

/// The VC-API routes, or none when the node serves no VC-API.
pub(crate) fn router<S: Clone + Send + Sync + 'static>(api: Option<Arc<VcApi>>) -> Router<S> {
    let Some(api) = api else {
        return Router::new();
    };
    Router::new()
        .route("/credentials/issue", post(issue::issue))
        .route("/credentials/issuers", get(issuers))
        .route("/credentials/verify", post(verify::credential))
        .route("/presentations/verify", post(verify::presentation))
        .route("/credentials/status", post(status_lists::update))
        .route("/status/w3c/{list}", get(status_lists::publish))
        .with_state(api)
}

/// `GET /credentials/issuers`: which DID signs each cryptosuite, so clients can fill in a
/// credential's `issuer` before asking for it to be issued.
async fn issuers(State(api): State<Arc<VcApi>>) -> Json<Value> {
    let suites = [
        Cryptosuite::EddsaRdfc2022,
        Cryptosuite::EddsaJcs2022,
        Cryptosuite::EcdsaRdfc2019,
    ];
    let map: Map<String, Value> = suites
        .into_iter()
        .map(|suite| {
            let did = &api.keys.get(KeyName::for_suite(suite)).did;
            (suite.name().to_owned(), did.as_str().into())
        })
        .collect();
    Json(Value::Object(map))
}

/// A request body as `T`, or a 400 naming what is wrong (serde's message names the member).
fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| invalid_request(format!("invalid request body: {e}")))
}

fn invalid_request(description: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", description)
}

/// A failure of the node itself: logged in full, answered without details.
fn internal(error: impl std::fmt::Display) -> ApiError {
    tracing::error!(%error, "VC-API request failed");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "the node could not complete the request; see its log".into(),
    )
}
