//! What the OpenID4VC W3C formats cost on each side of a presentation: the wallet's `present`
//! (sign a VP-JWT / a Data Integrity presentation around one credential) and the verifier's
//! `verify` (presentation proof with its nonce and audience, then the credential's proof),
//! for `jwt_vc_json` and `ldp_vc`, measured side by side in one run. The issuer signs with
//! Ed25519 (as saifu nodes do), the holder with P-256 (the wallet's default key).
//!
//! Run: `cargo bench -p saifu-oid4vc --bench w3c_formats`.

use criterion::{Criterion, black_box};
use saifu_credential::w3c::contexts::{CREDENTIALS_V1, CREDENTIALS_V2};
use saifu_credential::w3c::datetime;
use saifu_credential::w3c::di::{self, ASSERTION_METHOD, ProofOptions};
use saifu_crypto::{Algorithm, KeyType, LocalSigner, PrivateKey};
use saifu_oid4vc::w3c::jwt_vc::{self, Binding, CredentialClaims};
use saifu_oid4vc::w3c::{Named, cryptosuite_for, did_key, did_key_method, ldp_vc};
use serde_json::{Map, Value, json};

const NOW: i64 = 1_800_000_000;
const BINDING: Binding<'static> = Binding {
    nonce: "n-0S6_WzA2Mj",
    audience: "redirect_uri:https://verifier.example/cb",
};

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(future)
}

/// The holder's P-256 key under its did:key method.
fn holder() -> LocalSigner {
    let key = PrivateKey::generate(KeyType::P256).expect("key");
    let method = did_key_method(key.public_key());
    LocalSigner::new(key).expect("signer").with_key_id(method)
}

/// The subject of every credential: the holder and two claims.
fn subject(holder: &LocalSigner) -> Map<String, Value> {
    let mut subject = Map::new();
    subject.insert(
        "id".into(),
        did_key(holder.private_key().public_key()).into(),
    );
    subject.insert("given_name".into(), "Hanako".into());
    subject.insert("degree".into(), "BSc Computer Science".into());
    subject
}

fn jwt_credential(issuer: &LocalSigner, holder: &LocalSigner) -> String {
    let did = did_key(issuer.private_key().public_key());
    let subject = subject(holder);
    let vc = json!({"@context": [CREDENTIALS_V1],
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "credentialSubject": subject});
    let claims = CredentialClaims {
        issuer: &did,
        subject: subject["id"].as_str(),
        issued_at: NOW - 60,
        expires_at: Some(NOW + 3600),
    };
    let signer = Named::did_key(issuer, Algorithm::EdDSA).expect("named");
    block_on(jwt_vc::sign_credential(
        vc.as_object().expect("object"),
        &claims,
        &signer,
    ))
    .expect("credential")
}

fn ldp_credential(issuer: &LocalSigner, holder: &LocalSigner) -> Value {
    let credential = json!({
        "@context": [CREDENTIALS_V2, "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "issuer": did_key(issuer.private_key().public_key()),
        "validFrom": datetime::format(NOW - 60),
        "credentialSubject": subject(holder),
    });
    let suite = cryptosuite_for(KeyType::Ed25519).expect("suite");
    let signer = Named::did_key(issuer, Algorithm::Ed25519).expect("named");
    let method = did_key_method(issuer.private_key().public_key());
    let options = ProofOptions::new(suite, method, ASSERTION_METHOD);
    block_on(di::add_proof(&credential, &options, &signer)).expect("credential")
}

fn main() {
    let issuer =
        LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).expect("key")).expect("signer");
    let holder = holder();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let mut criterion = Criterion::default().configure_from_args();

    let jwt = jwt_credential(&issuer, &holder);
    let vp_jwt = runtime
        .block_on(jwt_vc::sign_presentation(&jwt, &BINDING, NOW, &holder))
        .expect("vp");
    let mut group = criterion.benchmark_group("jwt_vc_json");
    group.bench_function("present", |b| {
        b.iter(|| {
            runtime.block_on(jwt_vc::sign_presentation(
                black_box(&jwt),
                &BINDING,
                NOW,
                &holder,
            ))
        })
    });
    group.bench_function("verify", |b| {
        b.iter(|| {
            let vp = jwt_vc::verify_presentation(black_box(&vp_jwt), &BINDING, NOW, 300, 60)
                .expect("vp");
            jwt_vc::verify_credential(&vp.credential, NOW, 60).expect("vc")
        })
    });
    group.finish();

    let ldp = ldp_credential(&issuer, &holder);
    let ldp_vp = runtime
        .block_on(ldp_vc::sign_presentation(&ldp, &BINDING, NOW, &holder))
        .expect("vp");
    let mut group = criterion.benchmark_group("ldp_vc");
    group.sample_size(20);
    group.bench_function("present", |b| {
        b.iter(|| {
            runtime.block_on(ldp_vc::sign_presentation(
                black_box(&ldp),
                &BINDING,
                NOW,
                &holder,
            ))
        })
    });
    group.bench_function("verify", |b| {
        b.iter(|| ldp_vc::verify_presentation(black_box(&ldp_vp), &BINDING, NOW).expect("vp"))
    });
    group.finish();
    criterion.final_summary();
}
