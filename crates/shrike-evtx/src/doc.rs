//! Dotted-path access to a nested JSON document (`process.parent.name` →
//! `{"process": {"parent": {"name": …}}}`), the shape Elasticsearch keeps in `_source`.

use serde_json::{Map, Value};

/// A field path, split once at load time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Path {
    segments: Box<[String]>,
}

impl Path {
    /// Splits `a.b.c` at dots.
    pub(crate) fn parse(dotted: &str) -> Path {
        Path {
            segments: dotted.split('.').map(str::to_string).collect(),
        }
    }

    /// A path whose last segment is taken literally (an `event_data` key may hold a dot).
    pub(crate) fn under(parent: &Path, key: &str) -> Path {
        let mut segments = parent.segments.to_vec();
        segments.push(key.to_string());
        Path {
            segments: segments.into(),
        }
    }

    /// The path with `suffix` appended (also split at dots).
    pub(crate) fn join(&self, suffix: &str) -> Path {
        let mut segments = self.segments.to_vec();
        segments.extend(suffix.split('.').map(str::to_string));
        Path {
            segments: segments.into(),
        }
    }
}

/// The value at `path`, if every step is an object holding the next key.
pub(crate) fn get<'d>(doc: &'d Map<String, Value>, path: &Path) -> Option<&'d Value> {
    let (last, parents) = path.segments.split_last()?;
    let mut cur = doc;
    for seg in parents {
        cur = cur.get(seg)?.as_object()?;
    }
    cur.get(last)
}

/// The string at `path`, if the value there is a string.
pub(crate) fn get_str<'d>(doc: &'d Map<String, Value>, path: &Path) -> Option<&'d str> {
    get(doc, path).and_then(Value::as_str)
}

/// Sets `path` to `value`, creating objects on the way (a non-object in the way is
/// replaced, as Elasticsearch's `set` would fail and we prefer the newer value).
pub(crate) fn set(doc: &mut Map<String, Value>, path: &Path, value: Value) {
    let Some((last, parents)) = path.segments.split_last() else {
        return;
    };
    let mut cur = doc;
    for seg in parents {
        let slot = cur
            .entry(seg.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        cur = match slot {
            Value::Object(o) => o,
            _ => return,
        };
    }
    cur.insert(last.clone(), value);
}

/// Removes and returns the value at `path`; objects left empty on the way are removed too,
/// so a renamed-away `winlog.event_data` does not linger as `{}`.
pub(crate) fn remove(doc: &mut Map<String, Value>, path: &Path) -> Option<Value> {
    remove_at(doc, &path.segments)
}

fn remove_at(map: &mut Map<String, Value>, segments: &[String]) -> Option<Value> {
    match segments {
        [] => None,
        [last] => map.shift_remove(last),
        [first, rest @ ..] => {
            let child = map.get_mut(first)?.as_object_mut()?;
            let removed = remove_at(child, rest);
            if removed.is_some() && child.is_empty() {
                map.shift_remove(first);
            }
            removed
        }
    }
}

/// Appends `value` to the array at `path` unless already present (Elasticsearch's
/// `append` with `allow_duplicates: false`); a scalar there becomes a one-element array.
pub(crate) fn append_unique(doc: &mut Map<String, Value>, path: &Path, value: Value) {
    match get(doc, path).cloned() {
        None => set(doc, path, Value::Array(vec![value])),
        Some(Value::Array(mut items)) => {
            if !items.contains(&value) {
                items.push(value);
                set(doc, path, Value::Array(items));
            }
        }
        Some(existing) => {
            if existing != value {
                set(doc, path, Value::Array(vec![existing, value]));
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
        let mut doc = Map::new();
        let p = Path::parse("process.parent.name");
        set(&mut doc, &p, json!("cmd.exe"));
        assert_eq!(get_str(&doc, &p), Some("cmd.exe"));
        assert_eq!(remove(&mut doc, &p), Some(json!("cmd.exe")));
        assert!(doc.is_empty(), "empty parents are pruned: {doc:?}");
    }

    #[test]
    fn append_unique_builds_arrays() {
        let mut doc = Map::new();
        let p = Path::parse("related.user");
        append_unique(&mut doc, &p, json!("a"));
        append_unique(&mut doc, &p, json!("b"));
        append_unique(&mut doc, &p, json!("a"));
        assert_eq!(Value::Object(doc), json!({"related": {"user": ["a", "b"]}}));
    }

    #[test]
    fn literal_key_under_parent() {
        let mut doc = Map::new();
        let p = Path::under(&Path::parse("winlog.event_data"), "a.b");
        set(&mut doc, &p, json!(1));
        assert_eq!(
            Value::Object(doc),
            json!({"winlog": {"event_data": {"a.b": 1}}})
        );
    }
}
