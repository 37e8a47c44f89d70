//! The command-line interface: the root command, its global flags, one subcommand per command
//! group, and the error type every command returns.
//!
//! To add a command group `foo`: write `cli/foo.rs` with a `FooArgs` (clap `Args` or
//! `Subcommand`) and `pub async fn run(args: FooArgs, global: &GlobalArgs) -> Result<(), CliError>`,
//! declare `pub mod foo;` below, add a `Foo(foo::FooArgs)` variant to [`Command`], its arm in
//! `main.rs`'s dispatch, and, if it fails in new ways, a [`CliError`] variant with its hint.

pub mod serve;

use clap::{Args, Parser, Subcommand};
use saifu_server::{ConfigError, ServeError};
use saifu_store::StoreError;

/// What `saifu --help` explains first.
const LONG_ABOUT: &str = "\
saifu (財布, \"wallet\") is an open digital-trust platform: issuers, wallets, verifiers and a \
tamper-evident registry for verifiable credentials, in one binary.

A node keeps its data in an embedded SQLite database by default (nothing to install); give it \
a PostgreSQL URL to let several nodes share one database.

Examples:
  saifu serve                     run a node on http://127.0.0.1:8080
  saifu serve --port 9000         run it on another port
  saifu --help                    this text; `saifu serve --help` for one command's options";

/// The `saifu` command.
#[derive(Debug, Parser)]
#[command(name = "saifu", version, about = "Open digital-trust platform: issue, hold, present and verify credentials", long_about = LONG_ABOUT)]
pub struct Cli {
    /// Flags every command accepts.
    #[command(flatten)]
    pub global: GlobalArgs,

    /// The command group to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags accepted before or after any subcommand.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print machine-readable JSON instead of text (results on stdout, errors on stderr)
    #[arg(long, global = true)]
    pub json: bool,
}

/// One variant per command group; each group lives in its own module.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a saifu node (HTTP server) until Ctrl-C or SIGTERM
    Serve(serve::ServeArgs),
}

/// Why a command failed. The message says what went wrong; [`CliError::hint`] says what to do.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The node's configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),

    /// The node could not start or stopped with an error.
    #[error(transparent)]
    Serve(#[from] ServeError),
}

impl CliError {
    /// The next step for the user, printed after the error as `hint: …`.
    pub fn hint(&self) -> String {
        match self {
            CliError::Config(error) => config_hint(error),
            CliError::Serve(ServeError::Store(error)) => store_hint(error),
            CliError::Serve(ServeError::Bind { .. }) => {
                "choose another port with --port N (0 picks a free one) or another address with \
                 --listen ADDR:PORT"
                    .into()
            }
            CliError::Serve(ServeError::Serve(_)) => {
                "start the node again; if this repeats, report it with the log lines above".into()
            }
        }
    }
}

fn config_hint(error: &ConfigError) -> String {
    match error {
        ConfigError::ReadFile { .. } => "check the path given to --config".into(),
        ConfigError::ParseFile { .. } => "fix the config file; its keys are listen, port, \
             data_dir, database_url, log_format and public_url (see `saifu serve --help`)"
            .into(),
        ConfigError::InvalidEnv { var, .. } => format!("fix or unset {var}"),
        ConfigError::InvalidPublicUrl { .. } => "give --public-url (or SAIFU_PUBLIC_URL, or \
             public_url in the config file) as https://HOST[:PORT][/PATH]"
            .into(),
        ConfigError::NoDataDir => "pass --data-dir DIR or set SAIFU_DATA_DIR".into(),
    }
}

fn store_hint(error: &StoreError) -> String {
    match error {
        StoreError::UnsupportedScheme { .. } | StoreError::InvalidUrl { .. } => {
            "fix --database-url (or SAIFU_DATABASE_URL), or leave it out to use SQLite in the \
             data directory"
                .into()
        }
        StoreError::CreateDir { .. } | StoreError::OpenSqlite { .. } => {
            "choose a writable directory with --data-dir, or another database with \
             --database-url"
                .into()
        }
        StoreError::ConnectPostgres { .. } => {
            "start PostgreSQL or fix --database-url; leave it out to use the built-in SQLite \
             database instead"
                .into()
        }
        StoreError::Migrate { .. } => {
            "run the saifu version that last used this database, or point --database-url at a \
             new one"
                .into()
        }
        StoreError::Query { .. } => {
            "check that the database is reachable, then run the command again".into()
        }
    }
}
