//! The wallet's secret: a key derived from the holder's passphrase with Argon2id (RFC 9106,
//! through [`saifu_crypto::keyfile::derive_key`]) that seals every record with AES-256-GCM.
//!
//! The key lives only in memory, zeroized on drop. A known plaintext sealed at creation tells a
//! wrong passphrase apart from a corrupted record: the first fails the check, the second fails
//! only its own record.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;
use rand::rngs::OsRng;
use saifu_crypto::keyfile::{KdfParams, derive_key};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::WalletError;

/// Format marker of the vault header.
const FORMAT: &str = "saifu-wallet/v1";
/// What the check blob seals; its AAD binds it to the header's salt.
const CHECK_PLAINTEXT: &[u8] = b"saifu wallet key check";
const NONCE_LEN: usize = 12;

/// The clear part of a vault: how to derive the key again, and the check blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultHeader {
    format: String,
    params: KdfParams,
    salt: String,
    check: String,
}

/// An unlocked vault: seals and opens records.
pub struct Vault {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

impl Vault {
    /// A new vault under `passphrase` with a fresh salt, and the header to store beside it.
    pub fn create(
        passphrase: &[u8],
        params: KdfParams,
    ) -> Result<(Vault, VaultHeader), WalletError> {
        if passphrase.is_empty() {
            return Err(WalletError::EmptyPassphrase);
        }
        let mut salt = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        let vault = Vault::derive(passphrase, &salt, &params)?;
        let salt = hex::encode(salt);
        let check = hex::encode(vault.seal(salt.as_bytes(), CHECK_PLAINTEXT));
        let header = VaultHeader {
            format: FORMAT.to_owned(),
            params,
            salt,
            check,
        };
        Ok((vault, header))
    }

    /// Unlocks the vault described by `header`; [`WalletError::WrongPassphrase`] when the
    /// check blob does not open.
    pub fn unlock(passphrase: &[u8], header: &VaultHeader) -> Result<Vault, WalletError> {
        if header.format != FORMAT {
            return Err(WalletError::Corrupted(format!(
                "unknown wallet format {:?}",
                header.format
            )));
        }
        let salt = hex::decode(&header.salt).map_err(|_| corrupted("salt"))?;
        let check = hex::decode(&header.check).map_err(|_| corrupted("check"))?;
        let vault = Vault::derive(passphrase, &salt, &header.params)?;
        match vault.open(header.salt.as_bytes(), &check) {
            Ok(plain) if plain.as_slice() == CHECK_PLAINTEXT => Ok(vault),
            _ => Err(WalletError::WrongPassphrase),
        }
    }

    fn derive(passphrase: &[u8], salt: &[u8], params: &KdfParams) -> Result<Vault, WalletError> {
        let key = derive_key(passphrase, salt, params)
            .map_err(|e| WalletError::Corrupted(format!("key derivation: {e}")))?;
        let cipher = Aes256Gcm::new_from_slice(key.as_ref()).expect("a 32-byte key");
        Ok(Vault { cipher })
    }

    /// `nonce || ciphertext` of `plaintext`, authenticated together with `aad`.
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// The plaintext of `sealed` (from [`Vault::seal`] with the same `aad`), zeroized on drop;
    /// `Err(())` when it was modified or sealed under another key or AAD.
    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, ()> {
        if sealed.len() < NONCE_LEN {
            return Err(());
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| ())?;
        self.cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| ())
    }
}

fn corrupted(what: &str) -> WalletError {
    WalletError::Corrupted(format!("the wallet header's {what} is malformed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> KdfParams {
        KdfParams {
            m_cost: 8 * 1024,
            t_cost: 1,
            p_cost: 1,
        }
    }

    #[test]
    fn wrong_passphrase_is_told_apart_from_tampering() {
        let (vault, header) = Vault::create(b"correct horse", fast()).unwrap();
        assert!(matches!(
            Vault::unlock(b"wrong horse", &header),
            Err(WalletError::WrongPassphrase)
        ));
        let again = Vault::unlock(b"correct horse", &header).unwrap();
        let mut sealed = vault.seal(b"credential/1", b"secret");
        assert_eq!(
            again.open(b"credential/1", &sealed).unwrap().as_slice(),
            b"secret"
        );
        assert!(
            again.open(b"credential/2", &sealed).is_err(),
            "AAD binds the record id"
        );
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(again.open(b"credential/1", &sealed).is_err());
    }

    #[test]
    fn empty_passphrase_is_refused() {
        assert!(matches!(
            Vault::create(b"", fast()),
            Err(WalletError::EmptyPassphrase)
        ));
    }
}
