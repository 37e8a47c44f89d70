//! SD-JWT VC Type Metadata (-18 §4): what a `vct` means, how wallets should display it and its
//! claims, and which claims must or may be selectively disclosable.
//!
//! A `vct` that is an `https` URL is resolved by fetching it; `vct#integrity` (and
//! `extends#integrity` along an `extends` chain) pins the document with a W3C Subresource
//! Integrity string. JSON Schema (`schema`, `schema_uri`) is not supported: it was removed from
//! the draft in -12 (STANDARDS §5).

use std::collections::HashSet;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use saifu_did::http::HttpClient;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256, Sha384, Sha512};
use url::Url;

use super::SdJwtVcError;

/// One Type Metadata document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeMetadata {
    /// The type this document describes; must equal the `vct` it was fetched for.
    pub vct: String,
    /// Human-readable name, for developers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Human-readable description, for developers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The parent type this one extends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// SRI integrity of the parent's document.
    #[serde(
        rename = "extends#integrity",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub extends_integrity: Option<String>,
    /// Display information per locale.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub display: Vec<TypeDisplay>,
    /// Per-claim metadata.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<ClaimMetadata>,
}

/// How to show the credential type in one locale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeDisplay {
    /// BCP 47 language tag (`locale`; the older `lang` is not accepted, STANDARDS §5).
    pub locale: String,
    /// Name shown to users.
    pub name: String,
    /// Description shown to users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Rendering hints (`simple`, `svg_templates`), kept as JSON for the wallet UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rendering: Option<Value>,
}

/// Metadata of one claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimMetadata {
    /// Claim path: strings, non-negative integers and `null` (all array elements).
    pub path: Vec<Value>,
    /// Labels per locale.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub display: Vec<ClaimDisplay>,
    /// Whether the issuer must always include the claim.
    #[serde(default)]
    pub mandatory: bool,
    /// Whether the claim is selectively disclosable.
    #[serde(default)]
    pub sd: SdPolicy,
    /// The claim's identifier in SVG templates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub svg_id: Option<String>,
}

/// A claim's label in one locale (`label`, unlike OID4VCI's `name`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimDisplay {
    /// BCP 47 language tag.
    pub locale: String,
    /// Label shown to users.
    pub label: String,
    /// Description shown to users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Whether a claim is selectively disclosable (default `allowed`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SdPolicy {
    /// Must be selectively disclosable.
    Always,
    /// May be either.
    #[default]
    Allowed,
    /// Must not be selectively disclosable.
    Never,
}

/// The SRI string (`sha256-<base64>`) of `document`, for issuers writing `vct#integrity`.
pub fn sri_sha256(document: &[u8]) -> String {
    format!("sha256-{}", STANDARD.encode(Sha256::digest(document)))
}

/// Checks `document` against an SRI metadata string (W3C SRI §3.3.5): among the hashes whose
/// algorithm saifu knows, those of the strongest algorithm must include one that matches.
pub fn check_integrity(document: &[u8], sri: &str) -> Result<(), SdJwtVcError> {
    let hashes: Vec<(u8, &str)> = sri
        .split_whitespace()
        .filter_map(|item| {
            let (alg, rest) = item.split_once('-')?;
            let strength = match alg {
                "sha256" => 1,
                "sha384" => 2,
                "sha512" => 3,
                _ => return None,
            };
            Some((strength, rest.split('?').next().unwrap_or_default()))
        })
        .collect();
    let strongest = hashes
        .iter()
        .map(|(s, _)| *s)
        .max()
        .ok_or_else(|| SdJwtVcError::Integrity(format!("{sri:?}: no supported hash")))?;
    let actual = STANDARD.encode(match strongest {
        1 => Sha256::digest(document).to_vec(),
        2 => Sha384::digest(document).to_vec(),
        _ => Sha512::digest(document).to_vec(),
    });
    if hashes.iter().any(|(s, h)| *s == strongest && *h == actual) {
        Ok(())
    } else {
        Err(SdJwtVcError::Integrity(sri.to_owned()))
    }
}

/// Fetches Type Metadata and its `extends` chain.
#[derive(Debug, Clone)]
pub struct TypeMetadataResolver<'a> {
    http: &'a HttpClient,
    max_depth: usize,
}

impl<'a> TypeMetadataResolver<'a> {
    /// A resolver fetching through `http`, following at most `max_depth` `extends` links.
    pub fn new(http: &'a HttpClient, max_depth: usize) -> Self {
        TypeMetadataResolver { http, max_depth }
    }

    /// Resolves `vct` (with its `vct#integrity`, when the credential has one) and the types it
    /// extends: the first document is `vct`'s own, then its parent, and so on.
    pub async fn resolve(
        &self,
        vct: &str,
        integrity: Option<&str>,
    ) -> Result<Vec<TypeMetadata>, SdJwtVcError> {
        let mut chain: Vec<TypeMetadata> = Vec::new();
        let mut seen = HashSet::new();
        let mut next = Some((vct.to_owned(), integrity.map(str::to_owned)));
        while let Some((vct, integrity)) = next.take() {
            if chain.len() > self.max_depth || !seen.insert(vct.clone()) {
                return Err(SdJwtVcError::ExtendsTooDeep(self.max_depth));
            }
            let url = Url::parse(&vct)
                .map_err(|e| SdJwtVcError::Metadata(format!("`vct` {vct} is not a URL: {e}")))?;
            let body = self.http.get(&url, "application/json").await?.body;
            if let Some(sri) = &integrity {
                check_integrity(&body, sri)?;
            }
            let doc: TypeMetadata = serde_json::from_slice(&body)
                .map_err(|e| SdJwtVcError::Metadata(format!("{vct}: {e}")))?;
            if doc.vct != vct {
                return Err(SdJwtVcError::Metadata(format!(
                    "document at {vct} describes `{}`",
                    doc.vct
                )));
            }
            next = doc
                .extends
                .clone()
                .map(|parent| (parent, doc.extends_integrity.clone()));
            chain.push(doc);
        }
        Ok(chain)
    }
}
