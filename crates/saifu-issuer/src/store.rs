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
    /// The subject the offer was made for, when it came from the subject registry.
    pub subject_id: Option<String>,
    /// Whether issuance waits for the operator's approval (deferred issuance, §9).
    pub deferred: bool,
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
    /// The subject the credentials are about, when known.
    pub subject_id: Option<String>,
    /// The client the access token was issued to; `None` for anonymous pre-authorized access.
    /// Key proofs may name it in `iss`.
    pub client_id: Option<String>,
    /// Whether issuance waits for the operator's approval (deferred issuance, §9).
    pub deferred: bool,
}

/// How a deferred issuance is named: by the operator's handle or by the wallet's transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingKey<'a> {
    /// The operator's handle.
    Id(&'a str),
    /// The digest of the wallet's `transaction_id`.
    Transaction(&'a str),
}

/// A credential request waiting for the operator's decision (deferred issuance, §9): what is
/// needed to issue later — no credential and no secret in the clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRecord {
    /// The operator's handle for it (random, public to admins).
    pub id: String,
    /// SHA-256 (base64url) of the `transaction_id` the wallet holds.
    pub transaction_digest: String,
    /// SHA-256 (base64url) of the access token of the session that asked.
    pub token_digest: String,
    /// The credential configuration.
    pub config_id: String,
    /// The subject claims, as JSON text.
    pub claims: String,
    /// The subject, when known.
    pub subject_id: Option<String>,
    /// The holder public keys (a JSON array of JWKs; `[null]` for one unbound credential).
    pub holder_keys: String,
    /// `pending`, `approved`, `rejected` or `delivered`.
    pub state: String,
    /// Creation time, seconds since the epoch.
    pub created_at: i64,
    /// After this the wallet can no longer collect, seconds since the epoch.
    pub expires_at: i64,
}

/// What was issued to whom: no credential, salt or secret, only what revocation needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedRecord {
    /// The credential's number: its status list's `first` plus its index in that list.
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
    /// The subject, when the credential was issued from the subject registry.
    pub subject_id: Option<String>,
    /// The status list value: 0 valid, 1 revoked, 2 suspended.
    pub status: u8,
    /// When the status last changed, seconds since the epoch.
    pub status_changed_at: Option<i64>,
}

/// One of the issuer's status lists. Lists cover consecutive ranges of credential numbers, so
/// a credential's number says which list holds its status and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListRecord {
    /// 0-based; the list is published at `/status/{number + 1}`.
    pub number: i64,
    /// The credential number of the list's entry 0.
    pub first: i64,
    /// Entries in the list (fixed when it was opened).
    pub capacity: i64,
    /// Base64url key of the permutation that turns allocation order into list positions.
    pub shuffle_key: String,
}

/// The status list to open when the newest is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewList<'a> {
    /// Its entries.
    pub capacity: i64,
    /// Base64url key of its permutation.
    pub shuffle_key: &'a str,
}

/// A status slot the store handed out: the list, and how many slots of it came before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservedSlot {
    /// The list the slot is in.
    pub list: StatusListRecord,
    /// 0 for the list's first slot, 1 for the second, …; below `list.capacity`.
    pub ordinal: i64,
}

/// A subject: a person or organisation the issuer knows, with the claims credentials carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectRecord {
    /// The operator's identifier for the subject (a student number, a resident number).
    pub id: String,
    /// The subject's claims, as JSON object text.
    pub claims: String,
    /// Argon2id PHC string of the subject's login password, when the subject may log in.
    pub password_hash: Option<String>,
    /// Creation time, seconds since the epoch.
    pub created_at: i64,
    /// Last change, seconds since the epoch.
    pub updated_at: i64,
}

/// Issuer state. Implementations enforce single use in the database.
pub trait IssuerStore: crate::AuthorizationStore + Send + Sync {
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

    /// Atomically consumes every nonce of `nonce_digests` (unexpired, unused), or none: `false`
    /// when one is unknown, used or expired, and then no nonce is consumed, so a refused batch
    /// request leaves its good nonces usable.
    fn consume_nonces(
        &self,
        nonce_digests: &[String],
        now: i64,
    ) -> impl Future<Output = Result<bool, StoreFailure>> + Send;

    /// Records `record` in the next free status slot, in one transaction: takes the next slot
    /// of the newest status list, or, when that list has handed out all its slots (or there is
    /// none), opens the next list as `new_list` says and takes its first slot; asks `place` for
    /// the slot's credential number and inserts the record under it. Returns the slot and the
    /// number. Concurrent callers (on any node sharing the database) never get the same slot,
    /// and a failure anywhere takes no slot.
    fn record_in_next_slot<F>(
        &self,
        record: &IssuedRecord,
        new_list: NewList<'_>,
        place: F,
    ) -> impl Future<Output = Result<(ReservedSlot, i64), StoreFailure>> + Send
    where
        F: Fn(&ReservedSlot) -> Result<i64, StoreFailure> + Send;

