//! Our issuer → our wallet → our verifier, over real HTTP on loopback: the pre-authorized flow
//! with a PIN and the authorization code flow with PKCE and the issuer's login page; then
//! presentations with minimal disclosure to two verifiers that cannot link the holder, status
//! refresh after revocation, history, and backup/restore.

#[path = "support/node.rs"]
mod support;

use reqwest::{Method, StatusCode};
use saifu_wallet::present::{Approval, ClientIdPrefix, RequestError};
use saifu_wallet::{KdfParams, Wallet, WalletConfig, WalletError};
use serde_json::{Value, json};
use support::Node;

const DIPLOMA: &str = "https://saifu.dev/vct/diploma";
const PASSPHRASE: &[u8] = b"a long wallet passphrase";
const LOGIN_PASSWORD: &str = "correct horse battery";

/// A development wallet (http and loopback allowed) with a cheap KDF, in `dir`.
async fn wallet(dir: &tempfile::TempDir) -> Wallet {
    Wallet::create(&dir.path().join("wallet.sqlite"), PASSPHRASE, config())
        .await
        .unwrap()
}

fn config() -> WalletConfig {
    WalletConfig {
        kdf: KdfParams {
            m_cost: 8 * 1024,
            t_cost: 1,
            p_cost: 1,
        },
        ..WalletConfig::development()
    }
}

