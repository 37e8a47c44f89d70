//! JWE ECDH-ES (direct) with A128GCM/A256GCM: round trips, the JOSE cookbook vectors, and every
//! rejection with its specific error.
//!
//! Vector files used (under `SAIFU_VECTORS_DIR`):
//! - `jose-cose/ietf-jose-cookbook/curve25519/ecdh-es.json` (X25519 ECDH-ES, A128GCM)
//! - `jose-cose/ietf-jose-cookbook/jwe/5_*.json` (RFC 7520 §5)

mod vectors_support;

use saifu_crypto::jwe::{
    self, ContentEncryption, DecryptOptions, EncryptOptions, JweError, concat_kdf,
};
use saifu_crypto::{CryptoError, Jwk, KeyType, PrivateKey, PublicKey, b64};
use serde_json::{Map, Value, json};
use vectors_support::{json_files, read_json};

const PLAINTEXT: &[u8] = b"{\"vp_token\":{\"pid\":[\"eyJ...\"]},\"state\":\"xyz\"}";
const ENCS: [ContentEncryption; 2] = [ContentEncryption::A128Gcm, ContentEncryption::A256Gcm];
const CURVES: [KeyType; 2] = [KeyType::P256, KeyType::X25519];

fn key_from_json(value: &Value) -> PrivateKey {
    PrivateKey::from_jwk(&serde_json::from_value::<Jwk>(value.clone()).expect("vector JWK"))
        .expect("vector key imports")
}

fn decrypt(token: &str, key: &PrivateKey) -> Result<jwe::Decrypted, JweError> {
    jwe::decrypt(token, key, &DecryptOptions::default())
}

/// A fresh token to `key` for the rejection tests.
fn token_to(key: &PrivateKey) -> String {
    jwe::encrypt(
        key.public_key(),
        PLAINTEXT,
        &EncryptOptions::new(ContentEncryption::A128Gcm),
    )
    .expect("encrypts")
}

/// Replaces part `index` of a compact token.
fn with_part(token: &str, index: usize, part: &str) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[index] = part;
    parts.join(".")
}

/// Rewrites the protected header JSON (which also changes the AAD).
fn with_header(token: &str, edit: impl FnOnce(&mut Map<String, Value>)) -> String {
    let header = token.split('.').next().expect("header part");
    let mut map: Map<String, Value> =
        serde_json::from_slice(&b64::decode(header, "test").expect("b64")).expect("JSON header");
    edit(&mut map);
    with_part(
        token,
        0,
        &b64::encode(serde_json::to_vec(&map).expect("JSON")),
    )
}

/// Flips one bit in the decoded part `index`.
fn flip_bit(token: &str, index: usize) -> String {
    let part = token.split('.').nth(index).expect("part");
    let mut bytes = b64::decode(part, "test").expect("b64");
    bytes[0] ^= 1;
    with_part(token, index, &b64::encode(bytes))
}

#[test]
fn round_trips_for_every_curve_and_enc() {
    for curve in CURVES {
        for enc in ENCS {
            let key = PrivateKey::generate(curve).unwrap();
            let opts = EncryptOptions {
                enc,
                kid: Some("enc-key-1"),
                apu: Some(b"wallet nonce"),
                apv: Some(b"verifier nonce"),
            };
            let token = jwe::encrypt(key.public_key(), PLAINTEXT, &opts).unwrap();
            assert_eq!(
                token.split('.').nth(1),
                Some(""),
                "direct mode has no encrypted key"
            );

            let header = jwe::decode_header(&token, &DecryptOptions::default()).unwrap();
            assert_eq!(header.kid.as_deref(), Some("enc-key-1"));
            assert_eq!(header.epk.key_type(), curve);

            let out = decrypt(&token, &key).unwrap();
            assert_eq!(out.plaintext, PLAINTEXT, "{curve} {enc}");
            assert_eq!(out.header.enc, enc);
            assert_eq!(out.header.apu.as_deref(), Some(&b"wallet nonce"[..]));
            assert_eq!(out.header.apv.as_deref(), Some(&b"verifier nonce"[..]));
        }
    }
}

