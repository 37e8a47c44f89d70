//! Resolving a did:webvh DID whose log has 10 entries (create, then 9 key rotations under
//! pre-rotation): verifying the whole log from its text, and the full resolution over HTTP on
//! loopback (fetch + verify + select), side by side with one Ed25519 verification.
//!
//! `CARGO_TARGET_DIR=/work/tgt-webvh cargo bench -p saifu-did --bench webvh`

use criterion::Criterion;
use saifu_crypto::{KeyType, LocalSigner, PrivateKey, Signer};
use saifu_did::http::{HttpClient, HttpConfig};
use saifu_did::webvh::hash::key_hash;
use saifu_did::webvh::{Parameters, build, verify_log};
use saifu_did::{Did, Resolver, ResolverConfig};
use serde_json::Value;

const ENTRIES: usize = 10;

fn signer() -> LocalSigner {
    LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap()).unwrap()
}

/// A 10-entry log for `template`, each entry rotating to the key the previous one committed to.
async fn log(template: &str, now: i64) -> String {
    let keys: Vec<LocalSigner> = (0..=ENTRIES).map(|_| signer()).collect();
    let multikey = |i: usize| keys[i].public_key().to_multikey();
    let time = |i: usize| saifu_did::datetime::format(now - 100 + i as i64);
    let state = build::document(template, &[keys[0].public_key().clone()]);
    let parameters = Parameters {
        update_keys: Some(vec![multikey(0)]),
        next_key_hashes: Some(vec![key_hash(&multikey(1))]),
        ..Parameters::default()
    };
    let mut lines = vec![
        build::create(state, &parameters, &time(0), &keys[0])
            .await
            .unwrap(),
    ];
    for (i, key) in keys.iter().enumerate().take(ENTRIES).skip(1) {
        let text = to_text(&lines);
        let verified = verify_log(None, &text, None, now).unwrap();
        let parameters = Parameters {
            update_keys: Some(vec![multikey(i)]),
            next_key_hashes: Some(vec![key_hash(&multikey(i + 1))]),
            ..Parameters::default()
        };
        let state = verified.latest().state.clone();
        let entry = build::update(&verified, state, &parameters, &time(i), key)
            .await
            .unwrap();
        lines.push(entry);
    }
    to_text(&lines)
}

fn to_text(lines: &[Value]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let template = format!("did:webvh:{{SCID}}:localhost%3A{port}:dids:bench");
    let text = runtime.block_on(log(&template, now()));
    let did: Did =
        serde_json::from_str::<Value>(text.lines().next().unwrap()).unwrap()["state"]["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
    let served = text.clone();
    let app = axum::Router::new().route(
        "/dids/bench/did.jsonl",
        axum::routing::get(move || {
            let served = served.clone();
            async move { served }
        }),
    );
    runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
    let http = HttpClient::new(HttpConfig {
        allow_private: true,
        allow_http: true,
        ..HttpConfig::default()
    })
    .unwrap();
    let resolver = Resolver::new(
        http,
        ResolverConfig {
            cache_capacity: 0,
            ..ResolverConfig::default()
        },
    );
    let key = signer();
    let message = b"one Ed25519 verification for scale";
    let signature = runtime.block_on(key.sign(message)).unwrap();

    let mut group = c.benchmark_group("webvh_10_entries");
    group.bench_function("verify_log", |b| {
        b.iter(|| verify_log(Some(&did), &text, None, now()).unwrap())
    });
    group.bench_function("resolve_http", |b| {
        b.iter(|| runtime.block_on(resolver.resolve(&did)).unwrap())
    });
    group.bench_function("ed25519_verify_x1", |b| {
        b.iter(|| {
            key.public_key()
                .verify(saifu_crypto::Algorithm::Ed25519, message, &signature)
                .unwrap()
        })
    });
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
