//! eddsa-rdfc-2022 credential verification per second: saifu (JSON-LD expansion + RDFC-1.0 +
//! SHA-256 + Ed25519, all per call) on the W3C vc-di-eddsa test-vector credential (re-issued by
//! the vector key's did:key), and — in the
//! same run, on the same document — the npm peer `@digitalbazaar/vc` through
//! `interop/w3c/bench.mjs`, so the ratio is measured side by side.
//!
//! Run: `cargo bench -p saifu-credential --bench w3c_di` (needs `npm ci --prefix interop` for
//! the peer line; without it only saifu is measured).

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use criterion::{Criterion, black_box};
use saifu_credential::w3c::di::{
    self, ASSERTION_METHOD, Cryptosuite, DidKeyResolver, ProofExpectations, ProofOptions,
};
use saifu_crypto::{LocalSigner, PrivateKey};
use saifu_did::key::did_key;
use serde_json::Value;

fn vectors_dir() -> PathBuf {
    std::env::var_os("SAIFU_VECTORS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors")
        })
}

/// The vc-di-eddsa test-vector credential, issued by the vector key's own did:key (the peer,
/// like saifu's `verify`, insists that the issuer controls the signing key).
fn document() -> Value {
    let dir = vectors_dir().join("w3c-di/vc-di-eddsa/TestVectors");
    let read = |name: &str| -> Value {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (set SAIFU_VECTORS_DIR)", path.display()));
        serde_json::from_str(&text).expect("JSON")
    };
    let key = read("keyPair.json");
    let private =
        PrivateKey::from_secret_multikey(key["privateKeyMultibase"].as_str().unwrap()).unwrap();
    let did = did_key(private.public_key());
    let mut credential = read("unsigned.json");
    credential["issuer"] = did.as_str().into();
    let options = ProofOptions::new(
        Cryptosuite::EddsaRdfc2022,
        format!("{did}#{}", did.method_specific_id()),
        ASSERTION_METHOD,
    );
    let signer = LocalSigner::new(private).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(di::add_proof(&credential, &options, &signer))
        .unwrap()
}

const EXPECT: ProofExpectations<'static> = ProofExpectations {
    purpose: ASSERTION_METHOD,
    challenge: None,
    domain: None,
    now: 1_700_000_000,
};

/// Verifications per second and per CPU second.
struct Rate {
    wall: f64,
    cpu: f64,
}

/// Nanoseconds this thread has spent on a CPU (`/proc/thread-self/schedstat`, first field):
/// on a shared machine the wall-clock rate mostly measures the neighbours, CPU time does not.
fn thread_cpu_ns() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

/// saifu verifications per second over a fixed wall-clock budget (for the printed ratio).
fn saifu_rate(document: &Value) -> Rate {
    let start = Instant::now();
    let cpu_start = thread_cpu_ns();
    let mut n = 0u32;
    while start.elapsed().as_secs_f64() < 3.0 {
        di::verify_proofs(black_box(document), &EXPECT, &DidKeyResolver).expect("verifies");
        n += 1;
    }
    Rate {
        wall: f64::from(n) / start.elapsed().as_secs_f64(),
        cpu: f64::from(n) / ((thread_cpu_ns() - cpu_start) / 1e9),
    }
}

/// The peer's verifications per second, or `None` when it is not installed.
fn peer_rate(document: &Value) -> Option<Rate> {
    let interop = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../interop");
    if !interop.join("node_modules/@digitalbazaar/vc").is_dir() {
        eprintln!("peer not installed: run `npm ci --prefix interop`");
        return None;
    }
    let output = Command::new("node")
        .arg(interop.join("w3c/bench.mjs"))
        .arg(document.to_string())
        .current_dir(&interop)
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!(
            "peer bench failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    let answer: Value = serde_json::from_slice(&output.stdout).ok()?;
    Some(Rate {
        wall: answer["perSecond"].as_f64()?,
        cpu: answer["perCpuSecond"].as_f64()?,
    })
}

fn main() {
    let document = document();
    let mut criterion = Criterion::default().configure_from_args();
    criterion.bench_function("w3c_di/eddsa-rdfc-2022 verify (saifu)", |b| {
        b.iter(|| di::verify_proofs(black_box(&document), &EXPECT, &DidKeyResolver).unwrap())
    });
    criterion.final_summary();

    let ours = saifu_rate(&document);
    println!(
        "saifu eddsa-rdfc-2022 verify: {:.0}/s, {:.0}/CPU-s",
        ours.wall, ours.cpu
    );
    if let Some(peer) = peer_rate(&document) {
        println!(
            "@digitalbazaar/vc eddsa-rdfc-2022 verify: {:.0}/s, {:.0}/CPU-s",
            peer.wall, peer.cpu
        );
        println!(
            "ratio saifu / peer: {:.1}x wall clock, {:.1}x CPU time",
            ours.wall / peer.wall,
            ours.cpu / peer.cpu
        );
    }
}
