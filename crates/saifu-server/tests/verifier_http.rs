//! The verifier over real HTTP on loopback, on SQLite and PostgreSQL: this test is the wallet
//! (it issues an SD-JWT VC from a trusted pinned issuer key, presents it with a KB-JWT for the
//! session's `redirect_uri:` client_id and nonce, and posts it with `direct_post`).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use saifu_credential::sd_jwt::{ClaimPath, KeyBindingRequest};
use saifu_credential::sd_jwt_vc::VcIssuance;
use saifu_credential::status::{FetchConfig, StatusListFetcher};
use saifu_crypto::jwe::{self, ContentEncryption, EncryptOptions};
use saifu_crypto::{KeyType, LocalSigner, PrivateKey, PublicKey, Signer};
use saifu_did::http::{HttpClient, HttpConfig};
use saifu_server::{AppState, VerifierRole, build_router};
use saifu_store::Store;
use saifu_store::testing::TestDatabase;
use saifu_store::verifier::VerifierSessions;
use saifu_verifier::client::RequestSigners;
use saifu_verifier::{
    IssuerKeys, TrustEntry, TrustList, TrustedIssuer, VctFilter, Verifier, VerifierConfig,
};
use serde_json::{Value, json};

const ISSUER: &str = "https://issuer.example";
/// An issuer whose key the verifier knows but does not trust.
const ROGUE: &str = "https://rogue.example";
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

/// Where the database lives; the PostgreSQL one is dropped with the node.
enum Db {
    Sqlite { _dir: tempfile::TempDir },
    Postgres { _db: Box<TestDatabase> },
}

impl Db {
    async fn open(postgres: bool) -> (Db, Store) {
        if postgres {
            let db = TestDatabase::create().await.expect("test database");
            let store = Store::open(db.url()).await.expect("open");
            (Db::Postgres { _db: Box::new(db) }, store)
        } else {
            let dir = tempfile::tempdir().expect("tempdir");
            let store = Store::open_in_dir(dir.path()).await.expect("open");
            (Db::Sqlite { _dir: dir }, store)
        }
    }
}

/// A running verifier node and the wallet's keys.
struct Node {
    _db: Db,
    base: String,
    http: reqwest::Client,
    trusted_issuer: LocalSigner,
    rogue_issuer: LocalSigner,
    holder: LocalSigner,
}

/// A session as created through the admin API.
struct Created {
    id: String,
    request: Value,
}

