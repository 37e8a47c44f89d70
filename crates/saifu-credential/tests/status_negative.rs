//! Every refusal of the status module, each asserting its specific error: list encoding (bits,
//! index, value, base64url, ZLIB vs raw DEFLATE / GZIP, corrupt streams, size limits, zip bomb)
//! and Status List Tokens in both formats (type, subject, times, claims, algorithm, signature).

use std::io::Write;

use flate2::Compression;
use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
use saifu_credential::status::token::{CWT_MEDIA_TYPE, JWT_TYP, MAX_CLOCK_SKEW, cwt, jwt};
use saifu_credential::status::{
    Bits, Limits, StatusList, StatusListError, StatusListToken, StatusValue, TokenError,
    VerifyOptions,
};
use saifu_crypto::cose::{CoseError, Header, Label, SignOptions, label};
use saifu_crypto::jws::{self, JwsError};
use saifu_crypto::{Algorithm, CryptoError, KeyType, LocalSigner, PrivateKey, Signer};
use serde_json::{Map, Value, json};

const URI: &str = "https://issuer.example/statuslists/7";
const NOW: i64 = 1_800_000_000;
const ALL: &[Algorithm] = &Algorithm::ALL;

fn new_signer(key_type: KeyType) -> LocalSigner {
    LocalSigner::new(PrivateKey::generate(key_type).unwrap())
        .unwrap()
        .with_key_id("status-key-1")
}

fn sample_list() -> StatusList {
    let mut list = StatusList::new(Bits::Two, 64);
    list.set(3, StatusValue::Invalid).unwrap();
    list.set(9, StatusValue::Suspended).unwrap();
    list
}

fn sample_token() -> StatusListToken {
    StatusListToken {
        exp: Some(NOW + 3600),
        ttl: Some(300),
        ..StatusListToken::new(URI, NOW - 10, sample_list())
    }
}

fn opts() -> VerifyOptions<'static> {
    VerifyOptions::new(URI, NOW, ALL)
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn list_json(bits: u64, compressed: &[u8]) -> Value {
    json!({"bits": bits, "lst": saifu_crypto::b64::encode(compressed)})
}

fn decode_json(value: &Value) -> Result<StatusList, StatusListError> {
    StatusList::from_json(value, &Limits::default())
}

// ---------------------------------------------------------------- the list itself

#[test]
fn bits_must_be_1_2_4_or_8() {
    for bits in [0, 3, 5, 16, 255] {
        assert_eq!(
            Bits::try_from(bits),
            Err(StatusListError::InvalidBits(bits))
        );
        assert_eq!(
            decode_json(&list_json(bits, &zlib(&[0]))),
            Err(StatusListError::InvalidBits(bits))
        );
    }
    let cbor = StatusList::new(Bits::One, 8).to_cbor();
    // Patch `bits: 1` (0x01 after the "bits" key) to 3.
    let at = cbor.windows(5).position(|w| w == b"\x64bits").unwrap() + 5;
    let mut patched = cbor.clone();
    patched[at] = 0x03;
    assert_eq!(
        StatusList::from_cbor(&patched, &Limits::default()),
        Err(StatusListError::InvalidBits(3))
    );
    assert!(matches!(
        decode_json(&json!({"bits": -1, "lst": "eNoDAAAAAAE"})),
        Err(StatusListError::Malformed(_))
    ));
}

#[test]
fn index_out_of_range_is_refused() {
    let mut list = StatusList::new(Bits::Four, 10); // 5 bytes → 10 statuses
    assert_eq!(list.len(), 10);
    for index in [10, 11, u64::MAX] {
        let expected = Err(StatusListError::IndexOutOfRange { index, len: 10 });
        assert_eq!(list.get(index), expected);
        assert_eq!(list.set(index, StatusValue::Invalid), expected.map(|_| ()));
    }
    assert_eq!(list.get(9), Ok(StatusValue::Valid));
}

