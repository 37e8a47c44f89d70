//! Signing operators in to the portal with the node's admin token, and the two guards every
//! portal route has: a signed-in cookie, and form posts only from the node's own origin (CSRF).
//!
//! The cookie holds SHA-256 over a fixed label and the admin token: the node keeps no session
//! table, the token itself never sits in the browser, and rotating the token signs everyone out.

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use maud::html;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{Page, Portal, PortalState, field, form_fields, html_response};

/// The sign-in page.
pub(super) const LOGIN: &str = "/portal/login";
/// Where the sign-out button posts.
pub(super) const LOGOUT: &str = "/portal/logout";
/// The cookie that marks a signed-in browser.
const COOKIE: &str = "saifu_admin";
/// Bound into the cookie value so it is useless as anything but a portal session.
const COOKIE_LABEL: &[u8] = b"saifu portal session v1\0";

/// Sign-in and sign-out.
pub(super) fn routes() -> Router<Arc<Portal>> {
    Router::new()
        .route(LOGIN, get(login_form).post(login))
        .route(LOGOUT, post(logout))
}

/// The cookie value for `admin_token`.
fn session_value(admin_token: &str) -> String {
    let mut digest = Sha256::new();
    digest.update(COOKIE_LABEL);
    digest.update(admin_token.as_bytes());
    URL_SAFE_NO_PAD.encode(digest.finalize())
}

/// Whether the request's cookies sign it in: one `saifu_admin` cookie equal, in constant time,
/// to the value for the current admin token (never for an empty token).
fn signed_in(headers: &HeaderMap, admin_token: &str) -> bool {
    if admin_token.is_empty() {
        return false;
    }
    let expected = session_value(admin_token);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
        .any(|value| bool::from(value.as_bytes().ct_eq(expected.as_bytes())))
}

/// A signed-in operator: handlers that take one only run for a signed-in browser; any other
/// request is sent to the sign-in page.
#[derive(Debug)]
pub(super) struct Operator;

impl FromRequestParts<Arc<Portal>> for Operator {
    type Rejection = Redirect;

    async fn from_request_parts(
        parts: &mut Parts,
        portal: &Arc<Portal>,
    ) -> Result<Self, Self::Rejection> {
        if signed_in(&parts.headers, &portal.admin_token) {
            Ok(Operator)
        } else {
            Err(Redirect::to(LOGIN))
        }
    }
}

/// Refuses (403) a form post whose `Origin` is not the node's own: another site cannot make a
/// signed-in browser change anything. Browsers send `Origin` on every cross-site POST; a
/// request without one does not come from another site's page.
pub(super) async fn same_origin(
    State(portal): PortalState,
    request: Request,
    next: Next,
) -> Response {
    if !from_other_site(request.method(), request.headers(), &portal.origin) {
        return next.run(request).await;
    }
    let message = format!(
        "This form was sent from another website, so it was ignored. Open the portal at {} and \
         try again.",
        portal.origin
    );
    let content = html! { section { p.error role="alert" { (message) } } };
    let page = Page {
        title: "Request refused",
        nav: &[],
    };
    (StatusCode::FORBIDDEN, html_response(page.render(content))).into_response()
}

/// Whether `method` with `headers` is a form post another site's page made (its `Origin` is not
/// `origin`), which must not change anything.
pub(crate) fn from_other_site(method: &Method, headers: &HeaderMap, origin: &str) -> bool {
    method != Method::GET
        && method != Method::HEAD
        && headers
            .get(header::ORIGIN)
            .is_some_and(|sent| sent.as_bytes() != origin.as_bytes())
}

async fn login_form() -> Response {
    login_page(StatusCode::OK, None)
}

/// `POST /portal/login` with `token`: the cookie and on to the portal, or the form again (401).
async fn login(State(portal): PortalState, body: String) -> Response {
    let fields = form_fields(&body);
    let token = field(&fields, "token");
    let accepted = !portal.admin_token.is_empty()
        && bool::from(token.as_bytes().ct_eq(portal.admin_token.as_bytes()));
    if !accepted {
        return login_page(
            StatusCode::UNAUTHORIZED,
            Some("That is not this node's admin token. Check it and try again."),
        );
    }
    let secure = if portal.origin.starts_with("https:") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{COOKIE}={}; Path=/portal; HttpOnly; SameSite=Strict{secure}",
        session_value(&portal.admin_token)
    );
    see_other(portal.start(), &cookie)
}

/// `POST /portal/logout`: the cookie cleared, back to the sign-in page.
async fn logout() -> Response {
    let cookie = format!("{COOKIE}=; Path=/portal; HttpOnly; SameSite=Strict; Max-Age=0");
    see_other(LOGIN, &cookie)
}

fn see_other(location: &'static str, cookie: &str) -> Response {
    let mut response = Redirect::to(location).into_response();
    if let Ok(cookie) = HeaderValue::from_str(cookie) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

fn login_page(status: StatusCode, error: Option<&str>) -> Response {
    let content = html! {
        section {
            p { "Sign in with this node's admin token to issue and check credentials." }
            p.muted {
                "The token is in the file " code { "admin-token" } " in the node's data directory, "
                "or in the " code { "SAIFU_ADMIN_TOKEN" } " setting if the node was started with one. "
                "Ask whoever runs the node if you do not have it."
            }
            @if let Some(error) = error {
                p.error role="alert" { (error) }
            }
            form method="post" action=(LOGIN) {
                label for="token" { "Admin token" }
                input id="token" name="token" type="password" autocomplete="current-password" required;
                p { button type="submit" { "Sign in" } }
            }
        }
    };
    let page = Page {
        title: "Sign in",
        nav: &[],
    };
    (status, html_response(page.render(content))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookies(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, value.parse().unwrap());
        headers
    }

    #[test]
    fn only_the_value_for_the_current_token_signs_in() {
        let good = format!("other=1; {COOKIE}={}", session_value("t0ken"));
        assert!(signed_in(&cookies(&good), "t0ken"));
        assert!(!signed_in(&cookies(&good), "rotated"));
        assert!(!signed_in(&cookies(&format!("{COOKIE}=t0ken")), "t0ken"));
        assert!(!signed_in(
            &cookies(&format!("x{COOKIE}={}", session_value("t0ken"))),
            "t0ken"
        ));
        assert!(!signed_in(
            &cookies(&format!("{COOKIE}={}", session_value(""))),
            ""
        ));
        assert!(!signed_in(&HeaderMap::new(), "t0ken"));
    }
}
