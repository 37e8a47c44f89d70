//! The DID document data model (DID Core 1.0 §5) in its JSON representation (§6.2, §6.3).
//!
//! The types mirror the wire form so that a resolved document round-trips untouched: members this
//! crate does not know are kept in `extra`, and DID URLs keep the relative or absolute form they
//! were published with. [`DidDocument::from_json`] parses *and* validates; documents built or
//! deserialized some other way should go through [`DidDocument::validate`] before they are trusted.

use std::collections::HashSet;

use saifu_crypto::{CryptoError, Jwk, KeyType, PublicKey};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::syntax::{Did, DidUrl, DidUrlRef};

/// The DID v1 JSON-LD context, which must come first in `@context` (DID Core §6.3.1).
pub const DID_CONTEXT_V1: &str = "https://www.w3.org/ns/did/v1";
/// The context that defines the `Multikey` verification method type (Controlled Identifiers §2.2.2).
pub const MULTIKEY_CONTEXT_V1: &str = "https://w3id.org/security/multikey/v1";
/// The context that defines `JsonWebKey2020`, used by did:jwk documents.
pub const JWS_2020_CONTEXT_V1: &str = "https://w3id.org/security/suites/jws-2020/v1";
/// The `Multikey` verification method type (`publicKeyMultibase`).
pub const MULTIKEY_TYPE: &str = "Multikey";
/// The `JsonWebKey2020` verification method type (`publicKeyJwk`).
pub const JSON_WEB_KEY_2020_TYPE: &str = "JsonWebKey2020";

/// A value that the data model allows as either a single item or a set (`controller`, service
/// `type`); the published form is kept so documents round-trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// A single value.
    One(T),
    /// A set of values.
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// The values, whichever form they were written in.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        match self {
            OneOrMany::One(one) => std::slice::from_ref(one).iter(),
            OneOrMany::Many(many) => many.iter(),
        }
    }
}

/// A verification relationship (DID Core §5.3): the purpose for which a DID subject authorizes a
/// key. Verifiers must check the relationship, not just that the key is in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relationship {
    /// `authentication` — proving control of the DID (logins, key-binding proofs).
    Authentication,
    /// `assertionMethod` — issuing claims such as verifiable credentials.
    AssertionMethod,
    /// `keyAgreement` — establishing shared secrets for encryption.
    KeyAgreement,
    /// `capabilityInvocation` — invoking capabilities, e.g. updating the document.
    CapabilityInvocation,
    /// `capabilityDelegation` — delegating capabilities to others.
    CapabilityDelegation,
}

/// The relationships a signing key gets in the documents this crate generates.
const SIGNING_RELATIONSHIPS: [Relationship; 4] = [
    Relationship::Authentication,
    Relationship::AssertionMethod,
    Relationship::CapabilityInvocation,
    Relationship::CapabilityDelegation,
];

impl Relationship {
    /// All five relationships, in the order DID Core lists them.
    pub const ALL: [Relationship; 5] = [
        Relationship::Authentication,
        Relationship::AssertionMethod,
        Relationship::KeyAgreement,
        Relationship::CapabilityInvocation,
        Relationship::CapabilityDelegation,
    ];

    /// The JSON member name.
    pub fn name(self) -> &'static str {
        match self {
            Relationship::Authentication => "authentication",
            Relationship::AssertionMethod => "assertionMethod",
            Relationship::KeyAgreement => "keyAgreement",
            Relationship::CapabilityInvocation => "capabilityInvocation",
            Relationship::CapabilityDelegation => "capabilityDelegation",
        }
    }

    /// The relationships a key of this type is listed under in generated documents (did:key,
    /// did:web): agreement-only keys get `keyAgreement`, signing keys the four signing purposes.
    pub fn for_key_type(key_type: KeyType) -> &'static [Relationship] {
        match key_type {
            KeyType::X25519 => &[Relationship::KeyAgreement],
            _ => &SIGNING_RELATIONSHIPS,
        }
    }
}

/// An entry of a verification relationship: a reference to a verification method, or the method
/// itself embedded (usable only for that relationship, DID Core §5.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RelationshipEntry {
    /// A DID URL naming a verification method (here or in another document).
    Reference(DidUrlRef),
    /// A verification method defined in place (boxed: it is far larger than a reference).
    Embedded(Box<VerificationMethod>),
}

/// Why the key material of a verification method is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyMaterialError {
    /// DID Core §5.2.1: a verification method must not carry both key formats, because the two
    /// could name different keys and a verifier could be tricked into using the wrong one.
    #[error("both publicKeyJwk and publicKeyMultibase are present")]
    Conflicting,
    /// DID Core §5.2.1: private key material must never appear in a document.
    #[error("publicKeyJwk contains private key members")]
    PrivateKey,
    /// Neither `publicKeyJwk` nor `publicKeyMultibase` (e.g. a legacy `publicKeyBase58` method).
    #[error("no publicKeyJwk or publicKeyMultibase")]
    Missing,
    /// The key material does not decode into a key saifu can use.
    #[error("unusable key: {0}")]
    Key(#[from] CryptoError),
}

