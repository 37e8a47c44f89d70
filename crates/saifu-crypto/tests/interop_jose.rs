//! JWE interoperability with an independent implementation, the npm package `jose` (pinned in
//! `interop/package-lock.json`), in both directions: saifu encrypts and `jose` decrypts, `jose`
//! encrypts and saifu decrypts — P-256 and X25519, A128GCM and A256GCM, with `kid`, `apu`, `apv`.
//!
//! Needs `node` and `interop/node_modules` (`npm ci --prefix interop`); fails, never skips,
//! when they are missing.

use saifu_crypto::jwe::{self, ContentEncryption, DecryptOptions, EncryptOptions};
use saifu_crypto::{KeyType, PrivateKey, b64};
use saifu_test_support::{expect_node, require_npm_package};
use serde_json::{Value, json};

const PLAINTEXT: &[u8] = "{\"vp_token\":\"…\",\"state\":\"s-1\"}".as_bytes();
const KID: &str = "verifier-enc-1";
const APU: &[u8] = b"wallet-nonce";
const APV: &[u8] = b"verifier-nonce";

/// Runs `interop/jose/<script>` with `request` on stdin and returns its JSON answer.
fn run_jose(script: &str, request: &Value) -> Value {
    require_npm_package("jose", None);
    expect_node(&format!("jose/{script}"), request)
}

fn cases() -> impl Iterator<Item = (KeyType, ContentEncryption)> {
    [KeyType::P256, KeyType::X25519]
        .into_iter()
        .flat_map(|curve| {
            [ContentEncryption::A128Gcm, ContentEncryption::A256Gcm]
                .into_iter()
                .map(move |enc| (curve, enc))
        })
}

#[test]
fn saifu_encrypts_jose_decrypts() {
    for (curve, enc) in cases() {
        let key = PrivateKey::generate(curve).unwrap();
        let opts = EncryptOptions {
            enc,
            kid: Some(KID),
            apu: Some(APU),
            apv: Some(APV),
        };
        let token = jwe::encrypt(key.public_key(), PLAINTEXT, &opts).unwrap();
        let answer = run_jose(
            "jwe-decrypt.mjs",
            &json!({ "jwk": key.to_jwk(), "jwe": token }),
        );
        let plaintext = b64::decode(answer["plaintext"].as_str().unwrap(), "plaintext").unwrap();
        assert_eq!(plaintext, PLAINTEXT, "{curve} {enc}");
        let header = &answer["protectedHeader"];
        assert_eq!(
            (header["enc"].as_str(), header["kid"].as_str()),
            (Some(enc.name()), Some(KID))
        );
    }
}

#[test]
fn jose_encrypts_saifu_decrypts() {
    for (curve, enc) in cases() {
        let key = PrivateKey::generate(curve).unwrap();
        let request = json!({
            "jwk": key.public_key().to_jwk(),
            "enc": enc.name(),
            "plaintext": b64::encode(PLAINTEXT),
            "kid": KID,
            "apu": b64::encode(APU),
            "apv": b64::encode(APV),
        });
        let token = run_jose("jwe-encrypt.mjs", &request)["jwe"]
            .as_str()
            .unwrap()
            .to_owned();
        let out = jwe::decrypt(&token, &key, &DecryptOptions::default()).unwrap();
        assert_eq!(out.plaintext, PLAINTEXT, "{curve} {enc}");
        assert_eq!(out.header.enc, enc);
        assert_eq!(out.header.kid.as_deref(), Some(KID));
        assert_eq!(
            (out.header.apu.as_deref(), out.header.apv.as_deref()),
            (Some(APU), Some(APV))
        );
    }
}

#[test]
fn jose_without_agreement_info_interoperates() {
    let key = PrivateKey::generate(KeyType::X25519).unwrap();
    let request = json!({ "jwk": key.public_key().to_jwk(), "enc": "A256GCM", "plaintext": b64::encode(b"x") });
    let token = run_jose("jwe-encrypt.mjs", &request)["jwe"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        jwe::decrypt(&token, &key, &DecryptOptions::default())
            .unwrap()
            .plaintext,
        b"x"
    );
}
