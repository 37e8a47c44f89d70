//! The fast JSON-LD path (processed contexts kept between documents) against the full
//! `oxjsonld` algorithms: on every JSON document of the W3C Data Integrity test vectors, and on
//! the shapes saifu issues (status entries, status lists, presentations with embedded
//! credentials, proof configurations), both give the same canonical N-Quads; documents outside
//! the fast path's subset fall back and still give the full algorithm's answer.

use std::path::{Path, PathBuf};

use saifu_credential::w3c::rdf::{self, RdfcHash};
use serde_json::{Value, json};

fn vectors_dir() -> PathBuf {
    std::env::var_os("SAIFU_VECTORS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors")
        })
}

fn json_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "json") {
            into.push(path);
        }
    }
}

/// Both paths agree on `document`; whether the fast path took it.
fn same_canonical_form(document: &Value, name: &str) -> bool {
    let canonical = |dataset| rdf::canonicalize(&dataset, RdfcHash::Sha256);
    let full = rdf::full_dataset(document).and_then(canonical);
    let fast = rdf::to_dataset(document).and_then(canonical);
    assert_eq!(fast, full, "{name}");
    rdf::takes_fast_path(document)
}

#[test]
fn every_test_vector_document_has_the_same_rdf_on_both_paths() {
    let mut files = Vec::new();
    json_files(&vectors_dir().join("w3c-di"), &mut files);
    assert!(files.len() > 100, "vectors missing: set SAIFU_VECTORS_DIR");
    let (mut compared, mut fast) = (0, 0);
    for file in files {
        let Ok(document) = serde_json::from_str::<Value>(&std::fs::read_to_string(&file).unwrap())
        else {
            continue;
        };
        if document.get("@context").is_none() || rdf::full_dataset(&document).is_err() {
            continue;
        }
        compared += 1;
        // The unsecured documents and the proof configurations (proof without proofValue,
        // with the document's context) are what verification expands.
        let mut documents = vec![document.clone()];
        if let Some(proof) = document.get("proof").and_then(Value::as_object) {
            let mut config = proof.clone();
            config.remove("proofValue");
            config.insert("@context".into(), document["@context"].clone());
            documents.push(Value::Object(config));
            let mut unsecured = document.clone();
            unsecured.as_object_mut().unwrap().remove("proof");
            documents.push(unsecured);
        }
        for (i, doc) in documents.iter().enumerate() {
            if same_canonical_form(doc, &format!("{} #{i}", file.display())) {
                fast += 1;
            }
        }
    }
    eprintln!("{compared} vector documents, {fast} expansions on the fast path");
    assert!(compared >= 30, "only {compared} vector documents compared");
    assert!(fast >= 40, "only {fast} documents took the fast path");
}

#[test]
fn the_vc_di_eddsa_credential_and_proof_configuration_take_the_fast_path() {
    let dir = vectors_dir().join("w3c-di/vc-di-eddsa/TestVectors");
    let unsigned: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("unsigned.json")).unwrap()).unwrap();
    assert!(same_canonical_form(&unsigned, "unsigned.json"));
    let config = json!({
        "@context": unsigned["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "proofPurpose": "assertionMethod"
    });
    assert!(same_canonical_form(&config, "proof configuration"));
}

/// What saifu's VC-API issues and verifies: credentials with status entries (a type-scoped
/// context inside a property value), status list credentials, presentations (a `@graph`
/// container holding a credential whose own proof is another `@graph`), authentication proofs
/// with challenge and domain, integers, booleans and embedded bundled contexts.
#[test]
fn saifu_shapes_have_the_same_rdf_on_both_paths() {
    let credential = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "id": "urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5",
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "issuer": {"id": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "name": "Example University"},
        "validFrom": "2025-01-01T00:00:00Z",
        "validUntil": "2035-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:abcdefgh", "alumniOf": "The School of Examples",
            "age": 42, "graduated": true, "degree": {"type": "BachelorDegree", "name": "BSc"}
        },
        "credentialStatus": [{
            "id": "https://node.example/status/w3c/ed25519-revocation-0#94567",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": "https://node.example/status/w3c/ed25519-revocation-0"
        }],
        "proof": {
            "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
            "created": "2025-01-01T00:00:00Z",
            "verificationMethod": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
            "proofPurpose": "assertionMethod", "proofValue": "z5555"
        }
    });
    let list = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "https://node.example/status/w3c/ed25519-revocation-0",
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "https://node.example/status/w3c/ed25519-revocation-0#list",
            "type": "BitstringStatusList", "statusPurpose": "revocation",
            "encodedList": "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
        }
    });
    let presentation = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": "did:example:holder",
        "verifiableCredential": [credential.clone()],
        "proof": {
            "type": "DataIntegrityProof", "cryptosuite": "ecdsa-rdfc-2019",
            "verificationMethod": "did:example:holder#key-1",
            "proofPurpose": "authentication", "challenge": "c-123",
            "domain": ["verifier.example", "other.example"], "proofValue": "z5555"
        }
    });
    let did_document = json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": "did:example:holder",
        "verificationMethod": [{
            "id": "did:example:holder#key-1", "type": "Multikey",
            "controller": "did:example:holder",
            "publicKeyMultibase": "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
        }],
        "authentication": ["did:example:holder#key-1"]
    });
    let embedded = json!({
        "@context": "https://www.w3.org/ns/credentials/v2",
        "type": "VerifiableCredential",
        "issuer": "did:example:issuer",
        "credentialSubject": {
            "@context": "https://www.w3.org/ns/credentials/examples/v2",
            "alumniOf": "Example"
        }
    });
    for (name, document) in [
        ("credential", credential),
        ("status list", list),
        ("presentation", presentation),
        ("DID document", did_document),
        ("embedded context", embedded),
    ] {
        assert!(
            same_canonical_form(&document, name),
            "{name}: fast path declined"
        );
    }
}

/// Inline contexts, value objects, lists, language maps and non-integer numbers are outside
/// the fast path: it declines and the full algorithm answers.
#[test]
fn documents_outside_the_subset_fall_back_to_the_full_algorithm() {
    let base = |subject: Value| {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "credentialSubject": subject
        })
    };
    let mut inline = base(json!({"alumniOf": "Example"}));
    inline["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!({"alumniOf": "https://schema.org/alumniOf"}));
    for (name, document) in [
        ("inline context", inline),
        (
            "value object",
            base(json!({"alumniOf": {"@value": "Ex", "@language": "en"}})),
        ),
        ("list", base(json!({"grades": {"@list": [1, 2]}}))),
        ("double", base(json!({"score": 1.5}))),
        ("relative id", base(json!({"id": "#me", "name": "Me"}))),
        ("blank node id", base(json!({"id": "_:b0", "name": "Me"}))),
    ] {
        assert!(
            !same_canonical_form(&document, name),
            "{name}: fast path taken"
        );
    }
}
