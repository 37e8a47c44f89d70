//! Every rejection rule of RFC 9901 §7 (and our limits) on hostile input, each asserting its own
//! typed error, plus the holder-side rules.

use saifu_credential::sd_jwt::{
    self, ClaimPath, Disclosure, HashAlg, Issuance, KeyBindingPolicy, KeyBindingRequest, Limits,
    SdJwt, SdJwtError, VerifyOptions,
};
use saifu_crypto::jws::{self, JwsError};
use saifu_crypto::{Algorithm, KeyType, LocalSigner, PrivateKey, Signer};
use serde_json::{Map, Value, json};

const ALGS: &[Algorithm] = &[Algorithm::Ed25519, Algorithm::ES256];
const AUD: &str = "https://verifier.example";
const NONCE: &str = "n-0S6_WzA2Mj";
const NOW: i64 = 1_800_000_000;

struct Keys {
    issuer: LocalSigner,
    holder: LocalSigner,
}

fn keys() -> Keys {
    let signer = |t| LocalSigner::new(PrivateKey::generate(t).expect("key")).expect("signer");
    Keys {
        issuer: signer(KeyType::Ed25519),
        holder: signer(KeyType::P256),
    }
}

fn path(p: &str) -> ClaimPath {
    p.parse().expect("path")
}

fn kb_policy() -> KeyBindingPolicy<'static> {
    KeyBindingPolicy {
        audience: AUD,
        nonce: NONCE,
        now: NOW,
        max_age: 300,
        skew: 30,
        allowed_algorithms: ALGS,
    }
}

fn options(key_binding: bool) -> VerifyOptions<'static> {
    VerifyOptions {
        allowed_algorithms: ALGS,
        limits: Limits::default(),
        key_binding: key_binding.then(kb_policy),
    }
}

fn claims() -> Map<String, Value> {
    json!({
        "iss": "https://issuer.example",
        "given_name": "Erika",
        "address": {"street": "Heidestraße 17", "locality": "Köln"},
        "nationalities": ["DE", "FR"]
    })
    .as_object()
    .expect("object")
    .clone()
}

/// An SD-JWT with a recursive address, an array element and a holder key.
async fn issued(k: &Keys) -> SdJwt {
    Issuance::new(claims())
        .disclosable(path("/given_name"))
        .disclosable(path("/address"))
        .disclosable(path("/address/street"))
        .disclosable(path("/nationalities/1"))
        .decoys(2)
        .holder_key(&k.holder.public_key().to_jwk())
        .sign(&k.issuer)
        .await
        .expect("issue")
}

fn all_paths() -> Vec<ClaimPath> {
    ["/given_name", "/address/street", "/nationalities/1"]
        .iter()
        .map(|p| path(p))
        .collect()
}

async fn presented(k: &Keys, request: &KeyBindingRequest<'_>) -> SdJwt {
    issued(k)
        .await
        .present_with_key_binding(&all_paths(), request, &k.holder)
        .await
        .expect("present")
}

fn request() -> KeyBindingRequest<'static> {
    KeyBindingRequest {
        audience: AUD,
        nonce: NONCE,
        issued_at: NOW,
    }
}

fn verify_compact(text: &str, k: &Keys, key_binding: bool) -> Result<Value, SdJwtError> {
    let sd = SdJwt::parse_compact(text, &Limits::default())?;
    sd_jwt::verify(&sd, k.issuer.public_key(), &options(key_binding))
        .map(|v| Value::Object(v.claims))
}

/// Signs an arbitrary payload as an issuer JWT and appends `disclosures`.
async fn custom(k: &Keys, payload: Value, disclosures: &[&Disclosure]) -> String {
    let bytes = serde_json::to_vec(&payload).expect("json");
    let jwt = jws::sign_compact(&Map::new(), &bytes, &k.issuer)
        .await
        .expect("sign");
    let mut out = jwt + "~";
    for d in disclosures {
        out.push_str(d.encoded());
        out.push('~');
    }
    out
}

fn digest(d: &Disclosure) -> String {
    d.digest(HashAlg::Sha256)
}

