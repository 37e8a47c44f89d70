//! The Notification Endpoint (OpenID4VCI 1.0 §11): the wallet tells the issuer what became of
//! the credentials of one Credential Response (stored, failed, deleted), so the operator sees
//! it next to the issued record.
//!
//! Each successful Credential Response gets one random `notification_id` covering its whole
//! batch; the database keeps only its digest, linked to the credentials' status indexes and to
//! the digest of the access token that obtained them, so only that session can report on them.
//!
//! Repeated notifications are accepted and the last one wins: a wallet may first accept a
//! credential and later report that the holder deleted it, and §11 does not make the
//! identifier single use.

use saifu_oid4vc::vci::credential::{NotificationError, NotificationEvent, NotificationRequest};
use serde::Serialize;

use crate::clock::now;
use crate::error::IssuerError;
use crate::issuer::Issuer;
use crate::secret::{digest, random_token};
use crate::store::IssuerStore;

/// Longest `event_description` kept, in characters: enough for a sentence, bounded storage.
const MAX_DESCRIPTION_LEN: usize = 1024;

/// What the wallet last reported about an issued credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WalletEvent {
    /// `credential_accepted`, `credential_failure` or `credential_deleted`.
    pub event: String,
    /// The wallet's `event_description`, when it gave one.
    pub description: Option<String>,
    /// When the notification arrived, seconds since the epoch.
    pub at: i64,
}

/// The wire name of `event`.
fn event_name(event: NotificationEvent) -> &'static str {
    match event {
        NotificationEvent::CredentialAccepted => "credential_accepted",
        NotificationEvent::CredentialFailure => "credential_failure",
        NotificationEvent::CredentialDeleted => "credential_deleted",
    }
}

/// Parses a Notification Request body; `event_description` must be printable ASCII without
/// `"` and `\` (§11.1) and bounded.
fn parse(body: &str) -> Result<NotificationRequest, NotificationError> {
    let malformed = |why: String| NotificationError::InvalidNotificationRequest(why);
    let request: NotificationRequest =
        serde_json::from_str(body).map_err(|e| malformed(e.to_string()))?;
    if request.notification_id.is_empty() {
        return Err(malformed("notification_id is empty".into()));
    }
    if let Some(description) = &request.event_description {
        let allowed = |c: char| matches!(c, ' '..='~') && !matches!(c, '"' | '\\');
        if !description.chars().all(allowed) {
            return Err(malformed(
                "event_description must be printable ASCII without `\"` or `\\`".into(),
            ));
        }
        if description.len() > MAX_DESCRIPTION_LEN {
            return Err(malformed(format!(
                "event_description is longer than {MAX_DESCRIPTION_LEN} characters"
            )));
        }
    }
    Ok(request)
}

impl<S: IssuerStore> Issuer<S> {
    /// Opens a notification for the credentials at `status_indexes`, issued in one response to
    /// the session of `token_digest`; the `notification_id` to hand the wallet.
    pub(crate) async fn open_notification(
        &self,
        token_digest: &str,
        status_indexes: &[i64],
    ) -> Result<String, IssuerError> {
        let notification_id = random_token();
        self.store()
            .link_notification(&digest(&notification_id), token_digest, status_indexes)
            .await?;
        Ok(notification_id)
    }

    /// The Notification Endpoint (§11): records the event on every credential of the
    /// notification. The access token is checked first, then the body, then that the
    /// notification belongs to this token's session; nothing is recorded on a refusal.
    pub async fn notify(&self, access_token: &str, body: &str) -> Result<(), IssuerError> {
        let token_digest = digest(access_token);
        self.store()
            .find_session(&token_digest, now())
            .await?
            .ok_or(IssuerError::InvalidToken)?;
        let request = parse(body)?;
        let event = WalletEvent {
            event: event_name(request.event).to_owned(),
            description: request.event_description,
            at: now(),
        };
        let recorded = self
            .store()
            .record_wallet_event(&digest(&request.notification_id), &token_digest, &event)
            .await?;
        if !recorded {
            return Err(NotificationError::InvalidNotificationId(
                "unknown notification_id, or one of another session".into(),
            )
            .into());
        }
        Ok(())
    }

    /// What the wallet last reported about the credential at `status_index`, if anything.
    pub async fn wallet_event(
        &self,
        status_index: i64,
    ) -> Result<Option<WalletEvent>, IssuerError> {
        Ok(self.store().find_wallet_event(status_index).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_restricted_ascii() {
        let body = |d: &str| {
            serde_json::json!({"notification_id": "n", "event": "credential_failure",
                "event_description": d})
            .to_string()
        };
        assert!(parse(&body("Could not store: disk full")).is_ok());
        for bad in ["quote \" inside", "back\\slash", "tab\there", "日本"] {
            assert!(matches!(
                parse(&body(bad)),
                Err(NotificationError::InvalidNotificationRequest(_))
            ));
        }
        let long = "a".repeat(MAX_DESCRIPTION_LEN + 1);
        assert!(parse(&body(&long)).is_err());
    }
}
