//! DID and DID URL syntax (DID Core 1.0 §3.1 and §3.2).
//!
//! Parsing is strict so that two spellings of one identifier cannot slip past a comparison: the
//! method name is `[a-z0-9]+`, the method-specific id uses only `idchar`s (ALPHA, DIGIT, `.`, `-`,
//! `_`, percent-encodings) and `:` separators and does not end with `:`, and a DID URL's path,
//! query and fragment follow RFC 3986. Values keep the exact text they were parsed from.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The part of a DID or DID URL in which a syntax error was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The method name (`key` in `did:key:…`).
    Method,
    /// The method-specific identifier (after the second `:`).
    MethodSpecificId,
    /// The DID URL path (`/…`).
    Path,
    /// The DID URL query (`?…`).
    Query,
    /// The DID URL fragment (`#…`).
    Fragment,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Method => "method name",
            Part::MethodSpecificId => "method-specific identifier",
            Part::Path => "path",
            Part::Query => "query",
            Part::Fragment => "fragment",
        })
    }
}

/// Why a string is not a DID, a DID URL or a relative DID URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DidSyntaxError {
    /// The string does not start with the `did:` scheme (lowercase, DID Core §3.1).
    #[error("a DID starts with `did:`")]
    MissingScheme,
    /// Nothing between `did:` and the next `:`.
    #[error("the method name is empty")]
    EmptyMethod,
    /// The method name is not followed by `:` and a method-specific identifier.
    #[error("the method name is not followed by `:` and a method-specific identifier")]
    MissingMethodSpecificId,
    /// Nothing after `did:<method>:`.
    #[error("the method-specific identifier is empty")]
    EmptyMethodSpecificId,
    /// The method-specific identifier ends with `:` (its last segment must be non-empty).
    #[error("the method-specific identifier ends with `:`")]
    TrailingColon,
    /// A character not allowed in that part (e.g. an uppercase method name, a space, `~` in the id).
    #[error("invalid character {ch:?} at byte {index} in the {part}")]
    InvalidCharacter {
        /// Where the character is.
        part: Part,
        /// Byte offset in the input.
        index: usize,
        /// The offending character.
        ch: char,
    },
    /// `%` not followed by two hexadecimal digits.
    #[error("invalid percent-encoding at byte {index} in the {part}")]
    InvalidPercentEncoding {
        /// Where the encoding is.
        part: Part,
        /// Byte offset of the `%`.
        index: usize,
    },
    /// A relative DID URL must start with `/`, `?` or `#` (anything else cannot be joined to a DID).
    #[error("a relative DID URL starts with `/`, `?` or `#`")]
    NotARelativeReference,
    /// Longer than [`MAX_DID_URL_LEN`]: no real DID is, and hostile ones cost work downstream.
    #[error("{len} bytes, longer than the {MAX_DID_URL_LEN} a DID or DID URL may have")]
    TooLong {
        /// The input's length in bytes.
        len: usize,
    },
}

/// Longest DID or DID URL accepted, in bytes. The longest real ones are did:jwk / did:key for
/// ML-DSA-65 keys (about 3.5 KB); the cap keeps a hostile `kid` from costing more than that.
pub const MAX_DID_URL_LEN: usize = 8 * 1024;

/// A DID: `did:<method>:<method-specific-id>` (DID Core §3.1).
///
/// Equality is exact string equality, which is what DID Core prescribes for comparing DIDs.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Did {
    value: String,
    /// Byte length of the method name, which starts at offset 4.
    method_len: usize,
}

const SCHEME: &str = "did:";

impl Did {
    /// The method name, e.g. `key`, `jwk`, `web`.
    pub fn method(&self) -> &str {
        &self.value[SCHEME.len()..SCHEME.len() + self.method_len]
    }

    /// Everything after `did:<method>:`.
    pub fn method_specific_id(&self) -> &str {
        &self.value[SCHEME.len() + self.method_len + 1..]
    }

