//! Credential Issuer Metadata (OpenID4VCI 1.0 §12.2) and the OAuth Authorization Server
//! Metadata it relies on (RFC 8414, §12.3), with the well-known URL rules.

mod authorization_server;
mod configuration;
mod issuer;
mod well_known;

pub use authorization_server::AuthorizationServerMetadata;
pub use configuration::{
    ClaimDescription, ClaimDisplay, CredentialConfiguration, CredentialMetadata, ProofTypeMetadata,
};
pub use issuer::{
    BatchCredentialIssuance, CredentialIssuerMetadata, Display, JwkSet, MetadataError,
    RequestEncryption, ResponseEncryption,
};
pub use well_known::{
    AS_WELL_KNOWN, ISSUER_WELL_KNOWN, WellKnownError, authorization_server_metadata_url,
    check_issuer_identifier, credential_issuer_metadata_url, is_loopback,
};
