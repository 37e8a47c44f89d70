//! JWS: RFC 8037 / RFC 7520 vectors and every rejection path.
//!
//! Vector files used (under `$SAIFU_VECTORS_DIR`):
//! - `jose-cose/ietf-jose-cookbook/curve25519/jws.json` (RFC 8037 A.4, Ed25519)
//! - `jose-cose/ietf-jose-cookbook/jws/4_*.json` (RFC 7520 §4)

mod vectors_support;

use saifu_crypto::jws::{self, JwsError, VerifyPolicy};
use saifu_crypto::{Algorithm, CryptoError, Jwk, KeyType, LocalSigner, PrivateKey, PublicKey, b64};
use serde_json::{Map, Value, json};

const ALL: &[Algorithm] = &Algorithm::ALL;

fn header(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[test]
fn rfc8037_ed25519_jws_is_reproduced_and_verified_in_all_serializations() {
    let v = vectors_support::read_json("jose-cose/ietf-jose-cookbook/curve25519/jws.json");
    let jwk: Jwk = serde_json::from_value(v["input"]["key"].clone()).unwrap();
    let key = PrivateKey::from_jwk(&jwk).unwrap();
    // Ed25519 is deterministic: signing the signing input must give exactly the vector's signature.
    let sig = key
        .sign(
            Algorithm::EdDSA,
            v["signing"]["sig-input"].as_str().unwrap().as_bytes(),
        )
        .unwrap();
    assert_eq!(b64::encode(sig), v["signing"]["sig"].as_str().unwrap());

    let public = PublicKey::from_jwk(&jwk.to_public()).unwrap();
    let compact = v["output"]["compact"].as_str().unwrap();
    let decoded =
        jws::verify_compact(compact, &public, &VerifyPolicy::new(&[Algorithm::EdDSA])).unwrap();
    assert_eq!(
        decoded.payload,
        v["input"]["payload"].as_str().unwrap().as_bytes()
    );
    assert_eq!(decoded.alg(), "EdDSA");
    assert_eq!(
        decoded.signing_input(),
        v["signing"]["sig-input"].as_str().unwrap().as_bytes()
    );

    for form in ["json", "json_flat"] {
        let text = v["output"][form].to_string();
        let all = jws::decode_json(&text, jws::DEFAULT_MAX_LEN).unwrap();
        assert_eq!(all.len(), 1);
        all[0]
            .verify(&public, &VerifyPolicy::new(&[Algorithm::EdDSA]))
            .unwrap();
    }
}

#[test]
fn rfc7520_section4_cases_parse_and_their_algorithms_are_refused() {
    // RFC 7520 §4 uses RS256, PS384, ES512 (P-521) and HS256 — none of which saifu accepts
    // (no RSA, no P-521, never HMAC with public keys). The parser must reproduce the signing input
    // exactly, and verification must refuse with "unsupported algorithm" (or "alg not protected"
    // for §4.7, whose `alg` sits only in the unprotected header).
    let mut seen = 0;
    for file in vectors_support::json_files("jose-cose/ietf-jose-cookbook/jws") {
        let v = vectors_support::read_json(&file);
        let name = file.rsplit('/').next().unwrap().to_owned();
        let dummy = PrivateKey::generate(KeyType::Ed25519).unwrap();
        let policy = VerifyPolicy::new(ALL);
        let outputs = v["output"].as_object().unwrap();
        if let Some(compact) = outputs.get("compact").and_then(Value::as_str) {
            let d = if name.starts_with("4_5") {
                // §4.5 detaches the payload: the compact form carries an empty payload part.
                let payload = v["input"]["payload"].as_str().unwrap().as_bytes();
                jws::decode_compact_detached(compact, payload, jws::DEFAULT_MAX_LEN).unwrap()
            } else {
                jws::decode_compact(compact, jws::DEFAULT_MAX_LEN).unwrap()
            };
            if let Some(input) = v["signing"]["sig-input"].as_str() {
                assert_eq!(d.signing_input(), input.as_bytes(), "{name}");
            }
            assert!(
                matches!(
                    d.verify(dummy.public_key(), &policy),
                    Err(JwsError::UnsupportedAlgorithm(_))
                ),
                "{name}"
            );
        }
        for form in ["json", "json_flat"] {
            let Some(json) = outputs.get(form) else {
                continue;
            };
            if name.starts_with("4_5") {
                // Detached JSON forms have no `payload` member: not a JWS we can check on its own.
                assert!(matches!(
                    jws::decode_json(&json.to_string(), jws::DEFAULT_MAX_LEN),
                    Err(JwsError::Malformed(_))
                ));
                continue;
            }
            match jws::decode_json(&json.to_string(), jws::DEFAULT_MAX_LEN) {
                Ok(all) => {
                    for d in all {
                        assert!(
                            matches!(
                                d.verify(dummy.public_key(), &policy),
                                Err(JwsError::UnsupportedAlgorithm(_))
                            ),
                            "{name} {form}"
                        );
                    }
                }
                Err(e) => assert_eq!(e, JwsError::MissingAlgorithm, "{name} {form}"),
            }
        }
        seen += 1;
    }
    assert_eq!(seen, 8, "expected the eight RFC 7520 §4 files");
}

#[tokio::test]
async fn sign_and_verify_every_algorithm_in_compact_and_flattened_form() {
    for kt in KeyType::SIGNING {
        let signer = LocalSigner::new(PrivateKey::generate(kt).unwrap())
            .unwrap()
            .with_key_id("did:example:123#k1");
        let alg = kt.default_algorithm().unwrap();
        let token = jws::sign_compact(
            &header(json!({"typ": "example+jwt"})),
            b"{\"a\":1}",
            &signer,
        )
        .await
        .unwrap();
        let key = signer.private_key().public_key();
        let d = jws::verify_compact(&token, key, &VerifyPolicy::new(&[alg])).unwrap();
        assert_eq!(d.payload, b"{\"a\":1}");
        assert_eq!(d.alg(), alg.jose_name());
        assert_eq!(d.kid(), Some("did:example:123#k1"));
        assert_eq!(d.typ(), Some("example+jwt"));

        let flat = jws::sign_flattened(
            &Map::new(),
            Some(header(json!({"note": "x"}))),
            b"p",
            &signer,
        )
        .await
        .unwrap();
        let text = serde_json::to_string(&flat).unwrap();
        let all = jws::decode_json(&text, jws::DEFAULT_MAX_LEN).unwrap();
        assert_eq!(
            all[0].verify(key, &VerifyPolicy::new(&[alg])).unwrap(),
            b"p"
        );
        assert_eq!(all[0].unprotected_str("note"), Some("x"));
        assert_eq!(all[0].protected_str("note"), None);
    }
}

#[tokio::test]
async fn flattened_signing_refuses_a_header_in_both_places() {
    let signer = LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap()).unwrap();
    let err = jws::sign_flattened(
        &header(json!({"typ": "a"})),
        Some(header(json!({"typ": "b"}))),
        b"p",
        &signer,
    )
    .await
    .unwrap_err();
    assert_eq!(err, JwsError::DuplicateHeader("typ".into()));
    let err = jws::sign_flattened(
        &Map::new(),
        Some(header(json!({"alg": "none"}))),
        b"p",
        &signer,
    )
    .await
    .unwrap_err();
    assert_eq!(err, JwsError::DuplicateHeader("alg".into()));
}

