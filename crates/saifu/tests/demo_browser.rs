//! The demo's links work for a person with a browser: `saifu serve --demo` and the interactive
//! `saifu demo` seed the ecosystem and print links, and Debian's Chromium (through
//! `interop/browser/demo.mjs`) clicks through them — wallet, both offers with their PINs, the
//! employer's and the shop's requests, and both results verified in the operator portal.

mod node_support;

use std::ffi::OsStr;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use node_support::RunningNode;
use saifu_test_support::run_browser;
use serde_json::Value;

/// Starts `saifu <args> --port 0 --json` and reads its two JSON lines: where it listens, and
/// the demo links.
fn start(args: &[&str], data_dir: &Path) -> (RunningNode, Value) {
    let (node, mut stdout) = RunningNode::start_with(args, data_dir);
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let printed: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    (node, printed["demo"].clone())
}

/// Runs `interop/browser/demo.mjs` on `links`; panics with its output when it fails.
fn click_through(links: &Value, shots: &Path) {
    let links = links.to_string();
    run_browser("browser/demo.mjs", [OsStr::new(&links), shots.as_os_str()]);
}

/// Where screenshots go: `SAIFU_PORTAL_SCREENSHOTS` keeps them, else a temporary directory.
fn screenshots(temporary: &Path) -> PathBuf {
    std::env::var_os("SAIFU_PORTAL_SCREENSHOTS")
        .map_or_else(|| temporary.join("shots"), PathBuf::from)
}

/// The printed links point at this node's web wallet and portal, with a PIN per offer.
fn assert_links_on(base: &str, links: &Value) {
    assert_eq!(links["wallet"], format!("{base}/wallet"));
    let offers = links["offers"].as_array().unwrap();
    assert_eq!(offers.len(), 2, "{links}");
    for offer in offers {
        let link = offer["link"].as_str().unwrap();
        assert!(
            link.starts_with(&format!("{base}/wallet/receive?credential_offer_uri=")),
            "{link}"
        );
        assert!(!offer["pin"].as_str().unwrap().is_empty());
    }
    let requests = links["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 2, "{links}");
    for request in requests {
        let link = request["link"].as_str().unwrap();
        assert!(
            link.starts_with(&format!("{base}/wallet/present?")),
            "{link}"
        );
        // The employer's request is signed and fetched by reference; the shop's goes by value.
        assert!(link.contains("client_id="), "{link}");
    }
}

#[test]
fn a_browser_clicks_through_the_links_of_serve_demo() {
    let dir = tempfile::tempdir().unwrap();
    let (node, links) = start(&["serve", "--demo"], &dir.path().join("node"));
    assert_links_on(&node.base, &links);
    let token = std::fs::read_to_string(node.data_dir.join("admin-token")).unwrap();
    assert_eq!(
        links["admin_token"],
        token.trim(),
        "the node's own admin token"
    );
    click_through(&links, &screenshots(dir.path()));
}

/// With `--tls-self-signed` the demo seeds over https (trusting the node's own CA) and prints
/// https links, which a client trusting that CA can open and one that does not cannot.
#[tokio::test]
async fn serve_demo_over_tls_seeds_and_prints_https_links() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("node");
    let (node, links) = start(&["serve", "--demo", "--tls-self-signed"], &data_dir);
    assert!(node.base.starts_with("https://localhost:"), "{}", node.base);
    assert_links_on(&node.base, &links);
    let pem = std::fs::read(data_dir.join("tls/ca.pem")).unwrap();
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let offer = links["offers"][0]["link"].as_str().unwrap();
    for link in [links["wallet"].as_str().unwrap(), offer] {
        let page = trusting.get(link).send().await.unwrap();
        assert_eq!(page.status(), reqwest::StatusCode::OK, "{link}");
    }
    assert!(
        reqwest::get(offer).await.is_err(),
        "an untrusted CA is refused"
    );
}

#[test]
fn the_interactive_demo_prints_links_a_browser_can_follow() {
    let dir = tempfile::tempdir().unwrap();
    let (node, links) = start(&["demo"], &dir.path().join("node"));
    assert_links_on(&node.base, &links);
    click_through(&links, &dir.path().join("shots"));
}
