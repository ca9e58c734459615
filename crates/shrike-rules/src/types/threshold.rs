//! Threshold rules: count the events a rule's query matches per group of
//! `threshold.field` values (0 to n fields), and alert for each group with at least
//! `threshold.value` events (and, with `cardinality`, at least that many distinct values
//! of the cardinality field), once per execution window.
//!
//! As Kibana (`rule_types/threshold`): a composite terms aggregation over the fields (an
//! event with several values in a field counts in each of its combinations; an event
//! without a value in some field counts in none), `min`/`max` of the timestamp per bucket,
//! and a *signal history*: after a group alerts, the next executions skip that group's
//! events up to the alert's last event time, so the same events never alert twice. An
//! entry is forgotten once it is older than an execution's window.

use super::{combinations, term_text};
use serde_json::{json, Map, Value as Json};
use shrike_ir::date::format_iso;
use std::collections::{BTreeMap, HashMap};

/// Most combinations one event may add (fields with many values multiply).
pub const MAX_COMBINATIONS_PER_EVENT: usize = 10_000;

/// A rule's `threshold` settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Threshold {
    /// `threshold.field`: the group-by fields, in order (may be empty: one group).
    pub fields: Vec<String>,
    /// `threshold.value`: the least number of events.
    pub value: u64,
    /// `threshold.cardinality[0]`: a field and the least number of its distinct values.
    pub cardinality: Option<(String, u64)>,
}

/// One group over the threshold in one window.
#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    /// The group's value per field, in field order.
    pub key: Vec<(String, Json)>,
    /// Number of events.
    pub count: u64,
    /// Earliest and latest event time (nanoseconds).
    pub first: i64,
    /// Latest event time.
    pub last: i64,
    /// Distinct values of the cardinality field.
    pub cardinality: Option<u64>,
}

impl Bucket {
    /// `kibana.alert.threshold_result` as Kibana writes it.
    pub fn result(&self, threshold: &Threshold) -> Json {
        let mut r = Map::new();
        if let (Some((field, _)), Some(n)) = (&threshold.cardinality, self.cardinality) {
            r.insert("cardinality".into(), json!([{"field": field, "value": n}]));
        }
        r.insert("count".into(), json!(self.count));
        r.insert("from".into(), json!(format_iso(self.first, false)));
        r.insert(
            "terms".into(),
            Json::Array(
                self.key
                    .iter()
                    .map(|(f, v)| json!({"field": f, "value": v}))
                    .collect(),
            ),
        );
        Json::Object(r)
    }

    /// The document Kibana builds the alert from: `@timestamp` is the group's latest event
    /// time, and each group-by field holds its value (under its dotted name).
    pub fn source(&self) -> Json {
        let mut s = Map::new();
        s.insert("@timestamp".into(), json!(format_iso(self.last, false)));
        for (f, v) in &self.key {
            s.insert(f.clone(), v.clone());
        }
        Json::Object(s)
    }

    /// Kibana's alert id: a UUID v5 of the rule id, the execution's start time, the fields
    /// and the sorted key values (`calculateThresholdSignalUuid`).
    pub fn alert_id(&self, rule_id: &str, started_at: i64, threshold: &Threshold) -> String {
        const NAMESPACE: uuid::Uuid = uuid::uuid!("0684ec03-7201-4ee0-8ee0-3a3f6b2479b2");
        let mut values: Vec<String> = self.key.iter().filter_map(|(_, v)| term_text(v)).collect();
        values.sort();
        let name = format!(
            "{rule_id}{}{}{}",
            format_iso(started_at, false),
            threshold.fields.join(","),
            values.join(",")
        );
        uuid::Uuid::new_v5(&NAMESPACE, name.as_bytes()).to_string()
    }
}

#[derive(Default)]
struct Acc {
    key: Vec<(String, Json)>,
    count: u64,
    first: i64,
    last: i64,
    distinct: std::collections::HashSet<String>,
}

/// Counts one window's events into groups.
pub struct Counter<'a> {
    threshold: &'a Threshold,
    groups: BTreeMap<Vec<String>, Acc>,
}

