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
//!
//! [`SeqState`] is the one implementation, fed one event at a time in order: the batch
//! [`crate::search`] feeds it the ordered events of its input, the streaming
//! [`crate::SequenceRunner`] the candidates of a time-sorted stream. Partial sequences hold
//! the caller's handles (event indices for the batch, shared hits for streaming). A query
//! with missing-event stages holds its completed sequences until the end of the input,
//! since a trailing missing stage looks at later events.

use crate::eval::matches;
use crate::event::Event;
use crate::plan::CStage;
use crate::run::{stage_keys, KeyValue, SequenceHit};
use shrike_ir::Value;
use std::collections::HashMap;

#[derive(Clone, Debug)]
struct Partial<H> {
    /// Handles and timestamps of the positive stages matched so far.
    events: Vec<(H, i64)>,
    start_ts: i64,
    start_pos: u64,
}

/// A completed sequence: its key and its positive-stage events with their timestamps.
#[derive(Clone, Debug)]
pub(crate) struct Completed<H> {
    pub(crate) key: Vec<Value>,
    pub(crate) events: Vec<(H, i64)>,
}

type Slots<H> = Vec<Option<Partial<H>>>;

/// The state of one sequence query over an ordered stream of events.
pub(crate) struct SeqState<H> {
    positive: Vec<usize>,
    maxspan: Option<i64>,
    state: HashMap<Vec<Value>, Slots<H>>,
    pending: usize,
    pos: u64,
    cap: usize,
    warned: bool,
    /// Warnings for the caller (the state cap was reached).
    pub(crate) warnings: Vec<String>,
    /// Missing-stage events seen (None without missing stages).
    missing: Option<MissingIndex>,
    /// Completed sequences held until [`SeqState::finish`] (queries with missing stages).
    held: Vec<Completed<H>>,
}

impl<H: Clone> SeqState<H> {
    pub(crate) fn new(stages: &[CStage], maxspan: Option<i64>, cap: usize) -> Self {
        let positive: Vec<usize> = (0..stages.len()).filter(|&i| !stages[i].missing).collect();
        let has_missing = positive.len() < stages.len();
        SeqState {
            positive,
            maxspan,
            state: HashMap::new(),
            pending: 0,
            pos: 0,
            cap: cap.max(1),
            warned: false,
            warnings: Vec::new(),
            missing: has_missing.then(|| MissingIndex::new(stages.len())),
            held: Vec::new(),
        }
    }

    /// Partial sequences in flight.
    pub(crate) fn pending(&self) -> usize {
        self.pending
    }

    /// Feeds the next event (in timestamp, tiebreaker, input order). Sequences it completes
    /// are appended to `out`, ordered by key (unless the query has missing stages: then
    /// they are held until [`SeqState::finish`]).
    pub(crate) fn push(
        &mut self,
        stages: &[CStage],
        until: Option<&CStage>,
        ev: &Event,
        ts: i64,
        handle: H,
        out: &mut Vec<Completed<H>>,
    ) {
        let pos = self.pos;
        self.pos += 1;
        let p = self.positive.len();
        if p == 0 {
            return;
        }
        let first_out = out.len();
        for j in (0..p).rev() {
            let stage = &stages[self.positive[j]];
            if !matches(&stage.filter, ev) {
                continue;
            }
            for key in stage_keys(&stage.keys, ev) {
                if j == 0 {
                    let partial = Partial {
                        events: vec![(handle.clone(), ts)],
                        start_ts: ts,
                        start_pos: pos,
                    };
                    if p == 1 {
                        out.push(Completed {
                            key,
                            events: partial.events,
                        });
                    } else {
                        let slots = self.state.entry(key).or_insert_with(|| vec![None; p - 1]);
                        if slots[0].replace(partial).is_none() {
                            self.pending += 1;
                        }
                    }
                    continue;
                }
                let maxspan = self.maxspan;
                let Some(slots) = self.state.get_mut(&key) else {
                    continue;
                };
                let Some(mut partial) = slots[j - 1].take() else {
                    continue;
                };
                self.pending -= 1;
                if maxspan.is_some_and(|m| m > 0 && ts.saturating_sub(partial.start_ts) > m) {
                    continue;
                }
                partial.events.push((handle.clone(), ts));
                if j == p - 1 {
                    out.push(Completed {
                        key,
                        events: partial.events,
                    });
                } else if slots[j].replace(partial).is_none() {
                    self.pending += 1;
                }
            }
        }
        if let Some(u) = until {
            if matches(&u.filter, ev) {
                for key in stage_keys(&u.keys, ev) {
                    if let Some(slots) = self.state.remove(&key) {
                        self.pending -= slots.iter().filter(|s| s.is_some()).count();
                    }
                }
            }
        }
        if let Some(index) = &mut self.missing {
            index.record(stages, ev, ts);
        }
        // Sequences completed by this one event: ordered by key.
        if out.len() - first_out > 1 {
            out[first_out..].sort_by(|a, b| a.key.cmp(&b.key));
        }
        if self.missing.is_some() {
            self.held.extend(out.drain(first_out..));
        }
        // Bound the state: partial sequences older than maxspan can never complete.
        if pos % 4096 == 4095 || self.pending > self.cap {
            if let Some(m) = self.maxspan.filter(|m| *m > 0) {
                self.pending = expire(&mut self.state, |p| ts.saturating_sub(p.start_ts) > m);
            }
            if self.pending > self.cap {
                if !self.warned {
                    self.warnings.push(format!(
                        "sequence state reached its cap of {} in-flight partial sequences; \
                         the oldest were dropped and some matches may be missing \
                         (use a maxspan, or raise the cap)",
                        self.cap
                    ));
                    self.warned = true;
                }
                let mut starts: Vec<u64> = self
                    .state
                    .values()
                    .flat_map(|s| s.iter().flatten().map(|p| p.start_pos))
                    .collect();
                starts.sort_unstable();
                let keep = self.cap * 3 / 4;
                let cut = starts[starts.len().saturating_sub(keep + 1)];
                self.pending = expire(&mut self.state, |p| p.start_pos <= cut);
            }
        }
    }

