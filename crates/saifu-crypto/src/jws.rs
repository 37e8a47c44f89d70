//! JSON Web Signature (RFC 7515): compact, flattened and general JSON serializations.
//!
//! Verification is deliberately two-step. [`decode_compact`] / [`decode_json`] only parse (so a
//! caller can look at `kid` or `iss` to find the right key), and nothing is trusted until
//! [`DecodedJws::verify`] has checked the signature under an explicit [`VerifyPolicy`]: an
//! algorithm allow-list, the `crit` extensions the caller understands, and a size limit enforced
//! before any decoding work.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::alg::Algorithm;
use crate::signer::{Signer, Verifier};
use crate::{CryptoError, b64};

/// Default upper bound on a serialized JWS (256 KiB): well above any credential saifu handles and
/// small enough that hostile input cannot make the parser allocate much.
pub const DEFAULT_MAX_LEN: usize = 256 * 1024;

/// Why a JWS could not be produced, parsed or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    /// The serialized JWS exceeds the configured size limit.
    #[error("JWS is {actual} bytes, larger than the {limit}-byte limit")]
    TooLarge {
        /// The limit in force.
        limit: usize,
        /// The size received.
        actual: usize,
    },
    /// The structure is not a JWS (wrong number of parts, not JSON, header not an object, …).
    #[error("malformed JWS: {0}")]
    Malformed(String),
    /// A part is not valid unpadded base64url.
    #[error("malformed JWS: invalid base64url in {0}")]
    Base64(&'static str),
    /// The header has no `alg`, or it is not in the protected header.
    #[error("JWS protected header has no `alg`")]
    MissingAlgorithm,
    /// `alg` is `none`: unsecured JWS are never accepted.
    #[error("unsecured JWS (`alg: none`) is not accepted")]
    AlgNone,
    /// `alg` names an algorithm saifu does not implement (e.g. HMAC or RSA).
    #[error("unsupported JWS algorithm `{0}`")]
    UnsupportedAlgorithm(String),
    /// `alg` is implemented but not in the caller's allow-list.
    #[error("JWS algorithm {0} is not allowed here")]
    AlgorithmNotAllowed(Algorithm),
    /// A `crit` extension is not understood (RFC 7515 §4.1.11), or `crit` is malformed.
    #[error("unsupported critical header parameter `{0}`")]
    UnknownCritical(String),
    /// A header parameter appears twice (RFC 7515 §5.2), or in both protected and unprotected headers.
    #[error("duplicate header parameter `{0}`")]
    DuplicateHeader(String),
    /// Key and signature problems from the key layer: algorithm/key mismatch, malformed or bad signature.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// What a verifier accepts. There is no default that accepts everything: each call site names
/// the algorithms it expects.
#[derive(Debug, Clone, Copy)]
pub struct VerifyPolicy<'a> {
    /// Algorithms the caller accepts; the key's own type narrows this further.
    pub allowed_algorithms: &'a [Algorithm],
    /// `crit` header parameters the caller understands and has processed.
    pub understood_critical: &'a [&'a str],
    /// Maximum serialized length.
    pub max_len: usize,
}

impl<'a> VerifyPolicy<'a> {
    /// A policy accepting exactly `allowed_algorithms`, no `crit` extensions, default size limit.
    pub fn new(allowed_algorithms: &'a [Algorithm]) -> Self {
        VerifyPolicy {
            allowed_algorithms,
            understood_critical: &[],
            max_len: DEFAULT_MAX_LEN,
        }
    }
}

/// A parsed, not yet verified JWS.
#[derive(Debug, Clone)]
pub struct DecodedJws {
    /// The protected header.
    pub protected: Map<String, Value>,
    /// The unprotected header (JSON serializations only).
    pub unprotected: Option<Map<String, Value>>,
    /// The decoded payload.
    pub payload: Vec<u8>,
    /// The parsed `alg` of the protected header.
    alg_name: String,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
}

impl DecodedJws {
    /// The `alg` header value exactly as received.
    pub fn alg(&self) -> &str {
        &self.alg_name
    }

