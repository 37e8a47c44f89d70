//! `saifu demo --auto` plays the whole story against real nodes it starts and reports each
//! step; every verification in it is the node's verifier, and the revoked diploma is refused.

mod common;

use common::{failed, ok, run};
use serde_json::Value;

#[test]
fn the_automatic_demo_completes_with_every_step_verified() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["demo", "--auto", "--json"], &[], None);
    let report: Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(report["completed"], true, "{report}");
    let steps: Vec<&str> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        steps
            .iter()
            .any(|s| s.contains("Hanako Yamada — BSc Computer Science")),
        "{steps:?}"
    );
    assert!(
        steps
            .iter()
            .any(|s| s.contains("`age_over_18` = true; her birth date was not disclosed"))
    );
    assert!(
        steps
            .iter()
            .any(|s| s.contains("refused, the status list says revoked"))
    );
}

#[test]
fn the_interactive_demo_refuses_auto_with_a_port() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["demo", "--auto", "--port", "9"], &[], None);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("'--auto' cannot be used with '--port"),
        "{err}"
    );
}

#[test]
fn the_interactive_demo_says_when_its_port_is_taken() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let err = failed(&run(dir.path(), &["demo", "--port", &port], &[], None));
    assert!(err.contains("could not listen on 127.0.0.1:"), "{err}");
    assert!(err.contains("another program"), "{err}");
}
