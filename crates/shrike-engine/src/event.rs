//! Events: the values a plan reads from one document, plus the document itself.
//!
//! Field paths are resolved to [`FieldId`]s when the plan is compiled; building an event
//! reads only those fields from the document (nested objects and dotted keys alike,
//! arrays as multiple values) and converts them to the field's type in the event's index.

use crate::plan::{Extract, Plan};
use serde_json::Value as Json;
use shrike_ir::{FieldType, Value};
use std::sync::Arc;

/// A field of a plan's field table.
pub type FieldId = usize;

/// Where an event came from and what it is, for output.
#[derive(Clone, Debug)]
pub struct Origin {
    /// The index name.
    pub index: Arc<str>,
    /// `_id` from an ES hit wrapper, if the document had one.
    pub id: Option<String>,
}

/// One document prepared for evaluation.
#[derive(Clone, Debug)]
pub struct Event {
    pub(crate) values: Vec<Vec<Value>>,
    pub(crate) index: usize,
    pub(crate) timestamp: Option<i64>,
    pub(crate) tiebreaker: Value,
    pub(crate) seq: u64,
    source: Arc<Json>,
    origin: Origin,
}

impl Event {
    /// The values of field `id` (empty when missing).
    pub fn get(&self, id: FieldId) -> &[Value] {
        self.values.get(id).map_or(&[], Vec::as_slice)
    }

    /// The event's `_source` document.
    pub fn source(&self) -> &Json {
        &self.source
    }

    /// The plan's id of the event's index.
    pub fn index_id(&self) -> usize {
        self.index
    }

    /// Index and id.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The timestamp in nanoseconds since the epoch, if it had a usable one.
    pub fn timestamp(&self) -> Option<i64> {
        self.timestamp
    }

    /// The input position given when the event was built.
    pub fn seq(&self) -> u64 {
        self.seq
    }
}

/// Splits an ES search hit (`{"_index", "_id", "_source"}`) into its parts; any other
/// document is its own source.
fn unwrap_hit(doc: Json) -> (Json, Option<String>, Option<String>) {
    if let Json::Object(mut obj) = doc {
        let is_hit = obj.get("_source").is_some_and(Json::is_object)
            && (obj.contains_key("_index") || obj.contains_key("_id"));
        if is_hit {
            let id = match obj.get("_id") {
                Some(Json::String(s)) => Some(s.clone()),
                Some(Json::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            let index = obj.get("_index").and_then(Json::as_str).map(str::to_string);
            let source = obj.remove("_source").unwrap_or(Json::Null);
            return (source, index, id);
        }
        return (Json::Object(obj), None, None);
    }
    (doc, None, None)
}

/// Collects the JSON leaves at `path` (dotted): `{"a":{"b":1}}`, `{"a.b":1}` and
/// `{"a":[{"b":1},{"b":2}]}` all give values for `a.b`. Depth is bounded by the path.
fn collect<'a>(node: &'a Json, path: &str, out: &mut Vec<&'a Json>) {
    match node {
        Json::Array(items) => {
            for item in items {
                collect(item, path, out);
            }
        }
        _ if path.is_empty() => out.push(node),
        Json::Object(obj) => {
            // Try every split of the remaining path: "a.b.c" as "a" then "b.c", "a.b" then
            // "c", or "a.b.c".
            let mut end = 0;
            loop {
                end = match path[end..].find('.') {
                    Some(i) => end + i,
                    None => path.len(),
                };
                if let Some(child) = obj.get(&path[..end]) {
                    let rest = if end < path.len() {
                        &path[end + 1..]
                    } else {
                        ""
                    };
                    collect(child, rest, out);
                }
                if end >= path.len() {
                    break;
                }
                end += 1;
            }
        }
        _ => {}
    }
}

fn flatten<'a>(leaf: &'a Json, out: &mut Vec<&'a Json>) {
    match leaf {
        Json::Array(items) => items.iter().for_each(|i| flatten(i, out)),
        other => out.push(other),
    }
}

