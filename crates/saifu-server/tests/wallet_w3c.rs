//! W3C credentials through OpenID4VC, over real HTTP on loopback: our issuer issues
//! `jwt_vc_json` and `ldp_vc` credentials (holder bound as a did:key, Bitstring Status List
//! entries), our wallet verifies and stores them, shows honestly that it reveals the whole
//! credential, and presents them (VP-JWT / Data Integrity presentation, a fresh holder key per
//! verifier) to our verifier, which checks everything and refuses each kind of bad presentation
//! with its own error. Independent peers check the same artefacts: @digitalbazaar/vc the
//! `ldp_vc` presentation with challenge and domain, `jose` the `jwt_vc_json` JWTs.

#[path = "support/node.rs"]
mod support;

use reqwest::{Method, StatusCode};
use saifu_credential::w3c::contexts::CREDENTIALS_V2;
use saifu_credential::w3c::datetime;
use saifu_credential::w3c::di::{self, ASSERTION_METHOD, ProofOptions};
use saifu_crypto::{Algorithm, KeyType, LocalSigner, PrivateKey, b64};
use saifu_oid4vc::w3c::jwt_vc::{self, Binding, CredentialClaims};
use saifu_oid4vc::w3c::{Named, cryptosuite_for, did_key, did_key_method, ldp_vc};
use saifu_server::VerifierSettings;
use saifu_test_support::{expect_node, require_npm_package};
use saifu_wallet::model::{CredentialStatus, StoredCredential};
use saifu_wallet::present::{Approval, PresentationRequest};
use saifu_wallet::{KdfParams, Wallet, WalletConfig};
use serde_json::{Value, json};
use support::Node;

const PASSPHRASE: &[u8] = b"a long wallet passphrase";
const EXAMPLES_V2: &str = "https://www.w3.org/ns/credentials/examples/v2";
/// `UniversityDegreeCredential` expanded through the examples context's `@vocab` (ldp_vc).
const DEGREE_IRI: &str = "https://www.w3.org/ns/credentials/examples#UniversityDegreeCredential";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Format {
    Jwt,
    Ldp,
}

impl Format {
    fn id(self) -> &'static str {
        match self {
            Format::Jwt => "jwt_vc_json",
            Format::Ldp => "ldp_vc",
        }
    }

    /// The configuration id and its expanded type: `jwt_vc_json` keeps the VCDM 1.1 context,
    /// which leaves an undefined type relative (B.1.1); `ldp_vc` adds the examples context.
    fn config(self) -> (&'static str, &'static str) {
        match self {
            Format::Jwt => ("degree_jwt", "UniversityDegreeCredential"),
            Format::Ldp => ("degree_ldp", DEGREE_IRI),
        }
    }
}

async fn wallet(dir: &tempfile::TempDir) -> Wallet {
    let config = WalletConfig {
        kdf: KdfParams {
            m_cost: 8 * 1024,
            t_cost: 1,
            p_cost: 1,
        },
        ..WalletConfig::development()
    };
    Wallet::create(&dir.path().join("wallet.sqlite"), PASSPHRASE, config)
        .await
        .unwrap()
}

/// A node offering a degree in `format`, added through the admin API.
async fn node(format: Format) -> Node {
    // The verifier fetches the status list for every presentation, so the revocation below
    // is seen at once (by default it trusts a fetched list for five minutes).
    let verifier = VerifierSettings {
        w3c_status_cache_seconds: 0,
        ..VerifierSettings::default()
    };
    let node = Node::start_with(None, verifier).await;
    let (id, _) = format.config();
    let mut definition = json!({"id": id, "name": "Degree", "format": format.id(),
        "types": ["UniversityDegreeCredential"],
        "claims": [{"name": "given_name", "display": "Given name"},
                   {"name": "degree", "display": "Degree"}]});
    if format == Format::Ldp {
        definition["contexts"] = json!([EXAMPLES_V2]);
    }
    let (status, answer) = node
        .admin(Method::POST, "/admin/configurations", Some(definition))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    node
}

