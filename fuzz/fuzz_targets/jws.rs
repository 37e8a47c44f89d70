//! JWS compact and JSON parsing, then verification under a fixed key: must never panic.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use saifu_crypto::jws::{self, VerifyPolicy};
use saifu_crypto::{Algorithm, KeyType, PrivateKey, PublicKey};

static KEY: LazyLock<PublicKey> =
    LazyLock::new(|| PrivateKey::from_secret_bytes(KeyType::Ed25519, &[7; 32]).unwrap().public_key().clone());

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let policy = VerifyPolicy::new(&Algorithm::ALL);
    let _ = jws::verify_compact(text, &*KEY, &policy);
    if let Ok(all) = jws::decode_json(text, jws::DEFAULT_MAX_LEN) {
        for d in all {
            let _ = d.verify(&*KEY, &policy);
        }
    }
});
