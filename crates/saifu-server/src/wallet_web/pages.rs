//! The web wallet's pages: open or create a wallet, the credential cards, accepting an offer
//! (with the PIN, or the issuer's login), the consent screen with a switch per claim, and the
//! history. Forms and links only; nothing is shared before the holder presses "Share".

use std::sync::{Arc, Mutex};

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use rand::RngCore;
use saifu_wallet::model::StoredCredential;
use saifu_wallet::present::{Approval, ConsentView};
use saifu_wallet::receive::{AuthorizationStart, OfferPreview};
use saifu_wallet::{Wallet, WalletError};

use super::{COOKIE, HOME, Session, WebWallet};
use crate::pages::{Page, field, form_fields, format_time, from_other_site, html_response};

type WalletState = State<Arc<WebWallet>>;

const NAV: &[(&str, &str)] = &[("My credentials", HOME), ("History", "/wallet/history")];

fn page(status: StatusCode, title: &str, content: Markup) -> Response {
    let page = Page { title, nav: NAV };
    (status, html_response(page.render(content))).into_response()
}

fn message_page(status: StatusCode, title: &str, message: &str, error: bool) -> Response {
    let content = html! {
        section {
            @if error { p.error role="alert" { (message) } } @else { p.ok role="status" { (message) } }
            p { a href=(HOME) { "Back to my credentials" } }
        }
    };
    page(status, title, content)
}

/// A form post from another site changes nothing.
fn refuse_foreign(wallet: &WebWallet, headers: &HeaderMap) -> Option<Response> {
    from_other_site(&Method::POST, headers, &wallet.origin).then(|| {
        message_page(
            StatusCode::FORBIDDEN,
            "Request refused",
            "This form was sent from another website, so it was ignored.",
            true,
        )
    })
}

/// An opened wallet's session and a posted form's fields.
type Posted = (Arc<Session>, Vec<(String, String)>);

/// A form post to an opened wallet: refused from another site, sent to the start page without
/// an opened wallet; the session and the form's fields.
fn posted(wallet: &WebWallet, headers: &HeaderMap, body: &str) -> Result<Posted, Box<Response>> {
    if let Some(refused) = refuse_foreign(wallet, headers) {
        return Err(Box::new(refused));
    }
    let session = wallet
        .session(headers)
        .ok_or_else(|| Box::new(see_other(HOME, None)))?;
    Ok((session, form_fields(body)))
}

/// `GET /wallet`: the cards, or the form that opens a wallet.
pub(super) async fn home(State(wallet): WalletState, headers: HeaderMap) -> Response {
    match wallet.session(&headers) {
        Some(session) => cards(&session, None).await,
        None => open_form(StatusCode::OK, None, HOME),
    }
}

fn open_form(status: StatusCode, error: Option<&str>, next: &str) -> Response {
    let content = html! {
        section {
            p { "Your wallet keeps your credentials encrypted under a passphrase only you know. "
                "Open it, or create one the first time." }
            @if let Some(error) = error { p.error role="alert" { (error) } }
            form method="post" action="/wallet/open" {
                input type="hidden" name="next" value=(next);
                label for="wallet-name" { "Wallet name" }
                input #wallet-name name="name" required pattern="[A-Za-z0-9_-]{1,40}" autocomplete="username";
                label for="wallet-passphrase" { "Passphrase" }
                input #wallet-passphrase name="passphrase" type="password" required autocomplete="current-password";
                p {
                    button type="submit" name="action" value="open" { "Open my wallet" } " "
                    button.secondary type="submit" name="action" value="create" { "Create a new wallet" }
                }
            }
        }
    };
    page(status, "Wallet", content)
}

