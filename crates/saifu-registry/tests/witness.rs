//! tlog-witness decisions with the prescribed status codes, cosignature/v1, client k-of-n
//! acceptance and fork detection.

mod common;

use std::collections::HashMap;

use common::{ORIGIN, key, signed, tree};
use saifu_registry::checkpoint::Checkpoint;
use saifu_registry::note::{NoteError, NoteKeyKind, NoteSigner};
use saifu_registry::policy::{Fork, PolicyError, WitnessPolicy, check_consistent};
use saifu_registry::tree::{MemoryTree, TreeError, consistency_proof};
use saifu_registry::witness::{AddCheckpoint, MemoryWitnessState, Witness, WitnessError};

const NOW: u64 = 1_750_000_000;

fn witness(name: &str, log: &NoteSigner) -> (Witness<MemoryWitnessState>, NoteSigner) {
    let key = key(name, NoteKeyKind::Cosignature);
    let logs = HashMap::from([(ORIGIN.to_owned(), vec![log.verifier().clone()])]);
    (
        Witness::new(key.clone(), logs, MemoryWitnessState::default()),
        key,
    )
}

async fn request(old: u64, tree: &MemoryTree, log: &NoteSigner) -> AddCheckpoint {
    AddCheckpoint {
        old_size: old,
        proof: consistency_proof(tree, old, tree.size()).unwrap(),
        note: signed(tree, std::slice::from_ref(log)).await,
    }
}

#[tokio::test]
async fn witness_cosigns_consistent_checkpoints_and_refuses_the_rest() {
    let log = key("log", NoteKeyKind::Ed25519);
    let (w, wkey) = witness("witness.example/w1", &log);
    let t5 = tree(5);
    let t9 = tree(9);

    // First checkpoint: from 0 with an empty proof; the request survives a wire round trip.
    let first = AddCheckpoint::parse(&request(0, &t5, &log).await.to_bytes()).unwrap();
    let cosig = w.add_checkpoint(&first, NOW).await.unwrap();
    let mut note = first.note.clone();
    note.add_signature(cosig);
    let known = [wkey.verifier().clone()];
    let verified = note.verify(&known).unwrap();
    assert_eq!(verified[0].1, Some(NOW));

    // Stale old size: 409 with the size the witness knows.
    let err = w
        .add_checkpoint(&request(0, &t9, &log).await, NOW)
        .await
        .unwrap_err();
    assert!(matches!(err, WitnessError::Conflict { latest: 5 }));
    assert_eq!(err.status(), 409);

    // A proof that does not verify: 422.
    let mut bad = request(5, &t9, &log).await;
    bad.proof[0][0] ^= 1;
    let err = w.add_checkpoint(&bad, NOW).await.unwrap_err();
    assert!(matches!(
        err,
        WitnessError::BadProof(TreeError::RootMismatch)
    ));
    assert_eq!(err.status(), 422);

    // A fork: a different tree of size 9 extending... nothing the witness saw.
    let mut forked = MemoryTree::new();
    for i in 0..9 {
        forked.push(format!("other {i}").as_bytes());
    }
    let err = w
        .add_checkpoint(&request(5, &forked, &log).await, NOW)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 422);

    // The honest extension is cosigned; replaying it afterwards is stale.
    w.add_checkpoint(&request(5, &t9, &log).await, NOW)
        .await
        .unwrap();
    // Same size, different root: refused as a bad proof (422, current tlog-witness text).
    let err = w
        .add_checkpoint(&request(9, &forked, &log).await, NOW)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        WitnessError::BadProof(TreeError::RootMismatch)
    ));

    // old > size: 400.
    let mut beyond = request(5, &t5, &log).await;
    beyond.old_size = 10;
    let err = w.add_checkpoint(&beyond, NOW).await.unwrap_err();
    assert!(matches!(
        err,
        WitnessError::OldBeyondNew { old: 10, size: 5 }
    ));
    assert_eq!(err.status(), 400);

    // Not signed by the log's key: 403.
    let impostor = key("log", NoteKeyKind::Ed25519);
    let err = w
        .add_checkpoint(&request(9, &t9, &impostor).await, NOW)
        .await
        .unwrap_err();
    assert!(matches!(err, WitnessError::Unsigned(NoteError::Untrusted)));
    assert_eq!(err.status(), 403);

    // Unknown origin: 404.
    let other = Checkpoint::new("other.example/log", 1, tree(1).root());
    let mut note = saifu_registry::note::Note::new(&other.to_text()).unwrap();
    note.sign(std::slice::from_ref(&log)).await.unwrap();
    let req = AddCheckpoint {
        old_size: 0,
        proof: vec![],
        note,
    };
    let err = w.add_checkpoint(&req, NOW).await.unwrap_err();
    assert!(matches!(err, WitnessError::UnknownLog(ref o) if o == "other.example/log"));
    assert_eq!(err.status(), 404);
}

