//! Status list publications in the log, and the client check that catches an issuer quietly
//! un-revoking a credential.
//!
//! Every time a node's issuer changes a status, it appends the list's URI, the changed index
//! and value, and the SHA-256 of the whole list as it is now (the uncompressed status bytes of
//! the Token Status List, draft-ietf-oauth-status-list §4) and of the token it serves. The token
//! itself is re-signed on every fetch (fresh `iat`), so the list bytes are what identifies a
//! publication; the token digest records one concrete signed form.
//!
//! Revoked (`0x01`, INVALID) is final in the Token Status List ("revoked, annulled, taken back,
//! recalled or cancelled"), so a list that shows a once-revoked index as anything else is proof
//! of tampering, and a list whose digest the log never saw is a publication the issuer did not
//! log.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Token Status List value INVALID: revoked for good.
pub const STATUS_REVOKED: u8 = 0x01;

/// A status list publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusListEntry {
    /// The list's URI (the `uri` of status references pointing at it).
    pub uri: String,
    /// The index whose status changed.
    pub index: u64,
    /// Its new status value.
    pub status: u8,
    /// Lowercase hex SHA-256 of the uncompressed list bytes after the change.
    pub list_sha256: String,
    /// Lowercase hex SHA-256 of the status list token served right after the change.
    pub token_sha256: String,
    /// When, Unix seconds.
    pub time: i64,
}

/// Lowercase hex SHA-256, the digest form entries carry.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// What a client found wrong with a status list it fetched, given the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusHistoryError {
    /// The log recorded the index as revoked, the list now says otherwise.
    #[error(
        "index {index} was revoked in log entry {leaf_index} but the list shows status {shown}"
    )]
    Unrevoked {
        /// The credential's status index.
        index: u64,
        /// The log entry that revoked it.
        leaf_index: u64,
        /// What the fetched list shows.
        shown: u8,
    },
    /// The fetched list is not the last one the log recorded for its URI.
    #[error("the fetched status list (SHA-256 {observed}) is not the one last logged ({logged})")]
    Unlogged {
        /// Digest of the fetched list.
        observed: String,
        /// Digest of the last logged publication, or `none`.
        logged: String,
    },
}

/// Checks a fetched status list of `uri` against the log's publications `history` (each with
/// its leaf index, in log order): no once-revoked index may show another status, and the list
/// must be the last one logged (or, with nothing logged, hold no status other than VALID).
/// `list_bytes` are the uncompressed status bytes and `status_of` reads one index from them.
pub fn check_list(
    history: &[(u64, StatusListEntry)],
    uri: &str,
    list_bytes: &[u8],
    status_of: impl Fn(u64) -> Option<u8>,
) -> Result<(), StatusHistoryError> {
    let mut last = None;
    for (leaf_index, entry) in history.iter().filter(|(_, e)| e.uri == uri) {
        if entry.status == STATUS_REVOKED {
            let shown = status_of(entry.index).unwrap_or(0);
            if shown != STATUS_REVOKED {
                return Err(StatusHistoryError::Unrevoked {
                    index: entry.index,
                    leaf_index: *leaf_index,
                    shown,
                });
            }
        }
        last = Some(entry);
    }
    let observed = sha256_hex(list_bytes);
    match last {
        Some(entry) if entry.list_sha256 == observed => Ok(()),
        None if list_bytes.iter().all(|b| *b == 0) => Ok(()),
        other => Err(StatusHistoryError::Unlogged {
            observed,
            logged: other.map_or_else(|| "none".to_owned(), |e| e.list_sha256.clone()),
        }),
    }
}
