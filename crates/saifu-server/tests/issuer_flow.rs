//! The issuer role over real HTTP on loopback: a reqwest client plays the wallet through the
//! pre-authorized code flow, on SQLite and on PostgreSQL, including the failure cases.

use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use saifu_credential::sd_jwt::{Limits, SdJwt, VerifyOptions};
use saifu_credential::sd_jwt_vc::{VcVerifyOptions, verify_vc};
use saifu_credential::status::token::jwt;
use saifu_credential::status::{self, ReferenceOptions, StatusValue};
use saifu_crypto::{Algorithm, KeyType, LocalSigner, PrivateKey, PublicKey, jws};
use saifu_issuer::{ClaimConfig, CredentialConfig, Issuer, IssuerConfig};
use saifu_oid4vc::vci::offer::{CredentialOffer, PRE_AUTHORIZED_CODE_GRANT};
use saifu_server::{AppState, IssuerRole, build_router};
use saifu_store::Store;
use saifu_store::testing::TestDatabase;
use serde_json::{Map, Value, json};

const ISSUER_ID: &str = "https://issuer.example";
const ADMIN_TOKEN: &str = "admin-secret";
const ATTEMPTS: i64 = 3;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn issuer_key() -> PrivateKey {
    PrivateKey::from_jwk(
        &serde_json::from_value(json!({
            "kty": "OKP", "crv": "Ed25519",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
            "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
        }))
        .unwrap(),
    )
    .unwrap()
}

fn issuer(offer_ttl: i64, store: Store) -> IssuerRole {
    let claim = |name: &str, sd: bool| ClaimConfig {
        name: name.into(),
        display_name: name.to_uppercase(),
        selectively_disclosable: sd,
    };
    let config = IssuerConfig {
        issuer_id: ISSUER_ID.into(),
        signer: LocalSigner::new(issuer_key())
            .unwrap()
            .with_key_id("issuer-key-1"),
        display_name: "Example University".into(),
        credentials: vec![CredentialConfig {
            id: "diploma".into(),
            vct: "https://issuer.example/diploma".into(),
            scope: "diploma".into(),
            display_name: "Diploma".into(),
            claims: vec![claim("given_name", true), claim("degree", false)],
            validity: 3600,
            holder_binding: true,
            w3c: None,
        }],
        offer_ttl,
        token_ttl: 300,
        tx_code_attempts: ATTEMPTS,
        batch_size: 2,
        status_list_size: saifu_issuer::STATUS_LIST_ENTRIES,
    };
    IssuerRole::new(Issuer::new(config, store), ADMIN_TOKEN.into())
}

/// Serves an issuer node on loopback; returns its base URL.
async fn serve(offer_ttl: i64, store: Store) -> String {
    let state = AppState::new(store.clone()).with_issuer(issuer(offer_ttl, store));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, build_router(state)).await });
    base
}

async fn sqlite() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in_dir(dir.path()).await.unwrap();
    (dir, store)
}

/// The wallet: an HTTP client against one issuer node.
struct Wallet {
    http: reqwest::Client,
    base: String,
}

/// An offer as the admin API returns it.
struct Offer {
    code: String,
    pin: Option<String>,
}

