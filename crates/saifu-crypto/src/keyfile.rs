//! Private keys at rest: a small JSON envelope holding the private JWK encrypted with AES-256-GCM
//! under a key derived from a passphrase with Argon2id (RFC 9106).
//!
//! The envelope carries the public JWK in the clear (so tools can show which key a file holds
//! without the passphrase) and authenticates it, together with the KDF parameters, as AAD: editing
//! any of them makes decryption fail rather than silently pairing a secret with another identity.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use argon2::{Argon2, Params, Version};
use rand::RngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{CryptoError, Jwk, PrivateKey, b64};

/// Format marker and version of the envelope.
pub const FORMAT: &str = "saifu-keyfile/v1";

/// Why a key file could not be written or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFileError {
    /// Authenticated decryption failed: the passphrase is wrong or the file was modified.
    #[error("wrong passphrase, or the key file was modified")]
    WrongPassphrase,
    /// The file is not a saifu key file (nor a plain JWK where one is accepted).
    #[error("not a saifu key file: {0}")]
    Malformed(String),
    /// The file is encrypted and no passphrase was given.
    #[error("the key file is encrypted: a passphrase is required")]
    PassphraseRequired,
    /// The KDF parameters are outside the accepted range (too weak, or large enough to exhaust memory).
    #[error("key file KDF parameters out of range: {0}")]
    KdfParameters(String),
    /// The decrypted key is invalid.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// Argon2id parameters (RFC 9106 §4 second recommended option scaled to OWASP's 19 MiB / t=2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost: u32,
    /// Iterations.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams {
            m_cost: 19 * 1024,
            t_cost: 2,
            p_cost: 1,
        }
    }
}

impl KdfParams {
    /// Refuses parameters an attacker could use to make us burn memory/CPU, or that are too weak.
    fn check(&self) -> Result<Params, KeyFileError> {
        let bad = |why: &str| Err(KeyFileError::KdfParameters(why.to_owned()));
        if !(8 * 1024..=256 * 1024).contains(&self.m_cost) {
            return bad("m_cost must be between 8 MiB and 256 MiB");
        }
        if !(1..=10).contains(&self.t_cost) {
            return bad("t_cost must be between 1 and 10");
        }
        if !(1..=4).contains(&self.p_cost) {
            return bad("p_cost must be between 1 and 4");
        }
        Params::new(self.m_cost, self.t_cost, self.p_cost, Some(32))
            .map_err(|e| KeyFileError::KdfParameters(e.to_string()))
    }
}

/// The authenticated-but-clear part of the envelope; its JSON is the AEAD's associated data.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Header {
    format: String,
    kdf: String,
    params: KdfParams,
    salt: String,
    cipher: String,
    nonce: String,
    public_jwk: Jwk,
}

#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    #[serde(flatten)]
    header: Header,
    ciphertext: String,
}

/// The 256-bit AEAD key Argon2id derives from `passphrase` and `salt` under `params` (refused when
/// outside the accepted range). Shared with every other passphrase-protected store (the wallet).
pub fn derive_key(
    passphrase: &[u8],
    salt: &[u8],
    params: &KdfParams,
) -> Result<Zeroizing<[u8; 32]>, KeyFileError> {
    let argon = Argon2::new(argon2::Algorithm::Argon2id, Version::V0x13, params.check()?);
    let mut key = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase, salt, key.as_mut())
        .map_err(|e| KeyFileError::KdfParameters(e.to_string()))?;
    Ok(key)
}

fn aad(header: &Header) -> Vec<u8> {
    serde_json::to_vec(header).expect("header serializes")
}

