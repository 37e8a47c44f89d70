//! Verification (RFC 9901 §7.1, §7.3): signature, then every digest rule while rebuilding the
//! disclosed claims, then key binding.

use std::collections::{HashMap, HashSet};

use saifu_crypto::jws::{JwsError, VerifyPolicy};
use saifu_crypto::{Algorithm, Ed25519Batch, PublicKey, Verifier};
use serde_json::{Map, Value};

use super::disclosure::{Disclosure, HashAlg};
use super::kb::{self, KeyBindingPolicy};
use super::serialization::payload_and_hash;
use super::{ARRAY_ELEMENT_KEY, Limits, SD_ALG_KEY, SD_KEY, SdJwt, SdJwtError};

/// What a verifier accepts.
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// Algorithms accepted for the issuer signature (never `none`; the key narrows further).
    pub allowed_algorithms: &'a [Algorithm],
    /// Size, count and depth limits.
    pub limits: Limits,
    /// `Some` when the verifier requires key binding. With `None`, a presentation carrying a
    /// KB-JWT is refused: an unchecked KB-JWT must not look like a checked one.
    pub key_binding: Option<KeyBindingPolicy<'a>>,
}

/// The outcome of a successful verification: what the verifier may rely on.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedSdJwt {
    /// The issuer JWT's protected header.
    pub header: Map<String, Value>,
    /// The issuer's claims with the disclosed ones put back, `_sd` / `_sd_alg` / placeholders
    /// removed (RFC 9901 §7.1 step 3–4).
    pub claims: Map<String, Value>,
    /// The KB-JWT payload, when key binding was required and checked.
    pub key_binding: Option<Map<String, Value>>,
}

/// Verifies `sd_jwt` with the issuer's public key under `options`.
pub fn verify(
    sd_jwt: &SdJwt,
    issuer_key: &dyn Verifier,
    options: &VerifyOptions<'_>,
) -> Result<VerifiedSdJwt, SdJwtError> {
    verify_with(sd_jwt, issuer_key, options, None)
}

/// Verifies many presentations at once, each with the issuer key `issuer_key` picks for it,
/// putting every Ed25519 signature (issuer JWTs and KB-JWTs) into one [`Ed25519Batch`].
///
/// The result has one entry per presentation, in order, and each entry is what [`verify`] would
/// return for that presentation alone: every non-signature check runs per presentation as in
/// [`verify`]; a presentation whose queued signature fails gets the error [`verify`] reports for
/// it (the first failing signature precedes any later check); non-Ed25519 signatures are verified
/// one at a time. The batch equation's one semantic difference from single verification (a
/// signer deliberately mixing small-order components into its own signature) is documented in
/// [`saifu_crypto::batch`]. An error from `issuer_key` becomes that presentation's result.
pub fn verify_batch<'k>(
    presentations: &[SdJwt],
    issuer_key: impl Fn(&SdJwt) -> Result<&'k PublicKey, SdJwtError>,
    options: &VerifyOptions<'_>,
) -> Vec<Result<VerifiedSdJwt, SdJwtError>> {
    let batch = Ed25519Batch::new();
    let outcomes: Vec<_> = presentations
        .iter()
        .map(|sd_jwt| {
            let first = batch.len();
            let outcome = issuer_key(sd_jwt)
                .and_then(|key| verify_with(sd_jwt, &batch.verifier(key), options, Some(&batch)));
            (outcome, first..batch.len())
        })
        .collect();
    let signatures = batch.verify();
    outcomes
        .into_iter()
        .map(
            |(outcome, queued)| match signatures[queued].iter().find_map(|r| r.clone().err()) {
                Some(error) => Err(JwsError::from(error).into()),
                None => outcome,
            },
        )
        .collect()
}

/// The verification pipeline; with `batch`, Ed25519 KB-JWT signatures are queued there (the
/// issuer's are when `issuer_key` is that batch's [`Ed25519Batch::verifier`]).
fn verify_with(
    sd_jwt: &SdJwt,
    issuer_key: &dyn Verifier,
    options: &VerifyOptions<'_>,
    batch: Option<&Ed25519Batch>,
) -> Result<VerifiedSdJwt, SdJwtError> {
    let limits = &options.limits;
    limits.check_disclosures(sd_jwt.disclosures().len())?;
    let decoded = sd_jwt.decode_issuer_jwt(limits)?;
    let mut policy = VerifyPolicy::new(options.allowed_algorithms);
    policy.max_len = limits.max_len;
    decoded.verify(issuer_key, &policy)?;
    let (mut payload, hash) = payload_and_hash(&decoded.payload)?;
    payload.remove(SD_ALG_KEY);
    let claims = reconstruct(payload, sd_jwt.disclosures(), hash, limits)?;
    let key_binding = match (&options.key_binding, sd_jwt.kb_jwt()) {
        (Some(policy), Some(kb_jwt)) => Some(kb::verify(
            kb_jwt,
            &sd_jwt.sd_hash_input(),
            hash,
            claims.get("cnf"),
            policy,
            batch,
        )?),
        (Some(_), None) => return Err(SdJwtError::MissingKeyBinding),
        (None, Some(_)) => return Err(SdJwtError::UnexpectedKeyBinding),
        (None, None) => None,
    };
    Ok(VerifiedSdJwt {
        header: decoded.protected,
        claims,
        key_binding,
    })
}

