//! `application/x-www-form-urlencoded` bodies as OAuth endpoints receive them: every parameter
//! at most once (RFC 6749 §3.1, §3.2), empty values treated as absent.

use std::collections::BTreeMap;

/// Why a form body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// A parameter appears more than once.
    #[error("parameter `{0}` appears more than once")]
    Duplicate(String),
    /// A required parameter is missing or empty.
    #[error("parameter `{0}` is missing")]
    Missing(&'static str),
}

/// A parsed form body: parameter name to value, without empty values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form(BTreeMap<String, String>);

impl Form {
    /// Parses a form body, refusing repeated parameters.
    pub fn parse(body: &str) -> Result<Form, FormError> {
        let mut map = BTreeMap::new();
        for (name, value) in url::form_urlencoded::parse(body.as_bytes()) {
            if map.insert(name.to_string(), value.into_owned()).is_some() {
                return Err(FormError::Duplicate(name.into_owned()));
            }
        }
        map.retain(|_, v: &mut String| !v.is_empty());
        Ok(Form(map))
    }

    /// Removes and returns an optional parameter.
    pub fn take(&mut self, name: &str) -> Option<String> {
        self.0.remove(name)
    }

    /// Removes and returns a required parameter.
    pub fn require(&mut self, name: &'static str) -> Result<String, FormError> {
        self.take(name).ok_or(FormError::Missing(name))
    }

    /// Whether a parameter is present.
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// The parameters not consumed yet.
    pub fn into_rest(self) -> BTreeMap<String, String> {
        self.0
    }
}

/// Serializes `(name, value)` pairs as a form body, skipping absent values.
pub fn encode<'a>(pairs: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        if let Some(value) = value {
            out.append_pair(name, value);
        }
    }
    out.finish()
}
