//! The issuer portal: the credential types this node issues, the people (subjects) it issues
//! to, offers a person scans with their wallet (QR code, link and PIN), and the issued
//! credentials with revoke, suspend and reinstate. Changes are form posts answered with a
//! redirect back (post/redirect/get), except a new offer: its PIN is shown once, on the answer.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, PreEscaped, html};
use saifu_issuer::{IssuerError, StatusChange, status_name};
use saifu_oid4vc::vci::offer::{InputMode, OFFER_SCHEME, OfferReference, TxCode};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::auth::Operator;
use super::{Portal, PortalState, field, form_fields, format_time, qr_svg};
use crate::issuer::IssuerRole;

/// The issuer portal's page.
pub(super) const HOME: &str = "/portal/issuer";
/// Most subjects and issued credentials the page lists.
const LIST_LIMIT: i64 = 500;
/// Blank claim rows of the "add a person" form beyond the claims the credential types name.
const SPARE_ROWS: usize = 2;

/// The issuer portal's routes.
pub(super) fn routes() -> Router<Arc<Portal>> {
    Router::new()
        .route(HOME, get(overview))
        .route("/portal/issuer/subjects", post(add_subject))
        .route("/portal/issuer/subjects/import", post(import_subjects))
        .route("/portal/issuer/offers", post(create_offer))
        .route(
            "/portal/issuer/credentials/{index}/{action}",
            post(change_status),
        )
}

/// The issuer role; the issuer routes are only mounted when it is on.
fn role(portal: &Portal) -> &IssuerRole {
    portal
        .issuer
        .as_deref()
        .expect("issuer pages are routed only for a node with an issuer")
}

/// What the overview confirms after a change (a fixed set, so nothing from the URL is echoed).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Notice {
    Saved,
    Imported,
    Revoked,
    Suspended,
    Reinstated,
}

impl Notice {
    fn text(self) -> &'static str {
        match self {
            Notice::Saved => "The person was saved.",
            Notice::Imported => "The spreadsheet was imported.",
            Notice::Revoked => "The credential was revoked.",
            Notice::Suspended => "The credential was suspended.",
            Notice::Reinstated => "The credential is valid again.",
        }
    }

    fn redirect(self) -> Response {
        let name = match self {
            Notice::Saved => "saved",
            Notice::Imported => "imported",
            Notice::Revoked => "revoked",
            Notice::Suspended => "suspended",
            Notice::Reinstated => "reinstated",
        };
        Redirect::to(&format!("{HOME}?notice={name}")).into_response()
    }
}

#[derive(Debug, Deserialize)]
struct OverviewQuery {
    notice: Option<Notice>,
}

async fn overview(
    _: Operator,
    State(portal): PortalState,
    Query(query): Query<OverviewQuery>,
) -> Response {
    let notice = query
        .notice
        .map(|notice| html! { p.ok role="status" { (notice.text()) } });
    render_overview(&portal, StatusCode::OK, notice).await
}

