//! Compiling IR into an immutable [`Plan`].
//!
//! The plan interns every field the query reads into a table of [`FieldId`]s, decides per
//! index where each field's values are in `_source` and how to convert them (the same path
//! may be a `date` with one format in one index and another format elsewhere), and turns
//! expressions into [`Node`] trees with their matchers compiled. A plan is `Send + Sync`
//! and never changes; evaluation state (sequence automata) lives in the caller's objects.

use crate::eval::{CText, Node};
use crate::event::{Event, FieldId};
use crate::matcher::{Cidr, Matcher, PatternError};
use serde_json::Value as Json;
use shrike_ir::{Body, Expr, ExprKind, FieldType, Func, Pipe, Query, Schema, TextQuery, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// How to read one field in one index.
#[derive(Clone, Debug)]
pub(crate) struct Extract {
    pub(crate) source: String,
    pub(crate) ty: FieldType,
    pub(crate) null_value: Option<Json>,
    pub(crate) ignore_above: Option<usize>,
}

/// Settings of a search that are not part of the query text.
#[derive(Clone, Debug)]
pub struct PlanOptions {
    /// The field events are ordered by (`@timestamp`).
    pub timestamp_field: String,
    /// The field that breaks timestamp ties (none by default, as in ES).
    pub tiebreaker_field: Option<String>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            timestamp_field: "@timestamp".to_string(),
            tiebreaker_field: None,
        }
    }
}

/// A join key of a compiled stage.
#[derive(Clone, Debug)]
pub(crate) struct CKey {
    pub(crate) node: Node,
    pub(crate) optional: bool,
    pub(crate) ty: Option<FieldType>,
}

/// A compiled stage.
#[derive(Clone, Debug)]
pub(crate) struct CStage {
    pub(crate) filter: Node,
    pub(crate) keys: Vec<CKey>,
    pub(crate) missing: bool,
}

/// The compiled query shape.
#[derive(Clone, Debug)]
pub(crate) enum CBody {
    Event(Node),
    Sequence {
        stages: Vec<CStage>,
        until: Option<CStage>,
        maxspan: Option<i64>,
    },
    Sample {
        stages: Vec<CStage>,
    },
}

/// An error compiling a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanError(pub String);

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PlanError {}

impl From<PatternError> for PlanError {
    fn from(e: PatternError) -> Self {
        PlanError(e.0)
    }
}

/// Suffix of a field-table entry that reads a `text` field itself rather than its keyword
/// sub-field (see `Compiler::analysed_field`); no field name contains U+0001.
const ANALYSED: &str = "\u{1}analysed";

/// How a field-table entry is read in one index.
fn read_def<'s>(
    schema: &'s Schema,
    index: &str,
    path: &str,
) -> Option<std::borrow::Cow<'s, shrike_ir::FieldDef>> {
    match path.strip_suffix(ANALYSED) {
        Some(base) => schema
            .mapping(index)
            .and_then(|m| m.lookup(base))
            .filter(|d| d.ty == FieldType::Text)
            .or_else(|| schema.exact_field(index, base)),
        None => schema.exact_field(index, path),
    }
}

struct Compiler<'a> {
    schema: &'a Schema,
    fields: Vec<String>,
    ids: HashMap<String, FieldId>,
    /// Fields read as dates even when unmapped (timestamps).
    dates: Vec<FieldId>,
}

