//! JSON-LD 1.1 to RDF with processed contexts kept between documents: the fast path of
//! [`rdf::to_dataset`](super::rdf::to_dataset).
//!
//! `oxjsonld` processes every context again for every document (the credentials v2 context, its
//! type- and property-scoped contexts, twice per verification: document and proof
//! configuration), which costs far more than the signature. Here each processed context is kept,
//! keyed by the context it was applied to and what was applied, so a credential costs one walk
//! of its own members.
//!
//! The walk implements the subset of the JSON-LD 1.1 Expansion (§5.1.2) and Deserialize JSON-LD
//! to RDF (§6.1) algorithms that credentials, presentations and proof configurations use:
//! contexts named by bundled URLs, term definitions with `@id`, `@type` (`@id`, `@vocab`, a
//! datatype), `@container` `@set` / `@graph`, `@protected`, `@vocab`, type- and property-scoped
//! contexts, keyword aliases, compact IRIs, `@value` objects, strings, integers and booleans.
//! Anything else — inline contexts, lists, language maps, `@json`, `@reverse`, relative IRIs,
//! non-integer numbers, a protected term redefined — makes it decline, and the caller falls
//! back to `oxjsonld`, so a document is never given a meaning the full algorithm would not give
//! it. A differential test compares both paths on every test document.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use oxrdf::vocab::{rdf, xsd};
use oxrdf::{BlankNode, Dataset, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use serde_json::{Map, Value};

use super::contexts;

/// The document needs a feature this path does not implement; `oxjsonld` takes over.
#[derive(Debug)]
pub(super) struct Declined;

type Result<T> = std::result::Result<T, Declined>;

/// Most processed contexts kept. Bundled contexts combine into a few dozen; a hostile stream
/// of context orders can make more, and then the cache starts over.
const MAX_CACHED: usize = 1024;

/// The RDF dataset of `document`, or [`Declined`] when it uses a construct outside the subset.
pub(super) fn to_dataset(document: &Value) -> Result<Dataset> {
    let map = document.as_object().ok_or(Declined)?;
    let mut walk = Walk::default();
    walk.node(map, root(), None, &GraphName::DefaultGraph)?;
    Ok(walk.dataset)
}

/// A keyword a term may alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    Id,
    Type,
    Context,
}

/// What a term or key expands to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mapping {
    Iri(NamedNode),
    Keyword(Keyword),
    /// Explicitly unmapped: the key is dropped.
    Null,
}

/// A term's type mapping (JSON-LD 1.1 §4.2.2 step 13).
#[derive(Debug, Clone, PartialEq, Eq)]
enum TypeMapping {
    Id,
    Vocab,
    Datatype(NamedNode),
    /// `@json` or `@none`: defined (the v2 context has `@json` terms) but left to the full
    /// algorithm when a document uses them.
    Unsupported,
}

/// A scoped context as written in its term definition, with an identity for the cache and the
/// URL of the context that defined it (its base URL, §4.2.2 step 21.4).
#[derive(Debug)]
struct Scoped {
    id: u64,
    value: Value,
    base: Option<&'static str>,
}

#[derive(Debug, Clone)]
struct TermDef {
    mapping: Mapping,
    type_mapping: Option<TypeMapping>,
    graph_container: bool,
    context: Option<Arc<Scoped>>,
    protected: bool,
    prefix: bool,
}

impl TermDef {
    /// Equal except for `protected` (§4.2.2 step 27: a protected term may be "redefined" only
    /// identically).
    fn same_as(&self, other: &TermDef) -> bool {
        self.mapping == other.mapping
            && self.type_mapping == other.type_mapping
            && self.graph_container == other.graph_container
            && self.prefix == other.prefix
            && match (&self.context, &other.context) {
                (None, None) => true,
                (Some(a), Some(b)) => a.value == b.value && a.base == b.base,
                _ => false,
            }
    }
}

/// A processed (active) context.
#[derive(Debug)]
struct Context {
    id: u64,
    terms: HashMap<String, TermDef>,
    vocab: Option<String>,
    /// The context to return to when entering a new node object, set by type-scoped contexts,
    /// which do not propagate (§4.1.2 step 3, expansion §5.1.2 step 7).
    previous: Option<Arc<Context>>,
}

fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn root() -> Arc<Context> {
    static ROOT: OnceLock<Arc<Context>> = OnceLock::new();
    ROOT.get_or_init(|| {
        Arc::new(Context {
            id: 0,
            terms: HashMap::new(),
            vocab: None,
            previous: None,
        })
    })
    .clone()
}

/// What was applied to a context: a bundled context URL or a scoped context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Local {
    Url(&'static str),
    Scoped(u64),
}

