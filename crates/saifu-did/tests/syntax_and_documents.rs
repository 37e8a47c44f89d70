//! Bad input at the edges: malformed DIDs and DID URLs, unknown methods, and documents that break
//! DID Core rules — each with the specific error it must produce.

use saifu_did::document::{DocumentError, KeyMaterialError, VerificationMethod};
use saifu_did::error::ResolutionError;
use saifu_did::http::{HttpClient, HttpConfig};
use saifu_did::syntax::{DidSyntaxError, Part, RelativeDidUrl};
use saifu_did::{Did, DidDocument, DidUrl, DidUrlRef, Resolver, ResolverConfig};
use serde_json::json;

fn invalid_char(part: Part, index: usize, ch: char) -> DidSyntaxError {
    DidSyntaxError::InvalidCharacter { part, index, ch }
}

#[test]
fn overlong_dids_and_urls_are_refused_before_parsing() {
    let long = format!(
        "did:key:z{}",
        "2".repeat(saifu_did::syntax::MAX_DID_URL_LEN)
    );
    let len = long.len();
    assert_eq!(
        long.parse::<Did>().unwrap_err(),
        DidSyntaxError::TooLong { len }
    );
    let url = format!("{long}#k");
    assert_eq!(
        url.parse::<DidUrl>().unwrap_err(),
        DidSyntaxError::TooLong { len: len + 2 }
    );
}

