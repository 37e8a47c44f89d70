//! The verifier side of §8: fetch the Status List Token a reference points to, verify it, keep
//! it as long as its `ttl` and `exp` allow, and read the referenced status.
//!
//! Transport and trust are plugged in: [`HttpFetch`] fetches bytes for a URL (implemented here
//! for saifu-did's SSRF-safe [`HttpClient`], so status fetches obey the same address rules as
//! did:web), and [`KeyResolver`] decides which key may sign the list. Time is passed in by the
//! caller (`now`), the same clock it validated the referenced token with.
//!
//! Call [`StatusListFetcher::status_of`] only after the referenced token itself validated
//! (§8.3): an expired or forged credential must not even cause a fetch.

use std::collections::HashMap;
use std::error::Error;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use saifu_crypto::{Algorithm, PublicKey};
use saifu_did::http::{HttpClient, HttpError};
use url::Url;

use super::token::{DecodedToken, TokenFormat, VerifyOptions};
use super::{
    FetchError, Limits, StatusList, StatusListToken, StatusReference, StatusValue, TransportError,
};

/// The boxed future the plug-in traits return, so they work as trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What an [`HttpFetch`] got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchResponse {
    /// A 2xx response.
    Body {
        /// The `Content-Type` header, if any.
        content_type: Option<String>,
        /// The body.
        body: Vec<u8>,
    },
    /// A 3xx response. §8.2 says clients SHOULD follow it; the fetcher does, a bounded number of
    /// times, each hop through the same [`HttpFetch`] (so each hop is vetted again).
    Redirect {
        /// The status code.
        status: u16,
        /// The `Location` header, if any.
        location: Option<String>,
    },
}

/// Fetches a URL with an `Accept` header. Implementations must apply their own safety rules
/// (address filtering, timeouts, size limits) and must not follow redirects themselves.
pub trait HttpFetch: Send + Sync {
    /// GETs `url`.
    fn fetch<'a>(
        &'a self,
        url: &'a Url,
        accept: &'a str,
    ) -> BoxFuture<'a, Result<FetchResponse, TransportError>>;
}

/// The adapter to saifu-did's SSRF-safe client: its refusal to follow redirects becomes a
/// [`FetchResponse::Redirect`] for the fetcher to follow, hop by hop, through the same checks.
impl HttpFetch for HttpClient {
    fn fetch<'a>(
        &'a self,
        url: &'a Url,
        accept: &'a str,
    ) -> BoxFuture<'a, Result<FetchResponse, TransportError>> {
        Box::pin(async move {
            match HttpClient::get(self, url, accept).await {
                Ok(response) => Ok(FetchResponse::Body {
                    content_type: response.content_type,
                    body: response.body,
                }),
                Err(HttpError::Redirect { status, location }) => {
                    Ok(FetchResponse::Redirect { status, location })
                }
                Err(e) => Err(e.into()),
            }
        })
    }
}

/// What the fetcher knows about a token when it asks for the key (all of it unverified).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRequest<'a> {
    /// The status list URI (the reference's `uri`, = the token's `sub` once verified).
    pub uri: &'a str,
    /// The token's format.
    pub format: TokenFormat,
    /// The `kid` header (a JWT's string `kid` as UTF-8 bytes).
    pub kid: Option<&'a [u8]>,
    /// The unverified `iss` claim.
    pub iss: Option<&'a str>,
}

/// Decides which key may sign the status list at a URI — typically the key of the issuer of the
/// referenced credential (§11.3). Returning an error refuses the token.
pub trait KeyResolver: Send + Sync {
    /// The key to verify the token described by `request` with.
    fn resolve<'a>(
        &'a self,
        request: KeyRequest<'a>,
    ) -> BoxFuture<'a, Result<PublicKey, Box<dyn Error + Send + Sync>>>;
}

/// A pinned key: every token must be signed by it, whatever its `kid` says. Fits a verifier that
/// trusts exactly one Status Issuer.
impl KeyResolver for PublicKey {
    fn resolve<'a>(
        &'a self,
        _request: KeyRequest<'a>,
    ) -> BoxFuture<'a, Result<PublicKey, Box<dyn Error + Send + Sync>>> {
        Box::pin(std::future::ready(Ok(self.clone())))
    }
}

/// How the fetcher verifies and caches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchConfig {
    /// The token format requested (`Accept`) and accepted.
    pub format: TokenFormat,
    /// Signature algorithms accepted.
    pub allowed_algorithms: Vec<Algorithm>,
    /// Clock skew tolerated when checking `exp`/`nbf`/`iat`, at most
    /// [`MAX_CLOCK_SKEW`](super::token::MAX_CLOCK_SKEW).
    pub skew: u32,
    /// Size limits for tokens and lists.
    pub limits: Limits,
    /// Cache lifetime when the token has neither `ttl` nor `exp`, in seconds.
    pub default_ttl: u64,
    /// Lower bound on a token's `ttl`: a tiny `ttl` must not turn verifiers into a flood against
    /// the Status Provider (§11.5). Never extends past `exp`.
    pub min_ttl: u64,
    /// Upper bound on a token's `ttl` (and on caching a token that only has `exp`), so a
    /// revocation is seen within this time whatever the issuer wrote (§11.5).
    pub max_ttl: u64,
    /// Most lists kept.
    pub max_entries: usize,
    /// Most uncompressed list bytes kept, all lists together.
    pub max_cached_bytes: usize,
    /// Most redirects followed per fetch.
    pub max_redirects: usize,
}

