//! CWT claim sets and signed CWTs made by saifu: claims round trip, `cnf` key binding, private
//! claims, time validation with an injected clock, and the specific error of every rejection.
//! (The RFC 8392 Appendix A vectors are checked in `tests/cose.rs` with the rest of the COSE WG set.)

use ciborium::Value as Cbor;
use saifu_crypto::cose::{self, CoseError, Label, SignOptions, VerifyOptions};
use saifu_crypto::cwt::{self, Claims, CwtError, MAX_CLOCK_SKEW};
use saifu_crypto::{Algorithm, KeyType, LocalSigner, PrivateKey};

const NOW: i64 = 1_760_000_000;

fn int(i: i64) -> Cbor {
    Cbor::Integer(i.into())
}

fn encode(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).unwrap();
    out
}

/// Claims with the given registered times (the other fields stay empty).
fn timed(exp: Option<i64>, nbf: Option<i64>, iat: Option<i64>) -> Claims {
    let mut claims = Claims::new();
    (claims.exp, claims.nbf, claims.iat) = (exp, nbf, iat);
    claims
}

fn with_cnf(cnf: Cbor) -> Claims {
    let mut claims = Claims::new();
    claims.cnf = Some(cnf);
    claims
}

fn sample_claims() -> Claims {
    let mut claims = timed(Some(NOW + 3600), Some(NOW - 10), Some(NOW - 10));
    claims.iss = Some("https://issuer.example".into());
    claims.sub = Some("subject-1".into());
    claims.aud = Some("https://verifier.example".into());
    claims.cti = Some(vec![1, 2, 3]);
    claims
        .insert(
            Label::Int(65_533),
            Cbor::Map(vec![(Cbor::Text("bits".into()), int(1))]),
        )
        .unwrap();
    claims
        .insert(Label::Int(-70_000), Cbor::Bool(true))
        .unwrap();
    claims
        .insert(
            Label::Text("vct".into()),
            Cbor::Text("urn:example:pid".into()),
        )
        .unwrap();
    claims
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn claims_round_trip_with_private_claims_in_order() {
    let claims = sample_claims();
    let bytes = claims.to_vec();
    let back = Claims::from_slice(&bytes).unwrap();
    assert_eq!(back, claims);
    assert_eq!(back.to_vec(), bytes);
    assert_eq!(back.get(&Label::Int(-70_000)), Some(&Cbor::Bool(true)));
    let others: Vec<&Label> = back.other().map(|(l, _)| l).collect();
    assert_eq!(
        others,
        [
            &Label::Int(65_533),
            &Label::Int(-70_000),
            &Label::Text("vct".into())
        ]
    );
}

#[test]
fn registered_claims_have_their_fields() {
    let mut claims = Claims::new();
    for i in 1..=8 {
        assert_eq!(
            claims.insert(Label::Int(i), int(0)).unwrap_err(),
            CwtError::RegisteredClaim(Label::Int(i))
        );
    }
    claims
        .insert(Label::Int(9), Cbor::Text("scope".into()))
        .unwrap();
    assert_eq!(
        claims.insert(Label::Int(9), Cbor::Null).unwrap_err(),
        CwtError::Cose(CoseError::DuplicateLabel(Label::Int(9)))
    );
}

#[test]
fn signed_cwt_round_trips_for_every_algorithm() {
    for key_type in [
        KeyType::Ed25519,
        KeyType::P256,
        KeyType::Secp256k1,
        KeyType::MlDsa44,
        KeyType::MlDsa65,
    ] {
        let signer = LocalSigner::new(PrivateKey::generate(key_type).unwrap()).unwrap();
        let alg = saifu_crypto::Signer::algorithm(&signer);
        let message =
            block_on(cwt::sign(&signer, &sample_claims(), SignOptions::default())).unwrap();
        let decoded = cwt::decode(&message.to_vec()).unwrap();
        let public = signer.private_key().public_key();
        let claims = cwt::verify(&decoded, public, &VerifyOptions::new(&[alg]), NOW, 0).unwrap();
        assert_eq!(claims, sample_claims(), "{key_type}");
    }
}

#[test]
fn cnf_binds_a_cose_key() {
    for key_type in [KeyType::P256, KeyType::Ed25519, KeyType::MlDsa44] {
        let holder = PrivateKey::generate(key_type).unwrap();
        let mut claims = Claims::new();
        claims.set_cnf_key(holder.public_key());
        let back = Claims::from_slice(&claims.to_vec()).unwrap();
        assert_eq!(
            back.cnf_key().unwrap().as_ref(),
            Some(holder.public_key()),
            "{key_type}"
        );
    }
    assert_eq!(Claims::new().cnf_key().unwrap(), None);
    let kid_only = with_cnf(Cbor::Map(vec![(int(3), Cbor::Bytes(b"kid".to_vec()))]));
    assert_eq!(kid_only.cnf_key().unwrap(), None);
    let not_map = with_cnf(int(1));
    assert_eq!(
        not_map.cnf_key().unwrap_err(),
        CwtError::InvalidClaim {
            claim: "cnf",
            reason: "not a map"
        }
    );
    let bad_key = with_cnf(Cbor::Map(vec![(int(1), Cbor::Map(vec![]))]));
    assert_eq!(
        bad_key.cnf_key().unwrap_err(),
        CwtError::Cose(CoseError::InvalidKey("kty is required".into()))
    );
}

#[test]
fn time_validation_with_bounded_skew() {
    let claims = timed(Some(NOW), Some(NOW - 100), Some(NOW - 100));
    assert_eq!(
        claims.validate_time(NOW, 0).unwrap_err(),
        CwtError::Expired { exp: NOW, now: NOW }
    );
    claims.validate_time(NOW - 1, 0).unwrap();
    claims.validate_time(NOW + 59, 60).unwrap();
    assert_eq!(
        claims.validate_time(NOW + 60, 60).unwrap_err(),
        CwtError::Expired {
            exp: NOW,
            now: NOW + 60
        }
    );
    assert_eq!(
        claims.validate_time(NOW - 101, 0).unwrap_err(),
        CwtError::NotYetValid {
            nbf: NOW - 100,
            now: NOW - 101
        }
    );
    claims.validate_time(NOW - 101, 1).unwrap();

    let future = timed(None, None, Some(NOW + 120));
    assert_eq!(
        future.validate_time(NOW, 60).unwrap_err(),
        CwtError::IssuedInFuture {
            iat: NOW + 120,
            now: NOW
        }
    );
    future.validate_time(NOW, 120).unwrap();

    assert_eq!(
        Claims::new()
            .validate_time(NOW, MAX_CLOCK_SKEW + 1)
            .unwrap_err(),
        CwtError::SkewTooLarge(MAX_CLOCK_SKEW + 1)
    );
    let far = timed(Some(i64::MAX), Some(i64::MIN), None);
    far.validate_time(i64::MAX - 1, MAX_CLOCK_SKEW).unwrap();
}

#[test]
fn verify_applies_the_clock() {
    let signer = LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap()).unwrap();
    let message = block_on(cwt::sign(&signer, &sample_claims(), SignOptions::default())).unwrap();
    let opts = VerifyOptions::new(&[Algorithm::Ed25519]);
    let public = signer.private_key().public_key();
    assert_eq!(
        cwt::verify(&message, public, &opts, NOW + 3600, 0).unwrap_err(),
        CwtError::Expired {
            exp: NOW + 3600,
            now: NOW + 3600
        }
    );
}

