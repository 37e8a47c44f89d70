//! Which key may sign a Token Status List: the key of a trusted issuer, found the way its
//! credentials' keys are found. A list signed by an issuer the trust list does not name is
//! refused, and an issuer identified by a URL may only sign lists on its own origin, so one
//! trusted issuer cannot answer for another's credentials.

use std::sync::Arc;

use saifu_credential::status::fetch::{BoxFuture, KeyRequest, KeyResolver};
use saifu_crypto::PublicKey;
use url::Url;

use crate::keys::IssuerKeys;
use crate::trust::TrustPolicy;

/// Status list keys of the issuers a [`TrustPolicy`] trusts.
#[derive(Clone)]
pub struct TrustedStatusKeys {
    keys: IssuerKeys,
    trust: Arc<dyn TrustPolicy>,
}

impl std::fmt::Debug for TrustedStatusKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustedStatusKeys")
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

impl TrustedStatusKeys {
    /// Keys from `keys` for the issuers `trust` trusts.
    pub fn new(keys: IssuerKeys, trust: Arc<dyn TrustPolicy>) -> TrustedStatusKeys {
        TrustedStatusKeys { keys, trust }
    }
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// `Ok` when the list at `uri` is on the origin of the URL issuer `iss` (DIDs have none).
fn same_origin(iss: &str, uri: &str) -> Result<(), Failure> {
    if iss.starts_with("did:") {
        return Ok(());
    }
    let origin = |text: &str| Url::parse(text).map(|url| url.origin());
    match (origin(iss), origin(uri)) {
        (Ok(a), Ok(b)) if a == b => Ok(()),
        _ => Err(format!("status list {uri} is not on the origin of its issuer {iss}").into()),
    }
}

impl KeyResolver for TrustedStatusKeys {
    fn resolve<'a>(&'a self, request: KeyRequest<'a>) -> BoxFuture<'a, Result<PublicKey, Failure>> {
        Box::pin(async move {
            let iss = request
                .iss
                .ok_or("the status list token has no `iss`, so its signer cannot be trusted")?;
            if !self.trust.names_issuer(iss).await {
                return Err(format!("status list issuer {iss} is not trusted").into());
            }
            same_origin(iss, request.uri)?;
            let kid = request.kid.map(std::str::from_utf8).transpose()?;
            Ok(self.keys.key_for(iss, kid).await?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::same_origin;

    #[test]
    fn a_url_issuer_signs_only_lists_on_its_origin() {
        assert!(same_origin("https://uni.example", "https://uni.example/status/1").is_ok());
        assert!(same_origin("https://uni.example/issuer", "https://uni.example/s/1").is_ok());
        assert!(same_origin("https://uni.example", "https://evil.example/status/1").is_err());
        assert!(same_origin("https://uni.example", "http://uni.example/status/1").is_err());
        assert!(same_origin("https://uni.example", "https://uni.example:8443/s").is_err());
        assert!(same_origin("did:web:uni.example", "https://cdn.example/s").is_ok());
    }
}
