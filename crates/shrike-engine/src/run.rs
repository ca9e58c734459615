//! Running a plan over a batch of events: ordering, event queries, pipes, `size`.
//!
//! Events are ordered by timestamp, then tiebreaker (events without one after those with
//! one, as Elasticsearch sorts nulls last), then input position — so the order in which
//! logs arrive does not matter. Events without a usable timestamp cannot be placed in time:
//! event and sequence queries skip them and count them in [`Outcome::no_timestamp`];
//! samples, which are unordered, use them.

use crate::eval::{eval, matches};
use crate::event::Event;
use crate::plan::{CBody, CKey, Plan};
use serde_json::Value as Json;
use shrike_ir::{FieldType, Pipe, Value};
use std::cmp::Ordering;

/// Which end of the results `size` keeps (ES `result_position`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Position {
    /// The earliest matches.
    Head,
    /// The latest matches (Elasticsearch's default), still in ascending order.
    #[default]
    Tail,
}

/// Search settings beyond the query text (the `_eql/search` request parameters).
#[derive(Clone, Debug)]
pub struct SearchOptions {
    /// Maximum number of events or sequences returned (ES default 10).
    pub size: usize,
    /// Which end `size` keeps.
    pub position: Position,
    /// Samples per join key (ES `max_samples_per_key`, default 1).
    pub max_samples_per_key: usize,
    /// Cap on in-flight partial sequences. When reached, the oldest partial sequences are
    /// dropped (a warning says so), which can lose matches; memory stays bounded.
    pub max_pending_sequences: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            size: 10,
            position: Position::Tail,
            max_samples_per_key: 1,
            max_pending_sequences: DEFAULT_MAX_PENDING_SEQUENCES,
        }
    }
}

/// Default cap on in-flight partial sequences (one million).
pub const DEFAULT_MAX_PENDING_SEQUENCES: usize = 1_000_000;

/// A join-key value with the type of the field it came from, for printing.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyValue {
    /// The value.
    pub value: Value,
    /// The key field's type.
    pub ty: Option<FieldType>,
}

impl KeyValue {
    /// The value as the ES response shows it: sequences print dates with the field's
    /// format (`"1970-01-01T00:00:00.000Z"`), samples as epoch milliseconds.
    pub fn to_json(&self, sample: bool) -> Json {
        match &self.value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Value::Str(s) | Value::Version(s) => Json::String(s.clone()),
            Value::Ip(ip) => Json::String(ip.to_string()),
            Value::Date(n) if sample => Json::from(n.div_euclid(1_000_000)),
            Value::Date(n) => Json::String(match &self.ty {
                Some(FieldType::Date { format, .. }) => format.format(*n),
                _ => shrike_ir::date::format_iso(*n, false),
            }),
        }
    }
}

/// A sequence or sample result: its join keys and its events (indices into the events
/// given to [`search`], or the handles given to a [`crate::SequenceRunner`]); `None` is a
/// missing-event slot.
#[derive(Clone, Debug, PartialEq)]
pub struct SequenceHit<H = usize> {
    /// The join-key values, in key order.
    pub join_keys: Vec<KeyValue>,
    /// The events, in stage order.
    pub events: Vec<Option<H>>,
}

/// What a search found.
#[derive(Clone, Debug, PartialEq)]
pub enum Results {
    /// Matching events (indices into the input), in ascending order.
    Events(Vec<usize>),
    /// Sequences, in order of completion.
    Sequences(Vec<SequenceHit>),
    /// Samples, in join-key order.
    Samples(Vec<SequenceHit>),
}

