//! Webhooks: a relying party that asked for a presentation can be told when the answer is in,
//! instead of polling. The URL is kept with the session in the database; the node that receives
//! the wallet's answer posts `{"id", "status", "report"}` to it through the SSRF-safe client
//! (private addresses only on development nodes), retrying a few times in the background.

use std::time::Duration;

use saifu_did::http::HttpClient;
use saifu_store::StoreError;
use saifu_store::verifier::VerifierSessions;
use serde_json::{Value, json};
use url::Url;

/// Delivery attempts per result.
const ATTEMPTS: u32 = 3;
/// Wait before the second attempt; doubled each time.
const FIRST_RETRY: Duration = Duration::from_secs(1);
/// Longest webhook URL accepted.
const MAX_URL_LEN: usize = 2048;

/// Where results go, and the client that takes them there.
#[derive(Debug, Clone)]
pub(crate) struct Webhooks {
    sessions: VerifierSessions,
    http: HttpClient,
}

impl Webhooks {
    /// Webhooks of `sessions`, posted through `http`.
    pub(crate) fn new(sessions: VerifierSessions, http: HttpClient) -> Webhooks {
        Webhooks { sessions, http }
    }

    /// Checks a requested webhook URL: absolute, http(s) as the client allows, short.
    pub(crate) fn check(&self, url: &str) -> Result<Url, String> {
        let parsed = Url::parse(url).map_err(|e| format!("webhook_url is not a URL: {e}"))?;
        let scheme_ok = parsed.scheme() == "https"
            || (parsed.scheme() == "http" && self.http.config().allow_http);
        if !scheme_ok || url.len() > MAX_URL_LEN || parsed.host_str().is_none() {
            return Err(format!(
                "webhook_url must be an https URL of at most {MAX_URL_LEN} characters"
            ));
        }
        Ok(parsed)
    }

    /// Remembers `url` for session `id`.
    pub(crate) async fn register(&self, id: &str, url: &Url) -> Result<(), StoreError> {
        self.sessions.set_webhook(id, url.as_str()).await
    }

    /// Posts the outcome of session `id` to its webhook, if it has one, in the background.
    pub(crate) async fn notify(&self, id: &str, status: &str, report: Value) {
        let url = match self.sessions.webhook(id).await {
            Ok(Some(url)) => url,
            Ok(None) => return,
            Err(error) => {
                tracing::error!(%error, session = id, "cannot read the webhook");
                return;
            }
        };
        let Ok(url) = Url::parse(&url) else { return };
        let body = json!({"id": id, "status": status, "report": report}).to_string();
        let http = self.http.clone();
        let id = id.to_owned();
        tokio::spawn(async move {
            let mut wait = FIRST_RETRY;
            for attempt in 1..=ATTEMPTS {
                match http.post_json(&url, body.clone().into_bytes()).await {
                    Ok(()) => return,
                    Err(error) => {
                        tracing::warn!(%error, session = %id, attempt, "webhook delivery failed")
                    }
                }
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
        });
    }
}
