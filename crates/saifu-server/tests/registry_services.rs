//! The registry's services on a node: inclusion and consistency proofs through the API that
//! verify offline (and typed errors); trust statements signed by an authority, answering TRQP
//! queries and switching a verifier's trust (refused → recognised → withdrawn, expired, too
//! low); and status changes logged so a list that quietly un-revokes is caught.

#[path = "support/node.rs"]
mod support;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use reqwest::{Method, StatusCode};
use saifu_credential::status::{Limits, StatusList, StatusValue};
use saifu_crypto::{KeyType, LocalSigner, PrivateKey};
use saifu_registry::checkpoint::Checkpoint;
use saifu_registry::entry::{AuditEvent, Entry};
use saifu_registry::note::Note;
use saifu_registry::status::{StatusHistoryError, StatusListEntry, check_list};
use saifu_registry::tiles::decode_bundle;
use saifu_registry::tree::{Hash, TreeError, leaf_hash, verify_consistency, verify_inclusion};
use saifu_registry::trust::{AssuranceLevel, Relation, SignedTrustStatement, TrustStatement};
use saifu_server::{TrustRegistrySettings, VerifierSettings};
use serde_json::{Value, json};
use support::{Node, check, now_seconds};

const DIPLOMA: &str = "https://saifu.dev/vct/diploma";

async fn get(node: &Node, path: &str) -> (StatusCode, Value) {
    let answer = node.http.get(node.url(path)).send().await.unwrap();
    (answer.status(), answer.json().await.unwrap_or(Value::Null))
}

async fn append(node: &Node, entry: &[u8]) -> (StatusCode, String) {
    let answer = node
        .http
        .post(node.url("/registry/add-entry"))
        .bearer_auth(&node.token)
        .body(entry.to_vec())
        .send()
        .await
        .unwrap();
    (answer.status(), answer.text().await.unwrap())
}

async fn checkpoint(node: &Node) -> Checkpoint {
    let note = node
        .http
        .get(node.url("/registry/checkpoint"))
        .send()
        .await
        .unwrap();
    let note = Note::parse(&note.bytes().await.unwrap()).unwrap();
    Checkpoint::parse(note.text()).unwrap()
}

