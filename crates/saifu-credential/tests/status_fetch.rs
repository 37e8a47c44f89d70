//! The verifier-side fetcher against a real axum Status Provider on 127.0.0.1, through
//! saifu-did's SSRF-safe client (configured with `allow_private` + `allow_http`, as tests must).
//!
//! The provider counts requests per URL, so caching is proven by counts; time is an injected
//! clock shared by provider and verifier — no sleeps.

use std::collections::HashMap;
use std::error::Error;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use saifu_credential::status::fetch::{BoxFuture, KeyRequest};
use saifu_credential::status::token::{TokenFormat, cwt, jwt};
use saifu_credential::status::{
    Bits, FetchConfig, FetchError, KeyResolver, ReferenceOptions, StatusList, StatusListError,
    StatusListFetcher, StatusListToken, StatusReference, StatusValue, TokenError, TransportError,
};
use saifu_crypto::jws::JwsError;
use saifu_crypto::{CryptoError, KeyType, LocalSigner, PrivateKey, PublicKey, Signer};
use saifu_did::http::{HttpClient, HttpConfig, HttpError};

const T0: i64 = 1_900_000_000;
const KID: &str = "status-key-1";

/// The Status Provider: signs a fresh token per request at the shared clock's time.
struct Provider {
    signer: LocalSigner,
    now: AtomicI64,
    hits: Mutex<HashMap<String, usize>>,
    accepts: Mutex<Vec<String>>,
}

impl Provider {
    fn hits(&self, path_and_query: &str) -> usize {
        self.hits
            .lock()
            .unwrap()
            .get(path_and_query)
            .copied()
            .unwrap_or(0)
    }

    fn total_hits(&self) -> usize {
        self.hits.lock().unwrap().values().sum()
    }

    fn record(&self, uri: &Uri, headers: &HeaderMap) {
        let key = uri
            .path_and_query()
            .map(ToString::to_string)
            .unwrap_or_default();
        *self.hits.lock().unwrap().entry(key).or_default() += 1;
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        self.accepts.lock().unwrap().push(accept.to_owned());
    }
}

/// 16 two-bit statuses: 1 is INVALID, 2 is SUSPENDED, the rest VALID.
fn served_list() -> StatusList {
    let mut list = StatusList::new(Bits::Two, 16);
    list.set(1, StatusValue::Invalid).unwrap();
    list.set(2, StatusValue::Suspended).unwrap();
    list
}

