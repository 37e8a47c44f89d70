//! did:web (W3C CCG did:web): a DID document hosted at a URL derived from the DID.
//!
//! `did:web:example.com` → `https://example.com/.well-known/did.json`;
//! `did:web:example.com%3A8443:user:alice` → `https://example.com:8443/user/alice/did.json`.
//! The host must be a domain name (did:web §2.3 forbids IP addresses), the document is fetched
//! through the SSRF-safe [`HttpClient`], and its `id` must be exactly the DID (§2.5.2), otherwise
//! anyone able to host a file could answer for someone else's DID.

use std::collections::HashSet;

use saifu_crypto::PublicKey;
use serde_json::json;
use url::{Host, Url};

use crate::document::{
    DID_CONTEXT_V1, DidDocument, MULTIKEY_CONTEXT_V1, Relationship, VerificationMethod,
};
use crate::error::{InternalReason, NotFoundReason, ResolutionError};
use crate::http::{HttpClient, HttpError};
use crate::syntax::Did;

/// The method name.
pub const METHOD: &str = "web";

/// The `Accept` header sent when fetching a did.json.
const ACCEPT: &str = "application/did+json, application/did+ld+json;q=0.9, application/json;q=0.8";

/// Why a DID or URL is not a valid did:web identifier or location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebDidError {
    /// The DID's method is not `web`.
    #[error("not a did:web DID (method `{0}`)")]
    NotDidWeb(String),
    /// The host part is not a valid domain name (with optional `%3A` port).
    #[error("`{0}` is not a valid host")]
    InvalidHost(String),
    /// The host is an IP address, which did:web does not allow.
    #[error("`{0}` is an IP address; did:web requires a domain name")]
    IpAddressHost(String),
    /// A path segment is empty or a dot segment (`.`, `..`) that would change the location.
    #[error("`{0}` is not a valid did:web path segment")]
    InvalidPathSegment(String),
    /// The URL is not an `https` URL ending in `/did.json` without query or fragment.
    #[error("`{0}` is not a did:web document location")]
    InvalidLocation(String),
}

/// Where the document of a did:web DID lives.
pub fn document_url(did: &Did) -> Result<Url, WebDidError> {
    if did.method() != METHOD {
        return Err(WebDidError::NotDidWeb(did.method().to_owned()));
    }
    let mut segments = did.method_specific_id().split(':');
    let host_part = segments.next().unwrap_or_default();
    let host = decode_port_colon(host_part);
    let path: Vec<&str> = segments.collect();
    for segment in &path {
        if is_dot_or_empty(segment) {
            return Err(WebDidError::InvalidPathSegment((*segment).to_owned()));
        }
    }
    let invalid_host = || WebDidError::InvalidHost(host_part.to_owned());
    // Only the port colon may be percent-encoded in the host; anything else is not a host name.
    if host.contains('%') || host.is_empty() {
        return Err(invalid_host());
    }
    let document_path = if path.is_empty() {
        ".well-known".to_owned()
    } else {
        path.join("/")
    };
    let url = Url::parse(&format!("https://{host}/{document_path}/did.json"))
        .map_err(|_| invalid_host())?;
    match url.host() {
        Some(Host::Domain(_)) => Ok(url),
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => Err(WebDidError::IpAddressHost(host)),
        None => Err(invalid_host()),
    }
}

/// The did:web DID whose document lives at `url` (the inverse of [`document_url`]).
pub fn did_for_url(url: &Url) -> Result<Did, WebDidError> {
    let invalid = || WebDidError::InvalidLocation(url.to_string());
    if url.scheme() != "https" || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid());
    }
    let host = match url.host() {
        Some(Host::Domain(domain)) => domain,
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => {
            return Err(WebDidError::IpAddressHost(
                url.host_str().unwrap_or_default().to_owned(),
            ));
        }
        None => return Err(invalid()),
    };
    let path = url.path().strip_suffix("/did.json").ok_or_else(invalid)?;
    let mut did = format!("did:{METHOD}:{host}");
    if let Some(port) = url.port() {
        did.push_str(&format!("%3A{port}"));
    }
    if path != "/.well-known" {
        for segment in path.split('/').skip(1) {
            if is_dot_or_empty(segment) {
                return Err(WebDidError::InvalidPathSegment(segment.to_owned()));
            }
            did.push(':');
            did.push_str(segment);
        }
    }
    let did: Did = did
        .parse()
        .map_err(|_| WebDidError::InvalidLocation(url.to_string()))?;
    // Guarantees the round trip: the DID maps back to exactly this URL.
    if document_url(&did)? != *url {
        return Err(invalid());
    }
    Ok(did)
}

