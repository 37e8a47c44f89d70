//! A node the demo talks to over loopback HTTP with its admin token, as any operator tool and
//! relying party would: the demo never reaches into the node's internals.

use std::path::{Path, PathBuf};

use saifu_server::{Config, ConfigLayer, Server, VerifierSettings};
use serde_json::Value;

use crate::cli::CliError;

/// A running node and the admin token that drives it.
pub(crate) struct DemoNode {
    /// The node's base URL.
    pub(crate) base: String,
    token: String,
    http: reqwest::Client,
}

impl DemoNode {
    /// Starts a node in this process on `port` (0: any free one) on loopback, with `verifier`
    /// settings when given, and keeps it serving until the process ends.
    pub(crate) async fn start(
        data_dir: PathBuf,
        port: u16,
        verifier: Option<VerifierSettings>,
    ) -> Result<DemoNode, CliError> {
        let flags = ConfigLayer {
            port: Some(port),
            data_dir: Some(data_dir.clone()),
            verifier,
            ..ConfigLayer::default()
        };
        let config = Config::load(None, |_| None, flags)?;
        let server = Server::bind(&config).await?;
        let base = format!("http://{}", server.local_addr());
        tokio::spawn(server.run(std::future::pending()));
        let token = saifu_server::read_admin_token(&data_dir).map_err(CliError::NoAdminToken)?;
        DemoNode::connect(base, token, None)
    }

    /// A node already running at `base`, driven with the admin `token`; `ca` is the PEM
    /// certificate of the CA that signed its TLS certificate when it serves
    /// `--tls-self-signed`.
    pub(crate) fn connect(
        base: String,
        token: String,
        ca: Option<&Path>,
    ) -> Result<DemoNode, CliError> {
        let mut http = reqwest::Client::builder();
        if let Some(path) = ca {
            let pem = std::fs::read(path).map_err(|source| CliError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            let certificate = reqwest::Certificate::from_pem(&pem).map_err(|e| {
                CliError::BadArgument(format!("{} holds no CA certificate: {e}", path.display()))
            })?;
            http = http.add_root_certificate(certificate);
        }
        let http = http.build().map_err(|e| {
            CliError::BadArgument(format!("cannot make an HTTP client for the demo: {e}"))
        })?;
        Ok(DemoNode { base, token, http })
    }

    /// Calls the admin API; the JSON answer, or the node's refusal as a [`CliError`].
    pub(crate) async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, CliError> {
        let url = format!("{}{path}", self.base);
        let mut request = self.http.request(method, &url).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer = request
            .send()
            .await
            .map_err(|source| CliError::NodeUnreachable { url, source })?;
        let status = answer.status();
        let value: Value = answer.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(CliError::NodeRejected {
                status,
                error: value["error"].as_str().unwrap_or("error").to_owned(),
                description: value["error_description"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            });
        }
        Ok(value)
    }

    /// `POST`s `body` to the admin API.
    pub(crate) async fn post(&self, path: &str, body: Value) -> Result<Value, CliError> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// The admin token (printed by the interactive demo so the operator can open the portal).
    pub(crate) fn token(&self) -> &str {
        &self.token
    }
}