#[tokio::test]
async fn legacy_eddsa_name_can_be_emitted_on_request() {
    let signer = LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap())
        .unwrap()
        .with_algorithm(Algorithm::EdDSA)
        .unwrap();
    let token = jws::sign_compact(&Map::new(), b"x", &signer).await.unwrap();
    let d = jws::verify_compact(
        &token,
        signer.private_key().public_key(),
        &VerifyPolicy::new(&[Algorithm::EdDSA]),
    )
    .unwrap();
    assert_eq!(d.alg(), "EdDSA");
}

/// Builds a compact JWS with an arbitrary protected header and signature bytes.
fn forge(header: Value, payload: &[u8], sig: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64::encode(header.to_string()),
        b64::encode(payload),
        b64::encode(sig)
    )
}

async fn ed25519_token() -> (String, PublicKey) {
    let signer = LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap()).unwrap();
    let token = jws::sign_compact(&Map::new(), b"payload", &signer)
        .await
        .unwrap();
    (token, signer.private_key().public_key().clone())
}

#[tokio::test]
async fn alg_none_is_rejected() {
    let (_, key) = ed25519_token().await;
    for none in ["none", "None", "NONE"] {
        let token = forge(json!({"alg": none}), b"payload", b"");
        let err = jws::verify_compact(&token, &key, &VerifyPolicy::new(ALL)).unwrap_err();
        assert_eq!(err, JwsError::AlgNone);
    }
}

