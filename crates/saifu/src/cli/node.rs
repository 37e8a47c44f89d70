//! Talking to a running node's admin API: which node (`--node`, `SAIFU_NODE`), with which
//! bearer token (`SAIFU_ADMIN_TOKEN`, else the token the node generated into its data
//! directory), and turning its JSON errors into [`CliError`]s that say what to do.

use std::path::PathBuf;

use clap::Args;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::cli::CliError;

/// Where the node is, for every command that acts on one.
#[derive(Debug, Clone, Args)]
pub struct NodeArgs {
    /// The node's URL [env: SAIFU_NODE] [default: http://127.0.0.1:8080]
    #[arg(long, value_name = "URL", global = true)]
    node: Option<String>,

    /// The node's data directory, to read its generated admin token from when
    /// SAIFU_ADMIN_TOKEN is unset [default: as `saifu serve`]
    #[arg(long, value_name = "DIR", global = true)]
    node_data_dir: Option<PathBuf>,
}

/// An HTTP client for one node's admin API.
#[derive(Debug)]
pub struct NodeClient {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl NodeClient {
    /// A client for the node `args` name, with its admin token.
    pub fn new(args: &NodeArgs) -> Result<NodeClient, CliError> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let base = args
            .node
            .clone()
            .or_else(|| env("SAIFU_NODE"))
            .unwrap_or_else(|| "http://127.0.0.1:8080".into())
            .trim_end_matches('/')
            .to_owned();
        let token = match env("SAIFU_ADMIN_TOKEN") {
            Some(token) => token,
            None => {
                let data_dir = match &args.node_data_dir {
                    Some(dir) => dir.clone(),
                    None => saifu_server::Config::load(None, env, Default::default())?.data_dir,
                };
                saifu_server::read_admin_token(&data_dir).map_err(CliError::NoAdminToken)?
            }
        };
        Ok(NodeClient {
            base,
            token,
            http: reqwest::Client::new(),
        })
    }

    /// `GET path` → its JSON body.
    pub async fn get(&self, path: &str) -> Result<Value, CliError> {
        self.send(Method::GET, path, None).await
    }

    /// `POST path` with a JSON body → its JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, CliError> {
        self.send(Method::POST, path, Some(body.to_string().into_bytes()))
            .await
    }

    /// `POST path` with a raw body (CSV, a log entry) → its JSON body (a bare number for a
    /// leaf index).
    pub async fn post_bytes(&self, path: &str, body: Vec<u8>) -> Result<Value, CliError> {
        self.send(Method::POST, path, Some(body)).await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> Result<Value, CliError> {
        self.send(Method::DELETE, path, None).await
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Value, CliError> {
        let url = format!("{}{path}", self.base);
        let mut request = self.http.request(method, &url).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let unreachable = |source| CliError::NodeUnreachable {
            url: self.base.clone(),
            source,
        };
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status();
        let text = response.text().await.map_err(unreachable)?;
        let json: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        if status.is_success() {
            return Ok(json);
        }
        let field = |name: &str| json.get(name).and_then(Value::as_str).map(str::to_owned);
        Err(CliError::NodeRejected {
            status,
            error: field("error").unwrap_or_else(|| status_code_name(status)),
            description: field("error_description").unwrap_or_default(),
        })
    }
}

fn status_code_name(status: StatusCode) -> String {
    status
        .canonical_reason()
        .unwrap_or("error")
        .to_lowercase()
        .replace(' ', "_")
}

/// What to do about a failure to talk to a node.
pub fn hint(error: &CliError) -> String {
    match error {
        CliError::NodeUnreachable { url, .. } => format!(
            "is the node running at {url}? Start it with `saifu serve`, or point at it with \
             --node URL or SAIFU_NODE"
        ),
        CliError::NoAdminToken(_) => "set SAIFU_ADMIN_TOKEN to the node's admin token, or pass \
             --node-data-dir with the node's data directory (it writes `admin-token` there on \
             first start)"
            .into(),
        CliError::NodeRejected { status, .. } if *status == StatusCode::UNAUTHORIZED => {
            "the admin token was refused: use the token of this node (SAIFU_ADMIN_TOKEN or its \
             data directory's admin-token file)"
                .into()
        }
        CliError::NodeRejected { status, .. } if *status == StatusCode::NOT_FOUND => {
            "check the id; list what exists with the matching `list` command".into()
        }
        _ => "fix the request as the message says and run the command again".into(),
    }
}
