//! `saifu verifier`: ask for a presentation from the command line and read its verified result.
//! Both commands call the node's admin API.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};

use crate::cli::node::{NodeArgs, NodeClient};
use crate::cli::{CliError, GlobalArgs, keyio, output};

const AFTER_HELP: &str = "\
Commands act on a running node (`saifu serve`): --node URL or SAIFU_NODE names it \
(default http://127.0.0.1:8080); the admin token comes from SAIFU_ADMIN_TOKEN or, on the \
node's own machine, from the admin-token file in its data directory.

A DCQL query names the credentials and claims to ask for, e.g. over18.json:
  {\"credentials\": [{\"id\": \"pid\", \"format\": \"dc+sd-jwt\",
    \"meta\": {\"vct_values\": [\"urn:eudi:pid:1\"]},
    \"claims\": [{\"path\": [\"age_over_18\"]}]}]}

Examples:
  saifu verifier request --dcql over18.json --qr request.svg
      prints the openid4vp:// link and the session id; a wallet scans the QR code
  saifu verifier request --dcql over18.json --client-id-prefix x509-san-dns --response-mode direct-post-jwt
  saifu verifier result 3835e248adab0a810509e0be2cbceb3a --wait 120 --json";

/// `saifu verifier …`
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct VerifierArgs {
    #[command(flatten)]
    node: NodeArgs,
    #[command(subcommand)]
    command: VerifierCommand,
}

#[derive(Debug, Subcommand)]
enum VerifierCommand {
    /// Create a presentation request and print its openid4vp:// link
    Request {
        /// The DCQL query (JSON file, `-` for stdin)
        #[arg(long, value_name = "FILE")]
        dcql: PathBuf,
        /// How the verifier identifies itself to the wallet
        #[arg(long, value_enum, default_value_t = Prefix::RedirectUri)]
        client_id_prefix: Prefix,
        /// How the wallet answers
        #[arg(long, value_enum, default_value_t = Mode::DirectPost)]
        response_mode: Mode,
        /// Write the link's QR code (SVG) to this file
        #[arg(long, value_name = "FILE")]
        qr: Option<PathBuf>,
    },
    /// Show the state of a request and, once answered, the verified result
    Result {
        /// The session id `request` printed
        id: String,
        /// Wait up to this many seconds for the wallet's answer
        #[arg(long, value_name = "SECONDS", default_value_t = 0)]
        wait: u64,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Prefix {
    /// Unsigned request by value (`redirect_uri:`)
    RedirectUri,
    /// Request object signed with an X.509 certificate for the node's host
    X509SanDns,
    /// Request object signed with the verifier's did:jwk
    DecentralizedIdentifier,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Mode {
    /// The wallet posts the vp_token in the clear (over TLS)
    DirectPost,
    /// The wallet encrypts its answer to the verifier (JWE)
    DirectPostJwt,
}

/// Runs `saifu verifier …`.
pub async fn run(args: VerifierArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let node = NodeClient::new(&args.node)?;
    match args.command {
        VerifierCommand::Request {
            dcql,
            client_id_prefix,
            response_mode,
            qr,
        } => {
            let text = keyio::read_text(&dcql)?;
            let query: Value = serde_json::from_str(&text)
                .map_err(|e| CliError::BadArgument(format!("--dcql is not JSON: {e}")))?;
            let prefix = match client_id_prefix {
                Prefix::RedirectUri => "redirect_uri",
                Prefix::X509SanDns => "x509_san_dns",
                Prefix::DecentralizedIdentifier => "decentralized_identifier",
            };
            let mode = match response_mode {
                Mode::DirectPost => "direct_post",
                Mode::DirectPostJwt => "direct_post.jwt",
            };
            let body =
                json!({"dcql_query": query, "client_id_prefix": prefix, "response_mode": mode});
            let mut created = node.post("/admin/presentations", &body).await?;
            if let Some(path) = &qr {
                let svg = created["qr_svg"].as_str().unwrap_or_default();
                std::fs::write(path, svg).map_err(|source| CliError::Io {
                    path: path.clone(),
                    source,
                })?;
            }
            if let Some(object) = created.as_object_mut() {
                object.remove("qr_svg");
            }
            if global.json {
                output::json(&created);
            } else {
                output::line(created["link"].as_str().unwrap_or_default());
                eprintln!(
                    "session {}: see the answer with `saifu verifier result {} --wait 120`",
                    created["id"].as_str().unwrap_or_default(),
                    created["id"].as_str().unwrap_or_default()
                );
            }
            Ok(())
        }
        VerifierCommand::Result { id, wait } => {
            let path = format!("/admin/presentations/{id}");
            let mut result = node.get(&path).await?;
            let deadline = tokio::time::Instant::now() + Duration::from_secs(wait);
            while result["status"] == "pending" && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(500)).await;
                result = node.get(&path).await?;
            }
            show_result(&result, global);
            Ok(())
        }
    }
}

fn show_result(result: &Value, global: &GlobalArgs) {
    if global.json {
        output::json(result);
        return;
    }
    output::line(format!(
        "status: {}",
        result["status"].as_str().unwrap_or("unknown")
    ));
    let report = &result["report"];
    if report.is_null() {
        return;
    }
    output::line(format!(
        "verified: {}",
        report["verified"]
            .as_bool()
            .map_or("unknown", |v| if v { "yes" } else { "NO" })
    ));
    for (query, credentials) in report["credentials"].as_object().into_iter().flatten() {
        for credential in credentials.as_array().into_iter().flatten() {
            output::line(format!(
                "{query}: {} from {}",
                credential["vct"].as_str().unwrap_or_default(),
                credential["issuer"].as_str().unwrap_or_default()
            ));
            for (name, value) in credential["claims"].as_object().into_iter().flatten() {
                output::line(format!("  {name}: {value}"));
            }
        }
    }
    output::line("checks:");
    for check in report["checks"].as_array().into_iter().flatten() {
        let subject = check["subject"]
            .as_str()
            .map(|s| format!(" [{s}]"))
            .unwrap_or_default();
        let reason = check["reason"]
            .as_str()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        output::line(format!(
            "  {} {}{subject}{reason}",
            check["outcome"].as_str().unwrap_or_default(),
            check["name"].as_str().unwrap_or_default()
        ));
    }
}
