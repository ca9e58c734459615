//! Samples: unordered events that share join-key values.
//!
//! As in Elasticsearch, the candidate keys are those every stage has events for (keys
//! compared by value across fields and indices), visited in ascending key order with nulls
//! first. For each key, each stage's matching events are taken in time order (input order
//! for events without a timestamp) — at most
//! `stages × max_samples_per_key` of them, as ES's per-stage queries fetch — and samples
//! are picked by backtracking so that a sample never uses one event twice; up to
//! `max_samples_per_key` distinct samples are kept per key.

use crate::eval::matches;
use crate::event::Event;
use crate::plan::CStage;
use crate::run::{stage_keys, KeyValue, SequenceHit};
use shrike_ir::Value;
use std::collections::{BTreeMap, HashMap};

/// What a sample needs of one event: for each stage, its join keys if the stage's filter
/// matches it, and its place in time. Much smaller than the event, so a streaming sample
/// can hold many.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    /// Per stage: `Some(keys)` when the event matches the stage's filter.
    stages: Vec<Option<Vec<Vec<Value>>>>,
    timestamp: Option<i64>,
    tiebreaker: Value,
    seq: u64,
}

impl Candidate {
    /// The candidate `ev` makes for `stages`, with its time; `None` when it matches no
    /// stage.
    pub(crate) fn new(
        stages: &[CStage],
        ev: &Event,
        timestamp: Option<i64>,
        tiebreaker: Value,
        seq: u64,
    ) -> Option<Candidate> {
        let per_stage: Vec<Option<Vec<Vec<Value>>>> = stages
            .iter()
            .map(|s| matches(&s.filter, ev).then(|| stage_keys(&s.keys, ev)))
            .collect();
        per_stage.iter().any(Option::is_some).then_some(Candidate {
            stages: per_stage,
            timestamp,
            tiebreaker,
            seq,
        })
    }
}

pub(crate) fn run(stages: &[CStage], events: &[Event], per_key: usize) -> Vec<SequenceHit> {
    let cands: Vec<(usize, Candidate)> = events
        .iter()
        .enumerate()
        .filter_map(|(i, ev)| {
            Candidate::new(stages, ev, ev.timestamp, ev.tiebreaker.clone(), ev.seq).map(|c| (i, c))
        })
        .collect();
    let (index, cands): (Vec<usize>, Vec<Candidate>) = cands.into_iter().unzip();
    run_candidates(stages, &cands, per_key)
        .into_iter()
        .map(|mut h| {
            h.events = h
                .events
                .into_iter()
                .map(|e| e.and_then(|i| index.get(i).copied()))
                .collect();
            h
        })
        .collect()
}

/// Samples over candidates ([`Candidate::new`]); event positions in the results index
/// `cands`.
pub(crate) fn run_candidates(
    stages: &[CStage],
    cands: &[Candidate],
    per_key: usize,
) -> Vec<SequenceHit> {
    let n = stages.len();
    if n == 0 {
        return Vec::new();
    }
    let per_key = per_key.max(1);
    let fetch = n.saturating_mul(per_key);
    // stage → key → candidates (time order)
    let mut by_stage: Vec<HashMap<Vec<Value>, Vec<usize>>> = vec![HashMap::new(); n];
    // Candidates in time order when events have timestamps (so results do not depend on
    // input order), else in input order.
    let mut order: Vec<usize> = (0..cands.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&cands[a], &cands[b]);
        (x.timestamp.is_none(), x.timestamp)
            .cmp(&(y.timestamp.is_none(), y.timestamp))
            .then_with(|| crate::run::tiebreak_cmp(&x.tiebreaker, &y.tiebreaker))
            .then_with(|| x.seq.cmp(&y.seq))
    });
    for (si, by_key) in by_stage.iter_mut().enumerate() {
        for &ci in &order {
            let Some(Some(keys)) = cands[ci].stages.get(si) else {
                continue;
            };
            for key in keys {
                let list = by_key.entry(key.clone()).or_default();
                if list.len() < fetch && !list.contains(&ci) {
                    list.push(ci);
                }
            }
        }
    }
    let mut keys: BTreeMap<Vec<Value>, ()> = BTreeMap::new();
    for k in by_stage[0].keys() {
        if by_stage.iter().all(|m| m.contains_key(k)) {
            keys.insert(k.clone(), ());
        }
    }
    let key_types: Vec<_> = stages[0].keys.iter().map(|k| k.ty.clone()).collect();
    let mut out = Vec::new();
    for key in keys.into_keys() {
        let lists: Vec<&[usize]> = by_stage
            .iter()
            .map(|m| m.get(&key).map_or(&[][..], Vec::as_slice))
            .collect();
        let mut found = Vec::new();
        let mut current = Vec::with_capacity(n);
        pick(&lists, &mut current, &mut found, per_key);
        for sample in found {
            out.push(SequenceHit {
                join_keys: key
                    .iter()
                    .cloned()
                    .zip(key_types.iter().cloned().chain(std::iter::repeat(None)))
                    .map(|(value, ty)| KeyValue { value, ty })
                    .collect(),
                events: sample.into_iter().map(Some).collect(),
            });
        }
    }
    out
}

/// Depth-first enumeration of event combinations (one per stage, all distinct), stopping
/// after `limit`. Depth is the number of stages, which the query bounds.
fn pick(lists: &[&[usize]], current: &mut Vec<usize>, found: &mut Vec<Vec<usize>>, limit: usize) {
    if found.len() >= limit {
        return;
    }
    let stage = current.len();
    if stage == lists.len() {
        found.push(current.clone());
        return;
    }
    for &e in lists[stage] {
        if current.contains(&e) {
            continue;
        }
        current.push(e);
        pick(lists, current, found, limit);
        current.pop();
        if found.len() >= limit {
            return;
        }
    }
}
