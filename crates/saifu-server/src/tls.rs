//! `--tls-self-signed`: a node served over https with a certificate it makes itself, because
//! did:web, status list URLs and the W3C test suites only work over https.
//!
//! On first start a development CA and a leaf certificate for `localhost`, `127.0.0.1` and `::1`
//! (signed by that CA) are written to `tls/` in the data directory and reused on every restart,
//! so a client told to trust `tls/ca.pem` once keeps trusting the node. The CA's private key is
//! never stored: it is needed only to sign the one leaf.
//!
//! Connections are accepted by a [`TlsListener`] that runs each handshake in its own task (with a
//! time limit), so a client that stalls its handshake cannot hold up anyone else's.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring::default_provider;
use tokio_rustls::server::TlsStream;

use crate::node_files::{self, NodeFileError};

/// Directory (inside the data directory) of the self-signed certificate files.
pub const TLS_DIR: &str = "tls";
/// The CA certificate clients must trust (PEM), e.g. `curl --cacert` or `NODE_EXTRA_CA_CERTS`.
pub const CA_FILE: &str = "ca.pem";
const CERT_FILE: &str = "cert.pem";
const KEY_FILE: &str = "key.pem";
/// Longest a client may take to complete its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Handshaken connections waiting for the server to take them.
const ACCEPT_BACKLOG: usize = 64;

/// Why the self-signed certificate could not be made, read or used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A certificate file could not be read or written.
    #[error(transparent)]
    File(#[from] NodeFileError),
    /// The certificate could not be generated.
    #[error("generating the self-signed certificate failed: {0}")]
    Generate(#[from] rcgen::Error),
    /// A stored file is not a usable certificate or key.
    #[error("{}: {reason}; delete the tls directory to let the node make a new certificate", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// The node's self-signed TLS identity: where its CA certificate is, and the server config.
#[derive(Clone)]
pub struct SelfSignedTls {
    ca_path: PathBuf,
    ca_der: Vec<u8>,
    config: Arc<ServerConfig>,
}

impl std::fmt::Debug for SelfSignedTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelfSignedTls")
            .field("ca_path", &self.ca_path)
            .finish_non_exhaustive()
    }
}

impl SelfSignedTls {
    /// The certificate in `data_dir/tls`, made on first use.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, TlsError> {
        let dir = data_dir.join(TLS_DIR);
        let (ca_path, cert_path, key_path) =
            (dir.join(CA_FILE), dir.join(CERT_FILE), dir.join(KEY_FILE));
        if !key_path.exists() {
            create(&ca_path, &cert_path, &key_path)?;
        }
        let corrupt = |path: &Path, reason: String| TlsError::Corrupt {
            path: path.to_path_buf(),
            reason,
        };
        let certificates = |path: &Path| -> Result<Vec<CertificateDer<'static>>, TlsError> {
            CertificateDer::pem_file_iter(path)
                .and_then(Iterator::collect)
                .map_err(|e| corrupt(path, e.to_string()))
        };
        let chain = certificates(&cert_path)?;
        let ca_der = certificates(&ca_path)?
            .into_iter()
            .next()
            .ok_or_else(|| corrupt(&ca_path, "no certificate".into()))?
            .to_vec();
        let key = PrivateKeyDer::from_pem_file(&key_path)
            .map_err(|e| corrupt(&key_path, e.to_string()))?;
        let mut config = ServerConfig::builder_with_provider(Arc::new(default_provider()))
            .with_safe_default_protocol_versions()
            .and_then(|builder| builder.with_no_client_auth().with_single_cert(chain, key))
            .map_err(|e| corrupt(&cert_path, e.to_string()))?;
        // axum serves HTTP/1.1 only (its `http2` feature is off).
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(SelfSignedTls {
            ca_path,
            ca_der,
            config: Arc::new(config),
        })
    }

    /// The PEM file of the CA that signed the node's certificate: what clients must trust.
    pub fn ca_path(&self) -> &Path {
        &self.ca_path
    }

    /// The CA certificate (DER), for the node's own outbound client (it fetches its own status
    /// lists over https).
    pub fn ca_der(&self) -> &[u8] {
        &self.ca_der
    }

    /// Accepts TLS connections on `tcp` with this certificate.
    pub fn listener(&self, tcp: TcpListener) -> io::Result<TlsListener> {
        TlsListener::new(tcp, TlsAcceptor::from(self.config.clone()))
    }
}

/// Makes a CA and a leaf for the loopback names, and writes the CA certificate, the chain and
/// the leaf key (owner-only).
fn create(ca_path: &Path, cert_path: &Path, key_path: &Path) -> Result<(), TlsError> {
    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.distinguished_name
        .push(DnType::CommonName, "saifu development CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = ca.self_signed(&ca_key)?;

    let leaf_key = KeyPair::generate()?;
    let mut leaf = CertificateParams::new(vec!["localhost".to_owned()])?;
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.subject_alt_names.extend([
        SanType::IpAddress([127, 0, 0, 1].into()),
        SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()),
    ]);
    let leaf = leaf.signed_by(&leaf_key, &ca, &ca_key)?;

    let ca_pem = pem("CERTIFICATE", ca.der());
    node_files::write_private(ca_path, ca_pem.as_bytes())?;
    let chain = pem("CERTIFICATE", leaf.der()) + &ca_pem;
    node_files::write_private(cert_path, chain.as_bytes())?;
    let key = PrivatePkcs8KeyDer::from(leaf_key.serialize_der());
    node_files::write_private(
        key_path,
        pem("PRIVATE KEY", key.secret_pkcs8_der()).as_bytes(),
    )?;
    tracing::info!(ca = %ca_path.display(), "made a self-signed TLS certificate for localhost");
    Ok(())
}

/// RFC 7468 text encoding: base64 in 64-character lines between the labels.
fn pem(label: &str, der: &[u8]) -> String {
    let base64 = STANDARD.encode(der);
    let mut text = format!("-----BEGIN {label}-----\n");
    for line in base64.as_bytes().chunks(64) {
        text.push_str(std::str::from_utf8(line).unwrap_or_default());
        text.push('\n');
    }
    text + &format!("-----END {label}-----\n")
}

/// An [`axum::serve::Listener`] yielding connections whose TLS handshake has completed.
pub struct TlsListener {
    incoming: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local_addr: SocketAddr,
}

impl TlsListener {
    fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> io::Result<Self> {
        let local_addr = tcp.local_addr()?;
        let (sender, incoming) = mpsc::channel(ACCEPT_BACKLOG);
        tokio::spawn(async move {
            loop {
                let (stream, peer) = tokio::select! {
                    // The server stopped: stop accepting (this also closes the socket).
                    () = sender.closed() => return,
                    accepted = tcp.accept() => match accepted {
                        Ok(accepted) => accepted,
                        Err(error) => {
                            tracing::warn!(%error, "accepting a connection failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    },
                };
                let (acceptor, sender) = (acceptor.clone(), sender.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            // A closed channel means the server is stopping; drop the connection.
                            let _ = sender.send((tls, peer)).await;
                        }
                        Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener {
            incoming,
            local_addr,
        })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.incoming.recv().await {
            Some(connection) => connection,
            // The accept task only ends once this receiver is gone, so this cannot happen while
            // the server runs; wait forever rather than invent a connection.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local_addr)
    }
}
