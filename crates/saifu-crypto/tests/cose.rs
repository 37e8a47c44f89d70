//! COSE_Sign1, COSE_Key and signed CWTs against the COSE WG example set, plus saifu's own
//! algorithms and every policy rejection with its specific error.
//!
//! Vector files used (under `SAIFU_VECTORS_DIR`, folder `jose-cose/cose-wg-examples/`):
//! - `sign1-tests/*.json`, `ecdsa-examples/ecdsa-sig-*.json`, `eddsa-examples/eddsa-sig-*.json`
//!   (COSE_Sign1), `ecdsa-examples/ecdsa-0*.json`, `eddsa-examples/eddsa-0*.json` (COSE_Sign)
//! - `CWT/A_3.json` … `CWT/A_7.json` (RFC 8392 Appendix A)
//! - `ecdh-direct-examples/p256-hkdf-256-01.json`, `X25519-tests/x25519-hkdf-256-direct.json`
//!   (their ephemeral COSE_Keys)

mod vectors_support;

use ciborium::Value as Cbor;
use saifu_crypto::cose::{
    self, ContentType, CoseError, CoseSign1, Header, Label, SignOptions, VerifyOptions, label,
};
use saifu_crypto::cwt;
use saifu_crypto::{Algorithm, CryptoError, Jwk, KeyType, LocalSigner, PrivateKey, PublicKey, b64};
use serde_json::Value;
use vectors_support::{json_files, read_json};

const WG: &str = "jose-cose/cose-wg-examples";

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("vector hex")
}

fn cbor(bytes: &[u8]) -> Cbor {
    ciborium::from_reader(bytes).expect("CBOR")
}

fn to_cbor_bytes(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).unwrap();
    out
}

/// A COSE WG key object as a JWK: `*_hex` members become base64url members.
fn wg_jwk(key: &Value) -> Jwk {
    let members = key
        .as_object()
        .expect("key object")
        .iter()
        .map(|(name, v)| match name.strip_suffix("_hex") {
            Some(base) => (
                base.to_owned(),
                Value::String(b64::encode(unhex(v.as_str().unwrap()))),
            ),
            None => (name.clone(), v.clone()),
        });
    serde_json::from_value(Value::Object(members.collect())).expect("JWK shape")
}

