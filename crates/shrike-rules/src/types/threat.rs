//! Indicator-match (`threat_match`) rules: events the rule's query selects are matched
//! against indicator documents (`--threat-intel FILE`, NDJSON) with `threat_mapping`, and
//! every match is recorded in the alert's `threat.enrichments`, as Kibana writes them.
//!
//! `threat_mapping` is a list of entries, any of which may match; an entry is a list of
//! `{field, value}` conditions that must all hold for the same indicator: a value of the
//! event's `field` equals a value of the indicator's `value` field (exact, as Kibana's
//! `terms` queries on keyword fields).

use super::{term_text, values_at};
use serde_json::{json, Value as Json};
use std::collections::HashMap;

/// One condition of a mapping entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    /// The event's field.
    pub field: String,
    /// The indicator's field.
    pub value: String,
}

/// An indicator document.
#[derive(Clone, Debug)]
pub struct Indicator {
    /// `_id` (from an ES hit wrapper, else the line number).
    pub id: String,
    /// `_index` (from an ES hit wrapper, else the file name).
    pub index: String,
    /// The document.
    pub source: Json,
}

/// Reads NDJSON indicator documents (plain documents or ES hits). Returns the indicators
/// and, for each line that is not a JSON object, its line number and the error.
pub fn read_indicators(text: &str, file: &str) -> (Vec<Indicator>, Vec<(usize, String)>) {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match serde_json::from_str::<Json>(line) {
            Ok(Json::Object(mut obj)) => {
                let hit = obj.get("_source").is_some_and(Json::is_object);
                let (id, index, source) = if hit {
                    let id = obj.get("_id").and_then(term_text);
                    let index = obj.get("_index").and_then(term_text);
                    (id, index, obj.remove("_source").unwrap_or(Json::Null))
                } else {
                    (None, None, Json::Object(obj))
                };
                out.push(Indicator {
                    id: id.unwrap_or_else(|| format!("{file}:{}", n + 1)),
                    index: index.unwrap_or_else(|| file.to_string()),
                    source,
                });
            }
            Ok(_) => bad.push((n + 1, "not a JSON object".to_string())),
            Err(e) => bad.push((n + 1, e.to_string())),
        }
    }
    (out, bad)
}

/// One condition that matched.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    /// Which indicator.
    pub indicator: usize,
    /// The event field.
    pub field: String,
    /// The indicator's value that matched (`matched.atomic`).
    pub atomic: Json,
}

/// Indicators indexed by the values of the first condition of each entry.
pub struct ThreatIndex {
    entries: Vec<Vec<Condition>>,
    indicators: Vec<Indicator>,
    /// Per entry: value text of its first condition's indicator field -> indicators.
    lookup: Vec<HashMap<String, Vec<usize>>>,
    indicator_path: String,
    items_per_search: usize,
    concurrent_searches: usize,
}

/// Kibana's default `items_per_search` of indicator-match rules (`MAX_PER_PAGE`).
pub const DEFAULT_ITEMS_PER_SEARCH: usize = 9000;

impl ThreatIndex {
    /// Indexes `indicators` (already filtered by the rule's `threat_query`) for the
    /// rule's mapping. `indicator_path` is `threat_indicator_path` (default
    /// `threat.indicator`).
    pub fn new(
        entries: Vec<Vec<Condition>>,
        indicators: Vec<Indicator>,
        indicator_path: &str,
    ) -> Self {
        let lookup = entries
            .iter()
            .map(|entry| {
                let mut m: HashMap<String, Vec<usize>> = HashMap::new();
                if let Some(first) = entry.first() {
                    for (i, ind) in indicators.iter().enumerate() {
                        for v in values_at(&ind.source, &first.value) {
                            if let Some(t) = term_text(v) {
                                let e = m.entry(t).or_default();
                                if e.last() != Some(&i) {
                                    e.push(i);
                                }
                            }
                        }
                    }
                }
                m
            })
            .collect();
        ThreatIndex {
            entries,
            indicators,
            lookup,
            indicator_path: indicator_path.to_string(),
            items_per_search: DEFAULT_ITEMS_PER_SEARCH,
            concurrent_searches: 1,
        }
    }

    /// With the rule's `items_per_search` and `concurrent_searches` (Kibana's defaults
    /// 9000 and 1 when `None`): how an execution pages through events or indicators,
    /// which decides which matches a `max_signals` cap keeps.
    pub fn with_paging(mut self, items_per_search: Option<i64>, concurrent: Option<i64>) -> Self {
        let positive = |v: Option<i64>, d: usize| {
            v.and_then(|n| usize::try_from(n).ok())
                .filter(|n| *n > 0)
                .unwrap_or(d)
        };
        self.items_per_search = positive(items_per_search, DEFAULT_ITEMS_PER_SEARCH);
        self.concurrent_searches = positive(concurrent, 1);
        self
    }

    /// Events or indicators per search (`items_per_search`).
    pub fn items_per_search(&self) -> usize {
        self.items_per_search
    }

    /// Searches per page (`concurrent_searches`).
    pub fn concurrent_searches(&self) -> usize {
        self.concurrent_searches
    }

    /// The indicators.
    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    /// Whether an event has a value in every field of some mapping entry (Kibana's
    /// `eventMappingFilter`: events without them are never searched or counted).
    pub fn event_has_mapping_fields(&self, doc: &Json) -> bool {
        self.entries
            .iter()
            .any(|entry| entry.iter().all(|c| !values_at(doc, &c.field).is_empty()))
    }

