//! The IETF Token Status List test vectors (draft-ietf-oauth-status-list-20), from
//! `status-list/ietf-oauth-status-list/status-list-vectors.json` in the shared vectors folder
//! (`SAIFU_VECTORS_DIR`, default `<CARGO_MANIFEST_DIR>/../../../shared/vectors`).
//!
//! Every list decodes (JSON and CBOR) to the listed statuses and re-encodes to a list whose
//! decompressed bytes are identical (compressed bytes may differ between DEFLATE compressors, so
//! they are compared after decompression). The JWT and CWT Status List Tokens, and the CWT and
//! SD-JWT referenced tokens, verify with the example keys the file carries.

use std::collections::BTreeMap;
use std::path::PathBuf;

use saifu_credential::status::token::{DecodedToken, TokenFormat, cwt, jwt};
use saifu_credential::status::{
    Bits, Limits, ReferenceOptions, StatusList, StatusReference, StatusValue, VerifyOptions,
};
use saifu_crypto::cose::VerifyOptions as CoseVerifyOptions;
use saifu_crypto::jws::{self, VerifyPolicy};
use saifu_crypto::{Algorithm, Jwk, PublicKey};
use serde_json::Value;
use sha2::{Digest, Sha256};

const VECTORS: &str = "status-list/ietf-oauth-status-list/status-list-vectors.json";
const ES256: &[Algorithm] = &[Algorithm::ES256];
const LIST_URI: &str = "https://example.com/statuslists/1";

fn vectors() -> Value {
    let dir = std::env::var_os("SAIFU_VECTORS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors")
        });
    let path = dir.join(VECTORS);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the status list test vectors at {} ({e}); set SAIFU_VECTORS_DIR to the \
             shared/vectors folder",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("the vector file is JSON")
}

fn key(jwk: &Value) -> PublicKey {
    let jwk: Jwk = serde_json::from_value(jwk.clone()).expect("a JWK");
    PublicKey::from_jwk(&jwk).expect("a usable public key")
}

fn example_key(v: &Value) -> PublicKey {
    key(&v["example_key"]["public_jwk"])
}

fn unhex(value: &Value) -> Vec<u8> {
    hex::decode(value.as_str().expect("hex string")).expect("valid hex")
}

