//! `saifu credential`: issue SD-JWT VCs, present them (optionally with key binding) and verify
//! presentations, reporting every check the verifier made.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand, ValueEnum};
use saifu_credential::sd_jwt::{
    ClaimPath, KeyBindingPolicy, KeyBindingRequest, Limits, SdJwt, SdJwtError, VerifyOptions,
};
use saifu_credential::sd_jwt_vc::{
    IssuerKeySource, SdJwtVcError, TYP, VcIssuance, VcVerifyOptions, VerifiedVc,
    issuer_metadata_url, resolve_issuer_key, verify_vc,
};
use saifu_credential::status::token::jwt as status_jwt;
use saifu_credential::status::{
    FetchConfig, ReferenceOptions, StatusListFetcher, StatusReference, StatusValue,
};
use saifu_crypto::jws::VerifyPolicy;
use saifu_crypto::{Algorithm, LocalSigner, PublicKey};
use saifu_did::http::{HttpClient, HttpConfig};
use saifu_did::{DidUrl, Relationship, Resolver, ResolverConfig};
use serde_json::{Map, Value, json};

use super::keyio;
use super::status_list::status_text;
use super::{CliError, GlobalArgs, input, output};

/// `saifu credential …`
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  saifu keys generate --alg ES256 --out issuer.jwk
  saifu keys generate --alg EdDSA --out holder.jwk
  echo '{\"given_name\":\"Erika\",\"address\":{\"street\":\"Heidestr. 17\",\"city\":\"Köln\"}}' > claims.json
  saifu credential issue --vct https://example.com/pid --claims claims.json \\
      --sd /given_name,/address/street --issuer-key issuer.jwk --holder-key holder.jwk \\
      --valid-for 365d > cred.sdjwt
  saifu credential present cred.sdjwt --disclose /given_name \\
      --holder-key holder.jwk --aud https://verifier.example --nonce n-0S6_WzA2Mj > pres.sdjwt
  saifu keys public issuer.jwk > issuer.pub.jwk
  saifu credential verify pres.sdjwt --issuer-key issuer.pub.jwk \\
      --aud https://verifier.example --nonce n-0S6_WzA2Mj --json")]
pub struct CredentialArgs {
    #[command(subcommand)]
    command: CredentialCommand,
}

#[derive(Debug, Subcommand)]
enum CredentialCommand {
    /// Issue a credential (an SD-JWT VC) and print it
    Issue(IssueArgs),
    /// Make a presentation revealing only the chosen claims, optionally with key binding
    Present(PresentArgs),
    /// Verify a credential or presentation and print the claims it discloses
    Verify(VerifyArgs),
}

