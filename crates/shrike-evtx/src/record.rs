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

use serde_json::Value;

use crate::json::{self, JStr, Json};

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
        let text = event_json.to_string();
        Record::from_json_slice(text.as_bytes()).unwrap_or_default()
    }

    /// Like [`Record::from_json`], from the rendered JSON text. Fails only when the text
    /// is not JSON.
    pub fn from_json_slice(json: &[u8]) -> Result<Record, String> {
        let text = std::str::from_utf8(json).map_err(|e| e.to_string())?;
        let tree = json::parse(text).map_err(|e| e.to_string())?;
        Ok(RawRecord::from_json(&tree).to_record())
    }

    /// The value of the first `EventData` pair named `key`.
    pub fn data(&self, key: &str) -> Option<&str> {
        self.event_data
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A data pair: key text, value escaped as in JSON.
pub(crate) type Pair<'a> = (Cow<'a, str>, Cow<'a, str>);

/// A record read from its rendered JSON without copying: text fields are slices of the
/// JSON text, still escaped.
#[derive(Debug, Default)]
pub(crate) struct RawRecord<'a> {
    pub provider_name: Option<JStr<'a>>,
    pub provider_guid: Option<JStr<'a>>,
    pub event_id: Option<u32>,
    pub version: Option<u64>,
    pub level: Option<u64>,
    pub task: Option<u64>,
    pub opcode: Option<u64>,
    pub keywords: Option<u64>,
    pub time_created: Option<JStr<'a>>,
    pub record_id: Option<u64>,
    pub activity_id: Option<JStr<'a>>,
    pub related_activity_id: Option<JStr<'a>>,
    pub process_id: Option<u64>,
    pub thread_id: Option<u64>,
    pub channel: Option<JStr<'a>>,
    pub computer: Option<JStr<'a>>,
    pub user_sid: Option<JStr<'a>>,
    /// `EventData` pairs.
    pub event_data: Vec<Pair<'a>>,
    /// `UserData`: its element's name and pairs.
    pub user_data: Option<(Cow<'a, str>, Vec<Pair<'a>>)>,
}

impl<'a> RawRecord<'a> {
    /// Reads a record from the parsed rendering.
    pub(crate) fn from_json(event_json: &Json<'a>) -> RawRecord<'a> {
        let event = event_json.get("Event").unwrap_or(event_json);
        let mut rec = RawRecord::default();
        if let Some(system @ Json::Obj(_)) = event.get("System") {
            rec.read_system(system);
        }
        if let Some(data) = event.get("EventData") {
            rec.event_data = data_pairs(data);
        }
        if let Some(Json::Obj(user_data)) = event.get("UserData") {
            // The agent keeps the first child element: its name and its own pairs.
            if let Some((name, body)) = user_data.iter().find(|(k, _)| !k.raw.starts_with('#')) {
                rec.user_data = Some((name.text(), data_pairs(body)));
            }
        }
        rec
    }

    fn read_system(&mut self, system: &Json<'a>) {
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
        self.channel = system.get("Channel").and_then(text_jstr);
        self.computer = system.get("Computer").and_then(text_jstr);
        self.user_sid = system.get("Security").and_then(|s| attr_str(s, "UserID"));
    }

    /// The record with its text decoded and owned.
    pub(crate) fn to_record(&self) -> Record {
        let t = |s: &Option<JStr<'_>>| s.map(|j| j.text().into_owned());
        let pairs = |p: &[Pair<'_>]| {
            p.iter()
                .map(|(k, v)| (k.to_string(), json::unescape(v)))
                .collect()
        };
        Record {
            provider_name: t(&self.provider_name),
            provider_guid: t(&self.provider_guid),
            event_id: self.event_id,
            version: self.version,
            level: self.level,
            task: self.task,
            opcode: self.opcode,
            keywords: self.keywords,
            time_created: t(&self.time_created),
            record_id: self.record_id,
            activity_id: t(&self.activity_id),
            related_activity_id: t(&self.related_activity_id),
            process_id: self.process_id,
            thread_id: self.thread_id,
            channel: t(&self.channel),
            computer: t(&self.computer),
            user_sid: t(&self.user_sid),
            event_data: pairs(&self.event_data),
            user_data: self
                .user_data
                .as_ref()
                .map(|(n, p)| (n.to_string(), pairs(p))),
        }
    }
}

/// An attribute of an element rendered as `{"#attributes": {name: value}}`.
fn attr<'v, 'a>(element: &'v Json<'a>, name: &str) -> Option<&'v Json<'a>> {
    element.get("#attributes")?.get(name)
}

fn attr_str<'a>(element: &Json<'a>, name: &str) -> Option<JStr<'a>> {
    attr(element, name).and_then(text_jstr)
}

/// The text of an element: the value itself, or its `#text` when it also has attributes.
fn text<'v, 'a>(v: &'v Json<'a>) -> &'v Json<'a> {
    match v {
        Json::Obj(_) => v.get("#text").unwrap_or(&Json::Null),
        other => other,
    }
}

/// A non-empty string element (numbers and booleans are not names).
fn text_jstr<'a>(v: &Json<'a>) -> Option<JStr<'a>> {
    match text(v) {
        Json::Str(s) if !s.raw.is_empty() => Some(*s),
        Json::Num(n) => Some(JStr {
            raw: n,
            escaped: false,
        }),
        _ => None,
    }
}

