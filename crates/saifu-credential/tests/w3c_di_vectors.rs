//! The W3C Data Integrity TestVectors of vc-di-eddsa and vc-di-ecdsa, reproduced step by step:
//! canonical forms, hashes, signatures (byte for byte for deterministic Ed25519; ECDSA P-256 is
//! randomized, so their signature is verified and ours round-trips), proof sets and chains.
//!
//! Not covered: the P-384 ecdsa-rdfc-2019 / ecdsa-jcs-2019 folders (saifu-crypto has no P-384
//! keys), Ed25519Signature2020 (legacy suite), ecdsa-sd-2023 and bbs-2023 (selective
//! disclosure suites, not in this module yet).

mod w3c_support;

use saifu_credential::w3c::di::{
    self, ASSERTION_METHOD, Cryptosuite, DidKeyResolver, ProofExpectations, ProofOptions,
};
use saifu_credential::w3c::{JsonLdError, ProofError};
use saifu_crypto::{LocalSigner, PrivateKey};
use serde_json::Value;
use w3c_support::{read_json, read_text};

const EXPECT: ProofExpectations<'static> = ProofExpectations {
    purpose: ASSERTION_METHOD,
    challenge: None,
    domain: None,
    now: 1_700_000_000,
};

/// A proof configuration file as proof options (`@context` is added by the suite itself).
fn options(config: &Value) -> ProofOptions {
    let text = |name: &str| config.get(name).and_then(Value::as_str).map(str::to_owned);
    let suite = Cryptosuite::from_name(&text("cryptosuite").unwrap()).unwrap();
    let mut options = ProofOptions::new(
        suite,
        text("verificationMethod").unwrap(),
        text("proofPurpose").unwrap(),
    );
    options.created = text("created");
    options.id = text("id");
    options.previous_proof = config.get("previousProof").cloned();
    options
}

fn signer(secret_multibase: &str) -> LocalSigner {
    LocalSigner::new(PrivateKey::from_secret_multikey(secret_multibase).unwrap()).unwrap()
}

fn without_proof(signed: &Value) -> Value {
    let mut unsecured = signed.clone();
    unsecured.as_object_mut().unwrap().remove("proof");
    unsecured
}

fn trimmed(relative: &str) -> String {
    read_text(relative).trim().to_owned()
}

/// Checks the canonical forms and hashes of one vector folder; returns the signed document.
fn check_hashing(dir: &str, suffix: &str) -> Value {
    let signed = read_json(&format!("{dir}/signed{suffix}.json"));
    let config = read_json(&format!("{dir}/proofConfig{suffix}.json"));
    let suite = Cryptosuite::from_name(config["cryptosuite"].as_str().unwrap()).unwrap();
    let data = suite.hash_data(&without_proof(&signed), &config).unwrap();
    assert_eq!(
        data.canonical_document,
        read_text(&format!("{dir}/canonDoc{suffix}.txt")),
        "{dir} canonDoc"
    );
    assert_eq!(
        data.canonical_proof_config,
        read_text(&format!("{dir}/proofCanon{suffix}.txt")),
        "{dir} proofCanon"
    );
    assert_eq!(
        hex::encode(data.document_hash),
        trimmed(&format!("{dir}/docHash{suffix}.txt"))
    );
    assert_eq!(
        hex::encode(data.proof_hash),
        trimmed(&format!("{dir}/proofHash{suffix}.txt"))
    );
    assert_eq!(
        hex::encode(data.to_bytes()),
        trimmed(&format!("{dir}/combinedHash{suffix}.txt"))
    );
    signed
}

/// Ed25519 folders: hashes, then signing the unsigned input reproduces the signed document.
async fn check_eddsa(dir: &str, suffix: &str) {
    let signed = check_hashing(dir, suffix);
    let config = read_json(&format!("{dir}/proofConfig{suffix}.json"));
    let key = read_json("w3c-di/vc-di-eddsa/TestVectors/keyPair.json");
    let ours = di::add_proof(
        &without_proof(&signed),
        &options(&config),
        &signer(key["privateKeyMultibase"].as_str().unwrap()),
    )
    .await
    .unwrap();
    assert_eq!(ours, signed, "{dir}: our signed document");
    let proof_value = ours["proof"]["proofValue"].as_str().unwrap();
    assert_eq!(proof_value, trimmed(&format!("{dir}/sigBTC58{suffix}.txt")));
    let raw = bs58::decode(&proof_value[1..]).into_vec().unwrap();
    assert_eq!(
        hex::encode(raw),
        trimmed(&format!("{dir}/sigHex{suffix}.txt"))
    );
    di::verify_proofs(&signed, &EXPECT, &DidKeyResolver).unwrap();
}

