//! Every rejection of a DCQL query or `vp_token` gives its specific, typed error.

use saifu_oid4vc::dcql::{
    ClaimValue, DcqlError, DcqlQuery, Limits, VpTokenError, validate_vp_token_shape,
};
use serde_json::{Value, json};

const VCT: &str = "https://credentials.example.com/identity_credential";

fn parse(query: Value) -> Result<DcqlQuery, DcqlError> {
    DcqlQuery::from_json(&query, &Limits::default())
}

fn reject(query: Value) -> DcqlError {
    parse(query).unwrap_err()
}

/// A valid `dc+sd-jwt` credential query with `id`, changed by `edit`.
fn sd_jwt(id: &str, edit: impl FnOnce(&mut Value)) -> Value {
    let mut query = json!({
        "id": id, "format": "dc+sd-jwt", "meta": {"vct_values": [VCT]},
        "claims": [{"path": ["family_name"]}]
    });
    edit(&mut query);
    query
}

fn mdoc(claims: Value) -> Value {
    json!({"credentials": [{
        "id": "mdl", "format": "mso_mdoc", "meta": {"doctype_value": "org.iso.18013.5.1.mDL"},
        "claims": claims
    }]})
}

fn one(credential: Value) -> Value {
    json!({"credentials": [credential]})
}

fn at(at: &str) -> String {
    at.to_owned()
}

#[test]
fn legacy_names_get_their_own_error() {
    let legacy = |err: DcqlError| match err {
        DcqlError::LegacyParameter { at, name, .. } => (at, name),
        other => panic!("expected LegacyParameter, got {other:?}"),
    };
    let purpose = sd_jwt("pid", |q| q["purpose"] = json!("age check"));
    assert_eq!(
        legacy(reject(one(purpose))),
        (at("$.credentials[0]"), "purpose")
    );
    let set_purpose = json!({
        "credentials": [sd_jwt("pid", |_| {})],
        "credential_sets": [{"options": [["pid"]], "purpose": "age check"}]
    });
    assert_eq!(
        legacy(reject(set_purpose)),
        (at("$.credential_sets[0]"), "purpose")
    );
    let top_purpose = json!({"credentials": [sd_jwt("pid", |_| {})], "purpose": "x"});
    assert_eq!(legacy(reject(top_purpose)), (at("$"), "purpose"));
    let namespace = mdoc(json!([{"namespace": "org.iso.18013.5.1", "claim_name": "age_over_18"}]));
    assert_eq!(
        legacy(reject(namespace)),
        (at("$.credentials[0].claims[0]"), "namespace")
    );
    let claim_name = mdoc(json!([{"claim_name": "age_over_18", "path": ["a", "b"]}]));
    assert_eq!(
        legacy(reject(claim_name)),
        (at("$.credentials[0].claims[0]"), "claim_name")
    );
    let fed =
        sd_jwt(
            "pid",
            |q| {
                q["trusted_authorities"] =
                    json!([{"type": "openid_fed", "values": ["https://ta.example"]}])
            },
        );
    assert_eq!(
        legacy(reject(one(fed))),
        (
            at("$.credentials[0].trusted_authorities[0].type"),
            "openid_fed"
        )
    );
}

#[test]
fn meta_is_required_with_the_format_specific_member() {
    let missing = |field| DcqlError::MissingField {
        at: at("$.credentials[0].meta"),
        field,
    };
    assert_eq!(
        reject(one(sd_jwt("pid", |q| q
            .as_object_mut()
            .unwrap()
            .remove("meta")
            .map(drop)
            .unwrap()))),
        DcqlError::MissingField {
            at: at("$.credentials[0]"),
            field: "meta"
        }
    );
    let wrong = sd_jwt("pid", |q| {
        q["meta"] = json!({"doctype_value": "org.iso.18013.5.1.mDL"})
    });
    assert_eq!(reject(one(wrong)), missing("vct_values"));
    let mdoc_meta = json!({"id": "m", "format": "mso_mdoc", "meta": {"vct_values": [VCT]}});
    assert_eq!(reject(one(mdoc_meta)), missing("doctype_value"));
    let w3c = json!({"id": "w", "format": "jwt_vc_json", "meta": {"type_values": [[]]}});
    assert_eq!(
        reject(one(w3c)),
        DcqlError::EmptyArray {
            at: at("$.credentials[0].meta.type_values[0]")
        }
    );
    let empty_vct = sd_jwt("pid", |q| q["meta"] = json!({"vct_values": []}));
    assert_eq!(
        reject(one(empty_vct)),
        DcqlError::EmptyArray {
            at: at("$.credentials[0].meta.vct_values")
        }
    );
    let meta_string = sd_jwt("pid", |q| q["meta"] = json!("dc+sd-jwt"));
    assert_eq!(
        reject(one(meta_string)),
        DcqlError::WrongType {
            at: at("$.credentials[0].meta"),
            expected: "an object"
        }
    );
}

