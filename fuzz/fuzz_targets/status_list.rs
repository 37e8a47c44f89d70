//! Status lists as a verifier fetches them: Token Status List JWTs and CWTs, their `status_list`
//! claim (JSON and CBOR), a credential's `status` reference, and W3C Bitstring Status List
//! entries and `encodedList`s (bounded decompression): must never panic, and a bitstring that
//! decodes must re-encode to one that decodes to the same bits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use saifu_credential::status::bitstring::{BitstringStatusList, StatusEntry};
use saifu_credential::status::token::{cwt, jwt};
use saifu_credential::status::{Limits, ReferenceOptions, StatusList, StatusReference};

/// Bitstrings larger than this once decompressed are refused (1 MiB, as a verifier would).
const MAX_DECOMPRESSED: usize = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let _ = cwt::decode(data, &limits);
    let _ = StatusList::from_cbor(data, &limits);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = jwt::decode(text, &limits);
        if let Ok(list) = BitstringStatusList::decode(text, MAX_DECOMPRESSED) {
            let again = BitstringStatusList::decode(&list.encode(), MAX_DECOMPRESSED).unwrap();
            assert_eq!(again.len(), list.len());
            for index in (0..list.len()).step_by(997) {
                assert_eq!(again.get(index).unwrap(), list.get(index).unwrap());
            }
        }
    }
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = StatusList::from_json(&json, &limits);
        let _ = StatusEntry::parse(&json);
        let _ = StatusReference::from_json_status(&json, ReferenceOptions::default());
    }
});
