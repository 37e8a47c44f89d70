//! Why a presentation is refused: one variant per decision, so the HTTP layer can map each to
//! its OpenID4VP error and tests can assert the exact reason.

use std::fmt::Display;

use saifu_credential::sd_jwt::SdJwtError;
use saifu_credential::sd_jwt_vc::SdJwtVcError;
use saifu_oid4vc::dcql::{NoMatch, VpTokenError};
use saifu_oid4vc::w3c::W3cFormatError;
use serde::{Serialize, Serializer};

use crate::trust::TrustError;

/// A refusal of the whole response.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum VerifierError {
    /// The response arrived after the request expired.
    #[error("the request expired at {expires_at} (now {now})")]
    RequestExpired {
        /// [`crate::PresentationRequest::expires_at`].
        expires_at: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// The `vp_token` does not have the shape OpenID4VP 1.0 §8.1 requires for the query.
    #[error("invalid vp_token: {source}")]
    InvalidVpTokenShape {
        /// The shape rule that failed.
        #[serde(serialize_with = "display")]
        source: VpTokenError,
    },
    /// A presentation failed the SD-JWT or SD-JWT VC rules, or its issuer key was not found.
    #[error("credential for `{query}` is invalid: {source}")]
    CredentialInvalid {
        /// The credential query it was presented under.
        query: String,
        /// The rule that failed.
        #[serde(serialize_with = "display")]
        source: SdJwtVcError,
    },
    /// A W3C presentation or its credential failed the format's rules (signature, proof,
    /// validity, holder binding, shape).
    #[error("W3C credential for `{query}` is invalid: {source}")]
    W3cCredentialInvalid {
        /// The credential query it was presented under.
        query: String,
        /// The rule that failed.
        #[serde(serialize_with = "display")]
        source: W3cFormatError,
    },
    /// The KB-JWT `nonce` is not the request's.
    #[error("key binding of `{query}`: wrong nonce")]
    WrongNonce {
        /// The credential query.
        query: String,
    },
    /// The KB-JWT `aud` is not the request's full prefixed `client_id`.
    #[error("key binding of `{query}`: wrong audience")]
    WrongAudience {
        /// The credential query.
        query: String,
    },
    /// The KB-JWT `iat` is outside the freshness window.
    #[error("key binding of `{query}`: stale or future `iat`")]
    StaleKeyBinding {
        /// The credential query.
        query: String,
    },
    /// Holder binding is required and the presentation has no KB-JWT.
    #[error("key binding of `{query}` is required but missing")]
    MissingKeyBinding {
        /// The credential query.
        query: String,
    },
    /// The trust policy does not accept this issuer for this credential type.
    #[error("issuer {issuer} is not trusted for `{vct}` ({reason})")]
    UntrustedIssuer {
        /// The credential query.
        query: String,
        /// The credential's `iss`.
        issuer: String,
        /// The credential's `vct`.
        vct: String,
        /// Unknown issuer, or known but not for this `vct`.
        reason: TrustError,
    },
    /// The status list says the credential is revoked (INVALID).
    #[error("credential for `{query}` is revoked")]
    Revoked {
        /// The credential query.
        query: String,
    },
    /// The status list says the credential is suspended.
    #[error("credential for `{query}` is suspended")]
    Suspended {
        /// The credential query.
        query: String,
    },
    /// The status list holds a value without a meaning the verifier knows (application-specific
    /// or unassigned); refused rather than guessed valid.
    #[error("credential for `{query}` has unrecognised status {value:#04x}")]
    UnrecognizedStatus {
        /// The credential query.
        query: String,
        /// The raw status value.
        value: u8,
    },
    /// The status could not be determined (fetch, signature or index failure).
    #[error("status of the credential for `{query}` is unavailable: {reason}")]
    StatusUnavailable {
        /// The credential query.
        query: String,
        /// What went wrong.
        reason: String,
    },
    /// Some presentation does not answer the credential query it was presented under.
    #[error("the presentation does not satisfy the query: {}", details.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    QueryNotSatisfied {
        /// Every presentation that does not fit, and why.
        details: Vec<QueryMismatch>,
    },
}

impl VerifierError {
    /// Classifies a credential verification failure for the presentation under `query`:
    /// key binding failures get their own variants, the rest is [`Self::CredentialInvalid`].
    pub(crate) fn from_credential(query: &str, source: SdJwtVcError) -> VerifierError {
        let query = query.to_owned();
        match source {
            SdJwtVcError::SdJwt(SdJwtError::WrongNonce) => VerifierError::WrongNonce { query },
            SdJwtVcError::SdJwt(SdJwtError::WrongAudience) => {
                VerifierError::WrongAudience { query }
            }
            SdJwtVcError::SdJwt(SdJwtError::StaleKeyBinding { .. }) => {
                VerifierError::StaleKeyBinding { query }
            }
            SdJwtVcError::SdJwt(SdJwtError::MissingKeyBinding) => {
                VerifierError::MissingKeyBinding { query }
            }
            source => VerifierError::CredentialInvalid { query, source },
        }
    }

    /// Classifies a W3C refusal for the presentation under `query`: a presentation not bound
    /// to the request's nonce or client id (VP-JWT `nonce`/`aud`, Data Integrity
    /// `challenge`/`domain`) or stale gets the key binding variants every format shares.
    pub(crate) fn from_w3c(query: &str, source: W3cFormatError) -> VerifierError {
        let query = query.to_owned();
        match source {
            W3cFormatError::WrongNonce => VerifierError::WrongNonce { query },
            W3cFormatError::WrongAudience => VerifierError::WrongAudience { query },
            W3cFormatError::Stale => VerifierError::StaleKeyBinding { query },
            source => VerifierError::W3cCredentialInvalid { query, source },
        }
    }

    /// Whether this is one of the key binding refusals.
    pub(crate) fn is_key_binding(&self) -> bool {
        matches!(
            self,
            VerifierError::WrongNonce { .. }
                | VerifierError::WrongAudience { .. }
                | VerifierError::StaleKeyBinding { .. }
                | VerifierError::MissingKeyBinding { .. }
        )
    }
}

/// A presentation that does not answer its credential query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryMismatch {
    /// The credential query it was presented under.
    pub query: String,
    /// Its position in that query's `vp_token` array.
    pub presentation: usize,
    /// The first reason it does not fit.
    pub reason: NoMatch,
}

impl Display for QueryMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}`[{}]: {}",
            self.query,
            self.presentation,
            serde_json::to_string(&self.reason).unwrap_or_default()
        )
    }
}

/// Serializes an error by its message (the wrapped errors of other crates are not `Serialize`).
fn display<S: Serializer>(value: &impl Display, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}