/// `/list?ttl=&exp_in=&sub=&ctype=`: a token whose `sub` is the request URL unless `sub` is
/// given, with `ttl`/`exp` as asked, as JWT or CWT per `Accept`, marked uncacheable for HTTP.
async fn list(
    State(p): State<Arc<Provider>>,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    p.record(&uri, &headers);
    let host = headers[header::HOST].to_str().unwrap();
    let own_uri = format!("http://{host}{}", uri.path_and_query().unwrap());
    let now = p.now.load(Ordering::SeqCst);
    let token = StatusListToken {
        ttl: q.get("ttl").map(|t| t.parse().unwrap()),
        exp: q.get("exp_in").map(|e| now + e.parse::<i64>().unwrap()),
        ..StatusListToken::new(q.get("sub").cloned().unwrap_or(own_uri), now, served_list())
    };
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = if accept.contains("cwt") {
        TokenFormat::Cwt
    } else {
        TokenFormat::Jwt
    };
    let body = match format {
        TokenFormat::Jwt => jwt::sign(&token, &p.signer).await.unwrap().into_bytes(),
        TokenFormat::Cwt => cwt::sign(&token, &p.signer).await.unwrap(),
    };
    let ctype = q
        .get("ctype")
        .cloned()
        .unwrap_or(format.media_type().to_owned());
    let headers = [
        (header::CONTENT_TYPE, ctype),
        (header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    (headers, body).into_response()
}

/// `/old` moved to `/list`, keeping `sub` = the URL that was referenced.
async fn moved(State(p): State<Arc<Provider>>, uri: Uri, headers: HeaderMap) -> Response {
    p.record(&uri, &headers);
    let host = headers[header::HOST].to_str().unwrap();
    let sub: String =
        url::form_urlencoded::byte_serialize(format!("http://{host}/old").as_bytes()).collect();
    let location = format!("/list?ttl=100&sub={sub}");
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// `/loop` redirects to itself forever.
async fn endless(State(p): State<Arc<Provider>>, uri: Uri, headers: HeaderMap) -> Response {
    p.record(&uri, &headers);
    (StatusCode::FOUND, [(header::LOCATION, "/loop")]).into_response()
}

/// Starts the provider on an ephemeral loopback port; returns its base URL.
async fn start() -> (String, Arc<Provider>) {
    let provider = Arc::new(Provider {
        signer: LocalSigner::new(PrivateKey::generate(KeyType::P256).unwrap())
            .unwrap()
            .with_key_id(KID),
        now: AtomicI64::new(T0),
        hits: Mutex::default(),
        accepts: Mutex::default(),
    });
    let app = Router::new()
        .route("/list", get(list))
        .route("/old", get(moved))
        .route("/loop", get(endless))
        .with_state(provider.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, provider)
}

fn test_client() -> HttpClient {
    HttpClient::new(HttpConfig {
        allow_private: true,
        allow_http: true,
        ..HttpConfig::default()
    })
    .unwrap()
}

fn fetcher(keys: Arc<dyn KeyResolver>, config: FetchConfig) -> StatusListFetcher {
    StatusListFetcher::new(Arc::new(test_client()), keys, config)
}

fn pinned(provider: &Provider, config: FetchConfig) -> StatusListFetcher {
    fetcher(Arc::new(provider.signer.public_key().clone()), config)
}

fn reference(base: &str, path: &str, idx: u64) -> StatusReference {
    StatusReference::new(
        idx,
        &format!("{base}{path}"),
        ReferenceOptions { allow_http: true },
    )
    .unwrap()
}

/// Moves provider and verifier clocks together.
fn at(provider: &Provider, offset: i64) -> i64 {
    provider.now.store(T0 + offset, Ordering::SeqCst);
    T0 + offset
}

#[tokio::test]
async fn caches_for_ttl_then_refetches() {
    let (base, p) = start().await;
    let fetcher = pinned(&p, FetchConfig::default());
    let path = "/list?ttl=100&exp_in=3600";
    let r = |idx| reference(&base, path, idx);

    assert_eq!(
        fetcher.status_of(&r(1), at(&p, 0)).await.unwrap(),
        StatusValue::Invalid
    );
    assert_eq!(p.hits(path), 1);
    assert_eq!(
        fetcher.status_of(&r(2), at(&p, 0)).await.unwrap(),
        StatusValue::Suspended
    );
    assert_eq!(
        fetcher.status_of(&r(0), at(&p, 99)).await.unwrap(),
        StatusValue::Valid
    );
    assert_eq!(
        p.hits(path),
        1,
        "served from the cache although the response said no-store"
    );

    assert_eq!(
        fetcher.status_of(&r(1), at(&p, 100)).await.unwrap(),
        StatusValue::Invalid
    );
    assert_eq!(p.hits(path), 2, "refetched once ttl ran out");
    assert!(fetcher.status_of(&r(1), at(&p, 150)).await.is_ok());
    assert_eq!(p.hits(path), 2, "the new token is cached for a new ttl");
    assert!(
        p.accepts
            .lock()
            .unwrap()
            .iter()
            .all(|a| a == "application/statuslist+jwt")
    );
}

#[tokio::test]
async fn exp_cuts_ttl_short() {
    let (base, p) = start().await;
    let fetcher = pinned(&p, FetchConfig::default());
    let path = "/list?ttl=1000&exp_in=50";
    fetcher
        .status_of(&reference(&base, path, 1), at(&p, 0))
        .await
        .unwrap();
    fetcher
        .status_of(&reference(&base, path, 1), at(&p, 49))
        .await
        .unwrap();
    assert_eq!(p.hits(path), 1);
    fetcher
        .status_of(&reference(&base, path, 1), at(&p, 50))
        .await
        .unwrap();
    assert_eq!(p.hits(path), 2, "never used past exp");
}

#[tokio::test]
async fn ttl_is_bounded_and_defaults_apply() {
    let (base, p) = start().await;
    let config = FetchConfig {
        min_ttl: 30,
        max_ttl: 600,
        default_ttl: 120,
        ..FetchConfig::default()
    };
    let fetcher = pinned(&p, config);
    // (path, last offset still cached): ttl 1 is raised to 30; ttl 10^6 lowered to 600; exp only
    // → max_ttl; neither → default_ttl.
    let cases = [
        ("/list?ttl=1", 29),
        ("/list?ttl=1000000", 599),
        ("/list?exp_in=100000", 599),
        ("/list", 119),
    ];
    for (path, last_cached) in cases {
        let r = reference(&base, path, 0);
        fetcher.status_of(&r, at(&p, 0)).await.unwrap();
        fetcher.status_of(&r, at(&p, last_cached)).await.unwrap();
        assert_eq!(p.hits(path), 1, "{path} cached until +{last_cached}");
        fetcher
            .status_of(&r, at(&p, last_cached + 1))
            .await
            .unwrap();
        assert_eq!(p.hits(path), 2, "{path} refetched at +{}", last_cached + 1);
    }
}

#[tokio::test]
async fn cache_is_bounded() {
    let (base, p) = start().await;
    let fetcher = pinned(
        &p,
        FetchConfig {
            max_entries: 2,
            ..FetchConfig::default()
        },
    );
    let (a, b, c) = ("/list?ttl=100", "/list?ttl=200", "/list?ttl=300");
    for path in [a, b, c] {
        fetcher
            .status_of(&reference(&base, path, 0), at(&p, 0))
            .await
            .unwrap();
    }
    // `a` would go stale soonest, so `c` displaced it; fetching `a` again displaces `b`.
    fetcher
        .status_of(&reference(&base, a, 0), at(&p, 1))
        .await
        .unwrap();
    fetcher
        .status_of(&reference(&base, c, 0), at(&p, 1))
        .await
        .unwrap();
    assert_eq!((p.hits(a), p.hits(b), p.hits(c)), (2, 1, 1));
    fetcher
        .status_of(&reference(&base, b, 0), at(&p, 1))
        .await
        .unwrap();
    assert_eq!(p.hits(b), 2);
}

#[tokio::test]
async fn index_out_of_range_is_refused() {
    let (base, p) = start().await;
    let fetcher = pinned(&p, FetchConfig::default());
    let err = fetcher
        .status_of(&reference(&base, "/list", 16), at(&p, 0))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::StatusList(StatusListError::IndexOutOfRange { index: 16, len: 16 })
        ),
        "{err}"
    );
}

#[tokio::test]
async fn follows_redirects_a_bounded_number_of_times() {
    let (base, p) = start().await;
    let fetcher = pinned(&p, FetchConfig::default());
    let moved = reference(&base, "/old", 1);
    assert_eq!(
        fetcher.status_of(&moved, at(&p, 0)).await.unwrap(),
        StatusValue::Invalid
    );
    assert_eq!(
        (p.hits("/old"), p.total_hits()),
        (1, 2),
        "one hop, then the list"
    );
    let err = fetcher
        .status_of(&reference(&base, "/loop", 0), at(&p, 0))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooManyRedirects(5)), "{err}");
    assert_eq!(p.hits("/loop"), 6, "the first request and 5 redirects");
}

