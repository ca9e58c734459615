//! The ids Kibana computes with the npm `object-hash` package (default options: SHA-1,
//! hex), for the values Kibana hashes: strings, numbers, `null`, booleans and arrays of
//! them (objects do not occur in the ids shrike needs).
//!
//! `object-hash` feeds the hash a typed serialisation of the value: `string:<length>:<text>`
//! (length in UTF-16 code units, as JavaScript counts), `number:<text>`, `bool:<text>`,
//! `Null`, `Undefined`, and `array:<length>:` followed by each element (arrays keep their
//! order by default).

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
    /// A JSON value (objects are hashed as `Undefined`: not supported).
    Json(&'a Json),
    /// An array.
    Array(&'a [Hashed<'a>]),
}

fn feed(h: &mut Sha1, v: &Hashed<'_>) {
    match v {
        Hashed::Str(s) => {
            h.update(format!("string:{}:", s.encode_utf16().count()).as_bytes());
            h.update(s.as_bytes());
        }
        Hashed::Undefined | Hashed::Json(Json::Object(_)) => h.update(b"Undefined"),
        Hashed::Json(Json::Null) => h.update(b"Null"),
        Hashed::Json(Json::Bool(b)) => h.update(format!("bool:{b}").as_bytes()),
        Hashed::Json(Json::Number(n)) => {
            h.update(format!("number:{}", js_number_string(n)).as_bytes())
        }
        Hashed::Json(Json::String(s)) => feed(h, &Hashed::Str(s)),
        Hashed::Json(Json::Array(items)) => {
            h.update(format!("array:{}:", items.len()).as_bytes());
            for i in items {
                feed(h, &Hashed::Json(i));
            }
        }
        Hashed::Array(items) => {
            h.update(format!("array:{}:", items.len()).as_bytes());
            for i in *items {
                feed(h, i);
            }
        }
    }
}

/// `objectHash(value)`: the SHA-1 of the serialisation, in hex.
pub fn object_hash(value: &Hashed<'_>) -> String {
    let mut h = Sha1::new();
    feed(&mut h, value);
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
}
