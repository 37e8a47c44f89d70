//! The reference a credential (the "Referenced Token") carries to its status (§6):
//! `"status": {"status_list": {"idx": 0, "uri": "https://…"}}` in JSON (§6.2), or the same map
//! under CWT claim 65535 (§6.3).
//!
//! Parsing is strict because the result decides what a verifier fetches: `idx` must be a
//! non-negative integer (not `1.0`, not `"1"`), and `uri` an absolute `https` URL unless the
//! deployment explicitly allows `http` (tests, closed networks).

use ciborium::Value as Cbor;
use saifu_crypto::cose::Label;
use saifu_crypto::cwt::Claims;
use serde_json::{Map, Value as Json};
use url::Url;

use super::ReferenceError;

/// CWT claim key of `status` (§6.3).
pub const CWT_STATUS_CLAIM: i64 = 65535;

/// Which references are acceptable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReferenceOptions {
    /// Accept plain `http` URIs (tests only: a status list fetched without TLS can be swapped
    /// for an older one by anyone on the path, as long as it is still signed and unexpired).
    pub allow_http: bool,
}

/// A `status_list` reference: the index of the token's status in the list published at `uri`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReference {
    idx: u64,
    uri: String,
    url: Url,
}

impl StatusReference {
    /// A reference to index `idx` of the list at `uri`, which must pass `opts`.
    pub fn new(idx: u64, uri: &str, opts: ReferenceOptions) -> Result<Self, ReferenceError> {
        let url = Url::parse(uri).map_err(|e| ReferenceError::InvalidUri(e.to_string()))?;
        match url.scheme() {
            "https" => {}
            "http" if opts.allow_http => {}
            other => return Err(ReferenceError::SchemeNotAllowed(other.to_owned())),
        }
        if url.host().is_none() {
            return Err(ReferenceError::InvalidUri(format!("{uri} has no host")));
        }
        Ok(StatusReference {
            idx,
            uri: uri.to_owned(),
            url,
        })
    }

    /// The index in the list.
    pub fn idx(&self) -> u64 {
        self.idx
    }

    /// The `uri` exactly as written in the token: the Status List Token's `sub` must equal this
    /// string (§5.1), so it is kept unnormalized.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The parsed `uri`, to fetch from.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Reads the reference from a JWT claims set (the `status` claim).
    pub fn from_jwt_claims(
        claims: &Map<String, Json>,
        opts: ReferenceOptions,
    ) -> Result<Self, ReferenceError> {
        let status = claims.get("status").ok_or(ReferenceError::MissingStatus)?;
        Self::from_json_status(status, opts)
    }

    /// Reads the reference from the value of a JSON `status` claim.
    pub fn from_json_status(status: &Json, opts: ReferenceOptions) -> Result<Self, ReferenceError> {
        let status = status
            .as_object()
            .ok_or(ReferenceError::Malformed("`status` is not an object"))?;
        let list = status
            .get("status_list")
            .ok_or(ReferenceError::MissingStatusList)?
            .as_object()
            .ok_or(ReferenceError::Malformed("`status_list` is not an object"))?;
        let idx = list
            .get("idx")
            .ok_or(ReferenceError::MissingIdx)?
            .as_u64()
            .ok_or(ReferenceError::InvalidIdx)?;
        let uri = list
            .get("uri")
            .ok_or(ReferenceError::MissingUri)?
            .as_str()
            .ok_or_else(|| ReferenceError::InvalidUri("`uri` is not a string".into()))?;
        Self::new(idx, uri, opts)
    }

    /// The value of the JSON `status` claim for this reference.
    pub fn to_json_status(&self) -> Json {
        serde_json::json!({ "status_list": { "idx": self.idx, "uri": self.uri } })
    }

    /// Reads the reference from a CWT claims set (claim 65535).
    pub fn from_cwt_claims(
        claims: &Claims,
        opts: ReferenceOptions,
    ) -> Result<Self, ReferenceError> {
        let status = claims
            .get(&Label::Int(CWT_STATUS_CLAIM))
            .ok_or(ReferenceError::MissingStatus)?;
        Self::from_cbor_status(status, opts)
    }

    /// Reads the reference from the value of a CBOR `Status` map (§6.3).
    pub fn from_cbor_status(status: &Cbor, opts: ReferenceOptions) -> Result<Self, ReferenceError> {
        let status = text_map(status, "`status` is not a map with text keys")?;
        let list = lookup(&status, "status_list").ok_or(ReferenceError::MissingStatusList)?;
        let list = text_map(list, "`status_list` is not a map with text keys")?;
        let idx = match lookup(&list, "idx").ok_or(ReferenceError::MissingIdx)? {
            Cbor::Integer(i) => u64::try_from(*i).map_err(|_| ReferenceError::InvalidIdx)?,
            _ => return Err(ReferenceError::InvalidIdx),
        };
        let uri = match lookup(&list, "uri").ok_or(ReferenceError::MissingUri)? {
            Cbor::Text(uri) => uri,
            _ => {
                return Err(ReferenceError::InvalidUri(
                    "`uri` is not a text string".into(),
                ));
            }
        };
        Self::new(idx, uri, opts)
    }

    /// The value of the CBOR `Status` map (claim 65535) for this reference.
    pub fn to_cbor_status(&self) -> Cbor {
        let text = |s: &str| Cbor::Text(s.to_owned());
        Cbor::Map(vec![(
            text("status_list"),
            Cbor::Map(vec![
                (text("idx"), Cbor::Integer(self.idx.into())),
                (text("uri"), text(&self.uri)),
            ]),
        )])
    }
}

