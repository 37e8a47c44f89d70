//! One entry of `credential_configurations_supported` (§12.2.4, App. A).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::issuer::{Display, MetadataError};

/// Proof types defined by OpenID4VCI 1.0 (App. F).
const PROOF_TYPES: [&str; 3] = ["jwt", "di_vp", "attestation"];

/// How one credential can be issued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialConfiguration {
    /// Format identifier, e.g. `dc+sd-jwt`, `mso_mdoc`.
    pub format: String,
    /// OAuth scope requesting this credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Signing algorithms (JOSE names, or COSE integers for `mso_mdoc`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_signing_alg_values_supported: Option<Vec<Value>>,
    /// `jwk`, `cose_key`, `did:<method>`; absent when the credential is not key-bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cryptographic_binding_methods_supported: Option<Vec<String>>,
    /// Accepted key proof types; present exactly when binding methods are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof_types_supported: Option<BTreeMap<String, ProofTypeMetadata>>,
    /// Display and claim descriptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_metadata: Option<CredentialMetadata>,
    /// Format-specific members: `vct`, `doctype`, `credential_definition`, ….
    #[serde(flatten)]
    pub format_specific: Map<String, Value>,
}

/// One entry of `proof_types_supported`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofTypeMetadata {
    /// Algorithms the issuer accepts for this proof type.
    pub proof_signing_alg_values_supported: Vec<String>,
    /// Key attestation requirements (App. D), kept as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_attestations_required: Option<Value>,
}

/// `credential_metadata`: what wallets show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialMetadata {
    /// Display of the credential, one per locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<Vec<Display>>,
    /// Claim descriptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Vec<ClaimDescription>>,
}

/// One claim description (App. B.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimDescription {
    /// Claims path pointer: strings, non-negative integers and `null`.
    pub path: Vec<Value>,
    /// Whether the issuer always includes the claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mandatory: Option<bool>,
    /// Display names per locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<Vec<ClaimDisplay>>,
}

/// A claim's display name in one locale.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimDisplay {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// BCP 47 language tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// Draft-era members of a configuration.
pub(super) const LEGACY: [(&str, &str); 4] = [
    (
        "cryptographic_suites_supported",
        "use `credential_signing_alg_values_supported`",
    ),
    ("display", "move `display` into `credential_metadata`"),
    ("claims", "move `claims` into `credential_metadata`"),
    ("proof_types", "use the `proof_types_supported` object"),
];

impl CredentialConfiguration {
    /// Checks one configuration; `id` names it in errors.
    pub fn validate(&self, id: &str) -> Result<(), MetadataError> {
        let invalid = |reason: &str| MetadataError::InvalidConfiguration {
            id: id.to_owned(),
            reason: reason.to_owned(),
        };
        let required = match self.format.as_str() {
            "vc+sd-jwt" => return Err(invalid("format `vc+sd-jwt` is draft-era; use `dc+sd-jwt`")),
            "dc+sd-jwt" => Some("vct"),
            "mso_mdoc" => Some("doctype"),
            "ldp_vc" | "jwt_vc_json-ld" | "jwt_vc_json" => Some("credential_definition"),
            _ => None,
        };
        if let Some(member) = required.filter(|m| !self.format_specific.contains_key(*m)) {
            return Err(invalid(&format!(
                "format `{}` requires `{member}`",
                self.format
            )));
        }
        if self.cryptographic_binding_methods_supported.is_some()
            != self.proof_types_supported.is_some()
        {
            return Err(invalid(
                "cryptographic_binding_methods_supported and proof_types_supported come together",
            ));
        }
        for (name, proof) in self.proof_types_supported.iter().flatten() {
            if !PROOF_TYPES.contains(&name.as_str()) {
                return Err(invalid(&format!("unknown proof type `{name}`")));
            }
            if proof.proof_signing_alg_values_supported.is_empty() {
                return Err(invalid("proof_signing_alg_values_supported is empty"));
            }
        }
        Ok(())
    }
}
