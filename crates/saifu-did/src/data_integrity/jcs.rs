//! eddsa-jcs-2022 (vc-di-eddsa §3.4): Ed25519 over the JCS (RFC 8785) canonical JSON of the
//! document and of the proof configuration. No JSON-LD processing, which is why DID methods
//! (did:webvh log entries and witness proofs) can use it below the credential layer.

use saifu_crypto::Algorithm;
use serde_json::Value;

use super::{HashData, Suite};

/// Deepest JSON nesting canonicalized; deeper hostile input is refused before any work.
pub const MAX_DEPTH: usize = 64;

/// Why a document could not be canonicalized with JCS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JcsError {
    /// The document nests deeper than [`MAX_DEPTH`].
    #[error("JSON nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// The value cannot be expressed in JCS (RFC 8785 §3.2).
    #[error("not canonicalizable: {0}")]
    Syntax(String),
}

/// The eddsa-jcs-2022 cryptosuite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EddsaJcs2022;

/// The suite's `cryptosuite` value.
pub const NAME: &str = "eddsa-jcs-2022";

/// Refuses JSON deeper than [`MAX_DEPTH`].
pub fn check_depth(value: &Value) -> Result<(), JcsError> {
    if nests_within(value, MAX_DEPTH) {
        Ok(())
    } else {
        Err(JcsError::TooDeep)
    }
}

/// Whether `value` nests at most `max_depth` arrays or objects deep: the bound every JSON
/// canonicalization here (JCS, and JSON-LD in `saifu-credential`) checks before recursing, so
/// hostile nesting cannot exhaust the stack.
pub fn nests_within(value: &Value, max_depth: usize) -> bool {
    match value {
        Value::Array(items) => {
            max_depth > 0 && items.iter().all(|v| nests_within(v, max_depth - 1))
        }
        Value::Object(map) => max_depth > 0 && map.values().all(|v| nests_within(v, max_depth - 1)),
        _ => true,
    }
}

/// The JCS canonical form of `value` (RFC 8785), after the depth check.
pub fn canonicalize(value: &Value) -> Result<String, JcsError> {
    check_depth(value)?;
    serde_json_canonicalizer::to_string(value).map_err(|e| JcsError::Syntax(e.to_string()))
}

impl Suite for EddsaJcs2022 {
    type Error = JcsError;

    fn name(self) -> &'static str {
        NAME
    }

    fn from_name(name: &str) -> Option<Self> {
        (name == NAME).then_some(EddsaJcs2022)
    }

    fn algorithm(self) -> Algorithm {
        Algorithm::Ed25519
    }

    /// vc-di-eddsa §3.4.4–§3.4.6: JCS of both, SHA-256 of each.
    fn hash_data(self, unsecured: &Value, proof_config: &Value) -> Result<HashData, JcsError> {
        Ok(HashData::sha256(
            canonicalize(unsecured)?,
            canonicalize(proof_config)?,
        ))
    }

    fn proof_carries_context(self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// `levels` arrays and objects nested alternately around a string.
    fn nested(levels: usize) -> Value {
        (0..levels).fold(json!("leaf"), |inner, level| {
            if level % 2 == 0 {
                json!([inner])
            } else {
                json!({ "k": inner })
            }
        })
    }

    #[test]
    fn nesting_up_to_the_bound_is_canonicalized_and_deeper_is_refused() {
        assert!(canonicalize(&nested(MAX_DEPTH)).is_ok());
        assert_eq!(canonicalize(&nested(MAX_DEPTH + 1)), Err(JcsError::TooDeep));
        assert!(nests_within(&json!("scalar"), 0));
        assert!(!nests_within(&json!([]), 0));
    }
}
