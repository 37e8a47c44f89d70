//! C2SP tlog-cosignature `cosignature/v1`: a witness's timestamped Ed25519 signature over a
//! checkpoint, carried as a signed-note line of key type `0x04`.
//!
//! The signed message is `cosignature/v1\ntime <t>\n` followed by the checkpoint text, and
//! the signature line's bytes are the 8-byte big-endian timestamp followed by the Ed25519
//! signature (tlog-cosignature "Format").

use crate::note::{NoteError, NoteKeyKind, NoteSignature, NoteSigner};

/// The signed message for checkpoint `text` cosigned at `time` (seconds since the epoch).
pub fn message(time: u64, text: &str) -> Vec<u8> {
    format!("cosignature/v1\ntime {time}\n{text}").into_bytes()
}

/// Splits cosignature bytes into the timestamp and the raw Ed25519 signature.
pub fn split(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let (time, raw) = bytes.split_first_chunk::<8>()?;
    (raw.len() == 64).then(|| (u64::from_be_bytes(*time), raw))
}

/// Cosigns checkpoint `text` at `time` with a witness key of kind
/// [`NoteKeyKind::Cosignature`].
pub async fn cosign(
    witness: &NoteSigner,
    time: u64,
    text: &str,
) -> Result<NoteSignature, NoteError> {
    let verifier = witness.verifier();
    if verifier.kind() != NoteKeyKind::Cosignature {
        return Err(NoteError::Signing(
            "cosignatures need a cosignature/v1 key".to_owned(),
        ));
    }
    let raw = witness.sign_bytes(&message(time, text)).await?;
    Ok(NoteSignature {
        name: verifier.name().to_owned(),
        key_id: verifier.key_id(),
        signature: [&time.to_be_bytes()[..], &raw].concat(),
    })
}
