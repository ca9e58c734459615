//! Alert suppression of query rules (`[rule.alert_suppression]`): the events of one group
//! (`group_by` values) give one alert, which counts the others in
//! `kibana.alert.suppression.docs_count`.
//!
//! What Kibana does (`rule_types/query/alert_suppression/` in the security solution
//! server: `group_and_bulk_create.ts`, `build_group_by_field_aggregation.ts`,
//! `wrap_suppressed_alerts.ts`, `bulk_create_unsuppressed_alerts.ts`; duration
//! suppression in `factories/alert_with_suppression.ts` and the rule registry's
//! persistence wrapper):
//!
//! * Each execution groups its window's events with a composite aggregation over the
//!   `group_by` fields (key order; an event with several values in a field is in a
//!   group per value; size `max_signals + 1`, and every group returned alerts). With
//!   `missing_fields_strategy = "suppress"` (the default) a missing field is a `null`
//!   key (`missing_bucket`, ordered last); with `"doNotSuppress"` events missing a field
//!   are left out of the groups and alert one by one, as a plain query rule would
//!   (only when the groups number fewer than `max_signals`).
//! * A group's alert is built from its earliest event, with
//!   `kibana.alert.suppression.terms` (`[{field, value}]`, the composite key),
//!   `.start`/`.end` (the group's earliest and latest event time), `.docs_count` (its
//!   other events) and `kibana.alert.instance.id` = `objectHash([terms, rule id,
//!   space])`; its id is `objectHash([_index, _id, String(_version), "<space>:<rule id>",
//!   terms, start, end])`.
//! * Each execution remembers its groups and their latest event time (the *bucket
//!   history*); the next executions leave out events of a remembered group up to that
//!   time, so overlapping windows do not count an event twice. An entry is dropped once
//!   its time is not after an execution's window start.
//! * Without `duration`, suppression is per execution: every group alerts. With
//!   `duration`, a group whose instance id has an alert created at or after
//!   `now - duration` (the execution's time) does not alert: that alert's `.end`
//!   becomes the group's (when later) and its `.docs_count` grows by the group's events;
//!   if that alert's `.end` is already at or after the group's, the group was counted
//!   and is dropped.
//!
//! [`replay`] follows those executions. The continuous mode ([`Suppressor`]) has no
//! executions and uses event time where Kibana uses execution time: a group's alert is
//! "created" by its first event, and with a duration the group's later events are
//! suppressed into it while they are at most `duration` after that first event; without
//! a duration the whole input is one execution, so one alert per group. Memory: one
//! entry per open group (with a duration, groups whose window has passed are written out
//! as the stream moves on).

use super::alerts::{at, by_time, executions, window, Matched};
use super::schedule::{Execution, Schedule};
use super::{compare_keys, term_text, values_at};
use crate::alert::object_hash::{object_hash, Hashed};
use crate::alert::{AlertBuilder, AlertSettings, SourceEvent};
use serde_json::{json, Value as Json};
use std::collections::{HashMap, HashSet, VecDeque};

/// Most groups one event may join (fields with many values multiply).
pub const MAX_COMBINATIONS_PER_EVENT: usize = 1_000;

/// `missing_fields_strategy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissingFields {
    /// `suppress` (Kibana's default): a missing field is a `null` group value.
    #[default]
    Suppress,
    /// `doNotSuppress`: an event missing a field alerts alone.
    DoNotSuppress,
}

/// A rule's `alert_suppression`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// `group_by`: one to three fields.
    pub group_by: Vec<String>,
    /// `duration` in nanoseconds (`None`: per execution).
    pub duration: Option<i64>,
    /// `missing_fields_strategy`.
    pub missing: MissingFields,
}

