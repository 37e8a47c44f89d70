//! W3C Bitstring Status List 1.0: an issuer publishes one bit per credential (revoked, or
//! suspended) in a gzip-compressed, multibase-encoded bitstring inside a signed
//! `BitstringStatusListCredential`; a verifier checks a credential's `BitstringStatusListEntry`
//! against it.
//!
//! Unlike the IETF Token Status List in this module, bits are MSB-first, compression is GZIP and
//! `statusListIndex` is a decimal string (Bitstring Status List §2.1, §3.1). Only `statusSize`
//! 1 (revocation and suspension) is implemented.

use std::collections::HashMap;
use std::future::Future;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

use crate::w3c::VerifyError;
use crate::w3c::contexts::CREDENTIALS_V2;
use crate::w3c::di::DidKeyResolver;
use crate::w3c::model::{has_type, issuer_id};
use crate::w3c::verify::{VerifyOptions, verify_credential};

/// Smallest list (§2.1: at least 16 KB, so a status does not point at a small group of people).
pub const MIN_ENTRIES: usize = 131_072;
/// Largest decompressed list accepted by default (a zip-bomb bound): 16 MiB = 134 M entries.
pub const DEFAULT_MAX_DECOMPRESSED: usize = 16 << 20;

/// Why a status list could not be built, decoded or used, or why a credential's status is bad.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BitstringError {
    /// Fewer than [`MIN_ENTRIES`] entries (§2.1).
    #[error("a bitstring status list needs at least {MIN_ENTRIES} entries, got {0}")]
    TooSmall(usize),
    /// The index is past the end of the list.
    #[error("status index {index} is outside the {len}-entry list")]
    IndexOutOfRange {
        /// The index.
        index: usize,
        /// The list length in entries.
        len: usize,
    },
    /// `encodedList` is not multibase base64url (`u…`) of GZIP data.
    #[error("malformed encodedList: {0}")]
    MalformedEncodedList(String),
    /// The list decompresses to more than the configured limit.
    #[error("status list decompresses to more than {0} bytes")]
    DecompressedTooLarge(usize),
    /// The status entry is malformed (§2.1).
    #[error("malformed BitstringStatusListEntry: {0}")]
    InvalidEntry(&'static str),
    /// The fetched credential is not the status list the entry names, or has another purpose.
    #[error("status list credential mismatch: {0}")]
    ListMismatch(&'static str),
    /// The status list credential itself did not verify.
    #[error("status list credential invalid: {0}")]
    Credential(#[from] VerifyError),
    /// The status list could not be fetched.
    #[error("status list fetch failed: {0}")]
    Fetch(String),
    /// The credential is revoked.
    #[error("credential revoked")]
    Revoked,
    /// The credential is suspended.
    #[error("credential suspended")]
    Suspended,
}

/// The purpose of a list (§2.1 `statusPurpose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusPurpose {
    /// A set bit means permanently revoked.
    Revocation,
    /// A set bit means suspended (can be cleared again).
    Suspension,
}

impl StatusPurpose {
    /// The `statusPurpose` value.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusPurpose::Revocation => "revocation",
            StatusPurpose::Suspension => "suspension",
        }
    }

    /// Parses a `statusPurpose` value saifu acts on.
    pub fn parse(value: &str) -> Option<StatusPurpose> {
        [StatusPurpose::Revocation, StatusPurpose::Suspension]
            .into_iter()
            .find(|p| p.as_str() == value)
    }
}

/// The bitstring: one bit per credential, index 0 the most significant bit of byte 0 (§3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BitstringStatusList {
    bytes: Vec<u8>,
}

impl BitstringStatusList {
    /// An all-clear list of `entries` bits (rounded up to whole bytes).
    pub fn new(entries: usize) -> Result<Self, BitstringError> {
        if entries < MIN_ENTRIES {
            return Err(BitstringError::TooSmall(entries));
        }
        Ok(BitstringStatusList {
            bytes: vec![0; entries.div_ceil(8)],
        })
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    /// Always false: a list has at least [`MIN_ENTRIES`] entries.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn position(&self, index: usize) -> Result<(usize, u8), BitstringError> {
        if index >= self.len() {
            return Err(BitstringError::IndexOutOfRange {
                index,
                len: self.len(),
            });
        }
        Ok((index / 8, 0x80 >> (index % 8)))
    }

    /// Sets (revokes / suspends) or clears the bit at `index`.
    pub fn set(&mut self, index: usize, value: bool) -> Result<(), BitstringError> {
        let (byte, mask) = self.position(index)?;
        if value {
            self.bytes[byte] |= mask;
        } else {
            self.bytes[byte] &= !mask;
        }
        Ok(())
    }

    /// The bit at `index`.
    pub fn get(&self, index: usize) -> Result<bool, BitstringError> {
        let (byte, mask) = self.position(index)?;
        Ok(self.bytes[byte] & mask != 0)
    }

