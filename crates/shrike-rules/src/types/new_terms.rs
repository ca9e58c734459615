//! New-terms rules: alert on the first event of an execution window whose value (or
//! combination of values) of `new_terms.field` did not occur in the history window before
//! it (`history_window_start`, date math on the execution time, e.g. `now-7d`).
//!
//! Kibana (`rule_types/new_terms`) collects the terms of the window, looks each up in
//! `[history_window_start, from)`, and builds an alert from the first event of the window
//! with a new term, adding `kibana.alert.new_terms` (the values, in field order). An event
//! with several values in a field contributes each value (each combination for several
//! fields).
//!
//! Two modes: [`replay`] runs Kibana's executions over the data ([`super::schedule`]);
//! [`Rolling`] is the continuous mode: an event alerts when its term did not occur in the
//! history length before the event itself (no execution windows).

use super::combinations;
use super::schedule::Execution;
use super::term_text;
use serde_json::Value as Json;
use shrike_ir::datemath::{self, Rounding};
use shrike_ir::DateFormat;
use std::collections::{HashMap, HashSet};

/// Most term combinations one event may add.
pub const MAX_COMBINATIONS_PER_EVENT: usize = 1_000;

/// A rule's `new_terms` settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTerms {
    /// `new_terms.field`: one to three fields.
    pub fields: Vec<String>,
    /// `history_window_start` as written (`now-7d`).
    pub history_window_start: String,
}

impl NewTerms {
    /// The history window's start for an execution at `now`.
    pub fn history_start(&self, now: i64) -> Option<i64> {
        datemath::resolve(
            &self.history_window_start,
            &DateFormat::default(),
            now,
            Rounding::Down,
        )
    }

    /// The history's length (for [`Rolling`]): `now` minus the history start.
    pub fn history_len(&self) -> Option<i64> {
        let now = 1_700_000_000_000_000_000;
        Some(now - self.history_start(now)?)
    }

    fn terms(&self, doc: &Json) -> Vec<(Vec<String>, Vec<Json>)> {
        combinations(doc, &self.fields, MAX_COMBINATIONS_PER_EVENT)
            .into_iter()
            .map(|c| (c.iter().filter_map(term_text).collect(), c))
            .collect()
    }
}

/// An alert of a new-terms rule.
#[derive(Clone, Debug, PartialEq)]
pub struct NewTermAlert {
    /// The event it is built from (an index into the events given).
    pub event: usize,
    /// `kibana.alert.new_terms`.
    pub terms: Vec<Json>,
    /// The execution that found it (`None` in continuous mode).
    pub execution: Option<Execution>,
}

/// Terms per page of Kibana's composite aggregation over a window's terms.
pub const TERMS_PAGE: usize = 10_000;

/// Replays Kibana's executions over `events` (time, document), which must be sorted by
/// time. An event and term found new by two overlapping executions alerts once (Kibana
/// gives both the same alert id).
///
/// Each execution, as Kibana's new-terms executor (`create_new_terms_alert_type.ts`,
/// `build_new_terms_aggregation.ts`): the window's terms in pages of [`TERMS_PAGE`] in
/// composite key order; per page, the terms whose first occurrence in
/// `[history start, now]` is after the window start (an occurrence exactly at `from`
/// makes a term old: `first_seen > from`) are new; their alerts are created, from the
/// window's earliest event with the term, in the order of the aggregation that fetches
/// those events — for one field a `terms` aggregation (most events in the window first,
/// then key order), for several fields the composite key order — until the execution has
/// created `max_signals` alerts. Alerts that already exist (same event and term) are
/// filtered out before counting, so they do not use the budget.
pub fn replay(
    rule: &NewTerms,
    executions: &[Execution],
    events: &[(i64, &Json)],
    max_signals: usize,
) -> Vec<NewTermAlert> {
    // Every occurrence time of every term, sorted.
    let mut times: HashMap<Vec<String>, Vec<i64>> = HashMap::new();
    let mut per_event: Vec<Vec<(Vec<String>, Vec<Json>)>> = Vec::with_capacity(events.len());
    for (t, doc) in events {
        let terms = rule.terms(doc);
        for (k, _) in &terms {
            times.entry(k.clone()).or_default().push(*t);
        }
        per_event.push(terms);
    }
    let mut out = Vec::new();
    let mut done: HashSet<(usize, Vec<String>)> = HashSet::new();
    for ex in executions {
        let Some(hist) = rule.history_start(ex.now) else {
            continue;
        };
        // The window's terms: values, earliest event, number of events.
        let start = events.partition_point(|(t, _)| *t < ex.from);
        let mut slot: HashMap<&Vec<String>, usize> = HashMap::new();
        let mut window: Vec<(&Vec<String>, &Vec<Json>, usize, u64)> = Vec::new();
        for (i, (t, _)) in events.iter().enumerate().skip(start) {
            if *t > ex.now {
                break;
            }
            for (key, values) in &per_event[i] {
                match slot.get(key) {
                    Some(&at) => window[at].3 += 1,
                    None => {
                        slot.insert(key, window.len());
                        window.push((key, values, i, 1));
                    }
                }
            }
        }
        window.sort_by(|a, b| super::compare_keys(a.1, b.1));
        let mut created = 0;
        'pages: for page in window.chunks(TERMS_PAGE) {
            let mut new: Vec<_> = page
                .iter()
                .filter(|(key, ..)| {
                    let occ = times.get(*key).map_or(&[][..], Vec::as_slice);
                    let j = occ.partition_point(|x| *x < hist);
                    occ.get(j).is_none_or(|x| *x > ex.from)
                })
                .collect();
            if rule.fields.len() == 1 {
                // A terms aggregation's order: count descending, then key (stable).
                new.sort_by_key(|t| std::cmp::Reverse(t.3));
            }
            for (key, values, event, _) in new {
                if done.contains(&(*event, (*key).clone())) {
                    continue; // already alerted: filtered out before the cap
                }
                if created >= max_signals {
                    break 'pages;
                }
                done.insert((*event, (*key).clone()));
                created += 1;
                out.push(NewTermAlert {
                    event: *event,
                    terms: (*values).clone(),
                    execution: Some(*ex),
                });
            }
        }
    }
    out
}