#[test]
fn header_carries_public_epk_only_and_minimal_members() {
    let key = PrivateKey::generate(KeyType::X25519).unwrap();
    let token = token_to(&key);
    let header: Value =
        serde_json::from_slice(&b64::decode(token.split('.').next().unwrap(), "test").unwrap())
            .unwrap();
    let epk = header["epk"].as_object().unwrap();
    assert_eq!(epk.keys().collect::<Vec<_>>(), ["kty", "crv", "x"]);
    assert_eq!(
        header.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["alg", "epk", "enc"]
    );
    assert_eq!(header["alg"], "ECDH-ES");
}

#[test]
fn empty_plaintext_round_trips() {
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let token = jwe::encrypt(
        key.public_key(),
        b"",
        &EncryptOptions::new(ContentEncryption::A256Gcm),
    )
    .unwrap();
    assert!(decrypt(&token, &key).unwrap().plaintext.is_empty());
}

/// `ietf-jose-cookbook/curve25519/ecdh-es.json`: X25519 ECDH-ES with A128GCM.
///
/// What is checked: (1) our decryption of the published compact form with Bob's key gives the
/// plaintext; (2) the shared secret Z agrees both ways (Bob's `d` with the header `epk`, and the
/// vector's ephemeral `d` with Bob's `x`); (3) re-encrypting with the vector's ephemeral key and
/// IV reproduces the published token byte for byte — protected header serialization, Concat KDF
/// (AlgorithmID `A128GCM`, 128 bits, empty apu/apv) and AES-GCM all at once.
///
/// What is not: the file's `encrypting_key.epk.x` is RFC 7748's Alice public key and does not
/// belong to its `d` (the header's `epk` does), and its `cek` is 256 bits — a copy of the RFC 7520
/// §5.5 value — so it cannot be an A128GCM key; neither is compared.
#[test]
fn cookbook_x25519_ecdh_es() {
    let v = read_json("jose-cose/ietf-jose-cookbook/curve25519/ecdh-es.json");
    let bob = key_from_json(&v["input"]["key"]);
    let compact = v["output"]["compact"].as_str().unwrap();
    let plaintext = v["input"]["plaintext"].as_str().unwrap().as_bytes();

    let out = decrypt(compact, &bob).unwrap();
    assert_eq!(out.plaintext, plaintext);
    assert_eq!(out.header.kid.as_deref(), Some("Bob"));
    assert_eq!(out.header.enc, ContentEncryption::A128Gcm);

    let eph_d = b64::decode(v["encrypting_key"]["epk"]["d"].as_str().unwrap(), "d").unwrap();
    let ephemeral = PrivateKey::from_secret_bytes(KeyType::X25519, &eph_d).unwrap();
    assert_eq!(
        ephemeral.public_key(),
        &out.header.epk,
        "vector d is the header epk's secret"
    );
    assert_eq!(
        *bob.diffie_hellman(&out.header.epk).unwrap(),
        *ephemeral.diffie_hellman(bob.public_key()).unwrap()
    );

    let iv: [u8; 12] = b64::decode(v["generated"]["iv"].as_str().unwrap(), "iv")
        .unwrap()
        .try_into()
        .unwrap();
    let opts = EncryptOptions {
        kid: Some("Bob"),
        ..EncryptOptions::new(ContentEncryption::A128Gcm)
    };
    let again =
        jwe::encrypt_with_ephemeral(bob.public_key(), &ephemeral, &iv, plaintext, &opts).unwrap();
    assert_eq!(again, compact);
}

