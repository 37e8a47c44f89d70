//! did:webvh identifiers and where their logs live (did:webvh 1.0 "Method-Specific Identifier"
//! and "The DID to HTTPS Transformation").
//!
//! `did:webvh:<SCID>:example.com%3A8443:dids:alice` → `https://example.com:8443/dids/alice/did.jsonl`.

use std::fmt;

use url::{Host, Url};

use super::hash::is_scid;
use crate::syntax::Did;

/// The method name.
pub const METHOD: &str = "webvh";

/// The literal placeholder a DID and its first entry carry before the SCID is known.
pub const SCID_PLACEHOLDER: &str = "{SCID}";

/// Why a DID is not a valid did:webvh identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebvhDidError {
    /// The DID's method is not `webvh`.
    #[error("not a did:webvh DID (method `{0}`)")]
    NotDidWebvh(String),
    /// The first segment is not a 46-character base58btc SHA-256 multihash.
    #[error("`{0}` is not a did:webvh SCID")]
    InvalidScid(String),
    /// The domain segment is missing, not a domain name, or carries a bad port.
    #[error("`{0}` is not a valid did:webvh domain")]
    InvalidDomain(String),
    /// The domain is an IP address, which did:webvh forbids.
    #[error("`{0}` is an IP address; did:webvh requires a domain name")]
    IpAddressHost(String),
    /// A path segment is empty, a dot segment, holds `/`, `\`, NUL or edge whitespace, or has
    /// bad percent-encoding.
    #[error("`{0}` is not a valid did:webvh path segment")]
    InvalidPathSegment(String),
}

/// A parsed did:webvh DID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebvhDid {
    did: Did,
    scid: String,
    host: String,
    port: Option<u16>,
    path: Vec<String>,
}

impl WebvhDid {
    /// Parses and validates `did` (the SCID must be a real one, not the placeholder).
    pub fn parse(did: &Did) -> Result<WebvhDid, WebvhDidError> {
        let parsed = Self::parse_template(did)?;
        if !is_scid(&parsed.scid) {
            return Err(WebvhDidError::InvalidScid(parsed.scid));
        }
        Ok(parsed)
    }

    /// Parses `did`, allowing the `{SCID}` placeholder as its SCID (DID creation, step 1).
    pub fn parse_template(did: &Did) -> Result<WebvhDid, WebvhDidError> {
        if did.method() != METHOD {
            return Err(WebvhDidError::NotDidWebvh(did.method().to_owned()));
        }
        let mut segments = did.method_specific_id().split(':');
        let scid = segments.next().unwrap_or_default().to_owned();
        let domain = segments
            .next()
            .ok_or_else(|| WebvhDidError::InvalidDomain(String::new()))?;
        let (host, port) = parse_domain(domain)?;
        let path = segments
            .map(|segment| {
                percent_decode(segment)
                    .filter(|decoded| is_valid_segment(decoded))
                    .ok_or_else(|| WebvhDidError::InvalidPathSegment(segment.to_owned()))
            })
            .collect::<Result<_, _>>()?;
        Ok(WebvhDid {
            did: did.clone(),
            scid,
            host,
            port,
            path,
        })
    }

    /// The DID.
    pub fn did(&self) -> &Did {
        &self.did
    }

    /// The SCID segment.
    pub fn scid(&self) -> &str {
        &self.scid
    }

    /// Where the DID log is published: `https://host[:port]/{path or .well-known}/did.jsonl`.
    pub fn log_url(&self) -> Url {
        self.file_url("did.jsonl", true)
    }

    /// Where witness proofs are published, beside the log (`did-witness.json`).
    pub fn witness_url(&self) -> Url {
        self.file_url("did-witness.json", true)
    }

    /// A file beside the log, named `name` (e.g. a host's own companion files).
    pub fn sibling_url(&self, name: &str) -> Url {
        self.file_url(name, true)
    }

    /// The base of the implicit `#files` service (did:webvh 1.0 "DID URL Path Resolution
    /// Service"): like the log location without `.well-known` and without a file name.
    pub fn files_base(&self) -> String {
        self.file_url("", false)
            .as_str()
            .trim_end_matches('/')
            .to_owned()
    }

    fn file_url(&self, file: &str, well_known: bool) -> Url {
        let authority = match self.port {
            Some(port) => format!("{}:{port}", self.host),
            None => self.host.clone(),
        };
        let mut url = Url::parse(&format!("https://{authority}/"))
            .unwrap_or_else(|e| unreachable!("the host was validated as a URL host: {e}"));
        {
            let mut segments = url
                .path_segments_mut()
                .unwrap_or_else(|()| unreachable!("https URLs have a path"));
            segments.clear();
            if self.path.is_empty() {
                if well_known {
                    segments.push(".well-known");
                }
            } else {
                // `push` percent-encodes each decoded segment (RFC 3986, uppercase hex).
                segments.extend(&self.path);
            }
            if !file.is_empty() {
                segments.push(file);
            }
        }
        url
    }
}

