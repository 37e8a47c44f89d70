//! Claim paths: how an issuer says which claims are selectively disclosable and how a holder says
//! which to reveal.
//!
//! Two spellings: JSON-pointer-like strings (`/address/street`, RFC 6901 escapes `~0` `~1`) and
//! JSON arrays of names and indices (`["address", "street"]`, `["nationalities", 1]`, the DCQL
//! shape). A pointer segment of digits also matches an array index, so `/nationalities/1` works.
//! Array indices count the elements of the issuer's array (placeholders included).

use std::fmt;

use serde_json::Value;

use super::SdJwtError;

/// One step of a [`ClaimPath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// An object member name (or, when all digits, an array index written in a pointer).
    Name(String),
    /// An array index.
    Index(usize),
}

impl Segment {
    fn matches(&self, step: &Step<'_>) -> bool {
        match (self, step) {
            (Segment::Name(n), Step::Key(k)) => n == k,
            (Segment::Index(i), Step::Index(j)) => i == j,
            (Segment::Name(n), Step::Index(j)) => n.parse::<usize>().ok() == Some(*j),
            (Segment::Index(_), Step::Key(_)) => false,
        }
    }
}

/// A concrete step taken while walking claims.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step<'a> {
    /// Into an object member.
    Key(&'a str),
    /// Into an array element.
    Index(usize),
}

/// A path from the top of the claims to one claim or array element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClaimPath(Vec<Segment>);

impl ClaimPath {
    /// Builds a path from segments.
    pub fn new(segments: Vec<Segment>) -> ClaimPath {
        ClaimPath(segments)
    }

    /// Parses a pointer such as `/address/street`; the empty pointer is refused (the whole
    /// payload is never one disclosure).
    pub fn from_pointer(pointer: &str) -> Result<ClaimPath, SdJwtError> {
        let rest = pointer.strip_prefix('/').ok_or_else(|| {
            SdJwtError::PathNotFound(format!("{pointer:?} (must start with `/`)"))
        })?;
        Ok(ClaimPath(
            rest.split('/')
                .map(|s| Segment::Name(s.replace("~1", "/").replace("~0", "~")))
                .collect(),
        ))
    }

    /// Parses a JSON array of strings and non-negative integers.
    pub fn from_json(value: &Value) -> Result<ClaimPath, SdJwtError> {
        let bad = || SdJwtError::PathNotFound(value.to_string());
        let items = value.as_array().filter(|a| !a.is_empty()).ok_or_else(bad)?;
        items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(Segment::Name(s.clone())),
                Value::Number(n) => n
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .map(Segment::Index)
                    .ok_or_else(bad),
                _ => Err(bad()),
            })
            .collect::<Result<_, _>>()
            .map(ClaimPath)
    }

    /// The segments.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// `true` when this path starts with the walked `steps` (the node is on the way to, or is,
    /// the path's target).
    pub(crate) fn passes_through(&self, steps: &[Step<'_>]) -> bool {
        steps.len() <= self.0.len() && self.0.iter().zip(steps).all(|(s, t)| s.matches(t))
    }

    /// `true` when this path names exactly the walked `steps`.
    pub(crate) fn is(&self, steps: &[Step<'_>]) -> bool {
        steps.len() == self.0.len() && self.passes_through(steps)
    }
}

impl fmt::Display for ClaimPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for segment in &self.0 {
            match segment {
                Segment::Name(n) => write!(f, "/{}", n.replace('~', "~0").replace('/', "~1"))?,
                Segment::Index(i) => write!(f, "/{i}")?,
            }
        }
        Ok(())
    }
}

impl std::str::FromStr for ClaimPath {
    type Err = SdJwtError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ClaimPath::from_pointer(s)
    }
}
