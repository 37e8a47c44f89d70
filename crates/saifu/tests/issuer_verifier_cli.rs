//! `saifu issuer …` and `saifu verifier …` against a real `saifu serve`: subjects (also from
//! CSV), an offer with a PIN that a wallet redeems over HTTP, the issued record and its status
//! changes, a presentation request and its result — and the errors that say what to do.

mod common;
mod node_support;

use std::time::{SystemTime, UNIX_EPOCH};

use common::{failed, ok, run};
use node_support::RunningNode;
use saifu_crypto::{KeyType, LocalSigner, PrivateKey, jws};
use serde_json::{Map, Value, json};

/// Runs `saifu ARGS` against `node` (its URL, and its data directory for the admin token).
fn cli(node: &RunningNode, args: &[&str]) -> std::process::Output {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--node-data-dir", node.data_dir.to_str().unwrap()]);
    run(
        &node.data_dir,
        &all,
        &[("SAIFU_NODE", node.base.as_str())],
        None,
    )
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_str(&ok(out)).unwrap()
}

/// Redeems a pre-authorized offer with its PIN like a wallet; returns the credential.
async fn redeem(base: &str, offer: &Value, pin: &str) -> String {
    let http = reqwest::Client::new();
    let code = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
        ["pre-authorized_code"]
        .as_str()
        .unwrap();
    let token: Value = http
        .post(format!("{base}/token"))
        .form(&[
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            ),
            ("pre-authorized_code", code),
            ("tx_code", pin),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let nonce: Value = http
        .post(format!("{base}/nonce"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let holder = LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap()).unwrap();
    let mut header = Map::new();
    header.insert("typ".into(), "openid4vci-proof+jwt".into());
    header.insert(
        "jwk".into(),
        serde_json::to_value(holder.private_key().public_key().to_jwk()).unwrap(),
    );
    let iat = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({"aud": offer["credential_issuer"], "iat": iat, "nonce": nonce["c_nonce"]});
    let proof = jws::sign_compact(&header, &serde_json::to_vec(&claims).unwrap(), &holder)
        .await
        .unwrap();
    let issued: Value = http
        .post(format!("{base}/credential"))
        .bearer_auth(token["access_token"].as_str().expect("an access token"))
        .json(&json!({"credential_configuration_id": "diploma", "proofs": {"jwt": [proof]}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    issued["credentials"][0]["credential"]
        .as_str()
        .expect("a credential")
        .to_owned()
}

#[tokio::test]
async fn an_operator_issues_tracks_and_revokes_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let node = RunningNode::start(dir.path());

    let added = cli(
        &node,
        &[
            "issuer",
            "subject",
            "add",
            "s1001",
            "--claims",
            r#"{"given_name":"Hanako","family_name":"Sato","degree":"BSc"}"#,
        ],
    );
    assert_eq!(ok(&added).trim(), "subject s1001 saved");
    std::fs::write(
        dir.path().join("students.csv"),
        "id,given_name\ns1002,Taro\ns1003,Jiro\n",
    )
    .unwrap();
    assert_eq!(
        ok(&cli(
            &node,
            &["issuer", "subject", "import", "students.csv"]
        ))
        .trim(),
        "imported 2 subjects"
    );
    let listed = json_of(&cli(&node, &["issuer", "subject", "list", "--json"]));
    assert_eq!(listed["subjects"].as_array().unwrap().len(), 3);

    let created = json_of(&cli(
        &node,
        &[
            "issuer",
            "offer",
            "s1001",
            "--config",
            "diploma",
            "--pin",
            "--qr",
            "offer.svg",
            "--json",
        ],
    ));
    assert!(
        created["link"]
            .as_str()
            .unwrap()
            .starts_with("openid-credential-offer://?credential_offer=")
    );
    assert!(
        created.get("qr_svg").is_none(),
        "the QR goes to the file, not the JSON"
    );
    assert!(
        std::fs::read_to_string(dir.path().join("offer.svg"))
            .unwrap()
            .contains("<svg")
    );
    let pin = created["tx_code"].as_str().unwrap();
    let credential = redeem(&node.base, &created["credential_offer"], pin).await;
    assert!(credential.contains('~'), "an SD-JWT");

    let issued = json_of(&cli(
        &node,
        &["issuer", "credentials", "--subject", "s1001", "--json"],
    ));
    let index = issued["credentials"][0]["status_index"].to_string();
    let table = ok(&cli(&node, &["issuer", "credentials"]));
    assert!(
        table.contains(&format!("{index}\tvalid\tdiploma\ts1001")),
        "{table}"
    );
    assert_eq!(
        ok(&cli(&node, &["issuer", "suspend", &index])).trim(),
        format!("credential {index} is now suspended")
    );
    let again = failed(&cli(&node, &["issuer", "suspend", &index]));
    assert!(again.contains("is suspended; cannot suspend it"), "{again}");
    ok(&cli(&node, &["issuer", "reinstate", &index]));
    let revoked = json_of(&cli(&node, &["issuer", "revoke", &index, "--json"]));
    assert_eq!(revoked["status"], "revoked");

    let unknown = failed(&cli(
        &node,
        &["issuer", "offer", "s1001", "--config", "passport"],
    ));
    assert!(
        unknown.contains("unknown configuration `passport`"),
        "{unknown}"
    );
    let nobody = failed(&cli(
        &node,
        &["issuer", "offer", "nobody", "--config", "diploma"],
    ));
    assert!(
        nobody.contains("no subject `nobody`") && nobody.contains("hint: check the id"),
        "{nobody}"
    );
    let bad_claims = failed(&cli(
        &node,
        &["issuer", "subject", "add", "x", "--claims", "[1]"],
    ));
    assert!(bad_claims.contains("must be a JSON object"), "{bad_claims}");
}

#[tokio::test]
async fn a_verifier_asks_for_a_presentation_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let node = RunningNode::start(dir.path());
    let query = json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["urn:eudi:pid:1"]}, "claims": [{"path": ["age_over_18"]}]}]});
    std::fs::write(dir.path().join("over18.json"), query.to_string()).unwrap();

    let created = json_of(&cli(
        &node,
        &[
            "verifier",
            "request",
            "--dcql",
            "over18.json",
            "--client-id-prefix",
            "x509-san-dns",
            "--qr",
            "request.svg",
            "--json",
        ],
    ));
    let link = created["link"].as_str().unwrap();
    assert!(
        link.starts_with("openid4vp://?client_id=x509_san_dns%3A"),
        "{link}"
    );
    assert!(
        link.contains("request_uri="),
        "signed requests go by reference"
    );
    assert!(
        std::fs::read_to_string(dir.path().join("request.svg"))
            .unwrap()
            .contains("<svg")
    );
    let id = created["id"].as_str().unwrap();
    let result = json_of(&cli(&node, &["verifier", "result", id, "--json"]));
    assert_eq!(result["status"], "pending");
    let text = ok(&cli(
        &node,
        &["verifier", "request", "--dcql", "over18.json"],
    ));
    assert!(text.starts_with("openid4vp://"), "{text}");

    std::fs::write(dir.path().join("bad.json"), r#"{"credentials": []}"#).unwrap();
    let refused = failed(&cli(&node, &["verifier", "request", "--dcql", "bad.json"]));
    assert!(refused.contains("invalid_request"), "{refused}");
    let missing = failed(&cli(&node, &["verifier", "result", "0000"]));
    assert!(missing.contains("not_found"), "{missing}");
}

#[test]
fn without_a_node_or_its_token_the_error_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let unreachable = run(
        dir.path(),
        &["issuer", "subject", "list"],
        &[
            ("SAIFU_NODE", "http://127.0.0.1:9"),
            ("SAIFU_ADMIN_TOKEN", "t"),
        ],
        None,
    );
    assert!(failed(&unreachable).contains("is the node running at http://127.0.0.1:9?"));
    let no_token = run(
        dir.path(),
        &[
            "issuer",
            "subject",
            "list",
            "--node-data-dir",
            dir.path().to_str().unwrap(),
        ],
        &[
            ("SAIFU_NODE", "http://127.0.0.1:9"),
            ("SAIFU_ADMIN_TOKEN", ""),
        ],
        None,
    );
    assert!(failed(&no_token).contains("no admin token"));

    let node = RunningNode::start(dir.path());
    let wrong = run(
        dir.path(),
        &["verifier", "result", "x"],
        &[
            ("SAIFU_NODE", node.base.as_str()),
            ("SAIFU_ADMIN_TOKEN", "wrong"),
        ],
        None,
    );
    assert!(failed(&wrong).contains("the admin token was refused"));
}
