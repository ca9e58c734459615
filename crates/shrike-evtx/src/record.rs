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

use serde_json::{Map, Value};

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
        let event = event_json.get("Event").unwrap_or(event_json);
        let mut rec = Record::default();
        if let Some(system) = event.get("System").and_then(Value::as_object) {
            rec.read_system(system);
        }
        if let Some(data) = event.get("EventData") {
            rec.event_data = data_pairs(data);
        }
        if let Some(Value::Object(user_data)) = event.get("UserData") {
            // The agent keeps the first child element: its name and its own pairs.
            if let Some((name, body)) = user_data.iter().find(|(k, _)| !k.starts_with('#')) {
                rec.user_data = Some((name.clone(), data_pairs(body)));
            }
        }
        rec
    }

    fn read_system(&mut self, system: &Map<String, Value>) {
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

/// An attribute of an element rendered as `{"#attributes": {name: value}}`.
fn attr<'v>(element: &'v Value, name: &str) -> Option<&'v Value> {
    element.get("#attributes")?.get(name)
}

fn attr_str(element: &Value, name: &str) -> Option<String> {
    attr(element, name).and_then(text_string)
}

/// The text of an element: the value itself, or its `#text` when it also has attributes.
fn text(v: &Value) -> &Value {
    match v {
        Value::Object(o) => o.get("#text").unwrap_or(&Value::Null),
        other => other,
    }
}

fn text_string(v: &Value) -> Option<String> {
    scalar_string(text(v)).filter(|s| !s.is_empty())
}

/// An unsigned number from a JSON number or a decimal / `0x` hexadecimal string.
fn text_u64(v: &Value) -> Option<u64> {
    match text(v) {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => parse_u64(s),
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
fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// The pairs of an `EventData` or `UserData` child element, with Winlogbeat's rules.
fn data_pairs(data: &Value) -> Vec<(String, String)> {
    let Value::Object(map) = data else {
        return Vec::new();
    };
    // (name or None for unnamed, raw value) in document order; positions count every child.
    let mut raw: Vec<(Option<&str>, Option<String>)> = Vec::new();
    for (key, value) in map {
        if key.starts_with('#') {
            continue; // attributes of EventData itself
        }
        if key == "Data" {
            // Unnamed <Data> elements: one value or a list of them, under #text.
            match text(value) {
                Value::Array(items) => {
                    raw.extend(items.iter().map(|i| (None, element_text(i))));
                }
                other => raw.push((None, element_text(other))),
            }
        } else {
            raw.push((Some(key.as_str()), element_text(value)));
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
        out.push((key, remove_windows_line_endings(&value)));
    }
    out
}

/// The character data of a data element: a scalar, or the `#text` of an element with
/// attributes. A list of values (a multi-valued substitution) is joined the way the XML
/// rendering concatenates them.
fn element_text(v: &Value) -> Option<String> {
    match text(v) {
        Value::Array(items) => Some(items.iter().filter_map(scalar_string).collect()),
        other => scalar_string(other),
    }
}

/// `\r\n` → `\n`, then trailing `\n` trimmed (what the agent does to every data value).
pub(crate) fn remove_windows_line_endings(s: &str) -> String {
    let replaced = if s.contains("\r\n") {
        s.replace("\r\n", "\n")
    } else {
        s.to_string()
    };
    let trimmed = replaced.trim_end_matches('\n');
    if trimmed.len() == replaced.len() {
        replaced
    } else {
        trimmed.to_string()
    }
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
    fn empty_system_is_tolerated() {
        let r = Record::from_json(&json!({"Event": {"System": {}}}));
        assert_eq!(r, Record::default());
        let r = Record::from_json(&json!(42));
        assert_eq!(r, Record::default());
    }
}
