//! `saifu issuer`: run a node's issuer from the command line — register subjects (one by one or
//! from a spreadsheet's CSV), make offers for them, list what was issued, and revoke, suspend or
//! reinstate it. Every command calls the node's admin API.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};

use crate::cli::input;
use crate::cli::node::{NodeArgs, NodeClient};
use crate::cli::{CliError, GlobalArgs, keyio, output};

/// Environment variable a script sets instead of typing a subject's login password.
pub const SUBJECT_PASSWORD_ENV: &str = "SAIFU_SUBJECT_PASSWORD";

const AFTER_HELP: &str = "\
Commands act on a running node (`saifu serve`): --node URL or SAIFU_NODE names it \
(default http://127.0.0.1:8080); the admin token comes from SAIFU_ADMIN_TOKEN or, on the \
node's own machine, from the admin-token file in its data directory.

Examples:
  saifu issuer subject add s1001 --claims '{\"given_name\":\"Hanako\",\"family_name\":\"Sato\"}'
  saifu issuer subject import students.csv        header: id,password,given_name,family_name,...
  saifu issuer offer s1001 --config diploma --pin
      prints the openid-credential-offer:// link (and the PIN to send separately)
  saifu issuer offer s1001 --config diploma --qr offer.svg --by-reference
  saifu issuer credentials --subject s1001
  saifu issuer revoke 48213        (suspend / reinstate work the same way)";

/// `saifu issuer …`
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct IssuerArgs {
    #[command(flatten)]
    node: NodeArgs,
    #[command(subcommand)]
    command: IssuerCommand,
}

