//! The DCQL query model (OpenID4VP 1.0 §6) and its strict parser.
//!
//! Parsing is by hand over [`serde_json::Value`] so that every rejection is a typed
//! [`DcqlError`] with its location, and so that pre-final names (STANDARDS §2 "Do not use")
//! get their own error instead of being silently ignored. Other unknown parameters are ignored,
//! as §6 allows extensions.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use super::error::DcqlError;
use super::path::{ClaimPath, PathElement};

/// Bounds on the work a hostile query can cause (ARCHITECTURE §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Size of the query JSON in bytes ([`DcqlQuery::parse`]).
    pub max_query_bytes: usize,
    /// Entries of `credentials`.
    pub max_credential_queries: usize,
    /// Entries of `credential_sets`, of each set's `options` and of each `claim_sets`. An
    /// option holds at most [`Self::max_credential_queries`] ids, a claim set at most
    /// [`Self::max_claims`].
    pub max_sets: usize,
    /// Entries of each `claims`.
    pub max_claims: usize,
    /// Components of a claims path pointer.
    pub max_path_len: usize,
    /// Entries of `values`, `vct_values`, `type_values` (and of each of its alternatives),
    /// `trusted_authorities` and each authority's `values`.
    pub max_values: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_query_bytes: 64 * 1024,
            max_credential_queries: 32,
            max_sets: 32,
            max_claims: 64,
            max_path_len: 16,
            max_values: 32,
        }
    }
}

/// A DCQL query (§6). Serializes to the JSON of a `dcql_query` request parameter (§5.1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DcqlQuery {
    /// The credential queries: non-empty, unique ids.
    pub credentials: Vec<CredentialQuery>,
    /// Constraints on which credential queries must be answered together (§6.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_sets: Option<Vec<CredentialSetQuery>>,
}

/// One entry of `credential_sets` (§6.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialSetQuery {
    /// Alternatives, in the verifier's order of preference; each a non-empty list of credential
    /// query ids.
    pub options: Vec<Vec<String>>,
    /// Whether the use case needs this set (default `true`).
    pub required: bool,
}

/// A credential format identifier (OpenID4VP 1.0 Appendix B).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Format {
    /// IETF SD-JWT VC (B.3).
    #[serde(rename = "dc+sd-jwt")]
    DcSdJwt,
    /// ISO mdoc (B.2).
    #[serde(rename = "mso_mdoc")]
    MsoMdoc,
    /// W3C VC secured as a JWT (B.1.3.1).
    #[serde(rename = "jwt_vc_json")]
    JwtVcJson,
    /// W3C VC with Data Integrity (B.1.3.2).
    #[serde(rename = "ldp_vc")]
    LdpVc,
}

impl Format {
    /// The identifier on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DcSdJwt => "dc+sd-jwt",
            Self::MsoMdoc => "mso_mdoc",
            Self::JwtVcJson => "jwt_vc_json",
            Self::LdpVc => "ldp_vc",
        }
    }

    fn from_wire(id: &str) -> Option<Self> {
        [Self::DcSdJwt, Self::MsoMdoc, Self::JwtVcJson, Self::LdpVc]
            .into_iter()
            .find(|format| format.as_str() == id)
    }
}

/// The format-specific `meta` of a credential query (B.1.1, B.2.3, B.3.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Meta {
    /// `dc+sd-jwt`: the accepted `vct` values.
    SdJwtVc {
        /// `vct_values`.
        vct_values: Vec<String>,
    },
    /// `mso_mdoc`: the accepted doctype.
    Mdoc {
        /// `doctype_value`.
        doctype_value: String,
    },
    /// `jwt_vc_json` / `ldp_vc`: alternatives, each a set of expanded type IRIs the credential's
    /// `type` must all contain.
    W3c {
        /// `type_values`.
        type_values: Vec<Vec<String>>,
    },
}

/// The kind of a trusted authority (§6.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityType {
    /// Authority Key Identifier of an X.509 CA, base64url.
    Aki,
    /// An ETSI Trusted List.
    EtsiTl,
    /// An OpenID Federation entity.
    OpenidFederation,
}

/// One entry of `trusted_authorities` (§6.1.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustedAuthority {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: AuthorityType,
    /// `values`, non-empty.
    pub values: Vec<String>,
}

/// A value a claim may be required to have (§6.3 `values`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ClaimValue {
    /// A string.
    String(String),
    /// An integer.
    Integer(Number),
    /// A boolean.
    Bool(bool),
}

impl ClaimValue {
    /// Whether a credential's claim value equals this one in type and value.
    pub fn matches(&self, claim: &Value) -> bool {
        match (self, claim) {
            (Self::String(want), Value::String(have)) => want == have,
            (Self::Integer(want), Value::Number(have)) => want == have,
            (Self::Bool(want), Value::Bool(have)) => want == have,
            _ => false,
        }
    }
}

