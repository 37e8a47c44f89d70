//! The Status List (§4): a byte array holding `bits` per referenced token, LSB-first, compressed
//! with DEFLATE in the ZLIB format, and its JSON (§4.2) and CBOR (§4.3) `StatusList` objects.
//!
//! Decoding is bounded: the compressed input is measured before it is decoded, and decompression
//! streams into a buffer that stops at [`Limits::max_decompressed_bytes`], so a zip bomb costs at
//! most the limit in memory and the time to inflate that much — never its full size.

use std::fmt;
use std::io::{Read, Write};

use ciborium::Value as Cbor;
use flate2::Compression;
use flate2::bufread::ZlibDecoder;
use flate2::write::ZlibEncoder;
use saifu_crypto::b64;
use serde_json::{Map, Value as Json};

use super::StatusListError;

/// Bits per status (§4.1 step 1). Only divisors of 8, so a status never straddles two bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bits {
    /// 1 bit: VALID / INVALID.
    One,
    /// 2 bits: adds SUSPENDED and one application-specific value.
    Two,
    /// 4 bits: up to 16 status values.
    Four,
    /// 8 bits: up to 256 status values.
    Eight,
}

impl Bits {
    /// The number of bits.
    pub const fn get(self) -> u8 {
        match self {
            Bits::One => 1,
            Bits::Two => 2,
            Bits::Four => 4,
            Bits::Eight => 8,
        }
    }

    /// The largest status value that fits.
    pub const fn max_value(self) -> u8 {
        ((1u16 << self.get()) - 1) as u8
    }

    /// Statuses per byte.
    const fn per_byte(self) -> u64 {
        8 / self.get() as u64
    }
}

impl TryFrom<u64> for Bits {
    type Error = StatusListError;

    /// Accepts exactly 1, 2, 4 and 8.
    fn try_from(bits: u64) -> Result<Self, Self::Error> {
        match bits {
            1 => Ok(Bits::One),
            2 => Ok(Bits::Two),
            4 => Ok(Bits::Four),
            8 => Ok(Bits::Eight),
            other => Err(StatusListError::InvalidBits(other)),
        }
    }
}

impl fmt::Display for Bits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.get())
    }
}

/// A status value (§7). The variants name the registered meanings so callers match on meaning,
/// not numbers; [`StatusValue::raw`] is the number on the wire.
///
/// Construct values from numbers with [`StatusValue::from_raw`]. Equality and hashing compare
/// [`raw`](StatusValue::raw) values, so the numeric identity is what counts.
#[derive(Debug, Clone, Copy, Eq)]
pub enum StatusValue {
    /// 0x00: the referenced token is valid.
    Valid,
    /// 0x01: the referenced token is revoked, annulled or cancelled.
    Invalid,
    /// 0x02: the referenced token is temporarily invalid.
    Suspended,
    /// 0x03 or 0x0C–0x0F: permanently reserved for application-specific meanings (§7.1).
    ApplicationSpecific(u8),
    /// Any other value: reserved for future registration; no meaning is known yet.
    Unassigned(u8),
}

impl StatusValue {
    /// Classifies a wire value.
    pub const fn from_raw(raw: u8) -> StatusValue {
        match raw {
            0x00 => StatusValue::Valid,
            0x01 => StatusValue::Invalid,
            0x02 => StatusValue::Suspended,
            0x03 | 0x0C..=0x0F => StatusValue::ApplicationSpecific(raw),
            other => StatusValue::Unassigned(other),
        }
    }

    /// The wire value.
    pub const fn raw(self) -> u8 {
        match self {
            StatusValue::Valid => 0x00,
            StatusValue::Invalid => 0x01,
            StatusValue::Suspended => 0x02,
            StatusValue::ApplicationSpecific(raw) | StatusValue::Unassigned(raw) => raw,
        }
    }
}

impl PartialEq for StatusValue {
    fn eq(&self, other: &Self) -> bool {
        self.raw() == other.raw()
    }
}

impl std::hash::Hash for StatusValue {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.raw().hash(state);
    }
}

impl From<u8> for StatusValue {
    fn from(raw: u8) -> Self {
        StatusValue::from_raw(raw)
    }
}

impl From<StatusValue> for u8 {
    fn from(value: StatusValue) -> Self {
        value.raw()
    }
}

