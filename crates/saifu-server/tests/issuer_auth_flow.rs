//! The OpenID4VCI authorization code flow over real HTTP on loopback, on SQLite and on
//! PostgreSQL: a reqwest client (redirects not followed) plays wallet and browser through PAR,
//! the login page, the redirect with `code`, `state` and `iss`, the token exchange with PKCE,
//! a nonce and a credential that verifies — and every refusal, which changes no state.

use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use saifu_credential::sd_jwt::{Limits, SdJwt, VerifyOptions};
use saifu_credential::sd_jwt_vc::{VcVerifyOptions, verify_vc};
use saifu_credential::status::ReferenceOptions;
use saifu_crypto::{Algorithm, KeyType, LocalSigner, PrivateKey, jws};
use saifu_issuer::{ClaimConfig, CredentialConfig, Issuer, IssuerConfig};
use saifu_oid4vc::oauth::pkce;
use saifu_server::{AppState, IssuerRole, build_router};
use saifu_store::Store;
use saifu_store::testing::TestDatabase;
use serde_json::{Map, Value, json};

const ISSUER_ID: &str = "https://issuer.example";
const CLIENT_ID: &str = "wallet-client";
const REDIRECT_URI: &str = "https://wallet.example/cb";
const PASSWORD: &str = "correct horse battery";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn issuer_signer() -> LocalSigner {
    LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap())
        .unwrap()
        .with_key_id("issuer-key-1")
}

/// Serves an issuer whose subject `alice` may log in; its base URL and public key.
async fn serve(store: Store) -> (String, saifu_crypto::PublicKey) {
    let signer = issuer_signer();
    let public = signer.private_key().public_key().clone();
    let claim = |name: &str| ClaimConfig {
        name: name.into(),
        display_name: name.to_uppercase(),
        selectively_disclosable: true,
    };
    let config = IssuerConfig {
        issuer_id: ISSUER_ID.into(),
        signer,
        display_name: "Example University".into(),
        credentials: vec![CredentialConfig {
            id: "diploma".into(),
            vct: "https://issuer.example/diploma".into(),
            scope: "diploma_scope".into(),
            display_name: "Diploma".into(),
            claims: vec![claim("given_name"), claim("degree")],
            validity: 3600,
            holder_binding: true,
            w3c: None,
        }],
        offer_ttl: 300,
        token_ttl: 300,
        tx_code_attempts: 3,
        batch_size: 1,
        status_list_size: saifu_issuer::STATUS_LIST_ENTRIES,
    };
    let issuer = Issuer::new(config, store.clone());
    let claims = json!({"given_name": "Hanako", "degree": "BSc"});
    issuer
        .put_subject("alice", claims.as_object().unwrap().clone(), Some(PASSWORD))
        .await
        .unwrap();
    let role = IssuerRole::new(issuer, "admin-secret".into());
    let state = AppState::new(store).with_issuer(role);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, build_router(state)).await });
    (base, public)
}

/// Wallet and browser in one: an HTTP client that never follows redirects.
struct Client {
    http: reqwest::Client,
    base: String,
}