fn hashes(proof: &Value) -> Vec<Hash> {
    proof["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| B64.decode(h.as_str().unwrap()).unwrap().try_into().unwrap())
        .collect()
}

/// Every entry of the node's log (fewer than 256 in these tests).
async fn entries(node: &Node) -> Vec<Vec<u8>> {
    let size = checkpoint(node).await.size;
    let path = format!("/registry/tile/entries/000.p/{size}");
    let bundle = node.http.get(node.url(&path)).send().await.unwrap();
    decode_bundle(&bundle.bytes().await.unwrap()).unwrap()
}

#[tokio::test]
async fn proofs_through_the_api_verify_offline_and_errors_are_typed() {
    let node = Node::start().await;
    let entries: Vec<Vec<u8>> = (0..5).map(|i| format!("entry {i}").into_bytes()).collect();
    let mut at_two = None;
    for (i, entry) in entries.iter().enumerate() {
        assert_eq!(append(&node, entry).await.0, StatusCode::OK);
        if i == 1 {
            at_two = Some(checkpoint(&node).await);
        }
    }
    let (old, new) = (at_two.unwrap(), checkpoint(&node).await);
    assert_eq!((old.size, new.size), (2, 5));

    let (status, proof) = get(&node, "/registry/proof/inclusion?index=3").await;
    assert_eq!(status, StatusCode::OK, "{proof}");
    assert_eq!(proof["size"], 5, "the served checkpoint's size by default");
    let path = hashes(&proof);
    verify_inclusion(&leaf_hash(&entries[3]), 3, 5, &path, &new.root).unwrap();
    assert_eq!(
        verify_inclusion(&leaf_hash(&entries[2]), 3, 5, &path, &new.root),
        Err(TreeError::RootMismatch),
        "the proof is for entry 3 only"
    );
    let (_, proof) = get(&node, "/registry/proof/inclusion?index=0&size=2").await;
    verify_inclusion(&leaf_hash(&entries[0]), 0, 2, &hashes(&proof), &old.root).unwrap();

    // Asked by the entry's leaf hash instead of its index (RFC 9162 get-proof-by-hash).
    let by_hash = |entry: &[u8]| {
        let hash = B64.encode(leaf_hash(entry));
        let escaped = hash
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D");
        format!("/registry/proof/inclusion?hash={escaped}")
    };
    let (status, proof) = get(&node, &by_hash(&entries[3])).await;
    assert_eq!(status, StatusCode::OK, "{proof}");
    assert_eq!(
        (proof["index"].as_u64(), proof["size"].as_u64()),
        (Some(3), Some(5))
    );
    verify_inclusion(&leaf_hash(&entries[3]), 3, 5, &hashes(&proof), &new.root).unwrap();
    let (status, body) = get(&node, &by_hash(b"never appended")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_leaf")),
        "{body}"
    );
    let both = format!("{}&index=3", by_hash(&entries[3]));

    let (status, proof) = get(&node, "/registry/proof/consistency?old=2&new=5").await;
    assert_eq!(status, StatusCode::OK, "{proof}");
    verify_consistency(2, 5, &old.root, &new.root, &hashes(&proof)).unwrap();

    for (path, status, code) in [
        (both.as_str(), StatusCode::BAD_REQUEST, "invalid_request"),
        (
            "/registry/proof/inclusion?hash=not-base64!",
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "/registry/proof/inclusion?hash=AAAA",
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "/registry/proof/inclusion?index=5&size=5",
            StatusCode::BAD_REQUEST,
            "index_out_of_range",
        ),
        (
            "/registry/proof/inclusion?index=1&size=9",
            StatusCode::NOT_FOUND,
            "beyond_log",
        ),
        (
            "/registry/proof/inclusion?index=x",
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "/registry/proof/inclusion",
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "/registry/proof/consistency?old=4&new=2",
            StatusCode::BAD_REQUEST,
            "invalid_sizes",
        ),
        (
            "/registry/proof/consistency?old=1&new=6",
            StatusCode::NOT_FOUND,
            "beyond_log",
        ),
        (
            "/registry/proof/consistency?old=1",
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
    ] {
        let (got, body) = get(&node, path).await;
        assert_eq!(
            (got, body["error"].as_str()),
            (status, Some(code)),
            "{path}: {body}"
        );
    }
}

/// An authority: a did:jwk and a signer whose `kid` is its verification method.
fn authority() -> (String, LocalSigner) {
    let key = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let did = saifu_did::jwk::did_jwk(&key.public_key().to_jwk())
        .unwrap()
        .to_string();
    let signer = LocalSigner::new(key)
        .unwrap()
        .with_key_id(format!("{did}#0"));
    (did, signer)
}

/// A statement by `authority` that it authorizes `entity` to issue diplomas.
fn statement(authority: &str, entity: &str, issued_at: i64) -> TrustStatement {
    TrustStatement {
        authority_id: authority.to_owned(),
        entity_id: entity.to_owned(),
        relation: Relation::Authorization,
        action: "issue".into(),
        resource: DIPLOMA.into(),
        assurance_level: AssuranceLevel::High,
        valid_from: issued_at,
        valid_until: None,
        withdrawn: false,
        issued_at,
    }
}

async fn post_trust(node: &Node, signed: &SignedTrustStatement) -> (StatusCode, Value) {
    let answer = node
        .http
        .post(node.url("/registry/trust"))
        .json(signed)
        .send()
        .await
        .unwrap();
    (answer.status(), answer.json().await.unwrap())
}

async fn trqp(node: &Node, query: &str, body: Value) -> (StatusCode, Option<String>, Value) {
    let answer = node
        .http
        .post(node.url(&format!("/registry/trqp/{query}")))
        .json(&body)
        .send()
        .await
        .unwrap();
    let kind = answer
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned());
    (answer.status(), kind, answer.json().await.unwrap())
}

/// The university issues a diploma to a fresh holder key: the credential and the key.
async fn diploma(university: &Node) -> (String, LocalSigner) {
    let body = json!({"credential_configuration_id": "diploma",
        "claims": {"given_name": "Hanako", "family_name": "Sato",
                   "university": "Saifu University", "degree": "BSc"}});
    let (status, created) = university
        .admin(Method::POST, "/admin/offers", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (issued, holder, _) = university.redeem(&created["credential_offer"], None).await;
    let credential = issued["credentials"][0]["credential"].as_str().unwrap();
    (credential.to_owned(), holder)
}

/// The verifier's `trust` check for a presentation of `credential`: passed, or the reason.
async fn trust_check(
    verifier: &Node,
    credential: &str,
    holder: &LocalSigner,
) -> Result<(), String> {
    let query = json!({"credentials": [{"id": "diploma", "format": "dc+sd-jwt",
        "meta": {"vct_values": [DIPLOMA]}, "claims": [{"path": ["degree"]}]}]});
    let (id, _) = verifier
        .present(
            json!({"dcql_query": query}),
            "diploma",
            credential,
            holder,
            &["/degree"],
        )
        .await;
    let (_, result) = verifier
        .admin(Method::GET, &format!("/admin/presentations/{id}"), None)
        .await;
    let report = &result["report"];
    let trust = check(report, "trust");
    match trust["outcome"].as_str() {
        Some("passed") => {
            assert_eq!(report["verified"], true, "{report}");
            Ok(())
        }
        _ => Err(trust["reason"].as_str().unwrap_or_default().to_owned()),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn trust_statements_answer_trqp_queries_and_switch_the_verifiers_trust() {
    let (authority_did, signer) = authority();
    let university = Node::start().await;
    let settings = VerifierSettings {
        trust_own_issuer: false,
        trust_registry: Some(TrustRegistrySettings {
            authority: authority_did.clone(),
            min_assurance: "substantial".into(),
        }),
        ..VerifierSettings::default()
    };
    let employer = Node::start_with(None, settings).await;
    let (credential, holder) = diploma(&university).await;
    let issuer = university.base.clone();
    let query = json!({"entity_id": issuer, "authority_id": authority_did,
        "action": "issue", "resource": DIPLOMA, "context": {"note": "ignored member"}});

    // Not in the registry: refused with the specific reason; TRQP says not authorized.
    let refused = trust_check(&employer, &credential, &holder)
        .await
        .unwrap_err();
    assert!(
        refused.contains(&format!("not recognised by {authority_did}")),
        "{refused}"
    );
    // The registry has never heard of the authority: 404, as problem details.
    let (status, kind, answer) = trqp(&employer, "authorization", query.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(kind.as_deref(), Some("application/problem+json"));
    assert_eq!(answer["status"], 404);
    assert!(
        answer["detail"]
            .as_str()
            .unwrap()
            .contains("has made no statement"),
        "{answer}"
    );

    // The authority authorizes the university: the verifier accepts, TRQP says so, and the
    // answer's leaf index has an inclusion proof against the checkpoint.
    let now = now_seconds();
    let granted = SignedTrustStatement::sign(statement(&authority_did, &issuer, now - 10), &signer)
        .await
        .unwrap();
    let (status, appended) = post_trust(&employer, &granted).await;
    assert_eq!(status, StatusCode::OK, "{appended}");
    let leaf = appended["leaf_index"].as_u64().unwrap();
    trust_check(&employer, &credential, &holder).await.unwrap();
    let (_, _, answer) = trqp(&employer, "authorization", query.clone()).await;
    assert_eq!(answer["authorized"], true, "{answer}");
    assert_eq!(answer["leaf_index"], leaf);
    assert_eq!(answer["assurance_level"], "high");
    assert!(answer["time_evaluated"].as_str().unwrap().ends_with('Z'));
    // The proof is asked for the size of the checkpoint held: the node keeps appending (the
    // audit hashes of the presentations above), so the served size may already be larger.
    let head = checkpoint(&employer).await;
    let (_, proof) = get(
        &employer,
        &format!("/registry/proof/inclusion?index={leaf}&size={}", head.size),
    )
    .await;
    let entry = Entry::Trust(granted.clone()).to_bytes();
    verify_inclusion(
        &leaf_hash(&entry),
        leaf,
        head.size,
        &hashes(&proof),
        &head.root,
    )
    .unwrap();
    // A known authority's silence about another entity is a definite "no".
    let mut stranger = query.clone();
    stranger["entity_id"] = json!("https://stranger.example");
    let (status, _, answer) = trqp(&employer, "authorization", stranger).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["authorized"], false, "{answer}");
    // It is an authorization, not a recognition of the university as an authority …
    let (_, _, answer) = trqp(&employer, "recognition", query.clone()).await;
    assert_eq!(answer["recognized"], false, "{answer}");
    // … which takes a recognition statement (here: of a peer ministry for diplomas).
    let mut peer = statement(&authority_did, "did:example:peer-ministry", now - 10);
    peer.relation = Relation::Recognition;
    let peer = SignedTrustStatement::sign(peer, &signer).await.unwrap();
    assert_eq!(post_trust(&employer, &peer).await.0, StatusCode::OK);
    let mut recognition = query.clone();
    recognition["entity_id"] = json!("did:example:peer-ministry");
    let (_, _, answer) = trqp(&employer, "recognition", recognition.clone()).await;
    assert_eq!(answer["recognized"], true, "{answer}");
    let (_, _, answer) = trqp(&employer, "authorization", recognition).await;
    assert_eq!(answer["authorized"], false, "{answer}");

    // Refused statements: tampered, unresolvable key, a replay of an older one, and typed
    // entries slipped in through the raw append.
    let mut tampered = granted.clone();
    tampered.statement.entity_id = "https://impostor.example".into();
    let (status, body) = post_trust(&employer, &tampered).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_statement")),
        "{body}"
    );
    let (other_did, _) = authority();
    let stranger = LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap())
        .unwrap()
        .with_key_id(format!("{other_did}#0"));
    let forged = SignedTrustStatement::sign(statement(&other_did, &issuer, now), &stranger)
        .await
        .unwrap();
    let (status, body) = post_trust(&employer, &forged).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_statement")),
        "{body}"
    );
    let (status, body) = post_trust(&employer, &granted).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("superseded")),
        "{body}"
    );
    let mut unsigned = Entry::Trust(granted.clone());
    if let Entry::Trust(signed) = &mut unsigned {
        signed.statement.resource = "https://saifu.dev/vct/pid".into();
    }
    assert_eq!(
        append(&employer, &unsigned.to_bytes()).await.0,
        StatusCode::BAD_REQUEST
    );
    let status_entry = Entry::StatusList(StatusListEntry {
        uri: "https://x.example/status/1".into(),
        index: 1,
        status: 0,
        list_sha256: String::new(),
        token_sha256: String::new(),
        time: now,
    });
    assert_eq!(
        append(&employer, &status_entry.to_bytes()).await.0,
        StatusCode::FORBIDDEN
    );

    // Too low a level of assurance for this verifier.
    let mut low = statement(&authority_did, &issuer, now);
    low.assurance_level = AssuranceLevel::Low;
    let low = SignedTrustStatement::sign(low, &signer).await.unwrap();
    assert_eq!(post_trust(&employer, &low).await.0, StatusCode::OK);
    let refused = trust_check(&employer, &credential, &holder)
        .await
        .unwrap_err();
    assert!(
        refused.contains("assurance level Low, Substantial required"),
        "{refused}"
    );

    // Expired.
    let mut expired = statement(&authority_did, &issuer, now + 1);
    expired.valid_from = now - 100;
    expired.valid_until = Some(now - 1);
    let expired = SignedTrustStatement::sign(expired, &signer).await.unwrap();
    let (_, body) = post_trust(&employer, &expired).await;
    let expired_leaf = body["leaf_index"].as_u64().unwrap();
    let refused = trust_check(&employer, &credential, &holder)
        .await
        .unwrap_err();
    assert!(
        refused.contains(&format!("not in force (registry entry {expired_leaf})")),
        "{refused}"
    );
    let (_, _, answer) = trqp(&employer, "authorization", query.clone()).await;
    assert_eq!(answer["authorized"], false);
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .starts_with("expired at"),
        "{answer}"
    );
    // … but TRQP answers for the time asked about.
    let mut past = query.clone();
    past["context"] = json!({"time": saifu_credential::w3c::datetime::format(now - 50)});
    let (_, _, answer) = trqp(&employer, "authorization", past).await;
    assert_eq!(answer["authorized"], true, "{answer}");

    // Withdrawn.
    let mut withdrawn = statement(&authority_did, &issuer, now + 2);
    withdrawn.withdrawn = true;
    let withdrawn = SignedTrustStatement::sign(withdrawn, &signer)
        .await
        .unwrap();
    let (_, body) = post_trust(&employer, &withdrawn).await;
    let withdrawn_leaf = body["leaf_index"].as_u64().unwrap();
    let refused = trust_check(&employer, &credential, &holder)
        .await
        .unwrap_err();
    assert!(
        refused.contains(&format!(
            "withdrew its recognition (registry entry {withdrawn_leaf})"
        )),
        "{refused}"
    );

    // Malformed queries are problem details.
    let (status, kind, problem) =
        trqp(&employer, "authorization", json!({"entity_id": issuer})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(kind.as_deref(), Some("application/problem+json"));
    assert_eq!(problem["status"], 400);
    let mut bad_time = query.clone();
    bad_time["context"] = json!({"time": "yesterday"});
    assert_eq!(
        trqp(&employer, "authorization", bad_time).await.0,
        StatusCode::BAD_REQUEST
    );
}

