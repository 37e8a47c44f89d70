//! `saifu bench` against a real `saifu serve` (the bench node config, port 0, a temporary data
//! directory): small issuance and verification runs succeed without errors and report every
//! field consistently; a wrong admin token stops the bench before any load, with a hint.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use common::{failed, ok, run};
use serde_json::Value;

/// `saifu serve --config crates/saifu/bench/node.toml` on a free port; killed when dropped.
struct BenchNode {
    child: Child,
    base: String,
}

impl BenchNode {
    fn start(data_dir: &Path) -> BenchNode {
        let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/node.toml");
        let mut child = Command::new(env!("CARGO_BIN_EXE_saifu"))
            .args(["serve", "--port", "0", "--json", "--config"])
            .arg(config)
            .arg("--data-dir")
            .arg(data_dir)
            .env_remove("SAIFU_ADMIN_TOKEN")
            .env_remove("SAIFU_DATABASE_URL")
            .env_remove("SAIFU_LISTEN")
            .env_remove("SAIFU_PORT")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("saifu serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the listening line");
        let announced: Value = serde_json::from_str(&line).expect("a JSON line");
        let base = announced["listening"]
            .as_str()
            .expect("listening")
            .to_owned();
        BenchNode { child, base }
    }
}

impl Drop for BenchNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `saifu bench ARGS --json` against `node`, with the admin token from `data_dir` unless
/// `token` is given.
fn bench(node: &BenchNode, data_dir: &Path, args: &[&str], token: Option<&str>) -> Output {
    let mut all = vec!["bench"];
    all.extend_from_slice(args);
    all.extend([
        "--json",
        "--node-data-dir",
        data_dir.to_str().expect("utf-8"),
    ]);
    let mut env = vec![("SAIFU_NODE", node.base.as_str())];
    env.extend(token.map(|token| ("SAIFU_ADMIN_TOKEN", token)));
    run(data_dir, &all, &env, None)
}

/// Asserts a clean run of 20 flows on 4 workers with the given steps; returns the report.
fn assert_clean_report(out: &Output, bench_name: &str, steps: &[&str]) -> Value {
    let report: Value = serde_json::from_str(&ok(out)).expect("a JSON report");
    assert_eq!(report["bench"], bench_name, "{report}");
    assert_eq!(report["count"], 20);
    assert_eq!(report["concurrency"], 4);
    assert_eq!(report["total"], 20);
    assert_eq!(report["succeeded"], 20, "{report}");
    assert_eq!(report["failed"], 0, "{report}");
    assert_eq!(report["errors"], serde_json::json!({}));
    for field in ["setup_seconds", "elapsed_seconds", "throughput_per_second"] {
        assert!(
            report[field].as_f64().expect(field) > 0.0,
            "{field}: {report}"
        );
    }
    let latency = &report["latency_ms"];
    let ms = |name: &str| latency[name].as_f64().expect(name);
    assert!(ms("p50") > 0.0, "{latency}");
    assert!(ms("p50") <= ms("p90") && ms("p90") <= ms("p99") && ms("p99") <= ms("max"));
    let reported: Vec<&str> = report["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|step| {
            let median = step["median_ms"].as_f64().expect("median_ms");
            assert!(median >= 0.0 && median <= ms("max"), "{step}");
            step["step"].as_str().expect("step name")
        })
        .collect();
    assert_eq!(reported, steps);
    report
}

#[test]
fn issuance_and_verification_benches_run_clean_against_a_node() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = BenchNode::start(dir.path());

    for alg in ["EdDSA", "ES256"] {
        let out = bench(
            &node,
            dir.path(),
            &[
                "issuance",
                "--count",
                "20",
                "--concurrency",
                "4",
                "--holder-alg",
                alg,
            ],
            None,
        );
        let report =
            assert_clean_report(&out, "issuance", &["token", "nonce", "proof", "credential"]);
        assert_eq!(report["settings"]["holder_alg"], alg);
        assert_eq!(report["settings"]["credential_configuration_id"], "pid");
    }

    let out = bench(
        &node,
        dir.path(),
        &["verification", "--count", "20", "--concurrency", "4"],
        None,
    );
    let report = assert_clean_report(&out, "verification", &["response", "result"]);
    assert_eq!(report["settings"]["disclosures"], 10);
    assert_eq!(report["setup_in_flow"], false);
}

#[test]
fn benches_with_setup_in_flow_time_the_offer_and_the_session_as_steps() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = BenchNode::start(dir.path());
    // 20 flows paced at 80/s: the last may not start before 19/80 s.
    let paced = ["--count", "20", "--concurrency", "4", "--rate", "80"];

    let mut args = vec!["issuance", "--setup-in-flow"];
    args.extend(paced);
    let out = bench(&node, dir.path(), &args, None);
    let report = assert_clean_report(
        &out,
        "issuance",
        &["offer", "token", "nonce", "proof", "credential"],
    );
    assert_eq!(report["setup_in_flow"], true);
    assert_eq!(report["rate"], 80.0);
    let elapsed = report["elapsed_seconds"].as_f64().expect("elapsed_seconds");
    assert!(
        elapsed >= 19.0 / 80.0,
        "paced flows started early: {report}"
    );

    let mut args = vec!["verification", "--setup-in-flow"];
    args.extend(paced);
    let out = bench(&node, dir.path(), &args, None);
    let report = assert_clean_report(
        &out,
        "verification",
        &["session", "present", "response", "result"],
    );
    assert_eq!(report["setup_in_flow"], true);
}

#[test]
fn bench_refuses_a_wrong_admin_token_and_too_many_disclosures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = BenchNode::start(dir.path());

    let out = bench(
        &node,
        dir.path(),
        &["issuance", "--count", "5"],
        Some("not-the-token"),
    );
    assert_eq!(out.status.code(), Some(1));
    let error: Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
    assert!(
        error["error"].as_str().expect("error").contains("401"),
        "{error}"
    );
    assert!(
        error["hint"]
            .as_str()
            .expect("hint")
            .contains("admin token"),
        "{error}"
    );
    assert!(out.stdout.is_empty(), "no report without a run");

    // `pid` has 6 claims: 10 disclosures cannot be asked of it. In text mode: error and hint.
    let mut args = vec![
        "bench",
        "verification",
        "--count",
        "5",
        "--credential-config",
        "pid",
    ];
    args.extend(["--node-data-dir", dir.path().to_str().expect("utf-8")]);
    let out = run(
        dir.path(),
        &args,
        &[("SAIFU_NODE", node.base.as_str())],
        None,
    );
    let stderr = failed(&out);
    assert!(stderr.contains("fewer than --disclosures 10"), "{stderr}");
}
