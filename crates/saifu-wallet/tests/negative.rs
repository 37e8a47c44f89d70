//! Hostile or broken input refused with its specific error, with nothing disclosed and nothing
//! lost: presentation requests that break the client identifier rules, a `request_uri` on a
//! private address, a wrong passphrase, a corrupted wallet file.

use saifu_crypto::{KeyType, LocalSigner, PrivateKey, jws};
use saifu_did::http::HttpError;
use saifu_did::jwk::did_jwk;
use saifu_oid4vc::vp::fetch::RequestUriError;
use saifu_wallet::present::RequestError;
use saifu_wallet::{KdfParams, Wallet, WalletConfig, WalletError};
use serde_json::{Map, Value, json};

const PASSPHRASE: &[u8] = b"a long wallet passphrase";

fn config() -> WalletConfig {
    WalletConfig {
        kdf: KdfParams {
            m_cost: 8 * 1024,
            t_cost: 1,
            p_cost: 1,
        },
        ..WalletConfig::default()
    }
}

async fn new_wallet(dir: &tempfile::TempDir) -> Wallet {
    Wallet::create(&dir.path().join("w.sqlite"), PASSPHRASE, config())
        .await
        .unwrap()
}

fn query() -> Value {
    json!({"credentials": [{"id": "d", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["https://saifu.dev/vct/diploma"]}, "claims": [{"path": ["degree"]}]}]})
}

/// A by-value link with `params` (JSON members as JSON text).
fn link(params: &Map<String, Value>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        match value {
            Value::String(text) => query.append_pair(name, text),
            other => query.append_pair(name, &other.to_string()),
        };
    }
    format!("openid4vp://?{}", query.finish())
}

fn params(client_id: &str, response_uri: &str) -> Map<String, Value> {
    json!({"client_id": client_id, "response_type": "vp_token", "response_mode": "direct_post",
           "response_uri": response_uri, "nonce": "n-1", "state": "s-1", "dcql_query": query()})
    .as_object()
    .unwrap()
    .clone()
}

async fn signed(claims: &Map<String, Value>, signer: &LocalSigner) -> String {
    let header = Map::from_iter([("typ".to_owned(), Value::from("oauth-authz-req+jwt"))]);
    jws::sign_compact(&header, &serde_json::to_vec(claims).unwrap(), signer)
        .await
        .unwrap()
}

fn did_signer() -> (String, LocalSigner) {
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let did = did_jwk(&key.public_key().to_jwk())
        .unwrap()
        .as_str()
        .to_owned();
    let signer = LocalSigner::new(key)
        .unwrap()
        .with_key_id(format!("{did}#0"));
    (did, signer)
}

fn request_error(result: Result<impl std::fmt::Debug, WalletError>) -> RequestError {
    match result {
        Err(WalletError::Request(error)) => error,
        other => panic!("expected a request error, got {other:?}"),
    }
}

fn by_value(client_id: &Value, object: String) -> Map<String, Value> {
    Map::from_iter([
        ("client_id".to_owned(), client_id.clone()),
        ("request".to_owned(), Value::from(object)),
    ])
}

#[tokio::test]
async fn requests_breaking_the_client_identifier_rules_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let wallet = new_wallet(&dir).await;

    // A DID client must sign; this request is unsigned.
    let (did, signer) = did_signer();
    let did_client = format!("decentralized_identifier:{did}");
    let unsigned = params(&did_client, "https://verifier.example/cb");
    assert_eq!(
        request_error(wallet.open_request(&link(&unsigned)).await),
        RequestError::SignatureRequired("decentralized_identifier".into())
    );

    // redirect_uri: the answer may only go to the client_id's own URI.
    let elsewhere = params(
        "redirect_uri:https://verifier.example/cb",
        "https://attacker.example/cb",
    );
    assert!(matches!(
        request_error(wallet.open_request(&link(&elsewhere)).await),
        RequestError::ResponseUriMismatch { .. }
    ));

    // redirect_uri: requests must not be signed.
    let redirect = params(
        "redirect_uri:https://verifier.example/cb",
        "https://verifier.example/cb",
    );
    let object = signed(&redirect, &signer).await;
    assert_eq!(
        request_error(
            wallet
                .open_request(&link(&by_value(&redirect["client_id"], object)))
                .await
        ),
        RequestError::MustNotBeSigned
    );

    // The request object names another client than the link.
    let inner = params(&did_client, "https://verifier.example/cb");
    let object = signed(&inner, &signer).await;
    let other = Value::from("decentralized_identifier:did:jwk:other");
    assert!(matches!(
        request_error(
            wallet
                .open_request(&link(&by_value(&other, object.clone())))
                .await
        ),
        RequestError::ClientIdMismatch { .. }
    ));

    // Signed by a key that is not the DID's, under the DID's kid.
    let (_, stranger) = did_signer();
    let stranger = stranger.with_key_id(format!("{did}#0"));
    let forged = signed(&inner, &stranger).await;
    assert!(matches!(
        request_error(
            wallet
                .open_request(&link(&by_value(&inner["client_id"], forged)))
                .await
        ),
        RequestError::BadSignature(_)
    ));

    // The genuine request opens; an unknown prefix does not.
    let request = wallet
        .open_request(&link(&by_value(&inner["client_id"], object)))
        .await
        .unwrap();
    assert!(request.is_authenticated());
    let unknown = params("verifier_attestation:x", "https://verifier.example/cb");
    assert!(matches!(
        request_error(wallet.open_request(&link(&unknown)).await),
        RequestError::UnsupportedClientIdPrefix(_)
    ));
    assert!(
        wallet.history().await.unwrap().is_empty(),
        "nothing was sent"
    );
}

