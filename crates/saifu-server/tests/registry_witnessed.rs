//! A registry node gathering cosignatures from two real witnesses (`WitnessServer`, what
//! `saifu witness serve` runs) over loopback: the served checkpoint carries both cosignatures
//! and a 2-of-2 client policy accepts it; with one witness down it carries one, which 2-of-2
//! refuses and 1-of-2 accepts; a second log with the same key but a different tree (a fork)
//! gets no cosignature from a witness that cosigned the first (409 with its size, then 422 for
//! the proof from there), and clients holding both checkpoints detect the fork.

#[path = "support/node.rs"]
mod support;

use std::time::Duration;

use reqwest::StatusCode;
use saifu_registry::checkpoint::Checkpoint;
use saifu_registry::note::{Note, NoteVerifier};
use saifu_registry::policy::{Fork, PolicyError, WitnessPolicy, check_consistent};
use saifu_registry::witness::AddCheckpoint;
use saifu_server::{
    Config, ConfigLayer, RegistrySettings, ServeError, Server, TrustRegistrySettings,
    VerifierSettings, WitnessRoleSettings, WitnessServer, WitnessSettings,
};
use support::Node;
use tokio::sync::oneshot;

/// The nodes' public URL: it fixes the log's origin whatever port a node gets.
const PUBLIC_URL: &str = "http://registry.test";
const ORIGIN: &str = "registry.test/registry";

/// A witness's `add-checkpoint` URL and verifier key, and what keeps it running (its stop
/// channel and directory, or the node serving it) until dropped.
struct RunningWitness {
    url: String,
    vkey: String,
    _keep: Box<dyn std::any::Any + Send>,
}

/// A witness named `name` following the log with `log_keys`, serving on loopback.
async fn witness(name: &str, log_keys: &[String]) -> RunningWitness {
    let dir = tempfile::tempdir().unwrap();
    let server = WitnessServer::bind("127.0.0.1:0".parse().unwrap(), dir.path(), name, log_keys)
        .await
        .unwrap();
    let url = format!("http://{}/add-checkpoint", server.local_addr());
    let vkey = server.verifier_key().to_owned();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    RunningWitness {
        url,
        vkey,
        _keep: Box::new((stop, dir)),
    }
}

fn flags(witnesses: &[&RunningWitness], quorum: Option<usize>) -> ConfigLayer {
    ConfigLayer {
        public_url: Some(PUBLIC_URL.into()),
        registry: Some(RegistrySettings {
            witnesses: witnesses
                .iter()
                .map(|w| WitnessSettings {
                    url: w.url.clone(),
                    vkey: w.vkey.clone(),
                })
                .collect(),
            quorum,
            witness_timeout_ms: 3_000,
            ..RegistrySettings::default()
        }),
        ..ConfigLayer::default()
    }
}

/// A data directory whose registry keys exist, and the log keys they give.
async fn prepared() -> (tempfile::TempDir, Vec<String>) {
    let node = Node::start_layer(tempfile::tempdir().unwrap(), flags(&[], None)).await;
    let keys = node
        .text("/registry/log-keys")
        .await
        .lines()
        .map(str::to_owned)
        .collect();
    (node.stop(), keys)
}

