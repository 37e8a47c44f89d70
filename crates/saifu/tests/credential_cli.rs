//! The `credential` and `status-list` commands, run as a user would: the real binary, real files.

mod common;

use std::path::Path;
use std::process::Output;

use common::{failed, ok};

use serde_json::Value;

const AUD: &str = "https://verifier.example";
const NONCE: &str = "n-0S6_WzA2Mj";
const STATUS_URI: &str = "https://issuer.example/status/1";

const CLAIMS: &str = r#"{
  "given_name": "Erika",
  "family_name": "Mustermann",
  "address": {"street": "Heidestraße 17", "locality": "Köln"},
  "nationalities": ["DE", "FR"]
}"#;

fn saifu(dir: &Path, args: &[&str]) -> Output {
    common::run(dir, args, &[], None)
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// Issuer key `issuer.jwk` (+ `issuer.pub.jwk`), holder key `holder.jwk`, claims `claims.json`.
fn setup(dir: &Path, issuer_alg: &str) {
    ok(&saifu(
        dir,
        &[
            "keys",
            "generate",
            "--alg",
            issuer_alg,
            "--out",
            "issuer.jwk",
        ],
    ));
    let public = ok(&saifu(dir, &["keys", "public", "issuer.jwk"]));
    write(dir, "issuer.pub.jwk", &public);
    ok(&saifu(
        dir,
        &["keys", "generate", "--alg", "EdDSA", "--out", "holder.jwk"],
    ));
    write(dir, "claims.json", CLAIMS);
}

/// Issues a holder-bound credential into `cred.sdjwt` with `extra` flags.
fn issue(dir: &Path, extra: &[&str]) {
    let mut args = vec![
        "credential",
        "issue",
        "--format",
        "sd-jwt-vc",
        "--vct",
        "https://example.com/pid",
        "--claims",
        "claims.json",
        "--sd",
        "/given_name,/family_name,/address/street",
        "--sd",
        "/nationalities/1",
        "--issuer-key",
        "issuer.jwk",
        "--holder-key",
        "holder.jwk",
        "--valid-for",
        "365d",
    ];
    args.extend_from_slice(extra);
    let credential = ok(&saifu(dir, &args));
    write(dir, "cred.sdjwt", &credential);
}

/// Presents `cred.sdjwt` into `pres.sdjwt`, revealing given_name, the street and the 2nd
/// nationality, with key binding.
fn present(dir: &Path) {
    let presentation = ok(&saifu(
        dir,
        &[
            "credential",
            "present",
            "cred.sdjwt",
            "--disclose",
            "/given_name,/address/street",
            "--disclose",
            "/nationalities/1",
            "--holder-key",
            "holder.jwk",
            "--aud",
            AUD,
            "--nonce",
            NONCE,
        ],
    ));
    write(dir, "pres.sdjwt", &presentation);
}

fn verify_args<'a>(file: &'a str, aud: &'a str, nonce: &'a str) -> Vec<&'a str> {
    vec![
        "credential",
        "verify",
        file,
        "--issuer-key",
        "issuer.pub.jwk",
        "--aud",
        aud,
        "--nonce",
        nonce,
    ]
}

/// The claims a verifier sees, without the per-issuance `iat`, `exp` and `cnf`.
fn subject_claims(mut claims: Value) -> Value {
    let map = claims.as_object_mut().unwrap();
    for name in ["iat", "exp", "cnf"] {
        assert!(map.remove(name).is_some(), "{name} missing: {map:?}");
    }
    claims
}

fn round_trip(issuer_alg: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir, issuer_alg);
    issue(dir, &[]);
    present(dir);
    let claims: Value =
        serde_json::from_str(&ok(&saifu(dir, &verify_args("pres.sdjwt", AUD, NONCE)))).unwrap();
    subject_claims(claims)
}

#[test]
fn issue_present_verify_round_trip_for_eddsa_and_es256() {
    let eddsa = round_trip("EdDSA");
    let es256 = round_trip("ES256");
    assert_eq!(eddsa, es256);
    assert_eq!(
        eddsa,
        serde_json::json!({
            "given_name": "Erika",
            "address": {"street": "Heidestraße 17", "locality": "Köln"},
            "nationalities": ["DE", "FR"],
            "vct": "https://example.com/pid",
        }),
        "family_name was not disclosed; everything asked for was"
    );
}

