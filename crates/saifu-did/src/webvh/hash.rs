//! The hashes of did:webvh 1.0: SCID, entry hash and pre-rotation key hash, each
//! `base58btc(multihash(SHA-256, …))` — raw base58btc, **without** the multibase `z` prefix, so
//! always 46 characters starting `Qm` (did:webvh 1.0 "SCID Generation and Verification",
//! "Entry Hash Generation and Verification", "Pre-Rotation Key Hash Generation").

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::data_integrity::jcs::{self, JcsError};

/// Multihash code of SHA-256, the only hash did:webvh 1.0 permits.
const SHA2_256: u8 = 0x12;
/// Length of a SHA-256 digest.
const DIGEST_LEN: u8 = 32;
/// Length of a base58btc SHA-256 multihash.
pub const HASH_LEN: usize = 46;

/// `base58btc(multihash(SHA-256, bytes))`.
pub fn multihash(bytes: &[u8]) -> String {
    let mut multihash = vec![SHA2_256, DIGEST_LEN];
    multihash.extend_from_slice(&Sha256::digest(bytes));
    bs58::encode(multihash).into_string()
}

/// `base58btc(multihash(SHA-256, JCS(value)))`: the SCID and entry hash function.
pub fn json_hash(value: &Value) -> Result<String, JcsError> {
    Ok(multihash(jcs::canonicalize(value)?.as_bytes()))
}

/// The pre-rotation commitment to a Multikey update key: the hash of its text.
pub fn key_hash(multikey: &str) -> String {
    multihash(multikey.as_bytes())
}

/// Whether `text` is a base58btc SHA-256 multihash (the only kind did:webvh 1.0 accepts).
pub fn is_scid(text: &str) -> bool {
    text.len() == HASH_LEN
        && bs58::decode(text)
            .into_vec()
            .is_ok_and(|bytes| bytes.len() == 34 && bytes[0] == SHA2_256 && bytes[1] == DIGEST_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The entry hash example of did:webvh 1.0 "Generate Entry Hash" (a v0.5 entry; the hash
    /// function is the same).
    #[test]
    fn specification_entry_hash_example() {
        let entry: Value = serde_json::from_str(
            r#"{"versionId": "QmdmPkUdYzbr9txmx8gM2rsHPgr5L6m3gHjJGAf4vUFoGE", "versionTime": "2025-04-01T17:39:50Z", "parameters": {"witness": {"threshold": 2, "witnesses": [{"id": "did:key:z6Mkkc51mg2vpQzKWAbWQZupeGYhowaBjYkmvcKMTqteqHB4", "weight": 1}, {"id": "did:key:z6MkuDdJdKLCgwZuQuEi9xG6LVgJJ9Tebr74CXPYPSumqgJs", "weight": 1}, {"id": "did:key:z6MkoSWmQyp4fTk4ZQy4KUsss9dFX51XfEUzKKKj1J1JUsrF", "weight": 1}]}, "updateKeys": ["z6MkgzBDcBFV3sk4ypPE5YXMZHmS213A3HpYY2LmcVKV15jr"], "nextKeyHashes": ["QmZreDcjvWEpyRFznQeExWNCsvMLk5i59AcRJJuQC8UodJ"], "method": "did:webvh:0.5", "scid": "QmdmPkUdYzbr9txmx8gM2rsHPgr5L6m3gHjJGAf4vUFoGE"}, "state": {"@context": ["https://www.w3.org/ns/did/v1"], "id": "did:webvh:QmdmPkUdYzbr9txmx8gM2rsHPgr5L6m3gHjJGAf4vUFoGE:domain.example"}}"#,
        )
        .unwrap();
        assert_eq!(
            json_hash(&entry).unwrap(),
            "QmQ6FJ4fk2xheSSQoEjVpTgx9AQPKhJgtR9hn1nr4EeCrZ"
        );
    }

    #[test]
    fn scid_shape() {
        assert!(is_scid("QmQ6FJ4fk2xheSSQoEjVpTgx9AQPKhJgtR9hn1nr4EeCrZ"));
        assert!(!is_scid("zQmQ6FJ4fk2xheSSQoEjVpTgx9AQPKhJgtR9hn1nr4EeCr"));
        assert!(!is_scid("{SCID}"));
        assert_eq!(key_hash("z6Mk").len(), HASH_LEN);
    }
}
