//! C2SP signed-note: text followed by a blank line and `— <name> base64(keyID ‖ signature)`
//! lines, with the key types a saifu log and its witnesses use.
//!
//! Key types (signed-note "Signature types"):
//! - `0x01` Ed25519 over the note text — the log signature every witnessed log MUST carry.
//! - `0x04` timestamped Ed25519 cosignatures (c2sp.org/tlog-cosignature), see [`crate::cosignature`].
//! - ML-DSA-44 has no assigned byte, so it uses `0xff` ("signature types without an identifier
//!   byte assigned by this specification … followed by a longer identifier") followed by
//!   [`ML_DSA_44_IDENTIFIER`]; the key ID is `SHA-256(name ‖ 0x0A ‖ 0xff ‖ identifier ‖
//!   1312-byte public key)[:4]` and the signature is pure ML-DSA-44 (FIPS 204, empty context)
//!   over the note text. Clients that do not know the key ignore the line, as the spec
//!   requires, so the post-quantum signature rides beside the Ed25519 one without breaking
//!   standard verifiers.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use saifu_crypto::{Algorithm, CryptoError, KeyType, PublicKey, Signer};
use sha2::{Digest, Sha256};

use crate::cosignature;

/// Largest note accepted from the wire; room for 16+ signatures including ML-DSA-44 ones.
pub const MAX_NOTE_SIZE: usize = 128 * 1024;
/// Most signature lines accepted (signed-note: verifiers MUST accept at least 16).
pub const MAX_SIGNATURES: usize = 32;
/// The identifier after `0xff` naming saifu's ML-DSA-44 note signatures.
pub const ML_DSA_44_IDENTIFIER: &[u8] = b"saifu.dev/ml-dsa-44-note/v1";

/// Why a note was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// Larger than [`MAX_NOTE_SIZE`].
    #[error("note exceeds {MAX_NOTE_SIZE} bytes")]
    TooLarge,
    /// Not UTF-8, or an ASCII control character other than newline.
    #[error("note is not UTF-8 text without control characters")]
    InvalidText,
    /// No blank line separating text and signatures, or text not ending in a newline.
    #[error("note has no text/signature separator")]
    MissingSeparator,
    /// A signature line is not `— <name> <base64>`.
    #[error("malformed signature line")]
    MalformedSignature,
    /// More than [`MAX_SIGNATURES`] signature lines.
    #[error("note has more than {MAX_SIGNATURES} signatures")]
    TooManySignatures,
    /// A key name is empty or contains a space or `+`.
    #[error("invalid key name")]
    InvalidKeyName,
    /// A signature from a known key does not verify; the whole note is refused
    /// (signed-note "Signatures": clients SHOULD reject the whole note).
    #[error("signature by {0} does not verify")]
    InvalidSignature(String),
    /// No signature from a known key.
    #[error("no signature from a trusted key")]
    Untrusted,
    /// A key of the wrong type for the note key kind (e.g. a P-256 key as an Ed25519 note key).
    #[error("{0} key cannot make {1:?} note signatures")]
    KeyMismatch(KeyType, NoteKeyKind),
    /// A verifier key string is not `name+hex(id)+base64(type ‖ key)` with a matching ID.
    #[error("malformed verifier key {0:?}")]
    MalformedVerifierKey(String),
    /// The signing key failed, or is used for the wrong kind of note signature.
    #[error("signing failed: {0}")]
    Signing(String),
}

/// The signature algorithm behind a note key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKeyKind {
    /// Ed25519 over the note text (`0x01`).
    Ed25519,
    /// ML-DSA-44 over the note text (`0xff` ‖ [`ML_DSA_44_IDENTIFIER`]).
    MlDsa44,
    /// tlog-cosignature `cosignature/v1` (`0x04`).
    Cosignature,
}

