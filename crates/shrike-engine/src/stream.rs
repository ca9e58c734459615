//! Running a [`Program`] over a stream of events.
//!
//! * [`Scanner`] evaluates one event against every rule that could match it (the
//!   prefilter decides which, see `prefilter.rs`): event rules it matches, and the
//!   sequence and sample rules it is a *candidate* for (it matches one of their stage
//!   filters, or a sequence's `until`). One scanner per thread; events in any order.
//! * [`SequenceRunner`] runs one sequence or sample rule over its candidates, fed in the
//!   rule's order (timestamp, tiebreaker, input order — the caller sorts, typically with an
//!   external sorter). Sequences use the same state machine as the batch [`crate::search`];
//!   samples are unordered and are computed over all their candidates at the end.
//!
//! Events without a usable timestamp are skipped by event and sequence rules, as the batch
//! search skips them; sample rules use them unless a time window is set.

use crate::eval::matches;
use crate::event::Event;
use crate::plan::{CBody, Program, RuleId, RuleKind};
use crate::prefilter::Unit;
use crate::run::{apply_pipes, SequenceHit};
use crate::sequence::{to_hit, Completed, SeqState};

/// A set of rules, by id: which rules may look at an event (index selection).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleMask {
    bits: Vec<u64>,
}

impl RuleMask {
    /// A mask of `n` rules, all set or all clear.
    pub fn new(n: usize, all: bool) -> Self {
        let mut m = RuleMask {
            bits: vec![if all { u64::MAX } else { 0 }; n.div_ceil(64)],
        };
        if all && n % 64 != 0 {
            if let Some(last) = m.bits.last_mut() {
                *last = (1u64 << (n % 64)) - 1;
            }
        }
        m
    }

    /// Adds rule `id`.
    pub fn set(&mut self, id: RuleId) {
        if let Some(w) = self.bits.get_mut(id / 64) {
            *w |= 1 << (id % 64);
        }
    }

    /// Whether rule `id` is in the set.
    pub fn contains(&self, id: RuleId) -> bool {
        self.bits
            .get(id / 64)
            .is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    /// How many rules are in the set.
    pub fn count(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }
}

/// Limits on which events rules look at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanOptions {
    /// Events before this time (nanoseconds since the epoch, inclusive bound) are skipped.
    pub since: Option<i64>,
    /// Events after this time (inclusive bound) are skipped.
    pub until: Option<i64>,
    /// Evaluate every rule on every event (the prefilter off: for testing that it never
    /// changes a result, and for measuring what it saves).
    pub no_prefilter: bool,
}

/// What one event did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanResult {
    /// Event rules the event matches, in rule order.
    pub matched: Vec<RuleId>,
    /// Sequence and sample rules the event is a candidate for, in rule order.
    pub candidates: Vec<RuleId>,
    /// Rules evaluated (after the prefilter and index selection).
    pub evaluated: usize,
    /// Rules skipped because the event has no usable timestamp for them.
    pub no_timestamp: usize,
    /// Rules skipped because the event is outside the time window.
    pub outside_window: usize,
}

/// Evaluates events against a [`Program`]'s rules. One per thread.
pub struct Scanner<'p> {
    program: &'p Program,
    times: Vec<Option<i64>>,
    pre: crate::prefilter::Scratch,
    units: Vec<Unit>,
    counts: Vec<u64>,
}

impl<'p> Scanner<'p> {
    /// A scanner for `program`.
    pub fn new(program: &'p Program) -> Self {
        Scanner {
            program,
            times: vec![None; program.clocks.len()],
            pre: crate::prefilter::Scratch::new(&program.prefilter),
            units: Vec::new(),
            counts: vec![0; program.rules.len()],
        }
    }

    /// How many events each rule was evaluated on by this scanner so far.
    pub fn evaluations_per_rule(&self) -> &[u64] {
        &self.counts
    }

