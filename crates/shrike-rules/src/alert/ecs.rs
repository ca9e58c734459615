//! Preparing an event's source for the alerts index, as Kibana's
//! `traverseAndMutateDoc` does before it merges the alert fields in:
//!
//! 1. top-level fields named `kibana`, `signal`, `threshold_result` (or dotted keys
//!    starting with them) are removed: they would clash with the alert's own;
//! 2. values that cannot be indexed under the ECS mapping of the alerts index are
//!    removed (a string in a `long` field, an object where ECS has a keyword, a keyword
//!    where ECS has an object); array elements are judged one by one;
//! 3. every `event.*` field is copied, flattened, to `kibana.alert.original_event.*` and
//!    every `data_stream.*` field to `kibana.alert.original_data_stream.*`, because the
//!    alert's own `event.kind` (and index) replace the originals.

use super::js::{flatten_with_prefix, js_number, JsObject};
use serde_json::{Map, Value as Json};
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

/// ECS field types, as the alerts index maps them.
#[derive(Clone, Debug, Default)]
pub struct EcsTypes {
    types: HashMap<String, String>,
    /// Every proper prefix of an ECS field name (`agent`, `agent.build`): objects.
    objects: HashSet<String>,
    /// Fields of type `nested` (their values must be objects).
    nested: HashSet<String>,
}

impl EcsTypes {
    /// Builds the table from `(field name, ECS type)` pairs.
    pub fn new<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut t = EcsTypes::default();
        for (name, ty) in fields {
            if ty == "nested" {
                t.nested.insert(name.to_string());
                continue;
            }
            let mut prefix = String::new();
            let parts: Vec<&str> = name.split('.').collect();
            for part in &parts[..parts.len().saturating_sub(1)] {
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(part);
                t.objects.insert(prefix.clone());
            }
            t.types.insert(name.to_string(), ty.to_string());
        }
        t
    }

    /// Reads the tab-separated table shrike ships (`name<TAB>type<TAB>…` per line, `#`
    /// comments).
    pub fn from_table(text: &str) -> Self {
        EcsTypes::new(
            text.lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| {
                    let mut cols = l.split('\t');
                    Some((cols.next()?, cols.next()?))
                }),
        )
    }

    fn is_field(&self, path: &str) -> bool {
        self.types.contains_key(path) || self.objects.contains(path)
    }

    fn is_object(&self, path: &str) -> bool {
        matches!(
            self.types.get(path).map(String::as_str),
            Some("object") | Some("flattened") | Some("geo_point")
        ) || self.objects.contains(path)
    }

    /// Whether every parent of a dotted path is an object in ECS (`agent.name.x` is not:
    /// `agent.name` is a keyword).
    fn parents_are_objects(&self, path: &str) -> bool {
        let mut prefix = String::new();
        let parts: Vec<&str> = path.split('.').collect();
        for part in &parts[..parts.len() - 1] {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(part);
            if self.is_field(&prefix) && !self.is_object(&prefix) {
                return false;
            }
        }
        true
    }

    /// Kibana's `computeIsEcsCompliant`.
    fn compliant(&self, value: &Json, path: &str) -> bool {
        if path.contains('.') && !self.parents_are_objects(path) {
            return false;
        }
        if self.nested.contains(path) {
            return match value {
                Json::Array(a) => a.iter().all(Json::is_object),
                other => other.is_object(),
            };
        }
        if !self.is_field(path) {
            return true;
        }
        match self.types.get(path).map(String::as_str) {
            Some("geo_point") => true,
            Some("long") => !matches!(value, Json::String(s) if s.contains(' ')) && numeric(value),
            Some("float") | Some("scaled_float") => numeric(value),
            Some("ip") => value.as_str().is_some_and(is_ip),
            Some("date") => numeric(value) || value.as_str().is_some_and(iso_date),
            Some("boolean") => {
                matches!(value, Json::Bool(_))
                    || matches!(value.as_str(), Some("true") | Some("false") | Some(""))
            }
            _ => {
                if self.is_object(path) {
                    value.is_object()
                } else {
                    !value.is_object()
                }
            }
        }
    }
}

/// `isValidNumericType`: a number, or a string `Number()` accepts.
fn numeric(v: &Json) -> bool {
    match v {
        Json::Number(_) => true,
        Json::String(s) => js_number(s).is_some(),
        _ => false,
    }
}

/// An IPv4 or IPv6 address, or a CIDR block of either.
fn is_ip(s: &str) -> bool {
    if s.parse::<IpAddr>().is_ok() {
        return true;
    }
    let Some((addr, bits)) = s.split_once('/') else {
        return false;
    };
    let Ok(bits) = bits.parse::<u8>() else {
        return false;
    };
    match addr.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => bits <= 32,
        Ok(IpAddr::V6(_)) => bits <= 128,
        Err(_) => false,
    }
}

/// A strict ISO 8601 date or date-time (what moment accepts as `ISO_8601`), or
/// `yyyy-MM-DDT`.
fn iso_date(s: &str) -> bool {
    let fmt = shrike_ir::DateFormat::parse("strict_date_optional_time");
    fmt.parse_str(s).is_some()
        || (s.len() == 11 && s.ends_with('T') && fmt.parse_str(&s[..10]).is_some())
}

/// Top-level names whose fields never reach an alert.
const BANNED: [&str; 3] = ["kibana", "signal", "threshold_result"];

