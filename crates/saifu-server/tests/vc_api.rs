//! The W3C VC-API of a whole node over real HTTP: issue with each cryptosuite, verify what was
//! issued (status lists fetched from the node itself), revoke and suspend through the admin
//! route, presentations with challenge and domain, vc+jwt envelopes, and every refusal with its
//! specific error code.

#[path = "support/vc_api.rs"]
mod support;

use reqwest::StatusCode;
use saifu_credential::w3c::di::{self, AUTHENTICATION, Cryptosuite, ProofOptions};
use saifu_credential::w3c::jose;
use saifu_crypto::{KeyType, LocalSigner, PrivateKey};
use saifu_did::key::did_key;
use saifu_server::VcApiSettings;
use serde_json::{Value, json};
use support::{VcNode, credential, error_code, published_bit};

const SUITES: [&str; 3] = ["eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019"];

#[tokio::test(flavor = "multi_thread")]
async fn each_suite_issues_what_the_verifier_accepts_with_its_status() {
    let node = VcNode::start().await;
    for suite in SUITES {
        let vc = node.issue(suite).await;
        assert_eq!(vc["proof"]["cryptosuite"], suite, "{vc}");
        assert_eq!(vc["issuer"], node.issuer_did(suite).await.as_str());
        let status = vc["credentialStatus"].as_array().unwrap();
        assert_eq!(status.len(), 2, "{vc}");
        assert_eq!(status[0]["statusPurpose"], "revocation");
        assert_eq!(status[1]["statusPurpose"], "suspension");
        assert!(
            vc["id"].as_str().unwrap().starts_with("urn:uuid:"),
            "an id is given"
        );
        let (code, answer) = node.verify(&vc).await;
        assert_eq!(code, StatusCode::OK, "{suite}: {answer}");
        assert_eq!(answer["verified"], true);
        assert_eq!(answer["checks"], json!(["proof", "status"]), "{answer}");
    }
    // The ed25519 and p256 keys each have their own lists, published and signed.
    for list in ["ed25519-revocation-0", "p256-suspension-0"] {
        let (code, published) = node.get(&format!("/status/w3c/{list}")).await;
        assert_eq!(code, StatusCode::OK, "{published}");
        assert_eq!(
            published["credentialSubject"]["type"], "BitstringStatusList",
            "{published}"
        );
    }
    let (code, _) = node.get("/status/w3c/rsa-revocation-0").await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn revoked_and_suspended_credentials_are_refused_with_their_reason() {
    let node = VcNode::start().await;
    let revoked = node.issue("eddsa-rdfc-2022").await;
    let suspended = node.issue("ecdsa-rdfc-2019").await;
    let untouched = node.issue("eddsa-rdfc-2022").await;
    let id = |vc: &Value| vc["id"].as_str().unwrap().to_owned();

    let (code, answer) = node.set_status(&id(&revoked), "revoked").await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    let (code, answer) = node.set_status(&id(&suspended), "suspended").await;
    assert_eq!(code, StatusCode::OK, "{answer}");

    let (code, answer) = node.verify(&revoked).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&answer), "revoked", "{answer}");
    assert_eq!(answer["checks"], json!(["status"]));
    let (code, answer) = node.verify(&suspended).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&answer), "suspended", "{answer}");
    let (code, answer) = node.verify(&untouched).await;
    assert_eq!(code, StatusCode::OK, "{answer}");

    // A suspension can be lifted; the published list shows it at once.
    assert!(published_bit(&node, &suspended, 1).await);
    let (code, _) = node.set_status(&id(&suspended), "unsuspended").await;
    assert_eq!(code, StatusCode::OK);
    assert!(!published_bit(&node, &suspended, 1).await);
    assert!(published_bit(&node, &revoked, 0).await);
    assert!(!published_bit(&node, &revoked, 1).await);

    // Refusals of the admin route.
    let body = json!({"credentialId": id(&revoked), "credentialStatus": [{"status": "revoked"}]});
    let (code, _) = node.post("/credentials/status", &body, false).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    let (code, answer) = node.set_status("urn:uuid:unknown", "revoked").await;
    assert_eq!(code, StatusCode::NOT_FOUND, "{answer}");
    let (code, answer) = node.set_status(&id(&revoked), "active").await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{answer}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tampered_unknown_context_and_malformed_credentials_are_refused() {
    let node = VcNode::start().await;
    let vc = node.issue("eddsa-rdfc-2022").await;
    let refused = async |vc: Value| {
        let (code, answer) = node.verify(&vc).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{answer}");
        error_code(&answer).to_owned()
    };
    let mut tampered = vc.clone();
    tampered["credentialSubject"]["alumniOf"] = "Another School".into();
    assert_eq!(refused(tampered).await, "invalid_signature");

    let mut unknown = vc.clone();
    unknown["@context"]
        .as_array_mut()
        .unwrap()
        .push("https://example.org/unknown/v1".into());
    assert_eq!(refused(unknown).await, "unknown_context");

    let mut order = vc.clone();
    order["@context"].as_array_mut().unwrap().reverse();
    assert_eq!(refused(order).await, "context_order");

    let mut expired = vc.clone();
    expired["validUntil"] = "2025-06-01T00:00:00Z".into();
    assert_eq!(refused(expired).await, "expired");

    let mut multibase = vc.clone();
    multibase["proof"]["proofValue"] = "z0OIl".into();
    assert_eq!(refused(multibase).await, "malformed_multibase");

    let mut no_proof = vc.clone();
    no_proof.as_object_mut().unwrap().remove("proof");
    assert_eq!(refused(no_proof).await, "missing_proof");

    let (code, answer) = node
        .post("/credentials/verify", &json!({"credential": vc}), false)
        .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&answer), "invalid_request", "{answer}");
}