#[tokio::test]
async fn eddsa_rdfc_2022_vectors() {
    check_eddsa("w3c-di/vc-di-eddsa/TestVectors/eddsa-rdfc-2022", "DataInt").await;
}

#[tokio::test]
async fn eddsa_jcs_2022_vectors() {
    check_eddsa("w3c-di/vc-di-eddsa/TestVectors/eddsa-jcs-2022", "JCS").await;
}

#[tokio::test]
async fn ecdsa_rdfc_2019_p256_vectors() {
    let key = read_json("w3c-di/vc-di-ecdsa/TestVectors/p256KeyPair.json");
    {
        let dir = "w3c-di/vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p256";
        let signed = check_hashing(dir, "ECDSAP256");
        assert_eq!(
            signed["proof"]["proofValue"].as_str().unwrap(),
            trimmed(&format!("{dir}/sigBTC58ECDSAP256.txt"))
        );
        di::verify_proofs(&signed, &EXPECT, &DidKeyResolver).unwrap();
        let config = read_json(&format!("{dir}/proofConfigECDSAP256.json"));
        let ours = di::add_proof(
            &without_proof(&signed),
            &options(&config),
            &signer(key["secretKeyMultibase"].as_str().unwrap()),
        )
        .await
        .unwrap();
        di::verify_proofs(&ours, &EXPECT, &DidKeyResolver).unwrap();
        let mut tampered = ours.clone();
        tampered["validFrom"] = "2020-01-01T00:00:00Z".into();
        assert_eq!(
            di::verify_proofs(&tampered, &EXPECT, &DidKeyResolver),
            Err(ProofError::InvalidSignature)
        );
    }
}

/// The two `employ/` vectors put a subject under two type-scoped contexts (`Person`,
/// `EmployablePerson`), which oxjsonld 0.2.7 expands wrongly (terms of one context vanish, so
/// they would not be signed). Until that is fixed upstream saifu refuses such documents with a
/// typed error instead of producing a wrong canonical form; this test pins that behaviour.
#[test]
fn employ_vectors_refused_until_expander_fixed() {
    for (dir, suffix) in [
        (
            "w3c-di/vc-di-eddsa/TestVectors/eddsa-rdfc-2022/employ",
            "DataInt",
        ),
        (
            "w3c-di/vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p256/employ",
            "ECDSAP256",
        ),
    ] {
        let signed = read_json(&format!("{dir}/signed{suffix}.json"));
        assert!(
            matches!(
                di::verify_proofs(&signed, &EXPECT, &DidKeyResolver),
                Err(ProofError::JsonLd(JsonLdError::Unsupported(_)))
            ),
            "{dir}"
        );
    }
}

/// Proof sets (two independent proofs) then chains (`previousProof`), built one proof at a
/// time from `unsigned.json`; each intermediate equals the vector file and verifies.
#[tokio::test]
async fn proof_sets_and_chains() {
    let dir = "w3c-di/vc-di-eddsa/TestVectors/proof-set-chain";
    let keys = read_json(&format!("{dir}/multiKeyPairs.json"));
    let mut document = read_json(&format!("{dir}/unsigned.json"));
    for (step, (config, key, expected)) in [
        ("proofSetConfig1", "keyPair1", "signedProofSet1"),
        ("proofSetConfig2", "keyPair2", "signedProofSet2"),
        ("proofChainConfig1", "keyPair3", "signedProofChain1"),
        ("proofChainConfig2", "keyPair4", "signedProofChain2"),
    ]
    .into_iter()
    .enumerate()
    {
        let config = read_json(&format!("{dir}/{config}.json"));
        let signer = signer(keys[key]["privateKeyMultibase"].as_str().unwrap());
        document = di::add_proof(&document, &options(&config), &signer)
            .await
            .unwrap();
        let expected = read_json(&format!("{dir}/{expected}.json"));
        // A set of one is serialized as a single object, like the first vector file.
        let normalize = |v: &Value| match &v["proof"] {
            Value::Array(items) => items.clone(),
            one => vec![one.clone()],
        };
        assert_eq!(
            normalize(&document),
            normalize(&expected),
            "step {step}: {expected}"
        );
        let verified = di::verify_proofs(&expected, &EXPECT, &DidKeyResolver).unwrap();
        assert_eq!(verified.len(), step + 1);
    }
}
