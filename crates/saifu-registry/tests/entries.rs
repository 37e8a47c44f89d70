//! Typed registry entries: one canonical byte form each; trust statements signed by an
//! authority (refused when tampered, signed by another key, or naming another authority) and
//! the latest-statement rule; the status list check that catches an un-revocation or an
//! unlogged list.

use saifu_crypto::{KeyType, LocalSigner, PrivateKey};
use saifu_registry::entry::{AuditEntry, AuditEvent, Entry, EntryError};
use saifu_registry::status::{StatusHistoryError, StatusListEntry, check_list, sha256_hex};
use saifu_registry::trust::{
    AssuranceLevel, Relation, SignedTrustStatement, Standing, TrustStatement, TrustStatementError,
    latest,
};

const AUTHORITY: &str = "did:example:authority";

fn signer(kid: &str) -> LocalSigner {
    LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap())
        .unwrap()
        .with_key_id(kid.to_owned())
}

fn statement(issued_at: i64) -> TrustStatement {
    TrustStatement {
        authority_id: AUTHORITY.into(),
        entity_id: "https://uni.example".into(),
        relation: Relation::Authorization,
        action: "issue".into(),
        resource: "https://saifu.dev/vct/diploma".into(),
        assurance_level: AssuranceLevel::Substantial,
        valid_from: 1_000,
        valid_until: Some(2_000),
        withdrawn: false,
        issued_at,
    }
}

#[tokio::test]
async fn entries_have_one_canonical_form() {
    let key = signer(&format!("{AUTHORITY}#k1"));
    let signed = SignedTrustStatement::sign(statement(1_000), &key)
        .await
        .unwrap();
    for entry in [
        Entry::Trust(signed),
        Entry::Audit(AuditEntry {
            event: AuditEvent::Presentation,
            sha256: sha256_hex(b"event"),
            time: 5,
        }),
    ] {
        let bytes = entry.to_bytes();
        assert_eq!(Entry::parse(&bytes).unwrap(), entry);
        // Members sorted (RFC 8785), no whitespace.
        assert!(bytes.starts_with(b"{\"") && !bytes.contains(&b' '));
        let mut spaced = b" ".to_vec();
        spaced.extend_from_slice(&bytes);
        assert_eq!(Entry::parse(&spaced), Err(EntryError::NotCanonical));
    }
    let audit = br#"{"event":"issuance","extra":1,"sha256":"00","time":1,"type":"audit"}"#;
    assert_eq!(Entry::parse(audit), Err(EntryError::NotCanonical));
    assert!(matches!(
        Entry::parse(br#"{"type":"did_log"}"#),
        Err(EntryError::Malformed(_))
    ));
}

#[tokio::test]
async fn trust_statements_verify_only_under_the_authoritys_key() {
    let key = signer(&format!("{AUTHORITY}#k1"));
    let public = key.private_key().public_key();
    let signed = SignedTrustStatement::sign(statement(1_000), &key)
        .await
        .unwrap();
    assert_eq!(signed.kid().unwrap(), format!("{AUTHORITY}#k1"));
    signed.verify(public).unwrap();

    let mut tampered = signed.clone();
    tampered.statement.assurance_level = AssuranceLevel::High;
    assert!(matches!(
        tampered.verify(public),
        Err(TrustStatementError::BadSignature(_))
    ));
    let other = signer(&format!("{AUTHORITY}#k1"));
    assert!(matches!(
        signed.verify(other.private_key().public_key()),
        Err(TrustStatementError::BadSignature(_))
    ));
    let foreign = signer("did:example:someone-else#k1");
    assert!(matches!(
        SignedTrustStatement::sign(statement(1_000), &foreign).await,
        Err(TrustStatementError::WrongKey { .. })
    ));
    let mut attached = signed.clone();
    attached.proof = attached.proof.replacen("..", ".e30.", 1);
    assert!(matches!(
        attached.verify(public),
        Err(TrustStatementError::MalformedProof(_))
    ));
    let mut backwards = statement(1_000);
    backwards.valid_until = Some(500);
    assert_eq!(
        SignedTrustStatement::sign(backwards, &key).await,
        Err(TrustStatementError::BadValidity)
    );
    let mut empty = statement(1_000);
    empty.resource.clear();
    assert_eq!(
        SignedTrustStatement::sign(empty, &key).await,
        Err(TrustStatementError::Empty("resource"))
    );
}

#[test]
fn the_latest_statement_decides() {
    let granted = statement(1_000);
    let mut withdrawn = statement(1_500);
    withdrawn.withdrawn = true;
    assert_eq!(
        granted.standing(999),
        Standing::NotYetValid { valid_from: 1_000 }
    );
    assert_eq!(granted.standing(1_000), Standing::InForce);
    assert_eq!(
        granted.standing(2_000),
        Standing::Expired { valid_until: 2_000 }
    );
    assert_eq!(withdrawn.standing(1_600), Standing::Withdrawn);
    // Issued later wins whatever the log order: a replayed older statement never revives.
    let (leaf, winner) = latest([(7, &granted), (3, &withdrawn)]).unwrap();
    assert_eq!((leaf, winner.withdrawn), (3, true));
    // Same issued_at: the later leaf.
    let (leaf, _) = latest([(1, &granted), (2, &granted)]).unwrap();
    assert_eq!(leaf, 2);
    assert!(latest(std::iter::empty()).is_none());
    assert!(AssuranceLevel::Low < AssuranceLevel::Substantial);
    assert_eq!(AssuranceLevel::parse("high"), Some(AssuranceLevel::High));
    assert_eq!(AssuranceLevel::parse("HIGH"), None);
}

const URI: &str = "https://uni.example/status/1";

fn publication(index: u64, status: u8, list: &[u8]) -> StatusListEntry {
    StatusListEntry {
        uri: URI.into(),
        index,
        status,
        list_sha256: sha256_hex(list),
        token_sha256: sha256_hex(b"token"),
        time: 1,
    }
}

#[test]
fn a_list_that_unrevokes_or_was_never_logged_is_caught() {
    // One status byte per credential, for the test.
    let revoked = [0u8, 1, 0, 0];
    let history = vec![(4, publication(1, 1, &revoked))];
    let read = |list: &'static [u8]| move |i: u64| list.get(i as usize).copied();
    check_list(&history, URI, &revoked, read(&[0, 1, 0, 0])).unwrap();
    assert_eq!(
        check_list(&history, URI, &[0, 0, 0, 0], read(&[0, 0, 0, 0])),
        Err(StatusHistoryError::Unrevoked {
            index: 1,
            leaf_index: 4,
            shown: 0
        })
    );
    assert!(matches!(
        check_list(&history, URI, &[2, 1, 0, 0], read(&[2, 1, 0, 0])),
        Err(StatusHistoryError::Unlogged { .. })
    ));
    // Nothing logged: only an all-valid list is plausible.
    check_list(&[], URI, &[0, 0], read(&[0, 0])).unwrap();
    assert!(matches!(
        check_list(&[], URI, &[0, 2], read(&[0, 2])),
        Err(StatusHistoryError::Unlogged { .. })
    ));
    // Publications of other lists do not count.
    check_list(&history, "https://other.example/s", &[0], read(&[0])).unwrap();
}
