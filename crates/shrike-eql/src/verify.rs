//! Checks Elasticsearch performs after its grammar accepted a query: what its parse-tree
//! builder, verifier and query translator reject. Everything here is decided from the text
//! alone; checks that need field mappings (unknown fields, field types) belong to the
//! lowering, which knows the mappings.
//!
//! Where Elasticsearch's verdict depends on mappings we cannot see, the check errs on the
//! side of accepting: an optional field (`?x`) may be unmapped and then reads as a null
//! constant, so comparisons involving only optional fields are let through.

use crate::ast::*;
use crate::codes;
use crate::functions::{self, ArgType, ReturnType, NOT_IN_ELASTICSEARCH};
use shrike_diag::{Diagnostic, Span};

/// The most results `head`/`tail` may ask for (Elasticsearch reads the count as an `int`).
const MAX_PIPE_COUNT: i64 = i32::MAX as i64;

/// Bounds of `with runs=N`.
const RUNS_MIN: i64 = 1;
const RUNS_MAX: i64 = 100;

/// Every semantic problem of `query`, in source order.
pub fn verify(query: &Query) -> Vec<Diagnostic> {
    let mut v = Verifier { diags: Vec::new() };
    match &query.body {
        QueryBody::Event(e) => v.event_query(e),
        QueryBody::Sequence(s) => v.sequence(s),
        QueryBody::Sample(s) => v.sample(s),
    }
    for pipe in &query.pipes {
        v.pipe(pipe);
    }
    v.diags.sort_by_key(|d| d.span.start);
    v.diags
}

/// What can be told about a value's type without mappings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    String,
    Integer,
    Float,
    /// Integer or float, not known which.
    Number,
    Boolean,
}

impl Ty {
    fn describe(self) -> &'static str {
        match self {
            Ty::String => "a string",
            Ty::Integer => "an integer",
            Ty::Float => "a decimal number",
            Ty::Number => "a number",
            Ty::Boolean => "a boolean",
        }
    }

    fn is_numeric(self) -> bool {
        matches!(self, Ty::Integer | Ty::Float | Ty::Number)
    }
}

/// The type of `e` when it is evident from the text; `None` for fields, nulls and unknown
/// functions. Recursion is bounded: it only looks at the node itself.
fn static_type(e: &Expr) -> Option<Ty> {
    Some(match &e.kind {
        ExprKind::Literal(Literal::String(_)) => Ty::String,
        ExprKind::Literal(Literal::Int(_)) => Ty::Integer,
        ExprKind::Literal(Literal::Float(_)) => Ty::Float,
        ExprKind::Literal(Literal::Bool(_)) => Ty::Boolean,
        ExprKind::Literal(Literal::Null) | ExprKind::Field(_) => return None,
        ExprKind::Not(_)
        | ExprKind::And(_)
        | ExprKind::Or(_)
        | ExprKind::Compare(..)
        | ExprKind::Match(_)
        | ExprKind::In(_) => Ty::Boolean,
        ExprKind::Arith(..) | ExprKind::Neg(_) => Ty::Number,
        ExprKind::Call(c) => match functions::lookup(&c.name)?.returns {
            ReturnType::String => Ty::String,
            ReturnType::Number => Ty::Number,
            ReturnType::Integer => Ty::Integer,
            ReturnType::Boolean => Ty::Boolean,
        },
    })
}

/// Whether `e` reads a field that is not optional (so it cannot be a constant).
fn reads_required_field(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(_) => false,
        ExprKind::Field(f) => !f.optional,
        ExprKind::Not(x) | ExprKind::Neg(x) => reads_required_field(x),
        ExprKind::And(xs) | ExprKind::Or(xs) => xs.iter().any(reads_required_field),
        ExprKind::Compare(_, a, b) | ExprKind::Arith(_, a, b) => {
            reads_required_field(a) || reads_required_field(b)
        }
        ExprKind::Match(m) => {
            reads_required_field(&m.lhs) || m.patterns.iter().any(reads_required_field)
        }
        ExprKind::In(i) => {
            reads_required_field(&i.lhs) || i.values.iter().any(reads_required_field)
        }
        ExprKind::Call(c) => c.args.iter().any(reads_required_field),
    }
}

