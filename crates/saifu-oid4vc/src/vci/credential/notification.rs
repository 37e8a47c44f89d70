//! Notification Request (§11.1); success is `204 No Content`.

use serde::{Deserialize, Serialize};

/// HTTP status of a successful notification.
pub const NO_CONTENT: u16 = 204;

/// What happened to the issued credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationEvent {
    /// Stored by the wallet.
    CredentialAccepted,
    /// Not stored, for a reason other than the user's decision.
    CredentialFailure,
    /// Deleted by the user's action.
    CredentialDeleted,
}

/// `{"notification_id", "event", "event_description"?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationRequest {
    /// From the credential response.
    pub notification_id: String,
    /// The event.
    pub event: NotificationEvent,
    /// Human-readable detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_description: Option<String>,
}
