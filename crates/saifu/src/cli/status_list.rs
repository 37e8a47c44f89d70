//! `saifu status-list`: keep a Token Status List in a local file, change entries, sign it as a
//! Status List Token (`statuslist+jwt`) and verify such tokens.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use saifu_credential::status::token::jwt as status_jwt;
use saifu_credential::status::{
    Bits, Limits, StatusList, StatusListError, StatusListToken, StatusValue, TokenError,
    VerifyOptions,
};
use saifu_crypto::{Algorithm, LocalSigner};
use serde_json::{Value, json};

use super::credential::{now, parse_duration};
use super::keyio;
use super::{CliError, GlobalArgs, input, output};

/// `saifu status-list …`
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  saifu status-list create --bits 1 --size 100000 --out list.json   all entries valid
  saifu status-list set list.json 42 invalid                         revoke credential #42
  saifu status-list get list.json 42
  saifu status-list token list.json --key issuer.jwk --uri https://issuer.example/status/1 \\
      --ttl 3600 --valid-for 1d > status.jwt                         publish this at the URI
  saifu status-list verify status.jwt --key issuer.pub.jwk \\
      --uri https://issuer.example/status/1 --idx 42              status of entry 42

Credentials point at an entry with `saifu credential issue --status-uri URI --status-idx N`.
Values: valid (0x00), invalid (0x01, revoked), suspended (0x02, needs --bits 2 or more),
or any number that fits the list's bits, e.g. 0x03.")]
pub struct StatusListArgs {
    #[command(subcommand)]
    command: StatusListCommand,
}