#[tokio::test]
async fn wrong_content_type_is_refused() {
    let (base, p) = start().await;
    let fetcher = pinned(&p, FetchConfig::default());
    let err = fetcher
        .status_of(
            &reference(&base, "/list?ctype=application/json", 0),
            at(&p, 0),
        )
        .await
        .unwrap_err();
    let FetchError::UnexpectedContentType { found, .. } = err else {
        panic!("{err}");
    };
    assert_eq!(found, "application/json");
}

#[tokio::test]
async fn rejected_tokens_are_not_cached() {
    let (base, p) = start().await;
    let fetcher = pinned(&p, FetchConfig::default());
    let path = "/list?exp_in=-120";
    for _ in 0..2 {
        let err = fetcher
            .status_of(&reference(&base, path, 0), at(&p, 0))
            .await
            .unwrap_err();
        assert!(
            matches!(err, FetchError::Token(TokenError::Expired { .. })),
            "{err}"
        );
    }
    assert_eq!(p.hits(path), 2);

    let elsewhere = "/list?sub=https://elsewhere.example/list";
    let err = fetcher
        .status_of(&reference(&base, elsewhere, 0), at(&p, 0))
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Token(TokenError::SubjectMismatch { .. })),
        "{err}"
    );
}

/// Trusts one key, and only when the token names it by `kid`.
struct KidResolver {
    kid: &'static str,
    key: PublicKey,
}

