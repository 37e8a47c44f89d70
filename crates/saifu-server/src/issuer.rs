//! The issuer role over HTTP: OpenID4VCI 1.0 metadata, Token, Nonce, Credential and
//! Notification endpoints, the Status List Token, and the admin endpoint that creates offers.

use std::fmt;
use std::sync::Arc;

use crate::auth;
use crate::metrics::Outcome;
use crate::registry_service::RegistryService;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use saifu_credential::status::token::JWT_MEDIA_TYPE;
use saifu_crypto::Signer;
use saifu_issuer::{CredentialReply, Issuer, IssuerError, token_list_number};
use saifu_oid4vc::oauth::ErrorResponse;
use saifu_oid4vc::vci::credential::{
    CredentialError, CredentialRequest, DeferredCredentialRequest, NonceResponse,
};
use saifu_oid4vc::vci::token::TokenRequest;
use saifu_registry::entry::AuditEvent;
use saifu_store::Store;

/// The issuer a node runs, with the bearer token its admin endpoints require.
pub struct IssuerRole {
    pub(crate) issuer: Issuer<Store>,
    pub(crate) admin_token: String,
    /// Where status changes and issuance audit events are logged, when the node runs one.
    pub(crate) registry: Option<Arc<RegistryService>>,
}

impl IssuerRole {
    /// An issuer role; `admin_token` protects `POST /admin/offers`.
    pub fn new(issuer: Issuer<Store>, admin_token: String) -> Self {
        IssuerRole {
            issuer,
            admin_token,
            registry: None,
        }
    }

    /// Also logs status changes and issuance events in `registry`.
    pub(crate) fn with_registry(mut self, registry: Option<Arc<RegistryService>>) -> Self {
        self.registry = registry;
        self
    }

    /// Logs the SHA-256 of a Credential Response (random disclosure salts and a signature make
    /// it unguessable, so the hash reveals nothing about the holder) as an audit event.
    fn audit(&self, reply: &CredentialReply) {
        let Some(registry) = &self.registry else {
            return;
        };
        let bytes = match reply {
            CredentialReply::Plain(response) => serde_json::to_vec(response).unwrap_or_default(),
            CredentialReply::Encrypted { jwe, .. } => jwe.clone().into_bytes(),
        };
        registry.audit(AuditEvent::Issuance, &bytes);
    }

    /// Logs the status list after a change of the credential numbered `number` to `status`;
    /// the leaf index, or `None` when there is no registry or the append failed (logged).
    pub(crate) async fn log_status(&self, number: i64, status: u8) -> Option<u64> {
        let registry = self.registry.as_ref()?;
        match self.issuer.status_list_token_of(number).await {
            Ok(Some((token, index))) => registry.record_status(&token, index, status).await,
            Ok(None) => {
                tracing::error!(
                    number,
                    "status change not logged: its status list is unknown"
                );
                None
            }
            Err(error) => {
                tracing::error!(%error, number, "status change not logged: no status list token");
                None
            }
        }
    }
}

impl fmt::Debug for IssuerRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerRole")
            .field("issuer", &self.issuer)
            .field("admin_token", &"<redacted>")
            .finish()
    }
}

type Role = State<Arc<IssuerRole>>;

/// Media type of an encrypted Credential Response (OpenID4VCI §10).
const ENCRYPTED_MEDIA_TYPE: &str = "application/jwt";

/// The issuer's routes, or none when the node runs no issuer.
pub(crate) fn router<S: Clone + Send + Sync + 'static>(role: Option<Arc<IssuerRole>>) -> Router<S> {
    let Some(role) = role else {
        return Router::new();
    };
    Router::new()
        .route(
            "/.well-known/openid-credential-issuer",
            get(issuer_metadata),
        )
        .route("/.well-known/oauth-authorization-server", get(as_metadata))
        .route("/token", post(token))
        .route("/nonce", post(nonce))
        .route("/credential", post(credential))
        .route("/deferred_credential", post(deferred_credential))
        .route("/notification", post(notification))
        .route("/status/{list}", get(status_list))
        .route("/.well-known/jwt-vc-issuer", get(jwt_vc_issuer_metadata))
        .route("/offers/{reference}", get(offer_by_reference))
        .merge(crate::issuer_auth::routes())
        .merge(crate::issuer_admin::routes(role.clone()))
        .with_state(role)
}