/// One entry of `claims` (§6.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimsQuery {
    /// `id`, required when the credential query has `claim_sets`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The claims path pointer; for `mso_mdoc` exactly `[namespace, element]` (§7.2).
    pub path: ClaimPath,
    /// Accepted values; the claim matches when one selected value equals one of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<ClaimValue>>,
    /// mdoc `intent_to_retain` (B.2.4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intent_to_retain: Option<bool>,
}

/// One entry of `credentials` (§6.1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CredentialQuery {
    /// `id`, `[A-Za-z0-9_-]+`, unique in the query.
    pub id: String,
    /// `format`.
    pub format: Format,
    /// Whether several credentials may answer this query (default `false`).
    pub multiple: bool,
    /// `meta`, matching `format`.
    pub meta: Meta,
    /// Accepted issuing authorities; `None` accepts any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_authorities: Option<Vec<TrustedAuthority>>,
    /// Whether a holder-bound presentation is required (default `true`).
    pub require_cryptographic_holder_binding: bool,
    /// The requested claims; `None` requests the whole credential.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<Vec<ClaimsQuery>>,
    /// Acceptable combinations of claim ids, in the verifier's order of preference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_sets: Option<Vec<Vec<String>>>,
}

const PURPOSE: (&str, &str) = ("purpose", "removed before OpenID4VP 1.0");
const MDOC_PATH: &str = "use `path` [namespace, element] (§7.2)";

impl DcqlQuery {
    /// Parses and validates a DCQL query from JSON bytes.
    pub fn parse(json: &[u8], limits: &Limits) -> Result<Self, DcqlError> {
        if json.len() > limits.max_query_bytes {
            return Err(DcqlError::TooLarge {
                limit: limits.max_query_bytes,
            });
        }
        let value: Value =
            serde_json::from_slice(json).map_err(|e| DcqlError::Json(e.to_string()))?;
        Self::from_json(&value, limits)
    }

    /// Validates a DCQL query already parsed as JSON (for example the `dcql_query` member of an
    /// authorization request). Error locations start at `$`, the query itself.
    pub fn from_json(value: &Value, limits: &Limits) -> Result<Self, DcqlError> {
        let at = "$";
        let root = object(value, at)?;
        reject_legacy(root, at, &[PURPOSE])?;
        let credentials = list_of(
            root,
            "credentials",
            at,
            limits.max_credential_queries,
            |v, at| CredentialQuery::from_json(v, at, limits),
        )?
        .ok_or_else(|| missing(at, "credentials"))?;
        let mut ids = HashSet::new();
        if let Some(duplicate) = credentials
            .iter()
            .find(|query| !ids.insert(query.id.as_str()))
        {
            return Err(DcqlError::DuplicateCredentialId(duplicate.id.clone()));
        }
        let credential_sets = list_of(root, "credential_sets", at, limits.max_sets, |v, at| {
            CredentialSetQuery::from_json(v, at, &ids, limits)
        })?;
        Ok(Self {
            credentials,
            credential_sets,
        })
    }

    /// The credential query with this id.
    pub fn credential(&self, id: &str) -> Option<&CredentialQuery> {
        self.credentials.iter().find(|query| query.id == id)
    }
}

impl CredentialSetQuery {
    fn from_json(
        value: &Value,
        at: &str,
        known: &HashSet<&str>,
        limits: &Limits,
    ) -> Result<Self, DcqlError> {
        let map = object(value, at)?;
        reject_legacy(map, at, &[PURPOSE])?;
        let options = list_of(map, "options", at, limits.max_sets, |v, at| {
            known_ids(v, at, known, limits.max_credential_queries, |at, id| {
                DcqlError::UnknownCredentialId { at, id }
            })
        })?
        .ok_or_else(|| missing(at, "options"))?;
        Ok(Self {
            options,
            required: flag(map, "required", at, true)?,
        })
    }
}