/// RFC 7520 §5 (`ietf-jose-cookbook/jwe/5_*.json`). None of them uses ECDH-ES with AES-GCM, so
/// every compact form must be refused with the specific error: the key-transport and key-wrap
/// `alg`s as unsupported algorithms, §5.5 (ECDH-ES with A128CBC-HS256) as an unsupported `enc`.
/// §5.5 still exercises our Concat KDF: its derived key (`encrypting_key.cek`) must equal ours
/// for AlgorithmID `A128CBC-HS256`, 256 bits, over the P-256 shared secret. §5.10–§5.13 exist
/// only in the JSON serializations, which this module does not implement.
#[test]
fn rfc7520_section5_cases() {
    let files = json_files("jose-cose/ietf-jose-cookbook/jwe");
    let any_key = PrivateKey::generate(KeyType::P256).unwrap();
    let mut refused = 0;
    for file in &files {
        let v = read_json(file);
        let Some(compact) = v["output"]["compact"].as_str() else {
            assert!(
                v["output"]["json"].is_object() || v["output"]["json_flat"].is_object(),
                "{file}"
            );
            continue;
        };
        let alg = v["input"]["alg"].as_str().unwrap();
        let enc = v["input"]["enc"].as_str().unwrap();
        let err = decrypt(compact, &any_key).unwrap_err();
        if alg == "ECDH-ES" {
            assert_eq!(err, JweError::UnsupportedEncryption(enc.into()), "{file}");
        } else {
            assert_eq!(err, JweError::UnsupportedAlgorithm(alg.into()), "{file}");
        }
        refused += 1;
    }
    assert_eq!(refused, 9, "5.1–5.9 have compact forms");
}

#[test]
fn rfc7520_5_5_concat_kdf_matches_the_derived_key() {
    let v = read_json(
        "jose-cose/ietf-jose-cookbook/jwe/5_5.key_agreement_using_ecdh-es_with_aes-cbc-hmac-sha2.json",
    );
    let recipient = key_from_json(&v["input"]["key"]);
    let epk_jwk = &v["encrypting_key"]["epk"];
    let ephemeral = key_from_json(epk_jwk);
    let epk = PublicKey::from_jwk(&serde_json::from_value(epk_jwk.clone()).unwrap()).unwrap();
    let z = recipient.diffie_hellman(&epk).unwrap();
    assert_eq!(
        *z,
        *ephemeral.diffie_hellman(recipient.public_key()).unwrap()
    );

    let cek = concat_kdf(&z[..], "A128CBC-HS256", b"", b"", 32);
    let expected = b64::decode(v["encrypting_key"]["cek"].as_str().unwrap(), "cek").unwrap();
    assert_eq!(&cek[..], &expected[..]);
}

#[test]
fn refuses_other_key_management_algorithms() {
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let token = token_to(&key);
    for alg in [
        "dir",
        "none",
        "ECDH-ES+A128KW",
        "ECDH-ES+A256KW",
        "RSA-OAEP",
        "ecdh-es",
    ] {
        let bad = with_header(&token, |h| {
            h.insert("alg".into(), json!(alg));
        });
        assert_eq!(
            decrypt(&bad, &key).unwrap_err(),
            JweError::UnsupportedAlgorithm(alg.into())
        );
    }
}

#[test]
fn refuses_unknown_enc() {
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let bad = with_header(&token_to(&key), |h| {
        h.insert("enc".into(), json!("A192GCM"));
    });
    assert_eq!(
        decrypt(&bad, &key).unwrap_err(),
        JweError::UnsupportedEncryption("A192GCM".into())
    );
    assert_eq!(
        "A128CBC-HS256".parse::<ContentEncryption>().unwrap_err(),
        JweError::UnsupportedEncryption("A128CBC-HS256".into())
    );
}

#[test]
fn refuses_compression() {
    let key = PrivateKey::generate(KeyType::X25519).unwrap();
    let bad = with_header(&token_to(&key), |h| {
        h.insert("zip".into(), json!("DEF"));
    });
    assert_eq!(
        decrypt(&bad, &key).unwrap_err(),
        JweError::CompressionNotSupported("DEF".into())
    );
}

#[test]
fn refuses_unknown_crit() {
    let key = PrivateKey::generate(KeyType::X25519).unwrap();
    let bad = with_header(&token_to(&key), |h| {
        h.insert("crit".into(), json!(["exp"]));
        h.insert("exp".into(), json!(1));
    });
    assert_eq!(
        decrypt(&bad, &key).unwrap_err(),
        JweError::UnsupportedCritical(vec!["exp".into()])
    );
}