impl<'a> Counter<'a> {
    /// An empty window.
    pub fn new(threshold: &'a Threshold) -> Self {
        Counter {
            threshold,
            groups: BTreeMap::new(),
        }
    }

    /// Counts an event at time `t` with document `doc`.
    pub fn add(&mut self, t: i64, doc: &Json) {
        let distinct: Vec<String> = match &self.threshold.cardinality {
            Some((f, _)) => super::values_at(doc, f)
                .into_iter()
                .filter_map(term_text)
                .collect(),
            None => Vec::new(),
        };
        for combo in combinations(doc, &self.threshold.fields, MAX_COMBINATIONS_PER_EVENT) {
            let texts: Vec<String> = combo.iter().filter_map(term_text).collect();
            let acc = self.groups.entry(texts).or_insert_with(|| Acc {
                key: self
                    .threshold
                    .fields
                    .iter()
                    .cloned()
                    .zip(combo.iter().cloned())
                    .collect(),
                first: t,
                last: t,
                ..Acc::default()
            });
            acc.count += 1;
            acc.first = acc.first.min(t);
            acc.last = acc.last.max(t);
            acc.distinct.extend(distinct.iter().cloned());
        }
    }

    /// The groups over the threshold, in the composite aggregation's key order
    /// ([`super::compare_keys`]).
    pub fn finish(self) -> Vec<Bucket> {
        let th = self.threshold;
        let mut out: Vec<Bucket> = self
            .groups
            .into_values()
            .filter_map(|a| {
                let card = a.distinct.len() as u64;
                let ok =
                    a.count >= th.value && th.cardinality.as_ref().is_none_or(|(_, n)| card >= *n);
                ok.then(|| Bucket {
                    key: a.key,
                    count: a.count,
                    first: a.first,
                    last: a.last,
                    cardinality: th.cardinality.as_ref().map(|_| card),
                })
            })
            .collect();
        out.sort_by(|a, b| {
            a.key
                .iter()
                .zip(&b.key)
                .map(|((_, x), (_, y))| super::compare_terms(x, y))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        out
    }
}

/// The signal history of a threshold rule across executions: per group (its key values),
/// the time of the last event it alerted on.
#[derive(Clone, Debug, Default)]
pub struct History {
    last: HashMap<Vec<String>, i64>,
}

impl History {
    /// Forgets groups whose last alerted event is not after `from` (an execution's window
    /// start), as Kibana's `getSignalHistory` does.
    pub fn expire(&mut self, from: i64) {
        self.last.retain(|_, t| *t > from);
    }

    /// Whether a previous alert already counted this event: some remembered group's
    /// values are all among the event's values, and the event is not after that alert's
    /// last event (Kibana's `getThresholdBucketFilters`).
    pub fn excludes(&self, threshold: &Threshold, t: i64, doc: &Json) -> bool {
        if self.last.is_empty() {
            return false;
        }
        let values: Vec<Vec<String>> = threshold
            .fields
            .iter()
            .map(|f| {
                super::values_at(doc, f)
                    .into_iter()
                    .filter_map(term_text)
                    .collect()
            })
            .collect();
        self.last
            .iter()
            .any(|(key, last)| t <= *last && key.iter().zip(&values).all(|(k, vs)| vs.contains(k)))
    }

    /// Remembers an alerted group.
    pub fn record(&mut self, bucket: &Bucket) {
        let key: Vec<String> = bucket
            .key
            .iter()
            .filter_map(|(_, v)| term_text(v))
            .collect();
        let e = self.last.entry(key).or_insert(bucket.last);
        *e = (*e).max(bucket.last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::schedule::Schedule;

    const M: i64 = 60_000_000_000;

    fn th(fields: &[&str], value: u64) -> Threshold {
        Threshold {
            fields: fields.iter().map(|s| s.to_string()).collect(),
            value,
            cardinality: None,
        }
    }

    #[test]
    fn groups_count_combinations() {
        let t = th(&["host.name", "user.name"], 2);
        let mut c = Counter::new(&t);
        c.add(
            1,
            &json!({"host": {"name": "h1"}, "user": {"name": ["a", "b"]}}),
        );
        c.add(5, &json!({"host.name": "h1", "user": {"name": "a"}}));
        c.add(3, &json!({"host": {"name": "h2"}, "user": {"name": "a"}}));
        c.add(4, &json!({"host": {"name": "h1"}}));
        let b = c.finish();
        assert_eq!(b.len(), 1);
        assert_eq!(
            b[0].key,
            [
                ("host.name".to_string(), json!("h1")),
                ("user.name".to_string(), json!("a"))
            ]
        );
        assert_eq!((b[0].count, b[0].first, b[0].last), (2, 1, 5));
        assert_eq!(
            b[0].result(&t),
            json!({"count": 2, "from": "1970-01-01T00:00:00.000Z",
                   "terms": [{"field": "host.name", "value": "h1"}, {"field": "user.name", "value": "a"}]})
        );
        assert_eq!(
            b[0].source(),
            json!({"@timestamp": "1970-01-01T00:00:00.000Z", "host.name": "h1", "user.name": "a"})
        );
    }

    #[test]
    fn no_fields_is_one_group_and_cardinality_filters() {
        let mut t = th(&[], 3);
        t.cardinality = Some(("user.name".into(), 2));
        let docs = [
            json!({"user": {"name": "a"}}),
            json!({"user": {"name": "a"}}),
            json!({}),
        ];
        let mut c = Counter::new(&t);
        docs.iter()
            .enumerate()
            .for_each(|(i, d)| c.add(i as i64, d));
        assert!(
            c.finish().is_empty(),
            "one distinct user is under the cardinality"
        );
        let mut c = Counter::new(&t);
        docs.iter()
            .enumerate()
            .for_each(|(i, d)| c.add(i as i64, d));
        c.add(9, &json!({"user": {"name": "b"}}));
        let b = c.finish();
        assert_eq!((b[0].count, b[0].cardinality), (4, Some(2)));
        assert_eq!(
            b[0].result(&t)["cardinality"],
            json!([{"field": "user.name", "value": 2}])
        );
    }

    #[test]
    fn alert_ids_are_kibanas_uuid_v5() {
        let t = th(&["host.name"], 1);
        let b = Bucket {
            key: vec![("host.name".into(), json!("h1"))],
            count: 1,
            first: 0,
            last: 0,
            cardinality: None,
        };
        let id = b.alert_id("rule-1", 0, &t);
        // uuid v5 of "rule-11970-01-01T00:00:00.000Zhost.nameh1" in Kibana's namespace.
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "5");
        assert_eq!(id, b.alert_id("rule-1", 0, &t));
        assert_ne!(id, b.alert_id("rule-1", 1_000_000, &t));
    }

    /// Replay with overlapping windows: the history keeps a group's events from alerting
    /// twice, and new events after the alert count afresh.
    #[test]
    fn history_prevents_double_alerts_across_windows() {
        let t = th(&["host.name"], 2);
        let s = Schedule::new(Some("5m"), Some("now-10m")).unwrap();
        let events: Vec<(i64, Json)> = [1, 2, 6, 7, 8]
            .iter()
            .map(|m| (m * M, json!({"host": {"name": "h1"}})))
            .collect();
        let mut history = History::default();
        let mut alerts = Vec::new();
        for ex in s.executions(M, 8 * M, 100) {
            history.expire(ex.from);
            let mut c = Counter::new(&t);
            for (ts, d) in &events {
                if ex.covers(*ts) && !history.excludes(&t, *ts, d) {
                    c.add(*ts, d);
                }
            }
            for b in c.finish() {
                history.record(&b);
                alerts.push((ex.now / M, b.count, b.first / M, b.last / M));
            }
        }
        // 5m: events 1,2 -> alert; 10m: 6,7,8 (1,2 excluded) -> alert; 15m: nothing new.
        assert_eq!(alerts, [(5, 2, 1, 2), (10, 3, 6, 8)]);
    }
}
