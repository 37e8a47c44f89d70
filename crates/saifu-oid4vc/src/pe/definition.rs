//! The strict reader of a Presentation Exchange 2.0 `presentation_definition` (DIF PE 2.0 §5),
//! keeping only what has an exact DCQL equivalent and refusing the rest with a [`PeError`].

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::error::PeError;
use super::jsonpath;
use crate::dcql::PathElement;

/// Bounds on the work a hostile definition can cause (ARCHITECTURE §7), in line with the DCQL
/// [`crate::dcql::Limits`] the translation must then fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeLimits {
    /// Entries of `input_descriptors` (at most the DCQL `max_credential_queries`).
    pub max_descriptors: usize,
    /// Entries of each `constraints.fields`.
    pub max_fields: usize,
    /// Alternative JSONPaths of each field's `path`.
    pub max_paths: usize,
    /// Segments of a JSONPath (the DCQL claims path pointer length).
    pub max_path_len: usize,
    /// Entries of each `filter.enum`.
    pub max_values: usize,
    /// Entries of `submission_requirements`, of a descriptor's `group` and of the `format`
    /// objects.
    pub max_requirements: usize,
}

impl Default for PeLimits {
    fn default() -> Self {
        Self {
            max_descriptors: 32,
            max_fields: 64,
            max_paths: 8,
            max_path_len: 16,
            max_values: 32,
            max_requirements: 32,
        }
    }
}

/// PE formats that are SD-JWT VCs: `vc+sd-jwt` (the pre-2024 media type) and `dc+sd-jwt`.
const SD_JWT_FORMATS: [&str; 2] = ["vc+sd-jwt", "dc+sd-jwt"];

/// A definition reduced to what the DCQL translation needs.
#[derive(Debug)]
pub(super) struct Definition {
    pub descriptors: Vec<Descriptor>,
    pub requirements: Option<Vec<Requirement>>,
}

/// An input descriptor (PE §5.1).
#[derive(Debug)]
pub(super) struct Descriptor {
    /// The id, sanitised to DCQL's `[A-Za-z0-9_-]+`.
    pub id: String,
    pub groups: Vec<String>,
    /// From the `$.vct` field's `const` or `enum`.
    pub vct_values: Vec<String>,
    /// The claim fields, `$.vct` excluded.
    pub fields: Vec<Field>,
}

/// A claim field (PE §5.1.1 `constraints.fields`).
#[derive(Debug)]
pub(super) struct Field {
    pub path: Vec<PathElement>,
    /// From `filter.const` / `filter.enum`: strings, integers or booleans.
    pub values: Option<Vec<Value>>,
    pub optional: bool,
}

/// A flat submission requirement (PE §5.2): `all` of a group, or `pick` one of it.
#[derive(Debug)]
pub(super) struct Requirement {
    pub pick_one: bool,
    pub from: String,
    pub at: String,
}

