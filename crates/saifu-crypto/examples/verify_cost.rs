//! Runs one verification path N times, for instruction counting under valgrind, where the
//! shared, noisy machine cannot disturb the figure:
//!
//! ```sh
//! cargo build --release -p saifu-crypto --example verify_cost
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/verify_cost Ed25519 jws 200
//! ```
//!
//! Every path starts from signature bytes, as a verifier receives them.
//! Add `--toggle-collect='verify_cost::measured*'` to count only the measured loop (key setup and
//! the hedged, variable-length ML-DSA signing are left out); divide by N. `raw` calls the underlying
//! library with pre-parsed keys; `saifu` calls `PublicKey::verify`; `jws` parses and verifies a
//! compact JWS. See BENCHMARKS.md.

use std::hint::black_box;

use saifu_crypto::jws::{self, VerifyPolicy};
use saifu_crypto::{KeyType, PrivateKey, b64};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: verify_cost <Ed25519|P-256|secp256k1|ML-DSA-44|ML-DSA-65> <raw|saifu|jws> <iterations>";
    assert_eq!(args.len(), 4, "{usage}");
    let kt = KeyType::SIGNING
        .into_iter()
        .find(|k| k.to_string() == args[1])
        .expect(usage);
    let n: usize = args[3].parse().expect(usage);
    let alg = kt.default_algorithm().expect("signing key");

    let key = PrivateKey::from_secret_bytes(kt, &[42; 32]).expect("fixed seed");
    let msg = br#"{"iss":"https://issuer.example","vct":"urn:eudi:pid:1","iat":1760000000,"_sd":["CrQe7S5kqBAHt-nMYXgc6bdt2SH5aTY1sU_M-PgkjPI","JzYjH4svliH0R3PyEMfeZu6Jt69u5qehZo7F7EPYlSE"]}"#;
    let header = format!(r#"{{"alg":"{}"}}"#, alg.jose_name());
    let signing_input = format!("{}.{}", b64::encode(header), b64::encode(msg)).into_bytes();
    // Every mode verifies the very same signature: ML-DSA verification cost depends on the
    // signature, so hedged (random) signing would make the runs incomparable.
    let sig = deterministic_signature(kt, &key, &signing_input);
    let token = format!(
        "{}.{}",
        String::from_utf8_lossy(&signing_input),
        b64::encode(&sig)
    );
    let public = key.public_key().clone();
    let allowed = [alg];
    let policy = VerifyPolicy::new(&allowed);

    match args[2].as_str() {
        "raw" => raw(kt, &key, &signing_input, &sig, n),
        "saifu" => measured(n, || {
            public.verify(alg, black_box(&signing_input), &sig).unwrap()
        }),
        "jws" => measured(n, || {
            jws::verify_compact(black_box(&token), &public, &policy).unwrap();
        }),
        _ => panic!("{usage}"),
    }
}

/// The loop valgrind counts (see the module doc).
#[inline(never)]
fn measured(n: usize, mut verify: impl FnMut()) {
    for _ in 0..n {
        verify();
    }
}

/// Ed25519 and RFC 6979 ECDSA are deterministic already; ML-DSA uses its deterministic variant.
fn deterministic_signature(kt: KeyType, key: &PrivateKey, msg: &[u8]) -> Vec<u8> {
    fn mldsa<P: ml_dsa::MlDsaParams>(seed: &[u8], msg: &[u8]) -> Vec<u8> {
        let sk = ml_dsa::SigningKey::<P>::from_seed(&<[u8; 32]>::try_from(seed).unwrap().into());
        sk.expanded_key()
            .sign_deterministic(msg, &[])
            .unwrap()
            .encode()
            .to_vec()
    }
    match kt {
        KeyType::MlDsa44 => mldsa::<ml_dsa::MlDsa44>(&key.secret_bytes(), msg),
        KeyType::MlDsa65 => mldsa::<ml_dsa::MlDsa65>(&key.secret_bytes(), msg),
        _ => key.sign(kt.default_algorithm().unwrap(), msg).unwrap(),
    }
}

fn raw(kt: KeyType, key: &PrivateKey, msg: &[u8], sig: &[u8], n: usize) {
    let secret = key.secret_bytes();
    match kt {
        KeyType::Ed25519 => {
            let vk = ed25519_dalek::SigningKey::from_bytes(&secret[..].try_into().unwrap())
                .verifying_key();
            measured(n, || {
                let sig = ed25519_dalek::Signature::from_slice(black_box(sig)).unwrap();
                vk.verify_strict(black_box(msg), &sig).unwrap()
            });
        }
        KeyType::P256 => {
            let sk = p256::ecdsa::SigningKey::from_slice(&secret).unwrap();
            let point = sk.verifying_key().to_encoded_point(false);
            let vk = ring::signature::UnparsedPublicKey::new(
                &ring::signature::ECDSA_P256_SHA256_FIXED,
                point.as_bytes(),
            );
            measured(n, || vk.verify(black_box(msg), sig).unwrap());
        }
        KeyType::Secp256k1 => {
            use k256::ecdsa::signature::Verifier;
            let vk = *k256::ecdsa::SigningKey::from_slice(&secret)
                .unwrap()
                .verifying_key();
            measured(n, || {
                let sig = k256::ecdsa::Signature::from_slice(black_box(sig)).unwrap();
                vk.verify(black_box(msg), &sig).unwrap()
            });
        }
        KeyType::MlDsa44 => raw_mldsa::<ml_dsa::MlDsa44>(&secret, msg, sig, n),
        KeyType::MlDsa65 => raw_mldsa::<ml_dsa::MlDsa65>(&secret, msg, sig, n),
        KeyType::X25519 => unreachable!("not a signing key"),
    }
}

fn raw_mldsa<P: ml_dsa::MlDsaParams>(seed: &[u8], msg: &[u8], sig: &[u8], n: usize) {
    let sk = ml_dsa::SigningKey::<P>::from_seed(&<[u8; 32]>::try_from(seed).unwrap().into());
    let vk = sk.expanded_key().verifying_key();
    let sig = ml_dsa::Signature::<P>::try_from(sig).unwrap();
    measured(n, || {
        assert!(vk.verify_with_context(black_box(msg), &[], &sig))
    });
}
