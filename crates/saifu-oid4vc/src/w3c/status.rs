//! Checking a W3C credential's Bitstring Status List entries (Bitstring Status List §3.2):
//! each list credential is fetched through the SSRF-safe client, verified, kept for a while in
//! the shared [`StatusListCache`], and must come from the credential's own issuer (else anyone
//! could point a credential at a list of their own) with the entry's bit clear. The OpenID4VC
//! verifier, the wallet and the node's VC-API all check through [`BitstringStatus`].

use saifu_credential::status::bitstring::{BitstringError, StatusListCache};
use saifu_did::http::HttpClient;
use serde_json::Value;
use url::Url;

/// `Accept` for status list credentials (VCDM 2.0 §6.1 media type, or plain JSON).
pub const STATUS_LIST_ACCEPT: &str = "application/vc, application/json;q=0.9";

/// How long a fetched list is trusted unless the caller says otherwise, in seconds: a
/// revocation is seen within five minutes, and a busy verifier fetches each list once per
/// five minutes instead of once per presentation.
pub const DEFAULT_MAX_AGE: i64 = 300;

/// The clock skew tolerated on a list's validity unless the caller says otherwise, in seconds.
pub const DEFAULT_SKEW: i64 = 60;

/// Fetches, verifies and caches Bitstring Status Lists, and checks entries against them.
pub struct BitstringStatus {
    http: HttpClient,
    cache: StatusListCache,
    skew: i64,
}

impl BitstringStatus {
    /// Checks fetching with `http`, trusting a fetched list for `max_age` seconds, and
    /// tolerating `skew` seconds on the list's validity (a list is signed as it is served, so
    /// its `validFrom` may be a moment after the verification's `now`).
    pub fn new(http: HttpClient, max_age: i64, skew: i64) -> Self {
        BitstringStatus {
            http,
            cache: StatusListCache::new(max_age),
            skew,
        }
    }

    /// `Ok` when the bit of `entry` (a `credentialStatus` entry of a credential `issuer`
    /// issued) is clear; [`BitstringError::Revoked`] / [`BitstringError::Suspended`] when it is
    /// set; another error when the list cannot be fetched or does not verify.
    pub async fn check(&self, entry: &Value, issuer: &str, now: i64) -> Result<(), BitstringError> {
        let http = &self.http;
        let fetch = |url: String| async move {
            let parsed = Url::parse(&url).map_err(|e| format!("{url}: {e}"))?;
            let answer = http
                .get(&parsed, STATUS_LIST_ACCEPT)
                .await
                .map_err(|e| format!("{url}: {e}"))?;
            serde_json::from_slice(&answer.body).map_err(|e| format!("{url}: not JSON: {e}"))
        };
        self.cache
            .check_entry(entry, issuer, now + self.skew, fetch)
            .await
    }

    /// Checks every entry; the first one that is set, or cannot be checked, refuses.
    pub async fn check_all(
        &self,
        entries: &[Value],
        issuer: &str,
        now: i64,
    ) -> Result<(), BitstringError> {
        for entry in entries {
            self.check(entry, issuer, now).await?;
        }
        Ok(())
    }
}

/// The `credentialStatus` entries of a credential (one object or an array).
pub fn entries(credential: &serde_json::Map<String, Value>) -> Vec<Value> {
    match credential.get("credentialStatus") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
    }
}