    /// The DID as text.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Resolves a relative DID URL (`#key-1`, `?versionId=2`, `/path`) against this DID, as
    /// documents do for their own verification methods (DID Core §3.2.2).
    pub fn join(&self, reference: &str) -> Result<DidUrl, DidSyntaxError> {
        Ok(RelativeDidUrl::from_str(reference)?.resolve(self))
    }

    /// Parses the `did:<method>:<msid>` prefix of `input`. With `in_url`, the identifier stops at
    /// the first `/`, `?` or `#`; without it those characters are errors. Returns the DID and the
    /// byte offset where it ends.
    fn parse_prefix(input: &str, in_url: bool) -> Result<(Did, usize), DidSyntaxError> {
        if input.len() > MAX_DID_URL_LEN {
            return Err(DidSyntaxError::TooLong { len: input.len() });
        }
        let rest = input
            .strip_prefix(SCHEME)
            .ok_or(DidSyntaxError::MissingScheme)?;
        let method_len = rest.find(':').unwrap_or(rest.len());
        if let Some((i, ch)) = rest[..method_len]
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        {
            return Err(DidSyntaxError::InvalidCharacter {
                part: Part::Method,
                index: SCHEME.len() + i,
                ch,
            });
        }
        if method_len == 0 {
            return Err(DidSyntaxError::EmptyMethod);
        }
        if method_len == rest.len() {
            return Err(DidSyntaxError::MissingMethodSpecificId);
        }
        let start = SCHEME.len() + method_len + 1;
        let end = if in_url {
            input[start..]
                .find(['/', '?', '#'])
                .map_or(input.len(), |i| start + i)
        } else {
            input.len()
        };
        let msid = &input[start..end];
        if msid.is_empty() {
            return Err(DidSyntaxError::EmptyMethodSpecificId);
        }
        check_chars(msid, start, Part::MethodSpecificId, |c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':')
        })?;
        if msid.ends_with(':') {
            return Err(DidSyntaxError::TrailingColon);
        }
        let did = Did {
            value: input[..end].to_owned(),
            method_len,
        };
        Ok((did, end))
    }
}

impl FromStr for Did {
    type Err = DidSyntaxError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Did::parse_prefix(s, false).map(|(did, _)| did)
    }
}

/// The path, query and fragment that follow a DID in a DID URL, kept as the validated text (one
/// allocation; the parts are found again by splitting, which validation made unambiguous).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Tail(String);

impl Tail {
    /// Validates `path-abempty [ "?" query ] [ "#" fragment ]`; `offset` is where `text` starts
    /// in the original input, for error positions.
    fn parse(text: &str, offset: usize) -> Result<Tail, DidSyntaxError> {
        let (path, query, fragment) = Tail::split(text);
        // RFC 3986 pchar = unreserved / pct-encoded / sub-delims / ":" / "@".
        let pchar = |c: char| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '-' | '.'
                        | '_'
                        | '~'
                        | '!'
                        | '$'
                        | '&'
                        | '\''
                        | '('
                        | ')'
                        | '*'
                        | '+'
                        | ','
                        | ';'
                        | '='
                        | ':'
                        | '@'
                )
        };
        // path-abempty: the path is empty or starts with `/` (guaranteed by the caller).
        check_chars(path, offset, Part::Path, |c| pchar(c) || c == '/')?;
        let query_or_fragment = |c: char| pchar(c) || c == '/' || c == '?';
        if let Some(query) = query {
            let at = offset + path.len() + 1;
            check_chars(query, at, Part::Query, query_or_fragment)?;
        }
        if let Some(fragment) = fragment {
            let at = offset + text.len() - fragment.len();
            check_chars(fragment, at, Part::Fragment, query_or_fragment)?;
        }
        Ok(Tail(text.to_owned()))
    }

    /// Path, query and fragment: the fragment starts at the first `#`, the query at the first `?`
    /// before it.
    fn split(text: &str) -> (&str, Option<&str>, Option<&str>) {
        let (before_fragment, fragment) = split_at_delimiter(text, '#');
        let (path, query) = split_at_delimiter(before_fragment, '?');
        (path, query, fragment)
    }
}