#[test]
fn value_too_large_for_bits_is_refused() {
    let cases = [
        (Bits::One, StatusValue::Suspended),
        (Bits::Two, StatusValue::from_raw(4)),
        (Bits::Four, StatusValue::from_raw(0x10)),
    ];
    for (bits, value) in cases {
        let mut list = StatusList::new(bits, 8);
        assert_eq!(
            list.set(0, value),
            Err(StatusListError::ValueTooLarge {
                value: value.raw(),
                bits
            })
        );
        assert_eq!(list.get(0), Ok(StatusValue::Valid), "nothing was written");
    }
    let mut list = StatusList::new(Bits::Eight, 1);
    assert_eq!(list.set(0, StatusValue::from_raw(0xff)), Ok(()));
}

#[test]
fn malformed_base64url_is_refused() {
    // Valid `lst` "eNrbuRgAAhcBXQ" with padding, the standard alphabet, or junk.
    for lst in [
        "eNrbuRgAAhcBXQ==",
        "eNrbuRgAAhcB+Q",
        "eNrbuRgAAhcB/Q",
        "eNrb uRgAAhcBXQ",
        "e",
    ] {
        assert_eq!(
            decode_json(&json!({"bits": 1, "lst": lst})),
            Err(StatusListError::Base64),
            "{lst}"
        );
    }
}

#[test]
fn raw_deflate_and_gzip_are_not_zlib() {
    let bytes = vec![0x5a; 1000];
    let mut raw = DeflateEncoder::new(Vec::new(), Compression::best());
    raw.write_all(&bytes).unwrap();
    let raw = raw.finish().unwrap();
    let mut gzip = GzEncoder::new(Vec::new(), Compression::best());
    gzip.write_all(&bytes).unwrap();
    let gzip = gzip.finish().unwrap();

    assert!(matches!(
        decode_json(&list_json(1, &raw)),
        Err(StatusListError::NotZlib(reason)) if reason.contains("raw DEFLATE")
    ));
    assert!(matches!(
        decode_json(&list_json(1, &gzip)),
        Err(StatusListError::NotZlib(reason)) if reason.contains("GZIP")
    ));
    assert!(matches!(
        decode_json(&list_json(1, &[])),
        Err(StatusListError::NotZlib(_))
    ));
    // The same bytes in ZLIB format are fine.
    assert_eq!(
        decode_json(&list_json(1, &zlib(&bytes)))
            .unwrap()
            .as_bytes(),
        bytes
    );
}

#[test]
fn corrupt_zlib_streams_are_refused() {
    let good = zlib(&[0xab; 300]);
    let limits = Limits::default();
    let corrupt = |bytes: &[u8]| StatusList::decompress(Bits::One, bytes, &limits);

    let mut bad_checksum = good.clone();
    *bad_checksum.last_mut().unwrap() ^= 1;
    assert!(
        matches!(corrupt(&bad_checksum), Err(StatusListError::Corrupt(_))),
        "Adler-32"
    );

    let truncated = &good[..good.len() - 6];
    assert!(
        matches!(corrupt(truncated), Err(StatusListError::Corrupt(_))),
        "truncated"
    );

    let mut trailing = good.clone();
    trailing.extend_from_slice(b"junk");
    assert!(
        matches!(corrupt(&trailing), Err(StatusListError::Corrupt(m)) if m.contains("follow")),
        "trailing bytes"
    );
}

/// A small bomb against a small limit; `status_zip_bomb.rs` runs a large one and measures memory.
#[test]
fn zip_bomb_over_the_decompressed_limit_is_refused() {
    let bomb = zlib(&vec![0u8; 4 << 20]);
    assert!(
        bomb.len() < 8 * 1024,
        "4 MiB of zeros compress to {} bytes",
        bomb.len()
    );
    let limits = Limits {
        max_decompressed_bytes: 1 << 20,
        ..Limits::default()
    };
    assert_eq!(
        StatusList::from_json(&list_json(1, &bomb), &limits),
        Err(StatusListError::DecompressedTooLarge { limit: 1 << 20 })
    );
    // Exactly at the limit is accepted.
    let at_limit = zlib(&vec![0u8; 1 << 20]);
    assert_eq!(
        StatusList::decompress(Bits::One, &at_limit, &limits)
            .unwrap()
            .len(),
        8 << 20
    );
}

