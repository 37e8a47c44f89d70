//! The typed errors of the status module, one enum per layer, so a caller can tell a corrupt list
//! from a forged token from an unreachable server — and tests can assert which rule fired.

use saifu_crypto::cose::CoseError;
use saifu_crypto::cwt::CwtError;
use saifu_crypto::jws::JwsError;
use saifu_did::http::HttpError;

use super::list::Bits;

/// Why a status list could not be built, read, decompressed or decoded (§4).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusListError {
    /// `bits` is not 1, 2, 4 or 8 (§4.1 step 1).
    #[error("`bits` must be 1, 2, 4 or 8, not {0}")]
    InvalidBits(u64),
    /// The index is beyond the list; §8.3 says the referenced token must then be rejected.
    #[error("index {index} is out of range: the list holds {len} statuses")]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// How many statuses the list holds.
        len: u64,
    },
    /// The value needs more bits than the list has per status.
    #[error("status value {value:#04x} does not fit in {bits} bit(s)")]
    ValueTooLarge {
        /// The value that was to be stored.
        value: u8,
        /// The list's bits per status.
        bits: Bits,
    },
    /// The compressed list is larger than [`Limits::max_compressed_bytes`](super::Limits); it
    /// was refused before being decoded.
    #[error("compressed status list is {actual} bytes, more than the limit of {limit}")]
    CompressedTooLarge {
        /// The limit in force.
        limit: usize,
        /// The size received.
        actual: usize,
    },
    /// Decompression produced more than [`Limits::max_decompressed_bytes`](super::Limits) and
    /// was stopped there (a zip bomb, or a list larger than this verifier accepts).
    #[error("status list decompresses to more than the limit of {limit} bytes")]
    DecompressedTooLarge {
        /// The limit in force.
        limit: usize,
    },
    /// The compressed bytes do not start with a ZLIB header (RFC 1950): raw DEFLATE, GZIP or
    /// something else entirely. §4.1 requires the ZLIB format.
    #[error("`lst` is not in ZLIB format (RFC 1950): {0}")]
    NotZlib(&'static str),
    /// The ZLIB stream is damaged: bad DEFLATE data, wrong checksum, truncated, or followed by
    /// stray bytes.
    #[error("corrupt compressed status list: {0}")]
    Corrupt(String),
    /// `lst` in the JSON form is not unpadded base64url.
    #[error("`lst` is not unpadded base64url")]
    Base64,
    /// The JSON or CBOR `StatusList` object lacks a member or has one of the wrong type.
    #[error("malformed StatusList: {0}")]
    Malformed(String),
}