/// Bounds on hostile input (ARCHITECTURE §7: decompressed status lists are a zip-bomb vector).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest serialized Status List Token (JWT or CWT) accepted.
    pub max_token_bytes: usize,
    /// Largest compressed byte array (`lst` after base64url decoding) accepted.
    pub max_compressed_bytes: usize,
    /// Largest decompressed byte array accepted; decompression stops here.
    pub max_decompressed_bytes: usize,
}

impl Default for Limits {
    /// 2 MiB tokens, 1 MiB compressed, 16 MiB decompressed (2^27 one-bit statuses; 16× the
    /// draft's largest test vector).
    fn default() -> Self {
        Limits {
            max_token_bytes: 2 << 20,
            max_compressed_bytes: 1 << 20,
            max_decompressed_bytes: 16 << 20,
        }
    }
}

/// A decoded status list: the uncompressed byte array, its `bits`, and the optional
/// `aggregation_uri` of its `StatusList` object.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: Bits,
    bytes: Vec<u8>,
    aggregation_uri: Option<String>,
}

impl fmt::Debug for StatusList {
    /// Summarizes instead of dumping what may be megabytes of statuses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusList")
            .field("bits", &self.bits)
            .field("len", &self.len())
            .field("aggregation_uri", &self.aggregation_uri)
            .finish()
    }
}

impl StatusList {
    /// A list with room for at least `entries` statuses, all VALID. The byte array is rounded up
    /// to whole bytes (§4.1 step 2), so [`len`](Self::len) may be slightly larger.
    pub fn new(bits: Bits, entries: u64) -> StatusList {
        let bytes = entries.div_ceil(bits.per_byte());
        let bytes = usize::try_from(bytes).expect("a status list byte array fits in memory");
        StatusList::from_bytes(bits, vec![0; bytes])
    }

    /// A list over an existing uncompressed byte array.
    pub fn from_bytes(bits: Bits, bytes: Vec<u8>) -> StatusList {
        StatusList {
            bits,
            bytes,
            aggregation_uri: None,
        }
    }

    /// Sets the `aggregation_uri` published with the list (§4.2, §9).
    pub fn with_aggregation_uri(mut self, uri: impl Into<String>) -> StatusList {
        self.aggregation_uri = Some(uri.into());
        self
    }

    /// Bits per status.
    pub fn bits(&self) -> Bits {
        self.bits
    }

    /// How many statuses the byte array holds.
    pub fn len(&self) -> u64 {
        self.bytes.len() as u64 * self.bits.per_byte()
    }

    /// Whether the list holds no status at all.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The uncompressed byte array.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The `aggregation_uri`, if any.
    pub fn aggregation_uri(&self) -> Option<&str> {
        self.aggregation_uri.as_deref()
    }

    /// The byte holding `index` and the shift of its lowest bit. §4.1 step 3: statuses fill each
    /// byte from the least significant bit up.
    fn locate(&self, index: u64) -> Result<(usize, u8), StatusListError> {
        let per_byte = self.bits.per_byte();
        let out_of_range = StatusListError::IndexOutOfRange {
            index,
            len: self.len(),
        };
        let byte = usize::try_from(index / per_byte).map_err(|_| out_of_range.clone())?;
        if byte >= self.bytes.len() {
            return Err(out_of_range);
        }
        // `index % per_byte` < 8, so the shift fits a u8.
        let shift = (index % per_byte) as u8 * self.bits.get();
        Ok((byte, shift))
    }

    /// The status at `index`.
    pub fn get(&self, index: u64) -> Result<StatusValue, StatusListError> {
        let (byte, shift) = self.locate(index)?;
        Ok(StatusValue::from_raw(
            (self.bytes[byte] >> shift) & self.bits.max_value(),
        ))
    }

    /// Sets the status at `index`; refuses values wider than `bits`.
    pub fn set(&mut self, index: u64, value: StatusValue) -> Result<(), StatusListError> {
        let raw = value.raw();
        let mask = self.bits.max_value();
        if raw > mask {
            return Err(StatusListError::ValueTooLarge {
                value: raw,
                bits: self.bits,
            });
        }
        let (byte, shift) = self.locate(index)?;
        self.bytes[byte] = (self.bytes[byte] & !(mask << shift)) | (raw << shift);
        Ok(())
    }

