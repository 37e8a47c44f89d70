//! The typed entries saifu appends to its log: canonical JSON objects (RFC 8785 JCS) whose
//! `type` member says what they record — a trust statement, a status list publication or an
//! audit event.
//!
//! Entries are canonical so one statement has exactly one byte form, and therefore one leaf
//! hash: a client holding an entry can recompute the leaf it proves inclusion of. Other kinds of
//! entries (e.g. DID log lines) may share the log; readers skip types they do not know.

use serde::{Deserialize, Serialize};

use crate::status::StatusListEntry;
use crate::trust::SignedTrustStatement;

/// Why bytes are not a registry entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// Not a JSON object of a known `type` with the members that type needs.
    #[error("not a registry entry: {0}")]
    Malformed(String),
    /// Valid JSON, but not in its canonical (JCS) form, or with members the type does not
    /// define: two byte forms of one entry would have two leaf hashes.
    #[error("entry is not canonical JSON (RFC 8785) of its type")]
    NotCanonical,
}

/// An audit event: the SHA-256 of an issuance or presentation event as the node recorded it —
/// never the personal data itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// What happened.
    pub event: AuditEvent,
    /// Lowercase hex SHA-256 of the event's bytes (the credential response, the presentation).
    pub sha256: String,
    /// When, in Unix seconds.
    pub time: i64,
}

/// The kinds of audited events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditEvent {
    /// The issuer answered a Credential Request with credentials.
    Issuance,
    /// The verifier reached a result for a presentation.
    Presentation,
}

/// One registry entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Entry {
    /// "Authority A recognises entity E for action X on resource R …", signed by A.
    Trust(SignedTrustStatement),
    /// An issuer published a changed Token Status List.
    StatusList(StatusListEntry),
    /// A hashed issuance or presentation event.
    Audit(AuditEntry),
}

impl Entry {
    /// The entry's canonical bytes: what is appended to the log.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serializing plain data (strings, integers, booleans) cannot fail.
        serde_json_canonicalizer::to_vec(self).unwrap_or_default()
    }

    /// Parses a log entry, refusing anything that is not exactly the canonical form of a
    /// known entry type.
    pub fn parse(bytes: &[u8]) -> Result<Entry, EntryError> {
        let entry: Entry =
            serde_json::from_slice(bytes).map_err(|e| EntryError::Malformed(e.to_string()))?;
        if entry.to_bytes() != bytes {
            return Err(EntryError::NotCanonical);
        }
        Ok(entry)
    }
}