#[test]
fn compressed_input_over_its_limit_is_refused() {
    let limits = Limits {
        max_compressed_bytes: 100,
        ..Limits::default()
    };
    let noisy: Vec<u8> = (0u32..1000)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let compressed = zlib(&noisy);
    assert!(compressed.len() > 100);
    let expected = Err(StatusListError::CompressedTooLarge {
        limit: 100,
        actual: compressed.len(),
    });
    assert_eq!(
        StatusList::from_json(&list_json(1, &compressed), &limits),
        expected
    );
    assert_eq!(
        StatusList::decompress(Bits::One, &compressed, &limits),
        expected
    );
    let cbor_list = StatusList::from_bytes(Bits::One, noisy).to_cbor();
    assert!(matches!(
        StatusList::from_cbor(&cbor_list, &limits),
        Err(StatusListError::CompressedTooLarge { limit: 100, .. })
    ));
    // Measured before decoding: an over-long `lst` is refused even though it is not base64url.
    let junk = "!".repeat(200);
    assert_eq!(
        StatusList::from_json(&json!({"bits": 1, "lst": junk}), &limits),
        Err(StatusListError::CompressedTooLarge {
            limit: 100,
            actual: 150
        })
    );
}

#[test]
fn malformed_status_list_objects_are_refused() {
    for value in [
        json!([]),
        json!({"lst": "eNoDAAAAAAE"}),
        json!({"bits": 1}),
        json!({"bits": "1", "lst": "eNoDAAAAAAE"}),
        json!({"bits": 1, "lst": 5}),
        json!({"bits": 1, "lst": "eNoDAAAAAAE", "aggregation_uri": 5}),
    ] {
        assert!(
            matches!(decode_json(&value), Err(StatusListError::Malformed(_))),
            "{value}"
        );
    }
    assert!(matches!(
        StatusList::from_cbor(&[0xa0, 0x00], &Limits::default()),
        Err(StatusListError::Malformed(m)) if m.contains("follow")
    ));
}

// ---------------------------------------------------------------- tokens

/// Signs `claims` as a JWT with `typ`, bypassing the checks our own `jwt::sign` builds in.
async fn raw_jwt(typ: Option<&str>, claims: Value, signer: &dyn Signer) -> String {
    let mut header = Map::new();
    if let Some(typ) = typ {
        header.insert("typ".into(), typ.into());
    }
    jws::sign_compact(&header, &serde_json::to_vec(&claims).unwrap(), signer)
        .await
        .unwrap()
}

fn claims_json(token: &StatusListToken) -> Value {
    json!({"sub": token.sub, "iat": token.iat, "exp": token.exp, "ttl": token.ttl,
           "status_list": token.status_list.to_json()})
}

#[tokio::test]
async fn jwt_and_cwt_round_trip() {
    for key_type in [KeyType::P256, KeyType::Ed25519, KeyType::MlDsa44] {
        let signer = new_signer(key_type);
        let token = StatusListToken {
            iss: Some("https://issuer.example".into()),
            ..sample_token()
        };
        let compact = jwt::sign(&token, &signer).await.unwrap();
        assert_eq!(
            jwt::verify(&compact, signer.public_key(), &opts()),
            Ok(token.clone())
        );
        let cbor = cwt::sign(&token, &signer).await.unwrap();
        assert_eq!(cbor[0], 0xd2, "COSE_Sign1_Tagged, no CWT tag");
        assert_eq!(cwt::verify(&cbor, signer.public_key(), &opts()), Ok(token));
    }
}

