//! Key generation, JWK / Multikey import and export, thumbprints and raw signatures for every
//! supported key type.

use saifu_crypto::{Algorithm, CryptoError, Jwk, KeyType, PrivateKey, PublicKey};

#[test]
fn every_signing_key_round_trips_through_jwk_and_multikey_and_signs() {
    for kt in KeyType::SIGNING {
        let key = PrivateKey::generate(kt).unwrap();
        let alg = kt.default_algorithm().unwrap();
        let sig = key.sign(alg, b"message").unwrap();
        key.public_key().verify(alg, b"message", &sig).unwrap();

        // Private JWK round trip keeps the key.
        let jwk_text = serde_json::to_string(&key.to_jwk()).unwrap();
        let back = PrivateKey::from_jwk(&Jwk::from_json(&jwk_text).unwrap()).unwrap();
        assert_eq!(back.public_key(), key.public_key(), "{kt}");
        assert_eq!(*back.secret_bytes(), *key.secret_bytes(), "{kt}");

        // Public JWK has no secrets and round trips.
        let public = key.public_key().to_jwk();
        assert!(!public.is_private(), "{kt}");
        assert_eq!(&PublicKey::from_jwk(&public).unwrap(), key.public_key());

        // Multikey round trip.
        let mk = key.public_key().to_multikey();
        assert!(mk.starts_with('z'));
        assert_eq!(&PublicKey::from_multikey(&mk).unwrap(), key.public_key());

        // A signature from one key does not verify under another of the same type.
        let other = PrivateKey::generate(kt).unwrap();
        assert_eq!(
            other.public_key().verify(alg, b"message", &sig),
            Err(CryptoError::BadSignature)
        );
    }
}

#[test]
fn multikey_prefixes_match_the_registered_codecs() {
    let prefix = |kt| PrivateKey::generate(kt).unwrap().public_key().to_multikey();
    assert!(prefix(KeyType::Ed25519).starts_with("z6Mk"));
    assert!(prefix(KeyType::P256).starts_with("zDn"));
    assert!(prefix(KeyType::Secp256k1).starts_with("zQ3s"));
    assert!(prefix(KeyType::X25519).starts_with("z6LS"));
}

#[test]
fn secret_multikey_round_trips() {
    for kt in [
        KeyType::Ed25519,
        KeyType::P256,
        KeyType::Secp256k1,
        KeyType::X25519,
    ] {
        let key = PrivateKey::generate(kt).unwrap();
        let sk = key.to_secret_multikey().unwrap();
        let back = PrivateKey::from_secret_multikey(&sk).unwrap();
        assert_eq!(back.public_key(), key.public_key());
    }
    let ml = PrivateKey::generate(KeyType::MlDsa44).unwrap();
    assert!(matches!(
        ml.to_secret_multikey(),
        Err(CryptoError::UnsupportedKeyType(_))
    ));
}

