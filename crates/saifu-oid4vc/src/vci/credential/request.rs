//! The Credential Request (§8.2).

use saifu_crypto::Jwk;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error::CredentialError;
use crate::vci::legacy::{self, LegacyName};

const LEGACY: [(&str, &str); 4] = [
    ("proof", "use `proofs` with one key and an array"),
    (
        "format",
        "name the credential with `credential_configuration_id`",
    ),
    (
        "vct",
        "name the credential with `credential_configuration_id`",
    ),
    (
        "credential_definition",
        "name the credential with `credential_configuration_id`",
    ),
];

const PROOF_TYPES: [&str; 3] = ["jwt", "di_vp", "attestation"];

/// Why a credential request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialRequestError {
    /// Not JSON, or a member has the wrong type.
    #[error("malformed credential request: {0}")]
    Json(String),
    /// A draft-era member.
    #[error("{0}")]
    Legacy(LegacyName),
    /// Both `credential_identifier` and `credential_configuration_id`.
    #[error("credential_identifier and credential_configuration_id are mutually exclusive")]
    BothTargets,
    /// Neither `credential_identifier` nor `credential_configuration_id`.
    #[error("one of credential_identifier or credential_configuration_id is required")]
    NoTarget,
    /// `proofs` is not an object with exactly one key.
    #[error("proofs must have exactly one proof type, found {0}")]
    ProofTypeCount(usize),
    /// `proofs` names a type OpenID4VCI does not define.
    #[error("unknown proof type `{0}`")]
    UnknownProofType(String),
    /// The proof array is empty.
    #[error("the proofs array is empty")]
    EmptyProofs,
    /// `credential_response_encryption` is unusable (private or unsuitable key, missing `enc`).
    #[error("invalid credential_response_encryption: {0}")]
    Encryption(String),
}

impl From<&CredentialRequestError> for CredentialError {
    fn from(e: &CredentialRequestError) -> Self {
        match e {
            CredentialRequestError::Encryption(_) => {
                CredentialError::InvalidEncryptionParameters(e.to_string())
            }
            _ => CredentialError::InvalidCredentialRequest(e.to_string()),
        }
    }
}

/// Which credential is requested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialTarget {
    /// An identifier from the token response's `authorization_details`.
    CredentialIdentifier(String),
    /// A key of `credential_configurations_supported` (when no identifiers were returned).
    CredentialConfigurationId(String),
}

/// Key proofs: one proof type, one or more proofs (one credential per proof).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Proofs {
    /// Compact JWTs of type `openid4vci-proof+jwt` (App. F.1).
    Jwt(Vec<String>),
    /// Data Integrity verifiable presentations (App. F.2).
    DiVp(Vec<Value>),
    /// Key attestations (App. F.3).
    Attestation(Vec<String>),
}

impl Proofs {
    /// How many proofs, hence how many credentials are requested.
    pub fn len(&self) -> usize {
        match self {
            Proofs::Jwt(p) | Proofs::Attestation(p) => p.len(),
            Proofs::DiVp(p) => p.len(),
        }
    }

    /// Whether there is no proof (never true for a parsed request).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `credential_response_encryption` in a request (§8.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseEncryptionParams {
    /// The wallet's public encryption key; its `alg` selects key management.
    pub jwk: Jwk,
    /// Content encryption algorithm.
    pub enc: String,
    /// Compression algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
}

/// A Credential Request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialRequest {
    /// The requested credential.
    #[serde(flatten)]
    pub target: CredentialTarget,
    /// Key proofs; absent for unbound credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proofs: Option<Proofs>,
    /// How to encrypt the response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_response_encryption: Option<ResponseEncryptionParams>,
}

impl CredentialRequest {
    /// Parses and checks a request body (`application/json`, or the decrypted JWE payload).
    pub fn parse(json: &str) -> Result<Self, CredentialRequestError> {
        let value: Value =
            serde_json::from_str(json).map_err(|e| CredentialRequestError::Json(e.to_string()))?;
        let object = value
            .as_object()
            .ok_or_else(|| CredentialRequestError::Json("a request is a JSON object".into()))?;
        if let Some(found) = legacy::find(object, &LEGACY) {
            return Err(CredentialRequestError::Legacy(found));
        }
        match (
            object.contains_key("credential_identifier"),
            object.contains_key("credential_configuration_id"),
        ) {
            (true, true) => return Err(CredentialRequestError::BothTargets),
            (false, false) => return Err(CredentialRequestError::NoTarget),
            _ => {}
        }
        if let Some(proofs) = object.get("proofs") {
            check_proofs_shape(proofs)?;
        }
        let request: Self = serde_json::from_value(value)
            .map_err(|e| CredentialRequestError::Json(e.to_string()))?;
        request.check_encryption()?;
        Ok(request)
    }

    fn check_encryption(&self) -> Result<(), CredentialRequestError> {
        let Some(params) = &self.credential_response_encryption else {
            return Ok(());
        };
        if params.jwk.is_private() {
            return Err(CredentialRequestError::Encryption(
                "the jwk holds private key material".into(),
            ));
        }
        if params.enc.is_empty() {
            return Err(CredentialRequestError::Encryption("`enc` is empty".into()));
        }
        Ok(())
    }
}

fn check_proofs_shape(proofs: &Value) -> Result<(), CredentialRequestError> {
    let object: &Map<String, Value> = proofs
        .as_object()
        .ok_or_else(|| CredentialRequestError::Json("proofs must be an object".into()))?;
    let mut entries = object.iter();
    let (Some((name, array)), None) = (entries.next(), entries.next()) else {
        return Err(CredentialRequestError::ProofTypeCount(object.len()));
    };
    if !PROOF_TYPES.contains(&name.as_str()) {
        return Err(CredentialRequestError::UnknownProofType(name.clone()));
    }
    match array.as_array() {
        Some(items) if items.is_empty() => Err(CredentialRequestError::EmptyProofs),
        Some(_) => Ok(()),
        None => Err(CredentialRequestError::Json(format!(
            "proofs.{name} must be an array"
        ))),
    }
}