async fn hanako(node: &Node) {
    let body = json!({"id": "hanako", "password": LOGIN_PASSWORD,
        "claims": {"given_name": "Hanako", "family_name": "Yamada", "university": "Saifu University",
                   "degree": "BSc Computer Science", "graduation_date": "2026-03-20"}});
    let (status, answer) = node
        .admin(Method::POST, "/admin/subjects", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

/// An offer of a diploma for hanako: `options` go into the admin API body.
async fn offer(node: &Node, options: Value) -> Value {
    let mut body = json!({"subject": "hanako", "credential_configuration_id": "diploma"});
    body.as_object_mut()
        .unwrap()
        .extend(options.as_object().unwrap().clone());
    let (status, created) = node.admin(Method::POST, "/admin/offers", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

/// A diploma for hanako received by `wallet` (pre-authorized, no PIN); its wallet id.
async fn received(node: &Node, wallet: &Wallet) -> String {
    let created = offer(node, json!({})).await;
    let preview = wallet
        .preview_offer(created["link"].as_str().unwrap())
        .await
        .unwrap();
    let received = wallet.accept_offer(&preview, None).await.unwrap();
    received.credentials[0].id.clone()
}

/// A presentation request for the diploma's degree and given name, with `prefix`.
async fn request(node: &Node, prefix: &str, response_mode: &str) -> Value {
    let query = json!({"credentials": [{"id": "diploma", "format": "dc+sd-jwt",
        "meta": {"vct_values": [DIPLOMA]},
        "claims": [{"path": ["degree"]}, {"path": ["given_name"]}]}]});
    let body =
        json!({"dcql_query": query, "client_id_prefix": prefix, "response_mode": response_mode});
    let (status, created) = node
        .admin(Method::POST, "/admin/presentations", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

async fn result(node: &Node, id: &str) -> Value {
    let (status, result) = node
        .admin(Method::GET, &format!("/admin/presentations/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    result
}

/// Presents the diploma to the request `created` with the minimal approval; the verifier's
/// verified credential.
async fn present(wallet: &Wallet, node: &Node, created: &Value) -> Value {
    let request = wallet
        .open_request(created["link"].as_str().unwrap())
        .await
        .unwrap();
    let view = wallet.consent(&request).await.unwrap();
    assert!(view.satisfiable);
    wallet
        .respond(&request, &view, &Approval::minimal(&view))
        .await
        .unwrap();
    let result = result(node, created["id"].as_str().unwrap()).await;
    assert_eq!(result["status"], "verified", "{result}");
    result["report"]["credentials"]["diploma"][0].clone()
}

#[tokio::test]
async fn pre_authorized_with_pin_then_minimal_unlinkable_presentations() {
    let node = Node::start().await;
    hanako(&node).await;
    let dir = tempfile::tempdir().unwrap();
    let wallet = wallet(&dir).await;

    let created = offer(&node, json!({"tx_code": true, "by_reference": true})).await;
    let preview = wallet
        .preview_offer(created["link"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(preview.credentials[0].name, "University Diploma");
    assert!(preview.pin.is_some(), "the offer asks for a PIN");

    // No PIN, then a wrong PIN: refused, nothing stored.
    let error = wallet.accept_offer(&preview, None).await.unwrap_err();
    assert!(matches!(error, WalletError::PinRequired(_)), "{error}");
    let error = wallet
        .accept_offer(&preview, Some("000000"))
        .await
        .unwrap_err();
    assert!(matches!(error, WalletError::WrongPin(_)), "{error}");
    assert!(wallet.credentials().await.unwrap().is_empty());

    let pin = created["tx_code"].as_str().unwrap();
    let received = wallet.accept_offer(&preview, Some(pin)).await.unwrap();
    let credential = &received.credentials[0];
    assert_eq!(
        credential.copies.len(),
        3,
        "a batch of copies, one per verifier"
    );
    assert_eq!(credential.claims["degree"], "BSc Computer Science");
    assert_eq!(credential.display.name, "University Diploma");

    // Two verifiers: one signed (DID), one by redirect_uri; both verify.
    let employer = request(&node, "decentralized_identifier", "direct_post").await;
    let shop = request(&node, "redirect_uri", "direct_post.jwt").await;
    let at_employer = present(&wallet, &node, &employer).await;
    let at_shop = present(&wallet, &node, &shop).await;
    for seen in [&at_employer, &at_shop] {
        assert_eq!(seen["claims"]["degree"], "BSc Computer Science");
        assert_eq!(seen["claims"]["given_name"], "Hanako");
        for never_asked in ["family_name", "university", "graduation_date"] {
            assert!(
                seen["claims"].get(never_asked).is_none(),
                "{never_asked} was disclosed"
            );
        }
    }
    assert_ne!(
        at_employer["holder_key_thumbprint"], at_shop["holder_key_thumbprint"],
        "two verifiers never see the same holder key"
    );

    // The two copies shown share no holder key, issuer signature or disclosure salt.
    let stored = wallet.credential(&credential.id).await.unwrap();
    let shown: Vec<_> = stored
        .copies
        .iter()
        .filter(|c| c.shown_to.is_some())
        .collect();
    assert_eq!(shown.len(), 2);
    let parts = |sd_jwt: &str| -> Vec<String> { sd_jwt.split('~').map(str::to_owned).collect() };
    let (a, b) = (parts(&shown[0].credential), parts(&shown[1].credential));
    let signature = |jwt: &str| jwt.rsplit('.').next().unwrap().to_owned();
    assert_ne!(signature(&a[0]), signature(&b[0]));
    let salts = |disclosures: &[String]| -> Vec<String> {
        disclosures
            .iter()
            .filter(|d| !d.is_empty())
            .map(|d| {
                let raw = base64_decode(d);
                let value: Value = serde_json::from_slice(&raw).unwrap();
                value[0].as_str().unwrap().to_owned()
            })
            .collect()
    };
    let (salts_a, salts_b) = (salts(&a[1..]), salts(&b[1..]));
    assert!(salts_a.iter().all(|s| !salts_b.contains(s)));

    // The same verifier again gets the copy it already saw; history has both.
    let again = request(&node, "decentralized_identifier", "direct_post").await;
    let seen_again = present(&wallet, &node, &again).await;
    assert_eq!(
        seen_again["holder_key_thumbprint"],
        at_employer["holder_key_thumbprint"]
    );
    let history = wallet.history().await.unwrap();
    assert_eq!(history.len(), 3);
    assert!(history.iter().all(|h| h.outcome == "sent"));
    assert_eq!(history[0].shared[0].claims, ["/degree", "/given_name"]);
}

#[tokio::test]
async fn authorization_code_with_pkce_and_login() {
    let node = Node::start().await;
    hanako(&node).await;
    let dir = tempfile::tempdir().unwrap();
    let wallet = wallet(&dir).await;
    let created = offer(&node, json!({"authorization_code": true})).await;
    let preview = wallet
        .preview_offer(created["link"].as_str().unwrap())
        .await
        .unwrap();
    let grants = preview.offer.grants.as_ref().unwrap();
    assert!(grants.authorization_code.is_some());
    let redirect_uri = "http://127.0.0.1:9/callback";
    let start = wallet
        .begin_authorization(&preview, redirect_uri)
        .await
        .unwrap();

    // The holder's browser: the login page, then the login form.
    let page = node
        .http
        .get(&start.authorization_url)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let request_uri = url::Url::parse(&start.authorization_url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "request_uri")
        .unwrap()
        .1
        .into_owned();
    let login = node
        .http
        .post(node.url("/authorize/login"))
        .form(&[
            ("request_uri", request_uri.as_str()),
            ("subject", "hanako"),
            ("password", LOGIN_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let location = login.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(redirect_uri), "{location}");

    // A tampered state is refused and the code stays unused.
    let forged = location.replace("state=", "state=x");
    assert!(matches!(
        wallet.complete_authorization(&start, &forged).await,
        Err(WalletError::Malformed(_))
    ));
    let received = wallet
        .complete_authorization(&start, &location)
        .await
        .unwrap();
    assert_eq!(received.credentials[0].claims["given_name"], "Hanako");

    let employer = request(&node, "decentralized_identifier", "direct_post").await;
    let seen = present(&wallet, &node, &employer).await;
    assert_eq!(seen["claims"]["degree"], "BSc Computer Science");
}

#[tokio::test]
async fn revocation_shows_on_refresh_and_backup_restores_everything() {
    let node = Node::start().await;
    hanako(&node).await;
    let dir = tempfile::tempdir().unwrap();
    let wallet = wallet(&dir).await;
    let id = received(&node, &wallet).await;
    let refreshed = wallet.refresh_status().await.unwrap();
    assert_eq!(refreshed[0].status.as_str(), "valid");

    // The issuer revokes every copy it recorded for hanako.
    let (_, listed) = node.admin(Method::GET, "/admin/credentials", None).await;
    for record in listed["credentials"].as_array().unwrap() {
        let index = record["status_index"].as_i64().unwrap();
        let (status, answer) = node
            .admin(
                Method::POST,
                &format!("/admin/credentials/{index}/revoke"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let refreshed = wallet.refresh_status().await.unwrap();
    assert_eq!(refreshed[0].status.as_str(), "revoked");
    // A revoked credential is not offered to verifiers.
    let employer = request(&node, "decentralized_identifier", "direct_post").await;
    let request = wallet
        .open_request(employer["link"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(request.prefix, ClientIdPrefix::DecentralizedIdentifier);
    let view = wallet.consent(&request).await.unwrap();
    assert!(!view.satisfiable);

    // Backup under another passphrase, restore into a new file: the same credentials.
    let backup = dir.path().join("wallet.backup");
    assert!(wallet.backup(&backup, b"backup passphrase").await.unwrap() >= 1);
    let restored_path = dir.path().join("restored.sqlite");
    let wrong = Wallet::restore(&backup, b"not it", &restored_path, PASSPHRASE, config()).await;
    assert!(matches!(wrong, Err(WalletError::WrongPassphrase)));
    assert!(!restored_path.exists(), "a failed restore creates nothing");
    let restored = Wallet::restore(
        &backup,
        b"backup passphrase",
        &restored_path,
        PASSPHRASE,
        config(),
    )
    .await
    .unwrap();
    assert_eq!(
        restored.credential(&id).await.unwrap(),
        wallet.credential(&id).await.unwrap()
    );
}

#[tokio::test]
async fn nothing_is_sent_without_approval_and_every_asked_claim_is_shown() {
    let node = Node::start().await;
    hanako(&node).await;
    let dir = tempfile::tempdir().unwrap();
    let wallet = wallet(&dir).await;
    received(&node, &wallet).await;

    // A verifier asking for more than a hiring check needs.
    let query = json!({"credentials": [{"id": "diploma", "format": "dc+sd-jwt",
        "meta": {"vct_values": [DIPLOMA]},
        "claims": [{"path": ["degree"]}, {"path": ["family_name"]}, {"path": ["graduation_date"]}]}]});
    let body = json!({"dcql_query": query, "client_id_prefix": "decentralized_identifier"});
    let (_, created) = node
        .admin(Method::POST, "/admin/presentations", Some(body))
        .await;
    let id = created["id"].as_str().unwrap();
    let request = wallet
        .open_request(created["link"].as_str().unwrap())
        .await
        .unwrap();
    let view = wallet.consent(&request).await.unwrap();
    let shown: Vec<_> = view.queries[0].options[0]
        .claims
        .iter()
        .map(|c| (c.path.as_str(), c.label.as_str()))
        .collect();
    assert_eq!(
        shown,
        [
            ("/degree", "Degree"),
            ("/family_name", "Family name"),
            ("/graduation_date", "Graduation date")
        ]
    );

    // Switching a required claim off is refused before anything is sent.
    let mut approval = Approval::minimal(&view);
    approval.choices[0].withheld = vec!["/family_name".into()];
    assert!(matches!(
        wallet.respond(&request, &view, &approval).await,
        Err(WalletError::RequiredClaimWithheld { .. })
    ));
    // An empty approval does not answer a required query.
    assert!(matches!(
        wallet.respond(&request, &view, &Approval::default()).await,
        Err(WalletError::CannotSatisfy(_))
    ));
    assert_eq!(result(&node, id).await["status"], "pending");
    assert!(wallet.history().await.unwrap().is_empty());

    // Declining tells the verifier and is remembered; nothing was disclosed.
    let entry = wallet.decline(&request).await.unwrap();
    assert_eq!(entry.outcome, "declined");
    assert!(entry.shared.is_empty());
    assert_ne!(result(&node, id).await["status"], "verified");
}

#[tokio::test]
async fn a_deferred_issuance_is_collected_once_the_registrar_approves() {
    let node = Node::start().await;
    hanako(&node).await;
    let dir = tempfile::tempdir().unwrap();
    let wallet = wallet(&dir).await;
    let created = offer(&node, json!({"deferred": true})).await;
    let preview = wallet
        .preview_offer(created["link"].as_str().unwrap())
        .await
        .unwrap();
    let received = wallet.accept_offer(&preview, None).await.unwrap();
    assert!(received.credentials.is_empty());
    let pending = &received.pending[0];
    assert_eq!(wallet.pending().await.unwrap().len(), 1);
    // Still waiting: nothing changes.
    assert!(
        wallet
            .collect_deferred(&pending.id)
            .await
            .unwrap()
            .is_none()
    );

    let (_, listed) = node.admin(Method::GET, "/admin/deferred", None).await;
    let id = listed["pending"][0]["id"].as_str().unwrap();
    let (status, _) = node
        .admin(Method::POST, &format!("/admin/deferred/{id}/approve"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let credential = wallet
        .collect_deferred(&pending.id)
        .await
        .unwrap()
        .expect("issued once approved");
    assert_eq!(credential.claims["degree"], "BSc Computer Science");
    assert!(wallet.pending().await.unwrap().is_empty());
    assert!(matches!(
        wallet.collect_deferred(&pending.id).await,
        Err(WalletError::UnknownCredential(_))
    ));
}

#[tokio::test]
async fn x509_san_dns_verifiers_must_chain_to_a_trusted_ca() {
    let node = Node::start().await;
    hanako(&node).await;
    let dir = tempfile::tempdir().unwrap();
    let wallet = wallet(&dir).await;
    received(&node, &wallet).await;
    let created = request(&node, "x509_san_dns", "direct_post").await;
    let link = created["link"].as_str().unwrap();

    // A wallet that trusts no CA refuses the request: nothing is disclosed.
    match wallet.open_request(link).await {
        Err(WalletError::Request(RequestError::UntrustedCertificate(_))) => {}
        other => panic!("{other:?}"),
    }
    assert!(wallet.history().await.unwrap().is_empty());

    // The node's development CA, distributed to the wallet out of band (here: read from the
    // chain the node sends), makes the same request acceptable.
    let object = node
        .http
        .get(created["request_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let header: Value =
        serde_json::from_slice(&base64_decode(object.split('.').next().unwrap())).unwrap();
    let ca = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(header["x5c"][1].as_str().unwrap())
            .unwrap()
    };
    wallet.close().await;
    let trusting = WalletConfig {
        x509_trust_anchors: vec![ca],
        ..config()
    };
    let wallet = Wallet::open(&dir.path().join("wallet.sqlite"), PASSPHRASE, trusting)
        .await
        .unwrap();
    let request = wallet.open_request(link).await.unwrap();
    assert_eq!(request.prefix, ClientIdPrefix::X509SanDns);
    let seen = present(&wallet, &node, &created).await;
    assert_eq!(seen["claims"]["degree"], "BSc Computer Science");
}

/// The web wallet's authorization code flow over HTTP: the issuer's login sends the browser
/// back to `/wallet/receive/callback`, which redeems the code for the session that started it.
#[tokio::test]
async fn the_web_wallet_receives_through_the_issuers_login() {
    let node = Node::start().await;
    hanako(&node).await;
    // Only the login grant: a wallet given both takes the pre-authorized code.
    let created = offer(&node, json!({"authorization_code": true})).await;
    let mut login_only = created["credential_offer"].clone();
    login_only["grants"]
        .as_object_mut()
        .unwrap()
        .remove("urn:ietf:params:oauth:grant-type:pre-authorized_code");
    let link = format!(
        "openid-credential-offer://?credential_offer={}",
        url::form_urlencoded::byte_serialize(login_only.to_string().as_bytes()).collect::<String>()
    );
    let location =
        |response: &reqwest::Response| response.headers()["location"].to_str().unwrap().to_owned();

    let opened = node
        .http
        .post(node.url("/wallet/open"))
        .form(&[
            ("name", "hanako"),
            ("passphrase", "web wallet passphrase"),
            ("action", "create"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let cookie = opened.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let post = |path: &str, form: Vec<(&str, String)>| {
        node.http
            .post(node.url(path))
            .header("cookie", &cookie)
            .form(&form)
    };
    let page = post("/wallet/receive", vec![("link", link)])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let to_issuer = post("/wallet/receive/accept", Vec::new())
        .send()
        .await
        .unwrap();
    assert_eq!(to_issuer.status(), StatusCode::SEE_OTHER);
    let authorization = url::Url::parse(&location(&to_issuer)).unwrap();
    let request_uri = authorization
        .query_pairs()
        .find(|(k, _)| k == "request_uri")
        .unwrap()
        .1
        .into_owned();
    let login = node
        .http
        .post(node.url("/authorize/login"))
        .form(&[
            ("request_uri", request_uri.as_str()),
            ("subject", "hanako"),
            ("password", LOGIN_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let back = location(&login);
    assert!(
        back.starts_with(&node.url("/wallet/receive/callback?")),
        "{back}"
    );
    let done = node
        .http
        .get(&back)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert!(
        done.text()
            .await
            .unwrap()
            .contains("Added University Diploma.")
    );
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}
