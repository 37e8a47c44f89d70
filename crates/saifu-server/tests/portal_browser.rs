//! The pages in a real browser: Debian's Chromium, headless, driven by `playwright-core`
//! (`interop/browser/*.mjs`, `npm ci --prefix interop`) against a whole node on loopback.
//! `portal.mjs` signs in, adds a person, creates an offer with a PIN, sees its QR code, revokes
//! a credential a wallet collected beforehand, and opens a verifier request; `wallet.mjs` plays
//! the hiring story through the web wallet (offer, PIN, card, consent, verified result). The
//! tests then check through the admin API that the browser's changes happened, and that the
//! screenshots exist.
//!
//! `SAIFU_PORTAL_SCREENSHOTS=<dir>` keeps the screenshots (docs/screenshots for the README).
//!
//! A missing browser or npm package fails the test with the command that installs it.

#[path = "support/node.rs"]
mod support;

use std::path::{Path, PathBuf};

use reqwest::{Method, StatusCode};
use saifu_test_support::run_browser;
use serde_json::json;
use support::Node;

/// Runs `interop/browser/<script>` with `args` on a blocking thread (the node serves on this
/// runtime meanwhile); panics with its output when it fails.
async fn run_script(script: &str, args: Vec<String>) {
    let script = format!("browser/{script}");
    tokio::task::spawn_blocking(move || run_browser(&script, args))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
}

/// Where screenshots go: `SAIFU_PORTAL_SCREENSHOTS` keeps them (the README's come from
/// docs/screenshots), else a temporary directory.
fn screenshots(temporary: &tempfile::TempDir) -> PathBuf {
    std::env::var_os("SAIFU_PORTAL_SCREENSHOTS")
        .map_or_else(|| temporary.path().to_path_buf(), PathBuf::from)
}

fn assert_pngs(shots: &Path, names: &[&str]) {
    for name in names {
        let png = std::fs::read(shots.join(name)).expect(name);
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name} is a PNG");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_operator_issues_and_revokes_in_chromium() {
    let node = Node::start().await;
    node.put_subject(
        "s2001",
        json!({"given_name": "Hanako", "family_name": "Sato", "degree": "BSc",
               "university": "Saifu University"}),
    )
    .await;
    let index = node.issue_diploma("s2001").await;
    let temporary = tempfile::tempdir().unwrap();
    let shots = screenshots(&temporary);
    let args = vec![
        node.base.clone(),
        node.token.clone(),
        shots.display().to_string(),
        index.to_string(),
    ];
    run_script("portal.mjs", args).await;

    // What the browser did is what the admin API sees.
    assert_eq!(node.credential_status(index).await, "revoked");
    let (status, subject) = node.admin(Method::GET, "/admin/subjects/s2002", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        subject["claims"],
        json!({"given_name": "Aiko", "family_name": "Tanaka", "degree": "MSc",
               "university": "Saifu University"})
    );
    assert_pngs(
        &shots,
        &[
            "issuer-offer.png",
            "issuer-revoked.png",
            "verifier-request.png",
        ],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_graduate_receives_and_shares_a_diploma_in_the_web_wallet() {
    let node = Node::start().await;
    node.put_subject(
        "s3001",
        json!({"given_name": "Hanako", "family_name": "Yamada", "degree": "BSc",
               "university": "Saifu University", "graduation_date": "2026-03-20"}),
    )
    .await;
    let temporary = tempfile::tempdir().unwrap();
    let shots = screenshots(&temporary);
    let args = vec![
        node.base.clone(),
        node.token.clone(),
        shots.display().to_string(),
        "s3001".to_owned(),
    ];
    run_script("wallet.mjs", args).await;

    // wallet.mjs saw the employer's result page report the answer verified (the page reads the
    // session's stored verification); the screenshots show each step.
    assert_pngs(
        &shots,
        &[
            "1-issuer-offer.png",
            "2-wallet-offer.png",
            "3-wallet-card.png",
            "4-verifier-request.png",
            "5-wallet-consent.png",
            "6-wallet-shared.png",
            "7-verifier-result.png",
        ],
    );
}