impl Suppression {
    /// The groups an event belongs to (one value per field, every combination), or none
    /// when a field is missing under `doNotSuppress`.
    pub fn keys(&self, doc: &Json) -> Vec<Vec<Json>> {
        let mut out: Vec<Vec<Json>> = vec![Vec::new()];
        for f in &self.group_by {
            let mut values: Vec<Json> = Vec::new();
            for v in values_at(doc, f) {
                if term_text(v).is_some() && !values.contains(v) {
                    values.push(v.clone());
                }
            }
            if values.is_empty() {
                match self.missing {
                    MissingFields::Suppress => values.push(Json::Null),
                    MissingFields::DoNotSuppress => return Vec::new(),
                }
            }
            let mut next = Vec::new();
            'outer: for prefix in &out {
                for v in &values {
                    if next.len() >= MAX_COMBINATIONS_PER_EVENT {
                        break 'outer;
                    }
                    let mut c = prefix.clone();
                    c.push(v.clone());
                    next.push(c);
                }
            }
            out = next;
        }
        out
    }

    /// Whether the event misses a `group_by` field (it then alerts alone under
    /// `doNotSuppress`).
    pub fn misses_a_field(&self, doc: &Json) -> bool {
        self.group_by.iter().any(|f| {
            !values_at(doc, f)
                .into_iter()
                .any(|v| term_text(v).is_some())
        })
    }
}

/// A group's identity (typed, so that `5` and `"5"` differ).
fn key_text(key: &[Json]) -> Vec<String> {
    key.iter()
        .map(|v| match v {
            Json::String(s) => format!("s{s}"),
            Json::Null => "-".to_string(),
            other => format!("v{other}"),
        })
        .collect()
}

/// One group's alert.
#[derive(Clone, Debug)]
pub struct Group {
    /// The `group_by` fields and the group's values.
    pub terms: Vec<(String, Json)>,
    /// The event the alert is built from (the group's earliest).
    pub event: Matched,
    /// `kibana.alert.suppression.docs_count`: the events suppressed into it.
    pub docs_count: u64,
    /// `kibana.alert.suppression.start` (nanoseconds).
    pub start: i64,
    /// `kibana.alert.suppression.end` (nanoseconds).
    pub end: i64,
}

impl Group {
    /// `kibana.alert.suppression.terms`.
    pub fn terms_json(&self) -> Json {
        Json::Array(
            self.terms
                .iter()
                .map(|(f, v)| json!({"field": f, "value": v}))
                .collect(),
        )
    }

    /// `kibana.alert.instance.id`: `objectHash([terms, rule id, space])`.
    pub fn instance_id(&self, rule_uuid: &str, space: &str) -> String {
        let terms = self.terms_json();
        object_hash(&Hashed::Array(&[
            Hashed::Json(&terms),
            Hashed::Str(rule_uuid),
            Hashed::Str(space),
        ]))
    }

    /// The alert's id: `objectHash([_index, _id, String(_version), "<space>:<rule id>",
    /// terms, start, end])` (`_version` is `undefined` in search hits).
    pub fn alert_id(&self, rule_uuid: &str, space: &str) -> String {
        let terms = self.terms_json();
        let rule = format!("{space}:{rule_uuid}");
        object_hash(&Hashed::Array(&[
            Hashed::Str(&self.event.index),
            Hashed::Str(&self.event.id),
            Hashed::Str("undefined"),
            Hashed::Str(&rule),
            Hashed::Json(&terms),
            Hashed::Date(self.start),
            Hashed::Date(self.end),
        ]))
    }

    /// The alert document (`alert_id` its id, fixed when the alert was created).
    pub fn alert(&self, builder: &AlertBuilder, alert_id: &str, settings: &AlertSettings) -> Json {
        let event = SourceEvent {
            index: &self.event.index,
            id: &self.event.id,
            source: &self.event.source,
        };
        let instance = self.instance_id(builder.rule_uuid(), &settings.space);
        builder.suppressed_alert(
            event,
            alert_id,
            &crate::alert::SuppressionFields {
                terms: self.terms_json(),
                start: self.start,
                end: self.end,
                docs_count: self.docs_count,
                instance_id: instance,
            },
            settings,
        )
    }
}

/// What a suppressing rule writes.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// A plain event alert (an event missing a field under `doNotSuppress`).
    Plain(Matched),
    /// A group's alert, its id fixed at creation.
    Suppressed(Group, String),
}

impl Outcome {
    /// The alert document.
    pub fn alert(&self, builder: &AlertBuilder, settings: &AlertSettings) -> Json {
        match self {
            Outcome::Plain(e) => builder.event_alert(
                SourceEvent {
                    index: &e.index,
                    id: &e.id,
                    source: &e.source,
                },
                settings,
            ),
            Outcome::Suppressed(g, id) => g.alert(builder, id, settings),
        }
    }

    /// The time of the event the alert is built from.
    pub fn time(&self) -> i64 {
        match self {
            Outcome::Plain(e) => e.time,
            Outcome::Suppressed(g, _) => g.event.time,
        }
    }
}