/// Encrypts `key` under `passphrase` with the given Argon2id parameters; returns the file's JSON text.
pub fn encrypt(
    key: &PrivateKey,
    passphrase: &[u8],
    params: KdfParams,
) -> Result<String, KeyFileError> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 12];
    OsRng
        .try_fill_bytes(&mut salt)
        .map_err(|_| CryptoError::Rng)?;
    OsRng
        .try_fill_bytes(&mut nonce)
        .map_err(|_| CryptoError::Rng)?;
    let header = Header {
        format: FORMAT.into(),
        kdf: "argon2id".into(),
        params,
        salt: b64::encode(salt),
        cipher: "A256GCM".into(),
        nonce: b64::encode(nonce),
        public_jwk: key.public_key().to_jwk(),
    };
    let kek = derive_key(passphrase, &salt, &params)?;
    let plaintext = Zeroizing::new(serde_json::to_vec(&key.to_jwk()).expect("JWK serializes"));
    let ciphertext = Aes256Gcm::new(kek.as_ref().into())
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: &plaintext,
                aad: &aad(&header),
            },
        )
        .map_err(|_| CryptoError::SignerFailed("AES-GCM encryption failed".into()))?;
    let envelope = Envelope {
        header,
        ciphertext: b64::encode(ciphertext),
    };
    Ok(serde_json::to_string_pretty(&envelope).expect("envelope serializes"))
}

/// Whether `text` is an encrypted saifu key file (as opposed to a plain JWK).
pub fn is_encrypted(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| {
            v.get("format")
                .and_then(|f| f.as_str())
                .map(|f| f == FORMAT)
        })
        .unwrap_or(false)
}

/// Reads the public JWK of an encrypted key file without the passphrase.
pub fn public_jwk(text: &str) -> Result<Jwk, KeyFileError> {
    Ok(parse(text)?.header.public_jwk)
}

fn parse(text: &str) -> Result<Envelope, KeyFileError> {
    let envelope: Envelope =
        serde_json::from_str(text).map_err(|e| KeyFileError::Malformed(e.to_string()))?;
    let h = &envelope.header;
    if h.format != FORMAT || h.kdf != "argon2id" || h.cipher != "A256GCM" {
        return Err(KeyFileError::Malformed(format!(
            "unsupported format/kdf/cipher `{}`/`{}`/`{}`",
            h.format, h.kdf, h.cipher
        )));
    }
    Ok(envelope)
}

/// Decrypts an encrypted key file.
pub fn decrypt(text: &str, passphrase: &[u8]) -> Result<PrivateKey, KeyFileError> {
    let envelope = parse(text)?;
    let h = &envelope.header;
    let salt = b64::decode(&h.salt, "salt")?;
    let nonce = b64::decode(&h.nonce, "nonce")?;
    let nonce: [u8; 12] = nonce
        .try_into()
        .map_err(|_| KeyFileError::Malformed("nonce must be 12 bytes".into()))?;
    if salt.len() < 16 {
        return Err(KeyFileError::Malformed(
            "salt must be at least 16 bytes".into(),
        ));
    }
    let ciphertext = b64::decode(&envelope.ciphertext, "ciphertext")?;
    let kek = derive_key(passphrase, &salt, &h.params)?;
    let plaintext = Zeroizing::new(
        Aes256Gcm::new(kek.as_ref().into())
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &ciphertext,
                    aad: &aad(h),
                },
            )
            .map_err(|_| KeyFileError::WrongPassphrase)?,
    );
    let jwk: Jwk =
        serde_json::from_slice(&plaintext).map_err(|e| KeyFileError::Malformed(e.to_string()))?;
    let key = PrivateKey::from_jwk(&jwk)?;
    if key.public_key().to_jwk().thumbprint()? != h.public_jwk.thumbprint()? {
        return Err(KeyFileError::Malformed(
            "the public JWK does not match the encrypted key".into(),
        ));
    }
    Ok(key)
}

/// Loads a private key from either a plain private JWK or an encrypted key file.
pub fn load(text: &str, passphrase: Option<&[u8]>) -> Result<PrivateKey, KeyFileError> {
    if is_encrypted(text) {
        decrypt(text, passphrase.ok_or(KeyFileError::PassphraseRequired)?)
    } else {
        let jwk = Jwk::from_json(text).map_err(|e| KeyFileError::Malformed(e.to_string()))?;
        Ok(PrivateKey::from_jwk(&jwk)?)
    }
}