/// An OAuth error body with its status.
fn oauth_error(status: StatusCode, body: ErrorResponse) -> Response {
    (status, no_store(), Json(body)).into_response()
}

pub(crate) fn no_store() -> [(header::HeaderName, HeaderValue); 1] {
    [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))]
}

pub(crate) fn unauthorized() -> Response {
    let body = ErrorResponse::new("invalid_token", "a valid bearer token is required");
    let challenge = HeaderValue::from_static("Bearer error=\"invalid_token\"");
    let mut response = oauth_error(StatusCode::UNAUTHORIZED, body);
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, challenge);
    response
}

/// An [`IssuerError`] as an HTTP response.
pub(crate) struct Failure(pub(crate) IssuerError);

impl From<IssuerError> for Failure {
    fn from(e: IssuerError) -> Self {
        Failure(e)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = |code: u16| StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
        match self.0 {
            IssuerError::Token(e) => oauth_error(status(e.status()), e.to_response()),
            IssuerError::Credential(e) => oauth_error(status(e.status()), e.to_response()),
            IssuerError::Authorization(e) => oauth_error(status(e.status()), e.to_response()),
            IssuerError::Notification(e) => oauth_error(status(e.status()), e.to_response()),
            IssuerError::InvalidToken => unauthorized(),
            IssuerError::UnknownConfiguration(id) => oauth_error(
                StatusCode::BAD_REQUEST,
                ErrorResponse::new("invalid_request", format!("unknown configuration `{id}`")),
            ),
            IssuerError::NotFound(why) => {
                oauth_error(StatusCode::NOT_FOUND, ErrorResponse::new("not_found", why))
            }
            IssuerError::Conflict(why) => {
                oauth_error(StatusCode::CONFLICT, ErrorResponse::new("conflict", why))
            }
            IssuerError::InvalidInput(why) => oauth_error(
                StatusCode::BAD_REQUEST,
                ErrorResponse::new("invalid_request", why),
            ),
            e @ (IssuerError::Store(_) | IssuerError::Signing(_)) => {
                tracing::error!(error = %e, "issuer failure");
                oauth_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorResponse::new("server_error", "the issuer could not complete the request"),
                )
            }
        }
    }
}

/// JWT VC Issuer Metadata (SD-JWT VC §5): where verifiers find the key of a credential's `iss`.
async fn jwt_vc_issuer_metadata(State(role): Role) -> Response {
    let config = role.issuer.config();
    let mut jwk = config.signer.private_key().public_key().to_jwk();
    jwk.kid = Signer::key_id(&config.signer).map(str::to_owned);
    Json(serde_json::json!({
        "issuer": config.issuer_id,
        "jwks": { "keys": [jwk] },
    }))
    .into_response()
}

/// A Credential Offer published by reference (`credential_offer_uri`, OpenID4VCI §4.1.3).
async fn offer_by_reference(
    State(role): Role,
    Path(reference): Path<String>,
) -> Result<Response, Failure> {
    let offer = role.issuer.offer_by_reference(&reference).await?;
    Ok((no_store(), Json(offer)).into_response())
}

/// Credential Issuer Metadata; the credential types are reloaded first, so a type another
/// node added is advertised at once.
async fn issuer_metadata(State(role): Role) -> Result<Response, Failure> {
    role.issuer.reload_configurations().await?;
    Ok(Json(role.issuer.metadata()).into_response())
}

