//! What a verifier pays for an SD-JWT presentation with 10 disclosures and a KB-JWT
//! (parse + issuer signature + digests + KB-JWT signature + `sd_hash`), one at a time and, for
//! Ed25519, in batches of 64 through `sd_jwt::verify_batch`, beside the physical floor measured
//! in the same run: the two raw signature verifications plus the SHA-256 hashing.
//!
//! With `SD_JWT_BENCH_INPUTS=<dir>` the presentations are also written there as JSON
//! (`{presentation, issuer_jwk, aud, nonce, now}`), so that `scripts/bench-sd-jwt.sh` can time
//! the npm and Python verifiers on exactly these inputs.
//!
//! Run: `cargo bench -p saifu-credential --bench sd_jwt` (or the script, for the peer table).

use std::path::Path;

use criterion::{Criterion, Throughput, black_box};
use saifu_credential::sd_jwt::{
    self, ClaimPath, HashAlg, Issuance, KeyBindingPolicy, KeyBindingRequest, Limits, SdJwt,
    VerifyOptions,
};
use saifu_crypto::{Algorithm, KeyType, LocalSigner, PrivateKey, PublicKey, Signer, b64};
use serde_json::{Map, Value, json};

const NOW: i64 = 1_800_000_000;
const AUD: &str = "https://verifier.example";
const NONCE: &str = "nonce";
const ALGS: &[Algorithm] = &[Algorithm::Ed25519, Algorithm::EdDSA, Algorithm::ES256];
const BATCH: usize = 64;

/// A fresh key; Ed25519 keys sign as `EdDSA`, the name the npm and Python peers know.
fn signer(key_type: KeyType) -> LocalSigner {
    let s = LocalSigner::new(PrivateKey::generate(key_type).expect("key")).expect("signer");
    match key_type {
        KeyType::Ed25519 => s.with_algorithm(Algorithm::EdDSA).expect("EdDSA"),
        _ => s,
    }
}

