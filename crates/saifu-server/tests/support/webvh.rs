//! did:webvh on a node: a controller's keys and the requests it makes, and a resolver that
//! may reach loopback over plain http. Shared by the did:webvh tests.
#![allow(dead_code)]

use reqwest::StatusCode;
use saifu_crypto::{KeyType, LocalSigner, PrivateKey};
use saifu_did::Did;
use saifu_did::http::{HttpClient, HttpConfig};
use saifu_did::webvh::hash::key_hash;
use saifu_did::webvh::{Parameters, build};
use saifu_did::{Resolver, ResolverConfig};
use saifu_registry::did_log::TrustedLog;
use saifu_registry::note::NoteVerifier;
use saifu_registry::policy::WitnessPolicy;
use serde_json::Value;

use super::support::Node;

/// A fresh Ed25519 key that can sign entries.
pub fn key() -> LocalSigner {
    LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap()).unwrap()
}

/// The Multikey of a signer.
pub fn multikey(signer: &LocalSigner) -> String {
    saifu_crypto::Signer::public_key(signer).to_multikey()
}

/// The pre-rotation commitment to a signer's key.
pub fn commitment(signer: &LocalSigner) -> String {
    key_hash(&multikey(signer))
}

/// The DID template (`{SCID}` placeholder) of `name` on `node`.
pub fn template(node: &Node, name: &str) -> String {
    let port = node.base.rsplit(':').next().unwrap();
    format!("did:webvh:{{SCID}}:localhost%3A{port}:dids:{name}")
}

/// A resolver without caches that may fetch from loopback over http.
pub fn resolver() -> Resolver {
    let http = HttpClient::new(HttpConfig {
        allow_private: true,
        allow_http: true,
        ..HttpConfig::default()
    })
    .unwrap();
    Resolver::new(
        http,
        ResolverConfig {
            cache_capacity: 0,
            ..ResolverConfig::default()
        },
    )
}

/// `POST /dids/{name}/entries`, with the admin token when `admin`; status and JSON answer.
pub async fn publish(node: &Node, name: &str, entry: &Value, admin: bool) -> (StatusCode, Value) {
    let mut request = node
        .http
        .post(node.url(&format!("/dids/{name}/entries")))
        .body(serde_json::to_vec(entry).unwrap());
    if admin {
        request = request.bearer_auth(&node.token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The node's transparency log as a client trusts it: its published Ed25519 and ML-DSA-44
/// keys, no witnesses required.
pub async fn trusted_log(node: &Node) -> TrustedLog {
    let keys = node.text("/registry/log-keys").await;
    let verifiers: Vec<NoteVerifier> = keys
        .lines()
        .map(|vkey| NoteVerifier::from_vkey(vkey).unwrap())
        .collect();
    let origin = verifiers[0].name().to_owned();
    TrustedLog {
        prefix: url::Url::parse(&node.url("/registry/")).unwrap(),
        policy: WitnessPolicy::new(&origin, verifiers, Vec::new(), 0).unwrap(),
    }
}

/// The parameters of a pre-rotation: `key` (committed to before) becomes the update key and
/// commits to `next`.
pub fn rotation(key: &LocalSigner, next: &LocalSigner) -> Parameters {
    Parameters {
        update_keys: Some(vec![multikey(key)]),
        next_key_hashes: Some(vec![commitment(next)]),
        ..Parameters::default()
    }
}

/// The current time minus `ago` seconds, as a `versionTime`.
pub fn time(ago: i64) -> String {
    saifu_did::datetime::format(super::support::now_seconds() - ago)
}

/// Creates `name` on `node` with update key `k1` committing to `k2`; the DID and its log.
pub async fn create(node: &Node, name: &str, k1: &LocalSigner, k2: &LocalSigner) -> (Did, Value) {
    let state = build::document(
        &template(node, name),
        &[saifu_crypto::Signer::public_key(k1).clone()],
    );
    let entry = build::create(state, &rotation(k1, k2), &time(30), k1)
        .await
        .unwrap();
    let (status, answer) = publish(node, name, &entry, true).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let did: Did = answer["did"].as_str().unwrap().parse().unwrap();
    (did, entry)
}