#[tokio::test]
async fn happy_path_reveals_only_the_selection_with_parents() {
    let k = keys();
    let text = presented(&k, &request()).await.to_compact();
    let claims = verify_compact(&text, &k, true).expect("verify");
    assert_eq!(
        claims["address"],
        json!({"street": "Heidestraße 17", "locality": "Köln"})
    );
    assert_eq!(claims["nationalities"], json!(["DE", "FR"]));
    assert_eq!(claims["given_name"], "Erika");
    // Only the parent: the recursive street stays hidden.
    let sd = issued(&k)
        .await
        .present(&[path("/address")])
        .expect("present");
    let claims = verify_compact(&sd.to_compact(), &k, false).expect("verify");
    assert_eq!(claims["address"], json!({"locality": "Köln"}));
    assert_eq!(claims["nationalities"], json!(["DE"]));
    assert!(claims.get("given_name").is_none());
    // The DCQL-style array path spelling selects the same element.
    let by_json = ClaimPath::from_json(&json!(["nationalities", 1])).expect("path");
    let sd = issued(&k).await.present(&[by_json]).expect("present");
    assert_eq!(sd.disclosures().len(), 1);
}

#[tokio::test]
async fn json_serialization_round_trips_with_key_binding() {
    let k = keys();
    let sd = presented(&k, &request()).await;
    let text = sd.to_json().to_string();
    let back = SdJwt::parse_json(&text, &Limits::default()).expect("parse");
    assert_eq!(back, sd);
    sd_jwt::verify(&back, k.issuer.public_key(), &options(true)).expect("verify");
}

#[tokio::test]
async fn tampered_disclosure_is_unreferenced() {
    let k = keys();
    let sd = issued(&k)
        .await
        .present(&[path("/given_name")])
        .expect("present");
    let original = sd.disclosures()[0].encoded().to_owned();
    let forged = Disclosure::new(Some("given_name".into()), json!("Mallory"));
    let text = sd.to_compact().replace(&original, forged.encoded());
    assert_eq!(
        verify_compact(&text, &k, false),
        Err(SdJwtError::UnreferencedDisclosure(digest(&forged)))
    );
}

#[tokio::test]
async fn reencoded_disclosure_is_not_accepted() {
    // Same JSON content, different encoding (whitespace): the digest is over the received
    // string, so it no longer matches (RFC 9901 §4.2.3).
    let k = keys();
    let sd = issued(&k)
        .await
        .present(&[path("/given_name")])
        .expect("present");
    let d = &sd.disclosures()[0];
    let decoded = saifu_crypto::b64::decode(d.encoded(), "d").expect("b64");
    let spaced = String::from_utf8(decoded).expect("utf8").replace(',', ", ");
    let reencoded = saifu_crypto::b64::encode(spaced);
    let text = sd.to_compact().replace(d.encoded(), &reencoded);
    assert!(matches!(
        verify_compact(&text, &k, false),
        Err(SdJwtError::UnreferencedDisclosure(_))
    ));
}

#[tokio::test]
async fn disclosure_not_referenced_is_rejected() {
    let k = keys();
    let extra = Disclosure::new(Some("admin".into()), json!(true));
    let text = issued(&k).await.present(&[]).expect("present").to_compact() + extra.encoded() + "~";
    assert_eq!(
        verify_compact(&text, &k, false),
        Err(SdJwtError::UnreferencedDisclosure(digest(&extra)))
    );
}

#[tokio::test]
async fn duplicate_digest_is_rejected() {
    let k = keys();
    let d = Disclosure::new(Some("a".into()), json!(1));
    let twice = json!({"_sd": [digest(&d), digest(&d)]});
    assert_eq!(
        verify_compact(&custom(&k, twice, &[&d]).await, &k, false),
        Err(SdJwtError::DuplicateDigest(digest(&d)))
    );
    // Once directly and once inside another disclosure.
    let outer = Disclosure::new(Some("o".into()), json!({"_sd": [digest(&d)]}));
    let nested = json!({"_sd": [digest(&d), digest(&outer)]});
    assert_eq!(
        verify_compact(&custom(&k, nested, &[&d, &outer]).await, &k, false),
        Err(SdJwtError::DuplicateDigest(digest(&d)))
    );
    // The same disclosure sent twice.
    let once = json!({"_sd": [digest(&d)]});
    assert_eq!(
        verify_compact(&custom(&k, once, &[&d, &d]).await, &k, false),
        Err(SdJwtError::DuplicateDisclosure(digest(&d)))
    );
}