/// Where `event.*` and `data_stream.*` are copied.
fn copy_destination(top: &str) -> Option<&'static str> {
    match top {
        "event" => Some("kibana.alert.original_event"),
        "data_stream" => Some("kibana.alert.original_data_stream"),
        _ => None,
    }
}

/// The source of an alert: `source` with banned and non-ECS values removed, then the
/// copies of `event.*` / `data_stream.*` appended. Also returns the removed paths.
pub fn prepare_source(source: &Json, ecs: &EcsTypes) -> (JsObject, Vec<String>) {
    let mut removed = Vec::new();
    let mut to_add: Vec<(String, Json)> = Vec::new();
    let mut out = JsObject::new();
    let Json::Object(map) = source else {
        return (out, removed);
    };
    for (key, value) in map {
        let top = key.split('.').next().unwrap_or(key);
        if BANNED.contains(&top) {
            removed.push(key.clone());
            continue;
        }
        let Some(kept) = keep(value, key, ecs, &mut removed, 0) else {
            continue;
        };
        if let Some(dest) = copy_destination(top) {
            let dest = format!("{dest}{}", &key[top.len()..]);
            flatten_with_prefix(&dest, &kept, &mut to_add);
        }
        out.put(key, kept);
    }
    for (k, v) in to_add {
        out.put(&k, v);
    }
    (out, removed)
}

/// The value at `path` as the alerts index keeps it, or `None` if nothing is left.
fn keep(
    value: &Json,
    path: &str,
    ecs: &EcsTypes,
    removed: &mut Vec<String>,
    depth: usize,
) -> Option<Json> {
    if depth > 128 {
        // Deeper than the readers ever let through; nothing sensible to keep.
        removed.push(path.to_string());
        return None;
    }
    match value {
        Json::Array(items) => {
            let kept: Vec<Json> = items
                .iter()
                .filter_map(|item| keep_element(item, path, ecs, removed, depth + 1))
                .collect();
            (!kept.is_empty()).then_some(Json::Array(kept))
        }
        v if !ecs.compliant(v, path) => {
            removed.push(path.to_string());
            None
        }
        Json::Object(m) => {
            let mut inner = Map::new();
            for (k, x) in m {
                if let Some(x) = keep(x, &format!("{path}.{k}"), ecs, removed, depth + 1) {
                    inner.insert(k.clone(), x);
                }
            }
            (!inner.is_empty()).then_some(Json::Object(inner))
        }
        v => Some(v.clone()),
    }
}

/// An array element: nested arrays are flattened into judgement too (an empty one goes).
fn keep_element(
    item: &Json,
    path: &str,
    ecs: &EcsTypes,
    removed: &mut Vec<String>,
    depth: usize,
) -> Option<Json> {
    match item {
        Json::Array(_) => keep(item, path, ecs, removed, depth),
        v if !ecs.compliant(v, path) => {
            removed.push(path.to_string());
            None
        }
        Json::Object(_) => keep(item, path, ecs, removed, depth),
        v => Some(v.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ecs() -> EcsTypes {
        EcsTypes::new([
            ("agent.name", "keyword"),
            ("agent.build.original", "keyword"),
            ("source.port", "long"),
            ("source.ip", "ip"),
            ("event.action", "keyword"),
            ("event.kind", "keyword"),
            ("event.created", "date"),
            ("labels", "object"),
            ("threat.enrichments", "nested"),
            ("data_stream.dataset", "constant_keyword"),
        ])
    }

    #[test]
    fn removes_what_the_alerts_index_would_reject() {
        let src = json!({
            "kibana": {"x": 1},
            "signal.rule": "x",
            "agent": {"name": {"nested": "object"}, "build": "flat"},
            "source": {"port": "80 80", "ip": ["10.0.0.1", "not an ip"]},
            "labels": "flat",
            "threat": {"enrichments": ["a"]},
            "custom": {"anything": [1, "x", {"y": null}]},
            "event": {"action": "logon", "created": "yesterday"},
            "data_stream": {"dataset": "system.auth"}
        });
        let (out, mut removed) = prepare_source(&src, &ecs());
        removed.sort();
        let mut expected = vec![
            "agent.build",
            "agent.name",
            "event.created",
            "kibana",
            "labels",
            "signal.rule",
            "source.ip",
            "source.port",
            "threat.enrichments",
        ];
        expected.sort();
        assert_eq!(removed, expected);
        assert_eq!(
            out.to_json(),
            json!({
                "source": {"ip": ["10.0.0.1"]},
                "custom": {"anything": [1, "x", {"y": null}]},
                "event": {"action": "logon"},
                "data_stream": {"dataset": "system.auth"},
                "kibana.alert.original_event.action": "logon",
                "kibana.alert.original_data_stream.dataset": "system.auth"
            })
        );
    }

    #[test]
    fn dotted_keys_are_judged_by_their_full_path() {
        let src =
            json!({"event.action": ["process", {"objectSubfield": "test"}], "agent.name.x": "y"});
        let (out, removed) = prepare_source(&src, &ecs());
        assert_eq!(removed, vec!["event.action", "agent.name.x"]);
        assert_eq!(
            out.to_json(),
            json!({"event.action": ["process"], "kibana.alert.original_event.action": ["process"]})
        );
    }
}
