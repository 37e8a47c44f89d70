//! Revocation, suspension and reinstatement of issued credentials through their Token Status
//! List entry (two bits: 0 valid, 1 invalid, 2 suspended), and the record of what was issued.
//!
//! Revocation is final; only a suspended credential can be reinstated. Every change is one
//! conditional update in the database, so two operators acting at once cannot both win.

use serde::{Deserialize, Serialize};

use crate::clock::now;
use crate::error::IssuerError;
use crate::issuer::Issuer;
use crate::store::{IssuedRecord, IssuerStore};

/// Status list value of a valid credential.
pub const STATUS_VALID: u8 = 0;
/// Status list value of a revoked credential (`INVALID`).
pub const STATUS_REVOKED: u8 = 1;
/// Status list value of a suspended credential (`SUSPENDED`).
pub const STATUS_SUSPENDED: u8 = 2;

/// What an operator does to an issued credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusChange {
    /// Permanently invalid (from valid or suspended).
    Revoke,
    /// Temporarily invalid (from valid).
    Suspend,
    /// Valid again (from suspended).
    Reinstate,
}

impl StatusChange {
    /// `(from, to)` status values this change may move between.
    fn transitions(self) -> &'static [(u8, u8)] {
        match self {
            StatusChange::Revoke => &[
                (STATUS_VALID, STATUS_REVOKED),
                (STATUS_SUSPENDED, STATUS_REVOKED),
            ],
            StatusChange::Suspend => &[(STATUS_VALID, STATUS_SUSPENDED)],
            StatusChange::Reinstate => &[(STATUS_SUSPENDED, STATUS_VALID)],
        }
    }
}

/// The name of a status value, as the admin API and the CLI show it.
pub fn status_name(status: u8) -> &'static str {
    match status {
        STATUS_VALID => "valid",
        STATUS_REVOKED => "revoked",
        STATUS_SUSPENDED => "suspended",
        _ => "unknown",
    }
}

impl<S: IssuerStore> Issuer<S> {
    /// Applies `change` to the credential at `status_index`; the next Status List Token
    /// carries it.
    pub async fn change_status(
        &self,
        status_index: i64,
        change: StatusChange,
    ) -> Result<IssuedRecord, IssuerError> {
        let current = self.issued(status_index).await?;
        for &(from, to) in change.transitions() {
            if self
                .store()
                .change_status(status_index, from, to, now())
                .await?
            {
                return self.issued(status_index).await;
            }
        }
        Err(IssuerError::Conflict(format!(
            "credential {status_index} is {}; cannot {}",
            status_name(current.status),
            match change {
                StatusChange::Revoke => "revoke it",
                StatusChange::Suspend => "suspend it",
                StatusChange::Reinstate => "reinstate it",
            }
        )))
    }

    /// The issued credential at `status_index`.
    pub async fn issued(&self, status_index: i64) -> Result<IssuedRecord, IssuerError> {
        self.store()
            .find_issued(status_index)
            .await?
            .ok_or_else(|| IssuerError::NotFound(format!("no credential at index {status_index}")))
    }

    /// Issued credentials, newest first, optionally of one subject.
    pub async fn issued_list(
        &self,
        subject_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<IssuedRecord>, IssuerError> {
        Ok(self.store().list_issued(subject_id, limit).await?)
    }
}