    /// Ends the stream: the held sequences of a query with missing stages that survive
    /// them are appended to `out`, in completion order.
    pub(crate) fn finish(self, stages: &[CStage], out: &mut Vec<Completed<H>>) {
        if let Some(index) = &self.missing {
            let maxspan = self.maxspan;
            out.extend(
                self.held
                    .into_iter()
                    .filter(|c| keep_with_missing(stages, index, c, maxspan)),
            );
        }
    }
}

fn expire<H>(
    state: &mut HashMap<Vec<Value>, Slots<H>>,
    dead: impl Fn(&Partial<H>) -> bool,
) -> usize {
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
    fn new(stages: usize) -> MissingIndex {
        MissingIndex {
            by_stage: vec![HashMap::new(); stages],
        }
    }

    /// Records an event (fed in time order, so each list stays sorted).
    fn record(&mut self, stages: &[CStage], ev: &Event, ts: i64) {
        for (si, s) in stages.iter().enumerate() {
            if !s.missing || !matches(&s.filter, ev) {
                continue;
            }
            for key in stage_keys(&s.keys, ev) {
                self.by_stage[si].entry(key).or_default().push(ts);
            }
        }
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
fn keep_with_missing<H>(
    stages: &[CStage],
    index: &MissingIndex,
    c: &Completed<H>,
    maxspan: Option<i64>,
) -> bool {
    let ts = |i: usize| c.events[i].1;
    let first_ts = ts(0);
    let last_ts = c.events.last().map_or(0, |e| e.1);
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
            let prev = millis_floor(ts(positive_seen - 1)) + 999_999;
            let next = millis_floor(ts(positive_seen));
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

/// The batch path: runs a sequence query over `events` visited in `order`.
pub(crate) fn run(
    stages: &[CStage],
    until: Option<&CStage>,
    maxspan: Option<i64>,
    events: &[Event],
    order: &[usize],
    cap: usize,
    warnings: &mut Vec<String>,
) -> Vec<SequenceHit> {
    let mut st: SeqState<usize> = SeqState::new(stages, maxspan, cap);
    let mut done = Vec::new();
    for &ei in order {
        let ev = &events[ei];
        st.push(stages, until, ev, ev.timestamp.unwrap_or(0), ei, &mut done);
    }
    warnings.append(&mut st.warnings);
    st.finish(stages, &mut done);
    done.into_iter()
        .map(|c| to_hit(stages, c.key, c.events.into_iter().map(|(h, _)| h)))
        .collect()
}

/// Lays a completed sequence out by stage (`None` for missing-event stages), with its
/// join keys typed by the first positive stage's keys.
pub(crate) fn to_hit<H>(
    stages: &[CStage],
    key: Vec<Value>,
    events: impl IntoIterator<Item = H>,
) -> SequenceHit<H> {
    let mut it = events.into_iter();
    let first = stages.iter().position(|s| !s.missing).unwrap_or(0);
    let key_types: Vec<_> = stages
        .get(first)
        .map(|s| s.keys.iter().map(|k| k.ty.clone()).collect())
        .unwrap_or_default();
    SequenceHit {
        join_keys: key
            .into_iter()
            .zip(key_types.into_iter().chain(std::iter::repeat(None)))
            .map(|(value, ty)| KeyValue { value, ty })
            .collect(),
        events: stages
            .iter()
            .map(|s| if s.missing { None } else { it.next() })
            .collect(),
    }
}