struct Open {
    group: Group,
    serial: u64,
}

/// Continuous-mode suppression over a rule's matches in time order (see the module
/// docs).
pub struct Suppressor {
    rule: Suppression,
    rule_uuid: String,
    space: String,
    open: HashMap<Vec<String>, Open>,
    /// Open groups in the order they opened, with the time their alert was "created"
    /// (their first event: it never decreases).
    order: VecDeque<(i64, u64, Vec<String>)>,
    serial: u64,
}

impl Suppressor {
    /// A suppressor for a rule (its uuid and space make the alert ids).
    pub fn new(rule: Suppression, rule_uuid: &str, space: &str) -> Suppressor {
        Suppressor {
            rule,
            rule_uuid: rule_uuid.to_string(),
            space: space.to_string(),
            open: HashMap::new(),
            order: VecDeque::new(),
            serial: 0,
        }
    }

    /// Open groups (memory in use).
    pub fn open_groups(&self) -> usize {
        self.open.len()
    }

    fn close(&mut self, key: &[String], serial: u64, out: &mut Vec<Outcome>) {
        if self.open.get(key).is_some_and(|o| o.serial == serial) {
            if let Some(o) = self.open.remove(key) {
                let id = o.group.alert_id(&self.rule_uuid, &self.space);
                out.push(Outcome::Suppressed(o.group, id));
            }
        }
    }

    /// Feeds the next match (matches must come in time order); returns the alerts that
    /// are final: groups whose duration has passed, and plain alerts. `event` builds the
    /// match (called when it opens a group or alerts alone).
    pub fn observe(&mut self, t: i64, doc: &Json, event: impl Fn() -> Matched) -> Vec<Outcome> {
        let mut out = Vec::new();
        if let Some(d) = self.rule.duration {
            while let Some((opened, serial, key)) = self.order.front().cloned() {
                if opened.saturating_add(d) >= t {
                    break;
                }
                self.order.pop_front();
                self.close(&key, serial, &mut out);
            }
        }
        if self.rule.missing == MissingFields::DoNotSuppress && self.rule.misses_a_field(doc) {
            out.push(Outcome::Plain(event()));
            return out;
        }
        for key in self.rule.keys(doc) {
            let text = key_text(&key);
            match self.open.get_mut(&text) {
                Some(o) => {
                    o.group.docs_count += 1;
                    o.group.end = o.group.end.max(t);
                }
                None => {
                    self.serial += 1;
                    let terms = self.rule.group_by.iter().cloned().zip(key).collect();
                    let group = Group {
                        terms,
                        event: event(),
                        docs_count: 0,
                        start: t,
                        end: t,
                    };
                    self.order.push_back((t, self.serial, text.clone()));
                    self.open.insert(
                        text,
                        Open {
                            group,
                            serial: self.serial,
                        },
                    );
                }
            }
        }
        out
    }

    /// The groups still open at the end of the input, in the order they opened.
    pub fn finish(mut self) -> Vec<Outcome> {
        let mut out = Vec::new();
        while let Some((_, serial, key)) = self.order.pop_front() {
            self.close(&key, serial, &mut out);
        }
        out
    }
}

/// An alert created under replay.
struct Created {
    outcome: Outcome,
    execution: Execution,
}

