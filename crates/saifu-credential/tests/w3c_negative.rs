//! Every refusal of `saifu_credential::w3c` asserts its specific error: tampered credential,
//! wrong proof purpose, wrong challenge / domain, unknown context, context order violated, not
//! yet valid, expired, malformed multibase, issuer mismatch, poison datasets, VC-JOSE-COSE.

use saifu_credential::w3c::di::{
    self, ASSERTION_METHOD, AUTHENTICATION, Cryptosuite, DidKeyResolver, ProofOptions,
};
use saifu_credential::w3c::verify::{VerifyOptions, verify_credential, verify_presentation};
use saifu_credential::w3c::{JsonLdError, ModelError, ProofError, VerifyError, jose};
use saifu_crypto::{KeyType, LocalSigner, PrivateKey};
use saifu_did::key::did_key;
use serde_json::{Value, json};

const NOW: i64 = 1_750_000_000; // 2025-06-15
const CHALLENGE: &str = "c-4f1b";
const DOMAIN: &str = "verifier.example";

fn key(key_type: KeyType) -> (LocalSigner, String) {
    let private = PrivateKey::generate(key_type).unwrap();
    let did = did_key(private.public_key());
    let method = format!("{did}#{}", did.method_specific_id());
    let signer = LocalSigner::new(private)
        .unwrap()
        .with_key_id(method.clone());
    (signer, method)
}

fn credential(issuer: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "id": "urn:uuid:0b6f6c9e-52a4-4b8e-9c0e-1d1f3a5b7c9d",
        "type": ["VerifiableCredential", "ExampleDegreeCredential"],
        "issuer": issuer,
        "validFrom": "2025-01-01T00:00:00Z",
        "validUntil": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "degree": {"type": "ExampleBachelorDegree", "name": "Bachelor of Science and Arts"}
        }
    })
}

fn options() -> VerifyOptions<'static> {
    VerifyOptions {
        now: NOW,
        challenge: Some(CHALLENGE),
        domain: Some(DOMAIN),
        resolver: &DidKeyResolver,
    }
}

async fn signed(suite: Cryptosuite, key_type: KeyType) -> (Value, LocalSigner, String) {
    let (signer, method) = key(key_type);
    let issuer = method.split('#').next().unwrap().to_owned();
    let vc = di::add_proof(
        &credential(&issuer),
        &ProofOptions::new(suite, method.clone(), ASSERTION_METHOD),
        &signer,
    )
    .await
    .unwrap();
    (vc, signer, method)
}

async fn presentation(vc: Value, purpose: &str, challenge: &str, domain: &str) -> Value {
    let (signer, method) = key(KeyType::Ed25519);
    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": method.split('#').next().unwrap(),
        "verifiableCredential": [vc]
    });
    let mut proof = ProofOptions::new(Cryptosuite::EddsaRdfc2022, method, purpose);
    proof.challenge = Some(challenge.into());
    proof.domain = Some(domain.into());
    di::add_proof(&vp, &proof, &signer).await.unwrap()
}

fn proof_error(result: Result<impl std::fmt::Debug, VerifyError>) -> ProofError {
    match result {
        Err(VerifyError::Proof(e)) => e,
        other => panic!("expected a proof error, got {other:?}"),
    }
}

fn model_error(result: Result<impl std::fmt::Debug, VerifyError>) -> ModelError {
    match result {
        Err(VerifyError::Model(e)) => e,
        other => panic!("expected a model error, got {other:?}"),
    }
}

#[tokio::test]
async fn every_suite_round_trips() {
    for (suite, key_type) in [
        (Cryptosuite::EddsaRdfc2022, KeyType::Ed25519),
        (Cryptosuite::EddsaJcs2022, KeyType::Ed25519),
        (Cryptosuite::EcdsaRdfc2019, KeyType::P256),
    ] {
        let (vc, _, method) = signed(suite, key_type).await;
        let report = verify_credential(&vc, &options()).unwrap();
        assert_eq!(report.proofs[0].verification_method, method);
        assert_eq!(report.proofs[0].cryptosuite, suite);
    }
}

#[tokio::test]
async fn tampered_credential() {
    for suite in [Cryptosuite::EddsaRdfc2022, Cryptosuite::EddsaJcs2022] {
        let (mut vc, _, _) = signed(suite, KeyType::Ed25519).await;
        let mut added = vc.clone();
        vc["credentialSubject"]["degree"]["name"] = "Doctor of Everything".into();
        assert_eq!(
            proof_error(verify_credential(&vc, &options())),
            ProofError::InvalidSignature
        );
        // A term no context defines is not dropped: credentials v2's `@vocab` maps it to an
        // issuer-dependent IRI, so adding one breaks the signature too (VCDM 2.0 §5.2).
        added["credentialSubject"]["undefinedTerm"] = "sneaked in".into();
        assert_eq!(
            proof_error(verify_credential(&added, &options())),
            ProofError::InvalidSignature
        );
    }
}

