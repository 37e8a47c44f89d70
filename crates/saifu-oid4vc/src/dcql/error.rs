//! Why a DCQL query or a `vp_token` is rejected.

use thiserror::Error;

/// A DCQL query that is malformed, breaks an OpenID4VP 1.0 §6 rule, uses a pre-final name or
/// exceeds the [`crate::dcql::Limits`]. `at` is a JSONPath-like location such as
/// `$.credentials[0].claims[1].path`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DcqlError {
    /// The bytes are not JSON.
    #[error("the DCQL query is not JSON: {0}")]
    Json(String),
    /// The query is larger than [`crate::dcql::Limits::max_query_bytes`].
    #[error("the DCQL query is larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// More entries than a limit allows.
    #[error("{at}: more than {limit} entries")]
    TooMany {
        /// Where.
        at: String,
        /// The limit.
        limit: usize,
    },
    /// A value has the wrong JSON type.
    #[error("{at}: expected {expected}")]
    WrongType {
        /// Where.
        at: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A required parameter is absent.
    #[error("{at}: `{field}` is required")]
    MissingField {
        /// The object missing it.
        at: String,
        /// The parameter.
        field: &'static str,
    },
    /// An array that must be non-empty is empty.
    #[error("{at}: must not be empty")]
    EmptyArray {
        /// Where.
        at: String,
    },
    /// A pre-final parameter name (STANDARDS §2 "Do not use").
    #[error("{at}: `{name}` is not OpenID4VP 1.0 ({instead})")]
    LegacyParameter {
        /// The object holding it.
        at: String,
        /// The legacy name.
        name: &'static str,
        /// What the final specification uses instead.
        instead: &'static str,
    },
    /// An identifier that is not `[A-Za-z0-9_-]+`.
    #[error("{at}: `{id}` is not a valid identifier")]
    InvalidId {
        /// Where.
        at: String,
        /// The identifier.
        id: String,
    },
    /// Two credential queries share an `id`.
    #[error("duplicate credential query id `{0}`")]
    DuplicateCredentialId(String),
    /// Two claims queries of one credential query share an `id`.
    #[error("{at}: duplicate claim id `{id}`")]
    DuplicateClaimId {
        /// The credential query.
        at: String,
        /// The identifier.
        id: String,
    },
    /// A `credential_sets` option names a credential query that does not exist.
    #[error("{at}: unknown credential query `{id}`")]
    UnknownCredentialId {
        /// Where.
        at: String,
        /// The identifier.
        id: String,
    },
    /// A `claim_sets` entry names a claims query that does not exist.
    #[error("{at}: unknown claim id `{id}`")]
    UnknownClaimId {
        /// Where.
        at: String,
        /// The identifier.
        id: String,
    },
    /// `claim_sets` without `claims` (§6.1).
    #[error("{at}: `claim_sets` requires `claims`")]
    ClaimSetsWithoutClaims {
        /// The credential query.
        at: String,
    },
    /// A claims query without `id` although `claim_sets` is present (§6.3).
    #[error("{at}: `id` is required when `claim_sets` is present")]
    MissingClaimId {
        /// The claims query.
        at: String,
    },
    /// A credential format this engine does not know.
    #[error("{at}: unsupported format `{format}`")]
    UnsupportedFormat {
        /// Where.
        at: String,
        /// The format identifier.
        format: String,
    },
    /// A claims path pointer element that is not a string, a non-negative integer or null (§7),
    /// or an mdoc path that is not `[namespace, element]` (§7.2).
    #[error("{at}: invalid claims path pointer")]
    InvalidPath {
        /// Where.
        at: String,
    },
    /// An entry of `values` that is not a string, an integer or a boolean (§6.3).
    #[error("{at}: values must be strings, integers or booleans")]
    InvalidValue {
        /// Where.
        at: String,
    },
    /// A trusted authority `type` other than `aki`, `etsi_tl`, `openid_federation` (§6.1.1).
    #[error("{at}: unknown trusted authority type `{kind}`")]
    UnknownAuthorityType {
        /// Where.
        at: String,
        /// The type.
        kind: String,
    },
    /// An `aki` value that is not base64url (§6.1.1.1).
    #[error("{at}: `aki` values must be base64url")]
    InvalidAki {
        /// Where.
        at: String,
    },
}

/// A `vp_token` whose shape does not fit the DCQL query (OpenID4VP 1.0 §8.1).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VpTokenError {
    /// The `vp_token` is not a JSON object.
    #[error("vp_token must be a JSON object keyed by credential query id")]
    NotAnObject,
    /// An entry for a credential query the request did not contain.
    #[error("vp_token has an entry for `{0}`, which was not requested")]
    UnknownQuery(String),
    /// An entry whose value is not an array.
    #[error("vp_token entry `{0}` must be an array")]
    NotAnArray(String),
    /// An entry whose array is empty.
    #[error("vp_token entry `{0}` is empty")]
    Empty(String),
    /// Several presentations for a query without `multiple`.
    #[error("vp_token entry `{id}` has {count} presentations but `multiple` is false")]
    MultipleNotAllowed {
        /// The credential query.
        id: String,
        /// How many presentations were sent.
        count: usize,
    },
    /// The entries present do not answer the query: a required credential set, or (without
    /// `credential_sets`) a credential query, has no entry.
    #[error("vp_token does not answer every required credential query")]
    Unsatisfied,
}
