//! The node over real HTTP on loopback, on SQLite and on PostgreSQL.

use std::path::Path;

use reqwest::StatusCode;
use saifu_server::{
    AppState, BODY_LIMIT_BYTES, Config, LogFormat, ServeError, Server, build_router,
};
use saifu_store::testing::TestDatabase;
use saifu_store::{Store, StoreError};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

fn config(data_dir: &Path, database_url: Option<&str>) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.to_path_buf(),
        database_url: database_url.map(str::to_owned),
        log_format: LogFormat::Text,
        public_url: None,
        admin_token: None,
        tls_self_signed: false,
        issuer: Default::default(),
        verifier: Default::default(),
        registry: Default::default(),
        vc_api: Default::default(),
        wallet: Default::default(),
        witness: Default::default(),
    }
}

/// A node serving in the background until [`Running::stop`].
struct Running {
    base: String,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), ServeError>>,
}

impl Running {
    async fn start(config: &Config) -> Running {
        let server = Server::bind(config).await.unwrap();
        let base = format!("http://{}", server.local_addr());
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        Running { base, stop, task }
    }

    /// Asks for a graceful shutdown and checks the node finished cleanly.
    async fn stop(self) {
        self.stop.send(()).unwrap();
        self.task.await.unwrap().unwrap();
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

async fn json_body(response: reqwest::Response) -> Value {
    let content_type = response.headers()[reqwest::header::CONTENT_TYPE].clone();
    assert_eq!(content_type, "application/json");
    response.json().await.unwrap()
}

#[tokio::test]
async fn healthz_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let node = Running::start(&config(dir.path(), None)).await;

    let response = reqwest::get(node.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        json_body(response).await,
        json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"), "database": "sqlite"})
    );
    assert!(dir.path().join(saifu_store::SQLITE_FILE_NAME).is_file());
    node.stop().await;
}

#[tokio::test]
async fn healthz_on_postgres() {
    let db = TestDatabase::create().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let node = Running::start(&config(dir.path(), Some(db.url()))).await;

    let response = reqwest::get(node.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        json_body(response).await,
        json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"), "database": "postgres"})
    );
    node.stop().await;
}

#[tokio::test]
async fn healthz_is_503_when_the_database_does_not_answer() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in_dir(dir.path()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = build_router(AppState::new(store.clone()));
    tokio::spawn(async move { axum::serve(listener, router).await });
    store.close().await;

    let response = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        json_body(response).await,
        json!({
            "error": "temporarily_unavailable",
            "error_description": "the sqlite database did not answer; see the node's log",
        })
    );
}

#[tokio::test]
async fn unknown_path_is_a_json_404() {
    let dir = tempfile::tempdir().unwrap();
    let node = Running::start(&config(dir.path(), None)).await;

    let response = reqwest::get(node.url("/no/such/thing")).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        json_body(response).await,
        json!({"error": "not_found", "error_description": "no resource at /no/such/thing"})
    );
    node.stop().await;
}

#[tokio::test]
async fn wrong_method_is_a_json_405() {
    let dir = tempfile::tempdir().unwrap();
    let node = Running::start(&config(dir.path(), None)).await;

    let response = reqwest::Client::new()
        .delete(node.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        json_body(response).await,
        json!({"error": "method_not_allowed", "error_description": "/healthz does not accept DELETE"})
    );
    node.stop().await;
}

#[tokio::test]
async fn body_over_the_limit_is_a_json_413() {
    let dir = tempfile::tempdir().unwrap();
    let node = Running::start(&config(dir.path(), None)).await;
    let client = reqwest::Client::new();

    // At the limit the body passes the layer and reaches routing (405: /healthz is GET only).
    let response = client
        .post(node.url("/healthz"))
        .body(vec![b'a'; BODY_LIMIT_BYTES])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);

    let response = client
        .post(node.url("/healthz"))
        .body(vec![b'a'; BODY_LIMIT_BYTES + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        json_body(response).await,
        json!({
            "error": "invalid_request",
            "error_description": "the request body exceeds the limit of 1048576 bytes",
        })
    );
    node.stop().await;
}

#[tokio::test]
async fn port_in_use_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut config = config(dir.path(), None);
    config.listen = taken.local_addr().unwrap();

    let err = Server::bind(&config).await.unwrap_err();
    assert!(
        matches!(&err, ServeError::Bind { addr, .. } if *addr == config.listen),
        "{err:?}"
    );
}

#[tokio::test]
async fn unusable_database_stops_startup() {
    let dir = tempfile::tempdir().unwrap();
    let err = Server::bind(&config(dir.path(), Some("mysql://root@localhost/saifu")))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServeError::Store(StoreError::UnsupportedScheme { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn each_role_can_be_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), None);
    config.issuer.enabled = false;
    config.verifier.enabled = false;
    config.wallet.enabled = false;
    config.registry.enabled = false;
    let node = Running::start(&config).await;
    let http = reqwest::Client::new();
    for path in [
        "/.well-known/openid-credential-issuer",
        "/admin/presentations/any",
        "/wallet",
        "/registry/checkpoint",
        // The witness role is off unless switched on.
        "/witness/verifier-key",
    ] {
        let status = http.get(node.url(path)).send().await.unwrap().status();
        assert_eq!(status, StatusCode::NOT_FOUND, "{path} is off");
    }
    let health = http.get(node.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    node.stop().await;
}
