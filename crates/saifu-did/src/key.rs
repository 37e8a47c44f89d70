//! did:key (W3C CCG did:key v0.9): a DID that *is* a public key, `did:key:` + Multikey value.
//!
//! Resolution is pure computation: decode the multibase/multicodec key, validate it, and expand it
//! into a document with one `Multikey` verification method whose fragment is the multibase value.
//! EC keys are in compressed form. The X25519 `keyAgreement` key derived from an Ed25519 key is
//! added only when asked for ([`DidKeyOptions`]), because the derivation is not part of every
//! implementation and silently adding an encryption key changes what a document authorizes.

use saifu_crypto::{CryptoError, PublicKey};
use serde_json::json;

use crate::document::{
    DID_CONTEXT_V1, DidDocument, MULTIKEY_CONTEXT_V1, Relationship, VerificationMethod,
};
use crate::syntax::{Did, DidSyntaxError};

/// The method name.
pub const METHOD: &str = "key";

/// The only did:key version there is; `did:key:1:z…` is an explicit spelling of the default.
const VERSION: &str = "1";

/// How did:key documents are expanded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DidKeyOptions {
    /// Add an X25519 `keyAgreement` method derived from an Ed25519 key (did:key §3.1.2,
    /// "enableEncryptionKeyDerivation"). Off by default.
    pub enable_encryption_key_derivation: bool,
}

/// Why a did:key DID does not resolve. [`DidKeyError::code`] gives the did:key error name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DidKeyError {
    /// The DID's method is not `key`.
    #[error("not a did:key DID (method `{0}`)")]
    NotDidKey(String),
    /// A version other than `1`, or more than one `:`-separated component.
    #[error("unsupported did:key version `{0}`")]
    UnsupportedVersion(String),
    /// The multibase value or its multicodec prefix is malformed (including a non-`z` base).
    #[error("malformed multibase value: {0}")]
    InvalidMultibase(CryptoError),
    /// The key has the wrong number of bytes for its type.
    #[error("{0}")]
    InvalidPublicKeyLength(CryptoError),
    /// The bytes are not a valid key of their type (e.g. not a curve point).
    #[error("{0}")]
    InvalidPublicKey(CryptoError),
    /// The multicodec names a key type saifu does not implement (P-384, BLS, RSA, …).
    #[error("{0}")]
    UnsupportedPublicKeyType(CryptoError),
}

impl DidKeyError {
    /// The did:key specification's error name (`invalidDid`, `invalidPublicKeyLength`,
    /// `invalidPublicKey`; `invalidPublicKeyType` for key types saifu does not support).
    pub fn code(&self) -> &'static str {
        match self {
            DidKeyError::NotDidKey(_)
            | DidKeyError::UnsupportedVersion(_)
            | DidKeyError::InvalidMultibase(_) => "invalidDid",
            DidKeyError::InvalidPublicKeyLength(_) => "invalidPublicKeyLength",
            DidKeyError::InvalidPublicKey(_) => "invalidPublicKey",
            DidKeyError::UnsupportedPublicKeyType(_) => "invalidPublicKeyType",
        }
    }
}

impl From<CryptoError> for DidKeyError {
    fn from(error: CryptoError) -> Self {
        match error {
            CryptoError::InvalidMultikey(_) => DidKeyError::InvalidMultibase(error),
            CryptoError::InvalidKeyLength { .. } => DidKeyError::InvalidPublicKeyLength(error),
            CryptoError::UnsupportedKeyType(_) => DidKeyError::UnsupportedPublicKeyType(error),
            _ => DidKeyError::InvalidPublicKey(error),
        }
    }
}

/// The did:key DID of `key`.
pub fn did_key(key: &PublicKey) -> Did {
    format!("did:{METHOD}:{}", key.to_multikey())
        .parse()
        .unwrap_or_else(|e: DidSyntaxError| unreachable!("base58btc is always a valid DID: {e}"))
}

/// Decodes and validates the key a did:key DID carries.
pub fn public_key(did: &Did) -> Result<PublicKey, DidKeyError> {
    Ok(PublicKey::from_multikey(multibase_value(did)?)?)
}

/// The DID document of a did:key DID.
pub fn resolve(did: &Did, options: &DidKeyOptions) -> Result<DidDocument, DidKeyError> {
    let multibase = multibase_value(did)?;
    let key = PublicKey::from_multikey(multibase)?;
    let mut document = DidDocument::new(did.clone());
    document.context = Some(json!([DID_CONTEXT_V1, MULTIKEY_CONTEXT_V1]));
    add_key(&mut document, multibase, &key);
    if options.enable_encryption_key_derivation
        && let Some(x25519) = key.to_ed25519_x25519()
    {
        add_key(&mut document, &x25519.to_multikey(), &x25519);
    }
    Ok(document)
}

/// Adds `key` as a `Multikey` method with the multibase value as fragment.
fn add_key(document: &mut DidDocument, multibase: &str, key: &PublicKey) {
    let id = document
        .id
        .join(&format!("#{multibase}"))
        .unwrap_or_else(|e| unreachable!("base58btc is always a valid fragment: {e}"));
    let method = VerificationMethod::multikey(id, document.id.clone(), key);
    // did:key v0.9 lists a key under the four signing relationships; an X25519 key can only agree
    // keys, so (like the reference implementations) it goes under `keyAgreement` alone.
    document.add_verification_method(method, Relationship::for_key_type(key.key_type()));
}

/// The multibase value of a did:key DID (after an optional `1:` version component).
fn multibase_value(did: &Did) -> Result<&str, DidKeyError> {
    if did.method() != METHOD {
        return Err(DidKeyError::NotDidKey(did.method().to_owned()));
    }
    let msid = did.method_specific_id();
    match msid.split_once(':') {
        None => Ok(msid),
        Some((VERSION, multibase)) if !multibase.contains(':') => Ok(multibase),
        Some((version, _)) => Err(DidKeyError::UnsupportedVersion(version.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED25519: &str = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";

    #[test]
    fn ed25519_document_shape() {
        let did: Did = ED25519.parse().unwrap();
        let doc = resolve(&did, &DidKeyOptions::default()).unwrap();
        assert_eq!(doc.verification_method.len(), 1);
        let vm = &doc.verification_method[0];
        assert_eq!(
            vm.id.to_string(),
            format!("{ED25519}#{}", did.method_specific_id())
        );
        assert_eq!(vm.type_, "Multikey");
        assert_eq!(
            vm.public_key_multibase.as_deref(),
            Some(did.method_specific_id())
        );
        assert!(doc.key_agreement.is_empty());
        assert_eq!(doc.authentication.len(), 1);
        assert_eq!(did_key(&vm.public_key().unwrap()), did);
    }

    #[test]
    fn version_component() {
        let versioned: Did = format!("did:key:1:{}", &ED25519[8..]).parse().unwrap();
        assert!(public_key(&versioned).is_ok());
        let v2: Did = format!("did:key:2:{}", &ED25519[8..]).parse().unwrap();
        assert_eq!(
            public_key(&v2),
            Err(DidKeyError::UnsupportedVersion("2".into()))
        );
    }
}
