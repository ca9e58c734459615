//! The ids Kibana computes with the npm `object-hash` package (version 3, default
//! options: SHA-1, hex), for the values Kibana hashes: strings, numbers, `null`,
//! booleans, arrays, plain objects (`{field, value}` suppression terms) and `Date`s.
//!
//! `object-hash` feeds the hash a typed serialisation of the value: `string:<length>:<text>`
//! (length in UTF-16 code units, as JavaScript counts), `number:<text>`, `bool:<text>`,
//! `Null`, `Undefined`, `date:<toJSON()>`, `array:<length>:` followed by each element
//! (arrays keep their order by default), and for a plain object
//! `object:<n>:` followed by `<key>:<value>,` for its sorted keys, after the three
//! "type" keys it always adds first: `prototype` (undefined on a plain object),
//! `__proto__` (`Object.prototype`, itself serialised as an object whose `constructor`
//! is the native `Object` function) and `constructor` (`Object`). Every object, array
//! and date it meets is remembered in visiting order; meeting one again writes the
//! string `[CIRCULAR:<position>]` instead. So the second plain object of a hash refers
//! back to the `Object.prototype` and `Object` met while hashing the first.

use super::js::js_number_string;
use serde_json::Value as Json;
use sha1::{Digest, Sha1};

/// A value to hash.
#[derive(Clone, Copy, Debug)]
pub enum Hashed<'a> {
    /// A JavaScript string.
    Str(&'a str),
    /// `undefined`.
    Undefined,
    /// A JSON value (objects are plain JavaScript objects).
    Json(&'a Json),
    /// An array.
    Array(&'a [Hashed<'a>]),
    /// A plain object (`{…}` literal): its keys and values, in any order.
    Object(&'a [(&'a str, Hashed<'a>)]),
    /// A JavaScript `Date`, nanoseconds since the epoch (serialised with milliseconds).
    Date(i64),
}

/// The objects `object-hash` has met, for its circular-reference check.
#[derive(Default)]
struct Context {
    /// Objects, arrays and dates visited so far.
    len: usize,
    /// Position of `Object.prototype`, once visited.
    prototype: Option<usize>,
    /// Position of the `Object` function, once visited.
    object_fn: Option<usize>,
}

impl Context {
    fn push(&mut self) -> usize {
        self.len += 1;
        self.len - 1
    }
}

fn string(h: &mut Sha1, s: &str) {
    h.update(format!("string:{}:", s.encode_utf16().count()).as_bytes());
    h.update(s.as_bytes());
}

fn circular(h: &mut Sha1, at: usize) {
    string(h, &format!("[CIRCULAR:{at}]"));
}

/// The native `Object` function: `fn:`, `[native]`, its name, then its own (empty)
/// object serialisation, or a back-reference once met.
fn object_function(h: &mut Sha1, cx: &mut Context) {
    h.update(b"fn:");
    string(h, "[native]");
    string(h, "function-name:Object");
    match cx.object_fn {
        Some(at) => circular(h, at),
        None => {
            cx.object_fn = Some(cx.push());
            h.update(b"object:0:");
        }
    }
}

/// `Object.prototype`: an object whose keys are only the three type keys.
fn object_prototype(h: &mut Sha1, cx: &mut Context) {
    if let Some(at) = cx.prototype {
        return circular(h, at);
    }
    cx.prototype = Some(cx.push());
    h.update(b"object:3:");
    string(h, "prototype");
    h.update(b":Undefined,");
    string(h, "__proto__");
    h.update(b":Null,");
    string(h, "constructor");
    h.update(b":");
    object_function(h, cx);
    h.update(b",");
}

/// A plain object: the three type keys, then its keys in JavaScript's sort order.
fn plain_object<'v>(
    h: &mut Sha1,
    cx: &mut Context,
    entries: impl Iterator<Item = (&'v str, Hashed<'v>)>,
) {
    cx.push();
    let mut entries: Vec<(&str, Hashed<'_>)> = entries.collect();
    entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
    h.update(format!("object:{}:", entries.len() + 3).as_bytes());
    string(h, "prototype");
    h.update(b":Undefined,");
    string(h, "__proto__");
    h.update(b":");
    object_prototype(h, cx);
    h.update(b",");
    string(h, "constructor");
    h.update(b":");
    object_function(h, cx);
    h.update(b",");
    for (k, v) in entries {
        string(h, k);
        h.update(b":");
        feed(h, cx, &v);
        h.update(b",");
    }
}

fn feed(h: &mut Sha1, cx: &mut Context, v: &Hashed<'_>) {
    match v {
        Hashed::Str(s) => string(h, s),
        Hashed::Undefined => h.update(b"Undefined"),
        Hashed::Json(Json::Null) => h.update(b"Null"),
        Hashed::Json(Json::Bool(b)) => h.update(format!("bool:{b}").as_bytes()),
        Hashed::Json(Json::Number(n)) => {
            h.update(format!("number:{}", js_number_string(n)).as_bytes())
        }
        Hashed::Json(Json::String(s)) => string(h, s),
        Hashed::Json(Json::Array(items)) => {
            cx.push();
            h.update(format!("array:{}:", items.len()).as_bytes());
            for i in items {
                feed(h, cx, &Hashed::Json(i));
            }
        }
        Hashed::Json(Json::Object(map)) => plain_object(
            h,
            cx,
            map.iter().map(|(k, v)| (k.as_str(), Hashed::Json(v))),
        ),
        Hashed::Array(items) => {
            cx.push();
            h.update(format!("array:{}:", items.len()).as_bytes());
            for i in *items {
                feed(h, cx, i);
            }
        }
        Hashed::Object(entries) => plain_object(h, cx, entries.iter().copied()),
        Hashed::Date(nanos) => {
            cx.push();
            let millis = nanos.div_euclid(1_000_000) * 1_000_000;
            h.update(format!("date:{}", shrike_ir::date::format_iso(millis, false)).as_bytes());
        }
    }
}

/// `objectHash(value)`: the SHA-1 of the serialisation, in hex.
pub fn object_hash(value: &Hashed<'_>) -> String {
    let mut h = Sha1::new();
    feed(&mut h, &mut Context::default(), value);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serialisation_is_typed_and_ordered() {
        // Values checked against the serialisation rules: the hash of `array:2:string:1:a
        // number:1` differs from the same items in the other order or with other types.
        let a = [Hashed::Str("a"), Hashed::Json(&json!(1))];
        let b = [Hashed::Json(&json!(1)), Hashed::Str("a")];
        let c = [Hashed::Str("a"), Hashed::Str("1")];
        let ha = object_hash(&Hashed::Array(&a));
        assert_eq!(ha.len(), 40);
        assert_ne!(ha, object_hash(&Hashed::Array(&b)));
        assert_ne!(ha, object_hash(&Hashed::Array(&c)));
        // SHA-1 of the serialised text itself.
        let mut h = Sha1::new();
        h.update(b"array:2:string:1:anumber:1");
        let direct: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(ha, direct);
        // Lengths count UTF-16 code units.
        let mut h = Sha1::new();
        h.update("string:2:😀".as_bytes());
        let direct: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(object_hash(&Hashed::Str("😀")), direct);
    }

    /// Hashes computed with `object-hash` 3.0.0 under Node.js 20 for the values of
    /// Kibana's suppressed-alert ids: plain objects (the second refers back to
    /// `Object.prototype` and `Object` met in the first) and dates.
    #[test]
    fn objects_and_dates_hash_as_object_hash_does() {
        let terms =
            json!([{"field": "host.name", "value": "h1"}, {"field": "user.name", "value": null}]);
        const M: i64 = 60_000_000_000;
        let t0 = 1_714_557_600_000_000_000; // 2024-05-01T10:00:00Z
        let id = [
            Hashed::Str("idx"),
            Hashed::Str("id1"),
            Hashed::Str("undefined"),
            Hashed::Str("default:rule"),
            Hashed::Json(&terms),
            Hashed::Date(t0),
            Hashed::Date(t0 + 5 * M),
        ];
        assert_eq!(
            object_hash(&Hashed::Array(&id)),
            "53caa21c5ad0773618a508b46040305152dfc548"
        );
        let instance = [
            Hashed::Json(&terms),
            Hashed::Str("rule"),
            Hashed::Str("default"),
        ];
        assert_eq!(
            object_hash(&Hashed::Array(&instance)),
            "59780c09f6813bace9cc4452984b6ae136354d1e"
        );
        // `Hashed::Object` and a JSON object serialise alike.
        let obj = [
            ("value", Hashed::Str("h1")),
            ("field", Hashed::Str("host.name")),
        ];
        assert_eq!(
            object_hash(&Hashed::Object(&obj)),
            object_hash(&Hashed::Json(&json!({"field": "host.name", "value": "h1"})))
        );
    }
}
