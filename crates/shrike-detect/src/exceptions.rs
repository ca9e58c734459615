//! Exception lists a rule's `exceptions_list` refers to, from Kibana's export files.
//!
//! Kibana exports exception lists as NDJSON (Security → Rules → Shared exception lists →
//! Export): one object per list container (`list_id`, `type: "detection"`…, no
//! `entries`), one per item (`list_id`, `item_id`, `entries`), and a last line of counts
//! (`exported_exception_list_count`…). Rules refer to lists by `list_id`; the items of a
//! list become `not (item or item …)` on the rule's query, as Kibana's `buildEsQuery`
//! does.

use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Exception items by the `list_id` of their list.
#[derive(Clone, Debug, Default)]
pub struct ExceptionLists {
    items: BTreeMap<String, Vec<Json>>,
    /// Lists seen (containers or items), so an empty list is known rather than missing.
    known: BTreeMap<String, ()>,
}

/// A line of an export file that is not usable, with its 1-based line number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLine {
    /// Line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl ExceptionLists {
    /// No lists.
    pub fn new() -> Self {
        ExceptionLists::default()
    }

    /// Adds the lists and items of one export file's text; returns the lines it could
    /// not use.
    pub fn add_export(&mut self, text: &str) -> Vec<BadLine> {
        let mut bad = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let doc: Json = match serde_json::from_str(line) {
                Ok(d) => d,
                Err(e) => {
                    bad.push(BadLine {
                        line: n + 1,
                        message: format!("malformed JSON: {e}"),
                    });
                    continue;
                }
            };
            let Some(obj) = doc.as_object() else {
                bad.push(BadLine {
                    line: n + 1,
                    message: "not a JSON object".into(),
                });
                continue;
            };
            if obj.contains_key("exported_exception_list_count")
                || obj.contains_key("exported_exception_list_item_count")
            {
                continue;
            }
            let Some(list_id) = obj.get("list_id").and_then(Json::as_str) else {
                bad.push(BadLine {
                    line: n + 1,
                    message: "no `list_id`: not an exception list or item".into(),
                });
                continue;
            };
            self.known.insert(list_id.to_string(), ());
            if obj.contains_key("entries") {
                self.items
                    .entry(list_id.to_string())
                    .or_default()
                    .push(doc.clone());
            }
        }
        bad
    }

    /// The items of list `list_id`; `None` when no such list was supplied.
    pub fn items(&self, list_id: &str) -> Option<&[Json]> {
        if !self.known.contains_key(list_id) {
            return None;
        }
        Some(self.items.get(list_id).map_or(&[], Vec::as_slice))
    }

    /// Whether no list was supplied.
    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_are_read_by_list() {
        let mut lists = ExceptionLists::new();
        let bad = lists.add_export(concat!(
            r#"{"list_id":"l1","type":"detection","name":"L1"}"#,
            "\n",
            r#"{"list_id":"l1","item_id":"i1","entries":[{"field":"user.name","operator":"included","type":"match","value":"svc"}]}"#,
            "\n",
            r#"{"list_id":"empty","type":"detection"}"#,
            "\n",
            "not json\n",
            r#"{"exported_exception_list_count":2,"exported_exception_list_item_count":1}"#,
            "\n"
        ));
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].line, 4);
        assert_eq!(lists.items("l1").map(<[Json]>::len), Some(1));
        assert_eq!(lists.items("empty").map(<[Json]>::len), Some(0));
        assert!(lists.items("other").is_none());
    }
}
