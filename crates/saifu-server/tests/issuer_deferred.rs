//! Deferred issuance over HTTP (OpenID4VCI §9): an offer that needs the operator's approval
//! answers the credential request with `202` and a `transaction_id`; the wallet polls; the
//! operator approves (or rejects) through the admin API; the wallet collects once.

#[path = "support/node.rs"]
mod support;

use reqwest::{Method, StatusCode};
use saifu_server::VerifierSettings;
use saifu_store::testing::TestDatabase;
use serde_json::{Value, json};
use support::Node;

/// Posts a Deferred Credential Request; status and JSON body.
async fn collect(node: &Node, token: &str, transaction_id: &str) -> (StatusCode, Value) {
    let response = node
        .http
        .post(node.url("/deferred_credential"))
        .bearer_auth(token)
        .json(&json!({"transaction_id": transaction_id}))
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

/// A deferred diploma offer for `subject`, redeemed: the `202` body and the access token.
async fn deferred_request(node: &Node, subject: &str) -> (Value, String) {
    let body = json!({"subject": subject, "credential_configuration_id": "diploma",
                      "deferred": true});
    let (status, created) = node.admin(Method::POST, "/admin/offers", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (answer, _, token) = node.redeem(&created["credential_offer"], None).await;
    (answer, token)
}

fn assert_error(answer: (StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(
        (answer.0, answer.1["error"].as_str()),
        (status, Some(code)),
        "{}",
        answer.1
    );
}

#[tokio::test]
async fn an_operator_approves_and_the_wallet_collects_once_on_sqlite() {
    approve_and_collect(&Node::start().await).await;
}

#[tokio::test]
async fn an_operator_approves_and_the_wallet_collects_once_on_postgres() {
    let database = TestDatabase::create().await.unwrap();
    let url = database.url().to_owned();
    approve_and_collect(&Node::start_with(Some(url), VerifierSettings::default()).await).await;
}

async fn approve_and_collect(node: &Node) {
    let (_, metadata) = node
        .admin(Method::GET, "/.well-known/openid-credential-issuer", None)
        .await;
    assert_eq!(
        metadata["deferred_credential_endpoint"],
        node.url("/deferred_credential")
    );
    node.put_subject("s1", json!({"given_name": "Hanako", "degree": "BSc"}))
        .await;
    node.put_subject("s2", json!({"given_name": "Taro", "degree": "MSc"}))
        .await;

    let (deferral, token) = deferred_request(node, "s1").await;
    assert!(deferral.get("credentials").is_none(), "{deferral}");
    let transaction = deferral["transaction_id"].as_str().unwrap();
    assert_eq!(deferral["interval"], 5);
    let (status, pending) = collect(node, &token, transaction).await;
    assert_eq!(
        (status, &pending["transaction_id"]),
        (StatusCode::ACCEPTED, &deferral["transaction_id"])
    );

    assert_error(
        collect(node, "not-a-token", transaction).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
    assert_error(
        collect(node, &token, "unknown").await,
        StatusCode::BAD_REQUEST,
        "invalid_transaction_id",
    );
    let (_, other_token) = deferred_request(node, "s2").await;
    assert_error(
        collect(node, &other_token, transaction).await,
        StatusCode::BAD_REQUEST,
        "invalid_transaction_id",
    );

    let (_, listed) = node.admin(Method::GET, "/admin/deferred", None).await;
    let waiting = listed["pending"].as_array().unwrap();
    assert_eq!(waiting.len(), 2);
    let mine = waiting.iter().find(|p| p["subject"] == "s1").unwrap();
    assert_eq!(
        (mine["credentials"].as_u64(), &mine["claims"]["degree"]),
        (Some(1), &json!("BSc"))
    );
    assert!(
        !listed.to_string().contains(transaction),
        "the transaction id stays the wallet's"
    );
    let id = mine["id"].as_str().unwrap();
    let (_, issued_before) = node.admin(Method::GET, "/admin/credentials", None).await;
    assert!(
        issued_before["credentials"].as_array().unwrap().is_empty(),
        "nothing issued yet"
    );

    let approve = format!("/admin/deferred/{id}/approve");
    let (status, _) = node.admin(Method::POST, &approve, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, again) = node.admin(Method::POST, &approve, None).await;
    assert_eq!(
        (status, again["error"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    let (status, _) = node
        .admin(Method::POST, "/admin/deferred/nope/approve", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = node
        .admin(Method::POST, &format!("/admin/deferred/{id}/maybe"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, delivered) = collect(node, &token, transaction).await;
    assert_eq!(status, StatusCode::OK, "{delivered}");
    assert!(delivered["credentials"][0]["credential"].is_string());
    assert!(delivered["notification_id"].is_string());
    let (_, issued) = node
        .admin(Method::GET, "/admin/credentials?subject=s1", None)
        .await;
    assert_eq!(issued["credentials"].as_array().unwrap().len(), 1);
    assert_error(
        collect(node, &token, transaction).await,
        StatusCode::BAD_REQUEST,
        "invalid_transaction_id",
    );
}

#[tokio::test]
async fn a_rejected_request_is_never_issued() {
    let node = Node::start().await;
    node.put_subject("s1", json!({"given_name": "Hanako"}))
        .await;
    let (deferral, token) = deferred_request(&node, "s1").await;
    let (_, listed) = node.admin(Method::GET, "/admin/deferred", None).await;
    let id = listed["pending"][0]["id"].as_str().unwrap().to_owned();
    let (status, decided) = node
        .admin(Method::POST, &format!("/admin/deferred/{id}/reject"), None)
        .await;
    assert_eq!(
        (status, decided["state"].as_str()),
        (StatusCode::OK, Some("rejected"))
    );
    let transaction = deferral["transaction_id"].as_str().unwrap();
    assert_error(
        collect(&node, &token, transaction).await,
        StatusCode::BAD_REQUEST,
        "invalid_transaction_id",
    );
    let (_, issued) = node.admin(Method::GET, "/admin/credentials", None).await;
    assert!(issued["credentials"].as_array().unwrap().is_empty());
    let (_, listed) = node.admin(Method::GET, "/admin/deferred", None).await;
    assert!(
        listed["pending"].as_array().unwrap().is_empty(),
        "decided requests leave the queue"
    );
}
