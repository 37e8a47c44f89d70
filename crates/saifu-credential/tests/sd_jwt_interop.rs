//! Round trips with independent SD-JWT implementations, both directions, with KB-JWTs:
//!
//! * Python `sd-jwt==0.10.4` (`interop/python/sd_jwt_peer.py`, venv from
//!   `interop/python/requirements.txt`; interpreter from `$SAIFU_PYTHON`, default
//!   `.venv/bin/python` at the repository root). Issuer ES256 and EdDSA; its KB-JWTs are ES256
//!   only, so holder keys are P-256.
//! * npm `@sd-jwt/core` + `@sd-jwt/sd-jwt-vc` + `@sd-jwt/crypto-nodejs` 0.19.0
//!   (`interop/sd-jwt/peer.mjs`, `npm ci --prefix interop`). ES256 and EdDSA for issuer and
//!   holder, plain SD-JWT and SD-JWT VC.
//!
//! A missing peer fails the test with the command that installs it; nothing is skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use saifu_credential::sd_jwt::{
    self, ClaimPath, Issuance, KeyBindingPolicy, KeyBindingRequest, Limits, SdJwt, VerifyOptions,
};
use saifu_credential::sd_jwt_vc::{VcIssuance, VcVerifyOptions, verify_vc};
use saifu_credential::status::ReferenceOptions;
use saifu_crypto::{Algorithm, KeyType, LocalSigner, PrivateKey, Signer};
use saifu_test_support::{require_npm_package, run_json_peer};
use serde_json::{Map, Value, json};

const ALGS: &[Algorithm] = &[Algorithm::ES256, Algorithm::EdDSA, Algorithm::Ed25519];
const AUD: &str = "https://verifier.example/interop";
const NONCE: &str = "interop-nonce-4711";
const VCT: &str = "https://credentials.example/identity";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn now() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    i64::try_from(since.as_secs()).expect("seconds fit i64")
}

/// A peer process speaking one JSON request / one JSON answer.
struct Peer {
    program: PathBuf,
    script: PathBuf,
}

