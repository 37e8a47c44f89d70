//! `saifu bench`: a load generator for a running node over HTTP. It sets up through the admin
//! API (offers, presentation sessions, asking for links only: no QR codes), then runs the protocol flows a wallet runs — OpenID4VCI
//! issuance (token, nonce, proof, credential) or an OpenID4VP `direct_post` presentation —
//! on concurrent workers (the wallet's requests share one keep-alive HTTP client, the
//! verification result reads go through the admin API client), and reports throughput, latency
//! percentiles, per-step medians and every error.

mod issuance;
mod runner;
mod stats;
mod verification;

use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use serde_json::Value;

use crate::cli::node::NodeArgs;
use crate::cli::{CliError, GlobalArgs, output};
use stats::Summary;

const AFTER_HELP: &str = "\
The node is named by --node URL or SAIFU_NODE (default http://127.0.0.1:8080); the admin token \
comes from SAIFU_ADMIN_TOKEN or, on the node's own machine, from its data directory \
(--node-data-dir). Setup (offers, sessions, credentials to present) is not timed; the report \
covers the measured phase only. The bench runs on the same machine as the node: both share \
its cores. Exits 1 when any flow failed, after printing the report with the errors by HTTP \
status and error code.

Examples:
  saifu serve --config crates/saifu/bench/node.toml --data-dir /tmp/bench-node
  saifu bench issuance --count 3000 --concurrency 16 --node-data-dir /tmp/bench-node
  saifu bench issuance --count 3000 --concurrency 16 --holder-alg ES256 --json
  saifu bench verification --count 3000 --concurrency 16 --disclosures 10
  saifu bench issuance --count 60000 --rate 100 --setup-in-flow
      a steady 100 issuances per second for ten minutes, each flow making its own offer (a \
soak run: scripts/soak.sh)
      (10 disclosures need a credential type with 10 claims: crates/saifu/bench/node.toml \
defines `pid10`)";

/// `saifu bench …`
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct BenchArgs {
    #[command(flatten)]
    node: NodeArgs,
    #[command(subcommand)]
    command: BenchCommand,
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Issue credentials end to end: pre-authorized code → token → nonce → proof → credential
    Issuance(issuance::IssuanceArgs),
    /// Verify presentations: SD-JWT VC + KB-JWT posted with direct_post, then the result read
    Verification(verification::VerificationArgs),
}

/// How much load: flows in all, and how many run at once.
#[derive(Debug, Clone, Copy, Args)]
struct Load {
    /// Flows to run in the measured phase
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    count: u32,
    /// Flows running at once (workers sharing keep-alive HTTP connections)
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1024))]
    concurrency: u32,
    /// Start at most this many flows per second instead of as many as the workers manage: a
    /// steady load below the peak, for soak runs (scripts/soak.sh)
    #[arg(long, value_name = "PER_SECOND", value_parser = positive_rate)]
    rate: Option<f64>,
    /// Make each flow's offer or presentation session inside the flow (a timed step of its
    /// own) instead of all of them before the clock: setup time and memory stay flat however
    /// long the run, as soak runs need
    #[arg(long)]
    setup_in_flow: bool,
}

/// A `--rate`: a finite number of flows per second above zero.
fn positive_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err(format!(
            "`{text}` is not a rate above zero (flows per second)"
        )),
    }
}

impl Load {
    fn count(self) -> usize {
        self.count as usize
    }

    fn concurrency(self) -> usize {
        self.concurrency as usize
    }

    /// The flows per second to pace at, if any.
    fn rate(self) -> Option<f64> {
        self.rate
    }

    /// How many offers or sessions to make before the clock: none when flows make their own.
    fn prepared(self) -> usize {
        if self.setup_in_flow { 0 } else { self.count() }
    }
}

/// The holder key type of the wallet's proofs and key bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum HolderAlg {
    /// Ed25519
    #[value(name = "EdDSA")]
    EdDsa,
    /// P-256
    #[value(name = "ES256")]
    Es256,
}

impl HolderAlg {
    /// The JOSE algorithm name.
    fn name(self) -> &'static str {
        match self {
            HolderAlg::EdDsa => "EdDSA",
            HolderAlg::Es256 => "ES256",
        }
    }
}

/// What `saifu bench` prints: what was run, how long setup took, and the measured phase.
#[derive(Debug, Serialize)]
struct Report {
    bench: &'static str,
    count: usize,
    concurrency: usize,
    /// The pace asked for with --rate, flows per second.
    #[serde(skip_serializing_if = "Option::is_none")]
    rate: Option<f64>,
    /// Whether each flow made its own offer or session (`--setup-in-flow`).
    setup_in_flow: bool,
    /// The bench's own settings (credential configuration, holder key, disclosures).
    settings: Value,
    setup_seconds: f64,
    #[serde(flatten)]
    summary: Summary,
}

/// Runs `saifu bench …`.
pub async fn run(args: BenchArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let report = match args.command {
        BenchCommand::Issuance(bench) => issuance::run(&args.node, bench).await?,
        BenchCommand::Verification(bench) => verification::run(&args.node, bench).await?,
    };
    if global.json {
        output::json(&report);
    } else {
        print_text(&report);
    }
    let summary = &report.summary;
    if summary.failed == 0 {
        return Ok(());
    }
    Err(CliError::VerificationFailed {
        check: "bench",
        reason: format!("{} of {} flows failed", summary.failed, summary.total),
        hint: "the report lists the failures by HTTP status and error code; the node's log \
               says more"
            .into(),
    })
}

fn print_text(report: &Report) {
    let summary = &report.summary;
    let latency = summary.latency_ms;
    output::line(format!(
        "{} on {} workers ({}), setup {:.1} s",
        report.bench, report.concurrency, report.settings, report.setup_seconds
    ));
    output::line(format!(
        "flows:      {} run, {} succeeded, {} failed in {:.2} s",
        summary.total, summary.succeeded, summary.failed, summary.elapsed_seconds
    ));
    output::line(format!(
        "throughput: {:.0} flows/s",
        summary.throughput_per_second
    ));
    output::line(format!(
        "latency:    p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latency.p50, latency.p90, latency.p99, latency.max
    ));
    let steps: Vec<String> = summary
        .steps
        .iter()
        .map(|step| format!("{} {:.2} ms", step.step, step.median_ms))
        .collect();
    output::line(format!("step p50:   {}", steps.join(", ")));
    for (error, count) in &summary.errors {
        output::line(format!("error:      {count} × {error}"));
    }
}
