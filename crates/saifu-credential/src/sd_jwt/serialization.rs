//! The two wire forms of an SD-JWT: compact `<JWT>~<D1>~…~<Dn>~[<KB-JWT>]` (RFC 9901 §4) and the
//! JWS JSON serialization with `disclosures` and `kb_jwt` in the unprotected header (§8).

use saifu_crypto::jws::{self, DecodedJws};
use serde_json::{Map, Value};

use super::disclosure::{Disclosure, HashAlg};
use super::{Limits, SD_ALG_KEY, SdJwtError};

/// Parses a JWT payload as a JSON object and reads its `_sd_alg`.
pub(crate) fn payload_and_hash(bytes: &[u8]) -> Result<(Map<String, Value>, HashAlg), SdJwtError> {
    let payload: Map<String, Value> =
        serde_json::from_slice(bytes).map_err(|_| SdJwtError::PayloadNotObject)?;
    let hash = HashAlg::from_claim(payload.get(SD_ALG_KEY))?;
    Ok((payload, hash))
}

/// An SD-JWT, SD-JWT+KB or presentation: the issuer-signed JWT, the disclosures (exactly as
/// received) and, for a presentation with key binding, the KB-JWT. Parsing checks only the
/// shape and the limits; trust comes from [`super::verify`].
#[derive(Debug, Clone, PartialEq)]
pub struct SdJwt {
    jwt: String,
    disclosures: Vec<Disclosure>,
    kb_jwt: Option<String>,
}

impl SdJwt {
    pub(crate) fn new(jwt: String, disclosures: Vec<Disclosure>, kb_jwt: Option<String>) -> SdJwt {
        SdJwt {
            jwt,
            disclosures,
            kb_jwt,
        }
    }

    /// The issuer-signed JWT in compact form.
    pub fn jwt(&self) -> &str {
        &self.jwt
    }

    /// The disclosures, in serialization order.
    pub fn disclosures(&self) -> &[Disclosure] {
        &self.disclosures
    }

    /// The KB-JWT, if this is an SD-JWT+KB.
    pub fn kb_jwt(&self) -> Option<&str> {
        self.kb_jwt.as_deref()
    }

    /// Parses the issuer JWT without verifying it, so a caller can read `kid`, `typ` or `iss`
    /// to choose the issuer key.
    pub fn decode_issuer_jwt(&self, limits: &Limits) -> Result<DecodedJws, SdJwtError> {
        Ok(jws::decode_compact(&self.jwt, limits.max_len)?)
    }

    /// The issuer JWT payload, unverified, and the digest function its `_sd_alg` names.
    pub(crate) fn unverified_payload(
        &self,
        limits: &Limits,
    ) -> Result<(Map<String, Value>, HashAlg), SdJwtError> {
        let decoded = self.decode_issuer_jwt(limits)?;
        payload_and_hash(&decoded.payload)
    }

    /// `<JWT>~<D1>~…~<Dn>~`: the compact SD-JWT without KB-JWT, the input of `sd_hash`
    /// (RFC 9901 §4.3.1) in both serializations.
    pub fn sd_hash_input(&self) -> String {
        let mut out = String::with_capacity(
            self.jwt.len()
                + self
                    .disclosures
                    .iter()
                    .map(|d| d.encoded().len() + 1)
                    .sum::<usize>()
                + 1,
        );
        out.push_str(&self.jwt);
        out.push('~');
        for d in &self.disclosures {
            out.push_str(d.encoded());
            out.push('~');
        }
        out
    }

    /// The compact serialization (RFC 9901 §4), media type `application/sd-jwt`.
    pub fn to_compact(&self) -> String {
        let mut out = self.sd_hash_input();
        if let Some(kb) = &self.kb_jwt {
            out.push_str(kb);
        }
        out
    }

