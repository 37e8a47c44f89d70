//! Refreshing what the wallet knows about its credentials' status (Token Status List, and
//! Bitstring Status List for W3C credentials): each
//! copy's entry is read from the issuer's signed list, verified with the issuer key pinned when
//! the credential was received, and the card marked valid, suspended or revoked.

use std::sync::Arc;

use saifu_credential::sd_jwt::{Limits, SdJwt};
use saifu_credential::status::bitstring::BitstringError;
use saifu_credential::status::{
    FetchConfig, ReferenceOptions, StatusListFetcher, StatusReference, StatusValue,
};
use saifu_crypto::PublicKey;
use saifu_oid4vc::w3c::status::{BitstringStatus, DEFAULT_MAX_AGE, DEFAULT_SKEW};
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
        if credential.format != "dc+sd-jwt" {
            return self.w3c_status_of(credential).await;
        }
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

impl Wallet {
    /// The worst status among a W3C credential's Bitstring Status List entries (every copy
    /// carries its own index), each checked against its list from the credential's issuer;
    /// copies sharing a list fetch it once.
    async fn w3c_status_of(&self, credential: &StoredCredential) -> CredentialStatus {
        let Some(issuer) = saifu_credential::w3c::model::issuer_id(&credential.claims).ok() else {
            return CredentialStatus::Unknown;
        };
        let lists = BitstringStatus::new(self.http.clone(), DEFAULT_MAX_AGE, DEFAULT_SKEW);
        let mut worst = CredentialStatus::Valid;
        for copy in &credential.copies {
            for entry in w3c_entries(&credential.format, &copy.credential) {
                let status = match lists.check(&entry, issuer, now()).await {
                    Ok(()) => CredentialStatus::Valid,
                    Err(BitstringError::Revoked) => CredentialStatus::Revoked,
                    Err(BitstringError::Suspended) => CredentialStatus::Suspended,
                    Err(_) => CredentialStatus::Unknown,
                };
                worst = worse(worst, status);
            }
        }
        worst
    }
}

/// The `credentialStatus` entries of a stored W3C copy (a `jwt_vc_json` JWT's `vc` claim, or
/// the `ldp_vc` document); stored copies were verified on receipt.
fn w3c_entries(format: &str, stored: &str) -> Vec<Value> {
    let document = if format == saifu_oid4vc::w3c::JWT_VC_JSON {
        stored
            .split('.')
            .nth(1)
            .and_then(|payload| saifu_crypto::b64::decode(payload, "payload").ok())
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
            .and_then(|payload| payload.get("vc").cloned())
    } else {
        serde_json::from_str::<Value>(stored).ok()
    };
    document
        .as_ref()
        .and_then(Value::as_object)
        .map(saifu_oid4vc::w3c::status::entries)
        .unwrap_or_default()
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
