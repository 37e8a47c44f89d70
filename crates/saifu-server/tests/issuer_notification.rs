//! The Notification Endpoint (OpenID4VCI 1.0 §11) and encrypted Credential Responses (§10)
//! over real HTTP on loopback, on SQLite and PostgreSQL: a reqwest client plays the wallet,
//! decrypts with its own key through saifu-crypto's JWE and verifies the SD-JWT VC inside; the
//! operator's view of what the wallet reported comes from the admin API.

#[path = "support/issuer.rs"]
mod support;

use reqwest::StatusCode;
use saifu_crypto::jwe::{self, ContentEncryption, DecryptOptions};
use saifu_crypto::{KeyType, LocalSigner, PrivateKey, jws};
use saifu_oid4vc::vci::offer::PRE_AUTHORIZED_CODE_GRANT;
use serde_json::{Map, Value, json};
use support::{ADMIN_TOKEN, CONFIG_ID, create_offer, now, postgres, serve, sqlite};

/// The wallet: an HTTP client against one issuer node, whose identifier is its base URL.
struct Wallet {
    http: reqwest::Client,
    base: String,
}

/// One issuance session: its access token, and a holder key.
struct Session {
    token: String,
    holder: LocalSigner,
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

    /// An offer without PIN, redeemed at the Token Endpoint.
    async fn session(&self) -> Session {
        let offer = create_offer(
            &self.http,
            &self.base,
            json!({"claims": support::diploma_claims()}),
        )
        .await;
        let code =
            offer["credential_offer"]["grants"][PRE_AUTHORIZED_CODE_GRANT]["pre-authorized_code"]
                .as_str()
                .expect("pre-authorized code");
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", PRE_AUTHORIZED_CODE_GRANT)
            .append_pair("pre-authorized_code", code)
            .finish();
        let response = self
            .http
            .post(self.url("/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .expect("token request");
        let body: Value = response.json().await.expect("token JSON");
        Session {
            token: body["access_token"].as_str().expect("access token").into(),
            holder: LocalSigner::new(PrivateKey::generate(KeyType::P256).unwrap()).unwrap(),
        }
    }

    /// A fresh `jwt` key proof of the session's holder key.
    async fn proof(&self, session: &Session) -> String {
        let response = self.http.post(self.url("/nonce")).send().await.unwrap();
        let nonce: Value = response.json().await.unwrap();
        let mut header = Map::new();
        header.insert("typ".into(), "openid4vci-proof+jwt".into());
        let jwk = session.holder.private_key().public_key().to_jwk();
        header.insert("jwk".into(), serde_json::to_value(jwk).unwrap());
        let claims = json!({"aud": self.base, "iat": now(), "nonce": nonce["c_nonce"]});
        let payload = serde_json::to_vec(&claims).unwrap();
        jws::sign_compact(&header, &payload, &session.holder)
            .await
            .unwrap()
    }

    /// Posts a Credential Request with `proof` and, when given, `credential_response_encryption`.
    async fn credential(
        &self,
        session: &Session,
        proof: &str,
        encryption: Option<Value>,
    ) -> reqwest::Response {
        let mut body = json!({
            "credential_configuration_id": CONFIG_ID,
            "proofs": {"jwt": [proof]},
        });
        if let Some(encryption) = encryption {
            body["credential_response_encryption"] = encryption;
        }
        self.http
            .post(self.url("/credential"))
            .bearer_auth(&session.token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// A plain credential: the response body, its credential verified.
    async fn issue(&self, session: &Session) -> (Value, u64) {
        let proof = self.proof(session).await;
        let response = self.credential(session, &proof, None).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        let index = self.verify(&body, session).await;
        (body, index)
    }

    /// Verifies the one credential of a Credential Response; its status index.
    async fn verify(&self, body: &Value, session: &Session) -> u64 {
        let credential = body["credentials"][0]["credential"].as_str().unwrap();
        let holder = session.holder.private_key().public_key();
        support::verify_credential(&self.http, &self.base, credential, holder).await
    }

    /// Posts a Notification Request: the status and the body (JSON, or null when empty).
    async fn notify(&self, token: Option<&str>, body: String) -> (StatusCode, Value) {
        let mut request = self
            .http
            .post(self.url("/notification"))
            .header("content-type", "application/json")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        (status, body)
    }

    /// What the admin API shows the wallet reported about the credential at `index`.
    async fn wallet_event(&self, index: u64) -> Value {
        let response = self
            .http
            .get(self.url(&format!("/admin/credentials/{index}")))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let view: Value = response.json().await.unwrap();
        view["wallet_event"].clone()
    }

    /// How many credentials the issuer has recorded.
    async fn issued_count(&self) -> usize {
        let response = self
            .http
            .get(self.url("/admin/credentials?limit=1000"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        let body: Value = response.json().await.unwrap();
        body["credentials"].as_array().unwrap().len()
    }
}

fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(
        (status, body["error"].as_str()),
        (expected, Some(code)),
        "{body}"
    );
}

fn notification(id: &str, event: &str, description: Option<&str>) -> String {
    let mut body = json!({"notification_id": id, "event": event});
    if let Some(description) = description {
        body["event_description"] = description.into();
    }
    body.to_string()
}

/// Metadata, then every refusal of a notification (none records anything), then accepted and
/// deleted events, the last one winning.
async fn notifications(base: &str) {
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
        metadata["notification_endpoint"],
        format!("{base}/notification")
    );
    assert_eq!(
        metadata["credential_response_encryption"],
        json!({
            "alg_values_supported": ["ECDH-ES"],
            "enc_values_supported": ["A128GCM", "A256GCM"],
            "encryption_required": false,
        })
    );

    let (mine, theirs) = (wallet.session().await, wallet.session().await);
    let (body, index) = wallet.issue(&mine).await;
    let id = body["notification_id"].as_str().expect("notification_id");
    let (their_body, their_index) = wallet.issue(&theirs).await;
    let their_id = their_body["notification_id"].as_str().unwrap();
    assert_ne!(id, their_id);
    let accepted = notification(id, "credential_accepted", Some("stored"));

    for token in [None, Some("not-a-token")] {
        let (status, body) = wallet.notify(token, accepted.clone()).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_token");
    }
    let (status, body) = wallet
        .notify(
            Some(&mine.token),
            notification("unknown", "credential_accepted", None),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        "invalid_notification_id",
    );
    let (status, body) = wallet
        .notify(
            Some(&mine.token),
            notification(their_id, "credential_deleted", None),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        "invalid_notification_id",
    );
    let malformed = [
        "not json".to_owned(),
        json!({"notification_id": id}).to_string(),
        notification(id, "credential_lost", None),
        notification("", "credential_accepted", None),
        notification(id, "credential_accepted", Some("a \"quoted\" word")),
    ];
    for body in malformed {
        let (status, answer) = wallet.notify(Some(&mine.token), body).await;
        assert_error(
            status,
            &answer,
            StatusCode::BAD_REQUEST,
            "invalid_notification_request",
        );
    }
    assert_eq!(wallet.wallet_event(index).await, Value::Null);
    assert_eq!(wallet.wallet_event(their_index).await, Value::Null);

    let (status, body) = wallet.notify(Some(&mine.token), accepted).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let event = wallet.wallet_event(index).await;
    assert_eq!(event["event"], "credential_accepted");
    assert_eq!(event["description"], "stored");
    assert_eq!(wallet.wallet_event(their_index).await, Value::Null);

    let deleted = notification(id, "credential_deleted", None);
    let (status, _) = wallet.notify(Some(&mine.token), deleted).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let event = wallet.wallet_event(index).await;
    assert_eq!(event["event"], "credential_deleted");
    assert_eq!(event["description"], Value::Null);
}

/// The wallet's public encryption key as sent in `credential_response_encryption.jwk`.
fn encryption_jwk(key: &PrivateKey, kid: &str) -> Value {
    let mut jwk = key.public_key().to_jwk();
    jwk.alg = Some("ECDH-ES".into());
    jwk.kid = Some(kid.into());
    jwk.use_ = Some("enc".into());
    serde_json::to_value(jwk).unwrap()
}

/// Unusable encryption parameters are refused before the proof is looked at, so the same proof
/// (and nonce) still works; then encrypted responses on P-256 and X25519 decrypt to verifiable
/// credentials.
async fn encrypted_responses(base: &str) {
    let wallet = Wallet::new(base);
    let session = wallet.session().await;
    let p256 = PrivateKey::generate(KeyType::P256).unwrap();
    let ed25519 = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let good = encryption_jwk(&p256, "wallet-enc-1");
    let mut foreign_alg = good.clone();
    foreign_alg["alg"] = "RSA-OAEP-256".into();
    let refused = [
        json!({"jwk": good, "enc": "A192GCM"}),
        json!({"jwk": good, "enc": "A128GCM", "zip": "DEF"}),
        json!({"jwk": foreign_alg, "enc": "A128GCM"}),
        json!({"jwk": encryption_jwk(&ed25519, "sig"), "enc": "A128GCM"}),
        json!({"jwk": serde_json::to_value(p256.to_jwk()).unwrap(), "enc": "A128GCM"}),
    ];
    let proof = wallet.proof(&session).await;
    let before = wallet.issued_count().await;
    for encryption in refused {
        let response = wallet
            .credential(&session, &proof, Some(encryption.clone()))
            .await;
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_error(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "invalid_encryption_parameters",
        );
    }
    assert_eq!(wallet.issued_count().await, before, "nothing was issued");

    let x25519 = PrivateKey::generate(KeyType::X25519).unwrap();
    let cases = [
        (&p256, ContentEncryption::A128Gcm, proof),
        (
            &x25519,
            ContentEncryption::A256Gcm,
            wallet.proof(&session).await,
        ),
    ];
    for (key, enc, proof) in cases {
        let encryption = json!({"jwk": encryption_jwk(key, "wallet-enc"), "enc": enc.name()});
        let response = wallet.credential(&session, &proof, Some(encryption)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "application/jwt");
        assert_eq!(response.headers()["cache-control"], "no-store");
        let token = response.text().await.unwrap();
        let decrypted = jwe::decrypt(&token, key, &DecryptOptions::default()).unwrap();
        assert_eq!(decrypted.header.enc, enc);
        assert_eq!(decrypted.header.kid.as_deref(), Some("wallet-enc"));
        let body: Value = serde_json::from_slice(&decrypted.plaintext).unwrap();
        assert!(body["notification_id"].is_string(), "{body}");
        wallet.verify(&body, &session).await;
    }
    assert_eq!(wallet.issued_count().await, before + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_on_sqlite() {
    let (_dir, store) = sqlite().await;
    notifications(&serve(vec![store]).await[0]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_on_postgres() {
    let (_database, stores) = postgres(1).await;
    notifications(&serve(stores).await[0]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_responses_on_sqlite() {
    let (_dir, store) = sqlite().await;
    encrypted_responses(&serve(vec![store]).await[0]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_responses_on_postgres() {
    let (_database, stores) = postgres(1).await;
    encrypted_responses(&serve(stores).await[0]).await;
}