struct Verifier {
    diags: Vec<Diagnostic>,
}

impl Verifier {
    fn push(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
    }

    fn event_query(&mut self, e: &EventQuery) {
        self.condition(&e.condition, "the condition after `where`");
    }

    fn sequence(&mut self, s: &Sequence) {
        // `[…] with runs=3` counts as three clauses.
        let terms: i64 = s
            .clauses
            .iter()
            .map(|c| c.runs.as_ref().map_or(1, |r| r.count.max(1)))
            .fold(0, i64::saturating_add);
        if terms < 2 {
            self.push(
                Diagnostic::error(
                    codes::TOO_FEW_CLAUSES,
                    format!("a sequence needs at least 2 clauses, found {terms}"),
                )
                .with_span(s.span)
                .with_help(
                    "for a single event, drop `sequence` and the brackets: `process where …`",
                ),
            );
        }
        if let Some(m) = &s.maxspan {
            if m.value <= 0 {
                self.push(
                    Diagnostic::error(
                        codes::MAXSPAN_NOT_POSITIVE,
                        format!(
                            "maxspan must be positive, found `{}{}`",
                            m.value,
                            m.unit.as_str()
                        ),
                    )
                    .with_span(m.span)
                    .with_help("leave `with maxspan` out for no time limit"),
                );
            }
        }
        self.keys(&s.by);
        for clause in &s.clauses {
            self.clause(clause);
        }
        let first_missing = s.clauses.iter().find(|c| c.missing);
        if let Some(missing) = first_missing {
            if s.maxspan.is_none() {
                self.push(
                    Diagnostic::error(
                        codes::MISSING_NEEDS_MAXSPAN,
                        "a sequence with missing-event clauses `![…]` needs `with maxspan`",
                    )
                    .with_span(missing.span)
                    .with_note("an event can only be missing within a bounded time window")
                    .with_help(
                        "add a time window after `sequence`: `sequence by host.id with maxspan=5m`",
                    ),
                );
            }
            if s.clauses.iter().all(|c| c.missing) {
                self.push(
                    Diagnostic::error(
                        codes::MISSING_ONLY,
                        "a sequence needs at least one clause that is not a missing-event clause",
                    )
                    .with_span(s.span)
                    .with_help("add a clause `[…]` for an event that must be present"),
                );
            }
        }
        if let Some(until) = &s.until {
            if until.missing {
                self.push(
                    Diagnostic::error(
                        codes::MISSING_NOT_ALLOWED,
                        "the `until` clause cannot be a missing-event clause",
                    )
                    .with_span(until.span)
                    .with_help("write `until [category where …]`"),
                );
            }
            if let Some(runs) = &until.runs {
                self.push(
                    Diagnostic::error(codes::UNTIL_RUNS, "the `until` clause cannot repeat")
                        .with_span(runs.span)
                        .with_help("remove `with runs` from the `until` clause"),
                );
            }
            self.event_query(&until.query);
            self.keys(&until.by);
        }
        let terms: Vec<&SequenceClause> = s.clauses.iter().chain(&s.until).collect();
        self.key_counts(&terms);
    }

