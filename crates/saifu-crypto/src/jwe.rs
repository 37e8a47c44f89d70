//! JWE compact serialization (RFC 7516) with direct ECDH-ES key agreement (RFC 7518 §4.6) over
//! P-256 and X25519 (RFC 8037 §3.2), content encryption `A128GCM` / `A256GCM` (RFC 7518 §5.3).
//!
//! This is the encryption OpenID4VP (§8.3, `direct_post.jwt`) and OpenID4VCI (§10, credential
//! response encryption) use: the sender makes an ephemeral key on the recipient's curve, puts its
//! public half in the protected header (`epk`), derives the content key with the Concat KDF of
//! RFC 7518 §4.6.2 and encrypts with AES-GCM, the encoded protected header being the AAD.
//!
//! Decryption trusts nothing: only `alg` `ECDH-ES` is accepted (no `dir`, no `none`, no key
//! wrapping), compression (`zip`) is refused outright so there is no decompression bomb to defuse,
//! unknown `crit` extensions are refused, the IV and tag lengths are fixed, the encrypted key must
//! be empty, the ephemeral key must be a valid point on the recipient's own curve, and the token
//! size is bounded before anything is decoded.

use std::fmt;
use std::str::FromStr;

use aes_gcm::aead::consts::{U12, U16};
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes128Gcm, Aes256Gcm};
use rand::RngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::{CryptoError, Jwk, KeyType, PrivateKey, PublicKey, b64};

/// The only key management algorithm this module implements: direct key agreement.
pub const ECDH_ES: &str = "ECDH-ES";

/// AES-GCM IV length fixed by RFC 7518 §5.3 (96 bits).
pub const IV_LEN: usize = 12;

/// AES-GCM authentication tag length fixed by RFC 7518 §5.3 (128 bits).
pub const TAG_LEN: usize = 16;

/// Default bound on the length of a compact JWE accepted by [`decrypt`] (256 KiB).
pub const DEFAULT_MAX_TOKEN_LEN: usize = 256 * 1024;

/// Why a JWE could not be produced or was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JweError {
    /// A key, base64url or randomness error from the key layer.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The token is longer than the configured limit; nothing was decoded.
    #[error("JWE is {len} bytes, more than the limit of {max}")]
    TooLarge {
        /// Length of the token received.
        len: usize,
        /// The limit in force.
        max: usize,
    },
    /// The token is not five dot-separated parts.
    #[error("JWE compact serialization needs 5 parts, got {0}")]
    WrongPartCount(usize),
    /// The protected header is not a JSON object of the expected shape.
    #[error("malformed JWE protected header: {0}")]
    MalformedHeader(String),
    /// A header parameter this mode requires is absent.
    #[error("JWE protected header lacks `{0}`")]
    MissingHeader(&'static str),
    /// `alg` is not `ECDH-ES` (this includes `dir`, `none` and every key-wrapping variant).
    #[error("unsupported JWE key management algorithm `{0}`")]
    UnsupportedAlgorithm(String),
    /// `enc` is not `A128GCM` or `A256GCM`.
    #[error("unsupported JWE content encryption `{0}`")]
    UnsupportedEncryption(String),
    /// `zip` is present: compressed plaintexts are refused (no decompression bombs).
    #[error("JWE compression (`zip` = `{0}`) is not supported")]
    CompressionNotSupported(String),
    /// `crit` names extensions this implementation does not understand.
    #[error("JWE critical header parameters not understood: {0:?}")]
    UnsupportedCritical(Vec<String>),
    /// The recipient key cannot take part in ECDH-ES (only P-256 and X25519 can).
    #[error("{0} keys cannot receive ECDH-ES encryption")]
    UnsupportedRecipientKey(KeyType),
    /// The ephemeral key is invalid: malformed JWK, not on the curve, carries private members,
    /// or is a low-order X25519 point.
    #[error("invalid ephemeral key (`epk`): {0}")]
    InvalidEphemeralKey(CryptoError),
    /// The ephemeral key is on another curve than the recipient key.
    #[error("ephemeral key is {actual} but the recipient key is {expected}")]
    EphemeralKeyMismatch {
        /// The recipient key's type.
        expected: KeyType,
        /// The ephemeral key's type.
        actual: KeyType,
    },
    /// The JWE Encrypted Key part is not empty, which direct key agreement forbids (RFC 7518 §4.6).
    #[error("JWE encrypted key must be empty for direct ECDH-ES")]
    EncryptedKeyNotEmpty,
    /// The IV is not 96 bits.
    #[error("JWE IV must be {IV_LEN} bytes, got {0}")]
    InvalidIvLength(usize),
    /// The authentication tag is not 128 bits.
    #[error("JWE authentication tag must be {TAG_LEN} bytes, got {0}")]
    InvalidTagLength(usize),
    /// Authenticated decryption failed: ciphertext, tag, IV or header were altered, or the key is wrong.
    #[error("JWE decryption failed")]
    DecryptionFailed,
}