#[tokio::test]
async fn reserved_claim_names_cannot_be_disclosed() {
    let k = keys();
    for name in ["_sd", "..."] {
        let d = Disclosure::new(Some(name.into()), json!([]));
        let payload = json!({"_sd": [digest(&d)]});
        assert_eq!(
            verify_compact(&custom(&k, payload, &[&d]).await, &k, false),
            Err(SdJwtError::ReservedClaimName(name.into()))
        );
    }
}

#[tokio::test]
async fn disclosure_may_not_overwrite_a_claim() {
    let k = keys();
    let d = Disclosure::new(Some("iss".into()), json!("https://evil.example"));
    let payload = json!({"iss": "https://issuer.example", "_sd": [digest(&d)]});
    assert_eq!(
        verify_compact(&custom(&k, payload, &[&d]).await, &k, false),
        Err(SdJwtError::ClaimCollision("iss".into()))
    );
}

#[tokio::test]
async fn structure_rules_are_enforced() {
    let k = keys();
    let element = Disclosure::new(None, json!("x"));
    let property = Disclosure::new(Some("p".into()), json!("x"));
    let cases = [
        (
            json!({"_sd": [digest(&element)]}),
            vec![&element],
            SdJwtError::DisclosureShape(digest(&element)),
        ),
        (
            json!({"a": [{"...": digest(&property)}]}),
            vec![&property],
            SdJwtError::DisclosureShape(digest(&property)),
        ),
        (json!({"_sd": "nope"}), vec![], SdJwtError::MalformedSdArray),
        (json!({"_sd": [1]}), vec![], SdJwtError::MalformedSdArray),
        (
            json!({"a": [{"...": digest(&element), "b": 1}]}),
            vec![&element],
            SdJwtError::MalformedArrayPlaceholder("must be exactly {\"...\": \"<digest>\"}".into()),
        ),
        (
            json!({"a": {"...": "x"}}),
            vec![],
            SdJwtError::MalformedArrayPlaceholder(
                "`...` outside an array element placeholder".into(),
            ),
        ),
    ];
    for (payload, disclosures, expected) in cases {
        assert_eq!(
            verify_compact(&custom(&k, payload.clone(), &disclosures).await, &k, false),
            Err(expected),
            "{payload}"
        );
    }
}

#[tokio::test]
async fn unknown_sd_alg_is_refused() {
    let k = keys();
    let payload = json!({"_sd_alg": "sha3-256", "_sd": []});
    assert_eq!(
        verify_compact(&custom(&k, payload, &[]).await, &k, false),
        Err(SdJwtError::UnsupportedHashAlg("sha3-256".into()))
    );
}

#[tokio::test]
async fn missing_key_binding_when_required() {
    let k = keys();
    let text = issued(&k)
        .await
        .present(&all_paths())
        .expect("present")
        .to_compact();
    assert_eq!(
        verify_compact(&text, &k, true),
        Err(SdJwtError::MissingKeyBinding)
    );
}

#[tokio::test]
async fn unrequested_key_binding_is_not_silently_accepted() {
    let k = keys();
    let text = presented(&k, &request()).await.to_compact();
    assert_eq!(
        verify_compact(&text, &k, false),
        Err(SdJwtError::UnexpectedKeyBinding)
    );
}

#[tokio::test]
async fn holder_refuses_to_present_an_sd_jwt_with_kb() {
    let k = keys();
    let with_kb = presented(&k, &request()).await;
    assert_eq!(with_kb.present(&[]), Err(SdJwtError::UnexpectedKeyBinding));
}

#[tokio::test]
async fn wrong_nonce_audience_and_stale_iat() {
    let k = keys();
    let mut r = request();
    r.nonce = "other-nonce";
    assert_eq!(
        verify_compact(&presented(&k, &r).await.to_compact(), &k, true),
        Err(SdJwtError::WrongNonce)
    );
    let mut r = request();
    r.audience = "https://other.example";
    assert_eq!(
        verify_compact(&presented(&k, &r).await.to_compact(), &k, true),
        Err(SdJwtError::WrongAudience)
    );
    let mut r = request();
    r.issued_at = NOW - 3600;
    assert_eq!(
        verify_compact(&presented(&k, &r).await.to_compact(), &k, true),
        Err(SdJwtError::StaleKeyBinding {
            iat: NOW - 3600,
            earliest: NOW - 330,
            latest: NOW + 30
        })
    );
    let mut r = request();
    r.issued_at = NOW + 120;
    assert!(matches!(
        verify_compact(&presented(&k, &r).await.to_compact(), &k, true),
        Err(SdJwtError::StaleKeyBinding { .. })
    ));
}

