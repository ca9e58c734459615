//! One EVTX record as the mapper sees it: the `System` header fields, typed, and the
//! `EventData` / `UserData` values as strings, the way Windows renders them as XML.
//!
//! The `evtx` crate renders a record as JSON (`{"Event": {"System": …, "EventData": …}}`),
//! keeping the binary XML's value types (numbers, booleans). Winlogbeat and Elastic Agent
//! read the XML instead, so every `event_data` value is a string there. [`Record::from_json`]
//! turns the crate's JSON into that string view and applies the agent's rules for data
//! pairs: empty values are dropped, unnamed `<Data>` elements become `param1`, `param2`, …
//! (by position), the first of two same-named values wins, and `\r\n` becomes `\n` with
//! trailing newlines trimmed.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// The typed `System` header and the data pairs of one record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// `System/Provider/@Name` (or `@EventSourceName` for classic event sources).
    pub provider_name: Option<String>,
    /// `System/Provider/@Guid`.
    pub provider_guid: Option<String>,
    /// `System/EventID` (the number, without its `Qualifiers`).
    pub event_id: Option<u32>,
    /// `System/Version`.
    pub version: Option<u64>,
    /// `System/Level`.
    pub level: Option<u64>,
    /// `System/Task`.
    pub task: Option<u64>,
    /// `System/Opcode`.
    pub opcode: Option<u64>,
    /// `System/Keywords`, parsed from its `0x…` text.
    pub keywords: Option<u64>,
    /// `System/TimeCreated/@SystemTime`, exactly as rendered (100 ns precision, `Z`).
    pub time_created: Option<String>,
    /// `System/EventRecordID`: the record's id in the log it was written to. In a filtered
    /// export this differs from the record header's number.
    pub record_id: Option<u64>,
    /// `System/Correlation/@ActivityID`.
    pub activity_id: Option<String>,
    /// `System/Correlation/@RelatedActivityID`.
    pub related_activity_id: Option<String>,
    /// `System/Execution/@ProcessID`.
    pub process_id: Option<u64>,
    /// `System/Execution/@ThreadID`.
    pub thread_id: Option<u64>,
    /// `System/Channel`.
    pub channel: Option<String>,
    /// `System/Computer`.
    pub computer: Option<String>,
    /// `System/Security/@UserID` (a SID).
    pub user_sid: Option<String>,
    /// `EventData` pairs, in document order, after the agent's pair rules.
    pub event_data: Vec<(String, String)>,
    /// `UserData`: the name of its single child element and that element's pairs.
    pub user_data: Option<(String, Vec<(String, String)>)>,
}

impl Record {
    /// Reads a record from the `evtx` crate's JSON rendering (with attributes inline, under
    /// `#attributes`). Missing or oddly shaped parts are left empty rather than rejected: a
    /// damaged record with an empty `System` still maps to a (sparse) document.
    pub fn from_json(event_json: &Value) -> Record {
        Record::from_lite(&Lite::from_value(event_json))
    }

    /// Like [`Record::from_json`], straight from the rendered JSON text (no intermediate
    /// `serde_json::Value`). Fails only when the text is not JSON.
    pub fn from_json_slice(json: &[u8]) -> Result<Record, serde_json::Error> {
        let lite: Lite<'_> = serde_json::from_slice(json)?;
        Ok(Record::from_lite(&lite))
    }

    fn from_lite(event_json: &Lite<'_>) -> Record {
        let event = event_json.get("Event").unwrap_or(event_json);
        let mut rec = Record::default();
        if let Some(system @ Lite::Obj(_)) = event.get("System") {
            rec.read_system(system);
        }
        if let Some(data) = event.get("EventData") {
            rec.event_data = data_pairs(data);
        }
        if let Some(Lite::Obj(user_data)) = event.get("UserData") {
            // The agent keeps the first child element: its name and its own pairs.
            if let Some((name, body)) = user_data.iter().find(|(k, _)| !k.starts_with('#')) {
                rec.user_data = Some((name.to_string(), data_pairs(body)));
            }
        }
        rec
    }