impl Definition {
    pub fn from_json(value: &Value, limits: &PeLimits) -> Result<Self, PeError> {
        let at = "$";
        let root = object(value, at)?;
        string(required(root, "id", at)?, "$.id")?;
        unsupported(root, at, &["frame"])?;
        formats(root, at, limits)?;
        let descriptors = list(root, "input_descriptors", at, limits.max_descriptors)?
            .ok_or_else(|| missing(at, "input_descriptors"))?
            .map(|(v, at)| Descriptor::from_json(v, &at, limits))
            .collect::<Result<Vec<_>, _>>()?;
        let mut ids = HashSet::new();
        if let Some(twin) = descriptors.iter().find(|d| !ids.insert(d.id.as_str())) {
            return Err(PeError::IdCollision(twin.id.clone()));
        }
        let requirements = list(root, "submission_requirements", at, limits.max_requirements)?
            .map(|items| {
                items
                    .map(|(v, at)| Requirement::from_json(v, at))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        Ok(Self {
            descriptors,
            requirements,
        })
    }
}

impl Descriptor {
    fn from_json(value: &Value, at: &str, limits: &PeLimits) -> Result<Self, PeError> {
        let map = object(value, at)?;
        let id = sanitise(string(required(map, "id", at)?, &format!("{at}.id"))?);
        if id.is_empty() {
            return Err(PeError::WrongType {
                at: format!("{at}.id"),
                expected: "a non-empty string",
            });
        }
        formats(map, at, limits)?;
        let groups = list(map, "group", at, limits.max_requirements)?
            .into_iter()
            .flatten()
            .map(|(v, at)| string(v, &at).map(str::to_owned))
            .collect::<Result<_, _>>()?;
        let constraints_at = format!("{at}.constraints");
        let constraints = object(required(map, "constraints", at)?, &constraints_at)?;
        unsupported(
            constraints,
            &constraints_at,
            &["subject_is_issuer", "is_holder", "same_subject", "statuses"],
        )?;
        let limit_disclosure = match constraints.get("limit_disclosure") {
            None => false,
            Some(Value::String(s)) if s == "required" => true,
            Some(Value::String(s)) if s == "preferred" => false,
            Some(_) => {
                return Err(PeError::WrongType {
                    at: format!("{constraints_at}.limit_disclosure"),
                    expected: "`required` or `preferred`",
                });
            }
        };
        let mut vct_values = None;
        let mut fields = Vec::new();
        for (value, at) in list(constraints, "fields", &constraints_at, limits.max_fields)?
            .into_iter()
            .flatten()
        {
            let field = Field::from_json(value, &at, limits)?;
            if field.path != [PathElement::Key("vct".into())] {
                fields.push(field);
            } else if vct_values.is_some() || field.optional {
                return Err(unsupported_at(&at, "a second or optional `$.vct` field"));
            } else {
                vct_values = Some(vct_strings(field.values, &at)?);
            }
        }
        let vct_values = vct_values
            .filter(|values| !values.is_empty())
            .ok_or_else(|| PeError::MissingVct { at: at.into() })?;
        if !fields.is_empty() && fields.iter().all(|f| f.optional) {
            return Err(unsupported_at(at, "only optional fields"));
        }
        if limit_disclosure && fields.is_empty() {
            return Err(unsupported_at(
                at,
                "limit_disclosure `required` without claim fields",
            ));
        }
        Ok(Self {
            id,
            groups,
            vct_values,
            fields,
        })
    }
}

/// The `$.vct` filter values, all strings; none when the field has no filter.
fn vct_strings(values: Option<Vec<Value>>, at: &str) -> Result<Vec<String>, PeError> {
    values
        .into_iter()
        .flatten()
        .map(|value| match value {
            Value::String(s) => Ok(s),
            _ => Err(PeError::InvalidFilterValue {
                at: format!("{at}.filter"),
            }),
        })
        .collect()
}

impl Field {
    fn from_json(value: &Value, at: &str, limits: &PeLimits) -> Result<Self, PeError> {
        let map = object(value, at)?;
        unsupported(map, at, &["predicate"])?;
        let path_at = format!("{at}.path");
        let mut pointer = None;
        for (path, item_at) in
            list(map, "path", at, limits.max_paths)?.ok_or_else(|| missing(at, "path"))?
        {
            let path = string(path, &item_at)?;
            if pointer.is_none() {
                pointer = jsonpath::to_pointer(path, limits.max_path_len);
            }
        }
        let path = pointer.ok_or(PeError::UnsupportedPath { at: path_at })?;
        if flag(map, "intent_to_retain", at)? {
            return Err(unsupported_at(at, "intent_to_retain (mdoc only in DCQL)"));
        }
        let values = map
            .get("filter")
            .map(|filter| filter_values(filter, &format!("{at}.filter"), limits))
            .transpose()?;
        Ok(Self {
            path,
            values,
            optional: flag(map, "optional", at)?,
        })
    }
}

/// The values a JSON Schema filter allows, when it is only `const` or `enum` (with an optional
/// consistent `type`); any other keyword constrains in a way DCQL `values` cannot.
fn filter_values(filter: &Value, at: &str, limits: &PeLimits) -> Result<Vec<Value>, PeError> {
    let map = object(filter, at)?;
    if let Some(keyword) = map
        .keys()
        .find(|k| !matches!(k.as_str(), "type" | "const" | "enum"))
    {
        return Err(unsupported_at(at, &format!("filter.{keyword}")));
    }
    let values = match (map.get("const"), map.get("enum")) {
        (Some(value), None) => vec![value.clone()],
        (None, Some(_)) => list(map, "enum", at, limits.max_values)?
            .into_iter()
            .flatten()
            .map(|(v, _)| v.clone())
            .collect(),
        (Some(_), Some(_)) => return Err(unsupported_at(at, "filter.const with filter.enum")),
        (None, None) => return Err(unsupported_at(at, "filter without const or enum")),
    };
    let declared = map
        .get("type")
        .map(|t| string(t, &format!("{at}.type")))
        .transpose()?;
    let fits = |value: &Value| match value {
        Value::String(_) => declared.is_none_or(|t| t == "string"),
        Value::Bool(_) => declared.is_none_or(|t| t == "boolean"),
        Value::Number(n) if n.is_i64() || n.is_u64() => {
            declared.is_none_or(|t| t == "integer" || t == "number")
        }
        _ => false,
    };
    if values.iter().all(fits) {
        Ok(values)
    } else {
        Err(PeError::InvalidFilterValue { at: at.into() })
    }
}

impl Requirement {
    fn from_json(value: &Value, at: String) -> Result<Self, PeError> {
        let map = object(value, &at)?;
        unsupported(map, &at, &["from_nested"])?;
        let counted = ["count", "min", "max"]
            .into_iter()
            .any(|k| map.contains_key(k));
        let pick_one = match string(required(map, "rule", &at)?, &format!("{at}.rule"))? {
            "all" if !counted => false,
            "all" => return Err(unsupported_at(&at, "rule `all` with count/min/max")),
            "pick"
                if map.get("count") == Some(&Value::from(1))
                    && !map.contains_key("min")
                    && !map.contains_key("max") =>
            {
                true
            }
            "pick" => return Err(unsupported_at(&at, "rule `pick` other than count 1")),
            _ => {
                return Err(PeError::WrongType {
                    at: format!("{at}.rule"),
                    expected: "`all` or `pick`",
                });
            }
        };
        let from = string(required(map, "from", &at)?, &format!("{at}.from"))?.to_owned();
        Ok(Self { pick_one, from, at })
    }
}

/// Maps an input descriptor id onto DCQL's id alphabet `[A-Za-z0-9_-]` (OpenID4VP 1.0 §6.1),
/// every other character becoming `_`; collisions are refused by the caller.
fn sanitise(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Checks a `format` object (PE §5 / §5.1): every designation must be an SD-JWT VC format.
fn formats(map: &Map<String, Value>, at: &str, limits: &PeLimits) -> Result<(), PeError> {
    let Some(format) = map.get("format") else {
        return Ok(());
    };
    let at = format!("{at}.format");
    let designations = object(format, &at)?;
    if designations.len() > limits.max_requirements {
        return Err(PeError::TooMany {
            at,
            limit: limits.max_requirements,
        });
    }
    match designations
        .keys()
        .find(|k| !SD_JWT_FORMATS.contains(&k.as_str()))
    {
        Some(other) => Err(PeError::UnsupportedFormat {
            at,
            format: other.clone(),
        }),
        None if designations.is_empty() => Err(PeError::EmptyArray { at }),
        None => Ok(()),
    }
}

fn unsupported(map: &Map<String, Value>, at: &str, names: &[&str]) -> Result<(), PeError> {
    match names.iter().find(|name| map.contains_key(**name)) {
        Some(name) => Err(unsupported_at(at, name)),
        None => Ok(()),
    }
}

fn unsupported_at(at: &str, construct: &str) -> PeError {
    PeError::Unsupported {
        at: at.into(),
        construct: construct.into(),
    }
}

fn missing(at: &str, field: &'static str) -> PeError {
    PeError::MissingField {
        at: at.into(),
        field,
    }
}

fn required<'a>(
    map: &'a Map<String, Value>,
    field: &'static str,
    at: &str,
) -> Result<&'a Value, PeError> {
    map.get(field).ok_or_else(|| missing(at, field))
}

fn object<'a>(value: &'a Value, at: &str) -> Result<&'a Map<String, Value>, PeError> {
    value.as_object().ok_or_else(|| PeError::WrongType {
        at: at.into(),
        expected: "an object",
    })
}

