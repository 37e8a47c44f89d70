//! `saifu bench verification`: credentials issued by the node's own issuer (which its verifier
//! trusts), presentation sessions created through the admin API, one presentation per session
//! (every claim disclosed, KB-JWT for the session's client_id and nonce) prepared before the
//! clock starts; then each flow posts its presentation with `direct_post` and reads the
//! session's result, which must be `verified`.

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use clap::Args;
use saifu_credential::sd_jwt::{ClaimPath, KeyBindingRequest, Limits, SdJwt, Segment};
use saifu_crypto::LocalSigner;
use serde_json::{Value, json};

use super::issuance::{CredentialType, OfferMaker, Wallet, holder};
use super::runner::{admin_error_key, run_all, run_paced, send};
use super::stats::{FlowTimer, Summary};
use super::{HolderAlg, Load, Report};
use crate::cli::CliError;
use crate::cli::node::{NodeArgs, NodeClient};

/// The DCQL credential query id the sessions ask for.
const QUERY_ID: &str = "bench";
/// Most distinct credentials presented (round robin over the sessions).
const MAX_CREDENTIALS: usize = 8;

/// Options of `saifu bench verification`.
#[derive(Debug, Args)]
pub struct VerificationArgs {
    #[command(flatten)]
    load: Load,
    /// Claims asked for and disclosed in each presentation (the configuration's first N)
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    disclosures: u32,
    /// The credential configuration to issue and present; it needs at least --disclosures
    /// claims (crates/saifu/bench/node.toml defines `pid10` with 10)
    #[arg(long = "credential-config", value_name = "ID", default_value = "pid10")]
    config: String,
}

/// A session with the presentation prepared for it.
struct Prepared {
    id: String,
    response_uri: String,
    state: String,
    vp_token: String,
}

/// What the bench presents: the held credentials (round robin over the flows), the claims to
/// disclose, and the session request the verifier is sent.
struct Presenter {
    node: Arc<NodeClient>,
    held: Vec<(SdJwt, LocalSigner)>,
    paths: Vec<ClaimPath>,
    session_body: Value,
}

/// Runs the verification bench against the node `node` names.
pub(super) async fn run(node: &NodeArgs, args: VerificationArgs) -> Result<Report, CliError> {
    let node = Arc::new(NodeClient::new(node)?);
    let setup = Instant::now();
    let kind = CredentialType::fetch(&node, &args.config).await?;
    let wanted = args.disclosures as usize;
    if kind.claims.len() < wanted {
        return Err(CliError::BadArgument(format!(
            "credential configuration `{}` has {} claims, fewer than --disclosures {wanted}: \
             run the node with `--config crates/saifu/bench/node.toml` and use \
             --credential-config pid10, or ask for fewer",
            args.config,
            kind.claims.len()
        )));
    }
    let claims = &kind.claims[..wanted];
    let load = args.load;
    let http = reqwest::Client::new();
    let presenter = Arc::new(Presenter {
        held: credentials(&node, &http, &args.config, claims, load).await?,
        paths: claims
            .iter()
            .map(|name| ClaimPath::new(vec![Segment::Name(name.clone())]))
            .collect(),
        session_body: session_body(&kind.vct, claims),
        node,
    });
    // One more session than flows: the warm-up's.
    let prepared = presenter.prepare_many(load.prepared() + 1, load).await?;
    // One presentation before the clock starts: it checks the whole path, and the verifier
    // caches the issuer's status list, as it would in steady operation.
    if let Err(key) = present(
        &http,
        &presenter.node,
        &prepared[0],
        &mut FlowTimer::start(),
    )
    .await
    {
        return Err(CliError::BadArgument(format!(
            "the warm-up presentation was not verified: {key}"
        )));
    }
    let prepared = Arc::new(prepared);
    let setup_seconds = setup.elapsed().as_secs_f64();
    let credentials_presented = presenter.held.len();

    let started = Instant::now();
    let flows = run_paced(
        "verifying",
        load.count(),
        load.concurrency(),
        load.rate(),
        move |i| {
            let (http, presenter, prepared) = (http.clone(), presenter.clone(), prepared.clone());
            async move {
                let mut timer = FlowTimer::start();
                let outcome = match prepared.get(i + 1) {
                    Some(session) => present(&http, &presenter.node, session, &mut timer).await,
                    None => presenter.present_in_flow(&http, i, &mut timer).await,
                };
                timer.finish(outcome)
            }
        },
    )
    .await;
    Ok(Report {
        bench: "verification",
        count: load.count(),
        concurrency: load.concurrency(),
        rate: load.rate(),
        setup_in_flow: load.setup_in_flow,
        settings: json!({
            "credential_configuration_id": args.config,
            "disclosures": wanted,
            "holder_alg": HolderAlg::EdDsa.name(),
            "credentials_presented": credentials_presented,
        }),
        setup_seconds,
        summary: Summary::of(&flows, started.elapsed()),
    })
}

