//! What the operator configures: the issuer identity, its signing key and credential types.

use saifu_crypto::LocalSigner;
use serde::{Deserialize, Serialize};

/// Entries in each of the issuer's status lists by default: 2^17, so that one index is one of
/// many (the herd privacy of Token Status List §12.1) while a list stays a 32 KiB bitmap.
pub const STATUS_LIST_ENTRIES: u64 = 1 << 17;

/// The fewest entries a status list may have.
pub const MIN_STATUS_LIST_ENTRIES: u64 = 16;
/// The most entries a status list may have (a 4 MiB list of 2-bit entries).
pub const MAX_STATUS_LIST_ENTRIES: u64 = 1 << 24;

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
    /// Entries in each status list the issuer opens (lists already open keep their size);
    /// between [`MIN_STATUS_LIST_ENTRIES`] and [`MAX_STATUS_LIST_ENTRIES`].
    pub status_list_size: u64,
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
    /// A W3C format instead of SD-JWT VC (then `vct` only names the type for trust lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub w3c: Option<W3cDefinition>,
}

/// The W3C Verifiable Credential formats of OpenID4VCI 1.0 Appendix A.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum W3cFormat {
    /// `jwt_vc_json`: a VCDM 1.1 JWT (A.1.1).
    #[serde(rename = "jwt_vc_json")]
    JwtVcJson,
    /// `ldp_vc`: a VCDM 2.0 credential with a Data Integrity proof (A.1.2).
    #[serde(rename = "ldp_vc")]
    LdpVc,
}

impl W3cFormat {
    /// The format identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            W3cFormat::JwtVcJson => saifu_oid4vc::w3c::JWT_VC_JSON,
            W3cFormat::LdpVc => saifu_oid4vc::w3c::LDP_VC,
        }
    }
}

/// What a W3C credential type is: its format, `type` values and `@context` entries (the
/// `credential_definition` of A.1.1.2 / A.1.2.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct W3cDefinition {
    /// The format.
    pub format: W3cFormat,
    /// `type` values after `VerifiableCredential`.
    pub types: Vec<String>,
    /// `@context` entries after the base context (VCDM 1.1 for `jwt_vc_json`, VCDM 2.0 for
    /// `ldp_vc`); for `ldp_vc` each must be bundled, since it is canonicalized at issuance.
    #[serde(default)]
    pub contexts: Vec<String>,
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
}
