//! The Credential Issuer Metadata document (§12.2.4).

use std::collections::BTreeMap;

use saifu_crypto::Jwk;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::configuration::{self, CredentialConfiguration};
use super::well_known::{WellKnownError, check_issuer_identifier};
use crate::vci::legacy::{self, LegacyName};

const LEGACY: [(&str, &str); 2] = [
    (
        "credentials_supported",
        "use `credential_configurations_supported`",
    ),
    (
        "signed_metadata",
        "serve signed metadata as `application/jwt` (§12.2.3)",
    ),
];

/// Why metadata was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    /// Not JSON, or a member has the wrong type.
    #[error("malformed metadata: {0}")]
    Json(String),
    /// A draft-era member.
    #[error("{0}")]
    Legacy(LegacyName),
    /// An identifier or endpoint is not a valid https URL.
    #[error(transparent)]
    Identifier(#[from] WellKnownError),
    /// The document's issuer differs from the one it was fetched for (§12.2.2, RFC 8414 §3.3).
    #[error("metadata is for `{found}`, expected `{expected}`")]
    IssuerMismatch {
        /// The identifier the metadata was fetched for.
        expected: String,
        /// The identifier in the document.
        found: String,
    },
    /// `credential_configurations_supported` is empty.
    #[error("credential_configurations_supported must not be empty")]
    NoConfigurations,
    /// `batch_credential_issuance.batch_size` is below 2.
    #[error("batch_size must be at least 2, got {0}")]
    BatchSizeTooSmall(u32),
    /// `credential_request_encryption.jwks` is empty or holds private key material.
    #[error("credential_request_encryption.jwks must hold only public keys, at least one")]
    EncryptionKeys,
    /// A configuration breaks a rule.
    #[error("credential configuration `{id}`: {reason}")]
    InvalidConfiguration {
        /// The configuration id.
        id: String,
        /// What is wrong.
        reason: String,
    },
}

/// Credential Issuer Metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialIssuerMetadata {
    /// The Credential Issuer Identifier.
    pub credential_issuer: String,
    /// Authorization servers the issuer relies on; absent means the issuer is its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_servers: Option<Vec<String>>,
    /// Credential Endpoint.
    pub credential_endpoint: String,
    /// Nonce Endpoint (§7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce_endpoint: Option<String>,
    /// Deferred Credential Endpoint (§9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferred_credential_endpoint: Option<String>,
    /// Notification Endpoint (§11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_endpoint: Option<String>,
    /// Encryption of credential requests (§10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_request_encryption: Option<RequestEncryption>,
    /// Encryption of credential responses (§10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_response_encryption: Option<ResponseEncryption>,
    /// Batch issuance support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_credential_issuance: Option<BatchCredentialIssuance>,
    /// Display of the issuer, one per locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<Vec<Display>>,
    /// What can be issued, by configuration id.
    pub credential_configurations_supported: BTreeMap<String, CredentialConfiguration>,
}

/// `credential_request_encryption`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestEncryption {
    /// The issuer's public encryption keys.
    pub jwks: JwkSet,
    /// Content encryption algorithms.
    pub enc_values_supported: Vec<String>,
    /// Compression algorithms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip_values_supported: Option<Vec<String>>,
    /// Whether requests must be encrypted.
    pub encryption_required: bool,
}

/// A JWK Set (RFC 7517 §5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwkSet {
    /// The keys.
    pub keys: Vec<Jwk>,
}

/// `credential_response_encryption`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseEncryption {
    /// Key management algorithms.
    pub alg_values_supported: Vec<String>,
    /// Content encryption algorithms.
    pub enc_values_supported: Vec<String>,
    /// Compression algorithms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip_values_supported: Option<Vec<String>>,
    /// Whether responses must be encrypted.
    pub encryption_required: bool,
}

/// `batch_credential_issuance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCredentialIssuance {
    /// Most proofs (hence credentials) per request; at least 2.
    pub batch_size: u32,
}

/// Display properties of an issuer or a credential in one locale. Members beyond `name` and
/// `locale` (`logo`, `description`, colours, …) are kept as received.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Display {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// BCP 47 language tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Other display members.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl CredentialIssuerMetadata {
    /// Parses metadata fetched for `expected_issuer` and checks it, including that
    /// `credential_issuer` is exactly `expected_issuer`.
    pub fn parse(json: &str, expected_issuer: &str) -> Result<Self, MetadataError> {
        let value: Value =
            serde_json::from_str(json).map_err(|e| MetadataError::Json(e.to_string()))?;
        if let Some(found) = find_legacy(&value) {
            return Err(MetadataError::Legacy(found));
        }
        let metadata: Self =
            serde_json::from_value(value).map_err(|e| MetadataError::Json(e.to_string()))?;
        check_issuer_match(expected_issuer, &metadata.credential_issuer)?;
        metadata.validate()?;
        Ok(metadata)
    }

    /// Checks the rules serde cannot express.
    pub fn validate(&self) -> Result<(), MetadataError> {
        check_issuer_identifier(&self.credential_issuer)?;
        let endpoints = [
            Some(&self.credential_endpoint),
            self.nonce_endpoint.as_ref(),
            self.deferred_credential_endpoint.as_ref(),
            self.notification_endpoint.as_ref(),
        ];
        for endpoint in endpoints
            .into_iter()
            .flatten()
            .chain(self.authorization_servers.iter().flatten())
        {
            check_issuer_identifier(endpoint)?;
        }
        if let Some(encryption) = &self.credential_request_encryption {
            let keys = &encryption.jwks.keys;
            if keys.is_empty() || keys.iter().any(Jwk::is_private) {
                return Err(MetadataError::EncryptionKeys);
            }
        }
        if let Some(batch) = self.batch_credential_issuance.filter(|b| b.batch_size < 2) {
            return Err(MetadataError::BatchSizeTooSmall(batch.batch_size));
        }
        if self.credential_configurations_supported.is_empty() {
            return Err(MetadataError::NoConfigurations);
        }
        self.credential_configurations_supported
            .iter()
            .try_for_each(|(id, configuration)| configuration.validate(id))
    }
}

/// The exact-match rule between the identifier a document was fetched for and its content.
pub(super) fn check_issuer_match(expected: &str, found: &str) -> Result<(), MetadataError> {
    if expected == found {
        Ok(())
    } else {
        Err(MetadataError::IssuerMismatch {
            expected: expected.to_owned(),
            found: found.to_owned(),
        })
    }
}

fn find_legacy(value: &Value) -> Option<LegacyName> {
    let object = value.as_object()?;
    legacy::find(object, &LEGACY).or_else(|| {
        object
            .get("credential_configurations_supported")?
            .as_object()?
            .values()
            .filter_map(Value::as_object)
            .find_map(|c| legacy::find(c, &configuration::LEGACY))
    })
}