fn wg_public_key(key: &Value) -> Result<PublicKey, CryptoError> {
    PublicKey::from_jwk(&wg_jwk(key))
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

fn unsupported(alg: &str) -> CoseError {
    CoseError::Crypto(CryptoError::UnsupportedAlgorithm(alg.into()))
}

/// What a COSE WG Sign1 case must do under saifu's rules.
enum Expect {
    /// Decodes, matches `ToBeSign_hex`, and verifies.
    Verifies,
    /// The signature is valid over the published ToBeSign, but saifu's policy refuses the message.
    RefusedByPolicy(CoseError),
    /// Decoding fails.
    DecodeFails(CoseError),
    /// Decoding succeeds; verification fails.
    VerifyFails(CoseError),
    /// The signing key itself is of a type saifu does not implement.
    KeyUnsupported(CryptoError),
}

/// Every Sign1 file in the three folders must be listed, so a new vector cannot go unchecked.
fn expectation(name: &str) -> Expect {
    match name {
        "sign-pass-02" | "sign-pass-03" | "ecdsa-sig-01" | "eddsa-sig-01" => Expect::Verifies,
        // RFC 9052 §3.1: `alg` must be authenticated; this case puts it in the unprotected bucket.
        "sign-pass-01" => Expect::RefusedByPolicy(CoseError::AlgorithmNotProtected),
        "sign-fail-01" => Expect::DecodeFails(CoseError::UnexpectedTag(998)),
        "sign-fail-02" | "sign-fail-06" | "sign-fail-07" => {
            Expect::VerifyFails(CoseError::Crypto(CryptoError::BadSignature))
        }
        "sign-fail-03" => Expect::VerifyFails(unsupported("-999")),
        "sign-fail-04" => Expect::VerifyFails(unsupported("unknown")),
        "ecdsa-sig-02" => Expect::VerifyFails(unsupported("-35")),
        "ecdsa-sig-03" | "ecdsa-sig-04" => Expect::VerifyFails(unsupported("-36")),
        "eddsa-sig-02" => {
            Expect::KeyUnsupported(CryptoError::UnsupportedKeyType("OKP Ed448".into()))
        }
        other => panic!("no expectation written for COSE WG case {other}"),
    }
}

fn sign1_cases() -> Vec<(String, Value)> {
    ["sign1-tests", "ecdsa-examples", "eddsa-examples"]
        .iter()
        .flat_map(|dir| json_files(&format!("{WG}/{dir}")))
        .map(|file| (file.clone(), read_json(&file)))
        .filter(|(_, v)| v["input"]["sign0"].is_object())
        .collect()
}

fn stem(file: &str) -> &str {
    file.rsplit('/').next().unwrap().trim_end_matches(".json")
}

#[test]
fn cose_wg_sign1_examples() {
    let cases = sign1_cases();
    assert_eq!(cases.len(), 15, "9 sign1-tests + 4 ecdsa-sig + 2 eddsa-sig");
    // Stand-in verifier for cases whose key saifu cannot import: the algorithm check comes first.
    let stand_in = PrivateKey::generate(KeyType::P256)
        .unwrap()
        .public_key()
        .clone();
    for (file, v) in &cases {
        let sign0 = &v["input"]["sign0"];
        let external = unhex(sign0["external"].as_str().unwrap_or(""));
        let opts = VerifyOptions {
            external_aad: &external,
            ..VerifyOptions::new(&Algorithm::ALL)
        };
        let bytes = unhex(v["output"]["cbor"].as_str().unwrap());
        let key = wg_public_key(&sign0["key"]);
        if let Err(e) = &key {
            assert!(
                matches!(e, CryptoError::UnsupportedKeyType(_)),
                "{file}: {e}"
            );
        }
        let decoded = CoseSign1::from_slice(&bytes);
        if v["fail"] != Value::Bool(true) {
            let msg = decoded.as_ref().unwrap_or_else(|e| panic!("{file}: {e}"));
            let tbs = msg.tbs_data(&external, None).unwrap();
            let expected = unhex(v["intermediates"]["ToBeSign_hex"].as_str().unwrap());
            assert_eq!(tbs, expected, "{file}: Sig_structure");
        }
        match expectation(stem(file)) {
            Expect::Verifies => {
                let msg = decoded.unwrap();
                assert!(msg.verify(&key.unwrap(), &opts).is_ok(), "{file}");
            }
            Expect::RefusedByPolicy(err) => {
                let msg = decoded.unwrap();
                let key = key.unwrap();
                let alg = Algorithm::from_cose_id(-7).unwrap();
                key.verify(
                    alg,
                    &msg.tbs_data(&external, None).unwrap(),
                    msg.signature(),
                )
                .unwrap_or_else(|e| panic!("{file}: the raw signature should be valid: {e}"));
                assert_eq!(msg.verify(&key, &opts).unwrap_err(), err, "{file}");
            }
            Expect::DecodeFails(err) => assert_eq!(decoded.unwrap_err(), err, "{file}"),
            Expect::VerifyFails(err) => {
                let verifier = key.unwrap_or_else(|_| stand_in.clone());
                assert_eq!(
                    decoded.unwrap().verify(&verifier, &opts).unwrap_err(),
                    err,
                    "{file}"
                );
            }
            Expect::KeyUnsupported(err) => assert_eq!(key.unwrap_err(), err, "{file}"),
        }
    }
}

/// sign-pass-02 binds external AAD: without it the signature must not verify.
#[test]
fn cose_wg_external_aad_is_bound() {
    let v = read_json(&format!("{WG}/sign1-tests/sign-pass-02.json"));
    let msg = CoseSign1::from_slice(&unhex(v["output"]["cbor"].as_str().unwrap())).unwrap();
    let key = wg_public_key(&v["input"]["sign0"]["key"]).unwrap();
    assert_eq!(
        msg.verify(&key, &VerifyOptions::new(&[Algorithm::ES256]))
            .unwrap_err(),
        CoseError::Crypto(CryptoError::BadSignature)
    );
}

/// eddsa-sig-01 is deterministic: signing its ToBeSign reproduces the signature, and signing the
/// payload through `sign1` with the same headers reproduces the whole message byte for byte.
#[test]
fn cose_wg_eddsa_sign1_is_reproduced_exactly() {
    let v = read_json(&format!("{WG}/eddsa-examples/eddsa-sig-01.json"));
    let key = PrivateKey::from_jwk(&wg_jwk(&v["input"]["sign0"]["key"])).unwrap();
    let expected = unhex(v["output"]["cbor"].as_str().unwrap());
    let tbs = unhex(v["intermediates"]["ToBeSign_hex"].as_str().unwrap());
    let published = CoseSign1::from_slice(&expected).unwrap();
    assert_eq!(
        key.sign(Algorithm::EdDSA, &tbs).unwrap(),
        published.signature()
    );

    let signer = LocalSigner::new(key)
        .unwrap()
        .with_algorithm(Algorithm::EdDSA)
        .unwrap();
    let mut unprotected = Header::new();
    unprotected
        .insert(Label::Int(label::KID), Cbor::Bytes(b"11".to_vec()))
        .unwrap();
    let opts = SignOptions {
        content_type: Some(ContentType::Format(0)),
        unprotected,
        ..Default::default()
    };
    let ours = block_on(cose::sign1(
        &signer,
        v["input"]["plaintext"].as_str().unwrap().as_bytes(),
        opts,
    ))
    .unwrap();
    assert_eq!(ours.tbs_data(&[], None).unwrap(), tbs);
    assert_eq!(ours.to_vec(), expected);
}

/// The multi-signer COSE_Sign examples are not COSE_Sign1: the decoder refuses tag 98. Their
/// per-signer ToBeSign still checks the primitives: Ed25519 signatures are reproduced exactly,
/// the ES256 one verifies, and the others use curves or hashes saifu does not implement.
#[test]
fn cose_wg_cose_sign_examples() {
    let files: Vec<String> = ["ecdsa-examples", "eddsa-examples"]
        .iter()
        .flat_map(|dir| json_files(&format!("{WG}/{dir}")))
        .filter(|f| read_json(f)["input"]["sign"].is_object())
        .collect();
    assert_eq!(files.len(), 6);
    for file in &files {
        let v = read_json(file);
        let bytes = unhex(v["output"]["cbor"].as_str().unwrap());
        assert_eq!(
            CoseSign1::from_slice(&bytes).unwrap_err(),
            CoseError::UnexpectedTag(98),
            "{file}"
        );

        let Cbor::Tag(98, body) = cbor(&bytes) else {
            panic!("{file}: COSE_Sign")
        };
        let signers = body.into_array().unwrap().remove(3).into_array().unwrap();
        let signer = signers.into_iter().next().unwrap().into_array().unwrap();
        let signature = signer[2].as_bytes().unwrap().clone();
        let tbs = unhex(
            v["intermediates"]["signers"][0]["ToBeSign_hex"]
                .as_str()
                .unwrap(),
        );
        let alg_id = i64::try_from(
            cbor(signer[0].as_bytes().unwrap()).into_map().unwrap()[0]
                .1
                .as_integer()
                .unwrap(),
        )
        .unwrap();
        let jwk = wg_jwk(&v["input"]["sign"]["signers"][0]["key"]);
        match (PrivateKey::from_jwk(&jwk), Algorithm::from_cose_id(alg_id)) {
            (Ok(key), Ok(Algorithm::EdDSA)) => assert_eq!(
                key.sign(Algorithm::EdDSA, &tbs).unwrap(),
                signature,
                "{file}"
            ),
            (Ok(key), Ok(Algorithm::ES256)) => key
                .public_key()
                .verify(Algorithm::ES256, &tbs, &signature)
                .unwrap(),
            (key, alg) => assert!(
                key.is_err() || alg.is_err(),
                "{file} should use an unsupported curve or algorithm"
            ),
        }
    }
}

/// The ephemeral keys of two COSE WG ECDH examples are COSE_Keys made from `rng_stream[0]`:
/// ours must encode byte for byte the same and decode to the same key.
#[test]
fn cose_wg_cose_key_encoding() {
    for (file, key_type) in [
        ("ecdh-direct-examples/p256-hkdf-256-01.json", KeyType::P256),
        ("X25519-tests/x25519-hkdf-256-direct.json", KeyType::X25519),
    ] {
        let v = read_json(&format!("{WG}/{file}"));
        let secret = unhex(v["input"]["rng_stream"][0].as_str().unwrap());
        let ours = PrivateKey::from_secret_bytes(key_type, &secret)
            .unwrap()
            .public_key()
            .clone();

        let message = cbor(&unhex(v["output"]["cbor"].as_str().unwrap()));
        let Cbor::Tag(96, body) = message else {
            panic!("{file}: COSE_Encrypt")
        };
        let recipient = body
            .into_array()
            .unwrap()
            .remove(3)
            .into_array()
            .unwrap()
            .remove(0)
            .into_array()
            .unwrap();
        let unprotected = recipient[1].as_map().unwrap();
        let epk = unprotected
            .iter()
            .find(|(k, _)| *k == Cbor::Integer((-1).into()))
            .unwrap()
            .1
            .clone();

        assert_eq!(cose::key::to_vec(&ours), to_cbor_bytes(&epk), "{file}");
        assert_eq!(cose::key::from_value(epk).unwrap(), ours, "{file}");
    }
}

fn a3_key() -> PublicKey {
    wg_public_key(&read_json(&format!("{WG}/CWT/A_3.json"))["input"]["sign0"]["key"]).unwrap()
}

/// RFC 8392 A.3: a CWT signed with ES256; its claims (A.1) decode and re-encode byte-exact.
#[test]
fn cwt_a3_signed_with_es256() {
    let v = read_json(&format!("{WG}/CWT/A_3.json"));
    let bytes = unhex(v["output"]["cbor"].as_str().unwrap());
    let message = cwt::decode(&bytes).unwrap();
    let expected_tbs = unhex(v["intermediates"]["ToBeSign_hex"].as_str().unwrap());
    assert_eq!(message.tbs_data(&[], None).unwrap(), expected_tbs);

    let iat = 1_443_944_944;
    let claims = cwt::verify(
        &message,
        &a3_key(),
        &VerifyOptions::new(&[Algorithm::ES256]),
        iat,
        0,
    )
    .unwrap();
    assert_eq!(claims.iss.as_deref(), Some("coap://as.example.com"));
    assert_eq!(claims.sub.as_deref(), Some("erikw"));
    assert_eq!(claims.aud.as_deref(), Some("coap://light.example.com"));
    assert_eq!(
        (claims.exp, claims.nbf, claims.iat),
        (Some(1_444_064_944), Some(iat), Some(iat))
    );
    assert_eq!(claims.cti.as_deref(), Some(&[0x0b, 0x71][..]));
    assert_eq!(
        claims.to_vec(),
        unhex(v["input"]["plaintext_hex"].as_str().unwrap())
    );

    // RFC 8392 §6: the same message behind the CWT tag 61.
    let mut tagged = vec![0xd8, 0x3d];
    tagged.extend_from_slice(&bytes);
    assert_eq!(cwt::decode(&tagged).unwrap(), message);
}

#[test]
fn cwt_a3_time_checks() {
    let v = read_json(&format!("{WG}/CWT/A_3.json"));
    let message = cwt::decode(&unhex(v["output"]["cbor"].as_str().unwrap())).unwrap();
    let opts = VerifyOptions::new(&[Algorithm::ES256]);
    let (nbf, exp) = (1_443_944_944, 1_444_064_944);
    assert_eq!(
        cwt::verify(&message, &a3_key(), &opts, exp, 0).unwrap_err(),
        cwt::CwtError::Expired { exp, now: exp }
    );
    assert_eq!(
        cwt::verify(&message, &a3_key(), &opts, nbf - 61, 60).unwrap_err(),
        cwt::CwtError::NotYetValid { nbf, now: nbf - 61 }
    );
    assert!(cwt::verify(&message, &a3_key(), &opts, nbf - 60, 60).is_ok());
    assert_eq!(
        cwt::verify(
            &message,
            &a3_key(),
            &VerifyOptions::new(&[Algorithm::Ed25519]),
            nbf,
            0
        )
        .unwrap_err(),
        cwt::CwtError::Cose(CoseError::AlgorithmNotAllowed(Algorithm::ES256))
    );
}

/// A.4 and A.7 are MACed (COSE_Mac0, tag 17), A.5 and A.6 encrypted (COSE_Encrypt0, tag 16):
/// not signed CWTs, refused by tag. A.7's claims carry a floating-point `iat`, which decodes.
#[test]
fn cwt_mac_and_encrypt_examples() {
    for (file, tag) in [("A_4", 17), ("A_5", 16), ("A_6", 16), ("A_7", 17)] {
        let v = read_json(&format!("{WG}/CWT/{file}.json"));
        let bytes = unhex(v["output"]["cbor"].as_str().unwrap());
        assert_eq!(
            cwt::decode(&bytes).unwrap_err(),
            cwt::CwtError::Cose(CoseError::UnexpectedTag(tag)),
            "{file}"
        );
    }
    let a7 = read_json(&format!("{WG}/CWT/A_7.json"));
    let claims =
        cwt::Claims::from_slice(&unhex(a7["input"]["plaintext_hex"].as_str().unwrap())).unwrap();
    assert_eq!(claims.iat, Some(1_443_944_944), "1443944944.5 rounds down");
}

fn signer(key_type: KeyType) -> LocalSigner {
    LocalSigner::new(PrivateKey::generate(key_type).unwrap()).unwrap()
}

fn sign(signer: &LocalSigner, payload: &[u8], opts: SignOptions<'_>) -> CoseSign1 {
    block_on(cose::sign1(signer, payload, opts)).unwrap()
}

#[test]
fn every_algorithm_round_trips() {
    let mut signers: Vec<LocalSigner> = [
        KeyType::Ed25519,
        KeyType::P256,
        KeyType::Secp256k1,
        KeyType::MlDsa44,
        KeyType::MlDsa65,
    ]
    .into_iter()
    .map(signer)
    .collect();
    signers.push(
        signer(KeyType::Ed25519)
            .with_algorithm(Algorithm::EdDSA)
            .unwrap(),
    );
    for s in &signers {
        let alg = saifu_crypto::Signer::algorithm(s);
        let msg = sign(s, b"payload", SignOptions::default());
        assert_eq!(msg.protected().algorithm().unwrap(), Some(alg));
        let decoded = CoseSign1::from_slice(&msg.to_vec()).unwrap();
        assert_eq!(decoded, msg);
        let untagged = CoseSign1::from_slice(&to_cbor_bytes(&msg.to_value())).unwrap();
        let public = s.private_key().public_key();
        for m in [&decoded, &untagged] {
            assert_eq!(m.verify(public, &VerifyOptions::new(&[alg])).unwrap(), alg);
        }
        // The Sig_structure exposed is what was signed.
        public
            .verify(alg, &msg.tbs_data(&[], None).unwrap(), msg.signature())
            .unwrap();
    }
}

#[test]
fn signing_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let s = signer(KeyType::Ed25519);
    let fut = cose::sign1(&s, b"p", SignOptions::default());
    assert_send(&fut);
    block_on(fut).unwrap();
    let claims = cwt::Claims::new();
    let fut = cwt::sign(&s, &claims, SignOptions::default());
    assert_send(&fut);
    block_on(fut).unwrap();
}

