//! Private keys: generation, JWK and Multikey import/export, signing and key agreement.
//!
//! Every variant zeroizes its secret when dropped (the underlying crates implement
//! `ZeroizeOnDrop`), and `Debug` never prints secret material.

use ml_dsa::{MlDsa44, MlDsa65};
use rand::RngCore;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

use crate::alg::{Algorithm, KeyType};
use crate::mldsa_rng::OsRng010;
use crate::multikey::{self, codec};
use crate::public::{Inner, jwk_key_type};
use crate::{CryptoError, Jwk, PublicKey, b64};

/// A private key of one of the supported types, together with its public key.
pub struct PrivateKey {
    secret: Secret,
    public: PublicKey,
}

enum Secret {
    Ed25519(ed25519_dalek::SigningKey),
    X25519(x25519_dalek::StaticSecret),
    P256(p256::ecdsa::SigningKey),
    Secp256k1(k256::ecdsa::SigningKey),
    MlDsa44(Box<ml_dsa::SigningKey<MlDsa44>>),
    MlDsa65(Box<ml_dsa::SigningKey<MlDsa65>>),
}

/// Length of every private scalar / seed saifu handles (Ed25519, X25519, P-256, secp256k1, ML-DSA seed).
const SECRET_LEN: usize = 32;

fn secret_array(key_type: KeyType, bytes: &[u8]) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
    if bytes.len() != SECRET_LEN {
        return Err(CryptoError::InvalidKeyLength {
            key_type,
            expected: SECRET_LEN,
            actual: bytes.len(),
        });
    }
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(bytes);
    Ok(out)
}

impl PrivateKey {
    /// Generates a fresh key from the operating system's RNG.
    pub fn generate(key_type: KeyType) -> Result<PrivateKey, CryptoError> {
        match key_type {
            // EC scalars must be in range; draw from the curve's own sampler.
            KeyType::P256 => Ok(Self::from_secret(Secret::P256(
                p256::ecdsa::SigningKey::random(&mut OsRng),
            ))),
            KeyType::Secp256k1 => Ok(Self::from_secret(Secret::Secp256k1(
                k256::ecdsa::SigningKey::random(&mut OsRng),
            ))),
            _ => {
                let mut seed = Zeroizing::new([0u8; 32]);
                OsRng
                    .try_fill_bytes(seed.as_mut())
                    .map_err(|_| CryptoError::Rng)?;
                Self::from_secret_bytes(key_type, seed.as_ref())
            }
        }
    }

    /// Builds a key from its raw secret: the 32-byte seed (Ed25519, ML-DSA), scalar (P-256,
    /// secp256k1) or X25519 private key.
    pub fn from_secret_bytes(key_type: KeyType, bytes: &[u8]) -> Result<PrivateKey, CryptoError> {
        let arr = secret_array(key_type, bytes)?;
        let invalid =
            |_| CryptoError::InvalidPrivateKey(format!("{key_type}: scalar out of range"));
        let secret = match key_type {
            KeyType::Ed25519 => Secret::Ed25519(ed25519_dalek::SigningKey::from_bytes(&arr)),
            KeyType::X25519 => Secret::X25519(x25519_dalek::StaticSecret::from(*arr)),
            KeyType::P256 => {
                Secret::P256(p256::ecdsa::SigningKey::from_slice(arr.as_ref()).map_err(invalid)?)
            }
            KeyType::Secp256k1 => Secret::Secp256k1(
                k256::ecdsa::SigningKey::from_slice(arr.as_ref()).map_err(invalid)?,
            ),
            KeyType::MlDsa44 => {
                Secret::MlDsa44(Box::new(ml_dsa::SigningKey::from_seed(&(*arr).into())))
            }
            KeyType::MlDsa65 => {
                Secret::MlDsa65(Box::new(ml_dsa::SigningKey::from_seed(&(*arr).into())))
            }
        };
        Ok(Self::from_secret(secret))
    }

