//! Finding the key that must have signed an SD-JWT VC (-18 §2.5): a DID URL in `kid`, JWT VC
//! Issuer Metadata published under the `iss` URL (§3), or a key the verifier already holds.
//! `x5c` (X.509 chains) is not supported yet.

use saifu_crypto::{Jwk, PublicKey};
use saifu_did::http::HttpClient;
use saifu_did::{Did, DidUrl, Relationship, Resolver};
use serde_json::{Map, Value};
use url::Url;

use super::SdJwtVcError;
use crate::sd_jwt::{Limits, SdJwt};

/// Where the verifier may look for the issuer's key.
#[derive(Debug, Clone, Copy)]
pub enum IssuerKeySource<'a> {
    /// A key the verifier already trusts for this issuer (out-of-band configuration).
    Explicit(&'a PublicKey),
    /// `kid` is a DID URL, resolved to a verification method listed under `assertionMethod`;
    /// when `iss` is present it must be that same DID, so one issuer cannot borrow another's key.
    Did(&'a Resolver),
    /// JWT VC Issuer Metadata fetched from `<iss origin>/.well-known/jwt-vc-issuer<iss path>`,
    /// its `jwks` or `jwks_uri`, with `kid` choosing among several keys.
    Metadata(&'a HttpClient),
}

/// The JWT VC Issuer Metadata URL for `iss` (-18 §3.1): the well-known segment goes between the
/// host and the path, and a trailing `/` of the path is dropped.
pub fn issuer_metadata_url(iss: &str) -> Result<Url, SdJwtVcError> {
    let url = Url::parse(iss).map_err(|e| SdJwtVcError::IssuerKey(format!("`iss` {iss}: {e}")))?;
    let host = url
        .host_str()
        .ok_or_else(|| SdJwtVcError::IssuerKey(format!("`iss` {iss} has no host")))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(SdJwtVcError::IssuerKey(format!(
            "`iss` {iss} has a query or fragment"
        )));
    }
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = url.path().trim_end_matches('/');
    let well_known = format!(
        "{}://{host}{port}/.well-known/jwt-vc-issuer{path}",
        url.scheme()
    );
    Url::parse(&well_known).map_err(|e| SdJwtVcError::IssuerKey(e.to_string()))
}

/// Resolves the issuer key of `sd_jwt` (not yet verified) from `source`.
pub async fn resolve_issuer_key(
    sd_jwt: &SdJwt,
    source: IssuerKeySource<'_>,
    limits: &Limits,
) -> Result<PublicKey, SdJwtVcError> {
    let decoded = sd_jwt.decode_issuer_jwt(limits)?;
    let payload: Map<String, Value> = serde_json::from_slice(&decoded.payload)
        .map_err(|_| SdJwtVcError::InvalidClaim("payload"))?;
    let iss = match payload.get("iss") {
        None => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err(SdJwtVcError::InvalidClaim("iss")),
    };
    resolve_key(iss, decoded.kid(), source).await
}

/// The key an issuer `iss` (when known) signs with under `kid` (when given), from `source`: the
/// same rules as [`resolve_issuer_key`], for tokens other than SD-JWT VCs that the issuer signs
/// too, such as its Token Status Lists.
pub async fn resolve_key(
    iss: Option<&str>,
    kid: Option<&str>,
    source: IssuerKeySource<'_>,
) -> Result<PublicKey, SdJwtVcError> {
    match source {
        IssuerKeySource::Explicit(key) => Ok(key.clone()),
        IssuerKeySource::Did(resolver) => {
            let kid = kid.ok_or_else(|| SdJwtVcError::IssuerKey("no `kid` header".into()))?;
            let url: DidUrl = kid
                .parse()
                .map_err(|e| SdJwtVcError::IssuerKey(format!("`kid` {kid}: {e}")))?;
            if let Some(iss) = iss {
                let iss_did: Did = iss
                    .parse()
                    .map_err(|_| SdJwtVcError::IssuerKey(format!("`iss` {iss} is not a DID")))?;
                if url.did() != &iss_did {
                    return Err(SdJwtVcError::IssuerKey(format!(
                        "`kid` {kid} does not belong to `iss` {iss}"
                    )));
                }
            }
            let method = resolver
                .resolve_verification_method_for(&url, Relationship::AssertionMethod)
                .await
                .map_err(|e| SdJwtVcError::Did(e.to_string()))?;
            method
                .public_key()
                .map_err(|e| SdJwtVcError::IssuerKey(e.to_string()))
        }
        IssuerKeySource::Metadata(http) => {
            let iss = iss.ok_or_else(|| SdJwtVcError::IssuerKey("no `iss` claim".into()))?;
            let metadata = fetch_json(http, &issuer_metadata_url(iss)?).await?;
            if metadata.get("issuer").and_then(Value::as_str) != Some(iss) {
                return Err(SdJwtVcError::Metadata(format!(
                    "`issuer` does not equal `iss` {iss}"
                )));
            }
            let jwks = match (metadata.get("jwks"), metadata.get("jwks_uri")) {
                (Some(jwks), None) => jwks.clone(),
                (None, Some(Value::String(uri))) => {
                    let uri = Url::parse(uri).map_err(|e| SdJwtVcError::Metadata(e.to_string()))?;
                    fetch_json(http, &uri).await?
                }
                _ => {
                    return Err(SdJwtVcError::Metadata(
                        "exactly one of `jwks` and `jwks_uri` is required".into(),
                    ));
                }
            };
            select_key(&jwks, kid)
        }
    }
}

/// Fetches `url` and parses a JSON body.
pub(crate) async fn fetch_json(http: &HttpClient, url: &Url) -> Result<Value, SdJwtVcError> {
    let response = http.get(url, "application/json").await?;
    serde_json::from_slice(&response.body)
        .map_err(|e| SdJwtVcError::Metadata(format!("{url}: not JSON: {e}")))
}

/// The key of a JWK Set named by `kid`, or its only key when there is no `kid`.
fn select_key(jwks: &Value, kid: Option<&str>) -> Result<PublicKey, SdJwtVcError> {
    let keys: Vec<Jwk> = jwks
        .get("keys")
        .and_then(|k| serde_json::from_value(k.clone()).ok())
        .ok_or_else(|| SdJwtVcError::Metadata("JWK Set has no `keys` array".into()))?;
    let chosen = match kid {
        Some(kid) => keys.iter().find(|k| k.kid.as_deref() == Some(kid)),
        None if keys.len() == 1 => keys.first(),
        None => None,
    }
    .ok_or_else(|| {
        SdJwtVcError::IssuerKey(format!("no key for `kid` {kid:?} in the issuer's JWK Set"))
    })?;
    PublicKey::from_jwk(chosen).map_err(|e| SdJwtVcError::IssuerKey(e.to_string()))
}
