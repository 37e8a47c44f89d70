//! Making log entries as a controller does, on the controller's machine with its own update key
//! (did:webvh 1.0 "Create (Register)", "Update (Rotate)", "Deactivate (Revoke)").

use saifu_crypto::{PublicKey, Signer};
use serde_json::{Value, json};

use super::entry::{METHOD_VERSION, Parameters};
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
/// SCID goes (the DID in `state`; `scid` and `method` are set here), hashed to the SCID, the
/// placeholder replaced, hashed again for the entry hash, and signed by `signer`, which must be
/// one of the `updateKeys`. Returns the entry as JSON, ready to publish as one line.
pub async fn create(
    state: Value,
    parameters: &Parameters,
    version_time: &str,
    signer: &dyn Signer,
) -> Result<Value, BuildError> {
    create_json(state, to_json(parameters), version_time, signer).await
}

/// [`create`] with the parameters as JSON, written exactly as given (apart from `method` and
/// `scid`) — e.g. with the `null` values of early implementations, which resolvers must accept.
pub async fn create_json(
    state: Value,
    mut parameters: Value,
    version_time: &str,
    signer: &dyn Signer,
) -> Result<Value, BuildError> {
    if let Some(map) = parameters.as_object_mut() {
        map.insert("method".into(), METHOD_VERSION.into());
        map.insert("scid".into(), SCID_PLACEHOLDER.into());
    }
    let keys: Vec<String> = parameters
        .get("updateKeys")
        .and_then(Value::as_array)
        .map(|keys| {
            keys.iter()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    check_signer(signer, &keys)?;
    let preliminary = json!({
        "versionId": SCID_PLACEHOLDER,
        "versionTime": version_time,
        "parameters": parameters,
        "state": state,
    });
    let scid = json_hash(&preliminary).map_err(proof_error)?;
    let text = serde_json::to_string(&preliminary)
        .unwrap_or_else(|e| unreachable!("JSON values serialize: {e}"))
        .replace(SCID_PLACEHOLDER, &scid);
    let entry: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| unreachable!("a SCID replacement keeps the JSON valid: {e}"));
    // After the replacement `versionId` holds the SCID: the first entry's predecessor value.
    finish(entry, 1, version_time, signer).await
}

/// The entry after the latest of `log`: `state` is the new document, `parameters` only what
/// changes. With pre-rotation active, `parameters` must list the new `updateKeys` (committed to
/// by the previous entry) and new `nextKeyHashes`, and `signer` must be one of those keys;
/// otherwise `signer` must be one of the previous `updateKeys`.
pub async fn update(
    log: &VerifiedLog,
    state: Value,
    parameters: &Parameters,
    version_time: &str,
    signer: &dyn Signer,
) -> Result<Value, BuildError> {
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
    let entry = json!({
        "versionId": latest.version_id,
        "versionTime": version_time,
        "parameters": to_json(parameters),
        "state": state,
    });
    finish(entry, latest.number + 1, version_time, signer).await
}

/// An entry deactivating the DID: `deactivated: true` and no update keys left, so nothing can
/// follow. With pre-rotation active, the controller signs with its committed next key, which
/// this entry reveals and retires at once.
pub async fn deactivate(
    log: &VerifiedLog,
    version_time: &str,
    signer: &dyn Signer,
) -> Result<Value, BuildError> {
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
    update(log, latest.state.clone(), &parameters, version_time, signer).await
}

/// Sets the `versionId` of `entry` (which holds its predecessor's) and signs it.
async fn finish(
    mut entry: Value,
    number: u64,
    version_time: &str,
    signer: &dyn Signer,
) -> Result<Value, BuildError> {
    let entry_hash = json_hash(&entry).map_err(proof_error)?;
    entry["versionId"] = format!("{number}-{entry_hash}").into();
    let proof = proof::sign(&entry, signer, version_time).await?;
    entry["proof"] = Value::Array(vec![proof]);
    Ok(entry)
}

fn check_signer(signer: &dyn Signer, authorized: &[String]) -> Result<(), BuildError> {
    let multikey = signer.public_key().to_multikey();
    if authorized.contains(&multikey) {
        Ok(())
    } else {
        Err(BuildError::SignerNotAuthorized(multikey))
    }
}

/// Parameters as JSON (never with `null`: unset parameters are omitted).
fn to_json(parameters: &Parameters) -> Value {
    serde_json::to_value(parameters).unwrap_or_else(|e| unreachable!("parameters serialize: {e}"))
}

fn proof_error(error: crate::data_integrity::JcsError) -> BuildError {
    BuildError::Proof(WebvhProofError::JsonLd(error))
}
