//! The document being built: a small JSON tree with insertion-ordered objects, and
//! dotted-path access (`process.parent.name` → `{"process": {"parent": {"name": …}}}`, the
//! shape Elasticsearch keeps in `_source`).
//!
//! Why not `serde_json::Value`: its objects are hash maps (SipHash, an allocation per map,
//! key and string), and a record's document has dozens of small objects that are built,
//! edited by the mapping steps and written once. Here an object is a vector searched
//! linearly (they hold a handful of keys), keys and most strings borrow from the mapping
//! or from the rendered record, and strings taken from the record stay JSON-escaped
//! ([`Node::Esc`]) until a step needs their text, so writing the document mostly copies
//! bytes. The tree converts to a `serde_json::Value` for callers that want one.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::json;

/// An object key.
pub(crate) type Key<'a> = Cow<'a, str>;

/// A JSON value.
#[derive(Debug, Clone)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    Int(i64),
    /// Plain text.
    Str(Cow<'a, str>),
    /// Text still escaped as in JSON (the body between the quotes).
    Esc(Cow<'a, str>),
    Arr(Vec<Node<'a>>),
    Obj(Obj<'a>),
}

/// A JSON object: keys in insertion order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Obj<'a> {
    entries: Vec<(Key<'a>, Node<'a>)>,
}

impl<'a> Obj<'a> {
    pub(crate) fn new() -> Obj<'a> {
        Obj {
            entries: Vec::new(),
        }
    }

    pub(crate) fn with_capacity(n: usize) -> Obj<'a> {
        Obj {
            entries: Vec::with_capacity(n),
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut Node<'a>> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Sets `key`, replacing a value already there (keeping its position).
    pub(crate) fn insert(&mut self, key: Key<'a>, value: Node<'a>) {
        match self.get_mut(&key) {
            Some(slot) => *slot = value,
            None => self.entries.push((key, value)),
        }
    }

    /// Appends without looking for an existing key (the caller knows it is new).
    pub(crate) fn push(&mut self, key: Key<'a>, value: Node<'a>) {
        self.entries.push((key, value));
    }

    pub(crate) fn remove(&mut self, key: &str) -> Option<Node<'a>> {
        let i = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(i).1)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&Key<'a>, &Node<'a>) -> bool) {
        self.entries.retain(|(k, v)| keep(k, v));
    }

    pub(crate) fn entries_mut(&mut self) -> &mut Vec<(Key<'a>, Node<'a>)> {
        &mut self.entries
    }

    /// Converts to a `serde_json` object.
    pub(crate) fn into_map(self) -> Map<String, Value> {
        self.entries
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_value()))
            .collect()
    }

    /// Appends the object as compact JSON.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        for (i, (k, v)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json::write_str(out, k);
            out.push(b':');
            v.write(out);
        }
        out.push(b'}');
    }
}