    /// Every status in index order.
    pub fn iter(&self) -> impl Iterator<Item = StatusValue> + '_ {
        let bits = self.bits.get();
        let mask = self.bits.max_value();
        self.bytes.iter().flat_map(move |&byte| {
            (0..8 / bits).map(move |slot| StatusValue::from_raw((byte >> (slot * bits)) & mask))
        })
    }

    /// The byte array compressed with DEFLATE in ZLIB format at the highest level, as §4.1
    /// step 4 recommends.
    pub fn compress(&self) -> Vec<u8> {
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
        encoder
            .write_all(&self.bytes)
            .expect("compressing into memory cannot fail");
        encoder
            .finish()
            .expect("compressing into memory cannot fail")
    }

    /// Decompresses a ZLIB byte array within `limits`. Raw DEFLATE and GZIP are refused
    /// ([`StatusListError::NotZlib`]), as are a bad checksum, truncation and trailing bytes.
    pub fn decompress(
        bits: Bits,
        compressed: &[u8],
        limits: &Limits,
    ) -> Result<StatusList, StatusListError> {
        check_compressed_len(compressed.len(), limits)?;
        check_zlib_header(compressed)?;
        let mut decoder = ZlibDecoder::new(compressed);
        let bytes = read_bounded(&mut decoder, limits.max_decompressed_bytes)?;
        if !decoder.into_inner().is_empty() {
            return Err(StatusListError::Corrupt(
                "bytes follow the end of the ZLIB stream".into(),
            ));
        }
        Ok(StatusList::from_bytes(bits, bytes))
    }

    /// The JSON `StatusList` object (§4.2): `bits`, `lst` (base64url), `aggregation_uri`.
    pub fn to_json(&self) -> Json {
        let mut object = Map::new();
        object.insert("bits".into(), self.bits.get().into());
        object.insert("lst".into(), b64::encode(self.compress()).into());
        if let Some(uri) = &self.aggregation_uri {
            object.insert("aggregation_uri".into(), uri.clone().into());
        }
        Json::Object(object)
    }

    /// Reads and decompresses a JSON `StatusList` object within `limits`.
    pub fn from_json(value: &Json, limits: &Limits) -> Result<StatusList, StatusListError> {
        let object = value
            .as_object()
            .ok_or_else(|| malformed("StatusList is not a JSON object"))?;
        let bits = match object.get("bits") {
            Some(Json::Number(n)) => Bits::try_from(
                n.as_u64()
                    .ok_or_else(|| malformed("`bits` is not an unsigned integer"))?,
            )?,
            Some(_) => return Err(malformed("`bits` is not a number")),
            None => return Err(malformed("`bits` is missing")),
        };
        let lst = match object.get("lst") {
            Some(Json::String(s)) => s,
            Some(_) => return Err(malformed("`lst` is not a string")),
            None => return Err(malformed("`lst` is missing")),
        };
        // Unpadded base64url of n bytes has ⌈4n/3⌉ characters: measure before decoding.
        check_compressed_len(
            lst.len() / 4 * 3 + (lst.len() % 4).saturating_sub(1),
            limits,
        )?;
        let compressed = b64::decode(lst, "lst").map_err(|_| StatusListError::Base64)?;
        let aggregation_uri = match object.get("aggregation_uri") {
            None => None,
            Some(Json::String(s)) => Some(s.clone()),
            Some(_) => return Err(malformed("`aggregation_uri` is not a string")),
        };
        let list = StatusList::decompress(bits, &compressed, limits)?;
        Ok(StatusList {
            aggregation_uri,
            ..list
        })
    }

    /// The CBOR `StatusList` map (§4.3): `bits`, `lst` (byte string), `aggregation_uri`.
    pub fn to_cbor_value(&self) -> Cbor {
        let mut entries = vec![
            (
                Cbor::Text("bits".into()),
                Cbor::Integer(self.bits.get().into()),
            ),
            (Cbor::Text("lst".into()), Cbor::Bytes(self.compress())),
        ];
        if let Some(uri) = &self.aggregation_uri {
            entries.push((
                Cbor::Text("aggregation_uri".into()),
                Cbor::Text(uri.clone()),
            ));
        }
        Cbor::Map(entries)
    }

    /// Reads and decompresses a CBOR `StatusList` map within `limits`. Duplicate keys are refused.
    pub fn from_cbor_value(value: &Cbor, limits: &Limits) -> Result<StatusList, StatusListError> {
        let Cbor::Map(entries) = value else {
            return Err(malformed("StatusList is not a CBOR map"));
        };
        let (mut bits, mut lst, mut aggregation_uri) = (None, None, None);
        for (key, value) in entries {
            let Cbor::Text(key) = key else {
                continue; // §4.3 defines text keys only; others belong to extensions.
            };
            let slot_taken = match key.as_str() {
                "bits" => bits.replace(value).is_some(),
                "lst" => lst.replace(value).is_some(),
                "aggregation_uri" => aggregation_uri.replace(value).is_some(),
                _ => false,
            };
            if slot_taken {
                return Err(malformed(&format!("duplicate key `{key}`")));
            }
        }
        let bits = match bits {
            Some(Cbor::Integer(i)) => Bits::try_from(
                u64::try_from(*i).map_err(|_| malformed("`bits` is not an unsigned integer"))?,
            )?,
            Some(_) => return Err(malformed("`bits` is not an unsigned integer")),
            None => return Err(malformed("`bits` is missing")),
        };
        let lst = match lst {
            Some(Cbor::Bytes(b)) => b,
            Some(_) => return Err(malformed("`lst` is not a byte string")),
            None => return Err(malformed("`lst` is missing")),
        };
        let aggregation_uri = match aggregation_uri {
            None => None,
            Some(Cbor::Text(s)) => Some(s.clone()),
            Some(_) => return Err(malformed("`aggregation_uri` is not a text string")),
        };
        let list = StatusList::decompress(bits, lst, limits)?;
        Ok(StatusList {
            aggregation_uri,
            ..list
        })
    }

    /// The encoded CBOR `StatusList` map.
    pub fn to_cbor(&self) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::ser::into_writer(&self.to_cbor_value(), &mut out)
            .expect("CBOR values serialize into memory");
        out
    }

    /// Decodes an encoded CBOR `StatusList` map within `limits` (the input itself is bounded by
    /// the caller; a token is bounded by [`Limits::max_token_bytes`]).
    pub fn from_cbor(bytes: &[u8], limits: &Limits) -> Result<StatusList, StatusListError> {
        let mut rest = bytes;
        let value: Cbor = ciborium::de::from_reader_with_recursion_limit(&mut rest, MAX_CBOR_DEPTH)
            .map_err(|e| malformed(&format!("not CBOR: {e}")))?;
        if !rest.is_empty() {
            return Err(malformed("bytes follow the CBOR item"));
        }
        StatusList::from_cbor_value(&value, limits)
    }
}