/// `POST /wallet/open`: opens (or creates) the named wallet and starts a browser session.
pub(super) async fn open(State(wallet): WalletState, headers: HeaderMap, body: String) -> Response {
    if let Some(refused) = refuse_foreign(&wallet, &headers) {
        return refused;
    }
    let fields = form_fields(&body);
    let name = field(&fields, "name");
    let next = Some(field(&fields, "next"))
        .filter(|n| n.starts_with("/wallet"))
        .unwrap_or(HOME);
    let valid = !name.is_empty()
        && name.len() <= 40
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        let why = "Use 1 to 40 letters, digits, - or _ for the wallet name.";
        return open_form(StatusCode::BAD_REQUEST, Some(why), next);
    }
    let passphrase = field(&fields, "passphrase").as_bytes();
    let path = wallet.dir.join(format!("{name}.sqlite"));
    if let Err(e) = std::fs::create_dir_all(&wallet.dir) {
        let why = format!("The wallet folder cannot be created: {e}");
        return open_form(StatusCode::INTERNAL_SERVER_ERROR, Some(&why), next);
    }
    let opened = if field(&fields, "action") == "create" {
        Wallet::create(&path, passphrase, wallet.config.clone()).await
    } else {
        Wallet::open(&path, passphrase, wallet.config.clone()).await
    };
    let opened = match opened {
        Ok(opened) => opened,
        Err(e) => {
            let (status, why) = match &e {
                WalletError::WrongPassphrase => (
                    StatusCode::UNAUTHORIZED,
                    "That passphrase does not open this wallet.".to_owned(),
                ),
                WalletError::NotFound(_) => (
                    StatusCode::NOT_FOUND,
                    "There is no wallet with this name yet: create it.".to_owned(),
                ),
                WalletError::AlreadyExists(_) => (
                    StatusCode::CONFLICT,
                    "A wallet with this name exists: open it instead.".to_owned(),
                ),
                other => (StatusCode::BAD_REQUEST, other.to_string()),
            };
            return open_form(status, Some(&why), next);
        }
    };
    let mut token = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut token);
    let token = hex::encode(token);
    let session = Session {
        name: name.to_owned(),
        wallet: opened,
        last_used: Mutex::new(saifu_wallet::now()),
        offer: tokio::sync::Mutex::new(None),
        authorization: tokio::sync::Mutex::new(None),
        request: tokio::sync::Mutex::new(None),
    };
    wallet.sessions().insert(token.clone(), Arc::new(session));
    let secure = if wallet.origin.starts_with("https:") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!("{COOKIE}={token}; Path=/wallet; HttpOnly; SameSite=Strict{secure}");
    see_other(next, Some(&cookie))
}

/// `POST /wallet/close`: forgets the opened wallet.
pub(super) async fn close(State(wallet): WalletState, headers: HeaderMap) -> Response {
    if let Some(refused) = refuse_foreign(&wallet, &headers) {
        return refused;
    }
    if let Some(token) = super::cookie(&headers) {
        wallet.sessions().remove(&token);
    }
    let cookie = format!("{COOKIE}=; Path=/wallet; HttpOnly; SameSite=Strict; Max-Age=0");
    see_other(HOME, Some(&cookie))
}

fn see_other(location: &str, cookie: Option<&str>) -> Response {
    let mut response = Redirect::to(location).into_response();
    if let Some(value) = cookie.and_then(|c| HeaderValue::from_str(c).ok()) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

async fn cards(session: &Session, notice: Option<&str>) -> Response {
    let credentials = match session.wallet.credentials().await {
        Ok(credentials) => credentials,
        Err(e) => {
            return message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Wallet",
                &e.to_string(),
                true,
            );
        }
    };
    let content = html! {
        form.signout method="post" action="/wallet/close" { button.secondary type="submit" { "Close wallet" } }
        p.muted { "Wallet " strong { (session.name) } }
        @if let Some(notice) = notice { p.ok role="status" { (notice) } }
        section #cards {
            h2 { "Credentials" }
            @if credentials.is_empty() { p.muted { "No credentials yet. Paste the link an issuer gave you below." } }
            @for credential in &credentials { (card(credential)) }
        }
        section {
            h2 { "Receive a credential" }
            form method="post" action="/wallet/receive" {
                label for="offer-link" { "Offer link (openid-credential-offer://…)" }
                textarea #offer-link name="link" rows="3" required {}
                p { button type="submit" { "Continue" } }
            }
        }
        section {
            h2 { "Share with a verifier" }
            form method="post" action="/wallet/present" {
                label for="request-link" { "Request link (openid4vp://…)" }
                textarea #request-link name="link" rows="3" required {}
                p { button type="submit" { "Continue" } }
            }
        }
    };
    page(StatusCode::OK, "My credentials", content)
}

