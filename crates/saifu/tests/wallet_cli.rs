//! `saifu wallet …` against a real `saifu serve`: init, receive an offer with a PIN, present to
//! the node's verifier after consent (refused without it, refused when a required claim is
//! withheld), history, list, backup and restore — each error with its hint.

mod common;
mod node_support;

use std::path::Path;

use common::{failed, ok, run};
use node_support::RunningNode;
use serde_json::Value;

const PASSPHRASE: &str = "a long wallet passphrase";

/// Runs `saifu ARGS` against `node` with the wallet `wallet` unlocked by the passphrase.
fn cli(node: &RunningNode, wallet: &Path, args: &[&str]) -> std::process::Output {
    let mut all: Vec<&str> = args.to_vec();
    if args[0] == "wallet" {
        all.extend(["--wallet", wallet.to_str().unwrap(), "--allow-local"]);
    } else {
        all.extend(["--node-data-dir", node.data_dir.to_str().unwrap()]);
    }
    run(
        &node.data_dir,
        &all,
        &[
            ("SAIFU_NODE", node.base.as_str()),
            ("SAIFU_PASSPHRASE", PASSPHRASE),
        ],
        None,
    )
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_str(&ok(out)).unwrap()
}

#[test]
fn receive_with_pin_then_present_with_consent() {
    let dir = tempfile::tempdir().unwrap();
    let node = RunningNode::start(&dir.path().join("node"));
    let wallet = dir.path().join("wallet.sqlite");
    ok(&cli(&node, &wallet, &["wallet", "init"]));
    let err = failed(&cli(&node, &wallet, &["wallet", "init"]));
    assert!(err.contains("already exists"), "{err}");

    ok(&cli(
        &node,
        &wallet,
        &[
            "issuer",
            "subject",
            "add",
            "hanako",
            "--claims",
            r#"{"given_name":"Hanako","family_name":"Yamada","degree":"BSc","university":"Saifu University"}"#,
        ],
    ));
    let offer = json_of(&cli(
        &node,
        &wallet,
        &[
            "issuer",
            "offer",
            "hanako",
            "--config",
            "diploma",
            "--pin",
            "--by-reference",
            "--json",
        ],
    ));
    let link = offer["link"].as_str().unwrap();
    let pin = offer["tx_code"].as_str().unwrap();

    let err = failed(&cli(&node, &wallet, &["wallet", "receive", link]));
    assert!(
        err.contains("needs the PIN") && err.contains("--pin"),
        "{err}"
    );
    let received = json_of(&cli(
        &node,
        &wallet,
        &["wallet", "receive", link, "--pin", pin, "--json"],
    ));
    let id = received["credentials"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = json_of(&cli(&node, &wallet, &["wallet", "list", "--json"]));
    assert_eq!(listed[0]["name"], "University Diploma");
    assert_eq!(listed[0]["unused_copies"], 3);

    let query = dir.path().join("degree.json");
    std::fs::write(
        &query,
        r#"{"credentials": [{"id": "diploma", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["https://saifu.dev/vct/diploma"]},
        "claims": [{"path": ["degree"]}, {"path": ["given_name"]}]}]}"#,
    )
    .unwrap();
    let request = json_of(&cli(
        &node,
        &wallet,
        &[
            "verifier",
            "request",
            "--dcql",
            query.to_str().unwrap(),
            "--client-id-prefix",
            "decentralized-identifier",
            "--json",
        ],
    ));
    let link = request["link"].as_str().unwrap();
    let session = request["id"].as_str().unwrap();

    // Without a terminal, consent must be explicit; withholding an asked claim is refused.
    let err = failed(&cli(&node, &wallet, &["wallet", "present", link]));
    assert!(err.contains("--yes"), "{err}");
    let err = failed(&cli(
        &node,
        &wallet,
        &["wallet", "present", link, "--yes", "--disclose", "/degree"],
    ));
    assert!(
        err.contains("/given_name") && err.contains("--decline"),
        "{err}"
    );
    let pending = json_of(&cli(
        &node,
        &wallet,
        &["verifier", "result", session, "--json"],
    ));
    assert_eq!(pending["status"], "pending", "nothing was sent");

    let shared = json_of(&cli(
        &node,
        &wallet,
        &["wallet", "present", link, "--yes", "--json"],
    ));
    assert_eq!(shared["history"]["outcome"], "sent");
    let result = json_of(&cli(
        &node,
        &wallet,
        &["verifier", "result", session, "--json"],
    ));
    assert_eq!(result["status"], "verified", "{result}");

    let history = json_of(&cli(&node, &wallet, &["wallet", "history", "--json"]));
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["shared"][0]["claims"][0], "/degree");

    // Backup, then restore into a new file.
    let backup = dir.path().join("wallet.backup");
    ok(&cli(
        &node,
        &wallet,
        &["wallet", "backup", backup.to_str().unwrap()],
    ));
    let restored = dir.path().join("restored.sqlite");
    ok(&cli(
        &node,
        &restored,
        &["wallet", "restore", backup.to_str().unwrap()],
    ));
    let shown = json_of(&cli(&node, &restored, &["wallet", "show", &id, "--json"]));
    assert_eq!(shown["claims"]["degree"], "BSc");

    // A wrong passphrase says so and what to do.
    let out = run(
        &node.data_dir,
        &["wallet", "list", "--wallet", wallet.to_str().unwrap()],
        &[("SAIFU_PASSPHRASE", "wrong")],
        None,
    );
    let err = failed(&out);
    assert!(err.contains("wrong passphrase"), "{err}");
}
