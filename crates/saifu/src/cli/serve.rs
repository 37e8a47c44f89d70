//! `saifu serve`: run a node until Ctrl-C or SIGTERM.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use saifu_server::{Config, ConfigLayer, LogFormat, Server, shutdown_signal};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

use crate::cli::demo::{DemoNode, seed};
use crate::cli::{CliError, GlobalArgs, output};

/// Shown after the options of `saifu serve --help`.
const AFTER_HELP: &str = "\
Settings are merged in this order, later ones winning: built-in defaults, the --config file, \
SAIFU_* environment variables (SAIFU_LISTEN, SAIFU_PORT, SAIFU_DATA_DIR, SAIFU_DATABASE_URL, \
SAIFU_LOG_FORMAT, SAIFU_PUBLIC_URL, SAIFU_ADMIN_TOKEN, SAIFU_TLS_SELF_SIGNED), then these flags. Without \
SAIFU_ADMIN_TOKEN the node writes a generated admin token to `admin-token` in its data directory, \
where `saifu issuer …` on the same machine finds it. Logs go to stderr; RUST_LOG filters them \
(e.g. RUST_LOG=debug). The first line on stdout names the address the node listens on; the
next ones where each enabled role answers (with --json: one line with `listening`, `tls_ca`
and `endpoints`).

Examples:
  saifu serve
      Serve on http://127.0.0.1:8080 with SQLite in ~/.local/share/saifu/saifu.db.
  saifu serve --port 0
      Let the system pick a free port; the first line of output names it.
  saifu serve --listen 0.0.0.0:8080 --public-url https://saifu.example.org
      Accept connections from other machines, behind a TLS proxy.
  saifu serve --tls-self-signed
      Serve https://localhost:8080 with a certificate made once into tls/ in the data directory;
      the second line of output names the CA file clients must trust, e.g.
        curl --cacert ~/.local/share/saifu/tls/ca.pem https://localhost:8080/healthz
        NODE_EXTRA_CA_CERTS=~/.local/share/saifu/tls/ca.pem node client.mjs
  saifu serve --database-url postgres://saifu@127.0.0.1:5432/saifu
      Keep the data in PostgreSQL, so several nodes can share it.
  saifu serve --config /etc/saifu/saifu.toml
      Read settings from a file such as:
        listen = \"0.0.0.0:8080\"
        data_dir = \"/var/lib/saifu\"
        log_format = \"json\"

  saifu serve --demo
      Also seed the demo ecosystem (Hanako's offers, an employer's and a shop's requests) and
      print the links to open in a browser.

Check a running node: curl http://127.0.0.1:8080/healthz";

/// Options of `saifu serve`; each one overrides the config file and the environment.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct ServeArgs {
    /// Read settings from this TOML file
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Listen on this port (0: any free port) [default: 8080]
    #[arg(long, value_name = "N")]
    port: Option<u16>,

    /// Listen on this address and port [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,

    /// Keep the node's files here [default: $XDG_DATA_HOME/saifu or ~/.local/share/saifu]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// Use this database: postgres://USER@HOST:PORT/DB, sqlite://PATH or a file path
    /// [default: saifu.db in the data directory]
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,

    /// Write logs as human-readable text or as JSON lines [default: text]
    #[arg(long, value_name = "text|json")]
    log_format: Option<LogFormat>,

    /// The https URL clients reach this node at, if not the listen address (behind a proxy)
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,

    /// Serve https with a certificate for localhost, 127.0.0.1 and ::1 that the node makes
    /// once and keeps in its data directory (did:web, status lists and the W3C suites need https)
    #[arg(long)]
    tls_self_signed: bool,

    /// Seed the demo ecosystem (as `saifu demo` does) and print the links to click
    #[arg(long)]
    demo: bool,
}

/// Loads the configuration, starts logging, binds, announces the address on stdout and serves
/// until a shutdown signal, then drains requests and exits.
pub async fn run(args: ServeArgs, global: &GlobalArgs) -> Result<(), CliError> {
    serve(args, global, "saifu", |flags| flags).await
}

