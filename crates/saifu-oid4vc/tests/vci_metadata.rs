//! Credential Issuer and Authorization Server metadata (OpenID4VCI 1.0 §12.2, §12.3; RFC 8414).

use saifu_oid4vc::vci::metadata::{
    AuthorizationServerMetadata, CredentialIssuerMetadata, MetadataError, WellKnownError,
    authorization_server_metadata_url, credential_issuer_metadata_url,
};
use serde_json::{Value, json};

const ISSUER: &str = "https://credential-issuer.example.com";

/// Reconstructed from the OpenID4VCI 1.0 §12.2.4 and Appendix A.3 examples (SD-JWT VC).
fn spec_metadata() -> Value {
    json!({
      "credential_issuer": "https://credential-issuer.example.com",
      "authorization_servers": ["https://server.example.com"],
      "credential_endpoint": "https://credential-issuer.example.com/credential",
      "nonce_endpoint": "https://credential-issuer.example.com/nonce",
      "deferred_credential_endpoint": "https://credential-issuer.example.com/deferred_credential",
      "notification_endpoint": "https://credential-issuer.example.com/notification",
      "credential_response_encryption": {
        "alg_values_supported": ["ECDH-ES"],
        "enc_values_supported": ["A128GCM"],
        "encryption_required": false
      },
      "batch_credential_issuance": {"batch_size": 10},
      "display": [
        {"name": "Example University", "locale": "en-US",
         "logo": {"uri": "https://university.example.edu/public/logo.png", "alt_text": "a square logo of a university"}},
        {"name": "Example Université", "locale": "fr-FR"}
      ],
      "credential_configurations_supported": {
        "SD_JWT_VC_example_in_OpenID4VCI": {
          "format": "dc+sd-jwt",
          "scope": "SD_JWT_VC_example_in_OpenID4VCI",
          "cryptographic_binding_methods_supported": ["jwk"],
          "credential_signing_alg_values_supported": ["ES256"],
          "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256"]}},
          "vct": "SD_JWT_VC_example_in_OpenID4VCI",
          "credential_metadata": {
            "display": [{"name": "IdentityCredential", "locale": "en-US",
                         "background_color": "#12107c", "text_color": "#FFFFFF"}],
            "claims": [
              {"path": ["given_name"], "display": [{"name": "Given Name", "locale": "en-US"},
                                                   {"name": "Vorname", "locale": "de-DE"}]},
              {"path": ["family_name"], "mandatory": true,
               "display": [{"name": "Surname", "locale": "en-US"}]},
              {"path": ["address", "street_address"]},
              {"path": ["nationalities", null]}
            ]
          }
        }
      }
    })
}

fn parse_patched(
    patch: impl FnOnce(&mut Value),
) -> Result<CredentialIssuerMetadata, MetadataError> {
    let mut value = spec_metadata();
    patch(&mut value);
    CredentialIssuerMetadata::parse(&value.to_string(), ISSUER)
}

fn configuration(value: &mut Value) -> &mut Value {
    &mut value["credential_configurations_supported"]["SD_JWT_VC_example_in_OpenID4VCI"]
}

#[test]
fn spec_metadata_parses_and_round_trips() {
    let metadata = parse_patched(|_| {}).unwrap();
    let configuration =
        &metadata.credential_configurations_supported["SD_JWT_VC_example_in_OpenID4VCI"];
    assert_eq!(configuration.format, "dc+sd-jwt");
    assert_eq!(
        configuration.format_specific["vct"],
        "SD_JWT_VC_example_in_OpenID4VCI"
    );
    let claims = configuration
        .credential_metadata
        .as_ref()
        .unwrap()
        .claims
        .as_ref()
        .unwrap();
    assert_eq!(claims[1].mandatory, Some(true));
    assert_eq!(
        claims[0].display.as_ref().unwrap()[1].locale.as_deref(),
        Some("de-DE")
    );
    assert_eq!(metadata.batch_credential_issuance.unwrap().batch_size, 10);
    let json = serde_json::to_value(&metadata).unwrap();
    assert_eq!(json, spec_metadata());
    assert_eq!(
        CredentialIssuerMetadata::parse(&json.to_string(), ISSUER).unwrap(),
        metadata
    );
}

#[test]
fn issuer_must_match_exactly() {
    let err = CredentialIssuerMetadata::parse(
        &spec_metadata().to_string(),
        "https://credential-issuer.example.com/",
    )
    .unwrap_err();
    assert_eq!(
        err,
        MetadataError::IssuerMismatch {
            expected: "https://credential-issuer.example.com/".into(),
            found: ISSUER.into()
        }
    );
}

#[test]
fn batch_size_below_two_is_refused() {
    let err =
        parse_patched(|v| v["batch_credential_issuance"]["batch_size"] = json!(1)).unwrap_err();
    assert_eq!(err, MetadataError::BatchSizeTooSmall(1));
}

