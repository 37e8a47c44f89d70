//! JWK and Multikey decoding for every key type: must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use saifu_crypto::{Jwk, PrivateKey, PublicKey};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(jwk) = Jwk::from_json(text) {
        let _ = jwk.thumbprint();
        if let Ok(key) = PublicKey::from_jwk(&jwk) {
            // Whatever decodes must re-encode to a key that decodes to itself.
            assert_eq!(PublicKey::from_jwk(&key.to_jwk()).unwrap(), key);
        }
        let _ = PrivateKey::from_jwk(&jwk);
    }
    if let Ok(key) = PublicKey::from_multikey(text) {
        assert_eq!(PublicKey::from_multikey(&key.to_multikey()).unwrap(), key);
    }
    let _ = PublicKey::from_multicodec(data);
});
