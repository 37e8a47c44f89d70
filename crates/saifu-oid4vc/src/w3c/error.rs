//! Why a W3C credential or presentation in an OpenID4VC flow was refused.

use saifu_credential::w3c::VerifyError;

/// A refusal, one variant per decision so that each rejection can be asserted exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum W3cFormatError {
    /// Not the structure the format requires (not a JWT, no `vc` claim, wrong `typ`, …).
    #[error("malformed: {0}")]
    Malformed(String),
    /// The signing key could not be found from the `kid` / `verificationMethod`.
    #[error("verification method `{method}`: {reason}")]
    VerificationMethod {
        /// The key reference.
        method: String,
        /// Why it was refused.
        reason: String,
    },
    /// The JWS signature does not verify, or its algorithm is not allowed.
    #[error("signature: {0}")]
    Signature(String),
    /// The signing key is not controlled by the party the document names (`iss` / `issuer`).
    #[error("signed by `{method}`, which `{party}` does not control")]
    SignerMismatch {
        /// The party the document names.
        party: String,
        /// The key that signed.
        method: String,
    },
    /// The credential's validity period (`nbf`/`exp`, `validFrom`/`validUntil`) excludes now.
    #[error("not valid now: {0}")]
    Validity(String),
    /// The presentation does not carry the request's `nonce` (VP-JWT `nonce`, Data Integrity
    /// `challenge`; OpenID4VP 1.0 B.1.3.1.5, B.1.3.2.5).
    #[error("the presentation is not bound to the request's nonce")]
    WrongNonce,
    /// The presentation is not addressed to the verifier (VP-JWT `aud`, Data Integrity
    /// `domain` must be the client id).
    #[error("the presentation is not addressed to this verifier")]
    WrongAudience,
    /// The presentation's `iat` is too old or in the future.
    #[error("the presentation is stale or from the future")]
    Stale,
    /// The presenter is not the credential's subject (holder binding, OpenID4VP 1.0 B.1).
    #[error("presented by `{holder}`, but the credential is bound to `{subject}`")]
    HolderMismatch {
        /// Who signed the presentation.
        holder: String,
        /// The credential's `credentialSubject.id`, or `(none)`.
        subject: String,
    },
    /// The presentation carries other than exactly one credential.
    #[error("a presentation must carry exactly one credential, found {0}")]
    CredentialCount(usize),
    /// A Data Integrity credential or presentation failed VCDM 2.0 or Data Integrity rules
    /// (tampered, unknown context, wrong proof purpose, …).
    #[error(transparent)]
    DataIntegrity(#[from] VerifyError),
    /// Signing failed.
    #[error("signing: {0}")]
    Signing(String),
}
