//! What the wallet keeps: credentials with their batch copies and holder keys, the history of
//! what was shared, and issuances still waiting at the issuer.

use saifu_crypto::Jwk;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A credential the holder received, with every copy the issuer sent.
///
/// Each copy has its own holder key, issuer signature and disclosure salts. A copy is shown to
/// one verifier only ([`CredentialCopy::shown_to`]), so two verifiers never see the same
/// holder key, signature or salt and cannot link the holder through them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredCredential {
    /// The wallet's id for the credential (random).
    pub id: String,
    /// The format: `dc+sd-jwt`, `jwt_vc_json` or `ldp_vc`.
    pub format: String,
    /// The Credential Issuer Identifier it came from.
    pub issuer: String,
    /// The issuer's credential configuration id.
    pub configuration_id: String,
    /// The SD-JWT VC type.
    pub vct: Option<String>,
    /// W3C formats: the expanded `type` IRIs DCQL `type_values` match (OpenID4VP 1.0 B.1.1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    /// How to show the credential.
    pub display: CardDisplay,
    /// Every claim the holder can disclose, as the credential holds them; for a W3C format the
    /// whole credential without its proof, since DCQL paths start at its root (B.1.2).
    pub claims: Map<String, Value>,
    /// The public JWK the issuer signed with, pinned at receipt (for status list tokens).
    pub issuer_key: Jwk,
    /// The copies; each is presented to at most one verifier.
    pub copies: Vec<CredentialCopy>,
    /// The last known status.
    pub status: CredentialStatus,
    /// When the status was last checked, seconds since the epoch.
    pub status_checked_at: Option<i64>,
    /// When it was received.
    pub received_at: i64,
    /// `exp` of the credential, if any.
    pub expires_at: Option<i64>,
}

/// One issued copy of a credential and the private key it is bound to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialCopy {
    /// The credential as issued: the SD-JWT with all disclosures, the `jwt_vc_json` JWT, or the
    /// `ldp_vc` JSON text. (Named `sd_jwt` in wallet files written before the W3C formats.)
    #[serde(alias = "sd_jwt")]
    pub credential: String,
    /// The holder's private key (JWK with `d`), sealed with the record.
    pub holder_key: Jwk,
    /// The verifier (full client id) this copy was shown to, if any.
    pub shown_to: Option<String>,
}

/// What the wallet shows on a credential's card.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CardDisplay {
    /// The credential's name.
    pub name: String,
    /// The issuer's name.
    pub issuer_name: Option<String>,
    /// A description.
    pub description: Option<String>,
    /// Card background colour (CSS).
    pub background_color: Option<String>,
    /// Card text colour (CSS).
    pub text_color: Option<String>,
    /// Human labels per claim, keyed by JSON pointer (`/address/locality`).
    pub claim_labels: Map<String, Value>,
}

/// Whether the issuer still stands behind a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialStatus {
    /// Valid at the last check (or never checked and carrying no status entry).
    Valid,
    /// Revoked by the issuer: final.
    Revoked,
    /// Suspended by the issuer: may come back.
    Suspended,
    /// The status could not be determined.
    Unknown,
}

impl CredentialStatus {
    /// The name shown to people and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialStatus::Valid => "valid",
            CredentialStatus::Revoked => "revoked",
            CredentialStatus::Suspended => "suspended",
            CredentialStatus::Unknown => "unknown",
        }
    }
}

/// One entry of the sharing history: who asked, what was shown, and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Random id.
    pub id: String,
    /// When, seconds since the epoch.
    pub at: i64,
    /// The verifier's full client identifier.
    pub verifier: String,
    /// The name the verifier gave, if any.
    pub verifier_name: Option<String>,
    /// What was disclosed, per credential.
    pub shared: Vec<SharedCredential>,
    /// How it ended: `sent`, `declined` or `failed: …`.
    pub outcome: String,
}

/// One credential in a [`HistoryEntry`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedCredential {
    /// The wallet's credential id.
    pub credential: String,
    /// The card name at the time.
    pub name: String,
    /// The claim paths disclosed (JSON pointers).
    pub claims: Vec<String>,
}

/// An issuance the issuer deferred (OpenID4VCI 1.0 §9): what the wallet needs to collect it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingIssuance {
    /// Random id.
    pub id: String,
    /// The Credential Issuer Identifier.
    pub issuer: String,
    /// The configuration asked for.
    pub configuration_id: String,
    /// The Deferred Credential Endpoint.
    pub deferred_endpoint: String,
    /// The access token the issuer expects there.
    pub access_token: String,
    /// The issuer's transaction id.
    pub transaction_id: String,
    /// The holder keys proven in the request, in proof order.
    pub holder_keys: Vec<Jwk>,
    /// The card display prepared at request time.
    pub display: CardDisplay,
    /// When it was deferred.
    pub requested_at: i64,
    /// The Notification Endpoint, if the issuer has one.
    pub notification_endpoint: Option<String>,
    /// The format asked for (records written before the W3C formats are SD-JWT VC).
    #[serde(default = "sd_jwt_vc")]
    pub format: String,
}

fn sd_jwt_vc() -> String {
    "dc+sd-jwt".to_owned()
}
