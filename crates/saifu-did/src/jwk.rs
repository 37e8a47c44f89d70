//! did:jwk (quartzjer/did-jwk): `did:jwk:` + base64url(UTF-8 JSON of a public JWK).
//!
//! The document has exactly one verification method, `#0`, of type `JsonWebKey2020`. The JWK's
//! `use` decides the relationships: `sig` excludes `keyAgreement`, `enc` allows only
//! `keyAgreement`, anything else gets all five. A `kid` inside the JWK is ignored (the fragment is
//! always `0`). A JWK with private members is refused, on the way in and on the way out.

use saifu_crypto::{CryptoError, Jwk, b64};
use serde_json::{Value, json};

use crate::document::{
    DID_CONTEXT_V1, DidDocument, JSON_WEB_KEY_2020_TYPE, JWS_2020_CONTEXT_V1, Relationship,
    VerificationMethod,
};
use crate::syntax::{Did, DidSyntaxError};

/// The method name.
pub const METHOD: &str = "jwk";

/// Why a did:jwk DID cannot be made or resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DidJwkError {
    /// The DID's method is not `jwk`.
    #[error("not a did:jwk DID (method `{0}`)")]
    NotDidJwk(String),
    /// The method-specific id is not unpadded base64url.
    #[error("the method-specific id is not base64url: {0}")]
    InvalidBase64url(CryptoError),
    /// The decoded bytes are not a UTF-8 JSON object with a `kty` member.
    #[error("the method-specific id is not a JWK: {0}")]
    InvalidJwk(String),
    /// The JWK carries private key members; such a key must never become an identifier.
    #[error("the JWK contains private key members")]
    PrivateKeyMaterial,
}

/// The did:jwk DID for `jwk`, serialized with sorted members and no whitespace (the JCS form for
/// the string-valued members JWKs have) so that one key gives one DID across implementations.
pub fn did_jwk(jwk: &Jwk) -> Result<Did, DidJwkError> {
    if jwk.is_private() {
        return Err(DidJwkError::PrivateKeyMaterial);
    }
    let mut value =
        serde_json::to_value(jwk).map_err(|e| DidJwkError::InvalidJwk(e.to_string()))?;
    value.sort_all_objects();
    let did = format!("did:{METHOD}:{}", b64::encode(value.to_string()));
    Ok(did
        .parse()
        .unwrap_or_else(|e: DidSyntaxError| unreachable!("base64url is always a valid DID: {e}")))
}

/// The public JWK a did:jwk DID carries.
pub fn decode(did: &Did) -> Result<Jwk, DidJwkError> {
    if did.method() != METHOD {
        return Err(DidJwkError::NotDidJwk(did.method().to_owned()));
    }
    let bytes = b64::decode(did.method_specific_id(), "did:jwk method-specific id")
        .map_err(DidJwkError::InvalidBase64url)?;
    // Parse to a value first so that a non-object (which `Jwk` would also refuse) gets a clear
    // message, then into the typed JWK.
    let value: Value =
        serde_json::from_slice(&bytes).map_err(|e| DidJwkError::InvalidJwk(e.to_string()))?;
    if !value.is_object() {
        return Err(DidJwkError::InvalidJwk("not a JSON object".into()));
    }
    let jwk: Jwk =
        serde_json::from_value(value).map_err(|e| DidJwkError::InvalidJwk(e.to_string()))?;
    if jwk.is_private() {
        return Err(DidJwkError::PrivateKeyMaterial);
    }
    Ok(jwk)
}

/// The DID document of a did:jwk DID.
pub fn resolve(did: &Did) -> Result<DidDocument, DidJwkError> {
    let jwk = decode(did)?;
    let relationships: Vec<Relationship> = Relationship::ALL
        .into_iter()
        .filter(|relationship| match jwk.use_.as_deref() {
            Some("sig") => *relationship != Relationship::KeyAgreement,
            Some("enc") => *relationship == Relationship::KeyAgreement,
            _ => true,
        })
        .collect();
    let id = did
        .join("#0")
        .unwrap_or_else(|e| unreachable!("`#0` is a valid fragment: {e}"));
    let method = VerificationMethod {
        id: id.into(),
        type_: JSON_WEB_KEY_2020_TYPE.to_owned(),
        controller: did.clone(),
        public_key_jwk: Some(jwk),
        public_key_multibase: None,
        extra: Default::default(),
    };
    let mut document = DidDocument::new(did.clone());
    document.context = Some(json!([DID_CONTEXT_V1, JWS_2020_CONTEXT_V1]));
    document.add_verification_method(method, &relationships);
    Ok(document)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ed25519_jwk(use_: Option<&str>) -> Jwk {
        let mut jwk = Jwk::default();
        jwk.kty = "OKP".into();
        jwk.crv = Some("Ed25519".into());
        jwk.x = Some("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo".into());
        jwk.use_ = use_.map(str::to_owned);
        jwk
    }

    #[test]
    fn round_trip_and_use() {
        let did = did_jwk(&ed25519_jwk(Some("sig"))).unwrap();
        assert_eq!(decode(&did).unwrap(), ed25519_jwk(Some("sig")));
        let doc = resolve(&did).unwrap();
        assert!(doc.key_agreement.is_empty());
        assert_eq!(doc.assertion_method.len(), 1);
        let all = resolve(&did_jwk(&ed25519_jwk(None)).unwrap()).unwrap();
        assert_eq!(all.key_agreement.len(), 1);
        assert_eq!(all.authentication.len(), 1);
    }

    #[test]
    fn private_and_malformed_keys_are_refused() {
        let mut private = ed25519_jwk(None);
        private.d = Some("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A".into());
        assert_eq!(did_jwk(&private), Err(DidJwkError::PrivateKeyMaterial));
        let smuggled: Did = format!(
            "did:jwk:{}",
            b64::encode(r#"{"kty":"OKP","crv":"Ed25519","x":"AA","d":"AA"}"#)
        )
        .parse()
        .unwrap();
        assert_eq!(decode(&smuggled), Err(DidJwkError::PrivateKeyMaterial));
        let array: Did = format!("did:jwk:{}", b64::encode("[1]")).parse().unwrap();
        assert!(matches!(decode(&array), Err(DidJwkError::InvalidJwk(_))));
        let padded: Did = "did:jwk:e30%3D".parse().unwrap();
        assert!(matches!(
            decode(&padded),
            Err(DidJwkError::InvalidBase64url(_))
        ));
    }
}
