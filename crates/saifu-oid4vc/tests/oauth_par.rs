//! Pushed Authorization Requests (RFC 9126).

use saifu_oid4vc::oauth::form::FormError;
use saifu_oid4vc::oauth::par::{
    CREATED, ParError, PushedAuthorizationRequest, PushedAuthorizationResponse,
};
use saifu_oid4vc::oauth::pkce::PkceError;
use serde_json::json;

const BODY: &str = "response_type=code&client_id=s6BhdRkqt3&state=af0ifjsldkj\
&redirect_uri=https%3A%2F%2Fclient.example.org%2Fcb&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
&code_challenge_method=S256&issuer_state=xyz&resource=https%3A%2F%2Fissuer.example.com";

#[test]
fn request_parses_and_round_trips() {
    let request = PushedAuthorizationRequest::from_form(BODY).unwrap();
    assert_eq!(request.client_id, "s6BhdRkqt3");
    assert_eq!(
        request.redirect_uri.as_deref(),
        Some("https://client.example.org/cb")
    );
    assert_eq!(request.issuer_state.as_deref(), Some("xyz"));
    assert_eq!(request.extra["resource"], "https://issuer.example.com");
    assert_eq!(
        PushedAuthorizationRequest::from_form(&request.to_form()).unwrap(),
        request
    );
}

#[test]
fn request_uri_inside_and_plain_are_refused() {
    let inside = format!("{BODY}&request_uri=urn%3Aexample");
    assert_eq!(
        PushedAuthorizationRequest::from_form(&inside).unwrap_err(),
        ParError::RequestUriInside
    );
    let plain = BODY.replace("code_challenge_method=S256", "code_challenge_method=plain");
    assert_eq!(
        PushedAuthorizationRequest::from_form(&plain).unwrap_err(),
        ParError::Pkce(PkceError::PlainRefused)
    );
    let missing = BODY.replace("&code_challenge_method=S256", "");
    assert_eq!(
        PushedAuthorizationRequest::from_form(&missing).unwrap_err(),
        ParError::Form(FormError::Missing("code_challenge_method"))
    );
    let repeated = format!("{BODY}&state=again");
    assert_eq!(
        PushedAuthorizationRequest::from_form(&repeated).unwrap_err(),
        ParError::Form(FormError::Duplicate("state".into()))
    );
}

#[test]
fn response_has_the_rfc9126_shape() {
    // Reconstructed from RFC 9126 §2.2.
    let body = json!({"request_uri": "urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c", "expires_in": 60});
    let response: PushedAuthorizationResponse = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(response.expires_in, 60);
    assert_eq!(serde_json::to_value(&response).unwrap(), body);
    assert_eq!(CREATED, 201);
}
