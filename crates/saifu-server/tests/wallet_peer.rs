//! saifu's wallet against independent peers in both roles (`interop/wallet-peers/`, built on
//! npm `@openid4vc/openid4vci` / `@openid4vc/openid4vp` 0.4.6 and `@sd-jwt/*`): it receives a
//! batch from the npm issuer (offer by reference and by value, PIN), and presents saifu's
//! diploma to the npm verifier with a signed (did:jwk) and an unsigned (redirect_uri) request,
//! disclosing only what was asked.

#[path = "support/node.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use reqwest::{Method, StatusCode};
use saifu_test_support::{node_command, require_npm_package};
use saifu_wallet::present::Approval;
use saifu_wallet::{KdfParams, Wallet, WalletConfig};
use serde_json::{Value, json};
use support::Node;

/// A peer harness process; killed when dropped.
struct Peer {
    child: Child,
    ready: Value,
}

impl Peer {
    /// Starts `interop/wallet-peers/<script>` with `args`; its ready line.
    fn start(script: &str, args: &[&str]) -> Peer {
        for package in ["@openid4vc/openid4vci", "@openid4vc/openid4vp"] {
            require_npm_package(package, None);
        }
        let mut child = node_command(&format!("wallet-peers/{script}"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let ready =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("{script}: {e}: {line:?}"));
        Peer { child, ready }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn wallet(dir: &tempfile::TempDir) -> Wallet {
    let config = WalletConfig {
        kdf: KdfParams {
            m_cost: 8 * 1024,
            t_cost: 1,
            p_cost: 1,
        },
        ..WalletConfig::development()
    };
    Wallet::create(&dir.path().join("w.sqlite"), b"wallet passphrase", config)
        .await
        .unwrap()
}

#[tokio::test]
async fn receives_a_batch_from_the_npm_issuer() {
    let issuer = Peer::start("issuer.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    let wallet = wallet(&dir).await;
    let pin = issuer.ready["tx_code"].as_str().unwrap();
    for link in ["offer_uri_link", "offer_link"] {
        let preview = wallet
            .preview_offer(issuer.ready[link].as_str().unwrap())
            .await
            .unwrap();
        assert!(preview.pin.is_some());
        let received = wallet.accept_offer(&preview, Some(pin)).await.unwrap();
        let credential = &received.credentials[0];
        assert_eq!(credential.copies.len(), 3, "{link}: one copy per proof");
        assert_eq!(credential.claims["given_name"], "Hanako");
        assert_eq!(
            credential.vct.as_deref(),
            Some("https://example.edu/credentials/degree")
        );
    }
    assert_eq!(wallet.credentials().await.unwrap().len(), 2);
}

// Multi-threaded: the npm verifier fetches the node's metadata while this test waits for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presents_to_the_npm_verifier_with_minimal_disclosure() {
    let node = Node::start().await;
    let body = json!({"id": "hanako", "claims": {"given_name": "Hanako", "family_name": "Yamada",
        "degree": "BSc", "university": "Saifu University"}});
    let (status, _) = node
        .admin(Method::POST, "/admin/subjects", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let body = json!({"subject": "hanako", "credential_configuration_id": "diploma"});
    let (_, created) = node.admin(Method::POST, "/admin/offers", Some(body)).await;
    let dir = tempfile::tempdir().unwrap();
    let wallet = wallet(&dir).await;
    let preview = wallet
        .preview_offer(created["link"].as_str().unwrap())
        .await
        .unwrap();
    wallet.accept_offer(&preview, None).await.unwrap();

    let metadata = node.url("/.well-known/jwt-vc-issuer");
    for prefix in ["decentralized_identifier", "redirect_uri"] {
        let verifier = Peer::start(
            "verifier.mjs",
            &["--issuer-metadata", &metadata, "--client-id-prefix", prefix],
        );
        let base = verifier.ready["base"].as_str().unwrap();
        let http = reqwest::Client::new();
        let new: Value = http
            .get(format!(
                "{base}/new?claims=degree,given_name&vct=https://saifu.dev/vct/diploma"
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let request = wallet
            .open_request(new["link"].as_str().unwrap())
            .await
            .unwrap();
        assert_eq!(
            request.is_authenticated(),
            prefix == "decentralized_identifier"
        );
        let view = wallet.consent(&request).await.unwrap();
        wallet
            .respond(&request, &view, &Approval::minimal(&view))
            .await
            .unwrap();
        let result: Value = http
            .get(new["result_url"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(result["verified"], true, "{prefix}: {result}");
        let mut names: Vec<&str> = result["disclosed_claim_names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["degree", "given_name"],
            "{prefix}: only what was asked"
        );
    }
}
