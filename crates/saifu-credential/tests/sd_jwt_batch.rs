//! `sd_jwt::verify_batch` gives every presentation exactly what `sd_jwt::verify` gives it alone:
//! good and bad items mixed, Ed25519 and ES256 issuers and holders, signature failures before
//! and alongside other failures.

use saifu_credential::sd_jwt::{
    self, ClaimPath, Issuance, KeyBindingPolicy, KeyBindingRequest, Limits, SdJwt, SdJwtError,
    VerifyOptions,
};
use saifu_crypto::jws::JwsError;
use saifu_crypto::{Algorithm, CryptoError, KeyType, LocalSigner, PrivateKey, PublicKey, Signer};
use serde_json::{Map, Value, json};

const ALGS: &[Algorithm] = &[Algorithm::Ed25519, Algorithm::ES256];
const AUD: &str = "https://verifier.example";
const NONCE: &str = "nonce-1";
const NOW: i64 = 1_800_000_000;

fn signer(key_type: KeyType) -> LocalSigner {
    LocalSigner::new(PrivateKey::generate(key_type).expect("key")).expect("signer")
}

fn paths() -> Vec<ClaimPath> {
    ["/given_name", "/family_name", "/address/locality"]
        .iter()
        .map(|p| p.parse().expect("path"))
        .collect()
}

fn options() -> VerifyOptions<'static> {
    VerifyOptions {
        allowed_algorithms: ALGS,
        limits: Limits::default(),
        key_binding: Some(KeyBindingPolicy {
            audience: AUD,
            nonce: NONCE,
            now: NOW,
            max_age: 300,
            skew: 30,
            allowed_algorithms: ALGS,
        }),
    }
}

/// A presentation by `holder` of a credential from `issuer`, key-bound to `nonce`.
async fn presentation(issuer: &LocalSigner, holder: &LocalSigner, nonce: &str) -> String {
    let claims: Map<String, Value> = json!({
        "iss": "https://issuer.example",
        "given_name": "Erika",
        "family_name": "Mustermann",
        "address": {"locality": "Köln", "country": "DE"}
    })
    .as_object()
    .expect("object")
    .clone();
    let request = KeyBindingRequest {
        audience: AUD,
        nonce,
        issued_at: NOW,
    };
    paths()
        .into_iter()
        .fold(Issuance::new(claims), Issuance::disclosable)
        .decoys(2)
        .holder_key(&holder.public_key().to_jwk())
        .sign(issuer)
        .await
        .expect("issue")
        .present_with_key_binding(&paths(), &request, holder)
        .await
        .expect("present")
        .to_compact()
}

/// Flips one character inside the signature of the issuer JWT, or of the KB-JWT with `kb`.
fn corrupt_signature(text: &str, kb: bool) -> String {
    let mut parts: Vec<String> = text.split('~').map(str::to_owned).collect();
    let index = if kb { parts.len() - 1 } else { 0 };
    let jwt = &mut parts[index];
    let at = jwt.rfind('.').expect("jws") + 10;
    let flipped = if jwt.as_bytes()[at] == b'A' { "B" } else { "A" };
    jwt.replace_range(at..=at, flipped);
    parts.join("~")
}

/// A tampered disclosure: the last disclosure replaced by one the issuer never signed.
fn foreign_disclosure(text: &str, other: &str) -> String {
    let mut parts: Vec<&str> = text.split('~').collect();
    let theirs: Vec<&str> = other.split('~').collect();
    parts[1] = theirs[1];
    parts.join("~")
}

struct Case {
    name: &'static str,
    text: String,
    issuer: PublicKey,
    fails: bool,
}

async fn cases() -> Vec<Case> {
    let ed = || signer(KeyType::Ed25519);
    let p256 = || signer(KeyType::P256);
    let mut cases = Vec::new();
    let mut add = |name, issuer: &LocalSigner, text: String, fails| {
        cases.push(Case {
            name,
            text,
            issuer: issuer.public_key().clone(),
            fails,
        })
    };
    let (i1, h1) = (ed(), ed());
    let good = presentation(&i1, &h1, NONCE).await;
    add("Ed25519 / Ed25519", &i1, good.clone(), false);
    let (i2, h2) = (p256(), ed());
    add(
        "ES256 issuer / Ed25519 holder",
        &i2,
        presentation(&i2, &h2, NONCE).await,
        false,
    );
    let (i3, h3) = (ed(), p256());
    let es_holder = presentation(&i3, &h3, NONCE).await;
    add(
        "Ed25519 issuer / ES256 holder",
        &i3,
        es_holder.clone(),
        false,
    );
    add(
        "bad Ed25519 issuer signature",
        &i1,
        corrupt_signature(&good, false),
        true,
    );
    add(
        "bad Ed25519 KB signature",
        &i1,
        corrupt_signature(&good, true),
        true,
    );
    add(
        "bad ES256 KB signature",
        &i3,
        corrupt_signature(&es_holder, true),
        true,
    );
    let wrong_nonce = presentation(&i1, &h1, "another nonce").await;
    add("wrong nonce", &i1, wrong_nonce.clone(), true);
    add(
        "bad issuer signature and wrong nonce",
        &i1,
        corrupt_signature(&wrong_nonce, false),
        true,
    );
    add(
        "bad KB signature and wrong nonce",
        &i1,
        corrupt_signature(&wrong_nonce, true),
        true,
    );
    let other = presentation(&i1, &h1, NONCE).await;
    add(
        "foreign disclosure",
        &i1,
        foreign_disclosure(&good, &other),
        true,
    );
    add("wrong issuer key", &ed(), good.clone(), true);
    add("Ed25519 / Ed25519 again", &i1, other, false);
    cases
}

