//! The page frame: title, navigation, stylesheet, and the headers every page is sent with.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

/// The stylesheet, inlined so a page is one request and works offline.
const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d2330;background:#f5f6f8}\
header{background:#1d2330;color:#fff;padding:.8rem 1.5rem;display:flex;gap:1.5rem;align-items:center}\
header a{color:#cfd6e4;text-decoration:none}header strong{font-size:1.1rem}\
main{max-width:960px;margin:1.5rem auto;padding:0 1rem}\
section{background:#fff;border-radius:8px;padding:1rem 1.25rem;margin-bottom:1rem;box-shadow:0 1px 2px #0001}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #e3e6eb}\
label{display:block;margin:.5rem 0 .2rem}input,select,textarea{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}\
button{font:inherit;padding:.45rem 1rem;border:0;border-radius:6px;background:#2454d6;color:#fff;cursor:pointer}\
button.danger{background:#c0392b}button.secondary{background:#6b7486}\
.error{color:#c0392b}.ok{color:#1e7d32}.muted{color:#6b7486}.pin{font-size:2rem;letter-spacing:.3rem}\
.qr svg{width:240px;height:240px}code{word-break:break-all}\
label.inline{display:flex;gap:.5rem;align-items:center}label.inline input{width:auto}\
form.inline{display:inline-block;margin:0 .25rem .25rem 0}form.signout{float:right}\
.pin{font-size:2.5rem;font-weight:700;font-family:ui-monospace,monospace}\
.status.valid,.outcome.passed{color:#1e7d32}.status.revoked,.outcome.failed{color:#c0392b}\
.status.suspended,.outcome.skipped{color:#9a6700}.verdict{font-size:1.3rem;font-weight:600}\
.card{border-radius:12px;padding:1rem 1.25rem;margin:.75rem 0;box-shadow:0 2px 6px #0003}\
.card table th,.card table td{border-color:#ffffff40;color:inherit}.card .status{color:inherit;font-weight:600}";

/// A page: its title, the navigation links of the role it belongs to, and its content.
#[derive(Debug)]
pub(crate) struct Page<'a> {
    /// Shown in the tab and as the heading.
    pub title: &'a str,
    /// `(label, href)` links in the header.
    pub nav: &'a [(&'a str, &'a str)],
}

impl Page<'_> {
    /// The whole document around `content`.
    pub(crate) fn render(&self, content: Markup) -> Markup {
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (self.title) " · saifu" }
                    style { (maud::PreEscaped(STYLE)) }
                }
                body {
                    header {
                        strong { "saifu" }
                        @for (label, href) in self.nav {
                            a href=(href) { (label) }
                        }
                    }
                    main {
                        h1 { (self.title) }
                        (content)
                    }
                }
            }
        }
    }
}

/// An HTML response that is never cached (pages show state and may carry one-time values) and
/// may not be framed by another site (clickjacking on login and consent pages).
pub(crate) fn html_response(markup: Markup) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        ],
        markup.into_string(),
    )
        .into_response()
}
