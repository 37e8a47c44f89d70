//! COSE (RFC 9052): COSE_Sign1 signing and verification, header maps, and COSE_Key for public keys.
//!
//! Messages are parsed with `ciborium` into a strict model of our own rather than through `coset`'s
//! `Header`: coset 0.3 rejects the whole message when a header carries an algorithm missing from
//! its 2021 IANA snapshot, which includes every fully-specified (RFC 9864: -9, -19) and ML-DSA
//! (RFC 9964: -48, -49) identifier saifu signs with, and it cannot represent `AKP` keys (kty 7).
//! The Sig_structure is built with coset's `sig_structure_data`. Parsing is strict where the
//! RFC is: labels are unique across both header buckets (§3), `alg` must be protected (§3.1),
//! `crit` must be protected and understood (§3.1), and nothing may follow the message.

mod header;
pub mod key;
mod sign1;

use ciborium::Value;

pub use coset::Label;
pub use header::{ContentType, Header, label};
pub use sign1::{CoseSign1, SignOptions, VerifyOptions, sign1};

use crate::{Algorithm, CryptoError};

/// CBOR tag of a COSE_Sign1 message (RFC 9052 §2).
pub const COSE_SIGN1_TAG: u64 = 18;

/// Default bound on the size of an encoded COSE message accepted by [`CoseSign1::from_slice`] (1 MiB).
pub const DEFAULT_MAX_MESSAGE_LEN: usize = 1 << 20;

/// Deepest CBOR nesting accepted anywhere in a COSE message or CWT claim set.
pub const MAX_CBOR_DEPTH: usize = 32;

/// Why a COSE structure could not be built, decoded or verified.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoseError {
    /// A key or signature error from the key layer (bad signature, unsupported algorithm or key,
    /// algorithm/key mismatch, …).
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The input is longer than the configured limit; nothing was decoded.
    #[error("COSE message is {len} bytes, more than the limit of {max}")]
    TooLarge {
        /// Length received.
        len: usize,
        /// The limit in force.
        max: usize,
    },
    /// The bytes are not one well-formed CBOR item within the nesting limit.
    #[error("malformed CBOR: {0}")]
    Cbor(String),
    /// The message carries a CBOR tag other than the one expected.
    #[error("unexpected CBOR tag {0}")]
    UnexpectedTag(u64),
    /// The CBOR item does not have the shape of a COSE_Sign1 message.
    #[error("not a COSE_Sign1 message: {0}")]
    NotCoseSign1(&'static str),
    /// A header parameter has the wrong type or is misplaced.
    #[error("malformed COSE header: {0}")]
    MalformedHeader(String),
    /// A labelled map (header, COSE_Key, claims set) is not a map or has a label that is neither
    /// an integer nor a text string.
    #[error("malformed CBOR map: {0}")]
    MalformedMap(String),
    /// A label occurs twice in a map, or in both the protected and the unprotected header.
    #[error("duplicate COSE label {0:?}")]
    DuplicateLabel(Label),
    /// The protected header has no `alg`.
    #[error("COSE message has no algorithm")]
    MissingAlgorithm,
    /// `alg` is only in the unprotected header, where an attacker could change it (RFC 9052 §3.1).
    #[error("COSE algorithm must be in the protected header")]
    AlgorithmNotProtected,
    /// The algorithm is supported but not allowed by the caller's policy.
    #[error("algorithm {0} is not allowed here")]
    AlgorithmNotAllowed(Algorithm),
    /// `crit` lists a header parameter the caller does not understand (RFC 9052 §3.1).
    #[error("critical COSE header parameter {0:?} is not understood")]
    UnknownCritical(Label),
    /// The payload is detached and none was supplied.
    #[error("COSE payload is detached but none was supplied")]
    MissingPayload,
    /// A detached payload was supplied for a message that carries its own.
    #[error("COSE message carries its payload; a detached one was also supplied")]
    UnexpectedDetachedPayload,
    /// A COSE_Key is malformed, or carries private key material where a public key is expected.
    #[error("invalid COSE_Key: {0}")]
    InvalidKey(String),
}

/// Decodes exactly one CBOR item from `bytes` within [`MAX_CBOR_DEPTH`], refusing trailing bytes.
pub(crate) fn decode_cbor(bytes: &[u8], max_len: usize) -> Result<Value, CoseError> {
    if bytes.len() > max_len {
        return Err(CoseError::TooLarge {
            len: bytes.len(),
            max: max_len,
        });
    }
    let mut rest = bytes;
    let value: Value = ciborium::de::from_reader_with_recursion_limit(&mut rest, MAX_CBOR_DEPTH)
        .map_err(|e| CoseError::Cbor(e.to_string()))?;
    if !rest.is_empty() {
        return Err(CoseError::Cbor(format!(
            "{} bytes after the item",
            rest.len()
        )));
    }
    Ok(value)
}

/// Encodes a CBOR value; serializing a `Value` into memory cannot fail.
pub(crate) fn encode_cbor(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).expect("CBOR values serialize into memory");
    out
}

/// Most entries a header, COSE_Key or claims map may have. Real ones have a handful; the bound
/// keeps the duplicate check (quadratic, but over at most this many labels) cheap on hostile input.
pub const MAX_MAP_ENTRIES: usize = 256;

/// Reads a CBOR map whose keys are COSE labels, refusing duplicates (RFC 9052 §3, RFC 8392 §7.1)
/// and maps larger than [`MAX_MAP_ENTRIES`].
pub(crate) fn label_map(value: Value, what: &str) -> Result<Vec<(Label, Value)>, CoseError> {
    let Value::Map(entries) = value else {
        return Err(CoseError::MalformedMap(format!("{what} is not a map")));
    };
    if entries.len() > MAX_MAP_ENTRIES {
        return Err(CoseError::MalformedMap(format!(
            "{what} has {} entries, more than the {MAX_MAP_ENTRIES} allowed",
            entries.len()
        )));
    }
    let mut out: Vec<(Label, Value)> = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        let label = to_label(key, what)?;
        if out.iter().any(|(l, _)| *l == label) {
            return Err(CoseError::DuplicateLabel(label));
        }
        out.push((label, value));
    }
    Ok(out)
}

fn to_label(value: Value, what: &str) -> Result<Label, CoseError> {
    match value {
        Value::Integer(i) => i64::try_from(i)
            .map(Label::Int)
            .map_err(|_| CoseError::MalformedMap(format!("{what} label out of range"))),
        Value::Text(t) => Ok(Label::Text(t)),
        _ => Err(CoseError::MalformedMap(format!(
            "{what} label is not an integer or text"
        ))),
    }
}

/// The CBOR form of a label.
pub(crate) fn label_value(label: &Label) -> Value {
    match label {
        Label::Int(i) => Value::Integer((*i).into()),
        Label::Text(t) => Value::Text(t.clone()),
    }
}