/// [`run`] with the flags' settings adjusted by `roles` (e.g. to switch roles off), announcing
/// itself as `name`.
pub(crate) async fn serve(
    args: ServeArgs,
    global: &GlobalArgs,
    name: &str,
    roles: impl FnOnce(ConfigLayer) -> ConfigLayer,
) -> Result<(), CliError> {
    let flags = roles(ConfigLayer {
        listen: args.listen,
        port: args.port,
        data_dir: args.data_dir,
        database_url: args.database_url,
        log_format: args.log_format,
        public_url: args.public_url,
        // Only an explicit flag overrides the file and the environment.
        tls_self_signed: args.tls_self_signed.then_some(true),
        ..ConfigLayer::default()
    });
    let mut config = Config::load(
        args.config.as_deref(),
        |name| std::env::var(name).ok(),
        flags,
    )?;
    init_logging(config.log_format);
    if args.demo {
        // The printed request links should outlive a coffee break.
        config.verifier.session_ttl_seconds = config
            .verifier
            .session_ttl_seconds
            .max(seed::REQUEST_LIFETIME_SECONDS);
    }

    let server = Server::bind(&config).await?;
    let url = match server.tls_ca_path() {
        Some(_) => server.base_url().to_owned(),
        None => format!("http://{}", server.local_addr()),
    };
    let ca = server.tls_ca_path().map(|path| path.display().to_string());
    let public = config.public_url.as_ref().map_or(url.clone(), |public| {
        public.as_str().trim_end_matches('/').to_owned()
    });
    let endpoints = endpoints(&config, &public);
    if global.json {
        let endpoints: serde_json::Map<String, serde_json::Value> = endpoints
            .into_iter()
            .map(|(role, _, url)| (role.to_owned(), url.into()))
            .collect();
        output::line(serde_json::json!({ "listening": url, "tls_ca": ca, "endpoints": endpoints }));
    } else {
        // One write: a reader that takes only the first line and closes the pipe must not
        // find later lines failing (a closed stdout ends the process).
        let mut banner = format!("{name} listening on {url}\n");
        if let Some(ca) = &ca {
            banner += &format!("clients must trust the CA certificate {ca}\n");
        }
        for (role, method, url) in endpoints {
            banner += &format!("  {role:<9} {method}{url}\n");
        }
        if config.admin_token.is_none() {
            let token = saifu_server::admin_token_path(&config.data_dir);
            banner += &format!("  admin token in {}\n", token.display());
        }
        output::text(&banner);
    }
    if !args.demo {
        server.run(shutdown_signal()).await?;
        return Ok(());
    }
    let base = public;
    let token = match &config.admin_token {
        Some(token) => token.clone(),
        None => saifu_server::read_admin_token(&config.data_dir).map_err(CliError::NoAdminToken)?,
    };
    // With --tls-self-signed the seeding client trusts the node's own CA, as clients must.
    let demo = DemoNode::connect(base, token, server.tls_ca_path())?;
    let running = tokio::spawn(server.run(shutdown_signal()));
    seed::seed(&demo).await?.print(global.json);
    match running.await {
        Ok(served) => Ok(served?),
        // The server task only ends in error through a panic; let it surface as one.
        Err(join) => std::panic::resume_unwind(join.into_panic()),
    }
}

/// Where each enabled role answers, for the lines `saifu serve` prints at start: what a newcomer
/// opens first, and what an operator checks. Each with the method when it is not a page to open.
fn endpoints(config: &Config, base: &str) -> Vec<(&'static str, &'static str, String)> {
    let roles = [
        (
            config.issuer.enabled || config.verifier.enabled,
            "portals",
            "",
            "/",
        ),
        (config.wallet.enabled, "wallet", "", "/wallet"),
        (
            config.issuer.enabled,
            "issuer",
            "",
            "/.well-known/openid-credential-issuer",
        ),
        (
            config.verifier.enabled,
            "verifier",
            "POST ",
            "/admin/presentations",
        ),
        (
            config.vc_api.enabled,
            "vc-api",
            "POST ",
            "/credentials/verify",
        ),
        (
            config.registry.enabled,
            "registry",
            "",
            "/registry/log-keys",
        ),
        (
            config.witness.enabled,
            "witness",
            "POST ",
            "/witness/add-checkpoint",
        ),
        (true, "openapi", "", "/openapi.json"),
        (true, "metrics", "", "/metrics"),
    ];
    roles
        .into_iter()
        .filter(|(enabled, ..)| *enabled)
        .map(|(_, role, method, path)| (role, method, format!("{base}{path}")))
        .collect()
}

/// Logs to stderr (stdout carries the command's output) at `info` unless RUST_LOG says
/// otherwise; colours only on a terminal, so files and collectors get plain text.
fn init_logging(format: LogFormat) {
    let filter = EnvFilter::builder()
        .with_default_directive(LevelFilter::INFO.into())
        .from_env_lossy();
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
}