/// A presentation revealing all 10 selectively disclosable claims, with a KB-JWT.
fn presentation(issuer: &LocalSigner, holder: &LocalSigner) -> String {
    let claims: Map<String, Value> = (0..10)
        .map(|i| {
            (
                format!("claim_{i}"),
                Value::from(format!("value number {i}")),
            )
        })
        .collect();
    let paths: Vec<ClaimPath> = (0..10)
        .map(|i| format!("/claim_{i}").parse().expect("path"))
        .collect();
    let issuance = paths
        .iter()
        .fold(Issuance::new(claims), |i, p| i.disclosable(p.clone()))
        .holder_key(&holder.public_key().to_jwk());
    let request = KeyBindingRequest {
        audience: AUD,
        nonce: NONCE,
        issued_at: NOW,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let sd = runtime.block_on(async {
        issuance
            .sign(issuer)
            .await
            .expect("issue")
            .present_with_key_binding(&paths, &request, holder)
            .await
            .expect("present")
    });
    sd.to_compact()
}

/// Writes one input of the peer benchmark to `dir/name.json`.
fn write_input(dir: &Path, name: &str, text: &str, issuer: &PublicKey) {
    let input = json!({
        "presentation": text,
        "issuer_jwk": issuer.to_jwk(),
        "aud": AUD,
        "nonce": NONCE,
        "now": NOW,
    });
    std::fs::create_dir_all(dir).expect("input directory");
    std::fs::write(dir.join(format!("{name}.json")), input.to_string()).expect("write input");
}

fn parse(text: &str) -> SdJwt {
    SdJwt::parse_compact(text, &Limits::default()).expect("parse")
}

/// The raw inputs of the floor: (signing input, signature) of both JWTs, and the hashed strings.
struct Floor {
    jws: [(Vec<u8>, Vec<u8>); 2],
    hashed: Vec<String>,
    holder: PublicKey,
}

fn floor(text: &str, issuer: &PublicKey) -> Floor {
    let sd = parse(text);
    let split = |jwt: &str| {
        let (input, sig) = jwt.rsplit_once('.').expect("jws");
        (
            input.as_bytes().to_vec(),
            b64::decode(sig, "sig").expect("b64"),
        )
    };
    let payload: Value = serde_json::from_slice(
        &sd.decode_issuer_jwt(&Limits::default())
            .expect("decode")
            .payload,
    )
    .expect("json");
    let holder =
        PublicKey::from_jwk(&serde_json::from_value(payload["cnf"]["jwk"].clone()).expect("jwk"))
            .expect("holder key");
    let mut hashed: Vec<String> = sd
        .disclosures()
        .iter()
        .map(|d| d.encoded().to_owned())
        .collect();
    hashed.push(sd.sd_hash_input());
    assert_eq!(issuer.key_type(), holder.key_type());
    Floor {
        jws: [split(sd.jwt()), split(sd.kb_jwt().expect("kb"))],
        hashed,
        holder,
    }
}

fn bench(c: &mut Criterion) {
    let options = VerifyOptions {
        allowed_algorithms: ALGS,
        limits: Limits::default(),
        key_binding: Some(KeyBindingPolicy {
            audience: AUD,
            nonce: NONCE,
            now: NOW,
            max_age: 300,
            skew: 60,
            allowed_algorithms: ALGS,
        }),
    };
    let inputs = std::env::var_os("SD_JWT_BENCH_INPUTS");
    let mut group = c.benchmark_group("sd_jwt_verify_10_disclosures_kb");
    group.throughput(Throughput::Elements(1)); // presentations per second
    let single = |group: &mut criterion::BenchmarkGroup<'_, _>,
                  id: &str,
                  text: &str,
                  issuer: &PublicKey| {
        group.bench_function(format!("{id}/single"), |b| {
            b.iter(|| sd_jwt::verify(&parse(black_box(text)), issuer, &options).expect("verify"))
        });
    };
    for (name, key_type, alg) in [
        ("EdDSA", KeyType::Ed25519, Algorithm::EdDSA),
        ("ES256", KeyType::P256, Algorithm::ES256),
    ] {
        let issuer = signer(key_type);
        let text = presentation(&issuer, &signer(key_type));
        let issuer = issuer.public_key();
        if let Some(dir) = &inputs {
            write_input(Path::new(dir), name, &text, issuer);
        }
        single(&mut group, name, &text, issuer);
        if key_type == KeyType::Ed25519 {
            // One issuer, BATCH holders: the shape of a verifier's incoming traffic.
            let issuer_signer = signer(key_type);
            let texts: Vec<String> = (0..BATCH)
                .map(|_| presentation(&issuer_signer, &signer(key_type)))
                .collect();
            let issuer = issuer_signer.public_key();
            group.throughput(Throughput::Elements(BATCH as u64));
            group.bench_function(format!("{name}/batch-of-{BATCH}"), |b| {
                b.iter(|| {
                    let parsed: Vec<SdJwt> = texts.iter().map(|t| parse(black_box(t))).collect();
                    let results = sd_jwt::verify_batch(&parsed, |_| Ok(issuer), &options);
                    assert!(results.iter().all(Result::is_ok));
                    results
                })
            });
            group.throughput(Throughput::Elements(1));
        }
        let f = floor(&text, issuer);
        group.bench_function(format!("{name}/raw-floor"), |b| {
            b.iter(|| {
                issuer
                    .verify(alg, black_box(&f.jws[0].0), &f.jws[0].1)
                    .expect("issuer sig");
                f.holder
                    .verify(alg, black_box(&f.jws[1].0), &f.jws[1].1)
                    .expect("kb sig");
                for s in &f.hashed {
                    black_box(HashAlg::Sha256.digest(s));
                }
            })
        });
    }
    // sd-jwt-python 0.10.4 checks KB-JWTs with ES256 only: its EdDSA input has a P-256 holder,
    // and ours is timed on the same input so the two compare like for like.
    let issuer = signer(KeyType::Ed25519);
    let text = presentation(&issuer, &signer(KeyType::P256));
    if let Some(dir) = &inputs {
        write_input(
            Path::new(dir),
            "EdDSA-ES256-holder",
            &text,
            issuer.public_key(),
        );
    }
    single(&mut group, "EdDSA-ES256-holder", &text, issuer.public_key());
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