/// The overview with `message` (a confirmation or an error) on top, answered with `status`.
async fn render_overview(portal: &Portal, status: StatusCode, message: Option<Markup>) -> Response {
    let issuer = &role(portal).issuer;
    let lists = async {
        let subjects = issuer.subjects(LIST_LIMIT).await?;
        let issued = issuer.issued_list(None, LIST_LIMIT).await?;
        Ok::<_, IssuerError>((subjects, issued))
    };
    let (subjects, issued) = match lists.await {
        Ok(lists) => lists,
        Err(e) => return failure(portal, e),
    };
    if let Err(e) = issuer.reload_configurations().await {
        return failure(portal, e);
    }
    let credentials = issuer.configurations();
    let type_name = |id: &str| {
        credentials
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| id.to_owned(), |c| c.display_name.clone())
    };
    let mut claim_names: Vec<&str> = Vec::new();
    for claim in credentials.iter().flat_map(|c| &c.claims) {
        if !claim_names.contains(&claim.name.as_str()) {
            claim_names.push(&claim.name);
        }
    }
    let content = html! {
        @if let Some(message) = message { (message) }
        section #offer {
            h2 { "Give someone a credential" }
            @if subjects.is_empty() {
                p.muted { "Add a person below first." }
            } @else {
                form method="post" action="/portal/issuer/offers" {
                    label for="offer-subject" { "Person" }
                    select #offer-subject name="subject" {
                        @for subject in &subjects { option value=(subject.id) { (subject.id) } }
                    }
                    label for="offer-credential" { "Credential" }
                    select #offer-credential name="credential" {
                        @for credential in &credentials {
                            option value=(credential.id) { (credential.display_name) }
                        }
                    }
                    label.inline {
                        input type="checkbox" name="pin" value="on" checked;
                        " Require a PIN (recommended: the person types it in their wallet)"
                    }
                    p { button type="submit" { "Create offer" } }
                }
            }
        }
        section #issued {
            h2 { "Issued credentials" }
            p.muted { "Suspending stops a credential from being accepted until you reinstate it. "
                strong { "Revoking is permanent" } ": a revoked credential can never be made valid again." }
            @if issued.is_empty() {
                p.muted { "Nothing issued yet. A credential appears here once a wallet has collected its offer." }
            } @else {
                table {
                    tr { th { "No." } th { "Person" } th { "Credential" } th { "Issued" } th { "Status" } th { "" } }
                    @for record in &issued {
                        @let status = status_name(record.status);
                        tr data-index=(record.status_index) {
                            td { (record.status_index) }
                            td { (record.subject_id.as_deref().unwrap_or("—")) }
                            td { (type_name(&record.config_id)) }
                            td { (format_time(record.issued_at)) }
                            td { span class={ "status " (status) } { (status) } }
                            td.actions { (status_actions(record.status_index, status)) }
                        }
                    }
                }
            }
        }
        section #subjects {
            h2 { "People" }
            @if subjects.is_empty() {
                p.muted { "No one yet." }
            } @else {
                table {
                    tr { th { "ID" } th { "Details" } th { "Added" } }
                    @for subject in &subjects {
                        tr { td { (subject.id) } td { (claims_summary(&subject.claims)) } td { (format_time(subject.created_at)) } }
                    }
                }
            }
            h3 { "Add a person" }
            form method="post" action="/portal/issuer/subjects" {
                label for="subject-id" { "ID (for example a student number: letters, digits, - _ . @)" }
                input #subject-id name="id" required;
                p.muted { "Fill in the details their credentials should carry; leave the rest empty. "
                    "Write true or false for yes/no details." }
                table {
                    tr { th { "Detail" } th { "Value" } }
                    @for name in &claim_names {
                        tr { td { input name="claim_name" value=(name) aria-label="Detail name"; }
                             td { input name="claim_value" aria-label={ "Value of " (name) }; } }
                    }
                    @for _ in 0..SPARE_ROWS {
                        tr { td { input name="claim_name" aria-label="Detail name"; }
                             td { input name="claim_value" aria-label="Value"; } }
                    }
                }
                label for="subject-json" { "Or the details as JSON (for nested details such as an address)" }
                textarea #subject-json name="claims_json" rows="3" placeholder=r#"{"address": {"locality": "Tokyo"}}"# {}
                label for="subject-password" { "Password (optional: lets them sign in from their wallet to collect credentials)" }
                input #subject-password name="password" type="password" autocomplete="new-password";
                p { button type="submit" { "Save person" } }
            }
            h3 { "Import from a spreadsheet" }
            form method="post" action="/portal/issuer/subjects/import" {
                label for="csv" { "Paste CSV with a header row: an id column, then one column per detail (address.locality nests)." }
                textarea #csv name="csv" rows="5" placeholder="id,given_name,family_name\ns1001,Hanako,Sato" required {}
                p { button type="submit" { "Import" } }
            }
        }
        section #types {
            h2 { "Credential types" }
            table {
                tr { th { "Name" } th { "Type (vct)" } th { "Details" } }
                @for credential in &credentials {
                    tr {
                        td { (credential.display_name) }
                        td { code { (credential.vct) } }
                        td { ul {
                            @for claim in &credential.claims {
                                li { (claim.display_name) " " code { (claim.name) }
                                    @if claim.selectively_disclosable { span.muted { " — the holder may keep it private" } }
                                    @else { span.muted { " — always shown" } } }
                            }
                        } }
                    }
                }
            }
        }
    };
    portal.page(status, "Issue credentials", content)
}