impl NoteKeyKind {
    /// The signature type bytes that prefix the public key in key IDs and verifier keys.
    fn type_bytes(self) -> Vec<u8> {
        match self {
            NoteKeyKind::Ed25519 => vec![0x01],
            NoteKeyKind::Cosignature => vec![0x04],
            NoteKeyKind::MlDsa44 => [&[0xff][..], ML_DSA_44_IDENTIFIER].concat(),
        }
    }

    fn key_type(self) -> KeyType {
        match self {
            NoteKeyKind::MlDsa44 => KeyType::MlDsa44,
            NoteKeyKind::Ed25519 | NoteKeyKind::Cosignature => KeyType::Ed25519,
        }
    }

    fn algorithm(self) -> Algorithm {
        match self {
            NoteKeyKind::MlDsa44 => Algorithm::MlDsa44,
            NoteKeyKind::Ed25519 | NoteKeyKind::Cosignature => Algorithm::Ed25519,
        }
    }
}

/// signed-note "Format": non-empty, no Unicode space, no `+`.
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// One signature line: key name, key ID and the signature bytes after the key ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// Key name.
    pub name: String,
    /// Key ID (the first four bytes of the base64 payload).
    pub key_id: u32,
    /// The signature proper.
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// The line without its trailing newline: `— <name> base64(keyID ‖ signature)`.
    pub fn line(&self) -> String {
        let payload = [&self.key_id.to_be_bytes()[..], &self.signature].concat();
        format!("— {} {}", self.name, B64.encode(payload))
    }

    /// Parses one signature line (without newline).
    pub fn parse_line(line: &str) -> Result<NoteSignature, NoteError> {
        let rest = line
            .strip_prefix("— ")
            .ok_or(NoteError::MalformedSignature)?;
        let (name, b64) = rest.split_once(' ').ok_or(NoteError::MalformedSignature)?;
        if !is_valid_key_name(name) {
            return Err(NoteError::InvalidKeyName);
        }
        let payload = B64.decode(b64).map_err(|_| NoteError::MalformedSignature)?;
        let [a, b, c, d, signature @ ..] = &payload[..] else {
            return Err(NoteError::MalformedSignature);
        };
        Ok(NoteSignature {
            name: name.to_owned(),
            key_id: u32::from_be_bytes([*a, *b, *c, *d]),
            signature: signature.to_vec(),
        })
    }
}

/// A public note key: what a client or witness is configured with.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteVerifier {
    name: String,
    kind: NoteKeyKind,
    key: PublicKey,
    key_id: u32,
}

impl NoteVerifier {
    /// A verifier for `key` under `name`; the key type must match `kind`.
    pub fn new(name: &str, kind: NoteKeyKind, key: PublicKey) -> Result<NoteVerifier, NoteError> {
        if !is_valid_key_name(name) {
            return Err(NoteError::InvalidKeyName);
        }
        if key.key_type() != kind.key_type() {
            return Err(NoteError::KeyMismatch(key.key_type(), kind));
        }
        let key_id = key_id(name, &[kind.type_bytes(), key.to_bytes()].concat());
        Ok(NoteVerifier {
            name: name.to_owned(),
            kind,
            key,
            key_id,
        })
    }

