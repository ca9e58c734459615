//! The rule prefilter: which rules of a [`crate::Program`] an event could match.
//!
//! Most rules require some field to hold one of a few literal values — the event category
//! (`process where …` is `event.category == "process"`), a process name, a needle in a
//! command line. For each rule we derive, from its compiled condition, clauses that must
//! hold whenever the condition is true:
//!
//! * `f == "x"`, `f in ("x", "y")` → *f has the value x or y* (exact, or compared
//!   lower-cased for `:` and `in~`);
//! * `f : "*needle*"`, `f like "a*b"`, `startsWith~(f, "x")` … → *f contains the
//!   pattern's longest literal run* (in the lower-cased value for case-insensitive
//!   forms);
//! * `a and b` → the clauses of both; `a or b` → one clause, the union of the best clause
//!   of each side (nothing if a side has none); anything else (`not`, `regex`, `cidrMatch`,
//!   comparisons of numbers, …) → nothing.
//!
//! A sequence or sample rule is a candidate when any of its stage filters (or its `until`)
//! holds, so its clause is the union of each filter's best clause.
//!
//! Each rule keeps at most two clauses (the most selective by a static estimate), its
//! *anchors*. Per event, each probed field's values are looked up — a hash lookup of the
//! value (and of its lower-cased form) and one Aho-Corasick scan for all the needles on
//! that field — which fires clauses; a rule is evaluated only when all its anchors fired.
//! Rules without anchors are always evaluated.
//!
//! **Soundness**: a clause is only ever a *necessary* condition of the rule, checked on
//! exactly the values the evaluator sees; a field value that is not text (a number in a
//! field a pattern tests) fires every clause on that field, since the evaluator would
//! compare its text. So the prefilter never drops a match; it only saves evaluations.

use crate::eval::Node;
use crate::event::{Event, FieldId};
use crate::matcher::{fold, Requirement};
use crate::plan::{CBody, CRule, RuleId};
use aho_corasick::AhoCorasick;
use shrike_ir::{CmpOp, Func, Value};

type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

#[derive(Clone, Debug, PartialEq)]
enum Test {
    Exact(String),
    Folded(String),
    Contains { needle: String, folded: bool },
}

#[derive(Clone, Debug, PartialEq)]
struct Atom {
    field: FieldId,
    test: Test,
}

/// A disjunction of atoms.
#[derive(Clone, Debug, PartialEq)]
struct Clause(Vec<Atom>);

/// Fields whose values are shared by many events: a clause on them selects little.
const COMMON_FIELDS: &[&str] = &[
    "event.category",
    "event.type",
    "event.kind",
    "event.outcome",
    "event.module",
    "event.dataset",
    "event.provider",
    "data_stream.dataset",
    "data_stream.type",
    "host.os.type",
    "host.os.family",
    "host.os.platform",
    "host.os.name",
    "agent.type",
    "network.direction",
    "network.transport",
    "network.protocol",
    "network.type",
    "dns.question.type",
    "file.extension",
];

impl Clause {
    /// Estimated fraction of events it holds for (lower is more selective).
    fn cost(&self, fields: &[String]) -> f64 {
        self.0
            .iter()
            .map(|a| {
                let common = fields
                    .get(a.field)
                    .is_some_and(|p| COMMON_FIELDS.contains(&p.as_str()));
                match &a.test {
                    _ if common => 0.3,
                    Test::Exact(_) | Test::Folded(_) => 0.01,
                    Test::Contains { needle, .. } => match needle.len() {
                        0..=3 => 0.5,
                        4..=5 => 0.2,
                        6..=8 => 0.05,
                        _ => 0.02,
                    },
                }
            })
            .sum()
    }
}

fn best(clauses: Vec<Clause>, fields: &[String]) -> Option<Clause> {
    clauses
        .into_iter()
        .min_by(|a, b| a.cost(fields).total_cmp(&b.cost(fields)))
}

fn field_of(n: &Node) -> Option<FieldId> {
    match n {
        Node::Field(f) => Some(*f),
        _ => None,
    }
}

fn const_str(n: &Node) -> Option<&str> {
    match n {
        Node::Const(Value::Str(s)) => Some(s),
        _ => None,
    }
}

