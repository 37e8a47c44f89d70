//! A YAML reader that keeps the `!sd` tags of the SD-JWT vector specifications, on keys, values,
//! sequences and mappings, built on yaml-rust2's event parser.

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, EventReceiver, Parser, Tag};
use yaml_rust2::scanner::TScalarStyle;

/// A YAML node and whether it was tagged `!sd`.
#[derive(Debug, Clone)]
pub struct Node {
    /// The content.
    pub kind: Kind,
    /// Tagged `!sd` (for a mapping value: the value or its key was tagged).
    pub sd: bool,
}

/// The content of a [`Node`].
#[derive(Debug, Clone)]
pub enum Kind {
    /// A scalar resolved to JSON.
    Scalar(Value),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order.
    Map(Vec<(String, Node)>),
}

impl Node {
    /// Member `name` of a mapping.
    pub fn get(&self, name: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The node as JSON, tags dropped.
    pub fn to_json(&self) -> Value {
        match &self.kind {
            Kind::Scalar(v) => v.clone(),
            Kind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Kind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect::<Map<_, _>>(),
            ),
        }
    }

    /// Python truthiness, as sd-jwt-python reads `holder_disclosed_claims`.
    pub fn is_truthy(&self) -> bool {
        match &self.kind {
            Kind::Scalar(Value::Bool(b)) => *b,
            Kind::Scalar(Value::Null) => false,
            Kind::Scalar(_) => true,
            Kind::Seq(items) => !items.is_empty(),
            Kind::Map(entries) => !entries.is_empty(),
        }
    }
}

#[derive(Default)]
struct Events(Vec<Event>);

impl EventReceiver for Events {
    fn on_event(&mut self, ev: Event) {
        self.0.push(ev);
    }
}

fn is_sd(tag: &Option<Tag>) -> bool {
    tag.as_ref()
        .is_some_and(|t| t.handle == "!" && t.suffix == "sd")
}

/// YAML 1.2 core-schema resolution of a plain scalar (plus Python's `None`).
fn resolve(text: &str, style: TScalarStyle) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" | "None" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => {
            let numeric = text
                .chars()
                .all(|c| c.is_ascii_digit() || "-.eE".contains(c))
                && text.chars().any(|c| c.is_ascii_digit());
            if numeric {
                if let Ok(i) = text.parse::<i64>() {
                    return Value::Number(i.into());
                }
                if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
                    return Value::Number(n);
                }
            }
            Value::String(text.to_owned())
        }
    }
}

/// Parses one YAML document.
pub fn parse(text: &str) -> Result<Node, String> {
    let mut events = Events::default();
    Parser::new_from_str(text)
        .load(&mut events, false)
        .map_err(|e| e.to_string())?;
    let mut iter = events.0.into_iter().filter(|e| {
        !matches!(
            e,
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart | Event::DocumentEnd
        )
    });
    match node(&mut iter)? {
        Some(n) => Ok(n),
        None => Err("empty document".to_owned()),
    }
}

/// The next node, or `None` at the end of the enclosing collection.
fn node(events: &mut impl Iterator<Item = Event>) -> Result<Option<Node>, String> {
    let (kind, sd) = match events.next() {
        None | Some(Event::SequenceEnd | Event::MappingEnd) => return Ok(None),
        Some(Event::Scalar(text, style, _, tag)) => {
            (Kind::Scalar(resolve(&text, style)), is_sd(&tag))
        }
        Some(Event::SequenceStart(_, tag)) => {
            let mut items = Vec::new();
            while let Some(n) = node(events)? {
                items.push(n);
            }
            (Kind::Seq(items), is_sd(&tag))
        }
        Some(Event::MappingStart(_, tag)) => {
            let mut entries = Vec::new();
            while let Some(key) = node(events)? {
                let Kind::Scalar(k) = key.kind else {
                    return Err("non-scalar mapping key".into());
                };
                let mut value = node(events)?.ok_or("mapping key without value")?;
                value.sd |= key.sd;
                let name = match k {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                entries.push((name, value));
            }
            (Kind::Map(entries), is_sd(&tag))
        }
        Some(other) => return Err(format!("unsupported YAML event {other:?}")),
    };
    Ok(Some(Node { kind, sd }))
}