impl<'a> Node<'a> {
    /// A plain-text string node.
    pub(crate) fn str(s: impl Into<Cow<'a, str>>) -> Node<'a> {
        Node::Str(s.into())
    }

    /// The text of a string node (decoding an escaped one).
    pub(crate) fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Node::Str(s) => Some(Cow::Borrowed(s)),
            Node::Esc(e) => Some(if e.contains('\\') {
                Cow::Owned(json::unescape(e))
            } else {
                Cow::Borrowed(e)
            }),
            _ => None,
        }
    }

    pub(crate) fn is_str(&self) -> bool {
        matches!(self, Node::Str(_) | Node::Esc(_))
    }

    pub(crate) fn as_obj(&self) -> Option<&Obj<'a>> {
        match self {
            Node::Obj(o) => Some(o),
            _ => None,
        }
    }

    pub(crate) fn as_obj_mut(&mut self) -> Option<&mut Obj<'a>> {
        match self {
            Node::Obj(o) => Some(o),
            _ => None,
        }
    }

    /// Equality by meaning: an escaped and a plain string with the same text are equal.
    pub(crate) fn same(&self, other: &Node<'_>) -> bool {
        match (self, other) {
            (Node::Null, Node::Null) => true,
            (Node::Bool(a), Node::Bool(b)) => a == b,
            (Node::Int(a), Node::Int(b)) => a == b,
            (Node::Esc(a), Node::Esc(b)) => a == b,
            (a, b) if a.is_str() && b.is_str() => a.text() == b.text(),
            (Node::Arr(a), Node::Arr(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
            }
            (Node::Obj(a), Node::Obj(b)) => {
                a.entries.len() == b.entries.len()
                    && a.entries
                        .iter()
                        .zip(&b.entries)
                        .all(|((ka, va), (kb, vb))| ka == kb && va.same(vb))
            }
            _ => false,
        }
    }

    /// A copy whose strings borrow from `self` (no allocation for text).
    pub(crate) fn borrowed(&self) -> Node<'_> {
        match self {
            Node::Null => Node::Null,
            Node::Bool(b) => Node::Bool(*b),
            Node::Int(i) => Node::Int(*i),
            Node::Str(s) => Node::Str(Cow::Borrowed(s)),
            Node::Esc(s) => Node::Esc(Cow::Borrowed(s)),
            Node::Arr(items) => Node::Arr(items.iter().map(Node::borrowed).collect()),
            Node::Obj(o) => Node::Obj(Obj {
                entries: o
                    .entries
                    .iter()
                    .map(|(k, v)| (Cow::Borrowed(&**k), v.borrowed()))
                    .collect(),
            }),
        }
    }

    /// The value as a `serde_json::Value`.
    pub(crate) fn into_value(self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(b),
            Node::Int(i) => Value::from(i),
            Node::Str(s) => Value::String(s.into_owned()),
            Node::Esc(e) => Value::String(json::unescape(&e)),
            Node::Arr(items) => Value::Array(items.into_iter().map(Node::into_value).collect()),
            Node::Obj(o) => Value::Object(o.into_map()),
        }
    }

    /// A `serde_json::Value` (from a mapping table) as a node.
    pub(crate) fn from_value(v: &Value) -> Node<'static> {
        match v {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Node::Int(i),
                None => Node::Str(Cow::Owned(n.to_string())),
            },
            Value::String(s) => Node::Str(Cow::Owned(s.clone())),
            Value::Array(a) => Node::Arr(a.iter().map(Node::from_value).collect()),
            Value::Object(o) => Node::Obj(Obj {
                entries: o
                    .iter()
                    .map(|(k, v)| (Cow::Owned(k.clone()), Node::from_value(v)))
                    .collect(),
            }),
        }
    }

    /// Appends the value as compact JSON.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        match self {
            Node::Null => out.extend_from_slice(b"null"),
            Node::Bool(true) => out.extend_from_slice(b"true"),
            Node::Bool(false) => out.extend_from_slice(b"false"),
            Node::Int(i) => out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
            Node::Str(s) => json::write_str(out, s),
            Node::Esc(e) => {
                out.push(b'"');
                out.extend_from_slice(e.as_bytes());
                out.push(b'"');
            }
            Node::Arr(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write(out);
                }
                out.push(b']');
            }
            Node::Obj(o) => o.write(out),
        }
    }
}

/// A field path, split once at load time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Path {
    segments: Box<[Box<str>]>,
}

impl Path {
    /// Splits `a.b.c` at dots.
    pub(crate) fn parse(dotted: &str) -> Path {
        Path {
            segments: dotted.split('.').map(Box::from).collect(),
        }
    }

    /// A path whose last segment is taken literally (an `event_data` key may hold a dot).
    pub(crate) fn under(parent: &Path, key: &str) -> Path {
        let mut segments = parent.segments.to_vec();
        segments.push(Box::from(key));
        Path {
            segments: segments.into(),
        }
    }

    /// The path with `suffix` appended (also split at dots).
    pub(crate) fn join(&self, suffix: &str) -> Path {
        let mut segments = self.segments.to_vec();
        segments.extend(suffix.split('.').map(Box::from));
        Path {
            segments: segments.into(),
        }
    }
}

/// The value at `path`, if every step is an object holding the next key.
pub(crate) fn get<'d, 'a>(doc: &'d Obj<'a>, path: &Path) -> Option<&'d Node<'a>> {
    let (last, parents) = path.segments.split_last()?;
    let mut cur = doc;
    for seg in parents {
        cur = cur.get(seg)?.as_obj()?;
    }
    cur.get(last)
}

