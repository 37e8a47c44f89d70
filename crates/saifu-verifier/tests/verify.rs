//! The verifier against real SD-JWT VCs (Ed25519 did:key and pinned P-256 issuers, P-256
//! holder), the real DID resolver and a real Token Status List served on 127.0.0.1.

mod common;

use saifu_credential::sd_jwt::{KeyBindingRequest, SdJwtError};
use saifu_credential::sd_jwt_vc::{SdJwtVcError, VcIssuance};
use saifu_crypto::{KeyType, Signer};
use saifu_oid4vc::dcql::{NoMatch, VpTokenError};
use saifu_verifier::{
    Outcome, QueryMismatch, TrustError, VerificationReport, VerifierError, VerifierError as E,
};
use serde_json::{Value, json};

use common::*;

/// A valid PID and degree presentation pair.
async fn valid_token(w: &World) -> Value {
    let pid = w.issue_pid(w.pid()).await;
    let degree = w.issue_degree(w.degree()).await;
    json!({
        "pid": [w.present(&pid, &["/given_name", "/birthdate"], &binding()).await],
        "degree": [w.present(&degree, &["/degree"], &binding()).await],
    })
}

/// The PID presented with `binding`, next to a valid degree.
async fn token_with_pid_binding(w: &World, binding: &KeyBindingRequest<'_>) -> Value {
    let mut token = valid_token(w).await;
    let pid = w.issue_pid(w.pid()).await;
    token["pid"] = json!([w
        .present(&pid, &["/given_name", "/birthdate"], binding)
        .await]);
    token
}

fn error(report: &VerificationReport) -> &VerifierError {
    assert!(!report.verified, "unexpectedly verified: {report:#?}");
    assert!(
        report.credentials.is_empty(),
        "claims of a refused response"
    );
    let last = report.checks.last().expect("a check");
    assert_eq!(last.outcome, Outcome::Failed);
    report.error.as_ref().expect("error")
}

fn pid_query() -> String {
    "pid".into()
}

#[tokio::test]
async fn two_credentials_with_credential_sets_verify() {
    let w = world().await;
    let pid = w.issue_pid(w.pid()).await;
    let degree = w.issue_degree(w.degree()).await;
    // The holder also discloses `family_name`, which nobody asked for.
    let token = json!({
        "pid": [w.present(&pid, &["/given_name", "/birthdate", "/family_name"], &binding()).await],
        "degree": [w.present(&degree, &["/degree"], &binding()).await],
    });
    let report = w.verifier.verify(&request(), &token, NOW).await;
    assert!(report.verified, "{report:#?}");
    assert_eq!(report.error, None);
    let pid = &report.credentials["pid"][0];
    assert_eq!(pid.vct, PID_VCT);
    assert_eq!(pid.issuer, w.pid_did);
    assert_eq!(pid.claims["given_name"], "Erika");
    assert_eq!(pid.claims["birthdate"], "1963-08-12");
    assert_eq!(
        pid.holder_key_thumbprint.as_deref(),
        Some(w.holder.public_key().thumbprint().as_str())
    );
    let degree = &report.credentials["degree"][0];
    assert_eq!(
        (degree.issuer.as_str(), &degree.claims["degree"]),
        (UNIVERSITY, &json!("MSc Computer Science"))
    );
    assert!(degree.claims.get("grade").is_none());
    assert!(!report.credentials.contains_key("email"));
    let outcomes: Vec<_> = report
        .checks
        .iter()
        .map(|c| (c.name, c.subject.as_deref(), c.outcome))
        .collect();
    use Outcome::{Passed, Skipped};
    let per_credential = |s, status| {
        [
            ("parse", Some(s), Passed),
            ("issuer_key", Some(s), Passed),
            ("credential", Some(s), Passed),
            ("key_binding", Some(s), Passed),
            ("trust", Some(s), Passed),
            ("status", Some(s), status),
        ]
    };
    let mut expected = vec![
        ("request_not_expired", None, Passed),
        ("vp_token_shape", None, Passed),
    ];
    expected.extend(per_credential("pid[0]", Passed));
    expected.extend(per_credential("degree[0]", Skipped));
    expected.push(("dcql_match", None, Passed));
    assert_eq!(outcomes, expected);
    let json = serde_json::to_value(&report).expect("serialize");
    assert_eq!(
        json["warnings"],
        json!([{"kind": "over_disclosure", "subject": "pid[0]", "paths": [["family_name"]]}])
    );
    assert_eq!(json["checks"][0]["outcome"], "passed");
    assert_eq!(json["error"], Value::Null);
}

