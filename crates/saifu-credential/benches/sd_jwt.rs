//! What a verifier pays for an SD-JWT presentation with 10 disclosures and a KB-JWT
//! (parse + issuer signature + digests + KB-JWT signature + `sd_hash`), beside the physical floor
//! measured in the same run: the two raw signature verifications plus the SHA-256 hashing.
//!
//! Run: `cargo bench -p saifu-credential --bench sd_jwt`.

use criterion::{Criterion, black_box};
use saifu_credential::sd_jwt::{
    self, ClaimPath, HashAlg, Issuance, KeyBindingPolicy, KeyBindingRequest, Limits, SdJwt,
    VerifyOptions,
};
use saifu_crypto::{Algorithm, KeyType, LocalSigner, PrivateKey, PublicKey, Signer, b64};
use serde_json::{Map, Value};

const NOW: i64 = 1_800_000_000;
const ALGS: &[Algorithm] = &[Algorithm::Ed25519, Algorithm::ES256];

/// A presentation revealing all 10 selectively disclosable claims, with a KB-JWT.
fn presentation(key_type: KeyType) -> (String, PublicKey) {
    let signer = |t| LocalSigner::new(PrivateKey::generate(t).expect("key")).expect("signer");
    let (issuer, holder) = (signer(key_type), signer(key_type));
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
        audience: "https://verifier.example",
        nonce: "nonce",
        issued_at: NOW,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let sd = runtime.block_on(async {
        issuance
            .sign(&issuer)
            .await
            .expect("issue")
            .present_with_key_binding(&paths, &request, &holder)
            .await
            .expect("present")
    });
    (sd.to_compact(), issuer.public_key().clone())
}

/// The raw inputs of the floor: (signing input, signature) of both JWTs, and the hashed strings.
struct Floor {
    jws: [(Vec<u8>, Vec<u8>); 2],
    hashed: Vec<String>,
    holder: PublicKey,
}

fn floor(text: &str, issuer: &PublicKey) -> Floor {
    let sd = SdJwt::parse_compact(text, &Limits::default()).expect("parse");
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
    let mut group = c.benchmark_group("sd_jwt_verify_10_disclosures_kb");
    for (name, key_type, alg) in [
        ("Ed25519", KeyType::Ed25519, Algorithm::Ed25519),
        ("ES256", KeyType::P256, Algorithm::ES256),
    ] {
        let (text, issuer) = presentation(key_type);
        let options = VerifyOptions {
            allowed_algorithms: ALGS,
            limits: Limits::default(),
            key_binding: Some(KeyBindingPolicy {
                audience: "https://verifier.example",
                nonce: "nonce",
                now: NOW,
                max_age: 300,
                skew: 60,
                allowed_algorithms: ALGS,
            }),
        };
        group.bench_function(format!("{name}/parse+verify"), |b| {
            b.iter(|| {
                let sd = SdJwt::parse_compact(black_box(&text), &Limits::default()).expect("parse");
                sd_jwt::verify(&sd, &issuer, &options).expect("verify")
            })
        });
        let f = floor(&text, &issuer);
        group.bench_function(format!("{name}/raw floor (2 verifies + hashing)"), |b| {
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
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
