//! The command-line interface: the root command, its global flags, one subcommand per command
//! group, and the error type every command returns.
//!
//! To add a command group `foo`: write `cli/foo.rs` with a `FooArgs` (clap `Args` or
//! `Subcommand`) and `pub async fn run(args: FooArgs, global: &GlobalArgs) -> Result<(), CliError>`,
//! declare `pub mod foo;` below, add a `Foo(foo::FooArgs)` variant to [`Command`], its arm in
//! `main.rs`'s dispatch, and, if it fails in new ways, a [`CliError`] variant with its hint.

pub mod bench;
pub mod credential;
pub mod demo;
pub mod did;
mod did_webvh;
mod input;
pub mod issuer;
pub mod jws;
mod keyio;
pub mod keys;
mod node;
mod output;
pub mod registry;
pub mod serve;
pub mod status_list;
pub mod verifier;
pub mod wallet;
pub mod witness;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use saifu_credential::sd_jwt::SdJwtError;
use saifu_credential::sd_jwt_vc::SdJwtVcError;
use saifu_credential::status::{ReferenceError, StatusListError, TokenError};
use saifu_crypto::CryptoError;
use saifu_crypto::jws::JwsError;
use saifu_crypto::keyfile::KeyFileError;
use saifu_did::document::KeyMaterialError;
use saifu_did::http::HttpError;
use saifu_did::jwk::DidJwkError;
use saifu_did::key::DidKeyError;
use saifu_did::web::WebDidError;
use saifu_did::{DidSyntaxError, ResolutionError};
use saifu_server::{ConfigError, ServeError};
use saifu_store::StoreError;

/// What `saifu --help` explains first.
const LONG_ABOUT: &str = "\
saifu (財布, \"wallet\") is an open digital-trust platform: issuers, wallets, verifiers and a \
tamper-evident registry for verifiable credentials, in one binary.

A node keeps its data in an embedded SQLite database by default (nothing to install); give it \
a PostgreSQL URL to let several nodes share one database.

Examples:
  saifu serve                     run a node on http://127.0.0.1:8080
  saifu serve --port 9000         run it on another port
  saifu keys generate --alg ES256 --out issuer.jwk       a new P-256 signing key
  saifu did create key --alg EdDSA --out alice.jwk       a did:key and its private key
  saifu did resolve did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp --json
  echo '{\"hi\":1}' | saifu jws sign --key issuer.jwk > t.jws
  saifu jws verify t.jws --key issuer.jwk                 prints the payload if the signature holds
  saifu credential issue --vct https://example.com/pid --claims claims.json --sd /given_name \\
      --issuer-key issuer.jwk --holder-key holder.jwk      an SD-JWT VC (`saifu credential --help`)
  saifu status-list create --size 100000 --out list.json  revocation (`saifu status-list --help`)
  saifu demo --auto               the whole story in one command: issue, present, verify, revoke
  saifu wallet init               a holder wallet; then `saifu wallet receive LINK` (`saifu wallet --help`)
  saifu registry checkpoint --node http://127.0.0.1:8080   the registry's signed tree head (`saifu registry --help`)
  saifu --help                    this text; `saifu serve --help` for one command's options";

/// The `saifu` command.
#[derive(Debug, Parser)]
#[command(name = "saifu", version, about = "Open digital-trust platform: issue, hold, present and verify credentials", long_about = LONG_ABOUT)]
pub struct Cli {
    /// Flags every command accepts.
    #[command(flatten)]
    pub global: GlobalArgs,

    /// The command group to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags accepted before or after any subcommand.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print machine-readable JSON instead of text (results on stdout, errors on stderr)
    #[arg(long, global = true)]
    pub json: bool,
}

/// One variant per command group; each group lives in its own module.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a saifu node (HTTP server) until Ctrl-C or SIGTERM
    Serve(serve::ServeArgs),
    /// Generate keys (Ed25519, P-256, secp256k1, ML-DSA) and show their public JWK
    Keys(keys::KeysArgs),
    /// Create DIDs (did:key, did:jwk, did:web) and resolve them
    Did(did::DidArgs),
    /// Sign and verify JSON Web Signatures
    Jws(jws::JwsArgs),
    /// Issue, present and verify SD-JWT VC credentials
    Credential(credential::CredentialArgs),
    /// Manage Token Status Lists: create, set, get, sign as a token, verify
    StatusList(status_list::StatusListArgs),
    /// Run a node's issuer: subjects, offers, issued credentials, revocation
    Issuer(issuer::IssuerArgs),
    /// Ask for presentations (OpenID4VP) and read their verified results
    Verifier(verifier::VerifierArgs),
    /// Play the whole story headless: issue, hold, present, verify, revoke (`--auto`)
    Demo(demo::DemoArgs),
    /// Hold credentials: receive them from offers, present them to verifiers, history, backup
    Wallet(wallet::WalletArgs),
    /// Run a transparency-log witness that cosigns consistent registry checkpoints
    Witness(witness::WitnessArgs),
    /// Run and use the verifiable data registry: append, checkpoint, proof, verify
    Registry(registry::RegistryArgs),
    /// Load-test a running node: issuance and verification flows over HTTP
    Bench(bench::BenchArgs),
}

