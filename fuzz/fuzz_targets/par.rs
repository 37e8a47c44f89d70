//! OAuth requests an issuer's authorization server receives: form bodies and pushed
//! authorization requests (RFC 9126, PKCE, `authorization_details`). Must never panic; a request
//! that parses must survive `to_form` and parse to the same request.
#![no_main]

use libfuzzer_sys::fuzz_target;
use saifu_oid4vc::oauth::form::Form;
use saifu_oid4vc::oauth::par::PushedAuthorizationRequest;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = Form::parse(text);
    if let Ok(request) = PushedAuthorizationRequest::from_form(text) {
        let again = PushedAuthorizationRequest::from_form(&request.to_form()).unwrap();
        assert_eq!(again, request);
    }
});