async fn append(node: &Node, entry: &str) {
    let answer = node
        .http
        .post(node.url("/registry/add-entry"))
        .bearer_auth(&node.token)
        .body(entry.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
}

fn verifiers(keys: &[String]) -> Vec<NoteVerifier> {
    keys.iter()
        .map(|k| NoteVerifier::from_vkey(k).unwrap())
        .collect()
}

fn policy(log_keys: &[String], witnesses: &[&RunningWitness], k: usize) -> WitnessPolicy {
    let witness_keys = witnesses.iter().map(|w| w.vkey.clone()).collect::<Vec<_>>();
    WitnessPolicy::new(ORIGIN, verifiers(log_keys), verifiers(&witness_keys), k).unwrap()
}

/// The served checkpoint once it has `size` leaves and `cosigners` of `witnesses` cosigned it.
async fn served(
    node: &Node,
    log_keys: &[String],
    witnesses: &[&RunningWitness],
    size: u64,
    cosigners: usize,
) -> Vec<u8> {
    let observer = policy(log_keys, witnesses, 0);
    for _ in 0..200 {
        let note = node.text("/registry/checkpoint").await.into_bytes();
        if observer.accept(&note).is_ok_and(|accepted| {
            accepted.checkpoint.size == size && accepted.cosigners.len() == cosigners
        }) {
            return note;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no checkpoint of size {size} with {cosigners} cosignatures was served");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_served_checkpoint_carries_both_witnesses_cosignatures() {
    let (dir, log_keys) = prepared().await;
    let (w1, w2) = (
        witness("w1.test", &log_keys).await,
        witness("w2.test", &log_keys).await,
    );
    let node = Node::start_layer(dir, flags(&[&w1, &w2], None)).await;
    for entry in ["status list update", "audit event", "trust statement"] {
        append(&node, entry).await;
    }
    let note = served(&node, &log_keys, &[&w1, &w2], 3, 2).await;
    let accepted = policy(&log_keys, &[&w1, &w2], 2).accept(&note).unwrap();
    let mut names: Vec<_> = accepted.cosigners.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["w1.test", "w2.test"]);

    // The next checkpoint is cosigned from the size each witness already has (a real proof).
    append(&node, "one more").await;
    let note = served(&node, &log_keys, &[&w1, &w2], 4, 2).await;
    policy(&log_keys, &[&w1, &w2], 2).accept(&note).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn with_one_witness_down_two_of_two_refuses_and_one_of_two_accepts() {
    let (dir, log_keys) = prepared().await;
    let up = witness("up.test", &log_keys).await;
    let stopped = witness("down.test", &log_keys).await;
    // The same witness, stopped: nothing listens at its URL any more.
    let down = RunningWitness {
        url: stopped.url.clone(),
        vkey: stopped.vkey.clone(),
        _keep: Box::new(()),
    };
    drop(stopped);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let node = Node::start_layer(dir, flags(&[&up, &down], Some(2))).await;
    append(&node, "entry").await;
    let note = served(&node, &log_keys, &[&up, &down], 1, 1).await;
    assert_eq!(
        policy(&log_keys, &[&up, &down], 2).accept(&note),
        Err(PolicyError::NotEnoughCosignatures { got: 1, need: 2 })
    );
    let accepted = policy(&log_keys, &[&up, &down], 1).accept(&note).unwrap();
    assert_eq!(accepted.cosigners[0].0, "up.test");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_with_the_witness_role_cosigns_another_operators_log() {
    let (dir, log_keys) = prepared().await;
    let witness_role = |logs: Vec<String>| ConfigLayer {
        witness: Some(WitnessRoleSettings {
            enabled: true,
            name: "node-witness.test".into(),
            logs,
        }),
        ..ConfigLayer::default()
    };

    // Switched on without a log to witness, the node refuses to start and says what is missing.
    let mut refused = witness_role(Vec::new());
    refused.data_dir = Some(tempfile::tempdir().unwrap().path().to_path_buf());
    refused.port = Some(0);
    let config = Config::load(None, |_| None, refused).unwrap();
    let error = Server::bind(&config).await.unwrap_err();
    assert!(
        matches!(&error, ServeError::Role(saifu_server::RoleError::Witness(why)) if why.contains("at least one log key")),
        "{error}"
    );

    let witness_node =
        Node::start_layer(tempfile::tempdir().unwrap(), witness_role(log_keys.clone())).await;
    let vkey = witness_node.text("/witness/verifier-key").await;
    let garbage = witness_node
        .http
        .post(witness_node.url("/witness/add-checkpoint"))
        .body("not a checkpoint")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), StatusCode::BAD_REQUEST);
    let witness = RunningWitness {
        url: witness_node.url("/witness/add-checkpoint"),
        vkey: vkey.trim_end().to_owned(),
        _keep: Box::new(witness_node),
    };

    let log = Node::start_layer(dir, flags(&[&witness], Some(1))).await;
    append(&log, "entry").await;
    let note = served(&log, &log_keys, &[&witness], 1, 1).await;
    let accepted = policy(&log_keys, &[&witness], 1).accept(&note).unwrap();
    assert_eq!(accepted.cosigners[0].0, "node-witness.test");
}

fn checkpoint(note: &[u8]) -> Checkpoint {
    Checkpoint::parse(Note::parse(note).unwrap().text()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forked_log_is_refused_by_the_witness_and_detected_by_clients() {
    let (dir, log_keys) = prepared().await;
    let fork_dir = tempfile::tempdir().unwrap();
    for key in ["registry-key.jwk", "registry-mldsa44-key.jwk"] {
        std::fs::copy(dir.path().join(key), fork_dir.path().join(key)).unwrap();
    }
    let w = witness("w.test", &log_keys).await;
    let honest = Node::start_layer(dir, flags(&[&w], None)).await;
    for entry in ["a", "b", "c"] {
        append(&honest, entry).await;
    }
    let honest_note = served(&honest, &log_keys, &[&w], 3, 1).await;
    let one_of_one = policy(&log_keys, &[&w], 1);
    let honest_accepted = one_of_one.accept(&honest_note).unwrap();

    // Same key, same origin, another tree of the same size.
    let fork = Node::start_layer(fork_dir, flags(&[&w], None)).await;
    assert_eq!(
        fork.text("/registry/log-keys")
            .await
            .lines()
            .collect::<Vec<_>>(),
        log_keys
    );
    for entry in ["x", "y", "z"] {
        append(&fork, entry).await;
    }
    let fork_note = served(&fork, &log_keys, &[&w], 3, 0).await;
    assert_eq!(
        one_of_one.accept(&fork_note),
        Err(PolicyError::NotEnoughCosignatures { got: 0, need: 1 })
    );

    // The witness's answers, as the prescribed codes: 409 with the size it cosigned, then 422
    // for the proof from that size (same size, another root).
    let http = reqwest::Client::new();
    let request = AddCheckpoint {
        old_size: 0,
        proof: Vec::new(),
        note: Note::parse(&fork_note).unwrap(),
    };
    let answer = http
        .post(&w.url)
        .body(request.to_bytes())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::CONFLICT);
    assert_eq!(answer.text().await.unwrap(), "3\n");
    let request = AddCheckpoint {
        old_size: 3,
        ..request
    };
    let answer = http
        .post(&w.url)
        .body(request.to_bytes())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // A client that saw the honest checkpoint and the fork's (validly log-signed) one.
    let fork_checkpoint = checkpoint(&fork_note);
    assert_eq!(
        check_consistent(&honest_accepted.checkpoint, &fork_checkpoint, &[]),
        Err(Fork::SameSizeDifferentRoot { size: 3 })
    );
}

/// Why a node with `flags` refuses to start (its roles cannot be set up).
async fn refused(flags: ConfigLayer) -> String {
    let dir = tempfile::tempdir().unwrap();
    let flags = ConfigLayer {
        port: Some(0),
        data_dir: Some(dir.path().to_path_buf()),
        ..flags
    };
    let config = Config::load(None, |_| None, flags).unwrap();
    match Server::bind(&config).await {
        Err(ServeError::Role(error)) => error.to_string(),
        other => panic!("expected a role error, got {other:?}"),
    }
}

#[tokio::test]
async fn misconfigured_witnesses_and_trust_registries_are_refused_at_start() {
    let (_, log_keys) = prepared().await;
    let w = witness("w.test", &log_keys).await;
    let with = |url: &str, vkey: &str, quorum| ConfigLayer {
        registry: Some(RegistrySettings {
            witnesses: vec![WitnessSettings {
                url: url.into(),
                vkey: vkey.into(),
            }],
            quorum,
            ..RegistrySettings::default()
        }),
        ..ConfigLayer::default()
    };
    let error = refused(with(&w.url, &w.vkey, Some(2))).await;
    assert!(
        error.contains("quorum 2 must be between 1 and the 1 configured"),
        "{error}"
    );
    let error = refused(with(&w.url, &w.vkey, Some(0))).await;
    assert!(error.contains("quorum 0"), "{error}");
    let error = refused(with("not a url", &w.vkey, None)).await;
    assert!(error.contains("witness URL not a url"), "{error}");
    let error = refused(with(&w.url, "w+00000000+AAAA", None)).await;
    assert!(error.contains("witness key of"), "{error}");
    // A log key is not a witness key.
    let error = refused(with(&w.url, &log_keys[0], None)).await;
    assert!(error.contains("is not a cosignature/v1 key"), "{error}");

    let trusting = |authority: &str, min_assurance: &str, registry: bool| ConfigLayer {
        verifier: Some(VerifierSettings {
            trust_registry: Some(TrustRegistrySettings {
                authority: authority.into(),
                min_assurance: min_assurance.into(),
            }),
            ..VerifierSettings::default()
        }),
        registry: Some(RegistrySettings {
            enabled: registry,
            ..RegistrySettings::default()
        }),
        ..ConfigLayer::default()
    };
    let error = refused(trusting("did:example:a", "medium", true)).await;
    assert!(error.contains("min_assurance \"medium\""), "{error}");
    let error = refused(trusting("https://authority.example", "high", true)).await;
    assert!(error.contains("must be a DID"), "{error}");
    let error = refused(trusting("did:example:a", "high", false)).await;
    assert!(error.contains("needs the registry role"), "{error}");
}
