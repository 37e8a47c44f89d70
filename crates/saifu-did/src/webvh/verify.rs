//! Verifying a whole did:webvh log (did:webvh 1.0 "Read (Resolve)"): every entry's parameters,
//! proof, `versionId` chain, `versionTime`, SCID and pre-rotation commitments, in order. A log is
//! accepted only if every entry passes; a resolver never returns part of a broken log.

use serde_json::{Map, Value};

use super::entry::{DEFAULT_TTL, LogEntry, MAX_TTL, METHOD_VERSION, Parameters, WitnessConfig};
use super::error::WebvhError;
use super::hash::{is_scid, json_hash, key_hash};
use super::identifier::{SCID_PLACEHOLDER, WebvhDid};
use super::proof::{self, proof_key};
use super::witness;
use crate::datetime;
use crate::key;
use crate::syntax::Did;

/// Most entries a log may have before a resolver refuses the work.
pub const MAX_ENTRIES: usize = 10_000;
/// How far in the future a `versionTime` may be (did:webvh 1.0 suggests at most 5 minutes).
pub const CLOCK_SKEW_SECONDS: i64 = 300;

/// The parameters in force after an entry (defaults filled in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveParameters {
    /// The SCID.
    pub scid: String,
    /// Multikeys allowed to sign the next entry (without pre-rotation).
    pub update_keys: Vec<String>,
    /// Pre-rotation commitments for the next entry's `updateKeys`; empty when off.
    pub next_key_hashes: Vec<String>,
    /// Witness configuration (`{}` when off).
    pub witness: WitnessConfig,
    /// Watcher URLs.
    pub watchers: Vec<String>,
    /// Whether the DID may move.
    pub portable: bool,
    /// Whether the DID is deactivated.
    pub deactivated: bool,
    /// Cache guidance in seconds.
    pub ttl: u64,
}

/// One verified version of the DID.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    /// The version number (1-based).
    pub number: u64,
    /// `versionId`.
    pub version_id: String,
    /// `versionTime` as written.
    pub version_time: String,
    /// `versionTime` in Unix seconds.
    pub time: i64,
    /// The DID document of this version.
    pub state: Value,
    /// The parameters in force after this entry.
    pub parameters: ActiveParameters,
    /// The entry exactly as it was in the log (for the transparency log).
    pub entry: Value,
}

/// A log whose every entry verified.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedLog {
    /// The versions, oldest first (never empty).
    pub versions: Vec<Version>,
}

impl VerifiedLog {
    /// The latest version.
    pub fn latest(&self) -> &Version {
        self.versions
            .last()
            .unwrap_or_else(|| unreachable!("a verified log has at least one entry"))
    }

    /// The SCID of the DID.
    pub fn scid(&self) -> &str {
        &self.latest().parameters.scid
    }
}

/// Verifies `log` (JSON Lines) for `did`, or — with `did` `None`, as a host checking what it is
/// asked to publish — for the DID of its latest entry. `witness_file` is the parsed
/// `did-witness.json`, needed only when entries require witnessing; `now` is Unix seconds.
pub fn verify_log(
    did: Option<&Did>,
    log: &str,
    witness_file: Option<&Value>,
    now: i64,
) -> Result<VerifiedLog, WebvhError> {
    let lines: Vec<&str> = log.lines().filter(|line| !line.trim().is_empty()).collect();
    if lines.is_empty() {
        return Err(WebvhError::EmptyLog);
    }
    if lines.len() > MAX_ENTRIES {
        return Err(WebvhError::TooManyEntries(MAX_ENTRIES));
    }
    let mut versions: Vec<Version> = Vec::with_capacity(lines.len());
    let mut witnessing = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let raw: Value = serde_json::from_str(line).map_err(|e| malformed(index, &e))?;
        let entry: LogEntry =
            serde_json::from_value(raw.clone()).map_err(|e| malformed(index, &e))?;
        let version = check_entry(versions.last(), raw, entry, now)?;
        let previous_witness = versions.last().map(|v| v.parameters.witness.clone());
        witnessing.push(witness::required(
            previous_witness.as_ref(),
            &version.parameters.witness,
        ));
        versions.push(version);
    }
    let expected = match did {
        Some(did) => did.clone(),
        None => state_id(versions.last().unwrap_or_else(|| unreachable!("non-empty")))?,
    };
    let requested = WebvhDid::parse(&expected)?;
    let scid = versions[0].parameters.scid.clone();
    if requested.scid() != scid {
        return Err(WebvhError::ScidMismatch {
            version_id: versions[0].version_id.clone(),
            expected: scid,
            found: requested.scid().to_owned(),
        });
    }
    if !versions
        .iter()
        .any(|v| v.state.get("id").and_then(Value::as_str) == Some(expected.as_str()))
    {
        return Err(WebvhError::NotThisDid(expected.to_string()));
    }
    witness::check(&versions, &witnessing, witness_file, now)?;
    Ok(VerifiedLog { versions })
}

