//! OpenID4VP authorization request links as a wallet reads them (client identifier prefix
//! rules, response mode, DCQL): must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = saifu_wallet::present::parse_unsigned_link(text);
});
