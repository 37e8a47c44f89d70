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

/// Resolves did:key, did:jwk and did:web. Cheap to clone; clones share the cache and connections.
#[derive(Debug, Clone)]
pub struct Resolver {
    http: HttpClient,
    did_key: DidKeyOptions,
    cache: Arc<TtlCache<Arc<ResolvedDocument>>>,
}

impl Resolver {
    /// A resolver fetching through `http` (the process's one outbound client).
    pub fn new(http: HttpClient, config: ResolverConfig) -> Self {
        Resolver {
            http,
            did_key: config.did_key,
            cache: Arc::new(TtlCache::new(config.cache_capacity, config.cache_ttl)),
        }
    }

    /// Resolves `did` to its document.
    pub async fn resolve(&self, did: &Did) -> Result<Arc<ResolvedDocument>, ResolutionError> {
        // did:key and did:jwk are computed from the DID itself in microseconds; caching them would
        // only let a stream of one-off holder keys evict the issuer documents worth keeping.
        let remote = did.method() == web::METHOD;
        if remote && let Some(hit) = self.cache.get(did.as_str()) {
            return Ok(hit);
        }
        let document = match did.method() {
            key::METHOD => key::resolve(did, &self.did_key)?,
            jwk::METHOD => jwk::resolve(did)?,
            web::METHOD => web::resolve(&self.http, did).await?,
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

    /// Resolves DID text and packages the outcome as a resolution result in the representation
    /// `accept` asks for; failures are reported in the metadata, never as an `Err`.
    pub async fn resolution_result(&self, did: &str, accept: Option<&str>) -> ResolutionResult {
        let outcome = async {
            let did: Did = did.parse().map_err(InvalidDidReason::Syntax)?;
            let resolved = self.resolve(&did).await?;
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
