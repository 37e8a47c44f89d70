//! Adding a proof to a document and verifying every proof of a document, including proof sets
//! (several independent proofs) and proof chains (`previousProof`).

use saifu_crypto::multikey::{decode_multibase, encode_multibase};
use saifu_crypto::{PublicKey, Signer};
use serde_json::{Map, Value};

use super::{MethodLookup, PROOF_TYPE, ProofError, ProofOptions, Suite};
use crate::datetime;
use crate::syntax::Did;

/// Adds a proof to `document` (which may already carry proofs: the new one joins the set).
/// The signer's algorithm must be the cryptosuite's.
pub async fn add_proof<S: Suite>(
    document: &Value,
    options: &ProofOptions<S>,
    signer: &dyn Signer,
) -> Result<Value, ProofError<S::Error>> {
    let suite = options.cryptosuite;
    if signer.algorithm() != suite.algorithm() {
        return Err(ProofError::Signing(format!(
            "{} needs {} keys, the signer uses {}",
            suite.name(),
            suite.algorithm(),
            signer.algorithm()
        )));
    }
    let map = document
        .as_object()
        .ok_or(ProofError::Malformed("document must be an object"))?;
    let existing = proofs_of(map)?;
    let proof = options.to_proof();
    let unsecured = unsecured_document(map, &proof, &existing)?;
    let config = proof_config(&proof, &unsecured);
    let hash_data = suite
        .hash_data(&unsecured, &config)
        .map_err(ProofError::JsonLd)?;
    let signature = signer.sign(&hash_data.to_bytes()).await?;
    let mut proof = proof;
    if suite.proof_carries_context()
        && let Some(context) = unsecured.get("@context")
    {
        proof.insert("@context".into(), context.clone());
    }
    proof.insert("proofValue".into(), encode_multibase(&signature).into());
    let mut all: Vec<Value> = existing
        .into_iter()
        .map(|p| Value::Object(p.clone()))
        .collect();
    all.push(Value::Object(proof));
    let mut secured = map.clone();
    secured.insert(
        "proof".into(),
        if all.len() == 1 {
            all.remove(0)
        } else {
            Value::Array(all)
        },
    );
    Ok(Value::Object(secured))
}

/// What a verifier requires of every proof.
#[derive(Debug, Clone, Copy)]
pub struct ProofExpectations<'a> {
    /// The required `proofPurpose`.
    pub purpose: &'a str,
    /// The `challenge` the verifier issued, if any; then every proof must carry it.
    pub challenge: Option<&'a str>,
    /// The `domain` the verifier expects, if any.
    pub domain: Option<&'a str>,
    /// The verification time, Unix seconds (for `expires`).
    pub now: i64,
}

/// A proof that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedProof<S> {
    /// Its cryptosuite.
    pub cryptosuite: S,
    /// Its verification method.
    pub verification_method: String,
    /// Its `id`, if it has one.
    pub id: Option<String>,
}

/// Verifies every proof of `document` (a proof set succeeds only if each member does), finding
/// keys with `lookup` (verification method, proof purpose).
pub fn verify_proofs<S: Suite>(
    document: &Value,
    expect: &ProofExpectations<'_>,
    lookup: &MethodLookup<'_, S::Error>,
) -> Result<Vec<VerifiedProof<S>>, ProofError<S::Error>> {
    let map = document
        .as_object()
        .ok_or(ProofError::Malformed("document must be an object"))?;
    let proofs = proofs_of(map)?;
    if proofs.is_empty() {
        return Err(ProofError::MissingProof);
    }
    proofs
        .iter()
        .map(|proof| verify_proof(map, proof, &proofs, expect, lookup))
        .collect()
}

