//! `saifu wallet`: the holder's wallet on the command line — an encrypted file holding
//! credentials, receiving them from offer links (OpenID4VCI) and presenting them to verifiers
//! (OpenID4VP) after showing exactly what would be disclosed.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use saifu_wallet::model::StoredCredential;
use saifu_wallet::present::{Approval, ConsentView};
use saifu_wallet::receive::{OfferPreview, Received};
use saifu_wallet::{Wallet, WalletConfig, WalletError};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::{CliError, GlobalArgs, keyio, output};

const ABOUT: &str = "\
A wallet is one encrypted file (Argon2id + AES-256-GCM). Its passphrase is asked on the \
terminal, or read from SAIFU_PASSPHRASE in scripts.

Examples:
  saifu wallet init
  saifu wallet receive 'openid-credential-offer://?credential_offer_uri=…' --pin 493536
  saifu wallet list
  saifu wallet present 'openid4vp://?client_id=…&request_uri=…'     shows what would be shared, asks
  saifu wallet present LINK --yes --disclose /degree --disclose /given_name     for scripts
  saifu wallet history
  saifu wallet backup wallet.backup      (restore with `saifu wallet restore wallet.backup`)

Against a development node on this machine (http://127.0.0.1:8080) add --allow-local.";

/// `saifu wallet …`.
#[derive(Debug, Args)]
#[command(about = "Hold credentials: receive (OpenID4VCI), present (OpenID4VP), history, backup", long_about = ABOUT)]
pub struct WalletArgs {
    /// The wallet file
    #[arg(long, env = "SAIFU_WALLET", global = true, default_value_os_t = default_path())]
    wallet: PathBuf,
    /// Allow plain http and loopback/private addresses (a development node on this machine)
    #[arg(long, env = "SAIFU_WALLET_ALLOW_LOCAL", global = true)]
    allow_local: bool,
    #[command(subcommand)]
    command: WalletCommand,
}

#[derive(Debug, Subcommand)]
enum WalletCommand {
    /// Create a new, empty wallet file
    Init,
    /// List the credentials
    List,
    /// Show one credential's claims, copies and status
    Show {
        /// Credential id (from `list`)
        id: String,
    },
    /// Accept a credential offer link (asks for the PIN when the offer has one)
    Receive {
        /// The `openid-credential-offer://` link
        offer: String,
        /// The PIN (transaction code) the issuer sent separately
        #[arg(long)]
        pin: Option<String>,
    },
    /// Collect a credential the issuer deferred
    Collect {
        /// Pending issuance id (from `receive`)
        id: String,
    },
    /// Answer a presentation request after showing what it asks for
    Present {
        /// The `openid4vp://` link
        request: String,
        /// Send without asking (scripts); only what the request needs is disclosed
        #[arg(long)]
        yes: bool,
        /// Claims you agree to disclose (JSON pointer, repeatable); anything else asked is refused
        #[arg(long)]
        disclose: Vec<String>,
        /// Decline the request (the verifier is told)
        #[arg(long, conflicts_with = "yes")]
        decline: bool,
    },
    /// What was shared with whom, and when
    History,
    /// Ask the issuers whether the credentials are still valid
    Refresh,
    /// Delete a credential and its keys
    Remove {
        /// Credential id
        id: String,
    },
    /// Write an encrypted backup (under its own passphrase)
    Backup {
        /// Backup file to write
        file: PathBuf,
    },
    /// Restore a backup into a new wallet file (--wallet)
    Restore {
        /// Backup file to read
        file: PathBuf,
    },
}

fn default_path() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("saifu").join("wallet.sqlite")
}

