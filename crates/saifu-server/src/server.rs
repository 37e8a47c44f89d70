//! Running a node: open the store, bind the listener, serve until told to stop, then drain.

use std::future::Future;
use std::net::SocketAddr;

use saifu_store::{Store, StoreError};
use tokio::net::TcpListener;
use url::Url;

use crate::roles::{self, RoleError};
use crate::tls::{SelfSignedTls, TlsError};
use crate::{AppState, Config, build_router};

/// A node whose store is open and whose port is bound, ready to [`run`](Server::run).
///
/// Binding is separate from running so the caller learns the actual address first (with port
/// 0 the system picks one) and can announce it.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    store: Store,
    public_url: Option<Url>,
    base_url: String,
    tls: Option<SelfSignedTls>,
    state: AppState,
}

impl Server {
    /// Opens the configured database (migrating it) and binds `config.listen`.
    ///
    /// The database comes first: a node that cannot reach it should fail before it accepts
    /// connections.
    pub async fn bind(config: &Config) -> Result<Server, ServeError> {
        let store = match &config.database_url {
            Some(url) => Store::open(url).await?,
            None => Store::open_in_dir(&config.data_dir).await?,
        };
        let bind_error = |source| ServeError::Bind {
            addr: config.listen,
            source,
        };
        let listener = TcpListener::bind(config.listen).await.map_err(bind_error)?;
        let local_addr = listener.local_addr().map_err(bind_error)?;
        let tls = config
            .tls_self_signed
            .then(|| SelfSignedTls::load_or_create(&config.data_dir))
            .transpose()?;
        let base_url = match (&config.public_url, &tls) {
            (Some(url), _) => url.as_str().trim_end_matches('/').to_owned(),
            // The certificate names localhost (and the loopback addresses).
            (None, Some(_)) => format!("https://localhost:{}", local_addr.port()),
            (None, None) => format!("http://{local_addr}"),
        };
        let own_ca = tls.as_ref().map(SelfSignedTls::ca_der);
        let state = roles::app_state(config, store.clone(), &base_url, own_ca)?;
        Ok(Server {
            listener,
            local_addr,
            store,
            public_url: config.public_url.clone(),
            base_url,
            tls,
            state,
        })
    }

    /// The address the node actually listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The URL the node names itself by (in status list URLs, issuer ids, …): the public URL
    /// when configured, else `https://localhost:PORT` with `--tls-self-signed`, else
    /// `http://ADDRESS`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The CA certificate (PEM file) clients must trust, when the node serves
    /// `--tls-self-signed`.
    pub fn tls_ca_path(&self) -> Option<&std::path::Path> {
        self.tls.as_ref().map(SelfSignedTls::ca_path)
    }

    /// Serves HTTP until `shutdown` completes, then stops accepting, lets requests in flight
    /// finish and closes the database.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        tracing::info!(
            address = %self.local_addr,
            database = %self.store.backend(),
            public_url = self.public_url.as_ref().map(Url::as_str),
            "saifu node listening"
        );
        let router = build_router(self.state);
        match &self.tls {
            Some(tls) => {
                let listener = tls.listener(self.listener).map_err(ServeError::Serve)?;
                axum::serve(listener, router)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
            None => {
                axum::serve(self.listener, router)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
        }
        .map_err(ServeError::Serve)?;
        self.store.close().await;
        tracing::info!("saifu node stopped");
        Ok(())
    }
}

/// Why a node could not start or keep serving.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] StoreError),

    /// The listen address could not be bound.
    #[error(
        "could not listen on {addr}: {source}; is another program using that port, or is the \
         address not one of this machine's?"
    )]
    Bind {
        /// The configured listen address.
        addr: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },

    /// A role could not be set up (its key or the admin token).
    #[error(transparent)]
    Role(#[from] RoleError),

    /// The self-signed TLS certificate could not be made or read.
    #[error(transparent)]
    Tls(#[from] TlsError),

    /// The HTTP server failed while running.
    #[error("the HTTP server stopped unexpectedly: {0}")]
    Serve(std::io::Error),
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM, the signals terminals, service managers and
/// container runtimes send to ask a process to stop.
///
/// If a signal handler cannot be installed, that signal is logged and ignored: the other one
/// still works.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutdown requested; finishing requests in flight");
}