/// Why a command failed. The message says what went wrong; [`CliError::hint`] says what to do.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The node's configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),

    /// The node could not start or stopped with an error.
    #[error(transparent)]
    Serve(#[from] ServeError),

    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// A command-line argument is malformed.
    #[error("{0}")]
    BadArgument(String),

    /// The node did not answer.
    #[error("cannot reach the node at {url}: {source}")]
    NodeUnreachable {
        /// The node's URL.
        url: String,
        /// Why.
        source: reqwest::Error,
    },

    /// The node refused the request.
    #[error("the node refused: {error} ({status}){}", if description.is_empty() { String::new() } else { format!(": {description}") })]
    NodeRejected {
        /// The HTTP status.
        status: reqwest::StatusCode,
        /// The OAuth-style error code.
        error: String,
        /// The node's explanation.
        description: String,
    },

    /// No admin token is set and the node's data directory has none.
    #[error("no admin token: {0}")]
    NoAdminToken(saifu_server::NodeFileError),

    /// The passphrase prompt failed.
    #[error("could not read the passphrase: {0}")]
    Prompt(std::io::Error),

    /// A passphrase is needed but there is no terminal to ask on and no SAIFU_PASSPHRASE.
    #[error("a passphrase is required")]
    PassphraseUnavailable,

    /// The two passphrase entries differ.
    #[error("the passphrases do not match")]
    PassphraseMismatch,

    /// A key file could not be decrypted or parsed.
    #[error("{}: {source}", path.display())]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// Why it was refused.
        source: KeyFileError,
    },

    /// A key or signature operation failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),

    /// A JWS could not be parsed, or did not verify.
    #[error(transparent)]
    Jws(#[from] JwsError),

    /// The input is not text.
    #[error("the input is not UTF-8 text")]
    NotUtf8,

    /// `jws verify` has neither `--key` nor a `kid` header to resolve.
    #[error("no key to verify with: the JWS has no `kid` and no --key was given")]
    NoVerificationKey,

    /// A DID or DID URL is malformed.
    #[error(transparent)]
    DidSyntax(#[from] DidSyntaxError),

    /// DID resolution failed.
    #[error(transparent)]
    Resolution(#[from] ResolutionError),

    /// DID resolution failed (the JSON result, already printed, carries the error code).
    #[error("DID resolution failed: {0}")]
    ResolutionFailed(String),

    /// A DID could not be made for the key (method-specific reasons).
    #[error("{0}")]
    DidCreate(String),

    /// The outbound HTTP client could not be set up.
    #[error(transparent)]
    Http(#[from] HttpError),

    /// A verification method's key material is unusable.
    #[error(transparent)]
    KeyMaterial(#[from] KeyMaterialError),

    /// A credential could not be issued.
    #[error(transparent)]
    SdJwtVc(#[from] SdJwtVcError),

    /// An SD-JWT could not be parsed or presented.
    #[error(transparent)]
    SdJwt(#[from] SdJwtError),

    /// The `--claims` file is not a JSON object.
    #[error("{}: {reason}", path.display())]
    Claims {
        /// The claims file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// The holder key cannot sign a key binding for this credential.
    #[error("{0}")]
    HolderKey(String),

    /// `credential issue --kid` names a did:key / did:jwk of another key than --issuer-key.
    #[error("--kid {0} names another key than --issuer-key")]
    KidMismatch(String),

    /// A credential or presentation failed one of the verifier's checks.
    #[error("{check} check failed: {reason}")]
    VerificationFailed {
        /// The check (as in `credential verify --json`).
        check: &'static str,
        /// Why it failed.
        reason: String,
        /// What to do about it.
        hint: String,
    },

    /// `--status-uri` is not an acceptable status list reference.
    #[error(transparent)]
    StatusReference(#[from] ReferenceError),

    /// A status list `--uri` is not a URL.
    #[error("invalid status list URI {0}")]
    StatusUri(String),

    /// `status-list create --size` is out of range.
    #[error("--size must be between 1 and {max}")]
    StatusListSize {
        /// The largest size accepted for the chosen bits.
        max: u64,
    },

    /// A status list file is unusable.
    #[error("{}: {source}", path.display())]
    StatusListFile {
        /// The list file.
        path: PathBuf,
        /// Why it was refused.
        source: StatusListError,
    },

    /// A wallet operation failed.
    #[error(transparent)]
    Wallet(#[from] saifu_wallet::WalletError),

    /// A status list entry could not be read or set.
    #[error(transparent)]
    StatusList(#[from] StatusListError),

    /// A Status List Token could not be signed or did not verify.
    #[error(transparent)]
    StatusToken(#[from] TokenError),

    /// A registry checkpoint, proof or entry does not check out.
    #[error("{what} check failed: {reason}")]
    RegistryCheck {
        /// What was checked: `checkpoint`, `proof`, `inclusion` or `answer`.
        what: &'static str,
        /// Why it failed.
        reason: String,
    },
}

impl From<DidKeyError> for CliError {
    fn from(e: DidKeyError) -> Self {
        CliError::DidCreate(e.to_string())
    }
}

impl From<DidJwkError> for CliError {
    fn from(e: DidJwkError) -> Self {
        CliError::DidCreate(e.to_string())
    }
}

impl From<WebDidError> for CliError {
    fn from(e: WebDidError) -> Self {
        CliError::DidCreate(e.to_string())
    }
}

impl CliError {
    /// The next step for the user, printed after the error as `hint: …`.
    pub fn hint(&self) -> String {
        match self {
            CliError::Config(error) => config_hint(error),
            CliError::NodeUnreachable { .. }
            | CliError::NodeRejected { .. }
            | CliError::NoAdminToken(_) => node::hint(self),
            CliError::BadArgument(_) => "see the command's --help for the expected form".into(),
            CliError::Serve(ServeError::Store(error)) => store_hint(error),
            CliError::Serve(ServeError::Bind { .. }) => {
                "choose another port with --port N (0 picks a free one) or another address with \
                 --listen ADDR:PORT"
                    .into()
            }
            CliError::Serve(ServeError::Role(_)) => "check the data directory's admin-token and \
                 issuer-key.jwk files (move a damaged one away to get a new one)"
                .into(),
            CliError::Serve(ServeError::Tls(_)) => "move the data directory's tls/ folder away to \
                 let the node make a new certificate (clients must then trust the new tls/ca.pem)"
                .into(),
            CliError::Serve(ServeError::Serve(_)) => {
                "start the node again; if this repeats, report it with the log lines above".into()
            }
            CliError::SdJwtVc(_)
            | CliError::SdJwt(_)
            | CliError::Claims { .. }
            | CliError::HolderKey(_)
            | CliError::KidMismatch(_)
            | CliError::VerificationFailed { .. } => credential::hint(self),
            CliError::StatusReference(_)
            | CliError::StatusUri(_)
            | CliError::StatusListSize { .. }
            | CliError::StatusListFile { .. }
            | CliError::StatusList(_)
            | CliError::StatusToken(_) => status_list::hint(self),
            CliError::Wallet(error) => wallet_hint(error),
            CliError::RegistryCheck { .. } => registry::hint(self),
            other => key_hint(other),
        }
    }
}

fn key_hint(error: &CliError) -> String {
    match error {
        CliError::Io { .. } => "check the path and its permissions; saifu never overwrites an \
             existing key file, so choose a new name for --out"
            .into(),
        CliError::Prompt(_) | CliError::PassphraseUnavailable => format!(
            "run the command in a terminal to be prompted, or set {} for scripts",
            keyio::PASSPHRASE_ENV
        ),
        CliError::PassphraseMismatch => {
            "run the command again and type the same passphrase twice".into()
        }
        CliError::KeyFile {
            source: KeyFileError::WrongPassphrase,
            ..
        } => "check the passphrase (and that the file was not edited)".into(),
        CliError::KeyFile { .. } => {
            "give a key file made by `saifu keys generate` or a private JWK".into()
        }
        CliError::Crypto(_) => {
            "check the key file and the algorithm; `saifu keys generate --help` \
             lists the supported algorithms"
                .into()
        }
        CliError::Jws(JwsError::Crypto(CryptoError::BadSignature)) => {
            "the JWS was altered or signed by another key: check --key or the `kid` DID".into()
        }
        CliError::Jws(_) => "check that the input is a complete JWS and, with --alg, that its \
             algorithm is allowed"
            .into(),
        CliError::NotUtf8 => "give the JWS as text (compact or JSON)".into(),
        CliError::NoVerificationKey => "pass the signer's public key with --key FILE".into(),
        CliError::DidSyntax(_) => "a DID looks like did:key:z6Mk… or did:web:example.com; DID \
             URLs add #fragment"
            .into(),
        CliError::Resolution(_) | CliError::ResolutionFailed(_) => "check the DID; for did:web, \
             that https://<host>/.well-known/did.json (or /<path>/did.json) is reachable"
            .into(),
        CliError::DidCreate(_) => "did:web needs an https URL with a domain name (no IP \
             address); did:jwk and did:key need a supported key"
            .into(),
        CliError::Http(_) => "check the network settings; this is a bug if it persists".into(),
        CliError::KeyMaterial(_) => {
            "the DID document's key is unusable; ask its controller to fix it".into()
        }
        CliError::Config(_)
        | CliError::Serve(_)
        | CliError::BadArgument(_)
        | CliError::NodeUnreachable { .. }
        | CliError::NodeRejected { .. }
        | CliError::NoAdminToken(_)
        | CliError::SdJwtVc(_)
        | CliError::SdJwt(_)
        | CliError::Claims { .. }
        | CliError::HolderKey(_)
        | CliError::KidMismatch(_)
        | CliError::VerificationFailed { .. }
        | CliError::StatusReference(_)
        | CliError::StatusUri(_)
        | CliError::StatusListSize { .. }
        | CliError::StatusListFile { .. }
        | CliError::StatusList(_)
        | CliError::StatusToken(_)
        | CliError::Wallet(_)
        | CliError::RegistryCheck { .. } => unreachable!("handled in CliError::hint"),
    }
}

fn wallet_hint(error: &saifu_wallet::WalletError) -> String {
    use saifu_wallet::WalletError as E;
    match error {
        E::WrongPassphrase => "check the passphrase (SAIFU_PASSPHRASE in scripts)".into(),
        E::NotFound(_) => {
            "create a wallet with `saifu wallet init`, or point --wallet at yours".into()
        }
        E::PinRequired(_) | E::WrongPin(_) => {
            "pass the PIN the issuer sent you (by mail or SMS) with --pin".into()
        }
        E::Http(_) => {
            "check the link; a development node on this machine needs --allow-local".into()
        }
        E::Corrupted(_) => "restore the wallet from a backup with `saifu wallet restore`".into(),
        E::Linkable { .. } => {
            "receive the credential again for fresh copies, or accept being linkable".into()
        }
        E::RequiredClaimWithheld { .. } | E::CannotSatisfy(_) => {
            "decline with `saifu wallet present LINK --decline`, or receive the credential it needs"
                .into()
        }
        _ => "see the message above; nothing was shared or changed".into(),
    }
}

fn config_hint(error: &ConfigError) -> String {
    match error {
        ConfigError::ReadFile { .. } => "check the path given to --config".into(),
        ConfigError::ParseFile { .. } => "fix the config file; its keys are listen, port, \
             data_dir, database_url, log_format and public_url (see `saifu serve --help`)"
            .into(),
        ConfigError::InvalidEnv { var, .. } => format!("fix or unset {var}"),
        ConfigError::InvalidPublicUrl { .. } => "give --public-url (or SAIFU_PUBLIC_URL, or \
             public_url in the config file) as https://HOST[:PORT][/PATH]"
            .into(),
        ConfigError::NoDataDir => "pass --data-dir DIR or set SAIFU_DATA_DIR".into(),
    }
}

fn store_hint(error: &StoreError) -> String {
    match error {
        StoreError::UnsupportedScheme { .. } | StoreError::InvalidUrl { .. } => {
            "fix --database-url (or SAIFU_DATABASE_URL), or leave it out to use SQLite in the \
             data directory"
                .into()
        }
        StoreError::CreateDir { .. } | StoreError::OpenSqlite { .. } => {
            "choose a writable directory with --data-dir, or another database with \
             --database-url"
                .into()
        }
        StoreError::ConnectPostgres { .. } => {
            "start PostgreSQL or fix --database-url; leave it out to use the built-in SQLite \
             database instead"
                .into()
        }
        StoreError::Migrate { .. } => {
            "run the saifu version that last used this database, or point --database-url at a \
             new one"
                .into()
        }
        StoreError::Query { .. } => {
            "check that the database is reachable, then run the command again".into()
        }
    }
}
