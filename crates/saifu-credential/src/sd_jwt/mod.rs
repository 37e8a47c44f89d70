//! Selective Disclosure for JWTs — RFC 9901.
//!
//! An issuer signs a JWT whose payload holds digests instead of (some) claims; the holder keeps
//! the matching disclosures and later reveals only those it chooses, optionally proving
//! possession of its key with a KB-JWT. This module is format-agnostic: the SD-JWT VC rules
//! (`typ`, `vct`, validity, issuer key discovery) live in [`crate::sd_jwt_vc`].
//!
//! * issue: [`Issuance`] → [`SdJwt`]
//! * present: [`SdJwt::present`] / [`SdJwt::present_with_key_binding`]
//! * verify: [`verify()`] → [`VerifiedSdJwt`]; many at once with [`verify_batch`] (one Ed25519
//!   batch for all their signatures)
//! * wire forms: [`SdJwt::to_compact`] / [`SdJwt::parse_compact`], [`SdJwt::to_json`] /
//!   [`SdJwt::parse_json`]

mod disclosure;
mod error;
mod issue;
mod kb;
mod path;
mod present;
mod serialization;
mod verify;

pub use disclosure::{Disclosure, HashAlg};
pub use error::SdJwtError;
pub use issue::Issuance;
pub use kb::{KB_JWT_TYP, KeyBindingPolicy, KeyBindingRequest};
pub use path::{ClaimPath, Segment};
pub use serialization::SdJwt;
pub use verify::{VerifiedSdJwt, VerifyOptions, verify, verify_batch};

/// The payload member listing the digests of an object's disclosable properties.
pub const SD_KEY: &str = "_sd";
/// The key of an array element placeholder `{"...": digest}`.
pub const ARRAY_ELEMENT_KEY: &str = "...";
/// The top-level payload member naming the digest hash function.
pub const SD_ALG_KEY: &str = "_sd_alg";

/// Bounds on the work hostile input can cause (ARCHITECTURE §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum length of a serialized SD-JWT (and of its issuer JWT), in bytes.
    pub max_len: usize,
    /// Maximum number of disclosures.
    pub max_disclosures: usize,
    /// Maximum nesting of objects and arrays, counting recursive disclosures.
    pub max_depth: usize,
}

impl Default for Limits {
    /// 256 KiB, 256 disclosures and 32 levels: far above real credentials (a PID has a few dozen
    /// disclosures and nests 3–4 levels), far below what costs a verifier noticeable work.
    fn default() -> Self {
        Limits {
            max_len: saifu_crypto::jws::DEFAULT_MAX_LEN,
            max_disclosures: 256,
            max_depth: 32,
        }
    }
}

impl Limits {
    fn check_len(&self, actual: usize) -> Result<(), SdJwtError> {
        if actual > self.max_len {
            return Err(SdJwtError::TooLarge {
                limit: self.max_len,
                actual,
            });
        }
        Ok(())
    }

    fn check_disclosures(&self, actual: usize) -> Result<(), SdJwtError> {
        if actual > self.max_disclosures {
            return Err(SdJwtError::TooManyDisclosures {
                limit: self.max_disclosures,
                actual,
            });
        }
        Ok(())
    }
}
