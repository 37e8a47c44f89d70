//! The W3C RDFC-1.0 test suite (`rdf-canon/tests/manifest.jsonld`) run against
//! `saifu_credential::w3c::rdf`.
//!
//! Every entry runs; none is skipped. `test074` (the negative "poison graph") must be refused,
//! which saifu's entangled-blank-node limit does before `oxrdf` starts its unbounded search.

mod w3c_support;

use std::collections::HashMap;

use oxrdf::Dataset;
use oxttl::NQuadsParser;
use saifu_credential::w3c::JsonLdError;
use saifu_credential::w3c::rdf::{self, RdfcHash};
use serde_json::Value;
use w3c_support::{read_json, read_text};

fn dataset(relative: &str) -> Dataset {
    let text = read_text(&format!("rdf-canon/tests/{relative}"));
    NQuadsParser::new()
        .for_slice(text.as_bytes())
        .map(|q| q.unwrap_or_else(|e| panic!("{relative}: {e}")))
        .collect()
}

#[test]
fn rdfc10_manifest() {
    let manifest = read_json("rdf-canon/tests/manifest.jsonld");
    let entries = manifest["entries"].as_array().expect("entries");
    let (mut eval, mut map, mut negative) = (0, 0, 0);
    for entry in entries {
        let id = entry["id"].as_str().unwrap();
        let action = entry["action"].as_str().unwrap();
        let hash = match entry.get("hashAlgorithm").and_then(Value::as_str) {
            Some("SHA384") => RdfcHash::Sha384,
            None | Some("SHA256") => RdfcHash::Sha256,
            Some(other) => panic!("{id}: unknown hash {other}"),
        };
        let input = dataset(action);
        match entry["type"].as_str().unwrap() {
            "rdfc:RDFC10EvalTest" => {
                let expected = read_text(&format!(
                    "rdf-canon/tests/{}",
                    entry["result"].as_str().unwrap()
                ));
                let actual =
                    rdf::canonicalize(&input, hash).unwrap_or_else(|e| panic!("{id}: {e}"));
                assert_eq!(actual, expected, "{id} ({action})");
                eval += 1;
            }
            "rdfc:RDFC10MapTest" => {
                let expected: HashMap<String, String> = serde_json::from_value(read_json(
                    &format!("rdf-canon/tests/{}", entry["result"].as_str().unwrap()),
                ))
                .unwrap();
                let actual =
                    rdf::issued_identifiers(&input, hash).unwrap_or_else(|e| panic!("{id}: {e}"));
                assert_eq!(actual, expected, "{id} ({action})");
                map += 1;
            }
            "rdfc:RDFC10NegativeEvalTest" => {
                let refused = rdf::canonicalize(&input, hash);
                assert!(
                    matches!(refused, Err(JsonLdError::PoisonDataset(..))),
                    "{id}: {refused:?}"
                );
                negative += 1;
            }
            other => panic!("{id}: unknown test type {other}"),
        }
    }
    assert_eq!((eval, map, negative), (64, 21, 1));
}
