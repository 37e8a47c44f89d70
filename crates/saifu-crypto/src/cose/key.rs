//! COSE_Key (RFC 9052 §7, RFC 9053 §7) for public keys: `OKP` (Ed25519, X25519), `EC2` (P-256,
//! secp256k1) and `AKP` (ML-DSA, RFC 9964: kty 7, `alg` required, public key under -1).
//!
//! Encoding is deterministic (RFC 8949 §4.2.1 key order: 1, 3, -1, -2, -3) and carries no `alg`
//! for `OKP`/`EC2`, mirroring the JWK form. Decoding refuses private members, unknown curves,
//! an `alg` that does not fit the key, and duplicate labels.

use ciborium::Value;

use super::{CoseError, DEFAULT_MAX_MESSAGE_LEN, Label, decode_cbor, encode_cbor, label_map};
use crate::{Algorithm, CryptoError, KeyType, PublicKey, b64};

/// Common and type-specific COSE_Key labels (RFC 9052 §7.1, RFC 9053 §7.1–§7.2, RFC 9964).
mod param {
    pub const KTY: i64 = 1;
    pub const ALG: i64 = 3;
    pub const CRV: i64 = -1;
    pub const X: i64 = -2;
    pub const Y: i64 = -3;
    pub const D: i64 = -4;
    /// `AKP` public key.
    pub const PUB: i64 = -1;
    /// `AKP` private seed.
    pub const PRIV: i64 = -2;
}

/// COSE key types (RFC 9053 §7, RFC 9964).
mod kty {
    pub const OKP: i64 = 1;
    pub const EC2: i64 = 2;
    pub const AKP: i64 = 7;
}

/// COSE elliptic curves (RFC 9053 §7.1, RFC 8812).
mod crv {
    pub const P256: i64 = 1;
    pub const X25519: i64 = 4;
    pub const ED25519: i64 = 6;
    pub const SECP256K1: i64 = 8;
}

/// The COSE_Key map of a public key.
pub fn to_value(key: &PublicKey) -> Value {
    let int = |i: i64| Value::Integer(i.into());
    let jwk = key.to_jwk();
    let coord = |c: &Option<String>| {
        Value::Bytes(
            b64::decode(c.as_deref().expect("own JWKs carry their coordinates"), "x")
                .expect("own JWKs are valid"),
        )
    };
    let entries: Vec<(i64, Value)> = match key.key_type() {
        KeyType::Ed25519 => vec![
            (param::KTY, int(kty::OKP)),
            (param::CRV, int(crv::ED25519)),
            (param::X, coord(&jwk.x)),
        ],
        KeyType::X25519 => vec![
            (param::KTY, int(kty::OKP)),
            (param::CRV, int(crv::X25519)),
            (param::X, coord(&jwk.x)),
        ],
        KeyType::P256 | KeyType::Secp256k1 => {
            let curve = if key.key_type() == KeyType::P256 {
                crv::P256
            } else {
                crv::SECP256K1
            };
            vec![
                (param::KTY, int(kty::EC2)),
                (param::CRV, int(curve)),
                (param::X, coord(&jwk.x)),
                (param::Y, coord(&jwk.y)),
            ]
        }
        KeyType::MlDsa44 | KeyType::MlDsa65 => {
            let alg = key
                .key_type()
                .default_algorithm()
                .expect("ML-DSA keys sign");
            vec![
                (param::KTY, int(kty::AKP)),
                (param::ALG, int(alg.cose_id())),
                (param::PUB, Value::Bytes(key.to_bytes())),
            ]
        }
    };
    Value::Map(entries.into_iter().map(|(l, v)| (int(l), v)).collect())
}

/// The encoded COSE_Key of a public key.
pub fn to_vec(key: &PublicKey) -> Vec<u8> {
    encode_cbor(&to_value(key))
}

/// Decodes an encoded COSE_Key into a validated public key.
pub fn from_slice(bytes: &[u8]) -> Result<PublicKey, CoseError> {
    from_value(decode_cbor(bytes, DEFAULT_MAX_MESSAGE_LEN)?)
}

/// Reads a COSE_Key map into a validated public key.
pub fn from_value(value: Value) -> Result<PublicKey, CoseError> {
    let map = KeyMap(label_map(value, "COSE_Key")?);
    match map
        .int(param::KTY)?
        .ok_or_else(|| invalid("kty is required"))?
    {
        kty::OKP => okp(&map),
        kty::EC2 => ec2(&map),
        kty::AKP => akp(&map),
        other => Err(CryptoError::UnsupportedKeyType(format!("COSE kty {other}")).into()),
    }
}

