//! The issuer role without HTTP, on a SQLite store: metadata, offers and the refusals that the
//! HTTP tests do not reach.

use saifu_credential::status::token::jwt;
use saifu_credential::status::{self, StatusValue};
use saifu_crypto::{Algorithm, Signer};
use saifu_issuer::{IssuerError, STATUS_LIST_ENTRIES};
use saifu_oid4vc::vci::credential::{CredentialError, CredentialRequest, CredentialTarget, Proofs};
use saifu_oid4vc::vci::offer::TxCode;
use saifu_oid4vc::vci::token::{TokenError, TokenRequest};
use serde_json::{Map, json};

mod support;

use support::{ISSUER_ID, issuer};

fn claims() -> Map<String, serde_json::Value> {
    json!({"address": "1-1 Chiyoda"})
        .as_object()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn metadata_is_valid_openid4vci() {
    let (_dir, issuer) = issuer().await;
    let metadata = issuer.config().issuer_metadata();
    metadata.validate().unwrap();
    let json = serde_json::to_value(&metadata).unwrap();
    let residence = &json["credential_configurations_supported"]["residence"];
    assert_eq!(residence["vct"], "https://issuer.example/residence");
    assert_eq!(
        residence["credential_signing_alg_values_supported"],
        json!(["ES256"])
    );
    assert_eq!(
        residence["cryptographic_binding_methods_supported"],
        json!(["jwk"])
    );
    assert_eq!(json["batch_credential_issuance"]["batch_size"], 2);
    let as_metadata = issuer.config().authorization_server_metadata();
    assert_eq!(as_metadata.issuer, ISSUER_ID);
    assert_eq!(
        as_metadata.pre_authorized_grant_anonymous_access_supported,
        Some(true)
    );
}

#[tokio::test]
async fn offers_name_known_configurations_only() {
    let (_dir, issuer) = issuer().await;
    let unknown = issuer.create_offer(claims(), "passport", None).await;
    assert!(matches!(unknown, Err(IssuerError::UnknownConfiguration(id)) if id == "passport"));
    let tx_code = TxCode {
        length: Some(8),
        ..TxCode::default()
    };
    let created = issuer
        .create_offer(claims(), "residence", Some(tx_code))
        .await
        .unwrap();
    created.offer.validate().unwrap();
    let pin = created.pin.unwrap();
    assert_eq!(pin.len(), 8);
    assert!(pin.bytes().all(|b| b.is_ascii_digit()));
}

#[tokio::test]
async fn token_refusals() {
    let (_dir, issuer) = issuer().await;
    let created = issuer
        .create_offer(claims(), "residence", None)
        .await
        .unwrap();
    let unexpected_pin = TokenRequest::PreAuthorizedCode {
        pre_authorized_code: created.pre_authorized_code.clone(),
        tx_code: Some("1234".into()),
        client_id: None,
    };
    let refused = issuer.token(unexpected_pin).await;
    assert!(matches!(
        refused,
        Err(IssuerError::Token(TokenError::InvalidRequest(_)))
    ));
    let authorization_code = TokenRequest::AuthorizationCode {
        code: "x".into(),
        code_verifier: None,
        redirect_uri: None,
        client_id: None,
    };
    let refused = issuer.token(authorization_code).await;
    assert!(
        matches!(
            &refused,
            Err(IssuerError::Token(TokenError::InvalidRequest(why))) if why.contains("client_id")
        ),
        "an authorization code grant without client_id: {refused:?}"
    );
    // The refusals did not consume the code.
    let redeem = TokenRequest::PreAuthorizedCode {
        pre_authorized_code: created.pre_authorized_code,
        tx_code: None,
        client_id: None,
    };
    assert_eq!(issuer.token(redeem).await.unwrap().token_type, "Bearer");
}

#[tokio::test]
async fn credential_requests_need_bounded_proofs() {
    let (_dir, issuer) = issuer().await;
    let created = issuer
        .create_offer(claims(), "residence", None)
        .await
        .unwrap();
    let token = issuer
        .token(TokenRequest::PreAuthorizedCode {
            pre_authorized_code: created.pre_authorized_code,
            tx_code: None,
            client_id: None,
        })
        .await
        .unwrap()
        .access_token;
    let request = |proofs| CredentialRequest {
        target: CredentialTarget::CredentialConfigurationId("residence".into()),
        proofs,
        credential_response_encryption: None,
    };
    let refused = issuer.credential(&token, &request(None)).await;
    assert!(matches!(
        refused,
        Err(IssuerError::Credential(CredentialError::InvalidProof(_)))
    ));
    let three = Proofs::Jwt(vec!["a".into(), "b".into(), "c".into()]);
    let refused = issuer.credential(&token, &request(Some(three))).await;
    assert!(matches!(
        refused,
        Err(IssuerError::Credential(
            CredentialError::InvalidCredentialRequest(_)
        ))
    ));
    let refused = issuer.credential("unknown", &request(None)).await;
    assert!(matches!(refused, Err(IssuerError::InvalidToken)));
}

#[tokio::test]
async fn status_list_token_is_signed_and_large() {
    let (_dir, issuer) = issuer().await;
    let token = issuer.status_list_token(0).await.unwrap().unwrap();
    let uri = "https://issuer.example/status/1";
    let algorithms = [Algorithm::ES256];
    let key = issuer.config().signer.public_key();
    let verified = jwt::verify(
        &token,
        key,
        &status::VerifyOptions::new(uri, i64::MAX / 4, &algorithms),
    );
    assert!(verified.is_err(), "the clock matters");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let list = jwt::verify(
        &token,
        key,
        &status::VerifyOptions::new(uri, now, &algorithms),
    )
    .unwrap();
    assert_eq!(list.status_list.len(), STATUS_LIST_ENTRIES);
    assert_eq!(list.ttl, Some(300));
    assert_eq!(list.status_list.get(0).unwrap(), StatusValue::Valid);
}