#[tokio::test]
async fn jwt_with_wrong_typ_is_refused() {
    let signer = new_signer(KeyType::P256);
    let claims = claims_json(&sample_token());
    for typ in [
        Some("JWT"),
        Some("statuslist+cwt"),
        Some("application/jwt"),
        None,
    ] {
        let compact = raw_jwt(typ, claims.clone(), &signer).await;
        assert_eq!(
            jwt::verify(&compact, signer.public_key(), &opts()),
            Err(TokenError::WrongType {
                expected: JWT_TYP,
                found: typ.map(str::to_owned)
            }),
            "{typ:?}"
        );
    }
    // RFC 7515 §4.1.9: the full media type and another case are the same `typ`.
    for typ in ["application/statuslist+jwt", "StatusList+JWT"] {
        let compact = raw_jwt(Some(typ), claims.clone(), &signer).await;
        assert!(
            jwt::verify(&compact, signer.public_key(), &opts()).is_ok(),
            "{typ}"
        );
    }
}

#[tokio::test]
async fn subject_must_equal_the_referenced_uri() {
    let signer = new_signer(KeyType::P256);
    let token = StatusListToken {
        sub: "https://issuer.example/statuslists/8".into(),
        ..sample_token()
    };
    let expected = Err(TokenError::SubjectMismatch {
        expected: URI.into(),
        found: "https://issuer.example/statuslists/8".into(),
    });
    let compact = jwt::sign(&token, &signer).await.unwrap();
    assert_eq!(
        jwt::verify(&compact, signer.public_key(), &opts()),
        expected
    );
    let cbor = cwt::sign(&token, &signer).await.unwrap();
    assert_eq!(cwt::verify(&cbor, signer.public_key(), &opts()), expected);
}

#[tokio::test]
async fn expired_token_is_refused_with_bounded_skew() {
    let signer = new_signer(KeyType::Ed25519);
    let token = StatusListToken {
        exp: Some(NOW - 61),
        ..sample_token()
    };
    let compact = jwt::sign(&token, &signer).await.unwrap();
    let cbor = cwt::sign(&token, &signer).await.unwrap();
    let expired = Err(TokenError::Expired {
        exp: NOW - 61,
        now: NOW,
    });
    assert_eq!(jwt::verify(&compact, signer.public_key(), &opts()), expired);
    assert_eq!(cwt::verify(&cbor, signer.public_key(), &opts()), expired);
    // Within the 60 s default skew at NOW - 1; never beyond MAX_CLOCK_SKEW.
    let earlier = VerifyOptions {
        now: NOW - 2,
        ..opts()
    };
    assert!(jwt::verify(&compact, signer.public_key(), &earlier).is_ok());
    let lax = VerifyOptions {
        skew: MAX_CLOCK_SKEW + 1,
        ..opts()
    };
    assert_eq!(
        jwt::verify(&compact, signer.public_key(), &lax),
        Err(TokenError::SkewTooLarge(MAX_CLOCK_SKEW + 1))
    );
}

#[tokio::test]
async fn not_yet_valid_and_future_tokens_are_refused() {
    let signer = new_signer(KeyType::Ed25519);
    let future = StatusListToken {
        iat: NOW + 120,
        ..sample_token()
    };
    let compact = jwt::sign(&future, &signer).await.unwrap();
    assert_eq!(
        jwt::verify(&compact, signer.public_key(), &opts()),
        Err(TokenError::IssuedInFuture {
            iat: NOW + 120,
            now: NOW
        })
    );
    let nbf = StatusListToken {
        nbf: Some(NOW + 120),
        ..sample_token()
    };
    let cbor = cwt::sign(&nbf, &signer).await.unwrap();
    assert_eq!(
        cwt::verify(&cbor, signer.public_key(), &opts()),
        Err(TokenError::NotYetValid {
            nbf: NOW + 120,
            now: NOW
        })
    );
}