impl Results {
    /// The number of results.
    pub fn len(&self) -> usize {
        match self {
            Results::Events(v) => v.len(),
            Results::Sequences(v) | Results::Samples(v) => v.len(),
        }
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Results plus what the caller should be told.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The results.
    pub results: Results,
    /// Events skipped because they had no usable timestamp.
    pub no_timestamp: usize,
    /// Warnings (for example: the sequence-state cap was reached).
    pub warnings: Vec<String>,
}

pub(crate) fn tiebreak_cmp(a: &Value, b: &Value) -> Ordering {
    match (a.is_null(), b.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.cmp(b),
    }
}

/// The positions of the timestamped events, in event order.
pub(crate) fn ordered(events: &[Event]) -> (Vec<usize>, usize) {
    let mut idx: Vec<usize> = (0..events.len())
        .filter(|&i| events[i].timestamp.is_some())
        .collect();
    let skipped = events.len() - idx.len();
    idx.sort_by(|&a, &b| {
        let (x, y) = (&events[a], &events[b]);
        x.timestamp
            .cmp(&y.timestamp)
            .then_with(|| tiebreak_cmp(&x.tiebreaker, &y.tiebreaker))
            .then_with(|| x.seq.cmp(&y.seq))
    });
    (idx, skipped)
}

pub(crate) fn apply_pipes<T>(mut items: Vec<T>, pipes: &[Pipe]) -> Vec<T> {
    for p in pipes {
        match *p {
            Pipe::Head(n) => items.truncate(usize::try_from(n).unwrap_or(usize::MAX)),
            Pipe::Tail(n) => {
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                if items.len() > n {
                    items.drain(..items.len() - n);
                }
            }
        }
    }
    items
}

fn limit<T>(mut items: Vec<T>, size: usize, position: Position) -> Vec<T> {
    if items.len() > size {
        match position {
            Position::Head => items.truncate(size),
            Position::Tail => {
                items.drain(..items.len() - size);
            }
        }
    }
    items
}

/// The composite join keys of an event for one stage: the cartesian product of each key's
/// distinct values. A non-optional key without a value excludes the event (empty result);
/// an optional one contributes `null`.
pub(crate) fn stage_keys(keys: &[CKey], ev: &Event) -> Vec<Vec<Value>> {
    let mut out: Vec<Vec<Value>> = vec![Vec::new()];
    for k in keys {
        let mut vals: Vec<Value> = match &k.node {
            crate::eval::Node::Field(f) => {
                let mut v: Vec<Value> = Vec::new();
                for x in ev.get(*f) {
                    if !v.contains(x) {
                        v.push(x.clone());
                    }
                }
                v
            }
            node => {
                let v = eval(node, ev, None).into_owned();
                if v.is_null() {
                    Vec::new()
                } else {
                    vec![v]
                }
            }
        };
        if vals.is_empty() {
            if !k.optional {
                return Vec::new();
            }
            vals.push(Value::Null);
        }
        let mut next = Vec::with_capacity(out.len() * vals.len());
        for prefix in &out {
            for v in &vals {
                let mut key = prefix.clone();
                key.push(v.clone());
                next.push(key);
            }
        }
        out = next;
    }
    out
}

/// Runs `plan` over `events` (in any order).
pub fn search(plan: &Plan, events: &[Event], options: &SearchOptions) -> Outcome {
    let mut warnings = Vec::new();
    let rule = plan.rule();
    match &rule.body {
        CBody::Event(cond) => {
            let (order, skipped) = ordered(events);
            let hits: Vec<usize> = order
                .into_iter()
                .filter(|&i| matches(cond, &events[i]))
                .collect();
            let hits = apply_pipes(hits, &rule.pipes);
            Outcome {
                results: Results::Events(limit(hits, options.size, options.position)),
                no_timestamp: skipped,
                warnings,
            }
        }
        CBody::Sequence {
            stages,
            until,
            maxspan,
        } => {
            let (order, skipped) = ordered(events);
            let seqs = crate::sequence::run(
                stages,
                until.as_ref(),
                *maxspan,
                events,
                &order,
                options.max_pending_sequences,
                &mut warnings,
            );
            let seqs = apply_pipes(seqs, &rule.pipes);
            Outcome {
                results: Results::Sequences(limit(seqs, options.size, options.position)),
                no_timestamp: skipped,
                warnings,
            }
        }
        CBody::Sample { stages } => {
            let samples = crate::sample::run(stages, events, options.max_samples_per_key);
            let samples = apply_pipes(samples, &rule.pipes);
            let mut samples = samples;
            samples.truncate(options.size);
            Outcome {
                results: Results::Samples(samples),
                no_timestamp: 0,
                warnings,
            }
        }
    }
}