/// Kibana's executions of a suppressing query rule over `events`: each alert with the
/// execution that created it, in creation order, in its final state (later executions
/// update a suppressing alert's end and count). Each execution creates at most
/// `max_signals + 1` group alerts and, under `doNotSuppress`, `max_signals` plain ones.
/// The rule's uuid and space make the alert ids Kibana de-duplicates by.
pub fn replay(
    rule: &Suppression,
    schedule: &Schedule,
    events: &[Matched],
    rule_uuid: &str,
    space: &str,
) -> Vec<(Outcome, Execution)> {
    let sorted = by_time(events);
    // The bucket history: a group's identity and the latest event time counted. An event
    // is left out when one of its groups is remembered up to its time: the terms of
    // Kibana's filter (a value among the event's, or a missing field for `null`) hold
    // exactly for the groups the event belongs to.
    let mut history: HashMap<Vec<String>, i64> = HashMap::new();
    let mut created: Vec<Created> = Vec::new();
    let mut ids: HashSet<String> = HashSet::new();
    let mut plain: HashSet<(&str, &str)> = HashSet::new();
    let mut latest: HashMap<String, usize> = HashMap::new();
    let cap = schedule.max_signals;
    for ex in executions(schedule, events) {
        history.retain(|_, end| *end > ex.from);
        let win = window(&sorted, &ex);
        // The execution's groups: key -> (group, key values), in first-seen order.
        let mut slot: HashMap<Vec<String>, usize> = HashMap::new();
        let mut groups: Vec<(Vec<Json>, Group)> = Vec::new();
        for e in win {
            let keys: Vec<(Vec<String>, Vec<Json>)> = rule
                .keys(&e.source)
                .into_iter()
                .map(|k| (key_text(&k), k))
                .collect();
            if keys
                .iter()
                .any(|(text, _)| history.get(text).is_some_and(|end| e.time <= *end))
            {
                continue;
            }
            for (text, key) in keys {
                match slot.get(&text) {
                    Some(&i) => {
                        let g = &mut groups[i].1;
                        g.docs_count += 1;
                        g.start = g.start.min(e.time);
                        g.end = g.end.max(e.time);
                    }
                    None => {
                        slot.insert(text, groups.len());
                        let terms = rule.group_by.iter().cloned().zip(key.clone()).collect();
                        groups.push((
                            key,
                            Group {
                                terms,
                                event: (*e).clone(),
                                docs_count: 0,
                                start: e.time,
                                end: e.time,
                            },
                        ));
                    }
                }
            }
        }
        groups.sort_by(|a, b| compare_keys(&a.0, &b.0));
        groups.truncate(cap.saturating_add(1));
        // doNotSuppress: events missing a field alert alone, as a query rule's would.
        if rule.missing == MissingFields::DoNotSuppress && cap > groups.len() {
            let mut n = 0;
            for e in win {
                if !rule.misses_a_field(&e.source) || plain.contains(&e.key()) {
                    continue;
                }
                if n >= cap {
                    break;
                }
                n += 1;
                plain.insert(e.key());
                created.push(Created {
                    outcome: Outcome::Plain((*e).clone()),
                    execution: ex,
                });
            }
        }
        for (key, group) in groups {
            let end = history.entry(key_text(&key)).or_insert(group.end);
            *end = (*end).max(group.end);
            let id = group.alert_id(rule_uuid, space);
            if ids.contains(&id) {
                continue;
            }
            let instance = group.instance_id(rule_uuid, space);
            if let Some(d) = rule.duration {
                let existing = latest
                    .get(&instance)
                    .copied()
                    .filter(|i| created[*i].execution.now >= ex.now.saturating_sub(d));
                if let Some(i) = existing {
                    if let Outcome::Suppressed(g, _) = &mut created[i].outcome {
                        if g.end < group.end {
                            g.end = group.end;
                            g.docs_count += group.docs_count + 1;
                        }
                    }
                    continue;
                }
            }
            ids.insert(id.clone());
            latest.insert(instance, created.len());
            created.push(Created {
                outcome: Outcome::Suppressed(group, id),
                execution: ex,
            });
        }
    }
    created
        .into_iter()
        .map(|c| (c.outcome, c.execution))
        .collect()
}