#[test]
fn claims_of_the_wrong_type_are_refused() {
    let cases = [
        (1, int(5), "iss", "not a text string"),
        (2, Cbor::Bytes(vec![]), "sub", "not a text string"),
        (
            3,
            Cbor::Array(vec![Cbor::Text("a".into())]),
            "aud",
            "not a text string",
        ),
        (4, Cbor::Text("tomorrow".into()), "exp", "not a NumericDate"),
        (5, Cbor::Float(f64::NAN), "nbf", "out of range"),
        (6, Cbor::Float(1e300), "iat", "out of range"),
        (7, Cbor::Text("id".into()), "cti", "not a byte string"),
    ];
    for (key, value, claim, reason) in cases {
        let bytes = encode(&Cbor::Map(vec![(int(key), value)]));
        assert_eq!(
            Claims::from_slice(&bytes).unwrap_err(),
            CwtError::InvalidClaim { claim, reason }
        );
    }
    let huge_exp = encode(&Cbor::Map(vec![(int(4), Cbor::Integer(u64::MAX.into()))]));
    assert_eq!(
        Claims::from_slice(&huge_exp).unwrap_err(),
        CwtError::InvalidClaim {
            claim: "exp",
            reason: "out of range"
        }
    );
}

#[test]
fn float_dates_round_conservatively() {
    let bytes = encode(&Cbor::Map(vec![
        (int(4), Cbor::Float(100.5)),
        (int(5), Cbor::Float(50.5)),
        (int(6), Cbor::Float(-0.5)),
    ]));
    let claims = Claims::from_slice(&bytes).unwrap();
    assert_eq!(
        (claims.exp, claims.nbf, claims.iat),
        (Some(100), Some(51), Some(-1))
    );
}

