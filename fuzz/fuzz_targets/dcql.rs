//! DCQL queries (OpenID4VP 1.0 §6): parsing and matching against a credential must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use saifu_oid4vc::dcql::{Candidate, DcqlQuery, Limits, evaluate};

fuzz_target!(|data: &[u8]| {
    let Ok(query) = DcqlQuery::parse(data, &Limits::default()) else { return };
    let candidate: Candidate = serde_json::from_value(serde_json::json!({
        "id": "c", "format": "dc+sd-jwt", "vct": "https://saifu.dev/vct/diploma",
        "claims": {"given_name": "Hanako", "degree": "BSc", "address": {"locality": "Tokyo"},
                   "nationalities": ["JP", "DE"]},
        "holder_binding": true
    }))
    .expect("a valid candidate");
    let _ = evaluate(&query, &[candidate]);
});
