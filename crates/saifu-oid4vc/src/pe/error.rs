//! Why a `presentation_definition` is refused.

use thiserror::Error;

use crate::dcql::DcqlError;

/// A Presentation Exchange 2.0 definition that is malformed, exceeds the
/// [`crate::pe::PeLimits`] or uses a construct DCQL cannot express. `at` is a JSONPath-like
/// location such as `$.input_descriptors[0].constraints.fields[1]`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PeError {
    /// More entries, or a longer string, than a limit allows.
    #[error("{at}: more than {limit} entries")]
    TooMany {
        /// Where.
        at: String,
        /// The limit.
        limit: usize,
    },
    /// A value has the wrong JSON type or an unknown keyword value.
    #[error("{at}: expected {expected}")]
    WrongType {
        /// Where.
        at: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A required member is absent.
    #[error("{at}: `{field}` is required")]
    MissingField {
        /// The object missing it.
        at: String,
        /// The member.
        field: &'static str,
    },
    /// An array that must be non-empty is empty.
    #[error("{at}: must not be empty")]
    EmptyArray {
        /// Where.
        at: String,
    },
    /// A format other than SD-JWT VC (`vc+sd-jwt`, `dc+sd-jwt`).
    #[error("{at}: unsupported format `{format}` (only SD-JWT VC is translated)")]
    UnsupportedFormat {
        /// Where.
        at: String,
        /// The format identifier.
        format: String,
    },
    /// A field none of whose JSONPaths has a supported shape (`$.a`, `$['a']`, `$.a[0]`,
    /// `$.a[*]` and their concatenations).
    #[error("{at}: no supported JSONPath in the field's `path`")]
    UnsupportedPath {
        /// The field's `path`.
        at: String,
    },
    /// A PE construct with no exact DCQL equivalent.
    #[error("{at}: `{construct}` cannot be expressed in DCQL")]
    Unsupported {
        /// Where.
        at: String,
        /// The construct, e.g. `filter.pattern` or `predicate`.
        construct: String,
    },
    /// A `const`/`enum` value DCQL `values` cannot hold (not a string, integer or boolean), or
    /// one that contradicts the filter's `type`.
    #[error("{at}: filter values must be strings, integers or booleans of the declared type")]
    InvalidFilterValue {
        /// Where.
        at: String,
    },
    /// An input descriptor without a `$.vct` field filtered by `const`/`enum`: DCQL requires
    /// `meta.vct_values` for `dc+sd-jwt` (OpenID4VP 1.0 B.3.5), so "any type" is not expressible.
    #[error("{at}: a `$.vct` field with `filter.const` or `filter.enum` is required")]
    MissingVct {
        /// The input descriptor.
        at: String,
    },
    /// Two input descriptor ids map to the same DCQL id once sanitised to `[A-Za-z0-9_-]`.
    #[error("input descriptor ids collide as DCQL id `{0}`")]
    IdCollision(String),
    /// A submission requirement draws from a group no input descriptor belongs to.
    #[error("{at}: no input descriptor is in group `{group}`")]
    UnknownGroup {
        /// The requirement's `from`.
        at: String,
        /// The group.
        group: String,
    },
    /// The translated query is not valid DCQL (for example it exceeds the DCQL limits).
    #[error("the translated DCQL query is invalid: {0}")]
    Dcql(#[from] DcqlError),
}
