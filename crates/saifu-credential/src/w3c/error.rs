//! Why a W3C credential, presentation or proof was refused — one variant per rule, so callers
//! and tests can tell a tampered document from an expired one.

/// Turning a JSON-LD document into RDF, or canonicalizing that RDF, failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonLdError {
    /// A `@context` URL is not one of the bundled contexts; saifu never fetches contexts.
    #[error("unknown JSON-LD context `{0}` (contexts are never fetched at run time)")]
    UnknownContext(String),
    /// The document is larger or deeper than the limits allow.
    #[error("JSON-LD document exceeds the {0} limit")]
    TooLarge(&'static str),
    /// JSON-LD expansion or conversion to RDF failed.
    #[error("invalid JSON-LD: {0}")]
    Syntax(String),
    /// The document needs a JSON-LD feature the expander gets wrong, so it is refused rather
    /// than canonicalized with terms silently missing.
    #[error("unsupported JSON-LD construct: {0}")]
    Unsupported(&'static str),
    /// RDFC-1.0 would need too much work: a blank node links to too many blank nodes that
    /// share its first-degree hash (a "poison" dataset, RDFC-1.0 §8.2).
    #[error("RDFC-1.0 refused: a blank node is tied to {0} look-alike blank nodes (limit {1})")]
    PoisonDataset(usize, usize),
}

/// A VCDM 2.0 MUST was violated. Each variant names the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The document is not a JSON object.
    #[error("a verifiable credential or presentation must be a JSON object")]
    NotAnObject,
    /// `@context` is missing (VCDM 2.0 §4.3).
    #[error("`@context` is missing")]
    MissingContext,
    /// The first `@context` value is not `https://www.w3.org/ns/credentials/v2` (VCDM 2.0 §4.3).
    #[error("the first `@context` value must be https://www.w3.org/ns/credentials/v2, found {0}")]
    ContextOrder(String),
    /// A `@context` entry is neither a URL string nor an object (VCDM 2.0 §4.3).
    #[error("`@context` entries must be URLs or objects")]
    InvalidContextEntry,
    /// `type` is missing or lacks the required base type (VCDM 2.0 §4.5).
    #[error("`type` must include `{0}`")]
    MissingType(&'static str),
    /// A `type` value is not a string (VCDM 2.0 §4.5).
    #[error("`type` of `{0}` must be a string or an array of strings")]
    InvalidType(String),
    /// An `id` is not a URL (VCDM 2.0 §4.4).
    #[error("`{0}` must be a URL")]
    InvalidId(String),
    /// `issuer` is missing (VCDM 2.0 §4.7).
    #[error("`issuer` is missing")]
    MissingIssuer,
    /// `issuer` is neither a URL nor an object whose `id` is a URL (VCDM 2.0 §4.7).
    #[error("`issuer` must be a URL or an object with a URL `id`")]
    InvalidIssuer,
    /// `credentialSubject` is missing or not an object / array of objects (VCDM 2.0 §4.8).
    #[error("`credentialSubject` must be an object or a non-empty array of objects")]
    InvalidCredentialSubject,
    /// `validFrom` / `validUntil` is not an XML Schema dateTimeStamp (VCDM 2.0 §4.9).
    #[error("`{field}` is not an XML Schema dateTimeStamp: {value}")]
    InvalidDateTime {
        /// `validFrom` or `validUntil`.
        field: &'static str,
        /// The value received.
        value: String,
    },
    /// `validFrom` is after `validUntil` (VCDM 2.0 §4.9).
    #[error("`validFrom` is after `validUntil`")]
    InvertedValidity,
    /// The credential is not valid yet: `validFrom` is after the verification time.
    #[error("credential not yet valid: validFrom {0}")]
    NotYetValid(String),
    /// The credential has expired: `validUntil` is before the verification time.
    #[error("credential expired: validUntil {0}")]
    Expired(String),
    /// A `credentialStatus`, `credentialSchema`, `evidence`, `refreshService`,
    /// `termsOfUse` or `relatedResource` entry has the wrong shape (VCDM 2.0 §4.10–§5.6).
    #[error("`{property}` {reason}")]
    InvalidProperty {
        /// The property.
        property: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A presentation embeds a credential that is not an object or an enveloped credential.
    #[error("`verifiableCredential` entries must be objects")]
    InvalidPresentationCredential,
}

/// A Data Integrity proof could not be created or was refused; its transformation failures are
/// [`JsonLdError`]s.
pub type ProofError = saifu_did::data_integrity::ProofError<JsonLdError>;

/// Lets `?` turn a canonicalization failure into a proof error.
impl From<JsonLdError> for ProofError {
    fn from(error: JsonLdError) -> Self {
        ProofError::JsonLd(error)
    }
}

/// A credential or presentation was refused by [`verify`](super::verify).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A VCDM 2.0 rule is violated.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A proof is missing, malformed or invalid.
    #[error(transparent)]
    Proof(#[from] ProofError),
    /// The document cannot be processed as JSON-LD.
    #[error(transparent)]
    JsonLd(#[from] JsonLdError),
    /// The credential is not signed by its issuer: the proof's verification method is
    /// controlled by another DID.
    #[error("proof verification method `{method}` is not controlled by issuer `{issuer}`")]
    IssuerMismatch {
        /// The credential issuer.
        issuer: String,
        /// The verification method.
        method: String,
    },
    /// The document uses a securing mechanism this verifier does not handle in this place.
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    /// A VC-JOSE-COSE envelope is invalid.
    #[error("VC-JOSE-COSE: {0}")]
    Jose(String),
}
