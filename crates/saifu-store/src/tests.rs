//! Tests against real SQLite files and a real PostgreSQL server.

use std::path::Path;

use sqlx::Connection;
use sqlx::migrate::MigrateError;
use sqlx::postgres::PgConnection;

use crate::store::Pool;
use crate::testing::{self, TestDatabase};
use crate::{Backend, SQLITE_FILE_NAME, Store, StoreError};

async fn sqlite_pragma(store: &Store, pragma: &str) -> String {
    let Pool::Sqlite(pool) = store.pool() else {
        panic!("not a SQLite store");
    };
    let row: (String,) = sqlx::query_as(&format!(
        "SELECT CAST({pragma} AS TEXT) FROM pragma_{pragma}"
    ))
    .fetch_one(pool)
    .await
    .unwrap();
    row.0
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// `created_at` looks like `2026-01-31T12:34:56Z`.
fn assert_timestamp(value: &str) {
    assert_eq!(value.len(), 20, "{value}");
    assert!(
        value.ends_with('Z') && value.as_bytes()[10] == b'T',
        "{value}"
    );
}

#[tokio::test]
async fn sqlite_file_is_created_in_wal_mode_with_full_sync_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/node.db");
    let store = Store::open(path_str(&path)).await.unwrap();

    assert_eq!(store.backend(), Backend::Sqlite);
    assert!(path.is_file());
    store.ping().await.unwrap();
    assert_timestamp(&store.meta("created_at").await.unwrap().unwrap());
    assert_eq!(store.meta("no-such-key").await.unwrap(), None);
    assert_eq!(sqlite_pragma(&store, "journal_mode").await, "wal");
    assert_eq!(sqlite_pragma(&store, "foreign_keys").await, "1");
    // 2 = FULL: commits are synced before they are acknowledged (power-loss safe).
    assert_eq!(sqlite_pragma(&store, "synchronous").await, "2");
}

#[tokio::test]
async fn sqlite_reopen_keeps_data_and_migrates_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("node.db");
    let store = Store::open(path_str(&path)).await.unwrap();
    let created_at = store.meta("created_at").await.unwrap();
    store.close().await;

    let store = Store::open(path_str(&path)).await.unwrap();
    store.ping().await.unwrap();
    assert_eq!(store.meta("created_at").await.unwrap(), created_at);
    let Pool::Sqlite(pool) = store.pool() else {
        panic!("not a SQLite store");
    };
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(pool)
        .await
        .unwrap();
    let embedded = sqlx::migrate::Migrator::new(crate::migrations::Embedded(Backend::Sqlite))
        .await
        .unwrap();
    assert_eq!(usize::try_from(applied).unwrap(), embedded.iter().count());
}

#[tokio::test]
async fn open_in_dir_creates_the_directory_and_default_file() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let store = Store::open_in_dir(&data_dir).await.unwrap();
    store.ping().await.unwrap();
    assert!(data_dir.join(SQLITE_FILE_NAME).is_file());
}

#[tokio::test]
async fn sqlite_url_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("url.db");
    let store = Store::open(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    assert!(path.is_file());
}

#[tokio::test]
async fn unsupported_scheme_is_rejected() {
    let err = Store::open("mysql://root@localhost/saifu")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::UnsupportedScheme { scheme } if scheme == "mysql"),
        "{err:?}"
    );
    assert!(err.to_string().contains("postgres://"), "{err}");
}

#[tokio::test]
async fn invalid_postgres_url_is_rejected() {
    let err = Store::open("postgres://saifu@localhost:notaport/saifu")
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::InvalidUrl { expected, .. } if expected.starts_with("postgres://")),
        "{err:?}"
    );
}

#[tokio::test]
async fn invalid_sqlite_url_is_rejected() {
    let err = Store::open("sqlite://node.db?mode=bogus")
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::InvalidUrl { expected, .. } if expected.starts_with("sqlite://")),
        "{err:?}"
    );
}