    fn read_system(&mut self, system: &Lite<'_>) {
        if let Some(provider) = system.get("Provider") {
            self.provider_name =
                attr_str(provider, "Name").or_else(|| attr_str(provider, "EventSourceName"));
            self.provider_guid = attr_str(provider, "Guid");
        }
        self.event_id = system
            .get("EventID")
            .and_then(text_u64)
            .and_then(|n| u32::try_from(n).ok());
        self.version = system.get("Version").and_then(text_u64);
        self.level = system.get("Level").and_then(text_u64);
        self.task = system.get("Task").and_then(text_u64);
        self.opcode = system.get("Opcode").and_then(text_u64);
        self.keywords = system.get("Keywords").and_then(text_u64);
        self.time_created = system
            .get("TimeCreated")
            .and_then(|t| attr_str(t, "SystemTime"));
        self.record_id = system.get("EventRecordID").and_then(text_u64);
        if let Some(corr) = system.get("Correlation") {
            self.activity_id = attr_str(corr, "ActivityID");
            self.related_activity_id = attr_str(corr, "RelatedActivityID");
        }
        if let Some(exec) = system.get("Execution") {
            self.process_id = attr(exec, "ProcessID").and_then(text_u64);
            self.thread_id = attr(exec, "ThreadID").and_then(text_u64);
        }
        self.channel = system.get("Channel").and_then(text_string);
        self.computer = system.get("Computer").and_then(text_string);
        self.user_sid = system.get("Security").and_then(|s| attr_str(s, "UserID"));
    }

