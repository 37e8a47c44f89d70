//! Translation results and every refusal of the PE adapter, each asserted by its variant.

use serde_json::{Value, json};

use super::{PeError, PeLimits, translate};
use crate::dcql::DcqlError;

const VCT: &str = "https://credentials.example.com/identity_credential";

fn vct_field() -> Value {
    json!({"path": ["$.vct"], "filter": {"type": "string", "const": VCT}})
}

/// A definition with one descriptor `pid` holding the vct field and `fields`.
fn with_fields(fields: Value) -> Value {
    let mut all = vec![vct_field()];
    all.extend(fields.as_array().unwrap().iter().cloned());
    json!({"id": "pd", "input_descriptors": [{"id": "pid", "constraints": {"fields": all}}]})
}

fn dcql(definition: &Value) -> Value {
    serde_json::to_value(translate(definition, &PeLimits::default()).unwrap()).unwrap()
}

fn refusal(definition: &Value) -> PeError {
    translate(definition, &PeLimits::default()).unwrap_err()
}

fn assert_unsupported(definition: &Value, want: &str) {
    match refusal(definition) {
        PeError::Unsupported { construct, .. } => assert_eq!(construct, want),
        other => panic!("expected Unsupported {want}, got {other:?}"),
    }
}

#[test]
fn fields_become_claims_with_values_and_vct_becomes_meta() {
    let query = dcql(&with_fields(json!([
        {"path": ["$.given_name", "$.name"]},
        {"path": ["$['address']['country']"], "filter": {"type": "string", "enum": ["DE", "FR"]}},
        {"path": ["$.nationalities[*]"], "filter": {"const": "DE"}},
        {"path": ["$.age_over.18"], "filter": {"type": "boolean", "const": true}},
        {"path": ["$.children[0]"], "filter": {"type": "integer", "const": 3}},
    ])));
    assert_eq!(
        query,
        json!({"credentials": [{
            "id": "pid", "format": "dc+sd-jwt", "multiple": false,
            "meta": {"vct_values": [VCT]},
            "require_cryptographic_holder_binding": true,
            "claims": [
                {"path": ["given_name"]},
                {"path": ["address", "country"], "values": ["DE", "FR"]},
                {"path": ["nationalities", null], "values": ["DE"]},
                {"path": ["age_over", "18"], "values": [true]},
                {"path": ["children", 0], "values": [3]},
            ]
        }]})
    );
}

#[test]
fn the_first_supported_path_of_a_field_is_used() {
    let query = dcql(&with_fields(json!([{"path": ["$..name", "$.name"]}])));
    assert_eq!(
        query["credentials"][0]["claims"],
        json!([{"path": ["name"]}])
    );
}

#[test]
fn vct_enum_and_both_sd_jwt_formats_are_accepted() {
    let definition = json!({
        "id": "pd", "format": {"vc+sd-jwt": {}},
        "input_descriptors": [{
            "id": "pid", "format": {"dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"]}},
            "constraints": {"limit_disclosure": "required", "fields": [
                {"path": ["$.vct"], "filter": {"enum": [VCT, "urn:eu.europa.ec.eudi:pid:1"]}},
                {"path": ["$.family_name"]}
            ]}
        }]
    });
    let query = dcql(&definition);
    assert_eq!(
        query["credentials"][0]["meta"]["vct_values"],
        json!([VCT, "urn:eu.europa.ec.eudi:pid:1"])
    );
}

#[test]
fn a_descriptor_with_only_a_vct_field_requests_the_whole_credential() {
    let query = dcql(&with_fields(json!([])));
    assert!(query["credentials"][0].get("claims").is_none());
}

#[test]
fn optional_fields_become_a_preferred_claim_set_with_a_required_fallback() {
    let query = dcql(&with_fields(json!([
        {"path": ["$.given_name"]},
        {"path": ["$.birthdate"], "optional": true},
    ])));
    let credential = &query["credentials"][0];
    assert_eq!(
        credential["claims"],
        json!([{"id": "field0", "path": ["given_name"]}, {"id": "field1", "path": ["birthdate"]}])
    );
    assert_eq!(
        credential["claim_sets"],
        json!([["field0", "field1"], ["field0"]])
    );
}

#[test]
fn descriptor_ids_are_sanitised_to_the_dcql_alphabet() {
    let mut definition = with_fields(json!([]));
    definition["input_descriptors"][0]["id"] = json!("urn:pid 1");
    assert_eq!(dcql(&definition)["credentials"][0]["id"], "urn_pid_1");
}

/// Two descriptors `a` (group A) and `b` (group B), and `requirements`.
fn grouped(requirements: Value) -> Value {
    let descriptor = |id: &str, group: &str| json!({"id": id, "group": [group], "constraints": {"fields": [vct_field()]}});
    json!({
        "id": "pd",
        "input_descriptors": [descriptor("a", "A"), descriptor("b", "B"), descriptor("c", "B")],
        "submission_requirements": requirements
    })
}

