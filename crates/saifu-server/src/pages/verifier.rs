//! The verifier portal: pick what to ask for (a ready-made request or a pasted DCQL query),
//! show the QR code a wallet scans, and once the wallet has answered, the outcome — the
//! disclosed details and every check with its result and reason.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, PreEscaped, html};
use saifu_verifier::client::ClientIdPrefix;
use saifu_verifier::session::{CreateError, CreateOptions, SessionStatus};
use serde_json::{Value, json};

use super::auth::Operator;
use super::{Portal, PortalState, field, form_fields, qr_svg};
use crate::verifier::{VerifierRole, now};

/// The verifier portal's page.
pub(super) const HOME: &str = "/portal/verifier";
/// Seconds between checks of a waiting request (the result page without JavaScript).
const REFRESH_SECONDS: u32 = 3;

/// Asks the page's status endpoint every two seconds and opens the result once the wallet
/// has answered. Reads its URLs from data attributes, so nothing is interpolated into code.
const POLL_SCRIPT: &str = "(function(){var s=document.currentScript.dataset;\
setInterval(function(){fetch(s.status,{credentials:'same-origin'}).then(function(r){return r.json()})\
.then(function(j){if(j.status!=='pending'){location.href=s.result}}).catch(function(){})},2000)})();";

/// The verifier portal's routes.
pub(super) fn routes() -> Router<Arc<Portal>> {
    Router::new()
        .route(HOME, get(request_form))
        .route("/portal/verifier/requests", post(create_request))
        .route("/portal/verifier/requests/{id}", get(result))
        .route("/portal/verifier/requests/{id}/status", get(status))
}

/// The verifier role; the verifier routes are only mounted when it is on.
fn role(portal: &Portal) -> &VerifierRole {
    portal
        .verifier
        .as_deref()
        .expect("verifier pages are routed only for a node with a verifier")
}

/// A ready-made request: what a shop clerk or an admissions office typically asks for.
struct Template {
    key: &'static str,
    label: &'static str,
    /// The DCQL credential query id, which also names the credential in the result.
    query_id: &'static str,
    vct: &'static str,
    claims: &'static [&'static str],
}

const TEMPLATES: &[Template] = &[
    Template {
        key: "over18",
        label: "Over 18 (from a personal ID; nothing else is shown)",
        query_id: "pid",
        vct: "urn:eudi:pid:1",
        claims: &["age_over_18"],
    },
    Template {
        key: "diploma",
        label: "University degree (name, degree, university)",
        query_id: "diploma",
        vct: "https://saifu.dev/vct/diploma",
        claims: &["given_name", "family_name", "degree", "university"],
    },
    Template {
        key: "address",
        label: "Name and address (from a personal ID)",
        query_id: "pid",
        vct: "urn:eudi:pid:1",
        claims: &["given_name", "family_name", "address"],
    },
];

impl Template {
    /// The DCQL query asking for this template's claims of one SD-JWT VC.
    fn dcql(&self) -> Value {
        let claims: Vec<Value> = self
            .claims
            .iter()
            .map(|claim| json!({ "path": [claim] }))
            .collect();
        json!({ "credentials": [{
            "id": self.query_id,
            "format": "dc+sd-jwt",
            "meta": { "vct_values": [self.vct] },
            "claims": claims,
        }]})
    }
}

/// The client identifier prefixes an operator may choose, with what they mean.
const PREFIXES: &[(ClientIdPrefix, &str)] = &[
    (
        ClientIdPrefix::RedirectUri,
        "Simple (redirect_uri): the request is not signed",
    ),
    (
        ClientIdPrefix::X509SanDns,
        "Signed with this node's certificate (x509_san_dns)",
    ),
    (
        ClientIdPrefix::DecentralizedIdentifier,
        "Signed with this node's DID (decentralized_identifier)",
    ),
];

