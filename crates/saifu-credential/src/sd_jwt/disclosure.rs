//! Disclosures (RFC 9901 §4.2) and the digest function that commits to them (`_sd_alg`).

use rand::RngCore;
use saifu_crypto::b64;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::SdJwtError;

/// The hash function named by `_sd_alg` (RFC 9901 §4.1.1). Only `sha-256` (the default and the
/// only one any profile we follow requires) is implemented; anything else is refused with
/// [`SdJwtError::UnsupportedHashAlg`] rather than silently mis-verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashAlg {
    /// SHA-256, IANA name `sha-256`.
    #[default]
    Sha256,
}

impl HashAlg {
    /// The IANA "Named Information Hash Algorithm" name written into `_sd_alg`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "sha-256",
        }
    }

    /// Parses an `_sd_alg` value; absent means `sha-256` (RFC 9901 §4.1.1).
    pub fn from_claim(value: Option<&Value>) -> Result<HashAlg, SdJwtError> {
        match value {
            None => Ok(HashAlg::Sha256),
            Some(Value::String(s)) if s == "sha-256" => Ok(HashAlg::Sha256),
            Some(Value::String(s)) => Err(SdJwtError::UnsupportedHashAlg(s.clone())),
            Some(other) => Err(SdJwtError::UnsupportedHashAlg(other.to_string())),
        }
    }

    /// base64url(hash(ASCII(input))): the digest of a disclosure (RFC 9901 §4.2.3) and the
    /// `sd_hash` of a KB-JWT (§4.3.1).
    pub fn digest(self, input: &str) -> String {
        match self {
            HashAlg::Sha256 => b64::encode(Sha256::digest(input.as_bytes())),
        }
    }
}

/// One disclosure, kept exactly as encoded: a verifier hashes the received string and never a
/// re-serialization (RFC 9901 §4.2.3), so the encoded form is the identity of a disclosure.
#[derive(Debug, Clone, PartialEq)]
pub struct Disclosure {
    encoded: String,
    name: Option<String>,
    value: Value,
}

/// Number of random salt bytes: 128 bits, the minimum RFC 9901 §9.3 recommends.
const SALT_BYTES: usize = 16;

impl Disclosure {
    /// A new disclosure with a fresh 128-bit salt from the OS RNG; `name` is `Some` for an
    /// object property, `None` for an array element.
    pub fn new(name: Option<String>, value: Value) -> Disclosure {
        let mut salt = [0u8; SALT_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        let salt = Value::String(b64::encode(salt));
        let array = match &name {
            Some(n) => Value::Array(vec![salt, Value::String(n.clone()), value.clone()]),
            None => Value::Array(vec![salt, value.clone()]),
        };
        let json = serde_json::to_string(&array).expect("JSON values serialize");
        Disclosure {
            encoded: b64::encode(json),
            name,
            value,
        }
    }

    /// Parses a received disclosure, keeping the encoded string for hashing.
    pub fn parse(encoded: &str) -> Result<Disclosure, SdJwtError> {
        let bad = |why: &str| SdJwtError::MalformedDisclosure(format!("{why}: {encoded:.40}"));
        let bytes = b64::decode(encoded, "disclosure").map_err(|_| bad("not base64url"))?;
        let array: Vec<Value> =
            serde_json::from_slice(&bytes).map_err(|_| bad("not a JSON array"))?;
        let mut items = array.into_iter();
        let (name, value) = match (items.next(), items.next(), items.next(), items.next()) {
            (Some(Value::String(_)), Some(value), None, None) => (None, value),
            (Some(Value::String(_)), Some(Value::String(name)), Some(value), None) => {
                (Some(name), value)
            }
            _ => return Err(bad("not [salt, value] or [salt, name, value]")),
        };
        Ok(Disclosure {
            encoded: encoded.to_owned(),
            name,
            value,
        })
    }

    /// The base64url form, exactly as issued or received.
    pub fn encoded(&self) -> &str {
        &self.encoded
    }

    /// The claim name (object property disclosures) or `None` (array element disclosures).
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The disclosed value, which may itself contain `_sd` digests (recursive disclosures).
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The digest that references this disclosure under `alg`.
    pub fn digest(&self, alg: HashAlg) -> String {
        alg.digest(&self.encoded)
    }
}

/// A decoy digest (RFC 9901 §4.2.5): the hash of random bytes, indistinguishable from a real one.
pub(crate) fn decoy_digest(alg: HashAlg) -> String {
    let mut noise = [0u8; SALT_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut noise);
    alg.digest(&b64::encode(noise))
}