#[test]
fn emits_tag_18_and_protected_alg_kid_content_type() {
    let s = signer(KeyType::Ed25519).with_key_id("did:example:issuer#key-1");
    let opts = SignOptions {
        content_type: Some(ContentType::Media("application/vc+cose".into())),
        ..Default::default()
    };
    let msg = sign(&s, b"{}", opts);
    assert_eq!(&msg.to_vec()[..1], &[0xd2], "tag 18");
    let protected = msg.protected();
    assert_eq!(protected.algorithm().unwrap(), Some(Algorithm::Ed25519));
    assert_eq!(
        protected.key_id().unwrap(),
        Some(&b"did:example:issuer#key-1"[..])
    );
    assert_eq!(
        protected.content_type().unwrap(),
        Some(ContentType::Media("application/vc+cose".into()))
    );
    let labels: Vec<Label> = protected.iter().map(|(l, _)| l.clone()).collect();
    assert_eq!(labels, [Label::Int(1), Label::Int(3), Label::Int(4)]);
    assert!(msg.unprotected().is_empty());
}

#[test]
fn detached_payload_and_external_aad() {
    let s = signer(KeyType::P256);
    let public = s.private_key().public_key();
    let opts = SignOptions {
        detached: true,
        external_aad: b"session transcript",
        ..Default::default()
    };
    let msg = sign(&s, b"device authentication", opts);
    assert_eq!(msg.payload(), None);
    let decoded = CoseSign1::from_slice(&msg.to_vec()).unwrap();
    let good = VerifyOptions {
        external_aad: b"session transcript",
        detached_payload: Some(b"device authentication"),
        ..VerifyOptions::new(&[Algorithm::ES256])
    };
    decoded.verify(public, &good).unwrap();
    let no_payload = VerifyOptions {
        detached_payload: None,
        ..good
    };
    assert_eq!(
        decoded.verify(public, &no_payload).unwrap_err(),
        CoseError::MissingPayload
    );
    let other_payload = VerifyOptions {
        detached_payload: Some(b"other"),
        ..good
    };
    assert_eq!(
        decoded.verify(public, &other_payload).unwrap_err(),
        CoseError::Crypto(CryptoError::BadSignature)
    );
    let no_aad = VerifyOptions {
        external_aad: &[],
        ..good
    };
    assert_eq!(
        decoded.verify(public, &no_aad).unwrap_err(),
        CoseError::Crypto(CryptoError::BadSignature)
    );

    let embedded = sign(&s, b"x", SignOptions::default());
    let extra = VerifyOptions {
        detached_payload: Some(b"x"),
        ..VerifyOptions::new(&[Algorithm::ES256])
    };
    assert_eq!(
        embedded.verify(public, &extra).unwrap_err(),
        CoseError::UnexpectedDetachedPayload
    );
}

