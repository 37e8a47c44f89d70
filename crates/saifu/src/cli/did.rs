//! `saifu did`: create DIDs for keys, update and deactivate did:webvh DIDs, and resolve any
//! supported DID.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use saifu_crypto::PrivateKey;
use saifu_did::{Did, Resolver, ResolverConfig};
use serde_json::json;
use url::Url;

use super::did_webvh::{self, CreateWebvh, DeactivateArgs, UpdateArgs};
use super::keyio;
use super::keys::KeyAlg;
use super::{CliError, GlobalArgs, output};

/// `saifu did …`
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  saifu did create key --alg EdDSA --out alice.jwk      new did:key, key saved to alice.jwk
  saifu did create jwk --key issuer.jwk                  did:jwk for an existing key
  saifu did create web --url https://uni.example/issuer --key issuer.jwk --document did.json
                                                         did:web:uni.example:issuer + the did.json to host
  saifu did resolve did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp --json

did:webvh (a verifiable history hosted on a saifu node; keys never leave your machine):
  saifu keys generate --alg EdDSA --out update.jwk; saifu keys generate --alg EdDSA --out next.jwk
  SAIFU_ADMIN_TOKEN=… saifu did create webvh --host https://node.example --name alice \
      --key update.jwk --next-key next.jwk             create; commit to next.jwk (pre-rotation)
  saifu did update did:webvh:Qm…:node.example:dids:alice --key next.jwk --next-key next2.jwk
                                                         rotate to the committed key, commit again
  saifu did update did:webvh:… --key next2.jwk --next-key next3.jwk --add-key signing.jwk
                                                         also add a verification method
  saifu did deactivate did:webvh:… --key next3.jwk     no further versions
  saifu did resolve 'did:webvh:…?versionNumber=1' --json   a historical version")]
pub struct DidArgs {
    #[command(subcommand)]
    command: DidCommand,
}

