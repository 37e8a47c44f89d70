//! SD-JWT VC (draft -18): the draft's own examples (`spec-sd-jwt-vc-examples/`, ES256 — verified,
//! never byte-compared), our issue → present → verify round trip, every profile rejection, issuer
//! key discovery (DID, JWT VC Issuer Metadata over real loopback HTTP) and Type Metadata.

mod sd_jwt_common;

use axum::Router;
use axum::routing::get;
use saifu_credential::sd_jwt::{
    ClaimPath, Issuance, KeyBindingPolicy, KeyBindingRequest, Limits, SdJwt, SdJwtError,
    VerifyOptions,
};
use saifu_credential::sd_jwt_vc::type_metadata::{
    SdPolicy, TypeMetadataResolver, check_integrity, sri_sha256,
};
use saifu_credential::sd_jwt_vc::{
    IssuerKeySource, SdJwtVcError, VcIssuance, VcVerifyOptions, issuer_metadata_url,
    resolve_issuer_key, verify_vc,
};
use saifu_credential::status::{ReferenceOptions, StatusReference};
use saifu_crypto::{Algorithm, KeyType, LocalSigner, PrivateKey, Signer};
use saifu_did::http::{HttpClient, HttpConfig};
use saifu_did::{Resolver, ResolverConfig};
use serde_json::{Map, Value, json};

use sd_jwt_common::{Settings, cases, presentation_text, read_json, read_yaml};

const ALGS: &[Algorithm] = &[Algorithm::ES256, Algorithm::Ed25519];
const NOW: i64 = 1_800_000_000;
const VCT: &str = "https://credentials.example.com/identity_credential";