#[test]
fn allow_list_and_key_binding() {
    let s = signer(KeyType::Ed25519);
    let msg = sign(&s, b"p", SignOptions::default());
    let public = s.private_key().public_key();
    assert_eq!(
        msg.verify(
            public,
            &VerifyOptions::new(&[Algorithm::ES256, Algorithm::EdDSA])
        )
        .unwrap_err(),
        CoseError::AlgorithmNotAllowed(Algorithm::Ed25519)
    );
    let p256 = PrivateKey::generate(KeyType::P256).unwrap();
    assert_eq!(
        msg.verify(p256.public_key(), &VerifyOptions::new(&Algorithm::ALL))
            .unwrap_err(),
        CoseError::Crypto(CryptoError::AlgorithmKeyMismatch {
            alg: Algorithm::Ed25519,
            key_type: KeyType::P256
        })
    );
    let other = PrivateKey::generate(KeyType::Ed25519).unwrap();
    assert_eq!(
        msg.verify(other.public_key(), &VerifyOptions::new(&Algorithm::ALL))
            .unwrap_err(),
        CoseError::Crypto(CryptoError::BadSignature)
    );
}

/// Builds a COSE_Sign1 by hand (independently of the module under test) with the given
/// protected map, signed by `key` under `alg`.
fn hand_made(key: &PrivateKey, alg: Algorithm, protected: Cbor, unprotected: Cbor) -> Vec<u8> {
    let protected = to_cbor_bytes(&protected);
    let payload = b"hand made".to_vec();
    let tbs = to_cbor_bytes(&Cbor::Array(vec![
        Cbor::Text("Signature1".into()),
        Cbor::Bytes(protected.clone()),
        Cbor::Bytes(vec![]),
        Cbor::Bytes(payload.clone()),
    ]));
    let signature = key.sign(alg, &tbs).unwrap();
    to_cbor_bytes(&Cbor::Tag(
        18,
        Box::new(Cbor::Array(vec![
            Cbor::Bytes(protected),
            unprotected,
            Cbor::Bytes(payload),
            Cbor::Bytes(signature),
        ])),
    ))
}

