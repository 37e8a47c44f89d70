//! A whole node as `saifu serve` starts it (its configuration → roles → HTTP on loopback, data
//! in a temporary directory), its admin API, and a minimal wallet that redeems offers — shared
//! by the tests that drive nodes from outside. Each test binary uses a different subset, hence
//! the module-level `dead_code` allowance.
#![allow(dead_code)]

use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use saifu_credential::sd_jwt::{ClaimPath, KeyBindingRequest, Limits, SdJwt};
use saifu_crypto::{KeyType, LocalSigner, PrivateKey, jws};
use saifu_oid4vc::vci::offer::PRE_AUTHORIZED_CODE_GRANT;
use saifu_server::{Config, ConfigLayer, Server, VerifierSettings};
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;

/// A running node; dropping it stops the server and removes its data directory.
pub struct Node {
    /// `http://127.0.0.1:<port>`, also the node's own origin.
    pub base: String,
    /// The admin token from the data directory.
    pub token: String,
    /// A client that does not follow redirects, so tests see them.
    pub http: reqwest::Client,
    _stop: oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

impl Node {
    /// Starts a node with the default configuration (issuer and verifier on, SQLite).
    pub async fn start() -> Node {
        Node::start_with(None, VerifierSettings::default()).await
    }

    /// Starts a node on `database_url` (SQLite in the data directory when `None`) whose
    /// verifier has `verifier` settings.
    pub async fn start_with(database_url: Option<String>, verifier: VerifierSettings) -> Node {
        let flags = ConfigLayer {
            database_url,
            verifier: Some(verifier),
            ..ConfigLayer::default()
        };
        Node::start_layer(tempfile::tempdir().unwrap(), flags).await
    }

    /// Starts a node keeping its files in `dir`, configured by `flags` (on port 0 unless they
    /// name one).
    pub async fn start_layer(dir: tempfile::TempDir, mut flags: ConfigLayer) -> Node {
        flags.port = flags.port.or(Some(0));
        flags.data_dir = Some(dir.path().to_path_buf());
        let config = Config::load(None, |_| None, flags).unwrap();
        let server = Server::bind(&config).await.unwrap();
        let base = format!("http://{}", server.local_addr());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        let token = saifu_server::read_admin_token(dir.path()).unwrap();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Node {
            base,
            token,
            http,
            _stop: stop,
            _dir: dir,
        }
    }

