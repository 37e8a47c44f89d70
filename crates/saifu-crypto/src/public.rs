//! Public keys: decoding and validation from JWK and Multikey, and signature verification.
//!
//! P-256 verification runs on `ring` (assembly-backed; about 4× faster than the pure-Rust `p256`
//! crate on the benchmark in BENCHMARKS.md), while `p256` keeps handling point decoding and
//! encoding so that key validation rules are identical everywhere.

use ed25519_dalek::Verifier as _;
use ml_dsa::{MlDsa44, MlDsa65};
use p256::elliptic_curve::sec1::{EncodedPoint, FromEncodedPoint, ToEncodedPoint};

use crate::alg::{Algorithm, KeyType};
use crate::multikey::{self, codec};
use crate::{CryptoError, Jwk, b64};

/// A validated public key of one of the supported types.
#[derive(Clone)]
pub struct PublicKey(pub(crate) Inner);

#[derive(Clone)]
pub(crate) enum Inner {
    Ed25519(ed25519_dalek::VerifyingKey),
    X25519(x25519_dalek::PublicKey),
    /// The uncompressed SEC1 point is kept because `ring` verifies from it.
    P256 {
        key: p256::PublicKey,
        uncompressed: Box<[u8; 65]>,
    },
    Secp256k1(k256::ecdsa::VerifyingKey),
    MlDsa44(Box<ml_dsa::VerifyingKey<MlDsa44>>),
    MlDsa65(Box<ml_dsa::VerifyingKey<MlDsa65>>),
}

/// Public key sizes in bytes, as carried in JWK `x`/`pub` and in Multikey (EC keys compressed).
fn raw_len(key_type: KeyType) -> usize {
    match key_type {
        KeyType::Ed25519 | KeyType::X25519 => 32,
        KeyType::P256 | KeyType::Secp256k1 => 33,
        KeyType::MlDsa44 => 1312,
        KeyType::MlDsa65 => 1952,
    }
}

fn check_len(key_type: KeyType, expected: usize, bytes: &[u8]) -> Result<(), CryptoError> {
    if bytes.len() == expected {
        Ok(())
    } else {
        Err(CryptoError::InvalidKeyLength {
            key_type,
            expected,
            actual: bytes.len(),
        })
    }
}

impl PublicKey {
    /// The key's family.
    pub fn key_type(&self) -> KeyType {
        match &self.0 {
            Inner::Ed25519(_) => KeyType::Ed25519,
            Inner::X25519(_) => KeyType::X25519,
            Inner::P256 { .. } => KeyType::P256,
            Inner::Secp256k1(_) => KeyType::Secp256k1,
            Inner::MlDsa44(_) => KeyType::MlDsa44,
            Inner::MlDsa65(_) => KeyType::MlDsa65,
        }
    }

    /// Decodes a key from its raw bytes (EC keys as SEC1, compressed or uncompressed), validating
    /// that the bytes are a usable key of that type (e.g. a point on the curve).
    pub fn from_bytes(key_type: KeyType, bytes: &[u8]) -> Result<PublicKey, CryptoError> {
        let invalid =
            |e: &dyn std::fmt::Display| CryptoError::InvalidPublicKey(format!("{key_type}: {e}"));
        let inner = match key_type {
            KeyType::Ed25519 => {
                check_len(key_type, 32, bytes)?;
                let arr: [u8; 32] = bytes.try_into().expect("length checked");
                Inner::Ed25519(
                    ed25519_dalek::VerifyingKey::from_bytes(&arr).map_err(|e| invalid(&e))?,
                )
            }
            KeyType::X25519 => {
                check_len(key_type, 32, bytes)?;
                let arr: [u8; 32] = bytes.try_into().expect("length checked");
                Inner::X25519(x25519_dalek::PublicKey::from(arr))
            }
            KeyType::P256 => {
                if bytes.len() != 33 && bytes.len() != 65 {
                    check_len(key_type, 33, bytes)?;
                }
                let key = p256::PublicKey::from_sec1_bytes(bytes)
                    .map_err(|_| invalid(&"not a point on the curve"))?;
                Self::p256(key).0
            }
            KeyType::Secp256k1 => {
                if bytes.len() != 33 && bytes.len() != 65 {
                    check_len(key_type, 33, bytes)?;
                }
                Inner::Secp256k1(
                    k256::ecdsa::VerifyingKey::from_sec1_bytes(bytes)
                        .map_err(|_| invalid(&"not a point on the curve"))?,
                )
            }
            KeyType::MlDsa44 => {
                check_len(key_type, raw_len(key_type), bytes)?;
                let enc = ml_dsa::EncodedVerifyingKey::<MlDsa44>::try_from(bytes)
                    .map_err(|e| invalid(&e))?;
                Inner::MlDsa44(Box::new(ml_dsa::VerifyingKey::decode(&enc)))
            }
            KeyType::MlDsa65 => {
                check_len(key_type, raw_len(key_type), bytes)?;
                let enc = ml_dsa::EncodedVerifyingKey::<MlDsa65>::try_from(bytes)
                    .map_err(|e| invalid(&e))?;
                Inner::MlDsa65(Box::new(ml_dsa::VerifyingKey::decode(&enc)))
            }
        };
        Ok(PublicKey(inner))
    }

