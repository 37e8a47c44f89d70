//! Encrypted backups: every record of a wallet in one file sealed under a backup passphrase
//! (Argon2id + AES-256-GCM, the same vault as the wallet itself), restorable into a new wallet
//! on another device.

use std::path::Path;

use saifu_crypto::keyfile::KdfParams;
use serde::{Deserialize, Serialize};

use crate::WalletError;
use crate::store::{PlainRecord, Store};
use crate::vault::{Vault, VaultHeader};
use crate::wallet::{Wallet, WalletConfig};

/// Format marker of a backup file.
const BACKUP_FORMAT: &str = "saifu-wallet-backup/v1";
/// Associated data of the sealed records.
const BACKUP_AAD: &[u8] = b"saifu-wallet-backup/v1 records";

#[derive(Serialize, Deserialize)]
struct BackupFile {
    format: String,
    vault: VaultHeader,
    records: String,
}

impl Wallet {
    /// Writes every record to `path`, sealed under `passphrase`; how many records.
    pub async fn backup(&self, path: &Path, passphrase: &[u8]) -> Result<usize, WalletError> {
        let records = self.store.export().await?;
        let (vault, header) = Vault::create(passphrase, self.config.kdf)?;
        let plain =
            zeroize::Zeroizing::new(serde_json::to_vec(&records).expect("records serialize"));
        let file = BackupFile {
            format: BACKUP_FORMAT.to_owned(),
            vault: header,
            records: hex::encode(vault.seal(BACKUP_AAD, &plain)),
        };
        let text = serde_json::to_string_pretty(&file).expect("the backup serializes");
        std::fs::write(path, text)
            .map_err(|e| WalletError::Backup(format!("{}: {e}", path.display())))?;
        Ok(records.len())
    }

    /// Restores the backup at `backup` (sealed under `backup_passphrase`) into a new wallet at
    /// `path` under `passphrase`. Nothing is created when the backup does not open.
    pub async fn restore(
        backup: &Path,
        backup_passphrase: &[u8],
        path: &Path,
        passphrase: &[u8],
        config: WalletConfig,
    ) -> Result<Wallet, WalletError> {
        let text = std::fs::read_to_string(backup)
            .map_err(|e| WalletError::Backup(format!("{}: {e}", backup.display())))?;
        let file: BackupFile = serde_json::from_str(&text)
            .map_err(|e| WalletError::Backup(format!("not a saifu wallet backup: {e}")))?;
        if file.format != BACKUP_FORMAT {
            return Err(WalletError::Backup(format!(
                "unknown backup format {:?}",
                file.format
            )));
        }
        let vault = Vault::unlock(backup_passphrase, &file.vault)?;
        let sealed = hex::decode(&file.records)
            .map_err(|_| WalletError::Backup("the sealed records are not hex".into()))?;
        let plain = vault
            .open(BACKUP_AAD, &sealed)
            .map_err(|()| WalletError::Backup("the backup was modified".into()))?;
        let records: Vec<PlainRecord> = serde_json::from_slice(&plain)
            .map_err(|e| WalletError::Backup(format!("malformed records: {e}")))?;
        let kdf: KdfParams = config.kdf;
        let store = Store::create(path, passphrase, kdf).await?;
        if let Err(e) = store.import(&records).await {
            store.close().await;
            let _ = std::fs::remove_file(path);
            return Err(e);
        }
        store.close().await;
        Wallet::open(path, passphrase, config).await
    }
}