impl Node {
    /// Starts a verifier trusting one pinned issuer key for [`VCT`], sessions lasting
    /// `lifetime` seconds.
    async fn start(postgres: bool, lifetime: i64) -> Node {
        let (db, store) = Db::open(postgres).await;
        let trusted_issuer = signer();
        let rogue_issuer = signer();
        let trust = TrustList::new(vec![TrustEntry {
            issuer: TrustedIssuer::PinnedJwk {
                iss: ISSUER.into(),
                jwk: Box::new(trusted_issuer.public_key().to_jwk()),
            },
            vct: VctFilter::Only(vec![VCT.into()]),
        }]);
        let keys = trust
            .pinned_keys()
            .expect("pinned")
            .into_iter()
            .fold(IssuerKeys::new(), |keys, (iss, key)| {
                keys.with_pinned(iss, key)
            })
            .with_pinned(ROGUE, rogue_issuer.public_key().clone());
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
            lifetime,
            ADMIN_TOKEN.to_owned(),
        );
        let app = build_router(AppState::new(store).with_verifier(role));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        Node {
            _db: db,
            base,
            http: reqwest::Client::new(),
            trusted_issuer,
            rogue_issuer,
            holder: signer(),
        }
    }

    async fn create(&self) -> Created {
        self.create_with("direct_post").await
    }

    /// A `redirect_uri:` session answered with `response_mode`.
    async fn create_with(&self, response_mode: &str) -> Created {
        let response = self
            .http
            .post(format!("{}/admin/presentations", self.base))
            .bearer_auth(ADMIN_TOKEN)
            .json(
                &json!({"response_mode": response_mode, "dcql_query": {"credentials": [{
                    "id": "employee", "format": "dc+sd-jwt", "meta": {"vct_values": [VCT]},
                    "claims": [{"path": ["given_name"]}]
                }]}}),
            )
            .send()
            .await
            .expect("create");
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.expect("json");
        let id = body["id"].as_str().expect("id").to_owned();
        assert!(body["qr_svg"].as_str().expect("qr_svg").contains("<svg"));
        let link = body["link"].as_str().expect("link");
        assert!(link.starts_with("openid4vp://?"), "{link}");
        assert!(link.contains("client_id=redirect_uri%3Ahttp"), "{link}");
        let request = body["request"].clone();
        assert_eq!(request["response_mode"], response_mode);
        assert_eq!(
            request["client_id"],
            format!(
                "redirect_uri:{}",
                request["response_uri"].as_str().expect("uri")
            )
        );
        Created { id, request }
    }

    /// An SD-JWT VC from `iss` signed by `issuer`, presented for `created` with a KB-JWT carrying `nonce`.
    async fn vp_token(
        &self,
        issuer: (&str, &LocalSigner),
        created: &Created,
        nonce: &str,
    ) -> String {
        let audience = created.request["client_id"].as_str().expect("client_id");
        let claims = json!({"given_name": "Erika", "family_name": "Mustermann"});
        self.presentation(issuer, &claims, VCT, (audience, nonce))
            .await
    }

    /// An SD-JWT VC of type `vct` with `claims` (all disclosable, all disclosed) from `iss`
    /// signed by `issuer`, with a KB-JWT for `(audience, nonce)`, as the `employee` vp_token.
    async fn presentation(
        &self,
        (iss, issuer): (&str, &LocalSigner),
        claims: &Value,
        vct: &str,
        (audience, nonce): (&str, &str),
    ) -> String {
        let claims = claims.as_object().expect("object").clone();
        let paths: Vec<ClaimPath> = claims
            .keys()
            .map(|name| format!("/{name}").parse().expect("path"))
            .collect();
        let disclose: Vec<ClaimPath> = paths
            .iter()
            .filter(|path| path.to_string() == "/given_name" || claims.len() == 1)
            .cloned()
            .collect();
        let sd_jwt = paths
            .iter()
            .fold(VcIssuance::new(vct, claims.clone()), |issuance, path| {
                issuance.disclosable(path.clone())
            })
            .issuer(iss)
            .validity(Some(now() - 60), None, Some(now() + 3600))
            .holder_key(&self.holder.public_key().to_jwk())
            .sign(issuer)
            .await
            .expect("issue");
        let binding = KeyBindingRequest {
            audience,
            nonce,
            issued_at: now(),
        };
        let presentation = sd_jwt
            .present_with_key_binding(&disclose, &binding, &self.holder)
            .await
            .expect("present")
            .to_compact();
        json!({"employee": [presentation]}).to_string()
    }

    /// Posts `form` to the session's response URI; returns the status and JSON body.
    async fn post_form(&self, created: &Created, form: &[(&str, &str)]) -> (u16, Value) {
        let response = self
            .http
            .post(created.request["response_uri"].as_str().expect("uri"))
            .form(form)
            .send()
            .await
            .expect("post");
        let status = response.status().as_u16();
        (status, response.json().await.expect("json"))
    }

    /// The `direct_post.jwt` response: `vp_token` and `state` encrypted to `recipient`.
    fn encrypt(recipient: &PublicKey, vp_token: &str, state: &str) -> String {
        let payload = json!({
            "vp_token": serde_json::from_str::<Value>(vp_token).expect("json"),
            "state": state,
        });
        jwe::encrypt(
            recipient,
            payload.to_string().as_bytes(),
            &EncryptOptions::new(ContentEncryption::A256Gcm),
        )
        .expect("encrypt")
    }

    /// The session's `direct_post.jwt` key from its `client_metadata.jwks`.
    fn response_key(created: &Created) -> PublicKey {
        let jwk = &created.request["client_metadata"]["jwks"]["keys"][0];
        assert!(jwk.get("d").is_none(), "private key exposed: {jwk}");
        PublicKey::from_jwk(&serde_json::from_value(jwk.clone()).expect("jwk")).expect("key")
    }

    async fn valid_vp_token(&self, created: &Created) -> String {
        let nonce = created.request["nonce"].as_str().expect("nonce");
        self.vp_token((ISSUER, &self.trusted_issuer), created, nonce)
            .await
    }

    /// Posts the `direct_post` form; returns the status and JSON body.
    async fn post(&self, created: &Created, vp_token: &str, state: &str) -> (u16, Value) {
        self.post_form(created, &[("vp_token", vp_token), ("state", state)])
            .await
    }

    fn state(created: &Created) -> &str {
        created.request["state"].as_str().expect("state")
    }

    async fn result(&self, created: &Created) -> Value {
        let response = self
            .http
            .get(format!("{}/admin/presentations/{}", self.base, created.id))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("result");
        assert_eq!(response.status(), 200);
        response.json().await.expect("json")
    }
}