/// Appends clauses that hold whenever `n` is true.
fn required(n: &Node, fields: &[String], out: &mut Vec<Clause>) {
    match n {
        Node::And(items) => items.iter().for_each(|i| required(i, fields, out)),
        Node::AnyValue(_, inner) | Node::Holds(inner) => required(inner, fields, out),
        Node::Or(items) => {
            let mut union = Vec::new();
            for i in items {
                let mut c = Vec::new();
                required(i, fields, &mut c);
                match best(c, fields) {
                    Some(b) => union.extend(b.0),
                    None => return,
                }
            }
            if !union.is_empty() {
                out.push(Clause(union));
            }
        }
        Node::Cmp(CmpOp::Eq, a, b) => {
            let pair = match (field_of(a), const_str(b)) {
                (Some(f), Some(c)) => Some((f, c)),
                _ => field_of(b).zip(const_str(a)),
            };
            if let Some((field, c)) = pair {
                out.push(Clause(vec![Atom {
                    field,
                    test: Test::Exact(c.to_string()),
                }]));
            }
        }
        Node::In {
            value,
            set,
            folded,
            case_insensitive,
        } => {
            let Some(field) = field_of(value) else { return };
            let mut atoms = Vec::new();
            if *case_insensitive {
                for f in folded.iter().flatten() {
                    atoms.push(Atom {
                        field,
                        test: Test::Folded(f.clone()),
                    });
                }
            } else {
                for v in set {
                    match v {
                        Value::Str(s) => atoms.push(Atom {
                            field,
                            test: Test::Exact(s.clone()),
                        }),
                        Value::Null => {}
                        // A number or date constant: compared as such, no text needle.
                        _ => return,
                    }
                }
            }
            if !atoms.is_empty() {
                out.push(Clause(atoms));
            }
        }
        Node::Match(value, matchers) => {
            let Some(field) = field_of(value) else { return };
            let mut atoms = Vec::new();
            for m in matchers {
                let Some((req, lower)) = m.requirement() else {
                    return;
                };
                atoms.push(Atom {
                    field,
                    test: match (req, lower) {
                        (Requirement::Exact(s), false) => Test::Exact(s.to_string()),
                        (Requirement::Exact(s), true) => Test::Folded(s.to_string()),
                        (Requirement::Contains(s), folded) => Test::Contains {
                            needle: s.to_string(),
                            folded,
                        },
                    },
                });
            }
            if !atoms.is_empty() {
                out.push(Clause(atoms));
            }
        }
        Node::Call(Func::StartsWith | Func::EndsWith | Func::StringContains, ci, args) => {
            let (Some(field), Some(c)) = (
                args.first().and_then(field_of),
                args.get(1).and_then(const_str),
            ) else {
                return;
            };
            if c.is_empty() {
                return;
            }
            out.push(Clause(vec![Atom {
                field,
                test: Test::Contains {
                    needle: if *ci { fold(c) } else { c.to_string() },
                    folded: *ci,
                },
            }]));
        }
        _ => {}
    }
}

/// The clauses a rule's candidates must satisfy (at most two, most selective first).
fn anchors(rule: &CRule, fields: &[String]) -> Vec<Clause> {
    let mut clauses = Vec::new();
    match &rule.body {
        CBody::Event(cond) => required(cond, fields, &mut clauses),
        CBody::Sequence { stages, until, .. } => {
            let mut union = Vec::new();
            for s in stages.iter().chain(until) {
                let mut c = Vec::new();
                required(&s.filter, fields, &mut c);
                match best(c, fields) {
                    Some(b) => union.extend(b.0),
                    None => return Vec::new(),
                }
            }
            clauses.push(Clause(union));
        }
        CBody::Sample { stages } => {
            let mut union = Vec::new();
            for s in stages {
                let mut c = Vec::new();
                required(&s.filter, fields, &mut c);
                match best(c, fields) {
                    Some(b) => union.extend(b.0),
                    None => return Vec::new(),
                }
            }
            clauses.push(Clause(union));
        }
    }
    clauses.retain(|c| !c.0.is_empty());
    clauses.sort_by(|a, b| a.cost(fields).total_cmp(&b.cost(fields)));
    clauses.dedup();
    clauses.truncate(2);
    clauses
}

