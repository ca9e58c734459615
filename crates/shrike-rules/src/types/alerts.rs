//! Alert documents of the windowed rule types, from the events a rule's query matched:
//! the same Kibana shape as event alerts ([`AlertBuilder::event_alert`]) plus each type's
//! fields — `kibana.alert.threshold_result`, `kibana.alert.new_terms`, and the event's
//! `threat.enrichments`.
//!
//! Two modes ([`Mode`]): [`Mode::Replay`] runs Kibana's executions over the events'
//! time range ([`Schedule`]): an event outside every window (a schedule with gaps) raises
//! nothing, threshold groups count per window with Kibana's signal history, and each
//! alert's `@timestamp` is the execution that found it. [`Mode::Continuous`] (the
//! default) treats the input as one stream: query and indicator-match rules alert on every
//! match, a threshold rule counts over the whole input (one window), a new-terms rule
//! alerts when a term did not occur in the history length before the event.
//!
//! # `max_signals`
//!
//! Under replay each execution creates at most [`Schedule::max_signals`] alerts, spent as
//! Kibana spends them (`rule_types/` in Kibana's security solution server):
//!
//! * **query rules** (`utils/search_after_bulk_create*.ts`): the window's events are
//!   paged in `@timestamp` order (ascending; ties in index order), each page is wrapped
//!   into alerts, alerts whose id already exists are filtered out, and the rest are
//!   created until `max_signals` were created (`bulkCreate`'s `maxAlerts` is
//!   `max_signals` minus those created). Existing alerts do not use the budget: an event
//!   left over for want of budget alerts in the next execution whose window still holds
//!   it ([`query_alerts`]).
//! * **EQL event queries** (`eql/eql.ts`): one EQL search with `size = max_signals`
//!   returns the window's first events; those already alerted are filtered out. Here
//!   existing alerts *do* use the budget, so a burst of more than `max_signals` events
//!   that stays in overlapping windows can leave events that never alert
//!   ([`eql_alerts`]).
//! * **threshold rules** (`threshold/find_threshold_signals.ts`): the first
//!   `max_signals` groups over the threshold, in the composite aggregation's key order;
//!   only groups that alerted enter the signal history, so a group left over can alert in
//!   the next execution ([`threshold_alerts`]).
//! * **new-terms rules** (`new_terms/create_new_terms_alert_type.ts`): see
//!   [`new_terms::replay`].
//! * **indicator-match rules** (`indicator_match/threat_mapping/create_threat_signals.ts`):
//!   the smaller of the window's events and the indicators is paged
//!   (`items_per_search` × `concurrent_searches`, default 9000 × 1); each search creates
//!   at most `max_signals` alerts from its matches, newest event first, and the execution
//!   stops after the first page that brought its total to `max_signals`
//!   ([`threat_alerts`]).
//!
//! Continuous mode applies no cap: it stands for a hunt over all of the data, where a
//! user wants every match, not the share one scheduled execution would have had room
//! for; `--schedule replay` is the way to see what a Kibana deployment would have kept.

use super::new_terms::{self, NewTerms, Rolling};
use super::schedule::{Execution, Schedule};
use super::threat::{Match, ThreatIndex};
use super::threshold::{Bucket, Counter, History, Threshold};
use crate::alert::{AlertBuilder, AlertSettings, SourceEvent};
use serde_json::{json, Value as Json};
use shrike_ir::date::format_iso;
use std::cmp::Reverse;
use std::collections::HashSet;

/// Most executions one replay simulates.
pub const MAX_EXECUTIONS: usize = 10_000_000;

/// How windows are formed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// The input as one stream (see the module docs).
    #[default]
    Continuous,
    /// Kibana's executions, replayed.
    Replay(Schedule),
}

/// An event a rule's query matched.
#[derive(Clone, Debug)]
pub struct Matched {
    /// Its time (nanoseconds since the epoch).
    pub time: i64,
    /// Its index (`""` when unknown).
    pub index: String,
    /// Its `_id`.
    pub id: String,
    /// Its `_source`.
    pub source: Json,
}

impl Matched {
    /// What an event alert's id is made of besides the rule: `(_index, _id)`.
    pub fn key(&self) -> (&str, &str) {
        (&self.index, &self.id)
    }
}

/// `settings` with an execution's time as the alerts' `@timestamp`.
pub fn at(settings: &AlertSettings, ex: &Execution) -> AlertSettings {
    let mut s = settings.clone();
    s.now = format_iso(ex.now, false);
    s
}

