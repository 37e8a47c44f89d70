//! The JSONPath subset PE fields are translated from: `$` followed by `.name`, `['name']`
//! (or `["name"]`), `[index]` and `[*]` segments, which map one to one onto DCQL claims path
//! pointer elements (OpenID4VP 1.0 §7). Filters, recursive descent, slices and unions have no
//! path pointer equivalent and are not accepted.

use crate::dcql::PathElement;

/// The DCQL path elements of `path`, or `None` when it is not of a supported shape or has more
/// than `max_len` segments.
pub(super) fn to_pointer(path: &str, max_len: usize) -> Option<Vec<PathElement>> {
    let mut rest = path.strip_prefix('$')?;
    let mut elements = Vec::new();
    while !rest.is_empty() {
        let (element, tail) = if let Some(tail) = rest.strip_prefix('.') {
            let end = tail.find(['.', '[']).unwrap_or(tail.len());
            let name = &tail[..end];
            if name.is_empty() || name == "*" || !name.chars().all(is_name_char) {
                return None;
            }
            (PathElement::Key(name.to_owned()), &tail[end..])
        } else {
            let tail = rest.strip_prefix('[')?;
            let end = tail.find(']')?;
            (bracket(&tail[..end])?, &tail[end + 1..])
        };
        if elements.len() == max_len {
            return None;
        }
        elements.push(element);
        rest = tail;
    }
    (!elements.is_empty()).then_some(elements)
}

/// Dot-notation member names: letters, digits, `_` and `-` (no operators or quotes).
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// The inside of a bracket segment: `*`, a non-negative index or a quoted name without escapes.
fn bracket(inner: &str) -> Option<PathElement> {
    if inner == "*" {
        return Some(PathElement::All);
    }
    if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
        return inner.parse().ok().map(PathElement::Index);
    }
    let quote = inner.chars().next().filter(|q| *q == '\'' || *q == '"')?;
    let name = inner.strip_prefix(quote)?.strip_suffix(quote)?;
    (!name.is_empty() && !name.contains([quote, '\\'])).then(|| PathElement::Key(name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use PathElement::{All, Index, Key};

    fn key(name: &str) -> PathElement {
        Key(name.to_owned())
    }

    #[test]
    fn supported_shapes_map_to_pointers() {
        assert_eq!(to_pointer("$.a", 16), Some(vec![key("a")]));
        assert_eq!(to_pointer("$.a.b", 16), Some(vec![key("a"), key("b")]));
        assert_eq!(to_pointer("$['a']", 16), Some(vec![key("a")]));
        assert_eq!(to_pointer("$[\"a.b\"]", 16), Some(vec![key("a.b")]));
        assert_eq!(to_pointer("$.a[0]", 16), Some(vec![key("a"), Index(0)]));
        assert_eq!(
            to_pointer("$.a[*].b", 16),
            Some(vec![key("a"), All, key("b")])
        );
    }

    #[test]
    fn other_shapes_are_refused() {
        for path in [
            "",
            "$",
            "a",
            "$.",
            "$..a",
            "$.*",
            "$.a[",
            "$.a[-1]",
            "$.a[0:2]",
            "$.a[?(@.b)]",
            "$['a'",
            "$['a\\'b']",
            "$['']",
            "$.a b",
            "$.a['b','c']",
        ] {
            assert_eq!(to_pointer(path, 16), None, "{path}");
        }
    }

    #[test]
    fn pointers_longer_than_the_limit_are_refused() {
        assert_eq!(to_pointer("$.a.b.c", 2), None);
        assert!(to_pointer("$.a.b", 2).is_some());
    }
}
