//! The did:webvh log entry and its parameters (did:webvh 1.0 "The DID Log File" and "did:webvh
//! DID Method Parameters").
//!
//! Parameters are read leniently where the specification asks it (a JSON `null`, written by
//! early implementations, becomes the parameter's default) and strictly everywhere else (unknown
//! parameters, wrong types). They are never written with `null`: an absent parameter is omitted.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The only `method` value saifu writes and accepts (did:tdw and 0.x logs are refused).
pub const METHOD_VERSION: &str = "did:webvh:1.0";
/// The `ttl` default, in seconds.
pub const DEFAULT_TTL: u64 = 3600;
/// The largest `ttl` allowed (2^31).
pub const MAX_TTL: u64 = 1 << 31;

/// One line of a `did.jsonl` log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogEntry {
    /// `<version number>-<entryHash>`.
    pub version_id: String,
    /// When the controller says this version was made (UTC).
    pub version_time: String,
    /// Changes to the log's parameters (empty when nothing changes).
    pub parameters: Parameters,
    /// The DID document of this version.
    pub state: Value,
    /// The Data Integrity proofs of the entry (an array; one object is accepted on read).
    #[serde(default, deserialize_with = "one_or_many")]
    pub proof: Vec<Value>,
}

/// The `parameters` of a log entry; `None` means "not set in this entry".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Parameters {
    /// The did:webvh specification version (`did:webvh:1.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The SCID (first entry only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scid: Option<String>,
    /// Multikeys allowed to sign entries.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_as_default"
    )]
    pub update_keys: Option<Vec<String>>,
    /// Pre-rotation commitments: hashes of the next entry's update keys.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_as_default"
    )]
    pub next_key_hashes: Option<Vec<String>>,
    /// Witness configuration; `{}` turns witnessing off.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_as_default"
    )]
    pub witness: Option<WitnessConfig>,
    /// URLs of watchers.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_as_default"
    )]
    pub watchers: Option<Vec<String>>,
    /// Whether the DID may move (first entry only may set `true`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_as_default"
    )]
    pub portable: Option<bool>,
    /// Whether the DID is deactivated.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_as_default"
    )]
    pub deactivated: Option<bool>,
    /// Cache guidance in seconds (default 3600).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_as_default_ttl"
    )]
    pub ttl: Option<u64>,
}

/// The `witness` parameter: `{}` (no witnesses) or a threshold and a list of did:key witnesses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessConfig {
    /// How many distinct witnesses must approve each entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<u64>,
    /// The witnesses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witnesses: Option<Vec<Witness>>,
}

impl WitnessConfig {
    /// Whether this configuration asks for witnessing at all (`{}` does not).
    pub fn is_active(&self) -> bool {
        self.threshold.is_some() || self.witnesses.is_some()
    }
}

/// One witness (did:webvh 1.0 "The witness Parameter"); `weight` is not a 1.0 member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Witness {
    /// The witness's did:key DID.
    pub id: String,
}

/// did:webvh 1.0 "Parameters", note on `null`: accept it and use the default value.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Some(
        Option::<T>::deserialize(deserializer)?.unwrap_or_default(),
    ))
}

/// As [`null_as_default`], for `ttl` whose default is not zero.
fn null_as_default_ttl<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    Ok(Some(
        Option::<u64>::deserialize(deserializer)?.unwrap_or(DEFAULT_TTL),
    ))
}

/// `proof` as an array, or a single proof object.
fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Value>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Array(items) => items,
        Value::Object(map) => vec![Value::Object(map)],
        _ => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains_null(value: &Value) -> bool {
        match value {
            Value::Null => true,
            Value::Array(items) => items.iter().any(contains_null),
            Value::Object(map) => map.values().any(contains_null),
            _ => false,
        }
    }

    #[test]
    fn nulls_are_read_as_defaults_and_never_written() {
        let parameters: Parameters = serde_json::from_str(
            r#"{"updateKeys":["z6Mk"],"nextKeyHashes":null,"witness":null,"watchers":null,"ttl":null,"deactivated":null}"#,
        )
        .unwrap();
        assert_eq!(parameters.next_key_hashes, Some(vec![]));
        assert_eq!(parameters.witness, Some(WitnessConfig::default()));
        assert_eq!(parameters.watchers, Some(vec![]));
        assert_eq!(parameters.ttl, Some(DEFAULT_TTL));
        assert_eq!(parameters.deactivated, Some(false));
        let written = serde_json::to_value(&parameters).unwrap();
        assert!(!contains_null(&written));
        assert_eq!(written["witness"], serde_json::json!({}));
        assert_eq!(
            serde_json::to_value(Parameters::default()).unwrap(),
            serde_json::json!({})
        );
    }

    #[test]
    fn unknown_parameters_and_weights_are_refused() {
        assert!(serde_json::from_str::<Parameters>(r#"{"prerotation":true}"#).is_err());
        assert!(
            serde_json::from_str::<Parameters>(
                r#"{"witness":{"threshold":1,"witnesses":[{"id":"did:key:z6Mk","weight":1}]}}"#
            )
            .is_err()
        );
    }
}