impl Compiler<'_> {
    fn date_field(&mut self, path: &str) -> FieldId {
        let id = self.field(path);
        if !self.dates.contains(&id) {
            self.dates.push(id);
        }
        id
    }

    fn field(&mut self, path: &str) -> FieldId {
        if let Some(&id) = self.ids.get(path) {
            return id;
        }
        let id = self.fields.len();
        self.fields.push(path.to_string());
        self.ids.insert(path.to_string(), id);
        id
    }

    /// A `text` field read for analysis: from the text field itself, even where it has a
    /// keyword sub-field (which exact operators read, and which `ignore_above` may empty).
    fn analysed_field(&mut self, path: &str) -> FieldId {
        let has_sub = self.schema.index_names().any(|index| {
            self.schema
                .mapping(index)
                .and_then(|m| m.get(path))
                .is_some_and(|d| d.ty == FieldType::Text && d.exact.is_some())
        });
        if has_sub {
            self.field(&format!("{path}{ANALYSED}"))
        } else {
            self.field(path)
        }
    }

    fn node(&mut self, e: &Expr) -> Result<Node, PlanError> {
        let node = self.node_inner(e)?;
        // A predicate over exactly one field is evaluated once per value of that field and
        // is true if any value makes it true (Elasticsearch's term/wildcard/range queries).
        let predicate = matches!(
            e.kind(),
            ExprKind::Cmp(..)
                | ExprKind::In { .. }
                | ExprKind::Wildcard { .. }
                | ExprKind::Regex { .. }
                | ExprKind::Call { .. }
        );
        if predicate && e.fields().len() == 1 {
            let fid = self.field(&e.fields()[0]);
            return Ok(Node::AnyValue(fid, Box::new(node)));
        }
        Ok(node)
    }

    fn nodes(&mut self, items: &[Expr]) -> Result<Vec<Node>, PlanError> {
        items.iter().map(|e| self.node(e)).collect()
    }

    fn node_inner(&mut self, e: &Expr) -> Result<Node, PlanError> {
        Ok(match e.kind() {
            ExprKind::Const(v) => Node::Const(v.clone()),
            ExprKind::Field(f) => Node::Field(self.field(&f.path)),
            ExprKind::Not(x) => Node::Not(Box::new(self.node(x)?)),
            ExprKind::And(items) => Node::And(self.nodes(items)?),
            ExprKind::Or(items) => Node::Or(self.nodes(items)?),
            ExprKind::IsNull(x) => Node::IsNull(Box::new(self.node_inner(x)?)),
            ExprKind::Cmp(op, a, b) => Node::Cmp(
                *op,
                Box::new(self.node_inner(a)?),
                Box::new(self.node_inner(b)?),
            ),
            ExprKind::Arith(op, a, b) => Node::Arith(
                *op,
                Box::new(self.node_inner(a)?),
                Box::new(self.node_inner(b)?),
            ),
            ExprKind::Neg(x) => Node::Neg(Box::new(self.node_inner(x)?)),
            ExprKind::In {
                value,
                set,
                case_insensitive,
            } => {
                let folded = if *case_insensitive {
                    set.iter()
                        .map(|v| v.to_text().map(|s| crate::matcher::fold(&s)))
                        .collect()
                } else {
                    Vec::new()
                };
                Node::In {
                    value: Box::new(self.node_inner(value)?),
                    texts: Box::new(crate::eval::TextSet::new(set, &folded, *case_insensitive)),
                    set: set.clone(),
                    folded,
                    case_insensitive: *case_insensitive,
                }
            }
            ExprKind::Wildcard {
                value,
                patterns,
                case_insensitive,
            } => Node::Match(
                Box::new(self.node_inner(value)?),
                patterns
                    .iter()
                    .map(|p| Matcher::wildcard(p, *case_insensitive))
                    .collect::<Result<_, _>>()?,
            ),
            ExprKind::Regex {
                value,
                patterns,
                case_insensitive,
            } => Node::Match(
                Box::new(self.node_inner(value)?),
                patterns
                    .iter()
                    .map(|p| Matcher::regex(p, *case_insensitive))
                    .collect::<Result<_, _>>()?,
            ),
            ExprKind::Call {
                func: Func::CidrMatch,
                args,
                ..
            } if args.iter().skip(1).all(|a| a.as_const().is_some()) => {
                let mut cidrs = Vec::new();
                for a in &args[1..] {
                    match a.as_const() {
                        Some(Value::Str(s)) => cidrs.push(Cidr::parse(s)?),
                        Some(Value::Ip(ip)) => cidrs.push(Cidr::parse(&ip.to_string())?),
                        Some(Value::Null) => {}
                        _ => {
                            return Err(PlanError(
                                "cidrMatch expects string CIDR blocks".to_string(),
                            ))
                        }
                    }
                }
                let value = match args.first() {
                    Some(a) => self.node_inner(a)?,
                    None => Node::Const(Value::Null),
                };
                Node::Cidr(Box::new(value), cidrs)
            }
            ExprKind::Call {
                func,
                case_insensitive,
                args,
            } => Node::Call(
                *func,
                *case_insensitive,
                args.iter()
                    .map(|a| self.node_inner(a))
                    .collect::<Result<_, _>>()?,
            ),
            ExprKind::Exists(f) => Node::Exists(self.field(&f.path)),
            ExprKind::TextMatch {
                field,
                query,
                analyzer,
            } => Node::Text {
                analyzer: *analyzer,
                field: self.analysed_field(&field.path),
                query: match query {
                    TextQuery::AnyToken(t) => CText::AnyToken(t.clone()),
                    TextQuery::Phrase(t) => CText::Phrase(t.clone()),
                    TextQuery::TokenRegex(r) => CText::TokenMatch(Matcher::regex(r, false)?),
                },
            },
            // One Elasticsearch leaf query: over a single field, one value must satisfy
            // the whole operand (both bounds of a range).
            ExprKind::Holds(x) if x.fields().len() == 1 => {
                let fid = self.field(&x.fields()[0]);
                Node::Holds(Box::new(Node::AnyValue(fid, Box::new(self.node(x)?))))
            }
            ExprKind::Holds(x) => Node::Holds(Box::new(self.node(x)?)),
        })
    }

    fn stage(&mut self, s: &shrike_ir::Stage) -> Result<CStage, PlanError> {
        Ok(CStage {
            filter: self.node(&s.filter)?,
            keys: s
                .keys
                .iter()
                .map(|k| {
                    Ok(CKey {
                        node: self.node_inner(&k.expr)?,
                        optional: k.optional,
                        ty: k.ty.clone(),
                    })
                })
                .collect::<Result<_, PlanError>>()?,
            missing: s.missing,
        })
    }
}