#[tokio::test(flavor = "multi_thread")]
async fn issuance_refuses_bad_requests_and_changes_nothing() {
    let node = VcNode::start().await;
    let did = node.issuer_did("eddsa-rdfc-2022").await;
    let issue =
        async |body: Value, admin: bool| node.post("/credentials/issue", &body, admin).await;

    let (code, _) = issue(json!({"credential": credential(&did)}), false).await;
    assert_eq!(
        code,
        StatusCode::UNAUTHORIZED,
        "issuing needs the admin token"
    );

    let mut cases = vec![
        json!({"verifiableCredential": credential(&did)}),
        json!({"credential": credential(&did), "options": {"cryptosuite": "rsa-2000"}}),
        json!({"credential": credential(&did), "options": {"type": "Ed25519Signature2020"}}),
        json!({"credential": credential(&did), "options": {"unknown": true}}),
        json!({"credential": credential("did:example:someone-else")}),
        json!({"credential": credential(&node.issuer_did("ecdsa-rdfc-2019").await),
               "options": {"cryptosuite": "eddsa-rdfc-2022"}}),
    ];
    for (property, value) in [
        ("@context", json!(4)),
        ("type", json!(4)),
        ("issuer", Value::Null),
        ("credentialSubject", json!("did:example:1234")),
        ("proof", json!({"type": "DataIntegrityProof"})),
        (
            "credentialStatus",
            json!({"type": "BitstringStatusListEntry"}),
        ),
    ] {
        let mut vc = credential(&did);
        vc[property] = value;
        cases.push(json!({ "credential": vc }));
    }
    let mut unknown_context = credential(&did);
    unknown_context["@context"]
        .as_array_mut()
        .unwrap()
        .push("https://example.org/unknown/v1".into());
    cases.push(json!({ "credential": unknown_context }));
    for body in cases {
        let (code, answer) = issue(body.clone(), true).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["error"], "invalid_request", "{answer}");
    }
    // No refused request kept a status index (the unknown context is only found while signing,
    // after the index was taken: it was given back).
    let store = saifu_store::Store::open_in_dir(node.data_dir())
        .await
        .unwrap();
    let status = saifu_store::vc_api::VcApiStatus::new(store);
    for key in ["ed25519", "p256"] {
        assert_eq!(status.count(key).await.unwrap(), 0, "{key}");
    }
    node.issue("eddsa-rdfc-2022").await;
    assert_eq!(status.count("ed25519").await.unwrap(), 1);
}

/// A holder's did:key presentation of a VC-API credential, bound to `challenge` and `domain`.
async fn presentation(vc: &Value, challenge: &str, domain: &str) -> Value {
    let key = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let did = did_key(key.public_key());
    let method = format!("{did}#{}", did.method_specific_id());
    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": did.as_str(),
        "verifiableCredential": [vc],
    });
    let mut options = ProofOptions::new(Cryptosuite::EddsaRdfc2022, method, AUTHENTICATION);
    options.challenge = Some(challenge.into());
    options.domain = Some(domain.into());
    di::add_proof(&vp, &options, &LocalSigner::new(key).unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn presentations_are_bound_to_the_challenge_and_domain() {
    let node = VcNode::start().await;
    let vc = node.issue("ecdsa-rdfc-2019").await;
    let vp = presentation(&vc, "c-123", "verifier.example").await;
    let verify = async |challenge: &str, domain: &str| {
        let body = json!({"verifiablePresentation": vp,
                          "options": {"challenge": challenge, "domain": domain}});
        node.post("/presentations/verify", &body, false).await
    };
    let (code, answer) = verify("c-123", "verifier.example").await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    assert_eq!(answer["checks"], json!(["proof", "status"]));
    let (code, answer) = verify("c-456", "verifier.example").await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&answer), "challenge_mismatch", "{answer}");
    assert_eq!(
        answer["errors"][0]["type"],
        "https://w3id.org/security#INVALID_CHALLENGE_ERROR"
    );
    let (code, answer) = verify("c-123", "other.example").await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&answer), "domain_mismatch", "{answer}");

    // The credential inside is checked too: revoked, the presentation is refused.
    node.set_status(vc["id"].as_str().unwrap(), "revoked").await;
    let fresh = VcNode::start().await; // another verifier, with no cached list
    let body = json!({"verifiablePresentation": vp, "options": {"challenge": "c-123"}});
    let (code, answer) = fresh.post("/presentations/verify", &body, false).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&answer), "revoked", "{answer}");
}