async fn request_form(_: Operator, State(portal): PortalState) -> Response {
    form_page(&portal, StatusCode::OK, None)
}

/// The "what to ask for" form, with `error` above it after a refused submission.
fn form_page(portal: &Portal, status: StatusCode, error: Option<&str>) -> Response {
    let content = html! {
        @if let Some(error) = error { p.error role="alert" { "Not done: " (error) } }
        section {
            form method="post" action="/portal/verifier/requests" {
                h2 { "What do you want to check?" }
                @for (i, template) in TEMPLATES.iter().enumerate() {
                    label.inline {
                        input type="radio" name="template" value=(template.key) checked[i == 0];
                        " " (template.label)
                    }
                }
                label.inline { input type="radio" name="template" value="custom"; " Something else: paste a DCQL query below" }
                textarea name="dcql" rows="6" aria-label="DCQL query"
                    placeholder=r#"{"credentials": [{"id": "pid", "format": "dc+sd-jwt", "claims": [{"path": ["given_name"]}]}]}"# {}
                label for="prefix" { "How this node identifies itself to the wallet" }
                select #prefix name="client_id_prefix" {
                    @for (prefix, label) in PREFIXES { option value=(prefix.as_str()) { (label) } }
                }
                p { button type="submit" { "Show QR code" } }
            }
        }
    };
    portal.page(status, "Check credentials", content)
}

/// `POST /portal/verifier/requests`: a new presentation session and its QR code page.
async fn create_request(_: Operator, State(portal): PortalState, body: String) -> Response {
    let fields = form_fields(&body);
    let dcql = match field(&fields, "template") {
        "custom" => match serde_json::from_str::<Value>(field(&fields, "dcql")) {
            Ok(query) => query,
            Err(e) => {
                let why = format!("the DCQL query is not valid JSON: {e}");
                return form_page(&portal, StatusCode::BAD_REQUEST, Some(&why));
            }
        },
        key => match TEMPLATES.iter().find(|t| t.key == key) {
            Some(template) => template.dcql(),
            None => {
                let why = "choose what to check";
                return form_page(&portal, StatusCode::BAD_REQUEST, Some(why));
            }
        },
    };
    let prefix_name = field(&fields, "client_id_prefix");
    let Some(prefix) = ClientIdPrefix::from_name(prefix_name) else {
        let why = format!("unknown way to identify this node: `{prefix_name}`");
        return form_page(&portal, StatusCode::BAD_REQUEST, Some(&why));
    };
    let options = CreateOptions {
        prefix,
        ..CreateOptions::default()
    };
    let created = match role(&portal).sessions().create(dcql, options, now()).await {
        Ok(created) => created,
        Err(e @ (CreateError::InvalidQuery(_) | CreateError::PrefixNotConfigured(_))) => {
            return form_page(&portal, StatusCode::BAD_REQUEST, Some(&e.to_string()));
        }
        Err(e) => return failure(&portal, &e),
    };
    let result_url = format!("/portal/verifier/requests/{}", created.id);
    let content = html! {
        section.request {
            p { "Ask the person to scan this code with their wallet app and agree to share." }
            @match qr_svg(&created.link) {
                Some(svg) => div.qr { (PreEscaped(svg)) },
                None => p.error { "This request is too long for a QR code; send the link instead." },
            }
            label for="request-link" { "Or open this link on their phone:" }
            textarea #request-link readonly rows="3" { (created.link) }
            p #waiting role="status" { "Waiting for the wallet… this page moves on by itself once it has answered." }
            p { a href=(result_url) { "Check the result now" } }
            script data-status={ (result_url) "/status" } data-result=(result_url) { (PreEscaped(POLL_SCRIPT)) }
        }
    };
    portal.page(StatusCode::OK, "Scan to share", content)
}

/// A failure of the node as a 500 page; the cause goes to the log.
fn failure(portal: &Portal, error: &dyn std::error::Error) -> Response {
    tracing::error!(%error, "verifier portal failure");
    portal.error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The verifier could not complete this. Try again; if it keeps failing, tell whoever runs the node.",
        HOME,
    )
}