/// How one rule places events in time: its timestamp field (with an optional fallback
/// read when the event has no value there — Kibana's `timestamp_override` falls back to
/// `@timestamp`) and its tiebreaker.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Clock {
    pub(crate) timestamp: FieldId,
    pub(crate) fallback: Option<FieldId>,
    pub(crate) tiebreaker: Option<FieldId>,
}

impl Clock {
    /// The event's time in nanoseconds, if it has a usable one.
    pub(crate) fn time(&self, values: &[Vec<Value>]) -> Option<i64> {
        let read = |f: FieldId| values.get(f).and_then(|v| v.first());
        let v = match read(self.timestamp) {
            Some(v) => v,
            None => read(self.fallback?)?,
        };
        match v {
            Value::Date(n) => Some(*n),
            Value::Int(ms) => ms.checked_mul(1_000_000),
            Value::Float(ms) => Some((ms * 1e6) as i64),
            Value::Str(s) => shrike_ir::DateFormat::default().parse_str(s),
            _ => None,
        }
    }

    /// The event's tiebreaker value (`Null` when it has none).
    pub(crate) fn tiebreaker(&self, values: &[Vec<Value>]) -> Value {
        self.tiebreaker
            .and_then(|f| values.get(f).and_then(|v| v.first().cloned()))
            .unwrap_or(Value::Null)
    }
}

/// One compiled query of a [`Program`].
#[derive(Clone, Debug)]
pub(crate) struct CRule {
    pub(crate) body: CBody,
    pub(crate) pipes: Vec<Pipe>,
    pub(crate) clock: usize,
}

/// Per-rule settings of a [`Program`] that are not part of the query text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleOptions {
    /// The field events are ordered by (`@timestamp`, or a rule's `timestamp_override`).
    pub timestamp_field: String,
    /// Read when an event has no value in `timestamp_field` (Kibana reads `@timestamp`
    /// when a rule's `timestamp_override` field is absent from an event).
    pub timestamp_fallback: Option<String>,
    /// The field that breaks timestamp ties (none by default, as in ES).
    pub tiebreaker_field: Option<String>,
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions {
            timestamp_field: "@timestamp".to_string(),
            timestamp_fallback: None,
            tiebreaker_field: None,
        }
    }
}

/// A rule's id in a [`Program`]: its position, in the order rules were added.
pub type RuleId = usize;

/// What kind of query a rule is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// An event query: each matching event is a result.
    Event,
    /// A sequence.
    Sequence,
    /// A sample.
    Sample,
}