    /// Every status list opened so far, in order.
    fn status_lists(
        &self,
    ) -> impl Future<Output = Result<Vec<StatusListRecord>, StoreFailure>> + Send;

    /// Records an issued credential; `false` when its number is already taken.
    fn record_issued(
        &self,
        record: &IssuedRecord,
    ) -> impl Future<Output = Result<bool, StoreFailure>> + Send;

    /// `(credential number, status value)` of every entry in `first..end` that is not valid
    /// (value ≠ 0).
    fn status_entries(
        &self,
        first: i64,
        end: i64,
    ) -> impl Future<Output = Result<Vec<(i64, u8)>, StoreFailure>> + Send;

    /// The issued credential at `status_index`.
    fn find_issued(
        &self,
        status_index: i64,
    ) -> impl Future<Output = Result<Option<IssuedRecord>, StoreFailure>> + Send;

    /// Issued credentials, newest first, optionally of one subject; at most `limit`.
    fn list_issued(
        &self,
        subject_id: Option<&str>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<IssuedRecord>, StoreFailure>> + Send;

    /// Atomically sets the status of entry `status_index` from `from` to `to`; `false` when the
    /// entry is missing or its status was not `from`.
    fn change_status(
        &self,
        status_index: i64,
        from: u8,
        to: u8,
        now: i64,
    ) -> impl Future<Output = Result<bool, StoreFailure>> + Send;

    /// Creates or replaces a subject (keeping its `created_at`).
    fn upsert_subject(
        &self,
        subject: &SubjectRecord,
    ) -> impl Future<Output = Result<(), StoreFailure>> + Send;

    /// The subject with `id`.
    fn find_subject(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<SubjectRecord>, StoreFailure>> + Send;

    /// Subjects ordered by id; at most `limit`.
    fn list_subjects(
        &self,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<SubjectRecord>, StoreFailure>> + Send;

    /// Deletes a subject; `false` when there was none.
    fn delete_subject(&self, id: &str) -> impl Future<Output = Result<bool, StoreFailure>> + Send;

    /// Stores a sealed offer published by reference under the digest of its reference id.
    fn insert_offer_reference(
        &self,
        id_digest: &str,
        sealed: &str,
        expires_at: i64,
    ) -> impl Future<Output = Result<(), StoreFailure>> + Send;

    /// Stores a deferred issuance.
    fn insert_pending(
        &self,
        pending: &PendingRecord,
    ) -> impl Future<Output = Result<(), StoreFailure>> + Send;

    /// The unexpired deferred issuance of a `transaction_id` digest.
    fn find_pending(
        &self,
        transaction_digest: &str,
        now: i64,
    ) -> impl Future<Output = Result<Option<PendingRecord>, StoreFailure>> + Send;

    /// Deferred issuances in `state` (all when `None`), newest first; at most `limit`.
    fn list_pending(
        &self,
        state: Option<&str>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<PendingRecord>, StoreFailure>> + Send;

    /// Atomically moves the deferred issuance with handle `id` (or, with `by_transaction`, with
    /// that transaction digest) from state `from` to `to`; `false` when it was not in `from`.
    fn move_pending(
        &self,
        key: PendingKey<'_>,
        from: &str,
        to: &str,
    ) -> impl Future<Output = Result<bool, StoreFailure>> + Send;

    /// Stores an added credential configuration (`definition` is JSON); `false` when the id
    /// is taken.
    fn insert_configuration(
        &self,
        id: &str,
        definition: &str,
        created_at: i64,
    ) -> impl Future<Output = Result<bool, StoreFailure>> + Send;

    /// The definitions of every added credential configuration, oldest first.
    fn list_configurations(&self)
    -> impl Future<Output = Result<Vec<String>, StoreFailure>> + Send;

    /// The sealed offer of an unexpired reference.
    fn find_offer_reference(
        &self,
        id_digest: &str,
        now: i64,
    ) -> impl Future<Output = Result<Option<String>, StoreFailure>> + Send;

    /// Links the credentials at `status_indexes`, issued in one Credential Response to the
    /// session of `token_digest`, to the digest of that response's `notification_id`.
    fn link_notification(
        &self,
        notification_digest: &str,
        token_digest: &str,
        status_indexes: &[i64],
    ) -> impl Future<Output = Result<(), StoreFailure>> + Send;

    /// Records `event` on every credential of the notification `notification_digest` issued to
    /// the session of `token_digest`, replacing an earlier event; `false` when there is none
    /// (unknown notification, or one of another session), and then nothing changes.
    fn record_wallet_event(
        &self,
        notification_digest: &str,
        token_digest: &str,
        event: &crate::WalletEvent,
    ) -> impl Future<Output = Result<bool, StoreFailure>> + Send;

    /// The last event the wallet reported for the credential at `status_index`.
    fn find_wallet_event(
        &self,
        status_index: i64,
    ) -> impl Future<Output = Result<Option<crate::WalletEvent>, StoreFailure>> + Send;
}
