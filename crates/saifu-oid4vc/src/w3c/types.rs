//! The fully expanded `type` IRIs of a W3C credential, which DCQL `meta.type_values` matches
//! (OpenID4VP 1.0 B.1.1).
//!
//! B.1.1 allows "alternative mechanisms" equivalent to JSON-LD processing. For `type` values that
//! is term lookup: a type is a term of the active contexts (bundled ones and inline objects, later
//! definitions winning), a compact IRI `prefix:suffix`, an absolute IRI, or — undefined — kept as
//! is unless a `@vocab` applies. Remote contexts are never fetched: a context saifu does not
//! bundle contributes no terms, so its types stay relative, as B.1.1 says undefined ones do.

use std::collections::HashMap;
use std::sync::OnceLock;

use saifu_credential::w3c::contexts;
use serde_json::{Map, Value};

/// Term definitions (term → IRI) and `@vocab` of one context.
#[derive(Debug, Default, Clone)]
struct Terms {
    terms: HashMap<String, String>,
    vocab: Option<String>,
}

impl Terms {
    fn read(definition: &Map<String, Value>) -> Terms {
        let mut terms = Terms::default();
        terms.add(definition);
        terms
    }

    fn add(&mut self, definition: &Map<String, Value>) {
        for (term, value) in definition {
            if term == "@vocab" {
                self.vocab = value.as_str().map(str::to_owned);
                continue;
            }
            if term.starts_with('@') {
                continue;
            }
            let iri = match value {
                Value::String(iri) => Some(iri.as_str()),
                Value::Object(object) => object.get("@id").and_then(Value::as_str),
                _ => None,
            };
            if let Some(iri) = iri.filter(|iri| !iri.starts_with('@')) {
                self.terms.insert(term.clone(), iri.to_owned());
            }
        }
    }

    fn merge(&mut self, other: &Terms) {
        self.terms
            .extend(other.terms.iter().map(|(k, v)| (k.clone(), v.clone())));
        if other.vocab.is_some() {
            self.vocab.clone_from(&other.vocab);
        }
    }

    /// Expands a compact IRI or term (JSON-LD 1.1 API §5.2.2 IRI Expansion, vocab-relative).
    fn expand(&self, value: &str) -> String {
        if let Some(iri) = self.terms.get(value) {
            return self.expand_prefix(iri);
        }
        if value.contains(':') {
            return self.expand_prefix(value);
        }
        match &self.vocab {
            Some(vocab) => format!("{vocab}{value}"),
            None => value.to_owned(),
        }
    }

    fn expand_prefix(&self, value: &str) -> String {
        match value.split_once(':') {
            Some((prefix, suffix)) if !suffix.starts_with("//") => match self.terms.get(prefix) {
                Some(base) => format!("{base}{suffix}"),
                None => value.to_owned(),
            },
            _ => value.to_owned(),
        }
    }
}

/// The bundled contexts' top-level terms, read once.
fn bundled(url: &str) -> Option<&'static Terms> {
    static BUNDLED: OnceLock<HashMap<&'static str, Terms>> = OnceLock::new();
    BUNDLED
        .get_or_init(|| {
            contexts::urls()
                .filter_map(|url| {
                    let text = contexts::bundled(url)?;
                    let document: Value = serde_json::from_str(text).ok()?;
                    let definition = document.get("@context")?.as_object()?;
                    Some((url, Terms::read(definition)))
                })
                .collect()
        })
        .get(url)
}

/// The expanded IRIs of `credential`'s `type`, in document order.
pub fn expanded_types(credential: &Map<String, Value>) -> Vec<String> {
    let mut active = Terms::default();
    let entries = match credential.get("@context") {
        Some(Value::Array(items)) => items.as_slice(),
        Some(one) => std::slice::from_ref(one),
        None => &[],
    };
    for entry in entries {
        match entry {
            Value::String(url) => {
                if let Some(terms) = bundled(url) {
                    active.merge(terms);
                }
            }
            Value::Object(definition) => active.add(definition),
            _ => {}
        }
    }
    let types = match credential.get("type") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(one)) => vec![one.as_str()],
        _ => Vec::new(),
    };
    types.into_iter().map(|t| active.expand(t)).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn types(credential: Value) -> Vec<String> {
        expanded_types(credential.as_object().expect("object"))
    }

    #[test]
    fn base_type_expands_through_both_base_contexts() {
        for base in [contexts::CREDENTIALS_V1, contexts::CREDENTIALS_V2] {
            assert_eq!(
                types(
                    json!({"@context": [base], "type": ["VerifiableCredential", "IDCredential"]})
                ),
                [
                    "https://www.w3.org/2018/credentials#VerifiableCredential",
                    "IDCredential"
                ],
            );
        }
    }

    #[test]
    fn vocab_inline_terms_and_compact_iris() {
        let credential = json!({
            "@context": [
                contexts::CREDENTIALS_V2,
                "https://www.w3.org/ns/credentials/examples/v2",
                {"ex": "https://ex.test/ns#", "Degree": "ex:Degree"}
            ],
            "type": ["VerifiableCredential", "AlumniCredential", "Degree", "ex:Other", "https://a.test/T"]
        });
        assert_eq!(
            types(credential),
            [
                "https://www.w3.org/2018/credentials#VerifiableCredential",
                "https://www.w3.org/ns/credentials/examples#AlumniCredential",
                "https://ex.test/ns#Degree",
                "https://ex.test/ns#Other",
                "https://a.test/T",
            ],
        );
    }
}