impl fmt::Display for WebvhDid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.did.fmt(f)
    }
}

/// The domain component: an optional `%3A<port>` suffix (1–65535), then a domain name that is
/// not an IP address (after IDNA processing by the URL parser).
fn parse_domain(component: &str) -> Result<(String, Option<u16>), WebvhDidError> {
    let invalid = || WebvhDidError::InvalidDomain(component.to_owned());
    let (name, port) = match component.rfind("%3A").or_else(|| component.rfind("%3a")) {
        Some(at) => {
            let digits = &component[at + 3..];
            if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(invalid());
            }
            let port: u16 = digits.parse().map_err(|_| invalid())?;
            if port == 0 {
                return Err(invalid());
            }
            (&component[..at], Some(port))
        }
        None => (component, None),
    };
    let decoded = percent_decode(name).ok_or_else(invalid)?;
    // The ABNF asks for a fully qualified name (two labels or more); `localhost` alone is also
    // accepted so that development nodes and tests can host DIDs on loopback.
    if decoded.contains(':') || (!decoded.contains('.') && decoded != "localhost") {
        return Err(invalid());
    }
    let url = Url::parse(&format!("https://{decoded}/")).map_err(|_| invalid())?;
    match url.host() {
        Some(Host::Domain(host)) => {
            if host
                .split('.')
                .any(|label| label.is_empty() || label.len() > 63)
            {
                return Err(invalid());
            }
            Ok((host.to_owned(), port))
        }
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => Err(WebvhDidError::IpAddressHost(decoded)),
        None => Err(invalid()),
    }
}

/// did:webvh 1.0 "Method-Specific Identifier": a decoded path segment is non-empty, not `.` or
/// `..`, holds no `/`, `\` or NUL, and neither starts nor ends with whitespace.
fn is_valid_segment(decoded: &str) -> bool {
    !decoded.is_empty()
        && decoded != "."
        && decoded != ".."
        && !decoded.contains(['/', '\\', '\0'])
        && decoded.trim() == decoded
}

/// Decodes `%XX` escapes exactly once; `None` for a malformed escape or non-UTF-8 result.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCID: &str = "QmPEQVM1JPTyrvEgBcDXwjK4TeyLGSX1PxjgyeAisdWM1p";

    fn parse(msid: &str) -> Result<WebvhDid, WebvhDidError> {
        WebvhDid::parse(&format!("did:webvh:{SCID}:{msid}").parse().unwrap())
    }

    #[test]
    fn https_transformation() {
        let cases = [
            ("example.com", "https://example.com/.well-known/did.jsonl"),
            (
                "issuer.example.com",
                "https://issuer.example.com/.well-known/did.jsonl",
            ),
            (
                "example.com:dids:issuer",
                "https://example.com/dids/issuer/did.jsonl",
            ),
            (
                "example.com%3A3000:dids:issuer",
                "https://example.com:3000/dids/issuer/did.jsonl",
            ),
            ("example.com:a%20b", "https://example.com/a%20b/did.jsonl"),
        ];
        for (msid, url) in cases {
            assert_eq!(parse(msid).unwrap().log_url().as_str(), url, "{msid}");
        }
        let did = parse("example.com%3A3000:dids:issuer").unwrap();
        assert_eq!(
            did.witness_url().as_str(),
            "https://example.com:3000/dids/issuer/did-witness.json"
        );
        assert_eq!(did.files_base(), "https://example.com:3000/dids/issuer");
        assert_eq!(
            parse("example.com").unwrap().files_base(),
            "https://example.com"
        );
    }

    #[test]
    fn refusals() {
        assert!(matches!(
            parse("127.0.0.1"),
            Err(WebvhDidError::InvalidDomain(_) | WebvhDidError::IpAddressHost(_))
        ));
        assert!(matches!(
            parse("0x7f.1"),
            Err(WebvhDidError::IpAddressHost(_))
        ));
        assert!(matches!(
            parse("example.com%3A99999"),
            Err(WebvhDidError::InvalidDomain(_))
        ));
        assert!(matches!(
            parse("example.com%3A0"),
            Err(WebvhDidError::InvalidDomain(_))
        ));
        assert!(matches!(
            parse("intranet"),
            Err(WebvhDidError::InvalidDomain(_))
        ));
        assert!(parse("localhost%3A8080").is_ok());
        for segment in ["..", "%2e", "a%2Fb", "%20a", "a%5Cb", "%C3"] {
            assert!(
                matches!(
                    parse(&format!("example.com:{segment}")),
                    Err(WebvhDidError::InvalidPathSegment(_))
                ),
                "{segment}"
            );
        }
        let wrong_scid: Did = "did:webvh:abc:example.com".parse().unwrap();
        assert!(matches!(
            WebvhDid::parse(&wrong_scid),
            Err(WebvhDidError::InvalidScid(_))
        ));
        let web: Did = "did:web:example.com".parse().unwrap();
        assert!(matches!(
            WebvhDid::parse(&web),
            Err(WebvhDidError::NotDidWebvh(_))
        ));
    }
}
