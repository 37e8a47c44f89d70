//! What the operator configures: the issuer identity, its signing key and credential types.

use saifu_crypto::LocalSigner;
use serde::{Deserialize, Serialize};

/// Entries in the issuer's status list: 2^17, so that one index reveals nothing about a holder.
pub const STATUS_LIST_ENTRIES: u64 = 1 << 17;

/// The issuer's configuration.
#[derive(Debug)]
pub struct IssuerConfig {
    /// The Credential Issuer Identifier (an https URL); also the authorization server.
    pub issuer_id: String,
    /// The key credentials and status lists are signed with (with its `kid`).
    pub signer: LocalSigner,
    /// Display name of the issuer.
    pub display_name: String,
    /// The credential types offered.
    pub credentials: Vec<CredentialConfig>,
    /// How long pre-authorized codes stay valid, in seconds.
    pub offer_ttl: i64,
    /// How long access tokens and nonces stay valid, in seconds.
    pub token_ttl: i64,
    /// Wrong `tx_code` attempts allowed per offer.
    pub tx_code_attempts: i64,
    /// Most proofs (and so credentials) in one Credential Request.
    pub batch_size: u32,
}

/// One credential type (a `credential_configurations_supported` entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialConfig {
    /// The configuration id.
    pub id: String,
    /// The SD-JWT VC type.
    pub vct: String,
    /// OAuth scope for this credential.
    pub scope: String,
    /// Display name of the credential.
    pub display_name: String,
    /// The claims, in display order.
    pub claims: Vec<ClaimConfig>,
    /// Validity of an issued credential in seconds.
    pub validity: i64,
    /// Whether credentials must be bound to a holder key (proofs required).
    pub holder_binding: bool,
}

/// One top-level claim of a credential type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimConfig {
    /// The claim name.
    pub name: String,
    /// The claim's display name.
    pub display_name: String,
    /// Whether the claim is selectively disclosable.
    pub selectively_disclosable: bool,
}

impl IssuerConfig {
    /// The credential type with `id`.
    pub fn credential(&self, id: &str) -> Option<&CredentialConfig> {
        self.credentials.iter().find(|c| c.id == id)
    }

    /// `issuer_id` followed by `path` (which starts with `/`).
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.issuer_id.trim_end_matches('/'))
    }

    /// The URI the status list is published at.
    pub fn status_list_uri(&self) -> String {
        self.endpoint("/status/1")
    }
}
