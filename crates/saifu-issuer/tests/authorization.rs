//! The authorization code flow without HTTP, on a SQLite store: what a pushed authorization
//! request may ask for, `issuer_state` binding, login attempts, and the code exchange rules.
//! Each refusal asserts its error and shows the state it could have spent is intact.

use saifu_crypto::{KeyType, LocalSigner, PrivateKey};
use saifu_issuer::{
    AuthorizationError, ClaimConfig, CredentialConfig, Issuer, IssuerConfig, IssuerError,
};
use saifu_oid4vc::oauth::form;
use saifu_oid4vc::oauth::pkce;
use saifu_oid4vc::vci::token::{TokenError, TokenRequest, TokenResponse};
use saifu_store::Store;
use serde_json::json;

const ISSUER_ID: &str = "https://issuer.example";
const CLIENT: &str = "wallet";
const REDIRECT: &str = "https://wallet.example/cb";
const PASSWORD: &str = "alice's password";

fn credential(id: &str) -> CredentialConfig {
    CredentialConfig {
        id: id.into(),
        vct: format!("{ISSUER_ID}/{id}"),
        scope: format!("{id}_scope"),
        display_name: id.to_uppercase(),
        claims: vec![ClaimConfig {
            name: "given_name".into(),
            display_name: "Given name".into(),
            selectively_disclosable: true,
        }],
        validity: 60,
        holder_binding: true,
        w3c: None,
    }
}

/// An issuer with two configurations and two subjects who may log in, alice and bob.
async fn issuer() -> (tempfile::TempDir, Issuer<Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in_dir(dir.path()).await.unwrap();
    let signer = LocalSigner::new(PrivateKey::generate(KeyType::P256).unwrap()).unwrap();
    let config = IssuerConfig {
        issuer_id: ISSUER_ID.into(),
        signer: signer.with_key_id("k1"),
        display_name: "Example City Hall".into(),
        credentials: vec![credential("residence"), credential("diploma")],
        offer_ttl: 60,
        token_ttl: 60,
        tx_code_attempts: 3,
        batch_size: 1,
        status_list_size: saifu_issuer::STATUS_LIST_ENTRIES,
    };
    let issuer = Issuer::new(config, store);
    for (id, password) in [("alice", PASSWORD), ("bob", "bob's password")] {
        let claims = json!({"given_name": id}).as_object().unwrap().clone();
        issuer
            .put_subject(id, claims, Some(password))
            .await
            .unwrap();
    }
    (dir, issuer)
}