fn string<'a>(value: &'a Value, at: &str) -> Result<&'a str, PeError> {
    value.as_str().ok_or_else(|| PeError::WrongType {
        at: at.into(),
        expected: "a string",
    })
}

/// An optional boolean member, `false` when absent.
fn flag(map: &Map<String, Value>, field: &str, at: &str) -> Result<bool, PeError> {
    map.get(field).map_or(Ok(false), |value| {
        value.as_bool().ok_or_else(|| PeError::WrongType {
            at: format!("{at}.{field}"),
            expected: "a boolean",
        })
    })
}

/// An optional member that, when present, is a non-empty array of at most `limit` entries;
/// yields each entry with its location.
fn list<'a>(
    map: &'a Map<String, Value>,
    field: &str,
    at: &str,
    limit: usize,
) -> Result<Option<impl Iterator<Item = (&'a Value, String)> + use<'a>>, PeError> {
    let at = format!("{at}.{field}");
    let Some(value) = map.get(field) else {
        return Ok(None);
    };
    let items = value.as_array().ok_or_else(|| PeError::WrongType {
        at: at.clone(),
        expected: "an array",
    })?;
    if items.is_empty() {
        return Err(PeError::EmptyArray { at });
    }
    if items.len() > limit {
        return Err(PeError::TooMany { at, limit });
    }
    Ok(Some(
        items
            .iter()
            .enumerate()
            .map(move |(i, item)| (item, format!("{at}[{i}]"))),
    ))
}
