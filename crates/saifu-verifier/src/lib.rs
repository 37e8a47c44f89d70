//! saifu-verifier — the verifier's role logic, independent of HTTP and storage.
//!
//! A [`PresentationRequest`] (OpenID4VP 1.0 with a DCQL query) goes out; a `vp_token` comes back.
//! [`Verifier::verify`] checks the token's shape (§8.1), every SD-JWT VC in it (issuer
//! signature, disclosures, `typ`, validity, key binding to the request's full prefixed
//! `client_id` and `nonce`, §14.1.2), the [`TrustPolicy`] for each (issuer, `vct`), the Token
//! Status List entry through a [`StatusChecker`], and finally that each presentation answers
//! the credential query it was sent under. W3C credentials (`jwt_vc_json`, `ldp_vc`, Appendix
//! B.1) go through the same steps with their own proofs and a Bitstring Status List. The answer is a [`VerificationReport`] listing every
//! check with its outcome, and a typed [`VerifierError`] when the presentation is refused.

pub mod client;
mod error;
mod keys;
mod over_disclosure;
mod pipeline;
mod report;
mod request;
pub mod response_key;
pub mod session;
mod status;
mod status_keys;
mod trust;
mod w3c;
pub mod x509;

pub use error::{QueryMismatch, VerifierError};
pub use keys::IssuerKeys;
pub use pipeline::{Verifier, VerifierConfig};
pub use report::{Check, Outcome, PresentedCredential, VerificationReport, Warning};
pub use request::PresentationRequest;
pub use status::{StatusCheckError, StatusChecker};
pub use status_keys::TrustedStatusKeys;
pub use trust::{
    IssuerIdentity, KeyOrigin, RecognitionSource, RegistryTrust, TrustEntry, TrustError, TrustList,
    TrustPolicy, TrustedIssuer, VctFilter,
};
