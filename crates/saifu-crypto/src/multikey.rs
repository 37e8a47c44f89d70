//! Multikey encoding: multibase (`z` = base58btc) over an unsigned-varint multicodec prefix
//! followed by the raw key bytes — the form did:key and Data Integrity verification methods use.

use crate::CryptoError;

/// Multicodec codes for the key types saifu handles (multiformats table, "key" tag).
pub mod codec {
    /// Ed25519 public key (32 bytes).
    pub const ED25519_PUB: u64 = 0xed;
    /// X25519 public key (32 bytes).
    pub const X25519_PUB: u64 = 0xec;
    /// secp256k1 public key (33 bytes, compressed).
    pub const SECP256K1_PUB: u64 = 0xe7;
    /// P-256 public key (33 bytes, compressed).
    pub const P256_PUB: u64 = 0x1200;
    /// P-384 public key (49 bytes, compressed); recognised so the error can say "unsupported".
    pub const P384_PUB: u64 = 0x1201;
    /// ML-DSA-44 public key (1312 bytes).
    pub const MLDSA44_PUB: u64 = 0x1210;
    /// ML-DSA-65 public key (1952 bytes).
    pub const MLDSA65_PUB: u64 = 0x1211;
    /// Ed25519 private key (32-byte seed).
    pub const ED25519_PRIV: u64 = 0x1300;
    /// secp256k1 private key (32-byte scalar).
    pub const SECP256K1_PRIV: u64 = 0x1301;
    /// X25519 private key (32 bytes).
    pub const X25519_PRIV: u64 = 0x1302;
    /// P-256 private key (32-byte scalar).
    pub const P256_PRIV: u64 = 0x1306;
}

/// Encodes `code` as an unsigned varint (multiformats unsigned-varint) followed by `bytes`.
pub fn encode_multicodec(code: u64, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 3);
    let mut v = code;
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend_from_slice(bytes);
    out
}

/// Splits a multicodec-prefixed value into its code and the remaining bytes.
///
/// Rejects non-minimal varints (the spec requires the shortest form, so one key has one encoding)
/// and varints longer than 9 bytes.
pub fn decode_multicodec(bytes: &[u8]) -> Result<(u64, &[u8]), CryptoError> {
    let mut code: u64 = 0;
    for (i, &b) in bytes.iter().enumerate().take(9) {
        code |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            if b == 0 && i > 0 {
                return Err(CryptoError::InvalidMultikey("non-minimal varint".into()));
            }
            return Ok((code, &bytes[i + 1..]));
        }
    }
    Err(CryptoError::InvalidMultikey(
        "truncated or overlong multicodec varint".into(),
    ))
}

/// Encodes multicodec bytes as a base58btc multibase string (`z…`).
pub fn encode_multibase(bytes: &[u8]) -> String {
    format!("z{}", bs58::encode(bytes).into_string())
}

/// Longest multibase value accepted. base58 decoding is quadratic in the input length, so hostile
/// input (a megabyte-long `did:key` in a `kid`) must be refused before decoding; the largest real
/// key (an ML-DSA-87 public key, 2,594 bytes) encodes to about 3,550 characters.
pub const MAX_MULTIBASE_LEN: usize = 4096;

/// Decodes a base58btc multibase string (`z…`); other multibase prefixes are refused because
/// Multikey (Controlled Identifiers §2.2.2) mandates base58btc.
pub fn decode_multibase(s: &str) -> Result<Vec<u8>, CryptoError> {
    if s.len() > MAX_MULTIBASE_LEN {
        return Err(CryptoError::InvalidMultikey(format!(
            "{} characters, more than the {MAX_MULTIBASE_LEN} allowed",
            s.len()
        )));
    }
    let body = s.strip_prefix('z').ok_or_else(|| {
        CryptoError::InvalidMultikey("multibase value must start with `z` (base58btc)".into())
    })?;
    bs58::decode(body)
        .into_vec()
        .map_err(|e| CryptoError::InvalidMultikey(format!("bad base58btc: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_round_trip_and_known_prefixes() {
        assert_eq!(encode_multicodec(0xed, &[]), vec![0xed, 0x01]);
        assert_eq!(encode_multicodec(0x1200, &[]), vec![0x80, 0x24]);
        assert_eq!(encode_multicodec(0xe7, &[]), vec![0xe7, 0x01]);
        for code in [0u64, 1, 0x7f, 0x80, 0xed, 0x1200, 0x1306, u32::MAX as u64] {
            let enc = encode_multicodec(code, &[9, 9]);
            let (c, rest) = decode_multicodec(&enc).unwrap();
            assert_eq!((c, rest), (code, &[9u8, 9][..]));
        }
    }

    #[test]
    fn rejects_truncated_and_non_minimal_varints() {
        assert!(matches!(
            decode_multicodec(&[0x80]),
            Err(CryptoError::InvalidMultikey(_))
        ));
        assert!(
            matches!(decode_multicodec(&[0xed, 0x00]), Err(CryptoError::InvalidMultikey(m)) if m.contains("non-minimal"))
        );
        assert!(matches!(
            decode_multibase("u123"),
            Err(CryptoError::InvalidMultikey(_))
        ));
        assert!(matches!(
            decode_multibase("z0OIl"),
            Err(CryptoError::InvalidMultikey(_))
        ));
    }
}
