//! The `keys`, `did` and `jws` commands, run as a user would: the real binary, real files.

mod common;

use std::path::Path;
use std::process::Output;

use common::{failed, ok};

use serde_json::Value;

const KEY: &str = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";

fn saifu(dir: &Path, args: &[&str], envs: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
    common::run(dir, args, envs, stdin)
}

#[test]
fn did_resolve_json_prints_a_resolution_result_with_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&saifu(
        dir.path(),
        &["did", "resolve", KEY, "--json"],
        &[],
        None,
    ));
    let result: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        result["didResolutionMetadata"]["contentType"],
        "application/did+json"
    );
    assert!(result["didDocumentMetadata"].is_object());
    let vm = &result["didDocument"]["verificationMethod"][0];
    assert_eq!(
        vm["publicKeyMultibase"],
        "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
    );
    assert_eq!(vm["controller"], KEY);
    // Without --json: the DID document itself.
    let doc: Value =
        serde_json::from_str(&ok(&saifu(dir.path(), &["did", "resolve", KEY], &[], None))).unwrap();
    assert_eq!(doc["id"], KEY);
}

#[test]
fn did_resolve_rejects_malformed_dids_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let err = failed(&saifu(
        dir.path(),
        &["did", "resolve", "did:Key:abc"],
        &[],
        None,
    ));
    assert!(err.contains("error:") && err.contains("hint:"), "{err}");
    let out = saifu(
        dir.path(),
        &["did", "resolve", "did:foo:bar", "--json"],
        &[],
        None,
    );
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        result["didResolutionMetadata"]["error"],
        "methodNotSupported"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn generate_sign_verify_for_every_algorithm() {
    let dir = tempfile::tempdir().unwrap();
    for alg in ["EdDSA", "ES256", "ES256K", "ML-DSA-44", "ML-DSA-65"] {
        let file = format!("{alg}.jwk");
        ok(&saifu(
            dir.path(),
            &["keys", "generate", "--alg", alg, "--out", &file],
            &[],
            None,
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(&file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{alg} key file must be private");
        }
        let public: Value = serde_json::from_str(&ok(&saifu(
            dir.path(),
            &["keys", "public", &file],
            &[],
            None,
        )))
        .unwrap();
        assert!(
            public.get("d").is_none() && public.get("priv").is_none(),
            "{alg}: {public}"
        );

        let token = ok(&saifu(
            dir.path(),
            &["jws", "sign", "--key", &file, "--typ", "example+jwt"],
            &[],
            Some(b"{\"n\":1}"),
        ));
        std::fs::write(dir.path().join("t.jws"), &token).unwrap();
        let payload = ok(&saifu(
            dir.path(),
            &["jws", "verify", "t.jws", "--key", &file],
            &[],
            None,
        ));
        assert_eq!(payload, "{\"n\":1}");
        let report: Value = serde_json::from_str(&ok(&saifu(
            dir.path(),
            &["--json", "jws", "verify", "t.jws", "--key", &file],
            &[],
            None,
        )))
        .unwrap();
        assert_eq!(report["verified"], true);
        assert_eq!(report["payload"]["n"], 1);
        assert_eq!(report["protectedHeader"]["typ"], "example+jwt");
    }
}

#[test]
fn verify_refuses_a_disallowed_algorithm_and_another_key() {
    let dir = tempfile::tempdir().unwrap();
    ok(&saifu(
        dir.path(),
        &["keys", "generate", "--alg", "ES256", "--out", "a.jwk"],
        &[],
        None,
    ));
    ok(&saifu(
        dir.path(),
        &["keys", "generate", "--alg", "ES256", "--out", "b.jwk"],
        &[],
        None,
    ));
    let token = ok(&saifu(
        dir.path(),
        &["jws", "sign", "--key", "a.jwk"],
        &[],
        Some(b"x"),
    ));
    std::fs::write(dir.path().join("t.jws"), token).unwrap();
    let err = failed(&saifu(
        dir.path(),
        &["jws", "verify", "t.jws", "--key", "a.jwk", "--alg", "EdDSA"],
        &[],
        None,
    ));
    assert!(
        err.contains("JWS algorithm ES256 is not allowed here"),
        "{err}"
    );
    let err = failed(&saifu(
        dir.path(),
        &["jws", "verify", "t.jws", "--key", "b.jwk"],
        &[],
        None,
    ));
    assert!(err.contains("signature verification failed"), "{err}");
    let err = failed(&saifu(dir.path(), &["jws", "verify", "t.jws"], &[], None));
    assert!(err.contains("no `kid`"), "{err}");
}

#[test]
fn never_overwrites_an_existing_key_file() {
    let dir = tempfile::tempdir().unwrap();
    ok(&saifu(
        dir.path(),
        &["keys", "generate", "--alg", "EdDSA", "--out", "k.jwk"],
        &[],
        None,
    ));
    let before = std::fs::read(dir.path().join("k.jwk")).unwrap();
    let err = failed(&saifu(
        dir.path(),
        &["keys", "generate", "--alg", "EdDSA", "--out", "k.jwk"],
        &[],
        None,
    ));
    assert!(err.contains("k.jwk"), "{err}");
    assert_eq!(std::fs::read(dir.path().join("k.jwk")).unwrap(), before);
}

#[test]
fn encrypted_key_files_need_the_right_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let pass = [("SAIFU_PASSPHRASE", "correct horse")];
    ok(&saifu(
        dir.path(),
        &[
            "keys",
            "generate",
            "--alg",
            "EdDSA",
            "--encrypt",
            "--out",
            "e.key",
        ],
        &pass,
        None,
    ));
    // The public half is readable without the passphrase.
    ok(&saifu(dir.path(), &["keys", "public", "e.key"], &[], None));
    let token = ok(&saifu(
        dir.path(),
        &["jws", "sign", "--key", "e.key"],
        &pass,
        Some(b"x"),
    ));
    assert_eq!(token.split('.').count(), 3);
    let err = failed(&saifu(
        dir.path(),
        &["jws", "sign", "--key", "e.key"],
        &[("SAIFU_PASSPHRASE", "wrong")],
        Some(b"x"),
    ));
    assert!(err.contains("wrong passphrase"), "{err}");
    // An empty SAIFU_PASSPHRASE counts as unset: no key is ever encrypted under "".
    let err = failed(&saifu(
        dir.path(),
        &[
            "keys",
            "generate",
            "--alg",
            "EdDSA",
            "--encrypt",
            "--out",
            "empty.key",
        ],
        &[("SAIFU_PASSPHRASE", "")],
        None,
    ));
    assert!(err.contains("a passphrase is required"), "{err}");
    assert!(!dir.path().join("empty.key").exists());
    // No terminal and no SAIFU_PASSPHRASE: a clear error, not a hang.
    let err = failed(&saifu(
        dir.path(),
        &["jws", "sign", "--key", "e.key", "-"],
        &[],
        None,
    ));
    assert!(
        err.contains("a passphrase is required") && err.contains("SAIFU_PASSPHRASE"),
        "{err}"
    );
}

#[test]
fn a_did_signed_jws_verifies_through_its_kid() {
    let dir = tempfile::tempdir().unwrap();
    for method in ["key", "jwk"] {
        let file = format!("{method}.jwk");
        let created: Value = serde_json::from_str(&ok(&saifu(
            dir.path(),
            &[
                "--json", "did", "create", method, "--alg", "ES256", "--out", &file,
            ],
            &[],
            None,
        )))
        .unwrap();
        let kid = created["didDocument"]["assertionMethod"][0]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(kid.starts_with(&format!("did:{method}:")), "{kid}");
        let token = ok(&saifu(
            dir.path(),
            &["jws", "sign", "--key", &file, "--kid", &kid],
            &[],
            Some(b"hello"),
        ));
        std::fs::write(dir.path().join("t.jws"), token).unwrap();
        assert_eq!(
            ok(&saifu(dir.path(), &["jws", "verify", "t.jws"], &[], None)),
            "hello"
        );
    }
}

#[test]
fn did_web_create_writes_the_document_to_host() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&saifu(
        dir.path(),
        &[
            "did",
            "create",
            "web",
            "--url",
            "https://uni.example/issuer",
            "--out",
            "w.jwk",
            "--document",
            "did.json",
        ],
        &[],
        None,
    ));
    assert_eq!(out.trim(), "did:web:uni.example:issuer");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("did.json")).unwrap())
            .unwrap();
    assert_eq!(doc["id"], "did:web:uni.example:issuer");
    let out = ok(&saifu(
        dir.path(),
        &[
            "did",
            "create",
            "web",
            "--url",
            "https://uni.example",
            "--key",
            "w.jwk",
        ],
        &[],
        None,
    ));
    assert!(out.starts_with("did:web:uni.example\n"), "{out}");
    let err = failed(&saifu(
        dir.path(),
        &[
            "did",
            "create",
            "web",
            "--url",
            "https://10.0.0.1/x",
            "--out",
            "w2.jwk",
        ],
        &[],
        None,
    ));
    assert!(err.contains("hint:"), "{err}");
}
