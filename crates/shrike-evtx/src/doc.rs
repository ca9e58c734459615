//! The document being built: a small JSON tree with insertion-ordered objects, and
//! dotted-path access (`process.parent.name` → `{"process": {"parent": {"name": …}}}`, the
//! shape Elasticsearch keeps in `_source`).
//!
//! Why not `serde_json::Value`: its objects are hash maps (SipHash, one allocation per
//! map and key), and a record's document has dozens of small objects that are built,
//! edited by the mapping steps and written once. Here an object is a vector searched
//! linearly (they hold a handful of keys), keys known at load time are shared `Arc<str>`,
//! and the tree serializes straight to JSON text on the worker thread. It converts to a
//! `serde_json::Value` for callers that want one.

use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};

/// An object key.
pub(crate) type Key = Arc<str>;

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Arr(Vec<Node>),
    Obj(Obj),
}

/// A JSON object: keys in insertion order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Obj {
    entries: Vec<(Key, Node)>,
}

impl Obj {
    pub(crate) fn new() -> Obj {
        Obj {
            entries: Vec::new(),
        }
    }

    pub(crate) fn with_capacity(n: usize) -> Obj {
        Obj {
            entries: Vec::with_capacity(n),
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.entries
            .iter()
            .find(|(k, _)| &**k == key)
            .map(|(_, v)| v)
    }

    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries
            .iter_mut()
            .find(|(k, _)| &**k == key)
            .map(|(_, v)| v)
    }

    /// Sets `key`, replacing a value already there (keeping its position).
    pub(crate) fn insert(&mut self, key: Key, value: Node) {
        match self.get_mut(&key) {
            Some(slot) => *slot = value,
            None => self.entries.push((key, value)),
        }
    }

    /// Appends without looking for an existing key (the caller knows it is new).
    pub(crate) fn push(&mut self, key: Key, value: Node) {
        self.entries.push((key, value));
    }

    pub(crate) fn remove(&mut self, key: &str) -> Option<Node> {
        let i = self.entries.iter().position(|(k, _)| &**k == key)?;
        Some(self.entries.remove(i).1)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &Key> {
        self.entries.iter().map(|(k, _)| k)
    }

    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&Key, &Node) -> bool) {
        self.entries.retain(|(k, v)| keep(k, v));
    }

    pub(crate) fn entries_mut(&mut self) -> &mut Vec<(Key, Node)> {
        &mut self.entries
    }
}

impl Node {
    pub(crate) fn str(s: impl Into<String>) -> Node {
        Node::Str(s.into())
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_obj(&self) -> Option<&Obj> {
        match self {
            Node::Obj(o) => Some(o),
            _ => None,
        }
    }

    pub(crate) fn as_obj_mut(&mut self) -> Option<&mut Obj> {
        match self {
            Node::Obj(o) => Some(o),
            _ => None,
        }
    }

    /// The value as a `serde_json::Value`.
    pub(crate) fn into_value(self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(b),
            Node::Int(i) => Value::from(i),
            Node::Str(s) => Value::String(s),
            Node::Arr(items) => Value::Array(items.into_iter().map(Node::into_value).collect()),
            Node::Obj(o) => Value::Object(o.into_map()),
        }
    }

    /// A `serde_json::Value` (from a mapping table) as a node; floats become strings.
    pub(crate) fn from_value(v: &Value) -> Node {
        match v {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Node::Int(i),
                None => Node::Str(n.to_string()),
            },
            Value::String(s) => Node::Str(s.clone()),
            Value::Array(a) => Node::Arr(a.iter().map(Node::from_value).collect()),
            Value::Object(o) => Node::Obj(Obj {
                entries: o
                    .iter()
                    .map(|(k, v)| (Key::from(k.as_str()), Node::from_value(v)))
                    .collect(),
            }),
        }
    }
}

impl Obj {
    pub(crate) fn into_map(self) -> Map<String, Value> {
        self.entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.into_value()))
            .collect()
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Null => s.serialize_unit(),
            Node::Bool(b) => s.serialize_bool(*b),
            Node::Int(i) => s.serialize_i64(*i),
            Node::Str(v) => s.serialize_str(v),
            Node::Arr(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            Node::Obj(o) => o.serialize(s),
        }
    }
}

impl Serialize for Obj {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            map.serialize_entry(&**k, v)?;
        }
        map.end()
    }
}

/// A field path, split once at load time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Path {
    segments: Box<[Key]>,
}

impl Path {
    /// Splits `a.b.c` at dots.
    pub(crate) fn parse(dotted: &str) -> Path {
        Path {
            segments: dotted.split('.').map(Key::from).collect(),
        }
    }

    /// A path whose last segment is taken literally (an `event_data` key may hold a dot).
    pub(crate) fn under(parent: &Path, key: &str) -> Path {
        let mut segments = parent.segments.to_vec();
        segments.push(Key::from(key));
        Path {
            segments: segments.into(),
        }
    }