fn card(credential: &StoredCredential) -> Markup {
    let display = &credential.display;
    let style = format!(
        "background:{};color:{}",
        display.background_color.as_deref().unwrap_or("#2454d6"),
        display.text_color.as_deref().unwrap_or("#fff")
    );
    let unused = credential
        .copies
        .iter()
        .filter(|c| c.shown_to.is_none())
        .count();
    html! {
        div.card data-id=(credential.id) style=(style) {
            strong { (display.name) }
            " · " (display.issuer_name.as_deref().unwrap_or(&credential.issuer))
            " · " span.status.(credential.status.as_str()) { (credential.status.as_str()) }
            table {
                @for (name, value) in &credential.claims {
                    tr {
                        th { (display.claim_labels.get(&format!("/{name}")).and_then(|v| v.as_str()).unwrap_or(name)) }
                        td { (value_text(value)) }
                    }
                }
            }
            small { (unused) " unused cop" (if unused == 1 { "y" } else { "ies" }) " (each verifier gets its own)" }
        }
    }
}

fn value_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The link given in the `link` parameter, or the query itself as a deep link under `scheme`
/// (`/wallet/receive?credential_offer_uri=…` is the https form of an offer link).
fn deep_link(query: Option<String>, scheme: &str) -> Option<String> {
    let query = query.filter(|q| !q.is_empty())?;
    let link = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "link")
        .map(|(_, v)| v.into_owned());
    Some(link.unwrap_or_else(|| format!("{scheme}?{query}")))
}

/// `GET /wallet/receive?…`: an offer opened as a link.
pub(super) async fn receive_link(
    State(wallet): WalletState,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let here = format!("/wallet/receive?{}", query.clone().unwrap_or_default());
    let Some(session) = wallet.session(&headers) else {
        return open_form(
            StatusCode::OK,
            Some("Open your wallet to receive the credential."),
            &here,
        );
    };
    match deep_link(query, "openid-credential-offer://") {
        Some(link) => preview(&session, &link).await,
        None => see_other(HOME, None),
    }
}

/// `POST /wallet/receive` with a pasted `link`.
pub(super) async fn receive_form(
    State(wallet): WalletState,
    headers: HeaderMap,
    body: String,
) -> Response {
    let (session, fields) = match posted(&wallet, &headers, &body) {
        Ok(posted) => posted,
        Err(response) => return *response,
    };
    preview(&session, field(&fields, "link")).await
}

async fn preview(session: &Session, link: &str) -> Response {
    match session.wallet.preview_offer(link).await {
        Ok(preview) => {
            let page = offer_page(&preview, None);
            *session.offer.lock().await = Some(preview);
            page
        }
        Err(e) => message_page(
            StatusCode::BAD_REQUEST,
            "This offer cannot be used",
            &e.to_string(),
            true,
        ),
    }
}

fn offer_page(preview: &OfferPreview, error: Option<&str>) -> Response {
    let issuer = preview
        .issuer_name
        .as_deref()
        .unwrap_or(&preview.offer.credential_issuer);
    let content = html! {
        section #offer {
            p { strong { (issuer) } " offers you:" }
            ul { @for offered in &preview.credentials { li { (offered.name) } } }
            p.muted { "From " code { (preview.offer.credential_issuer) } }
            @if let Some(error) = error { p.error role="alert" { (error) } }
            form method="post" action="/wallet/receive/accept" {
                @if let Some(pin) = &preview.pin {
                    label for="pin" { (pin.description.as_deref().unwrap_or("The PIN the issuer sent you")) }
                    input #pin name="pin" required inputmode="numeric" autocomplete="one-time-code";
                }
                @if !preview.is_pre_authorized() { p { "You will log in at the issuer to confirm it is you." } }
                p { button type="submit" { "Add to my wallet" } " " a href=(HOME) { "Cancel" } }
            }
        }
    };
    page(
        if error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        },
        "Receive a credential",
        content,
    )
}

/// `POST /wallet/receive/accept`: the pre-authorized flow with the PIN, or off to the issuer's
/// login page for the authorization code flow.
pub(super) async fn accept(
    State(wallet): WalletState,
    headers: HeaderMap,
    body: String,
) -> Response {
    let (session, fields) = match posted(&wallet, &headers, &body) {
        Ok(posted) => posted,
        Err(response) => return *response,
    };
    let Some(preview) = session.offer.lock().await.clone() else {
        return see_other(HOME, None);
    };
    if !preview.is_pre_authorized() {
        let redirect_uri = format!("{}{CALLBACK}", wallet.origin);
        return match session
            .wallet
            .begin_authorization(&preview, &redirect_uri)
            .await
        {
            Ok(start) => {
                let url = start.authorization_url.clone();
                *session.authorization.lock().await = Some(start);
                see_other(&url, None)
            }
            Err(e) => offer_page(&preview, Some(&e.to_string())),
        };
    }
    let pin = Some(field(&fields, "pin")).filter(|p| !p.is_empty());
    match session.wallet.accept_offer(&preview, pin).await {
        Ok(received) => {
            *session.offer.lock().await = None;
            received_page(&session, &received).await
        }
        Err(WalletError::WrongPin(_)) => offer_page(
            &preview,
            Some("That PIN is not right. Check the message from the issuer and try again."),
        ),
        Err(e) => offer_page(&preview, Some(&e.to_string())),
    }
}

