//! The files a node keeps in its data directory besides the database: the admin token and the
//! issuer's signing key. Both are created on first start with mode 0600 and never overwritten,
//! so restarting a node keeps its identity and the CLI on the same machine finds the token.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use rand::rngs::OsRng;
use saifu_crypto::{Jwk, KeyType, PrivateKey};

/// File name of the generated admin token in the data directory.
pub const ADMIN_TOKEN_FILE: &str = "admin-token";
/// File name of the issuer's private JWK in the data directory.
pub const ISSUER_KEY_FILE: &str = "issuer-key.jwk";
/// File name of the verifier's did:jwk private key in the data directory.
pub const VERIFIER_KEY_FILE: &str = "verifier-key.jwk";

/// Why a node file could not be read or created.
#[derive(Debug, thiserror::Error)]
pub enum NodeFileError {
    /// Reading or writing the file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// The file exists but does not hold what it should.
    #[error("{}: {reason}; move it away to let the node create a new one", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// Where a node with data directory `data_dir` keeps its generated admin token.
pub fn admin_token_path(data_dir: &Path) -> PathBuf {
    data_dir.join(ADMIN_TOKEN_FILE)
}

/// Reads the admin token a node generated into `data_dir`.
pub fn read_admin_token(data_dir: &Path) -> Result<String, NodeFileError> {
    let path = admin_token_path(data_dir);
    let text = fs::read_to_string(&path).map_err(|source| NodeFileError::Io {
        path: path.clone(),
        source,
    })?;
    let token = text.trim().to_owned();
    if token.is_empty() {
        return Err(NodeFileError::Corrupt {
            path,
            reason: "the file is empty".into(),
        });
    }
    Ok(token)
}

/// The admin token in `data_dir`, generated (256 random bits) when there is none yet.
pub(crate) fn admin_token(data_dir: &Path) -> Result<String, NodeFileError> {
    let path = admin_token_path(data_dir);
    if path.exists() {
        return read_admin_token(data_dir);
    }
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    write_private(&path, format!("{token}\n").as_bytes())?;
    tracing::info!(path = %path.display(), "generated the admin token");
    Ok(token)
}

/// The issuer's signing key in `data_dir`, an Ed25519 key generated when there is none yet.
pub(crate) fn issuer_key(data_dir: &Path) -> Result<PrivateKey, NodeFileError> {
    private_key(data_dir, ISSUER_KEY_FILE, KeyType::Ed25519)
}

/// The key of the verifier's did:jwk (it signs request objects), a P-256 key generated when
/// there is none yet.
pub(crate) fn verifier_key(data_dir: &Path) -> Result<PrivateKey, NodeFileError> {
    private_key(data_dir, VERIFIER_KEY_FILE, KeyType::P256)
}

/// The registry log's Ed25519 checkpoint key (signed-note), generated when there is none yet.
pub(crate) fn registry_key(data_dir: &Path) -> Result<PrivateKey, NodeFileError> {
    private_key(data_dir, "registry-key.jwk", KeyType::Ed25519)
}

/// The registry log's ML-DSA-44 checkpoint key, signing beside the Ed25519 one so checkpoints
/// stay verifiable once classical signatures no longer are.
pub(crate) fn registry_pq_key(data_dir: &Path) -> Result<PrivateKey, NodeFileError> {
    private_key(data_dir, "registry-mldsa44-key.jwk", KeyType::MlDsa44)
}

/// A witness's Ed25519 cosigning key, generated when there is none yet.
pub(crate) fn witness_key(data_dir: &Path) -> Result<PrivateKey, NodeFileError> {
    private_key(data_dir, "witness-key.jwk", KeyType::Ed25519)
}

/// The private JWK in `data_dir/name`, generated as a `key_type` key when there is none yet.
pub(crate) fn private_key(
    data_dir: &Path,
    name: &str,
    key_type: KeyType,
) -> Result<PrivateKey, NodeFileError> {
    let path = data_dir.join(name);
    let corrupt = |reason: String| NodeFileError::Corrupt {
        path: path.clone(),
        reason,
    };
    if path.exists() {
        let text = fs::read_to_string(&path).map_err(|source| NodeFileError::Io {
            path: path.clone(),
            source,
        })?;
        let jwk: Jwk = serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
        return PrivateKey::from_jwk(&jwk).map_err(|e| corrupt(e.to_string()));
    }
    let key = PrivateKey::generate(key_type).map_err(|e| corrupt(e.to_string()))?;
    let jwk = serde_json::to_vec_pretty(&key.to_jwk()).map_err(|e| corrupt(e.to_string()))?;
    write_private(&path, &jwk)?;
    tracing::info!(path = %path.display(), "generated a {key_type:?} key");
    Ok(key)
}

/// Creates `path` readable by its owner only; fails rather than replace an existing file.
pub(crate) fn write_private(path: &Path, contents: &[u8]) -> Result<(), NodeFileError> {
    let io_error = |source| NodeFileError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io_error)?;
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io_error)?;
    file.write_all(contents).map_err(io_error)?;
    file.sync_all().map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_created_once_private_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let token = admin_token(dir.path()).unwrap();
        assert_eq!(token.len(), 43);
        assert_eq!(admin_token(dir.path()).unwrap(), token);
        assert_eq!(read_admin_token(dir.path()).unwrap(), token);
        let key = issuer_key(dir.path()).unwrap();
        assert_eq!(
            issuer_key(dir.path()).unwrap().public_key(),
            key.public_key()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for file in [ADMIN_TOKEN_FILE, ISSUER_KEY_FILE] {
                let mode = fs::metadata(dir.path().join(file))
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o600, "{file}");
            }
        }
    }

    #[test]
    fn a_damaged_file_is_reported_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(ADMIN_TOKEN_FILE), "\n").unwrap();
        fs::write(dir.path().join(ISSUER_KEY_FILE), "{not json").unwrap();
        assert!(matches!(
            admin_token(dir.path()),
            Err(NodeFileError::Corrupt { .. })
        ));
        assert!(matches!(
            issuer_key(dir.path()),
            Err(NodeFileError::Corrupt { .. })
        ));
        assert_eq!(
            fs::read_to_string(dir.path().join(ISSUER_KEY_FILE)).unwrap(),
            "{not json"
        );
    }
}
