//! SD-JWT-based Verifiable Credentials — draft-ietf-oauth-sd-jwt-vc-18 (STANDARDS §5).
//!
//! The profile on top of [`crate::sd_jwt`]: `typ` `dc+sd-jwt`, a required `vct`, validity
//! (`iat`, `nbf`, `exp`) against an injected clock, holder binding through `cnf`, the
//! `status` reference (passed through for [`crate::status`] to check), claims that must stay in
//! the clear, issuer key discovery ([`IssuerKeySource`]) and Type Metadata ([`type_metadata`]).
//!
//! JSON Schema in Type Metadata is deliberately absent: it was removed in -12 (STANDARDS §5).

mod error;
mod issue;
mod issuer_key;
pub mod type_metadata;
mod verify;

pub use error::SdJwtVcError;
pub use issue::VcIssuance;
pub use issuer_key::{IssuerKeySource, issuer_metadata_url, resolve_issuer_key, resolve_key};
pub use verify::{VcVerifyOptions, VerifiedVc, verify_vc};

/// The `typ` of an SD-JWT VC (-18 §2.1); the only one saifu emits.
pub const TYP: &str = "dc+sd-jwt";

/// The pre-`dc` `typ`, accepted on input only with [`VcVerifyOptions::accept_legacy_typ`].
pub const LEGACY_TYP: &str = "vc+sd-jwt";

/// Claims that must never be selectively disclosable (-18 §2.2.2): they decide how the
/// credential is checked, so a verifier must always see them.
pub const NEVER_DISCLOSABLE: [&str; 8] = [
    "iss",
    "nbf",
    "exp",
    "cnf",
    "vct",
    "vct#integrity",
    "aka_vcts",
    "status",
];