fn int(i: i64) -> Cbor {
    Cbor::Integer(i.into())
}

#[test]
fn accepts_fully_specified_esp256() {
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let bytes = hand_made(
        &key,
        Algorithm::ES256,
        Cbor::Map(vec![(int(1), int(-9))]),
        Cbor::Map(vec![]),
    );
    let msg = CoseSign1::from_slice(&bytes).unwrap();
    assert_eq!(
        msg.verify(key.public_key(), &VerifyOptions::new(&[Algorithm::ES256]))
            .unwrap(),
        Algorithm::ES256
    );
}

#[test]
fn crit_must_be_understood_protected_and_present() {
    let key = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let alg = (int(1), int(-19));
    let opts = VerifyOptions::new(&[Algorithm::Ed25519]);

    let with_crit = hand_made(
        &key,
        Algorithm::Ed25519,
        Cbor::Map(vec![
            alg.clone(),
            (int(2), Cbor::Array(vec![int(-70_000)])),
            (int(-70_000), Cbor::Bool(true)),
        ]),
        Cbor::Map(vec![]),
    );
    let msg = CoseSign1::from_slice(&with_crit).unwrap();
    assert_eq!(
        msg.verify(key.public_key(), &opts).unwrap_err(),
        CoseError::UnknownCritical(Label::Int(-70_000))
    );
    let understood = [Label::Int(-70_000)];
    msg.verify(
        key.public_key(),
        &VerifyOptions {
            understood_critical: &understood,
            ..opts
        },
    )
    .unwrap();

    let absent = hand_made(
        &key,
        Algorithm::Ed25519,
        Cbor::Map(vec![alg.clone(), (int(2), Cbor::Array(vec![int(-70_000)]))]),
        Cbor::Map(vec![]),
    );
    let absent = CoseSign1::from_slice(&absent).unwrap();
    let err = absent.verify(
        key.public_key(),
        &VerifyOptions {
            understood_critical: &understood,
            ..opts
        },
    );
    assert!(matches!(err.unwrap_err(), CoseError::MalformedHeader(_)));

    let empty = hand_made(
        &key,
        Algorithm::Ed25519,
        Cbor::Map(vec![alg.clone(), (int(2), Cbor::Array(vec![]))]),
        Cbor::Map(vec![]),
    );
    let empty = CoseSign1::from_slice(&empty).unwrap();
    assert!(matches!(
        empty.verify(key.public_key(), &opts).unwrap_err(),
        CoseError::MalformedHeader(_)
    ));

    let unprotected_crit = hand_made(
        &key,
        Algorithm::Ed25519,
        Cbor::Map(vec![alg]),
        Cbor::Map(vec![(int(2), Cbor::Array(vec![int(1)]))]),
    );
    let unprotected_crit = CoseSign1::from_slice(&unprotected_crit).unwrap();
    assert!(matches!(
        unprotected_crit
            .verify(key.public_key(), &opts)
            .unwrap_err(),
        CoseError::MalformedHeader(_)
    ));
}