/// `(context id, what was applied, propagate, override protected)` → the result.
type CacheKey = (u64, Local, bool, bool);

fn cache() -> &'static Mutex<HashMap<CacheKey, Arc<Context>>> {
    static CACHE: OnceLock<Mutex<HashMap<CacheKey, Arc<Context>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The `@context` value of each bundled context document, parsed once.
fn bundled_context(url: &str) -> Option<(&'static str, &'static Value)> {
    static PARSED: OnceLock<Vec<(&'static str, Value)>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| {
        contexts::urls()
            .filter_map(|url| {
                let document: Value = serde_json::from_str(contexts::bundled(url)?).ok()?;
                Some((url, document.get("@context")?.clone()))
            })
            .collect()
    });
    parsed
        .iter()
        .find(|(known, _)| *known == url)
        .map(|(known, value)| (*known, value))
}

/// Applies a bundled context or a scoped context to `active`, from the cache when possible.
fn apply(
    active: &Arc<Context>,
    local: Local,
    value: &Value,
    base: Option<&'static str>,
    propagate: bool,
    override_protected: bool,
) -> Result<Arc<Context>> {
    let key = (active.id, local, propagate, override_protected);
    if let Some(hit) = cache()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return Ok(hit.clone());
    }
    let base = match local {
        Local::Url(url) => Some(url),
        Local::Scoped(_) => base,
    };
    let result = process(active, value, base, propagate, override_protected)?;
    let mut cache = cache().lock().unwrap_or_else(PoisonError::into_inner);
    if cache.len() >= MAX_CACHED {
        // Only hostile context combinations get here; start over rather than stop caching.
        cache.clear();
    }
    cache.insert(key, result.clone());
    Ok(result)
}

/// A property-scoped (`property`: propagates, may override protected terms) or type-scoped
/// (does not propagate) context.
fn apply_scoped(active: &Arc<Context>, scoped: &Scoped, property: bool) -> Result<Arc<Context>> {
    apply(
        active,
        Local::Scoped(scoped.id),
        &scoped.value,
        scoped.base,
        property,
        property,
    )
}

/// The Context Processing algorithm (§4.1.2) for the forms bundled contexts use.
fn process(
    active: &Arc<Context>,
    local: &Value,
    base: Option<&'static str>,
    propagate: bool,
    override_protected: bool,
) -> Result<Arc<Context>> {
    match local {
        Value::Array(items) => items.iter().try_fold(active.clone(), |context, item| {
            process(&context, item, base, propagate, override_protected)
        }),
        Value::String(url) => {
            let (url, value) = bundled_context(url).ok_or(Declined)?;
            apply(
                active,
                Local::Url(url),
                value,
                None,
                propagate,
                override_protected,
            )
        }
        Value::Object(map) => define_all(active, map, base, propagate, override_protected),
        // §4.1.2 step 5.1: `null` starts over from an empty context; with protected terms only
        // a property-scoped context may do so (the v2 context's `verifiableCredential` does:
        // each embedded credential names its own contexts).
        Value::Null if override_protected && propagate => Ok(root()),
        _ => Err(Declined),
    }
}

/// One context object: its keywords, then every term (§4.1.2 step 5.5–5.13).
fn define_all(
    active: &Arc<Context>,
    local: &Map<String, Value>,
    base: Option<&'static str>,
    propagate: bool,
    override_protected: bool,
) -> Result<Arc<Context>> {
    let mut previous = active.previous.clone();
    if !propagate && previous.is_none() {
        previous = Some(active.clone());
    }
    let mut result = Context {
        id: next_id(),
        terms: active.terms.clone(),
        vocab: active.vocab.clone(),
        previous,
    };
    let mut protected = false;
    for (key, value) in local {
        match (key.as_str(), value) {
            ("@version", Value::Number(n)) if n.as_f64() == Some(1.1) => {}
            ("@protected", Value::Bool(flag)) => protected = *flag,
            ("@vocab", Value::Null) => result.vocab = None,
            ("@vocab", Value::String(vocab)) if is_absolute(vocab) => {
                result.vocab = Some(vocab.clone());
            }
            (keyword, _) if keyword.starts_with('@') => return Err(Declined),
            _ => {}
        }
    }
    let mut definer = Definer {
        local,
        active,
        base,
        defined: HashMap::new(),
        protected,
        override_protected,
    };
    for term in local.keys().filter(|key| !key.starts_with('@')) {
        definer.define(&mut result, term)?;
    }
    Ok(Arc::new(result))
}