    /// Whether indicator `i` has a value in every indicator field of some mapping entry
    /// (Kibana's `indicatorMappingFilter`).
    pub fn indicator_has_mapping_fields(&self, i: usize) -> bool {
        self.indicators.get(i).is_some_and(|ind| {
            self.entries.iter().any(|entry| {
                entry
                    .iter()
                    .all(|c| !values_at(&ind.source, &c.value).is_empty())
            })
        })
    }

    /// Every (indicator, condition) an event matches, de-duplicated by indicator and
    /// field, in indicator order.
    pub fn matches(&self, doc: &Json) -> Vec<Match> {
        let mut out: Vec<Match> = Vec::new();
        for (entry, lookup) in self.entries.iter().zip(&self.lookup) {
            let Some(first) = entry.first() else { continue };
            let mut candidates: Vec<usize> = values_at(doc, &first.field)
                .into_iter()
                .filter_map(term_text)
                .flat_map(|t| lookup.get(&t).cloned().unwrap_or_default())
                .collect();
            candidates.sort_unstable();
            candidates.dedup();
            for i in candidates {
                let ind = &self.indicators[i];
                let mut found = Vec::new();
                let all = entry.iter().all(|c| {
                    let event: Vec<String> = values_at(doc, &c.field)
                        .into_iter()
                        .filter_map(term_text)
                        .collect();
                    let hit = values_at(&ind.source, &c.value)
                        .into_iter()
                        .find(|v| term_text(v).is_some_and(|t| event.contains(&t)));
                    if let Some(v) = hit {
                        found.push(Match {
                            indicator: i,
                            field: c.field.clone(),
                            atomic: v.clone(),
                        });
                    }
                    hit.is_some()
                });
                if all {
                    for m in found {
                        if !out
                            .iter()
                            .any(|o| o.indicator == m.indicator && o.field == m.field)
                        {
                            out.push(m);
                        }
                    }
                }
            }
        }
        out.sort_by_key(|m| m.indicator);
        out
    }

    /// The `threat.enrichments` entries for `matches`, as Kibana builds them: the
    /// indicator object (the first one at the indicator path), the feed name, and what
    /// matched.
    pub fn enrichments(&self, matches: &[Match]) -> Vec<Json> {
        matches
            .iter()
            .map(|m| {
                let ind = &self.indicators[m.indicator];
                let indicator = values_at(&ind.source, &self.indicator_path)
                    .into_iter()
                    .find(|v| v.is_object())
                    .cloned()
                    .unwrap_or_else(|| json!({}));
                let mut feed = serde_json::Map::new();
                if let Some(name) = values_at(&ind.source, "threat.feed.name")
                    .into_iter()
                    .find_map(term_text)
                {
                    if !name.is_empty() {
                        feed.insert("name".into(), json!(name));
                    }
                }
                json!({
                    "feed": feed,
                    "indicator": indicator,
                    "matched": {
                        "atomic": m.atomic,
                        "field": m.field,
                        "id": ind.id,
                        "index": ind.index,
                        "type": "indicator_match_rule",
                    },
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(f: &str, v: &str) -> Condition {
        Condition {
            field: f.into(),
            value: v.into(),
        }
    }

    #[test]
    fn entries_or_conditions_and() {
        let text = concat!(
            r#"{"_index": "logs-ti_abusech.malware", "_id": "i1", "_source": {"threat": {"feed": {"name": "AbuseCH"}, "indicator": {"file": {"hash": {"sha256": "abc"}}, "type": "file"}}}}"#,
            "\n",
            r#"{"threat": {"indicator": {"ip": "1.2.3.4", "port": 443}}}"#,
            "\nnot json\n"
        );
        let (inds, bad) = read_indicators(text, "ti.ndjson");
        assert_eq!(inds.len(), 2);
        assert_eq!(bad.len(), 1);
        let idx = ThreatIndex::new(
            vec![
                vec![cond(
                    "file.hash.sha256",
                    "threat.indicator.file.hash.sha256",
                )],
                vec![
                    cond("destination.ip", "threat.indicator.ip"),
                    cond("destination.port", "threat.indicator.port"),
                ],
            ],
            inds,
            "threat.indicator",
        );
        let ev = json!({"file": {"hash": {"sha256": ["x", "abc"]}}});
        let m = idx.matches(&ev);
        assert_eq!(m.len(), 1);
        assert_eq!(
            idx.enrichments(&m)[0],
            json!({"feed": {"name": "AbuseCH"},
                   "indicator": {"file": {"hash": {"sha256": "abc"}}, "type": "file"},
                   "matched": {"atomic": "abc", "field": "file.hash.sha256", "id": "i1",
                               "index": "logs-ti_abusech.malware", "type": "indicator_match_rule"}})
        );
        // Both conditions of the second entry must hold.
        assert!(idx
            .matches(&json!({"destination": {"ip": "1.2.3.4", "port": 80}}))
            .is_empty());
        let m = idx.matches(&json!({"destination": {"ip": "1.2.3.4", "port": 443}}));
        assert_eq!(
            m.iter().map(|m| m.field.as_str()).collect::<Vec<_>>(),
            ["destination.ip", "destination.port"]
        );
        assert_eq!(
            idx.enrichments(&m)[0]["matched"]["id"],
            json!("ti.ndjson:2")
        );
    }
}
