//! COSE header maps (RFC 9052 §3) kept in wire order, with typed accessors for the common
//! parameters (§3.1).

use ciborium::Value;

use super::{CoseError, Label, encode_cbor, label_map, label_value};
use crate::{Algorithm, CryptoError};

/// Labels of the common header parameters (RFC 9052 §3.1, RFC 9360, RFC 9596).
pub mod label {
    /// `alg`: the algorithm; must be protected.
    pub const ALG: i64 = 1;
    /// `crit`: labels the recipient must understand.
    pub const CRIT: i64 = 2;
    /// `content type` of the payload.
    pub const CONTENT_TYPE: i64 = 3;
    /// `kid`: key identifier (a byte string).
    pub const KID: i64 = 4;
    /// `typ`: type of the complete COSE object (RFC 9596).
    pub const TYP: i64 = 16;
    /// `x5chain`: X.509 certificate chain (RFC 9360).
    pub const X5CHAIN: i64 = 33;
}

/// A payload content type: a CoAP Content-Format number or a media type string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentType {
    /// CoAP Content-Format identifier.
    Format(u64),
    /// Media type, e.g. `application/vc+cose`.
    Media(String),
}

/// A COSE header map. Parameters keep their order, so a decoded header re-encodes as it came.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Header {
    params: Vec<(Label, Value)>,
}

impl Header {
    /// An empty header.
    pub fn new() -> Header {
        Header::default()
    }

    /// Adds a parameter; fails if the label is already present.
    pub fn insert(&mut self, label: Label, value: Value) -> Result<(), CoseError> {
        if self.get(&label).is_some() {
            return Err(CoseError::DuplicateLabel(label));
        }
        self.params.push((label, value));
        Ok(())
    }

    /// The value under `label`.
    pub fn get(&self, label: &Label) -> Option<&Value> {
        self.params.iter().find(|(l, _)| l == label).map(|(_, v)| v)
    }

    /// The parameters in order.
    pub fn iter(&self) -> impl Iterator<Item = &(Label, Value)> {
        self.params.iter()
    }

    /// Whether the header has no parameters.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    /// The `alg` parameter, mapped to a saifu algorithm; unknown identifiers are
    /// [`CryptoError::UnsupportedAlgorithm`] carrying the identifier as sent.
    pub fn algorithm(&self) -> Result<Option<Algorithm>, CoseError> {
        let Some(value) = self.get(&Label::Int(label::ALG)) else {
            return Ok(None);
        };
        let alg = match value {
            Value::Integer(i) => {
                let id = i64::try_from(*i).map_err(|_| malformed("alg out of range"))?;
                Algorithm::from_cose_id(id)?
            }
            Value::Text(t) => return Err(CryptoError::UnsupportedAlgorithm(t.clone()).into()),
            _ => return Err(malformed("alg is not an integer or text")),
        };
        Ok(Some(alg))
    }

    /// The `kid` parameter.
    pub fn key_id(&self) -> Result<Option<&[u8]>, CoseError> {
        match self.get(&Label::Int(label::KID)) {
            None => Ok(None),
            Some(Value::Bytes(b)) => Ok(Some(b)),
            Some(_) => Err(malformed("kid is not a byte string")),
        }
    }

    /// The `content type` parameter.
    pub fn content_type(&self) -> Result<Option<ContentType>, CoseError> {
        match self.get(&Label::Int(label::CONTENT_TYPE)) {
            None => Ok(None),
            Some(Value::Integer(i)) => u64::try_from(*i)
                .map(|n| Some(ContentType::Format(n)))
                .map_err(|_| malformed("content type is a negative integer")),
            Some(Value::Text(t)) => Ok(Some(ContentType::Media(t.clone()))),
            Some(_) => Err(malformed("content type is not an unsigned integer or text")),
        }
    }

    /// The labels listed in `crit`; empty when there is no `crit`. A present `crit` must be a
    /// non-empty array of labels (RFC 9052 §3.1).
    pub fn critical(&self) -> Result<Vec<Label>, CoseError> {
        let Some(value) = self.get(&Label::Int(label::CRIT)) else {
            return Ok(Vec::new());
        };
        let items = match value {
            Value::Array(items) if !items.is_empty() => items,
            _ => return Err(malformed("crit is not a non-empty array")),
        };
        items
            .iter()
            .map(|item| match item {
                Value::Integer(i) => i64::try_from(*i)
                    .map(Label::Int)
                    .map_err(|_| malformed("crit label out of range")),
                Value::Text(t) => Ok(Label::Text(t.clone())),
                _ => Err(malformed("crit label is not an integer or text")),
            })
            .collect()
    }

    /// Builds a header from a decoded CBOR map, refusing duplicate labels.
    pub(crate) fn from_value(value: Value, what: &str) -> Result<Header, CoseError> {
        Ok(Header {
            params: label_map(value, what)?,
        })
    }

    /// The header as a CBOR map.
    pub(crate) fn to_value(&self) -> Value {
        Value::Map(
            self.params
                .iter()
                .map(|(l, v)| (label_value(l), v.clone()))
                .collect(),
        )
    }

    /// The protected-bucket encoding: a zero-length string for an empty header (RFC 9052 §3).
    pub(crate) fn to_protected_bytes(&self) -> Vec<u8> {
        if self.is_empty() {
            Vec::new()
        } else {
            encode_cbor(&self.to_value())
        }
    }
}

impl From<ContentType> for Value {
    fn from(ct: ContentType) -> Value {
        match ct {
            ContentType::Format(n) => Value::Integer(n.into()),
            ContentType::Media(s) => Value::Text(s),
        }
    }
}

fn malformed(what: &str) -> CoseError {
    CoseError::MalformedHeader(what.to_owned())
}
