//! JSON Web Keys (RFC 7517) as they travel on the wire, and their thumbprints (RFC 7638, RFC 9278).
//!
//! [`Jwk`] is deliberately a plain data type: it can hold any key, including ones saifu cannot use,
//! so that documents and headers round-trip untouched. Conversion into a usable key happens in
//! [`crate::PublicKey::from_jwk`] and [`crate::PrivateKey::from_jwk`], which validate everything.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::{CryptoError, b64};

/// A JSON Web Key. Unknown members are preserved in `extra`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Key type: `OKP`, `EC`, `AKP`, `RSA`, `oct`.
    pub kty: String,
    /// Curve for `OKP`/`EC` keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// Public x coordinate (EC) or public key (OKP), base64url.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// Public y coordinate (EC), base64url.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// Public key of an `AKP` key (RFC 9964), base64url.
    #[serde(rename = "pub", skip_serializing_if = "Option::is_none")]
    pub pub_: Option<String>,
    /// Intended algorithm; REQUIRED for `AKP` keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Key identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Public key use: `sig` or `enc`.
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    /// Private scalar (EC/OKP), base64url. Secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub d: Option<String>,
    /// Private seed of an `AKP` key (32 bytes, RFC 9964), base64url. Secret.
    #[serde(rename = "priv", skip_serializing_if = "Option::is_none")]
    pub priv_: Option<String>,
    /// Every other member, kept so that foreign keys round-trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Members that only private (or symmetric) keys carry (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 9964).
const PRIVATE_MEMBERS: [&str; 9] = ["d", "priv", "p", "q", "dp", "dq", "qi", "oth", "k"];

impl Jwk {
    /// Whether the JWK carries private or symmetric key material. Public documents (DID documents,
    /// metadata, headers) must never contain such a key.
    pub fn is_private(&self) -> bool {
        self.d.is_some()
            || self.priv_.is_some()
            || PRIVATE_MEMBERS.iter().any(|m| self.extra.contains_key(*m))
    }

    /// A copy with every private member removed and everything public kept.
    pub fn to_public(&self) -> Jwk {
        let mut public = self.clone();
        // Wipe the cloned secrets before their memory is freed.
        public.d.zeroize();
        public.priv_.zeroize();
        for m in PRIVATE_MEMBERS {
            if let Some(Value::String(mut secret)) = public.extra.remove(m) {
                secret.zeroize();
            }
        }
        public
    }

    /// Parses a JWK from JSON text.
    pub fn from_json(text: &str) -> Result<Jwk, CryptoError> {
        serde_json::from_str(text).map_err(|e| CryptoError::InvalidJwk(e.to_string()))
    }

    /// The RFC 7638 thumbprint input: the required members only, in lexicographic order, no
    /// whitespace. For `AKP` keys the members are `alg`, `kty`, `pub` (RFC 9964).
    pub fn thumbprint_input(&self) -> Result<String, CryptoError> {
        fn req<'v>(v: &'v Option<String>, name: &str, kty: &str) -> Result<&'v str, CryptoError> {
            v.as_deref().ok_or_else(|| {
                CryptoError::InvalidJwk(format!("`{name}` is required for a {kty} thumbprint"))
            })
        }
        let kty = self.kty.as_str();
        // serde_json string escaping gives the exact JSON string form RFC 7638 §3 requires.
        let s = |v: &str| Value::String(v.to_owned()).to_string();
        Ok(match self.kty.as_str() {
            "EC" => format!(
                r#"{{"crv":{},"kty":"EC","x":{},"y":{}}}"#,
                s(req(&self.crv, "crv", kty)?),
                s(req(&self.x, "x", kty)?),
                s(req(&self.y, "y", kty)?)
            ),
            "OKP" => format!(
                r#"{{"crv":{},"kty":"OKP","x":{}}}"#,
                s(req(&self.crv, "crv", kty)?),
                s(req(&self.x, "x", kty)?)
            ),
            "AKP" => format!(
                r#"{{"alg":{},"kty":"AKP","pub":{}}}"#,
                s(req(&self.alg, "alg", kty)?),
                s(req(&self.pub_, "pub", kty)?)
            ),
            "RSA" => {
                let member = |name: &str| match self.extra.get(name) {
                    Some(Value::String(v)) => Ok(s(v)),
                    _ => Err(CryptoError::InvalidJwk(format!("`{name}` is required"))),
                };
                format!(
                    r#"{{"e":{},"kty":"RSA","n":{}}}"#,
                    member("e")?,
                    member("n")?
                )
            }
            other => return Err(CryptoError::UnsupportedKeyType(other.to_owned())),
        })
    }

    /// The RFC 7638 SHA-256 thumbprint, base64url.
    pub fn thumbprint(&self) -> Result<String, CryptoError> {
        Ok(b64::encode(Sha256::digest(self.thumbprint_input()?)))
    }

    /// The RFC 9278 thumbprint URI: `urn:ietf:params:oauth:jwk-thumbprint:sha-256:<thumbprint>`.
    pub fn thumbprint_uri(&self) -> Result<String, CryptoError> {
        Ok(format!(
            "urn:ietf:params:oauth:jwk-thumbprint:sha-256:{}",
            self.thumbprint()?
        ))
    }
}

impl std::fmt::Debug for Jwk {
    /// Never prints private members, so a key can't leak through a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let public = self.to_public();
        f.debug_struct("Jwk")
            .field("kty", &public.kty)
            .field("crv", &public.crv)
            .field("alg", &public.alg)
            .field("kid", &public.kid)
            .field("private", &self.is_private())
            .finish_non_exhaustive()
    }
}

impl Drop for Jwk {
    fn drop(&mut self) {
        self.d.zeroize();
        self.priv_.zeroize();
    }
}
