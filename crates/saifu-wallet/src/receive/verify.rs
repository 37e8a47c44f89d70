//! Checking what an issuer sent before it is stored: each copy must verify as an SD-JWT VC under
//! the issuer's published key, come from the issuer the wallet asked, and be bound (`cnf.jwk`)
//! to one of the holder keys the wallet just proved — each key to one copy.

use saifu_credential::sd_jwt::{Limits, SdJwt, VerifyOptions};
use saifu_credential::sd_jwt_vc::{
    IssuerKeySource, VcVerifyOptions, resolve_issuer_key, verify_vc,
};
use saifu_credential::status::ReferenceOptions;
use saifu_crypto::{Algorithm, Jwk};
use serde_json::{Map, Value};

use crate::WalletError;
use crate::model::CredentialCopy;
use crate::wallet::{Wallet, now};

/// Claims that describe the credential rather than the holder: not shown as card claims and
/// never offered for disclosure.
pub const TECHNICAL_CLAIMS: [&str; 9] = [
    "iss",
    "iat",
    "nbf",
    "exp",
    "cnf",
    "status",
    "vct",
    "vct#integrity",
    "_sd_alg",
];

/// Tolerated issuer/wallet clock difference, seconds.
const SKEW: i64 = 300;

/// The verified copies of one issued credential.
pub struct CheckedIssuance {
    /// The SD-JWT VC type.
    pub vct: Option<String>,
    /// W3C formats: the expanded `type` IRIs.
    pub types: Vec<String>,
    /// The holder's claims (technical ones removed); a W3C credential's root.
    pub claims: Map<String, Value>,
    /// The issuer key that verified them.
    pub issuer_key: Jwk,
    /// The copies paired with their holder keys.
    pub copies: Vec<CredentialCopy>,
    /// `exp`, if any.
    pub expires_at: Option<i64>,
}

impl Wallet {
    /// Verifies `texts` from `issuer` and pairs each with its key among `holder_keys`.
    pub(super) async fn check_issued(
        &self,
        issuer: &str,
        texts: &[String],
        holder_keys: &[Jwk],
    ) -> Result<CheckedIssuance, WalletError> {
        let invalid = |why: String| WalletError::InvalidCredential(why);
        if texts.is_empty() {
            return Err(invalid("the issuer sent no credential".into()));
        }
        let limits = Limits::default();
        let mut unused: Vec<&Jwk> = holder_keys.iter().collect();
        let mut copies = Vec::with_capacity(texts.len());
        let mut first = None;
        // The copies of a batch name the same issuer key: it is fetched once, not per copy.
        let mut resolved: Vec<(KeyName, saifu_crypto::PublicKey)> = Vec::new();
        for text in texts {
            let sd_jwt = SdJwt::parse_compact(text, &limits).map_err(|e| invalid(e.to_string()))?;
            let name = key_name(&sd_jwt, &limits);
            let key = match resolved.iter().find(|(known, _)| *known == name) {
                Some((_, key)) => key.clone(),
                None => {
                    let source = if name.0.as_deref().is_some_and(|iss| iss.starts_with("did:")) {
                        IssuerKeySource::Did(&self.resolver)
                    } else {
                        IssuerKeySource::Metadata(&self.http)
                    };
                    let key = resolve_issuer_key(&sd_jwt, source, &limits)
                        .await
                        .map_err(|e| invalid(format!("issuer key: {e}")))?;
                    resolved.push((name, key.clone()));
                    key
                }
            };
            let options = VcVerifyOptions {
                sd_jwt: VerifyOptions {
                    allowed_algorithms: &Algorithm::ALL,
                    limits,
                    key_binding: None,
                },
                now: now(),
                skew: SKEW,
                accept_legacy_typ: true,
                status: ReferenceOptions {
                    allow_http: self.config.http.allow_http,
                },
            };
            let verified =
                verify_vc(&sd_jwt, &key, &options).map_err(|e| invalid(e.to_string()))?;
            if let Some(iss) = &verified.issuer
                && !iss.starts_with("did:")
                && iss != issuer
            {
                return Err(invalid(format!("it names issuer {iss}, not {issuer}")));
            }
            let bound = verified.claims()["cnf"]["jwk"].clone();
            let bound: Jwk = serde_json::from_value(bound)
                .map_err(|_| invalid("it carries no cnf.jwk holder key".into()))?;
            let thumbprint = bound.thumbprint()?;
            let position = unused
                .iter()
                .position(|k| k.to_public().thumbprint().is_ok_and(|t| t == thumbprint))
                .ok_or_else(|| invalid("it is bound to a key this wallet did not prove".into()))?;
            let holder_key = unused.remove(position).clone();
            copies.push(CredentialCopy {
                credential: text.clone(),
                holder_key,
                shown_to: None,
            });
            if first.is_none() {
                first = Some((verified, key.to_jwk()));
            }
        }
        let (verified, issuer_key) = first.expect("at least one copy");
        let claims = verified
            .claims()
            .iter()
            .filter(|(name, _)| !TECHNICAL_CLAIMS.contains(&name.as_str()))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        Ok(CheckedIssuance {
            expires_at: verified.claims().get("exp").and_then(Value::as_i64),
            vct: Some(verified.vct),
            types: Vec::new(),
            claims,
            issuer_key,
            copies,
        })
    }
}

/// The unverified `iss` claim and `kid` header: only to choose where the key comes from and to
/// recognise a key already resolved for another copy (the signature is checked against it).
type KeyName = (Option<String>, Option<String>);

fn key_name(sd_jwt: &SdJwt, limits: &Limits) -> KeyName {
    let Ok(decoded) = sd_jwt.decode_issuer_jwt(limits) else {
        return (None, None);
    };
    let payload: Value = serde_json::from_slice(&decoded.payload).unwrap_or_default();
    let iss = payload["iss"].as_str().map(str::to_owned);
    (iss, decoded.kid().map(str::to_owned))
}