/// Runs a wallet command.
pub async fn run(args: WalletArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let config = if args.allow_local {
        WalletConfig::development()
    } else {
        WalletConfig::default()
    };
    let path = args.wallet;
    match args.command {
        WalletCommand::Init => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| CliError::Io {
                    path: dir.to_owned(),
                    source,
                })?;
            }
            let passphrase = keyio::passphrase("for the new wallet", true)?;
            Wallet::create(&path, passphrase.as_bytes(), config)
                .await?
                .close()
                .await;
            report(
                global,
                json!({"wallet": path}),
                &format!("created {}", path.display()),
            );
            Ok(())
        }
        WalletCommand::Restore { file } => {
            let backup = keyio::passphrase("of the backup", false)?;
            let new = keyio::passphrase("for the restored wallet", true)?;
            let wallet =
                Wallet::restore(&file, backup.as_bytes(), &path, new.as_bytes(), config).await?;
            let count = wallet.credentials().await?.len();
            report(
                global,
                json!({"wallet": path, "credentials": count}),
                &format!("restored {count} credential(s) into {}", path.display()),
            );
            Ok(())
        }
        command => {
            let passphrase = keyio::passphrase("of the wallet", false)?;
            let wallet = Wallet::open(&path, passphrase.as_bytes(), config).await?;
            let result = run_open(&wallet, command, global).await;
            wallet.close().await;
            result
        }
    }
}

async fn run_open(
    wallet: &Wallet,
    command: WalletCommand,
    global: &GlobalArgs,
) -> Result<(), CliError> {
    match command {
        WalletCommand::List => {
            let credentials = wallet.credentials().await?;
            if global.json {
                output::json(&credentials.iter().map(summary).collect::<Vec<_>>());
            } else if credentials.is_empty() {
                output::line("no credentials yet: `saifu wallet receive OFFER_LINK`");
            }
            for c in credentials.iter().filter(|_| !global.json) {
                output::line(format!(
                    "{}  {}  ({}, {}, {} unused cop{})",
                    c.id,
                    c.display.name,
                    c.display.issuer_name.as_deref().unwrap_or(&c.issuer),
                    c.status.as_str(),
                    unused(c),
                    if unused(c) == 1 { "y" } else { "ies" }
                ));
            }
        }
        WalletCommand::Show { id } => {
            let c = wallet.credential(&id).await?;
            let mut shown = summary(&c);
            shown["claims"] = Value::Object(c.claims.clone());
            output::json(&shown);
        }
        WalletCommand::Receive { offer, pin } => {
            let preview = wallet.preview_offer(&offer).await?;
            let received = receive(wallet, &preview, pin, global).await?;
            let created: Vec<Value> = received.credentials.iter().map(summary).collect();
            let pending: Vec<Value> = received
                .pending
                .iter()
                .map(|p| json!({"pending": p.id, "name": p.display.name}))
                .collect();
            let mut text = String::new();
            for c in &received.credentials {
                text.push_str(&format!(
                    "received {}  {} ({} copies)\n",
                    c.id,
                    c.display.name,
                    c.copies.len()
                ));
            }
            for p in &received.pending {
                text.push_str(&format!(
                    "deferred {}  {}: collect it later with `saifu wallet collect {}`\n",
                    p.id, p.display.name, p.id
                ));
            }
            report(
                global,
                json!({"credentials": created, "pending": pending}),
                text.trim_end(),
            );
        }
        WalletCommand::Collect { id } => match wallet.collect_deferred(&id).await? {
            Some(c) => report(
                global,
                summary(&c),
                &format!("received {}  {}", c.id, c.display.name),
            ),
            None => report(
                global,
                json!({"pending": id}),
                "still pending at the issuer: try again later",
            ),
        },
        WalletCommand::Present {
            request,
            yes,
            disclose,
            decline,
        } => present(wallet, &request, yes, &disclose, decline, global).await?,
        WalletCommand::History => {
            let history = wallet.history().await?;
            if global.json {
                output::json(&history);
            }
            for h in history.iter().filter(|_| !global.json) {
                let what: Vec<String> = h
                    .shared
                    .iter()
                    .map(|s| format!("{} [{}]", s.name, s.claims.join(", ")))
                    .collect();
                output::line(format!(
                    "{}  {}  {}  {}",
                    h.at,
                    h.verifier_name.as_deref().unwrap_or(&h.verifier),
                    h.outcome,
                    what.join("; ")
                ));
            }
        }
        WalletCommand::Refresh => {
            let credentials = wallet.refresh_status().await?;
            let listed: Vec<Value> = credentials.iter().map(summary).collect();
            let text: Vec<String> = credentials
                .iter()
                .map(|c| format!("{}  {}  {}", c.id, c.display.name, c.status.as_str()))
                .collect();
            report(global, Value::from(listed), &text.join("\n"));
        }
        WalletCommand::Remove { id } => {
            wallet.remove(&id).await?;
            report(global, json!({"removed": id}), &format!("removed {id}"));
        }
        WalletCommand::Backup { file } => {
            let passphrase = keyio::passphrase("for the backup", true)?;
            let count = wallet.backup(&file, passphrase.as_bytes()).await?;
            report(
                global,
                json!({"backup": file, "records": count}),
                &format!("wrote {count} record(s) to {}", file.display()),
            );
        }
        WalletCommand::Init | WalletCommand::Restore { .. } => unreachable!("handled in run"),
    }
    Ok(())
}