/// A verification method (DID Core §5.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationMethod {
    /// The method's DID URL, often relative (`#key-1`) to the document `id`.
    pub id: DidUrlRef,
    /// The method type, e.g. `Multikey` or `JsonWebKey2020`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The DID that controls this key.
    pub controller: Did,
    /// The public key as a JWK (RFC 7517).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_jwk: Option<Jwk>,
    /// The public key as a Multikey value (multibase + multicodec).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_multibase: Option<String>,
    /// Every other member, kept untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl VerificationMethod {
    /// A `Multikey` method for `key`, the form did:key and generated did:web documents use.
    pub fn multikey(id: DidUrl, controller: Did, key: &PublicKey) -> Self {
        VerificationMethod {
            id: id.into(),
            type_: MULTIKEY_TYPE.to_owned(),
            controller,
            public_key_jwk: None,
            public_key_multibase: Some(key.to_multikey()),
            extra: Map::new(),
        }
    }

    /// Checks what can be checked without decoding the key: not both formats, no private members.
    pub fn check(&self) -> Result<(), KeyMaterialError> {
        match (&self.public_key_jwk, &self.public_key_multibase) {
            (Some(_), Some(_)) => Err(KeyMaterialError::Conflicting),
            (Some(jwk), None) if jwk.is_private() => Err(KeyMaterialError::PrivateKey),
            _ => Ok(()),
        }
    }

    /// The public key this method carries, decoded and validated.
    pub fn public_key(&self) -> Result<PublicKey, KeyMaterialError> {
        self.check()?;
        match (&self.public_key_jwk, &self.public_key_multibase) {
            (Some(jwk), _) => Ok(PublicKey::from_jwk(jwk)?),
            (None, Some(multibase)) => Ok(PublicKey::from_multikey(multibase)?),
            (None, None) => Err(KeyMaterialError::Missing),
        }
    }
}

/// A service endpoint (DID Core §5.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// The service id: a URI, often a relative DID URL such as `#linked-domain`.
    pub id: String,
    /// The service type(s).
    #[serde(rename = "type")]
    pub type_: OneOrMany<String>,
    /// A URI, a map or a set of those.
    pub service_endpoint: Value,
    /// Every other member, kept untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Why a DID document was refused.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The bytes are not JSON, or not shaped like a DID document.
    #[error("not a valid DID document: {0}")]
    Json(#[from] serde_json::Error),
    /// A verification method breaks a DID Core rule.
    #[error("verification method {id}: {source}")]
    VerificationMethod {
        /// The method's absolute id.
        id: DidUrl,
        /// What is wrong with it.
        source: KeyMaterialError,
    },
    /// Two verification methods share an id, which would make key selection ambiguous.
    #[error("two verification methods have the id {0}")]
    DuplicateVerificationMethod(DidUrl),
}

