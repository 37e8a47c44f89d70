//! `GET /metrics` in the Prometheus text format: requests by method, route template and status,
//! latency histograms by route; ids in paths never become labels.

#[path = "support/node.rs"]
mod support;

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
}
