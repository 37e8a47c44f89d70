//! did:webvh 1.0 hosted on a node, over real HTTP on loopback: a controller creates a DID,
//! rotates its update key under pre-rotation and deactivates it; every step resolves to the
//! right document and metadata (historical versions too), every entry is proven to be in the
//! node's transparency log, and the node refuses each kind of bad entry with its specific error
//! and stores nothing. Once on SQLite and once on PostgreSQL.

#[path = "support/node.rs"]
mod support;
#[path = "support/webvh.rs"]
mod webvh;

use reqwest::StatusCode;
use saifu_did::data_integrity::ProofError;
use saifu_did::webvh::{Parameters, VerifiedLog, WebvhError, build, verify_log};
use saifu_did::{Did, ResolutionError, error::InvalidDidReason};
use saifu_registry::did_log::{self, DidLogError};
use saifu_server::VerifierSettings;
use saifu_store::testing::TestDatabase;
use serde_json::{Value, json};
use support::{Node, now_seconds};
use webvh::{create, key, multikey, publish, resolver, rotation, template, time, trusted_log};

/// The verified log of `did` as the node serves it.
async fn log_of(did: &Did) -> VerifiedLog {
    (*resolver().webvh_log(did).await.unwrap()).clone()
}

async fn round_trip(node: Node) {
    let (k1, k2, k3) = (key(), key(), key());
    let (did, _) = create(&node, "alice", &k1, &k2).await;
    let resolver = resolver();

    let v1 = resolver.resolve(&did).await.unwrap();
    assert_eq!(v1.document.id, did);
    assert_eq!(v1.document.verification_method.len(), 1);
    let v1_id = v1.metadata.version_id.clone().unwrap();
    assert!(v1_id.starts_with("1-"), "{v1_id}");
    assert_eq!(v1.metadata.deactivated, Some(false));
    assert_eq!(v1.metadata.created, v1.metadata.updated);
    assert!(
        v1.document.service.iter().any(|s| s.id == "#files"),
        "implicit #files service"
    );

    // Rotate: k2 was committed to, it becomes the update key and commits to k3; the document
    // gains k2 as a verification method.
    let log = log_of(&did).await;
    let mut state = log.latest().state.clone();
    build::add_key(&mut state, saifu_crypto::Signer::public_key(&k2));
    let rotate = rotation(&k2, &k3);
    let entry = build::update(&log, state, &rotate, &time(20), &k2)
        .await
        .unwrap();
    let (status, answer) = publish(&node, "alice", &entry, false).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let v2 = resolver.resolve(&did).await.unwrap();
    let v2_id = v2.metadata.version_id.clone().unwrap();
    assert!(v2_id.starts_with("2-"));
    assert_eq!(v2.document.verification_method.len(), 2);
    assert_ne!(v2.metadata.updated, v2.metadata.created);

    // Deactivate with the committed k3.
    let log = log_of(&did).await;
    let entry = build::deactivate(&log, &time(10), &k3).await.unwrap();
    let (status, answer) = publish(&node, "alice", &entry, false).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let v3 = resolver.resolve(&did).await.unwrap();
    assert_eq!(v3.metadata.deactivated, Some(true));
    assert!(v3.metadata.version_id.as_deref().unwrap().starts_with("3-"));
    assert!(
        v3.document.verification_method.is_empty(),
        "a deactivated DID's document is not returned"
    );

    // Historical versions, by number, id and time.
    let by_number = resolver
        .resolution_result(&format!("{did}?versionNumber=1"), None)
        .await;
    let document = by_number.did_document.unwrap();
    assert_eq!(document.verification_method.len(), 1);
    assert_eq!(
        by_number.did_document_metadata.version_id.as_deref(),
        Some(v1_id.as_str())
    );
    assert_eq!(by_number.did_document_metadata.deactivated, Some(true));
    let by_id = resolver
        .resolution_result(&format!("{did}?versionId={v2_id}"), None)
        .await;
    assert_eq!(by_id.did_document.unwrap().verification_method.len(), 2);
    let when = saifu_did::datetime::format(now_seconds() - 25);
    let by_time = resolver
        .resolution_result(&format!("{did}?versionTime={when}"), None)
        .await;
    assert_eq!(
        by_time.did_document_metadata.version_id.as_deref(),
        Some(v1_id.as_str())
    );
    let missing = resolver
        .resolution_result(&format!("{did}?versionNumber=9"), None)
        .await;
    assert_eq!(
        missing.did_resolution_metadata.error.as_deref(),
        Some("notFound")
    );

    // Nothing may follow a deactivation; the node refuses it.
    let mut reopened = log_of(&did).await;
    let last = reopened.versions.last_mut().unwrap();
    last.parameters.deactivated = false;
    last.parameters.update_keys = vec![multikey(&k3)];
    let last_state = last.state.clone();
    let after = build::update(&reopened, last_state, &Parameters::default(), &time(5), &k3)
        .await
        .unwrap();
    let (status, answer) = publish(&node, "alice", &after, false).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error_description"]
            .as_str()
            .unwrap()
            .contains("follows the deactivation"),
        "{answer}"
    );
    assert_eq!(log_of(&did).await.versions.len(), 3, "nothing was stored");

    // Every entry is in the node's transparency log.
    let included = did_log::resolve_included(&resolver, &did, &trusted_log(&node).await)
        .await
        .unwrap();
    assert_eq!(included.leaves.len(), 3);
    assert!(included.checkpoint.size >= 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn create_rotate_deactivate_round_trip_on_sqlite() {
    round_trip(Node::start().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn create_rotate_deactivate_round_trip_on_postgres() {
    let database = TestDatabase::create().await.unwrap();
    let node = Node::start_with(Some(database.url().to_owned()), VerifierSettings::default()).await;
    round_trip(node).await;
}

/// The error the node's verifier gives `lines` (checked directly, typed) and that the node
/// refuses the last line with `400` and that error's text, storing nothing.
async fn refused(node: &Node, name: &str, did: &Did, lines: &[&Value]) -> WebvhError {
    let text: String = lines
        .iter()
        .map(|l| format!("{}\n", serde_json::to_string(l).unwrap()))
        .collect();
    let error = verify_log(None, &text, None, now_seconds()).unwrap_err();
    let before = resolver()
        .webvh_log(did)
        .await
        .map(|l| l.versions.len())
        .ok();
    let (status, answer) = publish(node, name, lines.last().unwrap(), lines.len() == 1).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(
        answer["error_description"].as_str().unwrap(),
        error.to_string()
    );
    let after = resolver()
        .webvh_log(did)
        .await
        .map(|l| l.versions.len())
        .ok();
    assert_eq!(before, after, "a refused entry stores nothing");
    error
}

/// Re-signs `entry` (already mutated) so that only the rule under test is broken.
async fn resign(mut entry: Value, signer: &saifu_crypto::LocalSigner) -> Value {
    entry.as_object_mut().unwrap().remove("proof");
    let proof = saifu_did::webvh::proof::sign(&entry, signer, &time(1))
        .await
        .unwrap();
    entry["proof"] = json!([proof]);
    entry
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_entries_are_refused_with_their_specific_error() {
    let node = Node::start().await;
    let (k1, k2, k3, stranger) = (key(), key(), key(), key());
    let (did, first) = create(&node, "bob", &k1, &k2).await;
    let log = log_of(&did).await;
    let state = log.latest().state.clone();
    let rotate = rotation(&k2, &k3);
    let good = build::update(&log, state.clone(), &rotate, &time(20), &k2)
        .await
        .unwrap();

    // Tampered: the state changed after signing.
    let mut tampered = good.clone();
    tampered["state"]["alsoKnownAs"] = json!(["did:web:evil.example"]);
    let error = refused(&node, "bob", &did, &[&first, &tampered]).await;
    assert!(
        matches!(
            error,
            WebvhError::Proof {
                source: ProofError::InvalidSignature,
                ..
            }
        ),
        "{error:?}"
    );

    // Broken chain: a valid signature over a wrong entry hash, and a wrong version number.
    let mut wrong_hash = good.clone();
    wrong_hash["versionId"] = json!(format!("2-{}", log.scid()));
    let wrong_hash = resign(wrong_hash, &k2).await;
    let error = refused(&node, "bob", &did, &[&first, &wrong_hash]).await;
    assert!(matches!(error, WebvhError::EntryHash { .. }), "{error:?}");
    let mut wrong_number = good.clone();
    let hash = good["versionId"]
        .as_str()
        .unwrap()
        .split_once('-')
        .unwrap()
        .1
        .to_owned();
    wrong_number["versionId"] = json!(format!("3-{hash}"));
    let error = refused(&node, "bob", &did, &[&first, &wrong_number]).await;
    assert!(
        matches!(error, WebvhError::VersionId { number: 2, .. }),
        "{error:?}"
    );

    // Signed by a key that is not an update key.
    let mut unauthorized = good.clone();
    unauthorized["parameters"]["updateKeys"] = json!([multikey(&k2)]);
    let unauthorized = resign(unauthorized, &stranger).await;
    let error = refused(&node, "bob", &did, &[&first, &unauthorized]).await;
    assert!(
        matches!(error, WebvhError::UnauthorizedKey { .. }),
        "{error:?}"
    );

    // Pre-rotation: rotating to a key the previous entry did not commit to.
    let uncommitted = rotation(&stranger, &k3);
    let rotation = build::update(&log, state.clone(), &uncommitted, &time(20), &stranger)
        .await
        .unwrap();
    let error = refused(&node, "bob", &did, &[&first, &rotation]).await;
    assert!(
        matches!(error, WebvhError::KeyNotCommitted { .. }),
        "{error:?}"
    );

    // A first entry with another method version (the check precedes every hash).
    let mut old_method = first.clone();
    old_method["parameters"]["method"] = json!("did:webvh:0.5");
    let other: Did = "did:webvh:QmPEQVM1JPTyrvEgBcDXwjK4TeyLGSX1PxjgyeAisdWM1p:localhost:dids:x"
        .parse()
        .unwrap();
    let (status, answer) = publish(&node, "carol", &old_method, true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error = verify_log(
        None,
        &serde_json::to_string(&old_method).unwrap(),
        None,
        now_seconds(),
    )
    .unwrap_err();
    assert!(
        matches!(error, WebvhError::Method { version: 1, .. }),
        "{error:?}"
    );
    assert_eq!(
        answer["error_description"].as_str().unwrap(),
        error.to_string()
    );
    assert!(resolver().webvh_log(&other).await.is_err());

    // The good rotation is still accepted after all those refusals.
    let (status, answer) = publish(&node, "bob", &good, false).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

#[tokio::test(flavor = "multi_thread")]
async fn scid_mismatch_wrong_location_and_admin_token() {
    let node = Node::start().await;
    let (k1, k2) = (key(), key());
    let (did, first) = create(&node, "dave", &k1, &k2).await;
    // Same location, another SCID: the log there is not this DID's.
    let impostor: Did = did
        .as_str()
        .replacen(
            did.method_specific_id().split(':').next().unwrap(),
            "QmPEQVM1JPTyrvEgBcDXwjK4TeyLGSX1PxjgyeAisdWM1p",
            1,
        )
        .parse()
        .unwrap();
    match resolver().resolve(&impostor).await {
        Err(ResolutionError::InvalidDid(InvalidDidReason::Webvh(WebvhError::ScidMismatch {
            ..
        }))) => {}
        other => panic!("{other:?}"),
    }
    // A valid first entry for `dave` cannot be hosted under another name.
    let (status, answer) = publish(&node, "erin", &first, true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error_description"]
            .as_str()
            .unwrap()
            .contains("is not hosted at"),
        "{answer}"
    );
    // A new name needs the admin token.
    let state = build::document(&template(&node, "frank"), &[]);
    let parameters = Parameters {
        update_keys: Some(vec![multikey(&k1)]),
        ..Parameters::default()
    };
    let entry = build::create(state, &parameters, &time(5), &k1)
        .await
        .unwrap();
    let (status, _) = publish(&node, "frank", &entry, false).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let missing = node
        .http
        .get(node.url("/dids/frank/did.jsonl"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn null_parameters_are_read_as_defaults() {
    let node = Node::start().await;
    let k1 = key();
    let state = build::document(&template(&node, "gina"), &[]);
    let parameters = json!({
        "updateKeys": [multikey(&k1)],
        "nextKeyHashes": null,
        "witness": null,
        "watchers": null,
        "ttl": null,
    });
    let entry = build::create_json(state, parameters, &time(5), &k1)
        .await
        .unwrap();
    let (status, answer) = publish(&node, "gina", &entry, true).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let did: Did = answer["did"].as_str().unwrap().parse().unwrap();
    let served = node.text("/dids/gina/did.jsonl").await;
    assert!(
        served.contains("\"watchers\":null"),
        "served as signed: {served}"
    );
    let resolved = resolver().resolve(&did).await.unwrap();
    assert_eq!(resolved.metadata.extra["ttl"], json!("3600"));
    assert_eq!(resolved.metadata.extra["watchers"], json!([]));
    assert!(!resolved.metadata.extra.contains_key("witness"));
}

/// A host outside the node serving a log the node's transparency log never saw, with an
/// inclusion file that names leaves of other entries (or none).
#[tokio::test(flavor = "multi_thread")]
async fn entries_missing_from_the_transparency_log_are_refused() {
    let node = Node::start().await;
    let (k1, k2) = (key(), key());
    create(&node, "hank", &k1, &k2).await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let state = build::document(
        &format!("did:webvh:{{SCID}}:localhost%3A{port}:dids:rogue"),
        &[],
    );
    let parameters = Parameters {
        update_keys: Some(vec![multikey(&k1)]),
        ..Parameters::default()
    };
    let entry = build::create(state, &parameters, &time(5), &k1)
        .await
        .unwrap();
    let did: Did = entry["state"]["id"].as_str().unwrap().parse().unwrap();
    let version_id = entry["versionId"].as_str().unwrap().to_owned();
    let line = format!("{}\n", serde_json::to_string(&entry).unwrap());
    let claim = std::sync::Arc::new(std::sync::Mutex::new(json!({
        "origin": "x", "entries": [{"versionId": version_id, "leafIndex": 0}]
    })));
    let served = claim.clone();
    let app = axum::Router::new()
        .route(
            "/dids/rogue/did.jsonl",
            axum::routing::get(move || {
                let line = line.clone();
                async move { line }
            }),
        )
        .route(
            "/dids/rogue/did-inclusion.json",
            axum::routing::get(move || {
                let served = served.clone();
                async move { axum::Json(served.lock().unwrap().clone()) }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let trusted = trusted_log(&node).await;
    let resolver = resolver();
    // The log itself verifies; leaf 0 is another entry (the log disagrees with the tlog).
    resolver.resolve(&did).await.unwrap();
    match did_log::resolve_included(&resolver, &did, &trusted).await {
        Err(DidLogError::Mismatch { index: 0, .. }) => {}
        other => panic!("{other:?}"),
    }
    // No leaf named at all.
    *claim.lock().unwrap() = json!({"origin": "x", "entries": []});
    match did_log::resolve_included(&resolver, &did, &trusted).await {
        Err(DidLogError::NotIncluded { version_id: v }) if v == version_id => {}
        other => panic!("{other:?}"),
    }
}