impl Wallet {
    fn new(base: &str) -> Wallet {
        Wallet {
            http: reqwest::Client::new(),
            base: base.to_owned(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn offer(&self, tx_code: bool) -> Offer {
        let mut body = json!({
            "credential_configuration_id": "diploma",
            "claims": {"given_name": "Hanako", "degree": "BSc"},
        });
        if tx_code {
            body["tx_code"] = json!({"length": 6, "description": "PIN from the e-mail"});
        }
        let response = self
            .http
            .post(self.url("/admin/offers"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let created: Value = response.json().await.unwrap();
        let link = created["link"].as_str().unwrap();
        assert!(link.starts_with("openid-credential-offer://?credential_offer="));
        let offer = CredentialOffer::from_value(created["credential_offer"].clone()).unwrap();
        let grant = offer.grants.unwrap().pre_authorized_code.unwrap();
        assert_eq!(grant.requires_tx_code(), tx_code);
        Offer {
            code: grant.pre_authorized_code,
            pin: created["tx_code"].as_str().map(str::to_owned),
        }
    }

    /// Posts a token request; the status and the JSON body.
    async fn token(&self, code: &str, tx_code: Option<&str>) -> (StatusCode, Value) {
        let mut form = vec![
            ("grant_type", PRE_AUTHORIZED_CODE_GRANT),
            ("pre-authorized_code", code),
        ];
        if let Some(pin) = tx_code {
            form.push(("tx_code", pin));
        }
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let response = self
            .http
            .post(self.url("/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }

    async fn access_token(&self, offer: &Offer) -> String {
        let (status, body) = self.token(&offer.code, offer.pin.as_deref()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    async fn nonce(&self) -> String {
        let response = self.http.post(self.url("/nonce")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let body: Value = response.json().await.unwrap();
        body["c_nonce"].as_str().unwrap().to_owned()
    }

    /// Posts a credential request with `proofs` (JWTs); the status and the JSON body.
    async fn credential(
        &self,
        token: Option<&str>,
        config_id: &str,
        proofs: &[String],
    ) -> (StatusCode, Value) {
        let mut request = self.http.post(self.url("/credential")).json(&json!({
            "credential_configuration_id": config_id,
            "proofs": {"jwt": proofs},
        }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        (response.status(), response.json().await.unwrap())
    }
}

/// A holder key.
fn holder() -> LocalSigner {
    LocalSigner::new(PrivateKey::generate(KeyType::P256).unwrap()).unwrap()
}

/// A `jwt` key proof naming `named`'s key in its header, signed by `signer`.
async fn proof(named: &LocalSigner, signer: &LocalSigner, nonce: Option<&str>) -> String {
    let mut header = Map::new();
    header.insert("typ".into(), "openid4vci-proof+jwt".into());
    header.insert(
        "jwk".into(),
        serde_json::to_value(named.private_key().public_key().to_jwk()).unwrap(),
    );
    let mut claims = json!({"aud": ISSUER_ID, "iat": now()});
    if let Some(nonce) = nonce {
        claims["nonce"] = nonce.into();
    }
    let payload = serde_json::to_vec(&claims).unwrap();
    jws::sign_compact(&header, &payload, signer).await.unwrap()
}

fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(
        (status, body["error"].as_str()),
        (expected, Some(code)),
        "{body}"
    );
}

/// Verifies an issued SD-JWT VC and checks it is bound to `holder`.
fn check_credential(credential: &Value, holder: &PublicKey) -> u64 {
    let sd_jwt = SdJwt::parse_compact(credential.as_str().unwrap(), &Limits::default()).unwrap();
    let options = VcVerifyOptions {
        sd_jwt: VerifyOptions {
            allowed_algorithms: &[Algorithm::Ed25519, Algorithm::EdDSA],
            limits: Limits::default(),
            key_binding: None,
        },
        now: now(),
        skew: 60,
        accept_legacy_typ: false,
        status: ReferenceOptions::default(),
    };
    let verified = verify_vc(&sd_jwt, issuer_key().public_key(), &options).unwrap();
    assert_eq!(verified.vct, "https://issuer.example/diploma");
    assert_eq!(verified.issuer.as_deref(), Some(ISSUER_ID));
    assert_eq!(verified.claims()["given_name"], "Hanako");
    assert_eq!(verified.claims()["degree"], "BSc");
    let cnf = serde_json::to_value(holder.to_jwk()).unwrap();
    assert_eq!(verified.claims()["cnf"]["jwk"], cnf);
    let reference = verified.status.expect("a status reference");
    assert_eq!(reference.uri(), "https://issuer.example/status/1");
    assert_eq!(
        sd_jwt.disclosures().len(),
        1,
        "only given_name is disclosable"
    );
    reference.idx()
}

/// The full pre-authorized flow with a PIN and a batch of two proofs.
async fn full_flow(base: &str) {
    let wallet = Wallet::new(base);
    let metadata: Value = wallet
        .http
        .get(wallet.url("/.well-known/openid-credential-issuer"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        metadata["credential_endpoint"],
        "https://issuer.example/credential"
    );
    assert_eq!(metadata["nonce_endpoint"], "https://issuer.example/nonce");
    let config = &metadata["credential_configurations_supported"]["diploma"];
    assert_eq!(config["format"], "dc+sd-jwt");
    let as_metadata: Value = wallet
        .http
        .get(wallet.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        as_metadata["token_endpoint"],
        "https://issuer.example/token"
    );
    assert_eq!(
        as_metadata["pre-authorized_grant_anonymous_access_supported"],
        true
    );

    let offer = wallet.offer(true).await;
    assert_eq!(offer.pin.as_ref().map(String::len), Some(6));
    let token = wallet.access_token(&offer).await;
    let nonce = wallet.nonce().await;
    let (first, second) = (holder(), holder());
    let proofs = [
        proof(&first, &first, Some(&nonce)).await,
        proof(&second, &second, Some(&nonce)).await,
    ];
    let (status, body) = wallet.credential(Some(&token), "diploma", &proofs).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let credentials = body["credentials"].as_array().unwrap();
    assert_eq!(credentials.len(), 2);
    let holders = [&first, &second].map(|h| h.private_key().public_key().clone());
    let indices: Vec<u64> = credentials
        .iter()
        .zip(&holders)
        .map(|(c, h)| check_credential(&c["credential"], h))
        .collect();
    assert_ne!(indices[0], indices[1]);

    let response = wallet
        .http
        .get(wallet.url("/status/1"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/statuslist+jwt"
    );
    let token_text = response.text().await.unwrap();
    let algorithms = [Algorithm::Ed25519, Algorithm::EdDSA];
    let options = status::VerifyOptions::new("https://issuer.example/status/1", now(), &algorithms);
    let list = jwt::verify(&token_text, issuer_key().public_key(), &options).unwrap();
    assert!(list.status_list.len() >= 1 << 17);
    for index in indices {
        assert_eq!(list.status_list.get(index).unwrap(), StatusValue::Valid);
    }
}

/// Every refusal, each with its spec error code and without changing state.
async fn negatives(base: &str, expired_base: &str) {
    let wallet = Wallet::new(base);

    // Missing tx_code: invalid_request, and the offer is still redeemable.
    let offer = wallet.offer(true).await;
    let (status, body) = wallet.token(&offer.code, None).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
    let token = wallet.access_token(&offer).await;
    // Reused pre-authorized code.
    let (status, body) = wallet.token(&offer.code, offer.pin.as_deref()).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_grant");

    // Wrong tx_code until the attempt limit; then even the right PIN fails.
    let offer = wallet.offer(true).await;
    let right = offer.pin.clone().unwrap();
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..ATTEMPTS {
        let (status, body) = wallet.token(&offer.code, Some(wrong)).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_grant");
    }
    let (status, body) = wallet.token(&offer.code, Some(&right)).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_grant");

    // Expired code.
    let expired = Wallet::new(expired_base).offer(false).await;
    let (status, body) = wallet.token(&expired.code, None).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_grant");

    let key = holder();
    // Missing proof nonce.
    let (status, body) = wallet
        .credential(Some(&token), "diploma", &[proof(&key, &key, None).await])
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_nonce");
    // Proof signed by another key than its header jwk: the nonce survives.
    let nonce = wallet.nonce().await;
    let forged = proof(&key, &holder(), Some(&nonce)).await;
    let (status, body) = wallet.credential(Some(&token), "diploma", &[forged]).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_proof");
    // Unknown credential configuration: the nonce survives.
    let good = proof(&key, &key, Some(&nonce)).await;
    let (status, body) = wallet
        .credential(Some(&token), "unknown", std::slice::from_ref(&good))
        .await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        "unknown_credential_configuration",
    );
    // Missing and invalid bearer tokens: the nonce survives.
    for bearer in [None, Some("not-a-token")] {
        let (status, body) = wallet
            .credential(bearer, "diploma", std::slice::from_ref(&good))
            .await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_token");
    }
    let (status, body) = wallet
        .credential(Some(&token), "diploma", std::slice::from_ref(&good))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Replayed nonce.
    let (status, body) = wallet.credential(Some(&token), "diploma", &[good]).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_nonce");

    // Admin endpoint without / with a wrong token.
    for bearer in [None, Some("wrong")] {
        let mut request = wallet.http.post(wallet.url("/admin/offers")).json(&json!({
            "credential_configuration_id": "diploma", "claims": {}
        }));
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        assert_eq!(
            request.send().await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
}

/// 50 concurrent redemptions of one code, spread over `bases`: exactly one succeeds.
async fn concurrent_redemptions(bases: &[String]) {
    let offer = Wallet::new(&bases[0]).offer(true).await;
    let pin = offer.pin.clone().unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let wallet = Wallet::new(&bases[i % bases.len()]);
            let (code, pin) = (offer.code.clone(), pin.clone());
            tokio::spawn(async move { wallet.token(&code, Some(&pin)).await })
        })
        .collect();
    let mut successes = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        if status == StatusCode::OK {
            successes += 1;
        } else {
            assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_grant");
        }
    }
    assert_eq!(successes, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_authorized_flow_on_sqlite() {
    let (_dir, store) = sqlite().await;
    full_flow(&serve(600, store).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_leave_state_unchanged_on_sqlite() {
    let (_dir, store) = sqlite().await;
    let base = serve(600, store.clone()).await;
    negatives(&base, &serve(0, store).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_fifty_concurrent_redemptions_wins_on_sqlite() {
    let (_dir, store) = sqlite().await;
    concurrent_redemptions(&[serve(600, store).await]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_authorized_flow_on_postgres() {
    let database = TestDatabase::create().await.unwrap();
    let store = Store::open(database.url()).await.unwrap();
    full_flow(&serve(600, store.clone()).await).await;
    let base = serve(600, store.clone()).await;
    negatives(&base, &serve(0, store).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_fifty_concurrent_redemptions_wins_across_two_postgres_nodes() {
    let database = TestDatabase::create().await.unwrap();
    let first = Store::open(database.url()).await.unwrap();
    let second = Store::open(database.url()).await.unwrap();
    concurrent_redemptions(&[serve(600, first).await, serve(600, second).await]).await;
}
