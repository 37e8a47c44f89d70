//! The Credential Issuer Metadata (§12.2) and OAuth Authorization Server Metadata (RFC 8414) of
//! an issuer that is its own authorization server.

use std::collections::BTreeMap;

use saifu_crypto::{Algorithm, KeyType, Signer};
use saifu_oid4vc::oauth::pkce;
use saifu_oid4vc::vci::metadata::{
    AuthorizationServerMetadata, BatchCredentialIssuance, ClaimDescription, ClaimDisplay,
    CredentialConfiguration, CredentialIssuerMetadata, CredentialMetadata, Display,
    ProofTypeMetadata,
};
use saifu_oid4vc::vci::offer::PRE_AUTHORIZED_CODE_GRANT;
use saifu_oid4vc::w3c::cryptosuite_for;
use serde_json::{Map, Value, json};

use crate::config::{CredentialConfig, IssuerConfig, W3cDefinition, W3cFormat};

/// Algorithms accepted in key proofs.
pub(crate) const PROOF_ALGORITHMS: [Algorithm; 3] =
    [Algorithm::ES256, Algorithm::Ed25519, Algorithm::EdDSA];

fn display(name: &str) -> Vec<Display> {
    vec![Display {
        name: Some(name.to_owned()),
        ..Display::default()
    }]
}

fn configuration(config: &CredentialConfig, signing_alg: Algorithm) -> CredentialConfiguration {
    // W3C claims live under `credentialSubject` (OpenID4VCI 1.0 A.1.1.2 example).
    let prefix = config
        .w3c
        .as_ref()
        .map(|_| Value::String("credentialSubject".into()));
    let claims = config
        .claims
        .iter()
        .map(|claim| ClaimDescription {
            path: prefix
                .iter()
                .cloned()
                .chain([Value::String(claim.name.clone())])
                .collect(),
            mandatory: None,
            display: Some(vec![ClaimDisplay {
                name: Some(claim.display_name.clone()),
                locale: None,
            }]),
        })
        .collect();
    let (binding, proofs) = if config.holder_binding {
        let algorithms = PROOF_ALGORITHMS.map(|a| a.jose_name().to_owned()).to_vec();
        let proof = ProofTypeMetadata {
            proof_signing_alg_values_supported: algorithms,
            key_attestations_required: None,
        };
        // W3C credentials bind the holder as `credentialSubject.id`, a `did:key`.
        let method = if config.w3c.is_some() {
            "did:key"
        } else {
            "jwk"
        };
        (
            Some(vec![method.to_owned()]),
            Some(BTreeMap::from([("jwt".to_owned(), proof)])),
        )
    } else {
        (None, None)
    };
    let (format, format_specific, signing) = match &config.w3c {
        None => {
            let mut specific = Map::new();
            specific.insert("vct".into(), Value::String(config.vct.clone()));
            ("dc+sd-jwt", specific, signing_alg.jose_name().to_owned())
        }
        Some(definition) => w3c_configuration(definition, signing_alg),
    };
    CredentialConfiguration {
        format: format.into(),
        scope: Some(config.scope.clone()),
        credential_signing_alg_values_supported: Some(vec![Value::String(signing)]),
        cryptographic_binding_methods_supported: binding,
        proof_types_supported: proofs,
        credential_metadata: Some(CredentialMetadata {
            display: Some(display(&config.display_name)),
            claims: Some(claims),
        }),
        format_specific,
    }
}

/// The format, its `credential_definition` and the signing algorithm name of a W3C type:
/// `jwt_vc_json` lists `type` and a JWS `alg` (A.1.1.2), `ldp_vc` also `@context` and names
/// its Data Integrity cryptosuite (A.1.2.2 asks for a suite identifier; with
/// `DataIntegrityProof` the cryptosuite is what tells suites apart).
fn w3c_configuration(
    definition: &W3cDefinition,
    signing_alg: Algorithm,
) -> (&'static str, Map<String, Value>, String) {
    let mut credential_definition = Map::new();
    let signing = match definition.format {
        W3cFormat::JwtVcJson => match signing_alg.key_type() {
            KeyType::Ed25519 => Algorithm::EdDSA.jose_name().to_owned(),
            _ => signing_alg.jose_name().to_owned(),
        },
        W3cFormat::LdpVc => {
            credential_definition.insert("@context".into(), json!(definition.context()));
            cryptosuite_for(signing_alg.key_type()).map_or_else(
                || signing_alg.jose_name().to_owned(),
                |s| s.name().to_owned(),
            )
        }
    };
    credential_definition.insert("type".into(), json!(definition.types()));
    let mut specific = Map::new();
    specific.insert(
        "credential_definition".into(),
        Value::Object(credential_definition),
    );
    (definition.format.as_str(), specific, signing)
}

impl IssuerConfig {
    /// The Credential Issuer Metadata document over the configuration file's credential types.
    pub fn issuer_metadata(&self) -> CredentialIssuerMetadata {
        self.issuer_metadata_for(&self.credentials)
    }

    /// The Credential Issuer Metadata document over `configs`.
    pub fn issuer_metadata_for(&self, configs: &[CredentialConfig]) -> CredentialIssuerMetadata {
        let alg = self.signer.algorithm();
        CredentialIssuerMetadata {
            credential_issuer: self.issuer_id.clone(),
            authorization_servers: None,
            credential_endpoint: self.endpoint("/credential"),
            nonce_endpoint: Some(self.endpoint("/nonce")),
            deferred_credential_endpoint: Some(self.endpoint("/deferred_credential")),
            notification_endpoint: Some(self.endpoint("/notification")),
            credential_request_encryption: None,
            credential_response_encryption: Some(crate::response_encryption::metadata()),
            batch_credential_issuance: (self.batch_size >= 2).then_some(BatchCredentialIssuance {
                batch_size: self.batch_size,
            }),
            display: Some(display(&self.display_name)),
            credential_configurations_supported: configs
                .iter()
                .map(|c| (c.id.clone(), configuration(c, alg)))
                .collect(),
        }
    }

    /// The OAuth Authorization Server Metadata document: both grants; for the authorization
    /// code flow PAR is required, PKCE is `S256` only and the response carries `iss` (HAIP 1.0
    /// §4, FAPI 2.0, RFC 9207).
    pub fn authorization_server_metadata(&self) -> AuthorizationServerMetadata {
        self.authorization_server_metadata_for(&self.credentials)
    }

    /// The OAuth Authorization Server Metadata document with the scopes of `configs`.
    pub fn authorization_server_metadata_for(
        &self,
        configs: &[CredentialConfig],
    ) -> AuthorizationServerMetadata {
        AuthorizationServerMetadata {
            issuer: self.issuer_id.clone(),
            authorization_endpoint: Some(self.endpoint("/authorize")),
            token_endpoint: Some(self.endpoint("/token")),
            pushed_authorization_request_endpoint: Some(self.endpoint("/par")),
            require_pushed_authorization_requests: Some(true),
            response_types_supported: Some(vec!["code".into()]),
            grant_types_supported: Some(vec![
                "authorization_code".into(),
                PRE_AUTHORIZED_CODE_GRANT.into(),
            ]),
            code_challenge_methods_supported: Some(vec![pkce::S256.into()]),
            authorization_response_iss_parameter_supported: Some(true),
            scopes_supported: Some(configs.iter().map(|c| c.scope.clone()).collect()),
            pre_authorized_grant_anonymous_access_supported: Some(true),
            ..AuthorizationServerMetadata::default()
        }
    }
}