#[derive(Debug, Subcommand)]
enum IssuerCommand {
    /// Register and list subjects (the people credentials are issued to)
    #[command(subcommand)]
    Subject(SubjectCommand),
    /// Make a credential offer for a subject and print its link
    Offer(OfferArgs),
    /// List issued credentials (newest first) with their status
    Credentials {
        /// Only those of this subject
        #[arg(long)]
        subject: Option<String>,
        /// At most this many
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Revoke a credential for good (by its number, from `credentials`)
    Revoke {
        /// The credential's number (`status_index` in `saifu issuer credentials`)
        index: i64,
    },
    /// Suspend a credential until it is reinstated
    Suspend {
        /// The credential's number (`status_index` in `saifu issuer credentials`)
        index: i64,
    },
    /// Make a suspended credential valid again
    Reinstate {
        /// The credential's number (`status_index` in `saifu issuer credentials`)
        index: i64,
    },
}

#[derive(Debug, Subcommand)]
enum SubjectCommand {
    /// Create or replace a subject
    Add {
        /// The subject's id (student number, resident number, employee id)
        id: String,
        /// The claims, as JSON text or @FILE
        #[arg(long, value_name = "JSON|@FILE")]
        claims: String,
        /// Let the subject log in at the issuer (authorization code flow); prompts for the
        /// password, or reads SAIFU_SUBJECT_PASSWORD
        #[arg(long)]
        login: bool,
    },
    /// Import subjects from CSV: an `id` column, an optional `password` column, one column per
    /// claim (`address.locality` nests); all rows or none
    Import {
        /// The CSV file (`-` for stdin)
        file: PathBuf,
    },
    /// List subjects
    List {
        /// At most this many
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Show one subject
    Show {
        /// The subject's id
        id: String,
    },
    /// Delete a subject (what was issued stays recorded and revocable)
    Remove {
        /// The subject's id
        id: String,
    },
}

#[derive(Debug, Args)]
struct OfferArgs {
    /// The subject the credential is for
    subject: String,
    /// The credential configuration (`pid`, `diploma`, `employee`, or one from the config)
    #[arg(long = "config", value_name = "ID")]
    config: String,
    /// Require a 6-digit PIN, printed here for you to send by another channel
    #[arg(long)]
    pin: bool,
    /// Publish the offer at a URL and put only that URL in the link (shorter QR codes)
    #[arg(long)]
    by_reference: bool,
    /// Also let the subject log in at the issuer instead of using the pre-authorized code
    #[arg(long)]
    authorization_code: bool,
    /// Write the link's QR code (SVG) to this file
    #[arg(long, value_name = "FILE")]
    qr: Option<PathBuf>,
}

/// Runs `saifu issuer …`.
pub async fn run(args: IssuerArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let node = NodeClient::new(&args.node)?;
    match args.command {
        IssuerCommand::Subject(command) => subject(&node, command, global).await,
        IssuerCommand::Offer(offer_args) => offer(&node, offer_args, global).await,
        IssuerCommand::Credentials { subject, limit } => {
            let mut path = format!("/admin/credentials?limit={limit}");
            if let Some(subject) = subject {
                path.push_str(&format!("&subject={}", encode(&subject)));
            }
            let listed = node.get(&path).await?;
            show_credentials(&listed, global);
            Ok(())
        }
        IssuerCommand::Revoke { index } => status(&node, index, "revoke", global).await,
        IssuerCommand::Suspend { index } => status(&node, index, "suspend", global).await,
        IssuerCommand::Reinstate { index } => status(&node, index, "reinstate", global).await,
    }
}

fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

fn parse_claims(text: &str) -> Result<Map<String, Value>, CliError> {
    let text = match text.strip_prefix('@') {
        Some(path) => keyio::read_text(std::path::Path::new(path))?,
        None => text.to_owned(),
    };
    match serde_json::from_str(&text) {
        Ok(Value::Object(claims)) => Ok(claims),
        Ok(_) => Err(CliError::BadArgument(
            "--claims must be a JSON object such as {\"given_name\":\"Hanako\"}".into(),
        )),
        Err(e) => Err(CliError::BadArgument(format!("--claims is not JSON: {e}"))),
    }
}

fn subject_password() -> Result<String, CliError> {
    if let Some(p) = std::env::var(SUBJECT_PASSWORD_ENV)
        .ok()
        .filter(|p| !p.is_empty())
    {
        return Ok(p);
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(CliError::BadArgument(format!(
            "--login needs a password: set {SUBJECT_PASSWORD_ENV} or run in a terminal"
        )));
    }
    let first = rpassword::prompt_password("Subject's password: ").map_err(CliError::Prompt)?;
    let second = rpassword::prompt_password("Repeat password: ").map_err(CliError::Prompt)?;
    if first != second {
        return Err(CliError::PassphraseMismatch);
    }
    Ok(first)
}

async fn subject(
    node: &NodeClient,
    command: SubjectCommand,
    global: &GlobalArgs,
) -> Result<(), CliError> {
    match command {
        SubjectCommand::Add { id, claims, login } => {
            let mut body = json!({ "id": id, "claims": parse_claims(&claims)? });
            if login {
                body["password"] = Value::String(subject_password()?);
            }
            let subject = node.post("/admin/subjects", &body).await?;
            if global.json {
                output::json(&subject);
            } else {
                output::line(format!("subject {id} saved"));
            }
        }
        SubjectCommand::Import { file } => {
            let csv = input::read_text(Some(&file))?;
            let report = node
                .post_bytes("/admin/subjects/import", csv.into_bytes())
                .await?;
            if global.json {
                output::json(&report);
            } else {
                output::line(format!("imported {} subjects", report["imported"]));
            }
        }
        SubjectCommand::List { limit } => {
            let listed = node.get(&format!("/admin/subjects?limit={limit}")).await?;
            if global.json {
                output::json(&listed);
            } else {
                for subject in listed["subjects"].as_array().into_iter().flatten() {
                    output::line(format!(
                        "{}\t{}",
                        subject["id"].as_str().unwrap_or_default(),
                        subject["claims"]
                    ));
                }
            }
        }
        SubjectCommand::Show { id } => {
            output::json(
                &node
                    .get(&format!("/admin/subjects/{}", encode(&id)))
                    .await?,
            );
        }
        SubjectCommand::Remove { id } => {
            node.delete(&format!("/admin/subjects/{}", encode(&id)))
                .await?;
            if !global.json {
                output::line(format!("subject {id} removed"));
            } else {
                output::json(&json!({ "removed": id }));
            }
        }
    }
    Ok(())
}

async fn offer(node: &NodeClient, args: OfferArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let body = json!({
        "subject": args.subject,
        "credential_configuration_id": args.config,
        "tx_code": args.pin,
        "by_reference": args.by_reference,
        "authorization_code": args.authorization_code,
    });
    let mut created = node.post("/admin/offers", &body).await?;
    if let Some(path) = &args.qr {
        let svg = created["qr_svg"].as_str().unwrap_or_default();
        std::fs::write(path, svg).map_err(|source| CliError::Io {
            path: path.clone(),
            source,
        })?;
    }
    if global.json {
        if let Some(object) = created.as_object_mut() {
            object.remove("qr_svg");
        }
        output::json(&created);
        return Ok(());
    }
    output::line(created["link"].as_str().unwrap_or_default());
    if let Some(pin) = created["tx_code"].as_str() {
        eprintln!("PIN (send it to the holder by another channel): {pin}");
    }
    if let Some(path) = &args.qr {
        eprintln!("QR code written to {}", path.display());
    }
    Ok(())
}

fn show_credentials(listed: &Value, global: &GlobalArgs) {
    if global.json {
        output::json(listed);
        return;
    }
    output::line("INDEX\tSTATUS\tCONFIG\tSUBJECT\tISSUED_AT");
    for credential in listed["credentials"].as_array().into_iter().flatten() {
        output::line(format!(
            "{}\t{}\t{}\t{}\t{}",
            credential["status_index"],
            credential["status"].as_str().unwrap_or_default(),
            credential["credential_configuration_id"]
                .as_str()
                .unwrap_or_default(),
            credential["subject"].as_str().unwrap_or("-"),
            credential["issued_at"],
        ));
    }
}

async fn status(
    node: &NodeClient,
    index: i64,
    action: &str,
    global: &GlobalArgs,
) -> Result<(), CliError> {
    let record = node
        .post(&format!("/admin/credentials/{index}/{action}"), &json!({}))
        .await?;
    if global.json {
        output::json(&record);
    } else {
        output::line(format!(
            "credential {index} is now {}",
            record["status"].as_str().unwrap_or_default()
        ));
    }
    Ok(())
}