    /// `encodedList`: GZIP, then multibase base64url without padding (`u` prefix) (§3.1.1).
    pub fn encode(&self) -> String {
        let mut gzip = GzEncoder::new(Vec::new(), Compression::best());
        gzip.write_all(&self.bytes)
            .and_then(|()| gzip.flush())
            .unwrap_or_else(|e| unreachable!("writing to a Vec cannot fail: {e}"));
        let compressed = gzip
            .finish()
            .unwrap_or_else(|e| unreachable!("writing to a Vec cannot fail: {e}"));
        format!("u{}", URL_SAFE_NO_PAD.encode(compressed))
    }

    /// Decodes `encodedList`, refusing more than `max_decompressed` bytes of output (§3.2 step
    /// 8: the list is expanded; a hostile list must not be allowed to expand without bound).
    pub fn decode(encoded: &str, max_decompressed: usize) -> Result<Self, BitstringError> {
        let malformed = |why: String| BitstringError::MalformedEncodedList(why);
        let body = encoded.strip_prefix('u').ok_or_else(|| {
            malformed("must start with the multibase base64url prefix `u`".into())
        })?;
        let compressed = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|e| malformed(format!("base64url: {e}")))?;
        let mut bytes = Vec::new();
        GzDecoder::new(compressed.as_slice())
            .take(max_decompressed as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| malformed(format!("gzip: {e}")))?;
        if bytes.len() > max_decompressed {
            return Err(BitstringError::DecompressedTooLarge(max_decompressed));
        }
        if bytes.len() * 8 < MIN_ENTRIES {
            return Err(BitstringError::TooSmall(bytes.len() * 8));
        }
        Ok(BitstringStatusList { bytes })
    }

    /// The unsigned `BitstringStatusListCredential` publishing this list (§2.2); secure it with
    /// [`crate::w3c::di::add_proof`] or [`crate::w3c::jose`].
    pub fn to_credential(
        &self,
        id: &str,
        issuer: &str,
        purpose: StatusPurpose,
        valid_from: &str,
    ) -> Value {
        json!({
            "@context": [CREDENTIALS_V2],
            "id": id,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer,
            "validFrom": valid_from,
            "credentialSubject": {
                "id": format!("{id}#list"),
                "type": "BitstringStatusList",
                "statusPurpose": purpose.as_str(),
                "encodedList": self.encode(),
            }
        })
    }
}

/// A credential's `BitstringStatusListEntry` (§2.1), parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// What a set bit means.
    pub purpose: StatusPurpose,
    /// The bit's index.
    pub index: usize,
    /// URL of the status list credential.
    pub list_credential: String,
}

impl StatusEntry {
    /// Parses an entry; `statusListIndex` is a decimal string (§2.1).
    pub fn parse(entry: &Value) -> Result<Self, BitstringError> {
        let field = |name: &str| entry.get(name).and_then(Value::as_str);
        if field("type") != Some("BitstringStatusListEntry") {
            return Err(BitstringError::InvalidEntry(
                "`type` must be BitstringStatusListEntry",
            ));
        }
        let purpose = field("statusPurpose")
            .and_then(StatusPurpose::parse)
            .ok_or(BitstringError::InvalidEntry("unsupported `statusPurpose`"))?;
        let index = field("statusListIndex")
            .filter(|i| !i.is_empty() && i.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|i| i.parse().ok())
            .ok_or(BitstringError::InvalidEntry(
                "`statusListIndex` must be a decimal string",
            ))?;
        let list_credential = field("statusListCredential")
            .ok_or(BitstringError::InvalidEntry("no `statusListCredential`"))?
            .to_owned();
        Ok(StatusEntry {
            purpose,
            index,
            list_credential,
        })
    }

    /// A credential's entry for this list position.
    pub fn to_json(&self, id: &str) -> Value {
        json!({
            "id": id,
            "type": "BitstringStatusListEntry",
            "statusPurpose": self.purpose.as_str(),
            "statusListIndex": self.index.to_string(),
            "statusListCredential": self.list_credential,
        })
    }
}

/// Verifies a fetched status list credential for `entry` (signature, issuer, validity, id,
/// purpose) and decodes its list (§3.2).
pub fn verified_list(
    entry: &StatusEntry,
    list_credential: &Value,
    options: &VerifyOptions<'_>,
    max_decompressed: usize,
) -> Result<BitstringStatusList, BitstringError> {
    verify_credential(list_credential, options)?;
    let map = list_credential
        .as_object()
        .ok_or(BitstringError::ListMismatch("not an object"))?;
    if !has_type(map, "BitstringStatusListCredential") {
        return Err(BitstringError::ListMismatch(
            "not a BitstringStatusListCredential",
        ));
    }
    if map.get("id").and_then(Value::as_str) != Some(entry.list_credential.as_str()) {
        return Err(BitstringError::ListMismatch(
            "`id` is not the entry's statusListCredential",
        ));
    }
    let subject = &list_credential["credentialSubject"];
    if subject["statusPurpose"].as_str() != Some(entry.purpose.as_str()) {
        return Err(BitstringError::ListMismatch(
            "`statusPurpose` differs from the entry's",
        ));
    }
    let encoded = subject["encodedList"]
        .as_str()
        .ok_or_else(|| BitstringError::MalformedEncodedList("missing".into()))?;
    BitstringStatusList::decode(encoded, max_decompressed)
}