/// Runs `$scenario(postgres: bool)` once on SQLite and once on PostgreSQL.
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $scenario() { super::$scenario(false).await })*
        }
        mod postgres {
            $(#[tokio::test] async fn $scenario() { super::$scenario(true).await })*
        }
    };
}

on_both_backends!(
    presentation_verifies_once,
    concurrent_responses_complete_once,
    wrong_nonce_is_rejected,
    state_mismatch_leaves_session_pending,
    expired_session_refuses_response,
    untrusted_issuer_is_rejected,
    admin_token_is_required,
    malformed_vp_token_is_invalid_request,
    oversized_body_is_refused,
    wrong_audience_is_rejected,
    missing_required_claim_is_rejected,
    credential_of_another_type_is_rejected,
    encrypted_response_verifies,
    malformed_jwe_leaves_session_pending,
    jwe_to_another_key_leaves_session_pending,
    oversized_jwe_leaves_session_pending,
    response_mode_must_match_the_request,
    by_value_request_has_no_request_object,
);

/// Asserts a 400 `invalid_request` whose description contains `needle`.
fn assert_invalid(response: &(u16, Value), needle: &str) {
    assert_eq!(response.0, 400, "{}", response.1);
    assert_eq!(response.1["error"], "invalid_request");
    let description = response.1["error_description"].as_str().expect("text");
    assert!(description.contains(needle), "{description}");
}

/// Asserts the session was rejected with report error `code`.
async fn assert_rejected(node: &Node, created: &Created, code: &str) {
    let result = node.result(created).await;
    assert_eq!(result["status"], "rejected", "{result}");
    assert_eq!(result["report"]["error"]["code"], code, "{result}");
}

async fn wrong_audience_is_rejected(postgres: bool) {
    let node = Node::start(postgres, 300).await;
    let created = node.create().await;
    let nonce = created.request["nonce"].as_str().expect("nonce");
    let claims = json!({"given_name": "Erika"});
    let token = node
        .presentation(
            (ISSUER, &node.trusted_issuer),
            &claims,
            VCT,
            ("redirect_uri:https://other.example/response", nonce),
        )
        .await;
    let response = node.post(&created, &token, Node::state(&created)).await;
    assert_invalid(&response, "rejected");
    assert_rejected(&node, &created, "wrong_audience").await;
}

async fn missing_required_claim_is_rejected(postgres: bool) {
    let node = Node::start(postgres, 300).await;
    let created = node.create().await;
    let (aud, nonce) = (
        created.request["client_id"].as_str().expect("client_id"),
        created.request["nonce"].as_str().expect("nonce"),
    );
    let claims = json!({"family_name": "Mustermann"});
    let token = node
        .presentation((ISSUER, &node.trusted_issuer), &claims, VCT, (aud, nonce))
        .await;
    let response = node.post(&created, &token, Node::state(&created)).await;
    assert_invalid(&response, "rejected");
    assert_rejected(&node, &created, "query_not_satisfied").await;
    let result = node.result(&created).await;
    assert_eq!(
        result["report"]["error"]["details"][0]["reason"],
        json!({"missing_claim": {"path": ["given_name"]}})
    );
}