#[derive(Debug, Subcommand)]
enum StatusListCommand {
    /// Create a list file with every entry valid (JSON {"bits", "lst"})
    Create(CreateArgs),
    /// Set the status of one entry in a list file
    Set {
        /// The list file (rewritten in place)
        file: PathBuf,
        /// The entry's index
        idx: u64,
        /// valid, invalid, suspended, or a number such as 0x03
        #[arg(value_parser = parse_status)]
        value: StatusValue,
    },
    /// Print the status of one entry in a list file
    Get {
        /// The list file
        file: PathBuf,
        /// The entry's index
        idx: u64,
    },
    /// Sign a list file as a Status List Token (statuslist+jwt) and print it
    Token(TokenArgs),
    /// Verify a Status List Token and print one entry's status or a summary
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
struct CreateArgs {
    /// Bits per entry: 1 (valid/invalid), 2 (adds suspended), 4 or 8
    #[arg(long, default_value = "1", value_parser = parse_bits)]
    bits: Bits,
    /// Number of entries (rounded up to a whole byte)
    #[arg(long)]
    size: u64,
    /// The list file to create (never overwritten)
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct TokenArgs {
    /// The list file
    file: PathBuf,
    /// The Status Issuer's private key (usually the credential issuer's key)
    #[arg(long)]
    key: PathBuf,
    /// The URI the token will be published at (its `sub`; credentials name it in --status-uri)
    #[arg(long)]
    uri: String,
    /// How long verifiers may cache the token, in seconds (`ttl`)
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    ttl: Option<u64>,
    /// Validity from now, setting `exp`: e.g. 1d, 12h, 3600 (seconds)
    #[arg(long, value_parser = parse_duration)]
    valid_for: Option<i64>,
    /// `kid` header, e.g. the issuer's DID URL
    #[arg(long)]
    kid: Option<String>,
    /// `iss` claim
    #[arg(long)]
    iss: Option<String>,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// The Status List Token file (`-` reads stdin)
    token: PathBuf,
    /// The Status Issuer's public key (any key file)
    #[arg(long)]
    key: PathBuf,
    /// The URI the token is published at; must equal its `sub`
    #[arg(long)]
    uri: String,
    /// Print this entry's status (default: counts of each status)
    #[arg(long)]
    idx: Option<u64>,
}

fn parse_bits(s: &str) -> Result<Bits, String> {
    s.parse::<u64>()
        .ok()
        .and_then(|n| Bits::try_from(n).ok())
        .ok_or_else(|| "bits must be 1, 2, 4 or 8".into())
}

fn parse_status(s: &str) -> Result<StatusValue, String> {
    let raw = match s.to_ascii_lowercase().as_str() {
        "valid" => Ok(0),
        "invalid" | "revoked" => Ok(1),
        "suspended" => Ok(2),
        other => match other.strip_prefix("0x") {
            Some(hex) => u8::from_str_radix(hex, 16),
            None => other.parse::<u8>(),
        },
    };
    raw.map(StatusValue::from_raw)
        .map_err(|_| "expected valid, invalid, suspended or a number 0–255 such as 0x03".into())
}

/// `invalid (0x01)`, `valid (0x00)`, `application-specific (0x03)`.
pub(super) fn status_text(value: StatusValue) -> String {
    let name = match value {
        StatusValue::Valid => "valid",
        StatusValue::Invalid => "invalid",
        StatusValue::Suspended => "suspended",
        StatusValue::ApplicationSpecific(_) => "application-specific",
        StatusValue::Unassigned(_) => "unassigned",
    };
    format!("{name} ({:#04x})", value.raw())
}

fn status_json(idx: u64, value: StatusValue) -> Value {
    let text = status_text(value);
    let name = text.split(' ').next().unwrap_or_default();
    json!({ "idx": idx, "status": name, "value": value.raw() })
}

/// Runs `saifu status-list …`.
pub async fn run(args: StatusListArgs, global: &GlobalArgs) -> Result<(), CliError> {
    match args.command {
        StatusListCommand::Create(c) => create(c, global),
        StatusListCommand::Set { file, idx, value } => {
            let mut list = load(&file)?;
            list.set(idx, value)?;
            save(&file, &list, false)?;
            print_entry(global, idx, value);
            Ok(())
        }
        StatusListCommand::Get { file, idx } => {
            let value = load(&file)?.get(idx)?;
            print_entry(global, idx, value);
            Ok(())
        }
        StatusListCommand::Token(t) => token(t).await,
        StatusListCommand::Verify(v) => verify(v, global),
    }
}

fn print_entry(global: &GlobalArgs, idx: u64, value: StatusValue) {
    if global.json {
        output::json(&status_json(idx, value));
    } else {
        output::line(format!("{idx}: {}", status_text(value)));
    }
}

fn create(args: CreateArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let per_byte = u64::from(8 / args.bits.get());
    let max = (Limits::default().max_decompressed_bytes as u64).saturating_mul(per_byte);
    if args.size == 0 || args.size > max {
        return Err(CliError::StatusListSize { max });
    }
    let list = StatusList::new(args.bits, args.size);
    save(&args.out, &list, true)?;
    if global.json {
        output::json(&json!({ "file": args.out, "bits": args.bits.get(), "size": list.len() }));
    } else {
        output::line(format!(
            "wrote {} with {} entries of {} bit(s), all valid",
            args.out.display(),
            list.len(),
            args.bits
        ));
    }
    Ok(())
}

/// Reads a list file (the JSON `StatusList` object).
fn load(path: &Path) -> Result<StatusList, CliError> {
    let bad = |source| CliError::StatusListFile {
        path: path.to_owned(),
        source,
    };
    let value: Value = serde_json::from_str(&keyio::read_text(path)?)
        .map_err(|e| bad(StatusListError::Malformed(format!("not JSON: {e}"))))?;
    StatusList::from_json(&value, &Limits::default()).map_err(bad)
}

/// Writes a list file: a new file (`create_new`), or a replacement via a temporary file and a
/// rename, so an interrupted write never leaves half a list.
fn save(path: &Path, list: &StatusList, create_new: bool) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(&list.to_json()).expect("serializes") + "\n";
    let io = |p: &Path| {
        let p = p.to_owned();
        move |source| CliError::Io { path: p, source }
    };
    if create_new {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(io(path))?;
        return file.write_all(text.as_bytes()).map_err(io(path));
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

async fn token(args: TokenArgs) -> Result<(), CliError> {
    let list = load(&args.file)?;
    url::Url::parse(&args.uri).map_err(|e| CliError::StatusUri(format!("{}: {e}", args.uri)))?;
    let mut signer = LocalSigner::new(keyio::load_private(&args.key)?)?;
    if let Some(kid) = &args.kid {
        signer = signer.with_key_id(kid.clone());
    }
    let now = now();
    let mut token = StatusListToken::new(args.uri, now, list);
    token.iss = args.iss;
    token.ttl = args.ttl;
    token.exp = args.valid_for.map(|d| now.saturating_add(d));
    output::line(status_jwt::sign(&token, &signer).await?);
    Ok(())
}

fn verify(args: VerifyArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let text = input::read_text(Some(&args.token))?;
    let key = keyio::load_public(&args.key)?;
    let options = VerifyOptions::new(&args.uri, now(), &Algorithm::ALL);
    let token = status_jwt::verify(text.trim(), &key, &options)?;
    let list = &token.status_list;
    if let Some(idx) = args.idx {
        let value = list.get(idx)?;
        if global.json {
            let mut report = status_json(idx, value);
            report["verified"] = true.into();
            report["uri"] = token.sub.clone().into();
            output::json(&report);
        } else {
            output::line(format!("{idx}: {}", status_text(value)));
            eprintln!("verified: status list token for {}", token.sub);
        }
        return Ok(());
    }
    let mut counts = std::collections::BTreeMap::<u8, u64>::new();
    for value in list.iter() {
        *counts.entry(value.raw()).or_default() += 1;
    }
    if global.json {
        let counts: serde_json::Map<String, Value> = counts
            .iter()
            .map(|(raw, n)| {
                let text = status_text(StatusValue::from_raw(*raw));
                (text, Value::from(*n))
            })
            .collect();
        output::json(&json!({
            "verified": true,
            "uri": token.sub,
            "iss": token.iss,
            "iat": token.iat,
            "exp": token.exp,
            "ttl": token.ttl,
            "bits": list.bits().get(),
            "size": list.len(),
            "counts": counts,
        }));
    } else {
        output::line(format!(
            "verified status list token for {}: {} entries of {} bit(s)",
            token.sub,
            list.len(),
            list.bits()
        ));
        for (raw, n) in counts {
            output::line(format!(
                "  {}: {n}",
                status_text(StatusValue::from_raw(raw))
            ));
        }
    }
    Ok(())
}

/// Hints for the status list errors.
pub(super) fn hint(error: &CliError) -> String {
    match error {
        CliError::StatusReference(_) => {
            "--status-uri must be an absolute https URL, e.g. https://issuer.example/status/1"
                .into()
        }
        CliError::StatusUri(_) => {
            "--uri must be an absolute URL, e.g. https://issuer.example/status/1".into()
        }
        CliError::StatusListSize { .. } => "choose a smaller --size, or split the \
             credentials over several lists"
            .into(),
        CliError::StatusListFile { .. } => {
            "give a list file made by `saifu status-list create`".into()
        }
        CliError::StatusList(StatusListError::IndexOutOfRange { .. }) => {
            "use an index below the list's size (`saifu status-list create --size N`)".into()
        }
        CliError::StatusList(StatusListError::ValueTooLarge { .. }) => {
            "the list has too few bits per entry for that value: suspended needs a list \
             created with --bits 2"
                .into()
        }
        CliError::StatusList(_) => "the status list is damaged; recreate it".into(),
        CliError::StatusToken(TokenError::SubjectMismatch { .. }) => {
            "--uri must equal the URI the token was signed for (`status-list token --uri`)".into()
        }
        CliError::StatusToken(TokenError::Jws(_)) => {
            "the token was altered or signed by another key: check --key".into()
        }
        CliError::StatusToken(TokenError::Expired { .. }) => {
            "the token expired: sign a new one with `saifu status-list token`".into()
        }
        CliError::StatusToken(_) => {
            "give a token made by `saifu status-list token` (typ statuslist+jwt)".into()
        }
        _ => unreachable!("status_list::hint handles status list errors only"),
    }
}
