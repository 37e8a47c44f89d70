//! did:web through the real HTTP client against a did.json host on loopback.
//!
//! Vector files (under `SAIFU_VECTORS_DIR`), used for DID → URL mapping and document parsing;
//! their documents are served locally under a `did:web:localhost%3A<port>…` DID, never fetched
//! from the recorded hosts:
//! - `did/did-test-suite/did-web-evernym.json`, `did-web-mattr.json`, `did-web-spruce.json`,
//!   `did-web-transmute.json` (implementation reports)
//! - `did/did-test-suite/resolver-mattr-web.json`, `resolver-spruce-web.json`,
//!   `universal-resolver-did-web.json`, `dereferencer-spruce-web.json` (resolver executions)

#[path = "common/server.rs"]
mod server;
#[path = "common/vectors.rs"]
mod vectors;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use saifu_crypto::{KeyType, PublicKey};
use saifu_did::document::{DidDocument, DocumentError, KeyMaterialError, Relationship};
use saifu_did::error::{
    InternalReason, InvalidDidReason, InvalidDidUrlReason, NotFoundReason, ResolutionError,
};
use saifu_did::http::{AddressClass, HttpClient, HttpConfig, HttpError};
use saifu_did::web::{WebDidError, build_document, did_for_url, document_url};
use saifu_did::{Did, DidUrl, Resolver, ResolverConfig};
use serde_json::{Value, json};
use vectors::load_json;

/// A did.json host: path → body, with a request counter.
#[derive(Clone, Default)]
struct Site {
    files: Arc<Mutex<HashMap<String, String>>>,
    hits: Arc<AtomicUsize>,
}

impl Site {
    /// Starts serving and returns the site with the `did:web` prefix that maps onto it.
    async fn start() -> (Site, String) {
        let site = Site::default();
        let router = Router::new().fallback(answer).with_state(site.clone());
        let addr = server::serve(router).await;
        (site, format!("did:web:localhost%3A{}", addr.port()))
    }