impl CredentialQuery {
    fn from_json(value: &Value, at: &str, limits: &Limits) -> Result<Self, DcqlError> {
        let map = object(value, at)?;
        reject_legacy(map, at, &[PURPOSE])?;
        let id = identifier(required(map, "id", at)?, &format!("{at}.id"))?;
        let format_at = format!("{at}.format");
        let format_id = string(required(map, "format", at)?, &format_at)?;
        let format = Format::from_wire(format_id).ok_or_else(|| DcqlError::UnsupportedFormat {
            at: format_at,
            format: format_id.to_owned(),
        })?;
        let meta = Meta::from_json(
            format,
            required(map, "meta", at)?,
            &format!("{at}.meta"),
            limits,
        )?;
        let trusted_authorities = list_of(
            map,
            "trusted_authorities",
            at,
            limits.max_values,
            |v, at| TrustedAuthority::from_json(v, at, limits),
        )?;
        let claims = list_of(map, "claims", at, limits.max_claims, |v, at| {
            ClaimsQuery::from_json(v, format, at, limits)
        })?;
        let mut claim_ids = HashSet::new();
        for claim in claims.iter().flatten() {
            if let Some(claim_id) = &claim.id
                && !claim_ids.insert(claim_id.as_str())
            {
                return Err(DcqlError::DuplicateClaimId {
                    at: at.into(),
                    id: claim_id.clone(),
                });
            }
        }
        let claim_sets = match (map.get("claim_sets"), &claims) {
            (None, _) => None,
            (Some(_), None) => return Err(DcqlError::ClaimSetsWithoutClaims { at: at.into() }),
            (Some(_), Some(claims)) => {
                if let Some(i) = claims.iter().position(|claim| claim.id.is_none()) {
                    return Err(DcqlError::MissingClaimId {
                        at: format!("{at}.claims[{i}]"),
                    });
                }
                list_of(map, "claim_sets", at, limits.max_sets, |v, at| {
                    known_ids(v, at, &claim_ids, limits.max_claims, |at, id| {
                        DcqlError::UnknownClaimId { at, id }
                    })
                })?
            }
        };
        Ok(Self {
            multiple: flag(map, "multiple", at, false)?,
            require_cryptographic_holder_binding: flag(
                map,
                "require_cryptographic_holder_binding",
                at,
                true,
            )?,
            id,
            format,
            meta,
            trusted_authorities,
            claims,
            claim_sets,
        })
    }
}

impl Meta {
    fn from_json(
        format: Format,
        value: &Value,
        at: &str,
        limits: &Limits,
    ) -> Result<Self, DcqlError> {
        let map = object(value, at)?;
        let strings = |value: &Value, at: &str| {
            each(non_empty(value, at, limits.max_values)?, at, |v, at| {
                string(v, at).map(str::to_owned)
            })
        };
        Ok(match format {
            Format::DcSdJwt => Self::SdJwtVc {
                vct_values: list_of(map, "vct_values", at, limits.max_values, |v, at| {
                    string(v, at).map(str::to_owned)
                })?
                .ok_or_else(|| missing(at, "vct_values"))?,
            },
            Format::MsoMdoc => Self::Mdoc {
                doctype_value: string(
                    required(map, "doctype_value", at)?,
                    &format!("{at}.doctype_value"),
                )?
                .to_owned(),
            },
            Format::JwtVcJson | Format::LdpVc => Self::W3c {
                type_values: list_of(map, "type_values", at, limits.max_values, strings)?
                    .ok_or_else(|| missing(at, "type_values"))?,
            },
        })
    }
}

impl TrustedAuthority {
    fn from_json(value: &Value, at: &str, limits: &Limits) -> Result<Self, DcqlError> {
        let map = object(value, at)?;
        let type_at = format!("{at}.type");
        let kind = match string(required(map, "type", at)?, &type_at)? {
            "aki" => AuthorityType::Aki,
            "etsi_tl" => AuthorityType::EtsiTl,
            "openid_federation" => AuthorityType::OpenidFederation,
            "openid_fed" => {
                return Err(DcqlError::LegacyParameter {
                    at: type_at,
                    name: "openid_fed",
                    instead: "`openid_federation`",
                });
            }
            other => {
                return Err(DcqlError::UnknownAuthorityType {
                    at: type_at,
                    kind: other.to_owned(),
                });
            }
        };
        let values = list_of(map, "values", at, limits.max_values, |v, at| {
            let value = string(v, at)?;
            // §6.1.1.1: an AKI is a base64url-encoded KeyIdentifier.
            let base64url = !value.is_empty()
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if kind == AuthorityType::Aki && !base64url {
                return Err(DcqlError::InvalidAki { at: at.into() });
            }
            Ok(value.to_owned())
        })?
        .ok_or_else(|| missing(at, "values"))?;
        Ok(Self { kind, values })
    }
}

