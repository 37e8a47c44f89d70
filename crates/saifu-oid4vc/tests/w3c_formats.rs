//! The W3C formats of OpenID4VC (`jwt_vc_json`, `ldp_vc`): what verifies, and every refusal with
//! its own [`W3cFormatError`] variant — the checks the wallet runs before storing a credential
//! and the verifier runs on a presentation.

use saifu_credential::w3c::contexts::{CREDENTIALS_V1, CREDENTIALS_V2};
use saifu_credential::w3c::datetime;
use saifu_credential::w3c::di::{self, ASSERTION_METHOD, AUTHENTICATION, ProofOptions};
use saifu_credential::w3c::{ProofError, VerifyError};
use saifu_crypto::{Algorithm, KeyType, LocalSigner, PrivateKey, Signer, b64, jws};
use saifu_oid4vc::w3c::jwt_vc::{self, Binding, CredentialClaims};
use saifu_oid4vc::w3c::{
    Named, W3cFormatError, cryptosuite_for, did_key, did_key_method, expanded_types, ldp_vc,
};
use serde_json::{Map, Value, json};

const NOW: i64 = 1_800_000_000;
const BINDING: Binding<'static> = Binding {
    nonce: "nonce-1",
    audience: "redirect_uri:https://verifier.example/cb",
};

fn key(key_type: KeyType) -> LocalSigner {
    let key = PrivateKey::generate(key_type).unwrap();
    let method = did_key_method(key.public_key());
    LocalSigner::new(key).unwrap().with_key_id(method)
}

fn did(signer: &LocalSigner) -> String {
    did_key(signer.private_key().public_key())
}

fn vc_claim(holder: &str) -> Map<String, Value> {
    let vc = json!({"@context": [CREDENTIALS_V1], "type": ["VerifiableCredential", "DegreeCredential"],
        "credentialSubject": {"id": holder, "degree": "BSc"}});
    vc.as_object().unwrap().clone()
}

async fn jwt(
    issuer: &LocalSigner,
    iss: &str,
    vc: &Map<String, Value>,
    times: (i64, i64),
) -> String {
    let subject = vc["credentialSubject"]["id"].as_str().map(str::to_owned);
    let claims = CredentialClaims {
        issuer: iss,
        subject: subject.as_deref(),
        issued_at: times.0,
        expires_at: Some(times.1),
    };
    let signer = Named::did_key(issuer, Algorithm::EdDSA).unwrap();
    jwt_vc::sign_credential(vc, &claims, &signer).await.unwrap()
}

async fn ldp(issuer: &LocalSigner, subject: &str, purpose: &str) -> Value {
    let credential = json!({"@context": [CREDENTIALS_V2, "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential", "DegreeCredential"], "issuer": did(issuer),
        "validFrom": datetime::format(NOW - 60),
        "credentialSubject": {"id": subject, "degree": "BSc"}});
    let suite = cryptosuite_for(issuer.private_key().key_type()).unwrap();
    let signer = Named::did_key(issuer, suite.algorithm()).unwrap();
    let options = ProofOptions::new(suite, signer.key_id().unwrap(), purpose);
    di::add_proof(&credential, &options, &signer).await.unwrap()
}

/// A compact JWS of `payload` with `header` members, signed by `signer`.
async fn raw_jwt(header: Value, payload: Value, signer: &dyn Signer) -> String {
    let header = header.as_object().unwrap().clone();
    jws::sign_compact(&header, &serde_json::to_vec(&payload).unwrap(), signer)
        .await
        .unwrap()
}

#[tokio::test]
async fn jwt_vc_json_round_trip_rebuilds_the_vcdm_1_1_credential() {
    let (issuer, holder) = (key(KeyType::Ed25519), key(KeyType::P256));
    let token = jwt(
        &issuer,
        &did(&issuer),
        &vc_claim(&did(&holder)),
        (NOW - 60, NOW + 60),
    )
    .await;
    let checked = jwt_vc::verify_credential(&token, NOW, 0).unwrap();
    assert_eq!(checked.issuer, did(&issuer));
    assert_eq!(checked.subject.as_deref(), Some(did(&holder).as_str()));
    assert_eq!(checked.credential["issuer"], did(&issuer));
    assert_eq!(
        expanded_types(&checked.credential),
        [
            "https://www.w3.org/2018/credentials#VerifiableCredential",
            "DegreeCredential"
        ]
    );

    let vp = jwt_vc::sign_presentation(&token, &BINDING, NOW, &holder)
        .await
        .unwrap();
    let presented = jwt_vc::verify_presentation(&vp, &BINDING, NOW, 300, 0).unwrap();
    assert_eq!(presented.holder, did(&holder));
    assert_eq!(presented.credential, token);
}

