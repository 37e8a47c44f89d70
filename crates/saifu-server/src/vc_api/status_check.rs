//! The verifier's Bitstring Status List checks: fetch each list credential through the SSRF-safe
//! client, verify it (signature, issuer, purpose, size), keep the decoded list for a while, and
//! read the credential's bit.
//!
//! Checks run only after the credential's own proof verified, so a forged credential cannot even
//! make the node fetch a URL of the forger's choosing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use saifu_credential::status::bitstring::{
    self, BitstringError, BitstringStatusList, DEFAULT_MAX_DECOMPRESSED, StatusEntry,
};
use saifu_credential::w3c::di::DidKeyResolver;
use saifu_credential::w3c::model;
use saifu_credential::w3c::verify::VerifyOptions;
use saifu_did::http::HttpClient;
use serde_json::Value;
use url::Url;

/// Most lists kept at once: a stream of credentials naming ever new list URLs must not grow the
/// cache without bound.
const MAX_CACHED_LISTS: usize = 1024;
/// What the status list fetch asks for (VCDM 2.0 §6.1 media type, then plain JSON).
const ACCEPT: &str = "application/vc, application/json;q=0.9";

/// A verified, decoded list and who issued it.
#[derive(Clone)]
struct CachedList {
    fetched_at: i64,
    issuer: String,
    list: Arc<BitstringStatusList>,
}

/// Fetches, verifies and caches status lists.
pub(crate) struct StatusChecker {
    http: HttpClient,
    max_age: i64,
    lists: Mutex<HashMap<String, CachedList>>,
}

impl StatusChecker {
    /// A checker fetching with `http` and trusting a fetched list for `max_age` seconds.
    pub(crate) fn new(http: HttpClient, max_age: i64) -> Self {
        StatusChecker {
            http,
            max_age,
            lists: Mutex::new(HashMap::new()),
        }
    }

    /// Checks every `credentialStatus` entry of a credential `issuer` issued; the first entry
    /// that is set, or cannot be checked, refuses it.
    pub(crate) async fn check(
        &self,
        entries: &[Value],
        issuer: &str,
        now: i64,
    ) -> Result<(), BitstringError> {
        for entry in entries {
            let entry = StatusEntry::parse(entry)?;
            let cached = self.list(&entry, now).await?;
            // The list must come from the credential's own issuer, or anyone could publish a
            // list that says "not revoked" (Bitstring Status List §3.2, validate algorithm).
            if cached.issuer != issuer {
                return Err(BitstringError::ListMismatch(
                    "the status list credential has another issuer than the credential",
                ));
            }
            bitstring::check(&entry, &cached.list)?;
        }
        Ok(())
    }

    /// The verified list `entry` points to, from the cache while it is fresh.
    async fn list(&self, entry: &StatusEntry, now: i64) -> Result<CachedList, BitstringError> {
        let key = format!("{} {}", entry.purpose.as_str(), entry.list_credential);
        let fresh = self
            .lists
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .filter(|cached| now - cached.fetched_at < self.max_age)
            .cloned();
        if let Some(cached) = fresh {
            return Ok(cached);
        }
        let credential = self.fetch(&entry.list_credential).await?;
        let options = VerifyOptions {
            now,
            challenge: None,
            domain: None,
            resolver: &DidKeyResolver,
        };
        let list =
            bitstring::verified_list(entry, &credential, &options, DEFAULT_MAX_DECOMPRESSED)?;
        let issuer = credential
            .as_object()
            .and_then(|map| model::issuer_id(map).ok())
            .unwrap_or_default()
            .to_owned();
        let cached = CachedList {
            fetched_at: now,
            issuer,
            list: Arc::new(list),
        };
        let mut lists = self.lists.lock().unwrap_or_else(PoisonError::into_inner);
        if lists.len() >= MAX_CACHED_LISTS {
            lists.retain(|_, cached| now - cached.fetched_at < self.max_age);
            if lists.len() >= MAX_CACHED_LISTS {
                lists.clear();
            }
        }
        lists.insert(key, cached.clone());
        Ok(cached)
    }

    async fn fetch(&self, url: &str) -> Result<Value, BitstringError> {
        let fetch_error = |e: String| BitstringError::Fetch(format!("{url}: {e}"));
        let parsed = Url::parse(url).map_err(|e| fetch_error(e.to_string()))?;
        let response = self
            .http
            .get(&parsed, ACCEPT)
            .await
            .map_err(|e| fetch_error(e.to_string()))?;
        serde_json::from_slice(&response.body).map_err(|e| fetch_error(format!("not JSON: {e}")))
    }
}