/// Many compiled queries sharing one field table, so that each event is decoded once for
/// all of them. Immutable and `Send + Sync`; evaluation state lives in the caller's
/// objects ([`crate::Scanner`], [`crate::SequenceRunner`]).
#[derive(Debug)]
pub struct Program {
    fields: Vec<String>,
    extract: Vec<Vec<Option<Extract>>>,
    indices: Vec<Arc<str>>,
    pub(crate) rules: Vec<CRule>,
    pub(crate) clocks: Vec<Clock>,
    pub(crate) prefilter: crate::prefilter::Prefilter,
    tries: Vec<crate::decode::Trie>,
    /// Fields sequence and sample rules read (stage filters, join keys, `until`, their
    /// clocks), by field id: what a candidate event must carry to their runners.
    candidate_fields: Vec<bool>,
}

/// Builds a [`Program`]: add queries one by one (a query that does not compile is
/// reported and leaves the others intact), then [`ProgramBuilder::build`].
pub struct ProgramBuilder<'a> {
    compiler: Compiler<'a>,
    rules: Vec<CRule>,
    clocks: Vec<Clock>,
    extra_fields: Vec<FieldId>,
}

impl<'a> ProgramBuilder<'a> {
    /// A builder for queries over the indices of `schema`.
    pub fn new(schema: &'a Schema) -> Self {
        ProgramBuilder {
            compiler: Compiler {
                schema,
                fields: Vec::new(),
                ids: HashMap::new(),
                dates: Vec::new(),
            },
            rules: Vec::new(),
            clocks: Vec::new(),
            extra_fields: Vec::new(),
        }
    }

    /// Compiles one lowered query; its id is the number of rules added before it.
    pub fn add(&mut self, query: &Query, options: &RuleOptions) -> Result<RuleId, PlanError> {
        // Compile into a scratch copy of the field table so that a failing query leaves
        // no fields behind.
        let saved = (self.compiler.fields.len(), self.compiler.dates.len());
        let result = self.compile(query, options);
        if result.is_err() {
            let (n, d) = saved;
            for f in self.compiler.fields.drain(n..) {
                self.compiler.ids.remove(&f);
            }
            self.compiler.dates.truncate(d);
        }
        result
    }

    fn compile(&mut self, query: &Query, options: &RuleOptions) -> Result<RuleId, PlanError> {
        let c = &mut self.compiler;
        let body = match &query.body {
            Body::Event(e) => CBody::Event(c.node(e)?),
            Body::Sequence(s) => CBody::Sequence {
                stages: s
                    .stages
                    .iter()
                    .map(|st| c.stage(st))
                    .collect::<Result<_, _>>()?,
                until: s.until.as_ref().map(|u| c.stage(u)).transpose()?,
                maxspan: s.maxspan_nanos,
            },
            Body::Sample(s) => CBody::Sample {
                stages: s
                    .stages
                    .iter()
                    .map(|st| c.stage(st))
                    .collect::<Result<_, _>>()?,
            },
        };
        let timestamp = c.date_field(&options.timestamp_field);
        let fallback = options
            .timestamp_fallback
            .as_deref()
            .filter(|f| *f != options.timestamp_field)
            .map(|f| c.date_field(f));
        let tiebreaker = options.tiebreaker_field.as_deref().map(|t| c.field(t));
        let clock = Clock {
            timestamp,
            fallback,
            tiebreaker,
        };
        let clock = match self.clocks.iter().position(|k| *k == clock) {
            Some(i) => i,
            None => {
                self.clocks.push(clock);
                self.clocks.len() - 1
            }
        };
        self.rules.push(CRule {
            body,
            pipes: query.pipes.clone(),
            clock,
        });
        Ok(self.rules.len() - 1)
    }

    /// Makes sure `path` is in the field table (read from every event) and returns its id:
    /// for fields the caller itself needs, such as `data_stream.*` to name an event's index.
    pub fn extra_field(&mut self, path: &str) -> FieldId {
        let id = self.compiler.field(path);
        if !self.extra_fields.contains(&id) {
            self.extra_fields.push(id);
        }
        id
    }