#[test]
fn verify_json_lists_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir, "ES256");
    issue(dir, &[]);
    present(dir);
    let mut args = verify_args("pres.sdjwt", AUD, NONCE);
    args.push("--json");
    let report: Value = serde_json::from_str(&ok(&saifu(dir, &args))).unwrap();
    assert_eq!(report["verified"], true);
    assert_eq!(report["vct"], "https://example.com/pid");
    assert_eq!(report["issuer"], Value::Null);
    // Without `iss`, the report still names the key that signed.
    assert!(
        report["issuerKey"]["source"]
            .as_str()
            .unwrap()
            .starts_with("--issuer-key")
    );
    assert_eq!(
        report["issuerKey"]["thumbprint"].as_str().unwrap().len(),
        43
    );
    assert_eq!(report["claims"]["given_name"], "Erika");
    assert_eq!(report["keyBinding"]["aud"], AUD);
    assert_eq!(report["keyBinding"]["nonce"], NONCE);
    let checks = report["checks"].as_array().unwrap();
    let outcome = |name: &str| {
        checks
            .iter()
            .find(|c| c["check"] == name)
            .unwrap_or_else(|| panic!("no {name} check in {checks:?}"))["outcome"]
            .clone()
    };
    for name in [
        "format",
        "issuer_key",
        "typ",
        "issuer_signature",
        "disclosures",
        "key_binding",
        "key_binding_freshness",
        "key_binding_audience",
        "key_binding_nonce",
        "key_binding_sd_hash",
        "claims",
        "validity_period",
    ] {
        assert_eq!(outcome(name), "passed", "{name}");
    }
    assert_eq!(outcome("status"), "skipped", "no status reference");

    // Without --aud/--nonce a plain presentation verifies, key binding reported as skipped.
    let plain = ok(&saifu(
        dir,
        &[
            "credential",
            "present",
            "cred.sdjwt",
            "--disclose",
            "/given_name",
        ],
    ));
    write(dir, "plain.sdjwt", &plain);
    let report: Value = serde_json::from_str(&ok(&saifu(
        dir,
        &[
            "credential",
            "verify",
            "plain.sdjwt",
            "--issuer-key",
            "issuer.pub.jwk",
            "--json",
        ],
    )))
    .unwrap();
    assert_eq!(report["keyBinding"], Value::Null);
    assert_eq!(report["claims"]["given_name"], "Erika");
    assert!(report["claims"].get("family_name").is_none());
    let kb = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "key_binding")
        .unwrap()
        .clone();
    assert_eq!(kb["outcome"], "skipped");
}

/// Runs a failing verify in text and JSON mode; checks the error text and the failed check.
fn assert_rejected(dir: &Path, args: &[&str], check: &str, message: &str) {
    let err = failed(&saifu(dir, args));
    assert!(
        err.contains(&format!("error: {check} check failed: ")) && err.contains(message),
        "{err}"
    );
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let out = saifu(dir, &json_args);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verified"], false);
    let failed: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1, "{report}");
    assert_eq!(failed[0]["check"], check);
    assert!(
        failed[0]["detail"].as_str().unwrap().contains(message),
        "{report}"
    );
}

#[test]
fn verify_rejects_wrong_nonce_audience_tampering_and_issuer_key() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir, "EdDSA");
    issue(dir, &[]);
    present(dir);

    assert_rejected(
        dir,
        &verify_args("pres.sdjwt", AUD, "another-nonce"),
        "key_binding_nonce",
        "KB-JWT `nonce` does not match",
    );
    assert_rejected(
        dir,
        &verify_args("pres.sdjwt", "https://evil.example", NONCE),
        "key_binding_audience",
        "KB-JWT `aud` does not match",
    );

    // Tampered disclosure: "Erika" becomes "Mallory" in the given_name disclosure.
    let presentation = std::fs::read_to_string(dir.join("pres.sdjwt")).unwrap();
    let mut parts: Vec<String> = presentation.trim().split('~').map(str::to_owned).collect();
    let position = parts[1..parts.len() - 1]
        .iter()
        .position(|d| {
            let json = saifu_crypto::b64::decode(d, "disclosure").unwrap();
            String::from_utf8(json).unwrap().contains("Erika")
        })
        .expect("given_name disclosure")
        + 1;
    let json = saifu_crypto::b64::decode(&parts[position], "disclosure").unwrap();
    let tampered = String::from_utf8(json).unwrap().replace("Erika", "Mallory");
    parts[position] = saifu_crypto::b64::encode(tampered);
    write(dir, "tampered.sdjwt", &parts.join("~"));
    assert_rejected(
        dir,
        &verify_args("tampered.sdjwt", AUD, NONCE),
        "disclosures",
        "is not referenced by the SD-JWT",
    );

    // Another issuer's key.
    ok(&saifu(
        dir,
        &["keys", "generate", "--alg", "EdDSA", "--out", "other.jwk"],
    ));
    let mut args = verify_args("pres.sdjwt", AUD, NONCE);
    args[4] = "other.jwk";
    assert_rejected(
        dir,
        &args,
        "issuer_signature",
        "signature verification failed",
    );

    // A KB-JWT the verifier was not asked to check is refused, not ignored.
    let err = failed(&saifu(
        dir,
        &[
            "credential",
            "verify",
            "pres.sdjwt",
            "--issuer-key",
            "issuer.pub.jwk",
        ],
    ));
    assert!(err.contains("error: key_binding check failed"), "{err}");
    assert!(err.contains("pass --aud and --nonce"), "{err}");
}