#[tokio::test]
async fn extreme_freshness_settings_saturate_instead_of_overflowing() {
    let k = keys();
    let mut r = request();
    r.issued_at = NOW + 120;
    let sd = presented(&k, &r).await;
    // now - max_age - skew and now + skew both overflow i64 here; they must saturate (to an
    // unbounded window), not panic or wrap into a window that refuses everything.
    let policy = KeyBindingPolicy {
        max_age: i64::MAX,
        skew: i64::MAX,
        ..kb_policy()
    };
    let unbounded = VerifyOptions {
        key_binding: Some(policy),
        ..options(true)
    };
    assert!(sd_jwt::verify(&sd, k.issuer.public_key(), &unbounded).is_ok());
    // With the normal window the same presentation is refused as issued in the future.
    assert!(matches!(
        sd_jwt::verify(&sd, k.issuer.public_key(), &options(true)),
        Err(SdJwtError::StaleKeyBinding { iat, .. }) if iat == NOW + 120
    ));
}

#[tokio::test]
async fn sd_hash_mismatch_when_disclosures_change_after_binding() {
    let k = keys();
    let sd = presented(&k, &request()).await;
    let dropped = sd.disclosures()[0].encoded().to_owned() + "~";
    let text = sd.to_compact().replacen(&dropped, "", 1);
    assert_eq!(
        verify_compact(&text, &k, true),
        Err(SdJwtError::SdHashMismatch)
    );
}

#[tokio::test]
async fn kb_jwt_with_wrong_typ_is_rejected() {
    let k = keys();
    let sd = issued(&k).await.present(&all_paths()).expect("present");
    let sd_hash = HashAlg::Sha256.digest(&sd.sd_hash_input());
    let mut header = Map::new();
    header.insert("typ".into(), json!("JWT"));
    let payload = json!({"iat": NOW, "aud": AUD, "nonce": NONCE, "sd_hash": sd_hash});
    let kb = jws::sign_compact(&header, payload.to_string().as_bytes(), &k.holder)
        .await
        .expect("sign");
    let text = sd.to_compact() + &kb;
    assert_eq!(
        verify_compact(&text, &k, true),
        Err(SdJwtError::WrongType {
            expected: "kb+jwt",
            found: Some("JWT".into())
        })
    );
}

#[tokio::test]
async fn kb_jwt_signed_by_another_key_is_rejected() {
    let k = keys();
    let other =
        LocalSigner::new(PrivateKey::generate(KeyType::P256).expect("key")).expect("signer");
    let sd = issued(&k)
        .await
        .present_with_key_binding(&all_paths(), &request(), &other)
        .await
        .expect("present");
    assert!(matches!(
        verify_compact(&sd.to_compact(), &k, true),
        Err(SdJwtError::Jws(JwsError::Crypto(_)))
    ));
}

#[tokio::test]
async fn issuer_algorithm_outside_the_allow_list_is_refused() {
    let k = keys();
    let text = issued(&k).await.present(&[]).expect("present").to_compact();
    let sd = SdJwt::parse_compact(&text, &Limits::default()).expect("parse");
    let mut opts = options(false);
    opts.allowed_algorithms = &[Algorithm::ES256];
    assert_eq!(
        sd_jwt::verify(&sd, k.issuer.public_key(), &opts),
        Err(SdJwtError::Jws(JwsError::AlgorithmNotAllowed(
            Algorithm::Ed25519
        )))
    );
}

#[tokio::test]
async fn too_many_disclosures_and_too_large() {
    let k = keys();
    let text = issued(&k)
        .await
        .present(&all_paths())
        .expect("present")
        .to_compact();
    let limits = Limits {
        max_disclosures: 2,
        ..Limits::default()
    };
    assert_eq!(
        SdJwt::parse_compact(&text, &limits),
        Err(SdJwtError::TooManyDisclosures {
            limit: 2,
            actual: 4
        })
    );
    let limits = Limits {
        max_len: 100,
        ..Limits::default()
    };
    assert_eq!(
        SdJwt::parse_compact(&text, &limits),
        Err(SdJwtError::TooLarge {
            limit: 100,
            actual: text.len()
        })
    );
}

