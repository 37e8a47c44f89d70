//! Encrypted Credential Responses (OpenID4VCI 1.0 §10): when the wallet sends
//! `credential_response_encryption`, the Credential Response travels as a compact JWE
//! (`application/jwt`) that only the wallet's key opens.
//!
//! The parameters are checked before any proof is looked at, so a request the issuer cannot
//! answer in the form asked consumes nothing (no nonce, no status list index).

use saifu_crypto::jwe::{self, ContentEncryption, ECDH_ES, EncryptOptions};
use saifu_crypto::{KeyType, PublicKey};
use saifu_oid4vc::vci::credential::{
    CredentialError, CredentialResponse, ResponseEncryptionParams,
};
use saifu_oid4vc::vci::metadata::ResponseEncryption;

use crate::error::IssuerError;

/// Content encryption algorithms the issuer offers, in the order advertised.
const CONTENT_ENCRYPTIONS: [ContentEncryption; 2] =
    [ContentEncryption::A128Gcm, ContentEncryption::A256Gcm];

/// The `credential_response_encryption` member of the issuer metadata: direct ECDH-ES with
/// AES-GCM, no compression (compressed plaintexts invite decompression bombs), optional.
pub(crate) fn metadata() -> ResponseEncryption {
    ResponseEncryption {
        alg_values_supported: vec![ECDH_ES.to_owned()],
        enc_values_supported: CONTENT_ENCRYPTIONS
            .iter()
            .map(|enc| enc.name().to_owned())
            .collect(),
        zip_values_supported: None,
        encryption_required: false,
    }
}

/// A Credential Response as the Credential Endpoint sends it.
#[derive(Debug, Clone, PartialEq)]
pub enum CredentialReply {
    /// Plain JSON (`application/json`): credentials (200) or a deferral (202).
    Plain(CredentialResponse),
    /// A compact JWE of the JSON response (`application/jwt`), for the wallet's key.
    Encrypted {
        /// The JWE.
        jwe: String,
        /// The HTTP status of the response it encrypts (200, or 202 for a deferral).
        status: u16,
        /// How many credentials it carries (0 for a deferral), for the node's metrics.
        credentials: usize,
    },
}

impl CredentialReply {
    /// `response`, encrypted when the wallet asked.
    pub(crate) fn new(
        response: CredentialResponse,
        encryptor: Option<&ResponseEncryptor>,
    ) -> Result<CredentialReply, IssuerError> {
        Ok(match encryptor {
            Some(encryptor) => CredentialReply::Encrypted {
                jwe: encryptor.seal(&response)?,
                status: response.status(),
                credentials: issued_count(&response),
            },
            None => CredentialReply::Plain(response),
        })
    }

    /// The HTTP status to send.
    pub fn status(&self) -> u16 {
        match self {
            CredentialReply::Plain(response) => response.status(),
            CredentialReply::Encrypted { status, .. } => *status,
        }
    }

    /// How many credentials the reply carries (0 for a deferral).
    pub fn credential_count(&self) -> usize {
        match self {
            CredentialReply::Plain(response) => issued_count(response),
            CredentialReply::Encrypted { credentials, .. } => *credentials,
        }
    }
}

fn issued_count(response: &CredentialResponse) -> usize {
    match response {
        CredentialResponse::Issued(issued) => issued.credentials.len(),
        CredentialResponse::Deferred(_) => 0,
    }
}

/// The wallet's checked request to encrypt the response: a key the issuer can agree with and
/// an `enc` it supports.
#[derive(Debug, Clone)]
pub(crate) struct ResponseEncryptor {
    key: PublicKey,
    enc: ContentEncryption,
    kid: Option<String>,
}

impl ResponseEncryptor {
    /// Checks the request's parameters: `alg` (from the JWK, `ECDH-ES` when absent), a P-256
    /// or X25519 public key not reserved for signatures, a supported `enc`, and no `zip`.
    pub(crate) fn new(params: &ResponseEncryptionParams) -> Result<Self, CredentialError> {
        let refuse = |why: String| CredentialError::InvalidEncryptionParameters(why);
        if let Some(alg) = params.jwk.alg.as_deref().filter(|alg| *alg != ECDH_ES) {
            return Err(refuse(format!(
                "unsupported key management algorithm `{alg}`: use {ECDH_ES}"
            )));
        }
        if params.jwk.use_.as_deref().is_some_and(|u| u != "enc") {
            return Err(refuse("the jwk is not an encryption key (`use`)".into()));
        }
        if let Some(zip) = &params.zip {
            return Err(refuse(format!("compression `{zip}` is not supported")));
        }
        let enc: ContentEncryption = params
            .enc
            .parse()
            .map_err(|e: jwe::JweError| refuse(e.to_string()))?;
        let key = PublicKey::from_jwk(&params.jwk).map_err(|e| refuse(e.to_string()))?;
        if !matches!(key.key_type(), KeyType::P256 | KeyType::X25519) {
            return Err(refuse(format!(
                "{} keys cannot receive ECDH-ES encryption: use P-256 or X25519",
                key.key_type()
            )));
        }
        Ok(ResponseEncryptor {
            key,
            enc,
            kid: params.jwk.kid.clone(),
        })
    }

    /// Encrypts the JSON of `issued` to the wallet's key, echoing its `kid`.
    pub(crate) fn seal(&self, response: &CredentialResponse) -> Result<String, IssuerError> {
        let json = serde_json::to_vec(response)
            .map_err(|e| IssuerError::Signing(format!("serializing the response: {e}")))?;
        let options = EncryptOptions {
            kid: self.kid.as_deref(),
            ..EncryptOptions::new(self.enc)
        };
        jwe::encrypt(&self.key, &json, &options)
            .map_err(|e| IssuerError::Signing(format!("encrypting the response: {e}")))
    }
}