    /// Parses the compact serialization, enforcing `limits` before any decoding work.
    pub fn parse_compact(text: &str, limits: &Limits) -> Result<SdJwt, SdJwtError> {
        limits.check_len(text.len())?;
        let mut parts: Vec<&str> = text.split('~').collect();
        if parts.len() < 2 {
            return Err(SdJwtError::Malformed(
                "no `~` separator: a plain JWT is not an SD-JWT".into(),
            ));
        }
        let last = parts.pop().expect("at least two parts");
        let kb_jwt = (!last.is_empty()).then(|| last.to_owned());
        let jwt = parts.remove(0);
        if jwt.is_empty() {
            return Err(SdJwtError::Malformed("empty issuer JWT".into()));
        }
        limits.check_disclosures(parts.len())?;
        let disclosures = parts
            .into_iter()
            .map(|d| {
                if d.is_empty() {
                    Err(SdJwtError::Malformed("empty disclosure (`~~`)".into()))
                } else {
                    Disclosure::parse(d)
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(SdJwt::new(jwt.to_owned(), disclosures, kb_jwt))
    }

    /// The flattened JWS JSON serialization (RFC 9901 §8.1), media type
    /// `application/sd-jwt+json`.
    pub fn to_json(&self) -> Value {
        let mut parts = self.jwt.splitn(3, '.');
        let (protected, payload, signature) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        let mut header = Map::new();
        header.insert(
            "disclosures".into(),
            Value::Array(
                self.disclosures
                    .iter()
                    .map(|d| Value::String(d.encoded().into()))
                    .collect(),
            ),
        );
        if let Some(kb) = &self.kb_jwt {
            header.insert("kb_jwt".into(), Value::String(kb.clone()));
        }
        serde_json::json!({
            "payload": payload,
            "protected": protected,
            "header": header,
            "signature": signature,
        })
    }

    /// Parses the flattened or general JWS JSON serialization (RFC 9901 §8). With the general
    /// form, the first signature (the only one that may carry `disclosures` and `kb_jwt`) is the
    /// one kept and verified; further signatures are ignored.
    pub fn parse_json(text: &str, limits: &Limits) -> Result<SdJwt, SdJwtError> {
        limits.check_len(text.len())?;
        let value: Value =
            serde_json::from_str(text).map_err(|e| SdJwtError::Malformed(e.to_string()))?;
        let object = value
            .as_object()
            .ok_or_else(|| SdJwtError::Malformed("not a JSON object".into()))?;
        for legacy in ["disclosures", "kb_jwt"] {
            if object.contains_key(legacy) {
                return Err(SdJwtError::LegacyJsonLayout(legacy));
            }
        }
        let str_member = |o: &Map<String, Value>, name: &str| -> Result<String, SdJwtError> {
            o.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| SdJwtError::Malformed(format!("missing string `{name}`")))
        };
        let payload = str_member(object, "payload")?;
        let signature_object = match object.get("signatures") {
            Some(Value::Array(sigs)) => {
                // §8.1: only the first signature's header may carry them.
                let later = sigs.iter().skip(1).filter_map(|s| s.get("header"));
                if later
                    .into_iter()
                    .any(|h| h.get("disclosures").is_some() || h.get("kb_jwt").is_some())
                {
                    return Err(SdJwtError::Malformed(
                        "`disclosures` / `kb_jwt` outside the first signature's header".into(),
                    ));
                }
                sigs.first()
                    .and_then(Value::as_object)
                    .ok_or_else(|| SdJwtError::Malformed("`signatures` is empty".into()))?
            }
            Some(_) => return Err(SdJwtError::Malformed("`signatures` is not an array".into())),
            None => object,
        };
        let protected = str_member(signature_object, "protected")?;
        let signature = str_member(signature_object, "signature")?;
        let empty = Map::new();
        let header = match signature_object.get("header") {
            Some(Value::Object(h)) => h,
            Some(_) => return Err(SdJwtError::Malformed("`header` is not an object".into())),
            None => &empty,
        };
        let disclosures: Vec<&str> = match header.get("disclosures") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|d| {
                    d.as_str()
                        .ok_or_else(|| SdJwtError::Malformed("disclosure is not a string".into()))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(SdJwtError::Malformed(
                    "`disclosures` is not an array".into(),
                ));
            }
            None => Vec::new(),
        };
        limits.check_disclosures(disclosures.len())?;
        let kb_jwt = match header.get("kb_jwt") {
            Some(Value::String(kb)) => Some(kb.clone()),
            Some(_) => return Err(SdJwtError::Malformed("`kb_jwt` is not a string".into())),
            None => None,
        };
        Ok(SdJwt::new(
            format!("{protected}.{payload}.{signature}"),
            disclosures
                .into_iter()
                .map(Disclosure::parse)
                .collect::<Result<_, _>>()?,
            kb_jwt,
        ))
    }
}