/// The credential formats `issue` can produce.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// SD-JWT VC (draft-ietf-oauth-sd-jwt-vc, `typ` dc+sd-jwt)
    #[value(name = "sd-jwt-vc")]
    SdJwtVc,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Registered claims: `vct` comes from --vct, `iat` is now, `exp` is now + --valid-for (no `exp` \
without it), `cnf.jwk` is the --holder-key, `status` comes from --status-uri/--status-idx. \
`iss` defaults to the DID of --kid when --kid is a DID URL (did:key:z…#z…), which is what \
`credential verify` needs to find the key without --issuer-key; otherwise there is no `iss` \
unless --iss is given (e.g. an https issuer URL publishing JWT VC Issuer Metadata).")]
struct IssueArgs {
    /// Credential format
    #[arg(long, value_enum, default_value = "sd-jwt-vc")]
    format: Format,
    /// Credential type (`vct`), e.g. https://example.com/pid or urn:eudi:pid:1
    #[arg(long)]
    vct: String,
    /// The subject's claims: a JSON object file (`-` reads stdin)
    #[arg(long)]
    claims: PathBuf,
    /// Selectively disclosable claims as JSON pointers, comma-separated or repeated:
    /// /given_name,/address/street,/nationalities/1
    #[arg(long = "sd", value_delimiter = ',', value_parser = parse_path)]
    sd: Vec<ClaimPath>,
    /// The issuer's private key file (plain JWK or encrypted key file)
    #[arg(long)]
    issuer_key: PathBuf,
    /// The holder's key (a public or private JWK; only the public half is used), put in `cnf.jwk`
    #[arg(long)]
    holder_key: Option<PathBuf>,
    /// `kid` header, e.g. the issuer's DID URL (did:key:z…#z…) so verifiers can resolve the key
    #[arg(long)]
    kid: Option<String>,
    /// `iss` claim; default: the DID of --kid when --kid is a DID URL, else none
    #[arg(long)]
    iss: Option<String>,
    /// Validity from now, setting `exp`: e.g. 365d, 12h, 30m, 3600 (seconds)
    #[arg(long, value_parser = parse_duration)]
    valid_for: Option<i64>,
    /// Status list URI (`status.status_list.uri`, https); requires --status-idx
    #[arg(long, requires = "status_idx")]
    status_uri: Option<String>,
    /// Index of this credential in the status list; requires --status-uri
    #[arg(long, requires = "status_uri")]
    status_idx: Option<u64>,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Each --disclose path reveals its claim and the disclosable claims on the way to it; a path that \
names nothing is an error, so a typo never reveals less than intended. Without --disclose only \
the always-visible claims are shown. With --holder-key the presentation ends in a KB-JWT \
signed by the holder (the key in the credential's `cnf.jwk`) over --aud, --nonce and the \
chosen disclosures.")]
struct PresentArgs {
    /// The credential as issued (a file, or `-` for stdin)
    credential: PathBuf,
    /// Claims to reveal as JSON pointers, comma-separated or repeated: /given_name,/address/street
    #[arg(long = "disclose", value_delimiter = ',', value_parser = parse_path)]
    disclose: Vec<ClaimPath>,
    /// The holder's private key: adds a key-binding JWT (requires --aud and --nonce)
    #[arg(long, requires_all = ["aud", "nonce"])]
    holder_key: Option<PathBuf>,
    /// The verifier the presentation is for (KB-JWT `aud`); requires --holder-key
    #[arg(long, requires = "holder_key")]
    aud: Option<String>,
    /// The verifier's nonce (KB-JWT `nonce`); requires --holder-key
    #[arg(long, requires = "holder_key")]
    nonce: Option<String>,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Issuer key: --issuer-key, else the `kid` header resolved as a DID URL (its DID must equal `iss` \
when there is one), else JWT VC Issuer Metadata at <iss origin>/.well-known/jwt-vc-issuer<path>.

Key binding is required exactly when --aud and --nonce are given; a presentation with a KB-JWT \
is refused without them (an unchecked KB-JWT must not look checked).

Status: when the credential has a `status` reference, the Status List Token is fetched from its \
uri (or read from --status-token FILE) and must be signed by the issuer key; --skip-status \
reports the check as skipped instead.

Prints the claims (text: pretty JSON, summary on stderr). --json prints {\"verified\", \"vct\", \
\"issuer\", \"claims\", \"keyBinding\", \"status\", \"checks\": [{\"check\", \"outcome\", \"detail\"}]}; \
on failure {\"verified\": false, \"error\", \"checks\"} with exit code 1.")]
struct VerifyArgs {
    /// The credential or presentation (a file, or `-` for stdin)
    presentation: PathBuf,
    /// The issuer's public key (any key file); default: resolve it from `kid` or `iss`
    #[arg(long)]
    issuer_key: Option<PathBuf>,
    /// Require key binding to this audience (requires --nonce)
    #[arg(long, requires = "nonce")]
    aud: Option<String>,
    /// Require key binding with this nonce (requires --aud)
    #[arg(long, requires = "aud")]
    nonce: Option<String>,
    /// Oldest accepted KB-JWT `iat`, in seconds before now
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(i64).range(1..))]
    max_age: i64,
    /// Check the status against this Status List Token file instead of fetching it
    #[arg(long, conflicts_with = "skip_status")]
    status_token: Option<PathBuf>,
    /// Do not check the status list (the check is reported as skipped)
    #[arg(long)]
    skip_status: bool,
    /// Allow did:web, metadata and status hosts on private or loopback addresses (development only)
    #[arg(long)]
    allow_private: bool,
}

/// Parses a `--sd` / `--disclose` JSON pointer.
fn parse_path(s: &str) -> Result<ClaimPath, String> {
    ClaimPath::from_pointer(s.trim()).map_err(|_| {
        format!("{s:?} is not a JSON pointer; write /name, /address/street or /list/0")
    })
}

/// Parses a duration: a number with an optional unit `s`, `m`, `h`, `d` (default seconds).
pub(super) fn parse_duration(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (number, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => s.split_at(i),
        None => (s, "s"),
    };
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "unknown unit {unit:?}; use s, m, h or d (e.g. 365d)"
            ));
        }
    };
    let n: i64 = number
        .parse()
        .map_err(|_| format!("{s:?} is not a duration; write e.g. 365d, 12h, 30m or 3600"))?;
    n.checked_mul(scale)
        .filter(|d| *d > 0 && *d <= 100 * 365 * 86_400)
        .ok_or_else(|| format!("{s:?} must be positive and at most 100 years"))
}

