//! W3C Bitstring Status List 1.0: lists we build, sign and check (revoked, suspended, cleared),
//! the spec's own example list, the verifier cache, and hostile lists (zip bomb, bad multibase).

mod w3c_support;

use std::cell::Cell;
use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use saifu_credential::status::bitstring::{
    BitstringError, BitstringStatusList, MIN_ENTRIES, StatusEntry, StatusListCache, StatusPurpose,
};
use saifu_credential::w3c::di::{self, ASSERTION_METHOD, Cryptosuite, ProofOptions};
use saifu_crypto::{KeyType, LocalSigner, PrivateKey};
use saifu_did::key::did_key;
use serde_json::Value;
use w3c_support::read_json;

const NOW: i64 = 1_750_000_000;
const LIST_URL: &str = "https://issuer.example/status/3";

async fn signed_list(list: &BitstringStatusList, purpose: StatusPurpose) -> Value {
    let private = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let did = did_key(private.public_key());
    let method = format!("{did}#{}", did.method_specific_id());
    let credential = list.to_credential(LIST_URL, did.as_str(), purpose, "2025-01-01T00:00:00Z");
    let signer = LocalSigner::new(private).unwrap();
    di::add_proof(
        &credential,
        &ProofOptions::new(Cryptosuite::EddsaRdfc2022, method, ASSERTION_METHOD),
        &signer,
    )
    .await
    .unwrap()
}

fn entry(purpose: StatusPurpose, index: usize) -> Value {
    StatusEntry {
        purpose,
        index,
        list_credential: LIST_URL.into(),
    }
    .to_json(&format!("{LIST_URL}#{index}"))
}

/// The issuer the list credential names.
fn issuer_of(list: &Value) -> String {
    list["issuer"].as_str().expect("a string issuer").to_owned()
}

/// A fetch answering `list` for [`LIST_URL`], counting its calls in `fetches`.
fn serve<'a>(
    list: &'a Value,
    fetches: &'a Cell<usize>,
) -> impl Fn(String) -> std::future::Ready<Result<Value, String>> + 'a {
    move |url| {
        assert_eq!(url, LIST_URL);
        fetches.set(fetches.get() + 1);
        std::future::ready(Ok(list.clone()))
    }
}

#[tokio::test]
async fn revoke_suspend_and_clear() {
    let mut list = BitstringStatusList::new(MIN_ENTRIES).unwrap();
    list.set(94_567, true).unwrap();
    assert!(list.get(94_567).unwrap() && !list.get(94_566).unwrap());
    for (purpose, refused) in [
        (StatusPurpose::Revocation, BitstringError::Revoked),
        (StatusPurpose::Suspension, BitstringError::Suspended),
    ] {
        let credential = signed_list(&list, purpose).await;
        let issuer = issuer_of(&credential);
        let cache = StatusListCache::new(300);
        let fetches = Cell::new(0);
        let fetch = serve(&credential, &fetches);
        assert_eq!(
            cache
                .check_entry(&entry(purpose, 94_567), &issuer, NOW, &fetch)
                .await,
            Err(refused)
        );
        cache
            .check_entry(&entry(purpose, 12), &issuer, NOW, &fetch)
            .await
            .unwrap();
        assert_eq!(fetches.get(), 1, "second check served from the cache");
        // The cache expires: a later check fetches again.
        cache
            .check_entry(&entry(purpose, 12), &issuer, NOW + 301, &fetch)
            .await
            .unwrap();
        assert_eq!(fetches.get(), 2);
    }
    list.set(94_567, false).unwrap();
    let credential = signed_list(&list, StatusPurpose::Suspension).await;
    let fetches = Cell::new(0);
    StatusListCache::new(300)
        .check_entry(
            &entry(StatusPurpose::Suspension, 94_567),
            &issuer_of(&credential),
            NOW,
            serve(&credential, &fetches),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn purpose_issuer_and_tampering_are_checked() {
    let list = BitstringStatusList::new(MIN_ENTRIES).unwrap();
    let credential = signed_list(&list, StatusPurpose::Suspension).await;
    let issuer = issuer_of(&credential);
    let fetches = Cell::new(0);
    let cache = StatusListCache::new(300);
    assert!(matches!(
        cache
            .check_entry(
                &entry(StatusPurpose::Revocation, 1),
                &issuer,
                NOW,
                serve(&credential, &fetches)
            )
            .await,
        Err(BitstringError::ListMismatch(_))
    ));
    // A valid list from someone else cannot vouch for this issuer's credential, fetched or
    // cached.
    for _ in 0..2 {
        assert!(matches!(
            cache
                .check_entry(
                    &entry(StatusPurpose::Suspension, 1),
                    "did:key:z6MkSomeoneElse",
                    NOW,
                    serve(&credential, &fetches)
                )
                .await,
            Err(BitstringError::ListMismatch(_))
        ));
    }
    let mut forged = credential;
    forged["credentialSubject"]["encodedList"] = {
        let mut revoked = BitstringStatusList::new(MIN_ENTRIES).unwrap();
        revoked.set(1, true).unwrap();
        revoked.encode().into()
    };
    assert!(matches!(
        StatusListCache::new(300)
            .check_entry(
                &entry(StatusPurpose::Suspension, 1),
                &issuer,
                NOW,
                serve(&forged, &fetches)
            )
            .await,
        Err(BitstringError::Credential(_))
    ));
}

#[test]
fn spec_example_list_decodes() {
    let example = read_json(
        "status-list/w3c-bitstring-status-list/examples/example03-example-bitstringstatuslistcredential.json",
    );
    let encoded = example["credentialSubject"]["encodedList"]
        .as_str()
        .unwrap();
    let list = BitstringStatusList::decode(encoded, 1 << 20).unwrap();
    assert_eq!(list.len(), MIN_ENTRIES);
    assert!(list.encode().len() < 200, "an empty list compresses well");
}

#[test]
fn hostile_lists() {
    assert_eq!(
        BitstringStatusList::new(1000),
        Err(BitstringError::TooSmall(1000))
    );
    // 64 MiB of zeros gzip to ~64 KB: refused once past the limit, not fully inflated.
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        gzip.write_all(&zeros).unwrap();
    }
    let bomb = format!("u{}", URL_SAFE_NO_PAD.encode(gzip.finish().unwrap()));
    assert_eq!(
        BitstringStatusList::decode(&bomb, 16 << 20),
        Err(BitstringError::DecompressedTooLarge(16 << 20))
    );
    let list = BitstringStatusList::new(MIN_ENTRIES).unwrap().encode();
    for bad in [
        format!("z{}", &list[1..]),
        "u!!!".to_owned(),
        "uAAAA".to_owned(),
    ] {
        assert!(matches!(
            BitstringStatusList::decode(&bad, 1 << 20),
            Err(BitstringError::MalformedEncodedList(_))
        ));
    }
    assert!(matches!(
        StatusEntry::parse(&serde_json::json!({
            "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
            "statusListIndex": 5, "statusListCredential": LIST_URL
        })),
        Err(BitstringError::InvalidEntry(_))
    ));
}