#[tokio::test]
async fn issuer_key_from_jwt_vc_issuer_metadata_verifies() {
    let w = world().await;
    let mut token = valid_token(&w).await;
    let degree = w
        .issue(w.degree(), &w.metadata_iss, &w.metadata_issuer)
        .await;
    token["degree"] = json!([w.present(&degree, &["/degree"], &binding()).await]);
    let report = w.verifier.verify(&request(), &token, NOW).await;
    assert!(report.verified, "{report:#?}");
    assert_eq!(report.credentials["degree"][0].issuer, w.metadata_iss);
}

#[tokio::test]
async fn over_disclosure_follows_nested_and_array_disclosures() {
    let w = world().await;
    let claims = json!({
        "degree": "MSc", "address": {"locality": "Köln", "country": "DE"},
        "nationalities": ["DE", "FR"]
    });
    let issued = [
        "/address",
        "/address/locality",
        "/address/country",
        "/nationalities/0",
        "/nationalities/1",
    ]
    .into_iter()
    .fold(
        VcIssuance::new(DEGREE_VCT, claims.as_object().expect("object").clone())
            .issuer(UNIVERSITY)
            .holder_key(&w.holder.public_key().to_jwk()),
        |vc, p| vc.disclosable(path(p)),
    )
    .decoys(2)
    .sign(&w.university)
    .await
    .expect("issue");
    let query = request_with(json!({"credentials": [
        {"id": "degree", "format": "dc+sd-jwt", "meta": {"vct_values": [DEGREE_VCT]},
         "claims": [{"path": ["address", "locality"]},
                    {"path": ["nationalities", null], "values": ["FR"]}]}
    ]}));
    let presented = w
        .present(
            &issued,
            &["/address/locality", "/address/country", "/nationalities/1"],
            &binding(),
        )
        .await;
    let report = w
        .verifier
        .verify(&query, &json!({"degree": [presented]}), NOW)
        .await;
    assert!(report.verified, "{report:#?}");
    // `address` is on the way to the requested locality and FR (now element 0) was asked for.
    assert_eq!(
        serde_json::to_value(&report.warnings).expect("serialize"),
        json!([{"kind": "over_disclosure", "subject": "degree[0]", "paths": [["address", "country"]]}])
    );
}

#[tokio::test]
async fn holder_binding_not_required_and_absent_is_skipped() {
    let w = world().await;
    let degree = w.issue_degree(w.degree()).await;
    let presented = degree.present(&[path("/degree")]).expect("present");
    let query = request_with(json!({"credentials": [
        {"id": "degree", "format": "dc+sd-jwt", "meta": {"vct_values": [DEGREE_VCT]},
         "require_cryptographic_holder_binding": false, "claims": [{"path": ["degree"]}]}
    ]}));
    let token = json!({"degree": [presented.to_compact()]});
    let report = w.verifier.verify(&query, &token, NOW).await;
    assert!(report.verified, "{report:#?}");
    let kb = report
        .checks
        .iter()
        .find(|c| c.name == "key_binding")
        .expect("key_binding check");
    assert_eq!(kb.outcome, Outcome::Skipped);
}

#[tokio::test]
async fn wrong_nonce_is_refused() {
    let w = world().await;
    let binding = KeyBindingRequest {
        nonce: "another-nonce",
        ..binding()
    };
    let token = token_with_pid_binding(&w, &binding).await;
    let report = w.verifier.verify(&request(), &token, NOW).await;
    assert_eq!(error(&report), &E::WrongNonce { query: pid_query() });
    assert_eq!(report.checks.last().expect("check").name, "key_binding");
}

#[tokio::test]
async fn audience_without_client_id_prefix_is_refused() {
    let w = world().await;
    let unprefixed = CLIENT_ID.trim_start_matches("redirect_uri:");
    let binding = KeyBindingRequest {
        audience: unprefixed,
        ..binding()
    };
    let token = token_with_pid_binding(&w, &binding).await;
    let report = w.verifier.verify(&request(), &token, NOW).await;
    assert_eq!(error(&report), &E::WrongAudience { query: pid_query() });
}

