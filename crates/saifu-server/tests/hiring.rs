//! The "zero waiting time" hiring case across two nodes: a university node issues a diploma; an
//! employer node, configured to trust that university for diplomas, verifies a presentation of
//! it over OpenID4VP (issuer key from the university's JWT VC Issuer Metadata, status list
//! fetched from the university); after the university revokes the diploma the employer refuses
//! it. A third node trusting no one refuses it too.

#[path = "support/node.rs"]
mod support;

use saifu_crypto::LocalSigner;
use saifu_server::{TrustedIssuerSettings, VerifierSettings};
use serde_json::{Value, json};
use support::{Node, check};

const DIPLOMA: &str = "https://saifu.dev/vct/diploma";

async fn post(node: &Node, path: &str, body: Value) -> Value {
    let (status, answer) = node.admin(reqwest::Method::POST, path, Some(body)).await;
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

/// The university issues a diploma to a fresh holder key; the credential and the key.
async fn issue_diploma(university: &Node) -> (String, LocalSigner) {
    let created = post(
        university,
        "/admin/offers",
        json!({"credential_configuration_id": "diploma",
               "claims": {"given_name": "Hanako", "family_name": "Sato",
                          "university": "Saifu University", "degree": "BSc"}}),
    )
    .await;
    let (issued, holder, _) = university.redeem(&created["credential_offer"], None).await;
    let credential = issued["credentials"][0]["credential"].as_str().unwrap();
    (credential.to_owned(), holder)
}

/// The employer asks for a diploma's degree; the holder answers with `credential` disclosing
/// only the degree; the verification report.
async fn verify_diploma(employer: &Node, credential: &str, holder: &LocalSigner) -> Value {
    let query = json!({"credentials": [{"id": "diploma", "format": "dc+sd-jwt",
        "meta": {"vct_values": [DIPLOMA]}, "claims": [{"path": ["degree"]}]}]});
    let request = json!({"dcql_query": query});
    let (id, _) = employer
        .present(request, "diploma", credential, holder, &["/degree"])
        .await;
    let path = format!("/admin/presentations/{id}");
    let (_, result) = employer.admin(reqwest::Method::GET, &path, None).await;
    result["report"].clone()
}

/// A verifier node trusting only `university`, for `vct` (every type when `None`).
async fn trusting(university: &Node, vct: Option<Vec<String>>) -> Node {
    let settings = VerifierSettings {
        trust_own_issuer: false,
        trusted_issuers: vec![TrustedIssuerSettings {
            issuer: university.base.clone(),
            vct,
            jwk: None,
        }],
        ..VerifierSettings::default()
    };
    Node::start_with(None, settings).await
}

#[tokio::test]
async fn an_employer_trusts_a_university_it_was_told_to_trust_until_it_revokes() {
    let university = Node::start().await;
    let employer = trusting(&university, Some(vec![DIPLOMA.into()])).await;
    let stranger = Node::start_with(
        None,
        VerifierSettings {
            trust_own_issuer: false,
            ..VerifierSettings::default()
        },
    )
    .await;

    let (credential, holder) = issue_diploma(&university).await;
    let report = verify_diploma(&employer, &credential, &holder).await;
    assert_eq!(report["verified"], true, "{report}");
    let diploma = &report["credentials"]["diploma"][0];
    assert_eq!(diploma["issuer"], university.base.as_str());
    assert_eq!(diploma["claims"]["degree"], "BSc");
    assert!(
        diploma["claims"].get("given_name").is_none(),
        "only the degree was asked for and shown"
    );
    assert_eq!(check(&report, "status")["outcome"], "passed");

    let refused = verify_diploma(&stranger, &credential, &holder).await;
    assert_eq!(refused["verified"], false);
    assert_eq!(check(&refused, "trust")["outcome"], "failed", "{refused}");

    let (_, listed) = university
        .admin(reqwest::Method::GET, "/admin/credentials", None)
        .await;
    let index = listed["credentials"][0]["status_index"].as_i64().unwrap();
    post(
        &university,
        &format!("/admin/credentials/{index}/revoke"),
        json!({}),
    )
    .await;
    // A fresh employer node (an empty status cache) sees the revocation at once.
    let fresh = trusting(&university, None).await;
    let revoked = verify_diploma(&fresh, &credential, &holder).await;
    assert_eq!(revoked["verified"], false, "{revoked}");
    let status = check(&revoked, "status");
    assert_eq!(status["outcome"], "failed");
    let reason = status["reason"].as_str().unwrap();
    assert!(
        reason.contains("INVALID") || reason.contains("revoked"),
        "{status}"
    );
}