/// A `StatusList` map is two levels deep; anything much deeper is hostile.
const MAX_CBOR_DEPTH: usize = 16;

fn malformed(what: &str) -> StatusListError {
    StatusListError::Malformed(what.to_owned())
}

fn check_compressed_len(len: usize, limits: &Limits) -> Result<(), StatusListError> {
    if len > limits.max_compressed_bytes {
        return Err(StatusListError::CompressedTooLarge {
            limit: limits.max_compressed_bytes,
            actual: len,
        });
    }
    Ok(())
}

/// RFC 1950 §2.2: CMF = method 8 (DEFLATE) with a window of at most 32 KiB, FLG check bits making
/// CMF·256 + FLG a multiple of 31, and no preset dictionary (the status list defines none).
fn check_zlib_header(data: &[u8]) -> Result<(), StatusListError> {
    let [cmf, flg, ..] = *data else {
        return Err(StatusListError::NotZlib("shorter than a ZLIB header"));
    };
    if [cmf, flg] == [0x1f, 0x8b] {
        return Err(StatusListError::NotZlib("this is a GZIP member (RFC 1952)"));
    }
    if cmf & 0x0f != 8 || cmf >> 4 > 7 || (u16::from(cmf) << 8 | u16::from(flg)) % 31 != 0 {
        return Err(StatusListError::NotZlib(
            "no valid ZLIB header (raw DEFLATE data?)",
        ));
    }
    if flg & 0x20 != 0 {
        return Err(StatusListError::NotZlib(
            "a preset dictionary is not allowed",
        ));
    }
    Ok(())
}

