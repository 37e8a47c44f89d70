//! did:jwk against the method specification's examples.
//!
//! Vector file: `did/did-jwk/did-jwk-examples.json` (under `SAIFU_VECTORS_DIR`; the P-256
//! example's stray `$` erratum is corrected in its `didDocument`).

#[path = "common/vectors.rs"]
mod vectors;

use saifu_crypto::{Jwk, b64};
use saifu_did::document::{JSON_WEB_KEY_2020_TYPE, Relationship};
use saifu_did::error::{InvalidDidReason, NotFoundReason, ResolutionError};
use saifu_did::http::{HttpClient, HttpConfig};
use saifu_did::jwk::{DidJwkError, decode, did_jwk};
use saifu_did::{Did, DidUrl, Resolver, ResolverConfig};
use serde_json::Value;
use vectors::load_json;

fn resolver() -> Resolver {
    Resolver::new(
        HttpClient::new(HttpConfig::default()).unwrap(),
        ResolverConfig::default(),
    )
}

fn examples() -> Vec<Value> {
    load_json("did/did-jwk/did-jwk-examples.json")["examples"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn spec_examples() {
    let resolver = resolver();
    let examples = examples();
    assert_eq!(examples.len(), 2);
    for example in examples {
        let name = example["name"].as_str().unwrap();
        let did: Did = example["did"].as_str().unwrap().parse().unwrap();

        // DID -> JWK.
        let jwk = decode(&did).unwrap();
        assert_eq!(
            serde_json::to_value(&jwk).unwrap(),
            example["jwk"],
            "{name}"
        );

        // DID -> document, equal as JSON to the (erratum-corrected) spec document.
        let resolved = resolver.resolve(&did).await.unwrap();
        assert_eq!(
            serde_json::to_value(&resolved.document).unwrap(),
            example["didDocument"],
            "{name}"
        );

        // DID URL (`#0`) -> the verification method.
        let url: DidUrl = example["didUrl"].as_str().unwrap().parse().unwrap();
        let method = resolver.resolve_verification_method(&url).await.unwrap();
        assert_eq!(method.type_, JSON_WEB_KEY_2020_TYPE);
        assert_eq!(method.public_key_jwk.as_ref(), Some(&jwk));
        method.public_key().unwrap();
    }
}

#[tokio::test]
async fn use_decides_relationships() {
    let resolver = resolver();
    let examples = examples();
    // P-256 without `use`: all five relationships; X25519 with `use: enc`: only keyAgreement.
    for (example, expected) in examples
        .iter()
        .zip([&Relationship::ALL[..], &[Relationship::KeyAgreement][..]])
    {
        let url: DidUrl = example["didUrl"].as_str().unwrap().parse().unwrap();
        for relationship in Relationship::ALL {
            let outcome = resolver
                .resolve_verification_method_for(&url, relationship)
                .await;
            if expected.contains(&relationship) {
                outcome.unwrap();
            } else {
                assert!(matches!(
                    outcome,
                    Err(ResolutionError::NotFound(
                        NotFoundReason::NotAuthorized { .. }
                    ))
                ));
            }
        }
    }
}

#[test]
fn generation_is_canonical() {
    // The P-256 example's DID is the sorted, whitespace-free serialization of its JWK.
    let example = &examples()[0];
    let jwk: Jwk = serde_json::from_value(example["jwk"].clone()).unwrap();
    assert_eq!(did_jwk(&jwk).unwrap().as_str(), example["did"]);
    // `sig` keys never get keyAgreement.
    let mut signing = jwk.clone();
    signing.use_ = Some("sig".into());
    let document = saifu_did::jwk::resolve(&did_jwk(&signing).unwrap()).unwrap();
    assert!(document.key_agreement.is_empty());
    assert_eq!(document.capability_delegation.len(), 1);
}

#[tokio::test]
async fn private_and_malformed_keys_are_refused() {
    let resolver = resolver();
    let example = &examples()[0];
    for member in ["d", "priv", "p", "k"] {
        let mut private = example["jwk"].clone();
        private[member] = Value::String("AAAA".into());
        let did: Did = format!("did:jwk:{}", b64::encode(private.to_string()))
            .parse()
            .unwrap();
        assert!(
            matches!(
                resolver.resolve(&did).await,
                Err(ResolutionError::InvalidDid(InvalidDidReason::Jwk(
                    DidJwkError::PrivateKeyMaterial
                )))
            ),
            "{member}"
        );
        let jwk: Jwk = serde_json::from_value(private).unwrap();
        assert_eq!(did_jwk(&jwk), Err(DidJwkError::PrivateKeyMaterial));
    }
    for (bad, description) in [
        ("did:jwk:!!!", "invalid characters"),
        ("did:jwk:eyJrdHkiOiJPS1AifQ%3D%3D", "padding"),
        ("did:jwk:bm90IGpzb24", "not JSON"),
        ("did:jwk:eyJjcnYiOiJYMjU1MTkifQ", "no kty"),
    ] {
        let outcome = match bad.parse::<Did>() {
            Ok(did) => resolver.resolve(&did).await.map(|_| ()),
            Err(error) => Err(ResolutionError::InvalidDid(error.into())),
        };
        let error = outcome.expect_err(description);
        assert_eq!(error.code(), "invalidDid", "{description}");
    }
}
