//! Credential types defined through the admin API: validated, offered in the metadata, issued
//! like the configuration file's, and — stored in the database — offered by every node that
//! shares it.

#[path = "support/node.rs"]
mod support;

use reqwest::{Method, StatusCode};
use saifu_credential::sd_jwt::{Limits, SdJwt};
use saifu_server::VerifierSettings;
use saifu_store::testing::TestDatabase;
use serde_json::{Value, json};
use support::Node;

fn library_card() -> Value {
    json!({"id": "library_card", "vct": "https://city.example/vct/library-card",
           "name": "Library card", "validity_days": 730,
           "claims": [{"name": "member_no", "display": "Member number", "sd": false},
                      {"name": "given_name", "display": "Given name"}]})
}

#[tokio::test]
async fn an_added_type_is_offered_by_every_node_of_the_database() {
    let database = TestDatabase::create().await.unwrap();
    let url = || Some(database.url().to_owned());
    let first = Node::start_with(url(), VerifierSettings::default()).await;
    let second = Node::start_with(url(), VerifierSettings::default()).await;

    let (status, added) = first
        .admin(Method::POST, "/admin/configurations", Some(library_card()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(
        added["library_card"]["vct"],
        "https://city.example/vct/library-card"
    );
    let (status, again) = first
        .admin(Method::POST, "/admin/configurations", Some(library_card()))
        .await;
    assert_eq!(
        (status, again["error"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    let mut builtin = library_card();
    builtin["id"] = json!("diploma");
    let (status, _) = first
        .admin(Method::POST, "/admin/configurations", Some(builtin))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "the file's ids are taken too");
    for (field, value) in [
        ("id", json!("no spaces")),
        ("vct", json!("")),
        ("validity_days", json!(0)),
        (
            "claims",
            json!([{"name": "a", "display": "A"}, {"name": "a", "display": "B"}]),
        ),
        ("unknown", json!(1)),
    ] {
        let mut bad = library_card();
        bad[field] = value;
        let (status, refused) = first
            .admin(Method::POST, "/admin/configurations", Some(bad))
            .await;
        assert_eq!(
            (status, refused["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request")),
            "{field}: {refused}"
        );
    }

    // The other node learns the type from the database when an offer names it.
    let body = json!({"credential_configuration_id": "library_card",
                      "claims": {"member_no": "L-0042", "given_name": "Hanako"}});
    let (status, created) = second
        .admin(Method::POST, "/admin/offers", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (issued, _, _) = second.redeem(&created["credential_offer"], None).await;
    let credential = issued["credentials"][0]["credential"].as_str().unwrap();
    let sd_jwt = SdJwt::parse_compact(credential, &Limits::default()).unwrap();
    let payload = sd_jwt
        .decode_issuer_jwt(&Limits::default())
        .unwrap()
        .payload;
    let payload: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(payload["vct"], "https://city.example/vct/library-card");
    assert_eq!(
        payload["member_no"], "L-0042",
        "not selectively disclosable"
    );
    assert_eq!(sd_jwt.disclosures().len(), 1, "given_name is");

    let third = Node::start_with(url(), VerifierSettings::default()).await;
    let (_, metadata) = third
        .admin(Method::GET, "/.well-known/openid-credential-issuer", None)
        .await;
    let supported = &metadata["credential_configurations_supported"];
    assert!(supported.get("library_card").is_some() && supported.get("pid").is_some());
    let (_, listed) = second
        .admin(Method::GET, "/admin/configurations", None)
        .await;
    assert!(listed["credential_configurations_supported"]["library_card"].is_object());
}
