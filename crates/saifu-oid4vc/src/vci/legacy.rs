//! Draft-era member names that 1.0 replaced, and the check that refuses them.

use serde_json::{Map, Value};

/// A draft-era member found in a message, with what OpenID4VCI 1.0 uses instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegacyName {
    /// The member received.
    pub name: &'static str,
    /// The 1.0 replacement.
    pub use_instead: &'static str,
}

impl std::fmt::Display for LegacyName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "draft-era member `{}`: {}", self.name, self.use_instead)
    }
}

/// The first member of `object` listed in `table` as `(name, replacement)`.
pub(crate) fn find(
    object: &Map<String, Value>,
    table: &[(&'static str, &'static str)],
) -> Option<LegacyName> {
    table
        .iter()
        .find(|(name, _)| object.contains_key(*name))
        .map(|&(name, use_instead)| LegacyName { name, use_instead })
}