/// A multi-needle searcher and the clauses each needle fires.
#[derive(Debug)]
struct Needles {
    ac: AhoCorasick,
    clauses: Vec<Vec<u32>>,
}

impl Needles {
    fn build(needles: Vec<(String, u32)>) -> Option<Needles> {
        if needles.is_empty() {
            return None;
        }
        let mut index: FastMap<String, usize> = FastMap::default();
        let mut patterns: Vec<String> = Vec::new();
        let mut clauses: Vec<Vec<u32>> = Vec::new();
        for (n, c) in needles {
            let i = *index.entry(n.clone()).or_insert_with(|| {
                patterns.push(n);
                clauses.push(Vec::new());
                patterns.len() - 1
            });
            clauses[i].push(c);
        }
        // Needles are literal text; building cannot fail for them, but if it did, the
        // field would fall back to firing every clause (see `Probe::all`).
        let ac = AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(&patterns)
            .ok()?;
        Some(Needles { ac, clauses })
    }
}

/// The lookups for one field.
#[derive(Debug, Default)]
struct Probe {
    field: FieldId,
    exact: FastMap<Box<str>, Vec<u32>>,
    folded: FastMap<Box<str>, Vec<u32>>,
    ci: Option<Needles>,
    cs: Option<Needles>,
    /// Every clause with an atom on this field (fired by a value that is not text, or
    /// when a needle set could not be built).
    all: Vec<u32>,
    broken: bool,
}

/// The prefilter index of a program.
#[derive(Debug, Default)]
pub(crate) struct Prefilter {
    rules: usize,
    /// Rules without anchors: always evaluated.
    always: Vec<RuleId>,
    /// Number of anchors per rule.
    need: Vec<u8>,
    /// Clause id → its rule.
    clause_rule: Vec<RuleId>,
    probes: Vec<Probe>,
}

/// Per-thread working memory of the prefilter.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    stamp: u32,
    clause_stamp: Vec<u32>,
    rule_stamp: Vec<u32>,
    count: Vec<u8>,
    fired: Vec<RuleId>,
    fold: String,
}

impl Scratch {
    pub(crate) fn new(p: &Prefilter) -> Scratch {
        Scratch {
            stamp: 0,
            clause_stamp: vec![0; p.clause_rule.len()],
            rule_stamp: vec![0; p.rules],
            count: vec![0; p.rules],
            fired: Vec::new(),
            fold: String::new(),
        }
    }

    fn fire(&mut self, p: &Prefilter, clause: u32) {
        let c = clause as usize;
        if self.clause_stamp[c] == self.stamp {
            return;
        }
        self.clause_stamp[c] = self.stamp;
        let r = p.clause_rule[c];
        if self.rule_stamp[r] != self.stamp {
            self.rule_stamp[r] = self.stamp;
            self.count[r] = 0;
        }
        self.count[r] += 1;
        if self.count[r] == p.need[r] {
            self.fired.push(r);
        }
    }
}

/// Lower-cases `s` into `buf` exactly as the matchers fold (ASCII fast path).
fn fold_into(s: &str, buf: &mut String) {
    buf.clear();
    if s.is_ascii() {
        buf.push_str(s);
        buf.make_ascii_lowercase();
    } else {
        buf.push_str(&fold(s));
    }
}