#[test]
fn refuses_missing_members() {
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let token = token_to(&key);
    for member in ["alg", "enc", "epk"] {
        let bad = with_header(&token, |h| {
            h.remove(member);
        });
        assert_eq!(
            decrypt(&bad, &key).unwrap_err(),
            JweError::MissingHeader(member)
        );
    }
}

#[test]
fn refuses_epk_on_another_curve() {
    let x25519 = PrivateKey::generate(KeyType::X25519).unwrap();
    let p256 = PrivateKey::generate(KeyType::P256).unwrap();
    let to_p256 = token_to(&p256);
    assert_eq!(
        decrypt(&to_p256, &x25519).unwrap_err(),
        JweError::EphemeralKeyMismatch {
            expected: KeyType::X25519,
            actual: KeyType::P256
        }
    );
}

#[test]
fn refuses_epk_off_the_curve() {
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let bad = with_header(&token_to(&key), |h| {
        let y = h["epk"]["y"].as_str().unwrap().to_owned();
        let mut y = b64::decode(&y, "y").unwrap();
        y[31] ^= 1;
        h["epk"]["y"] = json!(b64::encode(y));
    });
    assert!(matches!(
        decrypt(&bad, &key).unwrap_err(),
        JweError::InvalidEphemeralKey(CryptoError::InvalidPublicKey(_))
    ));
}

#[test]
fn refuses_low_order_x25519_epk() {
    let key = PrivateKey::generate(KeyType::X25519).unwrap();
    let token = token_to(&key);
    // u = 0 and u = 1 are small-order points (RFC 7748 §6.1): the shared secret would be all zeros.
    for u in [[0u8; 32], {
        let mut one = [0u8; 32];
        one[0] = 1;
        one
    }] {
        let bad = with_header(&token, |h| {
            h["epk"]["x"] = json!(b64::encode(u));
        });
        assert_eq!(
            decrypt(&bad, &key).unwrap_err(),
            JweError::InvalidEphemeralKey(CryptoError::InvalidPublicKey(
                "X25519: low-order peer key".into()
            ))
        );
    }
}

#[test]
fn refuses_epk_with_private_members_or_wrong_type() {
    let key = PrivateKey::generate(KeyType::X25519).unwrap();
    let token = token_to(&key);
    let leaked = with_header(&token, |h| {
        h["epk"]["d"] = json!(b64::encode([7u8; 32]));
    });
    assert!(matches!(
        decrypt(&leaked, &key).unwrap_err(),
        JweError::InvalidEphemeralKey(CryptoError::InvalidJwk(_))
    ));
    let ed25519 = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let signing_epk = with_header(&token, |h| {
        h.insert(
            "epk".into(),
            serde_json::to_value(ed25519.public_key().to_jwk()).unwrap(),
        );
    });
    assert_eq!(
        decrypt(&signing_epk, &key).unwrap_err(),
        JweError::InvalidEphemeralKey(CryptoError::UnsupportedKeyType("Ed25519".into()))
    );
}

#[test]
fn refuses_recipient_keys_that_cannot_agree() {
    let ed25519 = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let opts = EncryptOptions::new(ContentEncryption::A128Gcm);
    assert_eq!(
        jwe::encrypt(ed25519.public_key(), PLAINTEXT, &opts).unwrap_err(),
        JweError::UnsupportedRecipientKey(KeyType::Ed25519)
    );
    let token = token_to(&PrivateKey::generate(KeyType::P256).unwrap());
    assert_eq!(
        decrypt(&token, &ed25519).unwrap_err(),
        JweError::UnsupportedRecipientKey(KeyType::Ed25519)
    );
}