    /// The value of the first `EventData` pair named `key`.
    pub fn data(&self, key: &str) -> Option<&str> {
        self.event_data
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A JSON tree read once and thrown away: strings borrowed from the input where they have
/// no escapes, objects as vectors. Much cheaper than `serde_json::Value` for this job.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lite<'a> {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(Cow<'a, str>),
    Arr(Vec<Lite<'a>>),
    Obj(Vec<(Cow<'a, str>, Lite<'a>)>),
}

impl<'a> Lite<'a> {
    fn get(&self, key: &str) -> Option<&Lite<'a>> {
        match self {
            Lite::Obj(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn from_value(v: &Value) -> Lite<'static> {
        match v {
            Value::Null => Lite::Null,
            Value::Bool(b) => Lite::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => Lite::U64(u),
                (None, Some(i), _) => Lite::I64(i),
                (None, None, f) => Lite::F64(f.unwrap_or(0.0)),
            },
            Value::String(s) => Lite::Str(Cow::Owned(s.clone())),
            Value::Array(a) => Lite::Arr(a.iter().map(Lite::from_value).collect()),
            Value::Object(o) => Lite::Obj(
                o.iter()
                    .map(|(k, v)| (Cow::Owned(k.clone()), Lite::from_value(v)))
                    .collect(),
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Lite<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LiteVisitor)
    }
}

struct LiteVisitor;

impl<'de> Visitor<'de> for LiteVisitor {
    type Value = Lite<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_unit<E>(self) -> Result<Lite<'de>, E> {
        Ok(Lite::Null)
    }
    fn visit_none<E>(self) -> Result<Lite<'de>, E> {
        Ok(Lite::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Lite<'de>, E> {
        Ok(Lite::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Lite<'de>, E> {
        Ok(Lite::U64(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Lite<'de>, E> {
        Ok(Lite::I64(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Lite<'de>, E> {
        Ok(Lite::F64(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Lite<'de>, E> {
        Ok(Lite::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Lite<'de>, E> {
        Ok(Lite::Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Lite<'de>, E> {
        Ok(Lite::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Lite<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Lite::Arr(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Lite<'de>, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(key) = map.next_key::<CowStr<'de>>()? {
            entries.push((key.0, map.next_value()?));
        }
        Ok(Lite::Obj(entries))
    }
}

/// A map key, borrowed when it has no escapes.
struct CowStr<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for CowStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CowStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<CowStr<'de>, E> {
                Ok(CowStr(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<CowStr<'de>, E> {
                Ok(CowStr(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<CowStr<'de>, E> {
                Ok(CowStr(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// An attribute of an element rendered as `{"#attributes": {name: value}}`.
fn attr<'v, 'a>(element: &'v Lite<'a>, name: &str) -> Option<&'v Lite<'a>> {
    element.get("#attributes")?.get(name)
}

fn attr_str(element: &Lite<'_>, name: &str) -> Option<String> {
    attr(element, name).and_then(text_string)
}

/// The text of an element: the value itself, or its `#text` when it also has attributes.
fn text<'v, 'a>(v: &'v Lite<'a>) -> &'v Lite<'a> {
    match v {
        Lite::Obj(_) => v.get("#text").unwrap_or(&Lite::Null),
        other => other,
    }
}

fn text_string(v: &Lite<'_>) -> Option<String> {
    scalar_string(text(v)).filter(|s| !s.is_empty())
}

/// An unsigned number from a JSON number or a decimal / `0x` hexadecimal string.
fn text_u64(v: &Lite<'_>) -> Option<u64> {
    match text(v) {
        Lite::U64(n) => Some(*n),
        Lite::I64(n) => u64::try_from(*n).ok(),
        Lite::Str(s) => parse_u64(s),
        _ => None,
    }
}

/// Parses a decimal or `0x`-prefixed hexadecimal unsigned number.
pub(crate) fn parse_u64(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// A scalar as the XML rendering would show it. Arrays and objects have no scalar text.
fn scalar_string(v: &Lite<'_>) -> Option<String> {
    match v {
        Lite::Str(s) => Some(s.to_string()),
        Lite::U64(n) => Some(n.to_string()),
        Lite::I64(n) => Some(n.to_string()),
        Lite::F64(n) => Some(
            serde_json::Number::from_f64(*n).map_or_else(|| n.to_string(), |num| num.to_string()),
        ),
        Lite::Bool(b) => Some(b.to_string()),
        Lite::Null | Lite::Arr(_) | Lite::Obj(_) => None,
    }
}

/// The pairs of an `EventData` or `UserData` child element, with Winlogbeat's rules.
fn data_pairs(data: &Lite<'_>) -> Vec<(String, String)> {
    let Lite::Obj(map) = data else {
        return Vec::new();
    };
    // (name or None for unnamed, raw value) in document order; positions count every child.
    let mut raw: Vec<(Option<&str>, Option<String>)> = Vec::with_capacity(map.len());
    for (key, value) in map {
        if key.starts_with('#') {
            continue; // attributes of EventData itself
        }
        if key == "Data" {
            // Unnamed <Data> elements: one value or a list of them, under #text.
            match text(value) {
                Lite::Arr(items) => {
                    raw.extend(items.iter().map(|i| (None, element_text(i))));
                }
                other => raw.push((None, element_text(other))),
            }
        } else {
            raw.push((Some(key), element_text(value)));
        }
    }
    let mut out: Vec<(String, String)> = Vec::with_capacity(raw.len());
    for (i, (name, value)) in raw.into_iter().enumerate() {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            continue;
        };
        let key = match name {
            Some(k) if !k.is_empty() => k.to_string(),
            _ => format!("param{}", i + 1),
        };
        if out.iter().any(|(k, _)| *k == key) {
            continue; // the agent keeps the first of duplicate keys
        }
        out.push((key, remove_windows_line_endings(value)));
    }
    out
}

/// The character data of a data element: a scalar, or the `#text` of an element with
/// attributes. A list of values (a multi-valued substitution) is joined the way the XML
/// rendering concatenates them.
fn element_text(v: &Lite<'_>) -> Option<String> {
    match text(v) {
        Lite::Arr(items) => Some(items.iter().filter_map(scalar_string).collect()),
        other => scalar_string(other),
    }
}

/// `\r\n` → `\n`, then trailing `\n` trimmed (what the agent does to every data value).
pub(crate) fn remove_windows_line_endings(s: String) -> String {
    let mut s = if s.contains("\r\n") {
        s.replace("\r\n", "\n")
    } else {
        s
    };
    let keep = s.trim_end_matches('\n').len();
    s.truncate(keep);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_system_and_named_data() {
        let v = json!({"Event": {"System": {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Security-Auditing", "Guid": "{5484}"}},
            "EventID": 4624, "Version": 1, "Level": 0, "Task": 12544, "Opcode": 0,
            "Keywords": "0x8020000000000000",
            "TimeCreated": {"#attributes": {"SystemTime": "2019-03-19T00:02:04.1796238Z"}},
            "EventRecordID": 566823, "Correlation": null,
            "Execution": {"#attributes": {"ProcessID": 452, "ThreadID": 2836}},
            "Channel": "Security", "Computer": "WIN", "Security": null},
            "EventData": {"LogonType": 3, "IpPort": "49236", "Empty": "", "Flag": true,
                          "List": "a\r\n\tb\r\n"}}});
        let r = Record::from_json(&v);
        assert_eq!(r.event_id, Some(4624));
        assert_eq!(r.keywords, Some(0x8020_0000_0000_0000));
        assert_eq!(r.record_id, Some(566_823));
        assert_eq!(r.process_id, Some(452));
        assert_eq!(r.user_sid, None);
        assert_eq!(r.data("LogonType"), Some("3"));
        assert_eq!(r.data("Flag"), Some("true"));
        assert_eq!(r.data("Empty"), None);
        assert_eq!(r.data("List"), Some("a\n\tb"));
    }

    #[test]
    fn event_id_with_qualifiers_and_unnamed_data() {
        let v = json!({"Event": {"System": {
            "EventID": {"#attributes": {"Qualifiers": 16384}, "#text": 7045}},
            "EventData": {"Data": {"#text": ["one", "", "three"]}, "Binary": "D906"}}});
        let r = Record::from_json(&v);
        assert_eq!(r.event_id, Some(7045));
        let keys: Vec<&str> = r.event_data.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["param1", "param3", "Binary"]);
    }

    #[test]
    fn user_data_keeps_element_name() {
        let v = json!({"Event": {"UserData": {"LogFileCleared": {
            "#attributes": {"xmlns": "x"}, "SubjectUserName": "bob", "BackupPath": null}}}});
        let r = Record::from_json(&v);
        let (name, pairs) = r.user_data.expect("user data");
        assert_eq!(name, "LogFileCleared");
        assert_eq!(
            pairs,
            vec![("SubjectUserName".to_string(), "bob".to_string())]
        );
    }

    #[test]
    fn text_and_value_paths_agree() {
        let v = json!({"Event": {"System": {"EventID": 1, "Channel": "C", "Keywords": "0x10"},
            "EventData": {"A": "x\\\"y", "B": 2.5, "C": -3}}});
        let text = serde_json::to_vec(&v).expect("json");
        let a = Record::from_json(&v);
        let b = Record::from_json_slice(&text).expect("parses");
        assert_eq!(a, b);
        assert_eq!(b.data("A"), Some("x\\\"y"));
        assert_eq!(b.data("B"), Some("2.5"));
        assert_eq!(b.data("C"), Some("-3"));
        assert!(Record::from_json_slice(b"{oops").is_err());
    }

    #[test]
    fn empty_system_is_tolerated() {
        let r = Record::from_json(&json!({"Event": {"System": {}}}));
        assert_eq!(r, Record::default());
        let r = Record::from_json(&json!(42));
        assert_eq!(r, Record::default());
    }
}