/// The buttons a credential in `status` offers; revoking says it is permanent.
fn status_actions(index: i64, status: &str) -> Markup {
    let action = |name: &str| format!("/portal/issuer/credentials/{index}/{name}");
    html! {
        @if status == "valid" {
            form.inline method="post" action=(action("suspend")) { button.secondary type="submit" { "Suspend" } }
        }
        @if status == "suspended" {
            form.inline method="post" action=(action("reinstate")) { button type="submit" { "Reinstate" } }
        }
        @if status == "valid" || status == "suspended" {
            form.inline method="post" action=(action("revoke")) {
                button.danger type="submit" title="Revoking is permanent" { "Revoke permanently" }
            }
        }
    }
}

/// A subject's claims (stored JSON) as `name: value` text.
fn claims_summary(claims: &str) -> String {
    match serde_json::from_str::<Map<String, Value>>(claims) {
        Ok(claims) => claims
            .iter()
            .map(|(name, value)| match value {
                Value::String(text) => format!("{name}: {text}"),
                other => format!("{name}: {other}"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Err(_) => claims.to_owned(),
    }
}

/// An issuer failure as the overview with the reason on top (400, 404 or 409), or an error
/// page (500) when the node itself failed.
async fn refused(portal: &Portal, error: IssuerError) -> Response {
    let (status, message) = match &error {
        IssuerError::InvalidInput(why) => (StatusCode::BAD_REQUEST, why.clone()),
        IssuerError::UnknownConfiguration(id) => (
            StatusCode::BAD_REQUEST,
            format!("There is no credential type `{id}`."),
        ),
        IssuerError::NotFound(why) => (StatusCode::NOT_FOUND, why.clone()),
        IssuerError::Conflict(why) => (StatusCode::CONFLICT, why.clone()),
        _ => return failure(portal, error),
    };
    let message = html! { p.error role="alert" { "Not done: " (message) } };
    render_overview(portal, status, Some(message)).await
}

/// A failure of the node (its database, its key) as a 500 page; the cause goes to the log.
fn failure(portal: &Portal, error: IssuerError) -> Response {
    tracing::error!(%error, "issuer portal failure");
    portal.error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The issuer could not complete this. Try again; if it keeps failing, tell whoever runs the node.",
        HOME,
    )
}

/// The claims of the "add a person" form: the JSON box, then the name/value rows over it.
/// `true` and `false` become yes/no values; every other value is text.
fn subject_claims(fields: &[(String, String)]) -> Result<Map<String, Value>, IssuerError> {
    let json = field(fields, "claims_json");
    let mut claims = if json.is_empty() {
        Map::new()
    } else {
        serde_json::from_str::<Map<String, Value>>(json).map_err(|e| {
            IssuerError::InvalidInput(format!("the details JSON is not a JSON object: {e}"))
        })?
    };
    let of = |name: &'static str| {
        fields
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.trim())
    };
    for (name, value) in of("claim_name").zip(of("claim_value")) {
        if name.is_empty() || value.is_empty() {
            continue;
        }
        let value = match value {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            text => Value::String(text.to_owned()),
        };
        claims.insert(name.to_owned(), value);
    }
    Ok(claims)
}