#[tokio::test]
async fn wrong_proof_purpose() {
    let (signer, method) = key(KeyType::Ed25519);
    let issuer = method.split('#').next().unwrap().to_owned();
    let vc = di::add_proof(
        &credential(&issuer),
        &ProofOptions::new(Cryptosuite::EddsaRdfc2022, method, AUTHENTICATION),
        &signer,
    )
    .await
    .unwrap();
    assert_eq!(
        proof_error(verify_credential(&vc, &options())),
        ProofError::WrongProofPurpose {
            expected: ASSERTION_METHOD.into(),
            found: AUTHENTICATION.into()
        }
    );
    // A presentation signed for assertionMethod is refused the same way.
    let (vc, _, _) = signed(Cryptosuite::EddsaRdfc2022, KeyType::Ed25519).await;
    let vp = presentation(vc, ASSERTION_METHOD, CHALLENGE, DOMAIN).await;
    assert!(matches!(
        proof_error(verify_presentation(&vp, &options())),
        ProofError::WrongProofPurpose { .. }
    ));
}

#[tokio::test]
async fn presentation_challenge_and_domain() {
    let (vc, _, _) = signed(Cryptosuite::EddsaRdfc2022, KeyType::Ed25519).await;
    let good = presentation(vc.clone(), AUTHENTICATION, CHALLENGE, DOMAIN).await;
    let report = verify_presentation(&good, &options()).unwrap();
    assert_eq!(report.credentials.len(), 1);

    let wrong_challenge = presentation(vc.clone(), AUTHENTICATION, "other", DOMAIN).await;
    assert_eq!(
        proof_error(verify_presentation(&wrong_challenge, &options())),
        ProofError::ChallengeMismatch
    );
    let wrong_domain = presentation(vc, AUTHENTICATION, CHALLENGE, "evil.example").await;
    assert_eq!(
        proof_error(verify_presentation(&wrong_domain, &options())),
        ProofError::DomainMismatch
    );
}

#[tokio::test]
async fn unknown_context() {
    let (signer, method) = key(KeyType::Ed25519);
    let mut vc = credential(method.split('#').next().unwrap());
    vc["@context"]
        .as_array_mut()
        .unwrap()
        .push("https://attacker.example/context.jsonld".into());
    let refused = di::add_proof(
        &vc,
        &ProofOptions::new(Cryptosuite::EddsaRdfc2022, method, ASSERTION_METHOD),
        &signer,
    )
    .await;
    assert_eq!(
        refused,
        Err(ProofError::JsonLd(JsonLdError::UnknownContext(
            "https://attacker.example/context.jsonld".into()
        )))
    );
}

#[tokio::test]
async fn context_order_violated() {
    let (mut vc, _, _) = signed(Cryptosuite::EddsaRdfc2022, KeyType::Ed25519).await;
    vc["@context"] = json!([
        "https://www.w3.org/ns/credentials/examples/v2",
        "https://www.w3.org/ns/credentials/v2"
    ]);
    assert!(matches!(
        model_error(verify_credential(&vc, &options())),
        ModelError::ContextOrder(_)
    ));
}

#[tokio::test]
async fn validity_period() {
    let (vc, _, _) = signed(Cryptosuite::EddsaRdfc2022, KeyType::Ed25519).await;
    let at = |now| VerifyOptions { now, ..options() };
    assert_eq!(
        model_error(verify_credential(&vc, &at(1_700_000_000))),
        ModelError::NotYetValid("2025-01-01T00:00:00Z".into())
    );
    assert_eq!(
        model_error(verify_credential(&vc, &at(1_800_000_000))),
        ModelError::Expired("2026-01-01T00:00:00Z".into())
    );
    let mut bad = vc.clone();
    bad["validFrom"] = "2025-01-01".into();
    assert!(matches!(
        model_error(verify_credential(&bad, &options())),
        ModelError::InvalidDateTime {
            field: "validFrom",
            ..
        }
    ));
}

