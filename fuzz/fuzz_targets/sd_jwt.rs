//! SD-JWT compact and JSON serializations and their disclosures (RFC 9901): must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use saifu_credential::sd_jwt::{Limits, SdJwt};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let limits = Limits::default();
    if let Ok(sd_jwt) = SdJwt::parse_compact(text, &limits) {
        let _ = sd_jwt.decode_issuer_jwt(&limits);
        let _ = sd_jwt.present(&[]);
    }
    let _ = SdJwt::parse_json(text, &limits);
});
