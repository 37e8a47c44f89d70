//! The OpenID4VCI authorization code flow over HTTP: PAR (RFC 9126), the authorization endpoint
//! (PAR required, HAIP 1.0 §4) with the built-in login page, and the redirect back to the
//! wallet with `code`, `state` and `iss` (RFC 9207).
//!
//! Until a pushed request is found, errors are shown as a page, never redirected: only a
//! `redirect_uri` checked at the PAR endpoint is ever redirected to.

use std::sync::Arc;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use saifu_issuer::{AuthorizationError, IssuerError};
use saifu_oid4vc::oauth::form::Form;

use crate::issuer::IssuerRole;
use crate::pages::{Page, html_response};

type Role = State<Arc<IssuerRole>>;

/// The authorization code flow's routes, merged into the issuer router.
pub(crate) fn routes() -> Router<Arc<IssuerRole>> {
    Router::new()
        .route("/par", post(par))
        .route("/authorize", get(authorize))
        .route("/authorize/login", post(login))
}

fn no_store() -> [(header::HeaderName, HeaderValue); 1] {
    [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))]
}

/// `POST /par`: `201` with the `request_uri`, or an OAuth error body.
async fn par(State(role): Role, body: String) -> Response {
    match role.issuer.push_authorization_request(&body).await {
        Ok(pushed) => (StatusCode::CREATED, no_store(), axum::Json(pushed)).into_response(),
        Err(IssuerError::Authorization(e)) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            (status, no_store(), axum::Json(e.to_response())).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "pushed authorization request failed");
            let body = saifu_oid4vc::oauth::ErrorResponse::new(
                "server_error",
                "the authorization server could not complete the request",
            );
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                no_store(),
                axum::Json(body),
            )
                .into_response()
        }
    }
}

/// `GET /authorize?client_id=…&request_uri=…`: the login page of a pushed request.
async fn authorize(State(role): Role, RawQuery(query): RawQuery) -> Response {
    let mut form = match Form::parse(query.as_deref().unwrap_or_default()) {
        Ok(form) => form,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let (Some(client_id), Some(request_uri)) = (form.take("client_id"), form.take("request_uri"))
    else {
        let why = "client_id and the request_uri of a pushed authorization request are required";
        return error_page(StatusCode::BAD_REQUEST, why);
    };
    match role
        .issuer
        .pending_authorization(&client_id, &request_uri)
        .await
    {
        Ok(pending) => login_page(
            &role,
            StatusCode::OK,
            &pending.credential_name,
            &request_uri,
            None,
        ),
        Err(e) => issuer_error_page(e),
    }
}

/// `POST /authorize/login`: `303` back to the wallet, or the login page again.
async fn login(State(role): Role, body: String) -> Response {
    let mut form = match Form::parse(&body) {
        Ok(form) => form,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let Some(request_uri) = form.take("request_uri") else {
        return error_page(StatusCode::BAD_REQUEST, "request_uri is required");
    };
    let subject = form.take("subject").unwrap_or_default();
    let password = form.take("password").unwrap_or_default();
    match role.issuer.login(&request_uri, &subject, &password).await {
        Ok(response) => {
            let Ok(mut location) = url::Url::parse(&response.redirect_uri) else {
                return error_page(StatusCode::INTERNAL_SERVER_ERROR, "unusable redirect_uri");
            };
            location.query_pairs_mut().extend_pairs(&response.params);
            let Ok(location) = HeaderValue::from_str(location.as_str()) else {
                return error_page(StatusCode::INTERNAL_SERVER_ERROR, "unusable redirect_uri");
            };
            (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, location),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                ],
            )
                .into_response()
        }
        Err(IssuerError::Authorization(AuthorizationError::LoginFailed(pending))) => {
            if pending.attempts_left > 0 {
                let message = format!(
                    "Wrong user ID or password. {} attempts left.",
                    pending.attempts_left
                );
                login_page(
                    &role,
                    StatusCode::UNAUTHORIZED,
                    &pending.credential_name,
                    &request_uri,
                    Some(&message),
                )
            } else {
                error_page(
                    StatusCode::UNAUTHORIZED,
                    "Too many failed logins: this request is closed. Start again from your wallet.",
                )
            }
        }
        Err(e) => issuer_error_page(e),
    }
}

/// The login form of a pushed request, with `error` above it after a failed login.
fn login_page(
    role: &IssuerRole,
    status: StatusCode,
    credential_name: &str,
    request_uri: &str,
    error: Option<&str>,
) -> Response {
    let issuer = &role.issuer.config().display_name;
    let content = html! {
        section {
            p { strong { (issuer) } " will issue a " strong { (credential_name) } " to your wallet." }
            p.muted { "Log in to confirm it is you." }
            @if let Some(error) = error {
                p.error role="alert" { (error) }
            }
            form method="post" action="/authorize/login" {
                input type="hidden" name="request_uri" value=(request_uri);
                label for="subject" { "User ID" }
                input id="subject" name="subject" autocomplete="username" required;
                label for="password" { "Password" }
                input id="password" name="password" type="password" autocomplete="current-password" required;
                p { button type="submit" { "Log in" } }
            }
        }
    };
    page(status, "Log in", content)
}

/// An [`IssuerError`] met before anything may be redirected, as a page.
fn issuer_error_page(e: IssuerError) -> Response {
    match e {
        IssuerError::Authorization(e) => error_page(
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST),
            &e.to_string(),
        ),
        e => {
            tracing::error!(error = %e, "authorization endpoint failed");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The issuer could not complete the request.",
            )
        }
    }
}

fn error_page(status: StatusCode, message: &str) -> Response {
    let content = html! { section { p.error { (message) } } };
    page(status, "Cannot continue", content)
}

fn page(status: StatusCode, title: &str, content: Markup) -> Response {
    let page = Page { title, nav: &[] };
    (status, html_response(page.render(content))).into_response()
}