/// Where the issuer sends the browser back in the authorization code flow.
pub(super) const CALLBACK: &str = "/wallet/receive/callback";

/// `GET /wallet/receive/callback?code=…&state=…`: redeems the code of the authorization this
/// session started.
pub(super) async fn callback(
    State(wallet): WalletState,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(session) = wallet.session(&headers) else {
        return see_other(HOME, None);
    };
    let Some(start): Option<AuthorizationStart> = session.authorization.lock().await.take() else {
        return see_other(HOME, None);
    };
    let redirected = format!("{}{CALLBACK}?{}", wallet.origin, query.unwrap_or_default());
    match session
        .wallet
        .complete_authorization(&start, &redirected)
        .await
    {
        Ok(received) => received_page(&session, &received).await,
        Err(e) => message_page(
            StatusCode::BAD_REQUEST,
            "The credential was not received",
            &e.to_string(),
            true,
        ),
    }
}

async fn received_page(session: &Session, received: &saifu_wallet::receive::Received) -> Response {
    let mut notice: Vec<String> = received
        .credentials
        .iter()
        .map(|c| format!("Added {}.", c.display.name))
        .collect();
    notice.extend(received.pending.iter().map(|p| {
        format!(
            "{} will be ready once the issuer approves it.",
            p.display.name
        )
    }));
    cards(session, Some(&notice.join(" "))).await
}

/// `GET /wallet/present?…`: a presentation request opened as a link.
pub(super) async fn present_link(
    State(wallet): WalletState,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let here = format!("/wallet/present?{}", query.clone().unwrap_or_default());
    let Some(session) = wallet.session(&headers) else {
        return open_form(
            StatusCode::OK,
            Some("Open your wallet to answer the request."),
            &here,
        );
    };
    match deep_link(query, "openid4vp://") {
        Some(link) => consent(&session, &link).await,
        None => see_other(HOME, None),
    }
}

/// `POST /wallet/present` with a pasted `link`.
pub(super) async fn present_form(
    State(wallet): WalletState,
    headers: HeaderMap,
    body: String,
) -> Response {
    let (session, fields) = match posted(&wallet, &headers, &body) {
        Ok(posted) => posted,
        Err(response) => return *response,
    };
    consent(&session, field(&fields, "link")).await
}

async fn consent(session: &Session, link: &str) -> Response {
    let request = match session.wallet.open_request(link).await {
        Ok(request) => request,
        Err(e) => {
            return message_page(
                StatusCode::BAD_REQUEST,
                "This request was refused",
                &e.to_string(),
                true,
            );
        }
    };
    let view = match session.wallet.consent(&request).await {
        Ok(view) => view,
        Err(e) => {
            return message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Wallet",
                &e.to_string(),
                true,
            );
        }
    };
    let page = consent_page(&view, None);
    *session.request.lock().await = Some((request, view));
    page
}

fn consent_page(view: &ConsentView, error: Option<&str>) -> Response {
    let verifier = &view.verifier;
    let content = html! {
        section #verifier {
            p.verdict { (verifier.name.as_deref().unwrap_or(&verifier.response_host)) " asks to see:" }
            @if verifier.authenticated {
                p.ok { "✔ Signed by " code { (verifier.client_id) } }
            } @else {
                p.muted { "This verifier did not prove who it is; your answer goes to " strong { (verifier.response_host) } "." }
            }
        }
        @if let Some(error) = error { p.error role="alert" { (error) } }
        form #consent method="post" action="/wallet/present/answer" {
            @for query in &view.queries {
                section.query {
                    @match query.options.first() {
                        None => p.error { "You have no credential for this (" (query.id) ")." },
                        Some(option) => {
                            p { strong { (option.name) } " from " (option.issuer_name.as_deref().unwrap_or("its issuer"))
                                @if !query.required { " (optional)" } }
                            @for claim in &option.claims {
                                label.inline {
                                    input type="checkbox" name="claim" value={ (query.id) "|" (claim.path) } checked;
                                    (claim.label) ": " strong { (value_text(&claim.value)) }
                                }
                            }
                            @if option.whole_credential { p.error { "This credential cannot share parts of itself: the verifier receives all of it, everything listed here, even what it did not ask for." } }
                            @if option.linkable { p.error { "Every copy of this credential was shown to someone else before; they could recognise you." } }
                        }
                    }
                }
            }
            @if view.satisfiable {
                p.muted { "Only what is listed is shared. Untick something to keep it, and the request will not be answered." }
                p { button type="submit" name="decision" value="approve" { "Share" } " "
                    button.secondary type="submit" name="decision" value="decline" { "Decline" } }
            } @else {
                p.error { "Your wallet cannot answer this request." }
                p { button.secondary type="submit" name="decision" value="decline" { "Decline" } }
            }
        }
    };
    page(
        if error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        },
        "Share credentials?",
        content,
    )
}