#[tokio::test]
async fn request_uri_on_a_private_address_is_not_fetched() {
    let dir = tempfile::tempdir().unwrap();
    let wallet = new_wallet(&dir).await;
    for target in [
        "https://127.0.0.1/request",
        "https://10.0.0.7/request",
        "https://169.254.169.254/latest/meta-data",
    ] {
        let link = format!(
            "openid4vp://?client_id=decentralized_identifier:did:jwk:x&request_uri={}",
            url::form_urlencoded::byte_serialize(target.as_bytes()).collect::<String>()
        );
        match request_error(wallet.open_request(&link).await) {
            RequestError::RequestUri(RequestUriError::Fetch(HttpError::ForbiddenAddress {
                ..
            })) => {}
            other => panic!("{target}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn wrong_passphrase_and_corrupted_files_are_told_apart_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.sqlite");
    new_wallet(&dir).await.close().await;
    assert!(matches!(
        Wallet::open(&path, b"not the passphrase", config()).await,
        Err(WalletError::WrongPassphrase)
    ));
    assert!(matches!(
        Wallet::create(&path, PASSPHRASE, config()).await,
        Err(WalletError::AlreadyExists(_))
    ));
    assert!(matches!(
        Wallet::open(&dir.path().join("missing.sqlite"), PASSPHRASE, config()).await,
        Err(WalletError::NotFound(_))
    ));
    // The right passphrase still opens it: the wrong attempt changed nothing.
    Wallet::open(&path, PASSPHRASE, config())
        .await
        .unwrap()
        .close()
        .await;

    // A file that is not a wallet at all.
    let garbage = dir.path().join("garbage.sqlite");
    std::fs::write(&garbage, vec![0x5a; 8192]).unwrap();
    assert!(matches!(
        Wallet::open(&garbage, PASSPHRASE, config()).await,
        Err(WalletError::Corrupted(_))
    ));
}

#[tokio::test]
async fn a_tampered_record_is_reported_as_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.sqlite");
    new_wallet(&dir).await.close().await;
    // A record that was not sealed by this wallet's key for this slot.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO wallet_records (kind, id, created_at, sealed) VALUES ('history', 'h1', 1, ?)",
    )
    .bind(vec![7u8; 64])
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let wallet = Wallet::open(&path, PASSPHRASE, config()).await.unwrap();
    match wallet.history().await {
        Err(WalletError::Corrupted(why)) => assert!(why.contains("history record h1"), "{why}"),
        other => panic!("{other:?}"),
    }
    // Credentials are unaffected by a broken history record.
    assert!(wallet.credentials().await.unwrap().is_empty());
}

#[tokio::test]
async fn malformed_requests_are_refused_with_the_parameter_at_fault() {
    use saifu_wallet::present::parse_unsigned_link;
    let client = "redirect_uri:https://verifier.example/cb";
    let good = params(client, "https://verifier.example/cb");
    assert!(parse_unsigned_link(&link(&good)).is_ok());
    let with = |name: &str, value: Value| {
        let mut changed = good.clone();
        changed.insert(name.to_owned(), value);
        link(&changed)
    };
    let without = |name: &str| {
        let mut changed = good.clone();
        changed.remove(name);
        link(&changed)
    };
    assert_eq!(
        parse_unsigned_link(&with("response_type", "code".into())).unwrap_err(),
        RequestError::UnsupportedResponseType("code".into())
    );
    assert_eq!(
        parse_unsigned_link(&with("response_mode", "fragment".into())).unwrap_err(),
        RequestError::UnsupportedResponseMode("fragment".into())
    );
    assert_eq!(
        parse_unsigned_link(&without("nonce")).unwrap_err(),
        RequestError::Parameter("nonce")
    );
    assert_eq!(
        parse_unsigned_link(&with("dcql_query", "{not json".into())).unwrap_err(),
        RequestError::Parameter("dcql_query")
    );
    assert!(matches!(
        parse_unsigned_link(&with("dcql_query", json!({"credentials": []}))).unwrap_err(),
        RequestError::Dcql(_)
    ));
    assert!(matches!(
        parse_unsigned_link("not a link").unwrap_err(),
        RequestError::NotARequest(_)
    ));

    // Signed request objects: the wrong `typ`, and an expired one.
    let dir = tempfile::tempdir().unwrap();
    let wallet = new_wallet(&dir).await;
    let (did, signer) = did_signer();
    let mut claims = params(
        &format!("decentralized_identifier:{did}"),
        "https://verifier.example/cb",
    );
    let header = Map::from_iter([("typ".to_owned(), Value::from("JWT"))]);
    let untyped = jws::sign_compact(&header, &serde_json::to_vec(&claims).unwrap(), &signer)
        .await
        .unwrap();
    assert_eq!(
        request_error(
            wallet
                .open_request(&link(&by_value(&claims["client_id"], untyped)))
                .await
        ),
        RequestError::WrongType(Some("JWT".into()))
    );
    claims.insert("exp".to_owned(), Value::from(1));
    let expired = signed(&claims, &signer).await;
    assert_eq!(
        request_error(
            wallet
                .open_request(&link(&by_value(&claims["client_id"], expired)))
                .await
        ),
        RequestError::Expired
    );
}
