//! A node serving the VC-API (over http, or https with `--tls-self-signed`) and the requests
//! the VC-API tests send it. Each test binary uses a different subset, hence `dead_code`.
#![allow(dead_code)]

use std::path::PathBuf;

use reqwest::StatusCode;
use saifu_server::{Config, ConfigLayer, Server, VcApiSettings};
use serde_json::{Value, json};
use tokio::sync::oneshot;

/// A running node; dropping it stops the server and removes its data directory.
pub struct VcNode {
    /// `http://127.0.0.1:PORT` or `https://localhost:PORT`.
    pub base: String,
    /// The admin token.
    pub token: String,
    /// A client trusting the node's certificate when it has one.
    pub http: reqwest::Client,
    /// The CA certificate file clients must trust (`--tls-self-signed` only).
    pub ca: Option<PathBuf>,
    stop: Option<oneshot::Sender<()>>,
    done: Option<tokio::task::JoinHandle<()>>,
    dir: tempfile::TempDir,
}

impl VcNode {
    /// A plain-http node with the default VC-API settings.
    pub async fn start() -> VcNode {
        VcNode::start_in(tempfile::tempdir().unwrap(), false, None).await
    }

    /// A `--tls-self-signed` node.
    pub async fn start_tls() -> VcNode {
        VcNode::start_in(tempfile::tempdir().unwrap(), true, None).await
    }

    /// A node keeping its files in `dir`, over https when `tls`, on `database_url` (SQLite in
    /// `dir` when `None`).
    pub async fn start_in(
        dir: tempfile::TempDir,
        tls: bool,
        database_url: Option<String>,
    ) -> VcNode {
        VcNode::start_with(dir, tls, database_url, VcApiSettings::default()).await
    }

    /// [`VcNode::start_in`] with `settings` for the VC-API.
    pub async fn start_with(
        dir: tempfile::TempDir,
        tls: bool,
        database_url: Option<String>,
        settings: VcApiSettings,
    ) -> VcNode {
        let flags = ConfigLayer {
            port: Some(0),
            data_dir: Some(dir.path().to_path_buf()),
            database_url,
            tls_self_signed: Some(tls),
            vc_api: Some(settings),
            ..ConfigLayer::default()
        };
        let config = Config::load(None, |_| None, flags).unwrap();
        let server = Server::bind(&config).await.unwrap();
        let base = server.base_url().to_owned();
        let ca = server.tls_ca_path().map(|p| p.to_path_buf());
        let mut client = reqwest::Client::builder();
        if let Some(ca) = &ca {
            let pem = std::fs::read(ca).unwrap();
            client = client.add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap());
        }
        let (stop, stopped) = oneshot::channel::<()>();
        let done = tokio::spawn(async move {
            server
                .run(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        VcNode {
            base,
            token: saifu_server::read_admin_token(dir.path()).unwrap(),
            http: client.build().unwrap(),
            ca,
            stop: Some(stop),
            done: Some(done),
            dir,
        }
    }

    /// Stops the node and hands back its data directory (to start it again).
    pub async fn stop(mut self) -> tempfile::TempDir {
        let _ = self.stop.take().unwrap().send(());
        self.done.take().unwrap().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::mem::replace(&mut self.dir, dir)
    }

    /// The node's data directory.
    pub fn data_dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs `body` to `path` (with the admin token when `admin`); status and JSON answer.
    pub async fn post(&self, path: &str, body: &Value, admin: bool) -> (StatusCode, Value) {
        let mut request = self.http.post(self.url(path)).json(body);
        if admin {
            request = request.bearer_auth(&self.token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// GETs `path`; status and JSON answer.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self.http.get(self.url(path)).send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The DID the node signs `suite` with.
    pub async fn issuer_did(&self, suite: &str) -> String {
        let (status, issuers) = self.get("/credentials/issuers").await;
        assert_eq!(status, StatusCode::OK, "{issuers}");
        issuers[suite].as_str().unwrap().to_owned()
    }

    /// Issues [`credential`] through the VC-API with `suite`; the verifiable credential.
    pub async fn issue(&self, suite: &str) -> Value {
        let body = json!({
            "credential": credential(&self.issuer_did(suite).await),
            "options": {"cryptosuite": suite},
        });
        let (status, answer) = self.post("/credentials/issue", &body, true).await;
        assert_eq!(status, StatusCode::CREATED, "{suite}: {answer}");
        answer["verifiableCredential"].clone()
    }

    /// `POST /credentials/verify`; status and answer.
    pub async fn verify(&self, credential: &Value) -> (StatusCode, Value) {
        let body = json!({"verifiableCredential": credential, "options": {"checks": ["proof"]}});
        self.post("/credentials/verify", &body, false).await
    }

    /// Sets `status` (`revoked`, `suspended`, `unsuspended`) of the credential `id`.
    pub async fn set_status(&self, id: &str, status: &str) -> (StatusCode, Value) {
        let body = json!({"credentialId": id, "credentialStatus": [
            {"type": "BitstringStatusListEntry", "status": status}
        ]});
        self.post("/credentials/status", &body, true).await
    }
}

/// Whether the node's published list says entry `which` (0 revocation, 1 suspension) of `vc`
/// is set, reading the list at this node's own URL (the port may have changed since issuance).
pub async fn published_bit(node: &VcNode, vc: &Value, which: usize) -> bool {
    let entry = &vc["credentialStatus"][which];
    let list_url = entry["statusListCredential"].as_str().unwrap();
    let name = list_url.rsplit('/').next().unwrap();
    let (status, list) = node.get(&format!("/status/w3c/{name}")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let index: usize = entry["statusListIndex"].as_str().unwrap().parse().unwrap();
    saifu_credential::status::bitstring::BitstringStatusList::decode(
        list["credentialSubject"]["encodedList"].as_str().unwrap(),
        1 << 20,
    )
    .unwrap()
    .get(index)
    .unwrap()
}

/// An unsigned example credential issued by `issuer`.
pub fn credential(issuer: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "issuer": issuer,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"}
    })
}

/// The `code` of the first error of a refused verification.
pub fn error_code(answer: &Value) -> &str {
    assert_eq!(answer["verified"], false, "{answer}");
    answer["errors"][0]["code"].as_str().unwrap_or_default()
}