    fn from_secret(secret: Secret) -> PrivateKey {
        let public = PublicKey(match &secret {
            Secret::Ed25519(k) => Inner::Ed25519(k.verifying_key()),
            Secret::X25519(k) => Inner::X25519(x25519_dalek::PublicKey::from(k)),
            Secret::P256(k) => {
                return Self {
                    public: PublicKey::p256(p256::PublicKey::from(k.verifying_key())),
                    secret,
                };
            }
            Secret::Secp256k1(k) => Inner::Secp256k1(*k.verifying_key()),
            Secret::MlDsa44(k) => Inner::MlDsa44(Box::new(k.expanded_key().verifying_key())),
            Secret::MlDsa65(k) => Inner::MlDsa65(Box::new(k.expanded_key().verifying_key())),
        });
        PrivateKey { secret, public }
    }

    /// The raw secret (seed or scalar), zeroized when dropped.
    pub fn secret_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(match &self.secret {
            Secret::Ed25519(k) => k.to_bytes().to_vec(),
            Secret::X25519(k) => k.to_bytes().to_vec(),
            Secret::P256(k) => k.to_bytes().to_vec(),
            Secret::Secp256k1(k) => k.to_bytes().to_vec(),
            Secret::MlDsa44(k) => Zeroizing::new(k.to_seed()).to_vec(),
            Secret::MlDsa65(k) => Zeroizing::new(k.to_seed()).to_vec(),
        })
    }

    /// The key's family.
    pub fn key_type(&self) -> KeyType {
        self.public.key_type()
    }

    /// The matching public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Imports a private JWK; the public members must match the private ones, so a tampered key
    /// file cannot pair one secret with someone else's public key.
    pub fn from_jwk(jwk: &Jwk) -> Result<PrivateKey, CryptoError> {
        let key_type = jwk_key_type(jwk)?;
        let (member, name) = match key_type {
            KeyType::MlDsa44 | KeyType::MlDsa65 => (&jwk.priv_, "priv"),
            _ => (&jwk.d, "d"),
        };
        let secret = Zeroizing::new(b64::decode(
            member.as_deref().ok_or_else(|| {
                CryptoError::InvalidJwk(format!(
                    "`{name}` is required for a private {key_type} key"
                ))
            })?,
            name,
        )?);
        let key = Self::from_secret_bytes(key_type, &secret)?;
        let claimed = PublicKey::from_jwk(jwk)?;
        if claimed != key.public {
            return Err(CryptoError::InvalidPrivateKey(
                "public members do not match the private key".into(),
            ));
        }
        Ok(key)
    }

    /// Exports the private JWK (public members plus `d`, or `priv` = seed for ML-DSA).
    pub fn to_jwk(&self) -> Jwk {
        let mut jwk = self.public.to_jwk();
        let secret = b64::encode(self.secret_bytes().as_slice());
        match self.key_type() {
            KeyType::MlDsa44 | KeyType::MlDsa65 => jwk.priv_ = Some(secret),
            _ => jwk.d = Some(secret),
        }
        jwk
    }

    /// The Multikey `secretKeyMultibase` value. ML-DSA keys have no registered private multicodec
    /// for the seed form yet, so they are refused rather than encoded under a guessed code.
    pub fn to_secret_multikey(&self) -> Result<Zeroizing<String>, CryptoError> {
        let code = match self.key_type() {
            KeyType::Ed25519 => codec::ED25519_PRIV,
            KeyType::X25519 => codec::X25519_PRIV,
            KeyType::P256 => codec::P256_PRIV,
            KeyType::Secp256k1 => codec::SECP256K1_PRIV,
            other => {
                return Err(CryptoError::UnsupportedKeyType(format!(
                    "{other} secret multikey"
                )));
            }
        };
        let bytes = Zeroizing::new(multikey::encode_multicodec(code, &self.secret_bytes()));
        Ok(Zeroizing::new(multikey::encode_multibase(&bytes)))
    }

    /// Imports a Multikey `secretKeyMultibase` value.
    pub fn from_secret_multikey(s: &str) -> Result<PrivateKey, CryptoError> {
        let bytes = Zeroizing::new(multikey::decode_multibase(s)?);
        let (code, secret) = multikey::decode_multicodec(&bytes)?;
        let key_type = match code {
            codec::ED25519_PRIV => KeyType::Ed25519,
            codec::X25519_PRIV => KeyType::X25519,
            codec::P256_PRIV => KeyType::P256,
            codec::SECP256K1_PRIV => KeyType::Secp256k1,
            other => {
                return Err(CryptoError::UnsupportedKeyType(format!(
                    "multicodec 0x{other:x}"
                )));
            }
        };
        Self::from_secret_bytes(key_type, secret)
    }

    /// Signs `message` with `alg`, which must belong to this key's type. ECDSA is deterministic
    /// (RFC 6979) and returns `r‖s`; ML-DSA is hedged, pure mode, empty context (RFC 9964).
    pub fn sign(&self, alg: Algorithm, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        use ed25519_dalek::Signer as _;
        if alg.key_type() != self.key_type() {
            return Err(CryptoError::AlgorithmKeyMismatch {
                alg,
                key_type: self.key_type(),
            });
        }
        fn failed<E>(alg: Algorithm) -> impl FnOnce(E) -> CryptoError {
            move |_| CryptoError::SignerFailed(format!("{alg} signing failed"))
        }
        Ok(match &self.secret {
            Secret::Ed25519(k) => k.sign(message).to_bytes().to_vec(),
            Secret::P256(k) => {
                let sig: p256::ecdsa::Signature = k.try_sign(message).map_err(failed(alg))?;
                sig.to_bytes().to_vec()
            }
            Secret::Secp256k1(k) => {
                let sig: k256::ecdsa::Signature = k.try_sign(message).map_err(failed(alg))?;
                sig.to_bytes().to_vec()
            }
            Secret::MlDsa44(k) => k
                .expanded_key()
                .sign_randomized(message, &[], &mut OsRng010)
                .map_err(failed(alg))?
                .encode()
                .to_vec(),
            Secret::MlDsa65(k) => k
                .expanded_key()
                .sign_randomized(message, &[], &mut OsRng010)
                .map_err(failed(alg))?
                .encode()
                .to_vec(),
            Secret::X25519(_) => unreachable!("no algorithm maps to X25519"),
        })
    }

    /// Raw ECDH shared secret with `peer` (X25519 or P-256 x-coordinate), for JWE ECDH-ES.
    ///
    /// Refuses mismatched key types and an all-zero X25519 result (a low-order peer key, RFC 7748 §6.1).
    pub fn diffie_hellman(&self, peer: &PublicKey) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
        let mut out = Zeroizing::new([0u8; 32]);
        match (&self.secret, &peer.0) {
            (Secret::X25519(k), Inner::X25519(p)) => {
                let shared = k.diffie_hellman(p);
                if !shared.was_contributory() {
                    return Err(CryptoError::InvalidPublicKey(
                        "X25519: low-order peer key".into(),
                    ));
                }
                out.copy_from_slice(shared.as_bytes());
            }
            (Secret::P256(k), Inner::P256 { key, .. }) => {
                let shared = p256::ecdh::diffie_hellman(k.as_nonzero_scalar(), key.as_affine());
                out.copy_from_slice(shared.raw_secret_bytes());
            }
            _ => {
                return Err(CryptoError::UnsupportedKeyType(format!(
                    "ECDH between {} and {}",
                    self.key_type(),
                    peer.key_type()
                )));
            }
        }
        Ok(out)
    }
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PrivateKey({}, {}, secret redacted)",
            self.key_type(),
            self.public.thumbprint()
        )
    }
}
