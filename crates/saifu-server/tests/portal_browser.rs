//! The portal in a real browser: Debian's Chromium, headless, driven by `playwright-core`
//! (`interop/browser/portal.mjs`, `npm ci --prefix interop`) against a whole node on loopback.
//! The script signs in, adds a person, creates an offer with a PIN, sees its QR code, revokes a
//! credential a wallet collected beforehand, and opens a verifier request; this test then checks
//! through the admin API that the browser's changes happened, and that the screenshots exist.
//!
//! `SAIFU_PORTAL_SCREENSHOTS=<dir>` keeps the screenshots (docs/screenshots for the README).
//!
//! A missing browser or npm package fails the test with the command that installs it.

#[path = "support/node.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::Node;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_operator_issues_and_revokes_in_chromium() {
    let chromium = std::env::var("SAIFU_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "Chromium missing ({chromium}): run `apt-get install chromium` (scripts/test-all.sh does)"
    );
    let module = repo_root().join("interop/node_modules/playwright-core");
    assert!(
        module.exists(),
        "playwright-core missing ({}): run `npm ci --prefix interop` at the repository root",
        module.display()
    );

    let node = Node::start().await;
    node.put_subject(
        "s2001",
        json!({"given_name": "Hanako", "family_name": "Sato", "degree": "BSc",
               "university": "Saifu University"}),
    )
    .await;
    let index = node.issue_diploma("s2001").await;
    // SAIFU_PORTAL_SCREENSHOTS keeps the screenshots (the README's come from docs/screenshots).
    let temporary = tempfile::tempdir().unwrap();
    let shots = std::env::var_os("SAIFU_PORTAL_SCREENSHOTS")
        .map_or_else(|| temporary.path().to_path_buf(), PathBuf::from);

    // The node serves on this runtime while the script runs on a blocking thread.
    let mut command = Command::new("node");
    command
        .arg(repo_root().join("interop/browser/portal.mjs"))
        .arg(&node.base)
        .arg(&node.token)
        .arg(&shots)
        .arg(index.to_string())
        .env("SAIFU_CHROMIUM", &chromium);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("node runs");
    assert!(
        output.status.success(),
        "portal.mjs failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    // What the browser did is what the admin API sees.
    assert_eq!(node.credential_status(index).await, "revoked");
    let (status, subject) = node.admin(Method::GET, "/admin/subjects/s2002", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        subject["claims"],
        json!({"given_name": "Aiko", "family_name": "Tanaka", "degree": "MSc",
               "university": "Saifu University"})
    );
    for name in [
        "issuer-offer.png",
        "issuer-revoked.png",
        "verifier-request.png",
    ] {
        let png = std::fs::read(shots.join(name)).expect(name);
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name} is a PNG");
    }
}