    /// The `kid` of the protected header, if any. Only integrity-protected values are offered by
    /// name, so a decision (which key, which type) can never rest on an unsigned header.
    pub fn kid(&self) -> Option<&str> {
        self.protected_str("kid")
    }

    /// The `typ` of the protected header, if any.
    pub fn typ(&self) -> Option<&str> {
        self.protected_str("typ")
    }

    /// A string-valued member of the protected header.
    pub fn protected_str(&self, name: &str) -> Option<&str> {
        self.protected.get(name).and_then(Value::as_str)
    }

    /// A string-valued member of the unprotected header (JSON serializations only): not signed,
    /// so only for hints.
    pub fn unprotected_str(&self, name: &str) -> Option<&str> {
        self.unprotected.as_ref()?.get(name).and_then(Value::as_str)
    }

    /// The JWS Signing Input: `BASE64URL(protected) || '.' || BASE64URL(payload)`.
    pub fn signing_input(&self) -> &[u8] {
        &self.signing_input
    }

    /// Checks the signature under `policy` with `key`. Returns the payload on success.
    pub fn verify(&self, key: &dyn Verifier, policy: &VerifyPolicy<'_>) -> Result<&[u8], JwsError> {
        let alg = parse_alg(&self.alg_name)?;
        if !policy.allowed_algorithms.contains(&alg) {
            return Err(JwsError::AlgorithmNotAllowed(alg));
        }
        check_critical(&self.protected, policy.understood_critical)?;
        key.verify(alg, &self.signing_input, &self.signature)?;
        Ok(&self.payload)
    }
}

fn parse_alg(name: &str) -> Result<Algorithm, JwsError> {
    if name.eq_ignore_ascii_case("none") {
        return Err(JwsError::AlgNone);
    }
    name.parse()
        .map_err(|_| JwsError::UnsupportedAlgorithm(name.to_owned()))
}

/// RFC 7515 §4.1.11: `crit` is a non-empty array of names that are present in the protected
/// header, are not registered JWS/JWA names, and are all understood by the caller.
fn check_critical(protected: &Map<String, Value>, understood: &[&str]) -> Result<(), JwsError> {
    const REGISTERED: [&str; 11] = [
        "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
    ];
    let Some(crit) = protected.get("crit") else {
        return Ok(());
    };
    let names = crit
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| JwsError::UnknownCritical("crit must be a non-empty array".into()))?;
    for name in names {
        let name = name
            .as_str()
            .ok_or_else(|| JwsError::UnknownCritical(name.to_string()))?;
        if REGISTERED.contains(&name)
            || !protected.contains_key(name)
            || !understood.contains(&name)
        {
            return Err(JwsError::UnknownCritical(name.to_owned()));
        }
    }
    Ok(())
}

/// A JSON object whose parsing fails on a duplicate member name (RFC 7515 §5.2 lets us reject).
struct UniqueMap(Map<String, Value>);

impl<'de> Deserialize<'de> for UniqueMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = UniqueMap;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<UniqueMap, A::Error> {
                let mut map = Map::new();
                while let Some((k, v)) = access.next_entry::<String, Value>()? {
                    if map.contains_key(&k) {
                        return Err(serde::de::Error::custom(format!("duplicate member `{k}`")));
                    }
                    map.insert(k, v);
                }
                Ok(UniqueMap(map))
            }
        }
        d.deserialize_map(V)
    }
}

fn parse_header(encoded: &str) -> Result<Map<String, Value>, JwsError> {
    let bytes = b64::decode(encoded, "protected header")
        .map_err(|_| JwsError::Base64("protected header"))?;
    match serde_json::from_slice::<UniqueMap>(&bytes) {
        Ok(UniqueMap(map)) => Ok(map),
        Err(e) if e.to_string().starts_with("duplicate member `") => {
            let name = e
                .to_string()
                .split('`')
                .nth(1)
                .unwrap_or_default()
                .to_owned();
            Err(JwsError::DuplicateHeader(name))
        }
        Err(e) => Err(JwsError::Malformed(format!(
            "protected header is not a JSON object: {e}"
        ))),
    }
}

fn decode_part(encoded: &str, what: &'static str) -> Result<Vec<u8>, JwsError> {
    b64::decode(encoded, what).map_err(|_| JwsError::Base64(what))
}