/// A PKCE verifier and the PAR body asking with `extra` (which may replace any default).
fn par_body(extra: &[(&str, &str)]) -> (String, String) {
    let verifier = pkce::generate_verifier();
    let challenge = pkce::challenge(&verifier).unwrap();
    let defaults = [
        ("client_id", CLIENT),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let pairs = defaults
        .into_iter()
        .filter(|(name, _)| !extra.iter().any(|(k, _)| k == name))
        .chain(extra.iter().copied())
        .filter(|(_, value)| !value.is_empty())
        .map(|(k, v)| (k, Some(v)));
    (form::encode(pairs), verifier)
}

/// Pushes a request; its request_uri and verifier.
async fn push(issuer: &Issuer<Store>, extra: &[(&str, &str)]) -> (String, String) {
    let (body, verifier) = par_body(extra);
    let pushed = issuer.push_authorization_request(&body).await.unwrap();
    (pushed.request_uri, verifier)
}

fn authorization_error(result: Result<impl std::fmt::Debug, IssuerError>) -> AuthorizationError {
    match result {
        Err(IssuerError::Authorization(e)) => e,
        other => panic!("expected an authorization error, got {other:?}"),
    }
}

fn token_error(result: Result<TokenResponse, IssuerError>) -> TokenError {
    match result {
        Err(IssuerError::Token(e)) => e,
        other => panic!("expected a token error, got {other:?}"),
    }
}

/// Logs in as alice; the code from the redirect parameters.
async fn code(issuer: &Issuer<Store>, request_uri: &str) -> String {
    let response = issuer.login(request_uri, "alice", PASSWORD).await.unwrap();
    assert_eq!(response.redirect_uri, REDIRECT);
    let (name, code) = &response.params[0];
    assert_eq!(*name, "code");
    code.clone()
}

fn exchange(code: &str, verifier: &str, redirect: &str, client: &str) -> TokenRequest {
    TokenRequest::AuthorizationCode {
        code: code.into(),
        code_verifier: Some(verifier.into()).filter(|v: &String| !v.is_empty()),
        redirect_uri: Some(redirect.into()).filter(|v: &String| !v.is_empty()),
        client_id: Some(client.into()).filter(|v: &String| !v.is_empty()),
    }
}

#[tokio::test]
async fn pushed_requests_are_checked_completely_and_refusals_spend_nothing() {
    let (_dir, issuer) = issuer().await;
    let offer = issuer
        .create_subject_offer("alice", "residence", None, true)
        .await
        .unwrap();
    let grant = offer.offer.grants.unwrap().authorization_code.unwrap();
    let state = grant.issuer_state.unwrap();
    let state = state.as_str();
    let details = |body: &str| format!("[{body}]");
    let wrong_type = details(r#"{"type":"other","credential_configuration_id":"residence"}"#);
    let unknown = details(r#"{"type":"openid_credential","credential_configuration_id":"x"}"#);
    let with_format = details(
        r#"{"type":"openid_credential","credential_configuration_id":"residence","format":"dc+sd-jwt"}"#,
    );
    let elsewhere = details(
        r#"{"type":"openid_credential","credential_configuration_id":"residence","locations":["https://other.example"]}"#,
    );
    let diploma =
        details(r#"{"type":"openid_credential","credential_configuration_id":"diploma"}"#);
    let short = "A".repeat(42);
    let long = "x".repeat(513);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("code_challenge_method", "")], "invalid_request"),
        (vec![("code_challenge", "")], "invalid_request"),
        (vec![("code_challenge", &short)], "invalid_request"),
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (vec![("redirect_uri", "")], "invalid_request"),
        (
            vec![("redirect_uri", "http://wallet.example/cb")],
            "invalid_request",
        ),
        (
            vec![("redirect_uri", "https://wallet.example/cb#x")],
            "invalid_request",
        ),
        (vec![("request_uri", "urn:x")], "invalid_request"),
        (vec![("client_id", &long)], "invalid_request"),
        (vec![("state", &long)], "invalid_request"),
        (vec![("scope", "unknown_scope")], "invalid_scope"),
        (
            vec![("scope", "residence_scope unknown_scope")],
            "invalid_scope",
        ),
        (vec![], "invalid_scope"),
        (
            vec![("authorization_details", "{}")],
            "invalid_authorization_details",
        ),
        (
            vec![("authorization_details", "[]")],
            "invalid_authorization_details",
        ),
        (
            vec![("authorization_details", &wrong_type)],
            "invalid_authorization_details",
        ),
        (
            vec![("authorization_details", &unknown)],
            "invalid_authorization_details",
        ),
        (
            vec![("authorization_details", &with_format)],
            "invalid_authorization_details",
        ),
        (
            vec![("authorization_details", &elsewhere)],
            "invalid_authorization_details",
        ),
        (
            vec![("scope", "residence_scope diploma_scope")],
            "invalid_request",
        ),
        (
            vec![
                ("scope", "residence_scope"),
                ("authorization_details", &diploma),
            ],
            "invalid_request",
        ),
        (vec![("scope", "diploma_scope")], "invalid_request"),
        (vec![("issuer_state", "unknown")], "invalid_request"),
    ];
    for (extra, expected) in cases {
        let mut extra = extra;
        if !extra.iter().any(|(k, _)| *k == "issuer_state") {
            extra.push(("issuer_state", state));
        }
        if !extra
            .iter()
            .any(|(k, _)| *k == "scope" || *k == "authorization_details")
            && expected != "invalid_scope"
        {
            extra.push(("scope", "residence_scope"));
        }
        let (body, _) = par_body(&extra);
        let error = authorization_error(issuer.push_authorization_request(&body).await);
        assert_eq!(error.code(), expected, "{extra:?}: {error}");
        assert_eq!(error.status(), 400);
    }
    // None of the refusals spent the issuer_state: it opens exactly one request now.
    let (request_uri, _) = push(
        &issuer,
        &[("scope", "residence_scope"), ("issuer_state", state)],
    )
    .await;
    let pending = issuer
        .pending_authorization(CLIENT, &request_uri)
        .await
        .unwrap();
    assert_eq!(pending.config_id, "residence");
    assert_eq!(pending.credential_name, "RESIDENCE");
    assert_eq!(pending.attempts_left, 5);
    let (body, _) = par_body(&[("scope", "residence_scope"), ("issuer_state", state)]);
    let error = authorization_error(issuer.push_authorization_request(&body).await);
    assert_eq!(
        error,
        AuthorizationError::InvalidRequest("issuer_state is unknown, expired or used".into())
    );
}

#[tokio::test]
async fn an_issuer_state_for_a_subject_admits_only_that_subject() {
    let (_dir, issuer) = issuer().await;
    let offer = issuer
        .create_subject_offer("alice", "residence", None, true)
        .await
        .unwrap();
    let state = offer
        .offer
        .grants
        .unwrap()
        .authorization_code
        .unwrap()
        .issuer_state
        .unwrap();
    let (request_uri, _) = push(
        &issuer,
        &[
            ("scope", "residence_scope"),
            ("issuer_state", &state),
            ("state", "s1"),
        ],
    )
    .await;
    let response = issuer
        .login(&request_uri, "bob", "bob's password")
        .await
        .unwrap();
    assert_eq!(
        response.params,
        vec![
            ("error", "access_denied".to_owned()),
            ("state", "s1".to_owned()),
            ("iss", ISSUER_ID.to_owned())
        ]
    );
    // The denial ended the request.
    let error = authorization_error(issuer.login(&request_uri, "alice", PASSWORD).await);
    assert_eq!(error.code(), "invalid_request_uri");
}

#[tokio::test]
async fn logins_are_limited_per_request() {
    let (_dir, issuer) = issuer().await;
    let (request_uri, _) = push(&issuer, &[("scope", "diploma_scope")]).await;
    let other = authorization_error(issuer.pending_authorization("other", &request_uri).await);
    assert_eq!(other.code(), "invalid_request_uri");
    for left in (0..5).rev() {
        let error = authorization_error(issuer.login(&request_uri, "alice", "wrong").await);
        assert_eq!((error.code(), error.status()), ("access_denied", 401));
        let AuthorizationError::LoginFailed(pending) = error else {
            unreachable!()
        };
        assert_eq!(pending.attempts_left, left);
    }
    for result in [
        issuer
            .login(&request_uri, "alice", PASSWORD)
            .await
            .map(drop),
        issuer
            .pending_authorization(CLIENT, &request_uri)
            .await
            .map(drop),
    ] {
        assert_eq!(authorization_error(result).code(), "invalid_request_uri");
    }
    let unknown = issuer
        .login(
            "urn:ietf:params:oauth:request_uri:nothing",
            "alice",
            PASSWORD,
        )
        .await;
    assert_eq!(authorization_error(unknown).code(), "invalid_request_uri");
    let not_a_request_uri = issuer.login("nothing", "alice", PASSWORD).await;
    assert_eq!(
        authorization_error(not_a_request_uri).code(),
        "invalid_request_uri"
    );
}

#[tokio::test]
async fn codes_are_bound_to_client_redirect_and_verifier_and_used_once() {
    let (_dir, issuer) = issuer().await;
    let (request_uri, verifier) = push(&issuer, &[("scope", "diploma_scope")]).await;
    let code = code(&issuer, &request_uri).await;
    let refusals = [
        (
            exchange(&code, &pkce::generate_verifier(), REDIRECT, CLIENT),
            "invalid_grant",
        ),
        (
            exchange(&code, "short", REDIRECT, CLIENT),
            "invalid_request",
        ),
        (
            exchange(&code, &verifier, "https://wallet.example/x", CLIENT),
            "invalid_grant",
        ),
        (
            exchange(&code, &verifier, REDIRECT, "other"),
            "invalid_grant",
        ),
        (exchange(&code, "", REDIRECT, CLIENT), "invalid_request"),
        (exchange(&code, &verifier, "", CLIENT), "invalid_request"),
        (exchange(&code, &verifier, REDIRECT, ""), "invalid_request"),
        (
            exchange("unknown", &verifier, REDIRECT, CLIENT),
            "invalid_grant",
        ),
        (
            exchange(&request_uri, &verifier, REDIRECT, CLIENT),
            "invalid_grant",
        ),
    ];
    for (request, expected) in refusals {
        let error = token_error(issuer.token(request.clone()).await);
        assert_eq!(error.code(), expected, "{request:?}: {error}");
    }
    // A code is not a request_uri either.
    let as_request = format!("urn:ietf:params:oauth:request_uri:{code}");
    let error = authorization_error(issuer.pending_authorization(CLIENT, &as_request).await);
    assert_eq!(error.code(), "invalid_request_uri");
    // The code survived every refusal; it works once.
    let response = issuer
        .token(exchange(&code, &verifier, REDIRECT, CLIENT))
        .await
        .unwrap();
    assert_eq!(response.token_type, "Bearer");
    assert_eq!(response.authorization_details, None);
    let error = token_error(
        issuer
            .token(exchange(&code, &verifier, REDIRECT, CLIENT))
            .await,
    );
    assert_eq!(error.code(), "invalid_grant");
}

#[tokio::test]
async fn a_code_of_a_removed_subject_is_refused_and_kept() {
    let (_dir, issuer) = issuer().await;
    let (request_uri, verifier) = push(&issuer, &[("scope", "diploma_scope")]).await;
    let code = code(&issuer, &request_uri).await;
    let claims = issuer.subject("alice").await.unwrap();
    issuer.remove_subject("alice").await.unwrap();
    let error = token_error(
        issuer
            .token(exchange(&code, &verifier, REDIRECT, CLIENT))
            .await,
    );
    assert_eq!(
        error,
        TokenError::InvalidGrant("the subject no longer exists".into())
    );
    let claims = serde_json::from_str(&claims.claims).unwrap();
    issuer.put_subject("alice", claims, None).await.unwrap();
    let response = issuer
        .token(exchange(&code, &verifier, REDIRECT, CLIENT))
        .await;
    assert!(response.is_ok(), "{response:?}");
}

#[tokio::test]
async fn authorization_details_are_answered_with_authorization_details() {
    let (_dir, issuer) = issuer().await;
    let details = json!([{
        "type": "openid_credential",
        "credential_configuration_id": "diploma",
        "locations": [ISSUER_ID],
    }])
    .to_string();
    let (request_uri, verifier) = push(&issuer, &[("authorization_details", &details)]).await;
    let code = code(&issuer, &request_uri).await;
    let response = issuer
        .token(exchange(&code, &verifier, REDIRECT, CLIENT))
        .await
        .unwrap();
    let granted = serde_json::to_value(response.authorization_details).unwrap();
    assert_eq!(
        granted,
        json!([{
            "type": "openid_credential",
            "credential_configuration_id": "diploma",
            "credential_identifiers": ["diploma"],
        }])
    );
}

#[tokio::test]
async fn metadata_advertises_par_pkce_and_iss() {
    let (_dir, issuer) = issuer().await;
    let metadata = issuer.config().authorization_server_metadata();
    assert_eq!(
        metadata.authorization_endpoint.as_deref(),
        Some("https://issuer.example/authorize")
    );
    assert_eq!(
        metadata.pushed_authorization_request_endpoint.as_deref(),
        Some("https://issuer.example/par")
    );
    assert_eq!(metadata.require_pushed_authorization_requests, Some(true));
    assert!(metadata.supports_s256());
    assert_eq!(
        metadata.code_challenge_methods_supported,
        Some(vec!["S256".into()])
    );
    assert_eq!(
        metadata.authorization_response_iss_parameter_supported,
        Some(true)
    );
    assert_eq!(metadata.response_types_supported, Some(vec!["code".into()]));
}