/// `POST /wallet/present/answer`: shares exactly the ticked claims, or declines.
pub(super) async fn answer(
    State(wallet): WalletState,
    headers: HeaderMap,
    body: String,
) -> Response {
    let (session, fields) = match posted(&wallet, &headers, &body) {
        Ok(posted) => posted,
        Err(response) => return *response,
    };
    let Some((request, view)) = session.request.lock().await.clone() else {
        return see_other(HOME, None);
    };
    if field(&fields, "decision") != "approve" {
        *session.request.lock().await = None;
        return match session.wallet.decline(&request).await {
            Ok(_) => message_page(
                StatusCode::OK,
                "Declined",
                "Nothing was shared. The verifier was told you declined.",
                false,
            ),
            Err(e) => message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Declined",
                &e.to_string(),
                true,
            ),
        };
    }
    let ticked: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| k == "claim")
        .map(|(_, v)| v.as_str())
        .collect();
    let mut approval = Approval::minimal(&view);
    for choice in &mut approval.choices {
        let option = view
            .queries
            .iter()
            .find(|q| q.id == choice.query)
            .and_then(|q| q.options.iter().find(|o| o.credential == choice.credential));
        choice.withheld = option
            .into_iter()
            .flat_map(|o| o.claims.iter())
            .map(|c| c.path.clone())
            .filter(|path| !ticked.contains(&format!("{}|{path}", choice.query).as_str()))
            .collect();
    }
    match session.wallet.respond(&request, &view, &approval).await {
        Ok(presented) => {
            *session.request.lock().await = None;
            let who = request
                .verifier_name
                .clone()
                .unwrap_or_else(|| view.verifier.response_host.clone());
            let content = html! {
                section #shared {
                    p.ok.verdict role="status" { "✔ Shared with " (who) }
                    ul { @for shared in &presented.history.shared { li { (shared.name) ": " (shared.claims.join(", ")) } } }
                    @if let Some(uri) = &presented.redirect_uri { p { a href=(uri) { "Continue at the verifier" } } }
                    p { a href=(HOME) { "Back to my credentials" } }
                }
            };
            page(StatusCode::OK, "Shared", content)
        }
        Err(
            e @ (WalletError::RequiredClaimWithheld { .. }
            | WalletError::Linkable { .. }
            | WalletError::CannotSatisfy(_)),
        ) => consent_page(&view, Some(&format!("Nothing was shared: {e}"))),
        Err(e) => message_page(StatusCode::BAD_GATEWAY, "Not shared", &e.to_string(), true),
    }
}

/// `GET /wallet/history`: what was shared with whom, newest first.
pub(super) async fn history(State(wallet): WalletState, headers: HeaderMap) -> Response {
    let Some(session) = wallet.session(&headers) else {
        return open_form(StatusCode::OK, None, "/wallet/history");
    };
    let mut entries = match session.wallet.history().await {
        Ok(entries) => entries,
        Err(e) => {
            return message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "History",
                &e.to_string(),
                true,
            );
        }
    };
    entries.reverse();
    let content = html! {
        section {
            @if entries.is_empty() { p.muted { "Nothing shared yet." } }
            table #history {
                tr { th { "When" } th { "With" } th { "What" } th { "Outcome" } }
                @for entry in &entries {
                    tr {
                        td { (format_time(entry.at)) }
                        td { (entry.verifier_name.as_deref().unwrap_or(&entry.verifier)) }
                        td { @for shared in &entry.shared { (shared.name) ": " (shared.claims.join(", ")) br; } }
                        td { (entry.outcome) }
                    }
                }
            }
        }
    };
    page(StatusCode::OK, "History", content)
}
