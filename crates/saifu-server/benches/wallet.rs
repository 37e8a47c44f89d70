//! The wallet's flows against a node on loopback, one at a time, so each figure is the holder's
//! latency: unlocking the wallet file (Argon2id at the default cost), receiving a batch of 3
//! copies (offer, metadata, token, nonce, 3 proofs, credential, checks, sealed store), and
//! presenting (request object fetched and its DID signature checked, DCQL consent view, SD-JWT
//! presentation with KB-JWT, `direct_post`, verifier's full check, history sealed).
//!
//! `cargo bench -p saifu-server --bench wallet` prints median and p99 per flow.

use std::time::{Duration, Instant};

use saifu_server::{Config, ConfigLayer, Server};
use saifu_wallet::present::Approval;
use saifu_wallet::{Wallet, WalletConfig};
use serde_json::{Value, json};

const RECEIVES: usize = 60;
const PRESENTS: usize = 300;
const UNLOCKS: usize = 10;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let flags = ConfigLayer {
        port: Some(0),
        data_dir: Some(dir.path().join("node")),
        ..ConfigLayer::default()
    };
    let config = Config::load(None, |_| None, flags).unwrap();
    let server = Server::bind(&config).await.unwrap();
    let base = format!("http://{}", server.local_addr());
    tokio::spawn(server.run(std::future::pending()));
    let token = saifu_server::read_admin_token(&dir.path().join("node")).unwrap();
    let admin = Admin {
        base,
        token,
        http: reqwest::Client::new(),
    };
    admin
        .post(
            "/admin/subjects",
            json!({"id": "hanako", "claims": {"given_name": "Hanako", "family_name": "Yamada",
                   "degree": "BSc", "university": "Saifu University"}}),
        )
        .await;

    let path = dir.path().join("wallet.sqlite");
    let passphrase = b"a long wallet passphrase";
    let wallet_config = WalletConfig::development();
    Wallet::create(&path, passphrase, wallet_config.clone())
        .await
        .unwrap()
        .close()
        .await;
    let mut unlock = Vec::new();
    for _ in 0..UNLOCKS {
        let started = Instant::now();
        let wallet = Wallet::open(&path, passphrase, wallet_config.clone())
            .await
            .unwrap();
        unlock.push(started.elapsed());
        wallet.close().await;
    }
    let wallet = Wallet::open(&path, passphrase, wallet_config)
        .await
        .unwrap();

    let mut receive = Vec::new();
    for _ in 0..RECEIVES {
        let offer = admin
            .post(
                "/admin/offers",
                json!({"subject": "hanako", "credential_configuration_id": "diploma"}),
            )
            .await;
        let started = Instant::now();
        let preview = wallet
            .preview_offer(offer["link"].as_str().unwrap())
            .await
            .unwrap();
        wallet.accept_offer(&preview, None).await.unwrap();
        receive.push(started.elapsed());
    }

    let query = json!({"credentials": [{"id": "diploma", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["https://saifu.dev/vct/diploma"]},
        "claims": [{"path": ["degree"]}, {"path": ["given_name"]}]}]});
    let mut present = Vec::new();
    for _ in 0..PRESENTS {
        let created = admin
            .post(
                "/admin/presentations",
                json!({"dcql_query": query, "client_id_prefix": "decentralized_identifier"}),
            )
            .await;
        let started = Instant::now();
        let request = wallet
            .open_request(created["link"].as_str().unwrap())
            .await
            .unwrap();
        let view = wallet.consent(&request).await.unwrap();
        wallet
            .respond(&request, &view, &Approval::minimal(&view))
            .await
            .unwrap();
        present.push(started.elapsed());
    }

    println!("wallet flows against a node on loopback, one at a time (release build)");
    report("unlock (Argon2id m=19 MiB, t=2)", unlock);
    report("receive a batch of 3 copies", receive);
    report("present (did:jwk-signed request, 2 of 4 claims)", present);
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    let median = at(0.5);
    println!(
        "{name:<50} n={:<4} median {:>8.2} ms  p99 {:>8.2} ms  ({:.0}/s one at a time)",
        times.len(),
        median.as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        1.0 / median.as_secs_f64()
    );
}

struct Admin {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Admin {
    async fn post(&self, path: &str, body: Value) -> Value {
        let answer = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "{path}: {}", answer.status());
        answer.json().await.unwrap()
    }
}
