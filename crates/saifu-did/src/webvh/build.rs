//! Making log entries as a controller does, on the controller's machine with its own update key
//! (did:webvh 1.0 "Create (Register)", "Update (Rotate)", "Deactivate (Revoke)").

use saifu_crypto::{PublicKey, Signer};
use serde_json::{Value, json};

use super::entry::{LogEntry, METHOD_VERSION, Parameters};
use super::hash::json_hash;
use super::identifier::SCID_PLACEHOLDER;
use super::proof::{self, WebvhProofError};
use super::verify::VerifiedLog;
use crate::document::{DID_CONTEXT_V1, MULTIKEY_CONTEXT_V1, Relationship};

/// Why an entry could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// The entry could not be hashed or signed.
    #[error(transparent)]
    Proof(#[from] WebvhProofError),
    /// The signer's key is not one the entry authorizes.
    #[error("the signing key {0} is not an authorized update key of this entry")]
    SignerNotAuthorized(String),
    /// The DID is deactivated; nothing may follow.
    #[error("the DID is deactivated")]
    Deactivated,
}

/// A DID document for `did` (which may hold the `{SCID}` placeholder) with one Multikey method
/// per key, its fragment the Multikey itself (as the DIF implementations write them), listed
/// under the relationships its key type allows.
pub fn document(did: &str, keys: &[PublicKey]) -> Value {
    let mut document = json!({
        "@context": [DID_CONTEXT_V1, MULTIKEY_CONTEXT_V1],
        "id": did,
    });
    for key in keys {
        add_key(&mut document, key);
    }
    document
}

/// Adds `key` to `document` (a no-op if a method with its id is already there).
pub fn add_key(document: &mut Value, key: &PublicKey) {
    let Some(map) = document.as_object_mut() else {
        return;
    };
    let did = map.get("id").and_then(Value::as_str).unwrap_or_default();
    let multikey = key.to_multikey();
    let id = format!("{did}#{multikey}");
    let method = json!({
        "id": id,
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": multikey,
    });
    let methods = map
        .entry("verificationMethod")
        .or_insert_with(|| Value::Array(Vec::new()));
    let Some(methods) = methods.as_array_mut() else {
        return;
    };
    if methods
        .iter()
        .any(|m| m.get("id").and_then(Value::as_str) == Some(&id))
    {
        return;
    }
    methods.push(method);
    for relationship in Relationship::for_key_type(key.key_type()) {
        if let Some(list) = map
            .entry(relationship.name())
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
        {
            list.push(Value::String(id.clone()));
        }
    }
}

/// Removes the verification method whose key is `multikey`, and its references.
pub fn remove_key(document: &mut Value, multikey: &str) {
    let Some(map) = document.as_object_mut() else {
        return;
    };
    let did = map.get("id").and_then(Value::as_str).unwrap_or_default();
    let id = format!("{did}#{multikey}");
    for (name, value) in map.iter_mut() {
        if let Some(list) = value.as_array_mut() {
            list.retain(|item| {
                let named = item
                    .as_str()
                    .or_else(|| item.get("id").and_then(Value::as_str));
                !(named == Some(id.as_str())
                    || (name == "verificationMethod"
                        && item.get("publicKeyMultibase").and_then(Value::as_str)
                            == Some(multikey)))
            });
        }
    }
}

