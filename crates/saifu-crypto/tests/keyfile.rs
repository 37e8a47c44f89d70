//! Encrypted key files: round trip, and every way a file can be refused.

use saifu_crypto::keyfile::{self, KdfParams, KeyFileError};
use saifu_crypto::{KeyType, PrivateKey};

/// The smallest accepted parameters keep the test quick; the defaults are exercised once.
const FAST: KdfParams = KdfParams {
    m_cost: 8 * 1024,
    t_cost: 1,
    p_cost: 1,
};

#[test]
fn round_trip_for_every_key_type_and_public_part_readable_without_passphrase() {
    for kt in KeyType::ALL {
        let key = PrivateKey::generate(kt).unwrap();
        let text = keyfile::encrypt(&key, b"correct horse", FAST).unwrap();
        assert!(keyfile::is_encrypted(&text));
        assert!(
            !text.contains(
                key.to_jwk()
                    .d
                    .as_deref()
                    .or(key.to_jwk().priv_.as_deref())
                    .unwrap()
            )
        );
        assert_eq!(
            keyfile::public_jwk(&text).unwrap(),
            key.public_key().to_jwk()
        );
        let back = keyfile::decrypt(&text, b"correct horse").unwrap();
        assert_eq!(back.public_key(), key.public_key());
    }
}

#[test]
fn default_parameters_work() {
    let key = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let text = keyfile::encrypt(&key, b"pw", KdfParams::default()).unwrap();
    assert_eq!(
        keyfile::load(&text, Some(b"pw")).unwrap().public_key(),
        key.public_key()
    );
}

#[test]
fn wrong_passphrase_is_rejected() {
    let key = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let text = keyfile::encrypt(&key, b"right", FAST).unwrap();
    assert_eq!(
        keyfile::decrypt(&text, b"wrong").unwrap_err(),
        KeyFileError::WrongPassphrase
    );
    assert_eq!(
        keyfile::load(&text, None).unwrap_err(),
        KeyFileError::PassphraseRequired
    );
}

#[test]
fn swapping_the_public_key_or_parameters_breaks_decryption() {
    let key = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let other = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let text = keyfile::encrypt(&key, b"pw", FAST).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["public_jwk"] = serde_json::to_value(other.public_key().to_jwk()).unwrap();
    assert_eq!(
        keyfile::decrypt(&v.to_string(), b"pw").unwrap_err(),
        KeyFileError::WrongPassphrase
    );

    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["params"]["t_cost"] = 2.into();
    assert_eq!(
        keyfile::decrypt(&v.to_string(), b"pw").unwrap_err(),
        KeyFileError::WrongPassphrase
    );
}

#[test]
fn hostile_kdf_parameters_are_refused_before_any_work() {
    let key = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let text = keyfile::encrypt(&key, b"pw", FAST).unwrap();
    for (field, value) in [
        ("m_cost", 64u64 * 1024 * 1024),
        ("m_cost", 16),
        ("t_cost", 1000),
        ("p_cost", 0),
    ] {
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["params"][field] = value.into();
        assert!(
            matches!(
                keyfile::decrypt(&v.to_string(), b"pw"),
                Err(KeyFileError::KdfParameters(_))
            ),
            "{field}={value}"
        );
    }
}

#[test]
fn plain_jwk_loads_and_garbage_is_malformed() {
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let text = serde_json::to_string(&key.to_jwk()).unwrap();
    assert!(!keyfile::is_encrypted(&text));
    assert_eq!(
        keyfile::load(&text, None).unwrap().public_key(),
        key.public_key()
    );
    assert!(matches!(
        keyfile::load("not json", None),
        Err(KeyFileError::Malformed(_))
    ));
    let public_only = serde_json::to_string(&key.public_key().to_jwk()).unwrap();
    assert!(matches!(
        keyfile::load(&public_only, None),
        Err(KeyFileError::Crypto(_))
    ));
}