/// The pre-authorized flow (asking for the PIN when needed), or the authorization code flow
/// through the holder's browser and a loopback redirect (RFC 8252 §7.3).
async fn receive(
    wallet: &Wallet,
    preview: &OfferPreview,
    pin: Option<String>,
    global: &GlobalArgs,
) -> Result<Received, CliError> {
    let names: Vec<&str> = preview
        .credentials
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    if !global.json {
        eprintln!(
            "{} offers: {}",
            preview
                .issuer_name
                .as_deref()
                .unwrap_or(&preview.offer.credential_issuer),
            names.join(", ")
        );
    }
    if preview.is_pre_authorized() {
        let pin = match (pin, &preview.pin) {
            (Some(pin), _) => Some(pin),
            (None, Some(tx_code)) if std::io::stdin().is_terminal() => {
                let prompt = tx_code
                    .description
                    .as_deref()
                    .unwrap_or("PIN from the issuer");
                Some(rpassword::prompt_password(format!("{prompt}: ")).map_err(CliError::Prompt)?)
            }
            (None, _) => None,
        };
        return Ok(wallet.accept_offer(preview, pin.as_deref()).await?);
    }
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|source| CliError::Io {
            path: "127.0.0.1:0".into(),
            source,
        })?;
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let start = wallet.begin_authorization(preview, &redirect_uri).await?;
    eprintln!(
        "Open this address in your browser and log in at the issuer:\n\n  {}\n",
        start.authorization_url
    );
    let redirected = wait_for_redirect(&listener, port).await?;
    Ok(wallet.complete_authorization(&start, &redirected).await?)
}

/// Accepts the browser's redirect on the loopback listener; the full URL it asked for.
async fn wait_for_redirect(listener: &TcpListener, port: u16) -> Result<String, CliError> {
    let io = |source| CliError::Io {
        path: format!("127.0.0.1:{port}").into(),
        source,
    };
    loop {
        let (mut stream, _) = listener.accept().await.map_err(io)?;
        let mut buffer = vec![0u8; 8192];
        let read = stream.read(&mut buffer).await.map_err(io)?;
        let head = String::from_utf8_lossy(&buffer[..read]);
        let Some(target) = head
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("GET "))
            .and_then(|rest| rest.split(' ').next())
            .filter(|target| target.starts_with("/callback"))
        else {
            let _ = stream
                .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
                .await;
            continue;
        };
        let page = "<!doctype html><title>saifu wallet</title><p>Done: you can close this window and return to the terminal.</p>";
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
            page.len()
        );
        let _ = stream.write_all(answer.as_bytes()).await;
        return Ok(format!("http://127.0.0.1:{port}{target}"));
    }
}

