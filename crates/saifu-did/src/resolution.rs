//! The resolution result (DID Core §7.1): document, resolution metadata and document metadata,
//! serialized the way resolver HTTP endpoints and the DID test suite expect.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::document::DidDocument;
use crate::error::ResolutionError;
use crate::syntax::Did;

/// The JSON representation of a DID document (DID Core App. E).
pub const DID_JSON: &str = "application/did+json";
/// The JSON-LD representation of a DID document (DID Core App. E).
pub const DID_LD_JSON: &str = "application/did+ld+json";

/// A successfully resolved document and what is known about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedDocument {
    /// The document.
    pub document: DidDocument,
    /// Metadata about the document (versions, deactivation), empty for did:key/jwk/web.
    pub metadata: DocumentMetadata,
}

/// `didResolutionMetadata` (DID Core §7.1.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolutionMetadata {
    /// The media type of the document representation, on success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The error code ([`ResolutionError::code`]), on failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Other members.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `didDocumentMetadata` (DID Core §7.1.3).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentMetadata {
    /// When the DID was created (XML datetime).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// When the document was last updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Whether the DID is deactivated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deactivated: Option<bool>,
    /// When the next update is expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_update: Option<String>,
    /// The version of this document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// The version after this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_version_id: Option<String>,
    /// Equivalent DIDs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equivalent_id: Vec<Did>,
    /// The canonical DID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_id: Option<Did>,
    /// Other members.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The result of resolving a DID: the document (null on failure) and both metadata sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolutionResult {
    /// The document, `null` when resolution failed.
    pub did_document: Option<DidDocument>,
    /// Content type on success, `error` on failure.
    pub did_resolution_metadata: ResolutionMetadata,
    /// Metadata about the document.
    pub did_document_metadata: DocumentMetadata,
}

impl ResolutionResult {
    /// A successful result in the representation `content_type`.
    pub fn success(resolved: &ResolvedDocument, content_type: &str) -> Self {
        ResolutionResult {
            did_document: Some(resolved.document.clone()),
            did_resolution_metadata: ResolutionMetadata {
                content_type: Some(content_type.to_owned()),
                ..ResolutionMetadata::default()
            },
            did_document_metadata: resolved.metadata.clone(),
        }
    }

    /// A failed result. Only the code is included: the detailed message can name internal
    /// addresses or hosts, which a public resolver endpoint must not reveal.
    pub fn failure(error: &ResolutionError) -> Self {
        ResolutionResult {
            did_document: None,
            did_resolution_metadata: ResolutionMetadata {
                error: Some(error.code().to_owned()),
                ..ResolutionMetadata::default()
            },
            did_document_metadata: DocumentMetadata::default(),
        }
    }
}

/// Picks the representation for an `Accept` value: `application/did+json` (also for
/// `application/json`, `*/*` or no preference), or `application/did+ld+json` when the document
/// has an `@context` to make it JSON-LD. Media-type parameters and q-values are ignored; the first
/// acceptable type listed wins.
pub fn negotiate(
    accept: Option<&str>,
    document: &DidDocument,
) -> Result<&'static str, ResolutionError> {
    let Some(accept) = accept else {
        return Ok(DID_JSON);
    };
    accept
        .split(',')
        .map(|item| item.split(';').next().unwrap_or_default().trim())
        .find_map(|media_type| match media_type {
            DID_JSON | "application/json" | "application/*" | "*/*" => Some(DID_JSON),
            DID_LD_JSON if document.context.is_some() => Some(DID_LD_JSON),
            _ => None,
        })
        .ok_or_else(|| ResolutionError::RepresentationNotSupported(accept.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::NotFoundReason;

    #[test]
    fn serialized_shapes() {
        let did: Did = "did:example:1".parse().unwrap();
        let resolved = ResolvedDocument {
            document: DidDocument::new(did),
            metadata: DocumentMetadata::default(),
        };
        let ok = serde_json::to_value(ResolutionResult::success(&resolved, DID_JSON)).unwrap();
        assert_eq!(
            ok,
            serde_json::json!({
                "didDocument": {"id": "did:example:1"},
                "didResolutionMetadata": {"contentType": "application/did+json"},
                "didDocumentMetadata": {}
            })
        );
        let error = ResolutionError::NotFound(NotFoundReason::VerificationMethod(
            "did:example:1#k".parse().unwrap(),
        ));
        let failed = serde_json::to_value(ResolutionResult::failure(&error)).unwrap();
        assert_eq!(
            failed,
            serde_json::json!({
                "didDocument": null,
                "didResolutionMetadata": {"error": "notFound"},
                "didDocumentMetadata": {}
            })
        );
    }

    #[test]
    fn negotiation() {
        let mut document = DidDocument::new("did:example:1".parse().unwrap());
        assert_eq!(negotiate(None, &document).unwrap(), DID_JSON);
        assert_eq!(
            negotiate(
                Some("application/did+ld+json, application/json;q=0.5"),
                &document
            )
            .unwrap(),
            DID_JSON
        );
        assert!(matches!(
            negotiate(Some("application/did+ld+json"), &document),
            Err(ResolutionError::RepresentationNotSupported(_))
        ));
        document.context = Some(serde_json::json!(["https://www.w3.org/ns/did/v1"]));
        assert_eq!(
            negotiate(Some("application/did+ld+json"), &document).unwrap(),
            DID_LD_JSON
        );
        assert!(matches!(
            negotiate(Some("text/html"), &document),
            Err(ResolutionError::RepresentationNotSupported(_))
        ));
    }
}