#[test]
fn sd_path_that_names_nothing_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir, "EdDSA");
    let err = failed(&saifu(
        dir,
        &[
            "credential",
            "issue",
            "--vct",
            "https://example.com/pid",
            "--claims",
            "claims.json",
            "--sd",
            "/given_name,/adress/street",
            "--issuer-key",
            "issuer.jwk",
        ],
    ));
    assert!(
        err.contains("error: claim path /adress/street does not exist"),
        "{err}"
    );
    assert!(err.contains("hint: paths are JSON pointers"), "{err}");

    // The holder's side: a path naming nothing is refused as well.
    issue(dir, &[]);
    let err = failed(&saifu(
        dir,
        &[
            "credential",
            "present",
            "cred.sdjwt",
            "--disclose",
            "/nationalities/5",
        ],
    ));
    assert!(
        err.contains("error: claim path /nationalities/5 does not exist"),
        "{err}"
    );

    // Registered claims can never be selectively disclosable.
    let err = failed(&saifu(
        dir,
        &[
            "credential",
            "issue",
            "--vct",
            "x",
            "--claims",
            "claims.json",
            "--sd",
            "/vct",
            "--issuer-key",
            "issuer.jwk",
        ],
    ));
    assert!(
        err.contains("`vct` must not be selectively disclosable"),
        "{err}"
    );
}

#[test]
fn present_refuses_a_holder_key_the_credential_is_not_bound_to() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir, "EdDSA");
    issue(dir, &[]);
    let err = failed(&saifu(
        dir,
        &[
            "credential",
            "present",
            "cred.sdjwt",
            "--holder-key",
            "issuer.jwk",
            "--aud",
            AUD,
            "--nonce",
            NONCE,
        ],
    ));
    assert!(
        err.contains("is not the key the credential is bound to"),
        "{err}"
    );
}

#[test]
fn verify_resolves_the_issuer_key_from_a_did_key_kid() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir, "EdDSA");
    let did = ok(&saifu(dir, &["did", "create", "key", "--out", "did.jwk"]));
    let did = did.trim();
    let kid = format!("{did}#{}", did.strip_prefix("did:key:").unwrap());
    let credential = ok(&saifu(
        dir,
        &[
            "credential",
            "issue",
            "--vct",
            "https://example.com/pid",
            "--claims",
            "claims.json",
            "--sd",
            "/given_name",
            "--issuer-key",
            "did.jwk",
            "--kid",
            &kid,
        ],
    ));
    write(dir, "cred.sdjwt", &credential);
    // A did:key `kid` of another key would make a credential nobody can verify.
    let err = failed(&saifu(
        dir,
        &[
            "credential",
            "issue",
            "--vct",
            "https://example.com/pid",
            "--claims",
            "claims.json",
            "--issuer-key",
            "issuer.jwk",
            "--kid",
            &kid,
        ],
    ));
    assert!(err.contains("names another key than --issuer-key"), "{err}");
    let report: Value = serde_json::from_str(&ok(&saifu(
        dir,
        &["credential", "verify", "cred.sdjwt", "--json"],
    )))
    .unwrap();
    assert_eq!(report["issuer"], did, "--iss defaults to the DID of --kid");
    assert_eq!(report["claims"]["given_name"], "Erika");
    let key_check = &report["checks"][1];
    assert_eq!(key_check["check"], "issuer_key");
    assert!(
        key_check["detail"].as_str().unwrap().contains(&kid),
        "{report}"
    );
}

