//! The registry a node serves under `/registry/`: appends acknowledged with their index once
//! durable, a checkpoint signed with Ed25519 (verified by the independent `signed_note` crate
//! against the published log key) and ML-DSA-44, and an entry bundle whose leaves rebuild the
//! checkpoint's root.

#[path = "support/node.rs"]
mod support;

use reqwest::StatusCode;
use saifu_registry::checkpoint::Checkpoint;
use saifu_registry::tiles::decode_bundle;
use saifu_registry::tree::{Frontier, leaf_hash};
use support::Node;

#[tokio::test]
async fn appends_are_acknowledged_and_the_checkpoint_commits_to_them() {
    let node = Node::start().await;
    // Raw entries are the operator's: without the admin token nothing is appended (the
    // checkpoint below commits to exactly the five entries that follow).
    let refused = node
        .http
        .post(node.url("/registry/add-entry"))
        .body("spam")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let refused: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(refused["error"], "invalid_token", "{refused}");
    let entries: Vec<Vec<u8>> = (0..5)
        .map(|i| format!("audit event {i}").into_bytes())
        .collect();
    for (i, entry) in entries.iter().enumerate() {
        let answer = node
            .http
            .post(node.url("/registry/add-entry"))
            .bearer_auth(&node.token)
            .body(entry.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(answer.text().await.unwrap(), format!("{i}\n"));
    }

    let keys = node
        .http
        .get(node.url("/registry/log-keys"))
        .send()
        .await
        .unwrap();
    let keys = keys.text().await.unwrap();
    let ed25519 = keys.lines().next().unwrap();
    assert_eq!(
        keys.lines().count(),
        2,
        "an Ed25519 and an ML-DSA-44 key: {keys}"
    );

    let note = node
        .http
        .get(node.url("/registry/checkpoint"))
        .send()
        .await
        .unwrap();
    let note = note.bytes().await.unwrap();
    let parsed = signed_note::Note::from_bytes(&note).unwrap();
    let verifier = signed_note::StandardVerifier::new(ed25519).unwrap();
    let known = signed_note::VerifierList::new(vec![Box::new(verifier)]);
    let (verified, _) = parsed.verify(&known).unwrap();
    assert_eq!(verified.len(), 1, "signed by the published log key");
    let text = String::from_utf8_lossy(&note);
    assert_eq!(
        text.matches("\n— ").count(),
        2,
        "two signature lines:\n{text}"
    );
    let body = text.split("\n\n").next().unwrap();
    let checkpoint = Checkpoint::parse(&format!("{body}\n")).unwrap();
    assert_eq!(checkpoint.size, 5);

    // The entry bundle holds the entries; their leaves rebuild the signed root.
    let bundle = node
        .http
        .get(node.url("/registry/tile/entries/000.p/5"))
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), StatusCode::OK);
    let bundled = decode_bundle(&bundle.bytes().await.unwrap()).unwrap();
    assert_eq!(bundled, entries);
    let mut tree = Frontier::default();
    for entry in &bundled {
        tree.append(leaf_hash(entry));
    }
    assert_eq!(tree.root(), checkpoint.root);

    // A tile beyond the log is refused.
    let beyond = node
        .http
        .get(node.url("/registry/tile/entries/000.p/6"))
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), StatusCode::NOT_FOUND);
}
