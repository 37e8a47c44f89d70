//! saifu-issuer: the issuer role of OpenID4VCI 1.0 without HTTP — configuration, metadata,
//! credential offers, the pre-authorized code Token Endpoint logic, nonces, and SD-JWT VC
//! issuance with a Token Status List entry per credential; W3C credentials (`jwt_vc_json`,
//! `ldp_vc`) with a Bitstring Status List entry.
//!
//! The operator's side: subjects (also from CSV) and offers made for them, offers published by
//! reference, and revocation, suspension and reinstatement through the status list.
//!
//! State lives behind [`IssuerStore`], which `saifu-store` implements on SQLite and PostgreSQL;
//! every single-use value (pre-authorized codes, nonces) is consumed by the database.

mod authorization;
mod catalog;
mod clock;
mod config;
mod csv;
mod deferred;
mod error;
mod issuer;
mod metadata;
mod notification;
mod offer_reference;
mod response_encryption;
mod revocation;
mod secret;
mod status_lists;
mod status_shuffle;
mod store;
mod subjects;
mod w3c;

pub use authorization::{AuthorizationError, AuthorizationStore};
pub use config::{
    ClaimConfig, CredentialConfig, IssuerConfig, MAX_STATUS_LIST_ENTRIES, MIN_STATUS_LIST_ENTRIES,
    STATUS_LIST_ENTRIES, W3cDefinition, W3cFormat,
};
pub use error::IssuerError;
pub use issuer::{Issuer, NewOffer, OfferTerms, Recipient};
pub use notification::WalletEvent;
pub use response_encryption::CredentialReply;
pub use revocation::{STATUS_REVOKED, STATUS_SUSPENDED, STATUS_VALID, StatusChange, status_name};
pub use status_lists::{StatusSlot, token_list_number};
pub use store::{
    IssuedRecord, IssuerStore, NewList, OfferRecord, PendingKey, PendingRecord, ReservedSlot,
    SessionRecord, StatusListRecord, StoreFailure, SubjectRecord,
};
pub use subjects::{ImportReport, MAX_IMPORT_ROWS};