impl Peer {
    fn python() -> Peer {
        let program = std::env::var_os("SAIFU_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo_root().join(".venv/bin/python"));
        let ok = Command::new(&program)
            .args(["-c", "import sd_jwt, jwcrypto"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "Python SD-JWT peer missing ({}): run `python3 -m venv .venv && .venv/bin/pip install -r \
             interop/python/requirements.txt` at the repository root, or set SAIFU_PYTHON",
            program.display()
        );
        Peer {
            program,
            script: repo_root().join("interop/python/sd_jwt_peer.py"),
        }
    }

    fn node() -> Peer {
        for package in ["core", "sd-jwt-vc", "crypto-nodejs"] {
            require_npm_package(&format!("@sd-jwt/{package}"), None);
        }
        Peer {
            program: PathBuf::from("node"),
            script: repo_root().join("interop/sd-jwt/peer.mjs"),
        }
    }

    fn call(&self, request: &Value) -> Value {
        let mut command = Command::new(&self.program);
        command.arg(&self.script);
        run_json_peer(command, request)
            .unwrap_or_else(|stderr| panic!("{} failed: {stderr}", self.script.display()))
    }

    /// Calls and returns `field` of the answer, failing with the peer's error.
    fn expect(&self, request: &Value, field: &str) -> Value {
        let answer = self.call(request);
        match answer.get(field) {
            Some(v) => v.clone(),
            None => panic!("{} failed: {answer}", self.script.display()),
        }
    }
}

fn signer(key_type: KeyType) -> LocalSigner {
    let s = LocalSigner::new(PrivateKey::generate(key_type).expect("key")).expect("signer");
    // Peers predate RFC 9864: Ed25519 keys sign under the polymorphic `EdDSA` name.
    match key_type {
        KeyType::Ed25519 => s.with_algorithm(Algorithm::EdDSA).expect("EdDSA"),
        _ => s,
    }
}

fn private_jwk(s: &LocalSigner) -> Value {
    serde_json::to_value(s.private_key().to_jwk()).expect("jwk")
}

fn public_jwk(s: &LocalSigner) -> Value {
    serde_json::to_value(s.public_key().to_jwk()).expect("jwk")
}

fn claims() -> Map<String, Value> {
    json!({
        "iss": "https://issuer.example",
        "given_name": "Erika",
        "family_name": "Mustermann",
        "address": {"street_address": "Heidestraße 17", "locality": "Köln", "country": "DE"},
        "nationalities": ["DE", "FR", "JP"]
    })
    .as_object()
    .expect("object")
    .clone()
}

/// Disclosable: flat, recursive (address and its street) and array elements.
fn disclosable() -> Value {
    json!([
        ["given_name"],
        ["family_name"],
        ["address"],
        ["address", "street_address"],
        ["nationalities", 0],
        ["nationalities", 2]
    ])
}

/// Revealed: a flat claim, a claim inside a recursive disclosure (its parent follows), one element.
fn disclose() -> Value {
    json!([
        ["given_name"],
        ["address", "street_address"],
        ["nationalities", 2]
    ])
}

fn paths(v: &Value) -> Vec<ClaimPath> {
    v.as_array()
        .expect("paths")
        .iter()
        .map(|p| ClaimPath::from_json(p).expect("path"))
        .collect()
}

fn kb_policy(now: i64) -> KeyBindingPolicy<'static> {
    KeyBindingPolicy {
        audience: AUD,
        nonce: NONCE,
        now,
        max_age: 300,
        skew: 60,
        allowed_algorithms: ALGS,
    }
}

fn verify_ours(presentation: &str, issuer: &LocalSigner, now: i64) -> Value {
    let sd = SdJwt::parse_compact(presentation, &Limits::default()).expect("parse peer output");
    let options = VerifyOptions {
        allowed_algorithms: ALGS,
        limits: Limits::default(),
        key_binding: Some(kb_policy(now)),
    };
    let verified = sd_jwt::verify(&sd, issuer.public_key(), &options).expect("we verify the peer");
    Value::Object(verified.claims)
}

async fn our_presentation(issuer: &LocalSigner, holder: &LocalSigner, now: i64) -> String {
    let mut issuance = Issuance::new(claims())
        .header("typ", json!("example+sd-jwt"))
        .decoys(1)
        .holder_key(&holder.public_key().to_jwk());
    for p in paths(&disclosable()) {
        issuance = issuance.disclosable(p);
    }
    let request = KeyBindingRequest {
        audience: AUD,
        nonce: NONCE,
        issued_at: now,
    };
    issuance
        .sign(issuer)
        .await
        .expect("issue")
        .present_with_key_binding(&paths(&disclose()), &request, holder)
        .await
        .expect("present")
        .to_compact()
}

fn expected_disclosed() -> (Value, Value, Value) {
    (
        json!("Erika"),
        json!({"street_address": "Heidestraße 17", "locality": "Köln", "country": "DE"}),
        json!(["FR", "JP"]),
    )
}

fn assert_disclosed(claims: &Value) {
    let (given, address, nationalities) = expected_disclosed();
    assert_eq!(claims["given_name"], given, "{claims}");
    assert_eq!(claims["address"], address, "{claims}");
    assert_eq!(claims["nationalities"], nationalities, "{claims}");
    assert!(claims.get("family_name").is_none(), "{claims}");
}

#[tokio::test]
async fn python_sd_jwt_verifies_ours() {
    let python = Peer::python();
    for issuer_type in [KeyType::P256, KeyType::Ed25519] {
        let (issuer, holder) = (signer(issuer_type), signer(KeyType::P256));
        let now = now();
        let presentation = our_presentation(&issuer, &holder, now).await;
        let theirs = python.expect(
            &json!({"op": "verify", "presentation": presentation, "issuer_jwk": public_jwk(&issuer), "aud": AUD, "nonce": NONCE}),
            "claims",
        );
        let ours = verify_ours(&presentation, &issuer, now);
        assert_eq!(theirs, ours, "{issuer_type:?}");
        assert_disclosed(&ours);
    }
}

#[tokio::test]
async fn we_verify_python_sd_jwt() {
    let python = Peer::python();
    for issuer_type in [KeyType::P256, KeyType::Ed25519] {
        let (issuer, holder) = (signer(issuer_type), signer(KeyType::P256));
        let alg = issuer.algorithm().jose_name();
        let presentation = python.expect(
            &json!({
                "op": "issue_present", "alg": alg, "issuer_jwk": private_jwk(&issuer),
                "holder_jwk": private_jwk(&holder), "claims": claims(), "disclosable": disclosable(),
                "disclose": disclose(), "aud": AUD, "nonce": NONCE, "typ": "example+sd-jwt"
            }),
            "presentation",
        );
        let presentation = presentation.as_str().expect("string");
        // Its KB-JWT carries the real time.
        let ours = verify_ours(presentation, &issuer, now());
        let theirs = python.expect(
            &json!({"op": "verify", "presentation": presentation, "issuer_jwk": public_jwk(&issuer), "aud": AUD, "nonce": NONCE}),
            "claims",
        );
        assert_eq!(ours, theirs, "{alg}");
        assert_disclosed(&ours);
    }
}

#[tokio::test]
async fn npm_sd_jwt_verifies_ours() {
    let node = Peer::node();
    for key_type in [KeyType::P256, KeyType::Ed25519] {
        let (issuer, holder) = (signer(key_type), signer(key_type));
        let now = now();
        let presentation = our_presentation(&issuer, &holder, now).await;
        let theirs = node.expect(
            &json!({"op": "verify", "presentation": presentation, "issuer_jwk": public_jwk(&issuer), "alg": issuer.algorithm().jose_name(), "aud": AUD, "nonce": NONCE, "now": now, "vc": false}),
            "claims",
        );
        let ours = verify_ours(&presentation, &issuer, now);
        assert_eq!(theirs, ours, "{key_type:?}");
        assert_disclosed(&ours);
    }
}

#[tokio::test]
async fn we_verify_npm_sd_jwt() {
    let node = Peer::node();
    for key_type in [KeyType::P256, KeyType::Ed25519] {
        let (issuer, holder) = (signer(key_type), signer(key_type));
        let now = now();
        let alg = issuer.algorithm().jose_name();
        let presentation = node.expect(
            &json!({
                "op": "issue_present", "alg": alg, "issuer_jwk": private_jwk(&issuer),
                "holder_jwk": private_jwk(&holder), "claims": claims(), "disclosable": disclosable(),
                "disclose": disclose(), "aud": AUD, "nonce": NONCE, "iat": now, "vc": false
            }),
            "presentation",
        );
        let presentation = presentation.as_str().expect("string");
        let ours = verify_ours(presentation, &issuer, now);
        let theirs = node.expect(
            &json!({"op": "verify", "presentation": presentation, "issuer_jwk": public_jwk(&issuer), "alg": alg, "aud": AUD, "nonce": NONCE, "now": now, "vc": false}),
            "claims",
        );
        assert_eq!(ours, theirs, "{alg}");
        assert_disclosed(&ours);
    }
}

fn vc_options(now: i64) -> VcVerifyOptions<'static> {
    VcVerifyOptions {
        sd_jwt: VerifyOptions {
            allowed_algorithms: ALGS,
            limits: Limits::default(),
            key_binding: Some(kb_policy(now)),
        },
        now,
        skew: 60,
        accept_legacy_typ: false,
        status: ReferenceOptions::default(),
    }
}

