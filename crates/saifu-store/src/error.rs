//! Why opening or using the store failed, in words that tell the operator what to do next.

use std::path::PathBuf;

use sqlx::error::BoxDynError;
use sqlx::migrate::MigrateError;

use crate::Backend;

/// Every way the store can fail. Each message names the failing thing and the next step, because
/// these errors reach operators unchanged (the CLI prints them as `error: …`).
///
/// Messages never contain passwords: PostgreSQL locations are shown as `host:port/database`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The location is a URL of a database saifu does not speak.
    #[error(
        "unsupported database URL scheme `{scheme}://`: use postgres://USER@HOST:PORT/DATABASE \
         for PostgreSQL, or a file path (or sqlite://PATH) for SQLite"
    )]
    UnsupportedScheme {
        /// The scheme found before `://`.
        scheme: String,
    },

    /// The URL has a supported scheme but cannot be parsed.
    #[error("invalid database URL: {source}; expected {expected}")]
    InvalidUrl {
        /// The shape a valid URL has, for the message.
        expected: &'static str,
        /// What the parser rejected.
        source: BoxDynError,
    },

    /// The directory that should hold the SQLite file could not be created.
    #[error(
        "could not create directory {} for the SQLite database: {source}; check its permissions \
         or choose another data directory",
        path.display()
    )]
    CreateDir {
        /// The directory saifu tried to create.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },

    /// SQLite refused to open (or create) the database file.
    #[error(
        "could not open SQLite database {}: {source}; check that the path is a writable SQLite \
         file (or does not exist yet)",
        path.display()
    )]
    OpenSqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's reason.
        source: sqlx::Error,
    },

    /// No connection to the PostgreSQL server could be made.
    #[error(
        "could not connect to PostgreSQL at {target}: {source}; is it running, and do the \
         database and user exist?"
    )]
    ConnectPostgres {
        /// `host:port/database` (never the password).
        target: String,
        /// The driver's reason.
        source: sqlx::Error,
    },

    /// The schema could not be brought up to date.
    #[error(
        "could not migrate the {backend} database schema: {source}; if a newer saifu already \
         used this database, upgrade saifu"
    )]
    Migrate {
        /// Which backend the migration ran on.
        backend: Backend,
        /// What the migrator reported.
        source: MigrateError,
    },

    /// A statement failed on an open store (connection lost, store closed, ...).
    #[error("database query failed: {source}; check that the database is still reachable")]
    Query {
        /// The driver's reason.
        source: sqlx::Error,
    },
}

impl From<sqlx::Error> for StoreError {
    fn from(source: sqlx::Error) -> Self {
        StoreError::Query { source }
    }
}