/// A content encryption algorithm (`enc`, RFC 7518 §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentEncryption {
    /// AES-128 in Galois/Counter Mode.
    A128Gcm,
    /// AES-256 in Galois/Counter Mode.
    A256Gcm,
}

impl ContentEncryption {
    /// The `enc` header value.
    pub fn name(self) -> &'static str {
        match self {
            ContentEncryption::A128Gcm => "A128GCM",
            ContentEncryption::A256Gcm => "A256GCM",
        }
    }

    /// The content encryption key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            ContentEncryption::A128Gcm => 16,
            ContentEncryption::A256Gcm => 32,
        }
    }
}

impl fmt::Display for ContentEncryption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ContentEncryption {
    type Err = JweError;

    /// Parses an `enc` value exactly (case-sensitive).
    fn from_str(s: &str) -> Result<Self, JweError> {
        [ContentEncryption::A128Gcm, ContentEncryption::A256Gcm]
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| JweError::UnsupportedEncryption(s.to_owned()))
    }
}

/// What the sender chooses besides the recipient key and the plaintext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncryptOptions<'a> {
    /// The content encryption algorithm.
    pub enc: ContentEncryption,
    /// The `kid` of the recipient JWK the sender chose, echoed in the header (OpenID4VP §8.3).
    pub kid: Option<&'a str>,
    /// Agreement PartyUInfo (`apu`), raw bytes.
    pub apu: Option<&'a [u8]>,
    /// Agreement PartyVInfo (`apv`), raw bytes.
    pub apv: Option<&'a [u8]>,
}

impl EncryptOptions<'_> {
    /// Options with just `enc` set.
    pub fn new(enc: ContentEncryption) -> Self {
        EncryptOptions {
            enc,
            kid: None,
            apu: None,
            apv: None,
        }
    }
}

/// Limits applied when decoding a JWE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecryptOptions {
    /// Longest compact serialization accepted, in bytes.
    pub max_token_len: usize,
}

impl Default for DecryptOptions {
    fn default() -> Self {
        DecryptOptions {
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
        }
    }
}

/// The validated protected header of a JWE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JweHeader {
    /// Content encryption algorithm.
    pub enc: ContentEncryption,
    /// The ephemeral public key (validated, on a supported curve).
    pub epk: PublicKey,
    /// Key identifier of the recipient key, if the sender named one.
    pub kid: Option<String>,
    /// Agreement PartyUInfo, decoded.
    pub apu: Option<Vec<u8>>,
    /// Agreement PartyVInfo, decoded.
    pub apv: Option<Vec<u8>>,
    /// Media type of the complete JWE (`typ`), if given.
    pub typ: Option<String>,
    /// Media type of the plaintext (`cty`), if given.
    pub cty: Option<String>,
}

/// A successfully decrypted JWE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decrypted {
    /// The protected header the plaintext was authenticated with.
    pub header: JweHeader,
    /// The plaintext.
    pub plaintext: Vec<u8>,
}