fn okp(map: &KeyMap) -> Result<PublicKey, CoseError> {
    map.refuse_private(param::D)?;
    let key_type = match map
        .int(param::CRV)?
        .ok_or_else(|| invalid("crv is required"))?
    {
        crv::ED25519 => KeyType::Ed25519,
        crv::X25519 => KeyType::X25519,
        other => {
            return Err(CryptoError::UnsupportedKeyType(format!("COSE OKP crv {other}")).into());
        }
    };
    map.check_alg(key_type)?;
    Ok(PublicKey::from_bytes(key_type, map.bytes(param::X, "x")?)?)
}

fn ec2(map: &KeyMap) -> Result<PublicKey, CoseError> {
    map.refuse_private(param::D)?;
    let key_type = match map
        .int(param::CRV)?
        .ok_or_else(|| invalid("crv is required"))?
    {
        crv::P256 => KeyType::P256,
        crv::SECP256K1 => KeyType::Secp256k1,
        other => {
            return Err(CryptoError::UnsupportedKeyType(format!("COSE EC2 crv {other}")).into());
        }
    };
    map.check_alg(key_type)?;
    let x = map.bytes(param::X, "x")?;
    if x.len() != 32 {
        return Err(CryptoError::InvalidKeyLength {
            key_type,
            expected: 32,
            actual: x.len(),
        }
        .into());
    }
    // RFC 9053 §7.1.1: `y` is the coordinate, or its sign bit for point compression.
    let sec1 = match map.get(param::Y).ok_or_else(|| invalid("y is required"))? {
        Value::Bytes(y) if y.len() == 32 => [&[0x04], x, y.as_slice()].concat(),
        Value::Bytes(y) => {
            return Err(CryptoError::InvalidKeyLength {
                key_type,
                expected: 32,
                actual: y.len(),
            }
            .into());
        }
        Value::Bool(sign) => [&[if *sign { 0x03 } else { 0x02 }], x].concat(),
        _ => return Err(invalid("y is neither a byte string nor a boolean")),
    };
    Ok(PublicKey::from_bytes(key_type, &sec1)?)
}

fn akp(map: &KeyMap) -> Result<PublicKey, CoseError> {
    map.refuse_private(param::PRIV)?;
    let key_type = match map
        .int(param::ALG)?
        .ok_or_else(|| invalid("alg is required for AKP keys"))?
    {
        id if id == Algorithm::MlDsa44.cose_id() => KeyType::MlDsa44,
        id if id == Algorithm::MlDsa65.cose_id() => KeyType::MlDsa65,
        other => {
            return Err(CryptoError::UnsupportedKeyType(format!("COSE AKP alg {other}")).into());
        }
    };
    Ok(PublicKey::from_bytes(
        key_type,
        map.bytes(param::PUB, "pub")?,
    )?)
}

/// A decoded COSE_Key map with typed lookups.
struct KeyMap(Vec<(Label, Value)>);

impl KeyMap {
    fn get(&self, label: i64) -> Option<&Value> {
        self.0
            .iter()
            .find(|(l, _)| *l == Label::Int(label))
            .map(|(_, v)| v)
    }

    fn int(&self, label: i64) -> Result<Option<i64>, CoseError> {
        self.get(label)
            .map(|v| match v {
                Value::Integer(i) => i64::try_from(*i).map_err(|_| invalid("integer out of range")),
                _ => Err(invalid(&format!("label {label} is not an integer"))),
            })
            .transpose()
    }

    fn bytes(&self, label: i64, name: &str) -> Result<&[u8], CoseError> {
        match self.get(label) {
            Some(Value::Bytes(b)) => Ok(b),
            Some(_) => Err(invalid(&format!("{name} is not a byte string"))),
            None => Err(invalid(&format!("{name} is required"))),
        }
    }

    fn refuse_private(&self, label: i64) -> Result<(), CoseError> {
        match self.get(label) {
            Some(_) => Err(invalid("private key material in a public COSE_Key")),
            None => Ok(()),
        }
    }

    /// An optional `alg` on a signing `OKP`/`EC2` key must be one that key signs with (an X25519
    /// key only agrees, under ECDH algorithms this crate does not name).
    fn check_alg(&self, key_type: KeyType) -> Result<(), CoseError> {
        let Some(id) = self.int(param::ALG)? else {
            return Ok(());
        };
        if key_type == KeyType::X25519 {
            return Ok(());
        }
        let alg = Algorithm::from_cose_id(id)?;
        if alg.key_type() != key_type {
            return Err(CryptoError::AlgorithmKeyMismatch { alg, key_type }.into());
        }
        Ok(())
    }
}

fn invalid(what: &str) -> CoseError {
    CoseError::InvalidKey(what.to_owned())
}
