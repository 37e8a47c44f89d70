//! A whole node as `saifu serve` starts it (configuration → roles → HTTP on loopback), driven
//! through the issuer's admin API the way an operator and a wallet would: subjects, a CSV
//! import, an offer by reference with a PIN, redemption, the issued record, and revocation
//! reaching the signed status list — on SQLite and on PostgreSQL.

#[path = "support/node.rs"]
mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use saifu_credential::sd_jwt::{Limits, SdJwt, VerifyOptions};
use saifu_credential::sd_jwt_vc::{VcVerifyOptions, verify_vc};
use saifu_credential::status::token::jwt;
use saifu_credential::status::{self, ReferenceOptions, StatusValue};
use saifu_crypto::{Algorithm, Jwk, PublicKey};
use saifu_server::{Config, ConfigLayer, Server, VerifierSettings};
use saifu_store::testing::TestDatabase;
use serde_json::{Value, json};
use support::Node;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn post(node: &Node, path: &str, body: Value) -> (StatusCode, Value) {
    node.admin(reqwest::Method::POST, path, Some(body)).await
}

async fn get(node: &Node, path: &str) -> (StatusCode, Value) {
    node.admin(reqwest::Method::GET, path, None).await
}

async fn operator_and_wallet(node: &Node) {
    // The admin API is closed without the token.
    let anonymous = node
        .http
        .get(node.url("/admin/subjects"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let wrong = node
        .http
        .get(node.url("/admin/subjects"))
        .bearer_auth("not-the-token")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let (status, saved) = post(
        node,
        "/admin/subjects",
        json!({"id": "s1001", "claims": {"given_name": "Hanako", "family_name": "Sato",
                   "university": "Saifu University", "degree": "BSc"}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    assert_eq!(saved["can_log_in"], false);
    assert!(
        saved.get("password_hash").is_none(),
        "hashes never leave the node"
    );
    let csv = "id,given_name,family_name\ns1002,Taro,Yamada\ns1003,Jiro,Suzuki\n";
    let (status, report) = node.admin_text("/admin/subjects/import", csv).await;
    assert_eq!(
        (status, report["imported"].as_u64()),
        (StatusCode::OK, Some(2))
    );
    let (_, listed) = get(node, "/admin/subjects?limit=2").await;
    assert_eq!(listed["subjects"].as_array().unwrap().len(), 2);
    let (status, refused) = post(
        node,
        "/admin/subjects",
        json!({"id": "x", "claims": {}, "extra": 1}),
    )
    .await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );

    // An offer by reference with a PIN; the wallet fetches it from the link.
    let (status, created) = post(
        node,
        "/admin/offers",
        json!({"subject": "s1001", "credential_configuration_id": "diploma",
                   "tx_code": true, "by_reference": true}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert!(created["qr_svg"].as_str().unwrap().contains("<svg"));
    let (status, linked) = post(
        node,
        "/admin/offers",
        json!({"subject": "s1001", "credential_configuration_id": "diploma", "qr": false}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{linked}");
    assert!(
        linked.get("qr_svg").is_none(),
        "only the link was asked for: {linked}"
    );
    assert!(
        linked["link"]
            .as_str()
            .unwrap()
            .starts_with("openid-credential-offer://")
    );
    let offer_uri = created["credential_offer_uri"].as_str().unwrap();
    assert!(
        created["link"]
            .as_str()
            .unwrap()
            .starts_with("openid-credential-offer://?credential_offer_uri=")
    );
    let fetched: Value = node
        .http
        .get(offer_uri)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, created["credential_offer"]);
    let issuer_id = fetched["credential_issuer"].as_str().unwrap().to_owned();
    let pin = created["tx_code"].as_str().unwrap();
    assert_eq!(pin.len(), 6);
    let (issued, _, _) = node.redeem(&fetched, Some(pin)).await;
    let credential = issued["credentials"][0]["credential"]
        .as_str()
        .expect("a credential");

    // Any verifier finds the issuer key through JWT VC Issuer Metadata.
    let jwt_vc_issuer: Value = node
        .http
        .get(node.url("/.well-known/jwt-vc-issuer"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwt_vc_issuer["issuer"], issuer_id.as_str());
    let jwk: Jwk = serde_json::from_value(jwt_vc_issuer["jwks"]["keys"][0].clone()).unwrap();
    let issuer_key = PublicKey::from_jwk(&jwk).unwrap();
    let sd_jwt = SdJwt::parse_compact(credential, &Limits::default()).unwrap();
    let options = VcVerifyOptions {
        sd_jwt: VerifyOptions {
            allowed_algorithms: &[Algorithm::Ed25519, Algorithm::EdDSA],
            limits: Limits::default(),
            key_binding: None,
        },
        now: now(),
        skew: 60,
        accept_legacy_typ: false,
        status: ReferenceOptions { allow_http: true },
    };
    let verified = verify_vc(&sd_jwt, &issuer_key, &options).unwrap();
    assert_eq!(verified.claims()["university"], "Saifu University");
    let index = verified.status.expect("a status entry").idx();

    // The record names the subject and the holder key, never the credential.
    let (_, listed) = get(node, "/admin/credentials?subject=s1001").await;
    let record = &listed["credentials"][0];
    assert_eq!(record["status_index"].as_u64(), Some(index));
    assert_eq!(record["status"], "valid");
    assert_eq!(record["subject"], "s1001");
    assert!(!listed.to_string().contains(credential));

    let (status, revoked) = post(
        node,
        &format!("/admin/credentials/{index}/revoke"),
        json!({}),
    )
    .await;
    assert_eq!(
        (status, revoked["status"].as_str()),
        (StatusCode::OK, Some("revoked"))
    );
    let (status, refused) = post(
        node,
        &format!("/admin/credentials/{index}/reinstate"),
        json!({}),
    )
    .await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    let (status, _) = post(node, &format!("/admin/credentials/{index}/undo"), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let list_uri = format!("{issuer_id}/status/1");
    let token = node
        .http
        .get(&list_uri)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let algorithms = [Algorithm::Ed25519, Algorithm::EdDSA];
    let list = jwt::verify(
        &token,
        &issuer_key,
        &status::VerifyOptions::new(&list_uri, now(), &algorithms),
    )
    .unwrap()
    .status_list;
    assert_eq!(list.get(index).unwrap(), StatusValue::Invalid);
}

#[tokio::test]
async fn operator_and_wallet_on_sqlite() {
    let node = Node::start().await;
    operator_and_wallet(&node).await;
}

#[tokio::test]
async fn operator_and_wallet_on_postgres() {
    let database = TestDatabase::create().await.unwrap();
    let node = Node::start_with(Some(database.url().to_owned()), VerifierSettings::default()).await;
    operator_and_wallet(&node).await;
}

#[tokio::test]
async fn a_restarted_node_keeps_its_token_and_issuer_key() {
    let dir = tempfile::tempdir().unwrap();
    let load = || {
        let flags = ConfigLayer {
            port: Some(0),
            data_dir: Some(dir.path().to_path_buf()),
            ..ConfigLayer::default()
        };
        Config::load(None, |_| None, flags).unwrap()
    };
    let first = Server::bind(&load()).await.unwrap();
    let token = saifu_server::read_admin_token(dir.path()).unwrap();
    let key = std::fs::read_to_string(dir.path().join("issuer-key.jwk")).unwrap();
    drop(first);
    let _second = Server::bind(&load()).await.unwrap();
    assert_eq!(saifu_server::read_admin_token(dir.path()).unwrap(), token);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("issuer-key.jwk")).unwrap(),
        key
    );
}
