//! W3C Data Integrity 1.0 proofs: add a proof to a document, verify every proof of a document,
//! including proof sets (several independent proofs) and proof chains (`previousProof`).
//!
//! The cryptosuite-specific bytes come from [`suite`]; keys come from a [`MethodResolver`].

pub mod method;
pub mod suite;

use saifu_crypto::Signer;
use saifu_crypto::multikey::decode_multibase;
use serde_json::{Map, Value};

pub use method::{DidKeyResolver, MethodResolver};
pub use suite::{Cryptosuite, HashData};

use super::{ProofError, datetime};

/// The proof `type` of every Data Integrity cryptosuite proof (Data Integrity §3.1).
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The purpose of an issuer's proof on a credential.
pub const ASSERTION_METHOD: &str = "assertionMethod";
/// The purpose of a holder's proof on a presentation.
pub const AUTHENTICATION: &str = "authentication";

/// The options of a new proof (Data Integrity §2.1): everything in the proof except `proofValue`.
#[derive(Debug, Clone)]
pub struct ProofOptions {
    /// The cryptosuite.
    pub cryptosuite: Cryptosuite,
    /// The DID URL of the signing key.
    pub verification_method: String,
    /// `assertionMethod` for credentials, `authentication` for presentations.
    pub proof_purpose: String,
    /// `created` (dateTimeStamp); omitted when `None`.
    pub created: Option<String>,
    /// `expires` (dateTimeStamp).
    pub expires: Option<String>,
    /// `challenge` a verifier gave the holder, against replay.
    pub challenge: Option<String>,
    /// `domain` the presentation is meant for.
    pub domain: Option<String>,
    /// The proof's own `id`, needed when a later proof chains to it.
    pub id: Option<String>,
    /// `previousProof`: the id (string) or ids (array) of the proofs this one chains to.
    pub previous_proof: Option<Value>,
}

impl ProofOptions {
    /// Options with only the required members.
    pub fn new(
        cryptosuite: Cryptosuite,
        verification_method: impl Into<String>,
        proof_purpose: impl Into<String>,
    ) -> Self {
        ProofOptions {
            cryptosuite,
            verification_method: verification_method.into(),
            proof_purpose: proof_purpose.into(),
            created: None,
            expires: None,
            challenge: None,
            domain: None,
            id: None,
            previous_proof: None,
        }
    }

    /// The proof object without `proofValue`, members in the order the specifications show.
    pub fn to_proof(&self) -> Map<String, Value> {
        let mut proof = Map::new();
        proof.insert("type".into(), PROOF_TYPE.into());
        let optional = |proof: &mut Map<String, Value>, name: &str, value: &Option<String>| {
            if let Some(value) = value {
                proof.insert(name.into(), value.as_str().into());
            }
        };
        optional(&mut proof, "id", &self.id);
        proof.insert("cryptosuite".into(), self.cryptosuite.name().into());
        optional(&mut proof, "created", &self.created);
        optional(&mut proof, "expires", &self.expires);
        proof.insert(
            "verificationMethod".into(),
            self.verification_method.as_str().into(),
        );
        proof.insert("proofPurpose".into(), self.proof_purpose.as_str().into());
        optional(&mut proof, "challenge", &self.challenge);
        optional(&mut proof, "domain", &self.domain);
        if let Some(previous) = &self.previous_proof {
            proof.insert("previousProof".into(), previous.clone());
        }
        proof
    }
}

/// Adds a proof to `document` (which may already carry proofs: the new one joins the set).
/// The signer's algorithm must be the cryptosuite's.
pub async fn add_proof(
    document: &Value,
    options: &ProofOptions,
    signer: &dyn Signer,
) -> Result<Value, ProofError> {
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
    let hash_data = suite.hash_data(&unsecured, &config)?;
    let signature = signer.sign(&hash_data.to_bytes()).await?;
    let mut proof = proof;
    // eddsa-jcs-2022 §3.4.5: the JCS proof carries the document's `@context` (it is signed
    // as JSON, so it must travel with the proof).
    if suite == Cryptosuite::EddsaJcs2022
        && let Some(context) = unsecured.get("@context")
    {
        proof.insert("@context".into(), context.clone());
    }
    proof.insert(
        "proofValue".into(),
        saifu_crypto::multikey::encode_multibase(&signature).into(),
    );
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
pub struct VerifiedProof {
    /// Its cryptosuite.
    pub cryptosuite: Cryptosuite,
    /// Its verification method.
    pub verification_method: String,
    /// Its `id`, if it has one.
    pub id: Option<String>,
}

/// Verifies every proof of `document` (a proof set succeeds only if each member does).
pub fn verify_proofs(
    document: &Value,
    expect: &ProofExpectations<'_>,
    resolver: &dyn MethodResolver,
) -> Result<Vec<VerifiedProof>, ProofError> {
    let map = document
        .as_object()
        .ok_or(ProofError::Malformed("document must be an object"))?;
    let proofs = proofs_of(map)?;
    if proofs.is_empty() {
        return Err(ProofError::MissingProof);
    }
    proofs
        .iter()
        .map(|proof| verify_one(map, proof, &proofs, expect, resolver))
        .collect()
}

fn verify_one(
    document: &Map<String, Value>,
    proof: &Map<String, Value>,
    all: &[&Map<String, Value>],
    expect: &ProofExpectations<'_>,
    resolver: &dyn MethodResolver,
) -> Result<VerifiedProof, ProofError> {
    let text = |name: &'static str| proof.get(name).and_then(Value::as_str);
    if text("type") != Some(PROOF_TYPE) {
        return Err(ProofError::UnsupportedCryptosuite(
            text("type").unwrap_or("(no type)").to_owned(),
        ));
    }
    let suite_name = text("cryptosuite").ok_or(ProofError::Malformed("no `cryptosuite`"))?;
    let suite = Cryptosuite::from_name(suite_name)
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
    let signature = decode_proof_value(proof.get("proofValue"), suite)?;
    let method =
        text("verificationMethod").ok_or(ProofError::Malformed("no `verificationMethod`"))?;
    let key = resolver.resolve(method, purpose)?;
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
    let hash_data = suite.hash_data(&unsecured, &config)?;
    key.verify(suite.algorithm(), &hash_data.to_bytes(), &signature)
        .map_err(|_| ProofError::InvalidSignature)?;
    Ok(VerifiedProof {
        cryptosuite: suite,
        verification_method: method.to_owned(),
        id: text("id").map(str::to_owned),
    })
}

/// The proofs of a document, whether `proof` is one object or an array.
fn proofs_of(document: &Map<String, Value>) -> Result<Vec<&Map<String, Value>>, ProofError> {
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
fn unsecured_document(
    document: &Map<String, Value>,
    proof: &Map<String, Value>,
    all: &[&Map<String, Value>],
) -> Result<Value, ProofError> {
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
fn decode_proof_value(value: Option<&Value>, suite: Cryptosuite) -> Result<Vec<u8>, ProofError> {
    let text = value
        .and_then(Value::as_str)
        .ok_or(ProofError::MalformedMultibase(
            "`proofValue` is missing".into(),
        ))?;
    let bytes =
        decode_multibase(text).map_err(|e| ProofError::MalformedMultibase(e.to_string()))?;
    if bytes.len() != 64 {
        return Err(ProofError::MalformedMultibase(format!(
            "{} signatures are 64 bytes, got {}",
            suite.name(),
            bytes.len()
        )));
    }
    Ok(bytes)
}
