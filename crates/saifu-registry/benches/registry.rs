//! Proof generation and verification at 10^6 entries (in-memory hashes), and durable appends
//! per second through the sequencer on SQLite and PostgreSQL.
//!
//! `CARGO_TARGET_DIR=/work/target-registry cargo bench -p saifu-registry --bench registry`

use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput};
use saifu_crypto::{KeyType, LocalSigner, PrivateKey};
use saifu_registry::note::{NoteKeyKind, NoteSigner};
use saifu_registry::sequencer::{Sequencer, SequencerConfig};
use saifu_registry::tree::{
    MemoryTree, consistency_proof, inclusion_proof, leaf_hash, verify_consistency, verify_inclusion,
};
use saifu_store::Store;
use saifu_store::testing::TestDatabase;

const ENTRIES: u64 = 1_000_000;
/// Appends in flight per measured round: the load the sequencer batches.
const CONCURRENT_APPENDS: u64 = 4096;

fn proofs(c: &mut Criterion) {
    let mut tree = MemoryTree::new();
    for i in 0..ENTRIES {
        tree.push(&i.to_be_bytes());
    }
    let root = tree.root();
    let index: u64 = 123_457;
    let leaf = leaf_hash(&index.to_be_bytes());
    let proof = inclusion_proof(&tree, index, ENTRIES).unwrap();
    let mut group = c.benchmark_group("proofs_1e6");
    group.bench_function("inclusion_generate", |b| {
        b.iter(|| inclusion_proof(&tree, index, ENTRIES).unwrap())
    });
    group.bench_function("inclusion_verify", |b| {
        b.iter(|| verify_inclusion(&leaf, index, ENTRIES, &proof, &root).unwrap())
    });
    let old: u64 = 654_321;
    let old_root = saifu_registry::tree::root(&tree, old).unwrap();
    let consistency = consistency_proof(&tree, old, ENTRIES).unwrap();
    group.bench_function("consistency_generate", |b| {
        b.iter(|| consistency_proof(&tree, old, ENTRIES).unwrap())
    });
    group.bench_function("consistency_verify", |b| {
        b.iter(|| verify_consistency(old, ENTRIES, &old_root, &root, &consistency).unwrap())
    });
    group.finish();
}

fn sequencer(store: Arc<Store>) -> Sequencer {
    let key = LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap()).unwrap();
    let signer = NoteSigner::new("bench/log", NoteKeyKind::Ed25519, Arc::new(key)).unwrap();
    Sequencer::start(
        store,
        SequencerConfig {
            origin: "bench/log".to_owned(),
            holder: "bench".to_owned(),
            max_batch: 4096,
            lease: Duration::from_secs(60),
            signers: vec![signer],
        },
    )
}

fn appends(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pg = rt.block_on(TestDatabase::create()).unwrap();
    let stores = [
        (
            "sqlite",
            rt.block_on(Store::open_in_dir(dir.path())).unwrap(),
        ),
        ("postgres", rt.block_on(Store::open(pg.url())).unwrap()),
    ];
    let mut group = c.benchmark_group("durable_appends");
    group.sample_size(10);
    group.throughput(Throughput::Elements(CONCURRENT_APPENDS));
    for (name, store) in stores {
        let seq = rt.block_on(async { sequencer(Arc::new(store)) });
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    (0..CONCURRENT_APPENDS)
                        .map(|i| format!("entry {i} of a realistic size, about a hundred bytes long: did:example:123456789abcdefghi").into_bytes())
                        .collect::<Vec<_>>()
                },
                |entries| {
                    rt.block_on(async {
                        let tasks: Vec<_> = entries
                            .into_iter()
                            .map(|entry| {
                                let seq = seq.clone();
                                tokio::spawn(async move { seq.append(entry).await.unwrap() })
                            })
                            .collect();
                        for task in tasks {
                            task.await.unwrap();
                        }
                    })
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

// What `criterion_main!` expands to, written out: `criterion_group!` generates an undocumented
// `pub fn`, which the workspace's `missing_docs` lint refuses.
fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    proofs(&mut criterion);
    appends(&mut criterion);
    criterion.final_summary();
}