async fn credential_of_another_type_is_rejected(postgres: bool) {
    let node = Node::start(postgres, 300).await;
    let created = node.create().await;
    let (aud, nonce) = (
        created.request["client_id"].as_str().expect("client_id"),
        created.request["nonce"].as_str().expect("nonce"),
    );
    let claims = json!({"given_name": "Erika"});
    let token = node
        .presentation(
            (ISSUER, &node.trusted_issuer),
            &claims,
            "urn:example:other",
            (aud, nonce),
        )
        .await;
    let response = node.post(&created, &token, Node::state(&created)).await;
    assert_invalid(&response, "rejected");
    // The trust list admits this issuer for VCT only.
    assert_rejected(&node, &created, "untrusted_issuer").await;
}

async fn encrypted_response_verifies(postgres: bool) {
    let node = Node::start(postgres, 300).await;
    let created = node.create_with("direct_post.jwt").await;
    let metadata = &created.request["client_metadata"];
    assert_eq!(
        metadata["encrypted_response_enc_values_supported"],
        json!(["A128GCM", "A256GCM"])
    );
    assert_eq!(metadata["jwks"]["keys"][0]["alg"], "ECDH-ES");
    assert_eq!(metadata["jwks"]["keys"][0]["use"], "enc");
    let token = node.valid_vp_token(&created).await;
    let jwe = Node::encrypt(&Node::response_key(&created), &token, Node::state(&created));
    let response = node.post_form(&created, &[("response", &jwe)]).await;
    assert_eq!(response, (200, json!({})));
    assert_eq!(node.result(&created).await["status"], "verified");
    // The same JWE again is a replay.
    let replay = node.post_form(&created, &[("response", &jwe)]).await;
    assert_invalid(&replay, "already answered");
}

async fn malformed_jwe_leaves_session_pending(postgres: bool) {
    let node = Node::start(postgres, 300).await;
    let created = node.create_with("direct_post.jwt").await;
    for garbage in [
        "not-a-jwe",
        "a.b.c.d.e",
        "eyJhbGciOiJkaXIifQ..AAAA.AAAA.AAAA",
    ] {
        let response = node.post_form(&created, &[("response", garbage)]).await;
        assert_invalid(&response, "malformed encrypted response");
    }
    // A well-encrypted payload without a state.
    let jwe = jwe::encrypt(
        &Node::response_key(&created),
        br#"{"vp_token": {}}"#,
        &EncryptOptions::new(ContentEncryption::A128Gcm),
    )
    .expect("encrypt");
    let response = node.post_form(&created, &[("response", &jwe)]).await;
    assert_invalid(&response, "payload");
    assert_eq!(
        node.result(&created).await,
        json!({"status": "pending", "report": null})
    );
}

async fn jwe_to_another_key_leaves_session_pending(postgres: bool) {
    let node = Node::start(postgres, 300).await;
    let created = node.create_with("direct_post.jwt").await;
    let token = node.valid_vp_token(&created).await;
    let stranger = PrivateKey::generate(KeyType::P256).expect("key");
    let jwe = Node::encrypt(stranger.public_key(), &token, Node::state(&created));
    let response = node.post_form(&created, &[("response", &jwe)]).await;
    assert_invalid(&response, "does not decrypt");
    assert_eq!(
        node.result(&created).await,
        json!({"status": "pending", "report": null})
    );
    // The right key still works afterwards.
    let jwe = Node::encrypt(&Node::response_key(&created), &token, Node::state(&created));
    assert_eq!(node.post_form(&created, &[("response", &jwe)]).await.0, 200);
}

async fn oversized_jwe_leaves_session_pending(postgres: bool) {
    let node = Node::start(postgres, 300).await;
    let created = node.create_with("direct_post.jwt").await;
    // Under the HTTP body limit, over the JWE limit.
    let huge = "a".repeat(jwe::DEFAULT_MAX_TOKEN_LEN + 1);
    assert!(huge.len() < saifu_server::BODY_LIMIT_BYTES);
    let response = node.post_form(&created, &[("response", &huge)]).await;
    assert_invalid(&response, "too large");
    assert_eq!(node.result(&created).await["status"], "pending");
}

