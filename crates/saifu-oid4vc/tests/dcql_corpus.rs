//! Runs the DCQL corpus (`tests/dcql_corpus/`): the OpenID4VP 1.0 examples and saifu's own
//! cases, each with the expected validity, matches, disclosures, rejection reasons and
//! credential set outcomes.

mod common;

use saifu_oid4vc::dcql::{DcqlQuery, Limits};
use serde_json::{Value, json};

fn check(case: &common::Case) {
    let name = &case.name;
    let expected = &case.body["expected"];
    let (query, result) = match case.run() {
        Err(err) => {
            assert_eq!(expected["valid"], false, "{name}: rejected with {err}");
            let variant = expected["error"].as_str().unwrap();
            assert!(
                format!("{err:?}").starts_with(variant),
                "{name}: expected {variant}, got {err:?}"
            );
            return;
        }
        Ok(ok) => ok,
    };
    assert_eq!(expected["valid"], true, "{name}: accepted an invalid query");
    let emitted = serde_json::to_value(&query).unwrap();
    assert_eq!(
        DcqlQuery::from_json(&emitted, &Limits::default()).as_ref(),
        Ok(&query),
        "{name}: round trip"
    );
    assert_eq!(
        json!(result.satisfied),
        expected["satisfied"],
        "{name}: satisfied"
    );
    let matches: Value = result
        .queries
        .iter()
        .map(|(id, found)| {
            (
                id.clone(),
                found
                    .matches
                    .iter()
                    .map(|m| json!(m.candidate))
                    .collect::<Value>(),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    assert_eq!(matches, expected["matches"], "{name}: matches");
    let per_candidate =
        |detail: &str, pick: &dyn Fn(&saifu_oid4vc::dcql::CandidateMatch) -> Value| {
            for (id, want) in expected[detail].as_object().into_iter().flatten() {
                for (candidate, want) in want.as_object().unwrap() {
                    let found = result.queries[id]
                        .matches
                        .iter()
                        .find(|m| &m.candidate == candidate);
                    let found =
                        found.unwrap_or_else(|| panic!("{name}: {candidate} must match {id}"));
                    assert_eq!(
                        &pick(found),
                        want,
                        "{name}: {detail} of {candidate} for {id}"
                    );
                }
            }
        };
    per_candidate(
        "disclose",
        &|m| match serde_json::to_value(&m.disclose).unwrap() {
            Value::Object(mut claims) => claims.remove("claims").unwrap(),
            whole => whole,
        },
    );
    per_candidate("claim_set", &|m| json!(m.claim_set));
    for (id, want) in expected["rejections"].as_object().into_iter().flatten() {
        for (candidate, reason) in want.as_object().unwrap() {
            let found = result.queries[id]
                .rejections
                .iter()
                .find(|r| &r.candidate == candidate);
            let found = found.unwrap_or_else(|| panic!("{name}: {candidate} must not match {id}"));
            assert_eq!(
                &serde_json::to_value(&found.reason).unwrap(),
                reason,
                "{name}: why not {id}"
            );
        }
    }
    if let Some(want) = expected.get("credential_sets") {
        let got: Vec<_> = result
            .credential_sets
            .iter()
            .map(|s| json!(s.satisfiable_options))
            .collect();
        assert_eq!(&Value::Array(got), want, "{name}: credential_sets");
    }
    if let Some(want) = expected.get("to_present") {
        assert_eq!(
            &json!(result.to_present(&query)),
            want,
            "{name}: to_present"
        );
    }
}

#[test]
fn corpus_cases_give_the_expected_results() {
    let cases = common::corpus();
    for case in &cases {
        check(case);
    }
    let spec = cases
        .iter()
        .filter(|c| c.body["source"].as_str().unwrap().starts_with("OpenID4VP"))
        .count();
    assert!(spec >= 10, "only {spec} specification examples");
}