    /// Finishes the program.
    pub fn build(self) -> Program {
        let c = self.compiler;
        let indices: Vec<Arc<str>> = c.schema.index_names().map(Arc::from).collect();
        let mut extract = Vec::new();
        for index in c.schema.index_names() {
            let row: Vec<Option<Extract>> = c
                .fields
                .iter()
                .enumerate()
                .map(|(id, path)| match read_def(c.schema, index, path) {
                    Some(d) => Some(Extract {
                        source: d.source.clone(),
                        ty: d.ty.clone(),
                        null_value: d.null_value.clone(),
                        ignore_above: d.ignore_above,
                    }),
                    // An unmapped timestamp is still read as a date.
                    None if c.dates.contains(&id) => Some(Extract {
                        source: path.clone(),
                        ty: FieldType::Date {
                            nanos: true,
                            format: shrike_ir::DateFormat::default(),
                        },
                        null_value: None,
                        ignore_above: None,
                    }),
                    None => None,
                })
                .collect();
            extract.push(row);
        }
        let prefilter = crate::prefilter::Prefilter::build(&self.rules, &c.fields);
        let mut candidate_fields = vec![false; c.fields.len()];
        for rule in &self.rules {
            let stages = match &rule.body {
                CBody::Event(_) => continue,
                CBody::Sequence { stages, until, .. } => {
                    stages.iter().chain(until.as_ref()).collect::<Vec<_>>()
                }
                CBody::Sample { stages } => stages.iter().collect(),
            };
            for s in stages {
                crate::eval::node_fields(&s.filter, &mut candidate_fields);
                for k in &s.keys {
                    crate::eval::node_fields(&k.node, &mut candidate_fields);
                }
            }
            if let Some(clock) = self.clocks.get(rule.clock) {
                for f in [Some(clock.timestamp), clock.fallback, clock.tiebreaker]
                    .into_iter()
                    .flatten()
                {
                    if let Some(m) = candidate_fields.get_mut(f) {
                        *m = true;
                    }
                }
            }
        }
        let tries = extract
            .iter()
            .map(|t| crate::decode::Trie::build(t))
            .collect();
        Program {
            tries,
            fields: c.fields,
            extract,
            indices,
            rules: self.rules,
            clocks: self.clocks,
            prefilter,
            candidate_fields,
        }
    }
}

impl Program {
    /// Compiles queries against the schema of the indices they search; the first query
    /// that fails stops it (use [`ProgramBuilder`] to keep going past broken queries).
    pub fn compile(
        queries: &[(Query, RuleOptions)],
        schema: &Schema,
    ) -> Result<Program, PlanError> {
        let mut b = ProgramBuilder::new(schema);
        for (q, o) in queries {
            b.add(q, o)?;
        }
        Ok(b.build())
    }

    /// The number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// What kind of query rule `id` is.
    pub fn kind(&self, id: RuleId) -> RuleKind {
        match self.rules.get(id).map(|r| &r.body) {
            Some(CBody::Sequence { .. }) => RuleKind::Sequence,
            Some(CBody::Sample { .. }) => RuleKind::Sample,
            _ => RuleKind::Event,
        }
    }

    /// The id of an index of the schema the program was compiled with.
    pub fn index_id(&self, name: &str) -> Option<usize> {
        self.indices.iter().position(|n| &**n == name)
    }

    /// Index names, in schema order.
    pub fn index_names(&self) -> impl Iterator<Item = &str> {
        self.indices.iter().map(|n| &**n)
    }

    pub(crate) fn index_arc(&self, index: usize) -> Arc<str> {
        self.indices
            .get(index)
            .cloned()
            .unwrap_or_else(|| Arc::from(""))
    }

    /// The shared field table: paths by [`FieldId`].
    pub fn field_paths(&self) -> &[String] {
        &self.fields
    }

    /// The id of a field the program reads.
    pub fn field_id(&self, path: &str) -> Option<FieldId> {
        self.fields.iter().position(|f| f == path)
    }

    /// Whether sequence or sample rules read field `f` (see [`crate::Decoder::encode_values`]).
    pub(crate) fn is_candidate_field(&self, f: FieldId) -> bool {
        self.candidate_fields.get(f).copied().unwrap_or(false)
    }