#[derive(Debug, Subcommand)]
enum DidCommand {
    /// Create a DID for a new or existing key
    Create(CreateArgs),
    /// Add a signed entry to a did:webvh DID: rotate keys, change verification methods
    Update(UpdateArgs),
    /// Deactivate a did:webvh DID
    Deactivate(DeactivateArgs),
    /// Resolve a DID and print its DID document (--json: the full resolution result)
    Resolve(ResolveArgs),
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Method {
    /// did:key — the DID is the public key itself; nothing to host
    Key,
    /// did:jwk — the DID is the public JWK itself; nothing to host
    Jwk,
    /// did:web — a did.json hosted at an https URL you control
    Web,
    /// did:webvh — a signed, hash-chained log hosted on a saifu node (--host, --name)
    Webvh,
}

#[derive(Debug, Args)]
struct CreateArgs {
    /// The DID method
    #[arg(value_enum)]
    method: Method,
    /// Use this existing key file instead of generating a key
    #[arg(long, conflicts_with_all = ["alg", "out", "encrypt"])]
    key: Option<PathBuf>,
    /// Algorithm of the key to generate
    #[arg(long, value_enum, default_value = "EdDSA")]
    alg: KeyAlg,
    /// Where to save the generated private key (mode 0600); required when generating
    #[arg(long, required_unless_present = "key")]
    out: Option<PathBuf>,
    /// Encrypt the generated key with a passphrase (prompted, or SAIFU_PASSPHRASE)
    #[arg(long)]
    encrypt: bool,
    /// did:web only: the https URL the DID stands for, e.g. https://uni.example/issuer
    #[arg(long, required_if_eq("method", "web"))]
    url: Option<Url>,
    /// did:web only: write the did.json to host here (default: print it)
    #[arg(long)]
    document: Option<PathBuf>,
    #[command(flatten)]
    webvh: CreateWebvh,
}

#[derive(Debug, Args)]
struct ResolveArgs {
    /// The DID to resolve
    did: String,
    /// Allow did:web / did:webvh hosts on private or loopback addresses (development only)
    #[arg(long)]
    allow_private: bool,
    /// Allow plain http for did:web / did:webvh (development only; both require https)
    #[arg(long)]
    allow_http: bool,
}

/// Runs `saifu did …`.
pub async fn run(args: DidArgs, global: &GlobalArgs) -> Result<(), CliError> {
    match args.command {
        DidCommand::Create(c) => create(c, global).await,
        DidCommand::Update(u) => did_webvh::update(u, global).await,
        DidCommand::Deactivate(d) => did_webvh::deactivate(d, global).await,
        DidCommand::Resolve(r) => resolve(r, global).await,
    }
}

async fn create(args: CreateArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let key = match &args.key {
        Some(path) => keyio::load_private(path)?,
        None => {
            let key = PrivateKey::generate(args.alg.key_type())?;
            let pass = if args.encrypt {
                Some(keyio::passphrase("for the new key", true)?)
            } else {
                None
            };
            let text = keyio::private_key_text(&key, pass.as_deref().map(String::as_str))?;
            keyio::write_secret_file(args.out.as_ref().expect("clap requires --out"), &text)?;
            key
        }
    };
    if let Method::Webvh = args.method {
        return did_webvh::create(key, &args.webvh, global).await;
    }
    let public = key.public_key();
    let (did, document) = match args.method {
        Method::Key => {
            let did = saifu_did::key::did_key(public);
            let doc = saifu_did::key::resolve(&did, &Default::default())?;
            (did, doc)
        }
        Method::Jwk => {
            let did = saifu_did::jwk::did_jwk(&public.to_jwk())?;
            let doc = saifu_did::jwk::resolve(&did)?;
            (did, doc)
        }
        Method::Web => {
            let url = document_location(args.url.as_ref().expect("clap requires --url"));
            let did = saifu_did::web::did_for_url(&url)?;
            let doc = saifu_did::web::build_document(&did, std::slice::from_ref(public))?;
            (did, doc)
        }
        Method::Webvh => unreachable!("handled above"),
    };
    let doc_text = serde_json::to_string_pretty(&document).expect("serializes") + "\n";
    if let Some(path) = &args.document {
        std::fs::write(path, &doc_text).map_err(|source| CliError::Io {
            path: path.clone(),
            source,
        })?;
    }
    if global.json {
        let report = json!({ "did": did.to_string(), "didDocument": document, "keyFile": args.out.as_ref().or(args.key.as_ref()) });
        output::json(&report);
    } else {
        output::line(&did);
        if let Some(out) = &args.out {
            eprintln!("private key saved to {}", out.display());
        }
        match (&args.document, args.method) {
            (Some(path), _) => eprintln!(
                "host {} at {}",
                path.display(),
                saifu_did::web::document_url(&did)?
            ),
            (None, Method::Web) => output::text(&doc_text),
            _ => {}
        }
    }
    Ok(())
}

/// The did.json location for a did:web base URL: `https://host` → `/.well-known/did.json`,
/// `https://host/a/b` → `/a/b/did.json` (did:web §2.5.2); a URL already ending in `did.json` is kept.
fn document_location(url: &Url) -> Url {
    if url.path().ends_with("/did.json") {
        return url.clone();
    }
    let mut location = url.clone();
    let path = url.path().trim_end_matches('/');
    if path.is_empty() {
        location.set_path("/.well-known/did.json");
    } else {
        location.set_path(&format!("{path}/did.json"));
    }
    location
}

async fn resolve(args: ResolveArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let http = did_webvh::http_client(args.allow_private, args.allow_http)?;
    let resolver = Resolver::new(http, ResolverConfig::default());
    if global.json {
        let result = resolver.resolution_result(&args.did, None).await;
        output::json(&result);
        return match result.did_resolution_metadata.error {
            Some(code) => Err(CliError::ResolutionFailed(code)),
            None => Ok(()),
        };
    }
    let did: Did = args.did.parse()?;
    let resolved = resolver.resolve(&did).await?;
    output::json(&resolved.document);
    Ok(())
}