#[tokio::test]
async fn missing_key_binding_is_refused_when_required() {
    let w = world().await;
    let mut token = valid_token(&w).await;
    let pid = w.issue_pid(w.pid()).await;
    let unbound = pid
        .present(&[path("/given_name"), path("/birthdate")])
        .expect("present");
    token["pid"] = json!([unbound.to_compact()]);
    let report = w.verifier.verify(&request(), &token, NOW).await;
    assert_eq!(error(&report), &E::MissingKeyBinding { query: pid_query() });
}

#[tokio::test]
async fn stale_key_binding_is_refused() {
    let w = world().await;
    let binding = KeyBindingRequest {
        issued_at: NOW - 3600,
        ..binding()
    };
    let token = token_with_pid_binding(&w, &binding).await;
    let report = w.verifier.verify(&request(), &token, NOW).await;
    assert_eq!(error(&report), &E::StaleKeyBinding { query: pid_query() });
}

#[tokio::test]
async fn expired_credential_is_refused() {
    let w = world().await;
    let mut token = valid_token(&w).await;
    let expired = w
        .issue_pid(Issue {
            exp: NOW - 120,
            ..w.pid()
        })
        .await;
    token["pid"] = json!([w
        .present(&expired, &["/given_name", "/birthdate"], &binding())
        .await]);
    let report = w.verifier.verify(&request(), &token, NOW).await;
    assert_eq!(
        error(&report),
        &E::CredentialInvalid {
            query: pid_query(),
            source: SdJwtVcError::Expired {
                exp: NOW - 120,
                now: NOW
            }
        }
    );
}

/// The PID with status index `idx`, next to a valid degree.
async fn token_with_status(w: &World, idx: u64) -> Value {
    let mut token = valid_token(w).await;
    let pid = w
        .issue_pid(Issue {
            status_idx: Some(idx),
            ..w.pid()
        })
        .await;
    token["pid"] = json!([w
        .present(&pid, &["/given_name", "/birthdate"], &binding())
        .await]);
    token
}

#[tokio::test]
async fn revoked_credential_is_refused() {
    let w = world().await;
    let token = token_with_status(&w, REVOKED).await;
    let report = w.verifier.verify(&request(), &token, NOW).await;
    assert_eq!(error(&report), &E::Revoked { query: pid_query() });
}

#[tokio::test]
async fn suspended_credential_is_refused() {
    let w = world().await;
    let token = token_with_status(&w, SUSPENDED).await;
    let report = w.verifier.verify(&request(), &token, NOW).await;
    assert_eq!(error(&report), &E::Suspended { query: pid_query() });
}

#[tokio::test]
async fn status_index_outside_the_list_is_status_unavailable() {
    let w = world().await;
    // An index beyond the 16 entries of the served list: the real fetcher cannot answer it.
    let token = token_with_status(&w, 1000).await;
    let report = w.verifier.verify(&request(), &token, NOW).await;
    assert!(
        matches!(error(&report), E::StatusUnavailable { query, .. } if query == "pid"),
        "{report:#?}"
    );
}

#[tokio::test]
async fn untrusted_issuer_is_refused() {
    let w = world().await;
    let stranger = signer(KeyType::Ed25519);
    let stranger_did = saifu_did::key::did_key(stranger.public_key());
    let mut token = valid_token(&w).await;
    let pid = w.issue(w.pid(), &stranger_did.to_string(), &stranger).await;
    token["pid"] = json!([w
        .present(&pid, &["/given_name", "/birthdate"], &binding())
        .await]);
    let report = w.verifier.verify(&request(), &token, NOW).await;
    assert_eq!(
        error(&report),
        &E::UntrustedIssuer {
            query: pid_query(),
            issuer: stranger_did.to_string(),
            vct: PID_VCT.into(),
            reason: TrustError::UnknownIssuer,
        }
    );
}

