//! Round trips with the independent peer `@digitalbazaar/vc` (eddsa-rdfc-2022 and
//! ecdsa-rdfc-2019 cryptosuites, `@digitalbazaar/vc-bitstring-status-list`), driven through
//! `interop/w3c/peer.mjs`: it verifies what saifu issues (credentials and status lists) and
//! saifu verifies what it issues. Installed with `npm ci --prefix interop`; without it these
//! tests fail (they never skip silently).

use saifu_credential::status::bitstring::{
    BitstringError, BitstringStatusList, MIN_ENTRIES, StatusEntry, StatusListCache, StatusPurpose,
};
use saifu_credential::w3c::di::{
    self, ASSERTION_METHOD, Cryptosuite, DidKeyResolver, ProofOptions,
};
use saifu_credential::w3c::verify::{VerifyOptions, verify_credential};
use saifu_crypto::{KeyType, LocalSigner, PrivateKey};
use saifu_did::key::did_key;
use saifu_test_support::{expect_node, require_npm_package};
use serde_json::{Value, json};

const PEER: &str = "@digitalbazaar/vc";
const PEER_VERSION: &str = "7.3.0";
const NOW: i64 = 1_750_000_000;
const LIST_URL: &str = "https://issuer.example/status/7";

/// Runs `interop/w3c/peer.mjs` with `request` on stdin and returns its JSON answer.
fn peer(request: &Value) -> Value {
    require_npm_package(PEER, Some(PEER_VERSION));
    expect_node("w3c/peer.mjs", request)
}

fn options() -> VerifyOptions<'static> {
    VerifyOptions {
        now: NOW,
        challenge: None,
        domain: None,
        resolver: &DidKeyResolver,
    }
}

fn credential() -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "id": "urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5",
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"}
    })
}

struct Issuer {
    signer: LocalSigner,
    did: String,
    method: String,
}

fn issuer(key_type: KeyType) -> Issuer {
    let private = PrivateKey::generate(key_type).unwrap();
    let did = did_key(private.public_key());
    Issuer {
        method: format!("{did}#{}", did.method_specific_id()),
        did: did.as_str().to_owned(),
        signer: LocalSigner::new(private).unwrap(),
    }
}

async fn sign(issuer: &Issuer, suite: Cryptosuite, mut document: Value) -> Value {
    document["issuer"] = issuer.did.as_str().into();
    let options = ProofOptions::new(suite, issuer.method.clone(), ASSERTION_METHOD);
    di::add_proof(&document, &options, &issuer.signer)
        .await
        .unwrap()
}

#[tokio::test]
async fn peer_verifies_what_saifu_issues() {
    for (suite, key_type) in [
        (Cryptosuite::EddsaRdfc2022, KeyType::Ed25519),
        (Cryptosuite::EcdsaRdfc2019, KeyType::P256),
    ] {
        let vc = sign(&issuer(key_type), suite, credential()).await;
        let answer = peer(&json!({"op": "verify", "credential": vc, "now": NOW}));
        assert_eq!(answer["verified"], true, "{}: {answer}", suite.name());
        let mut tampered = vc;
        tampered["credentialSubject"]["alumniOf"] = "Another School".into();
        let answer = peer(&json!({"op": "verify", "credential": tampered, "now": NOW}));
        assert_eq!(
            answer["verified"],
            false,
            "{}: tampered accepted",
            suite.name()
        );
    }
}

#[test]
fn saifu_verifies_what_the_peer_issues() {
    for suite in [Cryptosuite::EddsaRdfc2022, Cryptosuite::EcdsaRdfc2019] {
        let vc = peer(&json!({"op": "issue", "credential": credential(), "suite": suite.name()}));
        let report =
            verify_credential(&vc, &options()).unwrap_or_else(|e| panic!("{}: {e}", suite.name()));
        assert_eq!(report.proofs[0].cryptosuite, suite);
        let mut tampered = vc;
        tampered["validFrom"] = "2025-02-01T00:00:00Z".into();
        assert!(verify_credential(&tampered, &options()).is_err());
    }
}

/// saifu's status list: the peer sees index 42 revoked and index 43 not.
#[tokio::test]
async fn peer_checks_saifu_status_lists() {
    let issuer = issuer(KeyType::Ed25519);
    let mut list = BitstringStatusList::new(MIN_ENTRIES).unwrap();
    list.set(42, true).unwrap();
    let unsigned = list.to_credential(
        LIST_URL,
        &issuer.did,
        StatusPurpose::Revocation,
        "2025-01-01T00:00:00Z",
    );
    let status_list = sign(&issuer, Cryptosuite::EddsaRdfc2022, unsigned).await;
    for (index, revoked) in [(42, true), (43, false)] {
        let mut vc = credential();
        vc["credentialStatus"] = StatusEntry {
            purpose: StatusPurpose::Revocation,
            index,
            list_credential: LIST_URL.into(),
        }
        .to_json(&format!("{LIST_URL}#{index}"));
        let vc = sign(&issuer, Cryptosuite::EddsaRdfc2022, vc).await;
        let answer = peer(&json!({
            "op": "verify", "credential": vc, "now": NOW, "documents": {LIST_URL: status_list}
        }));
        assert_eq!(
            answer["status"],
            json!([revoked]),
            "index {index}: {answer}"
        );
    }
}

/// The peer's status list and credential: saifu verifies both and sees the revocation.
#[tokio::test]
async fn saifu_checks_peer_status_lists() {
    for (purpose, refused) in [
        (StatusPurpose::Revocation, BitstringError::Revoked),
        (StatusPurpose::Suspension, BitstringError::Suspended),
    ] {
        let answer = peer(&json!({
            "op": "issue-with-status", "credential": credential(), "listUrl": LIST_URL,
            "index": 1234, "purpose": purpose.as_str()
        }));
        let report = verify_credential(&answer["credential"], &options()).unwrap();
        let cache = StatusListCache::new(300);
        let fetch = |url: String| {
            assert_eq!(url, LIST_URL);
            std::future::ready(Ok(answer["statusList"].clone()))
        };
        let result = cache
            .check_entry(&report.credential_status[0], &report.issuer, NOW, fetch)
            .await;
        assert_eq!(result, Err(refused));
    }
}
