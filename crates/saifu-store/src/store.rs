//! The [`Store`] handle: open (and migrate), ping, read metadata, close.

use std::fmt;
use std::io;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection};

use crate::StoreError;
use crate::migrations::Embedded;

/// File name of the SQLite database inside a data directory, so every tool finds the same file.
pub const SQLITE_FILE_NAME: &str = "saifu.db";

/// How a PostgreSQL URL must look, for error messages.
pub(crate) const POSTGRES_URL_SHAPE: &str = "postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE";
/// How a SQLite URL must look, for error messages.
const SQLITE_URL_SHAPE: &str = "sqlite://PATH or a plain file path";
/// How long opening waits for a connection before reporting the database unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a SQLite writer waits for another writer before failing with "database is locked".
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Which database engine a [`Store`] runs on; reported by health checks and used to pick the
/// SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// An embedded SQLite file: the zero-install default for a single node.
    Sqlite,
    /// A PostgreSQL server: for several nodes sharing one database.
    Postgres,
}

impl Backend {
    /// The stable lower-case name (`sqlite`, `postgres`) used in JSON and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A connection pool to the node's database, with the schema migrated to this build's version.
///
/// Cloning is cheap (the pool is shared), so every router and role can hold its own handle.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
}

/// The pool of the chosen backend; role storage matches on it to run its dialect's SQL.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Store {
    /// Opens the database at `location` and applies pending migrations.
    ///
    /// `location` is a PostgreSQL URL (`postgres://…` or `postgresql://…`), a SQLite URL
    /// (`sqlite://PATH`) or a plain file path. A SQLite file and its directory are created if
    /// missing and opened in WAL mode with foreign keys enforced. Any other `scheme://` is
    /// rejected with [`StoreError::UnsupportedScheme`] rather than mistaken for a file name.
    pub async fn open(location: &str) -> Result<Self, StoreError> {
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            let options =
                PgConnectOptions::from_str(location).map_err(|e| StoreError::InvalidUrl {
                    expected: POSTGRES_URL_SHAPE,
                    source: e.into(),
                })?;
            Self::open_postgres(options).await
        } else if location.starts_with("sqlite:") {
            let options =
                SqliteConnectOptions::from_str(location).map_err(|e| StoreError::InvalidUrl {
                    expected: SQLITE_URL_SHAPE,
                    source: e.into(),
                })?;
            Self::open_sqlite(options).await
        } else if let Some((scheme, _)) = location.split_once("://") {
            Err(StoreError::UnsupportedScheme {
                scheme: scheme.to_owned(),
            })
        } else {
            Self::open_sqlite(SqliteConnectOptions::new().filename(location)).await
        }
    }

    /// Opens (creating if needed) the default SQLite database, [`SQLITE_FILE_NAME`] in `dir`:
    /// what a node uses when no database URL is configured.
    pub async fn open_in_dir(dir: &Path) -> Result<Self, StoreError> {
        Self::open_sqlite(SqliteConnectOptions::new().filename(dir.join(SQLITE_FILE_NAME))).await
    }

    async fn open_sqlite(options: SqliteConnectOptions) -> Result<Self, StoreError> {
        let path = options.get_filename().to_path_buf();
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: every commit syncs the WAL before it returns, so an acknowledged write
            // (a registry append above all: the log promises it once acknowledged) survives
            // power loss. NORMAL would lose the last transactions.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(SQLITE_BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::OpenSqlite { path, source })?;
        Self::migrated(Pool::Sqlite(pool)).await
    }

    async fn open_postgres(options: PgConnectOptions) -> Result<Self, StoreError> {
        // The pool retries a refused connection until its timeout and then reports only that
        // it timed out; one direct connection first reports the actual reason at once.
        let probe = connect_postgres(&options).await?;
        let target = postgres_target(&options);
        let connect_error = |source| StoreError::ConnectPostgres {
            target: target.clone(),
            source,
        };
        probe.close().await.map_err(connect_error)?;
        let pool = PgPoolOptions::new()
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(connect_error)?;
        Self::migrated(Pool::Postgres(pool)).await
    }

    /// Applies this build's pending migrations; sqlx takes a database lock (an advisory lock on
    /// PostgreSQL), so nodes starting together migrate once.
    async fn migrated(pool: Pool) -> Result<Self, StoreError> {
        let store = Store { pool };
        let backend = store.backend();
        let migrate = |source| StoreError::Migrate { backend, source };
        let migrator = Migrator::new(Embedded(backend)).await.map_err(migrate)?;
        match &store.pool {
            Pool::Sqlite(pool) => migrator.run(pool).await,
            Pool::Postgres(pool) => migrator.run(pool).await,
        }
        .map_err(migrate)?;
        Ok(store)
    }

    /// Which engine this store runs on.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Runs a trivial query, proving the database answers right now (health checks).
    pub async fn ping(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
            Pool::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
        }?;
        Ok(())
    }

    /// Reads one fact about the database from `saifu_meta` (e.g. `created_at`, written by the
    /// first migration), so operators and tests can tell which database a node is using.
    pub async fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let value = match &self.pool {
            Pool::Sqlite(pool) => {
                sqlx::query_scalar("SELECT value FROM saifu_meta WHERE key = ?")
                    .bind(key)
                    .fetch_optional(pool)
                    .await
            }
            Pool::Postgres(pool) => {
                sqlx::query_scalar("SELECT value FROM saifu_meta WHERE key = $1")
                    .bind(key)
                    .fetch_optional(pool)
                    .await
            }
        }?;
        Ok(value)
    }

    /// Closes every connection, waiting for queries in flight; later calls on any clone fail
    /// with [`StoreError::Query`]. Call it on shutdown so SQLite checkpoints its WAL cleanly.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }

    /// The pool, for the role modules and for tests inspecting connection settings.
    pub(crate) fn pool(&self) -> &Pool {
        &self.pool
    }
}

/// One connection, bounded by [`CONNECT_TIMEOUT`] (a server that accepts TCP but never answers
/// would otherwise hang the caller), with failures reported as [`StoreError::ConnectPostgres`].
pub(crate) async fn connect_postgres(
    options: &PgConnectOptions,
) -> Result<PgConnection, StoreError> {
    tokio::time::timeout(CONNECT_TIMEOUT, options.connect())
        .await
        .unwrap_or_else(|_| {
            Err(sqlx::Error::Io(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no answer within {} seconds", CONNECT_TIMEOUT.as_secs()),
            )))
        })
        .map_err(|source| StoreError::ConnectPostgres {
            target: postgres_target(options),
            source,
        })
}

/// `host:port/database` (or the socket path) for messages: enough to find the server, never the
/// password.
pub(crate) fn postgres_target(options: &PgConnectOptions) -> String {
    let database = options.get_database().unwrap_or(options.get_username());
    match options.get_socket() {
        Some(socket) => format!("{}/{database}", socket.display()),
        None => format!("{}:{}/{database}", options.get_host(), options.get_port()),
    }
}