/// Converts one JSON leaf to the field type's domain; `None` when it has no value there.
pub(crate) fn convert(leaf: &Json, ex: &Extract) -> Option<Value> {
    let leaf = match (leaf, &ex.null_value) {
        (Json::Null, Some(nv)) => nv,
        (Json::Null, None) => return None,
        (l, _) => l,
    };
    let text = |j: &Json| -> Option<String> {
        match j {
            Json::String(s) => Some(s.clone()),
            Json::Number(n) => Some(n.to_string()),
            Json::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    };
    match &ex.ty {
        FieldType::Keyword | FieldType::Wildcard | FieldType::Flattened | FieldType::Text => {
            let s = text(leaf)?;
            match ex.ignore_above {
                Some(n) if s.chars().count() > n => None,
                _ => Some(Value::Str(s)),
            }
        }
        FieldType::ConstantKeyword(_) => text(leaf).map(Value::Str),
        FieldType::Integer => match leaf {
            Json::Number(n) => n
                .as_i64()
                .map(Value::Int)
                .or_else(|| n.as_f64().map(|f| Value::Int(f.trunc() as i64))),
            Json::String(s) => {
                let s = s.trim();
                s.parse::<i64>()
                    .ok()
                    .or_else(|| {
                        s.parse::<f64>()
                            .ok()
                            .filter(|f| f.is_finite())
                            .map(|f| f.trunc() as i64)
                    })
                    .map(Value::Int)
            }
            _ => None,
        },
        FieldType::Float => match leaf {
            Json::Number(n) => n.as_f64().map(Value::Float),
            Json::String(s) => s.trim().parse::<f64>().ok().map(Value::Float),
            _ => None,
        },
        FieldType::Boolean => match leaf {
            Json::Bool(b) => Some(Value::Bool(*b)),
            Json::String(s) if s == "true" => Some(Value::Bool(true)),
            Json::String(s) if s == "false" || s.is_empty() => Some(Value::Bool(false)),
            _ => None,
        },
        FieldType::Ip => match leaf {
            Json::String(s) => s.trim().parse().ok().map(Value::Ip),
            _ => None,
        },
        FieldType::Date { format, .. } => match leaf {
            Json::String(s) => format.parse_str(s).map(Value::Date),
            Json::Number(n) => match n.as_i64() {
                Some(i) => format.parse_number(i as f64).map(Value::Date),
                None => n
                    .as_f64()
                    .and_then(|f| format.parse_number(f))
                    .map(Value::Date),
            },
            _ => None,
        },
        FieldType::Version => text(leaf).map(Value::Version),
        FieldType::Object | FieldType::Other(_) => None,
    }
}

impl Plan {
    /// Builds an event of index `index` (an id from [`Plan::index_id`]) from a parsed
    /// document; an ES hit wrapper is unwrapped. `seq` is the input position, the last
    /// resort of ordering.
    pub fn event_from_json(&self, index: usize, doc: Json, seq: u64) -> Event {
        let (source, hit_index, id) = unwrap_hit(doc);
        let table = self.extract_table(index);
        let mut values = Vec::with_capacity(table.len());
        let mut leaves = Vec::new();
        let mut flat = Vec::new();
        for ex in table {
            let mut vals = Vec::new();
            if let Some(ex) = ex {
                if let FieldType::ConstantKeyword(Some(v)) = &ex.ty {
                    vals.push(Value::Str(v.clone()));
                } else {
                    leaves.clear();
                    flat.clear();
                    collect(&source, &ex.source, &mut leaves);
                    for l in &leaves {
                        flatten(l, &mut flat);
                    }
                    for leaf in &flat {
                        if let Some(v) = convert(leaf, ex) {
                            vals.push(v);
                        }
                    }
                }
            }
            values.push(vals);
        }
        let timestamp = self.timestamp_of(&values);
        let tiebreaker = self
            .tiebreaker_field()
            .and_then(|f| values.get(f).and_then(|v| v.first().cloned()))
            .unwrap_or(Value::Null);
        let index_name = hit_index.map_or_else(|| self.index_arc(index), Arc::from);
        Event {
            values,
            index,
            timestamp,
            tiebreaker,
            seq,
            source: Arc::new(source),
            origin: Origin {
                index: index_name,
                id,
            },
        }
    }

    /// Builds an event from raw JSON bytes (one NDJSON line).
    pub fn event_from_slice(
        &self,
        index: usize,
        bytes: &[u8],
        seq: u64,
    ) -> Result<Event, serde_json::Error> {
        let doc: Json = serde_json::from_slice(bytes)?;
        Ok(self.event_from_json(index, doc, seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_and_dotted_paths_are_one_field() {
        let docs = [
            json!({"process": {"name": "a"}}),
            json!({"process.name": "a"}),
            json!({"process": [{"name": "a"}]}),
        ];
        for d in &docs {
            let mut out = Vec::new();
            collect(d, "process.name", &mut out);
            assert_eq!(out, vec![&json!("a")], "{d}");
        }
        let mut out = Vec::new();
        let doc = json!({"a": {"b.c": [1, 2]}, "a.b": {"c": 3}});
        collect(&doc, "a.b.c", &mut out);
        let mut flat = Vec::new();
        out.iter().for_each(|l| flatten(l, &mut flat));
        assert_eq!(flat.len(), 3);
    }

    #[test]
    fn hits_are_unwrapped() {
        let (src, idx, id) = unwrap_hit(json!({"_index": "i", "_id": "7", "_source": {"a": 1}}));
        assert_eq!(src, json!({"a": 1}));
        assert_eq!(idx.as_deref(), Some("i"));
        assert_eq!(id.as_deref(), Some("7"));
        let (src, _, _) = unwrap_hit(json!({"_source": 1, "x": 2}));
        assert_eq!(src, json!({"_source": 1, "x": 2}));
    }
}
