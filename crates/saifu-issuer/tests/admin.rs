//! The operator's side of the issuer without HTTP, on SQLite: subjects and their logins, CSV
//! imports that are all-or-nothing, offers made for subjects and published by reference, and
//! the status transitions that the status list then carries.

mod support;

use saifu_credential::status::token::jwt;
use saifu_credential::status::{self, StatusValue};
use saifu_crypto::{Algorithm, Signer};
use saifu_issuer::{IssuedRecord, IssuerStore};
use saifu_issuer::{IssuerError, STATUS_REVOKED, STATUS_SUSPENDED, STATUS_VALID, StatusChange};
use saifu_oid4vc::vci::token::TokenRequest;
use serde_json::{Value, json};
use support::{issuer, issuer_with_store};

fn claims(value: Value) -> serde_json::Map<String, Value> {
    value.as_object().unwrap().clone()
}

#[tokio::test]
async fn subjects_are_saved_replaced_and_log_in_only_with_their_password() {
    let (_dir, issuer) = issuer().await;
    let saved = issuer
        .put_subject(
            "s-1",
            claims(json!({"address": "1-1 Chiyoda"})),
            Some("correct horse"),
        )
        .await
        .unwrap();
    assert!(
        saved
            .password_hash
            .as_deref()
            .unwrap()
            .starts_with("$argon2id$")
    );
    let replaced = issuer
        .put_subject("s-1", claims(json!({"address": "2-2 Minato"})), None)
        .await
        .unwrap();
    assert_eq!(replaced.password_hash, saved.password_hash, "password kept");
    assert_eq!(replaced.created_at, saved.created_at);

    let who = issuer
        .authenticate_subject("s-1", "correct horse")
        .await
        .unwrap();
    assert_eq!(who.unwrap().claims, r#"{"address":"2-2 Minato"}"#);
    assert!(
        issuer
            .authenticate_subject("s-1", "wrong horse")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        issuer
            .authenticate_subject("nobody", "correct horse")
            .await
            .unwrap()
            .is_none()
    );

    issuer
        .put_subject("s-2", claims(json!({})), None)
        .await
        .unwrap();
    assert!(
        issuer
            .authenticate_subject("s-2", "")
            .await
            .unwrap()
            .is_none(),
        "a subject without a password cannot log in"
    );
}

#[tokio::test]
async fn bad_subjects_are_refused_with_the_reason() {
    let (_dir, issuer) = issuer().await;
    for (id, password, expected) in [
        ("", None, "subject id"),
        ("a/b", None, "subject id"),
        ("ok", Some("short"), "at least 8 characters"),
    ] {
        let error = issuer
            .put_subject(id, claims(json!({})), password)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, IssuerError::InvalidInput(why) if why.contains(expected)),
            "{id}: {error}"
        );
    }
    assert!(
        issuer.subjects(10).await.unwrap().is_empty(),
        "nothing stored"
    );
    assert!(matches!(
        issuer.remove_subject("ghost").await,
        Err(IssuerError::NotFound(_))
    ));
}

#[tokio::test]
async fn csv_import_nests_columns_types_booleans_and_is_all_or_nothing() {
    let (_dir, issuer) = issuer().await;
    let csv = "id,password,given_name,address.locality,age_over_18,student_no\n\
               s1,secret-pass-1,Hanako,Tokyo,true,00123\n\
               s2,,\"Sato, Jiro\",Osaka,false,\n";
    let report = issuer.import_subjects_csv(csv).await.unwrap();
    assert_eq!(report.ids, ["s1", "s2"]);
    let s1: Value = serde_json::from_str(&issuer.subject("s1").await.unwrap().claims).unwrap();
    assert_eq!(
        s1,
        json!({"given_name": "Hanako", "address": {"locality": "Tokyo"},
               "age_over_18": true, "student_no": "00123"})
    );
    assert!(
        issuer
            .authenticate_subject("s1", "secret-pass-1")
            .await
            .unwrap()
            .is_some()
    );
    let s2 = issuer.subject("s2").await.unwrap();
    assert!(s2.password_hash.is_none() && s2.claims.contains("Sato, Jiro"));

    for (bad, expected) in [
        ("", "the file is empty"),
        ("name\nx\n", "no `id` column"),
        ("id,name\ns3,a\ns4\n", "row 3 has 1 fields"),
        ("id,name\ns3,a\nbad id,b\n", "row 3"),
        ("id,password\ns3,short\n", "row 2"),
        ("id,a,a.b\ns3,x,y\n", "nests under a plain value"),
        ("id\n\"s3\n", "unterminated"),
    ] {
        let error = issuer.import_subjects_csv(bad).await.unwrap_err();
        assert!(
            matches!(&error, IssuerError::InvalidInput(why) if why.contains(expected)),
            "{bad:?}: {error}"
        );
    }
    assert!(
        matches!(issuer.subject("s3").await, Err(IssuerError::NotFound(_))),
        "a refused file stores no row, not even its valid ones"
    );
}