fn malformed(index: usize, error: &serde_json::Error) -> WebvhError {
    WebvhError::MalformedEntry {
        line: index + 1,
        reason: error.to_string(),
    }
}

/// Checks one entry against the verified entries before it (`previous` is the last of them).
fn check_entry(
    previous: Option<&Version>,
    raw: Value,
    entry: LogEntry,
    now: i64,
) -> Result<Version, WebvhError> {
    let number = previous.map_or(1, |p| p.number + 1);
    let version_id = entry.version_id.clone();
    let entry_hash = match version_id.split_once('-') {
        Some((n, hash)) if n == number.to_string() && !hash.contains('-') && is_scid(hash) => {
            hash.to_owned()
        }
        _ => {
            return Err(WebvhError::VersionId {
                number,
                found: version_id,
            });
        }
    };
    if previous.is_some_and(|p| p.parameters.deactivated) {
        return Err(WebvhError::AfterDeactivation { version: number });
    }
    let parameters = apply_parameters(previous.map(|p| &p.parameters), &entry.parameters, number)?;
    // "Authorized Keys": the first entry's own keys; later, the previous entry's keys, or — with
    // pre-rotation active — this entry's keys, each committed to by the previous entry.
    let authorized = match previous {
        None => parameters.update_keys.clone(),
        Some(p) if !p.parameters.next_key_hashes.is_empty() => {
            check_pre_rotation(&p.parameters, &entry.parameters, &version_id, number)?;
            parameters.update_keys.clone()
        }
        Some(p) => p.parameters.update_keys.clone(),
    };
    let map = raw
        .as_object()
        .unwrap_or_else(|| unreachable!("parsed as a log entry object"));
    check_proofs(map, &authorized, &version_id, now)?;
    let time = check_time(previous, &entry.version_time, &version_id, now)?;
    let mut unsigned = map.clone();
    unsigned.remove("proof");
    let predecessor = previous.map_or(parameters.scid.clone(), |p| p.version_id.clone());
    unsigned.insert("versionId".into(), predecessor.into());
    if json_hash(&Value::Object(unsigned.clone())).ok() != Some(entry_hash) {
        return Err(WebvhError::EntryHash { version_id });
    }
    if previous.is_none() {
        check_scid(unsigned, &parameters.scid)?;
    }
    check_state(previous, &entry.state, &parameters, &version_id)?;
    Ok(Version {
        number,
        version_id,
        version_time: entry.version_time,
        time,
        state: entry.state,
        parameters,
        entry: raw,
    })
}

