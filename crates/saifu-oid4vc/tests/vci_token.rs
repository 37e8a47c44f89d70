//! Token Endpoint messages (OpenID4VCI 1.0 §6).

use saifu_oid4vc::oauth::pkce::PkceError;
use saifu_oid4vc::vci::token::{
    TokenError, TokenRequest, TokenResponse, TokenResponseError, check_tx_code,
};
use serde_json::{Value, json};

#[test]
fn spec_pre_authorized_code_request() {
    // Reconstructed from the §6.1 pre-authorized code example.
    let body = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code\
                &pre-authorized_code=SplxlOBeZQQYbYS6WxSbIA&tx_code=493536";
    let request = TokenRequest::from_form(body).unwrap();
    assert_eq!(
        request,
        TokenRequest::PreAuthorizedCode {
            pre_authorized_code: "SplxlOBeZQQYbYS6WxSbIA".into(),
            tx_code: Some("493536".into()),
            client_id: None,
        }
    );
    assert_eq!(request.to_form(), body);
}

#[test]
fn spec_authorization_code_request() {
    // Reconstructed from the §6.1 authorization code example.
    let body = "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA\
                &code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk\
                &redirect_uri=https%3A%2F%2FWallet.example.org%2Fcb";
    let request = TokenRequest::from_form(body).unwrap();
    let TokenRequest::AuthorizationCode {
        code,
        code_verifier,
        redirect_uri,
        ..
    } = &request
    else {
        panic!("wrong grant");
    };
    assert_eq!(code, "SplxlOBeZQQYbYS6WxSbIA");
    assert_eq!(
        code_verifier.as_deref(),
        Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    );
    assert_eq!(
        redirect_uri.as_deref(),
        Some("https://Wallet.example.org/cb")
    );
    assert_eq!(
        TokenRequest::from_form(&request.to_form()).unwrap(),
        request
    );
}

#[test]
fn malformed_requests_are_typed() {
    let err = TokenRequest::from_form("grant_type=password&username=a").unwrap_err();
    assert_eq!(err, TokenError::UnsupportedGrantType("password".into()));
    assert_eq!(err.code(), "unsupported_grant_type");
    let err = TokenRequest::from_form("grant_type=authorization_code").unwrap_err();
    assert_eq!(err.code(), "invalid_request");
    let err = TokenRequest::from_form("grant_type=authorization_code&code=a&code=b").unwrap_err();
    assert_eq!(err.code(), "invalid_request");
}

#[test]
fn tx_code_rules_follow_section_6_3() {
    check_tx_code(Some("493536"), Some("493536")).unwrap();
    check_tx_code(None, None).unwrap();
    assert_eq!(
        check_tx_code(Some("493536"), None).unwrap_err().code(),
        "invalid_request"
    );
    assert_eq!(
        check_tx_code(None, Some("1")).unwrap_err().code(),
        "invalid_request"
    );
    assert_eq!(
        check_tx_code(Some("493536"), Some("493537"))
            .unwrap_err()
            .code(),
        "invalid_grant"
    );
}

#[test]
fn spec_token_response_round_trips() {
    // Reconstructed from the §6.2 example.
    let body = json!({
      "access_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6Ikp..sHQ",
      "token_type": "Bearer",
      "expires_in": 86400,
      "authorization_details": [{
        "type": "openid_credential",
        "credential_configuration_id": "UniversityDegreeCredential",
        "credential_identifiers": ["CivilEngineeringDegree-2023", "ElectricalEngineeringDegree-2023"]
      }]
    });
    let response = TokenResponse::parse(&body.to_string()).unwrap();
    let detail = &response.authorization_details.as_ref().unwrap()[0];
    assert_eq!(detail.credential_identifiers.len(), 2);
    assert_eq!(serde_json::to_value(&response).unwrap(), body);
}

#[test]
fn token_response_with_c_nonce_is_refused() {
    let body = json!({"access_token": "a", "token_type": "DPoP", "c_nonce": "n", "c_nonce_expires_in": 60});
    let err = TokenResponse::parse(&body.to_string()).unwrap_err();
    assert!(matches!(err, TokenResponseError::Legacy(l) if l.name == "c_nonce"));
}

#[test]
fn errors_serialize_with_status() {
    let err = TokenError::InvalidClient("anonymous access is not supported".into());
    assert_eq!(err.status(), 401);
    assert_eq!(
        serde_json::to_value(err.to_response()).unwrap(),
        json!({"error": "invalid_client", "error_description": "anonymous access is not supported"})
    );
    // Reconstructed from the §6.3 example: no description.
    let err = TokenError::InvalidRequest(String::new());
    assert_eq!(err.status(), 400);
    assert_eq!(
        serde_json::to_value(err.to_response()).unwrap(),
        json!({"error": "invalid_request"})
    );
    let pkce: TokenError = PkceError::Mismatch.into();
    assert_eq!(pkce.code(), "invalid_grant");
    let back: Value = serde_json::to_value(pkce.to_response()).unwrap();
    assert_eq!(back["error"], "invalid_grant");
}
