//! saifu's issuer against an independent wallet: npm `@openid4vc/openid4vci` +
//! `@openid4vc/oauth2` 0.4.6 (`interop/openid4vci/wallet.mjs`, `npm ci --prefix interop`) runs
//! the OpenID4VCI 1.0 flow over real HTTP on loopback, and every credential it brings back is
//! verified here with saifu's SD-JWT VC verifier: issuer signature, `cnf` equal to the wallet's
//! holder key, and a status list entry resolved through the list the issuer serves.
//!
//! A missing peer fails the test with the command that installs it; nothing is skipped.

#[path = "support/issuer.rs"]
mod support;

use saifu_crypto::PublicKey;
use saifu_test_support::{require_npm_package, run_node};
use serde_json::{Value, json};
use support::{
    admin_create, create_offer, diploma_claims, pin_offer, postgres, serve, sqlite,
    verify_credential, wrong_pin,
};

/// The subject who logs in at the issuer in the authorization code flow, and her password.
const SUBJECT: &str = "hanako";
const PASSWORD: &str = "correct horse battery staple";
/// The wallet as an OAuth public client.
const CLIENT_ID: &str = "saifu-interop-wallet";
const REDIRECT_URI: &str = "https://wallet.example/callback";

/// Runs the wallet on one JSON request: its answer, or its stderr when it exits non-zero.
fn run_wallet(request: &Value) -> Result<Value, String> {
    for package in ["openid4vci", "oauth2", "utils"] {
        require_npm_package(&format!("@openid4vc/{package}"), None);
    }
    run_node("openid4vci/wallet.mjs", request)
}

/// Runs the wallet off the async runtime, so that the issuer keeps serving it.
async fn wallet(request: Value) -> Result<Value, String> {
    tokio::task::spawn_blocking(move || run_wallet(&request))
        .await
        .expect("wallet task")
}

/// The wallet's request for the pre-authorized code flow on `offer` with `pin`.
fn pre_authorized(offer: &Value, pin: &str, alg: &str, count: usize) -> Value {
    json!({
        "offer": offer["link"],
        "flow": "pre-authorized_code",
        "tx_code": pin,
        "alg": alg,
        "count": count,
    })
}

/// Verifies every credential the wallet answered against the holder key it proved for it;
/// returns the status list indices.
async fn verify_all(http: &reqwest::Client, issuer_id: &str, answer: &Value) -> Vec<u64> {
    let credentials = answer["credentials"].as_array().expect("credentials");
    let holders = answer["holder_jwks"].as_array().expect("holder_jwks");
    assert_eq!(credentials.len(), holders.len(), "{answer}");
    let mut indices = Vec::with_capacity(credentials.len());
    for (credential, holder) in credentials.iter().zip(holders) {
        let jwk = serde_json::from_value(holder.clone()).expect("holder JWK");
        let holder = PublicKey::from_jwk(&jwk).expect("holder key");
        let credential = credential.as_str().expect("compact SD-JWT VC");
        indices.push(verify_credential(http, issuer_id, credential, &holder).await);
    }
    indices
}

/// The pre-authorized flow with a PIN for one holder key of `alg`; the offer is single use.
async fn pre_authorized_flow(alg: &str) {
    let (_dir, store) = sqlite().await;
    let base = serve(vec![store]).await.remove(0);
    let http = reqwest::Client::new();
    let offer = create_offer(&http, &base, pin_offer()).await;
    let pin = offer["tx_code"].as_str().expect("pin");

    let answer = wallet(pre_authorized(&offer, pin, alg, 1)).await.unwrap();
    assert_eq!(verify_all(&http, &base, &answer).await.len(), 1);

    let error = wallet(pre_authorized(&offer, pin, alg, 1))
        .await
        .unwrap_err();
    assert_oauth_error(&error, "invalid_grant");
}