/// The current time, seconds since the epoch.
pub(super) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Runs `saifu credential …`.
pub async fn run(args: CredentialArgs, global: &GlobalArgs) -> Result<(), CliError> {
    match args.command {
        CredentialCommand::Issue(a) => issue(a, global).await,
        CredentialCommand::Present(a) => present(a, global).await,
        CredentialCommand::Verify(a) => verify(a, global).await,
    }
}

async fn issue(args: IssueArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let Format::SdJwtVc = args.format;
    let claims = match serde_json::from_str::<Value>(&input::read_text(Some(&args.claims))?) {
        Ok(Value::Object(map)) => map,
        Ok(_) => {
            return Err(CliError::Claims {
                path: args.claims,
                reason: "not a JSON object".into(),
            });
        }
        Err(e) => {
            return Err(CliError::Claims {
                path: args.claims,
                reason: format!("not JSON: {e}"),
            });
        }
    };
    let mut signer = LocalSigner::new(keyio::load_private(&args.issuer_key)?)?;
    if let Some(kid) = &args.kid {
        check_kid(kid, signer.private_key().public_key()).await?;
        signer = signer.with_key_id(kid.clone());
    }
    let iss = args.iss.clone().or_else(|| {
        args.kid
            .as_deref()
            .and_then(|kid| kid.parse::<DidUrl>().ok())
            .map(|url| url.did().to_string())
    });
    let now = now();
    let exp = args.valid_for.map(|d| now.saturating_add(d));
    let mut vc = VcIssuance::new(&args.vct, claims).validity(Some(now), None, exp);
    if let Some(iss) = &iss {
        vc = vc.issuer(iss);
    }
    if let Some(path) = &args.holder_key {
        vc = vc.holder_key(&keyio::load_public(path)?.to_jwk());
    }
    if let (Some(uri), Some(idx)) = (&args.status_uri, args.status_idx) {
        vc = vc.status(&StatusReference::new(
            idx,
            uri,
            ReferenceOptions::default(),
        )?);
    }
    for path in &args.sd {
        vc = vc.disclosable(path.clone());
    }
    let credential = vc.sign(&signer).await?;
    let compact = credential.to_compact();
    if global.json {
        let report = json!({
            "credential": compact,
            "format": "sd-jwt-vc",
            "vct": args.vct,
            "iss": iss,
            "exp": exp,
            "disclosures": credential.disclosures().len(),
            "holderBound": args.holder_key.is_some(),
        });
        output::json(&report);
    } else {
        output::line(compact);
    }
    Ok(())
}

/// Refuses a did:key / did:jwk `kid` that names another key than --issuer-key: the credential
/// would never verify. (Other methods need the network; their verifier will find out.)
async fn check_kid(kid: &str, key: &PublicKey) -> Result<(), CliError> {
    let Ok(url) = kid.parse::<DidUrl>() else {
        return Ok(());
    };
    if !matches!(url.did().method(), "key" | "jwk") {
        return Ok(());
    }
    let resolver = Resolver::new(
        HttpClient::new(HttpConfig::default())?,
        ResolverConfig::default(),
    );
    let method = resolver
        .resolve_verification_method_for(&url, Relationship::AssertionMethod)
        .await?;
    if method.public_key()?.thumbprint() != key.thumbprint() {
        return Err(CliError::KidMismatch(kid.to_owned()));
    }
    Ok(())
}