/// The protected header as emitted; member order follows RFC 7520's examples.
#[derive(Serialize)]
struct HeaderOut<'a> {
    alg: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
    epk: Jwk,
    enc: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    apu: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    apv: Option<String>,
}

/// The protected header as received. serde rejects a duplicated known member.
#[derive(Deserialize)]
struct HeaderIn {
    alg: Option<String>,
    enc: Option<String>,
    epk: Option<Jwk>,
    kid: Option<String>,
    apu: Option<String>,
    apv: Option<String>,
    zip: Option<Value>,
    crit: Option<Vec<String>>,
    typ: Option<String>,
    cty: Option<String>,
}

/// The Concat KDF of NIST SP 800-56A as profiled by RFC 7518 §4.6.2, with SHA-256.
///
/// `algorithm_id` is the `enc` value in direct mode; `apu`/`apv` are the decoded PartyUInfo and
/// PartyVInfo; the output is `key_len` bytes and SuppPubInfo is `key_len * 8` as a 32-bit
/// big-endian integer.
pub fn concat_kdf(
    z: &[u8],
    algorithm_id: &str,
    apu: &[u8],
    apv: &[u8],
    key_len: usize,
) -> Zeroizing<Vec<u8>> {
    let key_bits = u32::try_from(key_len * 8).expect("key lengths are tiny");
    let mut other_info = Vec::new();
    for field in [algorithm_id.as_bytes(), apu, apv] {
        other_info.extend_from_slice(&len_prefix(field));
        other_info.extend_from_slice(field);
    }
    other_info.extend_from_slice(&key_bits.to_be_bytes());

    let mut out = Zeroizing::new(Vec::with_capacity(key_len + Sha256::output_size()));
    let mut counter: u32 = 1;
    while out.len() < key_len {
        let round = Sha256::new()
            .chain_update(counter.to_be_bytes())
            .chain_update(z)
            .chain_update(&other_info)
            .finalize();
        out.extend_from_slice(&round);
        counter += 1;
    }
    out.truncate(key_len);
    out
}

fn len_prefix(field: &[u8]) -> [u8; 4] {
    u32::try_from(field.len())
        .expect("KDF inputs fit in 32 bits")
        .to_be_bytes()
}

/// Encrypts `plaintext` to `recipient` (P-256 or X25519) with a fresh ephemeral key and IV.
pub fn encrypt(
    recipient: &PublicKey,
    plaintext: &[u8],
    opts: &EncryptOptions<'_>,
) -> Result<String, JweError> {
    check_recipient(recipient.key_type())?;
    let ephemeral = PrivateKey::generate(recipient.key_type())?;
    let mut iv = [0u8; IV_LEN];
    OsRng
        .try_fill_bytes(&mut iv)
        .map_err(|_| CryptoError::Rng)?;
    encrypt_with_ephemeral(recipient, &ephemeral, &iv, plaintext, opts)
}

/// Encrypts with a caller-chosen ephemeral key and IV, for known-answer tests against published
/// examples. Reusing an ephemeral key together with an IV for two plaintexts breaks AES-GCM
/// completely; production code calls [`encrypt`], which draws both fresh.
pub fn encrypt_with_ephemeral(
    recipient: &PublicKey,
    ephemeral: &PrivateKey,
    iv: &[u8; IV_LEN],
    plaintext: &[u8],
    opts: &EncryptOptions<'_>,
) -> Result<String, JweError> {
    check_recipient(recipient.key_type())?;
    let z = ephemeral.diffie_hellman(recipient)?;
    let header = HeaderOut {
        alg: ECDH_ES,
        kid: opts.kid,
        epk: ephemeral.public_key().to_jwk(),
        enc: opts.enc.name(),
        apu: opts.apu.map(b64::encode),
        apv: opts.apv.map(b64::encode),
    };
    let header_b64 = b64::encode(serde_json::to_vec(&header).expect("header serializes"));
    let cek = derive_cek(&z[..], opts.enc, opts.apu, opts.apv);
    let mut buffer = plaintext.to_vec();
    let tag = seal(opts.enc, &cek, iv, header_b64.as_bytes(), &mut buffer);
    Ok(format!(
        "{header_b64}..{}.{}.{}",
        b64::encode(iv),
        b64::encode(&buffer),
        b64::encode(tag)
    ))
}