    pub(crate) fn p256(key: p256::PublicKey) -> PublicKey {
        let point = key.to_encoded_point(false);
        let mut uncompressed = Box::new([0u8; 65]);
        uncompressed.copy_from_slice(point.as_bytes());
        PublicKey(Inner::P256 { key, uncompressed })
    }

    /// The raw key bytes: 32 bytes for Ed25519/X25519, compressed SEC1 for EC keys, the FIPS 204
    /// encoding for ML-DSA. This is what Multikey wraps.
    pub fn to_bytes(&self) -> Vec<u8> {
        match &self.0 {
            Inner::Ed25519(k) => k.to_bytes().to_vec(),
            Inner::X25519(k) => k.to_bytes().to_vec(),
            Inner::P256 { key, .. } => key.to_encoded_point(true).as_bytes().to_vec(),
            Inner::Secp256k1(k) => k.to_encoded_point(true).as_bytes().to_vec(),
            Inner::MlDsa44(k) => k.encode().to_vec(),
            Inner::MlDsa65(k) => k.encode().to_vec(),
        }
    }

    /// Decodes a public JWK. Private members are ignored here (callers that must refuse private
    /// keys in public places check [`Jwk::is_private`]); `alg`, when present, must fit the key.
    pub fn from_jwk(jwk: &Jwk) -> Result<PublicKey, CryptoError> {
        let key_type = jwk_key_type(jwk)?;
        let member = |v: &Option<String>, name: &'static str| {
            v.as_deref()
                .ok_or_else(|| {
                    CryptoError::InvalidJwk(format!("`{name}` is required for {key_type}"))
                })
                .and_then(|s| b64::decode(s, name))
        };
        let key = match key_type {
            KeyType::Ed25519 | KeyType::X25519 => {
                Self::from_bytes(key_type, &member(&jwk.x, "x")?)?
            }
            KeyType::P256 | KeyType::Secp256k1 => {
                let (x, y) = (member(&jwk.x, "x")?, member(&jwk.y, "y")?);
                // RFC 7518 §6.2.1.2/§6.2.1.3: coordinates are the full field size, never shortened.
                check_len(key_type, 32, &x)?;
                check_len(key_type, 32, &y)?;
                let mut sec1 = Vec::with_capacity(65);
                sec1.push(0x04);
                sec1.extend_from_slice(&x);
                sec1.extend_from_slice(&y);
                if key_type == KeyType::P256 {
                    let point =
                        EncodedPoint::<p256::NistP256>::from_bytes(&sec1).map_err(|_| {
                            CryptoError::InvalidPublicKey("P-256: bad point encoding".into())
                        })?;
                    let key = Option::<p256::PublicKey>::from(p256::PublicKey::from_encoded_point(
                        &point,
                    ))
                    .ok_or_else(|| {
                        CryptoError::InvalidPublicKey("P-256: not a point on the curve".into())
                    })?;
                    Self::p256(key)
                } else {
                    Self::from_bytes(key_type, &sec1)?
                }
            }
            KeyType::MlDsa44 | KeyType::MlDsa65 => {
                Self::from_bytes(key_type, &member(&jwk.pub_, "pub")?)?
            }
        };
        Ok(key)
    }

    /// The public JWK (RFC 7517 / RFC 8037 / RFC 9964). ML-DSA keys carry `alg`, which RFC 9964
    /// makes mandatory for `AKP`; other keys carry no `alg` so they stay algorithm-agnostic.
    pub fn to_jwk(&self) -> Jwk {
        let mut jwk = Jwk::default();
        match &self.0 {
            Inner::Ed25519(k) => {
                jwk.kty = "OKP".into();
                jwk.crv = Some("Ed25519".into());
                jwk.x = Some(b64::encode(k.as_bytes()));
            }
            Inner::X25519(k) => {
                jwk.kty = "OKP".into();
                jwk.crv = Some("X25519".into());
                jwk.x = Some(b64::encode(k.as_bytes()));
            }
            Inner::P256 { uncompressed, .. } => {
                jwk.kty = "EC".into();
                jwk.crv = Some("P-256".into());
                jwk.x = Some(b64::encode(&uncompressed[1..33]));
                jwk.y = Some(b64::encode(&uncompressed[33..65]));
            }
            Inner::Secp256k1(k) => {
                let point = k.to_encoded_point(false);
                jwk.kty = "EC".into();
                jwk.crv = Some("secp256k1".into());
                jwk.x = Some(b64::encode(point.x().expect("uncompressed point")));
                jwk.y = Some(b64::encode(point.y().expect("uncompressed point")));
            }
            Inner::MlDsa44(_) | Inner::MlDsa65(_) => {
                jwk.kty = "AKP".into();
                jwk.alg = Some(
                    self.key_type()
                        .default_algorithm()
                        .expect("signing key")
                        .jose_name()
                        .into(),
                );
                jwk.pub_ = Some(b64::encode(self.to_bytes()));
            }
        }
        jwk
    }

    /// RFC 7638 SHA-256 thumbprint of the public JWK, base64url.
    pub fn thumbprint(&self) -> String {
        self.to_jwk()
            .thumbprint()
            .expect("own JWKs always have the required members")
    }

    /// The multicodec code of this key's public form.
    pub fn multicodec(&self) -> u64 {
        match self.key_type() {
            KeyType::Ed25519 => codec::ED25519_PUB,
            KeyType::X25519 => codec::X25519_PUB,
            KeyType::P256 => codec::P256_PUB,
            KeyType::Secp256k1 => codec::SECP256K1_PUB,
            KeyType::MlDsa44 => codec::MLDSA44_PUB,
            KeyType::MlDsa65 => codec::MLDSA65_PUB,
        }
    }

    /// Multicodec-prefixed key bytes (no multibase), as used inside did:key.
    pub fn to_multicodec(&self) -> Vec<u8> {
        multikey::encode_multicodec(self.multicodec(), &self.to_bytes())
    }

    /// Decodes multicodec-prefixed key bytes.
    pub fn from_multicodec(bytes: &[u8]) -> Result<PublicKey, CryptoError> {
        let (code, key) = multikey::decode_multicodec(bytes)?;
        let key_type = match code {
            codec::ED25519_PUB => KeyType::Ed25519,
            codec::X25519_PUB => KeyType::X25519,
            codec::P256_PUB => KeyType::P256,
            codec::SECP256K1_PUB => KeyType::Secp256k1,
            codec::MLDSA44_PUB => KeyType::MlDsa44,
            codec::MLDSA65_PUB => KeyType::MlDsa65,
            codec::P384_PUB => return Err(CryptoError::UnsupportedKeyType("P-384".into())),
            other => {
                return Err(CryptoError::UnsupportedKeyType(format!(
                    "multicodec 0x{other:x}"
                )));
            }
        };
        // Multikey requires the compressed form for EC keys.
        check_len(key_type, raw_len(key_type), key)?;
        Self::from_bytes(key_type, key)
    }

    /// The Multikey `publicKeyMultibase` value (`z6Mk…` for Ed25519, `zDn…` for P-256, …).
    pub fn to_multikey(&self) -> String {
        multikey::encode_multibase(&self.to_multicodec())
    }

    /// Decodes a Multikey `publicKeyMultibase` value.
    pub fn from_multikey(s: &str) -> Result<PublicKey, CryptoError> {
        Self::from_multicodec(&multikey::decode_multibase(s)?)
    }

    /// The X25519 key birationally equivalent to this Ed25519 key (RFC 7748 §4.1), which did:key
    /// exposes as `keyAgreement` on request. `None` for other key types.
    pub fn to_ed25519_x25519(&self) -> Option<PublicKey> {
        match &self.0 {
            Inner::Ed25519(k) => Some(PublicKey(Inner::X25519(x25519_dalek::PublicKey::from(
                k.to_montgomery().to_bytes(),
            )))),
            _ => None,
        }
    }

    /// Refuses `alg` unless it belongs to this key's type.
    pub(crate) fn check_algorithm(&self, alg: Algorithm) -> Result<(), CryptoError> {
        if alg.key_type() == self.key_type() {
            Ok(())
        } else {
            Err(CryptoError::AlgorithmKeyMismatch {
                alg,
                key_type: self.key_type(),
            })
        }
    }

    /// Verifies `signature` over `message` with `alg`, which must belong to this key type.
    pub fn verify(
        &self,
        alg: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        self.check_algorithm(alg)?;
        let malformed = |reason: &str| CryptoError::MalformedSignature {
            alg,
            reason: reason.to_owned(),
        };
        let ok = match &self.0 {
            Inner::Ed25519(k) => {
                return verify_ed25519(k, message, &ed25519_signature(alg, signature)?);
            }
            Inner::P256 { uncompressed, .. } => {
                if signature.len() != 64 {
                    return Err(malformed("expected 64 bytes r||s"));
                }
                ring::signature::UnparsedPublicKey::new(
                    &ring::signature::ECDSA_P256_SHA256_FIXED,
                    &uncompressed[..],
                )
                .verify(message, signature)
                .is_ok()
            }
            Inner::Secp256k1(k) => {
                let sig = k256::ecdsa::Signature::from_slice(signature)
                    .map_err(|_| malformed("expected 64 bytes r||s with non-zero scalars"))?;
                // RFC 8812 does not require low-S; k256 only accepts low-S, so normalise first.
                let sig = sig.normalize_s().unwrap_or(sig);
                k.verify(message, &sig).is_ok()
            }
            Inner::MlDsa44(k) => {
                let sig = ml_dsa::Signature::<MlDsa44>::try_from(signature)
                    .map_err(|_| malformed("expected 2420 bytes"))?;
                k.verify_with_context(message, &[], &sig)
            }
            Inner::MlDsa65(k) => {
                let sig = ml_dsa::Signature::<MlDsa65>::try_from(signature)
                    .map_err(|_| malformed("expected 3309 bytes"))?;
                k.verify_with_context(message, &[], &sig)
            }
            Inner::X25519(_) => unreachable!("no algorithm maps to X25519"),
        };
        if ok {
            Ok(())
        } else {
            Err(CryptoError::BadSignature)
        }
    }
}