/// The uncompressed bytes of the node's status list, as a verifier would decode them.
async fn status_list(node: &Node) -> StatusList {
    let token = node.http.get(node.url("/status/1")).send().await.unwrap();
    let token = token.text().await.unwrap();
    let payload = B64URL.decode(token.split('.').nth(1).unwrap()).unwrap();
    let claims: Value = serde_json::from_slice(&payload).unwrap();
    StatusList::from_json(&claims["status_list"], &Limits::default()).unwrap()
}

fn typed(entries: &[Vec<u8>]) -> Vec<(u64, Entry)> {
    (0..)
        .zip(entries)
        .filter_map(|(leaf, bytes)| Entry::parse(bytes).ok().map(|e| (leaf, e)))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revocation_is_logged_and_a_list_that_unrevokes_is_detected() {
    let node = Node::start().await;
    node.put_subject("hanako", json!({"given_name": "Hanako", "degree": "BSc"}))
        .await;
    let index = node.issue_diploma("hanako").await;
    let (status, revoked) = node
        .admin(
            Method::POST,
            &format!("/admin/credentials/{index}/revoke"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    let leaf = revoked["registry_leaf_index"]
        .as_u64()
        .expect("the revocation is logged");

    let logged = typed(&entries(&node).await);
    let history: Vec<(u64, StatusListEntry)> = logged
        .iter()
        .filter_map(|(leaf, e)| match e {
            Entry::StatusList(s) => Some((*leaf, s.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(history.len(), 1);
    let (logged_leaf, publication) = &history[0];
    assert_eq!(
        (*logged_leaf, publication.index, publication.status),
        (leaf, index as u64, 1)
    );
    let uri = node.url("/status/1");
    assert_eq!(publication.uri, uri);

    // The list the node serves matches the log.
    let list = status_list(&node).await;
    let read = |list: &StatusList| {
        let list = list.clone();
        move |i: u64| list.get(i).ok().map(StatusValue::raw)
    };
    check_list(&history, &uri, list.as_bytes(), read(&list)).unwrap();

    // A list that clears the revoked entry is caught, with the entry that revoked it.
    let mut unrevoked = list.clone();
    unrevoked.set(index as u64, StatusValue::Valid).unwrap();
    assert_eq!(
        check_list(&history, &uri, unrevoked.as_bytes(), read(&unrevoked)),
        Err(StatusHistoryError::Unrevoked {
            index: index as u64,
            leaf_index: leaf,
            shown: 0
        })
    );
    // So is a list with a change the issuer never logged.
    let mut unlogged = list.clone();
    unlogged
        .set((index as u64 + 1) % list.len(), StatusValue::Suspended)
        .unwrap();
    assert!(matches!(
        check_list(&history, &uri, unlogged.as_bytes(), read(&unlogged)),
        Err(StatusHistoryError::Unlogged { .. })
    ));

    // The issuance was audited as a hash (appended in the background).
    let mut audited = false;
    for _ in 0..100 {
        audited = typed(&entries(&node).await).iter().any(|(_, e)| {
            matches!(e, Entry::Audit(a) if a.event == AuditEvent::Issuance && a.sha256.len() == 64)
        });
        if audited {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(audited, "an issuance audit event is in the log");
}