#[tokio::test]
async fn es256_header_over_ed25519_key_is_rejected() {
    let (token, key) = ed25519_token().await;
    let sig = token.rsplit('.').next().unwrap();
    let forged = forge(
        json!({"alg": "ES256"}),
        b"payload",
        &b64::decode(sig, "sig").unwrap(),
    );
    let err = jws::verify_compact(&forged, &key, &VerifyPolicy::new(ALL)).unwrap_err();
    assert_eq!(
        err,
        JwsError::Crypto(CryptoError::AlgorithmKeyMismatch {
            alg: Algorithm::ES256,
            key_type: KeyType::Ed25519
        })
    );
}

#[tokio::test]
async fn hmac_is_never_accepted() {
    let (_, key) = ed25519_token().await;
    let token = forge(json!({"alg": "HS256"}), b"payload", &[0; 32]);
    assert_eq!(
        jws::verify_compact(&token, &key, &VerifyPolicy::new(ALL)).unwrap_err(),
        JwsError::UnsupportedAlgorithm("HS256".into())
    );
}

#[tokio::test]
async fn algorithm_outside_allow_list_is_rejected() {
    let (token, key) = ed25519_token().await;
    assert_eq!(
        jws::verify_compact(&token, &key, &VerifyPolicy::new(&[Algorithm::ES256])).unwrap_err(),
        JwsError::AlgorithmNotAllowed(Algorithm::Ed25519)
    );
}

#[tokio::test]
async fn tampered_payload_and_signature_are_rejected() {
    let (token, key) = ed25519_token().await;
    let parts: Vec<&str> = token.split('.').collect();
    let tampered_payload = format!("{}.{}.{}", parts[0], b64::encode("payloaD"), parts[2]);
    assert_eq!(
        jws::verify_compact(&tampered_payload, &key, &VerifyPolicy::new(ALL)).unwrap_err(),
        JwsError::Crypto(CryptoError::BadSignature)
    );
    let mut sig = b64::decode(parts[2], "sig").unwrap();
    sig[10] ^= 0x01;
    let tampered_sig = format!("{}.{}.{}", parts[0], parts[1], b64::encode(&sig));
    assert_eq!(
        jws::verify_compact(&tampered_sig, &key, &VerifyPolicy::new(ALL)).unwrap_err(),
        JwsError::Crypto(CryptoError::BadSignature)
    );
}

#[tokio::test]
async fn truncated_signature_is_rejected() {
    let (token, key) = ed25519_token().await;
    let parts: Vec<&str> = token.split('.').collect();
    let sig = b64::decode(parts[2], "sig").unwrap();
    let truncated = format!("{}.{}.{}", parts[0], parts[1], b64::encode(&sig[..40]));
    assert!(matches!(
        jws::verify_compact(&truncated, &key, &VerifyPolicy::new(ALL)).unwrap_err(),
        JwsError::Crypto(CryptoError::MalformedSignature {
            alg: Algorithm::Ed25519,
            ..
        })
    ));
}

