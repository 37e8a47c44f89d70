//! Sign and verify for every algorithm, each beside its raw library call measured in the same
//! run, plus compact-JWS verify beside raw verify (the JWS layer must cost < 10 % on top), and
//! the pure-Rust `p256` verify beside `ring` (why ES256 verification runs on `ring`).
//!
//! Run: `cargo bench -p saifu-crypto --bench signatures`

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use saifu_crypto::jws::{self, VerifyPolicy};
use saifu_crypto::{KeyType, LocalSigner, PrivateKey, Signer as _};
use serde_json::Map;

/// A realistic JWS payload: an SD-JWT-VC-sized claim set (~400 bytes of JSON).
fn payload() -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "iss": "https://issuer.example", "vct": "urn:eudi:pid:1", "iat": 1_760_000_000,
        "exp": 1_790_000_000, "_sd_alg": "sha-256",
        "_sd": ["CrQe7S5kqBAHt-nMYXgc6bdt2SH5aTY1sU_M-PgkjPI", "JzYjH4svliH0R3PyEMfeZu6Jt69u5qehZo7F7EPYlSE",
                "PorFbpKuVu6xymJagvkFsFXAbRoc2JGlAUA2BA4o7cI", "TGf4oLbgwd5JQaHyKVQZU9UdGE0w5rtDsrZzfUaomLo"],
        "cnf": {"jwk": {"kty": "EC", "crv": "P-256", "x": "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc",
                         "y": "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ"}}
    }))
    .unwrap()
}

fn per_algorithm(c: &mut Criterion) {
    let msg = payload();
    for kt in KeyType::SIGNING {
        let key = PrivateKey::generate(kt).unwrap();
        let alg = kt.default_algorithm().unwrap();
        let public = key.public_key().clone();
        let sig = key.sign(alg, &msg).unwrap();
        let signer = LocalSigner::new(PrivateKey::from_jwk(&key.to_jwk()).unwrap()).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let token = rt
            .block_on(jws::sign_compact(&Map::new(), &msg, &signer))
            .unwrap();
        let allowed = [alg];
        let policy = VerifyPolicy::new(&allowed);

        let mut g = c.benchmark_group(format!("{kt}"));
        g.bench_function("saifu sign", |b| {
            b.iter(|| key.sign(alg, black_box(&msg)).unwrap())
        });
        g.bench_function("saifu Signer::sign (async, boxed)", |b| {
            b.iter(|| rt.block_on(signer.sign(black_box(&msg))).unwrap())
        });
        g.bench_function("saifu verify", |b| {
            b.iter(|| public.verify(alg, black_box(&msg), &sig).unwrap())
        });
        g.bench_function("saifu JWS compact verify", |b| {
            b.iter(|| jws::verify_compact(black_box(&token), &public, &policy).unwrap())
        });
        raw_reference(&mut g, kt, &key, &msg);
        g.finish();
    }
}

/// The underlying libraries called directly, with keys already parsed: the floor saifu's own
/// calls are compared against.
fn raw_reference(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    kt: KeyType,
    key: &PrivateKey,
    msg: &[u8],
) {
    let secret = key.secret_bytes();
    match kt {
        KeyType::Ed25519 => {
            use ed25519_dalek::{Signer, Verifier};
            let sk = ed25519_dalek::SigningKey::from_bytes(&secret[..].try_into().unwrap());
            let vk = sk.verifying_key();
            let sig = sk.sign(msg);
            g.bench_function("raw ed25519-dalek sign", |b| {
                b.iter(|| sk.sign(black_box(msg)))
            });
            g.bench_function("raw ed25519-dalek verify_strict", |b| {
                b.iter(|| vk.verify_strict(black_box(msg), &sig).unwrap())
            });
            g.bench_function("raw ed25519-dalek verify", |b| {
                b.iter(|| vk.verify(black_box(msg), &sig).unwrap())
            });
        }
        KeyType::P256 => {
            use p256::ecdsa::signature::{Signer, Verifier};
            let sk = p256::ecdsa::SigningKey::from_slice(&secret).unwrap();
            let vk = *sk.verifying_key();
            let sig: p256::ecdsa::Signature = sk.sign(msg);
            g.bench_function("raw p256 (RustCrypto) sign", |b| {
                b.iter(|| -> p256::ecdsa::Signature { sk.sign(black_box(msg)) })
            });
            g.bench_function("raw p256 (RustCrypto) verify", |b| {
                b.iter(|| vk.verify(black_box(msg), &sig).unwrap())
            });
            let point = vk.to_encoded_point(false);
            let ring_key = ring::signature::UnparsedPublicKey::new(
                &ring::signature::ECDSA_P256_SHA256_FIXED,
                point.as_bytes(),
            );
            let sig_bytes = sig.to_bytes();
            g.bench_function("raw ring (assembly) verify", |b| {
                b.iter(|| ring_key.verify(black_box(msg), &sig_bytes).unwrap())
            });
        }
        KeyType::Secp256k1 => {
            use k256::ecdsa::signature::{Signer, Verifier};
            let sk = k256::ecdsa::SigningKey::from_slice(&secret).unwrap();
            let vk = *sk.verifying_key();
            let sig: k256::ecdsa::Signature = sk.sign(msg);
            g.bench_function("raw k256 sign", |b| {
                b.iter(|| -> k256::ecdsa::Signature { sk.sign(black_box(msg)) })
            });
            g.bench_function("raw k256 verify", |b| {
                b.iter(|| vk.verify(black_box(msg), &sig).unwrap())
            });
        }
        KeyType::MlDsa44 => raw_mldsa::<ml_dsa::MlDsa44>(g, &secret, msg),
        KeyType::MlDsa65 => raw_mldsa::<ml_dsa::MlDsa65>(g, &secret, msg),
        KeyType::X25519 => unreachable!("not a signing key"),
    }
}

fn raw_mldsa<P: ml_dsa::MlDsaParams>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    seed: &[u8],
    msg: &[u8],
) {
    let sk = ml_dsa::SigningKey::<P>::from_seed(&<[u8; 32]>::try_from(seed).unwrap().into());
    let esk = sk.expanded_key();
    let vk = esk.verifying_key();
    let sig = esk.sign_deterministic(msg, &[]).unwrap();
    g.bench_function("raw ml-dsa sign (deterministic)", |b| {
        b.iter(|| esk.sign_deterministic(black_box(msg), &[]).unwrap())
    });
    g.bench_function("raw ml-dsa verify", |b| {
        b.iter(|| vk.verify_with_context(black_box(msg), &[], &sig))
    });
}

// criterion's macro generates an undocumented public function.
#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = per_algorithm
    }
}
criterion_main!(group::benches);