/// Puts the disclosed claims back into `payload`, enforcing RFC 9901 §7.1 steps 3–5.
pub(crate) fn reconstruct(
    payload: Map<String, Value>,
    disclosures: &[Disclosure],
    hash: HashAlg,
    limits: &Limits,
) -> Result<Map<String, Value>, SdJwtError> {
    let mut by_digest = HashMap::with_capacity(disclosures.len());
    for (i, d) in disclosures.iter().enumerate() {
        let digest = d.digest(hash);
        if by_digest.insert(digest.clone(), i).is_some() {
            return Err(SdJwtError::DuplicateDisclosure(digest));
        }
    }
    let mut walk = Reconstruct {
        disclosures,
        by_digest,
        seen: HashSet::new(),
        used: vec![false; disclosures.len()],
        max_depth: limits.max_depth,
    };
    let claims = walk.object(payload, 0)?;
    if let Some(i) = walk.used.iter().position(|u| !u) {
        return Err(SdJwtError::UnreferencedDisclosure(
            disclosures[i].digest(hash),
        ));
    }
    Ok(claims)
}

/// State of one reconstruction walk.
struct Reconstruct<'a> {
    disclosures: &'a [Disclosure],
    by_digest: HashMap<String, usize>,
    seen: HashSet<String>,
    used: Vec<bool>,
    max_depth: usize,
}

impl Reconstruct<'_> {
    /// Records `digest` as seen (each may occur once, §7.1 step 4) and returns its disclosure.
    fn lookup(&mut self, digest: &str) -> Result<Option<&Disclosure>, SdJwtError> {
        if !self.seen.insert(digest.to_owned()) {
            return Err(SdJwtError::DuplicateDigest(digest.to_owned()));
        }
        Ok(self.by_digest.get(digest).map(|&i| {
            self.used[i] = true;
            &self.disclosures[i]
        }))
    }

    fn value(&mut self, value: Value, depth: usize) -> Result<Value, SdJwtError> {
        Ok(match value {
            Value::Object(map) => Value::Object(self.object(map, depth)?),
            Value::Array(items) => Value::Array(self.array(items, depth)?),
            other => other,
        })
    }

    fn object(
        &mut self,
        mut map: Map<String, Value>,
        depth: usize,
    ) -> Result<Map<String, Value>, SdJwtError> {
        if depth > self.max_depth {
            return Err(SdJwtError::DepthLimit {
                limit: self.max_depth,
            });
        }
        if map.contains_key(ARRAY_ELEMENT_KEY) {
            return Err(SdJwtError::MalformedArrayPlaceholder(
                "`...` outside an array element placeholder".into(),
            ));
        }
        let digests = match map.remove(SD_KEY) {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|d| match d {
                    Value::String(s) => Ok(s),
                    _ => Err(SdJwtError::MalformedSdArray),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(SdJwtError::MalformedSdArray),
        };
        let mut out = Map::with_capacity(map.len() + digests.len());
        for (name, child) in map {
            out.insert(name, self.value(child, depth + 1)?);
        }
        for digest in digests {
            let Some(disclosure) = self.lookup(&digest)? else {
                continue; // decoy or undisclosed
            };
            let name = disclosure
                .name()
                .ok_or_else(|| SdJwtError::DisclosureShape(digest.clone()))?
                .to_owned();
            if name == SD_KEY || name == ARRAY_ELEMENT_KEY {
                return Err(SdJwtError::ReservedClaimName(name));
            }
            if out.contains_key(&name) {
                return Err(SdJwtError::ClaimCollision(name));
            }
            let value = disclosure.value().clone();
            let value = self.value(value, depth + 1)?;
            out.insert(name, value);
        }
        Ok(out)
    }

    fn array(&mut self, items: Vec<Value>, depth: usize) -> Result<Vec<Value>, SdJwtError> {
        if depth > self.max_depth {
            return Err(SdJwtError::DepthLimit {
                limit: self.max_depth,
            });
        }
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let digest = match &item {
                Value::Object(o) if o.contains_key(ARRAY_ELEMENT_KEY) => {
                    match (o.len(), &o[ARRAY_ELEMENT_KEY]) {
                        (1, Value::String(d)) => Some(d.clone()),
                        _ => {
                            return Err(SdJwtError::MalformedArrayPlaceholder(
                                "must be exactly {\"...\": \"<digest>\"}".into(),
                            ));
                        }
                    }
                }
                _ => None,
            };
            match digest {
                Some(digest) => {
                    let Some(disclosure) = self.lookup(&digest)? else {
                        continue; // decoy or undisclosed element: removed (§7.1 step 3.3.2)
                    };
                    if disclosure.name().is_some() {
                        return Err(SdJwtError::DisclosureShape(digest));
                    }
                    let value = disclosure.value().clone();
                    out.push(self.value(value, depth + 1)?);
                }
                None => out.push(self.value(item, depth + 1)?),
            }
        }
        Ok(out)
    }
}
