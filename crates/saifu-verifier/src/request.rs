//! What the verifier asked for.

use saifu_oid4vc::dcql::DcqlQuery;

/// An OpenID4VP 1.0 authorization request as the verifier keeps it to check the response.
#[derive(Debug, Clone, PartialEq)]
pub struct PresentationRequest {
    /// The full prefixed Client Identifier (`redirect_uri:https://…`, `x509_san_dns:…`, …):
    /// every KB-JWT `aud` must equal it, prefix included (OpenID4VP 1.0 §14.1.2).
    pub client_id: String,
    /// The fresh nonce every KB-JWT must carry.
    pub nonce: String,
    /// The DCQL query the response answers.
    pub dcql: DcqlQuery,
    /// When the request was made, seconds since the epoch.
    pub issued_at: i64,
    /// After this instant (seconds since the epoch) no response is accepted.
    pub expires_at: i64,
}

impl PresentationRequest {
    /// Whether a response arriving at `now` is too late.
    pub fn is_expired(&self, now: i64) -> bool {
        now >= self.expires_at
    }
}