/// Verifies one `proof` of `document`, whose proof set is `all`.
pub fn verify_proof<S: Suite>(
    document: &Map<String, Value>,
    proof: &Map<String, Value>,
    all: &[&Map<String, Value>],
    expect: &ProofExpectations<'_>,
    lookup: &MethodLookup<'_, S::Error>,
) -> Result<VerifiedProof<S>, ProofError<S::Error>> {
    let text = |name: &'static str| proof.get(name).and_then(Value::as_str);
    if text("type") != Some(PROOF_TYPE) {
        return Err(ProofError::UnsupportedCryptosuite(
            text("type").unwrap_or("(no type)").to_owned(),
        ));
    }
    let suite_name = text("cryptosuite").ok_or(ProofError::Malformed("no `cryptosuite`"))?;
    let suite = S::from_name(suite_name)
        .ok_or_else(|| ProofError::UnsupportedCryptosuite(suite_name.to_owned()))?;
    let purpose = text("proofPurpose").ok_or(ProofError::Malformed("no `proofPurpose`"))?;
    if purpose != expect.purpose {
        return Err(ProofError::WrongProofPurpose {
            expected: expect.purpose.to_owned(),
            found: purpose.to_owned(),
        });
    }
    if expect
        .challenge
        .is_some_and(|c| text("challenge") != Some(c))
    {
        return Err(ProofError::ChallengeMismatch);
    }
    // Data Integrity §2.1: `domain` is a string or an unordered set of strings.
    if let Some(domain) = expect.domain {
        let matches = match proof.get("domain") {
            Some(Value::String(d)) => d == domain,
            Some(Value::Array(ds)) => ds.iter().any(|d| d.as_str() == Some(domain)),
            _ => false,
        };
        if !matches {
            return Err(ProofError::DomainMismatch);
        }
    }
    if let Some(created) = proof.get("created") {
        created
            .as_str()
            .and_then(datetime::parse)
            .ok_or(ProofError::Malformed("`created` is not a dateTimeStamp"))?;
    }
    if let Some(expires) = proof.get("expires") {
        match expires.as_str().and_then(datetime::parse) {
            Some(at) if expect.now <= at => {}
            _ => return Err(ProofError::ProofExpired),
        }
    }
    let signature = decode_proof_value(proof.get("proofValue"), suite.name())?;
    let method =
        text("verificationMethod").ok_or(ProofError::Malformed("no `verificationMethod`"))?;
    let key = lookup(method, purpose)?;
    if key.key_type() != suite.key_type() {
        return Err(ProofError::VerificationMethod {
            method: method.to_owned(),
            reason: format!("{} key cannot verify {}", key.key_type(), suite.name()),
        });
    }
    let mut options = proof.clone();
    options.remove("proofValue");
    let mut unsecured = unsecured_document(document, &options, all)?;
    // vc-di-eddsa §3.3.2 step 2: a proof `@context` must be a prefix of the document's and then
    // replaces it in the unsecured document.
    if let Some(proof_context) = options.get("@context") {
        if !context_is_prefix(proof_context, document.get("@context")) {
            return Err(ProofError::ContextMismatch);
        }
        if let Value::Object(u) = &mut unsecured {
            u.insert("@context".into(), proof_context.clone());
        }
    }
    let config = proof_config(&options, &unsecured);
    let hash_data = suite
        .hash_data(&unsecured, &config)
        .map_err(ProofError::JsonLd)?;
    key.verify(suite.algorithm(), &hash_data.to_bytes(), &signature)
        .map_err(|_| ProofError::InvalidSignature)?;
    Ok(VerifiedProof {
        cryptosuite: suite,
        verification_method: method.to_owned(),
        id: text("id").map(str::to_owned),
    })
}

/// The key of a `did:key` verification method, resolved offline: `did:key:<mb>#<mb>` with the
/// fragment byte-equal to the body (did:key §3.1.2; did:webvh 1.0 "Witness DIDs"), so a proof
/// cannot name one key and be checked with another. A did:key document lists its one key under
/// every relationship, so any purpose is authorized.
pub fn did_key_method<C>(method: &str) -> Result<PublicKey, ProofError<C>> {
    let refuse = |reason: String| ProofError::VerificationMethod {
        method: method.to_owned(),
        reason,
    };
    let (did, fragment) = method
        .split_once('#')
        .ok_or_else(|| refuse("must be a DID URL with a fragment".into()))?;
    let did: Did = did.parse().map_err(|e| refuse(format!("{e}")))?;
    if did.method() != crate::key::METHOD {
        return Err(refuse("only did:key is resolved offline".into()));
    }
    if fragment != did.method_specific_id() {
        return Err(refuse("fragment is not the key's multibase value".into()));
    }
    crate::key::public_key(&did).map_err(|e| refuse(e.to_string()))
}