/// `Ok` when the entry's bit is clear; [`BitstringError::Revoked`] / [`BitstringError::Suspended`]
/// when it is set.
pub fn check(entry: &StatusEntry, list: &BitstringStatusList) -> Result<(), BitstringError> {
    match (list.get(entry.index)?, entry.purpose) {
        (false, _) => Ok(()),
        (true, StatusPurpose::Revocation) => Err(BitstringError::Revoked),
        (true, StatusPurpose::Suspension) => Err(BitstringError::Suspended),
    }
}

/// Most lists a [`StatusListCache`] keeps: a stream of credentials naming ever new list URLs
/// must not grow it without bound.
pub const MAX_CACHED_LISTS: usize = 1024;

/// A verified, decoded list and who issued it.
struct CachedList {
    fetched_at: i64,
    issuer: String,
    list: Arc<BitstringStatusList>,
}

/// A verifier-side cache of verified, decoded status lists, so checking many credentials
/// against one list fetches and verifies it once per `max_age` seconds. The one cache behind
/// every Bitstring Status List check in saifu (OpenID4VC verifier, wallet, VC-API); fetching is
/// the caller's, so this crate needs no HTTP client and tests can count fetches.
pub struct StatusListCache {
    max_age: i64,
    max_decompressed: usize,
    lists: Mutex<HashMap<String, CachedList>>,
}

impl StatusListCache {
    /// A cache keeping lists for `max_age` seconds, with the default decompressed-size limit.
    pub fn new(max_age: i64) -> Self {
        StatusListCache {
            max_age,
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
            lists: Mutex::new(HashMap::new()),
        }
    }

    /// Checks one `credentialStatus` entry of a credential `issuer` issued, at `now`. `fetch`
    /// is called (with the list URL) only on a cache miss or after expiry; its answer is
    /// verified (Data Integrity with a did:key issuer, at `now`) before it is cached. The list
    /// must come from the credential's own issuer, or anyone could publish a list that says
    /// "not revoked" (§3.2, validate algorithm).
    pub async fn check_entry<Fetch, Fetched>(
        &self,
        entry: &Value,
        issuer: &str,
        now: i64,
        fetch: Fetch,
    ) -> Result<(), BitstringError>
    where
        Fetch: FnOnce(String) -> Fetched,
        Fetched: Future<Output = Result<Value, String>>,
    {
        let entry = StatusEntry::parse(entry)?;
        let key = format!("{} {}", entry.purpose.as_str(), entry.list_credential);
        let cached = self
            .lists
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .filter(|cached| now - cached.fetched_at < self.max_age)
            .map(|cached| (cached.issuer.clone(), Arc::clone(&cached.list)));
        let (list_issuer, list) = match cached {
            Some(cached) => cached,
            None => {
                let fetched = fetch(entry.list_credential.clone())
                    .await
                    .map_err(BitstringError::Fetch)?;
                self.verify_and_keep(key, &entry, &fetched, now)?
            }
        };
        if list_issuer != issuer {
            return Err(BitstringError::ListMismatch(
                "the status list credential has another issuer than the credential",
            ));
        }
        check(&entry, &list)
    }

    /// Verifies a fetched list credential and caches it under `key`; its issuer and list.
    fn verify_and_keep(
        &self,
        key: String,
        entry: &StatusEntry,
        fetched: &Value,
        now: i64,
    ) -> Result<(String, Arc<BitstringStatusList>), BitstringError> {
        let options = VerifyOptions {
            now,
            challenge: None,
            domain: None,
            resolver: &DidKeyResolver,
        };
        let list = Arc::new(verified_list(
            entry,
            fetched,
            &options,
            self.max_decompressed,
        )?);
        let issuer = fetched
            .as_object()
            .and_then(|map| issuer_id(map).ok())
            .unwrap_or_default()
            .to_owned();
        let mut lists = self.lists.lock().unwrap_or_else(PoisonError::into_inner);
        if lists.len() >= MAX_CACHED_LISTS {
            lists.retain(|_, cached| now - cached.fetched_at < self.max_age);
            if lists.len() >= MAX_CACHED_LISTS {
                lists.clear();
            }
        }
        let cached = CachedList {
            fetched_at: now,
            issuer: issuer.clone(),
            list: Arc::clone(&list),
        };
        lists.insert(key, cached);
        Ok((issuer, list))
    }
}