#[test]
fn identifiers_must_be_well_formed_unique_and_known() {
    assert_eq!(
        reject(json!({"credentials": [sd_jwt("pid", |_| {}), sd_jwt("pid", |_| {})]})),
        DcqlError::DuplicateCredentialId(at("pid"))
    );
    assert_eq!(
        reject(one(sd_jwt("pid.1", |_| {}))),
        DcqlError::InvalidId {
            at: at("$.credentials[0].id"),
            id: at("pid.1")
        }
    );
    assert_eq!(
        reject(one(sd_jwt("", |_| {}))),
        DcqlError::InvalidId {
            at: at("$.credentials[0].id"),
            id: at("")
        }
    );
    let sets = json!({
        "credentials": [sd_jwt("pid", |_| {})],
        "credential_sets": [{"options": [["pid"], ["mdl"]]}]
    });
    assert_eq!(
        reject(sets),
        DcqlError::UnknownCredentialId {
            at: at("$.credential_sets[0].options[1]"),
            id: at("mdl")
        }
    );
    let claims = json!([{"id": "a", "path": ["x"]}, {"id": "a", "path": ["y"]}]);
    assert_eq!(
        reject(one(sd_jwt("pid", |q| q["claims"] = claims))),
        DcqlError::DuplicateClaimId {
            at: at("$.credentials[0]"),
            id: at("a")
        }
    );
    let unknown = sd_jwt("pid", |q| {
        q["claims"] = json!([{"id": "a", "path": ["x"]}]);
        q["claim_sets"] = json!([["a"], ["a", "b"]]);
    });
    assert_eq!(
        reject(one(unknown)),
        DcqlError::UnknownClaimId {
            at: at("$.credentials[0].claim_sets[1]"),
            id: at("b")
        }
    );
    let no_id = sd_jwt("pid", |q| {
        q["claims"] = json!([{"id": "a", "path": ["x"]}, {"path": ["y"]}]);
        q["claim_sets"] = json!([["a"]]);
    });
    assert_eq!(
        reject(one(no_id)),
        DcqlError::MissingClaimId {
            at: at("$.credentials[0].claims[1]")
        }
    );
    let without_claims = sd_jwt("pid", |q| {
        q.as_object_mut().unwrap().remove("claims");
        q["claim_sets"] = json!([["a"]]);
    });
    assert_eq!(
        reject(one(without_claims)),
        DcqlError::ClaimSetsWithoutClaims {
            at: at("$.credentials[0]")
        }
    );
}

#[test]
fn empty_arrays_are_rejected_where_the_spec_requires_content() {
    let empty = |path: &str| DcqlError::EmptyArray { at: at(path) };
    assert_eq!(reject(json!({"credentials": []})), empty("$.credentials"));
    assert_eq!(
        reject(one(sd_jwt("pid", |q| q["claims"] = json!([])))),
        empty("$.credentials[0].claims")
    );
    let values = sd_jwt("pid", |q| {
        q["claims"] = json!([{"path": ["x"], "values": []}])
    });
    assert_eq!(
        reject(one(values)),
        empty("$.credentials[0].claims[0].values")
    );
    let claim_set = sd_jwt("pid", |q| {
        q["claims"] = json!([{"id": "a", "path": ["x"]}]);
        q["claim_sets"] = json!([[]]);
    });
    assert_eq!(
        reject(one(claim_set)),
        empty("$.credentials[0].claim_sets[0]")
    );
    let authorities = sd_jwt("pid", |q| {
        q["trusted_authorities"] = json!([{"type": "aki", "values": []}])
    });
    assert_eq!(
        reject(one(authorities)),
        empty("$.credentials[0].trusted_authorities[0].values")
    );
    let no_authorities = sd_jwt("pid", |q| q["trusted_authorities"] = json!([]));
    assert_eq!(
        reject(one(no_authorities)),
        empty("$.credentials[0].trusted_authorities")
    );
    let sets =
        |sets: Value| json!({"credentials": [sd_jwt("pid", |_| {})], "credential_sets": sets});
    assert_eq!(reject(sets(json!([]))), empty("$.credential_sets"));
    assert_eq!(
        reject(sets(json!([{"options": []}]))),
        empty("$.credential_sets[0].options")
    );
    assert_eq!(
        reject(sets(json!([{"options": [[]]}]))),
        empty("$.credential_sets[0].options[0]")
    );
}

