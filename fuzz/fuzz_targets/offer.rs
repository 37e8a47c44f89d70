//! Credential offer links and offers (OpenID4VCI 1.0 §4.1): must never panic, and a parsed offer
//! must survive its own link form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use saifu_oid4vc::vci::offer::{CredentialOffer, OfferReference};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(reference) = OfferReference::parse_link(text) {
        let again = OfferReference::parse_link(&reference.to_link("openid-credential-offer://"));
        assert_eq!(again.ok(), Some(reference));
    }
    let _ = CredentialOffer::parse(text);
});