/// The wallet failed at the Token Endpoint and the library surfaced the issuer's `code`.
fn assert_oauth_error(stderr: &str, code: &str) {
    assert!(
        stderr.starts_with("Oauth2ClientErrorResponseError:")
            && stderr.contains(&format!("\"error\": \"{code}\"")),
        "expected the library to surface `{code}`, got: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_authorized_with_tx_code_and_eddsa_holder_key() {
    pre_authorized_flow("EdDSA").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_authorized_with_tx_code_and_es256_holder_key() {
    pre_authorized_flow("ES256").await;
}

/// Three proofs in one Credential Request: three credentials, each bound to its own key and
/// holding its own status list entry — on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_of_three_proofs_yields_three_bound_credentials_on_postgres() {
    let (_database, stores) = postgres(1).await;
    let base = serve(stores).await.remove(0);
    let http = reqwest::Client::new();
    let offer = create_offer(&http, &base, pin_offer()).await;
    let pin = offer["tx_code"].as_str().expect("pin");

    let answer = wallet(pre_authorized(&offer, pin, "EdDSA", 3))
        .await
        .unwrap();
    let mut indices = verify_all(&http, &base, &answer).await;
    assert_eq!(indices.len(), 3);
    indices.sort_unstable();
    indices.dedup();
    assert_eq!(indices.len(), 3, "distinct status list entries");
    let mut holders: Vec<String> = answer["holder_jwks"]
        .as_array()
        .expect("holder_jwks")
        .iter()
        .map(Value::to_string)
        .collect();
    holders.sort_unstable();
    holders.dedup();
    assert_eq!(holders.len(), 3, "distinct holder keys");
}

/// A wrong PIN: the library surfaces `invalid_grant`; the offer stays redeemable with the right
/// one (a wrong PIN spends one attempt and nothing else).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_tx_code_surfaces_invalid_grant_and_keeps_the_offer() {
    let (_dir, store) = sqlite().await;
    let base = serve(vec![store]).await.remove(0);
    let http = reqwest::Client::new();
    let offer = create_offer(&http, &base, pin_offer()).await;
    let pin = offer["tx_code"].as_str().expect("pin");

    let error = wallet(pre_authorized(&offer, &wrong_pin(pin), "ES256", 1))
        .await
        .unwrap_err();
    assert_oauth_error(&error, "invalid_grant");

    let answer = wallet(pre_authorized(&offer, pin, "ES256", 1))
        .await
        .unwrap();
    assert_eq!(verify_all(&http, &base, &answer).await.len(), 1);
}

/// The offer published at a `credential_offer_uri`, which the library fetches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offer_by_reference_is_resolved_by_the_library() {
    let (_dir, store) = sqlite().await;
    let base = serve(vec![store]).await.remove(0);
    let http = reqwest::Client::new();
    let mut fields = pin_offer();
    fields["by_reference"] = true.into();
    let offer = create_offer(&http, &base, fields).await;
    let link = offer["link"].as_str().expect("link");
    assert!(link.contains("credential_offer_uri="), "{link}");
    let pin = offer["tx_code"].as_str().expect("pin");

    let answer = wallet(pre_authorized(&offer, pin, "EdDSA", 1))
        .await
        .unwrap();
    assert_eq!(verify_all(&http, &base, &answer).await.len(), 1);
}

/// A registered subject with a password, and an authorization code offer made for her.
async fn subject_offer(http: &reqwest::Client, base: &str) -> Value {
    let subject = json!({"id": SUBJECT, "claims": diploma_claims(), "password": PASSWORD});
    admin_create(http, base, "/admin/subjects", subject).await;
    let fields = json!({"subject": SUBJECT, "authorization_code": true});
    create_offer(http, base, fields).await
}

/// The wallet's request for the authorization code flow on `offer`, logging in with `password`.
fn authorization_code(offer: &Value, password: &str, count: usize) -> Value {
    json!({
        "offer": offer["link"],
        "flow": "authorization_code",
        "alg": "ES256",
        "count": count,
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "subject": SUBJECT,
        "password": password,
    })
}

/// The authorization code flow: PAR with PKCE S256 and the offer's `issuer_state` through the
/// library, the login form, the redirect with `code`, `state` and `iss`, the code exchange, and
/// a batch of two credentials carrying the subject's claims.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_code_flow_with_par_pkce_and_login() {
    let (_dir, store) = sqlite().await;
    let base = serve(vec![store]).await.remove(0);
    let http = reqwest::Client::new();
    let offer = subject_offer(&http, &base).await;

    let answer = wallet(authorization_code(&offer, PASSWORD, 2))
        .await
        .unwrap();
    assert_eq!(verify_all(&http, &base, &answer).await.len(), 2);

    // The offer's issuer_state opened one authorization request; a second one is refused at
    // the PAR endpoint, through the library.
    let error = wallet(authorization_code(&offer, PASSWORD, 1))
        .await
        .unwrap_err();
    assert!(
        error.contains("\"error\": \"invalid_request\"") && error.contains("issuer_state"),
        "{error}"
    );
}

/// A wrong password: the login page comes back with `401` instead of the redirect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_code_flow_refuses_a_wrong_password() {
    let (_dir, store) = sqlite().await;
    let base = serve(vec![store]).await.remove(0);
    let http = reqwest::Client::new();
    let offer = subject_offer(&http, &base).await;

    let error = wallet(authorization_code(&offer, "wrong password", 1))
        .await
        .unwrap_err();
    assert!(error.contains("login: HTTP 401"), "{error}");
}
