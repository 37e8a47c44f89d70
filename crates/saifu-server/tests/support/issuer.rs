//! Shared by `issuer_peer.rs` and `issuer_concurrency.rs`: issuer nodes served on loopback, each
//! an [`IssuerRole`] over its own [`Store`], all of them one Credential Issuer (one identifier,
//! one key), offers created through the admin API, and the check of an issued credential.
//! Each test binary uses a different subset, hence the module-level `dead_code` allowance.
#![allow(dead_code)]

use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use saifu_credential::sd_jwt::{Limits, SdJwt, VerifyOptions};
use saifu_credential::sd_jwt_vc::{VcVerifyOptions, verify_vc};
use saifu_credential::status::token::jwt;
use saifu_credential::status::{self, ReferenceOptions, StatusValue};
use saifu_crypto::{Algorithm, LocalSigner, PrivateKey, PublicKey};
use saifu_issuer::{ClaimConfig, CredentialConfig, Issuer, IssuerConfig};
use saifu_server::{AppState, IssuerRole, build_router};
use saifu_store::Store;
use saifu_store::testing::TestDatabase;
use serde_json::{Value, json};

/// The bearer token of the admin endpoints.
pub const ADMIN_TOKEN: &str = "admin-secret";
/// Wrong `tx_code` attempts an offer allows.
pub const TX_CODE_ATTEMPTS: usize = 3;
/// Most proofs in one Credential Request.
pub const BATCH_SIZE: u32 = 3;
/// The one credential configuration the issuer offers.
pub const CONFIG_ID: &str = "diploma";

/// Seconds since the epoch.
pub fn now() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970");
    i64::try_from(since.as_secs()).expect("seconds fit i64")
}

/// The issuer's P-256 signing key (fixed, so that every node of a cluster signs alike).
pub fn issuer_key() -> PrivateKey {
    let jwk = json!({
        "kty": "EC", "crv": "P-256",
        "x": "5nj2BaOpRv-BoUevdnaXioVmDX6ra0hRdQY-nm8UA1w",
        "y": "b7HSb-nT3sICdlrns4UAaLOBfAwxVgcRyDDNVYeaw-s",
        "d": "yaFsNMn3MBIH-sk1LRGk_FWGgl_piOa-YVpCKrh1R-Q"
    });
    PrivateKey::from_jwk(&serde_json::from_value(jwk).expect("jwk")).expect("issuer key")
}

fn issuer(issuer_id: &str, store: Store) -> IssuerRole {
    let claim = |name: &str, sd: bool| ClaimConfig {
        name: name.into(),
        display_name: name.to_uppercase(),
        selectively_disclosable: sd,
    };
    let config = IssuerConfig {
        issuer_id: issuer_id.into(),
        signer: LocalSigner::new(issuer_key())
            .expect("signer")
            .with_key_id("issuer-key-1"),
        display_name: "Example University".into(),
        credentials: vec![CredentialConfig {
            id: CONFIG_ID.into(),
            vct: "https://issuer.example/diploma".into(),
            scope: "diploma".into(),
            display_name: "Diploma".into(),
            claims: vec![claim("given_name", true), claim("degree", false)],
            validity: 3600,
            holder_binding: true,
            w3c: None,
        }],
        offer_ttl: 600,
        token_ttl: 300,
        tx_code_attempts: i64::try_from(TX_CODE_ATTEMPTS).expect("small"),
        batch_size: BATCH_SIZE,
        status_list_size: saifu_issuer::STATUS_LIST_ENTRIES,
    };
    IssuerRole::new(Issuer::new(config, store), ADMIN_TOKEN.into())
}

/// Serves one issuer node per store on loopback; returns their base URLs. The nodes form one
/// Credential Issuer behind a load balancer: the first node's URL is everyone's identifier (so
/// metadata, proof audiences and the status list URI name it).
pub async fn serve(stores: Vec<Store>) -> Vec<String> {
    let mut listeners = Vec::with_capacity(stores.len());
    for _ in &stores {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        listeners.push((listener, base));
    }
    let issuer_id = listeners[0].1.clone();
    let mut bases = Vec::with_capacity(stores.len());
    for (store, (listener, base)) in stores.into_iter().zip(listeners) {
        let state = AppState::new(store.clone()).with_issuer(issuer(&issuer_id, store));
        tokio::spawn(async move { axum::serve(listener, build_router(state)).await });
        bases.push(base);
    }
    bases
}