/// Continuous mode: terms remembered with the time they were last seen.
#[derive(Clone, Debug)]
pub struct Rolling {
    history: i64,
    last_seen: HashMap<Vec<String>, i64>,
}

impl Rolling {
    /// A detector with the rule's history length.
    pub fn new(rule: &NewTerms) -> Option<Rolling> {
        Some(Rolling {
            history: rule.history_len()?,
            last_seen: HashMap::new(),
        })
    }

    /// Feeds the next event (in time order); returns the term combinations it shows for
    /// the first time within the history length.
    pub fn observe(&mut self, rule: &NewTerms, t: i64, doc: &Json) -> Vec<Vec<Json>> {
        let mut out = Vec::new();
        for (key, values) in rule.terms(doc) {
            let fresh = match self.last_seen.get(&key) {
                Some(prev) => t.saturating_sub(*prev) > self.history,
                None => true,
            };
            self.last_seen.insert(key, t);
            if fresh {
                out.push(values);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::schedule::Schedule;
    use serde_json::json;

    const M: i64 = 60_000_000_000;

    fn rule() -> NewTerms {
        NewTerms {
            fields: vec!["user.name".into()],
            history_window_start: "now-30m".into(),
        }
    }

    #[test]
    fn replay_alerts_on_first_unseen_terms() {
        let docs = [
            (1, json!({"user": {"name": "a"}})),
            (3, json!({"user": {"name": ["a", "b"]}})),
            (12, json!({"user": {"name": "b"}})),
            (50, json!({"user": {"name": "a"}})),
        ];
        let events: Vec<(i64, &Json)> = docs.iter().map(|(m, d)| (m * M, d)).collect();
        let s = Schedule::new(Some("5m"), Some("now-6m")).unwrap();
        let ex = s.executions(M, 50 * M, 100);
        let alerts: Vec<(usize, Json, i64)> = replay(&rule(), &ex, &events, 100)
            .into_iter()
            .map(|a| (a.event, Json::Array(a.terms), a.execution.unwrap().now / M))
            .collect();
        // a (1m) and b (3m) are new at 5m; b at 12m was seen at 3m (in history);
        // a at 50m was last seen at 3m, outside [20m, 44m): new again.
        assert_eq!(
            alerts,
            [
                (0, json!(["a"]), 5),
                (1, json!(["b"]), 5),
                (3, json!(["a"]), 50)
            ]
        );
    }

    /// `max_signals` per execution: one field's new terms in the order of a terms
    /// aggregation (most events first, then key); what an execution leaves is picked up
    /// by the next one while its window still holds the term's first event and the term
    /// is still new there.
    #[test]
    fn replay_caps_each_execution() {
        let docs = [
            (1, json!({"user": {"name": "c"}})),
            (2, json!({"user": {"name": "b"}})),
            (3, json!({"user": {"name": "b"}})),
            (4, json!({"user": {"name": "a"}})),
            (6, json!({"user": {"name": "d"}})),
        ];
        let events: Vec<(i64, &Json)> = docs.iter().map(|(m, d)| (m * M, d)).collect();
        let s = Schedule::new(Some("5m"), Some("now-10m")).unwrap();
        let ex = s.executions(M, 6 * M, 100);
        let alerts: Vec<(Json, i64)> = replay(&rule(), &ex, &events, 2)
            .into_iter()
            .map(|a| (Json::Array(a.terms), a.execution.unwrap().now / M))
            .collect();
        // 5m sees a, b (2 events), c: b first (count), then a; c is left. 10m ([0m, 10m])
        // finds c and d new; a and b are already alerted and do not count.
        assert_eq!(
            alerts,
            [
                (json!(["b"]), 5),
                (json!(["a"]), 5),
                (json!(["c"]), 10),
                (json!(["d"]), 10)
            ]
        );
        // An occurrence exactly at the window start makes the term old.
        let docs = [
            (0, json!({"user": {"name": "x"}})),
            (1, json!({"user": {"name": "x"}})),
        ];
        let events: Vec<(i64, &Json)> = docs.iter().map(|(m, d)| (m * M, d)).collect();
        let one = [Execution {
            now: 5 * M,
            from: 0,
        }];
        assert!(replay(&rule(), &one, &events, 100).is_empty());
    }

    #[test]
    fn rolling_mode_uses_the_history_length() {
        let r = rule();
        let mut roll = Rolling::new(&r).unwrap();
        let d = |n: &str| json!({"user": {"name": n}});
        assert_eq!(roll.observe(&r, 0, &d("a")), [vec![json!("a")]]);
        assert!(roll.observe(&r, 10 * M, &d("a")).is_empty());
        assert!(
            roll.observe(&r, 40 * M, &d("a")).is_empty(),
            "seen 30m before"
        );
        assert_eq!(roll.observe(&r, 71 * M, &d("a")).len(), 1);
        assert!(roll.observe(&r, 72 * M, &json!({})).is_empty());
    }
}