/// Why a Status List Token could not be produced, parsed or accepted (§5, §8.3).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TokenError {
    /// The JWT failed at the JWS layer: malformed, too large, algorithm not allowed, bad signature.
    #[error(transparent)]
    Jws(#[from] JwsError),
    /// The CWT failed at the COSE layer: malformed, too large, algorithm not allowed, bad
    /// signature.
    #[error(transparent)]
    Cose(#[from] CoseError),
    /// The CWT claims set is malformed.
    #[error(transparent)]
    Cwt(#[from] CwtError),
    /// §5.2: the CWT must be a COSE_Sign1 carrying tag 18 and must not carry the CWT tag 61.
    #[error("a CWT Status List Token must be a tagged COSE_Sign1 (tag 18) without the CWT tag")]
    NotTaggedCoseSign1,
    /// The `typ` header is absent or names another kind of token.
    #[error("token type is {found:?}, expected `{expected}`")]
    WrongType {
        /// The type this format requires.
        expected: &'static str,
        /// What the header said, if anything.
        found: Option<String>,
    },
    /// A claim §5 requires is absent.
    #[error("required claim `{0}` is missing")]
    MissingClaim(&'static str),
    /// A claim has the wrong type or an impossible value.
    #[error("invalid `{claim}` claim: {reason}")]
    InvalidClaim {
        /// The claim's name.
        claim: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The JWT payload is not a JSON object.
    #[error("malformed JWT claims: {0}")]
    MalformedClaims(String),
    /// `sub` is not the `uri` the referenced token points to (§5.1, §8.3 step 4a): the list is
    /// someone else's.
    #[error("token subject `{found}` is not the referenced status list `{expected}`")]
    SubjectMismatch {
        /// The `uri` of the reference.
        expected: String,
        /// The token's `sub`.
        found: String,
    },
    /// `exp` has passed (allowing for skew).
    #[error("status list token expired at {exp} (now {now})")]
    Expired {
        /// The `exp` claim.
        exp: i64,
        /// The clock used.
        now: i64,
    },
    /// `nbf` is still ahead (allowing for skew).
    #[error("status list token not valid before {nbf} (now {now})")]
    NotYetValid {
        /// The `nbf` claim.
        nbf: i64,
        /// The clock used.
        now: i64,
    },
    /// `iat` is in the future (allowing for skew): the issuer's clock or the token is wrong.
    #[error("status list token issued in the future at {iat} (now {now})")]
    IssuedInFuture {
        /// The `iat` claim.
        iat: i64,
        /// The clock used.
        now: i64,
    },
    /// The clock skew asked for exceeds [`MAX_CLOCK_SKEW`](super::token::MAX_CLOCK_SKEW).
    #[error(
        "clock skew of {0} s exceeds the maximum of {max} s",
        max = super::token::MAX_CLOCK_SKEW
    )]
    SkewTooLarge(u32),
    /// The embedded status list is malformed or over the limits.
    #[error(transparent)]
    StatusList(#[from] StatusListError),
}

/// Why a `status.status_list` reference in a token could not be read (§6.2, §6.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// The token has no `status` claim (CWT: claim 65535).
    #[error("the token has no `status` claim")]
    MissingStatus,
    /// `status` has no `status_list` member: the token uses another status mechanism, or none.
    #[error("the `status` claim has no `status_list` member")]
    MissingStatusList,
    /// `status` or `status_list` is not an object (CBOR: map), or a key is not text.
    #[error("malformed status claim: {0}")]
    Malformed(&'static str),
    /// `status_list` has no `idx`.
    #[error("`status_list` has no `idx`")]
    MissingIdx,
    /// `idx` is not a non-negative integer (negative, fractional, a string, …).
    #[error("`idx` must be a non-negative integer")]
    InvalidIdx,
    /// `status_list` has no `uri`.
    #[error("`status_list` has no `uri`")]
    MissingUri,
    /// `uri` is not a string or not an absolute URL.
    #[error("`uri` is not a valid URL: {0}")]
    InvalidUri(String),
    /// `uri` uses a scheme this verifier does not fetch from (only `https`, unless configured).
    #[error("`uri` scheme `{0}` is not allowed")]
    SchemeNotAllowed(String),
}

/// Why an [`HttpFetch`](super::HttpFetch) implementation could not fetch a URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The SSRF-safe client refused or failed (forbidden address, scheme, timeout, status, size).
    #[error(transparent)]
    Http(#[from] HttpError),
    /// Another transport failed; the text says how.
    #[error("{0}")]
    Other(String),
}

/// Why [`StatusListFetcher`](super::StatusListFetcher) could not answer a status.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Fetching the token failed.
    #[error("fetching {url} failed: {source}")]
    Transport {
        /// The URL being fetched (after any redirects).
        url: String,
        /// What went wrong.
        source: TransportError,
    },
    /// The provider redirected more often than allowed (RFC 9110 §15.4: loops must be bounded).
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    /// A redirect without a usable `Location`.
    #[error("redirect from {url} has no usable Location header")]
    BadRedirect {
        /// The URL that answered with the redirect.
        url: String,
    },
    /// The response is not the requested token format (§8.2 fixes the content type).
    #[error("{url} answered with content type `{found}`, expected `{expected}`")]
    UnexpectedContentType {
        /// The URL that answered.
        url: String,
        /// The media type asked for.
        expected: &'static str,
        /// The `Content-Type` received.
        found: String,
    },
    /// The key-resolution callback found no key it trusts for this token.
    #[error("no trusted key for the status list token of {uri}: {source}")]
    KeyResolution {
        /// The status list URI.
        uri: String,
        /// The resolver's reason.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The token did not verify or its claims were not acceptable.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The list does not hold the referenced index (§8.3 step 6).
    #[error(transparent)]
    StatusList(#[from] StatusListError),
}
