//! Webhooks: a presentation request can name a `webhook_url`; when the wallet's answer has been
//! checked, the node posts the session's id, status and report there — verified or not.

#[path = "support/node.rs"]
mod support;

use std::net::SocketAddr;

use axum::Router;
use axum::routing::post;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::Node;
use tokio::sync::mpsc;

/// A relying party's endpoint on loopback; every body it receives comes out of the channel.
async fn receiver() -> (SocketAddr, mpsc::UnboundedReceiver<Value>) {
    let (sender, received) = mpsc::unbounded_channel();
    let app = Router::new().route(
        "/hook",
        post(move |body: String| {
            let sender = sender.clone();
            async move {
                let _ = sender.send(serde_json::from_str(&body).unwrap_or(Value::Null));
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, received)
}

/// The next posted body; a guard of a minute so a missing delivery fails instead of hanging.
async fn next(received: &mut mpsc::UnboundedReceiver<Value>) -> Value {
    let wait = std::time::Duration::from_secs(60);
    tokio::time::timeout(wait, received.recv())
        .await
        .expect("a webhook delivery")
        .unwrap()
}

fn over_18(webhook: &str) -> Value {
    json!({"webhook_url": webhook, "dcql_query": {"credentials": [{"id": "pid",
        "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:eudi:pid:1"]},
        "claims": [{"path": ["age_over_18"]}]}]}})
}

#[tokio::test]
async fn the_result_is_posted_to_the_webhook() {
    let node = Node::start().await;
    let (addr, mut received) = receiver().await;
    let hook = format!("http://{addr}/hook");
    let body = json!({"credential_configuration_id": "pid",
                      "claims": {"given_name": "Hanako", "age_over_18": true}});
    let (_, created) = node.admin(Method::POST, "/admin/offers", Some(body)).await;
    let (issued, holder, _) = node.redeem(&created["credential_offer"], None).await;
    let credential = issued["credentials"][0]["credential"].as_str().unwrap();

    let (id, status) = node
        .present(
            over_18(&hook),
            "pid",
            credential,
            &holder,
            &["/age_over_18"],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let posted = next(&mut received).await;
    assert_eq!(
        (posted["id"].as_str(), posted["status"].as_str()),
        (Some(id.as_str()), Some("verified"))
    );
    assert_eq!(
        posted["report"]["credentials"]["pid"][0]["claims"]["age_over_18"],
        true
    );

    // A refused answer (nothing disclosed that was asked for) is reported too.
    let (id, _) = node
        .present(over_18(&hook), "pid", credential, &holder, &[])
        .await;
    let posted = next(&mut received).await;
    assert_eq!(
        (posted["id"].as_str(), posted["status"].as_str()),
        (Some(id.as_str()), Some("rejected"))
    );
    assert_eq!(posted["report"]["verified"], false);

    for bad in ["not a url", "ftp://example.org/hook"] {
        let (status, refused) = node
            .admin(Method::POST, "/admin/presentations", Some(over_18(bad)))
            .await;
        assert_eq!(
            (status, refused["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request")),
            "{bad}: {refused}"
        );
    }
}
