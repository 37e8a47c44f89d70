//! Resolution errors, named as DID Core §7.1.2/§7.2.2 and DID Resolution name them.
//!
//! [`ResolutionError`] has one variant per error code, so callers can map it onto the
//! `didResolutionMetadata.error` value (or an HTTP status) without string matching; each variant
//! carries a typed reason saying exactly what went wrong.

use url::Url;

use crate::document::{DocumentError, Relationship};
use crate::http::HttpError;
use crate::jwk::DidJwkError;
use crate::key::DidKeyError;
use crate::syntax::{Did, DidSyntaxError, DidUrl};
use crate::web::WebDidError;
use crate::webvh::WebvhError;

/// Why a DID could not be resolved or a DID URL dereferenced.
#[derive(Debug, thiserror::Error)]
pub enum ResolutionError {
    /// `invalidDid`: not a DID, or not a valid DID of its method.
    #[error("invalid DID: {0}")]
    InvalidDid(#[from] InvalidDidReason),
    /// `invalidDidUrl`: not a DID URL, or not one that can name a verification method.
    #[error("invalid DID URL: {0}")]
    InvalidDidUrl(#[from] InvalidDidUrlReason),
    /// `notFound`: the DID document or the verification method does not exist.
    #[error("not found: {0}")]
    NotFound(#[from] NotFoundReason),
    /// `methodNotSupported`: saifu does not resolve this DID method.
    #[error("DID method `{0}` is not supported")]
    MethodNotSupported(String),
    /// `representationNotSupported`: the requested media type cannot be produced.
    #[error("representation `{0}` is not supported")]
    RepresentationNotSupported(String),
    /// `internalError`: fetching or checking the document failed.
    #[error("resolution failed: {0}")]
    InternalError(#[from] InternalReason),
}

impl ResolutionError {
    /// The error code for `didResolutionMetadata.error`.
    pub fn code(&self) -> &'static str {
        match self {
            ResolutionError::InvalidDid(_) => "invalidDid",
            ResolutionError::InvalidDidUrl(_) => "invalidDidUrl",
            ResolutionError::NotFound(_) => "notFound",
            ResolutionError::MethodNotSupported(_) => "methodNotSupported",
            ResolutionError::RepresentationNotSupported(_) => "representationNotSupported",
            ResolutionError::InternalError(_) => "internalError",
        }
    }
}

/// What makes a DID invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidDidReason {
    /// The generic DID syntax (DID Core §3.1) is violated.
    #[error(transparent)]
    Syntax(#[from] DidSyntaxError),
    /// A did:key problem; [`DidKeyError::code`] gives the did:key error name
    /// (`invalidPublicKeyLength`, `invalidPublicKey`, …).
    #[error("did:key: {} ({})", .0, .0.code())]
    Key(#[from] DidKeyError),
    /// A did:jwk problem.
    #[error("did:jwk: {0}")]
    Jwk(#[from] DidJwkError),
    /// A did:web problem (IP-address host, bad port, dot segments, …).
    #[error("did:web: {0}")]
    Web(#[from] WebDidError),
    /// A did:webvh problem: the identifier, or its log failed verification (did:webvh 1.0
    /// "Read (Resolve)": such errors are `invalidDid`).
    #[error("did:webvh: {0}")]
    Webvh(#[from] WebvhError),
}

/// What makes a DID URL unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidDidUrlReason {
    /// The DID URL syntax (DID Core §3.2) is violated.
    #[error(transparent)]
    Syntax(#[from] DidSyntaxError),
    /// A verification method is named by a fragment, and this URL has none.
    #[error("{0} has no fragment naming a verification method")]
    MissingFragment(DidUrl),
    /// A did:webvh `versionId` / `versionTime` / `versionNumber` query value is malformed.
    #[error("{0} is not a valid version selector")]
    Version(String),
}

/// What was not found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotFoundReason {
    /// The document location answered 404 or 410.
    #[error("{url} answered HTTP {status}")]
    Document {
        /// Where the document was looked for.
        url: Url,
        /// The status received.
        status: u16,
    },
    /// The document has no verification method with this id.
    #[error("no verification method {0}")]
    VerificationMethod(DidUrl),
    /// The method exists but is not listed under the required relationship.
    #[error("{url} is not authorized for {}", .relationship.name())]
    NotAuthorized {
        /// The verification method.
        url: DidUrl,
        /// The relationship it was required for.
        relationship: Relationship,
    },
    /// A did:webvh log has no version matching the query.
    #[error("no version {0} in the DID log")]
    Version(String),
}

/// What failed while fetching or checking a document.
#[derive(Debug, thiserror::Error)]
pub enum InternalReason {
    /// The HTTP fetch failed: refused address, timeout, size limit, redirect, status, transport.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The fetched bytes are not a valid DID document.
    #[error(transparent)]
    Document(#[from] DocumentError),
    /// The fetched document describes another DID (did:web §2.5.2, DID Core §7.1).
    #[error("the document is for {found}, not {expected}")]
    IdMismatch {
        /// The DID being resolved.
        expected: Did,
        /// The `id` of the fetched document.
        found: Did,
    },
}

/// Lets `?` turn a method's own error straight into the resolution error.
macro_rules! invalid_did_from {
    ($($error:ty),*) => {$(
        impl From<$error> for ResolutionError {
            fn from(error: $error) -> Self {
                ResolutionError::InvalidDid(error.into())
            }
        }
    )*};
}

// Not `DidSyntaxError`: it can come from a DID URL too, and must then be `invalidDidUrl`.
invalid_did_from!(DidKeyError, DidJwkError, WebDidError);