/// The proofs of a document, whether `proof` is one object or an array.
pub fn proofs_of<C>(
    document: &Map<String, Value>,
) -> Result<Vec<&Map<String, Value>>, ProofError<C>> {
    let proofs = match document.get("proof") {
        None => return Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
    };
    proofs
        .into_iter()
        .map(|p| {
            p.as_object()
                .ok_or(ProofError::Malformed("a proof must be an object"))
        })
        .collect()
}

/// The document a proof signs: without `proof`, or — for a chained proof — with exactly the
/// proofs its `previousProof` names (Data Integrity §4.2 step 4 / §4.3 step 4).
fn unsecured_document<C>(
    document: &Map<String, Value>,
    proof: &Map<String, Value>,
    all: &[&Map<String, Value>],
) -> Result<Value, ProofError<C>> {
    let mut unsecured = document.clone();
    unsecured.remove("proof");
    let previous: Vec<&str> = match proof.get("previousProof") {
        None => Vec::new(),
        Some(Value::String(id)) => vec![id.as_str()],
        Some(Value::Array(ids)) => ids
            .iter()
            .map(|id| {
                id.as_str()
                    .ok_or(ProofError::Malformed("`previousProof` ids are strings"))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(ProofError::Malformed(
                "`previousProof` is a string or array",
            ));
        }
    };
    if !previous.is_empty() {
        if let Some(missing) = previous.iter().find(|id| {
            !all.iter()
                .any(|p| p.get("id").and_then(Value::as_str) == Some(**id))
        }) {
            return Err(ProofError::UnknownPreviousProof((*missing).to_owned()));
        }
        let matching: Vec<Value> = all
            .iter()
            .filter(|p| {
                p.get("id")
                    .and_then(Value::as_str)
                    .is_some_and(|id| previous.contains(&id))
            })
            .map(|p| Value::Object((*p).clone()))
            .collect();
        unsecured.insert("proof".into(), Value::Array(matching));
    }
    Ok(Value::Object(unsecured))
}

/// The proof configuration: the proof options with the unsecured document's `@context`
/// (vc-di-eddsa §3.3.5 step 5 / §3.4.5; ecdsa-rdfc-2019 §3.2.5).
fn proof_config(options: &Map<String, Value>, unsecured: &Value) -> Value {
    let mut config = options.clone();
    if let Some(context) = unsecured.get("@context") {
        config.insert("@context".into(), context.clone());
    }
    Value::Object(config)
}

fn context_is_prefix(prefix: &Value, context: Option<&Value>) -> bool {
    let as_slice = |v: &Value| match v {
        Value::Array(items) => items.clone(),
        one => vec![one.clone()],
    };
    let Some(context) = context else {
        return false;
    };
    let (prefix, context) = (as_slice(prefix), as_slice(context));
    context.starts_with(&prefix)
}

/// `proofValue` is multibase base58btc (`z…`) of the raw 64-byte signature
/// (vc-di-eddsa §3.3.2 step 1, ecdsa-rdfc-2019 §3.2.2).
fn decode_proof_value<C>(value: Option<&Value>, suite: &str) -> Result<Vec<u8>, ProofError<C>> {
    let text = value
        .and_then(Value::as_str)
        .ok_or(ProofError::MalformedMultibase(
            "`proofValue` is missing".into(),
        ))?;
    let bytes =
        decode_multibase(text).map_err(|e| ProofError::MalformedMultibase(e.to_string()))?;
    if bytes.len() != 64 {
        return Err(ProofError::MalformedMultibase(format!(
            "{suite} signatures are 64 bytes, got {}",
            bytes.len()
        )));
    }
    Ok(bytes)
}
