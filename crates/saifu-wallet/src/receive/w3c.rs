//! Checking W3C credentials (`jwt_vc_json`, `ldp_vc`) before they are stored: each copy's proof
//! must verify under its issuer's `did:key`, that key must be one the issuer the wallet asked
//! publishes in its JWT VC Issuer Metadata (so a credential cannot claim another issuer URL),
//! and its `credentialSubject.id` must be the `did:key` of one of the holder keys the wallet
//! just proved — each key to one copy.

use saifu_credential::sd_jwt_vc::issuer_metadata_url;
use saifu_credential::w3c::datetime;
use saifu_crypto::{Jwk, PublicKey};
use saifu_oid4vc::w3c::{JWT_VC_JSON, LDP_VC, did_key, expanded_types, jwt_vc, ldp_vc};
use serde_json::{Map, Value};

use super::verify::CheckedIssuance;
use crate::model::CredentialCopy;
use crate::wallet::{Wallet, now};
use crate::{WalletError, wire};

/// Tolerated issuer/wallet clock difference, seconds.
const SKEW: i64 = 300;

/// One verified copy: its issuer DID, subject DID, credential root and expiry.
struct Verified {
    issuer: String,
    subject: Option<String>,
    credential: Map<String, Value>,
    expires_at: Option<i64>,
}

fn invalid(why: impl std::fmt::Display) -> WalletError {
    WalletError::InvalidCredential(why.to_string())
}

/// Verifies one copy of `format` as the issuer sent it (a JWT string or a JSON object); the
/// verified view and the text to store.
fn verify_copy(format: &str, sent: &Value) -> Result<(Verified, String), WalletError> {
    match (format, sent) {
        (JWT_VC_JSON, Value::String(jwt)) => {
            let checked = jwt_vc::verify_credential(jwt, now(), SKEW).map_err(invalid)?;
            let verified = Verified {
                issuer: checked.issuer,
                subject: checked.subject,
                credential: checked.credential,
                expires_at: checked.expires_at,
            };
            Ok((verified, jwt.clone()))
        }
        (LDP_VC, Value::Object(_)) => {
            let checked = ldp_vc::verify_credential(sent, now()).map_err(invalid)?;
            let expires_at = checked
                .credential
                .get("validUntil")
                .and_then(Value::as_str)
                .and_then(datetime::parse);
            let verified = Verified {
                issuer: checked.issuer,
                subject: checked.subject,
                credential: checked.credential,
                expires_at,
            };
            Ok((verified, sent.to_string()))
        }
        (JWT_VC_JSON | LDP_VC, _) => Err(invalid(format!(
            "a `{format}` credential must be a {}",
            if format == LDP_VC {
                "JSON object"
            } else {
                "JWT string"
            }
        ))),
        _ => Err(WalletError::Unsupported(format!(
            "credential format `{format}`"
        ))),
    }
}

impl Wallet {
    /// Verifies the W3C credentials `sent` by `issuer` and pairs each with its holder key.
    pub(super) async fn check_issued_w3c(
        &self,
        format: &str,
        issuer: &str,
        sent: &[Value],
        holder_keys: &[Jwk],
    ) -> Result<CheckedIssuance, WalletError> {
        let mut unused: Vec<&Jwk> = holder_keys.iter().collect();
        let mut copies = Vec::with_capacity(sent.len());
        let mut first: Option<(Verified, PublicKey)> = None;
        for credential in sent {
            let (verified, text) = verify_copy(format, credential)?;
            let issuer_key = match &first {
                Some((known, key)) if known.issuer == verified.issuer => key.clone(),
                Some(_) => return Err(invalid("the copies name different issuers")),
                None => self.issuer_did_key(issuer, &verified.issuer).await?,
            };
            let subject = verified
                .subject
                .as_deref()
                .ok_or_else(|| invalid("it names no credentialSubject.id holder"))?;
            let position = unused
                .iter()
                .position(|k| {
                    PublicKey::from_jwk(&k.to_public()).is_ok_and(|key| did_key(&key) == subject)
                })
                .ok_or_else(|| invalid("it is bound to a key this wallet did not prove"))?;
            copies.push(CredentialCopy {
                credential: text,
                holder_key: unused.remove(position).clone(),
                shown_to: None,
            });
            if first.is_none() {
                first = Some((verified, issuer_key));
            }
        }
        let (verified, issuer_key) =
            first.ok_or_else(|| invalid("the issuer sent no credential"))?;
        Ok(CheckedIssuance {
            vct: None,
            types: expanded_types(&verified.credential),
            claims: verified.credential,
            issuer_key: issuer_key.to_jwk(),
            copies,
            expires_at: verified.expires_at,
        })
    }

    /// The key of the credential's issuer DID, if the Credential Issuer `issuer` publishes it in
    /// its JWT VC Issuer Metadata.
    async fn issuer_did_key(&self, issuer: &str, did: &str) -> Result<PublicKey, WalletError> {
        let did_url: saifu_did::Did = did
            .parse()
            .map_err(|e| invalid(format!("issuer `{did}`: {e}")))?;
        if did_url.method() != "key" {
            return Err(invalid(format!("issuer `{did}` is not a did:key")));
        }
        let key = saifu_did::key::public_key(&did_url).map_err(invalid)?;
        let url = issuer_metadata_url(issuer).map_err(invalid)?;
        let metadata = wire::get_json(&self.http, url.as_str()).await?;
        let published = metadata["jwks"]["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| serde_json::from_value::<Jwk>(k.clone()).ok())
            .filter_map(|jwk| PublicKey::from_jwk(&jwk).ok())
            .any(|k| k == key);
        if metadata["issuer"].as_str() != Some(issuer) || !published {
            return Err(invalid(format!(
                "issuer `{did}` is not a key {issuer} publishes"
            )));
        }
        Ok(key)
    }
}