impl Default for FetchConfig {
    /// JWT; every algorithm saifu verifies (all asymmetric, per-key-type checked); 60 s skew;
    /// default [`Limits`]; cache 5 min without `ttl`/`exp`, `ttl` clamped to 30 s – 1 day;
    /// 1000 lists / 64 MiB; 5 redirects.
    fn default() -> Self {
        FetchConfig {
            format: TokenFormat::Jwt,
            allowed_algorithms: Algorithm::ALL.to_vec(),
            skew: 60,
            limits: Limits::default(),
            default_ttl: 300,
            min_ttl: 30,
            max_ttl: 86_400,
            max_entries: 1000,
            max_cached_bytes: 64 << 20,
            max_redirects: 5,
        }
    }
}

/// Fetches, verifies and caches Status List Tokens and answers statuses. Share one per verifier
/// (it is `Send + Sync`); the cache is per URI.
pub struct StatusListFetcher {
    http: Arc<dyn HttpFetch>,
    keys: Arc<dyn KeyResolver>,
    config: FetchConfig,
    cache: Mutex<Cache>,
}

impl std::fmt::Debug for StatusListFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatusListFetcher")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl StatusListFetcher {
    /// A fetcher over `http` that trusts the keys `keys` returns.
    pub fn new(http: Arc<dyn HttpFetch>, keys: Arc<dyn KeyResolver>, config: FetchConfig) -> Self {
        StatusListFetcher {
            http,
            keys,
            cache: Mutex::new(Cache::default()),
            config,
        }
    }

    /// The status of the referenced token at time `now` (seconds since the epoch): from the cache
    /// while it is fresh, otherwise from a newly fetched and verified token.
    pub async fn status_of(
        &self,
        reference: &StatusReference,
        now: i64,
    ) -> Result<StatusValue, FetchError> {
        Ok(self.list(reference, now).await?.get(reference.idx())?)
    }

    /// The verified list `reference` points into, at time `now`.
    pub async fn list(
        &self,
        reference: &StatusReference,
        now: i64,
    ) -> Result<Arc<StatusList>, FetchError> {
        if let Some(list) = self.cache().get(reference.uri(), now) {
            return Ok(list);
        }
        let token = self.fetch_verified(reference, now).await?;
        let fresh_until = self.fresh_until(&token, now);
        let list = Arc::new(token.status_list);
        self.cache()
            .insert(reference.uri(), &list, fresh_until, now, &self.config);
        Ok(list)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        // The cache holds no invariant a panicking holder could break half-way.
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// §13.7: keep the list for `ttl` after fetching (bounded to [min_ttl, max_ttl]), never past
    /// `exp`; without `ttl`, until `exp` (bounded by max_ttl); without either, `default_ttl`.
    fn fresh_until(&self, token: &StatusListToken, now: i64) -> i64 {
        let c = &self.config;
        let ttl = match (token.ttl, token.exp) {
            (Some(ttl), _) => ttl.max(c.min_ttl).min(c.max_ttl),
            (None, Some(_)) => c.max_ttl,
            (None, None) => c.default_ttl,
        };
        let until = now.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX));
        token.exp.map_or(until, |exp| until.min(exp))
    }

    /// Fetches the token behind `reference` and verifies it with the resolved key.
    async fn fetch_verified(
        &self,
        reference: &StatusReference,
        now: i64,
    ) -> Result<StatusListToken, FetchError> {
        let body = self.fetch_body(reference.url()).await?;
        let c = &self.config;
        let token = DecodedToken::decode(c.format, &body, &c.limits)?;
        let request = KeyRequest {
            uri: reference.uri(),
            format: c.format,
            kid: token.key_id(),
            iss: token.issuer(),
        };
        let key = self
            .keys
            .resolve(request)
            .await
            .map_err(|source| FetchError::KeyResolution {
                uri: reference.uri().to_owned(),
                source,
            })?;
        let opts = VerifyOptions {
            skew: c.skew,
            limits: c.limits,
            ..VerifyOptions::new(reference.uri(), now, &c.allowed_algorithms)
        };
        Ok(token.verify(&key, &opts)?)
    }

    /// GETs `url` with the format's `Accept`, following at most `max_redirects` redirects, and
    /// checks the `Content-Type` when one is given.
    async fn fetch_body(&self, url: &Url) -> Result<Vec<u8>, FetchError> {
        let media_type = self.config.format.media_type();
        let mut url = url.clone();
        for _ in 0..=self.config.max_redirects {
            let response = self.http.fetch(&url, media_type).await.map_err(|source| {
                FetchError::Transport {
                    url: url.to_string(),
                    source,
                }
            })?;
            match response {
                FetchResponse::Body { content_type, body } => {
                    if let Some(found) = content_type
                        && !same_media_type(&found, media_type)
                    {
                        return Err(FetchError::UnexpectedContentType {
                            url: url.to_string(),
                            expected: media_type,
                            found,
                        });
                    }
                    return Ok(body);
                }
                FetchResponse::Redirect { location, .. } => {
                    let bad = || FetchError::BadRedirect {
                        url: url.to_string(),
                    };
                    url = url.join(&location.ok_or_else(bad)?).map_err(|_| bad())?;
                }
            }
        }
        Err(FetchError::TooManyRedirects(self.config.max_redirects))
    }
}