/// A pushed request: its `request_uri` and the PKCE verifier kept by the wallet.
struct Pushed {
    request_uri: String,
    verifier: String,
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

impl Client {
    fn new(base: &str) -> Client {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Client {
            http,
            base: base.to_owned(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn post_form(&self, path: &str, body: String) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Pushes an authorization request with `extra` parameters and a fresh S256 challenge
    /// (unless `extra` sets the PKCE parameters itself); status and JSON body.
    async fn par_raw(&self, extra: &[(&str, &str)]) -> (StatusCode, Value, String) {
        let verifier = pkce::generate_verifier();
        let challenge = pkce::challenge(&verifier).unwrap();
        let mut pairs = vec![
            ("client_id", CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT_URI),
        ];
        if !extra.iter().any(|(k, _)| k.starts_with("code_challenge")) {
            pairs.extend([
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "S256"),
            ]);
        }
        pairs.extend_from_slice(extra);
        let response = self.post_form("/par", form(&pairs)).await;
        let status = response.status();
        assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
        (status, response.json().await.unwrap(), verifier)
    }

    async fn par(&self, extra: &[(&str, &str)]) -> Pushed {
        let (status, body, verifier) = self.par_raw(extra).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["expires_in"], 600);
        let request_uri = body["request_uri"].as_str().unwrap().to_owned();
        assert!(request_uri.starts_with("urn:ietf:params:oauth:request_uri:"));
        Pushed {
            request_uri,
            verifier,
        }
    }

    /// `GET /authorize`; status and page.
    async fn authorize(&self, client_id: &str, request_uri: &str) -> (StatusCode, String) {
        let query = form(&[("client_id", client_id), ("request_uri", request_uri)]);
        self.authorize_query(&query).await
    }

    /// `GET /authorize?{query}`; status and page.
    async fn authorize_query(&self, query: &str) -> (StatusCode, String) {
        let response = self
            .http
            .get(self.url(&format!("/authorize?{query}")))
            .send()
            .await
            .unwrap();
        assert!(
            response.headers().get(LOCATION).is_none(),
            "never redirects"
        );
        assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
        (response.status(), response.text().await.unwrap())
    }

    async fn login(&self, request_uri: &str, subject: &str, password: &str) -> reqwest::Response {
        let body = form(&[
            ("request_uri", request_uri),
            ("subject", subject),
            ("password", password),
        ]);
        self.post_form("/authorize/login", body).await
    }

    /// Logs in as alice; the query of the `303` redirect, which must go to the redirect_uri.
    async fn code_redirect(&self, request_uri: &str) -> Map<String, Value> {
        let response = self.login(request_uri, "alice", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let location = url::Url::parse(response.headers()[LOCATION].to_str().unwrap()).unwrap();
        assert_eq!(
            format!(
                "{}://{}{}",
                location.scheme(),
                location.host_str().unwrap(),
                location.path()
            ),
            REDIRECT_URI
        );
        location
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect()
    }

    async fn code(&self, request_uri: &str) -> String {
        let query = self.code_redirect(request_uri).await;
        query["code"].as_str().unwrap().to_owned()
    }

    /// An authorization code token request; status and JSON body.
    async fn token(&self, code: &str, verifier: &str, redirect_uri: &str) -> (StatusCode, Value) {
        let body = form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("code_verifier", verifier),
            ("redirect_uri", redirect_uri),
            ("client_id", CLIENT_ID),
        ]);
        let response = self.post_form("/token", body).await;
        (response.status(), response.json().await.unwrap())
    }
}

fn assert_error(status: StatusCode, body: &Value, code: &str) {
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some(code)),
        "{body}"
    );
}

/// A `jwt` key proof of `holder` for `nonce`, with the OPTIONAL `iss` (App. F.1) when given.
async fn proof(holder: &LocalSigner, nonce: &str, iss: Option<&str>) -> String {
    let mut header = Map::new();
    header.insert("typ".into(), "openid4vci-proof+jwt".into());
    header.insert(
        "jwk".into(),
        serde_json::to_value(holder.private_key().public_key().to_jwk()).unwrap(),
    );
    let mut claims = json!({"aud": ISSUER_ID, "iat": now(), "nonce": nonce});
    if let Some(iss) = iss {
        claims["iss"] = iss.into();
    }
    let payload = serde_json::to_vec(&claims).unwrap();
    jws::sign_compact(&header, &payload, holder).await.unwrap()
}

/// A further credential of the same session: asked by `credential_identifier` (the Token
/// Response's name for the configuration) with a proof naming the client in `iss`; a proof
/// naming another client is refused.
async fn another_copy_named_by_identifier(
    client: &Client,
    access_token: &str,
    holder: &LocalSigner,
) {
    let credential = |proof: String| {
        client
            .http
            .post(client.url("/credential"))
            .bearer_auth(access_token)
            .json(&json!({"credential_identifier": "diploma", "proofs": {"jwt": [proof]}}))
            .send()
    };
    let nonce = |client: &Client| client.http.post(client.url("/nonce")).send();
    let fresh: Value = nonce(client).await.unwrap().json().await.unwrap();
    let foreign = proof(
        holder,
        fresh["c_nonce"].as_str().unwrap(),
        Some("another-client"),
    )
    .await;
    let refused = credential(foreign).await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "invalid_proof", "{body}");
    let fresh: Value = nonce(client).await.unwrap().json().await.unwrap();
    let named = proof(holder, fresh["c_nonce"].as_str().unwrap(), Some(CLIENT_ID)).await;
    let accepted = credential(named).await.unwrap();
    assert_eq!(accepted.status(), StatusCode::OK);
}