    fn sample(&mut self, s: &Sample) {
        if s.clauses.len() < 2 {
            self.push(
                Diagnostic::error(
                    codes::TOO_FEW_CLAUSES,
                    format!(
                        "a sample needs at least 2 clauses, found {}",
                        s.clauses.len()
                    ),
                )
                .with_span(s.span),
            );
        }
        self.keys(&s.by);
        for clause in &s.clauses {
            if clause.missing {
                self.push(
                    Diagnostic::error(
                        codes::MISSING_NOT_ALLOWED,
                        "samples cannot have missing-event clauses `![…]`",
                    )
                    .with_span(clause.span)
                    .with_help("use a `sequence … with maxspan=…` to detect an absent event"),
                );
            }
            // `with runs` in a sample was already reported by the parser.
            self.event_query(&clause.query);
            self.keys(&clause.by);
        }
        if s.by.is_empty() && s.clauses.iter().all(|c| c.by.is_empty()) {
            self.push(
                Diagnostic::error(codes::SAMPLE_WITHOUT_KEYS, "a sample needs join keys")
                    .with_span(s.span)
                    .with_note("a sample groups events that share the values of its join keys")
                    .with_help("add keys after `sample`: `sample by host.id …`"),
            );
        }
        let terms: Vec<&SequenceClause> = s.clauses.iter().collect();
        self.key_counts(&terms);
    }

    fn clause(&mut self, clause: &SequenceClause) {
        self.event_query(&clause.query);
        self.keys(&clause.by);
        if let Some(runs) = &clause.runs {
            if !(RUNS_MIN..=RUNS_MAX).contains(&runs.count) {
                self.push(
                    Diagnostic::error(
                        codes::RUNS_OUT_OF_RANGE,
                        format!(
                            "`runs` must be between {RUNS_MIN} and {RUNS_MAX}, found {}",
                            runs.count
                        ),
                    )
                    .with_span(runs.span),
                );
            }
        }
    }

    /// Join keys are plain fields in Elasticsearch.
    fn keys(&mut self, keys: &[Expr]) {
        for key in keys {
            if key.as_field().is_none() {
                self.push(
                    Diagnostic::error(codes::JOIN_KEY_NOT_FIELD, "join keys must be fields")
                        .with_span(key.span)
                        .with_help("join on a field such as `process.entity_id`"),
                );
            }
        }
    }

    /// Every clause must add the same number of keys to the shared `by`.
    fn key_counts(&mut self, terms: &[&SequenceClause]) {
        let Some(first) = terms.first() else { return };
        let expected = first.by.len();
        for term in &terms[1..] {
            if term.by.len() != expected {
                let span = match (term.by.first(), term.by.last()) {
                    (Some(a), Some(b)) => a.span.to(b.span),
                    _ => term.span,
                };
                self.push(
                    Diagnostic::error(
                        codes::JOIN_KEY_COUNT,
                        format!(
                            "this clause has {} join key{}, the first clause has {expected}",
                            term.by.len(),
                            if term.by.len() == 1 { "" } else { "s" }
                        ),
                    )
                    .with_span(span)
                    .with_label(first.span, "first clause")
                    .with_help("give every clause the same number of `by` keys"),
                );
            }
        }
    }

    fn pipe(&mut self, pipe: &Pipe) {
        let name = match pipe.kind {
            PipeKind::Head => "head",
            PipeKind::Tail => "tail",
        };
        if pipe.count < 0 {
            self.push(
                Diagnostic::error(
                    codes::PIPE_COUNT_RANGE,
                    format!("`{name}` needs a positive number, found {}", pipe.count),
                )
                .with_span(pipe.span),
            );
        } else if pipe.count > MAX_PIPE_COUNT {
            self.push(
                Diagnostic::error(
                    codes::PIPE_COUNT_RANGE,
                    format!("`{name} {}` asks for too many results", pipe.count),
                )
                .with_span(pipe.span)
                .with_help(format!("the largest count is {MAX_PIPE_COUNT}")),
            );
        }
    }

    // ----- expressions ------------------------------------------------------------

    /// A condition: must be boolean; its comparisons are translated to queries.
    fn condition(&mut self, e: &Expr, what: &str) {
        if let Some(ty) = static_type(e) {
            if ty != Ty::Boolean {
                self.push(
                    Diagnostic::error(
                        codes::NOT_BOOLEAN,
                        format!("{what} must be true or false, found {}", ty.describe()),
                    )
                    .with_span(e.span)
                    .with_help("compare the value: `field == 5`, `field : \"x*\"`"),
                );
            }
        }
        self.expr(e, true);
    }