#[test]
fn malformed_requests_are_400() {
    let root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    let proof_lines = format!("{root}\n").repeat(64);
    for body in [
        "old 01\n\nx\n".to_owned(),
        "old -1\n\n".to_owned(),
        "new 1\n\n".to_owned(),
        "old 1\nAAAA\n\n".to_owned(),
        format!("old 1\n{proof_lines}\n"),
        "old 1\n\nnot a note".to_owned(),
        "old 1".to_owned(),
    ] {
        let err = AddCheckpoint::parse(body.as_bytes()).unwrap_err();
        assert!(matches!(err, WitnessError::Malformed(_)), "{body:?}");
        assert_eq!(err.status(), 400);
    }
}

#[tokio::test]
async fn clients_require_k_of_n_cosignatures_and_detect_forks() {
    let log = key("log", NoteKeyKind::Ed25519);
    let pq = key("log-pq", NoteKeyKind::MlDsa44);
    let witnesses: Vec<_> = (1..=3).map(|i| witness(&format!("w{i}"), &log)).collect();
    let policy = WitnessPolicy::new(
        ORIGIN,
        vec![log.verifier().clone(), pq.verifier().clone()],
        witnesses
            .iter()
            .map(|(_, k)| k.verifier().clone())
            .collect(),
        2,
    )
    .unwrap();

    let t4 = tree(4);
    let mut note = signed(&t4, &[log.clone(), pq.clone()]).await;
    let req = AddCheckpoint {
        old_size: 0,
        proof: vec![],
        note: note.clone(),
    };
    note.add_signature(witnesses[0].0.add_checkpoint(&req, NOW).await.unwrap());
    assert_eq!(
        policy.accept(&note.to_bytes()),
        Err(PolicyError::NotEnoughCosignatures { got: 1, need: 2 })
    );
    // A repeated cosignature of the same witness does not count twice.
    note.add_signature(
        witnesses[0]
            .0
            .add_checkpoint(
                &AddCheckpoint {
                    old_size: 4,
                    ..req.clone()
                },
                NOW + 1,
            )
            .await
            .unwrap(),
    );
    assert!(matches!(
        policy.accept(&note.to_bytes()),
        Err(PolicyError::NotEnoughCosignatures { got: 1, need: 2 })
    ));
    note.add_signature(witnesses[2].0.add_checkpoint(&req, NOW).await.unwrap());
    let accepted = policy.accept(&note.to_bytes()).unwrap();
    assert_eq!(accepted.checkpoint.size, 4);
    assert_eq!(accepted.cosigners.len(), 2);

    // Without the ML-DSA-44 line the configured post-quantum key is missing.
    let ed_only = signed(&t4, std::slice::from_ref(&log)).await;
    assert_eq!(
        policy.accept(&ed_only.to_bytes()),
        Err(PolicyError::MissingLogSignature("log-pq".to_owned()))
    );
    let other_origin = WitnessPolicy::new("x", vec![log.verifier().clone()], vec![], 0).unwrap();
    assert_eq!(
        other_origin.accept(&ed_only.to_bytes()),
        Err(PolicyError::WrongOrigin(ORIGIN.to_owned()))
    );
    assert_eq!(
        WitnessPolicy::new(ORIGIN, vec![pq.verifier().clone()], vec![], 0).unwrap_err(),
        PolicyError::InvalidPolicy("no Ed25519 log key")
    );
    assert!(matches!(
        WitnessPolicy::new(ORIGIN, vec![log.verifier().clone()], vec![], 1),
        Err(PolicyError::InvalidPolicy(_))
    ));

    // Fork detection between two checkpoints a client saw.
    let t7 = tree(7);
    let mut fork = MemoryTree::new();
    for i in 0..7 {
        fork.push(format!("fork {i}").as_bytes());
    }
    let c4 = Checkpoint::new(ORIGIN, 4, t4.root());
    let c7 = Checkpoint::new(ORIGIN, 7, t7.root());
    let f7 = Checkpoint::new(ORIGIN, 7, fork.root());
    check_consistent(&c7, &c4, &consistency_proof(&t7, 4, 7).unwrap()).unwrap();
    assert_eq!(
        check_consistent(&c7, &f7, &[]),
        Err(Fork::SameSizeDifferentRoot { size: 7 })
    );
    assert!(matches!(
        check_consistent(&c4, &f7, &consistency_proof(&fork, 4, 7).unwrap()),
        Err(Fork::Inconsistent(TreeError::RootMismatch))
    ));
}