    /// The path with `suffix` appended (also split at dots).
    pub(crate) fn join(&self, suffix: &str) -> Path {
        let mut segments = self.segments.to_vec();
        segments.extend(suffix.split('.').map(Key::from));
        Path {
            segments: segments.into(),
        }
    }
}

/// The value at `path`, if every step is an object holding the next key.
pub(crate) fn get<'d>(doc: &'d Obj, path: &Path) -> Option<&'d Node> {
    let (last, parents) = path.segments.split_last()?;
    let mut cur = doc;
    for seg in parents {
        cur = cur.get(seg)?.as_obj()?;
    }
    cur.get(last)
}

/// The value at `path`, mutable.
pub(crate) fn get_mut<'d>(doc: &'d mut Obj, path: &Path) -> Option<&'d mut Node> {
    let (last, parents) = path.segments.split_last()?;
    let mut cur = doc;
    for seg in parents {
        cur = cur.get_mut(seg)?.as_obj_mut()?;
    }
    cur.get_mut(last)
}

/// The string at `path`, if the value there is a string.
pub(crate) fn get_str<'d>(doc: &'d Obj, path: &Path) -> Option<&'d str> {
    get(doc, path).and_then(Node::as_str)
}

/// Sets `path` to `value`, creating objects on the way (a non-object in the way is
/// replaced, as Elasticsearch's `set` would fail and we prefer the newer value).
pub(crate) fn set(doc: &mut Obj, path: &Path, value: Node) {
    let Some((last, parents)) = path.segments.split_last() else {
        return;
    };
    let mut cur = doc;
    for seg in parents {
        if !matches!(cur.get(seg), Some(Node::Obj(_))) {
            cur.insert(seg.clone(), Node::Obj(Obj::new()));
        }
        cur = match cur.get_mut(seg) {
            Some(Node::Obj(o)) => o,
            _ => return,
        };
    }
    cur.insert(last.clone(), value);
}

/// Removes and returns the value at `path`; objects left empty on the way are removed too,
/// so a renamed-away `winlog.event_data` does not linger as `{}`.
pub(crate) fn remove(doc: &mut Obj, path: &Path) -> Option<Node> {
    remove_at(doc, &path.segments)
}

fn remove_at(obj: &mut Obj, segments: &[Key]) -> Option<Node> {
    match segments {
        [] => None,
        [last] => obj.remove(last),
        [first, rest @ ..] => {
            let child = obj.get_mut(first)?.as_obj_mut()?;
            let removed = remove_at(child, rest);
            if removed.is_some() && child.is_empty() {
                obj.remove(first);
            }
            removed
        }
    }
}

/// Appends `value` to the array at `path` unless already present (Elasticsearch's
/// `append` with `allow_duplicates: false`); a scalar there becomes a one-element array.
pub(crate) fn append_unique(doc: &mut Obj, path: &Path, value: Node) {
    match get_mut(doc, path) {
        None => set(doc, path, Node::Arr(vec![value])),
        Some(Node::Arr(items)) => {
            if !items.contains(&value) {
                items.push(value);
            }
        }
        Some(existing) => {
            if *existing != value {
                let old = std::mem::replace(existing, Node::Null);
                *existing = Node::Arr(vec![old, value]);
            }
        }
    }
}

/// A copy of `v` with every object's keys sorted, recursively: a canonical form for
/// golden files.
pub fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                if let Some(child) = map.get(k) {
                    out.insert(k.clone(), sorted(child));
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn set_get_remove_round_trip() {
        let mut doc = Obj::new();
        let p = Path::parse("process.parent.name");
        set(&mut doc, &p, Node::str("cmd.exe"));
        assert_eq!(get_str(&doc, &p), Some("cmd.exe"));
        assert_eq!(remove(&mut doc, &p), Some(Node::str("cmd.exe")));
        assert!(doc.is_empty(), "empty parents are pruned: {doc:?}");
    }

    #[test]
    fn append_unique_builds_arrays() {
        let mut doc = Obj::new();
        let p = Path::parse("related.user");
        append_unique(&mut doc, &p, Node::str("a"));
        append_unique(&mut doc, &p, Node::str("b"));
        append_unique(&mut doc, &p, Node::str("a"));
        assert_eq!(
            Node::Obj(doc).into_value(),
            json!({"related": {"user": ["a", "b"]}})
        );
    }

    #[test]
    fn literal_key_under_parent_and_serialization() {
        let mut doc = Obj::new();
        let p = Path::under(&Path::parse("winlog.event_data"), "a.b");
        set(&mut doc, &p, Node::Int(1));
        set(
            &mut doc,
            &Path::parse("x"),
            Node::Arr(vec![Node::Bool(true), Node::Null]),
        );
        let text = serde_json::to_string(&Node::Obj(doc.clone())).expect("serializes");
        assert_eq!(
            text,
            r#"{"winlog":{"event_data":{"a.b":1}},"x":[true,null]}"#
        );
        assert_eq!(
            Node::Obj(doc).into_value(),
            json!({"winlog": {"event_data": {"a.b": 1}}, "x": [true, null]})
        );
    }
}