#[tokio::test]
async fn missing_and_invalid_claims_are_named() {
    let signer = new_signer(KeyType::P256);
    let mut claims = claims_json(&sample_token());
    let verify = |compact: &str| jwt::verify(compact, signer.public_key(), &opts());
    for name in ["sub", "iat", "status_list"] {
        let mut without = claims.clone();
        without.as_object_mut().unwrap().remove(name);
        let compact = raw_jwt(Some(JWT_TYP), without, &signer).await;
        assert_eq!(verify(&compact), Err(TokenError::MissingClaim(name)));
    }
    for ttl in [json!(0), json!(-5), json!(1.5), json!("300")] {
        claims["ttl"] = ttl.clone();
        let compact = raw_jwt(Some(JWT_TYP), claims.clone(), &signer).await;
        assert!(
            matches!(
                verify(&compact),
                Err(TokenError::InvalidClaim { claim: "ttl", .. })
            ),
            "ttl {ttl}"
        );
    }
    claims["ttl"] = json!(300);
    claims["exp"] = json!("tomorrow");
    let compact = raw_jwt(Some(JWT_TYP), claims.clone(), &signer).await;
    assert!(matches!(
        verify(&compact),
        Err(TokenError::InvalidClaim { claim: "exp", .. })
    ));
    let compact = raw_jwt(Some(JWT_TYP), json!([1, 2]), &signer).await;
    assert!(matches!(
        verify(&compact),
        Err(TokenError::MalformedClaims(_))
    ));
}

#[tokio::test]
async fn bad_signature_is_refused() {
    let signer = new_signer(KeyType::P256);
    let other = new_signer(KeyType::P256);
    let token = sample_token();

    let compact = jwt::sign(&token, &signer).await.unwrap();
    let bad_sig = Err(TokenError::Jws(JwsError::Crypto(CryptoError::BadSignature)));
    assert_eq!(jwt::verify(&compact, other.public_key(), &opts()), bad_sig);
    // Flip one byte of the payload part: the claims no longer match the signature.
    let (head, rest) = compact.split_once('.').unwrap();
    let (payload, sig) = rest.split_once('.').unwrap();
    let mut claims: Value =
        serde_json::from_slice(&saifu_crypto::b64::decode(payload, "p").unwrap()).unwrap();
    claims["ttl"] = json!(999_999);
    let forged = format!(
        "{head}.{}.{sig}",
        saifu_crypto::b64::encode(serde_json::to_vec(&claims).unwrap())
    );
    assert_eq!(jwt::verify(&forged, signer.public_key(), &opts()), bad_sig);

    let mut cbor = cwt::sign(&token, &signer).await.unwrap();
    let last = cbor.len() - 1;
    cbor[last] ^= 0x01;
    assert_eq!(
        cwt::verify(&cbor, signer.public_key(), &opts()),
        Err(TokenError::Cose(CoseError::Crypto(
            CryptoError::BadSignature
        )))
    );
}

#[tokio::test]
async fn algorithm_outside_the_allow_list_is_refused() {
    let signer = new_signer(KeyType::Ed25519);
    let only_es256 = VerifyOptions::new(URI, NOW, &[Algorithm::ES256]);
    let compact = jwt::sign(&sample_token(), &signer).await.unwrap();
    assert_eq!(
        jwt::verify(&compact, signer.public_key(), &only_es256),
        Err(TokenError::Jws(JwsError::AlgorithmNotAllowed(
            Algorithm::Ed25519
        )))
    );
    let cbor = cwt::sign(&sample_token(), &signer).await.unwrap();
    assert_eq!(
        cwt::verify(&cbor, signer.public_key(), &only_es256),
        Err(TokenError::Cose(CoseError::AlgorithmNotAllowed(
            Algorithm::Ed25519
        )))
    );
}