#[tokio::test(flavor = "multi_thread")]
async fn enveloped_vc_jwt_from_any_did_key_verifies() {
    let node = VcNode::start().await;
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let did = did_key(key.public_key());
    let signer = LocalSigner::new(key)
        .unwrap()
        .with_key_id(format!("{did}#{}", did.method_specific_id()));
    let token = jose::sign_credential(&credential(did.as_str()), &signer)
        .await
        .unwrap();
    let envelope = |token: &str| {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": "EnvelopedVerifiableCredential",
            "id": format!("data:application/vc+jwt,{token}"),
        })
    };
    let (code, answer) = node.verify(&envelope(&token)).await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    // Change a signature character that carries six bits (the last one may carry padding).
    let at = token.len() - 10;
    let swapped = if &token[at..=at] == "A" { "B" } else { "A" };
    let forged = format!("{}{swapped}{}", &token[..at], &token[at + 1..]);
    let (code, answer) = node.verify(&envelope(&forged)).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&answer), "invalid_jwt", "{answer}");
    let wrong_media = json!({"@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential", "id": format!("data:application/jwt,{token}")});
    let (code, answer) = node.verify(&wrong_media).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&answer), "invalid_request", "{answer}");
}

#[tokio::test(flavor = "multi_thread")]
async fn status_indexes_on_postgres_survive_a_restart() {
    let db = saifu_store::testing::TestDatabase::create().await.unwrap();
    let node = VcNode::start_in(tempfile::tempdir().unwrap(), false, Some(db.url().into())).await;
    let vc = node.issue("eddsa-jcs-2022").await;
    let dir = node.stop().await;
    let node = VcNode::start_in(dir, false, Some(db.url().into())).await;
    assert!(!published_bit(&node, &vc, 0).await);
    let (code, _) = node.set_status(vc["id"].as_str().unwrap(), "revoked").await;
    assert_eq!(
        code,
        StatusCode::OK,
        "the credential is known after the restart"
    );
    assert!(published_bit(&node, &vc, 0).await);
    // The same did:key signs after the restart.
    assert_eq!(
        vc["issuer"].as_str(),
        Some(node.issuer_did("eddsa-jcs-2022").await.as_str())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_switch_the_routes_and_open_issuance_and_refuse_a_bad_suite() {
    let off = VcApiSettings {
        enabled: false,
        ..VcApiSettings::default()
    };
    let node = VcNode::start_with(tempfile::tempdir().unwrap(), false, None, off).await;
    let (code, _) = node.get("/credentials/issuers").await;
    assert_eq!(code, StatusCode::NOT_FOUND, "no VC-API when disabled");

    let open = VcApiSettings {
        open_issuance: true,
        status: false,
        cryptosuite: "ecdsa-rdfc-2019".into(),
        ..VcApiSettings::default()
    };
    let node = VcNode::start_with(tempfile::tempdir().unwrap(), false, None, open).await;
    let did = node.issuer_did("ecdsa-rdfc-2019").await;
    let (code, answer) = node
        .post(
            "/credentials/issue",
            &json!({"credential": credential(&did)}),
            false,
        )
        .await;
    assert_eq!(code, StatusCode::CREATED, "{answer}");
    let vc = &answer["verifiableCredential"];
    assert_eq!(
        vc["proof"]["cryptosuite"], "ecdsa-rdfc-2019",
        "the configured default"
    );
    assert!(vc.get("credentialStatus").is_none(), "status switched off");

    let dir = tempfile::tempdir().unwrap();
    let flags = saifu_server::ConfigLayer {
        port: Some(0),
        data_dir: Some(dir.path().to_path_buf()),
        vc_api: Some(VcApiSettings {
            cryptosuite: "rsa-2000".into(),
            ..VcApiSettings::default()
        }),
        ..saifu_server::ConfigLayer::default()
    };
    let config = saifu_server::Config::load(None, |_| None, flags).unwrap();
    let error = saifu_server::Server::bind(&config).await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("[vc_api] cryptosuite `rsa-2000`"),
        "{error}"
    );
}
