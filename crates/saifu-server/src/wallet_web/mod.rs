//! The web wallet `saifu serve` hosts at `/wallet`: an install-free wallet for people without a
//! wallet app. Each person's wallet is its own encrypted file in the node's data directory
//! (`wallets/<name>.sqlite`), opened with their passphrase; the node keeps an opened wallet in
//! memory only for the browser session that opened it (an HttpOnly, SameSite=Strict cookie)
//! and forgets it on sign-out or after [`IDLE_SECONDS`] without use.

mod pages;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use saifu_wallet::present::{ConsentView, PresentationRequest};
use saifu_wallet::receive::OfferPreview;
use saifu_wallet::{Wallet, WalletConfig};

/// Where the web wallet lives.
pub(crate) const HOME: &str = "/wallet";
/// The session cookie.
const COOKIE: &str = "saifu_wallet";
/// An opened wallet is closed after this long without a request.
pub(crate) const IDLE_SECONDS: i64 = 15 * 60;

/// The web wallet's state: where wallets are kept, how they reach issuers and verifiers, and
/// the wallets opened by browser sessions.
pub(crate) struct WebWallet {
    dir: PathBuf,
    config: WalletConfig,
    origin: String,
    sessions: Mutex<HashMap<String, Arc<Session>>>,
}

impl std::fmt::Debug for WebWallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebWallet")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// One browser's opened wallet and what it is in the middle of.
struct Session {
    name: String,
    wallet: Wallet,
    last_used: Mutex<i64>,
    offer: tokio::sync::Mutex<Option<OfferPreview>>,
    authorization: tokio::sync::Mutex<Option<saifu_wallet::receive::AuthorizationStart>>,
    request: tokio::sync::Mutex<Option<(PresentationRequest, ConsentView)>>,
}

impl WebWallet {
    /// A web wallet keeping wallet files in `dir`, reaching out with `config`, accepting form
    /// posts only from `origin`.
    pub(crate) fn new(dir: PathBuf, config: WalletConfig, origin: String) -> Self {
        WebWallet {
            dir,
            config,
            origin,
            sessions: Mutex::new(HashMap::new()),
        }
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Session>>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The session the request's cookie names, if it is open and not idle; idle ones are
    /// dropped on the way.
    fn session(&self, headers: &HeaderMap) -> Option<Arc<Session>> {
        let token = cookie(headers)?;
        let now = saifu_wallet::now();
        let mut sessions = self.sessions();
        sessions.retain(|_, s| {
            now - *s.last_used.lock().unwrap_or_else(PoisonError::into_inner) < IDLE_SECONDS
        });
        let session = sessions.get(&token)?.clone();
        *session
            .last_used
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = now;
        Some(session)
    }
}

/// The `saifu_wallet` cookie's value.
fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
        .map(str::to_owned)
}

/// The web wallet's routes.
pub(crate) fn router<S: Clone + Send + Sync + 'static>(wallet: Arc<WebWallet>) -> Router<S> {
    Router::new()
        .route(HOME, get(pages::home))
        .route("/wallet/open", post(pages::open))
        .route("/wallet/close", post(pages::close))
        .route(
            "/wallet/receive",
            get(pages::receive_link).post(pages::receive_form),
        )
        .route("/wallet/receive/accept", post(pages::accept))
        .route(pages::CALLBACK, get(pages::callback))
        .route(
            "/wallet/present",
            get(pages::present_link).post(pages::present_form),
        )
        .route("/wallet/present/answer", post(pages::answer))
        .route("/wallet/history", get(pages::history))
        .with_state(wallet)
}