#[test]
fn status_list_create_set_get_token_verify_and_a_revoked_credential() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir, "ES256");
    ok(&saifu(
        dir,
        &[
            "status-list",
            "create",
            "--bits",
            "2",
            "--size",
            "100",
            "--out",
            "list.json",
        ],
    ));
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("list.json")).unwrap()).unwrap();
    assert_eq!(file["bits"], 2);
    assert!(file["lst"].is_string());
    assert_eq!(
        ok(&saifu(dir, &["status-list", "get", "list.json", "7"])),
        "7: valid (0x00)\n"
    );
    assert_eq!(
        ok(&saifu(
            dir,
            &["status-list", "set", "list.json", "7", "invalid"]
        )),
        "7: invalid (0x01)\n"
    );
    ok(&saifu(
        dir,
        &["status-list", "set", "list.json", "8", "suspended"],
    ));
    let got: Value = serde_json::from_str(&ok(&saifu(
        dir,
        &["status-list", "get", "list.json", "7", "--json"],
    )))
    .unwrap();
    assert_eq!(
        got,
        serde_json::json!({"idx": 7, "status": "invalid", "value": 1})
    );
    let err = failed(&saifu(dir, &["status-list", "get", "list.json", "100"]));
    assert!(err.contains("index 100 is out of range"), "{err}");

    let token = ok(&saifu(
        dir,
        &[
            "status-list",
            "token",
            "list.json",
            "--key",
            "issuer.jwk",
            "--uri",
            STATUS_URI,
            "--ttl",
            "3600",
            "--valid-for",
            "1d",
        ],
    ));
    write(dir, "status.jwt", &token);
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "status-list",
            "verify",
            "status.jwt",
            "--key",
            "issuer.pub.jwk",
            "--uri",
            STATUS_URI,
        ];
        args.extend_from_slice(extra);
        saifu(dir, &args)
    };
    assert_eq!(ok(&verify(&["--idx", "7"])), "7: invalid (0x01)\n");
    assert_eq!(ok(&verify(&["--idx", "6"])), "6: valid (0x00)\n");
    let summary: Value = serde_json::from_str(&ok(&verify(&["--json"]))).unwrap();
    assert_eq!(summary["verified"], true);
    assert_eq!(summary["ttl"], 3600);
    assert_eq!(summary["counts"]["invalid (0x01)"], 1);
    assert_eq!(summary["counts"]["suspended (0x02)"], 1);
    // Another URI: the token is someone else's list.
    let err = failed(&saifu(
        dir,
        &[
            "status-list",
            "verify",
            "status.jwt",
            "--key",
            "issuer.pub.jwk",
            "--uri",
            "https://issuer.example/status/2",
        ],
    ));
    assert!(err.contains("is not the referenced status list"), "{err}");

    // A credential at index 7 is revoked, one at index 8 suspended; one at index 6 is valid.
    for (idx, refused) in [
        ("7", Some("invalid (0x01)")),
        ("8", Some("suspended (0x02)")),
        ("6", None),
    ] {
        issue(dir, &["--status-uri", STATUS_URI, "--status-idx", idx]);
        let args = [
            "credential",
            "verify",
            "cred.sdjwt",
            "--issuer-key",
            "issuer.pub.jwk",
            "--status-token",
            "status.jwt",
        ];
        if let Some(value) = refused {
            let message = format!("index {idx} of --status-token status.jwt is {value}");
            assert_rejected(dir, &args, "status", &message);
        } else {
            let mut json_args = args.to_vec();
            json_args.push("--json");
            let report: Value = serde_json::from_str(&ok(&saifu(dir, &json_args))).unwrap();
            assert_eq!(report["status"]["status"], "valid (0x00)");
            let status = report["checks"].as_array().unwrap().last().unwrap().clone();
            assert_eq!(status["check"], "status");
            assert_eq!(status["outcome"], "passed");
        }
    }
    // --skip-status reports the check as skipped.
    let report: Value = serde_json::from_str(&ok(&saifu(
        dir,
        &[
            "credential",
            "verify",
            "cred.sdjwt",
            "--issuer-key",
            "issuer.pub.jwk",
            "--skip-status",
            "--json",
        ],
    )))
    .unwrap();
    let status = report["checks"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(status["outcome"], "skipped");
}
