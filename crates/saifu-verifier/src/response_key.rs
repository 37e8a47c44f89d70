//! The per-session ephemeral key of response mode `direct_post.jwt` (OpenID4VP 1.0 §8.3): its
//! public half goes to the wallet in `client_metadata.jwks`, the wallet encrypts the
//! authorization response to it (JWE, `ECDH-ES`), and only the session can decrypt it.

use saifu_crypto::jwe::{self, ContentEncryption, DecryptOptions, JweError};
use saifu_crypto::{CryptoError, Jwk, KeyType, PrivateKey};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

/// The content encryptions saifu accepts (`encrypted_response_enc_values_supported`, §8.3).
pub const RESPONSE_ENC_VALUES: [ContentEncryption; 2] =
    [ContentEncryption::A128Gcm, ContentEncryption::A256Gcm];

/// A session's P-256 response decryption key. Its `Debug` shows only the public key.
pub struct ResponseKey(PrivateKey);

impl std::fmt::Debug for ResponseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ResponseKey")
            .field(&self.0.public_key().thumbprint())
            .finish()
    }
}

impl PartialEq for ResponseKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.public_key() == other.0.public_key()
    }
}

impl Clone for ResponseKey {
    fn clone(&self) -> Self {
        ResponseKey(
            PrivateKey::from_secret_bytes(KeyType::P256, &self.0.secret_bytes())
                .expect("a P-256 key round-trips"),
        )
    }
}

/// Why an encrypted authorization response was refused.
#[derive(Debug, thiserror::Error)]
pub enum EncryptedResponseError {
    /// The JWE is longer than accepted; nothing was decoded.
    #[error("the encrypted response is too large: {0}")]
    TooLarge(JweError),
    /// The JWE does not decrypt with this session's key (wrong key, or altered).
    #[error("the encrypted response does not decrypt with this session's key: {0}")]
    NotDecryptable(JweError),
    /// The JWE is not a well-formed `ECDH-ES` JWE.
    #[error("malformed encrypted response: {0}")]
    MalformedJwe(JweError),
    /// The plaintext is not a JSON object with an object `vp_token` and a string `state`.
    #[error("malformed encrypted response payload: {0}")]
    MalformedPayload(String),
}

/// The authorization response parameters a decrypted JWE carries.
#[derive(Debug, Clone, PartialEq)]
pub struct DecryptedResponse {
    /// The `vp_token` object.
    pub vp_token: Value,
    /// The echoed `state`.
    pub state: String,
}

impl ResponseKey {
    /// A fresh key.
    pub fn generate() -> Result<ResponseKey, CryptoError> {
        PrivateKey::generate(KeyType::P256).map(ResponseKey)
    }

    /// The key from its stored form ([`Self::to_stored`]).
    pub fn from_stored(stored: &str) -> Result<ResponseKey, CryptoError> {
        let key = PrivateKey::from_secret_multikey(stored)?;
        if key.key_type() != KeyType::P256 {
            return Err(CryptoError::UnsupportedKeyType(key.key_type().to_string()));
        }
        Ok(ResponseKey(key))
    }

    /// The secret Multikey form kept in the session row; never sent over HTTP.
    pub fn to_stored(&self) -> Zeroizing<String> {
        self.0
            .to_secret_multikey()
            .expect("P-256 keys have a Multikey form")
    }

    /// The public JWK for `client_metadata.jwks`: `use` `enc`, `alg` `ECDH-ES`, `kid` its
    /// thumbprint.
    pub fn public_jwk(&self) -> Jwk {
        let public = self.0.public_key();
        let mut jwk = public.to_jwk();
        jwk.kid = Some(public.thumbprint());
        jwk.use_ = Some("enc".to_owned());
        jwk.alg = Some(jwe::ECDH_ES.to_owned());
        jwk
    }

    /// The `client_metadata` members for `direct_post.jwt`: `jwks` and
    /// `encrypted_response_enc_values_supported`.
    pub fn client_metadata(&self) -> Map<String, Value> {
        let jwk = serde_json::to_value(self.public_jwk()).expect("a JWK serializes");
        let enc: Vec<Value> = RESPONSE_ENC_VALUES
            .iter()
            .map(|enc| Value::from(enc.name()))
            .collect();
        Map::from_iter([
            ("jwks".to_owned(), serde_json::json!({ "keys": [jwk] })),
            (
                "encrypted_response_enc_values_supported".to_owned(),
                Value::Array(enc),
            ),
        ])
    }

