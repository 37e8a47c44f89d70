//! Presenting credentials with OpenID4VP 1.0: read and authenticate the request, build the
//! consent view over the wallet's credentials, and answer with exactly what the holder approved.

mod consent;
mod request;
mod respond;
mod x509;

pub use consent::{
    Approval, Choice, ClaimConsent, ConsentView, CredentialOption, QueryConsent, VerifierView,
};
pub use request::{
    ClientIdPrefix, PresentationRequest, RequestError, ResponseMode, parse_unsigned_link,
};
pub use respond::Presented;