    /// Stops the node and hands back its data directory (to start another node on it).
    pub fn stop(self) -> tempfile::TempDir {
        self._dir
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET path` → its body as text, whatever the status (log keys, checkpoints, metrics).
    pub async fn text(&self, path: &str) -> String {
        let answer = self.http.get(self.url(path)).send().await.unwrap();
        answer.text().await.unwrap()
    }

    /// An admin API request with the node's token; status and JSON body.
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// An admin API `POST` with a raw body (a CSV import); status and JSON body.
    pub async fn admin_text(&self, path: &str, body: &str) -> (StatusCode, Value) {
        let request = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .body(body.to_owned());
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Subject `id` with `claims` through the admin API.
    pub async fn put_subject(&self, id: &str, claims: Value) {
        let body = json!({"id": id, "claims": claims});
        let (status, answer) = self
            .admin(reqwest::Method::POST, "/admin/subjects", Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }

    /// A diploma issued to `subject` (already registered): an offer by reference with a PIN
    /// from the admin API, collected by [`Node::collect`]. Returns the status list index.
    pub async fn issue_diploma(&self, subject: &str) -> i64 {
        let body = json!({"subject": subject, "credential_configuration_id": "diploma",
                          "tx_code": true, "by_reference": true});
        let (status, created) = self
            .admin(reqwest::Method::POST, "/admin/offers", Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        self.collect(
            created["credential_offer_uri"].as_str().unwrap(),
            created["tx_code"].as_str().unwrap(),
        )
        .await
    }

    /// What a wallet does with an offer by reference and its PIN: fetch the offer, redeem the
    /// pre-authorized code, prove a fresh holder key and receive the credential. Returns the
    /// status list index the issuer recorded for it.
    pub async fn collect(&self, offer_uri: &str, pin: &str) -> i64 {
        let offer: Value = self.json(self.http.get(offer_uri)).await;
        let (issued, holder, _) = self.redeem(&offer, Some(pin)).await;
        assert!(
            issued["credentials"][0]["credential"].is_string(),
            "{issued}"
        );
        let thumbprint = holder
            .private_key()
            .public_key()
            .to_jwk()
            .thumbprint()
            .unwrap();
        let (_, listed) = self
            .admin(reqwest::Method::GET, "/admin/credentials", None)
            .await;
        listed["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .find(|record| record["holder_key_thumbprint"] == thumbprint.as_str())
            .and_then(|record| record["status_index"].as_i64())
            .expect("the issued credential is recorded")
    }

    /// What a wallet does with a pre-authorized offer (and its PIN): redeem the code, prove a
    /// fresh Ed25519 holder key against a fresh nonce and ask for the credential. Returns the
    /// Credential Endpoint's answer (credentials, or a deferral), the holder key and the
    /// access token.
    pub async fn redeem(&self, offer: &Value, pin: Option<&str>) -> (Value, LocalSigner, String) {
        let issuer_id = offer["credential_issuer"].as_str().unwrap().to_owned();
        let code = offer["grants"][PRE_AUTHORIZED_CODE_GRANT]["pre-authorized_code"]
            .as_str()
            .unwrap();
        let mut form = vec![
            ("grant_type", PRE_AUTHORIZED_CODE_GRANT),
            ("pre-authorized_code", code),
        ];
        if let Some(pin) = pin {
            form.push(("tx_code", pin));
        }
        let token = self
            .json(self.http.post(self.url("/token")).form(&form))
            .await;
        let access_token = token["access_token"].as_str().unwrap().to_owned();
        let nonce = self.json(self.http.post(self.url("/nonce"))).await;
        let holder = LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap()).unwrap();
        let proof = proof(&holder, &issuer_id, nonce["c_nonce"].as_str().unwrap()).await;
        let credential_config = offer["credential_configuration_ids"][0].clone();
        let request = self
            .http
            .post(self.url("/credential"))
            .bearer_auth(&access_token)
            .json(&json!({"credential_configuration_id": credential_config,
                          "proofs": {"jwt": [proof]}}));
        (self.json(request).await, holder, access_token)
    }

    /// Creates a presentation request (`request`: the admin API body), answers it as the
    /// holder of `credential` with `direct_post`, disclosing `disclose` (claim paths such as
    /// `/degree`) under credential query `query_id`; the session id and the answer's status.
    pub async fn present(
        &self,
        request: Value,
        query_id: &str,
        credential: &str,
        holder: &LocalSigner,
        disclose: &[&str],
    ) -> (String, StatusCode) {
        let (status, created) = self
            .admin(reqwest::Method::POST, "/admin/presentations", Some(request))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let request = &created["request"];
        let sd_jwt = SdJwt::parse_compact(credential, &Limits::default()).unwrap();
        let binding = KeyBindingRequest {
            audience: request["client_id"].as_str().unwrap(),
            nonce: request["nonce"].as_str().unwrap(),
            issued_at: now_seconds(),
        };
        let paths: Vec<ClaimPath> = disclose.iter().map(|p| p.parse().unwrap()).collect();
        let presentation = sd_jwt
            .present_with_key_binding(&paths, &binding, holder)
            .await
            .unwrap()
            .to_compact();
        let vp_token = json!({query_id: [presentation]}).to_string();
        let state = request["state"].as_str().unwrap();
        let answer = self
            .http
            .post(request["response_uri"].as_str().unwrap())
            .form(&[("vp_token", vp_token.as_str()), ("state", state)])
            .send()
            .await
            .unwrap();
        (created["id"].as_str().unwrap().to_owned(), answer.status())
    }

    /// The admin API's status of the credential at `index`.
    pub async fn credential_status(&self, index: i64) -> String {
        let (status, record) = self
            .admin(
                reqwest::Method::GET,
                &format!("/admin/credentials/{index}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{record}");
        record["status"].as_str().unwrap().to_owned()
    }

    async fn json(&self, request: reqwest::RequestBuilder) -> Value {
        let response = request.send().await.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert!(status.is_success(), "{status}: {body}");
        body
    }
}

/// The check called `name` (`signature`, `status`, `trust`, …) in a verification report.
pub fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no `{name}` check in {report}"))
}

/// Seconds since the epoch.
pub fn now_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A `jwt` key proof of `holder` for `nonce`, addressed to the issuer at `aud`.
pub async fn proof(holder: &LocalSigner, aud: &str, nonce: &str) -> String {
    let now = now_seconds();
    let mut header = Map::new();
    header.insert("typ".into(), "openid4vci-proof+jwt".into());
    header.insert(
        "jwk".into(),
        serde_json::to_value(holder.private_key().public_key().to_jwk()).unwrap(),
    );
    let claims = json!({"aud": aud, "iat": now, "nonce": nonce});
    jws::sign_compact(&header, &serde_json::to_vec(&claims).unwrap(), holder)
        .await
        .unwrap()
}