/// Create Term Definition (§4.2.2) for the terms of one context object.
struct Definer<'a> {
    local: &'a Map<String, Value>,
    active: &'a Arc<Context>,
    base: Option<&'static str>,
    /// `false` while a term is being defined (to catch cycles), `true` once done.
    defined: HashMap<&'a str, bool>,
    protected: bool,
    override_protected: bool,
}

impl<'a> Definer<'a> {
    fn define(&mut self, result: &mut Context, term: &'a str) -> Result<()> {
        match self.defined.get(term) {
            Some(true) => return Ok(()),
            Some(false) => return Err(Declined),
            None => {}
        }
        self.defined.insert(term, false);
        let value = self.local.get(term).ok_or(Declined)?;
        let (definition, simple): (Option<&'a Map<String, Value>>, bool) = match value {
            Value::Null => (None, false),
            Value::String(_) => (None, true),
            Value::Object(map) => (Some(map), false),
            _ => return Err(Declined),
        };
        let get = |key: &str| definition.and_then(|d| d.get(key));
        if definition.iter().flat_map(|d| d.keys()).any(|key| {
            !matches!(
                key.as_str(),
                "@id" | "@type" | "@container" | "@context" | "@protected"
            )
        }) {
            return Err(Declined);
        }
        let id = match value {
            Value::String(id) => Some(Some(id.as_str())),
            Value::Null => Some(None),
            _ => get("@id").map(Value::as_str),
        };
        let mapping = match id {
            Some(None) if value.is_null() || get("@id") == Some(&Value::Null) => Mapping::Null,
            Some(None) => return Err(Declined),
            Some(Some(id)) => match id {
                "@id" => Mapping::Keyword(Keyword::Id),
                "@type" => Mapping::Keyword(Keyword::Type),
                keyword if keyword.starts_with('@') => return Err(Declined),
                iri => self.expand(result, iri)?,
            },
            None if term.contains(':') || term.contains('/') => return Err(Declined),
            None => {
                let vocab = result.vocab.as_deref().ok_or(Declined)?;
                Mapping::Iri(NamedNode::new(format!("{vocab}{term}")).map_err(|_| Declined)?)
            }
        };
        let type_mapping = match get("@type") {
            None => None,
            Some(Value::String(t)) if t == "@id" => Some(TypeMapping::Id),
            Some(Value::String(t)) if t == "@vocab" => Some(TypeMapping::Vocab),
            Some(Value::String(t)) if t == "@json" || t == "@none" => {
                Some(TypeMapping::Unsupported)
            }
            Some(Value::String(t)) if !t.starts_with('@') => match self.expand(result, t)? {
                Mapping::Iri(iri) => Some(TypeMapping::Datatype(iri)),
                _ => return Err(Declined),
            },
            Some(_) => return Err(Declined),
        };
        let graph_container = match get("@container") {
            None => false,
            Some(Value::String(c)) => container(c)?,
            Some(Value::Array(items)) => items.iter().try_fold(false, |graph, item| {
                Ok(graph | container(item.as_str().ok_or(Declined)?)?)
            })?,
            Some(_) => return Err(Declined),
        };
        // §4.2.2 step 26.2 (JSON-LD 1.1): only simple definitions of IRIs ending in a
        // gen-delim character serve as prefixes of compact IRIs.
        let prefix = simple
            && !term.contains(':')
            && !term.contains('/')
            && matches!(&mapping, Mapping::Iri(iri)
                if iri.as_str().ends_with([':', '/', '?', '#', '[', ']', '@']));
        let mut new = TermDef {
            mapping,
            type_mapping,
            graph_container,
            context: get("@context").map(|value| {
                Arc::new(Scoped {
                    id: next_id(),
                    value: value.clone(),
                    base: self.base,
                })
            }),
            protected: get("@protected")
                .and_then(Value::as_bool)
                .unwrap_or(self.protected),
            prefix,
        };
        // §4.2.2 step 27: a protected term may only be redefined identically (the old one is
        // kept); other redefinitions are errors, which `oxjsonld` reports.
        if let Some(old) = self.active.terms.get(term).filter(|old| old.protected)
            && !self.override_protected
        {
            if !old.same_as(&new) {
                return Err(Declined);
            }
            new = old.clone();
        }
        result.terms.insert(term.to_owned(), new);
        self.defined.insert(term, true);
        Ok(())
    }

    /// IRI Expansion (§5.2.2) of an `@id` or `@type` value inside this context object, defining
    /// the terms it depends on first (step 3).
    fn expand(&mut self, result: &mut Context, value: &'a str) -> Result<Mapping> {
        if self.local.contains_key(value) {
            self.define(result, value)?;
        }
        if let Some((prefix, _)) = value.split_once(':')
            && self.local.contains_key(prefix)
        {
            self.define(result, prefix)?;
        }
        expand_iri(result, value, true)
    }
}