/// The parameters in force after an entry: the previous ones overridden by what the entry sets,
/// each checked against the rules of did:webvh 1.0 "Parameters".
fn apply_parameters(
    previous: Option<&ActiveParameters>,
    set: &Parameters,
    version: u64,
) -> Result<ActiveParameters, WebvhError> {
    let invalid = |name, reason| WebvhError::InvalidParameter {
        version,
        name,
        reason,
    };
    match (&set.method, previous) {
        (Some(method), _) if method == METHOD_VERSION => {}
        (None, Some(_)) => {}
        (found, _) => {
            return Err(WebvhError::Method {
                version,
                found: found.clone(),
            });
        }
    }
    let mut active = match previous {
        None => {
            let scid = set.scid.clone().ok_or(WebvhError::MissingParameter {
                version,
                name: "scid",
            })?;
            if !is_scid(&scid) {
                return Err(invalid("scid", "not a base58btc SHA-256 multihash"));
            }
            ActiveParameters {
                scid,
                update_keys: Vec::new(),
                next_key_hashes: Vec::new(),
                witness: WitnessConfig::default(),
                watchers: Vec::new(),
                portable: set.portable.unwrap_or(false),
                deactivated: false,
                ttl: DEFAULT_TTL,
            }
        }
        Some(previous) => {
            if set.scid.is_some() {
                return Err(invalid("scid", "only the first entry sets the SCID"));
            }
            if set.portable == Some(true) {
                return Err(invalid("portable", "only the first entry may enable it"));
            }
            let mut active = previous.clone();
            if set.portable == Some(false) {
                active.portable = false;
            }
            active
        }
    };
    match (&set.update_keys, previous) {
        (Some(keys), _) => {
            for key in keys {
                saifu_crypto::PublicKey::from_multikey(key)
                    .map_err(|_| invalid("updateKeys", "holds a value that is not a Multikey"))?;
            }
            active.update_keys = keys.clone();
        }
        (None, None) => {
            return Err(WebvhError::MissingParameter {
                version,
                name: "updateKeys",
            });
        }
        (None, Some(_)) => {}
    }
    if previous.is_none() && active.update_keys.is_empty() {
        return Err(invalid(
            "updateKeys",
            "the first entry needs at least one key",
        ));
    }
    if let Some(hashes) = &set.next_key_hashes {
        active.next_key_hashes = hashes.clone();
    }
    if let Some(config) = &set.witness {
        witness::validate(config).map_err(|reason| invalid("witness", reason))?;
        active.witness = config.clone();
    }
    if let Some(watchers) = &set.watchers {
        active.watchers = watchers.clone();
    }
    if let Some(ttl) = set.ttl {
        if ttl > MAX_TTL {
            return Err(invalid("ttl", "above 2^31 seconds"));
        }
        active.ttl = ttl;
    }
    if let Some(deactivated) = set.deactivated {
        active.deactivated = deactivated;
    }
    Ok(active)
}

/// did:webvh 1.0 "Pre-Rotation Key Hash Generation and Verification": with commitments in the
/// previous entry, this entry must list its `updateKeys` explicitly (and new `nextKeyHashes`),
/// and every one of those keys must hash to a commitment.
fn check_pre_rotation(
    previous: &ActiveParameters,
    set: &Parameters,
    version_id: &str,
    version: u64,
) -> Result<(), WebvhError> {
    let keys = set
        .update_keys
        .as_ref()
        .ok_or(WebvhError::MissingParameter {
            version,
            name: "updateKeys",
        })?;
    if set.next_key_hashes.is_none() {
        return Err(WebvhError::MissingParameter {
            version,
            name: "nextKeyHashes",
        });
    }
    match keys
        .iter()
        .find(|key| !previous.next_key_hashes.contains(&key_hash(key)))
    {
        Some(key) => Err(WebvhError::KeyNotCommitted {
            version_id: version_id.to_owned(),
            key: key.clone(),
        }),
        None => Ok(()),
    }
}

/// Every proof must name an authorized key (checked first, so an unauthorized key costs no
/// signature work), then all must verify.
fn check_proofs(
    entry: &Map<String, Value>,
    authorized: &[String],
    version_id: &str,
    now: i64,
) -> Result<(), WebvhError> {
    let proofs: Vec<&Value> = match entry.get("proof") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    if proofs.is_empty() {
        return Err(WebvhError::MissingProof {
            version_id: version_id.to_owned(),
        });
    }
    for proof in &proofs {
        if !proof_key(proof).is_some_and(|key| authorized.iter().any(|k| k == key)) {
            return Err(WebvhError::UnauthorizedKey {
                version_id: version_id.to_owned(),
                method: proof
                    .get("verificationMethod")
                    .and_then(Value::as_str)
                    .unwrap_or("(none)")
                    .to_owned(),
            });
        }
    }
    proof::verify(entry, now).map_err(|source| WebvhError::Proof {
        version_id: version_id.to_owned(),
        source,
    })?;
    Ok(())
}

