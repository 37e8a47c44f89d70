//! `saifu keys`: generate signing keys and show their public half.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use saifu_crypto::{KeyType, PrivateKey};
use serde_json::json;

use super::keyio::{self, load_public};
use super::{CliError, GlobalArgs, output};

/// `saifu keys …`
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  saifu keys generate --alg ES256 --out issuer.jwk          private JWK, mode 0600
  saifu keys generate --alg ML-DSA-44 --out pq.key --encrypt passphrase-encrypted (Argon2id + AES-GCM)
  saifu keys public issuer.jwk                               the public JWK, safe to share
  SAIFU_PASSPHRASE=… saifu keys generate --alg EdDSA --encrypt --out k.key   non-interactive")]
pub struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Generate a new private key (printed as a JWK, or written to --out)
    Generate(GenerateArgs),
    /// Print the public JWK of a key file (plain or encrypted; no passphrase needed)
    Public {
        /// The key file
        file: PathBuf,
    },
}

/// The algorithms `keys generate` offers; each fixes the key type.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KeyAlg {
    /// Ed25519 (JOSE `Ed25519`, formerly `EdDSA`): fast, small, the default for DIDs
    #[value(name = "EdDSA", alias = "Ed25519")]
    EdDsa,
    /// ECDSA P-256 (JOSE `ES256`): required by HAIP and mdoc
    #[value(name = "ES256")]
    Es256,
    /// ECDSA secp256k1 (JOSE `ES256K`)
    #[value(name = "ES256K")]
    Es256k,
    /// ML-DSA-44 (FIPS 204): post-quantum, 1.3 KB public key, 2.4 KB signatures
    #[value(name = "ML-DSA-44")]
    MlDsa44,
    /// ML-DSA-65 (FIPS 204): post-quantum, stronger, larger
    #[value(name = "ML-DSA-65")]
    MlDsa65,
}

impl KeyAlg {
    /// The key type generated for this algorithm.
    pub fn key_type(self) -> KeyType {
        match self {
            KeyAlg::EdDsa => KeyType::Ed25519,
            KeyAlg::Es256 => KeyType::P256,
            KeyAlg::Es256k => KeyType::Secp256k1,
            KeyAlg::MlDsa44 => KeyType::MlDsa44,
            KeyAlg::MlDsa65 => KeyType::MlDsa65,
        }
    }
}

#[derive(Debug, Args)]
struct GenerateArgs {
    /// Signature algorithm of the new key
    #[arg(long, value_enum)]
    alg: KeyAlg,
    /// Write the key to this file (created with mode 0600; never overwritten) instead of stdout
    #[arg(long)]
    out: Option<PathBuf>,
    /// Encrypt the key with a passphrase (prompted, or from SAIFU_PASSPHRASE); requires --out
    #[arg(long, requires = "out")]
    encrypt: bool,
}

/// Runs `saifu keys …`.
pub async fn run(args: KeysArgs, global: &GlobalArgs) -> Result<(), CliError> {
    match args.command {
        KeysCommand::Generate(g) => generate(g, global),
        KeysCommand::Public { file } => {
            let key = load_public(&file)?;
            let jwk = key.to_jwk();
            if global.json {
                let report = json!({
                    "jwk": jwk,
                    "keyType": key.key_type().to_string(),
                    "thumbprint": key.thumbprint(),
                    "thumbprintUri": jwk.thumbprint_uri()?,
                    "multikey": key.to_multikey(),
                });
                output::json(&report);
            } else {
                output::json(&jwk);
            }
            Ok(())
        }
    }
}

fn generate(args: GenerateArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let key = PrivateKey::generate(args.alg.key_type())?;
    let pass = if args.encrypt {
        Some(keyio::passphrase("for the new key", true)?)
    } else {
        None
    };
    let jwk_text = keyio::private_key_text(&key, pass.as_deref().map(String::as_str))?;
    match &args.out {
        Some(path) => {
            keyio::write_secret_file(path, &jwk_text)?;
            if global.json {
                let report = json!({
                    "file": path,
                    "encrypted": args.encrypt,
                    "publicJwk": key.public_key().to_jwk(),
                    "thumbprint": key.public_key().thumbprint(),
                });
                output::json(&report);
            } else {
                output::line(format!(
                    "wrote {} {} key to {} (thumbprint {})",
                    if args.encrypt { "encrypted" } else { "private" },
                    key.key_type(),
                    path.display(),
                    key.public_key().thumbprint()
                ));
            }
        }
        None => output::text(&jwk_text),
    }
    Ok(())
}
