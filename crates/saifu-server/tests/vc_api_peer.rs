//! The VC-API against the independent peer `@digitalbazaar/vc` 7.3.0 (npm, with the
//! eddsa-rdfc-2022 and ecdsa-rdfc-2019 cryptosuites and vc-bitstring-status-list), both ways:
//! the peer verifies what a `--tls-self-signed` node issues, fetching its status lists over
//! https and resolving did:key itself (`interop/w3c/vc-api.mjs`), and the node's
//! `/credentials/verify` accepts what the peer issues (`interop/w3c/peer.mjs`). Installed with
//! `npm ci --prefix interop`; without it these tests fail (they never skip silently).

#[path = "support/vc_api.rs"]
mod support;

use std::path::Path;

use reqwest::StatusCode;
use saifu_test_support::{node_command, require_npm_package, run_json_peer};
use serde_json::{Value, json};
use support::{VcNode, credential, error_code};

const PEER: &str = "@digitalbazaar/vc";
const PEER_VERSION: &str = "7.3.0";

/// Runs `interop/w3c/<script>` with `request` on stdin (trusting `ca` when given); its answer.
fn peer(script: &str, request: &Value, ca: Option<&Path>) -> Value {
    require_npm_package(PEER, Some(PEER_VERSION));
    let mut command = node_command(&format!("w3c/{script}"));
    if let Some(ca) = ca {
        command.env("NODE_EXTRA_CA_CERTS", ca);
    }
    run_json_peer(command, request).unwrap_or_else(|e| panic!("{script} failed: {e}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_peer_verifies_vc_api_credentials_and_their_https_status_lists() {
    let node = VcNode::start_tls().await;
    let ca = node.ca.clone().unwrap();
    for suite in ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"] {
        let vc = node.issue(suite).await;
        let request = json!({"credential": vc, "origin": node.base});
        let answer = peer("vc-api.mjs", &request, Some(&ca));
        assert_eq!(answer["verified"], true, "{suite}: {answer}");
        assert_eq!(answer["status"], json!([false, false]), "{suite}: {answer}");

        let (code, _) = node.set_status(vc["id"].as_str().unwrap(), "revoked").await;
        assert_eq!(code, StatusCode::OK);
        let answer = peer("vc-api.mjs", &request, Some(&ca));
        assert_eq!(answer["status"], json!([true, false]), "{suite}: {answer}");

        let mut tampered = vc.clone();
        tampered["credentialSubject"]["alumniOf"] = "Another School".into();
        let request = json!({"credential": tampered, "origin": node.base});
        let answer = peer("vc-api.mjs", &request, Some(&ca));
        assert_eq!(answer["verified"], false, "{suite}: tampered accepted");
    }
    // Without the node's CA the peer cannot fetch the status list, so it cannot verify.
    let vc = node.issue("eddsa-rdfc-2022").await;
    let answer = peer(
        "vc-api.mjs",
        &json!({"credential": vc, "origin": node.base}),
        None,
    );
    assert_eq!(answer["verified"], false, "{answer}");
}

#[tokio::test(flavor = "multi_thread")]
async fn vc_api_verifies_what_the_peer_issues() {
    let node = VcNode::start().await;
    for suite in ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"] {
        let request = json!({"op": "issue", "credential": credential("did:example:replaced"),
                             "suite": suite});
        let vc = peer("peer.mjs", &request, None);
        let (code, answer) = node.verify(&vc).await;
        assert_eq!(code, StatusCode::OK, "{suite}: {answer}");
        assert_eq!(answer["checks"], json!(["proof"]));
        let mut tampered = vc.clone();
        tampered["validFrom"] = "2025-02-01T00:00:00Z".into();
        let (code, answer) = node.verify(&tampered).await;
        assert_eq!(code, StatusCode::BAD_REQUEST);
        assert_eq!(
            error_code(&answer),
            "invalid_signature",
            "{suite}: {answer}"
        );
    }
}
