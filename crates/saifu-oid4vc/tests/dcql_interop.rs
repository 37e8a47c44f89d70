//! Differential test against a peer DCQL engine: the npm package `dcql` 3.0.0 (OpenWallet
//! Foundation dcql-ts), driven through `interop/dcql/match.mjs`.
//!
//! On every corpus case both engines must agree on whether the query is valid, whether it can
//! be satisfied, and which credential queries some candidate answers. The package is installed
//! from the committed lockfile with `npm ci --prefix interop`; without it this test fails.

mod common;

use std::collections::BTreeMap;

use saifu_oid4vc::dcql::{AuthorityType, Candidate, Format};
use saifu_test_support::{expect_node, require_npm_package};
use serde_json::{Value, json};

const PEER: &str = "dcql";
const PEER_VERSION: &str = "3.0.0";

/// Runs `interop/dcql/match.mjs` on `input` and returns its JSON answer.
fn peer(input: &Value) -> Value {
    require_npm_package(PEER, Some(PEER_VERSION));
    expect_node("dcql/match.mjs", input)
}

/// Our candidate in the package's `DcqlCredential` shape.
fn peer_credential(candidate: &Candidate) -> Value {
    let mut credential = match candidate.format {
        Format::DcSdJwt => json!({"vct": candidate.vct, "claims": candidate.claims}),
        Format::MsoMdoc => json!({"doctype": candidate.doctype, "namespaces": candidate.claims}),
        Format::JwtVcJson | Format::LdpVc => {
            json!({"type": candidate.types, "claims": candidate.claims})
        }
    };
    credential["credential_format"] = json!(candidate.format.as_str());
    credential["cryptographic_holder_binding"] = json!(candidate.holder_binding);
    // The package models one authority per credential: one type with its values.
    if let Some(first) = candidate.authorities.first() {
        let values: Vec<_> = candidate
            .authorities
            .iter()
            .filter(|a| a.kind == first.kind)
            .map(|a| &a.value)
            .collect();
        assert_eq!(
            values.len(),
            candidate.authorities.len(),
            "one authority type per candidate"
        );
        let kind = match first.kind {
            AuthorityType::Aki => "aki",
            AuthorityType::EtsiTl => "etsi_tl",
            AuthorityType::OpenidFederation => "openid_federation",
        };
        credential["authority"] = json!({"type": kind, "values": values});
    }
    credential
}

#[test]
fn both_engines_agree_on_every_corpus_case() {
    let cases = common::corpus();
    let mut compared = 0;
    for case in &cases {
        let name = &case.name;
        let credentials: Vec<Value> = case.candidates().iter().map(peer_credential).collect();
        let theirs = peer(&json!({"query": case.body["query"], "credentials": credentials}));
        let ours = case.run();
        assert_eq!(
            theirs["valid"],
            json!(ours.is_ok()),
            "{name}: validity (ours {ours:?}, theirs {theirs})"
        );
        let Ok((_, result)) = ours else { continue };
        assert_eq!(
            theirs["can_be_satisfied"],
            json!(result.satisfied),
            "{name}: can_be_satisfied"
        );
        let answered: BTreeMap<&String, bool> = result
            .queries
            .iter()
            .map(|(id, found)| (id, found.is_match()))
            .collect();
        assert_eq!(
            theirs["matches"],
            json!(answered),
            "{name}: per-query match"
        );
        compared += 1;
    }
    assert_eq!(
        compared,
        cases
            .iter()
            .filter(|c| c.body["expected"]["valid"] == true)
            .count()
    );
}