#[tokio::test]
async fn depth_limit_applies_to_claims_and_recursive_disclosures() {
    let k = keys();
    let mut deep = json!("leaf");
    for _ in 0..40 {
        deep = json!({ "n": deep });
    }
    let text = custom(&k, json!({ "deep": deep }), &[]).await;
    assert_eq!(
        verify_compact(&text, &k, false),
        Err(SdJwtError::DepthLimit { limit: 32 })
    );
    // A chain of disclosures each hiding the next one.
    let mut chain = Vec::new();
    let mut value = json!("leaf");
    for _ in 0..40 {
        let d = Disclosure::new(Some("n".into()), value);
        value = json!({"_sd": [digest(&d)]});
        chain.push(d);
    }
    let refs: Vec<&Disclosure> = chain.iter().collect();
    let text = custom(&k, value, &refs).await;
    assert_eq!(
        verify_compact(&text, &k, false),
        Err(SdJwtError::DepthLimit { limit: 32 })
    );
}

#[tokio::test]
async fn malformed_serializations() {
    let k = keys();
    let jwt = issued(&k).await.jwt().to_owned();
    let limits = Limits::default();
    assert!(matches!(
        SdJwt::parse_compact(&jwt, &limits),
        Err(SdJwtError::Malformed(_))
    ));
    assert!(matches!(
        SdJwt::parse_compact(&format!("{jwt}~~"), &limits),
        Err(SdJwtError::Malformed(_))
    ));
    assert!(matches!(
        SdJwt::parse_compact(&format!("{jwt}~bm90LWpzb24~"), &limits),
        Err(SdJwtError::MalformedDisclosure(_))
    ));
    assert_eq!(
        SdJwt::parse_json(
            r#"{"payload":"x","protected":"y","signature":"z","disclosures":[]}"#,
            &limits
        ),
        Err(SdJwtError::LegacyJsonLayout("disclosures"))
    );
}

#[tokio::test]
async fn issuer_and_holder_refuse_unknown_or_reserved_paths() {
    let k = keys();
    let unknown = Issuance::new(claims())
        .disclosable(path("/nope"))
        .sign(&k.issuer)
        .await;
    assert_eq!(unknown, Err(SdJwtError::PathNotFound("/nope".into())));
    let mut with_alg = claims();
    with_alg.insert("_sd_alg".into(), json!("sha-256"));
    let reserved = Issuance::new(with_alg)
        .disclosable(path("/_sd_alg"))
        .sign(&k.issuer)
        .await;
    assert_eq!(reserved, Err(SdJwtError::NotDisclosable("_sd_alg".into())));
    let sd = issued(&k).await;
    assert_eq!(
        sd.present(&[path("/address/zip")]),
        Err(SdJwtError::PathNotFound("/address/zip".into()))
    );
}

#[tokio::test]
async fn salts_are_fresh_and_at_least_128_bits() {
    let a = Disclosure::new(Some("x".into()), json!(1));
    let b = Disclosure::new(Some("x".into()), json!(1));
    assert_ne!(a.encoded(), b.encoded());
    let decoded: Value =
        serde_json::from_slice(&saifu_crypto::b64::decode(a.encoded(), "d").expect("b64"))
            .expect("json");
    let salt = saifu_crypto::b64::decode(decoded[0].as_str().expect("salt"), "salt").expect("b64");
    assert!(salt.len() >= 16);
}

#[tokio::test]
async fn holder_checks_structure_before_presenting() {
    // A hostile issuer reusing a digest could make a naive holder walk explode; the holder
    // applies the §7.1 rules first.
    let k = keys();
    let d = Disclosure::new(Some("a".into()), json!(1));
    let text = custom(
        &k,
        json!({"_sd": [digest(&d)], "x": {"_sd": [digest(&d)]}}),
        &[&d],
    )
    .await;
    let sd = SdJwt::parse_compact(&text, &Limits::default()).expect("parse");
    assert_eq!(
        sd.present(&[]),
        Err(SdJwtError::DuplicateDigest(digest(&d)))
    );
}
