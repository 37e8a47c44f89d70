//! W3C credentials and presentations as a verifier receives them: the VCDM 2.0 rules, JSON-LD
//! expansion against the bundled contexts (never fetched), RDFC-1.0 canonicalization and Data
//! Integrity proof checks with did:key methods. Must never panic or run away.
#![no_main]

use libfuzzer_sys::fuzz_target;
use saifu_credential::w3c::di::method::DidKeyResolver;
use saifu_credential::w3c::verify::{VerifyOptions, verify_credential, verify_presentation};

fuzz_target!(|data: &[u8]| {
    let Ok(document) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let options = VerifyOptions {
        now: 1_767_225_600,
        challenge: Some("fuzz"),
        domain: None,
        resolver: &DidKeyResolver,
    };
    let _ = verify_credential(&document, &options);
    let _ = verify_presentation(&document, &options);
});