fn assemble(
    protected_b64: &str,
    payload_b64: &str,
    signature_b64: &str,
    unprotected: Option<Map<String, Value>>,
) -> Result<DecodedJws, JwsError> {
    let protected = parse_header(protected_b64)?;
    if let Some(dup) = unprotected
        .iter()
        .flat_map(|u| u.keys())
        .find(|k| protected.contains_key(*k))
    {
        return Err(JwsError::DuplicateHeader(dup.clone()));
    }
    // RFC 7515 §4.1.11: `crit` MUST be integrity protected.
    if unprotected.as_ref().is_some_and(|u| u.contains_key("crit")) {
        return Err(JwsError::UnknownCritical(
            "crit must be in the protected header".into(),
        ));
    }
    // `alg` must be integrity protected: an attacker must not be able to swap it.
    let alg_name = match protected.get("alg") {
        Some(Value::String(a)) => a.clone(),
        Some(_) => return Err(JwsError::Malformed("`alg` must be a string".into())),
        None => return Err(JwsError::MissingAlgorithm),
    };
    let payload = decode_part(payload_b64, "payload")?;
    let signature = decode_part(signature_b64, "signature")?;
    let mut signing_input = Vec::with_capacity(protected_b64.len() + 1 + payload_b64.len());
    signing_input.extend_from_slice(protected_b64.as_bytes());
    signing_input.push(b'.');
    signing_input.extend_from_slice(payload_b64.as_bytes());
    Ok(DecodedJws {
        protected,
        unprotected,
        payload,
        alg_name,
        signing_input,
        signature,
    })
}

fn check_len(len: usize, max_len: usize) -> Result<(), JwsError> {
    if len > max_len {
        Err(JwsError::TooLarge {
            limit: max_len,
            actual: len,
        })
    } else {
        Ok(())
    }
}

/// Parses a compact JWS (`header.payload.signature`) without verifying it.
pub fn decode_compact(token: &str, max_len: usize) -> Result<DecodedJws, JwsError> {
    check_len(token.len(), max_len)?;
    let mut parts = token.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s), None) => assemble(h, p, s, None),
        _ => Err(JwsError::Malformed(
            "a compact JWS has exactly three dot-separated parts".into(),
        )),
    }
}

/// Parses a compact JWS with detached content (RFC 7515 Appendix F: `header..signature`), using
/// `payload` as the content. A JWS that carries its own payload is refused, so callers can't be
/// confused about which content was signed.
pub fn decode_compact_detached(
    token: &str,
    payload: &[u8],
    max_len: usize,
) -> Result<DecodedJws, JwsError> {
    check_len(token.len() + payload.len(), max_len)?;
    let mut parts = token.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(""), Some(s), None) => assemble(h, &b64::encode(payload), s, None),
        (Some(_), Some(_), Some(_), None) => Err(JwsError::Malformed(
            "detached JWS must have an empty payload part".into(),
        )),
        _ => Err(JwsError::Malformed(
            "a compact JWS has exactly three dot-separated parts".into(),
        )),
    }
}

/// Parses and verifies a compact JWS in one step; returns the decoded JWS (header and payload).
pub fn verify_compact(
    token: &str,
    key: &dyn Verifier,
    policy: &VerifyPolicy<'_>,
) -> Result<DecodedJws, JwsError> {
    let jws = decode_compact(token, policy.max_len)?;
    jws.verify(key, policy)?;
    Ok(jws)
}

/// One signature of the JSON serialization (flattened = exactly one, at top level).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonSignature {
    /// Base64url protected header. RFC 7515 lets it be absent; saifu then refuses the signature
    /// because `alg` must be integrity protected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected: Option<String>,
    /// Unprotected header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<Map<String, Value>>,
    /// Base64url signature.
    pub signature: String,
}

/// The flattened JSON serialization (RFC 7515 §7.2.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlattenedJws {
    /// Base64url payload.
    pub payload: String,
    /// The single signature, flattened into the top-level object.
    #[serde(flatten)]
    pub signature: JsonSignature,
}

#[derive(Deserialize)]
struct GeneralJws {
    payload: String,
    signatures: Vec<JsonSignature>,
}

