//! The one outbound HTTP client (ARCHITECTURE §7): every fetch that a remote party can steer —
//! did:web documents, and later status lists, issuer metadata and `request_uri` — goes through it.
//!
//! It is built to be safe with hostile URLs: `https` only, connect and total timeouts, a response
//! size limit enforced while streaming (so a huge or endless body costs at most the limit), no
//! redirects (a 3xx is an error, as OpenID4VP errata 1 requires), no proxies from the environment,
//! and no connections to loopback, private, link-local, unique-local, multicast or otherwise
//! non-public addresses — checked on the addresses actually dialled, so DNS rebinding cannot
//! bypass it. `allow_private` and `allow_http` exist for tests and closed deployments.
//!
//! This module depends on nothing else in the crate so that it can move to a crate of its own.

mod address;
mod dns;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use url::{Host, Url};

pub use address::{AddressClass, classify};

/// Limits and permissions of an [`HttpClient`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConfig {
    /// Time allowed to establish the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Time allowed for the whole exchange, body included.
    pub timeout: Duration,
    /// Largest response body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Allow loopback, private and other non-public addresses (tests, closed networks).
    pub allow_private: bool,
    /// Allow plain `http` URLs (tests only: everything real is served over TLS).
    pub allow_http: bool,
}

impl Default for HttpConfig {
    /// 5 s to connect, 10 s in total, 1 MiB of body, public HTTPS addresses only.
    fn default() -> Self {
        HttpConfig {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_body_bytes: 1024 * 1024,
            allow_private: false,
            allow_http: false,
        }
    }
}

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The URL has no host or cannot be fetched at all.
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    /// The scheme is not `https` (or `http` when allowed).
    #[error("URL scheme `{0}` is not allowed")]
    SchemeNotAllowed(String),
    /// The host is, or resolves to, a non-public address.
    #[error("{host} is {addr}, a {class} address, which outbound fetches may not reach")]
    ForbiddenAddress {
        /// The host as written in the URL.
        host: String,
        /// The refused address.
        addr: IpAddr,
        /// Why it is refused.
        class: AddressClass,
    },
    /// The host name does not resolve.
    #[error("cannot resolve {host}: {reason}")]
    Dns {
        /// The host name.
        host: String,
        /// The resolver's answer.
        reason: String,
    },
    /// The connect or total timeout expired.
    #[error("the request timed out")]
    Timeout,
    /// The server answered with a redirect, which is not followed.
    #[error("redirect ({status}) to {location:?} refused")]
    Redirect {
        /// The 3xx status.
        status: u16,
        /// The `Location` header, if any.
        location: Option<String>,
    },
    /// The server answered with a non-success status.
    #[error("the server answered HTTP {0}")]
    Status(u16),
    /// The body is larger than [`HttpConfig::max_body_bytes`].
    #[error("the response body exceeds {limit} bytes")]
    BodyTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// Any other failure: connection refused, TLS, protocol errors.
    #[error("the request failed: {0}")]
    Transport(String),
}

/// A successful (2xx) response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The `Content-Type` header, if present and valid text.
    pub content_type: Option<String>,
    /// The complete body (at most [`HttpConfig::max_body_bytes`]).
    pub body: Vec<u8>,
}

/// A request for [`HttpClient::exchange`]: a `GET`, or a `POST` when it has a body.
#[derive(Debug, Clone)]
pub struct Outbound<'a> {
    /// Where to send it.
    pub url: &'a Url,
    /// The `Accept` header.
    pub accept: &'a str,
    /// Content type and bytes of a `POST` body; `None` makes a `GET`.
    pub body: Option<(&'a str, Vec<u8>)>,
    /// An OAuth access token sent as `Authorization: Bearer`.
    pub bearer: Option<&'a str>,
}

impl<'a> Outbound<'a> {
    /// A `GET` of `url` accepting `accept`.
    pub fn get(url: &'a Url, accept: &'a str) -> Self {
        Outbound {
            url,
            accept,
            body: None,
            bearer: None,
        }
    }

    /// A `POST` of `body` (of `content_type`) to `url`, accepting JSON.
    pub fn post(url: &'a Url, content_type: &'a str, body: Vec<u8>) -> Self {
        Outbound {
            url,
            accept: "application/json",
            body: Some((content_type, body)),
            bearer: None,
        }
    }

    /// The same request carrying `token` as a bearer access token.
    pub fn bearer(mut self, token: &'a str) -> Self {
        self.bearer = Some(token);
        self
    }
}

/// Any answer to an [`Outbound`] request, error statuses and redirects included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, if present and valid text.
    pub content_type: Option<String>,
    /// The `Location` header of a redirect (not followed).
    pub location: Option<String>,
    /// The complete body (at most [`HttpConfig::max_body_bytes`]).
    pub body: Vec<u8>,
}

/// The SSRF-safe HTTP client. Cheap to clone; clones share connections.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    config: HttpConfig,
}

