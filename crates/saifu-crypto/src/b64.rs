//! Base64url without padding (RFC 7515 §2), the encoding of every JOSE member.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::CryptoError;

/// Encodes bytes as unpadded base64url.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes unpadded base64url; `what` names the field in the error so users know which input was bad.
///
/// Padding and the standard alphabet are refused: JOSE requires the unpadded URL-safe form, and
/// accepting several spellings of one value would let attackers create distinct but equivalent tokens.
pub fn decode(input: &str, what: &'static str) -> Result<Vec<u8>, CryptoError> {
    URL_SAFE_NO_PAD
        .decode(input)
        .map_err(|_| CryptoError::InvalidBase64(what))
}
