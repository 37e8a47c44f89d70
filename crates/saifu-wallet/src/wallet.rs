//! The wallet: an unlocked store plus the clients it talks to issuers and verifiers with.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rand::RngCore;
use saifu_crypto::keyfile::KdfParams;
use saifu_did::http::{HttpClient, HttpConfig};
use saifu_did::{Resolver, ResolverConfig};

use crate::WalletError;
use crate::model::{HistoryEntry, PendingIssuance, StoredCredential};
use crate::store::{Kind, Store};

/// How a wallet behaves towards the outside world.
#[derive(Debug, Clone)]
pub struct WalletConfig {
    /// Outbound HTTP rules. The default reaches public https addresses only; a development
    /// wallet talking to a node on localhost allows http and private addresses.
    pub http: HttpConfig,
    /// Copies asked of an issuer that offers batch issuance: each copy can go to one verifier
    /// without linking the holder to another.
    pub max_copies: usize,
    /// The OAuth client id the wallet uses in the authorization code flow.
    pub client_id: String,
    /// Argon2id cost when creating a wallet.
    pub kdf: KdfParams,
    /// CA certificates (DER) trusted to vouch for `x509_san_dns:` verifiers.
    pub x509_trust_anchors: Vec<Vec<u8>>,
}

impl Default for WalletConfig {
    fn default() -> Self {
        WalletConfig {
            http: HttpConfig::default(),
            max_copies: 3,
            client_id: "saifu-wallet".to_owned(),
            kdf: KdfParams::default(),
            x509_trust_anchors: Vec::new(),
        }
    }
}

impl WalletConfig {
    /// The configuration of a development wallet: plain http and private addresses allowed.
    pub fn development() -> Self {
        WalletConfig {
            http: HttpConfig {
                allow_http: true,
                allow_private: true,
                ..HttpConfig::default()
            },
            ..WalletConfig::default()
        }
    }
}

/// An unlocked wallet.
#[derive(Debug)]
pub struct Wallet {
    pub(crate) store: Store,
    pub(crate) http: HttpClient,
    pub(crate) resolver: Resolver,
    pub(crate) config: WalletConfig,
}

impl Wallet {
    /// Creates a wallet file at `path`, sealed under `passphrase`.
    pub async fn create(
        path: &Path,
        passphrase: &[u8],
        config: WalletConfig,
    ) -> Result<Wallet, WalletError> {
        let store = Store::create(path, passphrase, config.kdf).await?;
        Wallet::with_store(store, config)
    }

    /// Opens and unlocks the wallet file at `path`.
    pub async fn open(
        path: &Path,
        passphrase: &[u8],
        config: WalletConfig,
    ) -> Result<Wallet, WalletError> {
        let store = Store::open(path, passphrase).await?;
        Wallet::with_store(store, config)
    }

    fn with_store(store: Store, config: WalletConfig) -> Result<Wallet, WalletError> {
        let http = HttpClient::new(config.http.clone())?;
        let resolver = Resolver::new(http.clone(), ResolverConfig::default());
        Ok(Wallet {
            store,
            http,
            resolver,
            config,
        })
    }

    /// Every credential, oldest first.
    pub async fn credentials(&self) -> Result<Vec<StoredCredential>, WalletError> {
        self.store.list(Kind::Credential).await
    }

    /// The credential `id`.
    pub async fn credential(&self, id: &str) -> Result<StoredCredential, WalletError> {
        self.store
            .get(Kind::Credential, id)
            .await?
            .ok_or_else(|| WalletError::UnknownCredential(id.to_owned()))
    }

    /// Deletes the credential `id` (its keys go with it).
    pub async fn remove(&self, id: &str) -> Result<(), WalletError> {
        if self.store.delete(Kind::Credential, id).await? {
            Ok(())
        } else {
            Err(WalletError::UnknownCredential(id.to_owned()))
        }
    }

    /// What was shared with whom, oldest first.
    pub async fn history(&self) -> Result<Vec<HistoryEntry>, WalletError> {
        self.store.list(Kind::History).await
    }

    /// Issuances the issuers deferred, oldest first.
    pub async fn pending(&self) -> Result<Vec<PendingIssuance>, WalletError> {
        self.store.list(Kind::Pending).await
    }

    /// Closes the wallet file.
    pub async fn close(self) {
        self.store.close().await;
    }

    pub(crate) async fn save_credential(
        &self,
        credential: &StoredCredential,
    ) -> Result<(), WalletError> {
        self.store
            .put(
                Kind::Credential,
                &credential.id,
                credential.received_at,
                credential,
            )
            .await
    }

    pub(crate) async fn record_history(&self, entry: &HistoryEntry) -> Result<(), WalletError> {
        self.store
            .put(Kind::History, &entry.id, entry.at, entry)
            .await
    }
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// A random identifier for records (128 bits, hex).
pub(crate) fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}
