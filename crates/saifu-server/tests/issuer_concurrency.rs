//! The issuer's single-use guarantees under concurrency, over real HTTP on loopback: many tokio
//! tasks sharing one reqwest client race on one pre-authorized code, one proof nonce or one
//! offer's `tx_code` attempts — against one SQLite node, and against two nodes (two routers, two
//! `Store`s) sharing one PostgreSQL database, the requests alternating between the nodes.
//! Exactly-once must come from the database, since no in-process state is shared between nodes.

#[path = "support/issuer.rs"]
mod support;

use std::future::Future;

use reqwest::StatusCode;
use saifu_credential::sd_jwt::HashAlg;
use saifu_crypto::{KeyType, LocalSigner, PrivateKey, jws};
use saifu_issuer::IssuerStore;
use saifu_oid4vc::vci::offer::PRE_AUTHORIZED_CODE_GRANT;
use saifu_store::Store;
use serde_json::{Map, Value, json};
use support::{
    CONFIG_ID, TX_CODE_ATTEMPTS, create_offer, now, pin_offer, postgres, serve, sqlite,
    verify_credential, wrong_pin,
};

/// Concurrent requests in the code and nonce races.
const RACERS: usize = 50;
/// Concurrent wrong PINs against an offer allowing [`TX_CODE_ATTEMPTS`].
const WRONG_PINS: usize = 20;

/// One HTTP client for all requests, the nodes they alternate between, and the database they
/// share (read directly only to check counters HTTP cannot show).
#[derive(Clone)]
struct Nodes {
    http: reqwest::Client,
    bases: Vec<String>,
    store: Store,
}

impl Nodes {
    /// Serves one node per store; `stores` share one database.
    async fn serve(stores: Vec<Store>) -> Nodes {
        let store = stores[0].clone();
        Nodes {
            http: reqwest::Client::new(),
            bases: serve(stores).await,
            store,
        }
    }

    /// The wrong `tx_code` attempts the offer of `code` has left, as stored (the issuer keeps
    /// codes under their base64url SHA-256).
    async fn attempts_left(&self, code: &str) -> i64 {
        let offer = self.store.find_offer(&HashAlg::Sha256.digest(code)).await;
        offer.expect("store").expect("offer").attempts_left
    }

    /// The Credential Issuer Identifier all nodes share.
    fn issuer_id(&self) -> &str {
        &self.bases[0]
    }

    /// `path` on the node request `i` goes to.
    fn url(&self, i: usize, path: &str) -> String {
        format!("{}{path}", self.bases[i % self.bases.len()])
    }

    /// An offer with a PIN: its pre-authorized code and the PIN.
    async fn offer(&self) -> (String, String) {
        let created = create_offer(&self.http, self.issuer_id(), pin_offer()).await;
        let code =
            created["credential_offer"]["grants"][PRE_AUTHORIZED_CODE_GRANT]["pre-authorized_code"]
                .as_str()
                .expect("pre-authorized code");
        let pin = created["tx_code"].as_str().expect("pin");
        (code.to_owned(), pin.to_owned())
    }

