//! `GET /openapi.json`: a valid OpenAPI 3.1 document (checked by the independent Python
//! `openapi-spec-validator`) of the admin and VC-API endpoints, whose every path and method is
//! routed on the node, with the admin ones refusing a request without the admin token.

#[path = "support/node.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use saifu_test_support::output_with_stdin;
use serde_json::Value;
use support::Node;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Validates `document` with `openapi-spec-validator` (pinned in
/// `interop/python/requirements.txt`); its complaint when it refuses.
fn validate_independently(document: &str) -> Result<(), String> {
    let python = std::env::var_os("SAIFU_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv/bin/python"));
    let script = "import json, sys\n\
                  from openapi_spec_validator import validate\n\
                  validate(json.load(sys.stdin))\n";
    let mut command = Command::new(&python);
    command.args(["-c", script]);
    let output = output_with_stdin(command, document.as_bytes()).unwrap_or_else(|e| {
        panic!(
            "{e}: run `python3 -m venv .venv && .venv/bin/pip install -r \
             interop/python/requirements.txt`, or set SAIFU_PYTHON ({})",
            python.display()
        )
    });
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_document_is_valid_openapi_and_matches_the_routes() {
    let node = Node::start().await;
    let answer = node
        .http
        .get(node.url("/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "application/json");
    let text = answer.text().await.unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));
    validate_independently(&text).unwrap();

    let paths = document["paths"].as_object().unwrap();
    for expected in [
        "/healthz",
        "/admin/subjects",
        "/admin/offers",
        "/admin/credentials/{index}/{action}",
        "/admin/presentations",
        "/admin/presentations/{id}",
        "/credentials/issue",
        "/credentials/verify",
        "/presentations/verify",
    ] {
        assert!(paths.contains_key(expected), "{expected} is documented");
    }
    for (path, operations) in paths {
        let concrete = path
            .replace("{index}", "1")
            .replace("{action}", "revoke")
            .replace("{decision}", "approve")
            .replace("{id}", "someone");
        for (method, operation) in operations.as_object().unwrap() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let status = node
                .http
                .request(method.clone(), node.url(&concrete))
                .send()
                .await
                .unwrap()
                .status();
            assert!(
                status != 404 && status != 405,
                "{method} {path} is documented but answers {status}"
            );
            if operation.get("security").is_some() {
                assert_eq!(status, 401, "{method} {path} needs the admin token");
            }
        }
    }
}

#[test]
fn the_independent_validator_refuses_a_broken_document() {
    // The validator is not a rubber stamp: a path without responses is refused.
    let broken = r#"{"openapi":"3.1.0","info":{"title":"x","version":"1"},
        "paths":{"/x":{"get":{"responses":"none"}}}}"#;
    assert!(validate_independently(broken).is_err());
}
