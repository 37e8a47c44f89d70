//! The one DID resolver: dispatches by method, caches what costs a network round trip, and
//! dereferences DID URLs to verification methods.

use std::sync::Arc;
use std::time::Duration;

use crate::cache::TtlCache;
use crate::document::{Relationship, VerificationMethod};
use crate::error::{InvalidDidReason, InvalidDidUrlReason, NotFoundReason, ResolutionError};
use crate::http::HttpClient;
use crate::key::DidKeyOptions;
use crate::resolution::{DocumentMetadata, ResolutionResult, ResolvedDocument, negotiate};
use crate::syntax::{Did, DidUrl};
use crate::webvh::resolve::{self as webvh_resolve, VersionQuery};
use crate::webvh::{self, VerifiedLog};
use crate::{jwk, key, web};

/// How a [`Resolver`] behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolverConfig {
    /// did:key expansion options.
    pub did_key: DidKeyOptions,
    /// Most documents kept in the cache (0 disables it).
    pub cache_capacity: usize,
    /// How long a fetched document is trusted before it is fetched again.
    pub cache_ttl: Duration,
}

impl Default for ResolverConfig {
    /// 1000 documents for 5 minutes: key rotations take effect within minutes, and an issuer's
    /// document is fetched a few times an hour rather than once per credential.
    fn default() -> Self {
        ResolverConfig {
            did_key: DidKeyOptions::default(),
            cache_capacity: 1000,
            cache_ttl: Duration::from_secs(300),
        }
    }
}

/// Resolves did:key, did:jwk, did:web and did:webvh. Cheap to clone; clones share the caches and
/// connections.
#[derive(Debug, Clone)]
pub struct Resolver {
    http: HttpClient,
    did_key: DidKeyOptions,
    cache: Arc<TtlCache<Arc<ResolvedDocument>>>,
    /// Verified did:webvh logs: every version of a DID is answered from one fetch.
    logs: Arc<TtlCache<Arc<VerifiedLog>>>,
}

impl Resolver {
    /// A resolver fetching through `http` (the process's one outbound client).
    pub fn new(http: HttpClient, config: ResolverConfig) -> Self {
        Resolver {
            http,
            did_key: config.did_key,
            cache: Arc::new(TtlCache::new(config.cache_capacity, config.cache_ttl)),
            logs: Arc::new(TtlCache::new(config.cache_capacity, config.cache_ttl)),
        }
    }

    /// The outbound client this resolver fetches with.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The verified log of a did:webvh DID (cached; a log that fails verification is never
    /// cached, did:webvh 1.0 "Read (Resolve)").
    pub async fn webvh_log(&self, did: &Did) -> Result<Arc<VerifiedLog>, ResolutionError> {
        let parsed = webvh_resolve::parse_did(did)?;
        if let Some(hit) = self.logs.get(did.as_str()) {
            return Ok(hit);
        }
        let log = Arc::new(webvh_resolve::fetch_verified(&self.http, &parsed, unix_now()).await?);
        self.logs.insert(did.as_str(), log.clone());
        Ok(log)
    }

    /// Resolves the version of a did:webvh DID that `query` selects.
    pub async fn resolve_version(
        &self,
        did: &Did,
        query: &VersionQuery,
    ) -> Result<ResolvedDocument, ResolutionError> {
        let log = self.webvh_log(did).await?;
        webvh_resolve::select(&log, &webvh_resolve::parse_did(did)?, query)
    }

    /// Resolves `did` to its document.
    pub async fn resolve(&self, did: &Did) -> Result<Arc<ResolvedDocument>, ResolutionError> {
        // did:key and did:jwk are computed from the DID itself in microseconds; caching them would
        // only let a stream of one-off holder keys evict the issuer documents worth keeping.
        // did:webvh caches its verified log instead (every version is answered from it).
        let remote = did.method() == web::METHOD;
        if remote && let Some(hit) = self.cache.get(did.as_str()) {
            return Ok(hit);
        }
        let document = match did.method() {
            key::METHOD => key::resolve(did, &self.did_key)?,
            jwk::METHOD => jwk::resolve(did)?,
            web::METHOD => web::resolve(&self.http, did).await?,
            webvh::METHOD => {
                return Ok(Arc::new(
                    self.resolve_version(did, &VersionQuery::Latest).await?,
                ));
            }
            other => return Err(ResolutionError::MethodNotSupported(other.to_owned())),
        };
        let resolved = Arc::new(ResolvedDocument {
            document,
            metadata: DocumentMetadata::default(),
        });
        if remote {
            self.cache.insert(did.as_str(), resolved.clone());
        }
        Ok(resolved)
    }

    /// Resolves DID text — for did:webvh optionally with a `versionId`, `versionTime` or
    /// `versionNumber` query — and packages the outcome as a resolution result in the
    /// representation `accept` asks for; failures are reported in the metadata, never as an `Err`.
    pub async fn resolution_result(&self, did: &str, accept: Option<&str>) -> ResolutionResult {
        let outcome = async {
            let url: DidUrl = did.parse().map_err(InvalidDidReason::Syntax)?;
            let did = url.did();
            let resolved = match url.query() {
                Some(query) if did.method() == webvh::METHOD => {
                    let query = VersionQuery::from_query(Some(query))
                        .map_err(|e| ResolutionError::from(InvalidDidUrlReason::Version(e.0)))?;
                    Arc::new(self.resolve_version(did, &query).await?)
                }
                _ => self.resolve(did).await?,
            };
            let content_type = negotiate(accept, &resolved.document)?;
            Ok::<_, ResolutionError>(ResolutionResult::success(&resolved, content_type))
        };
        outcome
            .await
            .unwrap_or_else(|error| ResolutionResult::failure(&error))
    }

    /// The verification method `url` names: resolves its DID and finds the method (listed or
    /// embedded) whose id, relative ids resolved against the document `id`, equals `url`. The
    /// returned method has its `id` in absolute form.
    pub async fn resolve_verification_method(
        &self,
        url: &DidUrl,
    ) -> Result<VerificationMethod, ResolutionError> {
        self.dereference(url).await.map(|(_, method)| method)
    }

    /// Like [`Resolver::resolve_verification_method`], and the method must also be listed under
    /// `relationship` — e.g. `assertionMethod` for a credential issuer's key, `authentication`
    /// for a holder's key-binding proof.
    pub async fn resolve_verification_method_for(
        &self,
        url: &DidUrl,
        relationship: Relationship,
    ) -> Result<VerificationMethod, ResolutionError> {
        let (resolved, method) = self.dereference(url).await?;
        if !resolved.document.authorizes(url, relationship) {
            return Err(NotFoundReason::NotAuthorized {
                url: url.clone(),
                relationship,
            }
            .into());
        }
        Ok(method)
    }

    /// The document `url` points into and the method it names, both from one resolution.
    async fn dereference(
        &self,
        url: &DidUrl,
    ) -> Result<(Arc<ResolvedDocument>, VerificationMethod), ResolutionError> {
        if url.fragment().is_none() {
            return Err(InvalidDidUrlReason::MissingFragment(url.clone()).into());
        }
        let resolved = self.resolve(url.did()).await?;
        let mut method = resolved
            .document
            .find_verification_method(url)
            .cloned()
            .ok_or_else(|| NotFoundReason::VerificationMethod(url.clone()))?;
        method.id = url.clone().into();
        Ok((resolved, method))
    }
}

/// The current time in Unix seconds (for did:webvh `versionTime` checks).
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