fn bits_of(vector: &Value) -> Bits {
    Bits::try_from(vector["bits"].as_u64().expect("bits")).expect("valid bits")
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Encodes `list` as JSON and CBOR with our compressor and checks both decode to the same bytes.
fn assert_reencodes_identically(list: &StatusList, name: &str) {
    let limits = Limits::default();
    let from_json = StatusList::from_json(&list.to_json(), &limits).expect("our JSON decodes");
    assert_eq!(
        from_json.as_bytes(),
        list.as_bytes(),
        "{name}: JSON re-encoding"
    );
    let from_cbor = StatusList::from_cbor(&list.to_cbor(), &limits).expect("our CBOR decodes");
    assert_eq!(
        from_cbor.as_bytes(),
        list.as_bytes(),
        "{name}: CBOR re-encoding"
    );
}

#[test]
fn byte_array_examples_decode_and_reencode() {
    let v = vectors();
    let examples = v["byte_array_examples"].as_array().expect("examples");
    assert_eq!(examples.len(), 2);
    let limits = Limits::default();
    for example in examples {
        let name = example["name"].as_str().unwrap();
        let bits = bits_of(example);
        let expected_bytes = unhex(&example["byte_array_hex"]);
        let statuses: Vec<u8> = example["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_u64().unwrap() as u8)
            .collect();

        let from_json = StatusList::from_json(&example["json"], &limits).expect("JSON decodes");
        let from_cbor =
            StatusList::from_cbor(&unhex(&example["cbor_hex"]), &limits).expect("CBOR decodes");
        let from_zlib = StatusList::decompress(bits, &unhex(&example["compressed_hex"]), &limits)
            .expect("compressed array decodes");
        for list in [&from_json, &from_cbor, &from_zlib] {
            assert_eq!(list.bits(), bits, "{name}");
            assert_eq!(list.as_bytes(), expected_bytes, "{name}: byte array");
            for (i, &s) in statuses.iter().enumerate() {
                assert_eq!(list.get(i as u64).unwrap().raw(), s, "{name}: index {i}");
            }
        }

        // Build the list from the statuses and encode it ourselves.
        let mut ours = StatusList::new(bits, statuses.len() as u64);
        for (i, &s) in statuses.iter().enumerate() {
            ours.set(i as u64, StatusValue::from_raw(s)).unwrap();
        }
        assert_eq!(ours.as_bytes(), expected_bytes, "{name}: our byte array");
        assert_reencodes_identically(&ours, name);
        let ours_decompressed = StatusList::decompress(bits, &ours.compress(), &limits).unwrap();
        assert_eq!(
            ours_decompressed.as_bytes(),
            expected_bytes,
            "{name}: our compression"
        );
    }
}

#[test]
fn appendix_test_vectors_decode_and_reencode() {
    let v = vectors();
    let vectors = v["test_vectors"].as_array().expect("test_vectors");
    assert_eq!(vectors.len(), 4, "1-, 2-, 4- and 8-bit vectors");
    let limits = Limits::default();
    for vector in vectors {
        let name = vector["name"].as_str().unwrap();
        let bits = bits_of(vector);
        let size = vector["size"].as_u64().unwrap();
        let listed: BTreeMap<u64, u8> = vector["statuses"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(i, s)| (i.parse().unwrap(), s.as_u64().unwrap() as u8))
            .collect();

        let from_json = StatusList::from_json(&vector["json"], &limits).expect("JSON decodes");
        let from_cbor =
            StatusList::from_cbor(&unhex(&vector["cbor_hex"]), &limits).expect("CBOR decodes");
        for list in [&from_json, &from_cbor] {
            assert_eq!(list.len(), size, "{name}: size");
            assert_eq!(
                list.as_bytes().len() as u64,
                vector["decompressed_length"].as_u64().unwrap(),
                "{name}"
            );
            assert_eq!(
                sha256_hex(list.as_bytes()),
                vector["decompressed_sha256"].as_str().unwrap(),
                "{name}: decompressed SHA-256"
            );
            for (&i, &s) in &listed {
                assert_eq!(list.get(i).unwrap().raw(), s, "{name}: index {i}");
            }
            // Every unlisted index is VALID.
            let unlisted_nonzero = list
                .iter()
                .enumerate()
                .filter(|(i, s)| *s != StatusValue::Valid && !listed.contains_key(&(*i as u64)))
                .count();
            assert_eq!(unlisted_nonzero, 0, "{name}: unlisted indices are 0");
        }

        let mut ours = StatusList::new(bits, size);
        for (&i, &s) in &listed {
            ours.set(i, StatusValue::from_raw(s)).unwrap();
        }
        assert_eq!(
            ours.as_bytes(),
            from_json.as_bytes(),
            "{name}: our byte array"
        );
        assert_reencodes_identically(&ours, name);
    }
}

#[test]
fn jwt_status_list_token_verifies_with_the_example_key() {
    let v = vectors();
    let vector = &v["status_list_token_jwt"];
    let compact = vector["compact"].as_str().unwrap();
    let payload = &vector["payload"];
    let iat = payload["iat"].as_i64().unwrap();

    let decoded =
        DecodedToken::decode(TokenFormat::Jwt, compact.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(decoded.key_id(), Some(&b"12"[..]));
    assert_eq!(decoded.issuer(), Some("https://example.com"));
    let token = decoded
        .verify(
            &example_key(&v),
            &VerifyOptions::new(LIST_URI, iat + 10, ES256),
        )
        .expect("the example JWT verifies");
    assert_eq!(token.sub, payload["sub"].as_str().unwrap());
    assert_eq!(token.iss.as_deref(), payload["iss"].as_str());
    assert_eq!(token.iat, iat);
    assert_eq!(token.exp, payload["exp"].as_i64());
    assert_eq!(token.ttl, payload["ttl"].as_u64());
    assert_eq!(token.status_list.bits(), Bits::One);
    assert_eq!(token.status_list.as_bytes(), [0xb9, 0xa3]);
    assert_eq!(token.status_list.get(0), Ok(StatusValue::Invalid));
}

#[test]
fn cwt_status_list_token_verifies_with_the_example_key() {
    let v = vectors();
    let vector = &v["status_list_token_cwt"];
    let bytes = unhex(&vector["hex"]);
    let claims = &vector["claims"];
    let iat = claims["6"].as_i64().unwrap();

    let decoded = DecodedToken::decode(TokenFormat::Cwt, &bytes, &Limits::default()).unwrap();
    assert_eq!(decoded.key_id(), Some(&b"12"[..]));
    let token = decoded
        .verify(
            &example_key(&v),
            &VerifyOptions::new(LIST_URI, iat + 10, ES256),
        )
        .expect("the example CWT verifies");
    assert_eq!(token.sub, claims["2"].as_str().unwrap());
    assert_eq!(token.iat, iat);
    assert_eq!(token.exp, claims["4"].as_i64());
    assert_eq!(token.ttl, claims["65534"].as_u64());
    assert_eq!(
        token.status_list.as_bytes(),
        [0xb9, 0xa3],
        "the CWT carries the 1-bit example"
    );
    assert_eq!(token.status_list.get(0), Ok(StatusValue::Invalid));
}

/// The draft's CWT referenced token points at index 0 of the CWT status list, which is INVALID.
#[test]
fn cwt_referenced_token_resolves_against_the_cwt_status_list() {
    let v = vectors();
    let key = example_key(&v);
    let vector = &v["referenced_token_cwt"];
    let now = vector["claims"]["6"].as_i64().unwrap() + 10;

    let message = saifu_crypto::cwt::decode(&unhex(&vector["hex"])).unwrap();
    let claims = saifu_crypto::cwt::verify(&message, &key, &CoseVerifyOptions::new(ES256), now, 0)
        .expect("the referenced CWT verifies");
    let reference = StatusReference::from_cwt_claims(&claims, ReferenceOptions::default()).unwrap();
    assert_eq!((reference.idx(), reference.uri()), (0, LIST_URI));

    let list_token = unhex(&v["status_list_token_cwt"]["hex"]);
    let token = cwt::verify(
        &list_token,
        &key,
        &VerifyOptions::new(reference.uri(), now, ES256),
    )
    .unwrap();
    assert_eq!(
        token.status_list.get(reference.idx()),
        Ok(StatusValue::Invalid)
    );
}

/// The draft's SD-JWT referenced token (signed with the SD-JWT examples' issuer key) points at
/// index 0 of the JWT status list, which is INVALID.
#[test]
fn sd_jwt_referenced_token_resolves_against_the_jwt_status_list() {
    let v = vectors();
    let vector = &v["referenced_token_sd_jwt"];
    let issuer_jwt = vector["sd_jwt"]
        .as_str()
        .unwrap()
        .split('~')
        .next()
        .unwrap();
    let issuer_key = key(&vector["sd_jwt_example_issuer_public_jwk"]);
    let jws = jws::verify_compact(issuer_jwt, &issuer_key, &VerifyPolicy::new(ES256))
        .expect("the SD-JWT issuer signature verifies");
    let claims: serde_json::Map<String, Value> = serde_json::from_slice(&jws.payload).unwrap();
    assert_eq!(Value::Object(claims.clone()), vector["payload"]);
    let reference = StatusReference::from_jwt_claims(&claims, ReferenceOptions::default()).unwrap();
    assert_eq!((reference.idx(), reference.uri()), (0, LIST_URI));

    let compact = v["status_list_token_jwt"]["compact"].as_str().unwrap();
    let now = v["status_list_token_jwt"]["payload"]["iat"]
        .as_i64()
        .unwrap()
        + 10;
    let token = jwt::verify(
        compact,
        &example_key(&v),
        &VerifyOptions::new(reference.uri(), now, ES256),
    )
    .unwrap();
    assert_eq!(
        token.status_list.get(reference.idx()),
        Ok(StatusValue::Invalid)
    );
}
