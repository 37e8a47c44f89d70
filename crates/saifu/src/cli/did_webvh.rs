//! `saifu did create webvh`, `saifu did update`, `saifu did deactivate`: a controller's did:webvh
//! operations. Entries are made and signed here, with the controller's own key files; the node
//! that hosts the log only verifies and publishes them (`POST /dids/{name}/entries`).

use std::path::{Path, PathBuf};

use clap::Args;
use saifu_crypto::{LocalSigner, PrivateKey, PublicKey};
use saifu_did::http::{HttpClient, HttpConfig};
use saifu_did::webvh::hash::key_hash;
use saifu_did::webvh::{Parameters, VerifiedLog, WebvhDid, build};
use saifu_did::{Did, Resolver, ResolverConfig};
use serde_json::Value;
use url::Url;

use super::{CliError, GlobalArgs, keyio, output};

/// Where a did:webvh DID is hosted and how to reach it.
#[derive(Debug, Args)]
pub struct Reach {
    /// Allow hosts on private or loopback addresses (development only)
    #[arg(long)]
    allow_private: bool,
    /// Allow plain http (development only; did:webvh requires https)
    #[arg(long)]
    allow_http: bool,
}

/// `saifu did create webvh` options.
#[derive(Debug, Args)]
pub struct CreateWebvh {
    /// The saifu node that will host the DID, e.g. https://node.example
    #[arg(long, value_name = "URL")]
    pub host: Option<Url>,
    /// The DID's name on the node: the DID ends in `:dids:<name>`
    #[arg(long)]
    pub name: Option<String>,
    /// Commit to this key as the next update key (pre-rotation; keep the file offline)
    #[arg(long, value_name = "FILE")]
    pub next_key: Option<PathBuf>,
}

/// `saifu did update …`
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The did:webvh DID
    did: String,
    /// The signing key: a current update key, or — under pre-rotation — the committed next key,
    /// which becomes the update key
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// Commit to this key as the next update key (pre-rotation)
    #[arg(long, value_name = "FILE")]
    next_key: Option<PathBuf>,
    /// Add this key (private or public JWK file) as a verification method
    #[arg(long, value_name = "FILE")]
    add_key: Vec<PathBuf>,
    /// Remove the verification method with this Multikey (`z6Mk…`)
    #[arg(long, value_name = "MULTIKEY")]
    remove_key: Vec<String>,
    #[command(flatten)]
    reach: Reach,
}

/// `saifu did deactivate …`
#[derive(Debug, Args)]
pub struct DeactivateArgs {
    /// The did:webvh DID
    did: String,
    /// The signing key (under pre-rotation: the committed next key)
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    #[command(flatten)]
    reach: Reach,
}

