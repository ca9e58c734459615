//! The few JavaScript and lodash behaviours Kibana's alert code relies on, so that alert
//! documents come out as Kibana's TypeScript builds them: objects whose keys keep their
//! insertion order and can hold `undefined` (a key that keeps its place but is not
//! written), lodash `get` on dotted paths, `Number(string)`, number-to-string, and the
//! lodash `intersection` used to merge a sequence's events.

use serde_json::{Map, Number, Value as Json};

/// A JavaScript object: ordered keys, values that may be `undefined` (`None`). Writing it
/// as JSON drops the `undefined` keys, as `JSON.stringify` does.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JsObject {
    entries: Vec<(String, Option<Json>)>,
}

impl JsObject {
    /// An empty object.
    pub fn new() -> Self {
        JsObject::default()
    }

    /// The object's own keys as JSON would have them (top-level entries, in order).
    pub fn from_map(map: Map<String, Json>) -> Self {
        JsObject {
            entries: map.into_iter().map(|(k, v)| (k, Some(v))).collect(),
        }
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| k == key)
    }

    /// `obj[key] = value`: an existing key keeps its place, a new one goes last.
    pub fn set(&mut self, key: &str, value: Option<Json>) {
        match self.position(key) {
            Some(i) => self.entries[i].1 = value,
            None => self.entries.push((key.to_string(), value)),
        }
    }

    /// `obj[key] = value` for a defined value.
    pub fn put(&mut self, key: &str, value: impl Into<Json>) {
        self.set(key, Some(value.into()));
    }

    /// `obj[key]` (`None` when missing or `undefined`).
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.position(key).and_then(|i| self.entries[i].1.as_ref())
    }

    /// `key in obj` (true for a key holding `undefined`).
    pub fn has(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// `delete obj[key]`.
    pub fn remove(&mut self, key: &str) -> Option<Json> {
        let i = self.position(key)?;
        self.entries.remove(i).1
    }

    /// The entries, in order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, Option<&Json>)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_ref()))
    }

    /// `{...self, ...other}`: other's keys overwrite in place or are appended.
    pub fn spread(&mut self, other: &JsObject) {
        for (k, v) in &other.entries {
            self.set(k, v.clone());
        }
    }

    /// The object as JSON (`undefined` keys left out).
    pub fn to_json(&self) -> Json {
        Json::Object(
            self.entries
                .iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| (k.clone(), v.clone())))
                .collect(),
        )
    }
}

/// lodash `get(path, object)`: the whole dotted `path` as a key when the object has
/// it, else the path split on dots and followed through objects (and array indices).
pub fn lodash_get<'a>(doc: &'a Json, path: &str) -> Option<&'a Json> {
    if let Json::Object(m) = doc {
        if let Some(v) = m.get(path) {
            return Some(v);
        }
    }
    let mut cur = doc;
    for part in path.split('.') {
        cur = match cur {
            Json::Object(m) => m.get(part)?,
            Json::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// [`lodash_get`] on a [`JsObject`] (whose top-level keys may be dotted).
pub fn js_get<'a>(doc: &'a JsObject, path: &str) -> Option<&'a Json> {
    if doc.has(path) {
        return doc.get(path);
    }
    let (first, rest) = path.split_once('.')?;
    lodash_get(doc.get(first)?, rest)
}

/// JavaScript's `Number(string)`: trimmed, empty is 0, decimal with optional exponent,
/// `0x`/`0o`/`0b` integers, `Infinity`; anything else is `NaN` (`None`).
pub fn js_number(s: &str) -> Option<f64> {
    let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if t.is_empty() {
        return Some(0.0);
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = t.strip_prefix(prefix) {
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return None;
            }
            return Some(digits.chars().fold(0.0, |acc, c| {
                acc * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0))
            }));
        }
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if unsigned == "Infinity" {
        return Some(if t.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    // Decimal literal: digits, optional fraction, optional exponent; at least one digit.
    let b = unsigned.as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e') | Some(b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+') | Some(b'-')) {
            i += 1;
        }
        let exp_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp_digits == 0 {
            return None;
        }
        i += exp_digits;
    }
    if i != b.len() {
        return None;
    }
    t.parse::<f64>().ok()
}

/// A JSON number holding `n` as JavaScript would write it: whole numbers without `.0`.
pub fn js_number_json(n: f64) -> Json {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        Json::from(n as i64)
    } else {
        Number::from_f64(n).map_or(Json::Null, Json::Number)
    }
}

