//! `saifu`: the command line of the saifu digital-trust platform. It parses the command,
//! dispatches to its module under `cli/`, and turns failures into `error:` and `hint:` lines
//! with exit code 1 (clap reports usage errors itself, with exit code 2).

mod cli;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, CliError, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let Cli { global, command } = Cli::parse();
    let result = match command {
        Command::Serve(args) => cli::serve::run(args, &global).await,
        Command::Keys(args) => cli::keys::run(args, &global).await,
        Command::Did(args) => cli::did::run(args, &global).await,
        Command::Jws(args) => cli::jws::run(args, &global).await,
        Command::Credential(args) => cli::credential::run(args, &global).await,
        Command::StatusList(args) => cli::status_list::run(args, &global).await,
        Command::Issuer(args) => cli::issuer::run(args, &global).await,
        Command::Verifier(args) => cli::verifier::run(args, &global).await,
        Command::Demo(args) => cli::demo::run(args, &global).await,
        Command::Wallet(args) => cli::wallet::run(args, &global).await,
        Command::Witness(args) => cli::witness::run(args, &global).await,
        Command::Registry(args) => cli::registry::run(args, &global).await,
        Command::Bench(args) => cli::bench::run(args, &global).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(&error, global.json);
            ExitCode::FAILURE
        }
    }
}

/// Prints the error and what to do about it to stderr, as text or as one JSON object.
fn report(error: &CliError, json: bool) {
    if json {
        let report = serde_json::json!({ "error": error.to_string(), "hint": error.hint() });
        eprintln!("{report}");
    } else {
        eprintln!("error: {error}");
        eprintln!("hint: {}", error.hint());
    }
}
