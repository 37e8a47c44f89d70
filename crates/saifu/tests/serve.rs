//! The built `saifu` binary: `serve` starts, answers /healthz, and exits 0 on SIGTERM; failures
//! print `error:` and `hint:` and exit 1.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// `saifu` with the given arguments and none of the `SAIFU_*` settings of the test's own
/// environment.
fn saifu(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_saifu"));
    command.args(args);
    for var in [
        "SAIFU_LISTEN",
        "SAIFU_PORT",
        "SAIFU_DATA_DIR",
        "SAIFU_DATABASE_URL",
        "SAIFU_LOG_FORMAT",
        "SAIFU_PUBLIC_URL",
        "SAIFU_TLS_SELF_SIGNED",
    ] {
        command.env_remove(var);
    }
    command
}

/// A running `saifu serve`, killed if the test fails before it stopped it.
struct Node(Child);

impl Node {
    fn start(data_dir: &Path, extra: &[&str]) -> (Node, String) {
        let mut args = vec![
            "serve",
            "--port",
            "0",
            "--data-dir",
            data_dir.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let mut child = saifu(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        (Node(child), line)
    }

    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits up to ten seconds for the process to exit.
    fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "saifu did not exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stderr(&mut self) -> String {
        let mut text = String::new();
        self.0
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn healthz(base: &str) -> Value {
    let response = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn serve_answers_healthz_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (mut node, line) = Node::start(dir.path(), &[]);
    let base = line
        .trim_end()
        .strip_prefix("saifu listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}; stderr: {}", node.stderr()))
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let health = healthz(&base).await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["database"], "sqlite");
    assert!(dir.path().join("saifu.db").is_file());

    node.terminate();
    let status = node.wait();
    assert_eq!(status.code(), Some(0), "stderr: {}", node.stderr());
    assert!(node.stderr().contains("saifu node stopped"));
}

#[tokio::test]
async fn json_flag_announces_the_address_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let (mut node, line) = Node::start(dir.path(), &["--json", "--log-format", "json"]);
    let announced: Value = serde_json::from_str(&line)
        .unwrap_or_else(|_| panic!("not JSON: {line:?}; stderr: {}", node.stderr()));
    let base = announced["listening"].as_str().unwrap().to_owned();
    assert_eq!(healthz(&base).await["status"], "ok");
    // Every enabled role's endpoint is announced and answers (the POST ones refuse a GET).
    let endpoints = announced["endpoints"].as_object().unwrap();
    let roles: Vec<&str> = endpoints.keys().map(String::as_str).collect();
    let expected = [
        "portals", "wallet", "issuer", "verifier", "vc-api", "registry", "openapi", "metrics",
    ];
    assert_eq!(roles.len(), expected.len(), "{roles:?}");
    assert!(
        expected.iter().all(|role| roles.contains(role)),
        "{roles:?}"
    );
    assert!(
        !roles.contains(&"witness"),
        "the witness role is off by default"
    );
    for (role, url) in endpoints {
        let url = url.as_str().unwrap();
        assert!(url.starts_with(&base), "{role}: {url}");
        let status = reqwest::get(url).await.unwrap().status();
        let expected = match role.as_str() {
            "verifier" | "vc-api" => reqwest::StatusCode::METHOD_NOT_ALLOWED,
            _ => reqwest::StatusCode::OK,
        };
        assert_eq!(status, expected, "{role}: {url}");
    }

    node.terminate();
    assert_eq!(node.wait().code(), Some(0));
    let logs = node.stderr();
    let first: Value = serde_json::from_str(logs.lines().next().unwrap()).unwrap();
    assert_eq!(first["level"], "INFO", "{logs}");
}

#[tokio::test]
async fn tls_self_signed_serves_https_and_names_the_ca_to_trust() {
    let dir = tempfile::tempdir().unwrap();
    let (mut node, line) = Node::start(dir.path(), &["--tls-self-signed", "--json"]);
    let announced: Value = serde_json::from_str(&line)
        .unwrap_or_else(|_| panic!("not JSON: {line:?}; stderr: {}", node.stderr()));
    let base = announced["listening"].as_str().unwrap().to_owned();
    assert!(base.starts_with("https://localhost:"), "{base}");
    let ca = announced["tls_ca"].as_str().unwrap();
    assert_eq!(Path::new(ca), dir.path().join("tls/ca.pem"));
    let pem = std::fs::read(ca).unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let response = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert!(reqwest::get(format!("{base}/healthz")).await.is_err());
    node.terminate();
    assert_eq!(node.wait().code(), Some(0), "stderr: {}", node.stderr());
}

#[test]
fn failure_prints_error_and_hint_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let output = saifu(&[
        "serve",
        "--port",
        "0",
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--database-url",
        "mysql://root@localhost/saifu",
    ])
    .output()
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    let mut lines = stderr.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("error: unsupported database URL scheme `mysql://`"),
        "{stderr}"
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("hint: fix --database-url"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn failure_with_json_flag_prints_a_json_error() {
    let output = saifu(&["--json", "serve", "--data-dir", "/dev/null/saifu"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stderr).unwrap();
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .starts_with("could not create directory /dev/null/saifu"),
        "{report}"
    );
    assert!(
        report["hint"].as_str().unwrap().contains("--data-dir"),
        "{report}"
    );
}

#[test]
fn invalid_environment_is_reported_with_the_variable() {
    let output = saifu(&["serve"])
        .env("SAIFU_PORT", "eighty")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("error: environment variable SAIFU_PORT=\"eighty\" is invalid"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: fix or unset SAIFU_PORT"), "{stderr}");
}

#[test]
fn usage_error_exits_2() {
    let output = saifu(&["serve", "--port", "eighty"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn help_teaches_the_commands() {
    let output = saifu(&["--help"]).output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("digital-trust platform"), "{help}");
    assert!(help.contains("saifu serve "), "{help}");

    let output = saifu(&["serve", "--help"]).output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("Examples:"), "{help}");
    assert!(help.contains("SAIFU_DATABASE_URL"), "{help}");
}
