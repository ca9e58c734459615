//! `kibana.alert.reason`: the sentence Kibana writes on every detection alert
//! (`buildReasonMessageUtil`), for example
//! `process event with process cmd.exe, parent process winword.exe, by alice on ws-01
//! created high alert Shell from Office.`
//!
//! Kibana reads the fields from the hit's `fields` (the fields API response, so every
//! value is a list) when there is one, else from the document itself; a field that is
//! missing, empty, not a string or list (a bare number), or the single value `-` is left
//! out. The words are put together by an ICU message template; this is that template
//! written out.

use super::js::{js_string, lodash_get};
use serde_json::Value as Json;

/// The reason for an alert named `name` with `severity`, from the document Kibana would
/// read (`fields` of an event hit, or a sequence's merged building blocks).
pub fn reason(name: &str, severity: &str, doc: &Json) -> String {
    let mut interesting = false;
    let mut value = |path: &str, of_interest: bool| -> Option<String> {
        let v = lodash_get(doc, path)?;
        let text = match v {
            Json::String(s) if !s.is_empty() => s.clone(),
            Json::Array(a) if !a.is_empty() => {
                if a.len() == 1 && a[0] == Json::String("-".into()) {
                    return None;
                }
                a.iter()
                    .map(|x| match x {
                        Json::Null => String::new(),
                        other => js_string(other),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            }
            _ => return None,
        };
        if text == "-" {
            return None;
        }
        if of_interest {
            interesting = true;
        }
        Some(text)
    };
    let destination_address = value("destination.ip", true);
    let destination_port = value("destination.port", true);
    let event_category = value("event.category", false);
    let file_name = value("file.name", true);
    let host_name = value("host.name", false);
    let process_name = value("process.name", true);
    let process_parent_name = value("process.parent.name", true);
    let source_address = value("source.ip", true);
    let source_port = value("source.port", true);
    let user_name = value("user.name", false);

    let mut s = String::new();
    if let Some(c) = event_category {
        s.push_str(&c);
        s.push(' ');
    }
    s.push_str("event");
    if interesting {
        s.push_str(" with");
    }
    if let Some(p) = process_name {
        s.push_str(&format!(" process {p},"));
    }
    if let Some(p) = process_parent_name {
        s.push_str(&format!(" parent process {p},"));
    }
    if let Some(f) = file_name {
        s.push_str(&format!(" file {f},"));
    }
    if let Some(a) = source_address {
        s.push_str(&format!(" source {a}"));
    }
    if let Some(p) = source_port {
        s.push_str(&format!(":{p},"));
    }
    if let Some(a) = destination_address {
        s.push_str(&format!(" destination {a}"));
    }
    if let Some(p) = destination_port {
        s.push_str(&format!(":{p},"));
    }
    if let Some(u) = user_name {
        s.push_str(&format!(" by {u}"));
    }
    if let Some(h) = host_name {
        s.push_str(&format!(" on {h}"));
    }
    s.push_str(&format!(" created {severity} alert {name}."));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_api_values_are_lists() {
        let fields = json!({
            "event.category": ["process"],
            "process.name": ["cmd.exe"],
            "process.parent.name": ["winword.exe"],
            "user.name": ["alice"],
            "host.name": ["ws-01"],
        });
        assert_eq!(
            reason("Shell from Office", "high", &fields),
            "process event with process cmd.exe, parent process winword.exe, by alice on ws-01 \
             created high alert Shell from Office."
        );
    }

    #[test]
    fn network_fields_and_ports() {
        let fields = json!({
            "event.category": ["network", "session"],
            "source.ip": ["10.0.0.5"],
            "source.port": [49700],
            "destination.port": [135],
            "host.name": ["dc-01"],
        });
        assert_eq!(
            reason("R", "medium", &fields),
            "network, session event with source 10.0.0.5:49700,:135, on dc-01 created medium \
             alert R."
        );
    }

    #[test]
    fn nothing_known_still_makes_a_sentence() {
        assert_eq!(reason("R", "low", &json!({})), "event created low alert R.");
        // A plain document (a sequence's merged events): a bare number is not shown.
        let doc = json!({"host": {"name": "h"}, "source": {"port": 80}, "user": {"name": "-"}});
        assert_eq!(reason("R", "low", &doc), "event on h created low alert R.");
    }
}
