//! Claims path pointers and their processing (OpenID4VP 1.0 §7).

use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::Value;

use super::error::DcqlError;

/// One component of a claims path pointer (§7).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathElement {
    /// A string: the object member with this key.
    Key(String),
    /// A non-negative integer: the array element at this index.
    Index(usize),
    /// `null`: every element of the array.
    All,
}

/// A claims path pointer: a non-empty list of [`PathElement`]s. Paths reported for disclosure
/// are concrete (no [`PathElement::All`]): each wildcard is replaced by the matching index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClaimPath(pub Vec<PathElement>);

impl ClaimPath {
    /// Reads a claims path pointer: a non-empty array of at most `max_len` strings,
    /// non-negative integers and nulls.
    pub fn from_json(value: &Value, at: &str, max_len: usize) -> Result<Self, DcqlError> {
        let invalid = || DcqlError::InvalidPath { at: at.to_owned() };
        let items = value.as_array().ok_or_else(invalid)?;
        if items.is_empty() {
            return Err(DcqlError::EmptyArray { at: at.to_owned() });
        }
        if items.len() > max_len {
            return Err(DcqlError::TooMany {
                at: at.to_owned(),
                limit: max_len,
            });
        }
        items
            .iter()
            .map(|item| match item {
                Value::String(key) => Ok(PathElement::Key(key.clone())),
                Value::Null => Ok(PathElement::All),
                Value::Number(n) => n
                    .as_u64()
                    .and_then(|i| usize::try_from(i).ok())
                    .map(PathElement::Index)
                    .ok_or_else(invalid),
                _ => Err(invalid()),
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// Selects the nodes this path points to in `root` (§7.1). Returns each selected value with
    /// its concrete path, or `None` when processing aborts: a key applied to a non-object, an
    /// index or wildcard applied to a non-array, or an empty selection.
    pub fn select<'a>(&self, root: &'a Value) -> Option<Vec<(ClaimPath, &'a Value)>> {
        let mut selected = vec![(Vec::new(), root)];
        for element in &self.0 {
            let mut next = Vec::new();
            for (prefix, node) in selected {
                let child = |step: PathElement, value: &'a Value| {
                    let mut path = prefix.clone();
                    path.push(step);
                    (path, value)
                };
                match element {
                    PathElement::Key(key) => {
                        if let Some(value) = node.as_object()?.get(key) {
                            next.push(child(element.clone(), value));
                        }
                    }
                    PathElement::Index(index) => {
                        if let Some(value) = node.as_array()?.get(*index) {
                            next.push(child(element.clone(), value));
                        }
                    }
                    PathElement::All => next.extend(
                        node.as_array()?
                            .iter()
                            .enumerate()
                            .map(|(index, value)| child(PathElement::Index(index), value)),
                    ),
                }
            }
            if next.is_empty() {
                return None;
            }
            selected = next;
        }
        Some(
            selected
                .into_iter()
                .map(|(path, value)| (ClaimPath(path), value))
                .collect(),
        )
    }

    /// The path as JSON, the form it has in a query.
    pub fn to_json(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|element| match element {
                    PathElement::Key(key) => Value::String(key.clone()),
                    PathElement::Index(index) => Value::from(*index),
                    PathElement::All => Value::Null,
                })
                .collect(),
        )
    }
}

impl Serialize for ClaimPath {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl fmt::Display for ClaimPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn path(value: Value) -> ClaimPath {
        ClaimPath::from_json(&value, "p", 8).unwrap()
    }

    fn paths(selected: Option<Vec<(ClaimPath, &Value)>>) -> Vec<Value> {
        selected
            .unwrap()
            .into_iter()
            .map(|(p, _)| p.to_json())
            .collect()
    }

    #[test]
    fn keys_indexes_and_wildcards_select_concrete_paths() {
        let doc = json!({"a": {"b": [{"c": 1}, {"d": 2}, {"c": 3}]}});
        assert_eq!(
            paths(path(json!(["a", "b", 1, "d"])).select(&doc)),
            [json!(["a", "b", 1, "d"])]
        );
        assert_eq!(
            paths(path(json!(["a", "b", null, "c"])).select(&doc)),
            [json!(["a", "b", 0, "c"]), json!(["a", "b", 2, "c"])]
        );
        assert_eq!(paths(path(json!(["a", "b", null])).select(&doc)).len(), 3);
    }

    #[test]
    fn processing_aborts_on_type_mismatch_or_empty_selection() {
        let doc = json!({"a": {"b": [1, 2]}, "s": "text"});
        assert!(path(json!(["missing"])).select(&doc).is_none());
        assert!(path(json!(["a", "b", 5])).select(&doc).is_none());
        assert!(path(json!(["s", 0])).select(&doc).is_none());
        assert!(path(json!(["a", "b", "x"])).select(&doc).is_none());
        assert!(path(json!(["a", null])).select(&doc).is_none());
        assert!(path(json!(["a", "b", null, "x"])).select(&doc).is_none());
    }

    #[test]
    fn rejects_malformed_pointers() {
        let err = |v: Value| ClaimPath::from_json(&v, "p", 3).unwrap_err();
        assert_eq!(err(json!([])), DcqlError::EmptyArray { at: "p".into() });
        assert_eq!(err(json!("a")), DcqlError::InvalidPath { at: "p".into() });
        assert_eq!(
            err(json!(["a", -1])),
            DcqlError::InvalidPath { at: "p".into() }
        );
        assert_eq!(
            err(json!(["a", 1.5])),
            DcqlError::InvalidPath { at: "p".into() }
        );
        assert_eq!(
            err(json!([true])),
            DcqlError::InvalidPath { at: "p".into() }
        );
        assert_eq!(
            err(json!(["a", "b", "c", "d"])),
            DcqlError::TooMany {
                at: "p".into(),
                limit: 3
            }
        );
    }
}
