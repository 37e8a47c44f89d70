//! The sequencer and log reader on real SQLite and PostgreSQL: acknowledged appends are
//! durable and provable, one leader per log, and two nodes on one database never fork.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use common::{ORIGIN, key, signed, tree};
use saifu_registry::checkpoint::Checkpoint;
use saifu_registry::log::LogReader;
use saifu_registry::note::{Note, NoteKeyKind, NoteSigner};
use saifu_registry::policy::{WitnessPolicy, check_consistent};
use saifu_registry::sequencer::{Sequencer, SequencerConfig, SequencerError};
use saifu_registry::store::{Batch, CommitError, RegistryStore};
use saifu_registry::tiles::{Tile, TileKind, decode_bundle};
use saifu_registry::tree::{MemoryTree, leaf_hash, verify_consistency, verify_inclusion};
use saifu_registry::witness::{AddCheckpoint, Witness, WitnessError};
use saifu_store::Store;
use saifu_store::testing::TestDatabase;

fn config(holder: &str, signers: &[NoteSigner], lease: Duration) -> SequencerConfig {
    SequencerConfig {
        origin: ORIGIN.to_owned(),
        holder: holder.to_owned(),
        max_batch: 1024,
        lease,
        signers: signers.to_vec(),
    }
}

async fn sqlite() -> (Arc<Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in_dir(dir.path()).await.unwrap();
    (Arc::new(store), dir)
}

async fn postgres(db: &TestDatabase) -> Arc<Store> {
    let store = Store::open(db.url()).await.unwrap();
    Arc::new(store)
}

/// Appends `n` entries concurrently and returns index → entry for the acknowledged ones.
async fn append_many(seq: &Sequencer, tag: &str, n: usize) -> HashMap<u64, Vec<u8>> {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let seq = seq.clone();
            let entry = format!("{tag} {i}").into_bytes();
            tokio::spawn(async move { (seq.append(entry.clone()).await, entry) })
        })
        .collect();
    let mut acked = HashMap::new();
    for task in tasks {
        if let (Ok(index), entry) = task.await.unwrap() {
            assert!(
                acked.insert(index, entry).is_none(),
                "index acknowledged twice"
            );
        }
    }
    acked
}

