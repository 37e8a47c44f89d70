//! How the verifier identifies itself to wallets: the client identifier prefixes of OpenID4VP
//! 1.0 §5.9 and, for the signed ones, the request object (JAR, RFC 9101) signature.
//!
//! `redirect_uri:` requests are unsigned and passed by value; `x509_san_dns:` and
//! `decentralized_identifier:` requests are signed request objects (`typ`
//! `oauth-authz-req+jwt`, `aud` `https://self-issued.me/v2`, §5.8) passed by reference.

use saifu_crypto::jws::{self, JwsError};
use saifu_crypto::{LocalSigner, PrivateKey, Signer};
use saifu_did::jwk::{DidJwkError, did_jwk};
use serde_json::{Map, Value};

use crate::x509::X509Identity;

/// The JWS `typ` of a signed authorization request (OpenID4VP 1.0 §5.8, RFC 9101 §4).
pub const REQUEST_OBJECT_TYP: &str = "oauth-authz-req+jwt";

/// The static `aud` of a request object sent to a wallet without known metadata (§5.8).
pub const REQUEST_OBJECT_AUDIENCE: &str = "https://self-issued.me/v2";

/// A client identifier prefix saifu can use (OpenID4VP 1.0 §5.9.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientIdPrefix {
    /// `redirect_uri:<response_uri>`: unsigned, by value.
    RedirectUri,
    /// `x509_san_dns:<host>`: signed with an `x5c` chain whose leaf certifies the host.
    X509SanDns,
    /// `decentralized_identifier:<did>`: signed with a verification method of the DID.
    DecentralizedIdentifier,
}

impl ClientIdPrefix {
    /// The prefix's name as written before the `:`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientIdPrefix::RedirectUri => "redirect_uri",
            ClientIdPrefix::X509SanDns => "x509_san_dns",
            ClientIdPrefix::DecentralizedIdentifier => "decentralized_identifier",
        }
    }

    /// The prefix named `name` ([`Self::as_str`]), if saifu supports it.
    pub fn from_name(name: &str) -> Option<ClientIdPrefix> {
        [
            ClientIdPrefix::RedirectUri,
            ClientIdPrefix::X509SanDns,
            ClientIdPrefix::DecentralizedIdentifier,
        ]
        .into_iter()
        .find(|prefix| prefix.as_str() == name)
    }
}

/// A DID identity that signs request objects for `decentralized_identifier:<did>`.
#[derive(Debug)]
pub struct DidIdentity {
    did: String,
    signer: LocalSigner,
}

impl DidIdentity {
    /// The did:jwk identity of `key`; the signing verification method is `{did}#0`.
    pub fn did_jwk(key: PrivateKey) -> Result<DidIdentity, DidIdentityError> {
        let did = did_jwk(&key.public_key().to_jwk())?.as_str().to_owned();
        let signer = LocalSigner::new(key)?.with_key_id(format!("{did}#0"));
        Ok(DidIdentity { did, signer })
    }

    /// The DID (without fragment).
    pub fn did(&self) -> &str {
        &self.did
    }
}