/// A DID document (DID Core §5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DidDocument {
    /// The JSON-LD context; absent in plain `application/did+json` documents.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The DID this document describes.
    pub id: Did,
    /// DIDs allowed to change this document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<OneOrMany<Did>>,
    /// Other identifiers (URIs) for the same subject.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_known_as: Vec<String>,
    /// Verification methods that relationships can reference.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verification_method: Vec<VerificationMethod>,
    /// Keys for proving control of the DID.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authentication: Vec<RelationshipEntry>,
    /// Keys for issuing claims.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assertion_method: Vec<RelationshipEntry>,
    /// Keys for key agreement (encryption).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_agreement: Vec<RelationshipEntry>,
    /// Keys for invoking capabilities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capability_invocation: Vec<RelationshipEntry>,
    /// Keys for delegating capabilities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capability_delegation: Vec<RelationshipEntry>,
    /// Service endpoints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service: Vec<Service>,
    /// Every other member, kept untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl DidDocument {
    /// An empty document for `id`, to be filled by generators.
    pub fn new(id: Did) -> Self {
        DidDocument {
            context: None,
            id,
            controller: None,
            also_known_as: Vec::new(),
            verification_method: Vec::new(),
            authentication: Vec::new(),
            assertion_method: Vec::new(),
            key_agreement: Vec::new(),
            capability_invocation: Vec::new(),
            capability_delegation: Vec::new(),
            service: Vec::new(),
            extra: Map::new(),
        }
    }

    /// Parses the JSON representation and validates it ([`DidDocument::validate`]).
    pub fn from_json(bytes: &[u8]) -> Result<Self, DocumentError> {
        let document: DidDocument = serde_json::from_slice(bytes)?;
        document.validate()?;
        Ok(document)
    }

    /// Enforces the DID Core rules the type system cannot: each verification method (listed or
    /// embedded) has at most one key format and no private key, and method ids are unique.
    pub fn validate(&self) -> Result<(), DocumentError> {
        let mut seen = HashSet::new();
        for method in self.verification_methods() {
            let id = method.id.resolve(&self.id);
            method
                .check()
                .map_err(|source| DocumentError::VerificationMethod {
                    id: id.clone(),
                    source,
                })?;
            if !seen.insert(id.clone()) {
                return Err(DocumentError::DuplicateVerificationMethod(id));
            }
        }
        Ok(())
    }

    /// The entries of one verification relationship.
    pub fn relationship(&self, relationship: Relationship) -> &[RelationshipEntry] {
        match relationship {
            Relationship::Authentication => &self.authentication,
            Relationship::AssertionMethod => &self.assertion_method,
            Relationship::KeyAgreement => &self.key_agreement,
            Relationship::CapabilityInvocation => &self.capability_invocation,
            Relationship::CapabilityDelegation => &self.capability_delegation,
        }
    }

    fn relationship_mut(&mut self, relationship: Relationship) -> &mut Vec<RelationshipEntry> {
        match relationship {
            Relationship::Authentication => &mut self.authentication,
            Relationship::AssertionMethod => &mut self.assertion_method,
            Relationship::KeyAgreement => &mut self.key_agreement,
            Relationship::CapabilityInvocation => &mut self.capability_invocation,
            Relationship::CapabilityDelegation => &mut self.capability_delegation,
        }
    }

    /// Adds `method` to `verificationMethod` and references it from each of `relationships`.
    pub fn add_verification_method(
        &mut self,
        method: VerificationMethod,
        relationships: &[Relationship],
    ) {
        for &relationship in relationships {
            self.relationship_mut(relationship)
                .push(RelationshipEntry::Reference(method.id.clone()));
        }
        self.verification_method.push(method);
    }

    /// Every verification method defined in this document: the listed ones, then those embedded
    /// in relationships.
    pub fn verification_methods(&self) -> impl Iterator<Item = &VerificationMethod> {
        let embedded = Relationship::ALL.into_iter().flat_map(|relationship| {
            self.relationship(relationship)
                .iter()
                .filter_map(|entry| match entry {
                    RelationshipEntry::Embedded(method) => Some(&**method),
                    RelationshipEntry::Reference(_) => None,
                })
        });
        self.verification_method.iter().chain(embedded)
    }

    /// The verification method whose id, resolved against this document's `id`, is `url`.
    pub fn find_verification_method(&self, url: &DidUrl) -> Option<&VerificationMethod> {
        self.verification_methods()
            .find(|method| method.id.resolve(&self.id) == *url)
    }

    /// Whether `url` is listed under `relationship`, by reference or embedded: the check a verifier
    /// makes before accepting a signature for that purpose.
    pub fn authorizes(&self, url: &DidUrl, relationship: Relationship) -> bool {
        self.relationship(relationship).iter().any(|entry| {
            let id = match entry {
                RelationshipEntry::Reference(reference) => reference,
                RelationshipEntry::Embedded(method) => &method.id,
            };
            id.resolve(&self.id) == *url
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r##"{
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": "did:example:123",
        "controller": "did:example:ctrl",
        "alsoKnownAs": ["https://example.com/"],
        "verificationMethod": [{
            "id": "#key-1", "type": "Multikey", "controller": "did:example:123",
            "publicKeyMultibase": "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
            "custom": 1
        }],
        "authentication": ["#key-1"],
        "keyAgreement": [{
            "id": "did:example:123#ka", "type": "JsonWebKey2020", "controller": "did:example:123",
            "publicKeyJwk": {"kty": "OKP", "crv": "X25519", "x": "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}
        }],
        "service": [{"id": "#svc", "type": "LinkedDomains", "serviceEndpoint": "https://example.com"}],
        "unknownMember": {"kept": true}
    }"##;

    #[test]
    fn parses_round_trips_and_finds_methods() {
        let doc = DidDocument::from_json(DOC.as_bytes()).unwrap();
        assert_eq!(doc.extra["unknownMember"]["kept"], true);
        assert_eq!(doc.verification_method[0].extra["custom"], 1);
        let again: Value = serde_json::to_value(&doc).unwrap();
        assert_eq!(again, serde_json::from_str::<Value>(DOC).unwrap());

        let key1: DidUrl = "did:example:123#key-1".parse().unwrap();
        let ka: DidUrl = "did:example:123#ka".parse().unwrap();
        assert!(doc.find_verification_method(&key1).is_some());
        assert!(doc.find_verification_method(&ka).is_some());
        assert!(doc.authorizes(&key1, Relationship::Authentication));
        assert!(!doc.authorizes(&key1, Relationship::AssertionMethod));
        assert!(doc.authorizes(&ka, Relationship::KeyAgreement));
        let key = doc
            .find_verification_method(&ka)
            .unwrap()
            .public_key()
            .unwrap();
        assert_eq!(key.key_type(), KeyType::X25519);
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let mut doc = DidDocument::from_json(DOC.as_bytes()).unwrap();
        let mut copy = doc.verification_method[0].clone();
        copy.id = "did:example:123#key-1".parse().unwrap();
        doc.verification_method.push(copy);
        assert!(matches!(
            doc.validate(),
            Err(DocumentError::DuplicateVerificationMethod(id)) if id.fragment() == Some("key-1")
        ));
    }
}
