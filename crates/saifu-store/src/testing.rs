//! Throwaway PostgreSQL databases for tests, in this crate and in every crate built on it
//! (enable the `testing` feature in `[dev-dependencies]`).
//!
//! Tests run against a real PostgreSQL server (ARCHITECTURE.md §9). Each test gets a database of
//! its own, so tests run in parallel without seeing each other's rows, and the database is
//! dropped when the [`TestDatabase`] goes out of scope — also when the test panics.

use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::Connection;
use sqlx::error::BoxDynError;
use sqlx::postgres::PgConnectOptions;

use crate::StoreError;
use crate::store::{POSTGRES_URL_SHAPE, connect_postgres};

/// The environment variable naming the PostgreSQL server tests may create databases on
/// (`scripts/test-all.sh` sets it).
pub const DATABASE_URL_ENV: &str = "SAIFU_TEST_DATABASE_URL";

/// The server used when [`DATABASE_URL_ENV`] is unset: a local PostgreSQL with trust auth.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The URL of the server tests use: [`DATABASE_URL_ENV`], else [`DEFAULT_DATABASE_URL`].
pub fn server_url() -> String {
    std::env::var(DATABASE_URL_ENV).unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned())
}

/// Makes names unique among the databases one test process creates.
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A freshly created, empty PostgreSQL database, dropped (with `FORCE`, closing any connections
/// still open to it) when this value is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    admin: PgConnectOptions,
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates a uniquely named database on the server at [`DATABASE_URL_ENV`] (default
    /// [`DEFAULT_DATABASE_URL`]), whose user must be allowed to run `CREATE DATABASE`.
    pub async fn create() -> Result<Self, StoreError> {
        let admin_url = server_url();
        let invalid = |source: BoxDynError| StoreError::InvalidUrl {
            expected: POSTGRES_URL_SHAPE,
            source,
        };
        let admin = PgConnectOptions::from_str(&admin_url).map_err(|e| invalid(e.into()))?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let name = format!(
            "saifu_test_{}_{}_{}",
            std::process::id(),
            nanos,
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut url = url::Url::parse(&admin_url).map_err(|e| invalid(e.into()))?;
        url.set_path(&name);

        let mut conn = connect_postgres(&admin).await?;
        sqlx::query(&format!(r#"CREATE DATABASE "{name}""#))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        Ok(TestDatabase {
            admin,
            name,
            url: url.into(),
        })
    }

    /// The URL of the new database, for [`crate::Store::open`] or a server's configuration.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name, to check from another connection that it exists.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let name = self.name.clone();
        // Drop may run inside a test's async runtime, which must not be blocked on from within;
        // a short-lived thread with its own runtime can.
        let dropped = std::thread::spawn(move || -> Result<(), String> {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?
                .block_on(async {
                    let mut conn = connect_postgres(&admin).await?;
                    sqlx::query(&format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#))
                        .execute(&mut conn)
                        .await?;
                    conn.close().await?;
                    Ok::<_, StoreError>(())
                })
                .map_err(|e| e.to_string())
        })
        .join()
        .unwrap_or_else(|_| Err("the thread dropping it panicked".to_owned()));
        if let Err(reason) = dropped {
            eprintln!(
                "warning: test database {} was not dropped ({reason}); drop it with \
                 `dropdb {}`",
                self.name, self.name
            );
        }
    }
}
