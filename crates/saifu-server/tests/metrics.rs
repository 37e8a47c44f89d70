//! `GET /metrics` in the Prometheus text format: requests by method, route template and status,
//! latency histograms by route; ids in paths never become labels; and the roles' decisions.

#[path = "support/node.rs"]
mod support;

use saifu_crypto::{KeyType, LocalSigner, PrivateKey};
use serde_json::json;
use support::Node;

#[tokio::test]
async fn requests_are_counted_by_route_template_and_status() {
    let node = Node::start().await;
    for _ in 0..2 {
        node.http.get(node.url("/healthz")).send().await.unwrap();
    }
    let secret_looking = "/offers/aVeryPrivateOfferReference";
    let missing = node
        .http
        .get(node.url(secret_looking))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    let answer = node.http.get(node.url("/metrics")).send().await.unwrap();
    assert_eq!(
        answer.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = answer.text().await.unwrap();
    assert!(
        text.contains(r#"saifu_http_requests_total{method="GET",route="/healthz",status="200"} 2"#),
        "{text}"
    );
    assert!(
        text.contains(
            r#"saifu_http_requests_total{method="GET",route="/offers/{reference}",status="404"} 1"#
        ),
        "{text}"
    );
    assert!(
        !text.contains("aVeryPrivateOfferReference"),
        "path values never become labels"
    );
    assert!(text.contains(r#"saifu_http_request_duration_seconds_count{route="/healthz"} 2"#));
    assert!(text.contains("# TYPE saifu_http_request_duration_seconds histogram"));
    let rss: u64 = text
        .lines()
        .find_map(|line| line.strip_prefix("process_resident_memory_bytes "))
        .expect("the resident memory gauge")
        .parse()
        .unwrap();
    assert!(
        rss > 1024 * 1024,
        "a running node uses more than 1 MiB: {rss}"
    );
}

/// The roles' decisions are counted: credentials issued, presentations verified, and
/// presentations refused by the check that failed.
#[tokio::test]
async fn issued_verified_and_rejected_by_reason_are_counted() {
    let node = Node::start().await;
    let (status, created) = node
        .admin(
            reqwest::Method::POST,
            "/admin/offers",
            Some(json!({"credential_configuration_id": "diploma",
                        "claims": {"given_name": "Hanako", "degree": "BSc"}})),
        )
        .await;
    assert!(status.is_success(), "{created}");
    let (issued, holder, _) = node.redeem(&created["credential_offer"], None).await;
    let credential = issued["credentials"][0]["credential"].as_str().unwrap();

    let query = json!({"dcql_query": {"credentials": [{"id": "diploma", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["https://saifu.dev/vct/diploma"]},
        "claims": [{"path": ["degree"]}]}]}});
    let (_, answered) = node
        .present(query.clone(), "diploma", credential, &holder, &["/degree"])
        .await;
    assert_eq!(answered, 200);
    // Key binding signed by another key than the one the credential is bound to: the SD-JWT
    // check (`credential`, which verifies the KB-JWT with the `cnf` key) fails.
    let stranger = LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap()).unwrap();
    let (_, refused) = node
        .present(query, "diploma", credential, &stranger, &["/degree"])
        .await;
    assert_eq!(refused, 400);

    let text = node.text("/metrics").await;
    for line in [
        "saifu_credentials_issued_total 1",
        "saifu_presentations_verified_total 1",
        r#"saifu_presentations_rejected_total{reason="credential"} 1"#,
        "# TYPE saifu_presentations_rejected_total counter",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing `{line}` in\n{text}"
        );
    }
}
