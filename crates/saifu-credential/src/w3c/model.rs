//! The VCDM 2.0 data model rules a verifier checks before (and independently of) any proof:
//! contexts and their order, types, identifiers, issuer, validity period and the shape of the
//! optional properties. Each violated MUST is its own [`ModelError`] variant.

use serde_json::{Map, Value};

use super::ModelError;
use super::contexts::CREDENTIALS_V2;
use super::datetime;

/// The base type every credential carries (VCDM 2.0 §4.5).
pub const CREDENTIAL_TYPE: &str = "VerifiableCredential";
/// The base type every presentation carries (VCDM 2.0 §4.5).
pub const PRESENTATION_TYPE: &str = "VerifiablePresentation";
/// A credential secured by an enveloping mechanism (VC-JOSE-COSE) inside a presentation (§4.13.1).
pub const ENVELOPED_CREDENTIAL_TYPE: &str = "EnvelopedVerifiableCredential";

/// Checks every VCDM 2.0 rule of a credential, with `now` (Unix seconds) for `validFrom` /
/// `validUntil`.
pub fn validate_credential(document: &Value, now: i64) -> Result<(), ModelError> {
    let map = document.as_object().ok_or(ModelError::NotAnObject)?;
    check_common(map, CREDENTIAL_TYPE)?;
    issuer_id(map)?;
    check_subject(map.get("credentialSubject"))?;
    check_validity(map, now)?;
    // §4.10–§5.6: each of these is one object or an array of objects with the members listed.
    for (property, required) in [
        ("credentialStatus", &["type"][..]),
        ("credentialSchema", &["id", "type"][..]),
        ("evidence", &["type"][..]),
        ("refreshService", &["type"][..]),
        ("termsOfUse", &["type"][..]),
        ("relatedResource", &["id"][..]),
    ] {
        if let Some(value) = map.get(property) {
            check_entries(property, value, required)?;
        }
    }
    // §5.3: a related resource is useless without a digest to check it against.
    for entry in entries(map.get("relatedResource")) {
        if !entry.contains_key("digestSRI") && !entry.contains_key("digestMultibase") {
            return Err(ModelError::InvalidProperty {
                property: "relatedResource",
                reason: "needs `digestSRI` or `digestMultibase`",
            });
        }
    }
    Ok(())
}

/// Checks every VCDM 2.0 rule of a presentation and of each credential it embeds.
pub fn validate_presentation(document: &Value, now: i64) -> Result<(), ModelError> {
    let map = document.as_object().ok_or(ModelError::NotAnObject)?;
    check_common(map, PRESENTATION_TYPE)?;
    // §4.13: `holder`, when present, is a URL or an object with a URL `id`.
    if let Some(holder) = map.get("holder") {
        object_or_url_id(holder).ok_or(ModelError::InvalidId("holder".into()))?;
    }
    for credential in presentation_credentials(map)? {
        if has_type(credential, ENVELOPED_CREDENTIAL_TYPE) {
            check_id(credential, "verifiableCredential.id")?;
        } else {
            validate_credential(&Value::Object(credential.clone()), now)?;
        }
    }
    Ok(())
}

/// The credentials a presentation embeds (`verifiableCredential`, one object or an array).
pub fn presentation_credentials(
    presentation: &Map<String, Value>,
) -> Result<Vec<&Map<String, Value>>, ModelError> {
    match presentation.get("verifiableCredential") {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_object()
                    .ok_or(ModelError::InvalidPresentationCredential)
            })
            .collect(),
        Some(Value::Object(one)) => Ok(vec![one]),
        Some(_) => Err(ModelError::InvalidPresentationCredential),
    }
}

/// The issuer's URL: `issuer` itself or its `id` (VCDM 2.0 §4.7).
pub fn issuer_id(credential: &Map<String, Value>) -> Result<&str, ModelError> {
    let issuer = credential.get("issuer").ok_or(ModelError::MissingIssuer)?;
    object_or_url_id(issuer).ok_or(ModelError::InvalidIssuer)
}

/// Whether `type` names `wanted`.
pub fn has_type(map: &Map<String, Value>, wanted: &str) -> bool {
    match map.get("type") {
        Some(Value::String(t)) => t == wanted,
        Some(Value::Array(types)) => types.iter().any(|t| t.as_str() == Some(wanted)),
        _ => false,
    }
}