/// The executions of `schedule` over the events' time range.
pub fn executions(schedule: &Schedule, events: &[Matched]) -> Vec<Execution> {
    let (Some(first), Some(last)) = (
        events.iter().map(|e| e.time).min(),
        events.iter().map(|e| e.time).max(),
    ) else {
        return Vec::new();
    };
    schedule.executions(first, last, MAX_EXECUTIONS)
}

/// The events sorted by time, ties in their given order (Elasticsearch's implicit
/// `_shard_doc` tiebreaker: index order).
pub fn by_time(events: &[Matched]) -> Vec<&Matched> {
    let mut sorted: Vec<&Matched> = events.iter().collect();
    sorted.sort_by_key(|e| e.time);
    sorted
}

/// The events of `sorted` (see [`by_time`]) in an execution's window.
pub fn window<'a, 'b>(sorted: &'b [&'a Matched], ex: &Execution) -> &'b [&'a Matched] {
    let lo = sorted.partition_point(|e| e.time < ex.from);
    let hi = sorted.partition_point(|e| e.time <= ex.now).max(lo);
    &sorted[lo..hi]
}

fn alert(builder: &AlertBuilder, e: &Matched, settings: &AlertSettings) -> Json {
    builder.event_alert(
        SourceEvent {
            index: &e.index,
            id: &e.id,
            source: &e.source,
        },
        settings,
    )
}

/// A query rule: one alert per matched event. Under replay, each execution creates
/// alerts for its window's events in time order, skipping events already alerted, until
/// it created `max_signals` (see the module docs).
pub fn query_alerts(
    builder: &AlertBuilder,
    mode: &Mode,
    events: &[Matched],
    settings: &AlertSettings,
) -> Vec<Json> {
    match mode {
        Mode::Continuous => events.iter().map(|e| alert(builder, e, settings)).collect(),
        Mode::Replay(s) => {
            let sorted = by_time(events);
            let mut created: HashSet<(&str, &str)> = HashSet::new();
            let mut out = Vec::new();
            for ex in executions(s, events) {
                let here = at(settings, &ex);
                let mut n = 0;
                for e in window(&sorted, &ex) {
                    if created.contains(&e.key()) {
                        continue;
                    }
                    if n >= s.max_signals {
                        break;
                    }
                    n += 1;
                    created.insert(e.key());
                    out.push(alert(builder, e, &here));
                }
            }
            out
        }
    }
}

/// An EQL event query: one alert per matched event. Under replay, each execution's
/// search returns the window's first `max_signals` events (its `size`), and those not
/// alerted yet alert (see the module docs).
pub fn eql_alerts(
    builder: &AlertBuilder,
    mode: &Mode,
    events: &[Matched],
    settings: &AlertSettings,
) -> Vec<Json> {
    match mode {
        Mode::Continuous => events.iter().map(|e| alert(builder, e, settings)).collect(),
        Mode::Replay(s) => {
            let sorted = by_time(events);
            let mut created: HashSet<(&str, &str)> = HashSet::new();
            let mut out = Vec::new();
            for ex in executions(s, events) {
                let here = at(settings, &ex);
                for e in window(&sorted, &ex).iter().take(s.max_signals) {
                    if created.insert(e.key()) {
                        out.push(alert(builder, e, &here));
                    }
                }
            }
            out
        }
    }
}

/// The alert of one threshold group found by an execution at `now` (for continuous
/// mode: the time of the last event counted): the group's values as the source document,
/// Kibana's threshold id, and `kibana.alert.threshold_result`.
pub fn threshold_alert(
    builder: &AlertBuilder,
    rule_id: &str,
    threshold: &Threshold,
    bucket: &Bucket,
    now: i64,
    settings: &AlertSettings,
) -> Json {
    let index = builder.indices().join(",");
    let id = bucket.alert_id(rule_id, now, threshold);
    let source = bucket.source();
    let mut a = builder.event_alert(
        SourceEvent {
            index: &index,
            id: &id,
            source: &source,
        },
        settings,
    );
    if let Some(o) = a.as_object_mut() {
        o.insert(
            "kibana.alert.threshold_result".into(),
            bucket.result(threshold),
        );
    }
    a
}