/// Checks the stored log against every acknowledged entry: same entries at the acknowledged
/// indices, the signed checkpoint matches a tree rebuilt from the stored entries, inclusion
/// proofs verify, leaf hashes find their indices, and tiles serve the entries.
async fn check_log(
    store: &Arc<Store>,
    log_key: &NoteSigner,
    acked: &HashMap<u64, Vec<u8>>,
) -> Checkpoint {
    let reader = LogReader::new(Arc::clone(store), ORIGIN);
    let policy = WitnessPolicy::new(ORIGIN, vec![log_key.verifier().clone()], vec![], 0).unwrap();
    let checkpoint = policy
        .accept(&reader.checkpoint().await.unwrap().unwrap())
        .unwrap()
        .checkpoint;
    let size = reader.size().await.unwrap();
    assert_eq!(checkpoint.size, size);
    let entries = store.entries(ORIGIN, 0, size).await.unwrap();
    assert_eq!(entries.len() as u64, size);
    let mut rebuilt = MemoryTree::new();
    for entry in &entries {
        rebuilt.push(entry);
    }
    assert_eq!(rebuilt.root(), checkpoint.root);
    for (&index, entry) in acked {
        assert_eq!(&entries[index as usize], entry);
    }
    for index in (0..size).step_by(97) {
        let proof = reader.inclusion_proof(index, size).await.unwrap();
        verify_inclusion(
            &leaf_hash(&entries[index as usize]),
            index,
            size,
            &proof,
            &checkpoint.root,
        )
        .unwrap();
        // Found again by its leaf hash alone (entries here are distinct).
        let by_hash = reader
            .leaf_index(&leaf_hash(&entries[index as usize]))
            .await;
        assert_eq!(by_hash.unwrap(), Some(index));
    }
    let absent = reader.leaf_index(&leaf_hash(b"never appended")).await;
    assert_eq!(absent.unwrap(), None);
    let bundle = Tile::at_size(TileKind::Entries, 0, size).unwrap();
    let served = decode_bundle(&reader.tile(bundle).await.unwrap()).unwrap();
    assert_eq!(served, entries[..usize::from(bundle.width)]);
    checkpoint
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_sequencer_acknowledges_durable_provable_appends() {
    let (store, _dir) = sqlite().await;
    let log = key("log", NoteKeyKind::Ed25519);
    let pq = key("log-pq", NoteKeyKind::MlDsa44);
    let seq = Sequencer::start(
        Arc::clone(&store),
        config("node-a", &[log.clone(), pq], Duration::from_secs(30)),
    );
    let first = append_many(&seq, "a", 300).await;
    assert_eq!(first.len(), 300);
    let old = check_log(&store, &log, &first).await;
    let mut acked = first;
    acked.extend(append_many(&seq, "b", 700).await);
    assert_eq!(acked.len(), 1000);
    let new = check_log(&store, &log, &acked).await;
    let reader = LogReader::new(Arc::clone(&store), ORIGIN);
    let proof = reader.consistency_proof(old.size, new.size).await.unwrap();
    verify_consistency(old.size, new.size, &old.root, &new.root, &proof).unwrap();
    // Hash tiles match the rebuilt tree; a tile beyond the log is refused.
    let tile = Tile::at_size(TileKind::Hashes { level: 0 }, 3, new.size).unwrap();
    let bytes = reader.tile(tile).await.unwrap();
    assert_eq!(bytes.len(), usize::from(tile.width) * 32);
    assert!(reader.tile(Tile { index: 4, ..tile }).await.is_err());
    assert!(matches!(
        seq.append(vec![0; 70_000]).await,
        Err(SequencerError::EntryTooLarge(70_000))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_one_postgres_never_fork_the_log() {
    let db = TestDatabase::create().await.unwrap();
    let (a_store, b_store) = (postgres(&db).await, postgres(&db).await);
    let log = key("log", NoteKeyKind::Ed25519);
    let lease = Duration::from_millis(300);
    let a = Sequencer::start(
        Arc::clone(&a_store),
        config("node-a", std::slice::from_ref(&log), lease),
    );
    let b = Sequencer::start(
        Arc::clone(&b_store),
        config("node-b", std::slice::from_ref(&log), lease),
    );

    let mut acked = append_many(&a, "a0", 200).await;
    assert_eq!(acked.len(), 200);
    // Node b is not the leader while a's lease is live.
    assert_eq!(
        b.append(b"b".to_vec()).await,
        Err(SequencerError::NotLeader)
    );
    let before = check_log(&a_store, &log, &acked).await;

    // Both hammer the log while the lease changes hands; whatever each acknowledges must be in
    // the one tree.
    let mut taken_over = 0;
    for round in 0..3 {
        let tag = format!("a{}", round + 1);
        let (ra, rb) = tokio::join!(append_many(&a, &tag, 150), async {
            tokio::time::sleep(lease * 3).await;
            append_many(&b, &format!("b{round}"), 150).await
        });
        taken_over += rb.len();
        for (index, entry) in ra.into_iter().chain(rb) {
            assert!(
                acked.insert(index, entry).is_none(),
                "index {index} acknowledged twice"
            );
        }
    }
    assert!(taken_over > 0, "node b never took over the expired lease");
    let after = check_log(&b_store, &log, &acked).await;
    let proof = LogReader::new(Arc::clone(&a_store), ORIGIN)
        .consistency_proof(before.size, after.size)
        .await
        .unwrap();
    check_consistent(&before, &after, &proof).unwrap();

    // A commit on a stale size or without the lease writes nothing.
    let stale = Batch {
        old_size: 0,
        entries: vec![b"x".to_vec()],
        nodes: vec![((0, 0), leaf_hash(b"x"))],
        checkpoint: b"stale".to_vec(),
    };
    for holder in ["node-a", "node-b", "node-c"] {
        assert!(matches!(
            a_store.commit(ORIGIN, holder, &stale).await,
            Err(CommitError::Conflict)
        ));
    }
    assert_eq!(a_store.log_size(ORIGIN).await.unwrap(), after.size);
}

#[tokio::test]
async fn witness_state_persists_in_sqlite() {
    let (store, _dir) = sqlite().await;
    let log = key("log", NoteKeyKind::Ed25519);
    let logs = HashMap::from([(ORIGIN.to_owned(), vec![log.verifier().clone()])]);
    let witness = Witness::new(key("w", NoteKeyKind::Cosignature), logs, Arc::clone(&store));
    let (t3, t8) = (tree(3), tree(8));
    let request = |old: u64, tree: &MemoryTree, note: Note| AddCheckpoint {
        old_size: old,
        proof: saifu_registry::tree::consistency_proof(tree, old, tree.size()).unwrap(),
        note,
    };
    let r3 = request(0, &t3, signed(&t3, std::slice::from_ref(&log)).await);
    witness.add_checkpoint(&r3, 1).await.unwrap();
    let err = witness.add_checkpoint(&r3, 2).await.unwrap_err();
    assert!(matches!(err, WitnessError::Conflict { latest: 3 }));
    let r8 = request(3, &t8, signed(&t8, std::slice::from_ref(&log)).await);
    witness.add_checkpoint(&r8, 3).await.unwrap();
    assert_eq!(
        saifu_registry::witness::WitnessState::latest(&*store, ORIGIN)
            .await
            .unwrap(),
        Some((8, t8.root()))
    );
}