#[test]
fn algorithm_must_be_present_and_protected() {
    let key = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let opts = VerifyOptions::new(&Algorithm::ALL);
    let none = hand_made(
        &key,
        Algorithm::Ed25519,
        Cbor::Map(vec![(int(3), int(0))]),
        Cbor::Map(vec![]),
    );
    assert_eq!(
        CoseSign1::from_slice(&none)
            .unwrap()
            .verify(key.public_key(), &opts)
            .unwrap_err(),
        CoseError::MissingAlgorithm
    );
    let unprotected = hand_made(
        &key,
        Algorithm::Ed25519,
        Cbor::Map(vec![(int(3), int(0))]),
        Cbor::Map(vec![(int(1), int(-19))]),
    );
    assert_eq!(
        CoseSign1::from_slice(&unprotected)
            .unwrap()
            .verify(key.public_key(), &opts)
            .unwrap_err(),
        CoseError::AlgorithmNotProtected
    );
}

#[test]
fn duplicate_labels_are_refused() {
    let key = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let twice = hand_made(
        &key,
        Algorithm::Ed25519,
        Cbor::Map(vec![(int(1), int(-19)), (int(1), int(-8))]),
        Cbor::Map(vec![]),
    );
    assert_eq!(
        CoseSign1::from_slice(&twice).unwrap_err(),
        CoseError::DuplicateLabel(Label::Int(1))
    );
    let both_buckets = hand_made(
        &key,
        Algorithm::Ed25519,
        Cbor::Map(vec![
            (int(1), int(-19)),
            (int(4), Cbor::Bytes(b"a".to_vec())),
        ]),
        Cbor::Map(vec![(int(4), Cbor::Bytes(b"b".to_vec()))]),
    );
    assert_eq!(
        CoseSign1::from_slice(&both_buckets).unwrap_err(),
        CoseError::DuplicateLabel(Label::Int(4))
    );

    let s = signer(KeyType::Ed25519);
    let mut protected = Header::new();
    protected.insert(Label::Int(label::ALG), int(-8)).unwrap();
    let err = block_on(cose::sign1(
        &s,
        b"p",
        SignOptions {
            protected,
            ..Default::default()
        },
    ))
    .unwrap_err();
    assert_eq!(err, CoseError::DuplicateLabel(Label::Int(1)));
    let mut header = Header::new();
    header.insert(Label::Text("x".into()), int(1)).unwrap();
    assert_eq!(
        header.insert(Label::Text("x".into()), int(2)).unwrap_err(),
        CoseError::DuplicateLabel(Label::Text("x".into()))
    );
}