#[tokio::test]
async fn subject_offers_carry_the_subject_and_references_open_to_the_same_offer() {
    let (_dir, issuer) = issuer().await;
    issuer
        .put_subject("s-1", claims(json!({"address": "1-1 Chiyoda"})), None)
        .await
        .unwrap();
    let created = issuer
        .create_subject_offer("s-1", "residence", None, false)
        .await
        .unwrap();
    let uri = issuer.publish_offer(&created.offer).await.unwrap();
    let reference = uri.strip_prefix("https://issuer.example/offers/").unwrap();
    assert_eq!(
        issuer.offer_by_reference(reference).await.unwrap(),
        created.offer
    );
    assert!(matches!(
        issuer.offer_by_reference("not-a-reference").await,
        Err(IssuerError::NotFound(_))
    ));
    assert!(matches!(
        issuer
            .create_subject_offer("ghost", "residence", None, false)
            .await,
        Err(IssuerError::NotFound(_))
    ));
    assert!(matches!(
        issuer
            .create_subject_offer("s-1", "diploma", None, false)
            .await,
        Err(IssuerError::UnknownConfiguration(_))
    ));
    issuer
        .token(TokenRequest::PreAuthorizedCode {
            pre_authorized_code: created.pre_authorized_code,
            tx_code: None,
            client_id: None,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn status_changes_follow_the_rules_and_reach_the_signed_status_list() {
    let (_dir, store, issuer) = issuer_with_store().await;
    for index in [10, 11] {
        let record = IssuedRecord {
            status_index: index,
            config_id: "residence".into(),
            claims: "{}".into(),
            holder_thumbprint: None,
            issued_at: 1,
            expires_at: i64::MAX / 4,
            subject_id: Some("s-1".into()),
            status: STATUS_VALID,
            status_changed_at: None,
        };
        assert!(store.record_issued(&record).await.unwrap());
    }
    let conflict = |result: Result<_, IssuerError>, expected: &str| {
        assert!(
            matches!(&result, Err(IssuerError::Conflict(why)) if why.contains(expected)),
            "{result:?}"
        );
    };
    conflict(
        issuer.change_status(10, StatusChange::Reinstate).await,
        "is valid; cannot reinstate",
    );
    let suspended = issuer
        .change_status(10, StatusChange::Suspend)
        .await
        .unwrap();
    assert_eq!(suspended.status, STATUS_SUSPENDED);
    conflict(
        issuer.change_status(10, StatusChange::Suspend).await,
        "is suspended",
    );
    assert_eq!(
        issuer
            .change_status(10, StatusChange::Reinstate)
            .await
            .unwrap()
            .status,
        STATUS_VALID
    );
    issuer
        .change_status(10, StatusChange::Suspend)
        .await
        .unwrap();
    assert_eq!(
        issuer
            .change_status(10, StatusChange::Revoke)
            .await
            .unwrap()
            .status,
        STATUS_REVOKED,
        "a suspended credential can be revoked"
    );
    conflict(
        issuer.change_status(10, StatusChange::Reinstate).await,
        "is revoked",
    );
    issuer
        .change_status(11, StatusChange::Suspend)
        .await
        .unwrap();
    assert!(matches!(
        issuer.change_status(12, StatusChange::Revoke).await,
        Err(IssuerError::NotFound(_))
    ));
    assert_eq!(issuer.issued_list(Some("s-1"), 10).await.unwrap().len(), 2);

    let token = issuer.status_list_token(0).await.unwrap().unwrap();
    let uri = issuer.config().status_list_uri(0);
    let algorithms = [Algorithm::ES256];
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let key = issuer.config().signer.public_key();
    let options = status::VerifyOptions::new(&uri, now, &algorithms);
    let list = jwt::verify(&token, key, &options).unwrap().status_list;
    assert_eq!(list.get(10).unwrap(), StatusValue::Invalid);
    assert_eq!(list.get(11).unwrap(), StatusValue::Suspended);
    assert_eq!(list.get(12).unwrap(), StatusValue::Valid);
}
