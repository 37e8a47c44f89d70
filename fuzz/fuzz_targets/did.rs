//! DID, DID URL and DID document parsing, and did:key / did:jwk expansion: must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use saifu_did::{Did, DidDocument, DidUrl};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(did) = text.parse::<Did>() {
        // Display must give back a string that parses to the same DID.
        assert_eq!(did.to_string().parse::<Did>().unwrap(), did);
        let _ = saifu_did::key::resolve(&did, &Default::default());
        let _ = saifu_did::jwk::resolve(&did);
        let _ = saifu_did::web::document_url(&did);
    }
    if let Ok(url) = text.parse::<DidUrl>() {
        assert_eq!(url.to_string().parse::<DidUrl>().unwrap(), url);
    }
    let _ = DidDocument::from_json(data);
});
