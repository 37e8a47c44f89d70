//! An issuer outlives its first status list. With `[issuer] status_list_size = 16` the 17th
//! credential opens `/status/2`: every credential names the list and index the admin API shows,
//! indexes within a list are distinct and shuffled, a revocation on the second list reaches
//! verifiers through that list only, and a restart with another size keeps the open list's.

#[path = "support/node.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use reqwest::{Method, StatusCode};
use saifu_credential::status::{Limits, StatusList, StatusValue};
use saifu_crypto::LocalSigner;
use saifu_server::{Config, ConfigLayer, IssuerSettings, RoleError, ServeError, Server};
use serde_json::{Value, json};
use support::{Node, check};

const LIST_SIZE: u64 = 16;
const ISSUED: usize = 20;

fn settings(status_list_size: u64) -> ConfigLayer {
    ConfigLayer {
        issuer: Some(IssuerSettings {
            status_list_size,
            ..IssuerSettings::default()
        }),
        ..ConfigLayer::default()
    }
}

/// The JSON payload of a JWT (the issuer-signed part of an SD-JWT).
fn payload(jwt: &str) -> Value {
    let payload = jwt.split(['.', '~']).nth(1).unwrap();
    serde_json::from_slice(&B64URL.decode(payload).unwrap()).unwrap()
}

/// A diploma for a fresh holder key: the credential, the holder, the key's thumbprint.
async fn issue(node: &Node) -> (String, LocalSigner, String) {
    let body = json!({"credential_configuration_id": "diploma", "qr": false,
        "claims": {"given_name": "Hanako", "family_name": "Sato",
                   "university": "Saifu University", "degree": "BSc"}});
    let (status, created) = node.admin(Method::POST, "/admin/offers", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (issued, holder, _) = node.redeem(&created["credential_offer"], None).await;
    let credential = issued["credentials"][0]["credential"].as_str().unwrap();
    let jwk = holder.private_key().public_key().to_jwk();
    (credential.to_owned(), holder, jwk.thumbprint().unwrap())
}

/// The status reference `(uri, idx)` a credential carries.
fn reference(credential: &str) -> (String, u64) {
    let list = &payload(credential)["status"]["status_list"];
    (
        list["uri"].as_str().unwrap().to_owned(),
        list["idx"].as_u64().unwrap(),
    )
}

/// Whether the node's own verifier accepts `credential`; the outcome of its status check.
async fn verify(node: &Node, credential: &str, holder: &LocalSigner) -> (bool, Value) {
    let query = json!({"credentials": [{"id": "diploma", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["https://saifu.dev/vct/diploma"]},
        "claims": [{"path": ["degree"]}]}]});
    let request = json!({"dcql_query": query, "qr": false});
    let (id, _) = node
        .present(request, "diploma", credential, holder, &["/degree"])
        .await;
    let (_, result) = node
        .admin(Method::GET, &format!("/admin/presentations/{id}"), None)
        .await;
    let report = &result["report"];
    (
        report["verified"] == true,
        check(report, "status")["outcome"].clone(),
    )
}

/// The Token Status List at `path`, read without its signature (the verifier checks that).
async fn token_list(node: &Node, path: &str) -> (String, StatusList) {
    let token = node.text(path).await;
    let claims = payload(&token);
    let list = StatusList::from_json(&claims["status_list"], &Limits::default()).unwrap();
    (claims["sub"].as_str().unwrap().to_owned(), list)
}