    /// Checks `e` and its children. `filter`: reached from the condition through
    /// `and`/`or`/`not` only, where Elasticsearch turns comparisons into field queries.
    fn expr(&mut self, e: &Expr, filter: bool) {
        match &e.kind {
            ExprKind::Literal(_) | ExprKind::Field(_) => {}
            ExprKind::Not(x) => self.logical_operand(x, "`not`", filter),
            ExprKind::And(xs) => xs
                .iter()
                .for_each(|x| self.logical_operand(x, "`and`", filter)),
            ExprKind::Or(xs) => xs
                .iter()
                .for_each(|x| self.logical_operand(x, "`or`", filter)),
            ExprKind::Compare(op, a, b) => {
                if filter && reads_required_field(a) && reads_required_field(b) {
                    self.push(
                        Diagnostic::error(
                            codes::FIELD_COMPARISON,
                            "Elasticsearch EQL cannot compare a field with another field",
                        )
                        .with_span(e.span)
                        .with_label(b.span, format!("right side of `{}` reads a field", op.as_str()))
                        .with_note("comparisons in a condition need a constant on one side")
                        .with_help("compare each field with a value; relate events with `sequence … by field`"),
                    );
                }
                self.expr(a, false);
                self.expr(b, false);
            }
            ExprKind::Arith(op, a, b) => {
                self.numeric_operand(a, op.as_str());
                self.numeric_operand(b, op.as_str());
                self.expr(a, false);
                self.expr(b, false);
            }
            ExprKind::Neg(x) => {
                self.numeric_operand(x, "-");
                self.expr(x, false);
            }
            ExprKind::Match(m) => self.pattern_match(m),
            ExprKind::In(i) => {
                for value in &i.values {
                    if reads_required_field(value) {
                        self.push(
                            Diagnostic::error(
                                codes::FIELD_IN_LIST,
                                "the values of an `in` list must be constants, not fields",
                            )
                            .with_span(value.span)
                            .with_help("list the values: `process.name in (\"cmd.exe\", \"powershell.exe\")`"),
                        );
                    }
                }
                self.expr(&i.lhs, false);
                i.values.iter().for_each(|v| self.expr(v, false));
            }
            ExprKind::Call(c) => {
                self.call(c, e.span);
                c.args.iter().for_each(|a| self.expr(a, false));
            }
        }
    }

    fn logical_operand(&mut self, x: &Expr, op: &str, filter: bool) {
        if let Some(ty) = static_type(x) {
            if ty != Ty::Boolean {
                self.push(
                    Diagnostic::error(
                        codes::NOT_BOOLEAN,
                        format!(
                            "the operands of {op} must be true or false, found {}",
                            ty.describe()
                        ),
                    )
                    .with_span(x.span),
                );
            }
        }
        self.expr(x, filter);
    }

    fn numeric_operand(&mut self, x: &Expr, op: &str) {
        if let Some(ty) = static_type(x) {
            if !ty.is_numeric() {
                self.push(
                    Diagnostic::error(
                        codes::NOT_NUMERIC,
                        format!("`{op}` needs numbers, found {}", ty.describe()),
                    )
                    .with_span(x.span),
                );
            }
        }
    }

    fn pattern_match(&mut self, m: &MatchExpr) {
        if m.kind != MatchKind::Colon {
            let word = match (m.kind, m.case_insensitive) {
                (MatchKind::Like, false) => "like",
                (MatchKind::Like, true) => "like~",
                (MatchKind::Regex, false) => "regex",
                _ => "regex~",
            };
            for p in &m.patterns {
                // Non-constant patterns were reported by the parser.
                if let Some(lit) = p.as_literal() {
                    if !matches!(lit, Literal::String(_)) {
                        self.push(
                            Diagnostic::error(
                                codes::PATTERN_TYPE,
                                format!("the patterns of `{word}` must be strings"),
                            )
                            .with_span(p.span)
                            .with_help("quote the pattern: `\"5*\"`"),
                        );
                    }
                }
            }
        }
        self.expr(&m.lhs, false);
    }