    /// Evaluates `event` (from [`crate::Decoder`] or [`Program::event_from_json`]) against
    /// the rules in `allowed` (all when `None`) that could match it; results in `out`
    /// (cleared first).
    pub fn scan(
        &mut self,
        event: &Event,
        allowed: Option<&RuleMask>,
        options: &ScanOptions,
        out: &mut ScanResult,
    ) {
        out.matched.clear();
        out.candidates.clear();
        out.evaluated = 0;
        out.no_timestamp = 0;
        out.outside_window = 0;
        let program = self.program;
        for (c, clock) in program.clocks.iter().enumerate() {
            self.times[c] = clock.time(&event.values);
        }
        let windowed = options.since.is_some() || options.until.is_some();
        self.units.clear();
        let units: &[Unit] = if options.no_prefilter {
            program.prefilter.all_units()
        } else {
            program
                .prefilter
                .candidates(event, &mut self.pre, &mut self.units);
            &self.units
        };
        // Units come in (rule, stage) order: one group per rule.
        let mut i = 0;
        while i < units.len() {
            let id = units[i].rule;
            let mut end = i + 1;
            while end < units.len() && units[end].rule == id {
                end += 1;
            }
            let group = &units[i..end];
            i = end;
            if allowed.is_some_and(|m| !m.contains(id)) {
                continue;
            }
            let Some(rule) = program.rules.get(id) else {
                continue;
            };
            let time = self.times[rule.clock];
            let sample = matches!(rule.body, CBody::Sample { .. });
            match time {
                None if !sample || windowed => {
                    out.no_timestamp += 1;
                    continue;
                }
                Some(t)
                    if options.since.is_some_and(|s| t < s)
                        || options.until.is_some_and(|u| t > u) =>
                {
                    out.outside_window += 1;
                    continue;
                }
                _ => {}
            }
            out.evaluated += 1;
            self.counts[id] += 1;
            match &rule.body {
                CBody::Event(cond) => {
                    if matches(cond, event) {
                        out.matched.push(id);
                    }
                }
                // Only the stages whose anchors fired can hold.
                CBody::Sequence { stages, until, .. } => {
                    let hit = group.iter().any(|u| {
                        stages
                            .iter()
                            .chain(until)
                            .nth(u.stage as usize)
                            .is_some_and(|s| matches(&s.filter, event))
                    });
                    if hit {
                        out.candidates.push(id);
                    }
                }
                CBody::Sample { stages } => {
                    let hit = group.iter().any(|u| {
                        stages
                            .get(u.stage as usize)
                            .is_some_and(|s| matches(&s.filter, event))
                    });
                    if hit {
                        out.candidates.push(id);
                    }
                }
            }
        }
    }
}

enum RunnerState<H> {
    Sequence(SeqState<H>),
    Sample(Vec<(crate::sample::Candidate, H)>),
}

/// Runs one sequence or sample rule over its candidate events, fed in the rule's order
/// (see the [module docs](self)). Holds the rule's state (bounded as the batch search's
/// is: partial sequences older than `maxspan` are dropped, and at most
/// `max_pending` are kept).
pub struct SequenceRunner<H> {
    rule: RuleId,
    state: RunnerState<H>,
    /// Results held back for the rule's pipes (`head`/`tail` see all results).
    held: Option<Vec<SequenceHit<H>>>,
    done: Vec<Completed<H>>,
    warnings: Vec<String>,
    last: Option<i64>,
    out_of_order: u64,
    fed: u64,
}

impl<H: Clone> SequenceRunner<H> {
    /// A runner for rule `rule` of `program`; `None` when it is an event rule.
    /// `max_pending` caps in-flight partial sequences (see
    /// [`crate::SearchOptions::max_pending_sequences`]).
    pub fn new(program: &Program, rule: RuleId, max_pending: usize) -> Option<Self> {
        let r = program.rules.get(rule)?;
        let state = match &r.body {
            CBody::Event(_) => return None,
            CBody::Sequence {
                stages, maxspan, ..
            } => RunnerState::Sequence(SeqState::new(stages, *maxspan, max_pending)),
            CBody::Sample { .. } => RunnerState::Sample(Vec::new()),
        };
        Some(SequenceRunner {
            rule,
            state,
            held: (!r.pipes.is_empty()).then(Vec::new),
            done: Vec::new(),
            warnings: Vec::new(),
            last: None,
            out_of_order: 0,
            fed: 0,
        })
    }

    /// Partial sequences in flight (for a sample: candidates held).
    pub fn pending(&self) -> usize {
        match &self.state {
            RunnerState::Sequence(st) => st.pending(),
            RunnerState::Sample(c) => c.len(),
        }
    }

    /// The rule this runner runs.
    pub fn rule(&self) -> RuleId {
        self.rule
    }

