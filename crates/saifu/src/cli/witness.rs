//! `saifu witness serve`: an independent witness for registry logs (C2SP tlog-witness). It
//! cosigns a log's checkpoint only when the log signed it and it is consistent with what the
//! witness cosigned before, so a log that forks or rewrites history is caught.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use saifu_server::{WitnessServer, shutdown_signal};

use super::{CliError, GlobalArgs, output};

const AFTER_HELP: &str = "\
Example: witness the registry of a node at 127.0.0.1:8080

  saifu witness serve --data-dir ./witness --port 8090 \\
      --log \"$(curl -s http://127.0.0.1:8080/registry/log-keys | head -n 1)\"

The log (or anyone) then posts checkpoints to http://127.0.0.1:8090/add-checkpoint; clients add
the verifier key this command prints to their witness policy.";

/// `saifu witness …`.
#[derive(Debug, Args)]
#[command(about = "Run a transparency-log witness that cosigns consistent checkpoints")]
pub struct WitnessArgs {
    #[command(subcommand)]
    command: WitnessCommand,
}

#[derive(Debug, Subcommand)]
enum WitnessCommand {
    /// Serve POST /add-checkpoint until Ctrl-C
    #[command(after_help = AFTER_HELP)]
    Serve {
        /// Listen on this address
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: SocketAddr,
        /// Listen on this port instead of the one in --listen (0: any free port)
        #[arg(long)]
        port: Option<u16>,
        /// Keep the witness's state and key here
        #[arg(long, value_name = "DIR")]
        data_dir: PathBuf,
        /// The witness's name in its cosignatures
        #[arg(long, default_value = "saifu-witness")]
        name: String,
        /// A log's signed-note verifier key (repeatable); only these logs are witnessed
        #[arg(long = "log", value_name = "VKEY", required = true)]
        logs: Vec<String>,
    },
}

/// Runs `saifu witness …`.
pub async fn run(args: WitnessArgs, global: &GlobalArgs) -> Result<(), CliError> {
    let WitnessCommand::Serve {
        mut listen,
        port,
        data_dir,
        name,
        logs,
    } = args.command;
    if let Some(port) = port {
        listen.set_port(port);
    }
    std::fs::create_dir_all(&data_dir).map_err(|source| CliError::Io {
        path: data_dir.clone(),
        source,
    })?;
    let witness = WitnessServer::bind(listen, &data_dir, &name, &logs).await?;
    let url = format!("http://{}", witness.local_addr());
    if global.json {
        output::line(serde_json::json!({"listening": url, "verifier_key": witness.verifier_key()}));
    } else {
        output::line(format!("saifu witness listening on {url}"));
        output::line(format!("verifier key: {}", witness.verifier_key()));
    }
    witness.run(shutdown_signal()).await?;
    Ok(())
}