/// A threshold rule's alerts. Under replay each execution alerts on its first
/// `max_signals` groups in key order; only those enter the signal history.
pub fn threshold_alerts(
    builder: &AlertBuilder,
    rule_id: &str,
    threshold: &Threshold,
    mode: &Mode,
    events: &[Matched],
    settings: &AlertSettings,
) -> Vec<Json> {
    let mut out = Vec::new();
    let mut emit = |buckets: Vec<Bucket>,
                    now: i64,
                    settings: &AlertSettings,
                    history: Option<&mut History>| {
        if let Some(h) = history {
            buckets.iter().for_each(|b| h.record(b));
        }
        for b in &buckets {
            out.push(threshold_alert(
                builder, rule_id, threshold, b, now, settings,
            ));
        }
    };
    match mode {
        Mode::Continuous => {
            let mut c = Counter::new(threshold);
            events.iter().for_each(|e| c.add(e.time, &e.source));
            let now = events.iter().map(|e| e.time).max().unwrap_or(0);
            emit(c.finish(), now, settings, None);
        }
        Mode::Replay(s) => {
            let sorted = by_time(events);
            let mut history = History::default();
            for ex in executions(s, events) {
                history.expire(ex.from);
                let mut c = Counter::new(threshold);
                for e in window(&sorted, &ex) {
                    if !history.excludes(threshold, e.time, &e.source) {
                        c.add(e.time, &e.source);
                    }
                }
                let mut buckets = c.finish();
                buckets.truncate(s.max_signals);
                emit(buckets, ex.now, &at(settings, &ex), Some(&mut history));
            }
        }
    }
    out
}

/// A new-terms rule's alerts (events need not be sorted).
pub fn new_terms_alerts(
    builder: &AlertBuilder,
    rule: &NewTerms,
    mode: &Mode,
    events: &[Matched],
    settings: &AlertSettings,
) -> Vec<Json> {
    let sorted = by_time(events);
    let with_terms = |e: &Matched, terms: Vec<Json>, settings: &AlertSettings| {
        let event = SourceEvent {
            index: &e.index,
            id: &e.id,
            source: &e.source,
        };
        builder.new_terms_alert(event, &terms, settings)
    };
    match mode {
        Mode::Continuous => {
            let Some(mut roll) = Rolling::new(rule) else {
                return Vec::new();
            };
            let mut out = Vec::new();
            for e in sorted {
                for terms in roll.observe(rule, e.time, &e.source) {
                    out.push(with_terms(e, terms, settings));
                }
            }
            out
        }
        Mode::Replay(s) => {
            let ex = executions(s, events);
            let view: Vec<(i64, &Json)> = sorted.iter().map(|e| (e.time, &e.source)).collect();
            let mut seen = HashSet::new();
            new_terms::replay(rule, &ex, &view, s.max_signals)
                .into_iter()
                .filter(|a| seen.insert((a.event, a.terms.clone())))
                .map(|a| {
                    let s = match &a.execution {
                        Some(x) => at(settings, x),
                        None => settings.clone(),
                    };
                    with_terms(sorted[a.event], a.terms, &s)
                })
                .collect()
        }
    }
}

/// An indicator-match rule's alerts: matched events that also match an indicator, with
/// the matches appended to the event's `threat.enrichments`. Under replay, each
/// execution pages through the smaller of its window's events (newest first) and the
/// indicators, as Kibana does, and stops once `max_signals` alerts were created (see
/// the module docs).
pub fn threat_alerts(
    builder: &AlertBuilder,
    threats: &ThreatIndex,
    mode: &Mode,
    events: &[Matched],
    settings: &AlertSettings,
) -> Vec<Json> {
    let Mode::Replay(s) = mode else {
        return events
            .iter()
            .filter_map(|e| threat_alert(builder, threats, e, settings))
            .collect();
    };
    let sorted = by_time(events);
    // Each event's matches, computed once (most events sit in several windows).
    let matches: Vec<Vec<Match>> = sorted.iter().map(|e| threats.matches(&e.source)).collect();
    let searchable: Vec<usize> = (0..threats.indicators().len())
        .filter(|i| threats.indicator_has_mapping_fields(*i))
        .collect();
    let per_search = threats.items_per_search().max(1);
    let per_page = per_search.saturating_mul(threats.concurrent_searches().max(1));
    let mut created: HashSet<(&str, &str)> = HashSet::new();
    let mut out = Vec::new();
    for ex in executions(s, events) {
        let here = at(settings, &ex);
        let lo = sorted.partition_point(|e| e.time < ex.from);
        let hi = sorted.partition_point(|e| e.time <= ex.now).max(lo);
        // The window's searchable events, newest first (ties in index order).
        let mut newest: Vec<usize> = (lo..hi)
            .filter(|i| threats.event_has_mapping_fields(&sorted[*i].source))
            .collect();
        newest.sort_by_key(|i| Reverse(sorted[*i].time));
        let mut total = 0;
        // One search: its matched events (newest first), at most `max_signals` new alerts.
        let mut search = |candidates: &mut dyn Iterator<Item = usize>| {
            let mut n = 0;
            for i in candidates {
                let e = sorted[i];
                if created.contains(&e.key()) {
                    continue;
                }
                if n >= s.max_signals {
                    break;
                }
                if let Some(a) = threat_alert(builder, threats, e, &here) {
                    n += 1;
                    created.insert(e.key());
                    out.push(a);
                }
            }
            n
        };
        if newest.len() < searchable.len() {
            // Events first: each search takes a chunk of events and keeps those matching.
            for page in newest.chunks(per_page) {
                for chunk in page.chunks(per_search) {
                    let mut it = chunk.iter().copied().filter(|i| !matches[*i].is_empty());
                    total += search(&mut it);
                }
                if total >= s.max_signals {
                    break;
                }
            }
        } else {
            // Indicators first: each search takes a chunk of indicators and finds the
            // window's events matching one of them.
            for page in searchable.chunks(per_page) {
                for chunk in page.chunks(per_search) {
                    let mut it = newest.iter().copied().filter(|i| {
                        matches[*i]
                            .iter()
                            .any(|m| chunk.binary_search(&m.indicator).is_ok())
                    });
                    total += search(&mut it);
                }
                if total >= s.max_signals {
                    break;
                }
            }
        }
    }
    out
}

