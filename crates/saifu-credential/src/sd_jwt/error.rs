//! Typed rejections: every rule of RFC 9901 that can fail has its own variant, so callers (and
//! tests) can tell exactly why a token was refused.

use saifu_crypto::CryptoError;
use saifu_crypto::jws::JwsError;

/// Why an SD-JWT could not be issued, presented or verified.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SdJwtError {
    /// The serialized SD-JWT exceeds the configured size limit (bounded work on hostile input).
    #[error("SD-JWT is {actual} bytes, larger than the {limit}-byte limit")]
    TooLarge {
        /// The limit in force.
        limit: usize,
        /// The size received.
        actual: usize,
    },
    /// More disclosures than the configured limit.
    #[error("SD-JWT carries {actual} disclosures, more than the limit of {limit}")]
    TooManyDisclosures {
        /// The limit in force.
        limit: usize,
        /// The number received.
        actual: usize,
    },
    /// Claims (or disclosures within disclosures) nest deeper than the configured limit.
    #[error("claims nest deeper than the limit of {limit}")]
    DepthLimit {
        /// The limit in force.
        limit: usize,
    },
    /// The compact or JSON serialization is not well formed (RFC 9901 §4, §8).
    #[error("malformed SD-JWT: {0}")]
    Malformed(String),
    /// A JWS JSON serialization in the pre-RFC layout (top-level `disclosures` / `kb_jwt`); RFC 9901
    /// §8 puts them in the unprotected header and this file's checklist allows no legacy form.
    #[error("SD-JWT JSON serialization uses the pre-RFC 9901 layout (top-level `{0}`)")]
    LegacyJsonLayout(&'static str),
    /// The issuer JWT or the KB-JWT failed JWS parsing or signature verification.
    #[error("JWS: {0}")]
    Jws(#[from] JwsError),
    /// A key could not be used (e.g. the `cnf.jwk` is not a supported public key).
    #[error("key: {0}")]
    Key(#[from] CryptoError),
    /// The issuer JWT payload is not a JSON object.
    #[error("issuer JWT payload is not a JSON object")]
    PayloadNotObject,
    /// `_sd_alg` names a hash function saifu does not implement (RFC 9901 §4.1.1).
    #[error("unsupported `_sd_alg` `{0}`")]
    UnsupportedHashAlg(String),
    /// A disclosure is not base64url of a JSON array of 2 or 3 elements with a string salt
    /// (and string claim name) (RFC 9901 §4.2).
    #[error("malformed disclosure: {0}")]
    MalformedDisclosure(String),
    /// The same disclosure appears twice in the presentation.
    #[error("disclosure with digest {0} appears more than once")]
    DuplicateDisclosure(String),
    /// A digest appears more than once in the payload or the disclosures (RFC 9901 §7.1 step 4).
    #[error("digest {0} appears more than once")]
    DuplicateDigest(String),
    /// A disclosure's digest is not referenced from the payload or another disclosure
    /// (RFC 9901 §7.1 step 5): it may have been tampered with or added.
    #[error("disclosure with digest {0} is not referenced by the SD-JWT")]
    UnreferencedDisclosure(String),
    /// A disclosure discloses the reserved name `_sd` or `...` (RFC 9901 §7.1 step 3.2.2.2).
    #[error("disclosure uses the reserved claim name `{0}`")]
    ReservedClaimName(String),
    /// A disclosed claim name already exists in its object (RFC 9901 §7.1 step 3.2.2.3).
    #[error("disclosed claim `{0}` would overwrite an existing claim")]
    ClaimCollision(String),
    /// An object-property digest resolved to an array-element disclosure or vice versa.
    #[error("disclosure {0} has the wrong shape for where it is referenced")]
    DisclosureShape(String),
    /// `_sd` is not an array of strings (RFC 9901 §4.2.4.1).
    #[error("`_sd` must be an array of digest strings")]
    MalformedSdArray,
    /// An array element placeholder is not `{"...": "<digest>"}`, or `...` appears elsewhere
    /// (RFC 9901 §4.2.4.2).
    #[error("malformed array element placeholder: {0}")]
    MalformedArrayPlaceholder(String),
    /// The policy requires key binding and the presentation has no KB-JWT (RFC 9901 §7.3).
    #[error("key binding is required but the presentation has no KB-JWT")]
    MissingKeyBinding,
    /// A KB-JWT was found where none may be: a holder receiving an SD-JWT+KB from an issuer
    /// (RFC 9901 §7.2), or a verifier whose policy forbids it.
    #[error("unexpected KB-JWT")]
    UnexpectedKeyBinding,
    /// Key binding is required but the issuer JWT has no usable `cnf.jwk` (RFC 9901 §4.1.2).
    #[error("issuer JWT has no `cnf.jwk` holder key")]
    MissingHolderKey,
    /// A JWT `typ` header is not the required one (`kb+jwt`, `dc+sd-jwt`, …).
    #[error("`typ` is {found:?}, expected `{expected}`")]
    WrongType {
        /// The required value.
        expected: &'static str,
        /// What the header carried.
        found: Option<String>,
    },
    /// A required claim is missing or has the wrong JSON type.
    #[error("claim `{0}` is missing or malformed")]
    InvalidClaim(&'static str),
    /// KB-JWT `aud` is not the verifier's audience.
    #[error("KB-JWT `aud` does not match")]
    WrongAudience,
    /// KB-JWT `nonce` is not the verifier's nonce.
    #[error("KB-JWT `nonce` does not match")]
    WrongNonce,
    /// KB-JWT `iat` is outside the freshness window around `now`.
    #[error("KB-JWT `iat` {iat} is outside the accepted window [{earliest}, {latest}]")]
    StaleKeyBinding {
        /// The KB-JWT's `iat`.
        iat: i64,
        /// Earliest accepted.
        earliest: i64,
        /// Latest accepted.
        latest: i64,
    },
    /// KB-JWT `sd_hash` does not match the presented SD-JWT (RFC 9901 §4.3.1).
    #[error("KB-JWT `sd_hash` does not match the presented SD-JWT")]
    SdHashMismatch,
    /// A claim path given to the issuer or holder names nothing in the claims.
    #[error("claim path {0} does not exist")]
    PathNotFound(String),
    /// The issuer was asked to make a claim selectively disclosable that may not be
    /// (`_sd`, `...`, `_sd_alg`, or a claim a profile forbids).
    #[error("claim `{0}` may not be selectively disclosable")]
    NotDisclosable(String),
    /// Signing failed.
    #[error("signing failed: {0}")]
    Signing(String),
}
