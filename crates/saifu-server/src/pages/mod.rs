//! Server-rendered HTML shared by every role's pages: one layout, one stylesheet, QR codes —
//! and the portal an operator uses from a browser: sign-in, the issuer portal and the verifier
//! portal. No JavaScript framework (ARCHITECTURE.md §6); a page works with forms and links alone.

mod auth;
mod home;
mod issuer;
mod layout;
mod qr;
mod verifier;

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};

use crate::issuer::IssuerRole;
use crate::verifier::VerifierRole;

pub(crate) use auth::from_other_site;
pub(crate) use layout::{Page, html_response};
pub(crate) use qr::{qr_by_default, qr_svg};

/// What the portal pages share: the roles that are on, the admin token operators sign in
/// with, and the node's own origin, the only one form posts are accepted from.
#[derive(Debug)]
pub(crate) struct Portal {
    issuer: Option<Arc<IssuerRole>>,
    verifier: Option<Arc<VerifierRole>>,
    admin_token: String,
    origin: String,
}

type PortalState = axum::extract::State<Arc<Portal>>;

impl Portal {
    /// The header links: one per enabled role's portal.
    fn nav(&self) -> Vec<(&'static str, &'static str)> {
        let mut nav = Vec::new();
        if self.issuer.is_some() {
            nav.push(("Issue credentials", issuer::HOME));
        }
        if self.verifier.is_some() {
            nav.push(("Check credentials", verifier::HOME));
        }
        nav
    }

    /// Where an operator lands after signing in: the first enabled portal.
    fn start(&self) -> &'static str {
        if self.issuer.is_some() {
            issuer::HOME
        } else {
            verifier::HOME
        }
    }

    /// A signed-in page: `content` under the portal's navigation, with a sign-out button.
    fn page(&self, status: StatusCode, title: &str, content: Markup) -> Response {
        let nav = self.nav();
        let content = html! {
            form.signout method="post" action=(auth::LOGOUT) {
                button.secondary type="submit" { "Sign out" }
            }
            (content)
        };
        let page = Page { title, nav: &nav };
        (status, html_response(page.render(content))).into_response()
    }

    /// A page that only says what went wrong, with a way back to `back`.
    fn error_page(&self, status: StatusCode, message: &str, back: &str) -> Response {
        let content = html! {
            section {
                p.error role="alert" { (message) }
                p { a href=(back) { "Go back" } }
            }
        };
        self.page(status, "Something went wrong", content)
    }
}

/// The portal routes: the landing page, sign-in, and the pages of each enabled role; none
/// when the node runs no role.
pub(crate) fn router<S: Clone + Send + Sync + 'static>(
    issuer: Option<Arc<IssuerRole>>,
    verifier: Option<Arc<VerifierRole>>,
) -> Router<S> {
    let (admin_token, public_url) = match (&issuer, &verifier) {
        (Some(role), _) => (
            role.admin_token.clone(),
            role.issuer.config().issuer_id.clone(),
        ),
        (None, Some(role)) => (role.admin_token().to_owned(), role.public_url().to_owned()),
        (None, None) => return Router::new(),
    };
    let origin = url::Url::parse(&public_url)
        .map(|url| url.origin().ascii_serialization())
        .unwrap_or(public_url);
    let mut router = Router::new()
        .route("/", get(home::home))
        .merge(auth::routes());
    if issuer.is_some() {
        router = router.merge(issuer::routes());
    }
    if verifier.is_some() {
        router = router.merge(verifier::routes());
    }
    let portal = Arc::new(Portal {
        issuer,
        verifier,
        admin_token,
        origin,
    });
    router
        .route_layer(middleware::from_fn_with_state(
            portal.clone(),
            auth::same_origin,
        ))
        .with_state(portal)
}

/// The fields of an `application/x-www-form-urlencoded` body, in order, repeated names kept
/// (claim rows are repeated `name`/`value` pairs).
pub(crate) fn form_fields(body: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

/// The first value of field `name`, trimmed; empty when absent.
pub(crate) fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(key, _)| key == name)
        .map_or("", |(_, value)| value.trim())
}

/// `seconds` since the epoch as a UTC date and time an operator reads (`2025-03-01 14:05 UTC`).
pub(crate) fn format_time(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (proleptic Gregorian, era-based).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        of_day / 3600,
        of_day % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_as_utc_dates() {
        assert_eq!(format_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_time(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(format_time(1_740_837_900), "2025-03-01 14:05 UTC");
    }

    #[test]
    fn form_fields_keep_repeated_names_in_order() {
        let fields = form_fields("name=a&value=1&name=b&value=x+y%21&id=+s1+");
        assert_eq!(fields.len(), 5);
        assert_eq!(fields[3], ("value".to_owned(), "x y!".to_owned()));
        assert_eq!(field(&fields, "id"), "s1");
        assert_eq!(field(&fields, "missing"), "");
    }
}