/// A SQLite store in a fresh directory (kept while the [`tempfile::TempDir`] lives).
pub async fn sqlite() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_in_dir(dir.path()).await.expect("sqlite store");
    (dir, store)
}

/// `nodes` stores opened on one fresh PostgreSQL database (dropped with the [`TestDatabase`]).
pub async fn postgres(nodes: usize) -> (TestDatabase, Vec<Store>) {
    let database = TestDatabase::create().await.expect("test database");
    let mut stores = Vec::with_capacity(nodes);
    for _ in 0..nodes {
        stores.push(Store::open(database.url()).await.expect("postgres store"));
    }
    (database, stores)
}

/// The claims of every diploma the tests issue, offered directly or held by a subject.
pub fn diploma_claims() -> Value {
    json!({"given_name": "Hanako", "degree": "BSc"})
}

/// The offer fields for a diploma with [`diploma_claims`] and a 6-digit PIN.
pub fn pin_offer() -> Value {
    json!({
        "claims": diploma_claims(),
        "tx_code": {"length": 6, "description": "PIN from the e-mail"},
    })
}

/// `POST {path}` on the admin API with `body`; asserts `201 Created` and returns the answer.
pub async fn admin_create(http: &reqwest::Client, base: &str, path: &str, body: Value) -> Value {
    let response = http
        .post(format!("{base}{path}"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&body)
        .send()
        .await
        .expect("admin request");
    let status = response.status();
    let answer: Value = response.json().await.expect("admin JSON answer");
    assert_eq!(status, StatusCode::CREATED, "{path}: {answer}");
    answer
}

/// Creates an offer of a diploma through `POST /admin/offers` with `fields` (see
/// [`pin_offer`]); the answer: `credential_offer`, `link` and `tx_code`.
pub async fn create_offer(http: &reqwest::Client, base: &str, fields: Value) -> Value {
    let mut body = json!({"credential_configuration_id": CONFIG_ID});
    let fields = fields.as_object().expect("offer fields").clone();
    body.as_object_mut().expect("object").extend(fields);
    admin_create(http, base, "/admin/offers", body).await
}

/// A PIN of the same length as `pin` that is not `pin`.
pub fn wrong_pin(pin: &str) -> String {
    pin.chars()
        .map(|c| if c == '0' { '1' } else { '0' })
        .collect()
}

/// Verifies `credential` as an SD-JWT VC signed by the issuer `issuer_id` and bound (`cnf.jwk`)
/// to `holder`, and resolves its status list entry through the list the issuer serves, which
/// must say `VALID`. Returns the status list index.
pub async fn verify_credential(
    http: &reqwest::Client,
    issuer_id: &str,
    credential: &str,
    holder: &PublicKey,
) -> u64 {
    let algorithms = [Algorithm::ES256];
    let sd_jwt = SdJwt::parse_compact(credential, &Limits::default()).expect("SD-JWT");
    let options = VcVerifyOptions {
        sd_jwt: VerifyOptions {
            allowed_algorithms: &algorithms,
            limits: Limits::default(),
            key_binding: None,
        },
        now: now(),
        skew: 60,
        accept_legacy_typ: false,
        status: ReferenceOptions { allow_http: true },
    };
    let verified = verify_vc(&sd_jwt, issuer_key().public_key(), &options).expect("valid VC");
    assert_eq!(verified.vct, "https://issuer.example/diploma");
    assert_eq!(verified.issuer.as_deref(), Some(issuer_id));
    assert_eq!(verified.claims()["given_name"], "Hanako");
    assert_eq!(verified.claims()["degree"], "BSc");
    let cnf = serde_json::to_value(holder.to_jwk()).expect("jwk");
    assert_eq!(verified.claims()["cnf"]["jwk"], cnf);

    let reference = verified.status.expect("a status reference");
    let uri = format!("{issuer_id}/status/1");
    assert_eq!(reference.uri(), uri);
    let response = http.get(&uri).send().await.expect("status list");
    assert_eq!(
        response.headers()["content-type"],
        "application/statuslist+jwt"
    );
    let token = response.text().await.expect("status list token");
    let list = jwt::verify(
        &token,
        issuer_key().public_key(),
        &status::VerifyOptions::new(&uri, now(), &algorithms),
    )
    .expect("valid status list token");
    assert_eq!(
        list.status_list
            .get(reference.idx())
            .expect("index in list"),
        StatusValue::Valid
    );
    reference.idx()
}