fn parse(text: &str) -> SdJwt {
    SdJwt::parse_compact(text, &Limits::default()).expect("parse")
}

/// Runs `verify_batch` over `cases` and checks each result against `verify` alone.
fn batch_matches_single(cases: &[Case]) -> Vec<Result<sd_jwt::VerifiedSdJwt, SdJwtError>> {
    let presentations: Vec<SdJwt> = cases.iter().map(|c| parse(&c.text)).collect();
    let issuer_of = |sd: &SdJwt| {
        let i = presentations
            .iter()
            .position(|p| std::ptr::eq(p, sd))
            .expect("one of ours");
        Ok(&cases[i].issuer)
    };
    let results = sd_jwt::verify_batch(&presentations, issuer_of, &options());
    assert_eq!(results.len(), cases.len());
    for ((case, sd), result) in cases.iter().zip(&presentations).zip(&results) {
        let single = sd_jwt::verify(sd, &case.issuer, &options());
        assert_eq!(result, &single, "{}", case.name);
        assert_eq!(result.is_err(), case.fails, "{}: {result:?}", case.name);
    }
    results
}

fn bad_signature() -> SdJwtError {
    SdJwtError::Jws(JwsError::Crypto(CryptoError::BadSignature))
}

#[tokio::test]
async fn mixed_batch_gives_each_item_its_single_result() {
    let cases = cases().await;
    let results = batch_matches_single(&cases);
    let error_of = |name: &str| {
        let i = cases.iter().position(|c| c.name == name).expect("case");
        results[i].clone().expect_err(name)
    };
    // The signature failure is reported even where a later check would also fail.
    for name in [
        "bad Ed25519 issuer signature",
        "bad Ed25519 KB signature",
        "bad ES256 KB signature",
        "bad issuer signature and wrong nonce",
        "bad KB signature and wrong nonce",
        "wrong issuer key",
    ] {
        assert_eq!(error_of(name), bad_signature(), "{name}");
    }
    assert_eq!(error_of("wrong nonce"), SdJwtError::WrongNonce);
    assert!(matches!(
        error_of("foreign disclosure"),
        SdJwtError::UnreferencedDisclosure(_)
    ));
}

#[tokio::test]
async fn one_bad_item_in_a_batch_fails_alone() {
    let (issuer, holder) = (signer(KeyType::Ed25519), signer(KeyType::Ed25519));
    let mut cases = Vec::new();
    for i in 0..9 {
        let text = presentation(&issuer, &holder, NONCE).await;
        cases.push(Case {
            name: "item",
            text: if i == 5 {
                corrupt_signature(&text, true)
            } else {
                text
            },
            issuer: issuer.public_key().clone(),
            fails: i == 5,
        });
    }
    let results = batch_matches_single(&cases);
    assert_eq!(results[5], Err(bad_signature()));
    assert_eq!(
        results[0].as_ref().expect("good").claims["address"]["locality"],
        "Köln"
    );
}

#[tokio::test]
async fn key_lookup_errors_are_per_item() {
    let (issuer, holder) = (signer(KeyType::Ed25519), signer(KeyType::Ed25519));
    let presentations = vec![
        parse(&presentation(&issuer, &holder, NONCE).await),
        parse(&presentation(&issuer, &holder, NONCE).await),
    ];
    let unknown = SdJwtError::Malformed("unknown issuer".into());
    let results = sd_jwt::verify_batch(
        &presentations,
        |sd| {
            if std::ptr::eq(sd, &presentations[0]) {
                Err(unknown.clone())
            } else {
                Ok(issuer.public_key())
            }
        },
        &options(),
    );
    assert_eq!(results[0], Err(unknown));
    assert!(results[1].is_ok());
    assert!(sd_jwt::verify_batch(&[], |_| Ok(issuer.public_key()), &options()).is_empty());
}
