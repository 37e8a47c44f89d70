//! `jwt` key proofs (OpenID4VCI 1.0 App. F.1), signed with real keys.

use saifu_crypto::b64;
use saifu_crypto::jws::JwsError;
use saifu_crypto::{Algorithm, KeyType, PrivateKey, PublicKey};
use saifu_oid4vc::vci::proof::{KeyReference, ProofError, ProofExpectations, verify_jwt_proof};
use serde_json::{Value, json};

const ISSUER: &str = "https://credential-issuer.example.com";
const NONCE: &str = "LarRGSbmUPYtRYO6BQ4yn8";
const NOW: i64 = 1_701_960_444;
const ALGS: [Algorithm; 2] = [Algorithm::ES256, Algorithm::Ed25519];

fn expect() -> ProofExpectations<'static> {
    ProofExpectations {
        issuer: ISSUER,
        client_id: None,
        nonce: Some(NONCE),
        now: NOW,
        max_age: 300,
        max_future_skew: 60,
        allowed_algorithms: &ALGS,
    }
}

fn claims() -> Value {
    json!({"aud": ISSUER, "iat": NOW, "nonce": NONCE})
}

fn header(key: &PrivateKey) -> Value {
    json!({"typ": "openid4vci-proof+jwt", "alg": "ES256", "jwk": key.public_key().to_jwk()})
}

fn sign(header: &Value, claims: &Value, key: &PrivateKey) -> String {
    let input = format!(
        "{}.{}",
        b64::encode(header.to_string()),
        b64::encode(claims.to_string())
    );
    let signature = key.sign(Algorithm::ES256, input.as_bytes()).unwrap();
    format!("{input}.{}", b64::encode(signature))
}

fn no_kids(_: &str) -> Option<PublicKey> {
    None
}

fn verify(
    jwt: &str,
    expect: &ProofExpectations<'_>,
) -> Result<saifu_oid4vc::vci::proof::VerifiedProof, ProofError> {
    verify_jwt_proof(jwt, expect, &no_kids)
}

fn p256() -> PrivateKey {
    PrivateKey::generate(KeyType::P256).unwrap()
}

#[test]
fn valid_jwk_proof_returns_holder_key_and_nonce() {
    let key = p256();
    let proof = verify(&sign(&header(&key), &claims(), &key), &expect()).unwrap();
    assert_eq!(&proof.public_key, key.public_key());
    assert_eq!(proof.nonce.as_deref(), Some(NONCE));
    assert!(matches!(proof.key_reference, KeyReference::Jwk(_)));
}

#[test]
fn kid_is_resolved_by_the_callback() {
    let key = p256();
    let public = key.public_key().clone();
    let header =
        json!({"typ": "openid4vci-proof+jwt", "alg": "ES256", "kid": "did:example:holder#key-1"});
    let resolver = move |kid: &str| (kid == "did:example:holder#key-1").then(|| public.clone());
    let jwt = sign(&header, &claims(), &key);
    let proof = verify_jwt_proof(&jwt, &expect(), &resolver).unwrap();
    assert_eq!(
        proof.key_reference,
        KeyReference::Kid("did:example:holder#key-1".into())
    );
    assert!(matches!(
        verify(&jwt, &expect()).unwrap_err(),
        ProofError::UnresolvedKey(_)
    ));
}

#[test]
fn client_id_binds_iss() {
    let key = p256();
    let mut with_iss = claims();
    with_iss["iss"] = json!("s6BhdRkqt3");
    let jwt = sign(&header(&key), &with_iss, &key);
    let as_client = ProofExpectations {
        client_id: Some("s6BhdRkqt3"),
        ..expect()
    };
    verify(&jwt, &as_client).unwrap();
    // Anonymous access: iss must be absent.
    assert!(matches!(
        verify(&jwt, &expect()).unwrap_err(),
        ProofError::WrongIssuer { .. }
    ));
    let other = ProofExpectations {
        client_id: Some("other"),
        ..expect()
    };
    assert!(matches!(
        verify(&jwt, &other).unwrap_err(),
        ProofError::WrongIssuer { .. }
    ));
    // `iss` is OPTIONAL for a known client (App. F.1).
    let without_iss = sign(&header(&key), &claims(), &key);
    verify(&without_iss, &as_client).unwrap();
}

#[test]
fn wrong_typ() {
    let key = p256();
    let mut header = header(&key);
    header["typ"] = json!("JWT");
    let err = verify(&sign(&header, &claims(), &key), &expect()).unwrap_err();
    assert_eq!(err, ProofError::WrongTyp(Some("JWT".into())));
    assert_eq!(err.error_code(), "invalid_proof");
}