#[test]
fn submission_requirements_become_required_credential_sets() {
    let query = dcql(&grouped(json!([
        {"rule": "all", "from": "A"},
        {"name": "one of B", "rule": "pick", "count": 1, "from": "B"}
    ])));
    assert_eq!(
        query["credential_sets"],
        json!([
            {"options": [["a"]], "required": true},
            {"options": [["b"], ["c"]], "required": true}
        ])
    );
    let query = dcql(&grouped(
        json!([{"rule": "all", "from": "A"}, {"rule": "all", "from": "B"}]),
    ));
    assert_eq!(query["credential_sets"][1]["options"], json!([["b", "c"]]));
}

#[test]
fn malformed_definitions_are_refused_by_kind() {
    assert!(matches!(refusal(&json!([])), PeError::WrongType { .. }));
    assert!(matches!(
        refusal(&json!({"input_descriptors": []})),
        PeError::MissingField { field: "id", .. }
    ));
    assert!(matches!(
        refusal(&json!({"id": "pd"})),
        PeError::MissingField {
            field: "input_descriptors",
            ..
        }
    ));
    assert!(matches!(
        refusal(&json!({"id": "pd", "input_descriptors": []})),
        PeError::EmptyArray { .. }
    ));
    assert!(matches!(
        refusal(&json!({"id": "pd", "input_descriptors": [{"id": "x"}]})),
        PeError::MissingField {
            field: "constraints",
            ..
        }
    ));
    let mut empty_id = with_fields(json!([]));
    empty_id["input_descriptors"][0]["id"] = json!("");
    assert!(matches!(refusal(&empty_id), PeError::WrongType { .. }));
    assert!(matches!(
        refusal(&with_fields(json!([{"name": "no path"}]))),
        PeError::MissingField { field: "path", .. }
    ));
    assert!(matches!(
        refusal(&with_fields(json!([{"path": ["$.a"], "optional": "yes"}]))),
        PeError::WrongType {
            expected: "a boolean",
            ..
        }
    ));
    let mut disclosure = with_fields(json!([]));
    disclosure["input_descriptors"][0]["constraints"]["limit_disclosure"] = json!("always");
    assert!(matches!(refusal(&disclosure), PeError::WrongType { .. }));
    assert!(matches!(
        refusal(&grouped(json!([{"rule": "any", "from": "A"}]))),
        PeError::WrongType {
            expected: "`all` or `pick`",
            ..
        }
    ));
}

#[test]
fn limits_are_enforced() {
    let limits = PeLimits {
        max_descriptors: 1,
        max_fields: 2,
        max_paths: 1,
        max_path_len: 2,
        max_values: 1,
        ..PeLimits::default()
    };
    let two = grouped(json!([{"rule": "all", "from": "A"}]));
    assert!(matches!(
        translate(&two, &limits),
        Err(PeError::TooMany { limit: 1, .. })
    ));
    for fields in [
        json!([{"path": ["$.a"]}, {"path": ["$.b"]}]),
        json!([{"path": ["$.a", "$.b"]}]),
        json!([{"path": ["$.a"], "filter": {"enum": ["x", "y"]}}]),
    ] {
        assert!(matches!(
            translate(&with_fields(fields), &limits),
            Err(PeError::TooMany { .. })
        ));
    }
    assert!(matches!(
        translate(&with_fields(json!([{"path": ["$.a.b.c"]}])), &limits),
        Err(PeError::UnsupportedPath { .. })
    ));
}

#[test]
fn a_translation_beyond_the_dcql_limits_is_refused() {
    let limits = PeLimits {
        max_fields: 100,
        ..PeLimits::default()
    };
    let fields: Vec<Value> = (0..70)
        .map(|i| json!({"path": [format!("$.c{i}")]}))
        .collect();
    assert!(matches!(
        translate(&with_fields(json!(fields)), &limits),
        Err(PeError::Dcql(DcqlError::TooMany { .. }))
    ));
}

#[test]
fn formats_other_than_sd_jwt_vc_are_refused() {
    let mut definition = with_fields(json!([]));
    definition["format"] = json!({"ldp_vc": {}});
    assert!(matches!(
        refusal(&definition),
        PeError::UnsupportedFormat { format, .. } if format == "ldp_vc"
    ));
    let mut definition = with_fields(json!([]));
    definition["input_descriptors"][0]["format"] = json!({"vc+sd-jwt": {}, "mso_mdoc": {}});
    assert!(matches!(
        refusal(&definition),
        PeError::UnsupportedFormat { format, .. } if format == "mso_mdoc"
    ));
    definition["input_descriptors"][0]["format"] = json!({});
    assert!(matches!(refusal(&definition), PeError::EmptyArray { .. }));
}

