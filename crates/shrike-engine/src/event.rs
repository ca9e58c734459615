//! Events: the values a plan reads from one document, plus the document itself.
//!
//! Field paths are resolved to [`FieldId`]s when the plan is compiled; building an event
//! reads only those fields from the document (nested objects and dotted keys alike,
//! arrays as multiple values) and converts them to the field's type in the event's index.

use crate::plan::{Extract, Plan, Program};
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
    pub(crate) source: Arc<Json>,
    pub(crate) origin: Origin,
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

/// One JSON scalar as a parser meets it (numbers as serde_json classifies them).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Scalar<'a> {
    Null,
    Bool(bool),
    /// A non-negative integer.
    U64(u64),
    /// A negative integer.
    I64(i64),
    F64(f64),
    Str(&'a str),
}

impl<'a> Scalar<'a> {
    fn of(j: &'a Json) -> Option<Scalar<'a>> {
        Some(match j {
            Json::Null => Scalar::Null,
            Json::Bool(b) => Scalar::Bool(*b),
            Json::Number(n) => {
                if let Some(u) = n.as_u64() {
                    Scalar::U64(u)
                } else if let Some(i) = n.as_i64() {
                    Scalar::I64(i)
                } else {
                    Scalar::F64(n.as_f64()?)
                }
            }
            Json::String(s) => Scalar::Str(s),
            Json::Array(_) | Json::Object(_) => return None,
        })
    }

    fn as_i64(self) -> Option<i64> {
        match self {
            Scalar::U64(u) => i64::try_from(u).ok(),
            Scalar::I64(i) => Some(i),
            _ => None,
        }
    }

    fn as_f64(self) -> Option<f64> {
        match self {
            Scalar::U64(u) => Some(u as f64),
            Scalar::I64(i) => Some(i as f64),
            Scalar::F64(f) => Some(f),
            _ => None,
        }
    }
}

/// Writes the text form of a scalar (as Elasticsearch indexes a JSON number or boolean in a
/// keyword field: the number as written by serde_json) into `out`; false for null.
fn scalar_text(sc: Scalar<'_>, out: &mut String) -> bool {
    use std::fmt::Write;
    out.clear();
    match sc {
        Scalar::Str(s) => out.push_str(s),
        Scalar::U64(u) => {
            let _ = write!(out, "{u}");
        }
        Scalar::I64(i) => {
            let _ = write!(out, "{i}");
        }
        Scalar::F64(f) => match serde_json::Number::from_f64(f) {
            Some(n) => {
                let _ = write!(out, "{n}");
            }
            None => return false,
        },
        Scalar::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Scalar::Null => return false,
    }
    true
}

/// Converts one JSON leaf to the field type's domain; `None` when it has no value there.
pub(crate) fn convert(leaf: &Json, ex: &Extract) -> Option<Value> {
    convert_scalar(Scalar::of(leaf)?, ex, &mut Vec::new())
}

/// Strings kept for reuse at most (a document with more string values allocates the rest).
pub(crate) const POOL_MAX: usize = 4096;

/// Returns a string buffer to the pool.
pub(crate) fn recycle_string(pool: &mut Vec<String>, s: String) {
    if pool.len() < POOL_MAX {
        pool.push(s);
    }
}

/// The text of a scalar in a buffer from `pool`, or `None` (the buffer back in the pool).
fn text_from_pool(sc: Scalar<'_>, pool: &mut Vec<String>) -> Option<String> {
    let mut buf = pool.pop().unwrap_or_default();
    if scalar_text(sc, &mut buf) {
        Some(buf)
    } else {
        recycle_string(pool, buf);
        None
    }
}

/// Converts one scalar to the field type's domain; string results take a buffer from
/// `pool` (recycled strings, so that decoding allocates nothing in the steady state).
pub(crate) fn convert_scalar(
    sc: Scalar<'_>,
    ex: &Extract,
    pool: &mut Vec<String>,
) -> Option<Value> {
    let sc = match (sc, &ex.null_value) {
        (Scalar::Null, Some(nv)) => {
            return convert_scalar(
                Scalar::of(nv)?,
                &Extract {
                    null_value: None,
                    ..ex.clone()
                },
                pool,
            )
        }
        (Scalar::Null, None) => return None,
        (l, _) => l,
    };
    match &ex.ty {
        FieldType::Keyword | FieldType::Wildcard | FieldType::Flattened | FieldType::Text => {
            let buf = text_from_pool(sc, pool)?;
            match ex.ignore_above {
                Some(n) if buf.len() > n && buf.chars().count() > n => {
                    recycle_string(pool, buf);
                    None
                }
                _ => Some(Value::Str(buf)),
            }
        }
        FieldType::ConstantKeyword(_) => text_from_pool(sc, pool).map(Value::Str),
        FieldType::Integer => match sc {
            Scalar::Str(s) => {
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
            Scalar::Bool(_) | Scalar::Null => None,
            n => n
                .as_i64()
                .map(Value::Int)
                .or_else(|| n.as_f64().map(|f| Value::Int(f.trunc() as i64))),
        },
        FieldType::Float => match sc {
            Scalar::Str(s) => s.trim().parse::<f64>().ok().map(Value::Float),
            n => n.as_f64().map(Value::Float),
        },
        FieldType::Boolean => match sc {
            Scalar::Bool(b) => Some(Value::Bool(b)),
            Scalar::Str("true") => Some(Value::Bool(true)),
            Scalar::Str("false") | Scalar::Str("") => Some(Value::Bool(false)),
            _ => None,
        },
        FieldType::Ip => match sc {
            Scalar::Str(s) => s.trim().parse().ok().map(Value::Ip),
            _ => None,
        },
        FieldType::Date { format, .. } => match sc {
            Scalar::Str(s) => format.parse_str(s).map(Value::Date),
            Scalar::Bool(_) | Scalar::Null => None,
            n => match n.as_i64() {
                Some(i) => format.parse_number(i as f64).map(Value::Date),
                None => n
                    .as_f64()
                    .and_then(|f| format.parse_number(f))
                    .map(Value::Date),
            },
        },
        FieldType::Version => text_from_pool(sc, pool).map(Value::Version),
        FieldType::Object | FieldType::Other(_) => None,
    }
}

/// Reads the fields of `table` from a parsed document into `values` (one entry per field).
pub(crate) fn extract_json(table: &[Option<Extract>], source: &Json, values: &mut Vec<Vec<Value>>) {
    values.clear();
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
                collect(source, &ex.source, &mut leaves);
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
}

impl Program {
    /// Builds an event of index `index` (an id from [`Program::index_id`]) from a parsed
    /// document; an ES hit wrapper is unwrapped. The event carries no time of its own
    /// (rules of a program may order by different fields): ask [`Program::time`].
    pub fn event_from_json(&self, index: usize, doc: Json, seq: u64) -> Event {
        let (source, hit_index, id) = unwrap_hit(doc);
        let mut values = Vec::new();
        extract_json(self.extract_table(index), &source, &mut values);
        let index_name = hit_index.map_or_else(|| self.index_arc(index), Arc::from);
        Event {
            values,
            index,
            timestamp: None,
            tiebreaker: Value::Null,
            seq,
            source: Arc::new(source),
            origin: Origin {
                index: index_name,
                id,
            },
        }
    }
}

impl Plan {
    /// Builds an event of index `index` (an id from [`Plan::index_id`]) from a parsed
    /// document; an ES hit wrapper is unwrapped. `seq` is the input position, the last
    /// resort of ordering.
    pub fn event_from_json(&self, index: usize, doc: Json, seq: u64) -> Event {
        let mut ev = self.program.event_from_json(index, doc, seq);
        let clock = self.clock();
        ev.timestamp = clock.time(&ev.values);
        ev.tiebreaker = clock.tiebreaker(&ev.values);
        ev
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