    fn call(&mut self, c: &Call, span: Span) {
        let Some(f) = functions::lookup(&c.name) else {
            self.unknown_function(c);
            return;
        };
        if c.case_insensitive && !f.case_insensitive {
            self.push(
                Diagnostic::error(
                    codes::NO_CASE_INSENSITIVE_FORM,
                    format!("`{}` has no case-insensitive form `{}~`", f.name, c.name),
                )
                .with_span(c.name_span)
                .with_note(
                    "`~` exists for between, endsWith, indexOf, startsWith and stringContains",
                )
                .with_help(format!("remove the `~`: `{}(…)`", c.name)),
            );
        }
        let n = c.args.len();
        let too_many = f.max_args().is_some_and(|max| n > max);
        if n < f.required || too_many {
            let expected = match f.max_args() {
                Some(max) if max == f.required => format!("{max}"),
                Some(max) => format!("{} to {max}", f.required),
                None => format!("at least {}", f.required),
            };
            self.push(
                Diagnostic::error(
                    codes::FUNCTION_ARITY,
                    format!(
                        "`{}` takes {expected} argument{}, found {n}",
                        f.name,
                        if expected == "1" { "" } else { "s" }
                    ),
                )
                .with_span(span)
                .with_help(format!("usage: {}", f.usage())),
            );
            return;
        }
        for (i, arg) in c.args.iter().enumerate() {
            let Some(param) = f.param(i) else { continue };
            if param.constant && reads_required_field(arg) {
                self.push(
                    Diagnostic::error(
                        codes::ARGUMENT_NOT_CONSTANT,
                        format!(
                            "the `{}` argument of `{}` must be a constant, not a field",
                            param.name, f.name
                        ),
                    )
                    .with_span(arg.span)
                    .with_help(format!("usage: {}", f.usage())),
                );
                continue;
            }
            let Some(ty) = static_type(arg) else { continue };
            let ok = match param.ty {
                ArgType::Any => true,
                ArgType::String => ty == Ty::String,
                ArgType::Number => ty.is_numeric(),
                ArgType::Integer => matches!(ty, Ty::Integer | Ty::Number),
                ArgType::Boolean => ty == Ty::Boolean,
                ArgType::Ip => false,
            };
            if !ok {
                self.push(
                    Diagnostic::error(
                        codes::ARGUMENT_TYPE,
                        format!(
                            "the `{}` argument of `{}` must be {}, found {}",
                            param.name,
                            f.name,
                            param.ty.describe(),
                            ty.describe()
                        ),
                    )
                    .with_span(arg.span)
                    .with_help(format!("usage: {}", f.usage())),
                );
            }
        }
    }

    fn unknown_function(&mut self, c: &Call) {
        let mut diag = Diagnostic::error(
            codes::UNKNOWN_FUNCTION,
            format!("unknown function `{}`", c.name),
        )
        .with_span(c.name_span);
        if let Some((name, advice)) = NOT_IN_ELASTICSEARCH
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&c.name))
        {
            diag = diag
                .with_note(format!(
                    "`{name}` exists in the original EQL but not in Elasticsearch"
                ))
                .with_help(*advice);
        } else {
            let similar = functions::similar(&c.name);
            diag = match similar.as_slice() {
                [] => diag.with_help(format!(
                    "the functions are {}",
                    functions::FUNCTIONS
                        .iter()
                        .map(|f| f.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                [one] => diag.with_help(format!("did you mean `{one}`?")),
                many => diag.with_help(format!(
                    "did you mean one of {}?",
                    many.iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
        }
        self.push(diag);
    }
}