/// The alert of one event an indicator-match rule's query matched, if the event matches
/// an indicator.
pub fn threat_alert(
    builder: &AlertBuilder,
    threats: &ThreatIndex,
    e: &Matched,
    settings: &AlertSettings,
) -> Option<Json> {
    let m = threats.matches(&e.source);
    if m.is_empty() {
        return None;
    }
    let mut source = e.source.clone();
    if let Some(obj) = source.as_object_mut() {
        let threat = obj.entry("threat").or_insert_with(|| json!({}));
        if !threat.is_object() {
            *threat = json!({});
        }
        if let Some(t) = threat.as_object_mut() {
            let list = t.entry("enrichments").or_insert_with(|| json!([]));
            if !list.is_array() {
                *list = json!([]);
            }
            if let Some(l) = list.as_array_mut() {
                l.extend(threats.enrichments(&m));
            }
        }
    }
    Some(alert(
        builder,
        &Matched {
            source,
            ..e.clone()
        },
        settings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::ecs::EcsTypes;
    use crate::load::load;
    use crate::types::threat::{read_indicators, Condition};

    const M: i64 = 60_000_000_000;

    fn settings() -> AlertSettings {
        AlertSettings {
            now: "2024-05-01T12:00:00.000Z".into(),
            space: "default".into(),
            ecs: EcsTypes::new([("host.name", "keyword"), ("user.name", "keyword")]),
        }
    }

    fn builder(ty: &str) -> AlertBuilder {
        let text = format!(
            "[metadata]\ncreation_date = \"2024/01/31\"\nupdated_date = \"2024/02/01\"\n\
             maturity = \"production\"\n\n[rule]\nauthor = [\"shrike\"]\ndescription = \"d\"\n\
             name = \"n\"\nrisk_score = 21\nrule_id = \"rule-1\"\nseverity = \"low\"\n\
             type = \"{ty}\"\nlanguage = \"kuery\"\nindex = [\"logs-*\"]\nquery = \"a: b\"\n"
        );
        let loaded = load(&text).expect("valid rule");
        AlertBuilder::new(&loaded.file, "2024-05-01T12:00:00.000Z").expect("a rule")
    }

    fn ev(min: i64, host: &str, user: &str) -> Matched {
        Matched {
            time: min * M,
            index: "logs-x".into(),
            id: format!("{host}-{user}-{min}"),
            source: json!({"@timestamp": format_iso(min * M, false), "host": {"name": host}, "user": {"name": user}}),
        }
    }

    #[test]
    fn threshold_alerts_carry_kibanas_result() {
        let th = Threshold {
            fields: vec!["host.name".into()],
            value: 2,
            cardinality: Some(("user.name".into(), 2)),
        };
        let events = [
            ev(1, "h1", "a"),
            ev(2, "h1", "b"),
            ev(3, "h2", "a"),
            ev(4, "h2", "a"),
        ];
        let alerts = threshold_alerts(
            &builder("threshold"),
            "rule-1",
            &th,
            &Mode::Continuous,
            &events,
            &settings(),
        );
        assert_eq!(alerts.len(), 1, "h2 has one distinct user");
        let a = &alerts[0];
        assert_eq!(
            a["kibana.alert.threshold_result"],
            json!({"cardinality": [{"field": "user.name", "value": 2}], "count": 2,
                   "from": "1970-01-01T00:01:00.000Z",
                   "terms": [{"field": "host.name", "value": "h1"}]})
        );
        assert_eq!(
            a["kibana.alert.original_time"],
            json!("1970-01-01T00:02:00.000Z")
        );
    }

    #[test]
    fn replay_counts_per_window_without_double_alerts() {
        let th = Threshold {
            fields: vec!["host.name".into()],
            value: 2,
            cardinality: None,
        };
        let mode = Mode::Replay(Schedule::new(Some("5m"), Some("now-10m")).unwrap());
        let events: Vec<Matched> = [1, 2, 6, 7].iter().map(|m| ev(*m, "h1", "u")).collect();
        let alerts = threshold_alerts(
            &builder("threshold"),
            "rule-1",
            &th,
            &mode,
            &events,
            &settings(),
        );
        let counts: Vec<(Json, Json)> = alerts
            .iter()
            .map(|a| {
                (
                    a["kibana.alert.threshold_result"]["count"].clone(),
                    a["@timestamp"].clone(),
                )
            })
            .collect();
        assert_eq!(
            counts,
            [
                (json!(2), json!("1970-01-01T00:05:00.000Z")),
                (json!(2), json!("1970-01-01T00:10:00.000Z"))
            ]
        );
    }

    #[test]
    fn new_terms_alerts_name_the_terms() {
        let rule = NewTerms {
            fields: vec!["user.name".into()],
            history_window_start: "now-30m".into(),
        };
        let events = [ev(1, "h", "a"), ev(2, "h", "a"), ev(3, "h", "b")];
        let a = new_terms_alerts(
            &builder("new_terms"),
            &rule,
            &Mode::Continuous,
            &events,
            &settings(),
        );
        let terms: Vec<Json> = a
            .iter()
            .map(|x| x["kibana.alert.new_terms"].clone())
            .collect();
        assert_eq!(terms, [json!(["a"]), json!(["b"])]);
        let mode = Mode::Replay(Schedule::new(Some("5m"), Some("now-6m")).unwrap());
        let a = new_terms_alerts(&builder("new_terms"), &rule, &mode, &events, &settings());
        assert_eq!(a.len(), 2);
        assert_eq!(a[0]["@timestamp"], json!("1970-01-01T00:05:00.000Z"));
    }

    #[test]
    fn threat_alerts_append_enrichments() {
        let (inds, _) = read_indicators(
            r#"{"threat": {"indicator": {"user": {"name": "b"}}}}"#,
            "ti",
        );
        let idx = ThreatIndex::new(
            vec![vec![Condition {
                field: "user.name".into(),
                value: "threat.indicator.user.name".into(),
            }]],
            inds,
            "threat.indicator",
        );
        let events = [ev(1, "h", "a"), ev(2, "h", "b")];
        let a = threat_alerts(
            &builder("threat_match"),
            &idx,
            &Mode::Continuous,
            &events,
            &settings(),
        );
        assert_eq!(a.len(), 1);
        assert_eq!(
            a[0]["threat"]["enrichments"][0]["matched"]["atomic"],
            json!("b")
        );
    }

    fn replay(max_signals: i64, from: &str) -> Mode {
        Mode::Replay(
            Schedule::new(Some("5m"), Some(from))
                .unwrap()
                .with_max_signals(Some(max_signals)),
        )
    }

    /// (event id, execution minute) of each alert.
    fn made(alerts: &[Json]) -> Vec<(String, String)> {
        alerts
            .iter()
            .map(|a| {
                (
                    a["kibana.alert.ancestors"][0]["id"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                    a["@timestamp"].as_str().unwrap_or("")[14..16].to_string(),
                )
            })
            .collect()
    }

    fn burst() -> Vec<Matched> {
        [1, 2, 3, 7].iter().map(|m| ev(*m, "h", "u")).collect()
    }

    /// Query rules: duplicates are filtered before the cap, so what one execution left
    /// alerts in the next one whose window holds it.
    #[test]
    fn query_replay_caps_each_execution_and_catches_up() {
        let a = query_alerts(
            &builder("query"),
            &replay(2, "now-10m"),
            &burst(),
            &settings(),
        );
        assert_eq!(
            made(&a),
            [
                ("h-u-1".into(), "05".into()),
                ("h-u-2".into(), "05".into()),
                ("h-u-3".into(), "10".into()),
                ("h-u-7".into(), "10".into())
            ]
        );
        // Without overlap the event left at 10:05 is never seen again.
        let a = query_alerts(
            &builder("query"),
            &replay(2, "now-5m"),
            &burst(),
            &settings(),
        );
        assert_eq!(
            made(&a)
                .iter()
                .map(|(id, _)| id.as_str())
                .collect::<Vec<_>>(),
            ["h-u-1", "h-u-2", "h-u-7"]
        );
        // Continuous mode is not capped.
        let a = query_alerts(&builder("query"), &Mode::Continuous, &burst(), &settings());
        assert_eq!(a.len(), 4);
    }

    /// EQL: the search's `size` is `max_signals`, and events already alerted take their
    /// place in it.
    #[test]
    fn eql_replay_size_counts_duplicates() {
        let a = eql_alerts(
            &builder("eql"),
            &replay(2, "now-10m"),
            &burst(),
            &settings(),
        );
        assert_eq!(
            made(&a),
            [
                ("h-u-1".into(), "05".into()),
                ("h-u-2".into(), "05".into()),
                ("h-u-7".into(), "15".into())
            ]
        );
    }

    /// Threshold: the first `max_signals` groups in key order; a group left over alerts
    /// in the next execution (it is not in the signal history).
    #[test]
    fn threshold_replay_keeps_the_first_groups() {
        let th = Threshold {
            fields: vec!["host.name".into()],
            value: 1,
            cardinality: None,
        };
        let events = [ev(1, "h10", "u"), ev(2, "h9", "u"), ev(3, "h2", "u")];
        let a = threshold_alerts(
            &builder("threshold"),
            "rule-1",
            &th,
            &replay(2, "now-10m"),
            &events,
            &settings(),
        );
        let got: Vec<(Json, Json)> = a
            .iter()
            .map(|x| {
                (
                    x["kibana.alert.threshold_result"]["terms"][0]["value"].clone(),
                    x["@timestamp"].clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (json!("h10"), json!("1970-01-01T00:05:00.000Z")),
                (json!("h2"), json!("1970-01-01T00:05:00.000Z")),
                (json!("h9"), json!("1970-01-01T00:10:00.000Z"))
            ]
        );
    }

    /// Indicator match: newest events first, `max_signals` per execution; the next
    /// execution picks up the older one.
    #[test]
    fn threat_replay_takes_the_newest_matches() {
        let (inds, _) = read_indicators(
            "{\"threat\": {\"indicator\": {\"user\": {\"name\": \"b\"}}}}\n\
             {\"threat\": {\"indicator\": {\"user\": {\"name\": \"c\"}}}}",
            "ti",
        );
        let idx = ThreatIndex::new(
            vec![vec![Condition {
                field: "user.name".into(),
                value: "threat.indicator.user.name".into(),
            }]],
            inds,
            "threat.indicator",
        );
        let events = [ev(1, "h", "b"), ev(2, "h", "a"), ev(3, "h", "c")];
        let a = threat_alerts(
            &builder("threat_match"),
            &idx,
            &replay(1, "now-10m"),
            &events,
            &settings(),
        );
        assert_eq!(
            made(&a),
            [("h-c-3".into(), "05".into()), ("h-b-1".into(), "10".into())]
        );
        // Events first (fewer events than indicators): the same matches, by event pages.
        let (many, _) = read_indicators(
            &(0..5)
                .map(|i| {
                    format!(
                        "{{\"threat\": {{\"indicator\": {{\"user\": {{\"name\": \"{}\"}}}}}}}}",
                        ["b", "c", "x", "y", "z"][i]
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            "ti",
        );
        let idx = ThreatIndex::new(
            vec![vec![Condition {
                field: "user.name".into(),
                value: "threat.indicator.user.name".into(),
            }]],
            many,
            "threat.indicator",
        )
        .with_paging(Some(1), None);
        let a = threat_alerts(
            &builder("threat_match"),
            &idx,
            &replay(1, "now-10m"),
            &events,
            &settings(),
        );
        assert_eq!(
            made(&a),
            [("h-c-3".into(), "05".into()), ("h-b-1".into(), "10".into())]
        );
    }
}