/// Reads `reader` to its end into a buffer that never grows past `limit` bytes.
fn read_bounded(reader: &mut impl Read, limit: usize) -> Result<Vec<u8>, StatusListError> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 32 * 1024];
    loop {
        let n = reader
            .read(&mut chunk)
            .map_err(|e| StatusListError::Corrupt(e.to_string()))?;
        if n == 0 {
            return Ok(out);
        }
        let needed = out.len() + n;
        if needed > limit {
            return Err(StatusListError::DecompressedTooLarge { limit });
        }
        if needed > out.capacity() {
            // Amortized doubling, capped so the allocation itself respects the limit.
            let target = (out.capacity() * 2).clamp(needed, limit);
            out.reserve_exact(target - out.len());
        }
        out.extend_from_slice(&chunk[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_packed_least_significant_first() {
        // §4.1's first example: statuses 1,0,0,1,1,1,0,1 | 1,1,0,0,0,1,0,1 → 0xB9 0xA3.
        let mut list = StatusList::new(Bits::One, 16);
        for (i, v) in [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]
            .into_iter()
            .enumerate()
        {
            list.set(i as u64, StatusValue::from_raw(v)).unwrap();
        }
        assert_eq!(list.as_bytes(), [0xB9, 0xA3]);
        // And the 2-bit example: 1,2,0,3 | 0,1,0,1 | 1,2,3,3 → 0xC9 0x44 0xF9.
        let mut list = StatusList::new(Bits::Two, 12);
        for (i, v) in [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3].into_iter().enumerate() {
            list.set(i as u64, StatusValue::from_raw(v)).unwrap();
        }
        assert_eq!(list.as_bytes(), [0xC9, 0x44, 0xF9]);
    }

    #[test]
    fn set_overwrites_only_its_own_bits() {
        for bits in [Bits::One, Bits::Two, Bits::Four, Bits::Eight] {
            let mut list = StatusList::new(bits, 64);
            let max = StatusValue::from_raw(bits.max_value());
            for i in 0..list.len() {
                list.set(i, max).unwrap();
            }
            list.set(5, StatusValue::Valid).unwrap();
            let got: Vec<u8> = list.iter().map(u8::from).collect();
            for (i, v) in got.iter().enumerate() {
                assert_eq!(
                    *v,
                    if i == 5 { 0 } else { bits.max_value() },
                    "{bits} bits, index {i}"
                );
            }
        }
    }

    #[test]
    fn new_rounds_up_to_whole_bytes() {
        assert_eq!(StatusList::new(Bits::One, 9).len(), 16);
        assert_eq!(StatusList::new(Bits::Four, 3).as_bytes().len(), 2);
        assert!(StatusList::new(Bits::Eight, 0).is_empty());
    }

    #[test]
    fn status_values_classify_per_section_7() {
        assert_eq!(StatusValue::from_raw(0), StatusValue::Valid);
        assert_eq!(StatusValue::from_raw(1), StatusValue::Invalid);
        assert_eq!(StatusValue::from_raw(2), StatusValue::Suspended);
        for raw in [0x03, 0x0C, 0x0D, 0x0E, 0x0F] {
            let value = StatusValue::from_raw(raw);
            assert!(matches!(value, StatusValue::ApplicationSpecific(r) if r == raw));
        }
        for raw in [0x04, 0x0B, 0x10, 0xFF] {
            assert!(matches!(StatusValue::from_raw(raw), StatusValue::Unassigned(r) if r == raw));
        }
        for raw in 0..=255u8 {
            assert_eq!(StatusValue::from_raw(raw).raw(), raw);
        }
    }

    #[test]
    fn zlib_header_check_names_the_format() {
        assert_eq!(check_zlib_header(&[0x78, 0xda]), Ok(()));
        assert_eq!(check_zlib_header(&[0x78, 0x9c]), Ok(()));
        let reason = |header: &[u8]| match check_zlib_header(header) {
            Err(StatusListError::NotZlib(reason)) => reason,
            other => panic!("{header:02x?} gave {other:?}"),
        };
        assert!(reason(&[0x1f, 0x8b, 8]).contains("GZIP"));
        assert!(reason(&[0x78]).contains("shorter"));
        assert!(reason(&[0xed, 0xc1]).contains("raw DEFLATE"));
        // 0x78 0xbb: valid check bits but FDICT set.
        assert!(reason(&[0x78, 0xbb]).contains("dictionary"));
    }

    #[test]
    fn bounded_reader_never_allocates_past_the_limit() {
        let data = vec![7u8; 100_000];
        let out = read_bounded(&mut &data[..], 100_000).unwrap();
        assert_eq!(out.len(), 100_000);
        assert!(out.capacity() <= 100_000);
        assert_eq!(
            read_bounded(&mut &data[..], 99_999),
            Err(StatusListError::DecompressedTooLarge { limit: 99_999 })
        );
    }
}
