//! JSON-LD to RDF and RDFC-1.0 canonicalization: the "transformation" step of the `*-rdfc-*`
//! cryptosuites.
//!
//! Expansion keeps processed contexts between documents (`expand`) for the constructs
//! credentials use, and hands anything else to `oxjsonld` with a document loader that answers
//! only from the bundled [`contexts`](super::contexts); canonicalization uses `oxrdf`'s
//! RDFC-1.0. Both are bounded: documents are size- and depth-limited before parsing, and
//! datasets whose blank nodes would make RDFC-1.0's Hash N-Degree Quads explode are refused
//! first (RDFC-1.0 §8.2, "dataset poisoning"), because `oxrdf` itself has no work limit.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use oxjsonld::{JsonLdParser, JsonLdRemoteDocument};
use oxrdf::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
use oxrdf::{BlankNode, Dataset, GraphNameRef, NamedOrBlankNodeRef, QuadRef, TermRef};
use serde_json::Value;

use super::JsonLdError;
use super::contexts;

/// Largest serialized JSON-LD document accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 1 << 20;
/// Deepest JSON nesting accepted.
pub const MAX_DEPTH: usize = 64;
/// Most look-alike blank nodes (same first-degree form) one blank node may link to. Real
/// credentials have none; the RDFC-1.0 suite's positive tests at most a handful; its poison
/// graph (test074, a 10-node clique) nine.
pub const MAX_TIED_NEIGHBOURS: usize = 6;

/// The hash RDFC-1.0 uses internally (RDFC-1.0 §4.3; ecdsa-rdfc-2019 uses SHA-384 with P-384).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RdfcHash {
    /// SHA-256, the RDFC-1.0 default.
    Sha256,
    /// SHA-384.
    Sha384,
}

impl From<RdfcHash> for CanonicalizationAlgorithm {
    fn from(hash: RdfcHash) -> Self {
        let hash_algorithm = match hash {
            RdfcHash::Sha256 => CanonicalizationHashAlgorithm::Sha256,
            RdfcHash::Sha384 => CanonicalizationHashAlgorithm::Sha384,
        };
        CanonicalizationAlgorithm::Rdfc10 { hash_algorithm }
    }
}

/// Refuses JSON deeper than [`MAX_DEPTH`].
pub fn check_depth(value: &Value) -> Result<(), JsonLdError> {
    if saifu_did::data_integrity::jcs::nests_within(value, MAX_DEPTH) {
        Ok(())
    } else {
        Err(JsonLdError::TooLarge("depth"))
    }
}

/// Names of terms that carry their own (type- or property-scoped) context in a bundled context.
fn scoped_terms() -> &'static HashSet<String> {
    fn collect(value: &Value, into: &mut HashSet<String>) {
        if let Value::Object(map) = value {
            for (term, definition) in map {
                if definition.get("@context").is_some() {
                    into.insert(term.clone());
                }
                collect(definition, into);
            }
        }
    }
    static TERMS: OnceLock<HashSet<String>> = OnceLock::new();
    TERMS.get_or_init(|| {
        let mut terms = HashSet::new();
        for url in contexts::urls() {
            let document: Value = contexts::bundled(url)
                .and_then(|text| serde_json::from_str(text).ok())
                .unwrap_or_default();
            collect(&document, &mut terms);
        }
        terms
    })
}

/// `oxjsonld` 0.2.7 applies each type-scoped context to the context *outside* the node rather
/// than to the result of the previous one (JSON-LD 1.1 API §5.1.2 step 11 chains them), so
/// with two scoped types the terms of all but the last silently vanish from the RDF — and so
/// from what is signed. Such nodes are refused until the expander is fixed.
fn check_scoped_types(map: &serde_json::Map<String, Value>) -> Result<(), JsonLdError> {
    let scoped = ["type", "@type"]
        .iter()
        .filter_map(|key| map.get(*key)?.as_array())
        .flatten()
        .filter(|t| t.as_str().is_some_and(|t| scoped_terms().contains(t)))
        .count();
    if scoped > 1 {
        return Err(JsonLdError::Unsupported(
            "a node with several type-scoped contexts (oxjsonld 0.2.7 drops terms)",
        ));
    }
    Ok(())
}

/// Every `@context` URL the document names, at any depth, must be bundled: this gives the
/// typed [`JsonLdError::UnknownContext`] before expansion starts. Also refuses nodes the
/// expander would mistranslate ([`check_scoped_types`]).
fn check_contexts(value: &Value) -> Result<(), JsonLdError> {
    let check_url = |v: &Value| match v {
        Value::String(url) if contexts::bundled(url).is_none() => {
            Err(JsonLdError::UnknownContext(url.clone()))
        }
        _ => Ok(()),
    };
    match value {
        Value::Object(map) => {
            check_scoped_types(map)?;
            if let Some(context) = map.get("@context") {
                match context {
                    Value::Array(items) => items.iter().try_for_each(check_url)?,
                    other => check_url(other)?,
                }
            }
            map.values().try_for_each(check_contexts)
        }
        Value::Array(items) => items.iter().try_for_each(check_contexts),
        _ => Ok(()),
    }
}

/// Expands `document` (JSON-LD 1.1) into an RDF dataset, using only bundled contexts: through
/// [`expand`](super::expand) with processed contexts kept between documents when the document
/// stays within its subset, else through `oxjsonld`.
pub fn to_dataset(document: &Value) -> Result<Dataset, JsonLdError> {
    let bytes = checked_bytes(document)?;
    match super::expand::to_dataset(document) {
        Ok(dataset) => Ok(dataset),
        Err(super::expand::Declined) => full_dataset_of(&bytes),
    }
}

