//! DIF Presentation Exchange 2.0 as a legacy request form (ARCHITECTURE §3): a
//! `presentation_definition` is read strictly and translated into an OpenID4VP 1.0 DCQL query for
//! SD-JWT VCs, so the rest of the verifier only ever sees DCQL.
//!
//! The translation is exact or refused: every PE construct DCQL cannot express (JSON Schema
//! keywords other than `const`/`enum`, `predicate`, nested or counted submission requirements, …)
//! is a typed [`PeError`] naming it, never an approximation.
//!
//! | PE 2.0                                         | DCQL (OpenID4VP 1.0)                           |
//! |------------------------------------------------|------------------------------------------------|
//! | input descriptor                               | credential query, `id` sanitised, `dc+sd-jwt`  |
//! | field on `$.vct` with `const`/`enum`           | `meta.vct_values` (REQUIRED, B.3.5)            |
//! | other field, first supported JSONPath          | claims query `path`                            |
//! | `filter.const` / `filter.enum`                 | `values`                                       |
//! | `optional: true` fields                        | `claim_sets` [required + optional, required]   |
//! | `submission_requirements` `all` / `pick` 1     | `credential_sets` options                      |
//!
//! ```
//! use saifu_oid4vc::pe::{PeLimits, translate};
//! use serde_json::json;
//!
//! let query = translate(&json!({
//!     "id": "age-check",
//!     "input_descriptors": [{"id": "pid", "constraints": {"fields": [
//!         {"path": ["$.vct"], "filter": {"type": "string", "const": "https://example.com/pid"}},
//!         {"path": ["$.age_equal_or_over.18"], "filter": {"const": true}}
//!     ]}}]
//! }), &PeLimits::default())?;
//! assert_eq!(serde_json::to_value(&query)?["credentials"][0]["claims"][0]["path"],
//!            json!(["age_equal_or_over", "18"]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod definition;
mod error;
mod jsonpath;
mod translate;

pub use definition::PeLimits;
pub use error::PeError;
pub use translate::translate;

#[cfg(test)]
mod tests;