/// Metadata, PAR, login page, login, code, token with PKCE, nonce, credential; the credential
/// verifies under the issuer key, carries alice's claims and is bound to the holder key.
async fn full_flow(base: &str, issuer_key: &saifu_crypto::PublicKey) {
    let client = Client::new(base);
    let metadata: Value = client
        .http
        .get(client.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        metadata["authorization_endpoint"],
        "https://issuer.example/authorize"
    );
    assert_eq!(
        metadata["pushed_authorization_request_endpoint"],
        "https://issuer.example/par"
    );
    assert_eq!(metadata["require_pushed_authorization_requests"], true);
    assert_eq!(
        metadata["code_challenge_methods_supported"],
        json!(["S256"])
    );
    assert_eq!(metadata["response_types_supported"], json!(["code"]));
    assert_eq!(
        metadata["authorization_response_iss_parameter_supported"],
        true
    );
    assert_eq!(
        metadata["grant_types_supported"],
        json!([
            "authorization_code",
            "urn:ietf:params:oauth:grant-type:pre-authorized_code"
        ])
    );

    let pushed = client
        .par(&[("scope", "diploma_scope"), ("state", "st-1")])
        .await;
    let (status, page) = client.authorize(CLIENT_ID, &pushed.request_uri).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for expected in [
        "Example University",
        "Diploma",
        "action=\"/authorize/login\"",
        "name=\"subject\"",
        "User ID",
        "name=\"password\"",
        "type=\"hidden\" name=\"request_uri\"",
    ] {
        assert!(page.contains(expected), "{expected} missing from {page}");
    }
    let query = client.code_redirect(&pushed.request_uri).await;
    assert_eq!(query["state"], "st-1");
    assert_eq!(query["iss"], ISSUER_ID);
    let code = query["code"].as_str().unwrap();

    let (status, body) = client.token(code, &pushed.verifier, REDIRECT_URI).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert!(
        body.get("authorization_details").is_none(),
        "asked by scope"
    );
    let access_token = body["access_token"].as_str().unwrap();

    let response = client.http.post(client.url("/nonce")).send().await.unwrap();
    let nonce: Value = response.json().await.unwrap();
    let holder = LocalSigner::new(PrivateKey::generate(KeyType::P256).unwrap()).unwrap();
    let proof = proof(&holder, nonce["c_nonce"].as_str().unwrap(), None).await;
    let response = client
        .http
        .post(client.url("/credential"))
        .bearer_auth(access_token)
        .json(&json!({"credential_configuration_id": "diploma", "proofs": {"jwt": [proof]}}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    another_copy_named_by_identifier(&client, access_token, &holder).await;
    let compact = body["credentials"][0]["credential"].as_str().unwrap();
    let sd_jwt = SdJwt::parse_compact(compact, &Limits::default()).unwrap();
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
    let verified = verify_vc(&sd_jwt, issuer_key, &options).unwrap();
    assert_eq!(verified.vct, "https://issuer.example/diploma");
    assert_eq!(verified.claims()["given_name"], "Hanako");
    assert_eq!(verified.claims()["degree"], "BSc");
    let cnf = serde_json::to_value(holder.private_key().public_key().to_jwk()).unwrap();
    assert_eq!(verified.claims()["cnf"]["jwk"], cnf);

    // The code is single use.
    let (status, body) = client.token(code, &pushed.verifier, REDIRECT_URI).await;
    assert_error(status, &body, "invalid_grant");
}

/// Every refusal with its error; the state it could have changed is shown to be unchanged.
async fn negatives(base: &str) {
    let client = Client::new(base);

    // PAR: `plain` and missing PKCE methods, unknown scope.
    let plain = [
        ("code_challenge", "abc"),
        ("code_challenge_method", "plain"),
    ];
    let (status, body, _) = client
        .par_raw(&[&plain[..], &[("scope", "diploma_scope")]].concat())
        .await;
    assert_error(status, &body, "invalid_request");
    let (status, body, _) = client
        .par_raw(&[
            ("code_challenge", &"A".repeat(43)),
            ("scope", "diploma_scope"),
        ])
        .await;
    assert_error(status, &body, "invalid_request");
    let (status, body, _) = client.par_raw(&[("scope", "unknown")]).await;
    assert_error(status, &body, "invalid_scope");
    let details = r#"[{"type":"openid_credential","credential_configuration_id":"nope"}]"#;
    let (status, body, _) = client.par_raw(&[("authorization_details", details)]).await;
    assert_error(status, &body, "invalid_authorization_details");

    // Authorization endpoint: unknown request_uri, another client's request, no request_uri.
    let (status, page) = client
        .authorize(CLIENT_ID, "urn:ietf:params:oauth:request_uri:unknown")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("unknown, expired, used"), "{page}");
    let pushed = client.par(&[("scope", "diploma_scope")]).await;
    let (status, page) = client.authorize("other-client", &pushed.request_uri).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("another client"), "{page}");
    let (status, _) = client.authorize(CLIENT_ID, "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let query = form(&[
        ("client_id", CLIENT_ID),
        ("request_uri", &pushed.request_uri),
    ]);
    let (status, page) = client
        .authorize_query(&format!("{query}&client_id=x"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("more than once"), "{page}");
    let response = client
        .post_form("/authorize/login", form(&[("subject", "alice")]))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (status, _) = client.authorize(CLIENT_ID, &pushed.request_uri).await;
    assert_eq!(status, StatusCode::OK, "still usable by its client");

    // Wrong passwords: 401 with the page again, until the limit; then the request is dead and
    // even the right password is refused without a redirect.
    for left in (1..5).rev() {
        let response = client
            .login(&pushed.request_uri, "alice", "wrong password")
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let page = response.text().await.unwrap();
        assert!(page.contains(&format!("{left} attempts left")), "{page}");
        assert!(page.contains("name=\"password\""));
    }
    let response = client.login(&pushed.request_uri, "mallory", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Too many failed logins")
    );
    let response = client.login(&pushed.request_uri, "alice", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get(LOCATION).is_none());
    let (status, _) = client.authorize(CLIENT_ID, &pushed.request_uri).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Token: PKCE mismatch, redirect_uri mismatch, wrong client; the code survives each.
    let pushed = client.par(&[("scope", "diploma_scope")]).await;
    let code = client.code(&pushed.request_uri).await;
    let wrong_verifier = pkce::generate_verifier();
    let (status, body) = client.token(&code, &wrong_verifier, REDIRECT_URI).await;
    assert_error(status, &body, "invalid_grant");
    let (status, body) = client
        .token(&code, &pushed.verifier, "https://wallet.example/other")
        .await;
    assert_error(status, &body, "invalid_grant");
    let body = form(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("code_verifier", &pushed.verifier),
        ("redirect_uri", REDIRECT_URI),
        ("client_id", "other-client"),
    ]);
    let response = client.post_form("/token", body).await;
    let status = response.status();
    assert_error(status, &response.json().await.unwrap(), "invalid_grant");
    // The request_uri was consumed by the login.
    let (status, _) = client.authorize(CLIENT_ID, &pushed.request_uri).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = client.token(&code, &pushed.verifier, REDIRECT_URI).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Reused code.
    let (status, body) = client.token(&code, &pushed.verifier, REDIRECT_URI).await;
    assert_error(status, &body, "invalid_grant");

    // Concurrent redemptions of one code: the database lets exactly one through.
    let pushed = client.par(&[("scope", "diploma_scope")]).await;
    let code = client.code(&pushed.request_uri).await;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let client = Client::new(base);
            let (code, verifier) = (code.clone(), pushed.verifier.clone());
            tokio::spawn(async move { client.token(&code, &verifier, REDIRECT_URI).await })
        })
        .collect();
    let mut granted = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        if status == StatusCode::OK {
            granted += 1;
        } else {
            assert_error(status, &body, "invalid_grant");
        }
    }
    assert_eq!(granted, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_code_flow_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in_dir(dir.path()).await.unwrap();
    let (base, key) = serve(store).await;
    full_flow(&base, &key).await;
    negatives(&base).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_code_flow_on_postgres() {
    let database = TestDatabase::create().await.unwrap();
    let store = Store::open(database.url()).await.unwrap();
    let (base, key) = serve(store.clone()).await;
    full_flow(&base, &key).await;
    negatives(&base).await;
    store.close().await;
}
