//! Credential, Nonce, Deferred and Notification Endpoint messages (OpenID4VCI 1.0 §7–§9, §11).

use saifu_oid4vc::vci::credential::{
    CredentialError, CredentialRequest, CredentialRequestError, CredentialResponse,
    CredentialResponseError, CredentialTarget, DeferredCredentialRequest, NonceResponse,
    NotificationError, NotificationEvent, NotificationRequest, Proofs,
};
use serde_json::{Value, json};

const PROOF: &str =
    "eyJ0eXAiOiJvcGVuaWQ0dmNpLXByb29mK2p3dCJ9.eyJhdWQiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIn0.c2ln";

fn request(body: Value) -> Result<CredentialRequest, CredentialRequestError> {
    CredentialRequest::parse(&body.to_string())
}

#[test]
fn spec_requests_parse_and_round_trip() {
    // Reconstructed from the §8.2 examples (identifier with jwt proofs; configuration id with
    // response encryption).
    let by_identifier = json!({
      "credential_identifier": "CivilEngineeringDegree-2023",
      "proofs": {"jwt": [PROOF]}
    });
    let parsed = request(by_identifier.clone()).unwrap();
    assert_eq!(
        parsed.target,
        CredentialTarget::CredentialIdentifier("CivilEngineeringDegree-2023".into())
    );
    assert_eq!(parsed.proofs, Some(Proofs::Jwt(vec![PROOF.into()])));
    assert_eq!(serde_json::to_value(&parsed).unwrap(), by_identifier);

    let by_configuration = json!({
      "credential_configuration_id": "org.iso.18013.5.1.mDL",
      "proofs": {"jwt": [PROOF, PROOF]},
      "credential_response_encryption": {
        "jwk": {"kty": "EC", "crv": "P-256", "alg": "ECDH-ES", "use": "enc",
                "x": "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
                "y": "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps"},
        "enc": "A128GCM"
      }
    });
    let parsed = request(by_configuration.clone()).unwrap();
    assert_eq!(parsed.proofs.as_ref().unwrap().len(), 2);
    assert_eq!(serde_json::to_value(&parsed).unwrap(), by_configuration);
    assert_eq!(
        CredentialRequest::parse(&serde_json::to_string(&parsed).unwrap()).unwrap(),
        parsed
    );
}

#[test]
fn unbound_request_needs_no_proofs() {
    let parsed = request(json!({"credential_configuration_id": "UniversityDegree"})).unwrap();
    assert!(parsed.proofs.is_none());
}

#[test]
fn exactly_one_target() {
    let both = json!({"credential_identifier": "a", "credential_configuration_id": "b"});
    assert_eq!(
        request(both).unwrap_err(),
        CredentialRequestError::BothTargets
    );
    assert_eq!(
        request(json!({"proofs": {"jwt": [PROOF]}})).unwrap_err(),
        CredentialRequestError::NoTarget
    );
}

#[test]
fn legacy_members_are_refused_by_name() {
    for name in ["proof", "format", "vct", "credential_definition"] {
        let mut body = json!({"credential_configuration_id": "a"});
        body[name] = json!({"proof_type": "jwt"});
        let err = request(body).unwrap_err();
        assert!(
            matches!(err, CredentialRequestError::Legacy(l) if l.name == name),
            "{name}: {err:?}"
        );
        assert_eq!(
            CredentialError::from(&err).code(),
            "invalid_credential_request"
        );
    }
}

#[test]
fn proofs_shape() {
    let two =
        json!({"credential_identifier": "a", "proofs": {"jwt": [PROOF], "attestation": [PROOF]}});
    assert_eq!(
        request(two).unwrap_err(),
        CredentialRequestError::ProofTypeCount(2)
    );
    let none = json!({"credential_identifier": "a", "proofs": {}});
    assert_eq!(
        request(none).unwrap_err(),
        CredentialRequestError::ProofTypeCount(0)
    );
    let empty = json!({"credential_identifier": "a", "proofs": {"jwt": []}});
    assert_eq!(
        request(empty).unwrap_err(),
        CredentialRequestError::EmptyProofs
    );
    let unknown = json!({"credential_identifier": "a", "proofs": {"ldp_vp": [{}]}});
    assert_eq!(
        request(unknown).unwrap_err(),
        CredentialRequestError::UnknownProofType("ldp_vp".into())
    );
}

