//! The Presentation Exchange 2.0 legacy request form of `POST /admin/presentations` over real
//! HTTP on SQLite: a `presentation_definition` is translated to DCQL before the session is
//! created, after which the session behaves exactly as a DCQL one; definitions DCQL cannot
//! express, and bodies with both or neither query form, are refused with `invalid_request`.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use saifu_credential::sd_jwt::{ClaimPath, KeyBindingRequest};
use saifu_credential::sd_jwt_vc::VcIssuance;
use saifu_credential::status::{FetchConfig, StatusListFetcher};
use saifu_crypto::{KeyType, LocalSigner, PrivateKey, Signer};
use saifu_did::http::{HttpClient, HttpConfig};
use saifu_server::{AppState, VerifierRole, build_router};
use saifu_store::Store;
use saifu_store::verifier::VerifierSessions;
use saifu_verifier::client::RequestSigners;
use saifu_verifier::{
    IssuerKeys, TrustEntry, TrustList, TrustedIssuer, VctFilter, Verifier, VerifierConfig,
};
use serde_json::{Value, json};

const ISSUER: &str = "https://issuer.example";
const VCT: &str = "urn:example:employee";
const ADMIN_TOKEN: &str = "admin-secret-token";

fn now() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    i64::try_from(secs).expect("time")
}

fn signer() -> LocalSigner {
    LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).expect("key")).expect("signer")
}

/// A verifier node on SQLite trusting one pinned issuer for [`VCT`], and the wallet's keys.
struct Node {
    _dir: tempfile::TempDir,
    base: String,
    http: reqwest::Client,
    issuer: LocalSigner,
    holder: LocalSigner,
}

impl Node {
    async fn start() -> Node {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in_dir(dir.path()).await.expect("open");
        let issuer = signer();
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
            Arc::new(signer().public_key().clone()),
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
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let role = VerifierRole::new(
            VerifierSessions::new(store.clone()),
            Arc::new(verifier),
            RequestSigners::default(),
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
            issuer,
            holder: signer(),
        }
    }

    /// `POST /admin/presentations` with `body`; the status and JSON answer.
    async fn create(&self, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/admin/presentations", self.base))
            .bearer_auth(ADMIN_TOKEN)
            .json(body)
            .send()
            .await
            .expect("create");
        let status = response.status().as_u16();
        (status, response.json().await.expect("json"))
    }

    /// The wallet's answer to `request`: an SD-JWT VC of [`VCT`] disclosing `given_name` only,
    /// with a KB-JWT for the request's client_id and nonce, as the `query_id` vp_token entry.
    async fn vp_token(&self, request: &Value, query_id: &str) -> String {
        let claims = json!({"given_name": "Erika", "family_name": "Mustermann"});
        let claims = claims.as_object().expect("object").clone();
        let given_name: ClaimPath = "/given_name".parse().expect("path");
        let family_name: ClaimPath = "/family_name".parse().expect("path");
        let sd_jwt = VcIssuance::new(VCT, claims)
            .disclosable(given_name.clone())
            .disclosable(family_name)
            .issuer(ISSUER)
            .validity(Some(now() - 60), None, Some(now() + 3600))
            .holder_key(&self.holder.public_key().to_jwk())
            .sign(&self.issuer)
            .await
            .expect("issue");
        let binding = KeyBindingRequest {
            audience: request["client_id"].as_str().expect("client_id"),
            nonce: request["nonce"].as_str().expect("nonce"),
            issued_at: now(),
        };
        let presentation = sd_jwt
            .present_with_key_binding(&[given_name], &binding, &self.holder)
            .await
            .expect("present")
            .to_compact();
        json!({ query_id: [presentation] }).to_string()
    }

    async fn respond(&self, request: &Value, vp_token: &str) -> u16 {
        self.http
            .post(request["response_uri"].as_str().expect("uri"))
            .form(&[
                ("vp_token", vp_token),
                ("state", request["state"].as_str().expect("state")),
            ])
            .send()
            .await
            .expect("post")
            .status()
            .as_u16()
    }

