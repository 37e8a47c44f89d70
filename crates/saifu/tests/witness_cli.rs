//! `saifu witness serve` for a node's registry: it starts with the node's log key, announces
//! its own verifier key, and cosigns the node's checkpoint; a malformed log key is refused with
//! a hint.

mod common;
mod node_support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{failed, ok, run};
use node_support::RunningNode;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn a_witness_cosigns_a_nodes_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let node = RunningNode::start(&dir.path().join("node"));
    let http = reqwest::Client::new();
    let token = std::fs::read_to_string(node.data_dir.join("admin-token")).unwrap();
    let post = http
        .post(format!("{}/registry/add-entry", node.base))
        .bearer_auth(token.trim())
        .body("event");
    assert!(post.send().await.unwrap().status().is_success());
    let keys = http
        .get(format!("{}/registry/log-keys", node.base))
        .send()
        .await
        .unwrap();
    let log_key = keys
        .text()
        .await
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();

    let mut witness = Command::new(env!("CARGO_BIN_EXE_saifu"))
        .args([
            "witness",
            "serve",
            "--port",
            "0",
            "--json",
            "--log",
            &log_key,
            "--data-dir",
        ])
        .arg(dir.path().join("witness"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(witness.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let announced: Value = serde_json::from_str(&line).unwrap();
    assert!(
        announced["verifier_key"]
            .as_str()
            .unwrap()
            .starts_with("saifu-witness+")
    );

    let checkpoint = http
        .get(format!("{}/registry/checkpoint", node.base))
        .send()
        .await
        .unwrap();
    let checkpoint = checkpoint.text().await.unwrap();
    let request = format!("old 0\n\n{checkpoint}");
    let url = format!(
        "{}/add-checkpoint",
        announced["listening"].as_str().unwrap()
    );
    let answer = http.post(url).body(request).send().await.unwrap();
    let status = answer.status();
    let cosignature = answer.text().await.unwrap();
    let _ = witness.kill();
    let _ = witness.wait();
    assert!(status.is_success(), "{status}: {cosignature}");
    assert!(cosignature.starts_with("— saifu-witness "), "{cosignature}");

    let help = ok(&run(
        &node.data_dir,
        &["witness", "serve", "--help"],
        &[],
        None,
    ));
    assert!(help.contains("/add-checkpoint"), "{help}");
    let err = failed(&run(
        &node.data_dir,
        &[
            "witness",
            "serve",
            "--port",
            "0",
            "--log",
            "not-a-key",
            "--data-dir",
            "w2",
        ],
        &[],
        None,
    ));
    assert!(err.contains("malformed verifier key"), "{err}");
}
