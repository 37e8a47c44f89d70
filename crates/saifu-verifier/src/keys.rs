//! Finding the issuer key of a presented credential, and how it was found.

use std::collections::HashMap;

use saifu_credential::sd_jwt::{Limits, SdJwt};
use saifu_credential::sd_jwt_vc::{IssuerKeySource, SdJwtVcError, resolve_issuer_key, resolve_key};
use saifu_crypto::PublicKey;
use saifu_did::Resolver;
use saifu_did::http::HttpClient;
use serde_json::{Map, Value};

use crate::trust::{IssuerIdentity, KeyOrigin};

/// The sources of issuer keys the verifier may use. The `iss` of the (not yet verified)
/// credential picks one: a pinned key for that `iss` first, then the DID resolver for a DID,
/// then JWT VC Issuer Metadata for any other `iss`. A source that is not configured is never
/// used, so a verifier without a metadata client never fetches from an `iss` URL.
#[derive(Debug, Clone, Default)]
pub struct IssuerKeys {
    pinned: HashMap<String, PublicKey>,
    resolver: Option<Resolver>,
    metadata: Option<HttpClient>,
}

impl IssuerKeys {
    /// No source at all: every credential is refused until one is added.
    pub fn new() -> IssuerKeys {
        IssuerKeys::default()
    }

    /// Credentials whose `iss` is `iss` must be signed by `key`.
    pub fn with_pinned(mut self, iss: impl Into<String>, key: PublicKey) -> IssuerKeys {
        self.pinned.insert(iss.into(), key);
        self
    }

    /// Resolves DID issuers (their `kid` must be a DID URL of the `iss` DID).
    pub fn with_did_resolver(mut self, resolver: Resolver) -> IssuerKeys {
        self.resolver = Some(resolver);
        self
    }

    /// Fetches JWT VC Issuer Metadata through `http` for URL issuers.
    pub fn with_metadata_client(mut self, http: HttpClient) -> IssuerKeys {
        self.metadata = Some(http);
        self
    }

    /// The key that must have signed `sd_jwt` and the issuer identity it establishes.
    pub(crate) async fn resolve(
        &self,
        sd_jwt: &SdJwt,
        limits: &Limits,
    ) -> Result<(PublicKey, IssuerIdentity), SdJwtVcError> {
        let iss = unverified_iss(sd_jwt, limits)?;
        let (source, origin) = self.source_for(&iss)?;
        let key = resolve_issuer_key(sd_jwt, source, limits).await?;
        let identity = IssuerIdentity {
            iss,
            origin,
            key_thumbprint: key.thumbprint(),
        };
        Ok((key, identity))
    }

    /// The key issuer `iss` signs other tokens (its status lists) with under `kid`, from the
    /// same sources as its credentials.
    pub async fn key_for(&self, iss: &str, kid: Option<&str>) -> Result<PublicKey, SdJwtVcError> {
        let (source, _) = self.source_for(iss)?;
        resolve_key(Some(iss), kid, source).await
    }

    /// Where the key of `iss` comes from: a pinned key first, the DID resolver for a DID, JWT
    /// VC Issuer Metadata otherwise.
    fn source_for(&self, iss: &str) -> Result<(IssuerKeySource<'_>, KeyOrigin), SdJwtVcError> {
        if let Some(key) = self.pinned.get(iss) {
            Ok((IssuerKeySource::Explicit(key), KeyOrigin::Pinned))
        } else if iss.starts_with("did:") {
            let resolver = self.resolver.as_ref().ok_or_else(|| {
                SdJwtVcError::IssuerKey(format!("no DID resolver configured for `iss` {iss}"))
            })?;
            Ok((IssuerKeySource::Did(resolver), KeyOrigin::Did))
        } else {
            let http = self.metadata.as_ref().ok_or_else(|| {
                SdJwtVcError::IssuerKey(format!("no issuer metadata client for `iss` {iss}"))
            })?;
            Ok((IssuerKeySource::Metadata(http), KeyOrigin::Metadata))
        }
    }
}

/// The `iss` claim of the issuer JWT, read before verification only to choose a key source.
/// saifu identifies issuers by `iss`; `x5c` chains are not supported yet.
fn unverified_iss(sd_jwt: &SdJwt, limits: &Limits) -> Result<String, SdJwtVcError> {
    let decoded = sd_jwt.decode_issuer_jwt(limits)?;
    let payload: Map<String, Value> = serde_json::from_slice(&decoded.payload)
        .map_err(|_| SdJwtVcError::InvalidClaim("payload"))?;
    match payload.get("iss") {
        Some(Value::String(iss)) => Ok(iss.clone()),
        _ => Err(SdJwtVcError::InvalidClaim("iss")),
    }
}