fn check_common(map: &Map<String, Value>, base_type: &'static str) -> Result<(), ModelError> {
    // §4.3: `@context` is an ordered set whose first item is the VCDM 2.0 context URL.
    let context = match map.get("@context").ok_or(ModelError::MissingContext)? {
        Value::Array(items) => items.as_slice(),
        one => std::slice::from_ref(one),
    };
    match context.first() {
        Some(Value::String(first)) if first == CREDENTIALS_V2 => {}
        Some(other) => return Err(ModelError::ContextOrder(other.to_string())),
        None => return Err(ModelError::MissingContext),
    }
    if !context.iter().all(|c| c.is_string() || c.is_object()) {
        return Err(ModelError::InvalidContextEntry);
    }
    // §4.5: `type` is a string or an array of strings and includes the base type.
    match map.get("type") {
        Some(Value::String(_)) => {}
        Some(Value::Array(types)) if types.iter().all(Value::is_string) => {}
        Some(_) => return Err(ModelError::InvalidType("document".into())),
        None => return Err(ModelError::MissingType(base_type)),
    }
    if !has_type(map, base_type) {
        return Err(ModelError::MissingType(base_type));
    }
    check_id(map, "id")
}

/// §4.4: an `id`, when present, is a single URL.
fn check_id(map: &Map<String, Value>, name: &str) -> Result<(), ModelError> {
    match map.get("id") {
        None => Ok(()),
        Some(Value::String(id)) if is_url(id) => Ok(()),
        Some(_) => Err(ModelError::InvalidId(name.into())),
    }
}

fn check_subject(subject: Option<&Value>) -> Result<(), ModelError> {
    let ok = match subject {
        Some(Value::Object(one)) => one_subject_ok(one),
        Some(Value::Array(items)) => {
            !items.is_empty()
                && items
                    .iter()
                    .all(|v| v.as_object().is_some_and(one_subject_ok))
        }
        _ => false,
    };
    ok.then_some(()).ok_or(ModelError::InvalidCredentialSubject)
}

/// A subject is an object; its `id`, when present, is a URL (§4.8).
fn one_subject_ok(subject: &Map<String, Value>) -> bool {
    subject
        .get("id")
        .is_none_or(|id| id.as_str().is_some_and(is_url))
}

/// §4.9: `validFrom` / `validUntil` are dateTimeStamps; the credential is valid only between them.
fn check_validity(map: &Map<String, Value>, now: i64) -> Result<(), ModelError> {
    let instant = |field: &'static str| -> Result<Option<(i64, String)>, ModelError> {
        let Some(value) = map.get(field) else {
            return Ok(None);
        };
        let text = value.as_str().unwrap_or_default();
        datetime::parse(text)
            .map(|t| Some((t, text.to_owned())))
            .ok_or_else(|| ModelError::InvalidDateTime {
                field,
                value: value.to_string(),
            })
    };
    let from = instant("validFrom")?;
    let until = instant("validUntil")?;
    if let (Some((f, _)), Some((u, _))) = (&from, &until)
        && f > u
    {
        return Err(ModelError::InvertedValidity);
    }
    if let Some((f, text)) = from
        && now < f
    {
        return Err(ModelError::NotYetValid(text));
    }
    if let Some((u, text)) = until
        && now > u
    {
        return Err(ModelError::Expired(text));
    }
    Ok(())
}

fn check_entries(
    property: &'static str,
    value: &Value,
    required: &[&str],
) -> Result<(), ModelError> {
    let items = match value {
        Value::Array(items) if !items.is_empty() => items.as_slice(),
        Value::Object(_) => std::slice::from_ref(value),
        _ => {
            return Err(ModelError::InvalidProperty {
                property,
                reason: "must be an object or a non-empty array of objects",
            });
        }
    };
    for item in items {
        let entry = item.as_object().ok_or(ModelError::InvalidProperty {
            property,
            reason: "entries must be objects",
        })?;
        if required.iter().any(|member| !entry.contains_key(*member)) {
            return Err(ModelError::InvalidProperty {
                property,
                reason: "lacks a required member (`type`, and `id` where the model requires it)",
            });
        }
        if entry
            .get("id")
            .is_some_and(|id| !id.as_str().is_some_and(is_url))
        {
            return Err(ModelError::InvalidProperty {
                property,
                reason: "`id` must be a URL",
            });
        }
    }
    Ok(())
}

fn entries(value: Option<&Value>) -> impl Iterator<Item = &Map<String, Value>> {
    let items = match value {
        Some(Value::Array(items)) => items.as_slice(),
        Some(one) => std::slice::from_ref(one),
        None => &[],
    };
    items.iter().filter_map(Value::as_object)
}

fn object_or_url_id(value: &Value) -> Option<&str> {
    let id = match value {
        Value::String(id) => id.as_str(),
        Value::Object(map) => map.get("id")?.as_str()?,
        _ => return None,
    };
    is_url(id).then_some(id)
}

/// An absolute URL (RFC 3986 with a scheme: `https:`, `did:`, `urn:`, `data:` …).
fn is_url(value: &str) -> bool {
    url::Url::parse(value).is_ok()
}
