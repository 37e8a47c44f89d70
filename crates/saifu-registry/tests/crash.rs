//! Crash safety: a process appending under load is killed with SIGKILL; after a restart every
//! acknowledged entry is in the log at its acknowledged index, and the log provably extends
//! the last checkpoint stored before the kill.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use saifu_crypto::{KeyType, LocalSigner, PrivateKey};
use saifu_registry::checkpoint::Checkpoint;
use saifu_registry::log::LogReader;
use saifu_registry::note::{Note, NoteKeyKind, NoteSigner};
use saifu_registry::sequencer::{Sequencer, SequencerConfig};
use saifu_registry::store::RegistryStore;
use saifu_registry::tree::verify_consistency;
use saifu_store::Store;

const ORIGIN: &str = "crash.example/log";
/// Set in the child process: the data directory to append into.
const CHILD_DIR: &str = "SAIFU_REGISTRY_CRASH_DIR";
/// Set in the child process: the hex Ed25519 seed of the log key.
const CHILD_KEY: &str = "SAIFU_REGISTRY_CRASH_KEY";

fn sequencer(store: Arc<Store>, seed: &[u8]) -> Sequencer {
    let key =
        LocalSigner::new(PrivateKey::from_secret_bytes(KeyType::Ed25519, seed).unwrap()).unwrap();
    let signer = NoteSigner::new(ORIGIN, NoteKeyKind::Ed25519, Arc::new(key)).unwrap();
    Sequencer::start(
        store,
        SequencerConfig {
            origin: ORIGIN.to_owned(),
            // The restarted node is the same node: it may take its own lease back at once.
            holder: "node".to_owned(),
            max_batch: 1024,
            lease: Duration::from_secs(60),
            signers: vec![signer],
        },
    )
}

async fn open(dir: &std::path::Path) -> Arc<Store> {
    let store = Store::open_in_dir(dir).await.unwrap();
    Arc::new(store)
}

/// The child: appends from many tasks forever, printing `index entry` once acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_child() {
    let (Ok(dir), Ok(seed)) = (std::env::var(CHILD_DIR), std::env::var(CHILD_KEY)) else {
        return; // Only meaningful when spawned by `acknowledged_appends_survive_sigkill`.
    };
    let seq = sequencer(open(dir.as_ref()).await, &hex::decode(seed).unwrap());
    let workers: Vec<_> = (0..64)
        .map(|w| {
            let seq = seq.clone();
            tokio::spawn(async move {
                for i in 0.. {
                    let entry = format!("w{w}-{i}");
                    let index = seq.append(entry.clone().into_bytes()).await.unwrap();
                    println!("{index} {entry}");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_appends_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let key = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let seed = key.secret_bytes();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR, dir.path())
        .env(CHILD_KEY, hex::encode(&*seed))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut acked = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some((index, entry)) = line.split_once(' ')
            && let Ok(index) = index.parse::<u64>()
        {
            acked.push((index, entry.to_owned()));
        }
        if acked.len() == 3000 {
            child.kill().unwrap(); // SIGKILL on Unix.
            break;
        }
    }
    child.wait().unwrap();
    assert_eq!(acked.len(), 3000, "the child stopped before the kill");

    let store = open(dir.path()).await;
    let before = Checkpoint::parse(
        Note::parse(&store.checkpoint(ORIGIN).await.unwrap().unwrap())
            .unwrap()
            .text(),
    )
    .unwrap();
    let entries = store.entries(ORIGIN, 0, before.size).await.unwrap();
    for (index, entry) in &acked {
        assert_eq!(
            entries[*index as usize],
            entry.as_bytes(),
            "entry {index} lost"
        );
    }

    // Restart: the log continues from where the killed process left it.
    let seq = sequencer(Arc::clone(&store), &seed);
    let index = seq.append(b"after restart".to_vec()).await.unwrap();
    assert_eq!(index, before.size);
    let reader = LogReader::new(Arc::clone(&store), ORIGIN);
    let after = Checkpoint::parse(
        Note::parse(&reader.checkpoint().await.unwrap().unwrap())
            .unwrap()
            .text(),
    )
    .unwrap();
    let proof = reader
        .consistency_proof(before.size, after.size)
        .await
        .unwrap();
    verify_consistency(before.size, after.size, &before.root, &after.root, &proof).unwrap();
}
