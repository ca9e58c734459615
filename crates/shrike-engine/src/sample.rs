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

pub(crate) fn run(stages: &[CStage], events: &[Event], per_key: usize) -> Vec<SequenceHit> {
    let n = stages.len();
    if n == 0 {
        return Vec::new();
    }
    let per_key = per_key.max(1);
    let fetch = n.saturating_mul(per_key);
    // stage → key → events (input order)
    let mut by_stage: Vec<HashMap<Vec<Value>, Vec<usize>>> = vec![HashMap::new(); n];
    // Candidates in time order when events have timestamps (so results do not depend on
    // input order), else in input order.
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&events[a], &events[b]);
        (x.timestamp.is_none(), x.timestamp)
            .cmp(&(y.timestamp.is_none(), y.timestamp))
            .then_with(|| crate::run::tiebreak_cmp(&x.tiebreaker, &y.tiebreaker))
            .then_with(|| x.seq.cmp(&y.seq))
    });
    for (si, s) in stages.iter().enumerate() {
        for &ei in &order {
            let ev = &events[ei];
            if !matches(&s.filter, ev) {
                continue;
            }
            for key in stage_keys(&s.keys, ev) {
                let list = by_stage[si].entry(key).or_default();
                if list.len() < fetch && !list.contains(&ei) {
                    list.push(ei);
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