/// Signs the sample token's claims as a CWT with the given protected `typ`.
async fn cwt_with_typ(typ: Option<ciborium::Value>, signer: &dyn Signer) -> Vec<u8> {
    let token = sample_token();
    let mut claims = saifu_crypto::cwt::Claims::new();
    claims.sub = Some(token.sub);
    claims.iat = Some(token.iat);
    claims
        .insert(
            Label::Int(cwt::STATUS_LIST_CLAIM),
            token.status_list.to_cbor_value(),
        )
        .unwrap();
    let mut protected = Header::new();
    if let Some(typ) = typ {
        protected.insert(Label::Int(label::TYP), typ).unwrap();
    }
    let opts = SignOptions {
        protected,
        ..SignOptions::default()
    };
    saifu_crypto::cwt::sign(signer, &claims, opts)
        .await
        .unwrap()
        .to_vec()
}

#[tokio::test]
async fn cwt_with_wrong_content_type_is_refused() {
    use ciborium::Value as Cbor;
    let signer = new_signer(KeyType::P256);
    let cases = [
        (
            Some(Cbor::Text("application/cwt".into())),
            Some("application/cwt".to_owned()),
        ),
        (
            Some(Cbor::Text("application/statuslist+jwt".into())),
            Some("application/statuslist+jwt".to_owned()),
        ),
        (
            Some(Cbor::Integer(61.into())),
            Some("content format 61".to_owned()),
        ),
        (None, None),
    ];
    for (typ, found) in cases {
        let cbor = cwt_with_typ(typ, &signer).await;
        assert_eq!(
            cwt::verify(&cbor, signer.public_key(), &opts()),
            Err(TokenError::WrongType {
                expected: CWT_MEDIA_TYPE,
                found
            })
        );
    }
    let good = cwt_with_typ(Some(Cbor::Text(CWT_MEDIA_TYPE.into())), &signer).await;
    assert!(cwt::verify(&good, signer.public_key(), &opts()).is_ok());
}

#[tokio::test]
async fn cwt_must_be_tagged_cose_sign1_without_the_cwt_tag() {
    let signer = new_signer(KeyType::P256);
    let tagged = cwt::sign(&sample_token(), &signer).await.unwrap();
    let untagged = tagged[1..].to_vec();
    let mut cwt_tagged = vec![0xd8, 61];
    cwt_tagged.extend_from_slice(&tagged);
    for bytes in [untagged, cwt_tagged, Vec::new()] {
        assert_eq!(
            cwt::verify(&bytes, signer.public_key(), &opts()),
            Err(TokenError::NotTaggedCoseSign1)
        );
    }
}

#[tokio::test]
async fn oversized_tokens_are_refused_before_parsing() {
    let signer = new_signer(KeyType::P256);
    let small = VerifyOptions {
        limits: Limits {
            max_token_bytes: 64,
            ..Limits::default()
        },
        ..opts()
    };
    let compact = jwt::sign(&sample_token(), &signer).await.unwrap();
    assert!(matches!(
        jwt::verify(&compact, signer.public_key(), &small),
        Err(TokenError::Jws(JwsError::TooLarge { limit: 64, .. }))
    ));
    let cbor = cwt::sign(&sample_token(), &signer).await.unwrap();
    assert!(matches!(
        cwt::verify(&cbor, signer.public_key(), &small),
        Err(TokenError::Cose(CoseError::TooLarge { max: 64, .. }))
    ));
}

#[tokio::test]
async fn a_zip_bomb_inside_a_valid_token_is_refused() {
    let signer = new_signer(KeyType::P256);
    let bomb = json!({"bits": 1, "lst": saifu_crypto::b64::encode(zlib(&vec![0u8; 4 << 20]))});
    let claims = json!({"sub": URI, "iat": NOW, "status_list": bomb});
    let compact = raw_jwt(Some(JWT_TYP), claims, &signer).await;
    let small = VerifyOptions {
        limits: Limits {
            max_decompressed_bytes: 1 << 20,
            ..Limits::default()
        },
        ..opts()
    };
    assert_eq!(
        jwt::verify(&compact, signer.public_key(), &small),
        Err(TokenError::StatusList(
            StatusListError::DecompressedTooLarge { limit: 1 << 20 }
        ))
    );
}
