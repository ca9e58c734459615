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

use super::new_terms::{self, NewTerms, Rolling};
use super::schedule::{Execution, Schedule};
use super::threat::ThreatIndex;
use super::threshold::{Bucket, Counter, History, Threshold};
use crate::alert::{AlertBuilder, AlertSettings, SourceEvent};
use serde_json::{json, Value as Json};
use shrike_ir::date::format_iso;
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

fn at(settings: &AlertSettings, ex: &Execution) -> AlertSettings {
    let mut s = settings.clone();
    s.now = format_iso(ex.now, false);
    s
}

fn executions(schedule: &Schedule, events: &[Matched]) -> Vec<Execution> {
    let (Some(first), Some(last)) = (
        events.iter().map(|e| e.time).min(),
        events.iter().map(|e| e.time).max(),
    ) else {
        return Vec::new();
    };
    schedule.executions(first, last, MAX_EXECUTIONS)
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

/// A query rule: one alert per matched event; under replay only events some execution
/// saw, each once (the first execution that saw it), sorted by time.
pub fn query_alerts(
    builder: &AlertBuilder,
    mode: &Mode,
    events: &[Matched],
    settings: &AlertSettings,
) -> Vec<Json> {
    match mode {
        Mode::Continuous => events.iter().map(|e| alert(builder, e, settings)).collect(),
        Mode::Replay(s) => {
            let ex = executions(s, events);
            let mut sorted: Vec<&Matched> = events.iter().collect();
            sorted.sort_by_key(|e| e.time);
            sorted
                .into_iter()
                .filter_map(|e| {
                    let x = Schedule::first_covering(&ex, e.time)?;
                    Some(alert(builder, e, &at(settings, &x)))
                })
                .collect()
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

/// A threshold rule's alerts.
pub fn threshold_alerts(
    builder: &AlertBuilder,
    rule_id: &str,
    threshold: &Threshold,
    mode: &Mode,
    events: &[Matched],
    settings: &AlertSettings,
) -> Vec<Json> {
    let mut out = Vec::new();
    let mut emit =
        |counter: Counter, now: i64, settings: &AlertSettings, history: Option<&mut History>| {
            let buckets = counter.finish();
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
            emit(c, now, settings, None);
        }
        Mode::Replay(s) => {
            let mut history = History::default();
            for ex in executions(s, events) {
                history.expire(ex.from);
                let mut c = Counter::new(threshold);
                for e in events {
                    if ex.covers(e.time) && !history.excludes(threshold, e.time, &e.source) {
                        c.add(e.time, &e.source);
                    }
                }
                emit(c, ex.now, &at(settings, &ex), Some(&mut history));
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
    let mut sorted: Vec<&Matched> = events.iter().collect();
    sorted.sort_by_key(|e| e.time);
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
            new_terms::replay(rule, &ex, &view)
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
/// the matches appended to the event's `threat.enrichments`.
pub fn threat_alerts(
    builder: &AlertBuilder,
    threats: &ThreatIndex,
    events: &[Matched],
    settings: &AlertSettings,
) -> Vec<Json> {
    events
        .iter()
        .filter_map(|e| threat_alert(builder, threats, e, settings))
        .collect()
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
        let a = threat_alerts(&builder("threat_match"), &idx, &events, &settings());
        assert_eq!(a.len(), 1);
        assert_eq!(
            a[0]["threat"]["enrichments"][0]["matched"]["atomic"],
            json!("b")
        );
    }
}