/// An unsigned number from a JSON number or a decimal / `0x` hexadecimal string.
fn text_u64(v: &Json<'_>) -> Option<u64> {
    match text(v) {
        Json::Num(n) => n.parse().ok(),
        Json::Str(s) => parse_u64(&s.text()),
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

/// A scalar as the XML rendering would show it, escaped as in JSON. Arrays and objects
/// have no scalar text.
fn scalar_escaped<'a>(v: &Json<'a>) -> Option<Cow<'a, str>> {
    match v {
        Json::Str(s) => Some(Cow::Borrowed(s.raw)),
        Json::Num(n) => Some(Cow::Borrowed(n)),
        Json::Bool(true) => Some(Cow::Borrowed("true")),
        Json::Bool(false) => Some(Cow::Borrowed("false")),
        Json::Null | Json::Arr(_) | Json::Obj(_) => None,
    }
}

/// The pairs of an `EventData` or `UserData` child element, with Winlogbeat's rules.
fn data_pairs<'a>(data: &Json<'a>) -> Vec<Pair<'a>> {
    let Json::Obj(map) = data else {
        return Vec::new();
    };
    // (name or None for unnamed, raw value) in document order; positions count every child.
    type Unnamed<'a> = (Option<Cow<'a, str>>, Option<Cow<'a, str>>);
    let mut raw: Vec<Unnamed<'a>> = Vec::with_capacity(map.len());
    for (key, value) in map {
        if key.raw.starts_with('#') {
            continue; // attributes of EventData itself
        }
        if key.is("Data") {
            // Unnamed <Data> elements: one value or a list of them, under #text.
            match text(value) {
                Json::Arr(items) => raw.extend(items.iter().map(|i| (None, element_text(i)))),
                other => raw.push((None, element_text(other))),
            }
        } else {
            raw.push((Some(key.text()), element_text(value)));
        }
    }
    let mut out: Vec<Pair<'a>> = Vec::with_capacity(raw.len());
    for (i, (name, value)) in raw.into_iter().enumerate() {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            continue;
        };
        let key = match name {
            Some(k) if !k.is_empty() => k,
            _ => Cow::Owned(format!("param{}", i + 1)),
        };
        if out.iter().any(|(k, _)| *k == key) {
            continue; // the agent keeps the first of duplicate keys
        }
        out.push((key, remove_windows_line_endings(value)));
    }
    out
}

/// The character data of a data element, escaped: a scalar, or the `#text` of an element
/// with attributes. A list of values (a multi-valued substitution) is joined the way the
/// XML rendering concatenates them.
fn element_text<'a>(v: &Json<'a>) -> Option<Cow<'a, str>> {
    match text(v) {
        Json::Arr(items) => Some(Cow::Owned(
            items.iter().filter_map(scalar_escaped).collect::<String>(),
        )),
        other => scalar_escaped(other),
    }
}

/// On escaped text: `\r\n` → `\n`, then trailing `\n` escapes trimmed (what the agent
/// does to every data value, on the decoded text).
pub(crate) fn remove_windows_line_endings(esc: Cow<'_, str>) -> Cow<'_, str> {
    if !esc.contains("\\r") && !esc.ends_with("\\n") {
        return esc; // the common case: nothing to do
    }
    // Walk escape by escape so that an escaped backslash followed by `r` is not taken
    // for a carriage return.
    let b = esc.as_bytes();
    let mut out = String::with_capacity(esc.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 >= b.len() {
            out.push('\\');
            i += 1;
        } else if b[i] == b'\\' {
            let n = if b[i + 1] == b'u' { 6 } else { 2 };
            let token = esc.get(i..(i + n).min(b.len())).unwrap_or("");
            if token == "\\r" && esc.get(i + 2..i + 4) == Some("\\n") {
                out.push_str("\\n");
                i += 4;
            } else {
                out.push_str(token);
                i += n.max(1);
            }
        } else {
            let next = esc[i..].find('\\').map_or(b.len(), |k| i + k);
            out.push_str(&esc[i..next]);
            i = next;
        }
    }
    // Trim trailing newline escapes (a real `\n` escape, not `\\` followed by `n`).
    loop {
        let trailing_slashes = out
            .strip_suffix('n')
            .map(|head| head.len() - head.trim_end_matches('\\').len());
        match trailing_slashes {
            Some(k) if k % 2 == 1 => {
                out.truncate(out.len() - 2);
            }
            _ => break,
        }
    }
    Cow::Owned(out)
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
    fn line_endings_on_escaped_text() {
        let f = |s: &str| remove_windows_line_endings(Cow::Borrowed(s)).into_owned();
        assert_eq!(f(r"a\r\nb\r\n\n"), r"a\nb");
        assert_eq!(f(r"C:\\r\\n"), r"C:\\r\\n");
        assert_eq!(f(r"x\\n"), r"x\\n");
        assert_eq!(f(r"x\\\n"), r"x\\");
        assert_eq!(f(r"\u0041\r\n"), r"\u0041");
        assert_eq!(f("plain"), "plain");
    }

    #[test]
    fn empty_system_is_tolerated() {
        let r = Record::from_json(&json!({"Event": {"System": {}}}));
        assert_eq!(r, Record::default());
        let r = Record::from_json(&json!(42));
        assert_eq!(r, Record::default());
    }
}