/// The value at `path`, mutable.
pub(crate) fn get_mut<'d, 'a>(doc: &'d mut Obj<'a>, path: &Path) -> Option<&'d mut Node<'a>> {
    let (last, parents) = path.segments.split_last()?;
    let mut cur = doc;
    for seg in parents {
        cur = cur.get_mut(seg)?.as_obj_mut()?;
    }
    cur.get_mut(last)
}

/// The text at `path`, if the value there is a string.
pub(crate) fn get_text<'d>(doc: &'d Obj<'_>, path: &Path) -> Option<Cow<'d, str>> {
    get(doc, path).and_then(Node::text)
}

/// Sets `path` to `value`, creating objects on the way (a non-object in the way is
/// replaced, as Elasticsearch's `set` would fail and we prefer the newer value).
pub(crate) fn set<'a>(doc: &mut Obj<'a>, path: &'a Path, value: Node<'a>) {
    let Some((last, parents)) = path.segments.split_last() else {
        return;
    };
    let mut cur = doc;
    for seg in parents {
        if !matches!(cur.get(seg), Some(Node::Obj(_))) {
            cur.insert(Cow::Borrowed(seg), Node::Obj(Obj::new()));
        }
        cur = match cur.get_mut(seg) {
            Some(Node::Obj(o)) => o,
            _ => return,
        };
    }
    cur.insert(Cow::Borrowed(last), value);
}

/// Removes and returns the value at `path`; objects left empty on the way are removed too,
/// so a renamed-away `winlog.event_data` does not linger as `{}`.
pub(crate) fn remove<'a>(doc: &mut Obj<'a>, path: &Path) -> Option<Node<'a>> {
    remove_at(doc, &path.segments)
}

fn remove_at<'a>(obj: &mut Obj<'a>, segments: &[Box<str>]) -> Option<Node<'a>> {
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
pub(crate) fn append_unique<'a>(doc: &mut Obj<'a>, path: &'a Path, value: Node<'a>) {
    match get_mut(doc, path) {
        None => set(doc, path, Node::Arr(vec![value])),
        Some(Node::Arr(items)) => {
            if !items.iter().any(|i| i.same(&value)) {
                items.push(value);
            }
        }
        Some(existing) => {
            if !existing.same(&value) {
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
        let p = Path::parse("process.parent.name");
        let mut doc = Obj::new();
        set(&mut doc, &p, Node::str("cmd.exe"));
        assert_eq!(get_text(&doc, &p).as_deref(), Some("cmd.exe"));
        assert!(remove(&mut doc, &p).is_some());
        assert!(doc.is_empty(), "empty parents are pruned: {doc:?}");
    }

    #[test]
    fn append_unique_builds_arrays_by_text() {
        let p = Path::parse("related.user");
        let mut doc = Obj::new();
        append_unique(&mut doc, &p, Node::str("a\\b"));
        append_unique(&mut doc, &p, Node::str("b"));
        append_unique(&mut doc, &p, Node::Esc(Cow::Borrowed("a\\\\b")));
        assert_eq!(
            Node::Obj(doc).into_value(),
            json!({"related": {"user": ["a\\b", "b"]}})
        );
    }

    #[test]
    fn writes_escaped_strings_verbatim() {
        let p = Path::under(&Path::parse("winlog.event_data"), "a.b");
        let x = Path::parse("x");
        let mut doc = Obj::new();
        set(&mut doc, &p, Node::Esc(Cow::Borrowed("C:\\\\Windows")));
        set(
            &mut doc,
            &x,
            Node::Arr(vec![Node::Bool(true), Node::Null, Node::Int(-3)]),
        );
        let mut out = Vec::new();
        doc.write(&mut out);
        let text = String::from_utf8(out).expect("utf8");
        assert_eq!(
            text,
            r#"{"winlog":{"event_data":{"a.b":"C:\\Windows"}},"x":[true,null,-3]}"#
        );
        let parsed: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(parsed, Node::Obj(doc).into_value());
    }
}