    /// Publishes `body` where `did`'s document is looked for.
    fn publish(&self, did: &str, body: String) {
        let url = document_url(&did.parse().unwrap()).unwrap();
        self.files
            .lock()
            .unwrap()
            .insert(url.path().to_owned(), body);
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn answer(State(site): State<Site>, uri: Uri) -> Response {
    site.hits.fetch_add(1, Ordering::SeqCst);
    match site.files.lock().unwrap().get(uri.path()) {
        Some(body) => (
            [(header::CONTENT_TYPE, "application/did+json")],
            body.clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A resolver allowed to reach the loopback site over plain HTTP.
fn resolver(max_body_bytes: usize, cache_ttl: Duration) -> Resolver {
    let http = HttpClient::new(HttpConfig {
        allow_private: true,
        allow_http: true,
        max_body_bytes,
        ..HttpConfig::default()
    })
    .unwrap();
    let config = ResolverConfig {
        cache_ttl,
        ..ResolverConfig::default()
    };
    Resolver::new(http, config)
}

const NO_CACHE: Duration = Duration::ZERO;
const HOUR: Duration = Duration::from_secs(3600);

/// The local DID standing in for a recorded one: same path, host replaced by the test site.
fn local_did(recorded: &str, prefix: &str) -> String {
    let rest = recorded.strip_prefix("did:web:").unwrap();
    match rest.split_once(':') {
        Some((_, path)) => format!("{prefix}:{path}"),
        None => prefix.to_owned(),
    }
}

#[tokio::test]
async fn implementation_reports_map_and_parse() {
    let (site, prefix) = Site::start().await;
    let resolver = resolver(1 << 20, NO_CACHE);
    let expected_urls = [
        (
            "did:web:evernym.com",
            "https://evernym.com/.well-known/did.json",
        ),
        (
            "did:web:did.actor:healthcare:doctor:robert",
            "https://did.actor/healthcare/doctor/robert/did.json",
        ),
        ("did:web:did.actor:mike", "https://did.actor/mike/did.json"),
        (
            "did:web:kyledenhartog.com",
            "https://kyledenhartog.com/.well-known/did.json",
        ),
        (
            "did:web:demo.spruceid.com:2021:07:08",
            "https://demo.spruceid.com/2021/07/08/did.json",
        ),
        (
            "did:web:or13.github.io:deno-did-pm",
            "https://or13.github.io/deno-did-pm/did.json",
        ),
    ];
    let mut served = 0;
    for file in [
        "did-web-evernym.json",
        "did-web-mattr.json",
        "did-web-spruce.json",
        "did-web-transmute.json",
    ] {
        let report = load_json(&format!("did/did-test-suite/{file}"));
        for recorded in report["dids"].as_array().unwrap() {
            let recorded = recorded.as_str().unwrap();
            let did: Did = recorded.parse().unwrap();
            let url = document_url(&did).unwrap();
            let expected = expected_urls.iter().find(|(d, _)| *d == recorded).unwrap();
            assert_eq!(url.as_str(), expected.1, "{file}");
            assert_eq!(did_for_url(&url).unwrap(), did);

            let local = local_did(recorded, &prefix);
            for content_type in report["supportedContentTypes"].as_array().unwrap() {
                let representation =
                    report[recorded][content_type.as_str().unwrap()]["representation"]
                        .as_str()
                        .unwrap();
                let rewritten = representation.replace(recorded, &local);
                site.publish(&local, rewritten.clone());
                let resolved = resolver
                    .resolve(&local.parse().unwrap())
                    .await
                    .unwrap_or_else(|e| panic!("{file} {recorded} {content_type}: {e}"));
                let parsed = DidDocument::from_json(rewritten.as_bytes()).unwrap();
                assert_eq!(resolved.document, parsed);
                // Nothing the document said was lost on the way.
                assert_eq!(
                    serde_json::to_value(&resolved.document).unwrap(),
                    serde_json::from_str::<Value>(&rewritten).unwrap()
                );
                served += 1;
            }
        }
    }
    assert_eq!(served, 12);
    assert_eq!(site.hits(), served);
}

/// Where the suite's expectation (`None`: success) differs from ours, and why:
/// - `did:web:123` names the host `123`, which URL parsing reads as the IPv4 address 0.0.0.123,
///   and did:web forbids IP addresses: `invalidDid` (one execution even records another DID's
///   document for it);
/// - carol's recorded document has a service without `type`, which DID Core §5.4 requires, so
///   we refuse the document: `internalError`.
const DIVERGENCES: [(&str, Option<&str>, Option<&str>); 3] = [
    ("did:web:123", Some("notFound"), Some("invalidDid")),
    ("did:web:123", None, Some("invalidDid")),
    ("did:web:did.actor:carol", None, Some("internalError")),
];

#[tokio::test]
async fn resolver_executions() {
    let (site, prefix) = Site::start().await;
    let resolver = resolver(1 << 20, NO_CACHE);
    let mut checked = 0;
    for file in [
        "resolver-mattr-web.json",
        "resolver-spruce-web.json",
        "universal-resolver-did-web.json",
        "dereferencer-spruce-web.json",
    ] {
        let report = load_json(&format!("did/did-test-suite/{file}"));
        let outcomes = &report["expectedOutcomes"];
        for (index, execution) in report["executions"].as_array().unwrap().iter().enumerate() {
            let input = &execution["input"];
            let recorded = input["did"].as_str().or(input["didUrl"].as_str()).unwrap();
            if recorded.contains('?') {
                // Service dereferencing (`?service=`) is not something this crate does.
                continue;
            }
            let listed = |name: &str| {
                outcomes[name]
                    .as_array()
                    .is_some_and(|l| l.iter().any(|i| i.as_u64() == Some(index as u64)))
            };
            let expected = if listed("invalidDidErrorOutcome") {
                Some("invalidDid")
            } else if listed("notFoundErrorOutcome") {
                Some("notFound")
            } else {
                None
            };
            let wanted = DIVERGENCES
                .iter()
                .find(|(did, theirs, _)| *did == recorded && *theirs == expected)
                .map_or(expected, |(_, _, ours)| *ours);
            // DIDs that map to a location are served locally; the others never reach the network.
            let mappable = recorded
                .parse()
                .is_ok_and(|did: Did| document_url(&did).is_ok());
            let subject = if mappable {
                local_did(recorded, &prefix)
            } else {
                recorded.to_owned()
            };
            let output = &execution["output"];
            // Resolvers record `didDocument(Stream)`, dereferencers `contentStream`.
            let document = match output["didDocumentStream"].as_str() {
                Some(stream) => Some(stream.to_owned()),
                None => output["contentStream"]
                    .as_str()
                    .map(str::to_owned)
                    .or_else(|| output.get("didDocument").map(Value::to_string)),
            };
            if let (true, None, Some(document)) = (mappable, expected, document) {
                site.publish(&subject, document.replace(recorded, &subject));
            }
            let result = resolver.resolution_result(&subject, None).await;
            let context = format!("{file} #{index} {recorded}");
            let metadata = &result.did_resolution_metadata;
            assert_eq!(metadata.error.as_deref(), wanted, "{context}");
            if wanted.is_none() {
                assert_eq!(
                    metadata.content_type.as_deref(),
                    Some("application/did+json")
                );
                assert_eq!(result.did_document.unwrap().id.as_str(), subject);
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 13);
}

#[tokio::test]
async fn document_for_another_did_is_refused() {
    let (site, prefix) = Site::start().await;
    site.publish(&prefix, json!({"id": "did:web:example.com"}).to_string());
    let outcome = resolver(1 << 20, NO_CACHE)
        .resolve(&prefix.parse().unwrap())
        .await;
    match outcome {
        Err(ResolutionError::InternalError(InternalReason::IdMismatch { expected, found })) => {
            assert_eq!(expected.as_str(), prefix);
            assert_eq!(found.as_str(), "did:web:example.com");
        }
        other => panic!("expected an id mismatch, got {other:?}"),
    }
}

#[tokio::test]
async fn oversized_document_is_refused() {
    let (site, prefix) = Site::start().await;
    let padding = "x".repeat(4096);
    site.publish(
        &prefix,
        json!({"id": prefix, "padding": padding}).to_string(),
    );
    let outcome = resolver(1024, NO_CACHE)
        .resolve(&prefix.parse().unwrap())
        .await;
    assert!(
        matches!(
            outcome,
            Err(ResolutionError::InternalError(InternalReason::Http(
                HttpError::BodyTooLarge { limit: 1024 }
            )))
        ),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn missing_document_is_not_found() {
    let (site, prefix) = Site::start().await;
    let did = format!("{prefix}:nobody");
    let outcome = resolver(1 << 20, NO_CACHE)
        .resolve(&did.parse().unwrap())
        .await;
    match outcome {
        Err(ResolutionError::NotFound(NotFoundReason::Document { url, status })) => {
            assert_eq!(status, 404);
            assert_eq!(url.path(), "/nobody/did.json");
            assert_eq!(url.scheme(), "http");
        }
        other => panic!("expected notFound, got {other:?}"),
    }
    assert_eq!(site.hits(), 1);
}

#[tokio::test]
async fn cache_hit_makes_no_second_request() {
    let (site, prefix) = Site::start().await;
    site.publish(&prefix, json!({"id": prefix}).to_string());
    let did: Did = prefix.parse().unwrap();

    let cached = resolver(1 << 20, HOUR);
    cached.resolve(&did).await.unwrap();
    cached.resolve(&did).await.unwrap();
    // Clones share the cache.
    cached.clone().resolve(&did).await.unwrap();
    assert_eq!(site.hits(), 1);

    let uncached = resolver(1 << 20, NO_CACHE);
    uncached.resolve(&did).await.unwrap();
    uncached.resolve(&did).await.unwrap();
    assert_eq!(site.hits(), 3);

    // Failures are not cached: the document appears, and the next resolution finds it.
    let later = format!("{prefix}:later");
    let fresh = resolver(1 << 20, HOUR);
    assert!(fresh.resolve(&later.parse().unwrap()).await.is_err());
    site.publish(&later, json!({"id": later}).to_string());
    fresh.resolve(&later.parse().unwrap()).await.unwrap();
    assert_eq!(site.hits(), 5);
}

#[tokio::test]
async fn private_addresses_are_refused_by_default() {
    let (site, prefix) = Site::start().await;
    site.publish(&prefix, json!({"id": prefix}).to_string());
    let strict = Resolver::new(
        HttpClient::new(HttpConfig {
            allow_http: true,
            ..HttpConfig::default()
        })
        .unwrap(),
        ResolverConfig::default(),
    );
    // `localhost` resolves to 127.0.0.1: refused on the resolved address, before any request.
    let outcome = strict.resolve(&prefix.parse().unwrap()).await;
    assert!(
        matches!(
            &outcome,
            Err(ResolutionError::InternalError(InternalReason::Http(HttpError::ForbiddenAddress {
                class: AddressClass::Loopback,
                host,
                ..
            }))) if host == "localhost"
        ),
        "{outcome:?}"
    );
    assert_eq!(site.hits(), 0);
    assert_eq!(outcome.unwrap_err().code(), "internalError");

    // IP-address hosts are not did:web DIDs at all (did:web §2.3), private or not.
    for did in [
        "did:web:127.0.0.1",
        "did:web:10.0.0.1",
        "did:web:127.0.0.1%3A8080:x",
        "did:web:8.8.8.8",
    ] {
        let outcome = strict.resolve(&did.parse().unwrap()).await;
        assert!(
            matches!(
                outcome,
                Err(ResolutionError::InvalidDid(InvalidDidReason::Web(
                    WebDidError::IpAddressHost(_)
                )))
            ),
            "{did}: {outcome:?}"
        );
    }
}

#[tokio::test]
async fn invalid_documents_are_refused() {
    let (site, prefix) = Site::start().await;
    let resolver = resolver(1 << 20, NO_CACHE);
    let method = |extra: Value| {
        let mut method = json!({
            "id": "#key-1",
            "type": "JsonWebKey2020",
            "controller": prefix,
            "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
        });
        for (name, value) in extra.as_object().unwrap() {
            method[name] = value.clone();
        }
        json!({"id": prefix, "verificationMethod": [method]}).to_string()
    };
    let both = method(json!({
        "publicKeyMultibase": "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
    }));
    let private = method(json!({
        "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
                         "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}
    }));
    for (body, expected) in [
        (both, KeyMaterialError::Conflicting),
        (private, KeyMaterialError::PrivateKey),
    ] {
        site.publish(&prefix, body);
        match resolver.resolve(&prefix.parse().unwrap()).await {
            Err(ResolutionError::InternalError(InternalReason::Document(
                DocumentError::VerificationMethod { id, source },
            ))) => {
                assert_eq!(source, expected);
                assert_eq!(id.to_string(), format!("{prefix}#key-1"));
            }
            other => panic!("expected {expected:?}, got {other:?}"),
        }
    }
    site.publish(&prefix, "<html>not json</html>".into());
    assert!(matches!(
        resolver.resolve(&prefix.parse().unwrap()).await,
        Err(ResolutionError::InternalError(InternalReason::Document(
            DocumentError::Json(_)
        )))
    ));
}

#[tokio::test]
async fn verification_methods_by_relative_and_absolute_id() {
    let (site, prefix) = Site::start().await;
    site.publish(
        &prefix,
        json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": prefix,
            "verificationMethod": [{
                "id": "#key-1", "type": "Multikey", "controller": prefix,
                "publicKeyMultibase": "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
            }],
            "authentication": ["#key-1"],
            "assertionMethod": [format!("{prefix}#key-1")],
            "keyAgreement": [{
                "id": format!("{prefix}#ka"), "type": "Multikey", "controller": prefix,
                "publicKeyMultibase": "z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW"
            }]
        })
        .to_string(),
    );
    let resolver = resolver(1 << 20, HOUR);
    let did: Did = prefix.parse().unwrap();
    let key_1 = did.join("#key-1").unwrap();
    for relationship in [Relationship::Authentication, Relationship::AssertionMethod] {
        let method = resolver
            .resolve_verification_method_for(&key_1, relationship)
            .await
            .unwrap();
        assert_eq!(
            method.id.to_string(),
            key_1.to_string(),
            "returned in absolute form"
        );
        assert_eq!(method.public_key().unwrap().key_type(), KeyType::Ed25519);
    }
    assert!(matches!(
        resolver
            .resolve_verification_method_for(&key_1, Relationship::KeyAgreement)
            .await,
        Err(ResolutionError::NotFound(NotFoundReason::NotAuthorized {
            relationship: Relationship::KeyAgreement,
            ..
        }))
    ));
    let embedded = resolver
        .resolve_verification_method_for(&did.join("#ka").unwrap(), Relationship::KeyAgreement)
        .await
        .unwrap();
    assert_eq!(embedded.public_key().unwrap().key_type(), KeyType::X25519);
    let missing = did.join("#key-2").unwrap();
    assert!(matches!(
        resolver.resolve_verification_method(&missing).await,
        Err(ResolutionError::NotFound(NotFoundReason::VerificationMethod(url))) if url == missing
    ));
    let bare = DidUrl::from(did.clone());
    let no_fragment = resolver.resolve_verification_method(&bare).await;
    assert!(matches!(
        &no_fragment,
        Err(ResolutionError::InvalidDidUrl(
            InvalidDidUrlReason::MissingFragment(_)
        ))
    ));
    assert_eq!(no_fragment.unwrap_err().code(), "invalidDidUrl");
    // One fetch served every lookup above.
    assert_eq!(site.hits(), 1);
}

#[tokio::test]
async fn generated_document_resolves_to_its_keys() {
    let (site, prefix) = Site::start().await;
    let did: Did = format!("{prefix}:issuer").parse().unwrap();
    let keys: Vec<PublicKey> = [
        "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
        "zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169",
        "z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW",
        "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
    ]
    .iter()
    .map(|multikey| PublicKey::from_multikey(multikey).unwrap())
    .collect();
    let document = build_document(&did, &keys).unwrap();
    assert_eq!(document.verification_method.len(), 3, "duplicates collapse");
    site.publish(did.as_str(), serde_json::to_string(&document).unwrap());

    let resolver = resolver(1 << 20, HOUR);
    assert_eq!(resolver.resolve(&did).await.unwrap().document, document);
    for key in &keys[..3] {
        let url = did.join(&format!("#{}", key.thumbprint())).unwrap();
        let relationship = match key.key_type() {
            KeyType::X25519 => Relationship::KeyAgreement,
            _ => Relationship::AssertionMethod,
        };
        let method = resolver
            .resolve_verification_method_for(&url, relationship)
            .await
            .unwrap();
        assert_eq!(method.public_key().unwrap(), *key);
    }
    assert_eq!(
        build_document(&"did:web:127.0.0.1".parse().unwrap(), &keys),
        Err(WebDidError::IpAddressHost("127.0.0.1".into()))
    );
}