#[tokio::test]
async fn malformed_multibase() {
    let (vc, _, _) = signed(Cryptosuite::EddsaRdfc2022, KeyType::Ed25519).await;
    for bad in ["uAAAA", "z0OIl", "zabc"] {
        let mut broken = vc.clone();
        broken["proof"]["proofValue"] = bad.into();
        assert!(
            matches!(
                proof_error(verify_credential(&broken, &options())),
                ProofError::MalformedMultibase(_)
            ),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn data_model_musts() {
    let (vc, _, _) = signed(Cryptosuite::EddsaRdfc2022, KeyType::Ed25519).await;
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut v = vc.clone();
        edit(&mut v);
        model_error(verify_credential(&v, &options()))
    };
    assert_eq!(
        broken(&|v| v["type"] = json!(["ExampleDegreeCredential"])),
        ModelError::MissingType("VerifiableCredential")
    );
    assert_eq!(
        broken(&|v| {
            v.as_object_mut().unwrap().remove("issuer");
        }),
        ModelError::MissingIssuer
    );
    assert_eq!(
        broken(&|v| v["issuer"] = json!({"name": "x"})),
        ModelError::InvalidIssuer
    );
    assert_eq!(
        broken(&|v| v["credentialSubject"] = json!([])),
        ModelError::InvalidCredentialSubject
    );
    assert!(matches!(
        broken(&|v| v["credentialStatus"] = json!({"id": "x"})),
        ModelError::InvalidProperty {
            property: "credentialStatus",
            ..
        }
    ));
    assert!(matches!(
        broken(&|v| v["credentialSchema"] = json!({"type": "JsonSchema"})),
        ModelError::InvalidProperty {
            property: "credentialSchema",
            ..
        }
    ));
    assert!(matches!(
        broken(&|v| v["relatedResource"] = json!({"id": "https://x.example/a"})),
        ModelError::InvalidProperty {
            property: "relatedResource",
            ..
        }
    ));
    assert!(matches!(
        broken(&|v| v["evidence"] = json!([{"id": "https://x.example/e"}])),
        ModelError::InvalidProperty {
            property: "evidence",
            ..
        }
    ));
    assert!(matches!(
        broken(&|v| v["refreshService"] = json!("https://x.example/r")),
        ModelError::InvalidProperty {
            property: "refreshService",
            ..
        }
    ));
    assert_eq!(
        broken(&|v| v["id"] = json!("not a url")),
        ModelError::InvalidId("id".into())
    );
}

#[tokio::test]
async fn issuer_must_sign() {
    let (signer, method) = key(KeyType::Ed25519);
    let vc = di::add_proof(
        &credential("did:example:someone-else"),
        &ProofOptions::new(Cryptosuite::EddsaRdfc2022, method, ASSERTION_METHOD),
        &signer,
    )
    .await
    .unwrap();
    assert!(matches!(
        verify_credential(&vc, &options()),
        Err(VerifyError::IssuerMismatch { .. })
    ));
}

#[tokio::test]
async fn missing_and_unknown_proofs() {
    let (vc, _, _) = signed(Cryptosuite::EddsaRdfc2022, KeyType::Ed25519).await;
    let mut none = vc.clone();
    none.as_object_mut().unwrap().remove("proof");
    assert_eq!(
        proof_error(verify_credential(&none, &options())),
        ProofError::MissingProof
    );
    let mut unknown = vc.clone();
    unknown["proof"]["cryptosuite"] = "bbs-2023".into();
    assert_eq!(
        proof_error(verify_credential(&unknown, &options())),
        ProofError::UnsupportedCryptosuite("bbs-2023".into())
    );
    let mut chained = vc;
    chained["proof"]["previousProof"] = "urn:uuid:missing".into();
    assert_eq!(
        proof_error(verify_credential(&chained, &options())),
        ProofError::UnknownPreviousProof("urn:uuid:missing".into())
    );
}

#[test]
fn hostile_json_ld_is_bounded() {
    let mut deep = json!("leaf");
    for _ in 0..100 {
        deep = json!({"https://x.example/p": deep});
    }
    assert_eq!(
        saifu_credential::w3c::rdf::to_dataset(&deep).unwrap_err(),
        JsonLdError::TooLarge("depth")
    );
}

#[tokio::test]
async fn vc_jwt_round_trip_and_refusals() {
    let (signer, method) = key(KeyType::Ed25519);
    let issuer = method.split('#').next().unwrap().to_owned();
    let token = jose::sign_credential(&credential(&issuer), &signer)
        .await
        .unwrap();
    let vc = jose::verify_credential(&token, &options()).unwrap();
    assert_eq!(vc["issuer"], issuer.as_str());
    // A vc+jwt is not a vp+jwt.
    assert!(matches!(
        jose::verify_presentation(&token, &options()),
        Err(VerifyError::Jose(_))
    ));
    // Signed by a key the issuer does not control.
    let (other, _) = key(KeyType::P256);
    let forged = jose::sign_credential(&credential(&issuer), &other)
        .await
        .unwrap();
    assert!(matches!(
        jose::verify_credential(&forged, &options()),
        Err(VerifyError::IssuerMismatch { .. })
    ));
    // Expired.
    let late = VerifyOptions {
        now: 1_800_000_000,
        ..options()
    };
    assert!(matches!(
        jose::verify_credential(&token, &late),
        Err(VerifyError::Model(ModelError::Expired(_)))
    ));
    // vp+jwt with nonce / aud.
    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [{
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["EnvelopedVerifiableCredential"],
            "id": format!("data:application/vc+jwt,{token}")
        }],
        "nonce": CHALLENGE,
        "aud": DOMAIN
    });
    let vp_token = jose::sign_presentation(&vp, &signer).await.unwrap();
    jose::verify_presentation(&vp_token, &options()).unwrap();
    let other_nonce = VerifyOptions {
        challenge: Some("x"),
        ..options()
    };
    assert!(matches!(
        jose::verify_presentation(&vp_token, &other_nonce),
        Err(VerifyError::Proof(ProofError::ChallengeMismatch))
    ));
}