/// The alert documents of a suppressing query rule under replay, each stamped with the
/// execution that created it.
pub fn replay_alerts(
    builder: &AlertBuilder,
    rule: &Suppression,
    schedule: &Schedule,
    events: &[Matched],
    settings: &AlertSettings,
) -> Vec<(Json, i64)> {
    replay(rule, schedule, events, builder.rule_uuid(), &settings.space)
        .into_iter()
        .map(|(o, ex)| (o.alert(builder, &at(settings, &ex)), o.time()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::ecs::EcsTypes;
    use crate::load::load;
    use shrike_ir::date::format_iso;

    const M: i64 = 60_000_000_000;

    fn rule(duration: Option<i64>, missing: MissingFields) -> Suppression {
        Suppression {
            group_by: vec!["host.name".into()],
            duration,
            missing,
        }
    }

    fn ev(min: i64, host: Option<&str>) -> Matched {
        let mut source = json!({"@timestamp": format_iso(min * M, false), "user": {"name": "u"}});
        if let (Some(h), Some(o)) = (host, source.as_object_mut()) {
            o.insert("host".into(), json!({"name": h}));
        }
        Matched {
            time: min * M,
            index: "logs-x".into(),
            id: format!("{}-{min}", host.unwrap_or("none")),
            source,
        }
    }

    fn settings() -> AlertSettings {
        AlertSettings {
            now: "2024-05-01T12:00:00.000Z".into(),
            space: "default".into(),
            ecs: EcsTypes::new([("host.name", "keyword"), ("user.name", "keyword")]),
        }
    }

    fn builder() -> AlertBuilder {
        let text = "[metadata]\ncreation_date = \"2024/01/31\"\nupdated_date = \"2024/02/01\"\n\
             maturity = \"production\"\n\n[rule]\nauthor = [\"shrike\"]\ndescription = \"d\"\n\
             name = \"n\"\nrisk_score = 21\nrule_id = \"rule-1\"\nseverity = \"low\"\n\
             type = \"query\"\nlanguage = \"kuery\"\nindex = [\"logs-*\"]\nquery = \"a: b\"\n";
        let loaded = load(text).expect("valid rule");
        AlertBuilder::new(&loaded.file, "2024-05-01T12:00:00.000Z").expect("a rule")
    }

    /// (event id, docs_count, start minute, end minute) of a group alert; plain alerts
    /// give a docs_count of -1.
    fn summary(o: &Outcome) -> (String, i64, i64, i64) {
        match o {
            Outcome::Plain(e) => (e.id.clone(), -1, e.time / M, e.time / M),
            Outcome::Suppressed(g, _) => (
                g.event.id.clone(),
                g.docs_count as i64,
                g.start / M,
                g.end / M,
            ),
        }
    }

    fn replayed(
        rule: &Suppression,
        s: &Schedule,
        events: &[Matched],
    ) -> Vec<(String, i64, i64, i64, i64)> {
        replay(rule, s, events, "uuid", "default")
            .iter()
            .map(|(o, ex)| {
                let (id, n, a, b) = summary(o);
                (id, n, a, b, ex.now / M)
            })
            .collect()
    }

    #[test]
    fn keys_follow_the_missing_fields_strategy() {
        let mut r = rule(None, MissingFields::Suppress);
        r.group_by.push("user.name".into());
        let doc = json!({"host": {"name": ["a", "b"]}});
        assert_eq!(
            r.keys(&doc),
            [vec![json!("a"), Json::Null], vec![json!("b"), Json::Null]]
        );
        r.missing = MissingFields::DoNotSuppress;
        assert!(r.keys(&doc).is_empty());
        assert!(r.misses_a_field(&doc));
        assert!(!r.misses_a_field(&json!({"host": {"name": "a"}, "user": {"name": "u"}})));
    }

    /// Continuous mode: a group's alert opens with its first event and suppresses the
    /// group's events up to `duration` after it.
    #[test]
    fn continuous_mode_uses_event_time() {
        let mut s = Suppressor::new(
            rule(Some(2 * M), MissingFields::Suppress),
            "uuid",
            "default",
        );
        let mut out = Vec::new();
        for e in [
            ev(0, Some("a")),
            ev(1, Some("b")),
            ev(2, Some("a")),
            ev(3, Some("a")),
            ev(4, Some("b")),
        ] {
            out.extend(s.observe(e.time, &e.source, || e.clone()));
        }
        assert_eq!(s.open_groups(), 2, "a since 3m, b since 4m");
        out.extend(s.finish());
        let got: Vec<_> = out.iter().map(summary).collect();
        assert_eq!(
            got,
            [
                ("a-0".into(), 1, 0, 2),
                ("b-1".into(), 0, 1, 1),
                ("a-3".into(), 0, 3, 3),
                ("b-4".into(), 0, 4, 4)
            ]
        );
        // Without a duration the input is one execution: one alert per group.
        let mut s = Suppressor::new(rule(None, MissingFields::DoNotSuppress), "uuid", "default");
        let mut out = Vec::new();
        for e in [ev(0, Some("a")), ev(1, None), ev(9, Some("a"))] {
            out.extend(s.observe(e.time, &e.source, || e.clone()));
        }
        out.extend(s.finish());
        let got: Vec<_> = out.iter().map(summary).collect();
        assert_eq!(got, [("none-1".into(), -1, 1, 1), ("a-0".into(), 1, 0, 9)]);
    }

    /// Replay without a duration: one alert per group and execution; the bucket
    /// history keeps overlapping windows from counting an event twice.
    #[test]
    fn replay_suppresses_per_execution() {
        let events = [
            ev(1, Some("a")),
            ev(2, Some("a")),
            ev(3, Some("b")),
            ev(7, Some("a")),
        ];
        let s = Schedule::new(Some("5m"), Some("now-10m")).unwrap();
        assert_eq!(
            replayed(&rule(None, MissingFields::Suppress), &s, &events),
            [
                ("a-1".into(), 1, 1, 2, 5),
                ("b-3".into(), 0, 3, 3, 5),
                ("a-7".into(), 0, 7, 7, 10)
            ]
        );
    }

    /// Replay with a duration: a later execution's group updates the alert created
    /// within the duration (end, count) instead of alerting; past it, a new alert.
    #[test]
    fn replay_suppresses_over_the_duration() {
        let events = [
            ev(1, Some("a")),
            ev(2, Some("a")),
            ev(7, Some("a")),
            ev(18, Some("a")),
        ];
        let s = Schedule::new(Some("5m"), Some("now-6m")).unwrap();
        assert_eq!(
            replayed(&rule(Some(10 * M), MissingFields::Suppress), &s, &events),
            [("a-1".into(), 2, 1, 7, 5), ("a-18".into(), 0, 18, 18, 20)]
        );
    }

    /// `max_signals` under suppression: `max_signals + 1` groups in key order (a
    /// missing value last); under doNotSuppress, events missing the field alert alone
    /// while the groups number fewer than `max_signals`.
    #[test]
    fn replay_caps_groups_and_plain_alerts() {
        let events = [
            ev(1, None),
            ev(2, Some("c")),
            ev(3, Some("a")),
            ev(4, Some("b")),
        ];
        let s = Schedule::new(Some("5m"), Some("now-10m"))
            .unwrap()
            .with_max_signals(Some(1));
        let got = replayed(&rule(None, MissingFields::Suppress), &s, &events);
        // 10:05 keeps a and b; c and the missing host are left to 10:10.
        assert_eq!(
            got,
            [
                ("a-3".into(), 0, 3, 3, 5),
                ("b-4".into(), 0, 4, 4, 5),
                ("c-2".into(), 0, 2, 2, 10),
                ("none-1".into(), 0, 1, 1, 10)
            ]
        );
        let s = s.with_max_signals(Some(5));
        let got = replayed(&rule(None, MissingFields::DoNotSuppress), &s, &events);
        assert_eq!(got[0], ("none-1".into(), -1, 1, 1, 5));
        assert_eq!(got.len(), 4);
    }

    /// The document: the group's event as an event alert, with Kibana's suppression
    /// fields and ids (pinned with `object-hash` 3.0.0 under Node.js 20).
    #[test]
    fn alert_documents_carry_the_suppression_fields() {
        let b = builder();
        let mut s = Suppressor::new(
            rule(Some(5 * M), MissingFields::Suppress),
            b.rule_uuid(),
            "default",
        );
        let mut out = Vec::new();
        for e in [ev(1, Some("a")), ev(3, Some("a"))] {
            out.extend(s.observe(e.time, &e.source, || e.clone()));
        }
        out.extend(s.finish());
        let doc = out[0].alert(&b, &settings());
        assert_eq!(
            doc["kibana.alert.suppression.terms"],
            json!([{"field": "host.name", "value": "a"}])
        );
        assert_eq!(
            doc["kibana.alert.suppression.start"],
            json!("1970-01-01T00:01:00.000Z")
        );
        assert_eq!(
            doc["kibana.alert.suppression.end"],
            json!("1970-01-01T00:03:00.000Z")
        );
        assert_eq!(doc["kibana.alert.suppression.docs_count"], json!(1));
        assert_eq!(doc["kibana.alert.uuid"], json!(ALERT_ID));
        assert_eq!(doc["kibana.alert.instance.id"], json!(INSTANCE_ID));
        assert_eq!(doc["host"]["name"], json!("a"));
    }

    /// `objectHash(["logs-x", "a-1", "undefined", "default:<uuid>", [{field:
    /// "host.name", value: "a"}], new Date(60000), new Date(180000)])`.
    const ALERT_ID: &str = "30f8006e67ccd2409224d59c91460f7341ebad4c";
    /// `objectHash([[{field: "host.name", value: "a"}], "<uuid>", "default"])`.
    const INSTANCE_ID: &str = "e88a13b1fa153a38ad7150ecf5bee14505747d53";
}