#[test]
fn malformed_members_are_rejected() {
    assert_eq!(
        reject(json!({"credential_sets": []})),
        DcqlError::MissingField {
            at: at("$"),
            field: "credentials"
        }
    );
    assert_eq!(
        reject(json!([])),
        DcqlError::WrongType {
            at: at("$"),
            expected: "an object"
        }
    );
    assert_eq!(
        reject(one(sd_jwt("pid", |q| q["multiple"] = json!("yes")))),
        DcqlError::WrongType {
            at: at("$.credentials[0].multiple"),
            expected: "a boolean"
        }
    );
    assert_eq!(
        reject(one(sd_jwt("pid", |q| q["format"] = json!("vc+sd-jwt")))),
        DcqlError::UnsupportedFormat {
            at: at("$.credentials[0].format"),
            format: at("vc+sd-jwt")
        }
    );
    assert_eq!(
        reject(one(sd_jwt("pid", |q| q
            .as_object_mut()
            .unwrap()
            .remove("format")
            .map(drop)
            .unwrap()))),
        DcqlError::MissingField {
            at: at("$.credentials[0]"),
            field: "format"
        }
    );
    let path = |path: Value| {
        reject(one(sd_jwt("pid", |q| {
            q["claims"] = json!([{"path": path}])
        })))
    };
    assert_eq!(
        path(json!(["a", -1])),
        DcqlError::InvalidPath {
            at: at("$.credentials[0].claims[0].path")
        }
    );
    assert_eq!(
        path(json!([{"a": 1}])),
        DcqlError::InvalidPath {
            at: at("$.credentials[0].claims[0].path")
        }
    );
    assert_eq!(
        path(json!([])),
        DcqlError::EmptyArray {
            at: at("$.credentials[0].claims[0].path")
        }
    );
    let mdoc_path = |path: Value| reject(mdoc(json!([{"path": path}])));
    for bad in [
        json!(["org.iso.18013.5.1"]),
        json!(["ns", "a", "b"]),
        json!(["ns", null]),
        json!(["ns", 0]),
    ] {
        assert_eq!(
            mdoc_path(bad),
            DcqlError::InvalidPath {
                at: at("$.credentials[0].claims[0].path")
            }
        );
    }
    let value = |v: Value| {
        reject(one(sd_jwt("pid", |q| {
            q["claims"] = json!([{"path": ["x"], "values": [v]}])
        })))
    };
    for bad in [json!(null), json!(1.5), json!([1]), json!({"a": 1})] {
        assert_eq!(
            value(bad),
            DcqlError::InvalidValue {
                at: at("$.credentials[0].claims[0].values[0]")
            }
        );
    }
    let authority = |kind: &str, value: &str| {
        reject(one(sd_jwt("pid", |q| {
            q["trusted_authorities"] = json!([{"type": kind, "values": [value]}])
        })))
    };
    assert_eq!(
        authority("x509", "abc"),
        DcqlError::UnknownAuthorityType {
            at: at("$.credentials[0].trusted_authorities[0].type"),
            kind: at("x509")
        }
    );
    assert_eq!(
        authority("aki", "not/base64+url="),
        DcqlError::InvalidAki {
            at: at("$.credentials[0].trusted_authorities[0].values[0]")
        }
    );
}

