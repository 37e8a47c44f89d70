//! The landing page at `/`: what this node does, with a link to each enabled role's portal.

use axum::extract::State;
use axum::response::Response;
use maud::html;

use super::{Page, PortalState, html_response, issuer, verifier};

/// `GET /`: public, so someone who types the node's address finds the portals.
pub(super) async fn home(State(portal): PortalState) -> Response {
    let content = html! {
        @if portal.issuer.is_some() {
            section {
                h2 { a href=(issuer::HOME) { "Issue credentials" } }
                p { "Register people, give them a credential with a QR code they scan with their wallet, "
                    "and revoke or suspend what was issued." }
            }
        }
        @if portal.verifier.is_some() {
            section {
                h2 { a href=(verifier::HOME) { "Check credentials" } }
                p { "Ask a wallet for proof — for example that someone is over 18 — and see whether "
                    "it checks out." }
            }
        }
        p.muted { "Both portals ask for this node's admin token." }
    };
    let nav = portal.nav();
    let page = Page {
        title: "Welcome",
        nav: &nav,
    };
    html_response(page.render(content))
}