/// Decodes and validates the protected header without decrypting, e.g. to pick the recipient
/// key by `kid`. Nothing in it is authenticated until [`decrypt`] succeeds.
pub fn decode_header(token: &str, opts: &DecryptOptions) -> Result<JweHeader, JweError> {
    Ok(split(token, opts)?.header)
}

/// Decrypts a compact JWE with the recipient's private key.
pub fn decrypt(
    token: &str,
    key: &PrivateKey,
    opts: &DecryptOptions,
) -> Result<Decrypted, JweError> {
    let parts = split(token, opts)?;
    let header = parts.header;
    check_recipient(key.key_type())?;
    if header.epk.key_type() != key.key_type() {
        return Err(JweError::EphemeralKeyMismatch {
            expected: key.key_type(),
            actual: header.epk.key_type(),
        });
    }
    let z = key
        .diffie_hellman(&header.epk)
        .map_err(JweError::InvalidEphemeralKey)?;
    let cek = derive_cek(
        &z[..],
        header.enc,
        header.apu.as_deref(),
        header.apv.as_deref(),
    );
    let mut plaintext = parts.ciphertext;
    open(
        header.enc,
        &cek,
        &parts.iv,
        parts.aad.as_bytes(),
        &mut plaintext,
        &parts.tag,
    )?;
    Ok(Decrypted { header, plaintext })
}

/// The five parts of a compact JWE, decoded and checked.
struct Parts<'t> {
    header: JweHeader,
    aad: &'t str,
    iv: [u8; IV_LEN],
    ciphertext: Vec<u8>,
    tag: [u8; TAG_LEN],
}

fn split<'t>(token: &'t str, opts: &DecryptOptions) -> Result<Parts<'t>, JweError> {
    if token.len() > opts.max_token_len {
        return Err(JweError::TooLarge {
            len: token.len(),
            max: opts.max_token_len,
        });
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [header_b64, encrypted_key, iv, ciphertext, tag] = parts[..] else {
        return Err(JweError::WrongPartCount(parts.len()));
    };
    let header = parse_header(&b64::decode(header_b64, "JWE protected header")?)?;
    if !encrypted_key.is_empty() {
        return Err(JweError::EncryptedKeyNotEmpty);
    }
    let iv = b64::decode(iv, "JWE IV")?;
    let iv =
        <[u8; IV_LEN]>::try_from(iv.as_slice()).map_err(|_| JweError::InvalidIvLength(iv.len()))?;
    let ciphertext = b64::decode(ciphertext, "JWE ciphertext")?;
    let tag = b64::decode(tag, "JWE authentication tag")?;
    let tag = <[u8; TAG_LEN]>::try_from(tag.as_slice())
        .map_err(|_| JweError::InvalidTagLength(tag.len()))?;
    Ok(Parts {
        header,
        aad: header_b64,
        iv,
        ciphertext,
        tag,
    })
}