#[test]
fn request_encryption_keys_must_be_public() {
    let public = json!({"kty": "EC", "crv": "P-256", "kid": "enc-1", "use": "enc", "alg": "ECDH-ES",
                        "x": "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
                        "y": "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps"});
    let with_keys = |keys: Value| {
        parse_patched(|v| {
            v["credential_request_encryption"] = json!({
                "jwks": {"keys": keys}, "enc_values_supported": ["A128GCM"], "encryption_required": true
            });
        })
    };
    let metadata = with_keys(json!([public.clone()])).unwrap();
    assert!(
        metadata
            .credential_request_encryption
            .unwrap()
            .encryption_required
    );
    let mut private = public;
    private["d"] = json!("870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE");
    assert_eq!(
        with_keys(json!([private])).unwrap_err(),
        MetadataError::EncryptionKeys
    );
    assert_eq!(
        with_keys(json!([])).unwrap_err(),
        MetadataError::EncryptionKeys
    );
}

#[test]
fn legacy_members_are_refused_by_name() {
    let err = parse_patched(|v| v["credentials_supported"] = json!([])).unwrap_err();
    assert!(matches!(err, MetadataError::Legacy(l) if l.name == "credentials_supported"));
    let err = parse_patched(|v| configuration(v)["display"] = json!([])).unwrap_err();
    assert!(matches!(err, MetadataError::Legacy(l) if l.name == "display"));
    let err =
        parse_patched(|v| configuration(v)["cryptographic_suites_supported"] = json!(["ES256"]))
            .unwrap_err();
    assert!(matches!(err, MetadataError::Legacy(l) if l.name == "cryptographic_suites_supported"));
}

#[test]
fn configuration_rules() {
    let reason = |err: MetadataError| match err {
        MetadataError::InvalidConfiguration { reason, .. } => reason,
        other => panic!("unexpected {other:?}"),
    };
    let err = parse_patched(|v| configuration(v)["format"] = json!("vc+sd-jwt")).unwrap_err();
    assert!(reason(err).contains("dc+sd-jwt"));
    let err = parse_patched(|v| {
        configuration(v).as_object_mut().unwrap().remove("vct");
    })
    .unwrap_err();
    assert!(reason(err).contains("vct"));
    let err = parse_patched(|v| {
        configuration(v)
            .as_object_mut()
            .unwrap()
            .remove("proof_types_supported");
    })
    .unwrap_err();
    assert!(reason(err).contains("come together"));
    // Unbound credential: both binding members omitted is fine.
    parse_patched(|v| {
        let c = configuration(v).as_object_mut().unwrap();
        c.remove("proof_types_supported");
        c.remove("cryptographic_binding_methods_supported");
    })
    .unwrap();
}

#[test]
fn well_known_goes_between_host_and_path() {
    assert_eq!(
        credential_issuer_metadata_url(ISSUER).unwrap().as_str(),
        "https://credential-issuer.example.com/.well-known/openid-credential-issuer"
    );
    assert_eq!(
        credential_issuer_metadata_url("https://credential-issuer.example.com/tenant")
            .unwrap()
            .as_str(),
        "https://credential-issuer.example.com/.well-known/openid-credential-issuer/tenant"
    );
    assert_eq!(
        authorization_server_metadata_url("https://server.example.com/issuer1")
            .unwrap()
            .as_str(),
        "https://server.example.com/.well-known/oauth-authorization-server/issuer1"
    );
    assert!(matches!(
        credential_issuer_metadata_url("https://issuer.example.com/?q=1"),
        Err(WellKnownError::NotIssuerIdentifier(_))
    ));
    assert!(matches!(
        credential_issuer_metadata_url("http://issuer.example.com"),
        Err(WellKnownError::NotIssuerIdentifier(_))
    ));
}

#[test]
fn authorization_server_metadata() {
    // Reconstructed: RFC 8414 §3.2 shape with the OpenID4VCI §12.3, PAR and DPoP members.
    let body = json!({
      "issuer": "https://server.example.com",
      "authorization_endpoint": "https://server.example.com/authorize",
      "token_endpoint": "https://server.example.com/token",
      "pushed_authorization_request_endpoint": "https://server.example.com/par",
      "require_pushed_authorization_requests": true,
      "code_challenge_methods_supported": ["S256"],
      "dpop_signing_alg_values_supported": ["ES256"],
      "grant_types_supported": ["authorization_code", "urn:ietf:params:oauth:grant-type:pre-authorized_code"],
      "pre-authorized_grant_anonymous_access_supported": true,
      "authorization_response_iss_parameter_supported": true,
      "jwks_uri": "https://server.example.com/jwks.json"
    });
    let metadata =
        AuthorizationServerMetadata::parse(&body.to_string(), "https://server.example.com")
            .unwrap();
    assert_eq!(
        metadata.pre_authorized_grant_anonymous_access_supported,
        Some(true)
    );
    assert!(metadata.supports_s256());
    assert_eq!(serde_json::to_value(&metadata).unwrap(), body);
    let err = AuthorizationServerMetadata::parse(&body.to_string(), "https://other.example.com")
        .unwrap_err();
    assert!(matches!(err, MetadataError::IssuerMismatch { .. }));
}
