//! Credential Offers (OpenID4VCI 1.0 §4.1): spec examples, round trips, links and rejections.

use saifu_oid4vc::vci::offer::{
    CredentialOffer, InputMode, OFFER_SCHEME, OfferError, OfferReference,
};
use serde_json::json;

/// Reconstructed from the OpenID4VCI 1.0 §4.1.3 examples (both grants, tx_code).
const SPEC_OFFER: &str = r#"{
  "credential_issuer": "https://credential-issuer.example.com",
  "credential_configuration_ids": ["UniversityDegreeCredential", "org.iso.18013.5.1.mDL"],
  "grants": {
    "authorization_code": {"issuer_state": "eyJhbGciOiJSU0Et...FYUaBy"},
    "urn:ietf:params:oauth:grant-type:pre-authorized_code": {
      "pre-authorized_code": "adhjhdjajkdkhjhdj",
      "tx_code": {
        "length": 4,
        "input_mode": "numeric",
        "description": "Please provide the one-time code that was sent via e-mail"
      }
    }
  }
}"#;

fn offer_with(patch: impl FnOnce(&mut serde_json::Value)) -> Result<CredentialOffer, OfferError> {
    let mut value: serde_json::Value = serde_json::from_str(SPEC_OFFER).unwrap();
    patch(&mut value);
    CredentialOffer::parse(&value.to_string())
}

#[test]
fn spec_offer_parses_and_round_trips() {
    let offer = CredentialOffer::parse(SPEC_OFFER).unwrap();
    let grants = offer.grants.as_ref().unwrap();
    let pre = grants.pre_authorized_code.as_ref().unwrap();
    assert_eq!(pre.pre_authorized_code, "adhjhdjajkdkhjhdj");
    assert!(pre.requires_tx_code());
    let tx = pre.tx_code.as_ref().unwrap();
    assert_eq!(
        (tx.input_mode, tx.length),
        (Some(InputMode::Numeric), Some(4))
    );
    assert_eq!(
        grants
            .authorization_code
            .as_ref()
            .unwrap()
            .issuer_state
            .as_deref(),
        Some("eyJhbGciOiJSU0Et...FYUaBy")
    );
    let json = serde_json::to_value(&offer).unwrap();
    assert_eq!(
        json,
        serde_json::from_str::<serde_json::Value>(SPEC_OFFER).unwrap()
    );
    assert_eq!(CredentialOffer::parse(&json.to_string()).unwrap(), offer);
}

#[test]
fn empty_tx_code_still_requires_a_code_and_stays_empty() {
    let offer = offer_with(|v| {
        v["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["tx_code"] = json!({});
    })
    .unwrap();
    let pre = offer
        .grants
        .as_ref()
        .unwrap()
        .pre_authorized_code
        .as_ref()
        .unwrap();
    assert!(pre.requires_tx_code());
    let json = serde_json::to_value(&offer).unwrap();
    assert_eq!(
        json["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["tx_code"],
        json!({})
    );
}

#[test]
fn no_tx_code_means_none_required() {
    let offer = offer_with(|v| {
        v["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
            .as_object_mut()
            .unwrap()
            .remove("tx_code");
    })
    .unwrap();
    let pre = offer.grants.unwrap().pre_authorized_code.unwrap();
    assert!(!pre.requires_tx_code());
}

#[test]
fn legacy_names_are_refused_by_name() {
    let err = offer_with(|v| v["credentials"] = json!(["UniversityDegree"])).unwrap_err();
    assert!(matches!(err, OfferError::Legacy(l) if l.name == "credentials"));
    let err = offer_with(|v| {
        v["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["user_pin_required"] =
            json!(true);
    })
    .unwrap_err();
    assert!(matches!(err, OfferError::Legacy(l) if l.name == "user_pin_required"));
}

#[test]
fn configuration_ids_must_be_non_empty_and_unique() {
    let err = offer_with(|v| v["credential_configuration_ids"] = json!([])).unwrap_err();
    assert_eq!(err, OfferError::NoConfigurationIds);
    let err =
        offer_with(|v| v["credential_configuration_ids"] = json!(["a", "b", "a"])).unwrap_err();
    assert_eq!(err, OfferError::DuplicateConfigurationId("a".into()));
}

#[test]
fn tx_code_description_is_bounded() {
    let ok = "é".repeat(300);
    offer_with(|v| {
        v["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["tx_code"]["description"] = json!(ok);
    })
    .unwrap();
    let err = offer_with(|v| {
        v["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["tx_code"]["description"] =
            json!("x".repeat(301));
    })
    .unwrap_err();
    assert_eq!(err, OfferError::TxCodeDescriptionTooLong(301));
}

#[test]
fn issuer_must_be_https() {
    let err =
        offer_with(|v| v["credential_issuer"] = json!("http://issuer.example.com")).unwrap_err();
    assert!(matches!(err, OfferError::Issuer(_)));
}

#[test]
fn spec_offer_uri_link_parses() {
    // Reconstructed from the §4.1.3 `credential_offer_uri` example (percent-encoded dots included).
    let link = "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fserver%2Eexample%2Ecom%2Fcredential-offer%2FGkurKxf5T0Y-mnPFCHqWOMiZi4VS138cQO_V7PZHAdM";
    let OfferReference::ByReference(url) = OfferReference::parse_link(link).unwrap() else {
        panic!("expected a reference");
    };
    assert_eq!(
        url.as_str(),
        "https://server.example.com/credential-offer/GkurKxf5T0Y-mnPFCHqWOMiZi4VS138cQO_V7PZHAdM"
    );
}

#[test]
fn links_round_trip_by_value_and_by_reference() {
    let by_value = OfferReference::ByValue(CredentialOffer::parse(SPEC_OFFER).unwrap());
    let link = by_value.to_link(OFFER_SCHEME);
    assert!(link.starts_with("openid-credential-offer://?credential_offer=%7B"));
    assert_eq!(OfferReference::parse_link(&link).unwrap(), by_value);

    let by_reference =
        OfferReference::ByReference("https://issuer.example.com/offers/1".parse().unwrap());
    let link = by_reference.to_link("https://wallet.example.org/offer?lang=en");
    assert!(link.starts_with("https://wallet.example.org/offer?lang=en&credential_offer_uri="));
    assert_eq!(OfferReference::parse_link(&link).unwrap(), by_reference);
}

#[test]
fn link_needs_exactly_one_offer_parameter() {
    let both = "openid-credential-offer://?credential_offer=%7B%7D&credential_offer_uri=https%3A%2F%2Fa.example%2Fo";
    assert_eq!(
        OfferReference::parse_link(both).unwrap_err(),
        OfferError::BothOfferParameters
    );
    assert_eq!(
        OfferReference::parse_link("openid-credential-offer://?x=1").unwrap_err(),
        OfferError::NoOfferParameter
    );
    let twice = "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fa.example%2Fo&credential_offer_uri=https%3A%2F%2Fb.example%2Fo";
    assert_eq!(
        OfferReference::parse_link(twice).unwrap_err(),
        OfferError::RepeatedParameter("credential_offer_uri".into())
    );
}

#[test]
fn offer_uri_must_be_https() {
    let link =
        "openid-credential-offer://?credential_offer_uri=http%3A%2F%2Fserver.example.com%2Foffer";
    assert!(matches!(
        OfferReference::parse_link(link).unwrap_err(),
        OfferError::OfferUriNotHttps(_)
    ));
}
