//! saifu's verifier against an independent wallet: npm `@openid4vc/openid4vp` 0.4.6 with `dcql`
//! 3.0.0 and `@sd-jwt/sd-jwt-vc` 0.19.0 (`interop/openid4vp/wallet.mjs`, `npm ci --prefix
//! interop`). For each client identifier prefix (`redirect_uri:` by value, `x509_san_dns:` and
//! `decentralized_identifier:` by reference) and each response mode (`direct_post`,
//! `direct_post.jwt`) the wallet resolves the request, matches the DCQL query, presents the
//! SD-JWT VC saifu issued with a KB-JWT and posts it; the session must end verified with exactly
//! the requested claim disclosed.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use saifu_credential::sd_jwt::ClaimPath;
use saifu_credential::sd_jwt_vc::VcIssuance;
use saifu_credential::status::{FetchConfig, StatusListFetcher};
use saifu_crypto::{KeyType, LocalSigner, PrivateKey, Signer};
use saifu_did::http::{HttpClient, HttpConfig};
use saifu_server::{AppState, VerifierRole, build_router};
use saifu_store::Store;
use saifu_store::verifier::VerifierSessions;
use saifu_test_support::{expect_node, require_npm_package};
use saifu_verifier::client::{DidIdentity, RequestSigners};
use saifu_verifier::x509::DevelopmentCa;
use saifu_verifier::{
    IssuerKeys, TrustEntry, TrustList, TrustedIssuer, VctFilter, Verifier, VerifierConfig,
};
use serde_json::{Value, json};

const ISSUER: &str = "https://issuer.example";
const VCT: &str = "urn:example:employee";
const ADMIN_TOKEN: &str = "peer-admin-token";

fn now() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    i64::try_from(secs).expect("time")
}

fn signer(key_type: KeyType) -> LocalSigner {
    LocalSigner::new(PrivateKey::generate(key_type).expect("key")).expect("signer")
}

/// A verifier on 127.0.0.1 with every prefix configured, and the wallet's material.
struct Node {
    _dir: tempfile::TempDir,
    base: String,
    http: reqwest::Client,
    ca_der: Vec<u8>,
    issuer: LocalSigner,
    holder: LocalSigner,
}

impl Node {
    async fn start() -> Node {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in_dir(dir.path()).await.expect("open");
        let issuer = signer(KeyType::Ed25519);
        let trust = TrustList::new(vec![TrustEntry {
            issuer: TrustedIssuer::PinnedJwk {
                iss: ISSUER.into(),
                jwk: Box::new(issuer.public_key().to_jwk()),
            },
            vct: VctFilter::Only(vec![VCT.into()]),
        }]);
        let keys = IssuerKeys::new().with_pinned(ISSUER, issuer.public_key().clone());
        let status = StatusListFetcher::new(
            Arc::new(HttpClient::new(HttpConfig::default()).expect("client")),
            Arc::new(signer(KeyType::Ed25519).public_key().clone()),
            FetchConfig::default(),
        );
        let verifier = Verifier::new(
            keys,
            Arc::new(trust),
            Arc::new(status),
            VerifierConfig::default(),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("addr");
        let base = format!("http://{address}");
        let ca = DevelopmentCa::generate(&address.ip().to_string()).expect("dev CA");
        let did = DidIdentity::did_jwk(PrivateKey::generate(KeyType::P256).expect("key"))
            .expect("did:jwk");
        let signers = RequestSigners::default()
            .with_x509(ca.identity)
            .with_did(did);
        let role = VerifierRole::new(
            VerifierSessions::new(store.clone()),
            Arc::new(verifier),
            signers,
            &base,
            300,
            ADMIN_TOKEN.to_owned(),
        );
        let app = build_router(AppState::new(store).with_verifier(role));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        Node {
            _dir: dir,
            base,
            http: reqwest::Client::new(),
            ca_der: ca.ca_certificate,
            issuer,
            holder: signer(KeyType::P256),
        }
    }

    async fn create(&self, prefix: &str, response_mode: &str) -> (String, String) {
        let response = self
            .http
            .post(format!("{}/admin/presentations", self.base))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({
                "client_id_prefix": prefix,
                "response_mode": response_mode,
                "dcql_query": {"credentials": [{
                    "id": "employee", "format": "dc+sd-jwt", "meta": {"vct_values": [VCT]},
                    "claims": [{"path": ["given_name"]}]
                }]}
            }))
            .send()
            .await
            .expect("create");
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.expect("json");
        (
            body["id"].as_str().expect("id").to_owned(),
            body["link"].as_str().expect("link").to_owned(),
        )
    }

