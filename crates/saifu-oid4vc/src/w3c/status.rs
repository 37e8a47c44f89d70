//! A W3C credential's Bitstring Status List entry checked against a fetched list credential
//! (Bitstring Status List §3.2): the list must verify, come from the credential's own issuer
//! (else anyone could point a credential at a list of their own), and have the entry's bit
//! clear. Fetching is the caller's: verifier and wallet each use their own HTTP client.

use saifu_credential::status::bitstring::{
    self, BitstringError, DEFAULT_MAX_DECOMPRESSED, StatusEntry,
};
use saifu_credential::w3c::di::DidKeyResolver;
use saifu_credential::w3c::model;
use saifu_credential::w3c::verify::VerifyOptions;
use serde_json::Value;

/// `Accept` for status list credentials (VCDM 2.0 §6.1 media type, or plain JSON).
pub const STATUS_LIST_ACCEPT: &str = "application/vc, application/json";

/// `Ok` when `entry`'s bit is clear in `list` (issued by `issuer`, verified at `now`);
/// [`BitstringError::Revoked`] / [`BitstringError::Suspended`] when it is set.
pub fn check_entry(
    entry: &StatusEntry,
    list: &Value,
    issuer: &str,
    now: i64,
) -> Result<(), BitstringError> {
    if list.as_object().and_then(|l| model::issuer_id(l).ok()) != Some(issuer) {
        return Err(BitstringError::ListMismatch(
            "the list is not issued by the credential's issuer",
        ));
    }
    let options = VerifyOptions {
        now,
        challenge: None,
        domain: None,
        resolver: &DidKeyResolver,
    };
    let list = bitstring::verified_list(entry, list, &options, DEFAULT_MAX_DECOMPRESSED)?;
    bitstring::check(entry, &list)
}

/// The `credentialStatus` entries of a credential (one object or an array).
pub fn entries(credential: &serde_json::Map<String, Value>) -> Vec<Value> {
    match credential.get("credentialStatus") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
    }
}