fn options(now: i64, key_binding: Option<KeyBindingPolicy<'_>>) -> VcVerifyOptions<'_> {
    VcVerifyOptions {
        sd_jwt: VerifyOptions {
            allowed_algorithms: ALGS,
            limits: Limits::default(),
            key_binding,
        },
        now,
        skew: 60,
        accept_legacy_typ: false,
        status: ReferenceOptions::default(),
    }
}

fn kb<'a>(now: i64, audience: &'a str, nonce: &'a str) -> KeyBindingPolicy<'a> {
    KeyBindingPolicy {
        audience,
        nonce,
        now,
        max_age: 300,
        skew: 60,
        allowed_algorithms: ALGS,
    }
}

fn signer(t: KeyType) -> LocalSigner {
    LocalSigner::new(PrivateKey::generate(t).expect("key")).expect("signer")
}

fn path(p: &str) -> ClaimPath {
    p.parse().expect("path")
}

#[tokio::test]
async fn spec_vc_examples_verify() {
    for case in cases("spec-sd-jwt-vc-examples") {
        let settings = Settings::for_case(&case);
        let spec = read_yaml(&case.join("specification.yml"));
        let (text, _) = presentation_text(&case);
        let sd = SdJwt::parse_compact(&text, &Limits::default()).expect("parse");
        let kb_payload = case.join("kb_jwt_payload.json");
        let now = if kb_payload.is_file() {
            read_json(&kb_payload)["iat"].as_i64().expect("iat")
        } else {
            NOW
        };
        let key_binding = spec
            .get("key_binding")
            .is_some_and(|n| n.is_truthy())
            .then(|| kb(now, &settings.verifier, &settings.nonce));
        let explicit = settings.issuer_public();
        let key = resolve_issuer_key(
            &sd,
            IssuerKeySource::Explicit(&explicit),
            &Limits::default(),
        )
        .await
        .expect("key");
        let verified = verify_vc(&sd, &key, &options(now, key_binding))
            .unwrap_or_else(|e| panic!("{}: {e}", case.display()));
        assert_eq!(
            Value::Object(verified.claims().clone()),
            read_json(&case.join("verified_contents.json")),
            "{}",
            case.display()
        );
        assert!(verified.vct.starts_with("https://") || verified.vct.starts_with("urn:"));
    }
}

struct Parties {
    issuer: LocalSigner,
    holder: LocalSigner,
}

fn parties() -> Parties {
    Parties {
        issuer: signer(KeyType::Ed25519),
        holder: signer(KeyType::P256),
    }
}

fn subject() -> Map<String, Value> {
    json!({"given_name": "Erika", "family_name": "Mustermann", "address": {"locality": "Köln", "country": "DE"}})
        .as_object().expect("object").clone()
}

async fn issue_vc(p: &Parties, iat: i64, nbf: Option<i64>, exp: i64) -> SdJwt {
    let status = StatusReference::new(
        7,
        "https://status.example/lists/1",
        ReferenceOptions::default(),
    )
    .expect("ref");
    VcIssuance::new(VCT, subject())
        .issuer("https://issuer.example/tenant")
        .validity(Some(iat), nbf, Some(exp))
        .status(&status)
        .holder_key(&p.holder.public_key().to_jwk())
        .disclosable(path("/given_name"))
        .disclosable(path("/family_name"))
        .disclosable(path("/address"))
        .disclosable(path("/address/locality"))
        .decoys(1)
        .sign(&p.issuer)
        .await
        .expect("issue")
}

async fn present(p: &Parties, sd: &SdJwt) -> SdJwt {
    let request = KeyBindingRequest {
        audience: "https://verifier.example",
        nonce: "abc",
        issued_at: NOW,
    };
    sd.present_with_key_binding(&[path("/address/locality")], &request, &p.holder)
        .await
        .expect("present")
}

fn verify(
    p: &Parties,
    sd: &SdJwt,
    now: i64,
) -> Result<saifu_credential::sd_jwt_vc::VerifiedVc, SdJwtVcError> {
    verify_vc(
        sd,
        p.issuer.public_key(),
        &options(now, Some(kb(now, "https://verifier.example", "abc"))),
    )
}

#[tokio::test]
async fn issue_present_verify_round_trip() {
    let p = parties();
    let sd = present(
        &p,
        &issue_vc(&p, NOW - 10, Some(NOW - 10), NOW + 3600).await,
    )
    .await;
    let header = sd.decode_issuer_jwt(&Limits::default()).expect("decode");
    assert_eq!(header.typ(), Some("dc+sd-jwt"));
    let verified = verify(&p, &sd, NOW).expect("verify");
    assert_eq!(verified.vct, VCT);
    assert_eq!(
        verified.issuer.as_deref(),
        Some("https://issuer.example/tenant")
    );
    let status = verified.status.as_ref().expect("status");
    assert_eq!(
        (status.idx(), status.uri()),
        (7, "https://status.example/lists/1")
    );
    assert_eq!(
        verified.claims()["address"],
        json!({"locality": "Köln", "country": "DE"})
    );
    assert!(verified.claims().get("given_name").is_none());
}

#[tokio::test]
async fn validity_window_is_enforced_with_skew() {
    let p = parties();
    let sd = present(
        &p,
        &issue_vc(&p, NOW - 10, Some(NOW + 600), NOW + 3600).await,
    )
    .await;
    assert_eq!(
        verify(&p, &sd, NOW).err(),
        Some(SdJwtVcError::NotYetValid {
            nbf: NOW + 600,
            now: NOW
        })
    );
    let sd = present(&p, &issue_vc(&p, NOW - 7200, None, NOW - 3600).await).await;
    assert_eq!(
        verify(&p, &sd, NOW).err(),
        Some(SdJwtVcError::Expired {
            exp: NOW - 3600,
            now: NOW
        })
    );
    // Within the 60 s skew both ways: accepted.
    let sd = present(&p, &issue_vc(&p, NOW - 100, Some(NOW + 30), NOW - 30).await).await;
    verify(&p, &sd, NOW).expect("within skew");
    let sd = present(&p, &issue_vc(&p, NOW + 600, None, NOW + 3600).await).await;
    assert_eq!(
        verify(&p, &sd, NOW).err(),
        Some(SdJwtVcError::InvalidClaim("iat"))
    );
}

/// A plain SD-JWT with VC-like claims, so tests can break one profile rule at a time.
async fn raw(p: &Parties, typ: Option<&str>, claims: Value, disclosable: &[&str]) -> SdJwt {
    let mut issuance = Issuance::new(claims.as_object().expect("object").clone());
    if let Some(typ) = typ {
        issuance = issuance.header("typ", json!(typ));
    }
    for d in disclosable {
        issuance = issuance.disclosable(path(d));
    }
    issuance.sign(&p.issuer).await.expect("sign")
}

fn verify_plain(
    p: &Parties,
    sd: &SdJwt,
    legacy: bool,
) -> Result<saifu_credential::sd_jwt_vc::VerifiedVc, SdJwtVcError> {
    let mut opts = options(NOW, None);
    opts.accept_legacy_typ = legacy;
    verify_vc(sd, p.issuer.public_key(), &opts)
}

#[tokio::test]
async fn typ_rules() {
    let p = parties();
    let claims = json!({"vct": VCT});
    let sd = raw(&p, Some("JWT"), claims.clone(), &[]).await;
    assert_eq!(
        verify_plain(&p, &sd, false).err(),
        Some(SdJwtVcError::WrongType(Some("JWT".into())))
    );
    let sd = raw(&p, None, claims.clone(), &[]).await;
    assert_eq!(
        verify_plain(&p, &sd, false).err(),
        Some(SdJwtVcError::WrongType(None))
    );
    let legacy = raw(&p, Some("vc+sd-jwt"), claims, &[]).await;
    assert_eq!(
        verify_plain(&p, &legacy, false).err(),
        Some(SdJwtVcError::WrongType(Some("vc+sd-jwt".into())))
    );
    verify_plain(&p, &legacy, true).expect("legacy typ behind the switch");
}

#[tokio::test]
async fn vct_is_required() {
    let p = parties();
    let sd = raw(
        &p,
        Some("dc+sd-jwt"),
        json!({"iss": "https://issuer.example"}),
        &[],
    )
    .await;
    assert_eq!(
        verify_plain(&p, &sd, false).err(),
        Some(SdJwtVcError::InvalidClaim("vct"))
    );
    let sd = raw(&p, Some("dc+sd-jwt"), json!({"vct": 7}), &[]).await;
    assert_eq!(
        verify_plain(&p, &sd, false).err(),
        Some(SdJwtVcError::InvalidClaim("vct"))
    );
}

#[tokio::test]
async fn never_disclosable_claims() {
    let p = parties();
    for name in [
        "iss",
        "exp",
        "vct",
        "status",
        "cnf",
        "nbf",
        "vct#integrity",
        "aka_vcts",
    ] {
        let issued = VcIssuance::new(VCT, subject())
            .disclosable(ClaimPath::new(vec![
                saifu_credential::sd_jwt::Segment::Name(name.into()),
            ]))
            .sign(&p.issuer)
            .await;
        assert_eq!(
            issued.err(),
            Some(SdJwtVcError::NeverDisclosable(name.into())),
            "{name}"
        );
    }
    // Verifier side: an issuer that disclosed `exp` anyway.
    let sd = raw(
        &p,
        Some("dc+sd-jwt"),
        json!({"vct": VCT, "exp": NOW + 60}),
        &["/exp"],
    )
    .await;
    let sd = sd.present(&[path("/exp")]).expect("present");
    assert_eq!(
        verify_plain(&p, &sd, false).err(),
        Some(SdJwtVcError::NeverDisclosable("exp".into()))
    );
    // `sub` and `iat` may be disclosable.
    let sd = raw(
        &p,
        Some("dc+sd-jwt"),
        json!({"vct": VCT, "sub": "x", "iat": NOW}),
        &["/sub", "/iat"],
    )
    .await;
    verify_plain(
        &p,
        &sd.present(&[path("/sub"), path("/iat")]).expect("present"),
        false,
    )
    .expect("sub/iat disclosable");
}

#[tokio::test]
async fn sd_jwt_errors_pass_through() {
    let p = parties();
    let sd = issue_vc(&p, NOW, None, NOW + 60)
        .await
        .present(&[])
        .expect("present");
    assert_eq!(
        verify(&p, &sd, NOW).err(),
        Some(SdJwtVcError::SdJwt(SdJwtError::MissingKeyBinding))
    );
}

#[tokio::test]
async fn malformed_status_is_rejected() {
    let p = parties();
    let sd = raw(
        &p,
        Some("dc+sd-jwt"),
        json!({"vct": VCT, "status": {"status_list": {"idx": "1", "uri": "https://s.example"}}}),
        &[],
    )
    .await;
    assert!(matches!(
        verify_plain(&p, &sd, false),
        Err(SdJwtVcError::Status(_))
    ));
}

fn loopback_client() -> HttpClient {
    HttpClient::new(HttpConfig {
        allow_private: true,
        allow_http: true,
        ..HttpConfig::default()
    })
    .expect("client")
}

fn json_route(body: String) -> axum::routing::MethodRouter {
    get(move || {
        let body = body.clone();
        async move { ([("content-type", "application/json")], body) }
    })
}

#[test]
fn metadata_url_inserts_well_known_between_host_and_path() {
    let url = |iss| issuer_metadata_url(iss).expect("url").to_string();
    assert_eq!(
        url("https://issuer.example/tenant/1234/"),
        "https://issuer.example/.well-known/jwt-vc-issuer/tenant/1234"
    );
    assert_eq!(
        url("https://issuer.example"),
        "https://issuer.example/.well-known/jwt-vc-issuer"
    );
    assert_eq!(
        url("https://issuer.example:8443/a"),
        "https://issuer.example:8443/.well-known/jwt-vc-issuer/a"
    );
}

#[tokio::test]
async fn issuer_key_from_jwt_vc_issuer_metadata() {
    let p = parties();
    let mut jwk = p.issuer.public_key().to_jwk();
    jwk.kid = Some("k1".into());
    let other = signer(KeyType::P256);
    let mut other_jwk = other.public_key().to_jwk();
    other_jwk.kid = Some("k0".into());
    let jwks = json!({"keys": [other_jwk, jwk]});
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let iss = format!("{base}/tenant");
    let routes = Router::new()
        .route(
            "/.well-known/jwt-vc-issuer/tenant",
            json_route(json!({"issuer": iss, "jwks_uri": format!("{base}/jwks")}).to_string()),
        )
        .route("/jwks", json_route(jwks.to_string()))
        .route(
            "/.well-known/jwt-vc-issuer/inline",
            json_route(json!({"issuer": format!("{base}/inline"), "jwks": jwks}).to_string()),
        )
        .route(
            "/.well-known/jwt-vc-issuer/liar",
            json_route(json!({"issuer": "https://someone.else", "jwks": jwks}).to_string()),
        );
    tokio::spawn(async move { axum::serve(listener, routes).await.expect("serve") });
    let http = loopback_client();
    for (issuer, kid) in [(iss.clone(), "k1"), (format!("{base}/inline"), "k1")] {
        let sd = VcIssuance::new(VCT, subject())
            .issuer(&issuer)
            .key_id(kid)
            .sign(&p.issuer)
            .await
            .expect("issue");
        let key = resolve_issuer_key(&sd, IssuerKeySource::Metadata(&http), &Limits::default())
            .await
            .expect("key");
        assert_eq!(key.to_jwk().x, p.issuer.public_key().to_jwk().x);
        verify_vc(&sd, &key, &options(NOW, None)).expect("verify");
    }
    let liar = VcIssuance::new(VCT, subject())
        .issuer(&format!("{base}/liar"))
        .sign(&p.issuer)
        .await
        .expect("issue");
    assert!(matches!(
        resolve_issuer_key(&liar, IssuerKeySource::Metadata(&http), &Limits::default()).await,
        Err(SdJwtVcError::Metadata(_))
    ));
    let unknown_kid = VcIssuance::new(VCT, subject())
        .issuer(&iss)
        .key_id("nope")
        .sign(&p.issuer)
        .await
        .expect("issue");
    assert!(matches!(
        resolve_issuer_key(
            &unknown_kid,
            IssuerKeySource::Metadata(&http),
            &Limits::default()
        )
        .await,
        Err(SdJwtVcError::IssuerKey(_))
    ));
}

#[tokio::test]
async fn issuer_key_from_did_kid() {
    let p = parties();
    let did = saifu_did::key::did_key(p.issuer.public_key());
    let fragment = did.to_string().trim_start_matches("did:key:").to_owned();
    let kid = format!("{did}#{fragment}");
    let resolver = Resolver::new(loopback_client(), ResolverConfig::default());
    let sd = VcIssuance::new(VCT, subject())
        .issuer(&did.to_string())
        .key_id(&kid)
        .sign(&p.issuer)
        .await
        .expect("issue");
    let key = resolve_issuer_key(&sd, IssuerKeySource::Did(&resolver), &Limits::default())
        .await
        .expect("key");
    verify_vc(&sd, &key, &options(NOW, None)).expect("verify");
    // `kid` of another DID than `iss`.
    let stranger = saifu_did::key::did_key(signer(KeyType::Ed25519).public_key());
    let sd = VcIssuance::new(VCT, subject())
        .issuer(&stranger.to_string())
        .key_id(&kid)
        .sign(&p.issuer)
        .await
        .expect("issue");
    assert!(matches!(
        resolve_issuer_key(&sd, IssuerKeySource::Did(&resolver), &Limits::default()).await,
        Err(SdJwtVcError::IssuerKey(_))
    ));
}

#[tokio::test]
async fn type_metadata_with_integrity_and_extends() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let parent = json!({"vct": format!("{base}/types/base"), "name": "Base", "display": [{"locale": "en-US", "name": "Identity"}]}).to_string();
    let child = json!({
        "vct": format!("{base}/types/pid"),
        "extends": format!("{base}/types/base"),
        "extends#integrity": sri_sha256(parent.as_bytes()),
        "display": [{"locale": "de-DE", "name": "Personalausweis", "rendering": {"simple": {"background_color": "#12107c"}}}],
        "claims": [{"path": ["given_name"], "display": [{"locale": "de-DE", "label": "Vorname"}], "sd": "always"}, {"path": ["vct"], "sd": "never"}]
    }).to_string();
    let looped =
        json!({"vct": format!("{base}/types/loop"), "extends": format!("{base}/types/loop")})
            .to_string();
    let routes = Router::new()
        .route("/types/base", json_route(parent.clone()))
        .route("/types/pid", json_route(child.clone()))
        .route("/types/loop", json_route(looped))
        .route("/types/wrong", json_route(parent.clone()));
    tokio::spawn(async move { axum::serve(listener, routes).await.expect("serve") });
    let http = loopback_client();
    let resolver = TypeMetadataResolver::new(&http, 4);
    let chain = resolver
        .resolve(
            &format!("{base}/types/pid"),
            Some(&sri_sha256(child.as_bytes())),
        )
        .await
        .expect("resolve");
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[0].claims[0].display[0].label, "Vorname");
    assert_eq!(chain[0].claims[0].sd, SdPolicy::Always);
    assert_eq!(chain[1].display[0].name, "Identity");
    let bad = resolver
        .resolve(&format!("{base}/types/pid"), Some(&sri_sha256(b"other")))
        .await;
    assert!(matches!(bad, Err(SdJwtVcError::Integrity(_))));
    assert_eq!(
        resolver.resolve(&format!("{base}/types/loop"), None).await,
        Err(SdJwtVcError::ExtendsTooDeep(4))
    );
    assert!(matches!(
        resolver.resolve(&format!("{base}/types/wrong"), None).await,
        Err(SdJwtVcError::Metadata(_))
    ));
}

#[test]
fn sri_checks() {
    let doc = b"{}";
    check_integrity(doc, &sri_sha256(doc)).expect("sha256");
    // The strongest known algorithm decides; unknown algorithms are ignored.
    let sha256 = sri_sha256(doc);
    assert!(check_integrity(doc, &format!("md5-abc {sha256}")).is_ok());
    assert!(matches!(
        check_integrity(doc, "sha384-AAAA sha256-BBBB"),
        Err(SdJwtVcError::Integrity(_))
    ));
    assert!(matches!(
        check_integrity(doc, "md5-abc"),
        Err(SdJwtVcError::Integrity(_))
    ));
}