/// Parses an Ed25519 signature (`R‖S`, 64 bytes) received under `alg`.
pub(crate) fn ed25519_signature(
    alg: Algorithm,
    signature: &[u8],
) -> Result<ed25519_dalek::Signature, CryptoError> {
    ed25519_dalek::Signature::from_slice(signature).map_err(|_| CryptoError::MalformedSignature {
        alg,
        reason: "expected 64 bytes".to_owned(),
    })
}

/// Verifies one Ed25519 signature with `verify_strict`, which also refuses small-order keys and
/// small-order or non-canonical `R`, closing malleability.
pub(crate) fn verify_ed25519(
    key: &ed25519_dalek::VerifyingKey,
    message: &[u8],
    signature: &ed25519_dalek::Signature,
) -> Result<(), CryptoError> {
    key.verify_strict(message, signature)
        .map_err(|_| CryptoError::BadSignature)
}

/// Determines the key type a JWK describes from `kty`/`crv` (and `alg` for `AKP`).
pub(crate) fn jwk_key_type(jwk: &Jwk) -> Result<KeyType, CryptoError> {
    let key_type = match (jwk.kty.as_str(), jwk.crv.as_deref()) {
        ("OKP", Some("Ed25519")) => KeyType::Ed25519,
        ("OKP", Some("X25519")) => KeyType::X25519,
        ("EC", Some("P-256")) => KeyType::P256,
        ("EC", Some("secp256k1")) => KeyType::Secp256k1,
        ("AKP", _) => match jwk.alg.as_deref() {
            Some("ML-DSA-44") => KeyType::MlDsa44,
            Some("ML-DSA-65") => KeyType::MlDsa65,
            Some(other) => return Err(CryptoError::UnsupportedKeyType(format!("AKP {other}"))),
            None => {
                return Err(CryptoError::InvalidJwk(
                    "`alg` is required for AKP keys (RFC 9964)".into(),
                ));
            }
        },
        ("OKP" | "EC", Some(crv)) => {
            return Err(CryptoError::UnsupportedKeyType(format!(
                "{} {crv}",
                jwk.kty
            )));
        }
        ("OKP" | "EC", None) => {
            return Err(CryptoError::InvalidJwk(format!(
                "`crv` is required for {}",
                jwk.kty
            )));
        }
        (kty, _) => return Err(CryptoError::UnsupportedKeyType(kty.to_owned())),
    };
    if let Some(alg) = jwk.alg.as_deref() {
        check_alg_hint(alg, key_type)?;
    }
    Ok(key_type)
}

/// A JWK's `alg` hint must suit the key: a signature algorithm of its type, or (for keys that can
/// agree keys) an ECDH-ES variant, as OpenID4VP encryption keys carry.
fn check_alg_hint(alg: &str, key_type: KeyType) -> Result<(), CryptoError> {
    let agrees = matches!(key_type, KeyType::X25519 | KeyType::P256);
    if agrees && alg.starts_with("ECDH-ES") {
        return Ok(());
    }
    let parsed: Algorithm = alg.parse()?;
    if parsed.key_type() != key_type {
        return Err(CryptoError::AlgorithmKeyMismatch {
            alg: parsed,
            key_type,
        });
    }
    Ok(())
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.key_type() == other.key_type() && self.to_bytes() == other.to_bytes()
    }
}

impl Eq for PublicKey {}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({}, {})", self.key_type(), self.thumbprint())
    }
}