    async fn result(&self, id: &str) -> Value {
        let response = self
            .http
            .get(format!("{}/admin/presentations/{id}", self.base))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("result");
        assert_eq!(response.status(), 200);
        response.json().await.expect("json")
    }
}

/// A PE definition asking for `given_name` of a [`VCT`] credential, described by `employee`.
fn definition() -> Value {
    json!({
        "id": "employee-check",
        "input_descriptors": [{
            "id": "employee",
            "format": {"vc+sd-jwt": {"sd-jwt_alg_values": ["EdDSA"]}},
            "constraints": {
                "limit_disclosure": "required",
                "fields": [
                    {"path": ["$.vct"], "filter": {"type": "string", "const": VCT}},
                    {"path": ["$.given_name"]}
                ]
            }
        }]
    })
}

/// Asserts a 400 `invalid_request` whose description contains `needle`.
fn assert_invalid((status, body): &(u16, Value), needle: &str) {
    assert_eq!(*status, 400, "{body}");
    assert_eq!(body["error"], "invalid_request", "{body}");
    let description = body["error_description"].as_str().expect("text");
    assert!(description.contains(needle), "{description}");
}

#[tokio::test]
async fn presentation_definition_request_verifies_like_dcql() {
    let node = Node::start().await;
    let (status, created) = node
        .create(&json!({"presentation_definition": definition()}))
        .await;
    assert_eq!(status, 201, "{created}");
    let request = &created["request"];
    assert_eq!(
        request["dcql_query"],
        json!({"credentials": [{
            "id": "employee", "format": "dc+sd-jwt", "multiple": false,
            "meta": {"vct_values": [VCT]},
            "require_cryptographic_holder_binding": true,
            "claims": [{"path": ["given_name"]}]
        }]})
    );
    assert!(request.get("presentation_definition").is_none());
    let id = created["id"].as_str().expect("id");
    assert_eq!(node.result(id).await["status"], "pending");

    let vp_token = node.vp_token(request, "employee").await;
    assert_eq!(node.respond(request, &vp_token).await, 200);
    let result = node.result(id).await;
    assert_eq!(result["status"], "verified", "{result}");
    let credential = &result["report"]["credentials"]["employee"][0];
    assert_eq!(credential["claims"]["given_name"], "Erika");
    assert!(credential["claims"].get("family_name").is_none());
}

#[tokio::test]
async fn untranslatable_definition_is_refused_naming_the_construct() {
    let node = Node::start().await;
    let mut definition = definition();
    definition["input_descriptors"][0]["constraints"]["fields"][1]["filter"] =
        json!({"type": "string", "pattern": "^E"});
    let response = node
        .create(&json!({"presentation_definition": definition}))
        .await;
    assert_invalid(&response, "`filter.pattern` cannot be expressed in DCQL");

    let mut definition = self::definition();
    definition["input_descriptors"][0]["format"] = json!({"ldp_vc": {}});
    let response = node
        .create(&json!({"presentation_definition": definition}))
        .await;
    assert_invalid(&response, "unsupported format `ldp_vc`");
}

#[tokio::test]
async fn exactly_one_query_form_is_required() {
    let node = Node::start().await;
    let dcql = json!({"credentials": [{
        "id": "employee", "format": "dc+sd-jwt", "meta": {"vct_values": [VCT]}
    }]});
    for body in [
        json!({"dcql_query": dcql, "presentation_definition": definition()}),
        json!({"response_mode": "direct_post"}),
    ] {
        assert_invalid(
            &node.create(&body).await,
            "exactly one of `dcql_query` and `presentation_definition`",
        );
    }
    let (status, _) = node.create(&json!({"dcql_query": dcql})).await;
    assert_eq!(status, 201);
}
