//! Reading and writing key files for the CLI: plain private JWKs or passphrase-encrypted key
//! files, with private files created mode 0600 and passphrases taken from the environment or a
//! terminal prompt — never from a flag, where they would end up in shell history.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use saifu_crypto::keyfile::{self, KdfParams};
use saifu_crypto::{Jwk, PrivateKey, PublicKey};
use zeroize::Zeroizing;

use super::CliError;

/// Environment variable scripts use to pass a key-file passphrase.
pub const PASSPHRASE_ENV: &str = "SAIFU_PASSPHRASE";

/// Reads a file, naming it in the error.
pub fn read_text(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|source| CliError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Gets a passphrase from `SAIFU_PASSPHRASE` or, on a terminal, a prompt (twice when `confirm`).
pub fn passphrase(purpose: &str, confirm: bool) -> Result<Zeroizing<String>, CliError> {
    // An empty variable counts as unset: a key must never be encrypted under "".
    if let Some(p) = std::env::var(PASSPHRASE_ENV).ok().filter(|p| !p.is_empty()) {
        return Ok(Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::PassphraseUnavailable);
    }
    let first = Zeroizing::new(
        rpassword::prompt_password(format!("Passphrase {purpose}: ")).map_err(CliError::Prompt)?,
    );
    if confirm {
        let second = Zeroizing::new(
            rpassword::prompt_password("Repeat passphrase: ").map_err(CliError::Prompt)?,
        );
        if *first != *second {
            return Err(CliError::PassphraseMismatch);
        }
    }
    if first.is_empty() {
        return Err(CliError::PassphraseUnavailable);
    }
    Ok(first)
}

/// Loads a private key from a plain JWK file or an encrypted key file (asking for its passphrase).
pub fn load_private(path: &Path) -> Result<PrivateKey, CliError> {
    let text = Zeroizing::new(read_text(path)?);
    let pass = if keyfile::is_encrypted(&text) {
        Some(passphrase(&format!("for {}", path.display()), false)?)
    } else {
        None
    };
    keyfile::load(&text, pass.as_ref().map(|p| p.as_bytes())).map_err(|source| CliError::KeyFile {
        path: path.to_owned(),
        source,
    })
}

/// Loads a public key from a public JWK, a private JWK, or an encrypted key file (whose public
/// part is readable without the passphrase).
pub fn load_public(path: &Path) -> Result<PublicKey, CliError> {
    let text = read_text(path)?;
    let jwk = if keyfile::is_encrypted(&text) {
        keyfile::public_jwk(&text).map_err(|source| CliError::KeyFile {
            path: path.to_owned(),
            source,
        })?
    } else {
        Jwk::from_json(&text)?
    };
    Ok(PublicKey::from_jwk(&jwk)?)
}

/// Serializes `key` as a plain private JWK or, with a passphrase, an encrypted key file.
pub fn private_key_text(
    key: &PrivateKey,
    passphrase: Option<&str>,
) -> Result<Zeroizing<String>, CliError> {
    Ok(Zeroizing::new(match passphrase {
        Some(p) => keyfile::encrypt(key, p.as_bytes(), KdfParams::default()).map_err(|source| {
            CliError::KeyFile {
                path: PathBuf::from("<new key>"),
                source,
            }
        })?,
        None => serde_json::to_string_pretty(&key.to_jwk()).expect("JWK serializes") + "\n",
    }))
}

/// Writes secret text to a new file readable only by its owner (mode 0600 on Unix); refuses to
/// overwrite an existing file so a typo cannot destroy a key.
pub fn write_secret_file(path: &Path, text: &str) -> Result<(), CliError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let io = |source| CliError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = options.open(path).map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}