/// Validates the protected header in the order a reader would: what it is (`alg`, `enc`), what
/// it asks of us (`zip`, `crit`), then the key agreement inputs.
fn parse_header(json: &[u8]) -> Result<JweHeader, JweError> {
    let raw: HeaderIn =
        serde_json::from_slice(json).map_err(|e| JweError::MalformedHeader(e.to_string()))?;
    let alg = raw.alg.ok_or(JweError::MissingHeader("alg"))?;
    if alg != ECDH_ES {
        return Err(JweError::UnsupportedAlgorithm(alg));
    }
    let enc: ContentEncryption = raw.enc.ok_or(JweError::MissingHeader("enc"))?.parse()?;
    if let Some(zip) = raw.zip {
        let shown = zip.as_str().map_or_else(|| zip.to_string(), str::to_owned);
        return Err(JweError::CompressionNotSupported(shown));
    }
    if let Some(crit) = raw.crit {
        return Err(JweError::UnsupportedCritical(crit));
    }
    let epk = raw.epk.ok_or(JweError::MissingHeader("epk"))?;
    if epk.is_private() {
        return Err(JweError::InvalidEphemeralKey(CryptoError::InvalidJwk(
            "`epk` carries private key members".into(),
        )));
    }
    let epk = PublicKey::from_jwk(&epk).map_err(JweError::InvalidEphemeralKey)?;
    check_recipient(epk.key_type()).map_err(|_| {
        JweError::InvalidEphemeralKey(CryptoError::UnsupportedKeyType(epk.key_type().to_string()))
    })?;
    Ok(JweHeader {
        enc,
        epk,
        kid: raw.kid,
        apu: raw.apu.map(|v| b64::decode(&v, "JWE apu")).transpose()?,
        apv: raw.apv.map(|v| b64::decode(&v, "JWE apv")).transpose()?,
        typ: raw.typ,
        cty: raw.cty,
    })
}

fn check_recipient(key_type: KeyType) -> Result<(), JweError> {
    match key_type {
        KeyType::P256 | KeyType::X25519 => Ok(()),
        other => Err(JweError::UnsupportedRecipientKey(other)),
    }
}

fn derive_cek(
    z: &[u8],
    enc: ContentEncryption,
    apu: Option<&[u8]>,
    apv: Option<&[u8]>,
) -> Zeroizing<Vec<u8>> {
    concat_kdf(
        z,
        enc.name(),
        apu.unwrap_or_default(),
        apv.unwrap_or_default(),
        enc.key_len(),
    )
}

/// AES-GCM at either key size: both have the 96-bit IV and 128-bit tag RFC 7518 §5.3 fixes.
trait Gcm: KeyInit + AeadInPlace<NonceSize = U12, TagSize = U16> {}

impl Gcm for Aes128Gcm {}

impl Gcm for Aes256Gcm {}

fn seal(
    enc: ContentEncryption,
    cek: &[u8],
    iv: &[u8; IV_LEN],
    aad: &[u8],
    buffer: &mut [u8],
) -> [u8; TAG_LEN] {
    match enc {
        ContentEncryption::A128Gcm => seal_with::<Aes128Gcm>(cek, iv, aad, buffer),
        ContentEncryption::A256Gcm => seal_with::<Aes256Gcm>(cek, iv, aad, buffer),
    }
}

fn open(
    enc: ContentEncryption,
    cek: &[u8],
    iv: &[u8; IV_LEN],
    aad: &[u8],
    buffer: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> Result<(), JweError> {
    let opened = match enc {
        ContentEncryption::A128Gcm => open_with::<Aes128Gcm>(cek, iv, aad, buffer, tag),
        ContentEncryption::A256Gcm => open_with::<Aes256Gcm>(cek, iv, aad, buffer, tag),
    };
    opened.then_some(()).ok_or(JweError::DecryptionFailed)
}

fn seal_with<C: Gcm>(
    cek: &[u8],
    iv: &[u8; IV_LEN],
    aad: &[u8],
    buffer: &mut [u8],
) -> [u8; TAG_LEN] {
    C::new_from_slice(cek)
        .expect("the KDF output has the key length of `enc`")
        .encrypt_in_place_detached(&(*iv).into(), aad, buffer)
        .expect("AES-GCM encrypts any plaintext under 64 GiB")
        .into()
}

fn open_with<C: Gcm>(
    cek: &[u8],
    iv: &[u8; IV_LEN],
    aad: &[u8],
    buffer: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> bool {
    C::new_from_slice(cek)
        .expect("the KDF output has the key length of `enc`")
        .decrypt_in_place_detached(&(*iv).into(), aad, buffer, &(*tag).into())
        .is_ok()
}