#[tokio::test]
async fn uncreatable_directory_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a directory").unwrap();
    let err = Store::open(path_str(&file.join("sub/node.db")))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::CreateDir { path, .. } if path == &file.join("sub")),
        "{err:?}"
    );
}

#[tokio::test]
async fn directory_instead_of_database_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let err = Store::open(path_str(dir.path())).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::OpenSqlite { path, .. } if path == dir.path()),
        "{err:?}"
    );
}

#[tokio::test]
async fn file_that_is_not_sqlite_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.db");
    std::fs::write(&path, vec![0x5a; 4096]).unwrap();
    let err = Store::open(path_str(&path)).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::OpenSqlite { path: p, .. } if p == &path),
        "{err:?}"
    );
}

#[tokio::test]
async fn database_from_a_newer_saifu_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("node.db");
    let store = Store::open(path_str(&path)).await.unwrap();
    let Pool::Sqlite(pool) = store.pool() else {
        panic!("not a SQLite store");
    };
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', TRUE, x'00', 0)",
    )
    .execute(pool)
    .await
    .unwrap();
    store.close().await;

    let err = Store::open(path_str(&path)).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Migrate {
                backend: Backend::Sqlite,
                source: MigrateError::VersionMissing(9999)
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn closed_store_fails_ping_with_query_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in_dir(dir.path()).await.unwrap();
    store.close().await;
    let err = store.ping().await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Query {
                source: sqlx::Error::PoolClosed
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn refused_postgres_connection_is_reported_at_once_without_the_password() {
    let started = std::time::Instant::now();
    let err = Store::open("postgres://saifu:s3cret@127.0.0.1:1/saifu")
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(&err, StoreError::ConnectPostgres { target, source: sqlx::Error::Io(e) }
            if target == "127.0.0.1:1/saifu" && e.kind() == std::io::ErrorKind::ConnectionRefused),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("is it running"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
}

#[tokio::test]
async fn silent_postgres_server_times_out() {
    // The kernel completes the handshake for the backlog, but nobody ever answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let err = Store::open(&format!("postgres://saifu@127.0.0.1:{port}/saifu"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::ConnectPostgres { source: sqlx::Error::Io(e), .. }
            if e.kind() == std::io::ErrorKind::TimedOut),
        "{err:?}"
    );
}

#[tokio::test]
async fn postgres_open_migrate_reopen_ping() {
    let db = TestDatabase::create().await.unwrap();
    let store = Store::open(db.url()).await.unwrap();
    assert_eq!(store.backend(), Backend::Postgres);
    store.ping().await.unwrap();
    let created_at = store.meta("created_at").await.unwrap().unwrap();
    assert_timestamp(&created_at);
    store.close().await;

    let store = Store::open(db.url()).await.unwrap();
    store.ping().await.unwrap();
    assert_eq!(store.meta("created_at").await.unwrap(), Some(created_at));
    assert_eq!(store.meta("no-such-key").await.unwrap(), None);
}

#[tokio::test]
async fn missing_postgres_database_is_reported() {
    let mut url = url::Url::parse(&testing::server_url()).unwrap();
    url.set_path("saifu_no_such_database");
    let err = Store::open(url.as_str()).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::ConnectPostgres { target, .. } if target.ends_with("/saifu_no_such_database")),
        "{err:?}"
    );
}

#[tokio::test]
async fn test_database_is_dropped_with_its_handle() {
    let db = TestDatabase::create().await.unwrap();
    let name = db.name().to_owned();
    // A connection still open must not keep the database alive.
    let store = Store::open(db.url()).await.unwrap();

    let mut server = PgConnection::connect(&testing::server_url()).await.unwrap();
    let exists = async |conn: &mut PgConnection| -> bool {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(conn)
            .await
            .unwrap()
    };
    assert!(exists(&mut server).await);
    drop(db);
    assert!(!exists(&mut server).await);
    drop(store);
}
