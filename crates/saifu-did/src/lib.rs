//! saifu-did — DID syntax and documents, did:key, did:jwk, did:web and did:webvh, Data Integrity
//! proofs ([`data_integrity`], eddsa-jcs-2022 included), one caching [`Resolver`],
//! and the SSRF-safe outbound [`http`] client every remote fetch in saifu goes through.
//!
//! Verifiers use it to turn a `kid` such as `did:web:issuer.example#key-1` into a key they may
//! trust for a given purpose:
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use saifu_did::http::{HttpClient, HttpConfig};
//! use saifu_did::{DidUrl, Relationship, Resolver, ResolverConfig};
//!
//! let resolver = Resolver::new(HttpClient::new(HttpConfig::default())?, ResolverConfig::default());
//! let kid: DidUrl = "did:web:issuer.example#key-1".parse()?;
//! let method = resolver
//!     .resolve_verification_method_for(&kid, Relationship::AssertionMethod)
//!     .await?;
//! let key = method.public_key()?;
//! # let _ = key; Ok(()) }
//! ```

mod cache;
pub mod data_integrity;
pub mod datetime;
pub mod document;
pub mod error;
pub mod http;
pub mod jwk;
pub mod key;
pub mod resolution;
pub mod resolver;
pub mod syntax;
pub mod web;
pub mod webvh;

pub use document::{DidDocument, Relationship, RelationshipEntry, VerificationMethod};
pub use error::ResolutionError;
pub use resolution::{ResolutionResult, ResolvedDocument};
pub use resolver::{Resolver, ResolverConfig};
pub use syntax::{Did, DidSyntaxError, DidUrl, DidUrlRef};