impl KeyResolver for KidResolver {
    fn resolve<'a>(
        &'a self,
        request: KeyRequest<'a>,
    ) -> BoxFuture<'a, Result<PublicKey, Box<dyn Error + Send + Sync>>> {
        let answer = if request.kid == Some(self.kid.as_bytes()) {
            Ok(self.key.clone())
        } else {
            Err(format!("unknown kid {:?} for {}", request.kid, request.uri).into())
        };
        Box::pin(std::future::ready(answer))
    }
}

#[tokio::test]
async fn keys_come_from_the_resolver() {
    let (base, p) = start().await;
    let key = p.signer.public_key().clone();
    let r = reference(&base, "/list", 1);

    let by_kid = fetcher(
        Arc::new(KidResolver {
            kid: KID,
            key: key.clone(),
        }),
        FetchConfig::default(),
    );
    assert_eq!(
        by_kid.status_of(&r, at(&p, 0)).await.unwrap(),
        StatusValue::Invalid
    );

    let unknown = fetcher(
        Arc::new(KidResolver { kid: "other", key }),
        FetchConfig::default(),
    );
    let err = unknown.status_of(&r, at(&p, 0)).await.unwrap_err();
    assert!(matches!(err, FetchError::KeyResolution { .. }), "{err}");

    let stranger = PrivateKey::generate(KeyType::P256)
        .unwrap()
        .public_key()
        .clone();
    let wrong_key = fetcher(Arc::new(stranger), FetchConfig::default());
    let err = wrong_key.status_of(&r, at(&p, 0)).await.unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::Token(TokenError::Jws(JwsError::Crypto(CryptoError::BadSignature)))
        ),
        "{err}"
    );
}

#[tokio::test]
async fn fetches_cwt_tokens_when_configured() {
    let (base, p) = start().await;
    let config = FetchConfig {
        format: TokenFormat::Cwt,
        ..FetchConfig::default()
    };
    let resolver = KidResolver {
        kid: KID,
        key: p.signer.public_key().clone(),
    };
    let fetcher = fetcher(Arc::new(resolver), config);
    let r = reference(&base, "/list?ttl=60", 2);
    assert_eq!(
        fetcher.status_of(&r, at(&p, 0)).await.unwrap(),
        StatusValue::Suspended
    );
    assert_eq!(
        fetcher.status_of(&r, at(&p, 59)).await.unwrap(),
        StatusValue::Suspended
    );
    assert_eq!(p.hits("/list?ttl=60"), 1);
    assert_eq!(
        p.accepts.lock().unwrap().as_slice(),
        ["application/statuslist+cwt"]
    );
}

/// Without the test-only permissions the SSRF-safe client refuses the provider, and the fetcher
/// reports the client's own reason.
#[tokio::test]
async fn ssrf_safe_client_refuses_loopback_by_default() {
    let (base, p) = start().await;
    let keys: Arc<dyn KeyResolver> = Arc::new(p.signer.public_key().clone());
    let r = reference(&base, "/list", 0);

    let strict = HttpClient::new(HttpConfig::default()).unwrap();
    let fetcher = StatusListFetcher::new(Arc::new(strict), keys.clone(), FetchConfig::default());
    let err = fetcher.status_of(&r, at(&p, 0)).await.unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::Transport {
                source: TransportError::Http(HttpError::SchemeNotAllowed(_)),
                ..
            }
        ),
        "{err}"
    );

    let http_only = HttpClient::new(HttpConfig {
        allow_http: true,
        ..HttpConfig::default()
    })
    .unwrap();
    let fetcher = StatusListFetcher::new(Arc::new(http_only), keys, FetchConfig::default());
    let err = fetcher.status_of(&r, at(&p, 0)).await.unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::Transport {
                source: TransportError::Http(HttpError::ForbiddenAddress { .. }),
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(p.hits("/list"), 0);
}