#[tokio::test]
async fn jwt_vc_json_credentials_are_refused_each_for_its_reason() {
    let (issuer, holder) = (key(KeyType::Ed25519), key(KeyType::P256));
    let vc = vc_claim(&did(&holder));

    // Signed by a key `iss` does not control.
    let token = jwt(&issuer, &did(&holder), &vc, (NOW, NOW + 60)).await;
    let error = jwt_vc::verify_credential(&token, NOW, 0).unwrap_err();
    assert!(
        matches!(error, W3cFormatError::SignerMismatch { .. }),
        "{error}"
    );

    // Expired and not yet valid.
    let token = jwt(&issuer, &did(&issuer), &vc, (NOW - 120, NOW - 60)).await;
    let error = jwt_vc::verify_credential(&token, NOW, 0).unwrap_err();
    assert!(matches!(error, W3cFormatError::Validity(_)), "{error}");
    let token = jwt(&issuer, &did(&issuer), &vc, (NOW + 60, NOW + 120)).await;
    let error = jwt_vc::verify_credential(&token, NOW, 0).unwrap_err();
    assert!(matches!(error, W3cFormatError::Validity(_)), "{error}");

    // Tampered payload, signature kept.
    let token = jwt(&issuer, &did(&issuer), &vc, (NOW, NOW + 60)).await;
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload: Value = serde_json::from_slice(&b64::decode(parts[1], "p").unwrap()).unwrap();
    payload["vc"]["credentialSubject"]["degree"] = "PhD".into();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64::encode(serde_json::to_vec(&payload).unwrap()),
        parts[2]
    );
    let error = jwt_vc::verify_credential(&forged, NOW, 0).unwrap_err();
    assert!(matches!(error, W3cFormatError::Signature(_)), "{error}");

    // A VC-JOSE-COSE `vc+jwt` is another format; a kid that is not a did:key is not resolved;
    // `sub` and `credentialSubject.id` must agree; `vc` must be a credential.
    let named = Named::did_key(&issuer, Algorithm::EdDSA).unwrap();
    let good = json!({"iss": did(&issuer), "sub": did(&holder), "nbf": NOW, "vc": vc});
    let token = raw_jwt(json!({"typ": "vc+jwt"}), good.clone(), &named).await;
    let error = jwt_vc::verify_credential(&token, NOW, 0).unwrap_err();
    assert!(matches!(error, W3cFormatError::Malformed(_)), "{error}");
    let web = Named::new(
        &issuer,
        Algorithm::EdDSA,
        "did:web:issuer.example#key-1".into(),
    )
    .unwrap();
    let token = raw_jwt(json!({"typ": "JWT"}), good.clone(), &web).await;
    let error = jwt_vc::verify_credential(&token, NOW, 0).unwrap_err();
    assert!(
        matches!(error, W3cFormatError::VerificationMethod { .. }),
        "{error}"
    );
    let mut other_sub = good.clone();
    other_sub["sub"] = did(&issuer).into();
    let token = raw_jwt(json!({"typ": "JWT"}), other_sub, &named).await;
    let error = jwt_vc::verify_credential(&token, NOW, 0).unwrap_err();
    assert!(matches!(error, W3cFormatError::Malformed(_)), "{error}");
    let mut untyped = good;
    untyped["vc"]["type"] = json!(["DegreeCredential"]);
    let token = raw_jwt(json!({"typ": "JWT"}), untyped, &named).await;
    let error = jwt_vc::verify_credential(&token, NOW, 0).unwrap_err();
    assert!(matches!(error, W3cFormatError::Malformed(_)), "{error}");
}

