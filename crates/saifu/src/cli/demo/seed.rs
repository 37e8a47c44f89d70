//! The demo ecosystem of the whitepapers, seeded into a running node through its admin API:
//! Hanako, known to the national ID registry (her personal ID with `age_over_18`) and to Saifu
//! University (her diploma); offers of both for her web wallet, each with a PIN; the employer's
//! request for her degree (zero-waiting-time hiring) and the convenience store's request for
//! `age_over_18` only. What comes back are the links a person clicks.

use serde::Serialize;
use serde_json::{Value, json};

use super::node::DemoNode;
use crate::cli::{CliError, output};

/// How long the seeded presentation requests stay open, so the printed links still work
/// after a coffee: an hour.
pub(crate) const REQUEST_LIFETIME_SECONDS: i64 = 3600;

/// Hanako's claims, as the national ID registry and the university know them.
pub(crate) fn hanako() -> Value {
    json!({"id": "hanako", "claims": {
        "given_name": "Hanako", "family_name": "Yamada", "birthdate": "2001-04-12",
        "address": {"street_address": "1-1 Chiyoda", "locality": "Tokyo", "country": "JP"},
        "age_over_18": true, "nationality": "JP",
        "university": "Saifu University", "degree": "BSc Computer Science",
        "field_of_study": "Computer Science", "graduation_date": "2026-03-20"}})
}

/// The employer's DCQL query: the name and the degree from a diploma.
pub(crate) fn degree_query() -> Value {
    json!({"credentials": [{"id": "diploma", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["https://saifu.dev/vct/diploma"]},
        "claims": [{"path": ["given_name"]}, {"path": ["family_name"]}, {"path": ["degree"]}]}]})
}

/// The convenience store's DCQL query: `age_over_18` from a personal ID, nothing else.
pub(crate) fn over_18_query() -> Value {
    json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["urn:eudi:pid:1"]}, "claims": [{"path": ["age_over_18"]}]}]})
}

/// An offer to open in the web wallet.
#[derive(Debug, Serialize)]
pub(crate) struct OfferLink {
    /// Who offers what.
    pub(crate) title: &'static str,
    /// The web wallet's page for the offer.
    pub(crate) link: String,
    /// The PIN the issuer sends separately.
    pub(crate) pin: String,
}

/// A presentation request to answer in the web wallet.
#[derive(Debug, Serialize)]
pub(crate) struct RequestLink {
    /// Who asks for what.
    pub(crate) title: &'static str,
    /// The web wallet's page for the request.
    pub(crate) link: String,
    /// The verifier portal's page that shows the outcome.
    pub(crate) result: String,
}

/// Everything the demo seeded, as links.
#[derive(Debug, Serialize)]
pub(crate) struct Links {
    /// The web wallet.
    pub(crate) wallet: String,
    /// The operator portal's login page.
    pub(crate) portal: String,
    /// The admin token the portal asks for.
    pub(crate) admin_token: String,
    /// Offers, in the order to open them.
    pub(crate) offers: Vec<OfferLink>,
    /// Requests, in the order to answer them.
    pub(crate) requests: Vec<RequestLink>,
}

/// Seeds Hanako, her two offers and the two requests into `node`.
pub(crate) async fn seed(node: &DemoNode) -> Result<Links, CliError> {
    node.post("/admin/subjects", hanako()).await?;
    let mut offers = Vec::new();
    for (title, config) in [
        (
            "The national ID registry offers Hanako's personal ID",
            "pid",
        ),
        ("Saifu University offers Hanako's diploma", "diploma"),
    ] {
        let offer = node
            .post(
                "/admin/offers",
                json!({"subject": "hanako", "credential_configuration_id": config,
                       "tx_code": true, "by_reference": true}),
            )
            .await?;
        offers.push(OfferLink {
            title,
            link: web_wallet_link(node, "/wallet/receive", &offer["link"])?,
            pin: offer["tx_code"].as_str().unwrap_or_default().to_owned(),
        });
    }
    let mut requests = Vec::new();
    for (title, query, prefix) in [
        (
            "The employer checks her name and degree (zero-waiting-time hiring)",
            degree_query(),
            "decentralized_identifier",
        ),
        (
            "The convenience store checks only that she is over 18",
            over_18_query(),
            "redirect_uri",
        ),
    ] {
        let created = node
            .post(
                "/admin/presentations",
                json!({"dcql_query": query, "client_id_prefix": prefix}),
            )
            .await?;
        requests.push(RequestLink {
            title,
            link: web_wallet_link(node, "/wallet/present", &created["link"])?,
            result: format!(
                "{}/portal/verifier/requests/{}",
                node.base,
                created["id"].as_str().unwrap_or_default()
            ),
        });
    }
    Ok(Links {
        wallet: format!("{}/wallet", node.base),
        portal: format!("{}/portal/login", node.base),
        admin_token: node.token().to_owned(),
        offers,
        requests,
    })
}

/// The web wallet's page at `path` for a deep link (`openid-credential-offer://?…`,
/// `openid4vp://?…`): the same query on the node, so a click in any browser opens it.
fn web_wallet_link(node: &DemoNode, path: &str, deep_link: &Value) -> Result<String, CliError> {
    let query = deep_link
        .as_str()
        .and_then(|link| link.split_once('?'))
        .map(|(_, query)| query)
        .ok_or_else(|| CliError::BadArgument(format!("the node returned no link: {deep_link}")))?;
    Ok(format!("{}{path}?{query}", node.base))
}

impl Links {
    /// Prints the links: one JSON line, or a walk-through to follow in a browser.
    pub(crate) fn print(&self, json: bool) {
        if json {
            output::line(serde_json::json!({ "demo": self }));
            return;
        }
        output::line("");
        output::line("The demo ecosystem is ready. Follow these steps in a browser:");
        output::line(format!(
            "  1. Open Hanako's web wallet and create it (any name and passphrase): {}",
            self.wallet
        ));
        let mut step = 2;
        for offer in &self.offers {
            output::line(format!(
                "  {step}. {} (PIN {}):\n       {}",
                offer.title, offer.pin, offer.link
            ));
            step += 1;
        }
        for request in &self.requests {
            output::line(format!(
                "  {step}. {}:\n       {}\n     The verifier's result: {}",
                request.title, request.link, request.result
            ));
            step += 1;
        }
        output::line(format!(
            "  The operator portal (issue, revoke, ask): {} with the admin token {}",
            self.portal, self.admin_token
        ));
        output::line(format!(
            "The requests stay open for {} minutes. Press Ctrl-C to stop.",
            REQUEST_LIFETIME_SECONDS / 60
        ));
    }
}
