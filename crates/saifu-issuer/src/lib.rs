//! saifu-issuer: the issuer role of OpenID4VCI 1.0 without HTTP — configuration, metadata,
//! credential offers, the pre-authorized code Token Endpoint logic, nonces, and SD-JWT VC
//! issuance with a Token Status List entry per credential.
//!
//! State lives behind [`IssuerStore`], which `saifu-store` implements on SQLite and PostgreSQL;
//! every single-use value (pre-authorized codes, nonces) is consumed by the database.

mod config;
mod error;
mod issuer;
mod metadata;
mod secret;
mod store;

pub use config::{ClaimConfig, CredentialConfig, IssuerConfig, STATUS_LIST_ENTRIES};
pub use error::IssuerError;
pub use issuer::{Issuer, NewOffer};
pub use store::{IssuedRecord, IssuerStore, OfferRecord, SessionRecord, StoreFailure};
