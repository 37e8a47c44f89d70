//! did:webvh interoperability with the DIF implementations, both directions:
//!
//! - didwebvh-ts (npm, `interop/webvh_peer.mjs`): a DID saifu creates, rotates and hosts on a
//!   node resolves with didwebvh-ts to the same document and version; a DID didwebvh-ts creates
//!   for the node is accepted by the node (which verifies it) and resolves with saifu over HTTP.
//! - did-webvh (PyPI, `interop/python/webvh_peer.py`): it refuses single-label hosts such as
//!   `localhost`, so both directions exchange log files for an `example.com` DID (its resolver
//!   reads a local history file; ours verifies the log it wrote).
//!
//! Also: the DID test-suite reports of both implementations (`did-webvh-dif-*.json`) map to
//! the log locations and documents saifu expects (structural comparison).

#[path = "support/node.rs"]
mod support;
#[path = "support/webvh.rs"]
mod webvh;

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::StatusCode;
use saifu_did::Did;
use saifu_did::webvh::{Parameters, WebvhDid, build, verify_log};
use saifu_test_support::{interop_dir, require_npm_package};
use serde_json::Value;
use support::{Node, now_seconds};
use webvh::{create, key, multikey, publish, resolver, rotation, time};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs a peer and parses its JSON answer.
fn run(program: &Path, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(interop_dir())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    assert!(
        output.status.success(),
        "{} {args:?} failed: {}",
        program.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn node_peer(args: &[&str]) -> String {
    require_npm_package("didwebvh-ts", None);
    let mut all = vec!["webvh_peer.mjs"];
    all.extend_from_slice(args);
    run(Path::new("node"), &all)
}

fn python_peer(args: &[&str]) -> String {
    let program = std::env::var_os("SAIFU_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv/bin/python"));
    let ready = Command::new(&program)
        .args(["-c", "import did_webvh"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ready,
        "Python peer did-webvh missing ({}): `.venv/bin/pip install -r \
         interop/python/requirements.txt`, or set SAIFU_PYTHON",
        program.display()
    );
    let mut all = vec!["python/webvh_peer.py"];
    all.extend_from_slice(args);
    run(&program, &all)
}

#[tokio::test(flavor = "multi_thread")]
async fn saifu_log_resolves_with_didwebvh_ts() {
    let node = Node::start().await;
    let (k1, k2, k3) = (key(), key(), key());
    let (did, _) = create(&node, "ours", &k1, &k2).await;
    let log = resolver().webvh_log(&did).await.unwrap();
    let mut state = log.latest().state.clone();
    build::add_key(&mut state, saifu_crypto::Signer::public_key(&k2));
    let rotate = rotation(&k2, &k3);
    let second = build::update(&log, state, &rotate, &time(10), &k2)
        .await
        .unwrap();
    let (status, answer) = publish(&node, "ours", &second, false).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");

    let served = node.text("/dids/ours/did.jsonl").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("did.jsonl");
    std::fs::write(&file, &served).unwrap();
    let peer: Value =
        serde_json::from_str(&node_peer(&["resolve", file.to_str().unwrap()])).unwrap();
    let ours = resolver().resolve(&did).await.unwrap();
    assert_eq!(peer["did"], did.as_str());
    assert_eq!(peer["doc"]["id"], did.as_str());
    assert_eq!(
        peer["meta"]["versionId"].as_str(),
        ours.metadata.version_id.as_deref()
    );
    assert_eq!(
        peer["doc"]["verificationMethod"].as_array().unwrap().len(),
        2
    );
    assert_eq!(
        peer["doc"]["verificationMethod"],
        serde_json::to_value(&ours.document.verification_method).unwrap()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn didwebvh_ts_log_is_hosted_and_resolves_with_saifu() {
    let node = Node::start().await;
    let port = node.base.rsplit(':').next().unwrap().to_owned();
    let log = node_peer(&["create", &format!("localhost%3A{port}"), "theirs"]);
    let first: Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    let (status, answer) = publish(&node, "theirs", &first, true).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the node verified the peer's entry: {answer}"
    );
    let did: Did = first["state"]["id"].as_str().unwrap().parse().unwrap();
    let resolved = resolver().resolve(&did).await.unwrap();
    assert_eq!(resolved.document.id, did);
    assert_eq!(
        resolved.metadata.version_id.as_deref(),
        first["versionId"].as_str()
    );
    assert_eq!(resolved.document.verification_method.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn saifu_log_resolves_with_did_webvh_python() {
    let k1 = key();
    let state = build::document(
        "did:webvh:{SCID}:example.com:dids:ours",
        &[saifu_crypto::Signer::public_key(&k1).clone()],
    );
    let parameters = Parameters {
        update_keys: Some(vec![multikey(&k1)]),
        ..Parameters::default()
    };
    let first = build::create(state, &parameters, &time(20), &k1)
        .await
        .unwrap();
    let line = serde_json::to_string(&first).unwrap();
    let did = first["state"]["id"].as_str().unwrap();
    let ours = verify_log(Some(&did.parse().unwrap()), &line, None, now_seconds()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("did.jsonl");
    std::fs::write(&file, format!("{line}\n")).unwrap();
    let peer: Value =
        serde_json::from_str(&python_peer(&["resolve", did, file.to_str().unwrap()])).unwrap();
    assert_eq!(peer["didDocument"]["id"], did, "{peer}");
    assert_eq!(
        peer["didDocumentMetadata"]["versionId"].as_str(),
        Some(ours.latest().version_id.as_str())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn did_webvh_python_log_verifies_with_saifu() {
    let dir = tempfile::tempdir().unwrap();
    let path = python_peer(&[
        "create",
        "example.com",
        "theirs",
        dir.path().to_str().unwrap(),
    ]);
    let log = std::fs::read_to_string(path.trim()).unwrap();
    let first: Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    let did: Did = first["state"]["id"].as_str().unwrap().parse().unwrap();
    let verified = verify_log(Some(&did), &log, None, now_seconds()).unwrap();
    assert_eq!(
        verified.latest().version_id,
        first["versionId"].as_str().unwrap()
    );
    assert_eq!(verified.scid(), WebvhDid::parse(&did).unwrap().scid());
}

/// The DID test-suite reports of didwebvh-py and didwebvh-ts: each DID maps to a log location
/// beside the hosting site, and each reported document parses as a DID document for that DID.
#[test]
fn dif_test_suite_reports_map_structurally() {
    let dir = std::env::var_os("SAIFU_VECTORS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/vectors"))
        .join("did/did-test-suite");
    let expected = [
        (
            "did-webvh-dif-py.json",
            "https://opsecid.github.io/.well-known/did.jsonl",
        ),
        (
            "did-webvh-dif-ts.json",
            "https://gist.githubusercontent.com/brianorwhatever/9c4633d18eb644f7a47f93a802691626/raw/did.jsonl",
        ),
    ];
    for (file, url) in expected {
        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        for did in report["dids"].as_array().unwrap() {
            let did: Did = did.as_str().unwrap().parse().unwrap();
            let parsed = WebvhDid::parse(&did).unwrap();
            assert_eq!(parsed.log_url().as_str(), url, "{file}");
            let representation = report[did.as_str()]["application/did+ld+json"]["representation"]
                .as_str()
                .unwrap();
            let document = saifu_did::DidDocument::from_json(representation.as_bytes()).unwrap();
            assert_eq!(document.id, did);
            let files = document.service.iter().find(|s| s.id == "#files").unwrap();
            assert_eq!(files.service_endpoint, parsed.files_base(), "{file}");
        }
    }
}
