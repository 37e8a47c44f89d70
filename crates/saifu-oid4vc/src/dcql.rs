//! The Digital Credentials Query Language (OpenID4VP 1.0 §6, §7).
//!
//! [`DcqlQuery::parse`] reads a query strictly, [`evaluate`] matches candidate credentials
//! against it (which credential answers which query, what to disclose, and why a credential
//! does not fit), and [`validate_vp_token_shape`] checks a response's `vp_token` layout.
//!
//! ```
//! use saifu_oid4vc::dcql::{Candidate, DcqlQuery, Disclosure, Limits, evaluate};
//! use serde_json::json;
//!
//! let query = DcqlQuery::parse(
//!     br#"{"credentials": [{"id": "pid", "format": "dc+sd-jwt",
//!          "meta": {"vct_values": ["https://example.com/pid"]},
//!          "claims": [{"path": ["nationalities", null], "values": ["DE"]}]}]}"#,
//!     &Limits::default(),
//! )?;
//! let candidate: Candidate = serde_json::from_value(json!({
//!     "id": "my-pid", "format": "dc+sd-jwt", "vct": "https://example.com/pid",
//!     "claims": {"nationalities": ["FR", "DE"]}, "holder_binding": true
//! }))?;
//! let result = evaluate(&query, &[candidate]);
//! assert!(result.satisfied);
//! let found = &result.queries["pid"].matches[0];
//! let Disclosure::Claims(paths) = &found.disclose else { unreachable!() };
//! assert_eq!(paths[0].to_json(), json!(["nationalities", 1]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod credential_sets;
mod error;
mod matcher;
mod model;
mod path;
mod vp_token;

pub use credential_sets::CredentialSetResult;
pub use error::{DcqlError, VpTokenError};
pub use matcher::{
    AuthorityId, Candidate, CandidateMatch, Disclosure, MatchResult, NoMatch, QueryMatch,
    Rejection, evaluate,
};
pub use model::{
    AuthorityType, ClaimValue, ClaimsQuery, CredentialQuery, CredentialSetQuery, DcqlQuery, Format,
    Limits, Meta, TrustedAuthority,
};
pub use path::{ClaimPath, PathElement};
pub use vp_token::validate_vp_token_shape;
