//! The issuer role over HTTP: OpenID4VCI 1.0 metadata, Token, Nonce and Credential endpoints,
//! the Status List Token, and the admin endpoint that creates offers.

use std::fmt;
use std::sync::Arc;

use crate::auth;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use saifu_credential::status::token::JWT_MEDIA_TYPE;
use saifu_issuer::{Issuer, IssuerError};
use saifu_oid4vc::oauth::ErrorResponse;
use saifu_oid4vc::vci::credential::{
    CredentialError, CredentialRequest, CredentialResponse, Issued, NonceResponse,
};
use saifu_oid4vc::vci::offer::{OFFER_SCHEME, OfferReference, TxCode};
use saifu_oid4vc::vci::token::{TokenError, TokenRequest};
use saifu_store::Store;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The issuer a node runs, with the bearer token its admin endpoints require.
pub struct IssuerRole {
    issuer: Issuer<Store>,
    admin_token: String,
}

impl IssuerRole {
    /// An issuer role; `admin_token` protects `POST /admin/offers`.
    pub fn new(issuer: Issuer<Store>, admin_token: String) -> Self {
        IssuerRole {
            issuer,
            admin_token,
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
        .route("/status/{list}", get(status_list))
        .route("/admin/offers", post(create_offer))
        .with_state(role)
}

/// An OAuth error body with its status.
fn oauth_error(status: StatusCode, body: ErrorResponse) -> Response {
    (status, no_store(), Json(body)).into_response()
}

fn no_store() -> [(header::HeaderName, HeaderValue); 1] {
    [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))]
}

fn unauthorized() -> Response {
    let body = ErrorResponse::new("invalid_token", "a valid bearer token is required");
    let challenge = HeaderValue::from_static("Bearer error=\"invalid_token\"");
    let mut response = oauth_error(StatusCode::UNAUTHORIZED, body);
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, challenge);
    response
}

/// An [`IssuerError`] as an HTTP response.
struct Failure(IssuerError);

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
            IssuerError::InvalidToken => unauthorized(),
            IssuerError::UnknownConfiguration(id) => oauth_error(
                StatusCode::BAD_REQUEST,
                ErrorResponse::new("invalid_request", format!("unknown configuration `{id}`")),
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

async fn issuer_metadata(State(role): Role) -> Response {
    Json(role.issuer.config().issuer_metadata()).into_response()
}

async fn as_metadata(State(role): Role) -> Response {
    Json(role.issuer.config().authorization_server_metadata()).into_response()
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
    let credentials = role.issuer.credential(token, &request).await?;
    let response = CredentialResponse::Issued(Issued {
        credentials,
        notification_id: None,
    });
    Ok((no_store(), Json(response)).into_response())
}

async fn status_list(State(role): Role, Path(list): Path<String>) -> Result<Response, Failure> {
    if list != "1" {
        return Ok(oauth_error(
            StatusCode::NOT_FOUND,
            ErrorResponse::new("not_found", format!("no status list `{list}`")),
        ));
    }
    let token = role.issuer.status_list_token().await?;
    Ok(([(header::CONTENT_TYPE, JWT_MEDIA_TYPE)], token).into_response())
}

/// Body of `POST /admin/offers`.
#[derive(Debug, Deserialize)]
struct OfferRequest {
    credential_configuration_id: String,
    claims: Map<String, Value>,
    #[serde(default)]
    tx_code: Option<TxCode>,
}

/// Answer of `POST /admin/offers`.
#[derive(Debug, Serialize)]
struct OfferCreated {
    credential_offer: Value,
    link: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    tx_code: Option<String>,
}

async fn create_offer(
    State(role): Role,
    headers: HeaderMap,
    body: String,
) -> Result<Response, Failure> {
    if !auth::has_admin_token(&headers, &role.admin_token) {
        return Ok(unauthorized());
    }
    let request: OfferRequest = serde_json::from_str(&body).map_err(|e| {
        IssuerError::from(TokenError::InvalidRequest(format!(
            "malformed offer request: {e}"
        )))
    })?;
    let created = role
        .issuer
        .create_offer(
            request.claims,
            &request.credential_configuration_id,
            request.tx_code,
        )
        .await?;
    let link = OfferReference::ByValue(created.offer.clone()).to_link(OFFER_SCHEME);
    let body = OfferCreated {
        credential_offer: serde_json::to_value(&created.offer).unwrap_or(Value::Null),
        link,
        tx_code: created.pin,
    };
    Ok((StatusCode::CREATED, no_store(), Json(body)).into_response())
}
