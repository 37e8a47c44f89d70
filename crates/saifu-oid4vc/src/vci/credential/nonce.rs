//! Nonce Endpoint response (§7.2): sent with `Cache-Control: no-store`.

use serde::{Deserialize, Serialize};

/// `{"c_nonce": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonceResponse {
    /// A fresh nonce for key proofs, single use.
    pub c_nonce: String,
}
