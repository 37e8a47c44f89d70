//! The Data Integrity proofs of did:webvh 1.0 ("Authorized Keys"): eddsa-jcs-2022 only,
//! `proofPurpose` `assertionMethod`, and a `did:key:<mk>#<mk>` verification method whose
//! Multikey `<mk>` is one of the authorized keys, checked before any signature work.

use saifu_crypto::Signer;
use serde_json::{Map, Value};

use crate::data_integrity::{
    self, ASSERTION_METHOD, EddsaJcs2022, JcsError, ProofError, ProofExpectations, ProofOptions,
};

/// A did:webvh proof problem.
pub type WebvhProofError = ProofError<JcsError>;

/// The `did:key` verification method of an Ed25519 Multikey.
pub fn key_method(multikey: &str) -> String {
    format!("did:key:{multikey}#{multikey}")
}

/// Signs `document` (which must carry no `proof`) with `signer`, whose Multikey must be an
/// authorized key; returns the proof object, `created` set to `created`.
pub async fn sign(
    document: &Value,
    signer: &dyn Signer,
    created: &str,
) -> Result<Value, WebvhProofError> {
    let multikey = signer.public_key().to_multikey();
    let mut options = ProofOptions::new(EddsaJcs2022, key_method(&multikey), ASSERTION_METHOD);
    options.created = Some(created.to_owned());
    let mut secured = data_integrity::add_proof(document, &options, signer).await?;
    secured
        .as_object_mut()
        .and_then(|map| map.remove("proof"))
        .ok_or(ProofError::Malformed("the signed document has no proof"))
}

/// The Multikey a proof's `verificationMethod` names, when it has the `did:key:<mk>#<mk>` form.
pub fn proof_key(proof: &Value) -> Option<&str> {
    let method = proof.get("verificationMethod")?.as_str()?;
    let (did, fragment) = method.split_once('#')?;
    (did.strip_prefix("did:key:")? == fragment).then_some(fragment)
}

/// Verifies every proof of `document` (non-empty, all valid, eddsa-jcs-2022, assertionMethod)
/// and returns the Multikeys that signed. Authorization (is the key allowed?) is the caller's.
pub fn verify(document: &Map<String, Value>, now: i64) -> Result<Vec<String>, WebvhProofError> {
    let expect = ProofExpectations {
        purpose: ASSERTION_METHOD,
        challenge: None,
        domain: None,
        now,
    };
    let verified = data_integrity::verify_proofs::<EddsaJcs2022>(
        &Value::Object(document.clone()),
        &expect,
        &|method, _purpose| data_integrity::did_key_method(method),
    )?;
    Ok(verified
        .into_iter()
        .filter_map(|proof| {
            proof
                .verification_method
                .split_once('#')
                .map(|(_, key)| key.to_owned())
        })
        .collect())
}