/// `String(value)` for the values alert code turns into text (numbers, strings,
/// booleans, `null`, arrays joined with `,`).
pub fn js_string(v: &Json) -> String {
    match v {
        Json::Null => "null".to_string(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => js_number_string(n),
        Json::String(s) => s.clone(),
        Json::Array(a) => a
            .iter()
            .map(|x| match x {
                Json::Null => String::new(),
                other => js_string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        Json::Object(_) => "[object Object]".to_string(),
    }
}

/// A number as JavaScript prints it (`443`, `1.5`).
pub fn js_number_string(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    if f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

/// JavaScript's `===` on JSON values: primitives by value (numbers numerically), objects
/// and arrays never (they are compared by reference, and documents never share one).
pub fn strict_equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Null, Json::Null) => true,
        (Json::Bool(x), Json::Bool(y)) => x == y,
        (Json::String(x), Json::String(y)) => x == y,
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        _ => false,
    }
}

/// lodash `intersection(a, b)`: the distinct values of `a`, in order, also in `b`
/// (SameValueZero: objects and arrays never match).
pub fn lodash_intersection(a: &[Json], b: &[Json]) -> Vec<Json> {
    let mut out: Vec<Json> = Vec::new();
    for x in a {
        if b.iter().any(|y| strict_equal(x, y)) && !out.iter().any(|o| strict_equal(o, x)) {
            out.push(x.clone());
        }
    }
    out
}

/// `flattenWithPrefix(prefix, value)`: plain objects are flattened into dotted keys under
/// `prefix`; anything else (arrays included) is the value of `prefix` itself.
pub fn flatten_with_prefix(prefix: &str, value: &Json, out: &mut Vec<(String, Json)>) {
    match value {
        Json::Object(m) => {
            for (k, v) in m {
                flatten_with_prefix(&format!("{prefix}.{k}"), v, out);
            }
        }
        other => out.push((prefix.to_string(), other.clone())),
    }
}

/// The values Elasticsearch's fields API returns for each field of a document (the
/// `fields` of an EQL hit, requested by Kibana's detection engine as `*` with
/// unmapped fields): every leaf under its dotted path, arrays (of objects too) merged
/// into one list, `null`s left out.
pub fn fields_of(doc: &Json) -> Map<String, Json> {
    let mut out: Map<String, Json> = Map::new();
    fn walk(prefix: &str, v: &Json, out: &mut Map<String, Json>, depth: usize) {
        if depth > 256 {
            return;
        }
        match v {
            Json::Object(m) => {
                for (k, x) in m {
                    let path = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&path, x, out, depth + 1);
                }
            }
            Json::Array(a) => a.iter().for_each(|x| walk(prefix, x, out, depth + 1)),
            Json::Null => {}
            leaf => {
                if let Json::Array(list) = out
                    .entry(prefix.to_string())
                    .or_insert_with(|| Json::Array(Vec::new()))
                {
                    list.push(leaf.clone());
                }
            }
        }
    }
    walk("", doc, &mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_keep_key_places_and_hide_undefined() {
        let mut o = JsObject::new();
        o.put("a", 1);
        o.set("b", None);
        o.put("c", 3);
        o.put("a", 10);
        o.put("b", 2);
        assert_eq!(o.to_json().to_string(), r#"{"a":10,"b":2,"c":3}"#);
        o.set("a", None);
        assert_eq!(o.to_json().to_string(), r#"{"b":2,"c":3}"#);
        assert!(o.has("a"));
    }

    #[test]
    fn lodash_get_prefers_the_whole_dotted_key() {
        let doc = json!({"event.severity": 3, "event": {"severity": 9}, "a": [{"b": 1}]});
        assert_eq!(lodash_get(&doc, "event.severity"), Some(&json!(3)));
        let doc = json!({"event": {"severity": 9}, "a": [{"b": 1}], "x": {"y.z": 1}});
        assert_eq!(lodash_get(&doc, "event.severity"), Some(&json!(9)));
        assert_eq!(lodash_get(&doc, "a.0.b"), Some(&json!(1)));
        assert_eq!(lodash_get(&doc, "a.b"), None);
        assert_eq!(
            lodash_get(&doc, "x.y.z"),
            None,
            "no mixed dotted keys, as lodash"
        );
    }

    #[test]
    fn number_parsing_is_javascripts() {
        for (s, n) in [
            ("12", 12.0),
            (" 12 ", 12.0),
            ("", 0.0),
            ("0x1A", 26.0),
            ("1e3", 1000.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("-7", -7.0),
        ] {
            assert_eq!(js_number(s), Some(n), "{s:?}");
        }
        for s in ["abc", "1_000", "-", "0x", "1e", "-0x10", "12px"] {
            assert_eq!(js_number(s), None, "{s:?}");
        }
        assert_eq!(js_number("Infinity"), Some(f64::INFINITY));
        assert_eq!(js_number_json(73.0), json!(73));
        assert_eq!(js_number_json(45.5), json!(45.5));
    }

    #[test]
    fn intersections_and_fields() {
        assert_eq!(
            lodash_intersection(
                &[json!("a"), json!(1), json!("a"), json!({})],
                &[json!(1.0), json!("a"), json!({})]
            ),
            vec![json!("a"), json!(1)]
        );
        let f = fields_of(
            &json!({"process": {"name": "x", "args": ["a", "b"]}, "n": null,
            "dns": {"answers": [{"data": "1.1.1.1"}, {"data": "2.2.2.2"}]}, "host.name": "h"}),
        );
        assert_eq!(f["process.args"], json!(["a", "b"]));
        assert_eq!(f["dns.answers.data"], json!(["1.1.1.1", "2.2.2.2"]));
        assert_eq!(f["host.name"], json!(["h"]));
        assert!(!f.contains_key("n"));
        assert_eq!(js_string(&json!([443, "a", null, true])), "443,a,,true");
    }
}