    async fn credential(&self) -> String {
        let claims = json!({"given_name": "Erika", "family_name": "Mustermann"});
        let given: ClaimPath = "/given_name".parse().expect("path");
        let family: ClaimPath = "/family_name".parse().expect("path");
        VcIssuance::new(VCT, claims.as_object().expect("object").clone())
            .issuer(ISSUER)
            .validity(Some(now() - 60), None, Some(now() + 3600))
            .holder_key(&self.holder.public_key().to_jwk())
            .disclosable(given)
            .disclosable(family)
            .sign(&self.issuer)
            .await
            .expect("issue")
            .to_compact()
    }

    async fn result(&self, id: &str) -> Value {
        self.http
            .get(format!("{}/admin/presentations/{id}", self.base))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("result")
            .json()
            .await
            .expect("json")
    }
}

/// Runs the npm wallet with `input` (see wallet.mjs); its JSON answer.
fn run_wallet(input: &Value) -> Value {
    require_npm_package("@openid4vc/openid4vp", None);
    expect_node("openid4vp/wallet.mjs", input)
}

async fn presents(prefix: &str, response_mode: &str, sent_by: &str) {
    let node = Node::start().await;
    let (id, link) = node.create(prefix, response_mode).await;
    let input = json!({
        "link": link,
        "credential": node.credential().await,
        "holder_jwk": node.holder.private_key().to_jwk(),
        "ca_der": base64::engine::general_purpose::STANDARD.encode(&node.ca_der),
    });
    let answer = tokio::task::spawn_blocking(move || run_wallet(&input))
        .await
        .expect("wallet task");
    assert!(answer.get("error").is_none(), "{answer}");
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(answer["response_mode"], response_mode);
    assert_eq!(answer["sent_by"], sent_by);
    assert!(
        answer["client_id"]
            .as_str()
            .expect("client_id")
            .starts_with(&format!("{prefix}:")),
        "{answer}"
    );
    let result = node.result(&id).await;
    assert_eq!(result["status"], "verified", "{result}");
    let presented = &result["report"]["credentials"]["employee"][0];
    assert_eq!(presented["claims"]["given_name"], "Erika", "{result}");
    assert!(presented["claims"].get("family_name").is_none(), "{result}");
}

#[tokio::test]
async fn redirect_uri_by_value_direct_post() {
    presents("redirect_uri", "direct_post", "value").await;
}

#[tokio::test]
async fn redirect_uri_by_value_direct_post_jwt() {
    presents("redirect_uri", "direct_post.jwt", "value").await;
}

#[tokio::test]
async fn x509_san_dns_by_reference_direct_post() {
    presents("x509_san_dns", "direct_post", "reference").await;
}

#[tokio::test]
async fn x509_san_dns_by_reference_direct_post_jwt() {
    presents("x509_san_dns", "direct_post.jwt", "reference").await;
}

#[tokio::test]
async fn decentralized_identifier_by_reference_direct_post() {
    presents("decentralized_identifier", "direct_post", "reference").await;
}

#[tokio::test]
async fn decentralized_identifier_by_reference_direct_post_jwt() {
    presents("decentralized_identifier", "direct_post.jwt", "reference").await;
}
