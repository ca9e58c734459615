//! Typed values: IR constants, field values read from events, function results.
//!
//! A value carries the domain its field type gives it: a `date` field yields
//! [`Value::Date`] (nanoseconds), an `ip` field [`Value::Ip`], a `version` field
//! [`Value::Version`], a `keyword` field [`Value::Str`]. Lowering converts constants to the
//! domain of the field they are compared with, so evaluation compares like with like.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;

/// A value in evaluation. `Null` is SQL-like: comparisons with it are unknown.
#[derive(Clone, Debug)]
pub enum Value {
    /// Missing, or `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// Integers (`long`, `integer`, `short`, `byte`).
    Int(i64),
    /// Floating point (`double`, `float`, `half_float`, `scaled_float`).
    Float(f64),
    /// Strings (`keyword`, `wildcard`, `constant_keyword`, a text field's keyword sub-field).
    Str(String),
    /// `date` / `date_nanos`: nanoseconds since the epoch.
    Date(i64),
    /// `ip`.
    Ip(IpAddr),
    /// `version`: semantic-version ordering, exact-string equality.
    Version(String),
}

impl Value {
    /// Whether this is `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The string form used by `string()`, `concat()` and pattern matching of non-string
    /// values. `None` for `Null`.
    pub fn to_text(&self) -> Option<String> {
        Some(match self {
            Value::Null => return None,
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format_float(*f),
            Value::Str(s) | Value::Version(s) => s.clone(),
            Value::Date(n) => crate::date::format_iso(*n, n % 1_000_000 != 0),
            Value::Ip(ip) => ip.to_string(),
        })
    }

    /// A number as `f64`, for arithmetic and numeric comparison.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The name of the value's kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::Date(_) => "date",
            Value::Ip(_) => "ip",
            Value::Version(_) => "version",
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Int(_) | Value::Float(_) => 2,
            Value::Date(_) => 3,
            Value::Ip(_) => 4,
            Value::Str(_) => 5,
            Value::Version(_) => 6,
        }
    }
}

/// Formats a double the way Java's `Double.toString` does for ordinary magnitudes
/// (`7.5`, `41.0`), which is what Elasticsearch prints.
pub fn format_float(f: f64) -> String {
    if f.is_finite() && f == f.trunc() && f.abs() < 1e7 {
        format!("{f:.1}")
    } else if f.is_nan() {
        "NaN".to_string()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else {
        format!("{f}")
    }
}

/// Compares two values of comparable kinds: numbers with numbers, strings with strings
/// (bytewise, i.e. case-sensitively), dates, ips, versions (semantic order), booleans.
/// `None` when either is null or the kinds differ.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            a.as_f64()?.partial_cmp(&b.as_f64()?)
        }
        (Value::Str(x), Value::Str(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Ip(x), Value::Ip(y)) => Some(ip_cmp(x, y)),
        (Value::Version(x), Value::Version(y)) => Some(crate::version::compare(x, y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        // A version field compared with a string constant that lowering could not type.
        (Value::Version(x), Value::Str(y)) | (Value::Str(x), Value::Version(y)) => {
            let o = crate::version::compare(x, y);
            Some(if matches!(a, Value::Version(_)) {
                o
            } else {
                o.reverse()
            })
        }
        _ => None,
    }
}

/// Equality for `==` and `in`: versions compare as exact strings; numbers numerically.
/// `None` when either is null or the kinds differ.
pub fn equals(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Version(x), Value::Version(y))
        | (Value::Version(x), Value::Str(y))
        | (Value::Str(x), Value::Version(y)) => Some(x == y),
        _ => compare(a, b).map(|o| o == Ordering::Equal),
    }
}

fn ip_cmp(a: &IpAddr, b: &IpAddr) -> Ordering {
    // Elasticsearch stores every ip as 16 bytes (IPv4 mapped into IPv6).
    let key = |ip: &IpAddr| match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    };
    key(a).cmp(&key(b))
}

/// Join-key identity: same kind and same value (`1234` the long is not `1234.0` the
/// double, as in Elasticsearch's sequence keys).
impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Str(a), Value::Str(b)) | (Value::Version(a), Value::Version(b)) => a == b,
            (Value::Date(a), Value::Date(b)) => a == b,
            (Value::Ip(a), Value::Ip(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.rank().hash(state);
        match self {
            Value::Null => {}
            Value::Bool(b) => b.hash(state),
            Value::Int(i) => {
                0u8.hash(state);
                i.hash(state)
            }
            Value::Float(f) => {
                1u8.hash(state);
                f.to_bits().hash(state)
            }
            Value::Str(s) | Value::Version(s) => s.hash(state),
            Value::Date(d) => d.hash(state),
            Value::Ip(ip) => ip.hash(state),
        }
    }
}

/// Sort order of join keys (samples): nulls first, then by kind, then by value.
impl Ord for Value {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank()
            .cmp(&other.rank())
            .then_with(|| match (self, other) {
                (Value::Float(a), Value::Float(b)) => a.total_cmp(b),
                _ => compare(self, other).unwrap_or(Ordering::Equal),
            })
    }
}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_across_int_and_float() {
        assert_eq!(equals(&Value::Int(4), &Value::Float(4.0)), Some(true));
        assert_eq!(
            compare(&Value::Int(4), &Value::Float(4.5)),
            Some(Ordering::Less)
        );
        assert_eq!(equals(&Value::Null, &Value::Int(1)), None);
        assert_eq!(equals(&Value::Str("1".into()), &Value::Int(1)), None);
    }

    #[test]
    fn strings_compare_case_sensitively() {
        // 's' (0x73) sorts after 'S' (0x53).
        assert_eq!(
            compare(&Value::Str("system".into()), &Value::Str("System".into())),
            Some(Ordering::Greater)
        );
    }

    #[test]
    fn key_identity_distinguishes_kinds() {
        assert_ne!(Value::Int(1), Value::Float(1.0));
        assert!(Value::Null < Value::Str("a".into()));
        assert_eq!(format_float(7.5), "7.5");
        assert_eq!(format_float(41.0), "41.0");
    }
}
