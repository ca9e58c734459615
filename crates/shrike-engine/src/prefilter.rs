//! The rule prefilter: which rules of a [`crate::Program`] an event could match, and which
//! of their stage filters.
//!
//! The prefilter works on *units*: an event rule's condition is one unit; each stage
//! filter of a sequence or sample rule (and a sequence's `until`) is a unit of its own, so
//! that a sequence is a candidate only when one of its stages could hold, and only those
//! stages are evaluated.
//!
//! Most units require some field to hold one of a few literal values — the event category
//! (`process where …` is `event.category == "process"`), a process name, a needle in a
//! command line, a port. For each unit we derive, from its compiled condition, clauses
//! that must hold whenever the condition is true:
//!
//! * `f == "x"`, `f in ("x", "y")` → *f has the value x or y* (exact, or compared
//!   lower-cased for `:` and `in~`); `f == 445`, `f in (5985, 5986)` → *f has the integer
//!   value 445 (5985 or 5986)*;
//! * `f : "*needle*"`, `f like "a*b"`, `startsWith~(f, "x")` … → *f contains the
//!   pattern's longest literal run* (in the lower-cased value for case-insensitive
//!   forms);
//! * `a and b` → the clauses of both; `a or b` → one clause, the union of the best clause
//!   of each side (nothing if a side has none); anything else (`not`, `regex`, `cidrMatch`,
//!   ranges, …) → nothing.
//!
//! Each unit keeps at most [`MAX_ANCHORS`] selective clauses (by a static estimate of
//! how many events they hold for), or its two best weak ones when it has no selective
//! clause: its *anchors*. Per event, each probed field's values are looked up — a hash
//! lookup of the value (and of its lower-cased form) and one Aho-Corasick scan for all the
//! needles on that field — which fires clauses; a unit is evaluated only when all its
//! anchors fired. Units without anchors are always evaluated.
//!
//! **Soundness**: a clause is only ever a *necessary* condition of the unit, checked on
//! exactly the values the evaluator sees. A field value that is not text (a number in a
//! field a pattern tests) fires every text clause on that field, since the evaluator would
//! compare its text; an integer clause can only be satisfied by a number (`==` between a
//! number and a string, date, ip or boolean is never true), so text values never fire it and
//! a floating-point value fires every integer clause on the field. So the prefilter never
//! drops a match; it only saves evaluations.

use crate::eval::Node;
use crate::event::{Event, FieldId};
use crate::matcher::{fold, fold_into, Requirement};
use crate::plan::{CBody, CRule, RuleId};
use aho_corasick::AhoCorasick;
use shrike_ir::{CmpOp, Func, Value};

type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Most anchors one unit keeps. Probing costs per field, not per clause, so more anchors
/// cost little; they make a unit fire only when all its literal requirements hold.
pub(crate) const MAX_ANCHORS: usize = 4;

/// What the scanner evaluates: rule `rule`'s condition (`stage` 0 of an event rule) or
/// one of its stage filters (a sequence's `until` is the stage after its last).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Unit {
    pub(crate) rule: RuleId,
    pub(crate) stage: u32,
}

#[derive(Clone, Debug, PartialEq)]
enum Test {
    Exact(String),
    Folded(String),
    Contains {
        needle: String,
        folded: bool,
    },
    Int(i64),
    /// The field has a value (any value).
    Present,
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
    "event.action",
    "event.outcome",
    "event.module",
    "event.dataset",
    "event.provider",
    "event.code",
    "data_stream.dataset",
    "data_stream.type",
    "data_stream.namespace",
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
    "winlog.channel",
    "winlog.provider_name",
    "cloud.provider",
];

impl Atom {
    /// Estimated fraction of events it holds for.
    fn p(&self, fields: &[String]) -> f64 {
        let common = fields
            .get(self.field)
            .is_some_and(|p| COMMON_FIELDS.contains(&p.as_str()));
        match &self.test {
            Test::Present => 0.5,
            _ if common => 0.3,
            Test::Exact(_) | Test::Folded(_) => 0.01,
            Test::Int(_) => 0.05,
            Test::Contains { needle, .. } => match needle.len() {
                0..=3 => 0.5,
                4..=5 => 0.2,
                6..=8 => 0.05,
                _ => 0.02,
            },
        }
    }
}