#[test]
fn private_encryption_key_is_invalid_encryption_parameters() {
    let body = json!({
      "credential_identifier": "a",
      "credential_response_encryption": {
        "jwk": {"kty": "OKP", "crv": "X25519", "x": "AAAA", "d": "BBBB"}, "enc": "A256GCM"
      }
    });
    let err = request(body).unwrap_err();
    assert!(matches!(err, CredentialRequestError::Encryption(_)));
    assert_eq!(
        CredentialError::from(&err).code(),
        "invalid_encryption_parameters"
    );
}

#[test]
fn spec_responses_parse_and_round_trip() {
    // Reconstructed from the §8.3 examples.
    let issued = json!({
      "credentials": [{"credential": "LUpixVCWJk0eOt4CXQe1NXK....WZwmhmn9OQp6YxX0a2L"},
                      {"credential": "YXNkZnNhZGZkamZqZGFza23....29tZTIzMjMyMzIzMjMy"}],
      "notification_id": "3fwe98js"
    });
    let response = CredentialResponse::parse(200, &issued.to_string()).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(serde_json::to_value(&response).unwrap(), issued);

    let deferred = json!({"transaction_id": "8xLOxBtZp8", "interval": 3600});
    let response = CredentialResponse::parse(202, &deferred.to_string()).unwrap();
    assert_eq!(response.status(), 202);
    assert_eq!(serde_json::to_value(&response).unwrap(), deferred);
}

#[test]
fn legacy_and_malformed_responses_are_refused() {
    let single = json!({"credential": "abc", "c_nonce": "x"});
    assert!(matches!(
        CredentialResponse::parse(200, &single.to_string()).unwrap_err(),
        CredentialResponseError::Legacy(l) if l.name == "credential"
    ));
    assert_eq!(
        CredentialResponse::parse(200, r#"{"credentials": []}"#).unwrap_err(),
        CredentialResponseError::NoCredentials
    );
    assert_eq!(
        CredentialResponse::parse(201, r#"{"credentials": [{"credential": "a"}]}"#).unwrap_err(),
        CredentialResponseError::UnexpectedStatus(201)
    );
    assert!(matches!(
        CredentialResponse::parse(202, r#"{"acceptance_token": "a"}"#).unwrap_err(),
        CredentialResponseError::Legacy(l) if l.name == "acceptance_token"
    ));
}

#[test]
fn errors_serialize() {
    // Reconstructed from the §8.3.1.2 example.
    let err = CredentialError::InvalidProof(
        "Credential Issuer requires key proof to be bound to a Credential Issuer provided nonce."
            .into(),
    );
    assert_eq!(err.status(), 400);
    let body = serde_json::to_value(err.to_response()).unwrap();
    assert_eq!(body["error"], "invalid_proof");
    assert_eq!(
        CredentialError::InvalidTransactionId(String::new()).code(),
        "invalid_transaction_id"
    );
    let err = NotificationError::InvalidNotificationId("unknown".into());
    assert_eq!(
        serde_json::to_value(err.to_response()).unwrap(),
        json!({"error": "invalid_notification_id", "error_description": "unknown"})
    );
    assert_eq!(
        NotificationError::InvalidNotificationRequest(String::new()).code(),
        "invalid_notification_request"
    );
}

#[test]
fn nonce_deferred_and_notification_round_trip() {
    // Reconstructed from the §7.2, §9.1 and §11.1 examples.
    let nonce = json!({"c_nonce": "wKI4LT17ac15ES9bw8ac4"});
    let parsed: NonceResponse = serde_json::from_value(nonce.clone()).unwrap();
    assert_eq!(serde_json::to_value(&parsed).unwrap(), nonce);

    let deferred = json!({"transaction_id": "8xLOxBtZp8"});
    let parsed: DeferredCredentialRequest = serde_json::from_value(deferred.clone()).unwrap();
    assert_eq!(serde_json::to_value(&parsed).unwrap(), deferred);

    let notification = json!({"notification_id": "3fwe98js", "event": "credential_failure",
                              "event_description": "Could not store the Credential. Out of storage."});
    let parsed: NotificationRequest = serde_json::from_value(notification.clone()).unwrap();
    assert_eq!(parsed.event, NotificationEvent::CredentialFailure);
    assert_eq!(serde_json::to_value(&parsed).unwrap(), notification);
    assert!(
        serde_json::from_value::<NotificationRequest>(
            json!({"notification_id": "a", "event": "credential_lost"})
        )
        .is_err()
    );
}