impl Prefilter {
    pub(crate) fn build(rules: &[CRule], fields: &[String]) -> Prefilter {
        let mut p = Prefilter {
            rules: rules.len(),
            need: vec![0; rules.len()],
            ..Prefilter::default()
        };
        let mut probe_of: FastMap<FieldId, usize> = FastMap::default();
        let mut ci_needles: Vec<Vec<(String, u32)>> = Vec::new();
        let mut cs_needles: Vec<Vec<(String, u32)>> = Vec::new();
        for (r, rule) in rules.iter().enumerate() {
            let clauses = anchors(rule, fields);
            if clauses.is_empty() {
                p.always.push(r);
                continue;
            }
            p.need[r] = clauses.len() as u8;
            for clause in clauses {
                let id = p.clause_rule.len() as u32;
                p.clause_rule.push(r);
                for atom in clause.0 {
                    let pi = *probe_of.entry(atom.field).or_insert_with(|| {
                        p.probes.push(Probe {
                            field: atom.field,
                            ..Probe::default()
                        });
                        ci_needles.push(Vec::new());
                        cs_needles.push(Vec::new());
                        p.probes.len() - 1
                    });
                    let probe = &mut p.probes[pi];
                    if probe.all.last() != Some(&id) {
                        probe.all.push(id);
                    }
                    match atom.test {
                        Test::Exact(s) => probe.exact.entry(s.into()).or_default().push(id),
                        Test::Folded(s) => probe.folded.entry(s.into()).or_default().push(id),
                        Test::Contains {
                            needle,
                            folded: true,
                        } => ci_needles[pi].push((needle, id)),
                        Test::Contains {
                            needle,
                            folded: false,
                        } => cs_needles[pi].push((needle, id)),
                    }
                }
            }
        }
        for (pi, probe) in p.probes.iter_mut().enumerate() {
            let (ci, cs) = (
                std::mem::take(&mut ci_needles[pi]),
                std::mem::take(&mut cs_needles[pi]),
            );
            let (had_ci, had_cs) = (!ci.is_empty(), !cs.is_empty());
            probe.ci = Needles::build(ci);
            probe.cs = Needles::build(cs);
            probe.broken = (had_ci && probe.ci.is_none()) || (had_cs && probe.cs.is_none());
        }
        p
    }

    /// Appends, in rule order, the rules `event` could match.
    pub(crate) fn candidates(&self, event: &Event, s: &mut Scratch, out: &mut Vec<RuleId>) {
        s.stamp = s.stamp.wrapping_add(1);
        if s.stamp == 0 {
            s.clause_stamp.iter_mut().for_each(|x| *x = 0);
            s.rule_stamp.iter_mut().for_each(|x| *x = 0);
            s.stamp = 1;
        }
        s.fired.clear();
        for probe in &self.probes {
            let values = event.get(probe.field);
            if values.is_empty() {
                continue;
            }
            if probe.broken {
                probe.all.iter().for_each(|&c| s.fire(self, c));
                continue;
            }
            for v in values {
                let text = match v {
                    Value::Str(t) | Value::Version(t) => t.as_str(),
                    _ => {
                        probe.all.iter().for_each(|&c| s.fire(self, c));
                        continue;
                    }
                };
                if let Some(cs) = probe.exact.get(text) {
                    cs.iter().for_each(|&c| s.fire(self, c));
                }
                if let Some(n) = &probe.cs {
                    for m in n.ac.find_overlapping_iter(text) {
                        n.clauses[m.pattern().as_usize()]
                            .iter()
                            .for_each(|&c| s.fire(self, c));
                    }
                }
                if probe.folded.is_empty() && probe.ci.is_none() {
                    continue;
                }
                let mut buf = std::mem::take(&mut s.fold);
                fold_into(text, &mut buf);
                if let Some(cs) = probe.folded.get(buf.as_str()) {
                    cs.iter().for_each(|&c| s.fire(self, c));
                }
                if let Some(n) = &probe.ci {
                    for m in n.ac.find_overlapping_iter(buf.as_str()) {
                        n.clauses[m.pattern().as_usize()]
                            .iter()
                            .for_each(|&c| s.fire(self, c));
                    }
                }
                s.fold = buf;
            }
        }
        // Merge the always-evaluated rules with the fired ones, in rule order.
        s.fired.sort_unstable();
        let (mut i, mut j) = (0, 0);
        while i < self.always.len() || j < s.fired.len() {
            let a = self.always.get(i).copied().unwrap_or(usize::MAX);
            let f = s.fired.get(j).copied().unwrap_or(usize::MAX);
            if a <= f {
                out.push(a);
                i += 1;
            } else {
                out.push(f);
                j += 1;
            }
        }
    }

    /// Rules with no anchor (evaluated on every event).
    pub(crate) fn always(&self) -> usize {
        self.always.len()
    }
}