#[test]
fn unsupported_json_paths_are_refused() {
    assert_eq!(
        refusal(&with_fields(
            json!([{"path": ["$..name", "$.credentialSubject[?(@.a)]"]}])
        )),
        PeError::UnsupportedPath {
            at: "$.input_descriptors[0].constraints.fields[1].path".into()
        }
    );
}

#[test]
fn json_schema_keywords_beyond_const_and_enum_are_refused() {
    for (filter, construct) in [
        (json!({"type": "string", "pattern": "^D"}), "filter.pattern"),
        (json!({"type": "number", "minimum": 18}), "filter.minimum"),
        (json!({"type": "string"}), "filter without const or enum"),
        (
            json!({"const": "a", "enum": ["a"]}),
            "filter.const with filter.enum",
        ),
    ] {
        assert_unsupported(
            &with_fields(json!([{"path": ["$.a"], "filter": filter}])),
            construct,
        );
    }
}

#[test]
fn filter_values_dcql_cannot_hold_are_refused() {
    for filter in [
        json!({"const": 1.5}),
        json!({"const": {"a": 1}}),
        json!({"enum": [null]}),
        json!({"type": "string", "const": 3}),
        json!({"type": "boolean", "enum": ["true"]}),
    ] {
        assert!(
            matches!(
                refusal(&with_fields(json!([{"path": ["$.a"], "filter": filter}]))),
                PeError::InvalidFilterValue { .. }
            ),
            "{filter}"
        );
    }
    let mut numeric_vct = with_fields(json!([]));
    numeric_vct["input_descriptors"][0]["constraints"]["fields"][0]["filter"] = json!({"const": 7});
    assert!(matches!(
        refusal(&numeric_vct),
        PeError::InvalidFilterValue { .. }
    ));
}

#[test]
fn constructs_without_a_dcql_equivalent_are_refused_by_name() {
    assert_unsupported(
        &with_fields(
            json!([{"path": ["$.age"], "predicate": "required", "filter": {"minimum": 18}}]),
        ),
        "predicate",
    );
    assert_unsupported(
        &with_fields(json!([{"path": ["$.a"], "intent_to_retain": true}])),
        "intent_to_retain (mdoc only in DCQL)",
    );
    assert_unsupported(
        &with_fields(json!([{"path": ["$.a"], "optional": true}])),
        "only optional fields",
    );
    assert_unsupported(
        &with_fields(json!([vct_field()])),
        "a second or optional `$.vct` field",
    );
    let mut holder = with_fields(json!([]));
    holder["input_descriptors"][0]["constraints"]["is_holder"] = json!([]);
    assert_unsupported(&holder, "is_holder");
    let mut disclosure = with_fields(json!([]));
    disclosure["input_descriptors"][0]["constraints"]["limit_disclosure"] = json!("required");
    assert_unsupported(
        &disclosure,
        "limit_disclosure `required` without claim fields",
    );
    let mut frame = with_fields(json!([]));
    frame["frame"] = json!({});
    assert_unsupported(&frame, "frame");
}

#[test]
fn submission_requirements_beyond_all_and_pick_one_are_refused_by_name() {
    assert_unsupported(
        &grouped(json!([{"rule": "pick", "count": 2, "from": "B"}, {"rule": "all", "from": "A"}])),
        "rule `pick` other than count 1",
    );
    assert_unsupported(
        &grouped(json!([{"rule": "pick", "min": 1, "max": 2, "from": "B"}])),
        "rule `pick` other than count 1",
    );
    assert_unsupported(
        &grouped(json!([{"rule": "all", "count": 1, "from": "A"}])),
        "rule `all` with count/min/max",
    );
    assert_unsupported(
        &grouped(json!([{"rule": "all", "from_nested": [{"rule": "all", "from": "A"}]}])),
        "from_nested",
    );
    assert_unsupported(
        &grouped(json!([{"rule": "all", "from": "A"}])),
        "input descriptor outside every submission requirement",
    );
    assert_eq!(
        refusal(&grouped(json!([{"rule": "all", "from": "Z"}]))),
        PeError::UnknownGroup {
            at: "$.submission_requirements[0].from".into(),
            group: "Z".into()
        }
    );
}

#[test]
fn a_descriptor_without_a_vct_filter_is_refused() {
    let definition = json!({"id": "pd", "input_descriptors": [
        {"id": "any", "constraints": {"fields": [{"path": ["$.vct"]}, {"path": ["$.a"]}]}}
    ]});
    assert_eq!(
        refusal(&definition),
        PeError::MissingVct {
            at: "$.input_descriptors[0]".into()
        }
    );
}

#[test]
fn descriptor_ids_colliding_after_sanitising_are_refused() {
    let descriptor = |id: &str| json!({"id": id, "constraints": {"fields": [vct_field()]}});
    let definition =
        json!({"id": "pd", "input_descriptors": [descriptor("a.b"), descriptor("a_b")]});
    assert_eq!(refusal(&definition), PeError::IdCollision("a_b".into()));
}
