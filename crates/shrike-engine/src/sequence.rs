//! Sequences with Elasticsearch's state machine.
//!
//! Events are visited in order. For each event, stages are tried from the last to the
//! first (so one event never advances the same partial sequence twice), and for each of
//! the stage's join keys:
//!
//! * the first positive stage starts a partial sequence for that key, **replacing** any
//!   partial sequence already waiting in that stage for that key;
//! * a later stage takes the partial sequence waiting in the previous positive stage for
//!   the key (there is at most one), drops it if `maxspan` is exceeded (`last − first >
//!   maxspan`, so a span equal to maxspan matches), and moves it on, replacing what waited
//!   there; the last positive stage completes it.
//!
//! This is exactly what ES's `SequenceMatcher` computes: it keeps a list per stage and key,
//! but matching always takes the newest entry before the event and discards the older
//! ones, so only the newest can ever be used. An `until` event then discards every partial
//! sequence of its key (including ones the same event just advanced).
//!
//! Completed sequences are ordered by their last event, then by key. Missing-event stages
//! (`![…]`) are checked afterwards against the completed candidates, the way ES's
//! `TumblingWindow` does it (see [`keep_with_missing`]).

use crate::eval::matches;
use crate::event::Event;
use crate::plan::CStage;
use crate::run::{stage_keys, KeyValue, SequenceHit};
use shrike_ir::Value;
use std::collections::HashMap;

#[derive(Clone, Debug)]
struct Partial {
    /// Event indices of the positive stages matched so far.
    events: Vec<usize>,
    start_ts: i64,
    start_pos: usize,
}

struct Completed {
    key: Vec<Value>,
    events: Vec<usize>,
    last_pos: usize,
}

type Slots = Vec<Option<Partial>>;

pub(crate) fn run(
    stages: &[CStage],
    until: Option<&CStage>,
    maxspan: Option<i64>,
    events: &[Event],
    order: &[usize],
    cap: usize,
    warnings: &mut Vec<String>,
) -> Vec<SequenceHit> {
    let positive: Vec<usize> = (0..stages.len()).filter(|&i| !stages[i].missing).collect();
    let p = positive.len();
    if p == 0 {
        return Vec::new();
    }
    let exceeds =
        |from: i64, to: i64| maxspan.is_some_and(|m| m > 0 && to.saturating_sub(from) > m);
    let mut state: HashMap<Vec<Value>, Slots> = HashMap::new();
    let mut pending = 0usize;
    let mut completed: Vec<Completed> = Vec::new();
    let mut warned = false;

    for (pos, &ei) in order.iter().enumerate() {
        let ev = &events[ei];
        let ts = ev.timestamp.unwrap_or(0);
        for j in (0..p).rev() {
            let stage = &stages[positive[j]];
            if !matches(&stage.filter, ev) {
                continue;
            }
            for key in stage_keys(&stage.keys, ev) {
                if j == 0 {
                    let partial = Partial {
                        events: vec![ei],
                        start_ts: ts,
                        start_pos: pos,
                    };
                    if p == 1 {
                        completed.push(Completed {
                            key,
                            events: partial.events,
                            last_pos: pos,
                        });
                    } else {
                        let slots = state.entry(key).or_insert_with(|| vec![None; p - 1]);
                        if slots[0].replace(partial).is_none() {
                            pending += 1;
                        }
                    }
                    continue;
                }
                let Some(slots) = state.get_mut(&key) else {
                    continue;
                };
                let Some(mut partial) = slots[j - 1].take() else {
                    continue;
                };
                pending -= 1;
                if exceeds(partial.start_ts, ts) {
                    continue;
                }
                partial.events.push(ei);
                if j == p - 1 {
                    completed.push(Completed {
                        key,
                        events: partial.events,
                        last_pos: pos,
                    });
                } else if slots[j].replace(partial).is_none() {
                    pending += 1;
                }
            }
        }
        if let Some(u) = until {
            if matches(&u.filter, ev) {
                for key in stage_keys(&u.keys, ev) {
                    if let Some(slots) = state.remove(&key) {
                        pending -= slots.iter().filter(|s| s.is_some()).count();
                    }
                }
            }
        }
        // Bound the state: partial sequences older than maxspan can never complete.
        if pos % 4096 == 4095 || pending > cap {
            if let Some(m) = maxspan.filter(|m| *m > 0) {
                pending = expire(&mut state, |p| ts.saturating_sub(p.start_ts) > m);
            }
            if pending > cap {
                if !warned {
                    warnings.push(format!(
                        "sequence state reached its cap of {cap} in-flight partial sequences; \
                         the oldest were dropped and some matches may be missing \
                         (use a maxspan, or raise the cap)"
                    ));
                    warned = true;
                }
                let mut starts: Vec<usize> = state
                    .values()
                    .flat_map(|s| s.iter().flatten().map(|p| p.start_pos))
                    .collect();
                starts.sort_unstable();
                let cut = starts[starts.len() - cap * 3 / 4 - 1];
                pending = expire(&mut state, |p| p.start_pos <= cut);
            }
        }
    }

    let has_missing = positive.len() < stages.len();
    if has_missing {
        let index = MissingIndex::build(stages, events, order);
        completed.retain(|c| keep_with_missing(stages, &index, c, events, maxspan));
    }
    completed.sort_by(|a, b| a.last_pos.cmp(&b.last_pos).then_with(|| a.key.cmp(&b.key)));
    let key_types: Vec<_> = stages[positive[0]]
        .keys
        .iter()
        .map(|k| k.ty.clone())
        .collect();
    completed
        .into_iter()
        .map(|c| {
            let mut it = c.events.into_iter();
            let events = stages
                .iter()
                .map(|s| if s.missing { None } else { it.next() })
                .collect();
            SequenceHit {
                join_keys: c
                    .key
                    .into_iter()
                    .zip(key_types.iter().cloned().chain(std::iter::repeat(None)))
                    .map(|(value, ty)| KeyValue { value, ty })
                    .collect(),
                events,
            }
        })
        .collect()
}