impl Clause {
    /// Estimated fraction of events it holds for (lower is more selective): the chance
    /// that any of its atoms holds, as if they were independent.
    fn cost(&self, fields: &[String]) -> f64 {
        1.0 - self.0.iter().map(|a| 1.0 - a.p(fields)).product::<f64>()
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

/// A constant's test for equality with a field's value: its text, or an integer.
fn const_test(n: &Node) -> Option<Test> {
    match n {
        Node::Const(Value::Str(s)) => Some(Test::Exact(s.clone())),
        Node::Const(Value::Int(i)) => Some(Test::Int(*i)),
        _ => None,
    }
}

/// The operand of a binary node that is not `side`.
fn other<'a>(side: &Node, a: &'a Node, b: &'a Node) -> &'a Node {
    if std::ptr::eq(side, a) {
        b
    } else {
        a
    }
}

fn const_str(n: &Node) -> Option<&str> {
    match n {
        Node::Const(Value::Str(s)) => Some(s),
        _ => None,
    }
}

/// A clause that holds when field `field` has a value.
fn present(field: FieldId) -> Clause {
    Clause(vec![Atom {
        field,
        test: Test::Present,
    }])
}

/// Appends clauses that hold whenever `n` is true.
///
/// A predicate over a field's value (a comparison, a pattern, a CIDR test, `in`) is never
/// true when the field has no value: the evaluator compares null, which is unknown. So
/// when no literal can be derived, the field's presence is still required.
fn required(n: &Node, fields: &[String], out: &mut Vec<Clause>) {
    match n {
        Node::Exists(f) => out.push(present(*f)),
        Node::Not(inner) => {
            // `f != null`: the field has a value.
            if let Node::IsNull(x) = &**inner {
                if let Some(f) = field_of(x) {
                    out.push(present(f));
                }
            }
        }
        Node::Text { field, .. } => out.push(present(*field)),
        Node::Cidr(value, _) => {
            if let Some(f) = field_of(value) {
                out.push(present(f));
            }
        }
        Node::Cmp(op, a, b) if *op != CmpOp::Eq => {
            for side in [a, b] {
                if let (Some(f), Node::Const(c)) = (field_of(side), other(side, a, b)) {
                    if !c.is_null() {
                        out.push(present(f));
                    }
                }
            }
        }
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
            let pair = match (field_of(a), const_test(b)) {
                (Some(f), Some(c)) => Some((f, c)),
                _ => field_of(b).zip(const_test(a)),
            };
            match pair {
                Some((field, test)) => out.push(Clause(vec![Atom { field, test }])),
                None => {
                    for side in [a, b] {
                        if let (Some(f), Node::Const(c)) = (field_of(side), other(side, a, b)) {
                            if !c.is_null() {
                                out.push(present(f));
                            }
                        }
                    }
                }
            }
        }
        Node::In {
            value,
            set,
            folded,
            case_insensitive,
            ..
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
                    let test = match v {
                        Value::Str(s) => Test::Exact(s.clone()),
                        Value::Int(i) => Test::Int(*i),
                        Value::Null => continue,
                        // Another constant (a float, a date): compared as such; only the
                        // field's presence is required.
                        _ => {
                            out.push(present(field));
                            return;
                        }
                    };
                    atoms.push(Atom { field, test });
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
                    out.push(present(field));
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

/// Clauses estimated to hold for more events than this are *weak*: they hold for a large
/// share of the rules on most events (the event category, a `!= null`), and firing costs
/// per clause, so a unit with selective clauses only fires those and then checks its weak
/// ones directly on the event.
const WEAK: f64 = 0.25;

/// How a unit is anchored.
#[derive(Debug, Default, PartialEq)]
struct Anchors {
    /// Clauses fired through the probes (all must fire).
    fired: Vec<Clause>,
    /// Weak clauses checked on the event once all fired clauses fired.
    checked: Vec<Clause>,
}

/// The anchors of one condition: its selective clauses (at most [`MAX_ANCHORS`], most
/// selective first) fired and its best weak ones (as many) checked; with no selective
/// clause, its best two weak ones fired and the next ones checked.
fn anchors(cond: &Node, fields: &[String]) -> Anchors {
    let mut clauses = Vec::new();
    required(cond, fields, &mut clauses);
    clauses.retain(|c| !c.0.is_empty());
    let mut costed: Vec<(f64, Clause)> = clauses.into_iter().map(|c| (c.cost(fields), c)).collect();
    costed.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut strong: Vec<Clause> = Vec::new();
    let mut weak: Vec<Clause> = Vec::new();
    for (cost, c) in costed {
        let list = if cost < WEAK { &mut strong } else { &mut weak };
        if !list.contains(&c) {
            list.push(c);
        }
    }
    strong.truncate(MAX_ANCHORS);
    weak.truncate(MAX_ANCHORS);
    if strong.is_empty() {
        let checked = weak.split_off(weak.len().min(2));
        Anchors {
            fired: weak,
            checked,
        }
    } else {
        Anchors {
            fired: strong,
            checked: weak,
        }
    }
}

/// Whether a value satisfies an atom's test, exactly as firing decides (see the module
/// docs: a value that is not text satisfies every text test).
#[cfg(test)]
fn atom_holds(test: &Test, v: &Value, buf: &mut String) -> bool {
    let text = match v {
        Value::Str(t) | Value::Version(t) => t.as_str(),
        Value::Int(i) => return !matches!(test, Test::Int(c) if c != i),
        Value::Float(_) => return true,
        _ => return !matches!(test, Test::Int(_)),
    };
    match test {
        Test::Present => true,
        Test::Int(_) => false,
        Test::Exact(x) => text == x,
        Test::Contains {
            needle,
            folded: false,
        } => text.contains(needle.as_str()),
        Test::Folded(x) => {
            fold_into(text, buf);
            buf == x
        }
        Test::Contains {
            needle,
            folded: true,
        } => {
            fold_into(text, buf);
            buf.contains(needle.as_str())
        }
    }
}

/// Whether some atom of `clause` holds for some value of its field (the reference
/// [`Check::holds`] is tested against).
#[cfg(test)]
fn clause_holds(clause: &Clause, event: &Event, buf: &mut String) -> bool {
    clause.0.iter().any(|a| {
        event
            .get(a.field)
            .iter()
            .any(|v| atom_holds(&a.test, v, buf))
    })
}

/// A checked clause compiled per field: what [`clause_holds`] decides, with each value
/// looked up in hash sets and lower-cased at most once.
#[derive(Debug, Default)]
struct Check {
    parts: Vec<CheckPart>,
}

#[derive(Debug, Default)]
struct CheckPart {
    field: FieldId,
    present: bool,
    exact: FastSet,
    folded: FastSet,
    contains: Vec<String>,
    contains_folded: Vec<String>,
    ints: Vec<i64>,
    /// Some atom tests text (a value that is not text satisfies it).
    text: bool,
    /// Some atom tests an integer (a float satisfies it).
    int: bool,
}

type FastSet = std::collections::HashSet<Box<str>, foldhash::fast::RandomState>;

impl Check {
    fn new(clause: &Clause) -> Check {
        let mut parts: Vec<CheckPart> = Vec::new();
        for a in &clause.0 {
            let i = match parts.iter().position(|p| p.field == a.field) {
                Some(i) => i,
                None => {
                    parts.push(CheckPart {
                        field: a.field,
                        ..CheckPart::default()
                    });
                    parts.len() - 1
                }
            };
            let part = &mut parts[i];
            match &a.test {
                Test::Present => part.present = true,
                Test::Int(n) => {
                    part.int = true;
                    part.ints.push(*n);
                }
                Test::Exact(x) => {
                    part.text = true;
                    part.exact.insert(x.as_str().into());
                }
                Test::Folded(x) => {
                    part.text = true;
                    part.folded.insert(x.as_str().into());
                }
                Test::Contains {
                    needle,
                    folded: false,
                } => {
                    part.text = true;
                    part.contains.push(needle.clone());
                }
                Test::Contains {
                    needle,
                    folded: true,
                } => {
                    part.text = true;
                    part.contains_folded.push(needle.clone());
                }
            }
        }
        Check { parts }
    }

    fn holds(&self, event: &Event, buf: &mut String) -> bool {
        self.parts.iter().any(|p| {
            let values = event.get(p.field);
            if p.present && !values.is_empty() {
                return true;
            }
            values.iter().any(|v| match v {
                Value::Str(t) | Value::Version(t) => {
                    if p.exact.contains(t.as_str())
                        || p.contains.iter().any(|n| t.contains(n.as_str()))
                    {
                        return true;
                    }
                    if p.folded.is_empty() && p.contains_folded.is_empty() {
                        return false;
                    }
                    fold_into(t, buf);
                    p.folded.contains(buf.as_str())
                        || p.contains_folded.iter().any(|n| buf.contains(n.as_str()))
                }
                Value::Int(i) => p.text || p.ints.contains(i),
                Value::Float(_) => p.text || p.int,
                _ => p.text,
            })
        })
    }
}

/// The units of a rule, in stage order, with their conditions.
pub(crate) fn units_of(id: RuleId, rule: &CRule) -> Vec<(Unit, &Node)> {
    let unit = |stage: usize, n| {
        (
            Unit {
                rule: id,
                stage: stage as u32,
            },
            n,
        )
    };
    match &rule.body {
        CBody::Event(cond) => vec![unit(0, cond)],
        CBody::Sequence { stages, until, .. } => stages
            .iter()
            .chain(until)
            .enumerate()
            .map(|(i, s)| unit(i, &s.filter))
            .collect(),
        CBody::Sample { stages } => stages
            .iter()
            .enumerate()
            .map(|(i, s)| unit(i, &s.filter))
            .collect(),
    }
}

/// A multi-needle searcher and the clauses each needle fires.
#[derive(Debug)]
struct Needles {
    ac: AhoCorasick,
    clauses: Vec<Vec<u32>>,
    patterns: Vec<String>,
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
        // field would fall back to firing every clause (see `Probe::broken`).
        let ac = AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(&patterns)
            .ok()?;
        Some(Needles {
            ac,
            clauses,
            patterns,
        })
    }
}

/// The lookups for one field.
#[derive(Debug, Default)]
struct Probe {
    field: FieldId,
    exact: FastMap<Box<str>, Vec<u32>>,
    folded: FastMap<Box<str>, Vec<u32>>,
    ints: FastMap<i64, Vec<u32>>,
    ci: Option<Needles>,
    cs: Option<Needles>,
    /// Every clause with a text atom on this field (fired by a value that is not text).
    text_all: Vec<u32>,
    /// Every clause with an integer atom on this field (fired by a floating-point value).
    int_all: Vec<u32>,
    /// Clauses that only need the field to have a value.
    present: Vec<u32>,
    /// A needle set could not be built: every clause on the field fires.
    broken: bool,
}

/// The prefilter index of a program.
#[derive(Debug, Default)]
pub(crate) struct Prefilter {
    /// Every unit, in (rule, stage) order; a unit's id is its position.
    units: Vec<Unit>,
    /// Units without anchors (always evaluated), in id order.
    always: Vec<u32>,
    /// Rules with an unanchored unit, in rule order.
    unanchored_rules: Vec<RuleId>,
    /// Number of fired anchors per unit.
    need: Vec<u8>,
    /// Weak clauses checked per unit once its fired anchors all fired (ids into `checks`).
    checked: Vec<Vec<u32>>,
    /// The distinct checked clauses (many units check the same event category).
    checks: Vec<Clause>,
    /// `checks`, compiled for lookups.
    compiled_checks: Vec<Check>,
    /// Clause id → its unit.
    clause_unit: Vec<u32>,
    probes: Vec<Probe>,
}

/// Per-thread working memory of the prefilter.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    stamp: u32,
    clause_stamp: Vec<u32>,
    unit_stamp: Vec<u32>,
    count: Vec<u8>,
    fired: Vec<u32>,
    fold: String,
    check_stamp: Vec<u32>,
    check_val: Vec<bool>,
}

impl Scratch {
    pub(crate) fn new(p: &Prefilter) -> Scratch {
        Scratch {
            stamp: 0,
            clause_stamp: vec![0; p.clause_unit.len()],
            unit_stamp: vec![0; p.units.len()],
            count: vec![0; p.units.len()],
            fired: Vec::new(),
            fold: String::new(),
            check_stamp: vec![0; p.checks.len()],
            check_val: vec![false; p.checks.len()],
        }
    }

    fn fire(&mut self, p: &Prefilter, clause: u32) {
        let c = clause as usize;
        if self.clause_stamp[c] == self.stamp {
            return;
        }
        self.clause_stamp[c] = self.stamp;
        let u = p.clause_unit[c];
        let ui = u as usize;
        if self.unit_stamp[ui] != self.stamp {
            self.unit_stamp[ui] = self.stamp;
            self.count[ui] = 0;
        }
        self.count[ui] += 1;
        if self.count[ui] == p.need[ui] {
            self.fired.push(u);
        }
    }

    fn fire_all(&mut self, p: &Prefilter, clauses: &[u32]) {
        clauses.iter().for_each(|&c| self.fire(p, c));
    }
}

impl Prefilter {
    pub(crate) fn build(rules: &[CRule], fields: &[String]) -> Prefilter {
        let mut p = Prefilter::default();
        let mut probe_of: FastMap<FieldId, usize> = FastMap::default();
        let mut ci_needles: Vec<Vec<(String, u32)>> = Vec::new();
        let mut cs_needles: Vec<Vec<(String, u32)>> = Vec::new();
        for (r, rule) in rules.iter().enumerate() {
            for (unit, cond) in units_of(r, rule) {
                let uid = p.units.len() as u32;
                p.units.push(unit);
                let Anchors {
                    fired: clauses,
                    checked,
                } = anchors(cond, fields);
                p.need.push(clauses.len() as u8);
                let ids = checked
                    .into_iter()
                    .map(|c| match p.checks.iter().position(|k| *k == c) {
                        Some(i) => i as u32,
                        None => {
                            p.checks.push(c);
                            (p.checks.len() - 1) as u32
                        }
                    })
                    .collect();
                p.checked.push(ids);
                if clauses.is_empty() {
                    p.always.push(uid);
                    if p.unanchored_rules.last() != Some(&r) {
                        p.unanchored_rules.push(r);
                    }
                    continue;
                }
                for clause in clauses {
                    let id = p.clause_unit.len() as u32;
                    p.clause_unit.push(uid);
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
                        let all = match atom.test {
                            Test::Int(_) => &mut probe.int_all,
                            Test::Present => &mut probe.present,
                            _ => &mut probe.text_all,
                        };
                        if all.last() != Some(&id) {
                            all.push(id);
                        }
                        match atom.test {
                            Test::Exact(s) => probe.exact.entry(s.into()).or_default().push(id),
                            Test::Folded(s) => probe.folded.entry(s.into()).or_default().push(id),
                            Test::Int(i) => probe.ints.entry(i).or_default().push(id),
                            // Already listed in `present`.
                            Test::Present => {}
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
        }
        p.compiled_checks = p.checks.iter().map(Check::new).collect();
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

    /// Appends, in (rule, stage) order, the units `event` could satisfy.
    pub(crate) fn candidates(&self, event: &Event, s: &mut Scratch, out: &mut Vec<Unit>) {
        s.stamp = s.stamp.wrapping_add(1);
        if s.stamp == 0 {
            s.clause_stamp.iter_mut().for_each(|x| *x = 0);
            s.unit_stamp.iter_mut().for_each(|x| *x = 0);
            s.check_stamp.iter_mut().for_each(|x| *x = 0);
            s.stamp = 1;
        }
        s.fired.clear();
        for probe in &self.probes {
            let values = event.get(probe.field);
            if values.is_empty() {
                continue;
            }
            s.fire_all(self, &probe.present);
            if probe.broken {
                s.fire_all(self, &probe.text_all);
                s.fire_all(self, &probe.int_all);
                continue;
            }
            for v in values {
                let text = match v {
                    Value::Str(t) | Value::Version(t) => t.as_str(),
                    Value::Int(i) => {
                        s.fire_all(self, &probe.text_all);
                        if let Some(cs) = probe.ints.get(i) {
                            s.fire_all(self, cs);
                        }
                        continue;
                    }
                    Value::Float(_) => {
                        s.fire_all(self, &probe.text_all);
                        s.fire_all(self, &probe.int_all);
                        continue;
                    }
                    _ => {
                        s.fire_all(self, &probe.text_all);
                        continue;
                    }
                };
                if let Some(cs) = probe.exact.get(text) {
                    s.fire_all(self, cs);
                }
                if let Some(n) = &probe.cs {
                    for m in n.ac.find_overlapping_iter(text) {
                        s.fire_all(self, &n.clauses[m.pattern().as_usize()]);
                    }
                }
                if probe.folded.is_empty() && probe.ci.is_none() {
                    continue;
                }
                let mut buf = std::mem::take(&mut s.fold);
                fold_into(text, &mut buf);
                if let Some(cs) = probe.folded.get(buf.as_str()) {
                    s.fire_all(self, cs);
                }
                if let Some(n) = &probe.ci {
                    for m in n.ac.find_overlapping_iter(buf.as_str()) {
                        s.fire_all(self, &n.clauses[m.pattern().as_usize()]);
                    }
                }
                s.fold = buf;
            }
        }
        // Check the weak clauses of the fired units (each clause once per event).
        let mut buf = std::mem::take(&mut s.fold);
        let (stamp, check_stamp, check_val) = (s.stamp, &mut s.check_stamp, &mut s.check_val);
        s.fired.retain(|&u| {
            self.checked.get(u as usize).is_none_or(|cs| {
                cs.iter().all(|&c| {
                    let c = c as usize;
                    if check_stamp[c] != stamp {
                        check_stamp[c] = stamp;
                        check_val[c] = self
                            .compiled_checks
                            .get(c)
                            .is_some_and(|k| k.holds(event, &mut buf));
                    }
                    check_val[c]
                })
            })
        });
        s.fold = buf;
        // Merge the always-evaluated units with the fired ones, in unit order.
        s.fired.sort_unstable();
        let (mut i, mut j) = (0, 0);
        while i < self.always.len() || j < s.fired.len() {
            let a = self.always.get(i).copied().unwrap_or(u32::MAX);
            let f = s.fired.get(j).copied().unwrap_or(u32::MAX);
            let u = if a <= f {
                i += 1;
                a
            } else {
                j += 1;
                f
            };
            if let Some(unit) = self.units.get(u as usize) {
                out.push(*unit);
            }
        }
    }

    /// Every unit, in (rule, stage) order (the prefilter off).
    pub(crate) fn all_units(&self) -> &[Unit] {
        &self.units
    }

    /// Rules with a unit that has no anchor (evaluated on every event).
    pub(crate) fn always(&self) -> &[RuleId] {
        &self.unanchored_rules
    }

    /// The anchors of each unit, for `debug` views and tests: per unit, its clauses as
    /// text (`field == "x" | field contains~ "y"`).
    pub(crate) fn describe(&self, fields: &[String]) -> Vec<(Unit, Vec<String>)> {
        let mut out: Vec<(Unit, Vec<Vec<String>>)> = self
            .units
            .iter()
            .zip(&self.need)
            .map(|(u, &n)| (*u, vec![Vec::new(); n as usize]))
            .collect();
        // Clause ids of a unit are consecutive; number them within the unit.
        let mut first = vec![u32::MAX; self.units.len()];
        for (c, &u) in self.clause_unit.iter().enumerate() {
            let f = &mut first[u as usize];
            if *f == u32::MAX {
                *f = c as u32;
            }
        }
        let name = |f: FieldId| fields.get(f).map_or("?", String::as_str);
        let mut put = |c: u32, text: String| {
            let u = self.clause_unit[c as usize] as usize;
            let k = (c - first[u]) as usize;
            if let Some(list) = out[u].1.get_mut(k) {
                list.push(text);
            }
        };
        for probe in &self.probes {
            let f = name(probe.field);
            for (v, cs) in &probe.exact {
                cs.iter().for_each(|&c| put(c, format!("{f} == {v:?}")));
            }
            for (v, cs) in &probe.folded {
                cs.iter().for_each(|&c| put(c, format!("{f} ==~ {v:?}")));
            }
            for (v, cs) in &probe.ints {
                cs.iter().for_each(|&c| put(c, format!("{f} == {v}")));
            }
            for &c in &probe.present {
                put(c, format!("{f} != null"));
            }
            for (n, op) in [(&probe.cs, "contains"), (&probe.ci, "contains~")] {
                if let Some(n) = n {
                    for (pat, cs) in n.patterns.iter().zip(&n.clauses) {
                        cs.iter().for_each(|&c| put(c, format!("{f} {op} {pat:?}")));
                    }
                }
            }
        }
        let atom_text = |a: &Atom| {
            let f = name(a.field);
            match &a.test {
                Test::Exact(v) => format!("{f} == {v:?}"),
                Test::Folded(v) => format!("{f} ==~ {v:?}"),
                Test::Int(v) => format!("{f} == {v}"),
                Test::Present => format!("{f} != null"),
                Test::Contains { needle, folded } => {
                    format!("{f} contains{} {needle:?}", if *folded { "~" } else { "" })
                }
            }
        };
        for (u, checked) in self.checked.iter().enumerate() {
            for c in checked.iter().filter_map(|&c| self.checks.get(c as usize)) {
                let mut atoms: Vec<String> = c.0.iter().map(atom_text).collect();
                atoms.dedup();
                atoms[0] = format!("(checked) {}", atoms[0]);
                out[u].1.push(atoms);
            }
        }
        out.into_iter()
            .map(|(u, clauses)| {
                (
                    u,
                    clauses
                        .into_iter()
                        .map(|mut atoms| {
                            atoms.sort();
                            atoms.join(" | ")
                        })
                        .collect(),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::{Program, ProgramBuilder, RuleOptions};
    use crate::stream::{ScanOptions, ScanResult, Scanner};
    use proptest::prelude::*;
    use serde_json::{json, Value as Json};
    use shrike_eql::lower::{lower, LowerOptions};
    use shrike_ir::{Mapping, Schema};

    const MAPPING: &str = r#"{"properties": {
        "@timestamp": {"type": "date"},
        "event": {"properties": {"category": {"type": "keyword"}, "type": {"type": "keyword"}}},
        "process": {"properties": {"name": {"type": "keyword"}, "args": {"type": "keyword"},
                                   "pid": {"type": "long"}, "command_line": {"type": "keyword"}}},
        "destination": {"properties": {"port": {"type": "long"}, "ip": {"type": "ip"}}},
        "dns": {"properties": {"question": {"properties": {"name": {"type": "keyword"}}}}},
        "score": {"type": "double"}
    }}"#;

    fn program(queries: &[&str]) -> Program {
        let schema = Schema::single("t", Mapping::from_json_str(MAPPING).expect("mapping"));
        let mut b = ProgramBuilder::new(&schema);
        for q in queries {
            let ast = shrike_eql::parse(q).expect("parse");
            let ir = lower(&ast, &schema, &LowerOptions::default()).expect("lower");
            b.add(&ir, &RuleOptions::default()).expect("plan");
        }
        b.build()
    }

    fn anchors(p: &Program) -> Vec<(usize, usize, Vec<String>)> {
        p.anchors()
    }

    #[test]
    fn literals_integers_and_presence_become_anchors() {
        let p = program(&[
            r#"process where process.name == "cmd.exe" and destination.port == 445"#,
            r#"network where destination.port in (5985, 5986) and dns.question.name != null"#,
            r#"any where score > 0.98"#,
            r#"process where process.command_line : "*whoami*""#,
            r#"any where process.name regex ".*""#,
        ]);
        let a = anchors(&p);
        let clauses = |r: usize| -> Vec<String> { a[r].2.clone() };
        assert!(clauses(0).contains(&r#"process.name == "cmd.exe""#.to_string()));
        assert!(clauses(0).contains(&"destination.port == 445".to_string()));
        // Weak clauses (the category, `!= null`) are checked, not fired, when there is
        // something selective.
        assert!(clauses(0).contains(&r#"(checked) event.category == "process""#.to_string()));
        assert_eq!(
            clauses(1),
            vec![
                "destination.port == 5985 | destination.port == 5986".to_string(),
                r#"(checked) event.category == "network""#.to_string(),
                "(checked) dns.question.name != null".to_string(),
            ]
        );
        assert_eq!(clauses(2), vec!["score != null".to_string()]);
        assert!(clauses(3).contains(&r#"process.command_line contains~ "whoami""#.to_string()));
        // A regex without a literal still needs a value.
        assert_eq!(clauses(4), vec!["process.name != null".to_string()]);
        assert!(p.unanchored_rule_ids().is_empty());
        let weak = program(&[r#"network where dns.question.name != null"#]);
        let mut w = anchors(&weak)[0].2.clone();
        w.sort();
        assert_eq!(
            w,
            vec![
                "dns.question.name != null".to_string(),
                r#"event.category == "network""#.to_string()
            ]
        );
        let q = program(&[r#"any where true"#, r#"any where not process.name == "x""#]);
        assert_eq!(q.unanchored_rule_ids(), &[0, 1]);
    }

    #[test]
    fn at_most_max_anchors_most_selective_first() {
        let p = program(&[
            r#"process where event.type == "start" and process.name == "a" and
               process.args == "b" and process.pid == 4 and process.command_line : "*xyzzy*" and
               dns.question.name == "q""#,
        ]);
        let a = anchors(&p);
        let fired: Vec<_> = a[0]
            .2
            .iter()
            .filter(|c| !c.starts_with("(checked)"))
            .collect();
        assert_eq!(fired.len(), super::MAX_ANCHORS);
        assert!(
            !fired.iter().any(|c| c.starts_with("event.type")),
            "{:?}",
            a[0].2
        );
    }

    #[test]
    fn sequence_stages_are_units_of_their_own() {
        let p = program(&[r#"sequence
            [process where process.name == "a.exe"]
            [network where destination.port == 445]
            until [process where process.name == "stop.exe"]"#]);
        let a = anchors(&p);
        assert_eq!(a.iter().map(|u| u.1).collect::<Vec<_>>(), vec![0, 1, 2]);
        let mut s = Scanner::new(&p);
        let mut out = ScanResult::default();
        let ev = |doc: Json| p.event_from_json(0, doc, 0);
        let t = "2024-01-01T00:00:00Z";
        let net = ev(json!({"@timestamp": t, "event": {"category": "network"},
                            "destination": {"port": 445}}));
        s.scan(&net, None, &ScanOptions::default(), &mut out);
        assert_eq!((out.candidates.clone(), out.evaluated), (vec![0], 1));
        let other = ev(json!({"@timestamp": t, "event": {"category": "network"},
                              "destination": {"port": 80}}));
        s.scan(&other, None, &ScanOptions::default(), &mut out);
        assert_eq!((out.candidates.clone(), out.evaluated), (vec![], 0));
        let until = ev(json!({"@timestamp": t, "event": {"category": "process"},
                              "process": {"name": "stop.exe"}}));
        s.scan(&until, None, &ScanOptions::default(), &mut out);
        assert_eq!(out.candidates, vec![0]);
    }

    #[test]
    fn numbers_fire_integer_anchors_soundly() {
        use shrike_ir::Value;
        let p = program(&[r#"any where destination.port == 445"#]);
        let port = p.field_id("destination.port").expect("field");
        let t = "2024-01-01T00:00:00Z";
        let mut s = Scanner::new(&p);
        let mut out = ScanResult::default();
        let mut ev = p.event_from_json(0, json!({"@timestamp": t, "destination": {"port": 1}}), 0);
        for (v, matched) in [
            (Value::Int(445), true),
            (Value::Int(446), false),
            // A float equal to the integer (a value typed differently elsewhere).
            (Value::Float(445.0), true),
            (Value::Str("445".into()), false),
        ] {
            ev.values[port] = vec![Value::Int(1), v.clone()];
            s.scan(&ev, None, &ScanOptions::default(), &mut out);
            assert_eq!(out.matched == vec![0], matched, "{v:?}");
        }
    }

    const QUERIES: &[&str] = &[
        r#"process where process.name == "cmd.exe""#,
        r#"process where process.name : "CMD.exe""#,
        r#"any where process.name in~ ("İx", "straße", "k")"#,
        r#"any where process.name : ("*ss*", "*İ*")"#,
        r#"any where process.args : "-ENC*" and process.pid == 4"#,
        r#"any where process.args like "a?c""#,
        r#"any where process.command_line : "*who*mi*""#,
        r#"any where startsWith~(process.command_line, "CMD")"#,
        r#"any where stringContains(process.command_line, "net")"#,
        r#"network where destination.port in (445, 139) and destination.ip != null"#,
        r#"any where destination.port == 80 or process.name == "x""#,
        r#"any where cidrMatch(destination.ip, "10.0.0.0/8") and score > 0.5"#,
        r#"any where process.name regex~ """[a-z]+\.EXE""""#,
        r#"any where process.pid > 3 and dns.question.name : "*.example.*""#,
        r#"sequence [process where process.name == "a"] [any where destination.port == 445]"#,
        r#"sequence [process where true] [network where process.name : "b*"]
           until [any where process.args == "x"]"#,
        r#"sample by process.pid [process where process.name == "a"] [any where score < 1]"#,
    ];

    fn doc_strategy() -> impl Strategy<Value = Json> {
        let word = prop::sample::select(vec![
            "cmd.exe",
            "CMD.EXE",
            "a",
            "b",
            "bb",
            "İx",
            "i̇x",
            "STRASSE",
            "straße",
            "K",
            "k",
            "\u{212a}",
            "-enc",
            "-ENCODED",
            "abc",
            "aXc",
            "whoami",
            "net user",
            "x",
            "a.example.com",
            "10.1.2.3",
            "stop.exe",
            "445",
            "",
        ]);
        let value = prop_oneof![
            word.clone().prop_map(Json::from),
            prop::collection::vec(word.clone(), 0..3)
                .prop_map(|v| Json::Array(v.into_iter().map(Json::from).collect())),
            prop::sample::select(vec![4i64, 445, 139, 80, 3, -1]).prop_map(Json::from),
            Just(json!(445.0)),
            Just(json!(0.75)),
            Just(Json::Null),
            Just(json!(true)),
        ];
        let fields = prop::sample::select(vec![
            "event.category",
            "process.name",
            "process.args",
            "process.pid",
            "process.command_line",
            "destination.port",
            "destination.ip",
            "dns.question.name",
            "score",
        ]);
        prop::collection::vec((fields, value), 0..8).prop_map(|kv| {
            let mut obj = serde_json::Map::new();
            obj.insert("@timestamp".into(), json!("2024-01-01T00:00:00Z"));
            for (k, v) in kv {
                obj.insert(k.to_string(), v);
            }
            Json::Object(obj)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// The prefilter only saves evaluations: the same rules match and the same rules
        /// take the event as a candidate with it on and off.
        #[test]
        fn prefilter_never_changes_a_result(doc in doc_strategy()) {
            let p = program(QUERIES);
            let ev = p.event_from_json(0, doc.clone(), 0);
            let mut s = Scanner::new(&p);
            let (mut with, mut without) = (ScanResult::default(), ScanResult::default());
            s.scan(&ev, None, &ScanOptions::default(), &mut with);
            let all = ScanOptions { no_prefilter: true, ..ScanOptions::default() };
            s.scan(&ev, None, &all, &mut without);
            prop_assert_eq!(&with.matched, &without.matched, "{}", doc);
            prop_assert_eq!(&with.candidates, &without.candidates, "{}", doc);
            prop_assert!(with.evaluated <= without.evaluated);
            // Compiled checks decide exactly what the atoms decide.
            prop_assert!(p.prefilter.checks.len() > 3);
            let mut buf = String::new();
            for (c, k) in p.prefilter.checks.iter().zip(&p.prefilter.compiled_checks) {
                prop_assert_eq!(
                    k.holds(&ev, &mut buf),
                    super::clause_holds(c, &ev, &mut buf),
                    "{:?} on {}", c, doc
                );
            }
        }
    }
}