    /// Parses a `name+hex(id)+base64(type ‖ key)` verifier key (as [`NoteVerifier::vkey`]
    /// writes it), checking that the key ID matches the key.
    pub fn from_vkey(vkey: &str) -> Result<NoteVerifier, NoteError> {
        let malformed = || NoteError::MalformedVerifierKey(vkey.chars().take(80).collect());
        let mut parts = vkey.trim().splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(malformed());
        };
        let id = u32::from_str_radix(id, 16).map_err(|_| malformed())?;
        let typed = B64.decode(key).map_err(|_| malformed())?;
        let kind = [
            NoteKeyKind::Ed25519,
            NoteKeyKind::Cosignature,
            NoteKeyKind::MlDsa44,
        ]
        .into_iter()
        .find(|kind| typed.starts_with(&kind.type_bytes()))
        .ok_or_else(malformed)?;
        let raw = &typed[kind.type_bytes().len()..];
        let key = PublicKey::from_bytes(kind.key_type(), raw).map_err(|_| malformed())?;
        let verifier = NoteVerifier::new(name, kind, key)?;
        if verifier.key_id != id {
            return Err(malformed());
        }
        Ok(verifier)
    }

    /// Key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The public key, e.g. to publish it as a DID or JWK.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// Algorithm.
    pub fn kind(&self) -> NoteKeyKind {
        self.kind
    }

    /// The `name+hex(id)+base64(type ‖ key)` verifier key string other tools configure.
    pub fn vkey(&self) -> String {
        let key = [self.kind.type_bytes(), self.key.to_bytes()].concat();
        format!("{}+{:08x}+{}", self.name, self.key_id, B64.encode(key))
    }

    /// Whether `sig` claims to be by this key (same name and ID).
    pub fn matches(&self, sig: &NoteSignature) -> bool {
        sig.name == self.name && sig.key_id == self.key_id
    }

    /// Checks `sig` over note `text`; for cosignatures returns the signed timestamp.
    pub fn verify(&self, text: &str, sig: &NoteSignature) -> Result<Option<u64>, NoteError> {
        let invalid = |_: CryptoError| NoteError::InvalidSignature(self.name.clone());
        match self.kind {
            NoteKeyKind::Ed25519 | NoteKeyKind::MlDsa44 => {
                self.key
                    .verify(self.kind.algorithm(), text.as_bytes(), &sig.signature)
                    .map_err(invalid)?;
                Ok(None)
            }
            NoteKeyKind::Cosignature => {
                let (time, raw) = cosignature::split(&sig.signature)
                    .ok_or_else(|| NoteError::InvalidSignature(self.name.clone()))?;
                self.key
                    .verify(Algorithm::Ed25519, &cosignature::message(time, text), raw)
                    .map_err(invalid)?;
                Ok(Some(time))
            }
        }
    }
}

/// A private note key: a saifu-crypto [`Signer`] (local key, threshold group or HSM) under a
/// key name.
#[derive(Clone)]
pub struct NoteSigner {
    verifier: NoteVerifier,
    signer: Arc<dyn Signer>,
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoteSigner")
            .field("verifier", &self.verifier)
            .finish_non_exhaustive()
    }
}

impl NoteSigner {
    /// Wraps `signer` (whose algorithm must match `kind`) under `name`.
    pub fn new(
        name: &str,
        kind: NoteKeyKind,
        signer: Arc<dyn Signer>,
    ) -> Result<NoteSigner, NoteError> {
        if signer.algorithm() != kind.algorithm() {
            return Err(NoteError::KeyMismatch(signer.public_key().key_type(), kind));
        }
        let verifier = NoteVerifier::new(name, kind, signer.public_key().clone())?;
        Ok(NoteSigner { verifier, signer })
    }

    /// The matching public key.
    pub fn verifier(&self) -> &NoteVerifier {
        &self.verifier
    }

    /// Signs raw bytes into a signature line for this key.
    pub(crate) async fn sign_bytes(&self, message: &[u8]) -> Result<Vec<u8>, NoteError> {
        self.signer
            .sign(message)
            .await
            .map_err(|e| NoteError::Signing(e.to_string()))
    }

    /// Signs note `text` (Ed25519 or ML-DSA-44 keys; cosigners use
    /// [`crate::cosignature::cosign`]).
    pub async fn sign(&self, text: &str) -> Result<NoteSignature, NoteError> {
        if self.verifier.kind == NoteKeyKind::Cosignature {
            return Err(NoteError::Signing(
                "cosignature keys sign through cosignature::cosign".to_owned(),
            ));
        }
        Ok(NoteSignature {
            name: self.verifier.name.clone(),
            key_id: self.verifier.key_id,
            signature: self.sign_bytes(text.as_bytes()).await?,
        })
    }
}