    pub(crate) fn extract_table(&self, index: usize) -> &[Option<Extract>] {
        self.extract.get(index).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn trie(&self, index: usize) -> &crate::decode::Trie {
        static EMPTY: std::sync::OnceLock<crate::decode::Trie> = std::sync::OnceLock::new();
        self.tries
            .get(index)
            .unwrap_or_else(|| EMPTY.get_or_init(crate::decode::Trie::empty))
    }

    /// The number of distinct (timestamp, fallback, tiebreaker) settings among the rules:
    /// rules of one clock order events the same way.
    pub fn clocks(&self) -> usize {
        self.clocks.len()
    }

    /// How many rules the prefilter cannot narrow (evaluated on every event).
    pub fn unanchored_rules(&self) -> usize {
        self.prefilter.always().len()
    }

    /// The rules the prefilter cannot narrow (one of their units — the condition, or a
    /// stage filter — has no anchor), in rule order.
    pub fn unanchored_rule_ids(&self) -> &[RuleId] {
        self.prefilter.always()
    }

    /// The prefilter's anchors, for debugging: per unit (rule, stage — 0 for an event
    /// rule; a sequence's `until` is the stage after its last), the clauses an event must
    /// satisfy for the unit to be evaluated, each a disjunction of atoms as text. A unit
    /// without clauses is evaluated on every event.
    pub fn anchors(&self) -> Vec<(RuleId, usize, Vec<String>)> {
        self.prefilter
            .describe(&self.fields)
            .into_iter()
            .map(|(u, c)| (u.rule, u.stage as usize, c))
            .collect()
    }

    /// The clock (ordering settings) of rule `id`.
    pub fn clock_of(&self, id: RuleId) -> usize {
        self.rules.get(id).map_or(0, |r| r.clock)
    }

    /// An event's time under clock `clock`, in nanoseconds since the epoch.
    pub fn time(&self, clock: usize, event: &Event) -> Option<i64> {
        self.clocks.get(clock)?.time(&event.values)
    }

    /// An event's tiebreaker value under clock `clock` (`Null` when none).
    pub fn tiebreaker(&self, clock: usize, event: &Event) -> Value {
        self.clocks
            .get(clock)
            .map_or(Value::Null, |c| c.tiebreaker(&event.values))
    }
}

/// A compiled query: immutable, shareable across threads. A [`Program`] of one rule, with
/// the batch [`crate::search`] API.
#[derive(Debug)]
pub struct Plan {
    pub(crate) program: Program,
}

impl Plan {
    /// Compiles a lowered query against the schema of the indices it searches.
    pub fn compile(
        query: &Query,
        schema: &Schema,
        options: &PlanOptions,
    ) -> Result<Plan, PlanError> {
        let mut b = ProgramBuilder::new(schema);
        b.add(
            query,
            &RuleOptions {
                timestamp_field: options.timestamp_field.clone(),
                timestamp_fallback: None,
                tiebreaker_field: options.tiebreaker_field.clone(),
            },
        )?;
        Ok(Plan { program: b.build() })
    }

    /// The underlying one-rule program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    pub(crate) fn rule(&self) -> &CRule {
        &self.program.rules[0]
    }

    /// The id of an index of the schema the plan was compiled with.
    pub fn index_id(&self, name: &str) -> Option<usize> {
        self.program.index_id(name)
    }

    /// Index names, in schema order.
    pub fn index_names(&self) -> impl Iterator<Item = &str> {
        self.program.index_names()
    }

    /// The field table: paths by [`FieldId`].
    pub fn field_paths(&self) -> &[String] {
        self.program.field_paths()
    }

    /// The id of a field the plan reads.
    pub fn field_id(&self, path: &str) -> Option<FieldId> {
        self.program.field_id(path)
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.program.clocks[self.rule().clock]
    }

    /// Whether the plan is a sequence query.
    pub fn is_sequence(&self) -> bool {
        matches!(self.rule().body, CBody::Sequence { .. })
    }

    /// Whether the plan is a sample query.
    pub fn is_sample(&self) -> bool {
        matches!(self.rule().body, CBody::Sample { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Plan>();
        check::<Program>();
    }
}