async fn response_mode_must_match_the_request(postgres: bool) {
    let node = Node::start(postgres, 300).await;
    let encrypted = node.create_with("direct_post.jwt").await;
    let token = node.valid_vp_token(&encrypted).await;
    let response = node.post(&encrypted, &token, Node::state(&encrypted)).await;
    assert_invalid(&response, "direct_post.jwt");
    assert_eq!(node.result(&encrypted).await["status"], "pending");

    let plain = node.create().await;
    let response = node.post_form(&plain, &[("response", "x.y.z.w.v")]).await;
    assert_invalid(&response, "direct_post");
    let both = node
        .post_form(
            &plain,
            &[("response", "x"), ("vp_token", "{}"), ("state", "s")],
        )
        .await;
    assert_invalid(&both, "either");
    assert_eq!(node.result(&plain).await["status"], "pending");
}

async fn by_value_request_has_no_request_object(postgres: bool) {
    let node = Node::start(postgres, 300).await;
    let created = node.create().await;
    let response = node
        .http
        .get(format!(
            "{}/presentations/{}/request",
            node.base, created.id
        ))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.expect("json");
    assert!(
        body["error_description"]
            .as_str()
            .expect("text")
            .contains("by value")
    );
    // An unsupported prefix or one without an identity is refused at creation.
    for (prefix, needle) in [("https", "unsupported"), ("x509_san_dns", "not configured")] {
        let response = node
            .http
            .post(format!("{}/admin/presentations", node.base))
            .bearer_auth(ADMIN_TOKEN)
            .json(
                &json!({"client_id_prefix": prefix, "dcql_query": {"credentials": [
                    {"id": "employee", "format": "dc+sd-jwt", "meta": {"vct_values": [VCT]}}
                ]}}),
            )
            .send()
            .await
            .expect("create");
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.expect("json");
        assert!(
            body["error_description"]
                .as_str()
                .expect("text")
                .contains(needle),
            "{body}"
        );
    }
    // A backend that only needs the link asks for no QR code.
    let response = node
        .http
        .post(format!("{}/admin/presentations", node.base))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"qr": false, "dcql_query": {"credentials": [
            {"id": "employee", "format": "dc+sd-jwt", "meta": {"vct_values": [VCT]}}
        ]}}))
        .send()
        .await
        .expect("create");
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.expect("json");
    assert!(body.get("qr_svg").is_none(), "{body}");
    assert!(
        body["link"]
            .as_str()
            .expect("link")
            .starts_with("openid4vp://")
    );
}