/// The did.json to host for `did`: one `Multikey` method per distinct key, its fragment the key's
/// RFC 7638 thumbprint (stable when keys are added or removed, and usable as a JOSE `kid`).
/// Signing keys get the four signing relationships, X25519 keys `keyAgreement`.
pub fn build_document(did: &Did, keys: &[PublicKey]) -> Result<DidDocument, WebDidError> {
    document_url(did)?;
    let mut document = DidDocument::new(did.clone());
    document.context = Some(json!([DID_CONTEXT_V1, MULTIKEY_CONTEXT_V1]));
    let mut seen = HashSet::new();
    for key in keys {
        let thumbprint = key.thumbprint();
        if !seen.insert(thumbprint.clone()) {
            continue;
        }
        let id = did
            .join(&format!("#{thumbprint}"))
            .unwrap_or_else(|e| unreachable!("base64url is always a valid fragment: {e}"));
        let method = VerificationMethod::multikey(id, did.clone(), key);
        document.add_verification_method(method, Relationship::for_key_type(key.key_type()));
    }
    Ok(document)
}

/// Fetches and checks the document of a did:web DID. With
/// [`HttpConfig::allow_http`](crate::http::HttpConfig::allow_http) (tests only) it is fetched
/// over plain `http`.
pub async fn resolve(client: &HttpClient, did: &Did) -> Result<DidDocument, ResolutionError> {
    let body = fetch(client, document_url(did)?, ACCEPT).await?;
    let document = DidDocument::from_json(&body).map_err(InternalReason::Document)?;
    if document.id != *did {
        return Err(InternalReason::IdMismatch {
            expected: did.clone(),
            found: document.id,
        }
        .into());
    }
    Ok(document)
}

/// Fetches a DID method's `https` resource (over plain `http` when the client allows it, in
/// tests); 404 and 410 are `notFound`, other failures `internalError`.
pub(crate) async fn fetch(
    client: &HttpClient,
    mut url: Url,
    accept: &str,
) -> Result<Vec<u8>, ResolutionError> {
    if client.config().allow_http {
        url.set_scheme("http")
            .unwrap_or_else(|()| unreachable!("https and http are both special schemes"));
    }
    let response = client.get(&url, accept).await.map_err(|e| match e {
        HttpError::Status(status @ (404 | 410)) => {
            ResolutionError::from(NotFoundReason::Document { url, status })
        }
        other => InternalReason::Http(other).into(),
    })?;
    Ok(response.body)
}

/// `%3A` (either case) back to the `:` before a port.
fn decode_port_colon(host: &str) -> String {
    host.replace("%3A", ":").replace("%3a", ":")
}

/// Empty segments and dot segments, including percent-encoded dots, which URL parsers collapse.
fn is_dot_or_empty(segment: &str) -> bool {
    let decoded = segment.replace("%2E", ".").replace("%2e", ".");
    matches!(decoded.as_str(), "" | "." | "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_of(did: &str) -> Result<String, WebDidError> {
        document_url(&did.parse().unwrap()).map(|u| u.to_string())
    }

    #[test]
    fn mapping() {
        assert_eq!(
            url_of("did:web:w3c-ccg.github.io").unwrap(),
            "https://w3c-ccg.github.io/.well-known/did.json"
        );
        assert_eq!(
            url_of("did:web:w3c-ccg.github.io:user:alice").unwrap(),
            "https://w3c-ccg.github.io/user/alice/did.json"
        );
        assert_eq!(
            url_of("did:web:example.com%3A3000:user:alice").unwrap(),
            "https://example.com:3000/user/alice/did.json"
        );
        for did in [
            "did:web:example.com",
            "did:web:example.com%3A3000:user:alice",
            "did:web:did.actor:healthcare:doctor:robert",
        ] {
            let did: Did = did.parse().unwrap();
            assert_eq!(did_for_url(&document_url(&did).unwrap()).unwrap(), did);
        }
    }

    #[test]
    fn refusals() {
        assert_eq!(
            url_of("did:web:127.0.0.1"),
            Err(WebDidError::IpAddressHost("127.0.0.1".into()))
        );
        assert_eq!(
            url_of("did:web:%5B::1%5D"),
            Err(WebDidError::InvalidPathSegment("".into()))
        );
        assert!(matches!(
            url_of("did:web:0x7f.1"),
            Err(WebDidError::IpAddressHost(_))
        ));
        assert!(matches!(
            url_of("did:web:example.com:a:..:b"),
            Err(WebDidError::InvalidPathSegment(_))
        ));
        assert!(matches!(
            url_of("did:web:example.com:%2e%2E"),
            Err(WebDidError::InvalidPathSegment(_))
        ));
        assert!(matches!(
            url_of("did:web:example.com%3A99999"),
            Err(WebDidError::InvalidHost(_))
        ));
        assert!(matches!(
            url_of("did:web:exa%20mple.com"),
            Err(WebDidError::InvalidHost(_))
        ));
        assert!(matches!(
            url_of("did:key:z6Mk"),
            Err(WebDidError::NotDidWeb(_))
        ));
        let http = Url::parse("http://example.com/.well-known/did.json").unwrap();
        assert!(matches!(
            did_for_url(&http),
            Err(WebDidError::InvalidLocation(_))
        ));
        let not_did_json = Url::parse("https://example.com/a/b.json").unwrap();
        assert!(matches!(
            did_for_url(&not_did_json),
            Err(WebDidError::InvalidLocation(_))
        ));
    }
}