#[test]
fn rfc8037_ed25519_key_and_thumbprint() {
    // RFC 8037 Appendix A.1 key and A.3 thumbprint.
    let jwk = Jwk::from_json(
        r#"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,
    )
    .unwrap();
    let key = PrivateKey::from_jwk(&jwk).unwrap();
    assert_eq!(
        key.public_key().thumbprint(),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
    assert_eq!(
        key.public_key().to_jwk().thumbprint_uri().unwrap(),
        "urn:ietf:params:oauth:jwk-thumbprint:sha-256:kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
}

#[test]
fn rfc7638_rsa_thumbprint_example() {
    // RFC 7638 §3.1: thumbprints are computed for keys saifu cannot use, too.
    let jwk = Jwk::from_json(r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#).unwrap();
    assert_eq!(
        jwk.thumbprint().unwrap(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    assert!(
        matches!(PublicKey::from_jwk(&jwk), Err(CryptoError::UnsupportedKeyType(k)) if k == "RSA")
    );
}

#[test]
fn invalid_curve_point_is_rejected() {
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let mut jwk = key.public_key().to_jwk();
    // Flip a bit of y: (x, y') is no longer on the curve.
    let mut y = saifu_crypto::b64::decode(jwk.y.as_deref().unwrap(), "y").unwrap();
    y[31] ^= 1;
    jwk.y = Some(saifu_crypto::b64::encode(&y));
    assert!(
        matches!(PublicKey::from_jwk(&jwk), Err(CryptoError::InvalidPublicKey(m)) if m.contains("not a point"))
    );

    let mut k1 = PrivateKey::generate(KeyType::Secp256k1)
        .unwrap()
        .public_key()
        .to_jwk();
    k1.x = Some(saifu_crypto::b64::encode([0xffu8; 32]));
    assert!(matches!(
        PublicKey::from_jwk(&k1),
        Err(CryptoError::InvalidPublicKey(_))
    ));
}

#[test]
fn wrong_lengths_and_shapes_are_rejected_with_specific_errors() {
    assert_eq!(
        PublicKey::from_bytes(KeyType::Ed25519, &[1; 31]),
        Err(CryptoError::InvalidKeyLength {
            key_type: KeyType::Ed25519,
            expected: 32,
            actual: 31
        })
    );
    assert!(matches!(
        PublicKey::from_bytes(KeyType::MlDsa44, &[0; 1000]),
        Err(CryptoError::InvalidKeyLength {
            expected: 1312,
            actual: 1000,
            ..
        })
    ));
    // EC coordinates must be full length (RFC 7518 §6.2.1.2).
    let mut jwk = PrivateKey::generate(KeyType::P256)
        .unwrap()
        .public_key()
        .to_jwk();
    jwk.x = Some(saifu_crypto::b64::encode([1u8; 31]));
    assert!(matches!(
        PublicKey::from_jwk(&jwk),
        Err(CryptoError::InvalidKeyLength { actual: 31, .. })
    ));
    // Unsupported curve, missing crv, AKP without alg.
    let p384 = Jwk::from_json(r#"{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}"#).unwrap();
    assert_eq!(
        PublicKey::from_jwk(&p384),
        Err(CryptoError::UnsupportedKeyType("EC P-384".into()))
    );
    let no_crv = Jwk::from_json(r#"{"kty":"OKP","x":"AA"}"#).unwrap();
    assert!(matches!(
        PublicKey::from_jwk(&no_crv),
        Err(CryptoError::InvalidJwk(_))
    ));
    let akp = Jwk::from_json(r#"{"kty":"AKP","pub":"AA"}"#).unwrap();
    assert!(
        matches!(PublicKey::from_jwk(&akp), Err(CryptoError::InvalidJwk(m)) if m.contains("alg"))
    );
    // alg hint that contradicts the key type.
    let mut ed = PrivateKey::generate(KeyType::Ed25519)
        .unwrap()
        .public_key()
        .to_jwk();
    ed.alg = Some("ES256".into());
    assert!(matches!(
        PublicKey::from_jwk(&ed),
        Err(CryptoError::AlgorithmKeyMismatch {
            alg: Algorithm::ES256,
            ..
        })
    ));
    // Encryption keys carry JWE algorithm hints; a JWE alg on a signing-only key is refused.
    let mut enc = PrivateKey::generate(KeyType::P256)
        .unwrap()
        .public_key()
        .to_jwk();
    enc.alg = Some("ECDH-ES".into());
    PublicKey::from_jwk(&enc).unwrap();
    ed.alg = Some("ECDH-ES".into());
    assert_eq!(
        PublicKey::from_jwk(&ed),
        Err(CryptoError::UnsupportedAlgorithm("ECDH-ES".into()))
    );
    ed.alg = Some("EdDSA".into());
    PublicKey::from_jwk(&ed).unwrap();
    // P-384 multikey is recognised but unsupported.
    let mut p384mk = vec![0x81, 0x24, 0x02];
    p384mk.extend([7u8; 48]);
    assert_eq!(
        PublicKey::from_multicodec(&p384mk),
        Err(CryptoError::UnsupportedKeyType("P-384".into()))
    );
}

#[test]
fn private_jwk_with_foreign_public_part_is_rejected() {
    let a = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let b = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let mut jwk = a.to_jwk();
    jwk.x = b.public_key().to_jwk().x.clone();
    assert!(
        matches!(PrivateKey::from_jwk(&jwk), Err(CryptoError::InvalidPrivateKey(m)) if m.contains("do not match"))
    );
}

#[test]
fn signature_shape_errors_and_mismatches() {
    let ed = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let sig = ed.sign(Algorithm::Ed25519, b"m").unwrap();
    assert!(matches!(
        ed.public_key().verify(Algorithm::Ed25519, b"m", &sig[..63]),
        Err(CryptoError::MalformedSignature {
            alg: Algorithm::Ed25519,
            ..
        })
    ));
    assert_eq!(
        ed.public_key().verify(Algorithm::ES256, b"m", &sig),
        Err(CryptoError::AlgorithmKeyMismatch {
            alg: Algorithm::ES256,
            key_type: KeyType::Ed25519
        })
    );
    assert_eq!(
        ed.sign(Algorithm::ES256K, b"m"),
        Err(CryptoError::AlgorithmKeyMismatch {
            alg: Algorithm::ES256K,
            key_type: KeyType::Ed25519
        })
    );
    // The legacy EdDSA name verifies Ed25519 signatures.
    ed.public_key()
        .verify(Algorithm::EdDSA, b"m", &sig)
        .unwrap();

    let p = PrivateKey::generate(KeyType::P256).unwrap();
    let psig = p.sign(Algorithm::ES256, b"m").unwrap();
    assert_eq!(psig.len(), 64, "JOSE ECDSA signatures are r||s, never DER");
    assert!(matches!(
        p.public_key().verify(Algorithm::ES256, b"m", &psig[..60]),
        Err(CryptoError::MalformedSignature { .. })
    ));
    assert_eq!(
        p.public_key().verify(Algorithm::ES256, b"x", &psig),
        Err(CryptoError::BadSignature)
    );
}

#[test]
fn secp256k1_accepts_high_s_signatures() {
    // RFC 8812 has no low-S rule; a peer may legitimately send high-S. n - s gives the twin.
    use k256::elliptic_curve::PrimeField;
    let key = PrivateKey::generate(KeyType::Secp256k1).unwrap();
    let sig = key.sign(Algorithm::ES256K, b"m").unwrap();
    let s = k256::Scalar::from_repr(<[u8; 32]>::try_from(&sig[32..]).unwrap().into()).unwrap();
    let high = -s;
    let mut twin = sig[..32].to_vec();
    twin.extend_from_slice(&high.to_bytes());
    key.public_key()
        .verify(Algorithm::ES256K, b"m", &twin)
        .unwrap();
}

#[test]
fn x25519_keys_cannot_sign_but_agree() {
    let a = PrivateKey::generate(KeyType::X25519).unwrap();
    let b = PrivateKey::generate(KeyType::X25519).unwrap();
    assert!(KeyType::X25519.default_algorithm().is_none());
    assert_eq!(
        *a.diffie_hellman(b.public_key()).unwrap(),
        *b.diffie_hellman(a.public_key()).unwrap()
    );
    let low_order = PublicKey::from_bytes(KeyType::X25519, &[0u8; 32]).unwrap();
    assert!(matches!(
        a.diffie_hellman(&low_order),
        Err(CryptoError::InvalidPublicKey(_))
    ));
    let p = PrivateKey::generate(KeyType::P256).unwrap();
    assert!(matches!(
        a.diffie_hellman(p.public_key()),
        Err(CryptoError::UnsupportedKeyType(_))
    ));
}

#[test]
fn ed25519_maps_to_x25519_for_key_agreement() {
    let ed = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let x = ed.public_key().to_ed25519_x25519().unwrap();
    assert_eq!(x.key_type(), KeyType::X25519);
    assert!(
        PrivateKey::generate(KeyType::P256)
            .unwrap()
            .public_key()
            .to_ed25519_x25519()
            .is_none()
    );
}

#[test]
fn debug_output_never_contains_secrets() {
    let key = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let jwk = key.to_jwk();
    let d = jwk.d.clone().unwrap();
    assert!(!format!("{key:?}").contains(&d));
    assert!(!format!("{jwk:?}").contains(&d));
}