fn container(value: &str) -> Result<bool> {
    match value {
        "@set" => Ok(false),
        "@graph" => Ok(true),
        _ => Err(Declined),
    }
}

/// `scheme:` with a scheme per RFC 3986 §3.1.
fn is_absolute(value: &str) -> bool {
    value.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// IRI Expansion (§5.2.2) against a processed context, for IRIs only: relative IRIs (there is
/// no base) and blank node identifiers decline.
fn expand_iri(context: &Context, value: &str, vocab: bool) -> Result<Mapping> {
    if vocab && let Some(term) = context.terms.get(value) {
        return Ok(term.mapping.clone());
    }
    if value.starts_with('@') {
        return Err(Declined);
    }
    if let Some((prefix, suffix)) = value.split_once(':') {
        if prefix == "_" {
            return Err(Declined);
        }
        if !suffix.starts_with("//")
            && let Some(TermDef {
                mapping: Mapping::Iri(iri),
                prefix: true,
                ..
            }) = context.terms.get(prefix)
        {
            return named(format!("{}{suffix}", iri.as_str()));
        }
        if is_absolute(value) {
            return named(value.to_owned());
        }
    }
    match (&context.vocab, vocab) {
        (Some(base), true) => named(format!("{base}{value}")),
        _ => Err(Declined),
    }
}

fn named(iri: String) -> Result<Mapping> {
    NamedNode::new(iri).map(Mapping::Iri).map_err(|_| Declined)
}

/// The RDF of one document, built while walking it.
#[derive(Default)]
struct Walk {
    dataset: Dataset,
    blank_nodes: u64,
}

impl Walk {
    fn blank(&mut self) -> BlankNode {
        self.blank_nodes += 1;
        BlankNode::new_unchecked(format!("e{}", self.blank_nodes))
    }

    fn emit(
        &mut self,
        subject: &NamedOrBlankNode,
        predicate: &NamedNode,
        object: Term,
        graph: &GraphName,
    ) {
        self.dataset.insert(&Quad::new(
            subject.clone(),
            predicate.clone(),
            object,
            graph.clone(),
        ));
    }

    /// Expands the node object `map` (§5.1.2 steps 7–13) and emits its triples into `graph`;
    /// returns its subject.
    fn node(
        &mut self,
        map: &Map<String, Value>,
        mut context: Arc<Context>,
        property_scoped: Option<&Arc<Scoped>>,
        graph: &GraphName,
    ) -> Result<NamedOrBlankNode> {
        // Step 7: a type-scoped context does not reach nested node objects.
        let only_id = map.len() == 1
            && map.keys().all(|key| {
                key_mapping(&context, key).is_ok_and(|m| m == Mapping::Keyword(Keyword::Id))
            });
        if let Some(previous) = &context.previous
            && !only_id
        {
            context = previous.clone();
        }
        // Step 8: the property-scoped context of the property this node is the value of.
        if let Some(scoped) = property_scoped {
            context = apply_scoped(&context, scoped, true)?;
        }
        // Step 9: an embedded context, of bundled URLs only: an inline context would make a
        // new processed context per document, which the cache cannot key.
        if let Some(value) = map.get("@context") {
            let urls_only = match value {
                Value::String(_) => true,
                Value::Array(items) => items.iter().all(Value::is_string),
                _ => false,
            };
            if !urls_only {
                return Err(Declined);
            }
            context = process(&context, value, None, true, false)?;
        }
        // Steps 10–11: type-scoped contexts, by type in lexicographic order; the types
        // themselves expand against the context before them.
        let type_scoped = context.clone();
        let mut types = Vec::new();
        for (key, value) in map {
            // Members defined only by the type-scoped contexts do not expand yet; they are
            // not `@type` either way.
            if key_mapping(&type_scoped, key).is_ok_and(|m| m == Mapping::Keyword(Keyword::Type)) {
                match value {
                    Value::String(t) => types.push(t.as_str()),
                    Value::Array(items) => {
                        for item in items {
                            types.push(item.as_str().ok_or(Declined)?);
                        }
                    }
                    _ => return Err(Declined),
                }
            }
        }
        let mut sorted = types.clone();
        sorted.sort_unstable();
        for term in sorted {
            if let Some(scoped) = type_scoped.terms.get(term).and_then(|t| t.context.as_ref()) {
                context = apply_scoped(&context, scoped, false)?;
            }
        }
        let mut subject = None;
        for (key, value) in map {
            if key_mapping(&context, key)? == Mapping::Keyword(Keyword::Id) {
                let id = value.as_str().ok_or(Declined)?;
                match expand_iri(&context, id, false)? {
                    Mapping::Iri(iri) if subject.is_none() => subject = Some(iri.into()),
                    _ => return Err(Declined),
                }
            }
        }
        let subject = subject.unwrap_or_else(|| NamedOrBlankNode::BlankNode(self.blank()));
        for t in types {
            match expand_iri(&type_scoped, t, true)? {
                Mapping::Iri(iri) => {
                    self.emit(&subject, &rdf::TYPE.into_owned(), iri.into(), graph)
                }
                _ => return Err(Declined),
            }
        }
        for (key, value) in map {
            let predicate = match key_mapping(&context, key)? {
                Mapping::Keyword(_) | Mapping::Null => continue,
                Mapping::Iri(predicate) => predicate,
            };
            let items = match value {
                Value::Array(items) => items.as_slice(),
                one => std::slice::from_ref(one),
            };
            for item in items {
                self.value(&subject, &predicate, key, item, &context, graph)?;
            }
        }
        Ok(subject)
    }

    /// One value of a property (§5.1.2 for nested objects, Value Expansion §5.3.2 for scalars)
    /// and its triple.
    fn value(
        &mut self,
        subject: &NamedOrBlankNode,
        predicate: &NamedNode,
        key: &str,
        item: &Value,
        context: &Arc<Context>,
        graph: &GraphName,
    ) -> Result<()> {
        let term = context.terms.get(key);
        if term.is_some_and(|t| t.type_mapping == Some(TypeMapping::Unsupported)) {
            return Err(Declined);
        }
        let scoped = term.and_then(|t| t.context.as_ref());
        let object: Term = match item {
            Value::Null => return Ok(()),
            Value::Array(_) => return Err(Declined),
            // Value objects (`@value`) are left to the full algorithm.
            Value::Object(map) if map.contains_key("@value") => return Err(Declined),
            Value::Object(map) => {
                if term.is_some_and(|t| t.graph_container) {
                    // Each value of a `@graph` container is its own named graph (§4.9), named
                    // by a blank node that is the object of the triple.
                    let name = self.blank();
                    self.node(
                        map,
                        context.clone(),
                        scoped,
                        &GraphName::BlankNode(name.clone()),
                    )?;
                    name.into()
                } else {
                    self.node(map, context.clone(), scoped, graph)?.into()
                }
            }
            scalar => {
                // Step 4: a scalar sees the property-scoped context too.
                let context = match scoped {
                    Some(scoped) => apply_scoped(context, scoped, true)?,
                    None => context.clone(),
                };
                let type_mapping = context
                    .terms
                    .get(key)
                    .or(term)
                    .and_then(|t| t.type_mapping.clone());
                match (scalar, type_mapping) {
                    (Value::String(s), Some(TypeMapping::Id)) => iri_term(&context, s, false)?,
                    (Value::String(s), Some(TypeMapping::Vocab)) => iri_term(&context, s, true)?,
                    (Value::String(s), Some(TypeMapping::Datatype(datatype))) => {
                        Literal::new_typed_literal(s.as_str(), datatype).into()
                    }
                    (Value::String(s), None) => Literal::new_simple_literal(s.as_str()).into(),
                    (Value::Bool(b), None) => {
                        Literal::new_typed_literal(b.to_string(), xsd::BOOLEAN).into()
                    }
                    // §6.1.2 step 10: integers; other numbers need the XSD canonical double.
                    (Value::Number(n), None) if n.is_i64() || n.is_u64() => {
                        Literal::new_typed_literal(n.to_string(), xsd::INTEGER).into()
                    }
                    _ => return Err(Declined),
                }
            }
        };
        self.emit(subject, predicate, object, graph);
        Ok(())
    }
}

fn iri_term(context: &Context, value: &str, vocab: bool) -> Result<Term> {
    match expand_iri(context, value, vocab)? {
        Mapping::Iri(iri) => Ok(iri.into()),
        _ => Err(Declined),
    }
}

/// What a member name expands to (IRI Expansion with `vocab` true); `@`-keywords other than
/// `@id`, `@type` and `@context` decline.
fn key_mapping(context: &Context, key: &str) -> Result<Mapping> {
    match key {
        "@id" => Ok(Mapping::Keyword(Keyword::Id)),
        "@type" => Ok(Mapping::Keyword(Keyword::Type)),
        "@context" => Ok(Mapping::Keyword(Keyword::Context)),
        _ => expand_iri(context, key, true),
    }
}
