//! A witness (`WitnessServer`, what `saifu witness serve` runs) cosigning a node's registry
//! checkpoints over HTTP: the cosigned checkpoint passes a client's 1-of-1 witness policy and
//! fails a 2-of-2 one; a stale checkpoint gets 409 with the size the witness knows; a note the
//! log did not sign gets 403; a log the witness does not know gets 404.

#[path = "support/node.rs"]
mod support;

use reqwest::StatusCode;
use saifu_registry::note::{Note, NoteKeyKind, NoteSignature, NoteSigner, NoteVerifier};
use saifu_registry::policy::{PolicyError, WitnessPolicy};
use saifu_registry::witness::AddCheckpoint;
use saifu_server::WitnessServer;
use support::Node;

/// A note signer with a fresh Ed25519 key: a key nobody configured.
fn fresh_signer(name: &str, kind: NoteKeyKind) -> NoteSigner {
    let key = saifu_crypto::PrivateKey::generate(saifu_crypto::KeyType::Ed25519).unwrap();
    let signer = saifu_crypto::LocalSigner::new(key).unwrap();
    NoteSigner::new(name, kind, std::sync::Arc::new(signer)).unwrap()
}

#[tokio::test]
async fn a_witness_cosigns_the_nodes_checkpoints_and_refuses_stale_or_foreign_ones() {
    let node = Node::start().await;
    for entry in ["trust entry 1", "status list update 1", "audit event 1"] {
        let answer = node
            .http
            .post(node.url("/registry/add-entry"))
            .bearer_auth(&node.token)
            .body(entry)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
    }
    let log_keys: Vec<String> = node
        .text("/registry/log-keys")
        .await
        .lines()
        .map(str::to_owned)
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let witness = WitnessServer::bind(
        "127.0.0.1:0".parse().unwrap(),
        dir.path(),
        "witness.test",
        &log_keys,
    )
    .await
    .unwrap();
    let witness_url = format!("http://{}/add-checkpoint", witness.local_addr());
    let witness_key = NoteVerifier::from_vkey(witness.verifier_key()).unwrap();
    tokio::spawn(witness.run(std::future::pending()));
    let http = reqwest::Client::new();
    let submit = |request: Vec<u8>| {
        let http = http.clone();
        let url = witness_url.clone();
        async move {
            let answer = http.post(url).body(request).send().await.unwrap();
            (answer.status(), answer.text().await.unwrap())
        }
    };

    let checkpoint = node.text("/registry/checkpoint").await;
    let request = AddCheckpoint {
        old_size: 0,
        proof: Vec::new(),
        note: Note::parse(checkpoint.as_bytes()).unwrap(),
    };
    let (status, line) = submit(request.to_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{line}");
    let mut cosigned = request.note.clone();
    cosigned.add_signature(NoteSignature::parse_line(line.trim_end()).unwrap());

    // A client trusting the log's keys and this witness accepts it with 1 of 1 ...
    let log_verifiers: Vec<NoteVerifier> = log_keys
        .iter()
        .map(|k| NoteVerifier::from_vkey(k).unwrap())
        .collect();
    let origin = log_verifiers[0].name().to_owned();
    let policy =
        WitnessPolicy::new(&origin, log_verifiers.clone(), vec![witness_key.clone()], 1).unwrap();
    let accepted = policy.accept(&cosigned.to_bytes()).unwrap();
    assert_eq!(accepted.checkpoint.size, 3);
    // ... and refuses it when it wants 2 witnesses and only one cosigned.
    let other = fresh_signer("other-witness.test", NoteKeyKind::Cosignature);
    let strict = WitnessPolicy::new(
        &origin,
        log_verifiers,
        vec![witness_key, other.verifier().clone()],
        2,
    )
    .unwrap();
    assert!(matches!(
        strict.accept(&cosigned.to_bytes()),
        Err(PolicyError::NotEnoughCosignatures { got: 1, need: 2 })
    ));

    // The same checkpoint again, claiming to start from 0: the witness knows size 3.
    let (status, body) = submit(request.to_bytes()).await;
    assert_eq!((status, body.as_str()), (StatusCode::CONFLICT, "3\n"));

    // A note whose log signatures were stripped and replaced by a stranger's: 403.
    let stranger = fresh_signer(&origin, NoteKeyKind::Ed25519);
    let mut forged = Note::new(request.note.text()).unwrap();
    forged.add_signature(stranger.sign(request.note.text()).await.unwrap());
    let forged = AddCheckpoint {
        old_size: 3,
        proof: Vec::new(),
        note: forged,
    };
    let (status, _) = submit(forged.to_bytes()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A log the witness was not configured for: 404.
    let foreign_text = request
        .note
        .text()
        .replacen(&origin, "other.example/log", 1);
    let foreign_signer = fresh_signer("other.example/log", NoteKeyKind::Ed25519);
    let mut foreign = Note::new(&foreign_text).unwrap();
    foreign.add_signature(foreign_signer.sign(&foreign_text).await.unwrap());
    let foreign = AddCheckpoint {
        old_size: 0,
        proof: Vec::new(),
        note: foreign,
    };
    let (status, _) = submit(foreign.to_bytes()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Garbage is a 400.
    let (status, _) = submit(b"not a request".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
