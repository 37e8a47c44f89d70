//! `saifu demo`: the whitepapers' digital-trust story on a real node started in this process —
//! a national ID issuer and a university issue to Hanako's wallet, an employer checks her degree
//! (zero-waiting-time hiring), a convenience store checks only that she is over 18.
//!
//! Without flags the demo seeds that ecosystem and prints the links to click in a browser (the
//! web wallet, the offers with their PINs, the two requests and their result pages). With
//! `--auto` it plays the whole story headless, then the university revokes the diploma and
//! another employer's check fails; every verification is the node's real verifier and the
//! narration prints what each party saw. `saifu serve --demo` seeds the same ecosystem into a
//! long-running node.

mod node;
pub(crate) mod seed;
mod story;

use std::path::PathBuf;

use clap::Args;
use saifu_server::VerifierSettings;
use serde_json::json;

pub(crate) use node::DemoNode;

use super::{CliError, GlobalArgs, output};

/// Shown after the options of `saifu demo --help`.
const AFTER_HELP: &str = "\
Examples:
  saifu demo
      Start a demo node on http://127.0.0.1:8080, seed Hanako's offers and two verifier
      requests, and print the links to open in a browser. Ctrl-C stops it.
  saifu demo --auto
      Play the whole story headless and print what each party saw.
  saifu demo --auto --json
      The same, as JSON: {\"node\", \"steps\", \"completed\"}.
  saifu serve --demo
      A normal node (your config, your data directory) with the demo ecosystem seeded.";

/// `saifu demo`.
#[derive(Debug, Args)]
#[command(
    about = "Play the digital-trust story end to end: issue, hold, present, verify, revoke",
    after_help = AFTER_HELP
)]
pub struct DemoArgs {
    /// Play the whole story without interaction and print a narrated trace
    #[arg(long)]
    auto: bool,
    /// Keep the demo node's files here [default: a temporary directory, removed afterwards]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Serve the interactive demo on this port (0: any free port) [default: 8080]
    #[arg(
        long,
        value_name = "N",
        default_value_t = 8080,
        conflicts_with = "auto"
    )]
    port: u16,
}

/// Runs the demo.
pub async fn run(args: DemoArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let temporary = tempfile_dir()?;
    let data_dir = args.data_dir.unwrap_or_else(|| temporary.join("node"));
    let result = if args.auto {
        auto(&data_dir, &temporary, global).await
    } else {
        interactive(data_dir, args.port, global).await
    };
    let _ = std::fs::remove_dir_all(&temporary);
    result
}

/// `saifu demo --auto`.
async fn auto(
    data_dir: &std::path::Path,
    temporary: &std::path::Path,
    global: &GlobalArgs,
) -> Result<(), CliError> {
    let node = DemoNode::start(data_dir.to_path_buf(), 0, None).await?;
    let mut story = story::Story {
        json: global.json,
        steps: Vec::new(),
    };
    story.say(format!(
        "A saifu node is up at {} (SQLite in {}).",
        node.base,
        data_dir.display()
    ));
    let result = story::play(&node, temporary, &mut story).await;
    if global.json {
        output::json(
            &json!({"node": node.base, "steps": story.steps, "completed": result.is_ok()}),
        );
    }
    result
}

/// `saifu demo`: seed, print the links, serve until Ctrl-C.
async fn interactive(data_dir: PathBuf, port: u16, global: &GlobalArgs) -> Result<(), CliError> {
    let verifier = VerifierSettings {
        session_ttl_seconds: seed::REQUEST_LIFETIME_SECONDS,
        ..VerifierSettings::default()
    };
    let node = DemoNode::start(data_dir, port, Some(verifier)).await?;
    if global.json {
        output::line(json!({ "listening": node.base }));
    } else {
        output::line(format!("saifu demo node listening on {}", node.base));
    }
    seed::seed(&node).await?.print(global.json);
    saifu_server::shutdown_signal().await;
    Ok(())
}

/// A fresh directory under the system's temporary directory.
fn tempfile_dir() -> Result<PathBuf, CliError> {
    let dir = std::env::temp_dir().join(format!("saifu-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| CliError::Io {
        path: dir.clone(),
        source,
    })?;
    Ok(dir)
}
