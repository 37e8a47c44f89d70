//! `--tls-self-signed`: the node serves https with a localhost certificate kept in its data
//! directory; clients that trust the written CA get through, others do not; the VC-API and its
//! status lists work over https.

#[path = "support/vc_api.rs"]
mod support;

use reqwest::StatusCode;
use saifu_server::VcApiSettings;
use serde_json::json;
use support::{VcNode, error_code};

#[tokio::test(flavor = "multi_thread")]
async fn healthz_over_https_only_for_clients_trusting_the_written_ca() {
    let node = VcNode::start_tls().await;
    assert!(node.base.starts_with("https://localhost:"), "{}", node.base);
    let ca = node.ca.clone().unwrap();
    assert!(ca.starts_with(node.data_dir()), "{}", ca.display());
    let response = node.http.get(node.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // The loopback address is in the certificate too.
    let by_ip = node.url("/healthz").replace("localhost", "127.0.0.1");
    assert_eq!(
        node.http.get(by_ip).send().await.unwrap().status(),
        StatusCode::OK
    );

    let untrusting = reqwest::Client::new();
    let error = untrusting
        .get(node.url("/healthz"))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_connect(), "{error:?}");
    let chain = format!("{:?}", error);
    assert!(chain.contains("UnknownIssuer"), "{chain}");

    // Plain http to the https port gets no answer a client could mistake for the node's.
    let plain = node.url("/healthz").replace("https://", "http://");
    assert!(reqwest::get(plain).await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_certificate_is_kept_across_restarts() {
    let node = VcNode::start_tls().await;
    let ca = std::fs::read(node.ca.as_ref().unwrap()).unwrap();
    let trusting = node.http.clone();
    let dir = node.stop().await;
    let node = VcNode::start_in(dir, true, None).await;
    assert_eq!(std::fs::read(node.ca.as_ref().unwrap()).unwrap(), ca);
    let response = trusting.get(node.url("/healthz")).send().await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the old trust still holds"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn vc_api_and_status_lists_over_https() {
    let settings = VcApiSettings {
        status_cache_seconds: 0,
        ..VcApiSettings::default()
    };
    let node = VcNode::start_with(tempfile::tempdir().unwrap(), true, None, settings).await;
    let vc = node.issue("eddsa-rdfc-2022").await;
    let list = vc["credentialStatus"][0]["statusListCredential"]
        .as_str()
        .unwrap();
    assert!(
        list.starts_with(&format!("{}/status/w3c/", node.base)),
        "{list}"
    );
    let (code, answer) = node.verify(&vc).await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    assert_eq!(answer["checks"], json!(["proof", "status"]));

    node.set_status(vc["id"].as_str().unwrap(), "revoked").await;
    let (code, answer) = node.verify(&vc).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&answer), "revoked", "{answer}");
}