#[tokio::test]
async fn a_full_status_list_rolls_over_to_the_next() {
    let node = Node::start_layer(tempfile::tempdir().unwrap(), settings(LIST_SIZE)).await;
    let mut issued = Vec::new();
    for _ in 0..ISSUED {
        issued.push(issue(&node).await);
    }

    let (_, listed) = node.admin(Method::GET, "/admin/credentials", None).await;
    let records: BTreeMap<&str, &Value> = listed["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["holder_key_thumbprint"].as_str().unwrap(), r))
        .collect();
    let mut per_list: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for (credential, _, thumbprint) in &issued {
        let record = records[thumbprint.as_str()];
        let (uri, idx) = reference(credential);
        assert_eq!(record["status_list"], json!({"uri": uri, "index": idx}));
        let first = if uri.ends_with("/status/1") { 0 } else { 16 };
        assert_eq!(record["status_index"].as_u64(), Some(first + idx));
        assert!(idx < LIST_SIZE);
        assert!(per_list.entry(uri).or_default().insert(idx), "index twice");
    }
    let lists: Vec<(&String, usize)> = per_list.iter().map(|(u, s)| (u, s.len())).collect();
    assert_eq!(
        lists,
        vec![
            (&node.url("/status/1"), LIST_SIZE as usize),
            (&node.url("/status/2"), ISSUED - LIST_SIZE as usize)
        ]
    );
    let second: Vec<u64> = per_list[&node.url("/status/2")].iter().copied().collect();
    // The first list's 16 credentials, in issuance order, do not sit at 0, 1, 2, … (the odds
    // of a shuffle giving exactly that order are 1 in 16!).
    let first_order: Vec<u64> = issued[..LIST_SIZE as usize]
        .iter()
        .map(|(credential, _, _)| reference(credential).1)
        .collect();
    assert_ne!(
        first_order,
        (0..LIST_SIZE).collect::<Vec<_>>(),
        "positions are shuffled, not in issuance order"
    );

    // Revoke a credential of the second list: only that list says so, and the verifier (which
    // has not fetched that list yet, so no cache hides the change) refuses it.
    let (on_first, first_holder, _) = &issued[0];
    let (on_second, second_holder, thumbprint) = &issued[ISSUED - 1];
    let number = records[thumbprint.as_str()]["status_index"]
        .as_i64()
        .unwrap();
    let path = format!("/admin/credentials/{number}/revoke");
    let (status, revoked) = node.admin(Method::POST, &path, Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    let (_, idx) = reference(on_second);
    let (sub, list) = token_list(&node, "/status/2").await;
    assert_eq!(sub, node.url("/status/2"));
    assert_eq!(list.len(), LIST_SIZE);
    assert_eq!(list.get(idx).unwrap(), StatusValue::Invalid);
    let (_, list) = token_list(&node, "/status/1").await;
    assert_eq!(list.get(idx).unwrap(), StatusValue::Valid);
    assert_eq!(
        verify(&node, on_first, first_holder).await,
        (true, json!("passed"))
    );
    assert_eq!(
        verify(&node, on_second, second_holder).await,
        (false, json!("failed"))
    );

    // The W3C Bitstring lists roll over with it (padded to the 131,072 entries §2.1 asks).
    let answer = node
        .http
        .get(node.url("/status/w3c-revocation-2"))
        .send()
        .await;
    let answer = answer.unwrap();
    assert_eq!(answer.headers()["content-type"], "application/vc");
    let credential: Value = answer.json().await.unwrap();
    assert_eq!(credential["id"], node.url("/status/w3c-revocation-2"));

    for unopened in [
        "/status/3",
        "/status/0",
        "/status/02",
        "/status/w3c-revocation-3",
    ] {
        let answer = node.http.get(node.url(unopened)).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{unopened}");
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["error"], "not_found", "{unopened}");
    }

    // Restarted with the default size, the node fills the open list at its own size first.
    let dir = node.stop();
    let node = Node::start_layer(dir, settings(saifu_issuer::STATUS_LIST_ENTRIES)).await;
    let (credential, _, _) = issue(&node).await;
    let (uri, idx) = reference(&credential);
    assert_eq!(uri, node.url("/status/2"));
    assert!(idx < LIST_SIZE && !second.contains(&idx), "{idx}");
}

#[tokio::test]
async fn a_status_list_size_out_of_range_is_refused_at_start() {
    for size in [0, 15, (1 << 24) + 1] {
        let dir = tempfile::tempdir().unwrap();
        let mut layer = settings(size);
        layer.data_dir = Some(dir.path().to_path_buf());
        layer.port = Some(0);
        let config = Config::load(None, |_| None, layer).unwrap();
        let refused = Server::bind(&config).await.err();
        assert!(
            matches!(refused, Some(ServeError::Role(RoleError::StatusListSize(s))) if s == size),
            "{size}: {refused:?}"
        );
    }
}