async fn present(args: PresentArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let text = input::read_text(Some(&args.credential))?;
    let credential = SdJwt::parse_compact(text.trim(), &Limits::default())?;
    let presentation = match (&args.holder_key, &args.aud, &args.nonce) {
        (Some(key_path), Some(aud), Some(nonce)) => {
            let signer = LocalSigner::new(keyio::load_private(key_path)?)?;
            check_holder_key(&credential, signer.private_key().public_key())?;
            let request = KeyBindingRequest {
                audience: aud,
                nonce,
                issued_at: now(),
            };
            credential
                .present_with_key_binding(&args.disclose, &request, &signer)
                .await?
        }
        _ => credential.present(&args.disclose)?,
    };
    let compact = presentation.to_compact();
    if global.json {
        let report = json!({
            "presentation": compact,
            "disclosed": args.disclose.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "disclosures": presentation.disclosures().len(),
            "keyBinding": presentation.kb_jwt().is_some(),
        });
        output::json(&report);
    } else {
        output::line(compact);
    }
    Ok(())
}

/// Refuses to sign a KB-JWT the verifier would reject: the credential must be bound (`cnf.jwk`)
/// to the holder key given.
fn check_holder_key(credential: &SdJwt, holder: &PublicKey) -> Result<(), CliError> {
    let decoded = credential.decode_issuer_jwt(&Limits::default())?;
    let payload: Map<String, Value> =
        serde_json::from_slice(&decoded.payload).map_err(|_| SdJwtError::PayloadNotObject)?;
    let Some(jwk) = payload.get("cnf").and_then(|c| c.get("jwk")) else {
        return Err(CliError::HolderKey(
            "the credential is not bound to a holder key (no `cnf.jwk`)".into(),
        ));
    };
    let bound = serde_json::from_value(jwk.clone())
        .ok()
        .and_then(|jwk| PublicKey::from_jwk(&jwk).ok())
        .ok_or_else(|| CliError::HolderKey("the credential's `cnf.jwk` is unusable".into()))?;
    if bound.thumbprint() != holder.thumbprint() {
        return Err(CliError::HolderKey(format!(
            "--holder-key (thumbprint {}) is not the key the credential is bound to ({})",
            holder.thumbprint(),
            bound.thumbprint()
        )));
    }
    Ok(())
}

/// The checks `credential verify` reports, in the order they are made.
const CHECKS: [&str; 13] = [
    "format",
    "issuer_key",
    "typ",
    "issuer_signature",
    "disclosures",
    "key_binding",
    "key_binding_freshness",
    "key_binding_audience",
    "key_binding_nonce",
    "key_binding_sd_hash",
    "claims",
    "validity_period",
    "status",
];

/// What a passed check established, when there is nothing more specific to say.
fn passed_detail(check: &str) -> &'static str {
    match check {
        "disclosures" => "every disclosure matches a digest signed by the issuer",
        "key_binding" => "KB-JWT signed by the holder key in `cnf.jwk`",
        "key_binding_freshness" => "KB-JWT `iat` is recent",
        "key_binding_audience" => "KB-JWT `aud` equals --aud",
        "key_binding_nonce" => "KB-JWT `nonce` equals --nonce",
        "key_binding_sd_hash" => "KB-JWT `sd_hash` covers exactly the presented disclosures",
        "claims" => "`vct` present; registered claims are not selectively disclosed",
        "validity_period" => "`iat`, `nbf` and `exp` accept the current time",
        _ => "",
    }
}

/// The outcome of each check so far.
struct Checks {
    outcomes: Vec<Option<(&'static str, String)>>,
}

impl Checks {
    fn new() -> Checks {
        Checks {
            outcomes: vec![None; CHECKS.len()],
        }
    }

    fn index(check: &str) -> usize {
        CHECKS
            .iter()
            .position(|c| *c == check)
            .expect("a known check")
    }

    fn set(&mut self, check: &str, outcome: &'static str, detail: impl Into<String>) {
        self.outcomes[Self::index(check)] = Some((outcome, detail.into()));
    }

    fn pass(&mut self, check: &str, detail: impl Into<String>) {
        self.set(check, "passed", detail);
    }

    fn skip(&mut self, check: &str, detail: impl Into<String>) {
        self.set(check, "skipped", detail);
    }

    /// Marks every check before `check` that has no outcome yet as passed (the library makes
    /// them in [`CHECKS`] order and stops at the first failure).
    fn passed_up_to(&mut self, check: &str) {
        let end = Self::index(check);
        for (outcome, name) in self.outcomes[..end].iter_mut().zip(CHECKS) {
            outcome.get_or_insert(("passed", passed_detail(name).into()));
        }
    }