#[test]
fn malformed_dids() {
    use DidSyntaxError::*;
    let cases = [
        ("", MissingScheme),
        ("DID:example:123", MissingScheme),
        ("urn:example:123", MissingScheme),
        ("did:", EmptyMethod),
        ("did::123", EmptyMethod),
        ("did:example", MissingMethodSpecificId),
        ("did:example:", EmptyMethodSpecificId),
        ("did:Example:123", invalid_char(Part::Method, 4, 'E')),
        ("did:KEY:z6Mk", invalid_char(Part::Method, 4, 'K')),
        ("did:ex-ample:123", invalid_char(Part::Method, 6, '-')),
        ("did:example:123:", TrailingColon),
        ("did:example:a:b:", TrailingColon),
        (
            "did:example:12 3",
            invalid_char(Part::MethodSpecificId, 14, ' '),
        ),
        (
            "did:example:a~b",
            invalid_char(Part::MethodSpecificId, 13, '~'),
        ),
        (
            "did:example:a/b",
            invalid_char(Part::MethodSpecificId, 13, '/'),
        ),
        (
            "did:example:a#b",
            invalid_char(Part::MethodSpecificId, 13, '#'),
        ),
        (
            "did:example:ä",
            invalid_char(Part::MethodSpecificId, 12, 'ä'),
        ),
        ("did:key_222", invalid_char(Part::Method, 7, '_')),
        ("did:key;invalid", invalid_char(Part::Method, 7, ';')),
        (
            "did:example:a%2",
            InvalidPercentEncoding {
                part: Part::MethodSpecificId,
                index: 13,
            },
        ),
        (
            "did:example:a%zz",
            InvalidPercentEncoding {
                part: Part::MethodSpecificId,
                index: 13,
            },
        ),
        (
            "did:example:%",
            InvalidPercentEncoding {
                part: Part::MethodSpecificId,
                index: 12,
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(text.parse::<Did>(), Err(expected), "{text:?}");
    }
    // Valid edge cases: digits in the method, pct-encoding, `.`-`_`-`-`, empty inner segments.
    for text in [
        "did:3:x",
        "did:example:a%20b",
        "did:example:A.b_c-d",
        "did:example::x",
        "did:web:example.com%3A8443",
    ] {
        assert_eq!(text.parse::<Did>().unwrap().as_str(), text);
    }
}

#[test]
fn malformed_did_urls() {
    use DidSyntaxError::*;
    let cases = [
        ("bad:invalid", MissingScheme),
        ("did:example:#frag", EmptyMethodSpecificId),
        ("did:example:1:/path", TrailingColon),
        ("did:example:1/pa th", invalid_char(Part::Path, 16, ' ')),
        ("did:example:1/a[b]", invalid_char(Part::Path, 15, '[')),
        ("did:example:1?q=<x>", invalid_char(Part::Query, 16, '<')),
        ("did:example:1#a#b", invalid_char(Part::Fragment, 15, '#')),
        ("did:example:1#a\"b", invalid_char(Part::Fragment, 15, '"')),
        (
            "did:example:1/%gg",
            InvalidPercentEncoding {
                part: Part::Path,
                index: 14,
            },
        ),
        (
            "did:example:1#key%2",
            InvalidPercentEncoding {
                part: Part::Fragment,
                index: 17,
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(text.parse::<DidUrl>(), Err(expected), "{text:?}");
    }
    for relative in ["key-1", "", "did", "did-example"] {
        assert_eq!(
            relative.parse::<RelativeDidUrl>(),
            Err(NotARelativeReference),
            "{relative:?}"
        );
    }
    assert_eq!(
        "#a b".parse::<DidUrlRef>(),
        Err(invalid_char(Part::Fragment, 2, ' '))
    );
}

#[test]
fn did_and_did_url_serde_as_strings() {
    let url: DidUrl = "did:example:1/p?q#f".parse().unwrap();
    assert_eq!(
        serde_json::to_value(&url).unwrap(),
        json!("did:example:1/p?q#f")
    );
    assert_eq!(
        serde_json::from_value::<DidUrl>(json!("did:example:1/p?q#f")).unwrap(),
        url
    );
    assert!(serde_json::from_value::<Did>(json!("did:Example:1")).is_err());
    assert!(serde_json::from_value::<Did>(json!(42)).is_err());
    let did: Did = serde_json::from_value(json!("did:example:1")).unwrap();
    assert_eq!(did.method(), "example");
    assert_eq!(did.method_specific_id(), "1");
    assert_eq!(format!("{did:?}"), "Did(\"did:example:1\")");
}

fn resolver() -> Resolver {
    Resolver::new(
        HttpClient::new(HttpConfig::default()).unwrap(),
        ResolverConfig::default(),
    )
}

#[tokio::test]
async fn unknown_method_is_not_supported() {
    let resolver = resolver();
    let did: Did = "did:example:123".parse().unwrap();
    let error = resolver.resolve(&did).await.unwrap_err();
    assert!(matches!(&error, ResolutionError::MethodNotSupported(m) if m == "example"));
    assert_eq!(error.code(), "methodNotSupported");
    let url: DidUrl = "did:ion:abc#key-1".parse().unwrap();
    assert_eq!(
        resolver
            .resolve_verification_method(&url)
            .await
            .unwrap_err()
            .code(),
        "methodNotSupported"
    );
}

#[tokio::test]
async fn resolution_results_carry_the_error_code() {
    let resolver = resolver();
    for (did, code) in [
        (
            "did:Key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
            "invalidDid",
        ),
        ("not a did", "invalidDid"),
        ("did:example:1", "methodNotSupported"),
    ] {
        let result = resolver.resolution_result(did, None).await;
        assert_eq!(
            serde_json::to_value(&result).unwrap(),
            json!({
                "didDocument": null,
                "didResolutionMetadata": {"error": code},
                "didDocumentMetadata": {}
            }),
            "{did}"
        );
    }
    let did_key = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
    let unsupported = resolver.resolution_result(did_key, Some("text/html")).await;
    assert_eq!(
        unsupported.did_resolution_metadata.error.as_deref(),
        Some("representationNotSupported")
    );
    let ld = resolver
        .resolution_result(did_key, Some("application/did+ld+json"))
        .await;
    assert_eq!(
        ld.did_resolution_metadata.content_type.as_deref(),
        Some("application/did+ld+json")
    );
}

fn document_with_method(method: serde_json::Value) -> Vec<u8> {
    json!({"id": "did:example:1", "verificationMethod": [method]})
        .to_string()
        .into_bytes()
}

fn method_error(bytes: &[u8]) -> KeyMaterialError {
    match DidDocument::from_json(bytes) {
        Err(DocumentError::VerificationMethod { source, .. }) => source,
        other => panic!("expected a verification method error, got {other:?}"),
    }
}

#[test]
fn both_key_formats_are_refused() {
    let both = document_with_method(json!({
        "id": "#k", "type": "Multikey", "controller": "did:example:1",
        "publicKeyMultibase": "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
        "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    }));
    assert_eq!(method_error(&both), KeyMaterialError::Conflicting);
    // Also when embedded in a relationship rather than listed.
    let embedded = json!({"id": "did:example:1", "authentication": [{
        "id": "#k", "type": "Multikey", "controller": "did:example:1",
        "publicKeyMultibase": "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
        "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    }]});
    assert_eq!(
        method_error(embedded.to_string().as_bytes()),
        KeyMaterialError::Conflicting
    );
}

#[test]
fn private_jwk_members_are_refused() {
    for member in ["d", "priv", "p", "q", "dp", "dq", "qi", "k"] {
        let mut jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
        jwk[member] = json!("AAAA");
        let bytes = document_with_method(json!({
            "id": "#k", "type": "JsonWebKey2020", "controller": "did:example:1", "publicKeyJwk": jwk
        }));
        assert_eq!(
            method_error(&bytes),
            KeyMaterialError::PrivateKey,
            "{member}"
        );
    }
}

#[test]
fn key_material_errors() {
    let method = |extra: serde_json::Value| -> VerificationMethod {
        let mut value = json!({"id": "#k", "type": "X", "controller": "did:example:1"});
        for (name, v) in extra.as_object().unwrap() {
            value[name] = v.clone();
        }
        serde_json::from_value(value).unwrap()
    };
    let legacy = method(json!({"publicKeyBase58": "B12NYF8RrR3h41TDCTJojY59usg3mbtbjnFs7Eud1Y6u"}));
    assert_eq!(legacy.public_key(), Err(KeyMaterialError::Missing));
    assert_eq!(
        legacy.extra["publicKeyBase58"],
        "B12NYF8RrR3h41TDCTJojY59usg3mbtbjnFs7Eud1Y6u"
    );
    let garbage = method(json!({"publicKeyMultibase": "zzzz"}));
    assert!(matches!(
        garbage.public_key(),
        Err(KeyMaterialError::Key(_))
    ));
    let rsa = method(json!({"publicKeyJwk": {"kty": "RSA", "n": "AQAB", "e": "AQAB"}}));
    assert!(matches!(rsa.public_key(), Err(KeyMaterialError::Key(_))));
}

#[test]
fn malformed_documents_are_refused() {
    for (bytes, what) in [
        (&b"not json"[..], "not JSON"),
        (br#"{"verificationMethod": []}"#, "no id"),
        (br#"{"id": "did:Example:1"}"#, "invalid id"),
        (
            br##"{"id": "did:example:1", "authentication": ["key-1"]}"##,
            "bad reference",
        ),
        (
            br##"{"id": "did:example:1", "verificationMethod": [{"id": "#k", "type": "X"}]}"##,
            "no controller",
        ),
        (
            br##"{"id": "did:example:1", "service": [{"id": "#s", "serviceEndpoint": "x"}]}"##,
            "service without type",
        ),
    ] {
        assert!(
            matches!(DidDocument::from_json(bytes), Err(DocumentError::Json(_))),
            "{what}"
        );
    }
}