#[tokio::test]
async fn sd_jwt_vc_round_trips_with_npm() {
    let node = Peer::node();
    for key_type in [KeyType::P256, KeyType::Ed25519] {
        let (issuer, holder) = (signer(key_type), signer(key_type));
        let alg = issuer.algorithm().jose_name();
        let now = now();
        // Ours → npm SDJwtVcInstance.
        let mut vc = VcIssuance::new(VCT, claims())
            .validity(Some(now - 10), None, Some(now + 3600))
            .holder_key(&holder.public_key().to_jwk());
        for p in paths(&disclosable()) {
            vc = vc.disclosable(p);
        }
        let request = KeyBindingRequest {
            audience: AUD,
            nonce: NONCE,
            issued_at: now,
        };
        let ours = vc
            .sign(&issuer)
            .await
            .expect("issue")
            .present_with_key_binding(&paths(&disclose()), &request, &holder)
            .await
            .expect("present");
        let theirs = node.expect(
            &json!({"op": "verify", "presentation": ours.to_compact(), "issuer_jwk": public_jwk(&issuer), "alg": alg, "aud": AUD, "nonce": NONCE, "now": now, "vc": true}),
            "claims",
        );
        let verified =
            verify_vc(&ours, issuer.public_key(), &vc_options(now)).expect("verify ours");
        assert_eq!(theirs, Value::Object(verified.claims().clone()), "{alg}");
        // npm SDJwtVcInstance → ours.
        let mut vc_claims = claims();
        vc_claims.insert("vct".into(), json!(VCT));
        vc_claims.insert("iat".into(), json!(now - 10));
        vc_claims.insert("exp".into(), json!(now + 3600));
        let presentation = node.expect(
            &json!({
                "op": "issue_present", "alg": alg, "issuer_jwk": private_jwk(&issuer),
                "holder_jwk": private_jwk(&holder), "claims": vc_claims, "disclosable": disclosable(),
                "disclose": disclose(), "aud": AUD, "nonce": NONCE, "iat": now, "vc": true
            }),
            "presentation",
        );
        let sd = SdJwt::parse_compact(presentation.as_str().expect("string"), &Limits::default())
            .expect("parse");
        let verified = verify_vc(&sd, issuer.public_key(), &vc_options(now))
            .expect("we verify npm's SD-JWT VC");
        assert_eq!(verified.vct, VCT);
        assert_disclosed(&Value::Object(verified.claims().clone()));
    }
}
