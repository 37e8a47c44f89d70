//! `saifu registry` against a real registry-only node (`saifu registry serve`, a child
//! process): append prints the leaf index, checkpoint checks and saves the note, proof prints
//! the inclusion proof, and verify checks all three offline — refusing a changed entry, a proof
//! for another checkpoint and a witness quorum the checkpoint does not meet, each with a hint.

mod common;
// `RunningNode::start_with` only; the other helpers serve other tests.
#[allow(dead_code)]
mod node_support;

use std::sync::Arc;

use common::{failed, ok, run};
use node_support::RunningNode;
use saifu_crypto::{KeyType, LocalSigner, PrivateKey};
use saifu_registry::note::{NoteKeyKind, NoteSigner};
use serde_json::Value;

fn json(out: &str) -> Value {
    serde_json::from_str(out.trim()).unwrap()
}

#[test]
fn append_checkpoint_proof_and_offline_verify() {
    let dir = tempfile::tempdir().unwrap();
    let registry = RunningNode::start_with(&["registry", "serve"], &dir.path().join("node")).0;
    let node = registry.base.as_str();
    let d = dir.path();
    std::fs::write(d.join("a.json"), br#"{"event":"first"}"#).unwrap();
    std::fs::write(d.join("b.json"), br#"{"event":"second"}"#).unwrap();
    std::fs::write(d.join("c.json"), br#"{"event":"never appended"}"#).unwrap();

    // Appending takes the admin token: from the node's data directory, or the environment.
    let first = json(&ok(&run(
        d,
        &[
            "registry",
            "append",
            "a.json",
            "--node",
            node,
            "--node-data-dir",
            "node",
            "--json",
        ],
        &[],
        None,
    )));
    assert_eq!(first["leaf_index"], 0);
    let token = std::fs::read_to_string(d.join("node/admin-token")).unwrap();
    let second = ok(&run(
        d,
        &["registry", "append", "b.json", "--node", node],
        &[("SAIFU_ADMIN_TOKEN", token.trim())],
        None,
    ));
    assert_eq!(second.trim(), "1");
    // A wrong token appends nothing (the checkpoint below still has two entries).
    let refused = failed(&run(
        d,
        &["registry", "append", "a.json", "--node", node],
        &[("SAIFU_ADMIN_TOKEN", "not-the-token")],
        None,
    ));
    assert!(refused.contains("401"), "{refused}");
    assert!(refused.contains("admin token"), "{refused}");

    // Only the registry role runs.
    let (status, _) = http_get(&format!("{node}/.well-known/openid-credential-issuer"));
    assert_eq!(status, 404);

    let head = json(&ok(&run(
        d,
        &[
            "registry",
            "checkpoint",
            "--node",
            node,
            "--out",
            "cp.txt",
            "--json",
        ],
        &[],
        None,
    )));
    assert_eq!(head["size"], 2);
    assert_eq!(head["cosigners"], serde_json::json!([]));
    let text = ok(&run(
        d,
        &["registry", "checkpoint", "--node", node],
        &[],
        None,
    ));
    assert!(text.contains("size:      2"), "{text}");

    let proof = ok(&run(
        d,
        &["registry", "proof", "--node", node, "--index", "1"],
        &[],
        None,
    ));
    assert_eq!(json(&proof)["size"], 2);
    std::fs::write(d.join("proof.json"), &proof).unwrap();
    // The same proof found by the entry itself (its leaf hash), without knowing its index.
    let by_entry = ok(&run(
        d,
        &["registry", "proof", "--node", node, "--entry", "b.json"],
        &[],
        None,
    ));
    assert_eq!(json(&by_entry), json(&proof));
    let unknown = failed(&run(
        d,
        &["registry", "proof", "--node", node, "--entry", "c.json"],
        &[],
        None,
    ));
    assert!(unknown.contains("unknown_leaf"), "{unknown}");
    let (_, log_keys) = http_get(&format!("{node}/registry/log-keys"));
    let log_key = log_keys.lines().next().unwrap().to_owned();

    let verify = |entry: &str, proof: &str, extra: &[&str]| {
        let mut args = vec![
            "registry",
            "verify",
            "--checkpoint",
            "cp.txt",
            "--entry",
            entry,
            "--proof",
            proof,
            "--log-key",
            &log_key,
        ];
        args.extend_from_slice(extra);
        run(d, &args, &[], None)
    };
    let done = json(&ok(&verify("b.json", "proof.json", &["--json"])));
    assert_eq!(done["ok"], true);

    // The other entry with this proof.
    let err = failed(&verify("a.json", "proof.json", &[]));
    assert!(
        err.contains("inclusion check failed: proof does not lead to the claimed root"),
        "{err}"
    );

    // A proof for another tree size.
    let other = ok(&run(
        d,
        &[
            "registry", "proof", "--node", node, "--index", "1", "--size", "2",
        ],
        &[],
        None,
    ));
    std::fs::write(
        d.join("other.json"),
        other.replace("\"size\":2", "\"size\":3"),
    )
    .unwrap();
    let err = failed(&verify("b.json", "other.json", &[]));
    assert!(
        err.contains("proof check failed: the proof is for size 3, the checkpoint has 2"),
        "{err}"
    );

    // A witness quorum the checkpoint does not meet.
    let key = LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap()).unwrap();
    let witness = NoteSigner::new("w.test", NoteKeyKind::Cosignature, Arc::new(key)).unwrap();
    let vkey = witness.verifier().vkey();
    let err = failed(&verify(
        "b.json",
        "proof.json",
        &["--witness-key", &vkey, "--quorum", "1"],
    ));
    assert!(
        err.contains("checkpoint check failed: 0 witness cosignatures, 1 required"),
        "{err}"
    );

    // No log key: refused before anything is read.
    let err = failed(&run(
        d,
        &[
            "registry",
            "verify",
            "--checkpoint",
            "cp.txt",
            "--entry",
            "b.json",
            "--proof",
            "proof.json",
        ],
        &[],
        None,
    ));
    assert!(err.contains("--log-key"), "{err}");

    let help = ok(&run(d, &["registry", "--help"], &[], None));
    assert!(
        help.contains("saifu registry verify --checkpoint"),
        "{help}"
    );
}

/// A GET's status and body, on a runtime of its own (the test itself is synchronous).
fn http_get(url: &str) -> (u16, String) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let answer = reqwest::get(url).await.unwrap();
        (answer.status().as_u16(), answer.text().await.unwrap())
    })
}