/// Splits at the first `delimiter`, dropping it.
fn split_at_delimiter(text: &str, delimiter: char) -> (&str, Option<&str>) {
    match text.split_once(delimiter) {
        Some((head, tail)) => (head, Some(tail)),
        None => (text, None),
    }
}

/// Checks that every character of `text` is `allowed` or part of a valid percent-encoding.
fn check_chars(
    text: &str,
    offset: usize,
    part: Part,
    allowed: impl Fn(char) -> bool,
) -> Result<(), DidSyntaxError> {
    let bytes = text.as_bytes();
    for (i, ch) in text.char_indices() {
        if ch == '%' {
            let valid = bytes.len() > i + 2
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit();
            if !valid {
                return Err(DidSyntaxError::InvalidPercentEncoding {
                    part,
                    index: offset + i,
                });
            }
        } else if !allowed(ch) {
            return Err(DidSyntaxError::InvalidCharacter {
                part,
                index: offset + i,
                ch,
            });
        }
    }
    Ok(())
}

/// A DID URL: a DID followed by an optional path, query and fragment (DID Core §3.2).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DidUrl {
    did: Did,
    tail: Tail,
}

impl DidUrl {
    /// The DID this URL is about; resolving it gives the document the URL points into.
    pub fn did(&self) -> &Did {
        &self.did
    }

    /// The path, `""` when absent (`path-abempty`).
    pub fn path(&self) -> &str {
        Tail::split(&self.tail.0).0
    }

    /// The query without its `?`.
    pub fn query(&self) -> Option<&str> {
        Tail::split(&self.tail.0).1
    }

    /// The fragment without its `#`; for a verification method reference this names the key.
    pub fn fragment(&self) -> Option<&str> {
        Tail::split(&self.tail.0).2
    }

    /// Whether this URL is just the DID, with no path, query or fragment.
    pub fn is_bare_did(&self) -> bool {
        self.tail.0.is_empty()
    }
}

impl FromStr for DidUrl {
    type Err = DidSyntaxError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (did, end) = Did::parse_prefix(s, true)?;
        let tail = Tail::parse(&s[end..], end)?;
        Ok(DidUrl { did, tail })
    }
}

impl From<Did> for DidUrl {
    fn from(did: Did) -> Self {
        DidUrl {
            did,
            tail: Tail::default(),
        }
    }
}

/// A relative DID URL (`#key-1`, `?service=x`, `/path#frag`), meaningful only against a DID.
///
/// DID Core §3.2.2 resolves these with the DID as base; because a DID has no path, that amounts to
/// appending the reference to the DID, which is what [`RelativeDidUrl::resolve`] does.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelativeDidUrl {
    tail: Tail,
}

impl RelativeDidUrl {
    /// The absolute DID URL this reference denotes inside the document of `base`.
    pub fn resolve(&self, base: &Did) -> DidUrl {
        DidUrl {
            did: base.clone(),
            tail: self.tail.clone(),
        }
    }
}

impl FromStr for RelativeDidUrl {
    type Err = DidSyntaxError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if !s.starts_with(['/', '?', '#']) {
            return Err(DidSyntaxError::NotARelativeReference);
        }
        Ok(RelativeDidUrl {
            tail: Tail::parse(s, 0)?,
        })
    }
}

/// A DID URL as written inside a DID document: absolute, or relative to the document's `id`.
///
/// Documents keep the form they were published with; [`DidUrlRef::resolve`] gives the absolute
/// URL used for comparisons and dereferencing.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum DidUrlRef {
    /// A full DID URL.
    Absolute(DidUrl),
    /// A reference relative to the document's DID.
    Relative(RelativeDidUrl),
}

