//! Refreshing what the wallet knows about its credentials' status (Token Status List): each
//! copy's entry is read from the issuer's signed list, verified with the issuer key pinned when
//! the credential was received, and the card marked valid, suspended or revoked.

use std::sync::Arc;

use saifu_credential::sd_jwt::{Limits, SdJwt};
use saifu_credential::status::{
    FetchConfig, ReferenceOptions, StatusListFetcher, StatusReference, StatusValue,
};
use saifu_crypto::PublicKey;
use serde_json::{Map, Value};

use crate::WalletError;
use crate::model::{CredentialStatus, StoredCredential};
use crate::wallet::{Wallet, now};

impl Wallet {
    /// Checks the status of every credential and stores the result; the updated credentials.
    /// A list that cannot be fetched marks the credential `unknown` rather than failing all.
    pub async fn refresh_status(&self) -> Result<Vec<StoredCredential>, WalletError> {
        let mut updated = Vec::new();
        for mut credential in self.credentials().await? {
            // Revocation is final: nothing to ask again.
            if credential.status != CredentialStatus::Revoked {
                credential.status = self.status_of(&credential).await;
                credential.status_checked_at = Some(now());
                self.save_credential(&credential).await?;
            }
            updated.push(credential);
        }
        Ok(updated)
    }

    async fn status_of(&self, credential: &StoredCredential) -> CredentialStatus {
        let Ok(key) = PublicKey::from_jwk(&credential.issuer_key) else {
            return CredentialStatus::Unknown;
        };
        let fetcher = StatusListFetcher::new(
            Arc::new(self.http.clone()),
            Arc::new(key),
            FetchConfig::default(),
        );
        let options = ReferenceOptions {
            allow_http: self.config.http.allow_http,
        };
        let mut worst = CredentialStatus::Valid;
        for copy in &credential.copies {
            let Some(reference) = status_reference(&copy.credential, options) else {
                continue;
            };
            let status = match fetcher.status_of(&reference, now()).await {
                Ok(StatusValue::Valid) => CredentialStatus::Valid,
                Ok(StatusValue::Invalid) => CredentialStatus::Revoked,
                Ok(StatusValue::Suspended) => CredentialStatus::Suspended,
                Ok(_) | Err(_) => CredentialStatus::Unknown,
            };
            worst = worse(worst, status);
        }
        worst
    }
}

/// The status entry of an SD-JWT VC copy (always in the signed payload, never disclosable).
fn status_reference(sd_jwt: &str, options: ReferenceOptions) -> Option<StatusReference> {
    let limits = Limits::default();
    let parsed = SdJwt::parse_compact(sd_jwt, &limits).ok()?;
    let decoded = parsed.decode_issuer_jwt(&limits).ok()?;
    let payload: Map<String, Value> = serde_json::from_slice(&decoded.payload).ok()?;
    StatusReference::from_json_status(payload.get("status")?, options).ok()
}

/// The more serious of two statuses: revoked, then suspended, then unknown, then valid.
fn worse(a: CredentialStatus, b: CredentialStatus) -> CredentialStatus {
    let rank = |s| match s {
        CredentialStatus::Revoked => 3,
        CredentialStatus::Suspended => 2,
        CredentialStatus::Unknown => 1,
        CredentialStatus::Valid => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}
