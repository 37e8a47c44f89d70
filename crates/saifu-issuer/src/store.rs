//! The storage the issuer needs. Every `consume_*` / `spend_*` method must be atomic in the
//! database, so that several nodes sharing one database behave like one.

use std::future::Future;

/// A storage failure, opaque to the issuer.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct StoreFailure(pub Box<dyn std::error::Error + Send + Sync>);

/// A credential offer's pre-authorized code, as stored (the code only as its digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferRecord {
    /// SHA-256 (base64url) of the pre-authorized code.
    pub code_digest: String,
    /// The credential configuration offered.
    pub config_id: String,
    /// The subject claims, as JSON text.
    pub claims: String,
    /// SHA-256 (base64url) of the `tx_code`, when one is required.
    pub tx_code_digest: Option<String>,
    /// Wrong `tx_code` attempts left.
    pub attempts_left: i64,
    /// Expiry, seconds since the epoch.
    pub expires_at: i64,
    /// Whether the code was redeemed.
    pub used: bool,
}

/// An issuance session an access token opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 (base64url) of the access token.
    pub token_digest: String,
    /// The credential configuration the session may issue.
    pub config_id: String,
    /// The subject claims, as JSON text.
    pub claims: String,
    /// Expiry, seconds since the epoch.
    pub expires_at: i64,
}

/// What was issued to whom: no credential, salt or secret, only what revocation needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedRecord {
    /// Index in the status list.
    pub status_index: i64,
    /// The credential configuration.
    pub config_id: String,
    /// The subject claims, as JSON text.
    pub claims: String,
    /// JWK thumbprint of the holder key, when bound.
    pub holder_thumbprint: Option<String>,
    /// Issuance time, seconds since the epoch.
    pub issued_at: i64,
    /// Expiry, seconds since the epoch.
    pub expires_at: i64,
}

/// Issuer state. Implementations enforce single use in the database.
pub trait IssuerStore: Send + Sync {
    /// Stores a new offer.
    fn insert_offer(
        &self,
        offer: &OfferRecord,
    ) -> impl Future<Output = Result<(), StoreFailure>> + Send;

    /// The offer with this code digest, used or not.
    fn find_offer(
        &self,
        code_digest: &str,
    ) -> impl Future<Output = Result<Option<OfferRecord>, StoreFailure>> + Send;

    /// Atomically uses up one `tx_code` attempt of an unused offer; `false` when none was left.
    fn spend_tx_attempt(
        &self,
        code_digest: &str,
    ) -> impl Future<Output = Result<bool, StoreFailure>> + Send;

    /// Atomically marks an unused, unexpired offer with attempts left as used; `false` when it
    /// was not (already used, expired, or locked).
    fn consume_offer(
        &self,
        code_digest: &str,
        now: i64,
    ) -> impl Future<Output = Result<bool, StoreFailure>> + Send;

    /// Stores an issuance session.
    fn insert_session(
        &self,
        session: &SessionRecord,
    ) -> impl Future<Output = Result<(), StoreFailure>> + Send;

    /// The unexpired session of an access token digest.
    fn find_session(
        &self,
        token_digest: &str,
        now: i64,
    ) -> impl Future<Output = Result<Option<SessionRecord>, StoreFailure>> + Send;

    /// Stores a fresh nonce digest.
    fn insert_nonce(
        &self,
        nonce_digest: &str,
        expires_at: i64,
    ) -> impl Future<Output = Result<(), StoreFailure>> + Send;

    /// Atomically consumes an unexpired nonce; `false` when unknown, used or expired.
    fn consume_nonce(
        &self,
        nonce_digest: &str,
        now: i64,
    ) -> impl Future<Output = Result<bool, StoreFailure>> + Send;

    /// Records an issued credential; `false` when its status index is already taken.
    fn record_issued(
        &self,
        record: &IssuedRecord,
    ) -> impl Future<Output = Result<bool, StoreFailure>> + Send;

    /// `(status index, status value)` of every entry that is not valid (value ≠ 0).
    fn status_entries(&self) -> impl Future<Output = Result<Vec<(i64, u8)>, StoreFailure>> + Send;
}