#[test]
fn malformed_claim_sets_are_refused() {
    let dup = encode(&Cbor::Map(vec![
        (int(1), Cbor::Text("a".into())),
        (int(1), Cbor::Text("b".into())),
    ]));
    assert_eq!(
        Claims::from_slice(&dup).unwrap_err(),
        CwtError::Cose(CoseError::DuplicateLabel(Label::Int(1)))
    );
    let array = encode(&Cbor::Array(vec![]));
    assert!(matches!(
        Claims::from_slice(&array).unwrap_err(),
        CwtError::Cose(CoseError::MalformedMap(_))
    ));
    let float_key = encode(&Cbor::Map(vec![(Cbor::Float(1.0), int(1))]));
    assert!(matches!(
        Claims::from_slice(&float_key).unwrap_err(),
        CwtError::Cose(CoseError::MalformedMap(_))
    ));
    let mut trailing = Claims::new().to_vec();
    trailing.push(0);
    assert!(matches!(
        Claims::from_slice(&trailing).unwrap_err(),
        CwtError::Cose(CoseError::Cbor(_))
    ));
}

#[test]
fn tag_61_and_payload_rules() {
    let signer = LocalSigner::new(PrivateKey::generate(KeyType::P256).unwrap()).unwrap();
    let message = block_on(cwt::sign(&signer, &sample_claims(), SignOptions::default())).unwrap();

    let untagged_inside_61 = encode(&Cbor::Tag(cwt::CWT_TAG, Box::new(message.to_value())));
    assert_eq!(
        cwt::decode(&untagged_inside_61).unwrap_err(),
        CwtError::Cose(CoseError::NotCoseSign1(
            "the CWT tag must wrap a tagged COSE message"
        ))
    );
    let untagged = encode(&message.to_value());
    assert_eq!(cwt::decode(&untagged).unwrap(), message);

    let detached = block_on(cwt::sign(
        &signer,
        &sample_claims(),
        SignOptions {
            detached: true,
            ..Default::default()
        },
    ))
    .unwrap();
    let opts = VerifyOptions::new(&[Algorithm::ES256]);
    assert_eq!(
        cwt::verify(&detached, signer.private_key().public_key(), &opts, NOW, 0).unwrap_err(),
        CwtError::MissingClaims
    );

    let not_claims = block_on(cose::sign1(
        &signer,
        b"not CBOR \xff",
        SignOptions::default(),
    ))
    .unwrap();
    assert!(matches!(
        cwt::verify(
            &not_claims,
            signer.private_key().public_key(),
            &opts,
            NOW,
            0
        )
        .unwrap_err(),
        CwtError::Cose(CoseError::Cbor(_))
    ));
}