#[test]
fn wrong_audience() {
    let key = p256();
    let mut claims = claims();
    claims["aud"] = json!("https://other.example.com");
    let err = verify(&sign(&header(&key), &claims, &key), &expect()).unwrap_err();
    assert_eq!(
        err,
        ProofError::WrongAudience(Some("https://other.example.com".into()))
    );
}

#[test]
fn iat_window() {
    let key = p256();
    let at = |iat: i64| {
        let mut claims = claims();
        claims["iat"] = json!(iat);
        verify(&sign(&header(&key), &claims, &key), &expect())
    };
    assert_eq!(
        at(NOW - 301).unwrap_err(),
        ProofError::IatTooOld {
            iat: NOW - 301,
            now: NOW
        }
    );
    assert_eq!(
        at(NOW + 61).unwrap_err(),
        ProofError::IatInFuture {
            iat: NOW + 61,
            now: NOW
        }
    );
    at(NOW - 300).unwrap();
    at(NOW + 60).unwrap();
    let mut missing = claims();
    missing.as_object_mut().unwrap().remove("iat");
    assert_eq!(
        verify(&sign(&header(&key), &missing, &key), &expect()).unwrap_err(),
        ProofError::MissingIat
    );
}

#[test]
fn nonce_errors_map_to_invalid_nonce() {
    let key = p256();
    let mut wrong = claims();
    wrong["nonce"] = json!("stale-nonce");
    let err = verify(&sign(&header(&key), &wrong, &key), &expect()).unwrap_err();
    assert_eq!(err, ProofError::WrongNonce);
    assert_eq!(err.error_code(), "invalid_nonce");
    let mut missing = claims();
    missing.as_object_mut().unwrap().remove("nonce");
    let err = verify(&sign(&header(&key), &missing, &key), &expect()).unwrap_err();
    assert_eq!(err, ProofError::MissingNonce);
    assert_eq!(err.error_code(), "invalid_nonce");
    // Without a Nonce Endpoint the proof needs none.
    let no_nonce = ProofExpectations {
        nonce: None,
        ..expect()
    };
    assert_eq!(
        verify(&sign(&header(&key), &missing, &key), &no_nonce)
            .unwrap()
            .nonce,
        None
    );
}

#[test]
fn exactly_one_key_reference() {
    let key = p256();
    let mut both = header(&key);
    both["kid"] = json!("did:example:holder#key-1");
    assert_eq!(
        verify(&sign(&both, &claims(), &key), &expect()).unwrap_err(),
        ProofError::KeyReferenceCount(2)
    );
    let neither = json!({"typ": "openid4vci-proof+jwt", "alg": "ES256"});
    assert_eq!(
        verify(&sign(&neither, &claims(), &key), &expect()).unwrap_err(),
        ProofError::KeyReferenceCount(0)
    );
}

#[test]
fn private_jwk_is_refused() {
    let key = p256();
    let mut header = header(&key);
    header["jwk"] = serde_json::to_value(key.to_jwk()).unwrap();
    assert_eq!(
        verify(&sign(&header, &claims(), &key), &expect()).unwrap_err(),
        ProofError::PrivateJwk
    );
}

#[test]
fn signature_by_another_key() {
    let (named, signer) = (p256(), p256());
    let err = verify(&sign(&header(&named), &claims(), &signer), &expect()).unwrap_err();
    assert!(
        matches!(err, ProofError::Signature(JwsError::Crypto(_))),
        "{err:?}"
    );
    assert_eq!(err.error_code(), "invalid_proof");
}

#[test]
fn alg_none_and_disallowed_algorithms() {
    let key = p256();
    let mut header = header(&key);
    header["alg"] = json!("none");
    let unsigned = format!(
        "{}.{}.",
        b64::encode(header.to_string()),
        b64::encode(claims().to_string())
    );
    assert_eq!(
        verify(&unsigned, &expect()).unwrap_err(),
        ProofError::Signature(JwsError::AlgNone)
    );

    let only_eddsa = [Algorithm::Ed25519];
    let strict = ProofExpectations {
        allowed_algorithms: &only_eddsa,
        ..expect()
    };
    let jwt = sign(&self::header(&key), &claims(), &key);
    assert_eq!(
        verify(&jwt, &strict).unwrap_err(),
        ProofError::Signature(JwsError::AlgorithmNotAllowed(Algorithm::ES256))
    );
}

#[test]
fn not_a_jws() {
    assert!(matches!(
        verify("abc.def", &expect()).unwrap_err(),
        ProofError::Malformed(_)
    ));
}