#[test]
fn refuses_wrong_iv_and_tag_lengths() {
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let token = token_to(&key);
    let short_iv = with_part(&token, 2, &b64::encode([0u8; 8]));
    assert_eq!(
        decrypt(&short_iv, &key).unwrap_err(),
        JweError::InvalidIvLength(8)
    );
    let long_iv = with_part(&token, 2, &b64::encode([0u8; 16]));
    assert_eq!(
        decrypt(&long_iv, &key).unwrap_err(),
        JweError::InvalidIvLength(16)
    );
    let short_tag = with_part(&token, 4, &b64::encode([0u8; 12]));
    assert_eq!(
        decrypt(&short_tag, &key).unwrap_err(),
        JweError::InvalidTagLength(12)
    );
}

#[test]
fn refuses_an_encrypted_key() {
    let key = PrivateKey::generate(KeyType::X25519).unwrap();
    let bad = with_part(&token_to(&key), 1, &b64::encode([1u8; 16]));
    assert_eq!(
        decrypt(&bad, &key).unwrap_err(),
        JweError::EncryptedKeyNotEmpty
    );
}

#[test]
fn tampering_fails_decryption() {
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let token = token_to(&key);
    for part in [2, 3, 4] {
        assert_eq!(
            decrypt(&flip_bit(&token, part), &key).unwrap_err(),
            JweError::DecryptionFailed,
            "part {part}"
        );
    }
    let header_changed = with_header(&token, |h| {
        h.insert("kid".into(), json!("someone-else"));
    });
    assert_eq!(
        decrypt(&header_changed, &key).unwrap_err(),
        JweError::DecryptionFailed
    );
    let other_key = PrivateKey::generate(KeyType::P256).unwrap();
    assert_eq!(
        decrypt(&token, &other_key).unwrap_err(),
        JweError::DecryptionFailed
    );
}

#[test]
fn refuses_oversized_tokens_before_decoding() {
    let key = PrivateKey::generate(KeyType::X25519).unwrap();
    let token = token_to(&key);
    let tight = DecryptOptions {
        max_token_len: token.len() - 1,
    };
    assert_eq!(
        jwe::decrypt(&token, &key, &tight).unwrap_err(),
        JweError::TooLarge {
            len: token.len(),
            max: token.len() - 1
        }
    );
    let huge = "a".repeat(jwe::DEFAULT_MAX_TOKEN_LEN + 1);
    assert!(matches!(
        decrypt(&huge, &key).unwrap_err(),
        JweError::TooLarge { .. }
    ));
}

#[test]
fn refuses_malformed_structure() {
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let token = token_to(&key);
    let (four_parts, _) = token.rsplit_once('.').unwrap();
    assert_eq!(
        decrypt(four_parts, &key).unwrap_err(),
        JweError::WrongPartCount(4)
    );
    assert_eq!(
        decrypt(&with_part(&token, 0, "eyJ!"), &key).unwrap_err(),
        JweError::Crypto(CryptoError::InvalidBase64("JWE protected header"))
    );
    assert_eq!(
        decrypt(&with_part(&token, 3, "a+b/"), &key).unwrap_err(),
        JweError::Crypto(CryptoError::InvalidBase64("JWE ciphertext"))
    );
    let not_json = with_part(&token, 0, &b64::encode(b"{\"alg\":"));
    assert!(matches!(
        decrypt(&not_json, &key).unwrap_err(),
        JweError::MalformedHeader(_)
    ));
    let not_object = with_part(&token, 0, &b64::encode(b"[1,2]"));
    assert!(matches!(
        decrypt(&not_object, &key).unwrap_err(),
        JweError::MalformedHeader(_)
    ));
    let duplicate_alg = with_part(
        &token,
        0,
        &b64::encode(br#"{"alg":"ECDH-ES","alg":"dir","enc":"A128GCM"}"#),
    );
    assert!(
        matches!(decrypt(&duplicate_alg, &key).unwrap_err(), JweError::MalformedHeader(m) if m.contains("duplicate"))
    );
    let kid_not_string = with_header(&token, |h| {
        h.insert("kid".into(), json!(5));
    });
    assert!(matches!(
        decrypt(&kid_not_string, &key).unwrap_err(),
        JweError::MalformedHeader(_)
    ));
}