#[test]
fn malformed_messages_are_refused() {
    let s = signer(KeyType::Ed25519);
    let good = sign(&s, b"p", SignOptions::default()).to_vec();

    let mut trailing = good.clone();
    trailing.push(0x00);
    assert!(matches!(
        CoseSign1::from_slice(&trailing).unwrap_err(),
        CoseError::Cbor(_)
    ));
    assert!(matches!(
        CoseSign1::from_slice(&good[..good.len() - 1]).unwrap_err(),
        CoseError::Cbor(_)
    ));
    assert_eq!(
        CoseSign1::from_slice_with_limit(&good, good.len() - 1).unwrap_err(),
        CoseError::TooLarge {
            len: good.len(),
            max: good.len() - 1
        }
    );

    let three = to_cbor_bytes(&Cbor::Array(vec![
        Cbor::Bytes(vec![]),
        Cbor::Map(vec![]),
        Cbor::Null,
    ]));
    assert_eq!(
        CoseSign1::from_slice(&three).unwrap_err(),
        CoseError::NotCoseSign1("array length is not 4")
    );
    let text_payload = to_cbor_bytes(&Cbor::Array(vec![
        Cbor::Bytes(vec![]),
        Cbor::Map(vec![]),
        Cbor::Text("p".into()),
        Cbor::Bytes(vec![]),
    ]));
    assert_eq!(
        CoseSign1::from_slice(&text_payload).unwrap_err(),
        CoseError::NotCoseSign1("payload is neither a byte string nor nil")
    );
    let map_protected = to_cbor_bytes(&Cbor::Array(vec![
        Cbor::Map(vec![]),
        Cbor::Map(vec![]),
        Cbor::Null,
        Cbor::Bytes(vec![]),
    ]));
    assert_eq!(
        CoseSign1::from_slice(&map_protected).unwrap_err(),
        CoseError::NotCoseSign1("protected header is not a byte string")
    );
    let array_unprotected = to_cbor_bytes(&Cbor::Array(vec![
        Cbor::Bytes(vec![]),
        Cbor::Array(vec![]),
        Cbor::Null,
        Cbor::Bytes(vec![]),
    ]));
    assert!(matches!(
        CoseSign1::from_slice(&array_unprotected).unwrap_err(),
        CoseError::MalformedMap(_)
    ));

    // 100 nested arrays in the unprotected header: beyond the depth limit.
    let mut deep = vec![0x84, 0x40, 0xa1, 0x01];
    deep.extend(std::iter::repeat_n(0x81, 100));
    deep.extend([0x00, 0xf6, 0x40]);
    assert!(matches!(
        CoseSign1::from_slice(&deep).unwrap_err(),
        CoseError::Cbor(_)
    ));
}

#[test]
fn header_accessors_reject_wrong_types() {
    let mut h = Header::new();
    h.insert(Label::Int(label::KID), Cbor::Text("not bytes".into()))
        .unwrap();
    h.insert(Label::Int(label::CONTENT_TYPE), int(-1)).unwrap();
    h.insert(Label::Int(label::ALG), Cbor::Bool(true)).unwrap();
    assert!(matches!(
        h.key_id().unwrap_err(),
        CoseError::MalformedHeader(_)
    ));
    assert!(matches!(
        h.content_type().unwrap_err(),
        CoseError::MalformedHeader(_)
    ));
    assert!(matches!(
        h.algorithm().unwrap_err(),
        CoseError::MalformedHeader(_)
    ));
}

#[test]
fn cose_key_round_trips_every_key_type() {
    for key_type in KeyType::ALL {
        let public = PrivateKey::generate(key_type).unwrap().public_key().clone();
        let encoded = cose::key::to_vec(&public);
        assert_eq!(
            cose::key::from_slice(&encoded).unwrap(),
            public,
            "{key_type}"
        );
        let kty = cbor(&encoded).into_map().unwrap()[0]
            .1
            .as_integer()
            .map(i64::try_from)
            .unwrap()
            .unwrap();
        let expected_kty = match key_type {
            KeyType::Ed25519 | KeyType::X25519 => 1,
            KeyType::P256 | KeyType::Secp256k1 => 2,
            KeyType::MlDsa44 | KeyType::MlDsa65 => 7,
        };
        assert_eq!(kty, expected_kty, "{key_type}");
    }
}

#[test]
fn cose_key_akp_layout_follows_rfc_9964() {
    let public = PrivateKey::generate(KeyType::MlDsa44)
        .unwrap()
        .public_key()
        .clone();
    let map = cbor(&cose::key::to_vec(&public)).into_map().unwrap();
    let labels: Vec<i128> = map
        .iter()
        .map(|(k, _)| k.as_integer().unwrap().into())
        .collect();
    assert_eq!(labels, [1, 3, -1]);
    assert_eq!(map[1].1, int(-48));
    assert_eq!(map[2].1.as_bytes().unwrap().len(), 1312);
}