    /// Token Request `i` redeeming `code` with `pin`: the status and the JSON body.
    async fn token(&self, i: usize, code: &str, pin: &str) -> (StatusCode, Value) {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", PRE_AUTHORIZED_CODE_GRANT)
            .append_pair("pre-authorized_code", code)
            .append_pair("tx_code", pin)
            .finish();
        let request = self
            .http
            .post(self.url(i, "/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        answer(request).await
    }

    /// A fresh `c_nonce` from the Nonce Endpoint.
    async fn nonce(&self) -> String {
        let (status, body) = answer(self.http.post(self.url(0, "/nonce"))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["c_nonce"].as_str().expect("c_nonce").to_owned()
    }

    /// Credential Request `i` with `jwt` proofs: the status and the JSON body.
    async fn credential(&self, i: usize, token: &str, proofs: &[&str]) -> (StatusCode, Value) {
        let request = self
            .http
            .post(self.url(i, "/credential"))
            .bearer_auth(token)
            .json(&json!({"credential_configuration_id": CONFIG_ID, "proofs": {"jwt": proofs}}));
        answer(request).await
    }
}

async fn answer(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("HTTP exchange");
    let status = response.status();
    (status, response.json().await.expect("JSON body"))
}

/// Starts `count` requests at once as tokio tasks (request `i` built by `request(i)`); their
/// answers in order.
async fn race<F, R>(count: usize, request: R) -> Vec<(StatusCode, Value)>
where
    R: Fn(usize) -> F,
    F: Future<Output = (StatusCode, Value)> + Send + 'static,
{
    let tasks: Vec<_> = (0..count).map(|i| tokio::spawn(request(i))).collect();
    let mut answers = Vec::with_capacity(count);
    for task in tasks {
        answers.push(task.await.expect("request task"));
    }
    answers
}

/// Asserts that every answer is `400` with the OAuth error `code`.
fn assert_all_refused(answers: &[(StatusCode, Value)], code: &str) {
    for (status, body) in answers {
        assert_eq!(
            (*status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{body}"
        );
    }
}

/// Splits off the one `200` among `answers`, asserting there is exactly one.
fn only_success(mut answers: Vec<(StatusCode, Value)>) -> (Value, Vec<(StatusCode, Value)>) {
    let winners: Vec<usize> = (0..answers.len())
        .filter(|&i| answers[i].0 == StatusCode::OK)
        .collect();
    let outcomes: Vec<_> = answers
        .iter()
        .map(|(status, body)| (status.as_u16(), body["error"].as_str()))
        .collect();
    assert_eq!(winners.len(), 1, "exactly one success: {outcomes:?}");
    let (_, body) = answers.remove(winners[0]);
    (body, answers)
}

/// An access token from a fresh offer.
async fn access_token(nodes: &Nodes) -> String {
    let (code, pin) = nodes.offer().await;
    let (status, body) = nodes.token(0, &code, &pin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// A P-256 holder key.
fn holder() -> LocalSigner {
    LocalSigner::new(PrivateKey::generate(KeyType::P256).expect("key")).expect("signer")
}

/// A `jwt` key proof of `holder` for `issuer_id` with `nonce`.
async fn proof(holder: &LocalSigner, issuer_id: &str, nonce: &str) -> String {
    let mut header = Map::new();
    header.insert("typ".into(), "openid4vci-proof+jwt".into());
    let jwk = serde_json::to_value(holder.private_key().public_key().to_jwk()).expect("jwk");
    header.insert("jwk".into(), jwk);
    let claims = json!({"aud": issuer_id, "iat": now(), "nonce": nonce});
    let payload = serde_json::to_vec(&claims).expect("claims");
    jws::sign_compact(&header, &payload, holder)
        .await
        .expect("proof")
}

/// 50 concurrent redemptions of one pre-authorized code: one access token, 49 `invalid_grant`;
/// the winner's token works at the Credential Endpoint.
async fn one_redemption_wins(nodes: Nodes) {
    let (code, pin) = nodes.offer().await;
    let answers = race(RACERS, |i| {
        let (nodes, code, pin) = (nodes.clone(), code.clone(), pin.clone());
        async move { nodes.token(i, &code, &pin).await }
    })
    .await;
    let (won, lost) = only_success(answers);
    assert_all_refused(&lost, "invalid_grant");

    let token = won["access_token"].as_str().expect("access_token");
    let key = holder();
    let nonce = nodes.nonce().await;
    let (status, body) = nodes
        .credential(1, token, &[&proof(&key, nodes.issuer_id(), &nonce).await])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// 50 concurrent Credential Requests, each with its own holder key but all proofs carrying one
/// `c_nonce`: one credential (bound to its request's key), 49 `invalid_nonce`.
async fn one_nonce_use_wins(nodes: Nodes) {
    let token = access_token(&nodes).await;
    let nonce = nodes.nonce().await;
    let holders: Vec<LocalSigner> = (0..RACERS).map(|_| holder()).collect();
    let mut proofs = Vec::with_capacity(RACERS);
    for key in &holders {
        proofs.push(proof(key, nodes.issuer_id(), &nonce).await);
    }
    let answers = race(RACERS, |i| {
        let (nodes, token, proof) = (nodes.clone(), token.clone(), proofs[i].clone());
        async move { nodes.credential(i, &token, &[&proof]).await }
    })
    .await;
    let winner = answers
        .iter()
        .position(|(status, _)| *status == StatusCode::OK)
        .expect("one success");
    let (won, lost) = only_success(answers);
    assert_all_refused(&lost, "invalid_nonce");

    let credentials = won["credentials"].as_array().expect("credentials");
    assert_eq!(credentials.len(), 1);
    let credential = credentials[0]["credential"].as_str().expect("credential");
    let key = holders[winner].private_key().public_key();
    verify_credential(&nodes.http, nodes.issuer_id(), credential, key).await;
}

/// 20 concurrent wrong PINs against an offer allowing 3 wrong attempts lock it: every one is
/// `invalid_grant`, the stored counter is exactly 0, and the right PIN afterwards is
/// `invalid_grant` too.
///
/// What is guaranteed, and so asserted: each wrong attempt decrements the counter in one
/// conditional `UPDATE … WHERE attempts_left > 0`, so the 20 wrong attempts spend exactly the 3
/// attempts there are — never fewer (a lost update between concurrent read-modify-writes would
/// leave attempts, and the right PIN would then get in) and never more (the counter would go
/// below 0). Redeeming requires `attempts_left > 0` in its own conditional `UPDATE`, so the
/// right PIN finds the offer locked. Which 3 of the 20 did the spending is not observable and
/// not asserted: all 20 are refused either way, since a wrong PIN is never accepted.
async fn wrong_pins_lock_the_offer(nodes: Nodes) {
    let (code, pin) = nodes.offer().await;
    let wrong = wrong_pin(&pin);
    let answers = race(WRONG_PINS, |i| {
        let (nodes, code, wrong) = (nodes.clone(), code.clone(), wrong.clone());
        async move { nodes.token(i, &code, &wrong).await }
    })
    .await;
    assert_all_refused(&answers, "invalid_grant");
    assert_eq!(nodes.attempts_left(&code).await, 0);
    assert_all_refused(&[nodes.token(1, &code, &pin).await], "invalid_grant");
}

/// One wrong attempt fewer than allowed, all at once: each spends exactly one attempt (none is
/// lost, none counted twice), so the offer keeps exactly one and the right PIN still redeems it.
async fn wrong_pins_below_the_limit_keep_the_offer(nodes: Nodes) {
    let (code, pin) = nodes.offer().await;
    let wrong = wrong_pin(&pin);
    let answers = race(TX_CODE_ATTEMPTS - 1, |i| {
        let (nodes, code, wrong) = (nodes.clone(), code.clone(), wrong.clone());
        async move { nodes.token(i, &code, &wrong).await }
    })
    .await;
    assert_all_refused(&answers, "invalid_grant");
    assert_eq!(nodes.attempts_left(&code).await, 1);
    let (status, body) = nodes.token(1, &code, &pin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// A batch refused for one used nonce consumes none of its nonces: the fresh nonce of the
/// other proof still works afterwards ("a failed request leaves state as it was").
///
/// The issuer consumes a batch's nonces one by one in the order of their stored digests
/// (base64url SHA-256), so the fresh nonce is picked as the one whose digest sorts first: an
/// implementation that consumes before it knows the whole batch is good fails here every time,
/// and an atomic one passes whatever the order.
async fn refused_batch_keeps_its_fresh_nonce(nodes: Nodes) {
    let token = access_token(&nodes).await;
    let mut nonces = [nodes.nonce().await, nodes.nonce().await];
    nonces.sort_by_key(|nonce| HashAlg::Sha256.digest(nonce));
    let [fresh, spent] = nonces;
    let (first, second) = (holder(), holder());
    let issuer_id = nodes.issuer_id();

    let (status, body) = nodes
        .credential(0, &token, &[&proof(&first, issuer_id, &spent).await])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let batch = [
        proof(&first, issuer_id, &fresh).await,
        proof(&second, issuer_id, &spent).await,
    ];
    let refused = nodes.credential(1, &token, &[&batch[0], &batch[1]]).await;
    assert_all_refused(&[refused], "invalid_nonce");

    let (status, body) = nodes.credential(0, &token, &[&batch[0]]).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the fresh nonce was consumed: {body}"
    );
}

/// One node on a fresh SQLite database, with the directory that keeps it.
async fn sqlite_node() -> (tempfile::TempDir, Nodes) {
    let (dir, store) = sqlite().await;
    (dir, Nodes::serve(vec![store]).await)
}

/// Two nodes on one fresh PostgreSQL database, with the database handle that drops it.
async fn postgres_pair() -> (saifu_store::testing::TestDatabase, Nodes) {
    let (database, stores) = postgres(2).await;
    (database, Nodes::serve(stores).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_fifty_code_redemptions_wins_on_sqlite() {
    let (_dir, nodes) = sqlite_node().await;
    one_redemption_wins(nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_fifty_code_redemptions_wins_across_two_postgres_nodes() {
    let (_database, nodes) = postgres_pair().await;
    one_redemption_wins(nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_fifty_nonce_uses_wins_on_sqlite() {
    let (_dir, nodes) = sqlite_node().await;
    one_nonce_use_wins(nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_fifty_nonce_uses_wins_across_two_postgres_nodes() {
    let (_database, nodes) = postgres_pair().await;
    one_nonce_use_wins(nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_wrong_pins_lock_the_offer_on_sqlite() {
    let (_dir, nodes) = sqlite_node().await;
    wrong_pins_lock_the_offer(nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_wrong_pins_lock_the_offer_across_two_postgres_nodes() {
    let (_database, nodes) = postgres_pair().await;
    wrong_pins_lock_the_offer(nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_wrong_pins_below_the_limit_keep_the_offer_on_sqlite() {
    let (_dir, nodes) = sqlite_node().await;
    wrong_pins_below_the_limit_keep_the_offer(nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_wrong_pins_below_the_limit_keep_the_offer_across_two_postgres_nodes() {
    let (_database, nodes) = postgres_pair().await;
    wrong_pins_below_the_limit_keep_the_offer(nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_batch_keeps_its_fresh_nonce_on_sqlite() {
    let (_dir, nodes) = sqlite_node().await;
    refused_batch_keeps_its_fresh_nonce(nodes).await;
}