async fn presentation_verifies_once(postgres: bool) {
    let node = Node::start(postgres, 300).await;
    let created = node.create().await;
    assert_eq!(node.result(&created).await["status"], "pending");
    let token = node.valid_vp_token(&created).await;
    let (status, body) = node.post(&created, &token, Node::state(&created)).await;
    assert_eq!((status, body), (200, json!({})));
    let result = node.result(&created).await;
    assert_eq!(result["status"], "verified");
    let credential = &result["report"]["credentials"]["employee"][0];
    assert_eq!(credential["claims"]["given_name"], "Erika");
    assert!(credential["claims"].get("family_name").is_none());

    // Replaying the same vp_token is refused and the result is unchanged.
    let (status, body) = node.post(&created, &token, Node::state(&created)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_request");
    assert!(
        body["error_description"]
            .as_str()
            .expect("text")
            .contains("already answered")
    );
    assert_eq!(node.result(&created).await, result);
}

async fn wrong_nonce_is_rejected(postgres: bool) {
    let node = Node::start(postgres, 300).await;
    let created = node.create().await;
    let token = node
        .vp_token((ISSUER, &node.trusted_issuer), &created, "not-the-nonce")
        .await;
    let (status, body) = node.post(&created, &token, Node::state(&created)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_request");
    let result = node.result(&created).await;
    assert_eq!(result["status"], "rejected");
    assert_eq!(result["report"]["error"]["code"], "wrong_nonce");
}

async fn state_mismatch_leaves_session_pending(postgres: bool) {
    let node = Node::start(postgres, 300).await;
    let created = node.create().await;
    let token = node.valid_vp_token(&created).await;
    let (status, body) = node.post(&created, &token, "other-state").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_request");
    assert!(
        body["error_description"]
            .as_str()
            .expect("text")
            .contains("state")
    );
    assert_eq!(
        node.result(&created).await,
        json!({"status": "pending", "report": null})
    );
    // The right state still works afterwards.
    let (status, _) = node.post(&created, &token, Node::state(&created)).await;
    assert_eq!(status, 200);
}

async fn expired_session_refuses_response(postgres: bool) {
    let node = Node::start(postgres, 0).await;
    let created = node.create().await;
    let token = node.valid_vp_token(&created).await;
    let (status, body) = node.post(&created, &token, Node::state(&created)).await;
    assert_eq!(status, 400);
    assert!(
        body["error_description"]
            .as_str()
            .expect("text")
            .contains("expired")
    );
    assert_eq!(
        node.result(&created).await,
        json!({"status": "expired", "report": null})
    );
}

async fn untrusted_issuer_is_rejected(postgres: bool) {
    let node = Node::start(postgres, 300).await;
    let created = node.create().await;
    let nonce = created.request["nonce"].as_str().expect("nonce");
    let token = node
        .vp_token((ROGUE, &node.rogue_issuer), &created, nonce)
        .await;
    let (status, _) = node.post(&created, &token, Node::state(&created)).await;
    assert_eq!(status, 400);
    let result = node.result(&created).await;
    assert_eq!(result["status"], "rejected");
    let error = &result["report"]["error"];
    assert_eq!(error["code"], "untrusted_issuer", "{result}");
    assert_eq!(error["issuer"], ROGUE);
    assert_eq!(error["reason"], "unknown_issuer");
}

async fn admin_token_is_required(postgres: bool) {
    let node = Node::start(postgres, 300).await;
    for token in [None, Some("wrong")] {
        let mut request = node
            .http
            .post(format!("{}/admin/presentations", node.base))
            .json(&json!({"dcql_query": {}}));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("send");
        assert_eq!(response.status(), 401);
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"], "invalid_token");
    }
    let created = node.create().await;
    let response = node
        .http
        .get(format!("{}/admin/presentations/{}", node.base, created.id))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 401);
}

async fn malformed_vp_token_is_invalid_request(postgres: bool) {
    let node = Node::start(postgres, 300).await;
    let created = node.create().await;
    let (status, body) = node
        .post(&created, "{not json", Node::state(&created))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_request");
    assert!(
        body["error_description"]
            .as_str()
            .expect("text")
            .contains("vp_token")
    );
    assert_eq!(node.result(&created).await["status"], "pending");
}

async fn oversized_body_is_refused(postgres: bool) {
    let node = Node::start(postgres, 300).await;
    let created = node.create().await;
    let huge = "a".repeat(saifu_server::BODY_LIMIT_BYTES + 1);
    let (status, body) = node.post(&created, &huge, Node::state(&created)).await;
    assert_eq!(status, 413);
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(node.result(&created).await["status"], "pending");
}

async fn concurrent_responses_complete_once(postgres: bool) {
    let node = Arc::new(Node::start(postgres, 300).await);
    let created = Arc::new(node.create().await);
    let token = Arc::new(node.valid_vp_token(&created).await);
    let posts: Vec<_> = (0..8)
        .map(|_| {
            let (node, created, token) = (node.clone(), created.clone(), token.clone());
            tokio::spawn(async move { node.post(&created, &token, Node::state(&created)).await.0 })
        })
        .collect();
    let mut statuses = Vec::new();
    for post in posts {
        statuses.push(post.await.expect("join"));
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 400, 400, 400, 400, 400, 400, 400]);
    assert_eq!(node.result(&created).await["status"], "verified");
}
