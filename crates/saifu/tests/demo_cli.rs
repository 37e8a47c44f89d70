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

    let err = failed(&run(dir.path(), &["demo"], &[], None));
    assert!(err.contains("--auto"), "{err}");
}