    /// Decrypts the `response` parameter of a `direct_post.jwt` post.
    pub fn decrypt(&self, response: &str) -> Result<DecryptedResponse, EncryptedResponseError> {
        let decrypted =
            jwe::decrypt(response, &self.0, &DecryptOptions::default()).map_err(classify)?;
        let mut payload: Map<String, Value> = serde_json::from_slice(&decrypted.plaintext)
            .map_err(|e| EncryptedResponseError::MalformedPayload(e.to_string()))?;
        let vp_token = payload
            .remove("vp_token")
            .filter(Value::is_object)
            .ok_or_else(|| {
                EncryptedResponseError::MalformedPayload("vp_token is not an object".to_owned())
            })?;
        let state = match payload.remove("state") {
            Some(Value::String(state)) => state,
            _ => {
                return Err(EncryptedResponseError::MalformedPayload(
                    "state is not a string".to_owned(),
                ));
            }
        };
        Ok(DecryptedResponse { vp_token, state })
    }
}

fn classify(error: JweError) -> EncryptedResponseError {
    match error {
        JweError::TooLarge { .. } => EncryptedResponseError::TooLarge(error),
        JweError::DecryptionFailed | JweError::EphemeralKeyMismatch { .. } => {
            EncryptedResponseError::NotDecryptable(error)
        }
        other => EncryptedResponseError::MalformedJwe(other),
    }
}

#[cfg(test)]
mod tests {
    use saifu_crypto::PublicKey;
    use saifu_crypto::jwe::{self, ContentEncryption, EncryptOptions};
    use serde_json::json;

    use super::{EncryptedResponseError, ResponseKey};

    fn encrypt_to(key: &ResponseKey, payload: &serde_json::Value) -> String {
        let public = PublicKey::from_jwk(&key.public_jwk()).expect("public");
        jwe::encrypt(
            &public,
            payload.to_string().as_bytes(),
            &EncryptOptions::new(ContentEncryption::A128Gcm),
        )
        .expect("encrypt")
    }

    #[test]
    fn round_trips_through_storage_and_decrypts() {
        let key = ResponseKey::generate().expect("key");
        let stored = ResponseKey::from_stored(&key.to_stored()).expect("stored");
        assert_eq!(stored, key);
        let token = encrypt_to(&key, &json!({"vp_token": {"q": ["x"]}, "state": "s"}));
        let decrypted = stored.decrypt(&token).expect("decrypt");
        assert_eq!(decrypted.vp_token, json!({"q": ["x"]}));
        assert_eq!(decrypted.state, "s");
        let metadata = key.client_metadata();
        assert_eq!(metadata["jwks"]["keys"][0]["use"], "enc");
        assert_eq!(metadata["jwks"]["keys"][0]["alg"], "ECDH-ES");
        assert!(metadata["jwks"]["keys"][0].get("d").is_none());
        assert_eq!(
            metadata["encrypted_response_enc_values_supported"],
            json!(["A128GCM", "A256GCM"])
        );
    }

    #[test]
    fn refusals_are_specific() {
        let key = ResponseKey::generate().expect("key");
        let other = ResponseKey::generate().expect("key");
        let to_other = encrypt_to(&other, &json!({"vp_token": {}, "state": "s"}));
        assert!(matches!(
            key.decrypt(&to_other),
            Err(EncryptedResponseError::NotDecryptable(_))
        ));
        assert!(matches!(
            key.decrypt("a.b.c"),
            Err(EncryptedResponseError::MalformedJwe(_))
        ));
        let huge = "a".repeat(300 * 1024);
        assert!(matches!(
            key.decrypt(&huge),
            Err(EncryptedResponseError::TooLarge(_))
        ));
        let no_state = encrypt_to(&key, &json!({"vp_token": {}}));
        assert!(matches!(
            key.decrypt(&no_state),
            Err(EncryptedResponseError::MalformedPayload(_))
        ));
        assert!(ResponseKey::from_stored("not a key").is_err());
    }
}
