//! did:webvh 1.0 "DID Witnesses": validating the `witness` parameter and checking that every
//! entry that needs it has a threshold of distinct witness approvals in `did-witness.json`.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::entry::WitnessConfig;
use super::error::WebvhError;
use super::proof;
use super::verify::{Version, is_ed25519_did_key};

/// Checks a `witness` parameter: `{}`, or a threshold between 1 and the number of distinct
/// did:key (Ed25519) witnesses.
pub(super) fn validate(config: &WitnessConfig) -> Result<(), &'static str> {
    if !config.is_active() {
        return Ok(());
    }
    let (Some(threshold), Some(witnesses)) = (config.threshold, &config.witnesses) else {
        return Err("needs both `threshold` and `witnesses`");
    };
    let ids: HashSet<&str> = witnesses.iter().map(|w| w.id.as_str()).collect();
    if ids.len() != witnesses.len() {
        return Err("lists a witness twice");
    }
    if threshold < 1 || threshold > ids.len() as u64 {
        return Err("threshold must be between 1 and the number of witnesses");
    }
    if !ids.iter().all(|id| is_ed25519_did_key(id)) {
        return Err("witnesses must be Ed25519 did:key DIDs");
    }
    Ok(())
}

/// The witness configuration an entry must satisfy, if any: the one active before it, or —
/// when witnessing is switched on from `{}` — its own, which takes effect immediately.
pub(super) fn required(
    previous: Option<&WitnessConfig>,
    current: &WitnessConfig,
) -> Option<WitnessConfig> {
    match previous {
        Some(before) if before.is_active() => Some(before.clone()),
        _ if current.is_active() => Some(current.clone()),
        _ => None,
    }
}

/// Checks the approvals in `file` (`did-witness.json`) for every entry that needs them. An
/// approval of a later entry approves the earlier ones too; proofs for unknown versions and
/// proofs by keys that are not listed witnesses are ignored.
pub(super) fn check(
    versions: &[Version],
    required: &[Option<WitnessConfig>],
    file: Option<&Value>,
    now: i64,
) -> Result<(), WebvhError> {
    let Some(first) = required.iter().position(Option::is_some) else {
        return Ok(());
    };
    let approvals = approvals(versions, file, now);
    for (index, config) in required.iter().enumerate().skip(first) {
        let Some(config) = config else { continue };
        let listed: HashSet<&str> = config
            .witnesses
            .iter()
            .flatten()
            .map(|w| w.id.as_str())
            .collect();
        let approving: HashSet<&str> = approvals[index..]
            .iter()
            .flatten()
            .map(String::as_str)
            .filter(|id| listed.contains(id))
            .collect();
        let threshold = config.threshold.unwrap_or(1);
        if (approving.len() as u64) < threshold {
            return Err(WebvhError::NotWitnessed {
                version_id: versions[index].version_id.clone(),
                approvals: approving.len(),
                threshold,
            });
        }
    }
    Ok(())
}

/// For each version, the witness DIDs whose proof over `{"versionId": …}` verifies.
fn approvals(versions: &[Version], file: Option<&Value>, now: i64) -> Vec<HashSet<String>> {
    let mut found = vec![HashSet::new(); versions.len()];
    let records = file.and_then(Value::as_array).into_iter().flatten();
    for record in records {
        let Some(version_id) = record.get("versionId").and_then(Value::as_str) else {
            continue;
        };
        let Some(index) = versions.iter().position(|v| v.version_id == version_id) else {
            continue;
        };
        let proofs = match record.get("proof") {
            Some(Value::Array(items)) => items.clone(),
            Some(one @ Value::Object(_)) => vec![one.clone()],
            _ => continue,
        };
        for one in proofs {
            let Some(key) = proof::proof_key(&one).map(str::to_owned) else {
                continue;
            };
            let mut document = Map::new();
            document.insert("versionId".into(), version_id.into());
            document.insert("proof".into(), one);
            if proof::verify(&document, now).is_ok() {
                found[index].insert(format!("did:key:{key}"));
            }
        }
    }
    found
}