/// The first entry: `state` and `parameters` written with the `{SCID}` placeholder wherever the
/// SCID goes (the DID in `state`, and `scid` — set here), hashed to the SCID, the placeholder
/// replaced, hashed again for the entry hash, and signed by `signer`, which must be one of the
/// `updateKeys`.
pub async fn create(
    state: Value,
    mut parameters: Parameters,
    version_time: &str,
    signer: &dyn Signer,
) -> Result<LogEntry, BuildError> {
    parameters.method = Some(METHOD_VERSION.to_owned());
    parameters.scid = Some(SCID_PLACEHOLDER.to_owned());
    check_signer(
        signer,
        parameters.update_keys.as_deref().unwrap_or_default(),
    )?;
    let preliminary = LogEntry {
        version_id: SCID_PLACEHOLDER.to_owned(),
        version_time: version_time.to_owned(),
        parameters,
        state,
        proof: Vec::new(),
    };
    let scid = json_hash(&unsigned(&preliminary)).map_err(proof_error)?;
    let text = serde_json::to_string(&preliminary)
        .unwrap_or_else(|e| unreachable!("log entries serialize: {e}"))
        .replace(SCID_PLACEHOLDER, &scid);
    let mut entry: LogEntry = serde_json::from_str(&text)
        .unwrap_or_else(|e| unreachable!("a SCID replacement keeps the entry valid: {e}"));
    // After the replacement `versionId` holds the SCID: the first entry's predecessor value.
    finish(&mut entry, 1, version_time, signer).await?;
    Ok(entry)
}

/// The entry after the latest of `log`: `state` is the new document, `parameters` only what
/// changes. With pre-rotation active, `parameters` must list the new `updateKeys` (committed to
/// by the previous entry) and new `nextKeyHashes`, and `signer` must be one of those keys;
/// otherwise `signer` must be one of the previous `updateKeys`.
pub async fn update(
    log: &VerifiedLog,
    state: Value,
    parameters: Parameters,
    version_time: &str,
    signer: &dyn Signer,
) -> Result<LogEntry, BuildError> {
    let latest = log.latest();
    if latest.parameters.deactivated {
        return Err(BuildError::Deactivated);
    }
    let authorized = if latest.parameters.next_key_hashes.is_empty() {
        latest.parameters.update_keys.clone()
    } else {
        parameters.update_keys.clone().unwrap_or_default()
    };
    check_signer(signer, &authorized)?;
    let mut entry = LogEntry {
        version_id: latest.version_id.clone(),
        version_time: version_time.to_owned(),
        parameters,
        state,
        proof: Vec::new(),
    };
    finish(&mut entry, latest.number + 1, version_time, signer).await?;
    Ok(entry)
}

/// An entry deactivating the DID: `deactivated: true` and no update keys left, so nothing can
/// follow. With pre-rotation active, the controller signs with its committed next key, which
/// this entry reveals and retires at once.
pub async fn deactivate(
    log: &VerifiedLog,
    version_time: &str,
    signer: &dyn Signer,
) -> Result<LogEntry, BuildError> {
    let latest = log.latest();
    let mut parameters = Parameters {
        deactivated: Some(true),
        update_keys: Some(Vec::new()),
        ..Parameters::default()
    };
    if !latest.parameters.next_key_hashes.is_empty() {
        parameters.update_keys = Some(vec![signer.public_key().to_multikey()]);
        parameters.next_key_hashes = Some(Vec::new());
    }
    update(log, latest.state.clone(), parameters, version_time, signer).await
}

/// Sets the `versionId` of `entry` (whose `versionId` holds its predecessor's) and signs it.
async fn finish(
    entry: &mut LogEntry,
    number: u64,
    version_time: &str,
    signer: &dyn Signer,
) -> Result<(), BuildError> {
    let entry_hash = json_hash(&unsigned(entry)).map_err(proof_error)?;
    entry.version_id = format!("{number}-{entry_hash}");
    let proof = proof::sign(&unsigned(entry), signer, version_time).await?;
    entry.proof = vec![proof];
    Ok(())
}

fn check_signer(signer: &dyn Signer, authorized: &[String]) -> Result<(), BuildError> {
    let multikey = signer.public_key().to_multikey();
    if authorized.contains(&multikey) {
        Ok(())
    } else {
        Err(BuildError::SignerNotAuthorized(multikey))
    }
}

/// The entry as JSON without `proof`.
fn unsigned(entry: &LogEntry) -> Value {
    let mut value = entry.to_value();
    if let Some(map) = value.as_object_mut() {
        map.remove("proof");
    }
    value
}

fn proof_error(error: crate::data_integrity::JcsError) -> BuildError {
    BuildError::Proof(WebvhProofError::JsonLd(error))
}