    /// Records a failure, marks the checks after it as not reached, and builds the error.
    fn fail(&mut self, check: &'static str, reason: String, hint: String) -> CliError {
        self.passed_up_to(check);
        self.set(check, "failed", reason.clone());
        for outcome in &mut self.outcomes[Self::index(check) + 1..] {
            outcome.get_or_insert(("skipped", "not reached: an earlier check failed".into()));
        }
        CliError::VerificationFailed {
            check,
            reason,
            hint,
        }
    }

    fn to_json(&self) -> Value {
        CHECKS
            .iter()
            .zip(&self.outcomes)
            .map(|(check, outcome)| {
                let (outcome, detail) = outcome.clone().unwrap_or(("skipped", String::new()));
                json!({
                    "check": check,
                    "outcome": outcome,
                    "detail": if detail.is_empty() { Value::Null } else { Value::String(detail) },
                })
            })
            .collect()
    }
}

async fn verify(args: VerifyArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let mut checks = Checks::new();
    let result = verify_checked(&args, &mut checks).await;
    match result {
        Ok(report) => {
            if global.json {
                let mut report = report.json;
                report["checks"] = checks.to_json();
                output::json(&report);
            } else {
                output::json(&Value::Object(report.claims));
                eprintln!("\n{}", report.summary);
            }
            Ok(())
        }
        Err(error) => {
            if global.json && matches!(error, CliError::VerificationFailed { .. }) {
                let report = json!({
                    "verified": false,
                    "error": error.to_string(),
                    "checks": checks.to_json(),
                });
                output::json(&report);
            }
            Err(error)
        }
    }
}

/// What a successful verification prints.
struct Report {
    claims: Map<String, Value>,
    json: Value,
    summary: String,
}

async fn verify_checked(args: &VerifyArgs, checks: &mut Checks) -> Result<Report, CliError> {
    let limits = Limits::default();
    let text = input::read_text(Some(&args.presentation))?;
    let sd_jwt = SdJwt::parse_compact(text.trim(), &limits).map_err(|e| {
        checks.fail(
            "format",
            e.to_string(),
            "give the SD-JWT exactly as `saifu credential issue` or `present` printed it \
             (<JWT>~<disclosure>~…~[<KB-JWT>])"
                .into(),
        )
    })?;
    let decoded = sd_jwt.decode_issuer_jwt(&limits).map_err(|e| {
        checks.fail(
            "format",
            e.to_string(),
            "the issuer JWT is damaged: give the credential exactly as issued".into(),
        )
    })?;
    checks.pass(
        "format",
        format!(
            "compact SD-JWT with {} disclosure(s){}",
            sd_jwt.disclosures().len(),
            if sd_jwt.kb_jwt().is_some() {
                " and a KB-JWT"
            } else {
                ""
            }
        ),
    );

    let http = HttpClient::new(HttpConfig {
        allow_private: args.allow_private,
        ..HttpConfig::default()
    })?;
    let (key, source) = match &args.issuer_key {
        Some(path) => (
            keyio::load_public(path)?,
            format!("--issuer-key {}", path.display()),
        ),
        None => resolve_key(&sd_jwt, &decoded, &http, &limits)
            .await
            .map_err(|reason| {
                checks.fail(
                    "issuer_key",
                    reason,
                    "pass the issuer's public key with --issuer-key FILE; without it the `kid` \
                     must be a resolvable DID URL or `iss` an https issuer publishing \
                     /.well-known/jwt-vc-issuer metadata (use --allow-private for local hosts)"
                        .into(),
                )
            })?,
    };
    checks.pass(
        "issuer_key",
        format!("{source} (thumbprint {})", key.thumbprint()),
    );

    if decoded.typ() != Some(TYP) {
        return Err(checks.fail(
            "typ",
            format!("`typ` is {:?}, expected `{TYP}`", decoded.typ()),
            "this is not an SD-JWT VC; `saifu jws verify` checks plain JWTs".into(),
        ));
    }
    checks.pass("typ", TYP);
    if let Err(e) = decoded.verify(&key, &VerifyPolicy::new(&Algorithm::ALL)) {
        return Err(checks.fail(
            "issuer_signature",
            e.to_string(),
            "the credential was altered or signed by another key: check --issuer-key (or the \
             issuer's DID / metadata)"
                .into(),
        ));
    }
    checks.pass(
        "issuer_signature",
        format!("{} signature by the issuer key", decoded.alg()),
    );

    let now = now();
    let key_binding = match (&args.aud, &args.nonce) {
        (Some(audience), Some(nonce)) => Some(KeyBindingPolicy {
            audience,
            nonce,
            now,
            max_age: args.max_age,
            skew: 60,
            allowed_algorithms: &Algorithm::ALL,
        }),
        _ => {
            let detail = "not required: no --aud/--nonce given";
            for check in &CHECKS[5..10] {
                checks.skip(check, detail);
            }
            None
        }
    };
    let options = VcVerifyOptions {
        sd_jwt: VerifyOptions {
            allowed_algorithms: &Algorithm::ALL,
            limits,
            key_binding,
        },
        now,
        skew: 60,
        accept_legacy_typ: false,
        status: ReferenceOptions::default(),
    };
    let verified = verify_vc(&sd_jwt, &key, &options).map_err(|e| {
        let (check, hint) = classify(&e);
        checks.fail(check, e.to_string(), hint.into())
    })?;
    checks.passed_up_to("status");
    describe_passed(checks, &sd_jwt, &verified, args, now);

    let status = check_status(args, &verified, &key, &http, now, checks).await?;
    let signer = json!({ "source": source, "kid": decoded.kid(), "thumbprint": key.thumbprint() });
    Ok(report(verified, status, signer))
}

/// Fills in what the checks inside `verify_vc` established.
fn describe_passed(
    checks: &mut Checks,
    sd_jwt: &SdJwt,
    verified: &VerifiedVc,
    args: &VerifyArgs,
    now: i64,
) {
    checks.pass(
        "disclosures",
        format!(
            "{} disclosure(s) match digests signed by the issuer",
            sd_jwt.disclosures().len()
        ),
    );
    if let Some(kb) = &verified.sd_jwt.key_binding {
        checks.pass(
            "key_binding",
            "KB-JWT signed by the holder key in `cnf.jwk`",
        );
        checks.pass(
            "key_binding_freshness",
            format!(
                "iat {} is within the last {} s",
                kb.get("iat").unwrap_or(&Value::Null),
                args.max_age
            ),
        );
        checks.pass(
            "key_binding_audience",
            format!("aud is {}", args.aud.as_deref().unwrap_or_default()),
        );
        checks.pass("key_binding_nonce", "nonce matches");
        checks.pass(
            "key_binding_sd_hash",
            "sd_hash covers exactly the presented disclosures",
        );
    }
    checks.pass(
        "claims",
        format!(
            "vct {}; registered claims are not selectively disclosed",
            verified.vct
        ),
    );
    let claims = verified.claims();
    checks.pass(
        "validity_period",
        match claims.get("exp") {
            Some(exp) => format!("valid until {exp} (now {now})"),
            None => "no `exp`: the credential does not expire".into(),
        },
    );
}

/// Which check a `verify_vc` failure belongs to, and what to do about it.
fn classify(error: &SdJwtVcError) -> (&'static str, &'static str) {
    match error {
        SdJwtVcError::WrongType(_) => ("typ", "this is not an SD-JWT VC"),
        SdJwtVcError::Expired { .. } | SdJwtVcError::NotYetValid { .. } => (
            "validity_period",
            "the credential expired or is not valid yet: ask the issuer for a new one (and \
             check this machine's clock)",
        ),
        SdJwtVcError::InvalidClaim("exp" | "nbf" | "iat") => (
            "validity_period",
            "the credential's time claims are malformed or in the future: check the clocks",
        ),
        SdJwtVcError::Status(_) => (
            "status",
            "the credential's `status` claim is malformed; ask the issuer to reissue it",
        ),
        SdJwtVcError::SdJwt(e) => match e {
            SdJwtError::MissingKeyBinding => (
                "key_binding",
                "the presentation has no KB-JWT: present with --holder-key, --aud and --nonce",
            ),
            SdJwtError::UnexpectedKeyBinding => (
                "key_binding",
                "the presentation carries a KB-JWT: pass --aud and --nonce to check it",
            ),
            SdJwtError::MissingHolderKey => (
                "key_binding",
                "the credential has no `cnf.jwk`: it cannot be key-bound; verify without \
                 --aud/--nonce",
            ),
            SdJwtError::StaleKeyBinding { .. } | SdJwtError::InvalidClaim("iat") => (
                "key_binding_freshness",
                "the KB-JWT is older than --max-age or from the future: ask the holder for a new \
                 presentation (and check both clocks)",
            ),
            SdJwtError::WrongAudience | SdJwtError::InvalidClaim("aud") => (
                "key_binding_audience",
                "--aud must equal the audience the holder presented to (`credential present \
                 --aud`)",
            ),
            SdJwtError::WrongNonce | SdJwtError::InvalidClaim("nonce") => (
                "key_binding_nonce",
                "--nonce must equal the nonce given to the holder (`credential present \
                 --nonce`); a replayed presentation fails here",
            ),
            SdJwtError::SdHashMismatch | SdJwtError::InvalidClaim("sd_hash") => (
                "key_binding_sd_hash",
                "the disclosures were changed after the holder signed: ask for a new \
                 presentation",
            ),
            // The issuer signature was checked before, so a JWS or key error here is the KB-JWT's.
            SdJwtError::Jws(_)
            | SdJwtError::Key(_)
            | SdJwtError::WrongType { .. }
            | SdJwtError::InvalidClaim(_) => (
                "key_binding",
                "the KB-JWT is not signed by the key in the credential's `cnf.jwk`; ask the \
                 holder for a new presentation",
            ),
            _ => (
                "disclosures",
                "a disclosure was altered, added or repeated: ask the holder for a new \
                 presentation made from the credential as issued",
            ),
        },
        SdJwtVcError::NeverDisclosable(_) | SdJwtVcError::InvalidClaim(_) => (
            "claims",
            "the credential breaks the SD-JWT VC claim rules; ask the issuer to reissue it",
        ),
        _ => (
            "claims",
            "the credential could not be checked; ask the holder for a new presentation",
        ),
    }
}

/// Finds the issuer key without --issuer-key: a DID URL `kid`, else JWT VC Issuer Metadata.
async fn resolve_key(
    sd_jwt: &SdJwt,
    decoded: &saifu_crypto::jws::DecodedJws,
    http: &HttpClient,
    limits: &Limits,
) -> Result<(PublicKey, String), String> {
    if let Some(kid) = decoded.kid()
        && kid.parse::<DidUrl>().is_ok()
    {
        let resolver = Resolver::new(http.clone(), ResolverConfig::default());
        let key = resolve_issuer_key(sd_jwt, IssuerKeySource::Did(&resolver), limits)
            .await
            .map_err(|e| e.to_string())?;
        return Ok((key, format!("DID URL {kid}")));
    }
    let iss = serde_json::from_slice::<Map<String, Value>>(&decoded.payload)
        .ok()
        .and_then(|p| p.get("iss").and_then(Value::as_str).map(str::to_owned));
    match iss {
        Some(iss) if iss.starts_with("https://") || iss.starts_with("http://") => {
            let url = issuer_metadata_url(&iss).map_err(|e| e.to_string())?;
            let key = resolve_issuer_key(sd_jwt, IssuerKeySource::Metadata(http), limits)
                .await
                .map_err(|e| e.to_string())?;
            Ok((key, format!("JWT VC Issuer Metadata at {url}")))
        }
        _ => {
            Err("no --issuer-key, the `kid` is not a DID URL and `iss` is not an https URL".into())
        }
    }
}

/// Checks the status list entry, when the credential has one.
async fn check_status(
    args: &VerifyArgs,
    verified: &VerifiedVc,
    key: &PublicKey,
    http: &HttpClient,
    now: i64,
    checks: &mut Checks,
) -> Result<Option<Value>, CliError> {
    let Some(reference) = &verified.status else {
        checks.skip("status", "the credential has no status reference");
        return Ok(None);
    };
    let (idx, uri) = (reference.idx(), reference.uri());
    if args.skip_status {
        checks.skip(
            "status",
            format!("--skip-status: index {idx} of {uri} not checked"),
        );
        return Ok(Some(json!({ "idx": idx, "uri": uri, "status": null })));
    }
    let value = match &args.status_token {
        Some(path) => {
            let token = input::read_text(Some(path))?;
            let options = saifu_credential::status::VerifyOptions::new(uri, now, &Algorithm::ALL);
            status_jwt::verify(token.trim(), key, &options)
                .map_err(|e| e.to_string())
                .and_then(|t| t.status_list.get(idx).map_err(|e| e.to_string()))
        }
        None => {
            let fetcher = StatusListFetcher::new(
                Arc::new(http.clone()),
                Arc::new(key.clone()),
                FetchConfig::default(),
            );
            fetcher
                .status_of(reference, now)
                .await
                .map_err(|e| e.to_string())
        }
    };
    let value = value.map_err(|reason| {
        checks.fail(
            "status",
            format!("status list {uri}: {reason}"),
            "the status list could not be fetched or verified (it must be signed by the issuer \
             key): pass --status-token FILE to check a local copy, or --skip-status"
                .into(),
        )
    })?;
    let source = match &args.status_token {
        Some(path) => format!("--status-token {}", path.display()),
        None => uri.to_owned(),
    };
    if value != StatusValue::Valid {
        return Err(checks.fail(
            "status",
            format!("index {idx} of {source} is {}", status_text(value)),
            "the issuer revoked or suspended this credential; ask the issuer".into(),
        ));
    }
    checks.pass("status", format!("index {idx} of {source} is valid"));
    Ok(Some(
        json!({ "idx": idx, "uri": uri, "status": status_text(value) }),
    ))
}

/// `signer` says which key verified the issuer signature and where it came from: without `iss`,
/// "verified" only means "signed by this key", so the report must name it.
fn report(verified: VerifiedVc, status: Option<Value>, signer: Value) -> Report {
    let claims = verified.claims().clone();
    let key_binding = verified.sd_jwt.key_binding.clone();
    let summary = format!(
        "verified: {} from {}; key binding {}; status {}",
        verified.vct,
        verified
            .issuer
            .as_deref()
            .unwrap_or("an issuer without `iss`"),
        match &key_binding {
            Some(kb) => format!("checked (aud {})", kb.get("aud").unwrap_or(&Value::Null)),
            None => "not required".into(),
        },
        match status.as_ref().and_then(|s| s.get("status")) {
            Some(Value::String(s)) => s.clone(),
            Some(_) => "not checked".into(),
            None => "none".into(),
        }
    );
    let json = json!({
        "verified": true,
        "vct": verified.vct,
        "issuer": verified.issuer,
        "issuerKey": signer,
        "claims": claims,
        "keyBinding": key_binding,
        "status": status,
    });
    Report {
        claims,
        json,
        summary,
    }
}

/// Hints for the credential errors.
pub(super) fn hint(error: &CliError) -> String {
    match error {
        CliError::SdJwtVc(SdJwtVcError::SdJwt(SdJwtError::PathNotFound(_)))
        | CliError::SdJwt(SdJwtError::PathNotFound(_)) => {
            "paths are JSON pointers into the claims, e.g. /given_name, /address/street, \
             /nationalities/0; check the spelling and array indices (`credential present` can \
             only reveal what the issuer made disclosable or left visible)"
                .into()
        }
        CliError::SdJwtVc(SdJwtVcError::NeverDisclosable(_)) => {
            "iss, nbf, exp, cnf, vct, vct#integrity, aka_vcts and status must stay visible; \
             remove them from --sd"
                .into()
        }
        CliError::SdJwtVc(SdJwtVcError::SdJwt(SdJwtError::NotDisclosable(_))) => {
            "`_sd`, `...` and `_sd_alg` are reserved; rename or remove that claim".into()
        }
        CliError::SdJwt(SdJwtError::UnexpectedKeyBinding) => {
            "present the credential as issued, not a presentation that already has a KB-JWT".into()
        }
        CliError::SdJwtVc(_) | CliError::SdJwt(_) => {
            "give the credential exactly as `saifu credential issue` printed it".into()
        }
        CliError::Claims { .. } => {
            "--claims takes a JSON object file, e.g. {\"given_name\": \"Erika\"}".into()
        }
        CliError::HolderKey(_) => "use the private key whose public half was given as \
             --holder-key at issuance, or present without --holder-key"
            .into(),
        CliError::KidMismatch(_) => "give the DID URL of the --issuer-key itself: `saifu did \
             create key --key FILE` prints its did:key (the fragment repeats the z… part)"
            .into(),
        CliError::VerificationFailed { hint, .. } => hint.clone(),
        _ => unreachable!("credential::hint handles credential errors only"),
    }
}