#[tokio::test]
async fn oversized_token_is_rejected_before_parsing() {
    let (_, key) = ed25519_token().await;
    let huge = "a".repeat(jws::DEFAULT_MAX_LEN + 1);
    assert_eq!(
        jws::verify_compact(&huge, &key, &VerifyPolicy::new(ALL)).unwrap_err(),
        JwsError::TooLarge {
            limit: jws::DEFAULT_MAX_LEN,
            actual: jws::DEFAULT_MAX_LEN + 1
        }
    );
    assert!(matches!(
        jws::decode_json(&huge, 1000),
        Err(JwsError::TooLarge { limit: 1000, .. })
    ));
}

#[tokio::test]
async fn unknown_crit_is_rejected_and_understood_crit_accepted() {
    let signer = LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap()).unwrap();
    let key = signer.private_key().public_key();
    let h = header(json!({"crit": ["exp_ext"], "exp_ext": 1}));
    let token = jws::sign_compact(&h, b"x", &signer).await.unwrap();
    assert_eq!(
        jws::verify_compact(&token, key, &VerifyPolicy::new(ALL)).unwrap_err(),
        JwsError::UnknownCritical("exp_ext".into())
    );
    let policy = VerifyPolicy {
        understood_critical: &["exp_ext"],
        ..VerifyPolicy::new(ALL)
    };
    jws::verify_compact(&token, key, &policy).unwrap();

    // crit naming a registered header, naming an absent header, or empty: all refused.
    for bad in [
        json!({"crit": ["alg"]}),
        json!({"crit": ["missing"]}),
        json!({"crit": []}),
    ] {
        let token = jws::sign_compact(&header(bad), b"x", &signer)
            .await
            .unwrap();
        let policy = VerifyPolicy {
            understood_critical: &["alg", "missing"],
            ..VerifyPolicy::new(ALL)
        };
        assert!(matches!(
            jws::verify_compact(&token, key, &policy),
            Err(JwsError::UnknownCritical(_))
        ));
    }
}

#[test]
fn malformed_structures_are_rejected_with_specific_errors() {
    let key = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let p = VerifyPolicy::new(ALL);
    let v = |t: &str| jws::verify_compact(t, key.public_key(), &p).unwrap_err();
    assert!(matches!(v("a.b"), JwsError::Malformed(_)));
    assert!(matches!(v("a.b.c.d"), JwsError::Malformed(_)));
    assert_eq!(v("*.e30.AA"), JwsError::Base64("protected header"));
    assert_eq!(v(&format!("{}.e30.AA", b64::encode("[1]"))), JwsError::Malformed("protected header is not a JSON object: invalid type: sequence, expected a JSON object at line 1 column 0".into()));
    assert_eq!(
        v(&format!("{}.e30.AA", b64::encode("{}"))),
        JwsError::MissingAlgorithm
    );
    assert_eq!(
        v(&format!("{}.*.AA", b64::encode(r#"{"alg":"Ed25519"}"#))),
        JwsError::Base64("payload")
    );
    // Padded base64 is not base64url-without-padding.
    assert_eq!(
        v(&format!("{}.e30=.AA", b64::encode(r#"{"alg":"Ed25519"}"#))),
        JwsError::Base64("payload")
    );
    assert_eq!(
        v(&format!(
            "{}.e30.AA",
            b64::encode(r#"{"alg":"Ed25519","alg":"none"}"#)
        )),
        JwsError::DuplicateHeader("alg".into())
    );
    // A header member repeated in the unprotected header of the JSON serialization.
    let json = json!({"payload": "e30", "protected": b64::encode(r#"{"alg":"Ed25519"}"#), "header": {"alg": "none"}, "signature": "AA"});
    assert_eq!(
        jws::decode_json(&json.to_string(), 10_000).unwrap_err(),
        JwsError::DuplicateHeader("alg".into())
    );
    assert!(matches!(
        jws::decode_json(r#"{"payload":"e30","signatures":[]}"#, 10_000),
        Err(JwsError::Malformed(_))
    ));
}