fn expire(state: &mut HashMap<Vec<Value>, Slots>, dead: impl Fn(&Partial) -> bool) -> usize {
    let mut pending = 0;
    state.retain(|_, slots| {
        for s in slots.iter_mut() {
            if s.as_ref().is_some_and(&dead) {
                *s = None;
            }
        }
        let live = slots.iter().filter(|s| s.is_some()).count();
        pending += live;
        live > 0
    });
    pending
}

/// For each missing stage: key → sorted timestamps of the events that match it.
struct MissingIndex {
    by_stage: Vec<HashMap<Vec<Value>, Vec<i64>>>,
}

impl MissingIndex {
    fn build(stages: &[CStage], events: &[Event], order: &[usize]) -> MissingIndex {
        let mut by_stage = vec![HashMap::new(); stages.len()];
        for (si, s) in stages.iter().enumerate() {
            if !s.missing {
                continue;
            }
            let map: &mut HashMap<Vec<Value>, Vec<i64>> = &mut by_stage[si];
            for &ei in order {
                let ev = &events[ei];
                if matches(&s.filter, ev) {
                    for key in stage_keys(&s.keys, ev) {
                        map.entry(key).or_default().push(ev.timestamp.unwrap_or(0));
                    }
                }
            }
        }
        MissingIndex { by_stage }
    }

    fn times(&self, stage: usize, key: &[Value]) -> &[i64] {
        self.by_stage[stage].get(key).map_or(&[], Vec::as_slice)
    }
}

/// ES compares missing events against the candidate's timestamps truncated to
/// milliseconds (`range` bounds in epoch millis).
fn millis_floor(ts: i64) -> i64 {
    ts.div_euclid(1_000_000) * 1_000_000
}

/// Whether a completed candidate survives its missing-event stages, as ES decides it:
///
/// * a middle missing stage (between two positive stages) rejects the candidate if any
///   event of it (same key) lies strictly between its neighbours' timestamps;
/// * leading stages look for the nearest event before the first positive event, trailing
///   ones for the nearest after the last; the candidate is kept if a leading/trailing
///   stage exists but found nothing, or if what was found is farther than maxspan from the
///   other end of the sequence (both ends when there are leading and trailing stages).
fn keep_with_missing(
    stages: &[CStage],
    index: &MissingIndex,
    c: &Completed,
    events: &[Event],
    maxspan: Option<i64>,
) -> bool {
    let ts = |ei: usize| events[ei].timestamp.unwrap_or(0);
    let first_ts = ts(c.events[0]);
    let last_ts = ts(*c.events.last().expect("a completed sequence has events"));
    let n = stages.len();
    let last_positive = (0..n).rev().find(|&i| !stages[i].missing).unwrap_or(0);
    let mut leading = true;
    let mut last_leading: Option<i64> = None;
    let mut first_trailing: Option<i64> = None;
    let mut positive_seen = 0usize;
    for (i, s) in stages.iter().enumerate() {
        if !s.missing {
            leading = false;
            positive_seen += 1;
            continue;
        }
        let times = index.times(i, &c.key);
        if leading {
            let bound = millis_floor(first_ts);
            let pos = times.partition_point(|&t| t < bound);
            if pos > 0 {
                let t = times[pos - 1];
                last_leading = Some(last_leading.map_or(t, |l| l.max(t)));
            }
        } else if i > last_positive {
            let bound = millis_floor(last_ts) + 999_999;
            let pos = times.partition_point(|&t| t <= bound);
            if let Some(&t) = times.get(pos) {
                first_trailing = Some(first_trailing.map_or(t, |f| f.min(t)));
            }
        } else {
            let prev = millis_floor(ts(c.events[positive_seen - 1])) + 999_999;
            let next = millis_floor(ts(c.events[positive_seen]));
            let pos = times.partition_point(|&t| t <= prev);
            if times.get(pos).is_some_and(|&t| t < next) {
                return false;
            }
        }
    }
    let bigger = |from: Option<i64>, to: Option<i64>| match (from, to) {
        (Some(f), Some(t)) => maxspan.is_some_and(|m| m > 0 && t.saturating_sub(f) > m),
        _ => true,
    };
    let lead_stage = stages[0].missing;
    let trail_stage = stages[n - 1].missing;
    (first_trailing.is_none() && last_leading.is_none())
        || (last_leading.is_none() && lead_stage)
        || (first_trailing.is_none() && trail_stage)
        || (lead_stage && trail_stage && bigger(last_leading, first_trailing))
        || (lead_stage && !trail_stage && bigger(last_leading, Some(last_ts)))
        || (!lead_stage && trail_stage && bigger(Some(first_ts), first_trailing))
}