#[test]
fn cose_key_accepts_compressed_ec2_points() {
    let public = PrivateKey::generate(KeyType::P256)
        .unwrap()
        .public_key()
        .clone();
    let mut map = cbor(&cose::key::to_vec(&public)).into_map().unwrap();
    let sec1 = public.to_bytes();
    map[3].1 = Cbor::Bool(sec1[0] == 0x03);
    assert_eq!(cose::key::from_value(Cbor::Map(map)).unwrap(), public);
}

#[test]
fn cose_key_rejections() {
    let ed = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let map = cbor(&cose::key::to_vec(ed.public_key()))
        .into_map()
        .unwrap();
    let with = |extra: (Cbor, Cbor)| {
        let mut m = map.clone();
        m.push(extra);
        cose::key::from_value(Cbor::Map(m)).unwrap_err()
    };
    assert_eq!(
        with((int(-4), Cbor::Bytes(vec![1; 32]))),
        CoseError::InvalidKey("private key material in a public COSE_Key".into())
    );
    assert_eq!(
        with((int(3), int(-7))),
        CoseError::Crypto(CryptoError::AlgorithmKeyMismatch {
            alg: Algorithm::ES256,
            key_type: KeyType::Ed25519
        })
    );
    assert_eq!(
        with((int(-1), int(6))),
        CoseError::DuplicateLabel(Label::Int(-1))
    );

    let ed448 = Cbor::Map(vec![
        (int(1), int(1)),
        (int(-1), int(7)),
        (int(-2), Cbor::Bytes(vec![0; 57])),
    ]);
    assert_eq!(
        cose::key::from_value(ed448).unwrap_err(),
        CoseError::Crypto(CryptoError::UnsupportedKeyType("COSE OKP crv 7".into()))
    );
    let p384 = Cbor::Map(vec![(int(1), int(2)), (int(-1), int(2))]);
    assert_eq!(
        cose::key::from_value(p384).unwrap_err(),
        CoseError::Crypto(CryptoError::UnsupportedKeyType("COSE EC2 crv 2".into()))
    );
    let rsa = Cbor::Map(vec![(int(1), int(3))]);
    assert_eq!(
        cose::key::from_value(rsa).unwrap_err(),
        CoseError::Crypto(CryptoError::UnsupportedKeyType("COSE kty 3".into()))
    );
    let akp_without_alg = Cbor::Map(vec![
        (int(1), int(7)),
        (int(-1), Cbor::Bytes(vec![0; 1312])),
    ]);
    assert_eq!(
        cose::key::from_value(akp_without_alg).unwrap_err(),
        CoseError::InvalidKey("alg is required for AKP keys".into())
    );
    let no_kty = Cbor::Map(vec![(int(-1), int(6))]);
    assert_eq!(
        cose::key::from_value(no_kty).unwrap_err(),
        CoseError::InvalidKey("kty is required".into())
    );
    let short_x = Cbor::Map(vec![
        (int(1), int(1)),
        (int(-1), int(6)),
        (int(-2), Cbor::Bytes(vec![0; 31])),
    ]);
    assert!(matches!(
        cose::key::from_value(short_x).unwrap_err(),
        CoseError::Crypto(CryptoError::InvalidKeyLength {
            key_type: KeyType::Ed25519,
            expected: 32,
            actual: 31
        })
    ));
    let mut off_curve = cbor(&cose::key::to_vec(
        PrivateKey::generate(KeyType::P256).unwrap().public_key(),
    ))
    .into_map()
    .unwrap();
    off_curve[3].1 = Cbor::Bytes(vec![1; 32]);
    assert!(matches!(
        cose::key::from_value(Cbor::Map(off_curve)).unwrap_err(),
        CoseError::Crypto(CryptoError::InvalidPublicKey(_))
    ));
}

#[test]
fn oversized_header_maps_are_refused_before_any_duplicate_scan() {
    // An unprotected header with 100,000 distinct labels: refused by count, in linear time.
    let entries: Vec<(Cbor, Cbor)> = (0..100_000i64)
        .map(|i| (Cbor::Integer((i + 1000).into()), Cbor::Null))
        .collect();
    let protected = to_cbor_bytes(&Cbor::Map(vec![(
        Cbor::Integer(1.into()),
        Cbor::Integer((-8).into()),
    )]));
    let msg = to_cbor_bytes(&Cbor::Array(vec![
        Cbor::Bytes(protected),
        Cbor::Map(entries),
        Cbor::Bytes(b"p".to_vec()),
        Cbor::Bytes(vec![0; 64]),
    ]));
    assert!(matches!(
        CoseSign1::from_slice(&msg).unwrap_err(),
        CoseError::MalformedMap(m) if m.contains("more than the 256 allowed")
    ));
}