async fn add_subject(_: Operator, State(portal): PortalState, body: String) -> Response {
    let fields = form_fields(&body);
    let password = Some(field(&fields, "password")).filter(|p| !p.is_empty());
    let saved = match subject_claims(&fields) {
        Ok(claims) => {
            role(&portal)
                .issuer
                .put_subject(field(&fields, "id"), claims, password)
                .await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Notice::Saved.redirect(),
        Err(e) => refused(&portal, e).await,
    }
}

async fn import_subjects(_: Operator, State(portal): PortalState, body: String) -> Response {
    let fields = form_fields(&body);
    match role(&portal)
        .issuer
        .import_subjects_csv(field(&fields, "csv"))
        .await
    {
        Ok(_) => Notice::Imported.redirect(),
        Err(e) => refused(&portal, e).await,
    }
}

/// `POST /portal/issuer/offers`: the offer page (QR code, link, PIN), published by reference
/// so the QR code stays small enough to scan.
async fn create_offer(_: Operator, State(portal): PortalState, body: String) -> Response {
    let fields = form_fields(&body);
    let issuer = &role(&portal).issuer;
    let subject = field(&fields, "subject");
    let config_id = field(&fields, "credential");
    let tx_code = (field(&fields, "pin") == "on").then(|| TxCode {
        input_mode: Some(InputMode::Numeric),
        length: None,
        description: Some("Enter the PIN you received from the issuer".into()),
    });
    let published = async {
        let created = issuer
            .create_subject_offer(subject, config_id, tx_code, false)
            .await?;
        let uri = issuer.publish_offer(&created.offer).await?;
        let url = url::Url::parse(&uri).map_err(|e| IssuerError::Signing(e.to_string()))?;
        Ok::<_, IssuerError>((
            OfferReference::ByReference(url).to_link(OFFER_SCHEME),
            created.pin,
        ))
    };
    let (link, pin) = match published.await {
        Ok(offer) => offer,
        Err(e) => return refused(&portal, e).await,
    };
    let credential = issuer
        .credential_config(config_id)
        .map_or_else(|| config_id.to_owned(), |c| c.display_name);
    let days = issuer.config().offer_ttl / 86_400;
    let content = html! {
        section.offer {
            p { "Ask " strong { (subject) } " to scan this code with their wallet app to receive their "
                strong { (credential) } "." }
            @match qr_svg(&link) {
                Some(svg) => div.qr { (PreEscaped(svg)) },
                None => p.error { "This offer is too long for a QR code; send the link instead." },
            }
            label for="offer-link" { "Or send them this link (select it and copy):" }
            textarea #offer-link readonly rows="3" { (link) }
            @if let Some(pin) = &pin {
                h2 { "PIN" }
                p.pin #offer-pin { (pin) }
                p { strong { "Send the PIN separately" } " — by text message, by phone or in person, never in the same "
                    "message as the link — so that someone who intercepts the link cannot use it." }
            }
            p.muted {
                "The offer can be used once"
                @if days > 0 { " and expires in " (days) " days" }
                ". The PIN is not shown again: note it now if you need it."
            }
            p { a href=(HOME) { "Back to the issuer portal" } }
        }
    };
    portal.page(StatusCode::OK, "Credential offer", content)
}

async fn change_status(
    _: Operator,
    State(portal): PortalState,
    Path((index, action)): Path<(i64, String)>,
) -> Response {
    let (change, notice) = match action.as_str() {
        "revoke" => (StatusChange::Revoke, Notice::Revoked),
        "suspend" => (StatusChange::Suspend, Notice::Suspended),
        "reinstate" => (StatusChange::Reinstate, Notice::Reinstated),
        other => {
            let why = format!("there is no action `{other}`");
            return refused(&portal, IssuerError::NotFound(why)).await;
        }
    };
    match role(&portal).issuer.change_status(index, change).await {
        Ok(_) => {
            tracing::info!(status_index = index, action = %action, "credential status changed from the portal");
            notice.redirect()
        }
        Err(e) => refused(&portal, e).await,
    }
}
