//! JWE compact parsing and ECDH-ES decryption with fixed P-256 and X25519 keys: must never panic.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use saifu_crypto::jwe::{self, DecryptOptions};
use saifu_crypto::{KeyType, PrivateKey};

static KEYS: LazyLock<[PrivateKey; 2]> = LazyLock::new(|| {
    [
        PrivateKey::from_secret_bytes(KeyType::P256, &[3; 32]).unwrap(),
        PrivateKey::from_secret_bytes(KeyType::X25519, &[5; 32]).unwrap(),
    ]
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let options = DecryptOptions::default();
    let _ = jwe::decode_header(text, &options);
    for key in KEYS.iter() {
        let _ = jwe::decrypt(text, key, &options);
    }
});