/// Media types compare case-insensitively, ignoring parameters such as `charset`.
fn same_media_type(content_type: &str, expected: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case(expected)
}

/// Verified lists by URI, bounded in count and bytes.
#[derive(Default)]
struct Cache {
    entries: HashMap<String, Entry>,
    bytes: usize,
}

struct Entry {
    list: Arc<StatusList>,
    fresh_until: i64,
}

impl Cache {
    /// The list cached for `uri` if still fresh at `now`; a stale entry is dropped.
    fn get(&mut self, uri: &str, now: i64) -> Option<Arc<StatusList>> {
        let entry = self.entries.get(uri)?;
        if now < entry.fresh_until {
            return Some(entry.list.clone());
        }
        self.remove(uri);
        None
    }

    /// Caches `list` for `uri` until `fresh_until`, evicting stale entries first and then those
    /// that would go stale soonest. A list larger than the whole cache is not kept.
    fn insert(
        &mut self,
        uri: &str,
        list: &Arc<StatusList>,
        fresh_until: i64,
        now: i64,
        config: &FetchConfig,
    ) {
        self.remove(uri);
        let size = list.as_bytes().len();
        if fresh_until <= now || config.max_entries == 0 || size > config.max_cached_bytes {
            return;
        }
        let stale: Vec<String> = self
            .entries
            .iter()
            .filter(|(_, e)| e.fresh_until <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for key in stale {
            self.remove(&key);
        }
        while self.entries.len() >= config.max_entries
            || self.bytes + size > config.max_cached_bytes
        {
            let Some(soonest) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.fresh_until)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            self.remove(&soonest);
        }
        self.bytes += size;
        self.entries.insert(
            uri.to_owned(),
            Entry {
                list: list.clone(),
                fresh_until,
            },
        );
    }

    fn remove(&mut self, uri: &str) {
        if let Some(entry) = self.entries.remove(uri) {
            self.bytes -= entry.list.as_bytes().len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::Bits;

    fn config(max_entries: usize, max_cached_bytes: usize) -> FetchConfig {
        FetchConfig {
            max_entries,
            max_cached_bytes,
            ..FetchConfig::default()
        }
    }

    fn list(bytes: usize) -> Arc<StatusList> {
        Arc::new(StatusList::from_bytes(Bits::One, vec![0; bytes]))
    }

    #[test]
    fn cache_evicts_the_soonest_stale_entry_when_full() {
        let config = config(2, 1000);
        let mut cache = Cache::default();
        cache.insert("a", &list(10), 100, 0, &config);
        cache.insert("b", &list(10), 50, 0, &config);
        cache.insert("c", &list(10), 200, 0, &config);
        assert!(
            cache.get("b", 0).is_none(),
            "b expired soonest and was evicted"
        );
        assert!(cache.get("a", 0).is_some() && cache.get("c", 0).is_some());
        assert_eq!(cache.bytes, 20);
    }

    #[test]
    fn cache_respects_the_byte_bound() {
        let config = config(10, 25);
        let mut cache = Cache::default();
        cache.insert("a", &list(10), 100, 0, &config);
        cache.insert("b", &list(10), 200, 0, &config);
        cache.insert("c", &list(10), 300, 0, &config);
        assert_eq!(cache.entries.len(), 2);
        assert!(cache.get("a", 0).is_none());
        cache.insert("huge", &list(26), 400, 0, &config);
        assert!(
            cache.get("huge", 0).is_none(),
            "larger than the whole cache"
        );
        assert_eq!(cache.bytes, 20);
    }

    #[test]
    fn cache_entries_go_stale_at_fresh_until() {
        let config = config(10, 1000);
        let mut cache = Cache::default();
        cache.insert("a", &list(10), 100, 0, &config);
        assert!(cache.get("a", 99).is_some());
        assert!(cache.get("a", 100).is_none());
        assert_eq!(cache.bytes, 0);
    }

    #[test]
    fn media_types_ignore_case_and_parameters() {
        assert!(same_media_type(
            "Application/StatusList+JWT; charset=utf-8",
            "application/statuslist+jwt"
        ));
        assert!(!same_media_type(
            "application/jwt",
            "application/statuslist+jwt"
        ));
    }
}
