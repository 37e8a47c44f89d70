//! Checkpoint cosigning latency with two witnesses, end to end over loopback HTTP: a node with
//! `[registry] witnesses` set to two `WitnessServer`s (what `saifu witness serve` runs); each
//! round appends one entry (acknowledged once durable) and waits until the node serves a
//! checkpoint of the new size that a 2-of-2 client policy accepts (the sequencer commits and
//! signs, the node sends `add-checkpoint` with a consistency proof to both witnesses at once,
//! verifies both cosignatures and stores the cosigned note).
//!
//! `cargo bench -p saifu-server --bench registry_witness` prints median and p99.

use std::time::{Duration, Instant};

use saifu_registry::note::NoteVerifier;
use saifu_registry::policy::WitnessPolicy;
use saifu_server::{Config, ConfigLayer, RegistrySettings, Server, WitnessServer, WitnessSettings};

const ROUNDS: usize = 200;
const PUBLIC_URL: &str = "http://registry.bench";
const ORIGIN: &str = "registry.bench/registry";

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn node(dir: &std::path::Path, witnesses: Vec<WitnessSettings>) -> String {
    let flags = ConfigLayer {
        port: Some(0),
        data_dir: Some(dir.to_path_buf()),
        public_url: Some(PUBLIC_URL.into()),
        registry: Some(RegistrySettings {
            witnesses,
            ..RegistrySettings::default()
        }),
        ..ConfigLayer::default()
    };
    let config = Config::load(None, |_| None, flags).unwrap();
    let server = Server::bind(&config).await.unwrap();
    let base = format!("http://{}", server.local_addr());
    tokio::spawn(server.run(std::future::pending()));
    base
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    // A first start makes the log keys the witnesses are configured with.
    let keys: Vec<String> = {
        let base = node(&dir.path().join("node"), Vec::new()).await;
        let keys = http
            .get(format!("{base}/registry/log-keys"))
            .send()
            .await
            .unwrap();
        keys.text()
            .await
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    };
    let mut witnesses = Vec::new();
    for name in ["w1.bench", "w2.bench"] {
        let server = WitnessServer::bind(
            "127.0.0.1:0".parse().unwrap(),
            &dir.path().join(name),
            name,
            &keys,
        )
        .await
        .unwrap();
        witnesses.push(WitnessSettings {
            url: format!("http://{}/add-checkpoint", server.local_addr()),
            vkey: server.verifier_key().to_owned(),
        });
        tokio::spawn(server.run(std::future::pending()));
    }
    let policy = WitnessPolicy::new(
        ORIGIN,
        keys.iter()
            .map(|k| NoteVerifier::from_vkey(k).unwrap())
            .collect(),
        witnesses
            .iter()
            .map(|w| NoteVerifier::from_vkey(&w.vkey).unwrap())
            .collect(),
        2,
    )
    .unwrap();
    let base = node(&dir.path().join("node"), witnesses).await;
    let token = saifu_server::read_admin_token(&dir.path().join("node")).unwrap();

    let mut samples = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let start = Instant::now();
        let answer = http
            .post(format!("{base}/registry/add-entry"))
            .bearer_auth(&token)
            .body(format!("bench entry {round}"))
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success());
        let size = round as u64 + 1;
        loop {
            let note = http
                .get(format!("{base}/registry/checkpoint"))
                .send()
                .await
                .unwrap();
            let note = note.bytes().await.unwrap();
            if policy
                .accept(&note)
                .is_ok_and(|a| a.checkpoint.size == size)
            {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "no cosigned checkpoint"
            );
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
        samples.push(start.elapsed());
    }
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    println!(
        "registry cosigning (append → 2-of-2 cosigned checkpoint served), {ROUNDS} rounds: \
         median {:.2} ms, p99 {:.2} ms",
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    );
}