/// A CBOR map whose keys are all text, with duplicates refused (RFC 8949 §5.6: a valid map has
/// unique keys, and a duplicate `idx` would be ambiguous).
fn text_map<'a>(
    value: &'a Cbor,
    error: &'static str,
) -> Result<Vec<(&'a str, &'a Cbor)>, ReferenceError> {
    let Cbor::Map(entries) = value else {
        return Err(ReferenceError::Malformed(error));
    };
    let mut out: Vec<(&str, &Cbor)> = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        let Cbor::Text(key) = key else {
            return Err(ReferenceError::Malformed(error));
        };
        if lookup(&out, key).is_some() {
            return Err(ReferenceError::Malformed("duplicate key in a status map"));
        }
        out.push((key, value));
    }
    Ok(out)
}

fn lookup<'a>(map: &[(&str, &'a Cbor)], key: &str) -> Option<&'a Cbor> {
    map.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const HTTPS: ReferenceOptions = ReferenceOptions { allow_http: false };

    fn parse(status: Json) -> Result<StatusReference, ReferenceError> {
        StatusReference::from_json_status(&status, HTTPS)
    }

    #[test]
    fn json_reference_round_trips() {
        let status = json!({"status_list": {"idx": 7, "uri": "https://example.com/statuslists/1"}});
        let reference = parse(status.clone()).unwrap();
        assert_eq!(reference.idx(), 7);
        assert_eq!(reference.uri(), "https://example.com/statuslists/1");
        assert_eq!(reference.to_json_status(), status);
    }

    #[test]
    fn idx_must_be_a_non_negative_integer() {
        for idx in [json!(-1), json!(1.5), json!(1.0), json!("1"), json!(null)] {
            let status = json!({"status_list": {"idx": idx, "uri": "https://example.com/l"}});
            assert_eq!(parse(status), Err(ReferenceError::InvalidIdx), "{idx}");
        }
        let cbor = |idx: Cbor| {
            Cbor::Map(vec![(
                Cbor::Text("status_list".into()),
                Cbor::Map(vec![
                    (Cbor::Text("idx".into()), idx),
                    (
                        Cbor::Text("uri".into()),
                        Cbor::Text("https://example.com/l".into()),
                    ),
                ]),
            )])
        };
        for idx in [
            Cbor::Integer((-1).into()),
            Cbor::Float(1.0),
            Cbor::Text("1".into()),
        ] {
            assert_eq!(
                StatusReference::from_cbor_status(&cbor(idx), HTTPS),
                Err(ReferenceError::InvalidIdx)
            );
        }
    }

    #[test]
    fn missing_members_are_named() {
        assert_eq!(
            StatusReference::from_jwt_claims(&Map::new(), HTTPS),
            Err(ReferenceError::MissingStatus)
        );
        assert_eq!(
            parse(json!({"other": {}})),
            Err(ReferenceError::MissingStatusList)
        );
        assert_eq!(
            parse(json!({"status_list": {"uri": "https://e.com/l"}})),
            Err(ReferenceError::MissingIdx)
        );
        assert_eq!(
            parse(json!({"status_list": {"idx": 0}})),
            Err(ReferenceError::MissingUri)
        );
        assert!(matches!(
            parse(json!({"status_list": 5})),
            Err(ReferenceError::Malformed(_))
        ));
        assert!(matches!(
            parse(json!([])),
            Err(ReferenceError::Malformed(_))
        ));
    }

    #[test]
    fn uri_must_be_an_https_url_unless_allowed() {
        let with = |uri: &str| json!({"status_list": {"idx": 0, "uri": uri}});
        assert_eq!(
            parse(with("http://example.com/l")),
            Err(ReferenceError::SchemeNotAllowed("http".into()))
        );
        assert_eq!(
            parse(with("ftp://example.com/l")),
            Err(ReferenceError::SchemeNotAllowed("ftp".into()))
        );
        assert!(matches!(
            parse(with("/relative")),
            Err(ReferenceError::InvalidUri(_))
        ));
        assert!(matches!(
            parse(json!({"status_list": {"idx": 0, "uri": 5}})),
            Err(ReferenceError::InvalidUri(_))
        ));
        let allow = ReferenceOptions { allow_http: true };
        assert!(StatusReference::from_json_status(&with("http://127.0.0.1:8080/l"), allow).is_ok());
        assert_eq!(
            StatusReference::from_json_status(&with("file:///etc/passwd"), allow),
            Err(ReferenceError::SchemeNotAllowed("file".into()))
        );
    }

    #[test]
    fn cbor_reference_round_trips_and_refuses_duplicates() {
        let reference = StatusReference::new(3, "https://example.com/l", HTTPS).unwrap();
        let status = reference.to_cbor_status();
        assert_eq!(
            StatusReference::from_cbor_status(&status, HTTPS),
            Ok(reference)
        );
        let dup = Cbor::Map(vec![
            (Cbor::Text("status_list".into()), Cbor::Map(vec![])),
            (Cbor::Text("status_list".into()), Cbor::Map(vec![])),
        ]);
        assert!(matches!(
            StatusReference::from_cbor_status(&dup, HTTPS),
            Err(ReferenceError::Malformed(_))
        ));
    }
}