/// A few credentials with `claims`, issued by the node's issuer to EdDSA holder keys.
async fn credentials(
    node: &Arc<NodeClient>,
    http: &reqwest::Client,
    config: &str,
    claims: &[String],
    load: Load,
) -> Result<Vec<(SdJwt, LocalSigner)>, CliError> {
    let maker = Arc::new(OfferMaker {
        node: node.clone(),
        config: config.to_owned(),
        claims: claims.to_vec(),
    });
    let offers = maker
        .make_many(load.count().min(MAX_CREDENTIALS), load.concurrency())
        .await?;
    let wallet = Wallet::discover(http.clone(), &offers.issuer, config).await?;
    let mut held = Vec::with_capacity(offers.codes.len());
    for code in &offers.codes {
        let holder = holder(HolderAlg::EdDsa)?;
        let issued = wallet
            .redeem(code, &holder, &mut FlowTimer::start())
            .await
            .map_err(|key| {
                CliError::BadArgument(format!("the node did not issue the credential: {key}"))
            })?;
        held.push((SdJwt::parse_compact(&issued, &Limits::default())?, holder));
    }
    Ok(held)
}

/// The admin API body of a `direct_post` session asking for `claims` of a `vct` credential.
fn session_body(vct: &str, claims: &[String]) -> Value {
    let paths: Vec<Value> = claims.iter().map(|name| json!({"path": [name]})).collect();
    json!({"response_mode": "direct_post", "qr": false, "dcql_query": {"credentials": [{
        "id": QUERY_ID, "format": "dc+sd-jwt", "meta": {"vct_values": [vct]}, "claims": paths,
    }]}})
}

impl Presenter {
    /// Creates session `i` and prepares its presentation.
    async fn prepare(&self, i: usize) -> Result<Prepared, CliError> {
        let session = self
            .node
            .post("/admin/presentations", &self.session_body)
            .await?;
        self.present_to(&session, i).await
    }

    /// `count` sessions with their presentations, made on the load's workers.
    async fn prepare_many(
        self: &Arc<Self>,
        count: usize,
        load: Load,
    ) -> Result<Vec<Prepared>, CliError> {
        let presenter = self.clone();
        run_all("sessions", count, load.concurrency(), move |i| {
            let presenter = presenter.clone();
            async move { presenter.prepare(i).await }
        })
        .await
        .into_iter()
        .collect()
    }

    /// A presentation for `session` of held credential `i` (round robin) disclosing the
    /// claims, with a KB-JWT for the session's `client_id` and `nonce`.
    async fn present_to(&self, session: &Value, i: usize) -> Result<Prepared, CliError> {
        let request = &session["request"];
        let text = |name: &str| {
            request[name].as_str().map(str::to_owned).ok_or_else(|| {
                CliError::BadArgument(format!("the session's request has no {name}: {request}"))
            })
        };
        let (credential, holder) = &self.held[i % self.held.len()];
        let (audience, nonce) = (text("client_id")?, text("nonce")?);
        let issued_at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(0));
        let binding = KeyBindingRequest {
            audience: &audience,
            nonce: &nonce,
            issued_at,
        };
        let presentation = credential
            .present_with_key_binding(&self.paths, &binding, holder)
            .await?;
        Ok(Prepared {
            id: session["id"].as_str().unwrap_or_default().to_owned(),
            response_uri: text("response_uri")?,
            state: text("state")?,
            vp_token: json!({ QUERY_ID: [presentation.to_compact()] }).to_string(),
        })
    }

    /// A flow that makes its own session (the `session` step) and presentation (`present`),
    /// then posts it and reads the result.
    async fn present_in_flow(
        &self,
        http: &reqwest::Client,
        i: usize,
        timer: &mut FlowTimer,
    ) -> Result<(), String> {
        let session = self
            .node
            .post("/admin/presentations", &self.session_body)
            .await
            .map_err(|e| admin_error_key(&e))?;
        timer.step("session");
        let prepared = self
            .present_to(&session, i)
            .await
            .map_err(|e| format!("present: {e}"))?;
        timer.step("present");
        present(http, &self.node, &prepared, timer).await
    }
}

/// Posts the prepared presentation (`direct_post`), then reads the session's result; an error
/// key unless the result is `verified`.
async fn present(
    http: &reqwest::Client,
    node: &NodeClient,
    session: &Prepared,
    timer: &mut FlowTimer,
) -> Result<(), String> {
    let form = [("vp_token", &session.vp_token), ("state", &session.state)];
    send(http.post(&session.response_uri).form(&form)).await?;
    timer.step("response");
    let result = node
        .get(&format!("/admin/presentations/{}", session.id))
        .await
        .map_err(|e| admin_error_key(&e))?;
    timer.step("result");
    match result["status"].as_str() {
        Some("verified") => Ok(()),
        status => Err(format!(
            "{} {}",
            status.unwrap_or("no status"),
            result["report"]["error"]["code"]
                .as_str()
                .unwrap_or("without error code")
        )),
    }
}