/// `GET /portal/verifier/requests/{id}/status`: `{"status": …}` for the waiting page's script.
async fn status(_: Operator, State(portal): PortalState, Path(id): Path<String>) -> Response {
    match role(&portal).sessions().status(&id, now()).await {
        Ok(Some(record)) => Json(json!({ "status": record.status.as_str() })).into_response(),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            Json(json!({ "status": "not_found" })),
        )
            .into_response(),
        Err(e) => failure(&portal, &e),
    }
}

/// `GET /portal/verifier/requests/{id}`: the outcome, or "still waiting" (refreshing itself).
async fn result(_: Operator, State(portal): PortalState, Path(id): Path<String>) -> Response {
    let record = match role(&portal).sessions().status(&id, now()).await {
        Ok(Some(record)) => record,
        Ok(None) => {
            return portal.error_page(
                StatusCode::NOT_FOUND,
                "There is no such request. It may have been made on another node.",
                HOME,
            );
        }
        Err(e) => return failure(&portal, &e),
    };
    let (title, content) = match (record.status, &record.report) {
        (SessionStatus::Pending, _) => (
            "Waiting for the wallet",
            html! {
                meta http-equiv="refresh" content=(REFRESH_SECONDS);
                section { p role="status" { "No answer yet. This page checks again every "
                    (REFRESH_SECONDS) " seconds." } }
            },
        ),
        (SessionStatus::Expired, _) => (
            "Expired",
            html! { section { p.error { "No wallet answered in time. " a href=(HOME) { "Make a new request" } "." } } },
        ),
        (_, Some(report)) => (
            if record.status == SessionStatus::Verified {
                "Verified"
            } else {
                "Not verified"
            },
            report_view(report),
        ),
        (_, None) => (
            "Not verified",
            html! { section { p.error { "The answer was refused." } } },
        ),
    };
    portal.page(StatusCode::OK, title, content)
}

/// A VerificationReport (JSON): the disclosed details per credential, the checks, warnings.
fn report_view(report: &Value) -> Markup {
    let text = |value: &Value| match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let verified = report["verified"].as_bool() == Some(true);
    let credentials = report["credentials"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let empty = Vec::new();
    html! {
        section {
            @if verified {
                p.ok.verdict { "✔ The wallet's answer passed every check." }
            } @else {
                p.error.verdict { "✘ The wallet's answer failed a check: do not rely on it." }
                @if !report["error"].is_null() { p { "Reason: " (text(&report["error"])) } }
            }
        }
        @for (query, presented) in &credentials {
            @for credential in presented.as_array().unwrap_or(&empty) {
                section.credential {
                    h2 { "Shared details (" (query) ")" }
                    p.muted { "Type " code { (text(&credential["vct"])) } ", issued by " code { (text(&credential["issuer"])) } }
                    table {
                        @for (name, value) in credential["claims"].as_object().into_iter().flatten() {
                            tr { th { (name) } td { (text(value)) } }
                        }
                    }
                }
            }
        }
        section.checks {
            h2 { "Checks" }
            table {
                tr { th { "Check" } th { "Concerns" } th { "Outcome" } th { "Reason" } }
                @for check in report["checks"].as_array().unwrap_or(&empty) {
                    @let outcome = text(&check["outcome"]);
                    tr {
                        td { (text(&check["name"])) }
                        td { (text(&check["subject"])) }
                        td { span class={ "outcome " (outcome) } { (outcome) } }
                        td { (text(&check["reason"])) }
                    }
                }
            }
            @if let Some(warnings) = report["warnings"].as_array().filter(|w| !w.is_empty()) {
                h3 { "Warnings (the answer is still accepted)" }
                ul { @for warning in warnings { li { code { (warning) } } } }
            }
        }
    }
}