async fn present(
    wallet: &Wallet,
    link: &str,
    yes: bool,
    disclose: &[String],
    decline: bool,
    global: &GlobalArgs,
) -> Result<(), CliError> {
    let request = wallet.open_request(link).await?;
    if decline {
        let entry = wallet.decline(&request).await?;
        report(global, json!(entry), "declined; the verifier was told");
        return Ok(());
    }
    let view = wallet.consent(&request).await?;
    if !global.json {
        eprint!("{}", describe(&view));
    }
    if !view.satisfiable {
        return Err(WalletError::CannotSatisfy(
            "no credential in this wallet answers every required part".into(),
        )
        .into());
    }
    let mut approval = Approval::minimal(&view);
    if !disclose.is_empty() {
        for choice in &mut approval.choices {
            let query = view.queries.iter().find(|q| q.id == choice.query);
            let option =
                query.and_then(|q| q.options.iter().find(|o| o.credential == choice.credential));
            choice.withheld = option
                .map(|o| {
                    o.claims
                        .iter()
                        .map(|c| c.path.clone())
                        .filter(|p| !disclose.contains(p))
                        .collect()
                })
                .unwrap_or_default();
        }
    }
    if !yes && !confirm()? {
        let entry = wallet.decline(&request).await?;
        report(global, json!(entry), "declined; the verifier was told");
        return Ok(());
    }
    let presented = wallet.respond(&request, &view, &approval).await?;
    let mut text = format!(
        "shared with {}",
        request
            .verifier_name
            .as_deref()
            .unwrap_or(&request.client_id)
    );
    if let Some(uri) = &presented.redirect_uri {
        text.push_str(&format!("\ncontinue at {uri}"));
    }
    report(
        global,
        json!({"history": presented.history, "redirect_uri": presented.redirect_uri}),
        &text,
    );
    Ok(())
}

/// The consent view as text.
fn describe(view: &ConsentView) -> String {
    let verifier = &view.verifier;
    let mut text = format!(
        "{} ({}) asks for:\n",
        verifier.name.as_deref().unwrap_or(&verifier.client_id),
        if verifier.authenticated {
            format!("identity verified: {}", verifier.client_id)
        } else {
            format!(
                "not authenticated; answers go to {}",
                verifier.response_host
            )
        }
    );
    for query in &view.queries {
        let need = if query.required {
            "required"
        } else {
            "optional"
        };
        match query.options.first() {
            None => text.push_str(&format!(
                "  {} ({need}): no matching credential\n",
                query.id
            )),
            Some(option) => {
                text.push_str(&format!("  {} ({need}) from {}:\n", query.id, option.name));
                for claim in &option.claims {
                    text.push_str(&format!("    {}: {}\n", claim.label, claim.value));
                }
                if option.whole_credential {
                    text.push_str("    note: this credential cannot share parts of itself; the verifier receives all of it\n");
                }
                if option.linkable {
                    text.push_str("    warning: every copy was shown to another verifier; they could link you\n");
                }
            }
        }
    }
    text
}

/// Asks "Share? [y/N]" on the terminal; without one, consent needs --yes.
fn confirm() -> Result<bool, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::BadArgument(
            "nothing was shared: confirm with --yes (or run in a terminal to be asked)".into(),
        ));
    }
    eprint!("Share this? [y/N] ");
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(CliError::Prompt)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

fn unused(credential: &StoredCredential) -> usize {
    credential
        .copies
        .iter()
        .filter(|c| c.shown_to.is_none())
        .count()
}

fn summary(c: &StoredCredential) -> Value {
    json!({
        "id": c.id, "name": c.display.name, "issuer": c.issuer,
        "issuer_name": c.display.issuer_name, "vct": c.vct, "status": c.status.as_str(),
        "copies": c.copies.len(), "unused_copies": unused(c), "received_at": c.received_at,
    })
}

fn report(global: &GlobalArgs, value: Value, text: &str) {
    if global.json {
        output::json(&value);
    } else if !text.is_empty() {
        output::line(text);
    }
}