/// The dataset of `document` by the full JSON-LD algorithms of `oxjsonld` (every context
/// processed again): the fallback of [`to_dataset`], public so tests can hold both paths to
/// the same output.
pub fn full_dataset(document: &Value) -> Result<Dataset, JsonLdError> {
    full_dataset_of(&checked_bytes(document)?)
}

/// Whether [`to_dataset`] takes the fast path for `document` (so tests can tell which path a
/// document exercised).
pub fn takes_fast_path(document: &Value) -> bool {
    checked_bytes(document).is_ok() && super::expand::to_dataset(document).is_ok()
}

/// The limits and context checks every document passes first; its serialization.
fn checked_bytes(document: &Value) -> Result<Vec<u8>, JsonLdError> {
    check_depth(document)?;
    check_contexts(document)?;
    let bytes = serde_json::to_vec(document).map_err(|e| JsonLdError::Syntax(e.to_string()))?;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(JsonLdError::TooLarge("size"));
    }
    Ok(bytes)
}

fn full_dataset_of(bytes: &[u8]) -> Result<Dataset, JsonLdError> {
    let mut dataset = Dataset::new();
    let parser = JsonLdParser::new()
        .for_slice(bytes)
        .with_load_document_callback(|url, _options| match contexts::bundled(url) {
            Some(document) => Ok(JsonLdRemoteDocument {
                document: document.as_bytes().to_vec(),
                document_url: url.to_owned(),
            }),
            None => Err(format!("unknown JSON-LD context `{url}`").into()),
        });
    for quad in parser {
        let quad = quad.map_err(|e| JsonLdError::Syntax(e.to_string()))?;
        dataset.insert(&quad);
    }
    Ok(dataset)
}

/// The canonical N-Quads (RDFC-1.0 §4.4 step 5) of `dataset`: canonical blank-node labels,
/// one quad per line, lines in code-point order, each ending in `\n`.
pub fn canonicalize(dataset: &Dataset, hash: RdfcHash) -> Result<String, JsonLdError> {
    check_poison(dataset)?;
    let mut canonical = dataset.clone();
    canonical.canonicalize(hash.into());
    let mut lines: Vec<String> = canonical.iter().map(|q| format!("{q} .\n")).collect();
    lines.sort_unstable();
    Ok(lines.concat())
}

/// The RDFC-1.0 issued-identifiers map (input blank-node label -> canonical label).
pub fn issued_identifiers(
    dataset: &Dataset,
    hash: RdfcHash,
) -> Result<HashMap<String, String>, JsonLdError> {
    check_poison(dataset)?;
    Ok(dataset
        .canonicalize_blank_nodes(hash.into())
        .into_iter()
        .map(|(from, to)| (from.as_str().to_owned(), to.as_str().to_owned()))
        .collect())
}

/// JSON-LD document -> canonical N-Quads, the RDFC transformation of Data Integrity.
pub fn canonical_nquads(document: &Value, hash: RdfcHash) -> Result<String, JsonLdError> {
    canonicalize(&to_dataset(document)?, hash)
}

/// Refuses datasets that would make RDFC-1.0's Hash N-Degree Quads explode. Its cost comes from
/// permuting a blank node's related blank nodes that cannot be told apart by their own quads
/// (same first-degree form, RDFC-1.0 §4.6: own quads with itself as `_:a`, others as `_:z`).
/// A node tied to more than [`MAX_TIED_NEIGHBOURS`] such look-alike neighbours is refused.
fn check_poison(dataset: &Dataset) -> Result<(), JsonLdError> {
    let mut quads_of: HashMap<BlankNode, Vec<QuadRef<'_>>> = HashMap::new();
    for quad in dataset.iter() {
        for node in blank_nodes(quad) {
            quads_of.entry(node).or_default().push(quad);
        }
    }
    let form_of: HashMap<&BlankNode, Vec<String>> = quads_of
        .iter()
        .map(|(node, quads)| {
            let mut form: Vec<String> = quads.iter().map(|q| first_degree_line(*q, node)).collect();
            form.sort_unstable();
            (node, form)
        })
        .collect();
    for (node, quads) in &quads_of {
        let mut tied: Vec<BlankNode> = quads
            .iter()
            .flat_map(|q| blank_nodes(*q))
            .filter(|other| other != node && form_of.get(other) == form_of.get(node))
            .collect();
        tied.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
        tied.dedup();
        if tied.len() > MAX_TIED_NEIGHBOURS {
            return Err(JsonLdError::PoisonDataset(tied.len(), MAX_TIED_NEIGHBOURS));
        }
    }
    Ok(())
}

fn blank_nodes(quad: QuadRef<'_>) -> Vec<BlankNode> {
    let mut nodes = Vec::new();
    if let NamedOrBlankNodeRef::BlankNode(b) = quad.subject {
        nodes.push(b.into_owned());
    }
    if let TermRef::BlankNode(b) = quad.object {
        nodes.push(b.into_owned());
    }
    if let GraphNameRef::BlankNode(b) = quad.graph_name {
        nodes.push(b.into_owned());
    }
    nodes
}

fn first_degree_line(quad: QuadRef<'_>, reference: &BlankNode) -> String {
    let label = |b: oxrdf::BlankNodeRef<'_>| {
        if b == reference.as_ref() {
            "_:a"
        } else {
            "_:z"
        }
        .to_owned()
    };
    let subject = match quad.subject {
        NamedOrBlankNodeRef::BlankNode(b) => label(b),
        other => other.to_string(),
    };
    let object = match quad.object {
        TermRef::BlankNode(b) => label(b),
        other => other.to_string(),
    };
    let graph = match quad.graph_name {
        GraphNameRef::BlankNode(b) => label(b),
        GraphNameRef::DefaultGraph => String::new(),
        other => other.to_string(),
    };
    format!("{subject} {} {object} {graph}", quad.predicate)
}