/// Why a DID identity could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DidIdentityError {
    /// The key cannot be a did:jwk.
    #[error(transparent)]
    DidJwk(#[from] DidJwkError),
    /// The key cannot sign.
    #[error(transparent)]
    Key(#[from] saifu_crypto::CryptoError),
}

/// The identities a verifier can sign request objects with; each is optional.
#[derive(Debug, Default)]
pub struct RequestSigners {
    x509: Option<X509Identity>,
    did: Option<DidIdentity>,
}

/// A client identifier prefix was asked for that this verifier has no identity for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the client identifier prefix `{}` is not configured on this verifier", .0.as_str())]
pub struct PrefixNotConfigured(pub ClientIdPrefix);

impl RequestSigners {
    /// Signs `x509_san_dns:` requests with `identity`.
    pub fn with_x509(mut self, identity: X509Identity) -> Self {
        self.x509 = Some(identity);
        self
    }

    /// Signs `decentralized_identifier:` requests with `identity`.
    pub fn with_did(mut self, identity: DidIdentity) -> Self {
        self.did = Some(identity);
        self
    }

    /// The full client identifier for `prefix`, the `redirect_uri:` one being built from
    /// `response_uri`.
    pub fn client_id(
        &self,
        prefix: ClientIdPrefix,
        response_uri: &str,
    ) -> Result<String, PrefixNotConfigured> {
        let value = match prefix {
            ClientIdPrefix::RedirectUri => Some(response_uri),
            ClientIdPrefix::X509SanDns => self.x509.as_ref().map(X509Identity::host),
            ClientIdPrefix::DecentralizedIdentifier => self.did.as_ref().map(DidIdentity::did),
        };
        value
            .map(|value| format!("{}:{value}", prefix.as_str()))
            .ok_or(PrefixNotConfigured(prefix))
    }

    /// The signed request object carrying `parameters` for `prefix`, or `None` for the unsigned
    /// `redirect_uri:` prefix. `issued_at`/`expires_at` become `iat`/`exp`.
    pub async fn sign(
        &self,
        prefix: ClientIdPrefix,
        parameters: &Map<String, Value>,
        issued_at: i64,
        expires_at: i64,
    ) -> Result<Option<String>, SignError> {
        let mut header = Map::from_iter([("typ".to_owned(), Value::from(REQUEST_OBJECT_TYP))]);
        let signer: &dyn Signer = match prefix {
            ClientIdPrefix::RedirectUri => return Ok(None),
            ClientIdPrefix::X509SanDns => {
                let identity = self.x509.as_ref().ok_or(PrefixNotConfigured(prefix))?;
                header.insert("x5c".to_owned(), Value::from(identity.x5c()));
                identity.signer()
            }
            ClientIdPrefix::DecentralizedIdentifier => {
                &self.did.as_ref().ok_or(PrefixNotConfigured(prefix))?.signer
            }
        };
        let mut claims = parameters.clone();
        claims.insert("aud".to_owned(), Value::from(REQUEST_OBJECT_AUDIENCE));
        claims.insert("iat".to_owned(), Value::from(issued_at));
        claims.insert("exp".to_owned(), Value::from(expires_at));
        let payload = serde_json::to_vec(&claims).expect("a JSON map serializes");
        Ok(Some(jws::sign_compact(&header, &payload, signer).await?))
    }
}

/// Why a request object could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// No identity for the prefix.
    #[error(transparent)]
    NotConfigured(#[from] PrefixNotConfigured),
    /// The signer failed.
    #[error("request object signing failed: {0}")]
    Jws(#[from] JwsError),
}

#[cfg(test)]
mod tests {
    use saifu_crypto::jws::{VerifyPolicy, decode_compact};
    use saifu_crypto::{Algorithm, KeyType, PrivateKey, PublicKey, Signer};
    use serde_json::{Map, Value, json};

    use super::{ClientIdPrefix, DidIdentity, PrefixNotConfigured, RequestSigners, SignError};
    use crate::x509::DevelopmentCa;

    fn parameters() -> Map<String, Value> {
        json!({"client_id": "x", "nonce": "n"})
            .as_object()
            .cloned()
            .expect("object")
    }

    #[tokio::test]
    async fn did_request_object_is_signed_by_the_did_verification_method() {
        let key = PrivateKey::generate(KeyType::P256).expect("key");
        let public = key.public_key().clone();
        let identity = DidIdentity::did_jwk(key).expect("did");
        let did = identity.did().to_owned();
        let signers = RequestSigners::default().with_did(identity);
        let prefix = ClientIdPrefix::DecentralizedIdentifier;
        assert_eq!(
            signers.client_id(prefix, "https://v.example/r"),
            Ok(format!("decentralized_identifier:{did}"))
        );
        let jwt = signers
            .sign(prefix, &parameters(), 100, 400)
            .await
            .expect("sign")
            .expect("signed");
        let decoded = decode_compact(&jwt, 64 * 1024).expect("decode");
        assert_eq!(decoded.typ(), Some("oauth-authz-req+jwt"));
        assert_eq!(decoded.kid(), Some(format!("{did}#0").as_str()));
        let payload = decoded
            .verify(&public, &VerifyPolicy::new(&[Algorithm::ES256]))
            .expect("verify");
        let claims: Value = serde_json::from_slice(payload).expect("json");
        assert_eq!(claims["aud"], "https://self-issued.me/v2");
        assert_eq!(
            (claims["iat"].clone(), claims["exp"].clone()),
            (json!(100), json!(400))
        );
        assert_eq!(claims["nonce"], "n");
    }

    #[tokio::test]
    async fn x509_request_object_carries_the_chain() {
        let ca = DevelopmentCa::generate("v.example").expect("ca");
        let expected = ca.identity.x5c();
        let public: PublicKey = ca.identity.signer().public_key().clone();
        let signers = RequestSigners::default().with_x509(ca.identity);
        let jwt = signers
            .sign(ClientIdPrefix::X509SanDns, &parameters(), 0, 1)
            .await
            .expect("sign")
            .expect("signed");
        let decoded = decode_compact(&jwt, 64 * 1024).expect("decode");
        let header: Value = serde_json::from_slice(
            &saifu_crypto::b64::decode(jwt.split('.').next().expect("h"), "h").expect("b64"),
        )
        .expect("json");
        assert_eq!(header["x5c"], json!(expected));
        decoded
            .verify(&public, &VerifyPolicy::new(&[Algorithm::ES256]))
            .expect("verify");
    }

    #[tokio::test]
    async fn unconfigured_prefixes_are_refused_and_redirect_uri_is_unsigned() {
        let signers = RequestSigners::default();
        for prefix in [
            ClientIdPrefix::X509SanDns,
            ClientIdPrefix::DecentralizedIdentifier,
        ] {
            assert_eq!(
                signers.client_id(prefix, "u"),
                Err(PrefixNotConfigured(prefix))
            );
            assert!(matches!(
                signers.sign(prefix, &parameters(), 0, 1).await,
                Err(SignError::NotConfigured(PrefixNotConfigured(p))) if p == prefix
            ));
        }
        assert_eq!(
            signers.client_id(ClientIdPrefix::RedirectUri, "https://v.example/r"),
            Ok("redirect_uri:https://v.example/r".to_owned())
        );
        assert!(
            signers
                .sign(ClientIdPrefix::RedirectUri, &parameters(), 0, 1)
                .await
                .expect("ok")
                .is_none()
        );
    }
}