/// Parses a JWS in the flattened or general JSON serialization (RFC 7515 §7.2) without
/// verifying it: one [`DecodedJws`] per signature.
pub fn decode_json(text: &str, max_len: usize) -> Result<Vec<DecodedJws>, JwsError> {
    check_len(text.len(), max_len)?;
    let value: Value =
        serde_json::from_str(text).map_err(|e| JwsError::Malformed(e.to_string()))?;
    let is_general = value.get("signatures").is_some();
    if is_general {
        if value.get("signature").is_some() || value.get("protected").is_some() {
            return Err(JwsError::Malformed(
                "general JWS must not also carry top-level signature members".into(),
            ));
        }
        let general: GeneralJws =
            serde_json::from_value(value).map_err(|e| JwsError::Malformed(e.to_string()))?;
        if general.signatures.is_empty() {
            return Err(JwsError::Malformed("`signatures` is empty".into()));
        }
        general
            .signatures
            .into_iter()
            .map(|s| assemble_json(s, &general.payload))
            .collect()
    } else {
        let flat: FlattenedJws =
            serde_json::from_value(value).map_err(|e| JwsError::Malformed(e.to_string()))?;
        Ok(vec![assemble_json(flat.signature, &flat.payload)?])
    }
}

fn assemble_json(s: JsonSignature, payload_b64: &str) -> Result<DecodedJws, JwsError> {
    let protected = s.protected.ok_or(JwsError::MissingAlgorithm)?;
    assemble(&protected, payload_b64, &s.signature, s.header)
}

/// Builds the protected header: the caller's members plus `alg` (and `kid` when the signer has one
/// and the caller did not set it). A caller-supplied `alg` is overwritten so it can never disagree
/// with the key.
fn protected_header(extra: &Map<String, Value>, signer: &dyn Signer) -> Map<String, Value> {
    let mut header = Map::with_capacity(extra.len() + 2);
    header.insert(
        "alg".into(),
        Value::String(signer.algorithm().jose_name().into()),
    );
    if let Some(kid) = signer.key_id() {
        header.insert("kid".into(), Value::String(kid.into()));
    }
    for (k, v) in extra {
        if k != "alg" {
            header.insert(k.clone(), v.clone());
        }
    }
    header
}

async fn sign_parts(
    header: &Map<String, Value>,
    payload: &[u8],
    signer: &dyn Signer,
) -> Result<(String, String, String), JwsError> {
    let protected_b64 = b64::encode(
        serde_json::to_vec(&protected_header(header, signer)).expect("a JSON map serializes"),
    );
    let payload_b64 = b64::encode(payload);
    let signing_input = format!("{protected_b64}.{payload_b64}");
    let signature = signer.sign(signing_input.as_bytes()).await?;
    Ok((protected_b64, payload_b64, b64::encode(signature)))
}

/// Signs `payload` as a compact JWS. `header` holds extra protected members (`typ`, `cty`, …).
pub async fn sign_compact(
    header: &Map<String, Value>,
    payload: &[u8],
    signer: &dyn Signer,
) -> Result<String, JwsError> {
    let (h, p, s) = sign_parts(header, payload, signer).await?;
    Ok(format!("{h}.{p}.{s}"))
}

/// Signs `payload` in the flattened JSON serialization, with an optional unprotected header.
pub async fn sign_flattened(
    header: &Map<String, Value>,
    unprotected: Option<Map<String, Value>>,
    payload: &[u8],
    signer: &dyn Signer,
) -> Result<FlattenedJws, JwsError> {
    // RFC 7515 §7.2.1: protected and unprotected header names must be disjoint.
    if let Some(dup) = unprotected.iter().flat_map(|u| u.keys()).find(|k| {
        header.contains_key(*k) || *k == "alg" || (*k == "kid" && signer.key_id().is_some())
    }) {
        return Err(JwsError::DuplicateHeader(dup.clone()));
    }
    let (protected, payload, signature) = sign_parts(header, payload, signer).await?;
    Ok(FlattenedJws {
        payload,
        signature: JsonSignature {
            protected: Some(protected),
            header: unprotected,
            signature,
        },
    })
}