#[test]
fn hostile_sizes_are_bounded() {
    let limits = Limits::default();
    let many = |n: usize, make: &dyn Fn(usize) -> Value| (0..n).map(make).collect::<Vec<_>>();
    let credentials = many(limits.max_credential_queries + 1, &|i| {
        sd_jwt(&format!("q{i}"), |_| {})
    });
    assert_eq!(
        reject(json!({"credentials": credentials})),
        DcqlError::TooMany {
            at: at("$.credentials"),
            limit: limits.max_credential_queries
        }
    );
    let claims = many(
        limits.max_claims + 1,
        &|i| json!({"path": [format!("c{i}")]}),
    );
    assert_eq!(
        reject(one(sd_jwt("pid", |q| q["claims"] = json!(claims)))),
        DcqlError::TooMany {
            at: at("$.credentials[0].claims"),
            limit: limits.max_claims
        }
    );
    let path = many(limits.max_path_len + 1, &|_| json!(null));
    assert_eq!(
        reject(one(sd_jwt("pid", |q| q["claims"] = json!([{"path": path}])))),
        DcqlError::TooMany {
            at: at("$.credentials[0].claims[0].path"),
            limit: limits.max_path_len
        }
    );
    let values = many(limits.max_values + 1, &|i| json!(i));
    assert_eq!(
        reject(one(sd_jwt("pid", |q| q["claims"] =
            json!([{"path": ["x"], "values": values}])))),
        DcqlError::TooMany {
            at: at("$.credentials[0].claims[0].values"),
            limit: limits.max_values
        }
    );
    let options = many(limits.max_sets + 1, &|_| json!(["pid"]));
    assert_eq!(
        reject(
            json!({"credentials": [sd_jwt("pid", |_| {})], "credential_sets": [{"options": options}]})
        ),
        DcqlError::TooMany {
            at: at("$.credential_sets[0].options"),
            limit: limits.max_sets
        }
    );
    let small = Limits {
        max_query_bytes: 10,
        ..limits
    };
    assert_eq!(
        DcqlQuery::parse(br#"{"credentials": []}"#, &small),
        Err(DcqlError::TooLarge { limit: 10 })
    );
    assert!(matches!(
        DcqlQuery::parse(b"{", &limits),
        Err(DcqlError::Json(_))
    ));
}

#[test]
fn defaults_and_optional_members_are_read() {
    let query = DcqlQuery::parse(
        br#"{"credentials": [{"id": "mdl", "format": "mso_mdoc",
              "meta": {"doctype_value": "org.iso.18013.5.1.mDL"},
              "claims": [{"path": ["org.iso.18013.5.1", "age_over_18"], "values": [true, 1, "yes"],
                          "intent_to_retain": true}]}],
            "credential_sets": [{"options": [["mdl"]]}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let credential = &query.credentials[0];
    assert!(!credential.multiple && credential.require_cryptographic_holder_binding);
    let claim = &credential.claims.as_ref().unwrap()[0];
    assert_eq!(claim.intent_to_retain, Some(true));
    assert_eq!(
        claim.values.as_ref().unwrap(),
        &[
            ClaimValue::Bool(true),
            ClaimValue::Integer(1.into()),
            ClaimValue::String("yes".into())
        ]
    );
    assert!(query.credential_sets.unwrap()[0].required);
}

fn vp_query() -> DcqlQuery {
    parse(json!({
        "credentials": [sd_jwt("pid", |_| {}), sd_jwt("diplomas", |q| q["multiple"] = json!(true)),
                        sd_jwt("loyalty", |_| {})],
        "credential_sets": [{"options": [["pid"]]}, {"options": [["diplomas"]]},
                            {"options": [["loyalty"]], "required": false}]
    }))
    .unwrap()
}

#[test]
fn vp_token_shape_follows_the_query() {
    let query = vp_query();
    let check = |token: Value| validate_vp_token_shape(&query, &token);
    assert_eq!(
        check(json!({"pid": ["ey..."], "diplomas": ["a", "b"]})),
        Ok(())
    );
    assert_eq!(
        check(json!({"pid": ["ey..."], "diplomas": ["a"], "loyalty": ["c"]})),
        Ok(())
    );
    assert_eq!(check(json!(["ey..."])), Err(VpTokenError::NotAnObject));
    assert_eq!(check(json!("ey...")), Err(VpTokenError::NotAnObject));
    assert_eq!(
        check(json!({"pid": ["a"], "diplomas": ["b"], "mdl": ["c"]})),
        Err(VpTokenError::UnknownQuery("mdl".into()))
    );
    assert_eq!(
        check(json!({"pid": "a", "diplomas": ["b"]})),
        Err(VpTokenError::NotAnArray("pid".into()))
    );
    assert_eq!(
        check(json!({"pid": [], "diplomas": ["b"]})),
        Err(VpTokenError::Empty("pid".into()))
    );
    assert_eq!(
        check(json!({"pid": ["a", "b"], "diplomas": ["c"]})),
        Err(VpTokenError::MultipleNotAllowed {
            id: "pid".into(),
            count: 2
        })
    );
    assert_eq!(
        check(json!({"pid": ["a"], "loyalty": ["c"]})),
        Err(VpTokenError::Unsatisfied)
    );
    let plain = parse(json!({"credentials": [sd_jwt("a", |_| {}), sd_jwt("b", |_| {})]})).unwrap();
    assert_eq!(
        validate_vp_token_shape(&plain, &json!({"a": ["x"]})),
        Err(VpTokenError::Unsatisfied)
    );
    assert_eq!(
        validate_vp_token_shape(&plain, &json!({"a": ["x"], "b": ["y"]})),
        Ok(())
    );
}