impl ClaimsQuery {
    fn from_json(
        value: &Value,
        format: Format,
        at: &str,
        limits: &Limits,
    ) -> Result<Self, DcqlError> {
        let map = object(value, at)?;
        if format == Format::MsoMdoc {
            reject_legacy(
                map,
                at,
                &[("namespace", MDOC_PATH), ("claim_name", MDOC_PATH)],
            )?;
        }
        let path_at = format!("{at}.path");
        let path = ClaimPath::from_json(required(map, "path", at)?, &path_at, limits.max_path_len)?;
        if format == Format::MsoMdoc
            && !matches!(
                path.0.as_slice(),
                [PathElement::Key(_), PathElement::Key(_)]
            )
        {
            return Err(DcqlError::InvalidPath { at: path_at });
        }
        let values = list_of(map, "values", at, limits.max_values, |v, at| match v {
            Value::String(s) => Ok(ClaimValue::String(s.clone())),
            Value::Bool(b) => Ok(ClaimValue::Bool(*b)),
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(ClaimValue::Integer(n.clone())),
            _ => Err(DcqlError::InvalidValue { at: at.into() }),
        })?;
        let intent_to_retain = match map.get("intent_to_retain") {
            Some(_) if format == Format::MsoMdoc => Some(flag(map, "intent_to_retain", at, false)?),
            _ => None,
        };
        let id = map
            .get("id")
            .map(|id| identifier(id, &format!("{at}.id")))
            .transpose()?;
        Ok(Self {
            id,
            path,
            values,
            intent_to_retain,
        })
    }
}

/// A list of ids (a `credential_sets` option, a claim set): non-empty, at most `limit` long,
/// each id among `known`.
fn known_ids(
    value: &Value,
    at: &str,
    known: &HashSet<&str>,
    limit: usize,
    unknown: impl Fn(String, String) -> DcqlError,
) -> Result<Vec<String>, DcqlError> {
    each(non_empty(value, at, limit)?, at, |v, item_at| {
        let id = identifier(v, item_at)?;
        if known.contains(id.as_str()) {
            Ok(id)
        } else {
            Err(unknown(at.to_owned(), id))
        }
    })
}

fn reject_legacy(
    map: &Map<String, Value>,
    at: &str,
    names: &[(&'static str, &'static str)],
) -> Result<(), DcqlError> {
    match names.iter().find(|(name, _)| map.contains_key(*name)) {
        Some(&(name, instead)) => Err(DcqlError::LegacyParameter {
            at: at.into(),
            name,
            instead,
        }),
        None => Ok(()),
    }
}

fn missing(at: &str, field: &'static str) -> DcqlError {
    DcqlError::MissingField {
        at: at.into(),
        field,
    }
}

fn object<'a>(value: &'a Value, at: &str) -> Result<&'a Map<String, Value>, DcqlError> {
    value.as_object().ok_or_else(|| DcqlError::WrongType {
        at: at.into(),
        expected: "an object",
    })
}

fn string<'a>(value: &'a Value, at: &str) -> Result<&'a str, DcqlError> {
    value.as_str().ok_or_else(|| DcqlError::WrongType {
        at: at.into(),
        expected: "a string",
    })
}

fn required<'a>(
    map: &'a Map<String, Value>,
    field: &'static str,
    at: &str,
) -> Result<&'a Value, DcqlError> {
    map.get(field).ok_or_else(|| missing(at, field))
}

fn flag(map: &Map<String, Value>, field: &str, at: &str, default: bool) -> Result<bool, DcqlError> {
    match map.get(field) {
        None => Ok(default),
        Some(value) => value.as_bool().ok_or_else(|| DcqlError::WrongType {
            at: format!("{at}.{field}"),
            expected: "a boolean",
        }),
    }
}

/// A non-empty array of at most `limit` entries.
fn non_empty<'a>(value: &'a Value, at: &str, limit: usize) -> Result<&'a [Value], DcqlError> {
    let items = value.as_array().ok_or_else(|| DcqlError::WrongType {
        at: at.into(),
        expected: "an array",
    })?;
    if items.is_empty() {
        return Err(DcqlError::EmptyArray { at: at.into() });
    }
    if items.len() > limit {
        return Err(DcqlError::TooMany {
            at: at.into(),
            limit,
        });
    }
    Ok(items)
}

/// Reads each entry of an array with `parse(entry, location)`.
fn each<T>(
    items: &[Value],
    at: &str,
    parse: impl Fn(&Value, &str) -> Result<T, DcqlError>,
) -> Result<Vec<T>, DcqlError> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| parse(item, &format!("{at}[{i}]")))
        .collect()
}

/// An optional member that, when present, is a non-empty array of at most `limit` entries, each
/// read by `parse`.
fn list_of<T>(
    map: &Map<String, Value>,
    field: &str,
    at: &str,
    limit: usize,
    parse: impl Fn(&Value, &str) -> Result<T, DcqlError>,
) -> Result<Option<Vec<T>>, DcqlError> {
    let at = format!("{at}.{field}");
    map.get(field)
        .map(|value| each(non_empty(value, &at, limit)?, &at, &parse))
        .transpose()
}

fn identifier(value: &Value, at: &str) -> Result<String, DcqlError> {
    let id = string(value, at)?;
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(DcqlError::InvalidId {
            at: at.into(),
            id: id.to_owned(),
        });
    }
    Ok(id.to_owned())
}