async fn as_metadata(State(role): Role) -> Result<Response, Failure> {
    role.issuer.reload_configurations().await?;
    Ok(Json(role.issuer.authorization_server_metadata()).into_response())
}

async fn token(State(role): Role, body: String) -> Result<Response, Failure> {
    let request = TokenRequest::from_form(&body).map_err(IssuerError::from)?;
    let response = role.issuer.token(request).await?;
    Ok((no_store(), Json(response)).into_response())
}

async fn nonce(State(role): Role) -> Result<Response, Failure> {
    let c_nonce = role.issuer.nonce().await?;
    Ok((no_store(), Json(NonceResponse { c_nonce })).into_response())
}

async fn credential(
    State(role): Role,
    headers: HeaderMap,
    body: String,
) -> Result<Response, Failure> {
    let token = auth::bearer(&headers).ok_or(IssuerError::InvalidToken)?;
    let request = CredentialRequest::parse(&body)
        .map_err(|e| IssuerError::from(CredentialError::from(&e)))?;
    let answer = role.issuer.credential(token, &request).await?;
    role.audit(&answer);
    Ok(reply(answer))
}

/// The Deferred Credential Endpoint (§9): `202` while pending, then the credentials once.
async fn deferred_credential(
    State(role): Role,
    headers: HeaderMap,
    body: String,
) -> Result<Response, Failure> {
    let token = auth::bearer(&headers).ok_or(IssuerError::InvalidToken)?;
    let request: DeferredCredentialRequest = serde_json::from_str(&body).map_err(|e| {
        IssuerError::from(CredentialError::InvalidCredentialRequest(format!(
            "malformed deferred credential request: {e}"
        )))
    })?;
    Ok(reply(
        role.issuer.deferred_credential(token, &request).await?,
    ))
}

/// A Credential (or Deferred Credential) Response with its status: JSON, or the JWE the
/// wallet asked for.
fn reply(reply: CredentialReply) -> Response {
    let status = StatusCode::from_u16(reply.status()).unwrap_or(StatusCode::OK);
    let issued = Outcome::Issued(reply.credential_count());
    let response = match reply {
        CredentialReply::Plain(response) => (status, no_store(), Json(response)).into_response(),
        CredentialReply::Encrypted { jwe, .. } => (
            status,
            no_store(),
            [(header::CONTENT_TYPE, ENCRYPTED_MEDIA_TYPE)],
            jwe,
        )
            .into_response(),
    };
    issued.attach(response)
}

/// The Notification Endpoint (§11): `204 No Content` once the event is recorded.
async fn notification(
    State(role): Role,
    headers: HeaderMap,
    body: String,
) -> Result<Response, Failure> {
    let token = auth::bearer(&headers).ok_or(IssuerError::InvalidToken)?;
    role.issuer.notify(token, &body).await?;
    Ok((StatusCode::NO_CONTENT, no_store()).into_response())
}

/// A Token Status List (`/status/1`, `/status/2`, …) or a Bitstring Status List credential of
/// the W3C credentials (`/status/w3c-revocation`, `/status/w3c-suspension-2`, …, media type
/// `application/vc`, VCDM 2.0 §6.1); 404 for a list the issuer has not opened.
async fn status_list(State(role): Role, Path(list): Path<String>) -> Result<Response, Failure> {
    if let Some(credential) = role.issuer.bitstring_status_list(&list).await? {
        return Ok(([(header::CONTENT_TYPE, "application/vc")], Json(credential)).into_response());
    }
    let token = match token_list_number(&list) {
        Some(number) => role.issuer.status_list_token(number).await?,
        None => None,
    };
    let Some(token) = token else {
        return Ok(oauth_error(
            StatusCode::NOT_FOUND,
            ErrorResponse::new("not_found", format!("no status list `{list}`")),
        ));
    };
    Ok(([(header::CONTENT_TYPE, JWT_MEDIA_TYPE)], token).into_response())
}