/// `versionTime`: UTC (`Z` or `+00:00`), strictly after the previous entry's, and not beyond
/// the clock-skew tolerance in the future.
fn check_time(
    previous: Option<&Version>,
    text: &str,
    version_id: &str,
    now: i64,
) -> Result<i64, WebvhError> {
    let refuse = |reason| WebvhError::VersionTime {
        version_id: version_id.to_owned(),
        reason,
    };
    if !(text.ends_with('Z') || text.ends_with("+00:00")) {
        return Err(refuse("is not a UTC timestamp"));
    }
    let time = datetime::parse(text).ok_or_else(|| refuse("is not an ISO 8601 timestamp"))?;
    if previous.is_some_and(|p| time <= p.time) {
        return Err(refuse("is not after the previous entry's"));
    }
    if time > now + CLOCK_SKEW_SECONDS {
        return Err(refuse("is in the future"));
    }
    Ok(time)
}

/// did:webvh 1.0 "Verify SCID": the first entry without proof, `versionId` set to `{SCID}` and
/// every occurrence of the SCID replaced by the placeholder, hashes to the SCID.
fn check_scid(mut unsigned: Map<String, Value>, scid: &str) -> Result<(), WebvhError> {
    unsigned.insert("versionId".into(), SCID_PLACEHOLDER.into());
    let text = serde_json::to_string(&unsigned)
        .unwrap_or_else(|e| unreachable!("JSON values serialize: {e}"))
        .replace(scid, SCID_PLACEHOLDER);
    let preliminary: Value = serde_json::from_str(&text).map_err(|_| WebvhError::ScidHash {
        scid: scid.to_owned(),
    })?;
    if json_hash(&preliminary).ok().as_deref() != Some(scid) {
        return Err(WebvhError::ScidHash {
            scid: scid.to_owned(),
        });
    }
    Ok(())
}

/// `state` is a DID document whose `id` is a did:webvh DID with the log's SCID; it may change
/// location only when the DID is portable, naming the previous DID in `alsoKnownAs`.
fn check_state(
    previous: Option<&Version>,
    state: &Value,
    parameters: &ActiveParameters,
    version_id: &str,
) -> Result<(), WebvhError> {
    let bad_state = |reason: String| WebvhError::State {
        version_id: version_id.to_owned(),
        reason,
    };
    let id: Did = state
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| bad_state("no `id`".into()))?
        .parse()
        .map_err(|e| bad_state(format!("{e}")))?;
    let parsed = WebvhDid::parse(&id).map_err(|e| bad_state(e.to_string()))?;
    if parsed.scid() != parameters.scid {
        return Err(WebvhError::ScidMismatch {
            version_id: version_id.to_owned(),
            expected: parameters.scid.clone(),
            found: parsed.scid().to_owned(),
        });
    }
    let Some(previous) = previous else {
        return Ok(());
    };
    let before = previous.state.get("id").and_then(Value::as_str);
    if before != Some(id.as_str()) {
        let also_known_as = state
            .get("alsoKnownAs")
            .and_then(Value::as_array)
            .is_some_and(|aka| aka.iter().any(|a| a.as_str() == before));
        if !previous.parameters.portable || !also_known_as {
            return Err(WebvhError::Moved {
                version_id: version_id.to_owned(),
                to: id.to_string(),
            });
        }
    }
    Ok(())
}

/// The `state.id` of a verified version.
fn state_id(version: &Version) -> Result<Did, WebvhError> {
    version
        .state
        .get("id")
        .and_then(Value::as_str)
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| WebvhError::State {
            version_id: version.version_id.clone(),
            reason: "no `id`".into(),
        })
}

/// Whether `did` is a did:key whose key could sign eddsa-jcs-2022 (witness ids).
pub(super) fn is_ed25519_did_key(did: &str) -> bool {
    did.parse::<Did>()
        .ok()
        .and_then(|did| key::public_key(&did).ok())
        .is_some_and(|key| key.key_type() == saifu_crypto::KeyType::Ed25519)
}
