//! Issuer identifiers and where their metadata lives: the well-known segment goes **between the
//! host and the path** (OpenID4VCI 1.0 §12.2.2, RFC 8414 §3), never after the path.

use url::Url;

/// Well-known segment of Credential Issuer Metadata.
pub const ISSUER_WELL_KNOWN: &str = "/.well-known/openid-credential-issuer";

/// Well-known segment of OAuth Authorization Server Metadata.
pub const AS_WELL_KNOWN: &str = "/.well-known/oauth-authorization-server";

/// Why an identifier cannot be an issuer identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WellKnownError {
    /// Not an absolute URL.
    #[error("`{0}` is not a URL")]
    NotUrl(String),
    /// Not `https`, no host, or a query or fragment present.
    #[error("`{0}` must be an https URL with a host and no query or fragment")]
    NotIssuerIdentifier(String),
}

/// Checks a Credential Issuer or Authorization Server identifier (§12.2.1, RFC 8414 §2): https,
/// a host, no query, no fragment. Plain `http` passes only on a loopback host (a development
/// node on this machine, as RFC 8252 §7.3 allows for redirects); whether such a host may be
/// reached at all is the HTTP client's decision, which refuses loopback by default.
pub fn check_issuer_identifier(id: &str) -> Result<Url, WellKnownError> {
    let url = Url::parse(id).map_err(|_| WellKnownError::NotUrl(id.to_owned()))?;
    if !(url.scheme() == "https" || url.scheme() == "http" && is_loopback(&url))
        || !url.has_host()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(WellKnownError::NotIssuerIdentifier(id.to_owned()));
    }
    Ok(url)
}

/// Whether `url`'s host is `localhost` or a loopback address.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(host)) => host == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Where Credential Issuer Metadata for `issuer` is served.
pub fn credential_issuer_metadata_url(issuer: &str) -> Result<Url, WellKnownError> {
    insert_well_known(issuer, ISSUER_WELL_KNOWN)
}

/// Where OAuth Authorization Server Metadata for `issuer` is served.
pub fn authorization_server_metadata_url(issuer: &str) -> Result<Url, WellKnownError> {
    insert_well_known(issuer, AS_WELL_KNOWN)
}

fn insert_well_known(issuer: &str, segment: &str) -> Result<Url, WellKnownError> {
    let mut url = check_issuer_identifier(issuer)?;
    let path = match url.path() {
        "/" => segment.to_owned(),
        path => format!("{segment}{path}"),
    };
    url.set_path(&path);
    Ok(url)
}