#[tokio::test]
async fn vp_jwts_are_refused_each_for_its_reason() {
    let (issuer, holder) = (key(KeyType::Ed25519), key(KeyType::P256));
    let token = jwt(
        &issuer,
        &did(&issuer),
        &vc_claim(&did(&holder)),
        (NOW, NOW + 60),
    )
    .await;
    let vp = jwt_vc::sign_presentation(&token, &BINDING, NOW, &holder)
        .await
        .unwrap();

    let other = Binding {
        nonce: "other",
        ..BINDING
    };
    let error = jwt_vc::verify_presentation(&vp, &other, NOW, 300, 0).unwrap_err();
    assert_eq!(error, W3cFormatError::WrongNonce);
    let other = Binding {
        audience: "redirect_uri:https://evil.example/cb",
        ..BINDING
    };
    let error = jwt_vc::verify_presentation(&vp, &other, NOW, 300, 0).unwrap_err();
    assert_eq!(error, W3cFormatError::WrongAudience);
    let error = jwt_vc::verify_presentation(&vp, &BINDING, NOW + 301, 300, 0).unwrap_err();
    assert_eq!(error, W3cFormatError::Stale);

    // `iss` names someone other than the signer; two credentials in one presentation.
    let payload = |iss: String, credentials: Value| {
        json!({"iss": iss, "aud": BINDING.audience, "nonce": BINDING.nonce, "iat": NOW,
            "vp": {"@context": [CREDENTIALS_V1], "type": ["VerifiablePresentation"],
                   "verifiableCredential": credentials}})
    };
    let forged = raw_jwt(
        json!({"typ": "JWT"}),
        payload(did(&issuer), json!([token])),
        &holder,
    )
    .await;
    let error = jwt_vc::verify_presentation(&forged, &BINDING, NOW, 300, 0).unwrap_err();
    assert!(
        matches!(error, W3cFormatError::SignerMismatch { .. }),
        "{error}"
    );
    let two = raw_jwt(
        json!({"typ": "JWT"}),
        payload(did(&holder), json!([token, token])),
        &holder,
    )
    .await;
    let error = jwt_vc::verify_presentation(&two, &BINDING, NOW, 300, 0).unwrap_err();
    assert_eq!(error, W3cFormatError::CredentialCount(2));
}

#[tokio::test]
async fn ldp_vc_presentations_verify_and_are_refused_each_for_its_reason() {
    for issuer_type in [KeyType::Ed25519, KeyType::P256] {
        let (issuer, holder) = (key(issuer_type), key(KeyType::P256));
        let credential = ldp(&issuer, &did(&holder), ASSERTION_METHOD).await;
        let checked = ldp_vc::verify_credential(&credential, NOW).unwrap();
        assert_eq!(checked.issuer, did(&issuer));
        assert_eq!(
            expanded_types(&checked.credential)[1],
            "https://www.w3.org/ns/credentials/examples#DegreeCredential"
        );
        let vp = ldp_vc::sign_presentation(&credential, &BINDING, NOW, &holder)
            .await
            .unwrap();
        let presented = ldp_vc::verify_presentation(&vp, &BINDING, NOW).unwrap();
        assert_eq!(presented.holder, did(&holder));
        assert_eq!(presented.cryptosuite, "ecdsa-rdfc-2019");

        let other = Binding {
            nonce: "other",
            ..BINDING
        };
        assert_eq!(
            ldp_vc::verify_presentation(&vp, &other, NOW).unwrap_err(),
            W3cFormatError::WrongNonce
        );
        let other = Binding {
            audience: "x509_san_dns:evil.example",
            ..BINDING
        };
        assert_eq!(
            ldp_vc::verify_presentation(&vp, &other, NOW).unwrap_err(),
            W3cFormatError::WrongAudience
        );

        // Presented by someone who is not the subject.
        let thief = key(KeyType::Ed25519);
        let stolen = ldp_vc::sign_presentation(&credential, &BINDING, NOW, &thief)
            .await
            .unwrap();
        let error = ldp_vc::verify_presentation(&stolen, &BINDING, NOW).unwrap_err();
        assert!(
            matches!(error, W3cFormatError::HolderMismatch { .. }),
            "{error}"
        );

        // The credential altered after issuance (the presentation re-signed over it).
        let mut altered = credential.clone();
        altered["credentialSubject"]["degree"] = "PhD".into();
        let vp = ldp_vc::sign_presentation(&altered, &BINDING, NOW, &holder)
            .await
            .unwrap();
        let error = ldp_vc::verify_presentation(&vp, &BINDING, NOW).unwrap_err();
        assert_eq!(
            error,
            W3cFormatError::DataIntegrity(VerifyError::Proof(ProofError::InvalidSignature))
        );

        // An issuer proof made for another purpose.
        let wrong = ldp(&issuer, &did(&holder), AUTHENTICATION).await;
        let error = ldp_vc::verify_credential(&wrong, NOW).unwrap_err();
        assert!(
            matches!(
                error,
                W3cFormatError::DataIntegrity(VerifyError::Proof(
                    ProofError::WrongProofPurpose { .. }
                ))
            ),
            "{error}"
        );

        // Two credentials in one presentation.
        let mut two = ldp_vc::sign_presentation(&credential, &BINDING, NOW, &holder)
            .await
            .unwrap();
        two["verifiableCredential"] = json!([credential, credential]);
        let error = ldp_vc::verify_presentation(&two, &BINDING, NOW).unwrap_err();
        assert_eq!(error, W3cFormatError::CredentialCount(2));
    }
}