/// Creates a did:webvh DID for `key` on the node `options.host` and publishes its first entry
/// with the node's admin token (`SAIFU_ADMIN_TOKEN`).
pub async fn create(
    key: PrivateKey,
    options: &CreateWebvh,
    global: &GlobalArgs,
) -> Result<(), CliError> {
    let missing = |what: &str| CliError::BadArgument(format!("did:webvh needs --{what}"));
    let host = options.host.as_ref().ok_or_else(|| missing("host"))?;
    let name = options.name.as_deref().ok_or_else(|| missing("name"))?;
    let signer = LocalSigner::new(key)?;
    let public = saifu_crypto::Signer::public_key(&signer).clone();
    let mut parameters = Parameters {
        update_keys: Some(vec![public.to_multikey()]),
        ..Parameters::default()
    };
    if let Some(next) = &options.next_key {
        parameters.next_key_hashes = Some(vec![commitment(next)?]);
    }
    let template = did_template(host, name)?;
    let state = build::document(&template, std::slice::from_ref(&public));
    let entry = build::create(state, &parameters, &now(), &signer)
        .await
        .map_err(|e| CliError::DidCreate(e.to_string()))?;
    let token = std::env::var("SAIFU_ADMIN_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    let entries = host
        .join(&format!("dids/{name}/entries"))
        .map_err(|e| CliError::BadArgument(e.to_string()))?;
    let answer = post(&entries, &entry, token.as_deref()).await?;
    report(&answer, global);
    Ok(())
}

/// Adds an entry: rotation, commitments and verification methods as the flags say.
pub async fn update(args: UpdateArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let (did, log) = current(&args.did, &args.reach).await?;
    let signer = LocalSigner::new(keyio::load_private(&args.key)?)?;
    let signing = saifu_crypto::Signer::public_key(&signer).to_multikey();
    let mut parameters = Parameters::default();
    let latest = log.latest();
    if !latest.parameters.next_key_hashes.is_empty() {
        // did:webvh 1.0 "Pre-Rotation": the revealed key replaces the update keys and a new
        // commitment (possibly empty, ending pre-rotation) must follow.
        parameters.update_keys = Some(vec![signing]);
        parameters.next_key_hashes = Some(Vec::new());
    }
    if let Some(next) = &args.next_key {
        parameters.next_key_hashes = Some(vec![commitment(next)?]);
    }
    let mut state = latest.state.clone();
    for file in &args.add_key {
        build::add_key(&mut state, &public_key(file)?);
    }
    for multikey in &args.remove_key {
        build::remove_key(&mut state, multikey);
    }
    let entry = build::update(&log, state, &parameters, &next_time(&log), &signer)
        .await
        .map_err(|e| CliError::DidCreate(e.to_string()))?;
    let answer = post(&entries_url(&did, &args.reach)?, &entry, None).await?;
    report(&answer, global);
    Ok(())
}

/// Deactivates the DID: nothing can follow.
pub async fn deactivate(args: DeactivateArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let (did, log) = current(&args.did, &args.reach).await?;
    let signer = LocalSigner::new(keyio::load_private(&args.key)?)?;
    let entry = build::deactivate(&log, &next_time(&log), &signer)
        .await
        .map_err(|e| CliError::DidCreate(e.to_string()))?;
    let answer = post(&entries_url(&did, &args.reach)?, &entry, None).await?;
    report(&answer, global);
    Ok(())
}

/// The client the resolver and the publishing requests use.
pub fn http_client(allow_private: bool, allow_http: bool) -> Result<HttpClient, CliError> {
    Ok(HttpClient::new(HttpConfig {
        allow_private,
        allow_http,
        ..HttpConfig::default()
    })?)
}

/// `did:webvh:{SCID}:<host>[%3A<port>]:dids:<name>` for a node URL.
fn did_template(host: &Url, name: &str) -> Result<String, CliError> {
    let domain = host
        .host_str()
        .ok_or_else(|| CliError::BadArgument(format!("{host} has no host")))?;
    // did:webvh forbids IP addresses: a node on loopback hosts `localhost` DIDs.
    let domain = match host.host() {
        Some(url::Host::Ipv4(ip)) if ip.is_loopback() => "localhost",
        _ => domain,
    };
    let port = host.port().map(|p| format!("%3A{p}")).unwrap_or_default();
    Ok(format!("did:webvh:{{SCID}}:{domain}{port}:dids:{name}"))
}

/// The DID and its verified log, freshly fetched.
async fn current(did: &str, reach: &Reach) -> Result<(Did, VerifiedLog), CliError> {
    let did: Did = did.parse()?;
    let resolver = Resolver::new(
        http_client(reach.allow_private, reach.allow_http)?,
        ResolverConfig::default(),
    );
    let log = resolver.webvh_log(&did).await?;
    Ok((did, (*log).clone()))
}

/// The publishing endpoint beside the DID's log.
fn entries_url(did: &Did, reach: &Reach) -> Result<Url, CliError> {
    let parsed = WebvhDid::parse(did).map_err(|e| CliError::BadArgument(e.to_string()))?;
    let mut url = parsed.sibling_url("entries");
    if reach.allow_http {
        url.set_scheme("http")
            .map_err(|()| CliError::BadArgument("cannot use http".into()))?;
    }
    Ok(url)
}

async fn post(url: &Url, entry: &Value, token: Option<&str>) -> Result<Value, CliError> {
    let mut request = reqwest::Client::new()
        .post(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(entry.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let unreachable = |source| CliError::NodeUnreachable {
        url: url.to_string(),
        source,
    };
    let response = request.send().await.map_err(unreachable)?;
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(answer);
    }
    let field = |name: &str| {
        answer
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Err(CliError::NodeRejected {
        status,
        error: field("error"),
        description: field("error_description"),
    })
}

fn report(answer: &Value, global: &GlobalArgs) {
    if global.json {
        output::json(answer);
    } else {
        output::line(answer["did"].as_str().unwrap_or_default());
        eprintln!(
            "published version {} (transparency log leaf {})",
            answer["versionId"].as_str().unwrap_or_default(),
            answer["leafIndex"]
        );
    }
}

/// The pre-rotation commitment to the key in `path`.
fn commitment(path: &Path) -> Result<String, CliError> {
    Ok(key_hash(&public_key(path)?.to_multikey()))
}

/// The public key of a private or public key file.
fn public_key(path: &Path) -> Result<PublicKey, CliError> {
    keyio::load_public(path)
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn now() -> String {
    saifu_did::datetime::format(unix_now())
}

/// Now, or one second after the latest entry if that is later: `versionTime`s must strictly
/// increase (did:webvh 1.0 "Read (Resolve)" step 4) and have whole-second precision here.
fn next_time(log: &VerifiedLog) -> String {
    saifu_did::datetime::format(unix_now().max(log.latest().time + 1))
}