    /// Feeds the next candidate. Completed sequences are appended to `out` (for a rule
    /// with pipes, or with missing-event stages, or a sample, results come at
    /// [`SequenceRunner::finish`]).
    pub fn push(
        &mut self,
        program: &Program,
        event: &Event,
        handle: H,
        out: &mut Vec<SequenceHit<H>>,
    ) {
        let Some(rule) = program.rules.get(self.rule) else {
            return;
        };
        let time = program
            .clocks
            .get(rule.clock)
            .and_then(|c| c.time(&event.values));
        match (&mut self.state, &rule.body) {
            (RunnerState::Sequence(st), CBody::Sequence { stages, until, .. }) => {
                let Some(ts) = time else { return };
                if self.last.is_some_and(|l| ts < l) {
                    self.out_of_order += 1;
                }
                self.last = Some(ts);
                st.push(stages, until.as_ref(), event, ts, handle, &mut self.done);
                self.warnings.append(&mut st.warnings);
                let target = self.held.as_mut().unwrap_or(out);
                for c in self.done.drain(..) {
                    target.push(to_hit(stages, c.key, c.events.into_iter().map(|(h, _)| h)));
                }
            }
            (RunnerState::Sample(cands), CBody::Sample { stages }) => {
                // Only what the sample needs of the event (its keys per matching stage),
                // not the event: a sample holds its candidates until the end.
                let tiebreaker = program.clocks[rule.clock].tiebreaker(&event.values);
                if let Some(c) =
                    crate::sample::Candidate::new(stages, event, time, tiebreaker, self.fed)
                {
                    cands.push((c, handle));
                }
            }
            _ => {}
        }
        self.fed += 1;
    }

    /// Ends the stream: remaining results go to `out`. Returns warnings (state cap
    /// reached, candidates fed out of order).
    pub fn finish(
        mut self,
        program: &Program,
        max_samples_per_key: usize,
        out: &mut Vec<SequenceHit<H>>,
    ) -> Vec<String> {
        let Some(rule) = program.rules.get(self.rule) else {
            return self.warnings;
        };
        let mut results = self.held.take().unwrap_or_default();
        match (self.state, &rule.body) {
            (RunnerState::Sequence(st), CBody::Sequence { stages, .. }) => {
                st.finish(stages, &mut self.done);
                for c in self.done.drain(..) {
                    results.push(to_hit(stages, c.key, c.events.into_iter().map(|(h, _)| h)));
                }
            }
            (RunnerState::Sample(cands), CBody::Sample { stages }) => {
                let (cands, handles): (Vec<crate::sample::Candidate>, Vec<H>) =
                    cands.into_iter().unzip();
                for hit in crate::sample::run_candidates(stages, &cands, max_samples_per_key) {
                    results.push(SequenceHit {
                        join_keys: hit.join_keys,
                        events: hit
                            .events
                            .into_iter()
                            .map(|e| e.and_then(|i| handles.get(i).cloned()))
                            .collect(),
                    });
                }
            }
            _ => {}
        }
        out.extend(apply_pipes(results, &rule.pipes));
        if self.out_of_order > 0 {
            self.warnings.push(format!(
                "{} candidate events arrived out of time order; sequence results may be wrong",
                self.out_of_order
            ));
        }
        self.warnings
    }
}

impl Program {
    /// Applies rule `rule`'s pipes (`head`/`tail`) to its results, in order.
    pub fn apply_pipes<T>(&self, rule: RuleId, items: Vec<T>) -> Vec<T> {
        match self.rules.get(rule) {
            Some(r) => apply_pipes(items, &r.pipes),
            None => items,
        }
    }

    /// Whether rule `rule` has pipes (its results must be collected before they are
    /// final).
    pub fn has_pipes(&self, rule: RuleId) -> bool {
        self.rules.get(rule).is_some_and(|r| !r.pipes.is_empty())
    }

    /// Whether event rule `rule`'s condition holds for `event`, whatever the event's time
    /// (a plain filter, as a query without a time range: for documents that are not
    /// events, such as threat indicators). `false` for sequence and sample rules.
    pub fn condition_holds(&self, rule: RuleId, event: &Event) -> bool {
        match self.rules.get(rule).map(|r| &r.body) {
            Some(CBody::Event(cond)) => matches(cond, event),
            _ => false,
        }
    }

    /// Ids of the rules of one kind.
    pub fn rules_of_kind(&self, kind: RuleKind) -> impl Iterator<Item = RuleId> + '_ {
        (0..self.rules.len()).filter(move |&i| self.kind(i) == kind)
    }
}