/// A degree received by `wallet` through a pre-authorized offer.
async fn receive(node: &Node, wallet: &Wallet, format: Format) -> StoredCredential {
    let body = json!({"credential_configuration_id": format.config().0,
        "claims": {"given_name": "Hanako", "degree": "BSc"}});
    let (status, created) = node.admin(Method::POST, "/admin/offers", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let preview = wallet
        .preview_offer(created["link"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(preview.credentials[0].format, format.id());
    let received = wallet.accept_offer(&preview, None).await.unwrap();
    received.credentials[0].clone()
}

/// A presentation request for the degree with `type_values`, opened by `wallet`.
async fn ask(
    node: &Node,
    wallet: &Wallet,
    format: Format,
    type_value: &str,
    prefix: &str,
) -> (String, PresentationRequest) {
    let query = json!({"credentials": [{"id": "degree", "format": format.id(),
        "meta": {"type_values": [[type_value]]},
        "claims": [{"path": ["credentialSubject", "degree"]}]}]});
    ask_query(node, wallet, query, prefix).await
}

/// A presentation request for `query`, opened by `wallet`.
async fn ask_query(
    node: &Node,
    wallet: &Wallet,
    query: Value,
    prefix: &str,
) -> (String, PresentationRequest) {
    let body =
        json!({"dcql_query": query, "client_id_prefix": prefix, "response_mode": "direct_post"});
    let (status, created) = node
        .admin(Method::POST, "/admin/presentations", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let opened = wallet
        .open_request(created["link"].as_str().unwrap())
        .await
        .unwrap();
    (created["id"].as_str().unwrap().to_owned(), opened)
}

async fn result(node: &Node, id: &str) -> Value {
    let (status, result) = node
        .admin(Method::GET, &format!("/admin/presentations/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    result
}

/// Posts `presentation` as the `vp_token` of `request` (what a wallet sends, built by the
/// test); the verifier's stored result.
async fn post(node: &Node, id: &str, request: &PresentationRequest, presentation: Value) -> Value {
    let vp_token = json!({"degree": [presentation]}).to_string();
    let mut form = vec![("vp_token", vp_token.as_str())];
    if let Some(state) = &request.state {
        form.push(("state", state));
    }
    let _ = node
        .http
        .post(&request.response_uri)
        .form(&form)
        .send()
        .await
        .unwrap();
    result(node, id).await
}

/// The stored copy `copy` of `credential`: its issued form and holder signer (kid = did:key).
fn holder(credential: &StoredCredential, copy: usize) -> (String, LocalSigner) {
    let copy = &credential.copies[copy];
    let key = PrivateKey::from_jwk(&copy.holder_key).unwrap();
    let method = did_key_method(key.public_key());
    (
        copy.credential.clone(),
        LocalSigner::new(key).unwrap().with_key_id(method),
    )
}

/// A presentation of `issued` in `format` signed by `signer` for `nonce` and `audience`.
async fn vp(
    format: Format,
    issued: &str,
    nonce: &str,
    audience: &str,
    signer: &LocalSigner,
) -> Value {
    let binding = Binding { nonce, audience };
    let now = saifu_wallet::now();
    match format {
        Format::Jwt => {
            let jose = jose_signer(signer);
            Value::String(
                jwt_vc::sign_presentation(issued, &binding, now, &jose)
                    .await
                    .unwrap(),
            )
        }
        Format::Ldp => {
            let credential: Value = serde_json::from_str(issued).unwrap();
            ldp_vc::sign_presentation(&credential, &binding, now, signer)
                .await
                .unwrap()
        }
    }
}

/// `signer` under the JWT name of its algorithm (`EdDSA` for Ed25519).
fn jose_signer(signer: &LocalSigner) -> Named<'_> {
    Named::did_key(signer, Algorithm::EdDSA).unwrap()
}

fn error_code(result: &Value) -> &str {
    result["report"]["error"]["code"]
        .as_str()
        .unwrap_or("(none)")
}

async fn round_trip(format: Format) {
    let node = node(format).await;
    let (config_id, type_iri) = format.config();

    // Metadata per OpenID4VCI 1.0 A.1: credential_definition, did:key binding.
    let metadata: Value = node
        .http
        .get(node.url("/.well-known/openid-credential-issuer"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let configuration = &metadata["credential_configurations_supported"][config_id];
    assert_eq!(configuration["format"], format.id());
    assert_eq!(
        configuration["credential_definition"]["type"],
        json!(["VerifiableCredential", "UniversityDegreeCredential"])
    );
    assert_eq!(
        configuration["cryptographic_binding_methods_supported"],
        json!(["did:key"])
    );
    assert_eq!(
        configuration["credential_metadata"]["claims"][1]["path"],
        json!(["credentialSubject", "degree"])
    );
    if format == Format::Ldp {
        assert_eq!(
            configuration["credential_definition"]["@context"],
            json!([CREDENTIALS_V2, EXAMPLES_V2])
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let wallet = wallet(&dir).await;
    let stored = receive(&node, &wallet, format).await;
    assert_eq!(stored.format, format.id());
    assert!(
        stored.types.iter().any(|t| t == type_iri),
        "{:?}",
        stored.types
    );
    assert_eq!(stored.claims["credentialSubject"]["degree"], "BSc");
    let subjects: Vec<String> = (0..stored.copies.len())
        .map(|i| {
            let (_, signer) = holder(&stored, i);
            did_key(signer.private_key().public_key())
        })
        .collect();
    assert_eq!(subjects.len(), 3, "a batch, one copy per verifier");

    // Two verifiers, minimal approval: each verified, each sees another holder DID.
    let mut seen = Vec::new();
    for prefix in ["redirect_uri", "decentralized_identifier"] {
        let (id, request) = ask(&node, &wallet, format, type_iri, prefix).await;
        let view = wallet.consent(&request).await.unwrap();
        assert!(view.satisfiable);
        let option = &view.queries[0].options[0];
        assert!(option.whole_credential, "no selective disclosure: said so");
        let paths: Vec<&str> = option.claims.iter().map(|c| c.path.as_str()).collect();
        assert!(
            paths.contains(&"/credentialSubject/given_name"),
            "the unasked claim is listed because it is revealed: {paths:?}"
        );
        wallet
            .respond(&request, &view, &Approval::minimal(&view))
            .await
            .unwrap();
        let result = result(&node, &id).await;
        assert_eq!(result["status"], "verified", "{result}");
        let presented = &result["report"]["credentials"]["degree"][0];
        assert_eq!(presented["claims"]["credentialSubject"]["degree"], "BSc");
        let holder_did = presented["claims"]["credentialSubject"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(subjects.contains(&holder_did));
        seen.push(holder_did);
    }
    assert_ne!(seen[0], seen[1], "two verifiers, two holder keys");

    // A query without holder binding gets the credential itself (B.1), verified as such.
    let query = json!({"credentials": [{"id": "degree", "format": format.id(),
        "require_cryptographic_holder_binding": false,
        "meta": {"type_values": [[type_iri]]},
        "claims": [{"path": ["credentialSubject", "degree"]}]}]});
    let (id, request) = ask_query(&node, &wallet, query, "redirect_uri").await;
    let view = wallet.consent(&request).await.unwrap();
    wallet
        .respond(&request, &view, &Approval::minimal(&view))
        .await
        .unwrap();
    let result = result(&node, &id).await;
    assert_eq!(result["status"], "verified", "{result}");
    let checks = result["report"]["checks"].as_array().unwrap();
    assert!(
        checks
            .iter()
            .any(|c| c["name"] == "key_binding" && c["outcome"] == "skipped"),
        "{result}"
    );

    rejections(&node, &wallet, format, &stored).await;

    // Revoked through the admin API: the verifier's status check refuses it.
    let (_, issued) = node.admin(Method::GET, "/admin/credentials", None).await;
    for record in issued["credentials"].as_array().unwrap() {
        let index = record["status_index"].as_i64().unwrap();
        let (status, answer) = node
            .admin(
                Method::POST,
                &format!("/admin/credentials/{index}/revoke"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let (id, request) = ask(&node, &wallet, format, type_iri, "redirect_uri").await;
    let (issued, signer) = holder(&stored, 0);
    let presentation = vp(format, &issued, &request.nonce, &request.client_id, &signer).await;
    let result = post(&node, &id, &request, presentation).await;
    assert_eq!(error_code(&result), "revoked", "{result}");

    // The wallet reads the same Bitstring Status List and marks the card.
    let refreshed = wallet.refresh_status().await.unwrap();
    assert_eq!(refreshed[0].status, CredentialStatus::Revoked);
}

/// What one refusal case changes in an otherwise correct presentation.
struct Case<'a> {
    /// The type the query asks for.
    type_value: &'a str,
    /// The credential presented.
    credential: String,
    /// A nonce other than the request's.
    nonce: Option<&'a str>,
    /// An audience other than the verifier's client id.
    audience: Option<&'a str>,
    /// Who signs the presentation.
    signer: &'a LocalSigner,
}

/// Posts the presentation `case` describes to a fresh request; the verifier's stored result.
async fn refused(node: &Node, wallet: &Wallet, format: Format, case: Case<'_>) -> Value {
    let (id, request) = ask(node, wallet, format, case.type_value, "redirect_uri").await;
    let nonce = case.nonce.unwrap_or(&request.nonce);
    let audience = case.audience.unwrap_or(&request.client_id);
    let presentation = vp(format, &case.credential, nonce, audience, case.signer).await;
    post(node, &id, &request, presentation).await
}

/// Each refusal of the verifier, with its own error.
async fn rejections(node: &Node, wallet: &Wallet, format: Format, stored: &StoredCredential) {
    let type_iri = format.config().1;
    let (issued, signer) = holder(stored, 2);
    let thief = fresh_holder();
    let foreign = foreign_credential(format, &signer).await;
    let correct = || Case {
        type_value: type_iri,
        credential: issued.clone(),
        nonce: None,
        audience: None,
        signer: &signer,
    };
    let cases = [
        // Wrong nonce (VP-JWT `nonce` / Data Integrity `challenge`).
        (
            Case {
                nonce: Some("not-the-nonce"),
                ..correct()
            },
            "wrong_nonce",
            None,
        ),
        // Wrong audience (`aud` / `domain`).
        (
            Case {
                audience: Some("redirect_uri:https://other.example/cb"),
                ..correct()
            },
            "wrong_audience",
            None,
        ),
        // Tampered credential (the holder re-signs the presentation over the altered one).
        (
            Case {
                credential: tamper(format, &issued),
                ..correct()
            },
            "w3c_credential_invalid",
            Some("signature"),
        ),
        // Someone else presenting the credential: not its subject.
        (
            Case {
                signer: &thief,
                ..correct()
            },
            "w3c_credential_invalid",
            Some("bound to"),
        ),
        // A query for another type.
        (
            Case {
                type_value: "https://example.org/OtherCredential",
                ..correct()
            },
            "query_not_satisfied",
            None,
        ),
        // A well-formed credential from an issuer nobody trusts.
        (
            Case {
                credential: foreign.clone(),
                ..correct()
            },
            "untrusted_issuer",
            None,
        ),
    ];
    for (case, code, reason) in cases {
        let result = refused(node, wallet, format, case).await;
        assert_eq!(error_code(&result), code, "{result}");
        if let Some(reason) = reason {
            let source = result["report"]["error"]["source"].as_str().unwrap();
            assert!(source.contains(reason), "{source}");
        }
    }

    // The wallet itself finds nothing to answer a query for another type with.
    let (_, request) = ask(
        node,
        wallet,
        format,
        "https://example.org/OtherCredential",
        "redirect_uri",
    )
    .await;
    assert!(!wallet.consent(&request).await.unwrap().satisfiable);
}

fn fresh_holder() -> LocalSigner {
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let method = did_key_method(key.public_key());
    LocalSigner::new(key).unwrap().with_key_id(method)
}

/// `issued` with its degree changed and its signature kept.
fn tamper(format: Format, issued: &str) -> String {
    match format {
        Format::Jwt => {
            let parts: Vec<&str> = issued.split('.').collect();
            let mut payload: Value =
                serde_json::from_slice(&b64::decode(parts[1], "payload").unwrap()).unwrap();
            payload["vc"]["credentialSubject"]["degree"] = "PhD".into();
            let payload = b64::encode(serde_json::to_vec(&payload).unwrap());
            format!("{}.{payload}.{}", parts[0], parts[2])
        }
        Format::Ldp => {
            let mut credential: Value = serde_json::from_str(issued).unwrap();
            credential["credentialSubject"]["degree"] = "PhD".into();
            credential.to_string()
        }
    }
}

/// A degree for the holder of `holder`, signed by a did:key issuer the node does not trust.
async fn foreign_credential(format: Format, holder: &LocalSigner) -> String {
    let issuer_key = LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap()).unwrap();
    let issuer = did_key(issuer_key.private_key().public_key());
    let subject = did_key(holder.private_key().public_key());
    let now = saifu_wallet::now();
    match format {
        Format::Jwt => {
            let vc = json!({"@context": ["https://www.w3.org/2018/credentials/v1"],
                "type": ["VerifiableCredential", "UniversityDegreeCredential"],
                "credentialSubject": {"id": subject, "degree": "BSc"}});
            let claims = CredentialClaims {
                issuer: &issuer,
                subject: Some(&subject),
                issued_at: now,
                expires_at: Some(now + 3600),
            };
            let signer = jose_signer(&issuer_key);
            jwt_vc::sign_credential(vc.as_object().unwrap(), &claims, &signer)
                .await
                .unwrap()
        }
        Format::Ldp => {
            let credential = json!({"@context": [CREDENTIALS_V2, EXAMPLES_V2],
                "type": ["VerifiableCredential", "UniversityDegreeCredential"],
                "issuer": issuer, "validFrom": datetime::format(now),
                "credentialSubject": {"id": subject, "degree": "BSc"}});
            let suite = cryptosuite_for(KeyType::Ed25519).unwrap();
            let signer = Named::did_key(&issuer_key, Algorithm::Ed25519).unwrap();
            let options = ProofOptions::new(
                suite,
                did_key_method(issuer_key.private_key().public_key()),
                ASSERTION_METHOD,
            );
            di::add_proof(&credential, &options, &signer)
                .await
                .unwrap()
                .to_string()
        }
    }
}

/// Runs `interop/w3c/oid4vc.mjs` (@digitalbazaar/vc, jose) on `request`; its answer.
fn peer(request: &Value) -> Value {
    for (package, version) in [("@digitalbazaar/vc", "7.3.0"), ("jose", "6.2.17")] {
        require_npm_package(package, Some(version));
    }
    expect_node("w3c/oid4vc.mjs", request)
}

/// The node's Bitstring Status List credentials, keyed by URL, for the peer's loader.
async fn status_lists(node: &Node) -> Value {
    let mut documents = serde_json::Map::new();
    for name in ["w3c-revocation", "w3c-suspension"] {
        let url = node.url(&format!("/status/{name}"));
        let list: Value = node
            .http
            .get(&url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        documents.insert(url, list);
    }
    Value::Object(documents)
}

/// The public JWK of a `did:key` DID.
fn did_jwk(did: &str) -> Value {
    let did: saifu_did::Did = did.parse().unwrap();
    serde_json::to_value(saifu_did::key::public_key(&did).unwrap().to_jwk()).unwrap()
}

/// @digitalbazaar/vc verifies the `ldp_vc` presentation our wallet code signs (challenge =
/// nonce, domain = client id) with the credential our issuer signed and its status lists; it
/// refuses another challenge and reads a revocation from our list; our verifier accepts the same
/// presentation.
#[tokio::test(flavor = "multi_thread")]
async fn digitalbazaar_vc_verifies_ldp_vc_and_presentation() {
    let node = node(Format::Ldp).await;
    let dir = tempfile::tempdir().unwrap();
    let wallet = wallet(&dir).await;
    let stored = receive(&node, &wallet, Format::Ldp).await;
    let (id, request) = ask(&node, &wallet, Format::Ldp, DEGREE_IRI, "redirect_uri").await;
    let (issued, signer) = holder(&stored, 0);
    let presentation = vp(
        Format::Ldp,
        &issued,
        &request.nonce,
        &request.client_id,
        &signer,
    )
    .await;
    let check = |challenge: &str, documents: &Value| {
        json!({"op": "verify-ldp-presentation", "presentation": presentation,
            "challenge": challenge, "domain": request.client_id, "documents": documents})
    };
    let documents = status_lists(&node).await;
    let answer = peer(&check(&request.nonce, &documents));
    assert_eq!(answer["verified"], true, "{answer}");
    assert_eq!(answer["credentialsVerified"], json!([true]), "{answer}");
    assert_eq!(
        answer["status"],
        json!([false, false]),
        "neither revoked nor suspended"
    );
    let answer = peer(&check("another-challenge", &documents));
    assert_eq!(answer["verified"], false, "{answer}");

    let result = post(&node, &id, &request, presentation.clone()).await;
    assert_eq!(result["status"], "verified", "{result}");

    let (_, issued_list) = node.admin(Method::GET, "/admin/credentials", None).await;
    let index = issued_list["credentials"][0]["status_index"]
        .as_i64()
        .unwrap();
    for copy in 0..stored.copies.len() {
        let credential: Value = serde_json::from_str(&stored.copies[copy].credential).unwrap();
        if credential["credentialStatus"][0]["statusListIndex"].as_str() == Some(&index.to_string())
        {
            let (status, answer) = node
                .admin(
                    Method::POST,
                    &format!("/admin/credentials/{index}/revoke"),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{answer}");
            let (issued, signer) = holder(&stored, copy);
            let revoked = vp(
                Format::Ldp,
                &issued,
                &request.nonce,
                &request.client_id,
                &signer,
            )
            .await;
            let documents = status_lists(&node).await;
            let check = json!({"op": "verify-ldp-presentation", "presentation": revoked,
                "challenge": request.nonce, "domain": request.client_id, "documents": documents});
            // The peer reports each entry's bit and leaves the decision to its caller.
            let answer = peer(&check);
            assert_eq!(answer["status"], json!([true, false]), "revoked: {answer}");
            return;
        }
    }
    panic!("no copy has status index {index}");
}

/// `jose` verifies our `jwt_vc_json` credential under the issuer's did:key and the wallet's
/// VP-JWT under the holder's, with `aud` = client id and `nonce`; it refuses a tampered
/// credential and another audience.
#[tokio::test(flavor = "multi_thread")]
async fn jose_verifies_jwt_vc_json_and_vp_jwt() {
    let node = node(Format::Jwt).await;
    let dir = tempfile::tempdir().unwrap();
    let wallet = wallet(&dir).await;
    let stored = receive(&node, &wallet, Format::Jwt).await;
    let (issued, signer) = holder(&stored, 0);
    let payload: Value =
        serde_json::from_slice(&b64::decode(issued.split('.').nth(1).unwrap(), "payload").unwrap())
            .unwrap();
    let issuer = payload["iss"].as_str().unwrap();
    let check = json!({"op": "verify-jwt", "token": issued, "jwk": did_jwk(issuer),
        "alg": "EdDSA", "issuer": issuer});
    let answer = peer(&check);
    assert_eq!(answer["verified"], true, "{answer}");
    assert_eq!(
        answer["payload"]["vc"]["credentialSubject"]["degree"],
        "BSc"
    );
    assert_eq!(
        answer["payload"]["sub"],
        did_key(signer.private_key().public_key())
    );
    let mut tampered = check.clone();
    tampered["token"] = tamper(Format::Jwt, &issued).into();
    assert_eq!(peer(&tampered)["verified"], false);

    let (_, request) = ask(
        &node,
        &wallet,
        Format::Jwt,
        "UniversityDegreeCredential",
        "redirect_uri",
    )
    .await;
    let presentation = vp(
        Format::Jwt,
        &issued,
        &request.nonce,
        &request.client_id,
        &signer,
    )
    .await;
    let holder_did = did_key(signer.private_key().public_key());
    let check = json!({"op": "verify-jwt", "token": presentation, "jwk": did_jwk(&holder_did),
        "alg": "ES256", "issuer": holder_did, "audience": request.client_id,
        "nonce": request.nonce});
    let answer = peer(&check);
    assert_eq!(answer["verified"], true, "{answer}");
    assert_eq!(
        answer["payload"]["vp"]["verifiableCredential"],
        json!([issued])
    );
    let mut elsewhere = check.clone();
    elsewhere["audience"] = "redirect_uri:https://other.example/cb".into();
    assert_eq!(peer(&elsewhere)["verified"], false);
}

#[tokio::test]
async fn jwt_vc_json_issue_hold_present_verify_and_refuse() {
    round_trip(Format::Jwt).await;
}

#[tokio::test]
async fn ldp_vc_issue_hold_present_verify_and_refuse() {
    round_trip(Format::Ldp).await;
}