impl DidUrlRef {
    /// The absolute DID URL, using `base` (the document's `id`) for relative references.
    pub fn resolve(&self, base: &Did) -> DidUrl {
        match self {
            DidUrlRef::Absolute(url) => url.clone(),
            DidUrlRef::Relative(relative) => relative.resolve(base),
        }
    }
}

impl FromStr for DidUrlRef {
    type Err = DidSyntaxError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with(SCHEME) {
            DidUrl::from_str(s).map(DidUrlRef::Absolute)
        } else {
            RelativeDidUrl::from_str(s).map(DidUrlRef::Relative)
        }
    }
}

impl From<DidUrl> for DidUrlRef {
    fn from(url: DidUrl) -> Self {
        DidUrlRef::Absolute(url)
    }
}

impl fmt::Display for Did {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

impl fmt::Display for DidUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.did, self.tail.0)
    }
}

impl fmt::Display for RelativeDidUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tail.0)
    }
}

impl fmt::Display for DidUrlRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DidUrlRef::Absolute(url) => url.fmt(f),
            DidUrlRef::Relative(relative) => relative.fmt(f),
        }
    }
}

/// `Debug` shows the identifier text, which is what a reader of a log or assertion wants.
macro_rules! text_form {
    ($($ty:ty),*) => {$(
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($ty), self.to_string())
            }
        }

        impl TryFrom<String> for $ty {
            type Error = DidSyntaxError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.to_string()
            }
        }
    )*};
}

text_form!(Did, DidUrl, RelativeDidUrl, DidUrlRef);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_parts() {
        let did: Did = "did:example:123:abc%20x".parse().unwrap();
        assert_eq!(did.method(), "example");
        assert_eq!(did.method_specific_id(), "123:abc%20x");
        // Empty segments before the last one are allowed by `*( *idchar ":" ) 1*idchar`.
        assert!("did:example::a".parse::<Did>().is_ok());
        assert!(":a".parse::<Did>().is_err());
    }

    #[test]
    fn did_url_parts_round_trip() {
        let text = "did:example:123/path/a:b@c?versionId=1&x=/?#key-1/?";
        let url: DidUrl = text.parse().unwrap();
        assert_eq!(url.did().as_str(), "did:example:123");
        assert_eq!(url.path(), "/path/a:b@c");
        assert_eq!(url.query(), Some("versionId=1&x=/?"));
        assert_eq!(url.fragment(), Some("key-1/?"));
        assert_eq!(url.to_string(), text);
        let empty_fragment: DidUrl = "did:example:123#".parse().unwrap();
        assert_eq!(empty_fragment.fragment(), Some(""));
        assert!(!empty_fragment.is_bare_did());
    }

    #[test]
    fn relative_references() {
        let base: Did = "did:example:123".parse().unwrap();
        assert_eq!(
            base.join("#key-1").unwrap().to_string(),
            "did:example:123#key-1"
        );
        assert_eq!(base.join("/a?b#c").unwrap().path(), "/a");
        assert_eq!(
            base.join("key-1"),
            Err(DidSyntaxError::NotARelativeReference)
        );
        let r: DidUrlRef = "#k".parse().unwrap();
        assert!(matches!(r, DidUrlRef::Relative(_)));
        assert_eq!(r.resolve(&base).to_string(), "did:example:123#k");
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, "\"#k\"");
    }

    #[test]
    fn error_positions() {
        assert_eq!(
            "did:exAmple:1".parse::<Did>(),
            Err(DidSyntaxError::InvalidCharacter {
                part: Part::Method,
                index: 6,
                ch: 'A'
            })
        );
        assert_eq!(
            "did:example:1#a b".parse::<DidUrl>(),
            Err(DidSyntaxError::InvalidCharacter {
                part: Part::Fragment,
                index: 15,
                ch: ' '
            })
        );
        assert_eq!(
            "did:example:1?a%zz".parse::<DidUrl>(),
            Err(DidSyntaxError::InvalidPercentEncoding {
                part: Part::Query,
                index: 15
            })
        );
    }
}