impl HttpClient {
    /// Builds a client with `config`.
    pub fn new(config: HttpConfig) -> Result<Self, HttpError> {
        Self::with_roots(config, &[])
    }

    /// Builds a client with `config` that also trusts the CA certificates `roots` (DER), e.g. a
    /// node's own `--tls-self-signed` CA, besides the public web roots.
    pub fn with_roots(config: HttpConfig, roots: &[&[u8]]) -> Result<Self, HttpError> {
        let mut builder = reqwest::Client::builder();
        for root in roots {
            let certificate = reqwest::Certificate::from_der(root)
                .map_err(|e| HttpError::Transport(error_chain(&e)))?;
            builder = builder.add_root_certificate(certificate);
        }
        let client = builder
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve and connect on our behalf, bypassing the address checks.
            .no_proxy()
            .dns_resolver(Arc::new(dns::VettingResolver {
                allow_private: config.allow_private,
            }))
            .user_agent(concat!("saifu/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| HttpError::Transport(error_chain(&e)))?;
        Ok(HttpClient { client, config })
    }

    /// The limits this client enforces.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// Fetches `url` with the given `Accept` header; only a 2xx response within the limits is a
    /// success.
    pub async fn get(&self, url: &Url, accept: &str) -> Result<HttpResponse, HttpError> {
        let answer = self.exchange(Outbound::get(url, accept)).await?;
        if (300..400).contains(&answer.status) {
            return Err(HttpError::Redirect {
                status: answer.status,
                location: answer.location,
            });
        }
        if !(200..300).contains(&answer.status) {
            return Err(HttpError::Status(answer.status));
        }
        Ok(HttpResponse {
            content_type: answer.content_type,
            body: answer.body,
        })
    }

    /// Sends `request` under the address rules and returns the answer whatever its status, so a
    /// protocol client can read an OAuth error body (`400 invalid_grant`) or a redirect's
    /// `Location` (never followed). The body is read within [`HttpConfig::max_body_bytes`].
    pub async fn exchange(&self, request: Outbound<'_>) -> Result<Exchange, HttpError> {
        self.check_url(request.url)?;
        let mut builder = match request.body {
            None => self.client.get(request.url.clone()),
            Some((content_type, body)) => self
                .client
                .post(request.url.clone())
                .header(CONTENT_TYPE, content_type)
                .body(body),
        }
        .header(ACCEPT, request.accept);
        if let Some(token) = request.bearer {
            builder = builder.bearer_auth(token);
        }
        let mut response = builder.send().await.map_err(|e| map_error(&e))?;
        let limit = self.config.max_body_bytes;
        let too_large = HttpError::BodyTooLarge { limit };
        if response
            .content_length()
            .is_some_and(|length| length > limit as u64)
        {
            return Err(too_large);
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header(CONTENT_TYPE);
        let location = header(reqwest::header::LOCATION);
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| map_error(&e))? {
            if body.len() + chunk.len() > limit {
                return Err(too_large);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Exchange {
            status,
            content_type,
            location,
            body,
        })
    }

    /// Posts `body` as JSON to `url` (a webhook) under the same address rules; only a 2xx
    /// answer is a success, and its body is not read.
    pub async fn post_json(&self, url: &Url, body: Vec<u8>) -> Result<(), HttpError> {
        self.check_url(url)?;
        let response = self
            .client
            .post(url.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| map_error(&e))?;
        check_status(&response)
    }

    /// Scheme and IP-literal checks; host names are vetted by the resolver when connecting.
    fn check_url(&self, url: &Url) -> Result<(), HttpError> {
        match url.scheme() {
            "https" => {}
            "http" if self.config.allow_http => {}
            other => return Err(HttpError::SchemeNotAllowed(other.to_owned())),
        }
        let ip = match url.host() {
            None => return Err(HttpError::InvalidUrl(format!("{url} has no host"))),
            Some(Host::Domain(_)) => return Ok(()),
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
        };
        match classify(ip) {
            Some(class) if !self.config.allow_private => Err(HttpError::ForbiddenAddress {
                host: url.host_str().unwrap_or_default().to_owned(),
                addr: ip,
                class,
            }),
            _ => Ok(()),
        }
    }
}

/// A redirect (never followed: it could lead to a forbidden address) or a non-2xx status is an
/// error.
fn check_status(response: &reqwest::Response) -> Result<(), HttpError> {
    let status = response.status();
    if status.is_redirection() {
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        return Err(HttpError::Redirect {
            status: status.as_u16(),
            location,
        });
    }
    if !status.is_success() {
        return Err(HttpError::Status(status.as_u16()));
    }
    Ok(())
}

/// Recovers the typed error the resolver raised, or classifies a reqwest failure.
fn map_error(error: &reqwest::Error) -> HttpError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if let Some(ours) = current.downcast_ref::<HttpError>() {
            return ours.clone();
        }
        source = current.source();
    }
    if error.is_timeout() {
        HttpError::Timeout
    } else {
        HttpError::Transport(error_chain(error))
    }
}

/// The error and its causes on one line (reqwest's own message omits the cause).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