#[tokio::test]
async fn issuer_trusted_for_another_vct_is_refused() {
    let w = world().await;
    let mut token = valid_token(&w).await;
    // The PID issuer (trusted for PIDs only) issues a degree.
    let degree = w.issue_pid(w.degree()).await;
    token["degree"] = json!([w.present(&degree, &["/degree"], &binding()).await]);
    let report = w.verifier.verify(&request(), &token, NOW).await;
    assert_eq!(
        error(&report),
        &E::UntrustedIssuer {
            query: "degree".into(),
            issuer: w.pid_did.clone(),
            vct: DEGREE_VCT.into(),
            reason: TrustError::VctNotAllowed,
        }
    );
}

#[tokio::test]
async fn missing_required_claim_does_not_satisfy_the_query() {
    let w = world().await;
    let mut token = valid_token(&w).await;
    let degree = w.issue_degree(w.degree()).await;
    token["degree"] = json!([w.present(&degree, &["/grade"], &binding()).await]);
    let report = w.verifier.verify(&request(), &token, NOW).await;
    let E::QueryNotSatisfied { details } = error(&report) else {
        panic!("{report:#?}");
    };
    assert_eq!(details.len(), 1);
    assert_eq!(
        (details[0].query.as_str(), details[0].presentation),
        ("degree", 0)
    );
    assert!(
        matches!(&details[0].reason, NoMatch::MissingClaim { path } if path.to_json() == json!(["degree"]))
    );
}

#[tokio::test]
async fn credentials_under_the_wrong_query_ids_are_refused() {
    let w = world().await;
    let valid = valid_token(&w).await;
    let swapped = json!({"pid": valid["degree"], "degree": valid["pid"]});
    let report = w.verifier.verify(&request(), &swapped, NOW).await;
    let mismatch = |query: &str| QueryMismatch {
        query: query.into(),
        presentation: 0,
        reason: NoMatch::MetaMismatch,
    };
    assert_eq!(
        error(&report),
        &E::QueryNotSatisfied {
            details: vec![mismatch("pid"), mismatch("degree")]
        }
    );
}

#[tokio::test]
async fn vp_token_of_the_wrong_shape_is_refused() {
    let w = world().await;
    let valid = valid_token(&w).await;
    let string_entry = json!({"pid": valid["pid"][0], "degree": valid["degree"]});
    let report = w.verifier.verify(&request(), &string_entry, NOW).await;
    assert_eq!(
        error(&report),
        &E::InvalidVpTokenShape {
            source: VpTokenError::NotAnArray(pid_query())
        }
    );
    let two = json!({"pid": [valid["pid"][0], valid["pid"][0]], "degree": valid["degree"]});
    let report = w.verifier.verify(&request(), &two, NOW).await;
    assert_eq!(
        error(&report),
        &E::InvalidVpTokenShape {
            source: VpTokenError::MultipleNotAllowed {
                id: pid_query(),
                count: 2
            }
        }
    );
    let report = w.verifier.verify(&request(), &json!("token"), NOW).await;
    assert_eq!(
        error(&report),
        &E::InvalidVpTokenShape {
            source: VpTokenError::NotAnObject
        }
    );
}

#[tokio::test]
async fn non_string_presentation_is_an_invalid_credential() {
    let w = world().await;
    let mut token = valid_token(&w).await;
    token["pid"] = json!([{"not": "an SD-JWT"}]);
    let report = w.verifier.verify(&request(), &token, NOW).await;
    assert!(matches!(
        error(&report),
        E::CredentialInvalid { query, source: SdJwtVcError::SdJwt(SdJwtError::Malformed(_)) } if query == "pid"
    ));
}

#[tokio::test]
async fn expired_request_is_refused() {
    let w = world().await;
    let token = valid_token(&w).await;
    let request = request();
    let late = request.expires_at;
    let report = w.verifier.verify(&request, &token, late).await;
    assert_eq!(
        error(&report),
        &E::RequestExpired {
            expires_at: late,
            now: late
        }
    );
    assert_eq!(report.checks.len(), 1);
    let json = serde_json::to_value(&report).expect("serialize");
    assert_eq!(json["error"]["code"], "request_expired");
}

#[tokio::test]
async fn verification_future_is_send() {
    fn assert_send<T: Send>(future: T) -> T {
        future
    }
    let w = world().await;
    let token = valid_token(&w).await;
    let request = request();
    let report = assert_send(w.verifier.verify(&request, &token, NOW)).await;
    assert!(report.verified);
}