/// signed-note "Signatures": the RECOMMENDED key ID, `SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4]`
/// (`typed_key` is the type bytes followed by the public key).
pub fn key_id(name: &str, typed_key: &[u8]) -> u32 {
    let digest = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update(b"\n")
        .chain_update(typed_key)
        .finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// A signed note: its text (ending in a newline) and its signature lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

impl Note {
    /// An unsigned note over `text`, which must be valid note text ending in a newline.
    pub fn new(text: &str) -> Result<Note, NoteError> {
        check_text(text)?;
        if !text.ends_with('\n') {
            return Err(NoteError::MissingSeparator);
        }
        Ok(Note {
            text: text.to_owned(),
            signatures: Vec::new(),
        })
    }

    /// Parses a note received from the wire (bounded, never panics).
    pub fn parse(bytes: &[u8]) -> Result<Note, NoteError> {
        if bytes.len() > MAX_NOTE_SIZE {
            return Err(NoteError::TooLarge);
        }
        let all = std::str::from_utf8(bytes).map_err(|_| NoteError::InvalidText)?;
        check_text(all)?;
        // The text ends at the *last* blank line (signed-note "Format").
        let split = all.rfind("\n\n").ok_or(NoteError::MissingSeparator)?;
        let (text, sigs) = (&all[..=split], &all[split + 2..]);
        let sigs = sigs
            .strip_suffix('\n')
            .ok_or(NoteError::MalformedSignature)?;
        let mut signatures = Vec::new();
        for line in sigs.split('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures);
            }
            signatures.push(NoteSignature::parse_line(line)?);
        }
        Ok(Note {
            text: text.to_owned(),
            signatures,
        })
    }

    /// The signed text, including its final newline.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines, in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Adds (or replaces, for the same name and key ID) a signature line.
    pub fn add_signature(&mut self, sig: NoteSignature) {
        self.signatures
            .retain(|s| !(s.name == sig.name && s.key_id == sig.key_id));
        self.signatures.push(sig);
    }

    /// Signs the text with each signer in turn.
    pub async fn sign(&mut self, signers: &[NoteSigner]) -> Result<(), NoteError> {
        for signer in signers {
            let sig = signer.sign(&self.text).await?;
            self.add_signature(sig);
        }
        Ok(())
    }

    /// The wire form: text, blank line, one line per signature.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.text.clone();
        out.push('\n');
        for sig in &self.signatures {
            out.push_str(&sig.line());
            out.push('\n');
        }
        out.into_bytes()
    }

    /// Verifies the signatures of every known key (signed-note "Signatures": unknown keys are
    /// ignored, a failing known key rejects the note, at least one known key must sign) and
    /// returns the verifiers that signed, each with its cosignature timestamp if any.
    pub fn verify<'v>(
        &self,
        known: &'v [NoteVerifier],
    ) -> Result<Vec<(&'v NoteVerifier, Option<u64>)>, NoteError> {
        let mut verified: Vec<(&NoteVerifier, Option<u64>)> = Vec::new();
        for sig in &self.signatures {
            let Some(verifier) = known.iter().find(|v| v.matches(sig)) else {
                continue;
            };
            let time = verifier.verify(&self.text, sig)?;
            if !verified.iter().any(|(v, _)| std::ptr::eq(*v, verifier)) {
                verified.push((verifier, time));
            }
        }
        if verified.is_empty() {
            return Err(NoteError::Untrusted);
        }
        Ok(verified)
    }
}

/// signed-note "Format": UTF-8 without ASCII control characters other than newline.
fn check_text(text: &str) -> Result<(), NoteError> {
    if text.len() > MAX_NOTE_SIZE {
        return Err(NoteError::TooLarge);
    }
    if text.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::InvalidText);
    }
    Ok(())
}
