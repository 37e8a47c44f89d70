//! Typed rejections of the SD-JWT VC layer.

use saifu_did::http::HttpError;

use crate::sd_jwt::SdJwtError;
use crate::status::ReferenceError;

/// Why an SD-JWT VC could not be issued, verified, or its issuer key or type metadata resolved.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SdJwtVcError {
    /// A rule of the underlying SD-JWT failed.
    #[error(transparent)]
    SdJwt(#[from] SdJwtError),
    /// `typ` is not `dc+sd-jwt` (or legacy `vc+sd-jwt` with the legacy switch on).
    #[error("`typ` is {0:?}, expected `dc+sd-jwt`")]
    WrongType(Option<String>),
    /// A claim is missing, of the wrong JSON type or out of range (`vct`, `iat`, `exp`, …).
    #[error("claim `{0}` is missing or malformed")]
    InvalidClaim(&'static str),
    /// `exp` (plus skew) is in the past.
    #[error("credential expired at {exp} (now {now})")]
    Expired {
        /// The `exp` claim.
        exp: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// `nbf` (minus skew) is in the future.
    #[error("credential not valid before {nbf} (now {now})")]
    NotYetValid {
        /// The `nbf` claim.
        nbf: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// A claim the draft forbids to be selectively disclosable was (issuer side: was asked to
    /// be; verifier side: arrived through a disclosure) (draft -18 §2.2.2).
    #[error("claim `{0}` must not be selectively disclosable")]
    NeverDisclosable(String),
    /// The `status` claim is not a valid Token Status List reference.
    #[error("invalid `status` claim: {0}")]
    Status(#[from] ReferenceError),
    /// The issuer key could not be determined from `kid`, `iss` or the metadata.
    #[error("issuer key: {0}")]
    IssuerKey(String),
    /// Resolving the issuer DID failed (the resolver's error, as text: it is not `Clone`).
    #[error("issuer DID: {0}")]
    Did(String),
    /// A metadata fetch failed.
    #[error("fetch: {0}")]
    Http(#[from] HttpError),
    /// Issuer or type metadata is malformed or does not match what referenced it.
    #[error("metadata: {0}")]
    Metadata(String),
    /// A `…#integrity` value did not match the fetched document, or names no supported hash.
    #[error("integrity check failed for {0}")]
    Integrity(String),
    /// `extends` chains longer than the limit, or in a cycle.
    #[error("type metadata `extends` chain exceeds {0} levels or loops")]
    ExtendsTooDeep(usize),
}
