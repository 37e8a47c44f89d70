//! Issuance (RFC 9901 §4, §5): turns plain claims into an issuer-signed JWT carrying digests,
//! plus the disclosures that open them.

use saifu_crypto::jws;
use saifu_crypto::{Jwk, Signer};
use serde_json::{Map, Value};

use super::disclosure::{Disclosure, HashAlg, decoy_digest};
use super::path::{ClaimPath, Step};
use super::{ARRAY_ELEMENT_KEY, SD_ALG_KEY, SD_KEY, SdJwt, SdJwtError};

/// What to issue: the claims, which of them are selectively disclosable, decoys, extra header
/// members and the holder key to bind. Built step by step, then signed with [`Issuance::sign`].
///
/// Recursive disclosures come from naming both a claim and something inside it, e.g.
/// `/address` and `/address/street`: the inner disclosure is made first and its digest ends up
/// inside the outer one.
#[derive(Debug, Clone)]
pub struct Issuance {
    claims: Map<String, Value>,
    disclosable: Vec<ClaimPath>,
    decoys_per_object: usize,
    header: Map<String, Value>,
}

impl Issuance {
    /// Starts from the full claim set the issuer vouches for.
    pub fn new(claims: Map<String, Value>) -> Issuance {
        Issuance {
            claims,
            disclosable: Vec::new(),
            decoys_per_object: 0,
            header: Map::new(),
        }
    }

    /// Sets (or replaces) a top-level claim, e.g. `iss` or `exp`.
    pub fn claim(mut self, name: impl Into<String>, value: Value) -> Issuance {
        self.claims.insert(name.into(), value);
        self
    }

    /// Makes the claim or array element at `path` selectively disclosable.
    pub fn disclosable(mut self, path: ClaimPath) -> Issuance {
        self.disclosable.push(path);
        self
    }

    /// Adds `count` decoy digests to every `_sd` array (RFC 9901 §4.2.5), hiding how many
    /// claims an object really has.
    pub fn decoys(mut self, count: usize) -> Issuance {
        self.decoys_per_object = count;
        self
    }

    /// Sets a protected header member (e.g. `typ`); `alg` is always the signer's.
    pub fn header(mut self, name: impl Into<String>, value: Value) -> Issuance {
        self.header.insert(name.into(), value);
        self
    }

    /// Binds the credential to the holder's public key via `cnf.jwk` (RFC 9901 §4.1.2, RFC 7800).
    pub fn holder_key(mut self, jwk: &Jwk) -> Issuance {
        let jwk = serde_json::to_value(jwk.to_public()).expect("a JWK serializes");
        let mut cnf = Map::new();
        cnf.insert("jwk".into(), jwk);
        self.claims.insert("cnf".into(), Value::Object(cnf));
        self
    }

    /// The paths marked selectively disclosable so far (profiles check them before signing).
    pub fn disclosable_paths(&self) -> &[ClaimPath] {
        &self.disclosable
    }

    /// Replaces digests for the marked claims and signs the payload; the disclosures come back
    /// in the order they were created (innermost first).
    pub async fn sign(self, signer: &dyn Signer) -> Result<SdJwt, SdJwtError> {
        let hash = HashAlg::default();
        let mut ctx = Conceal {
            paths: &self.disclosable,
            matched: vec![false; self.disclosable.len()],
            decoys: self.decoys_per_object,
            hash,
            disclosures: Vec::new(),
        };
        let mut steps = Vec::new();
        let mut payload = ctx.object(&self.claims, &mut steps)?;
        if let Some(i) = ctx.matched.iter().position(|m| !m) {
            return Err(SdJwtError::PathNotFound(self.disclosable[i].to_string()));
        }
        payload.insert(SD_ALG_KEY.into(), Value::String(hash.name().into()));
        let bytes = serde_json::to_vec(&payload).expect("JSON values serialize");
        let jwt = jws::sign_compact(&self.header, &bytes, signer).await?;
        Ok(SdJwt::new(jwt, ctx.disclosures, None))
    }
}

/// State of one concealment walk.
struct Conceal<'p> {
    paths: &'p [ClaimPath],
    matched: Vec<bool>,
    decoys: usize,
    hash: HashAlg,
    disclosures: Vec<Disclosure>,
}

impl Conceal<'_> {
    /// Whether the node at `steps` is to be disclosable; records which paths were used.
    fn marked(&mut self, steps: &[Step<'_>]) -> bool {
        let mut any = false;
        for (path, matched) in self.paths.iter().zip(&mut self.matched) {
            if path.is(steps) {
                *matched = true;
                any = true;
            }
        }
        any
    }

    fn value<'a>(
        &mut self,
        value: &'a Value,
        steps: &mut Vec<Step<'a>>,
    ) -> Result<Value, SdJwtError> {
        Ok(match value {
            Value::Object(map) => Value::Object(self.object(map, steps)?),
            Value::Array(items) => Value::Array(self.array(items, steps)?),
            other => other.clone(),
        })
    }

    fn object<'a>(
        &mut self,
        map: &'a Map<String, Value>,
        steps: &mut Vec<Step<'a>>,
    ) -> Result<Map<String, Value>, SdJwtError> {
        let mut out = Map::with_capacity(map.len());
        let mut digests = Vec::new();
        for (name, child) in map {
            if name == SD_KEY || name == ARRAY_ELEMENT_KEY {
                return Err(SdJwtError::NotDisclosable(name.clone()));
            }
            steps.push(Step::Key(name));
            let concealed = self.value(child, steps)?;
            let marked = self.marked(steps);
            steps.pop();
            if marked {
                if steps.is_empty() && name == SD_ALG_KEY {
                    return Err(SdJwtError::NotDisclosable(name.clone()));
                }
                let disclosure = Disclosure::new(Some(name.clone()), concealed);
                digests.push(disclosure.digest(self.hash));
                self.disclosures.push(disclosure);
            } else {
                out.insert(name.clone(), concealed);
            }
        }
        if !digests.is_empty() {
            digests.extend((0..self.decoys).map(|_| decoy_digest(self.hash)));
            // Sorted so the order reveals nothing about the original claim order (§4.2.4.1).
            digests.sort_unstable();
            out.insert(
                SD_KEY.into(),
                Value::Array(digests.into_iter().map(Value::String).collect()),
            );
        }
        Ok(out)
    }

    fn array<'a>(
        &mut self,
        items: &'a [Value],
        steps: &mut Vec<Step<'a>>,
    ) -> Result<Vec<Value>, SdJwtError> {
        let mut out = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            steps.push(Step::Index(index));
            let concealed = self.value(item, steps)?;
            let marked = self.marked(steps);
            steps.pop();
            if marked {
                let disclosure = Disclosure::new(None, concealed);
                let mut placeholder = Map::new();
                placeholder.insert(
                    ARRAY_ELEMENT_KEY.into(),
                    Value::String(disclosure.digest(self.hash)),
                );
                self.disclosures.push(disclosure);
                out.push(Value::Object(placeholder));
            } else {
                out.push(concealed);
            }
        }
        Ok(out)
    }
}
