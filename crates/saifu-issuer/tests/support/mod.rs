//! The issuer the role tests run: one credential type, a P-256 key, SQLite in a temporary
//! directory.

use saifu_crypto::{KeyType, LocalSigner, PrivateKey};
use saifu_issuer::{ClaimConfig, CredentialConfig, Issuer, IssuerConfig};
use saifu_store::Store;

pub const ISSUER_ID: &str = "https://issuer.example";

#[allow(dead_code, reason = "not every test file uses every helper")]
pub fn config(signer: LocalSigner) -> IssuerConfig {
    IssuerConfig {
        issuer_id: ISSUER_ID.into(),
        signer,
        display_name: "Example City Hall".into(),
        credentials: vec![CredentialConfig {
            id: "residence".into(),
            vct: "https://issuer.example/residence".into(),
            scope: "residence".into(),
            display_name: "Residence".into(),
            claims: vec![ClaimConfig {
                name: "address".into(),
                display_name: "Address".into(),
                selectively_disclosable: true,
            }],
            validity: 60,
            holder_binding: true,
            w3c: None,
        }],
        offer_ttl: 60,
        token_ttl: 60,
        tx_code_attempts: 3,
        batch_size: 2,
        status_list_size: saifu_issuer::STATUS_LIST_ENTRIES,
    }
}

/// An issuer on a fresh SQLite store; keep the directory alive as long as the issuer.
#[allow(dead_code, reason = "not every test file uses every helper")]
pub async fn issuer() -> (tempfile::TempDir, Issuer<Store>) {
    let (dir, _, issuer) = issuer_with_store().await;
    (dir, issuer)
}

/// An issuer and a handle on its store, for tests that set up state the protocol would.
#[allow(dead_code, reason = "not every test file uses every helper")]
pub async fn issuer_with_store() -> (tempfile::TempDir, Store, Issuer<Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in_dir(dir.path()).await.unwrap();
    let signer = LocalSigner::new(PrivateKey::generate(KeyType::P256).unwrap()).unwrap();
    let issuer = Issuer::new(config(signer.with_key_id("k1")), store.clone());
    (dir, store, issuer)
}
