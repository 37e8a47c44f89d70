//! COSE_Sign1, COSE_Key and CWT decoding and verification: must never panic.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use saifu_crypto::cose::{CoseSign1, VerifyOptions};
use saifu_crypto::{Algorithm, KeyType, PrivateKey, PublicKey, cose, cwt};

static KEY: LazyLock<PublicKey> =
    LazyLock::new(|| PrivateKey::from_secret_bytes(KeyType::P256, &[9; 32]).unwrap().public_key().clone());

fuzz_target!(|data: &[u8]| {
    let allowed = Algorithm::ALL;
    if let Ok(msg) = CoseSign1::from_slice(data) {
        let _ = msg.verify(&*KEY, &VerifyOptions::new(&allowed));
    }
    if let Ok(msg) = cwt::decode(data) {
        let _ = cwt::verify(&msg, &*KEY, &VerifyOptions::new(&allowed), 1_700_000_000, 60);
    }
    let _ = cose::key::from_slice(data);
});
