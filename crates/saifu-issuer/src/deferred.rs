//! Deferred issuance (OpenID4VCI §9): an offer can require the operator's approval — a
//! registrar checks the record before a diploma is released. The Credential Endpoint then
//! verifies the proofs (spending their nonces) and answers `202` with a `transaction_id`; the
//! operator approves or rejects; the wallet polls the Deferred Credential Endpoint with the same
//! access token and collects the credentials once, bound to the keys it proved.

use saifu_crypto::{Jwk, PublicKey};
use saifu_oid4vc::vci::credential::{
    CredentialError, CredentialResponse, DeferredCredentialRequest, DeferredPending,
};
use serde_json::{Map, Value};

use crate::clock::now;
use crate::config::CredentialConfig;
use crate::error::IssuerError;
use crate::issuer::Issuer;
use crate::response_encryption::{CredentialReply, ResponseEncryptor};
use crate::secret::{digest, random_token};
use crate::store::{IssuerStore, PendingKey, PendingRecord, SessionRecord, StoreFailure};

/// Seconds a wallet should wait between polls.
const POLL_INTERVAL: u64 = 5;

/// States of a deferred issuance.
const PENDING: &str = "pending";
const APPROVED: &str = "approved";
const REJECTED: &str = "rejected";
const DELIVERED: &str = "delivered";

fn corrupt(e: impl std::error::Error + Send + Sync + 'static) -> IssuerError {
    IssuerError::Store(StoreFailure(Box::new(e)))
}

impl<S: IssuerStore> Issuer<S> {
    /// Records a verified credential request of a deferred session; the `202` body.
    pub(crate) async fn defer(
        &self,
        session: &SessionRecord,
        keys: &[Option<PublicKey>],
    ) -> Result<CredentialResponse, IssuerError> {
        let transaction_id = random_token();
        let jwks: Vec<Option<Jwk>> = keys
            .iter()
            .map(|k| k.as_ref().map(PublicKey::to_jwk))
            .collect();
        let now = now();
        let record = PendingRecord {
            id: random_token(),
            transaction_digest: digest(&transaction_id),
            token_digest: session.token_digest.clone(),
            config_id: session.config_id.clone(),
            claims: session.claims.clone(),
            subject_id: session.subject_id.clone(),
            holder_keys: serde_json::to_string(&jwks).map_err(corrupt)?,
            state: PENDING.into(),
            created_at: now,
            expires_at: now + self.config().offer_ttl,
        };
        self.store().insert_pending(&record).await?;
        Ok(CredentialResponse::Deferred(DeferredPending {
            transaction_id,
            interval: POLL_INTERVAL,
        }))
    }

    /// The Deferred Credential Endpoint (§9): still `202` while the operator has not decided,
    /// the credentials once (then the transaction is spent), `invalid_transaction_id` after a
    /// rejection, a delivery, expiry, or for another session's transaction.
    pub async fn deferred_credential(
        &self,
        access_token: &str,
        request: &DeferredCredentialRequest,
    ) -> Result<CredentialReply, IssuerError> {
        let token_digest = digest(access_token);
        self.store()
            .find_session(&token_digest, now())
            .await?
            .ok_or(IssuerError::InvalidToken)?;
        let encryptor = request
            .credential_response_encryption
            .as_ref()
            .map(ResponseEncryptor::new)
            .transpose()?;
        let transaction_digest = digest(&request.transaction_id);
        let invalid = || {
            IssuerError::from(CredentialError::InvalidTransactionId(
                "unknown, rejected, expired or already collected".into(),
            ))
        };
        let pending = self
            .store()
            .find_pending(&transaction_digest, now())
            .await?
            .filter(|p| p.token_digest == token_digest)
            .ok_or_else(invalid)?;
        let response = match pending.state.as_str() {
            PENDING => CredentialResponse::Deferred(DeferredPending {
                transaction_id: request.transaction_id.clone(),
                interval: POLL_INTERVAL,
            }),
            APPROVED => {
                let key = PendingKey::Transaction(&transaction_digest);
                if !self.store().move_pending(key, APPROVED, DELIVERED).await? {
                    return Err(invalid());
                }
                self.deliver_pending(&pending).await?
            }
            _ => return Err(invalid()),
        };
        CredentialReply::new(response, encryptor.as_ref())
    }

    async fn deliver_pending(
        &self,
        pending: &PendingRecord,
    ) -> Result<CredentialResponse, IssuerError> {
        let config: CredentialConfig = self
            .find_configuration(&pending.config_id)
            .await?
            .ok_or_else(|| IssuerError::UnknownConfiguration(pending.config_id.clone()))?;
        let claims: Map<String, Value> = serde_json::from_str(&pending.claims).map_err(corrupt)?;
        let jwks: Vec<Option<Jwk>> = serde_json::from_str(&pending.holder_keys).map_err(corrupt)?;
        let keys = jwks
            .iter()
            .map(|jwk| jwk.as_ref().map(PublicKey::from_jwk).transpose())
            .collect::<Result<Vec<_>, _>>()
            .map_err(corrupt)?;
        let issued = self
            .deliver(
                &config,
                &claims,
                pending.subject_id.as_deref(),
                keys,
                &pending.token_digest,
            )
            .await?;
        Ok(CredentialResponse::Issued(issued))
    }

    /// Deferred issuances waiting for a decision, newest first.
    pub async fn pending_issuances(&self, limit: i64) -> Result<Vec<PendingRecord>, IssuerError> {
        Ok(self.store().list_pending(Some(PENDING), limit).await?)
    }

    /// Approves (`true`) or rejects the pending issuance `id`; each is decided once.
    pub async fn decide_pending(&self, id: &str, approve: bool) -> Result<(), IssuerError> {
        let to = if approve { APPROVED } else { REJECTED };
        if self
            .store()
            .move_pending(PendingKey::Id(id), PENDING, to)
            .await?
        {
            return Ok(());
        }
        let exists = self
            .store()
            .list_pending(None, i64::MAX)
            .await?
            .into_iter()
            .any(|p| p.id == id);
        Err(if exists {
            IssuerError::Conflict(format!("issuance {id} was already decided"))
        } else {
            IssuerError::NotFound(format!("no pending issuance `{id}`"))
        })
    }
}
