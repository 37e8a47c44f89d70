//! `saifu jws`: sign a payload as a JWS and verify one, with a key file or the signer's DID.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use saifu_crypto::jws::{self, DecodedJws, VerifyPolicy};
use saifu_crypto::{Algorithm, LocalSigner, PublicKey, b64};
use saifu_did::http::{HttpClient, HttpConfig};
use saifu_did::{DidUrl, Relationship, Resolver, ResolverConfig};
use serde_json::{Map, Value, json};

use super::keyio;
use super::{CliError, GlobalArgs, input, output};

/// `saifu jws …`
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  echo '{\"hello\":\"world\"}' | saifu jws sign --key issuer.jwk --typ example+jwt > token.jws
  saifu jws verify token.jws --key issuer-public.jwk      check with a known key
  saifu jws verify token.jws                              check with the DID URL in `kid`
  saifu jws verify token.jws --alg ES256 --json           only accept ES256; print header and payload")]
pub struct JwsArgs {
    #[command(subcommand)]
    command: JwsCommand,
}

#[derive(Debug, Subcommand)]
enum JwsCommand {
    /// Sign a payload (a file, or stdin) and print the compact JWS
    Sign(SignArgs),
    /// Verify a JWS (a file, or stdin) and print its payload
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
struct SignArgs {
    /// The payload file; `-` or nothing reads stdin
    payload: Option<PathBuf>,
    /// The private key file (plain JWK or encrypted key file)
    #[arg(long)]
    key: PathBuf,
    /// `kid` header, e.g. the DID URL of the key (`did:key:z…#z…`) so verifiers can find it
    #[arg(long)]
    kid: Option<String>,
    /// `typ` header, e.g. `dc+sd-jwt` or `example+jwt`
    #[arg(long)]
    typ: Option<String>,
    /// Extra protected header members as a JSON object
    #[arg(long, value_parser = parse_object)]
    header: Option<Map<String, Value>>,
    /// Use the legacy `EdDSA` algorithm name for Ed25519 keys (for peers that predate RFC 9864)
    #[arg(long)]
    legacy_eddsa: bool,
    /// Print the flattened JSON serialization instead of the compact one
    #[arg(long)]
    flattened: bool,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// The JWS file (compact or JSON); `-` or nothing reads stdin
    token: Option<PathBuf>,
    /// The signer's public key (any key file); without it, `kid` is resolved as a DID URL
    #[arg(long)]
    key: Option<PathBuf>,
    /// Accept only these algorithms (repeatable); default: any algorithm saifu supports
    #[arg(long = "alg", value_parser = parse_alg)]
    algs: Vec<Algorithm>,
    /// Allow did:web hosts on private or loopback addresses (development only)
    #[arg(long)]
    allow_private: bool,
}

fn parse_object(s: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str(s) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err("expected a JSON object, e.g. '{\"cty\":\"json\"}'".into()),
    }
}

fn parse_alg(s: &str) -> Result<Algorithm, String> {
    s.parse()
        .map_err(|e: saifu_crypto::CryptoError| e.to_string())
}

/// Runs `saifu jws …`.
pub async fn run(args: JwsArgs, global: &GlobalArgs) -> Result<(), CliError> {
    match args.command {
        JwsCommand::Sign(s) => sign(s).await,
        JwsCommand::Verify(v) => verify(v, global).await,
    }
}

async fn sign(args: SignArgs) -> Result<(), CliError> {
    let payload = input::read_bytes(args.payload.as_deref())?;
    let mut signer = LocalSigner::new(keyio::load_private(&args.key)?)?;
    if args.legacy_eddsa {
        signer = signer.with_algorithm(Algorithm::EdDSA)?;
    }
    if let Some(kid) = args.kid {
        signer = signer.with_key_id(kid);
    }
    let mut header = args.header.unwrap_or_default();
    if let Some(typ) = args.typ {
        header.insert("typ".into(), Value::String(typ));
    }
    if args.flattened {
        let flat = jws::sign_flattened(&header, None, &payload, &signer).await?;
        output::line(serde_json::to_string(&flat).expect("serializes"));
    } else {
        output::line(jws::sign_compact(&header, &payload, &signer).await?);
    }
    Ok(())
}

async fn verify(args: VerifyArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let text = input::read_text(args.token.as_deref())?;
    let text = text.trim();
    let decoded: Vec<DecodedJws> = if text.starts_with('{') {
        jws::decode_json(text, jws::DEFAULT_MAX_LEN)?
    } else {
        vec![jws::decode_compact(text, jws::DEFAULT_MAX_LEN)?]
    };
    let allowed: Vec<Algorithm> = if args.algs.is_empty() {
        Algorithm::ALL.to_vec()
    } else {
        args.algs
    };
    let policy = VerifyPolicy::new(&allowed);
    let jws = decoded
        .first()
        .expect("decoders return at least one signature");
    let key = match &args.key {
        Some(path) => keyio::load_public(path)?,
        None => key_from_kid(jws, args.allow_private).await?,
    };
    for candidate in &decoded {
        candidate.verify(&key, &policy)?;
    }
    if global.json {
        let payload = serde_json::from_slice::<Value>(&jws.payload)
            .unwrap_or_else(|_| Value::String(b64::encode(&jws.payload)));
        let report = json!({
            "verified": true,
            "alg": jws.alg(),
            "kid": jws.kid(),
            "protectedHeader": jws.protected,
            "payload": payload,
            "keyThumbprint": key.thumbprint(),
        });
        output::json(&report);
    } else {
        output::bytes(&jws.payload);
        eprintln!(
            "\nverified: {} signature by key {}",
            jws.alg(),
            key.thumbprint()
        );
    }
    Ok(())
}

/// Resolves the `kid` header as a DID URL to the key authorised to sign (assertionMethod).
async fn key_from_kid(jws: &DecodedJws, allow_private: bool) -> Result<PublicKey, CliError> {
    let kid = jws.kid().ok_or(CliError::NoVerificationKey)?;
    let url: DidUrl = kid.parse()?;
    let http = HttpClient::new(HttpConfig {
        allow_private,
        ..HttpConfig::default()
    })?;
    let resolver = Resolver::new(http, ResolverConfig::default());
    let method = resolver
        .resolve_verification_method_for(&url, Relationship::AssertionMethod)
        .await?;
    Ok(method.public_key()?)
}
