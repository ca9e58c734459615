//! The EQL abstract syntax tree.
//!
//! Every node carries the byte [`Span`] of the text it was parsed from. Spans take part in
//! `==`, so to compare trees by meaning (tests against hand-built trees, the print/parse round
//! trip) first clear them with [`Query::without_spans`] / [`Expr::without_spans`].
//!
//! The tree is purely syntactic: it records what was written (function names as spelled,
//! field paths as written) and knows nothing of field types or events. Whether a function
//! exists or a field may be compared with another is decided by the verifier, not the
//! parser, so that all problems of one query are reported together.
//!
//! String values are stored unescaped: `"a\"b"` and `"""a"b"""` give the same tree.

use shrike_diag::Span;

/// A whole EQL query: an event query, a sequence or a sample, then pipes.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// What the query selects.
    pub body: QueryBody,
    /// `| head N`, `| tail N`, in order.
    pub pipes: Vec<Pipe>,
    /// The whole query text (without surrounding whitespace and comments).
    pub span: Span,
}

/// The three query forms of EQL.
#[derive(Clone, Debug, PartialEq)]
pub enum QueryBody {
    /// `category where condition`.
    Event(EventQuery),
    /// `sequence [by …] [with maxspan=…] [q] [q] … [until [q]]`.
    Sequence(Sequence),
    /// `sample by … [q] [q] …`.
    Sample(Sample),
}

/// `category where condition`.
#[derive(Clone, Debug, PartialEq)]
pub struct EventQuery {
    /// The event category to match against `event.category`.
    pub category: Category,
    /// The condition after `where`.
    pub condition: Expr,
    /// From the category to the end of the condition.
    pub span: Span,
}

/// The event category of an event query.
#[derive(Clone, Debug, PartialEq)]
pub enum Category {
    /// `any`: every event, including those without a category.
    Any(Span),
    /// A named category: bare (`process`) or quoted (`"my-cat"`); the name is unescaped.
    Named(String, Span),
}

impl Category {
    /// The span of the category token.
    pub fn span(&self) -> Span {
        match self {
            Category::Any(span) | Category::Named(_, span) => *span,
        }
    }
}

/// A sequence: ordered event queries sharing join keys, within an optional time span.
#[derive(Clone, Debug, PartialEq)]
pub struct Sequence {
    /// `sequence by k1, k2`: keys shared by every clause (empty when absent).
    pub by: Vec<Expr>,
    /// `with maxspan=…`.
    pub maxspan: Option<TimeSpan>,
    /// The clauses in order; missing-event clauses (`![…]`) included.
    pub clauses: Vec<SequenceClause>,
    /// `until [q] [by …]`.
    pub until: Option<SequenceClause>,
    /// From `sequence` to the end of the last clause.
    pub span: Span,
}

/// One bracketed clause of a sequence or sample: `[q] by k with runs=N`, or `![q]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SequenceClause {
    /// The event query inside the brackets.
    pub query: EventQuery,
    /// Per-clause join keys (empty when absent).
    pub by: Vec<Expr>,
    /// `with runs=N` (repeat the clause N times).
    pub runs: Option<Runs>,
    /// `![…]`: a missing-event clause.
    pub missing: bool,
    /// From `[` (or `!`) to the end of the clause's `by`/`with`.
    pub span: Span,
}

/// `with runs=N`.
#[derive(Clone, Debug, PartialEq)]
pub struct Runs {
    /// The count as written (bounds are checked by the verifier).
    pub count: i64,
    /// The whole `with runs=N`.
    pub span: Span,
}

/// A sample: unordered event queries sharing join keys.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// `sample by k1, k2` (empty when absent; the verifier requires keys somewhere).
    pub by: Vec<Expr>,
    /// The clauses (their `runs` and `missing` are rejected by the verifier).
    pub clauses: Vec<SequenceClause>,
    /// From `sample` to the end of the last clause.
    pub span: Span,
}

/// A duration literal such as `500ms` or `1m`.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeSpan {
    /// The number as written.
    pub value: i64,
    /// The unit.
    pub unit: TimeUnit,
    /// The number and unit.
    pub span: Span,
}

impl TimeSpan {
    /// The duration in milliseconds (saturating).
    pub fn as_millis(&self) -> i64 {
        self.value.saturating_mul(self.unit.millis())
    }
}

/// Units accepted by `maxspan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// `ms`
    Millis,
    /// `s`
    Seconds,
    /// `m`
    Minutes,
    /// `h`
    Hours,
    /// `d`
    Days,
}

impl TimeUnit {
    /// Milliseconds in one unit.
    pub fn millis(self) -> i64 {
        match self {
            TimeUnit::Millis => 1,
            TimeUnit::Seconds => 1_000,
            TimeUnit::Minutes => 60_000,
            TimeUnit::Hours => 3_600_000,
            TimeUnit::Days => 86_400_000,
        }
    }

    /// The unit as written in EQL.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeUnit::Millis => "ms",
            TimeUnit::Seconds => "s",
            TimeUnit::Minutes => "m",
            TimeUnit::Hours => "h",
            TimeUnit::Days => "d",
        }
    }
}

/// A pipe after the query.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipe {
    /// Which pipe.
    pub kind: PipeKind,
    /// Its argument as written (the verifier checks it is positive).
    pub count: i64,
    /// From `|` to the end of the argument.
    pub span: Span,
}

/// The pipes Elasticsearch supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PipeKind {
    /// `| head N`: the first N results.
    Head,
    /// `| tail N`: the last N results (still returned in ascending order).
    Tail,
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// The expression forms of EQL.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `null`, `true`, `42`, `1.5`, `"text"`.
    Literal(Literal),
    /// A field reference.
    Field(FieldRef),
    /// `not e`.
    Not(Box<Expr>),
    /// `a and b and …`: two or more operands. A chain of one operator is one node, so the
    /// tree's depth is bounded by parenthesis/function nesting, not by the chain's length;
    /// an explicitly parenthesised sub-chain stays a nested node.
    And(Vec<Expr>),
    /// `a or b or …`: two or more operands, flattened like [`ExprKind::And`].
    Or(Vec<Expr>),
    /// `a == b`, `a < b`, …
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// `a + b`, `a % b`, …
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `-a`.
    Neg(Box<Expr>),
    /// `a : "x"`, `a like~ ("x*", "y")`, `a regex "[0-9]+"`.
    Match(MatchExpr),
    /// `a in (b, c)`, `a not in~ (b, c)`.
    In(InExpr),
    /// `name(args…)` or `name~(args…)`.
    Call(Call),
}

/// A constant.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer that fits in `i64` (a leading `-` is a separate [`ExprKind::Neg`]).
    Int(i64),
    /// A number with a fraction or exponent, or an integer too large for `i64`.
    Float(f64),
    /// A string, unescaped.
    String(String),
}

/// A reference to a document field.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldRef {
    /// The dotted path as Elasticsearch names the field (`process.parent.name`); back-quotes
    /// removed and doubled back-quotes unescaped.
    pub path: String,
    /// Written `?field`: a field unknown to every mapping reads as null instead of erroring.
    pub optional: bool,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtEq,
    /// `>`
    Gt,
    /// `>=`
    GtEq,
}

impl CmpOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::NotEq => "!=",
            CmpOp::Lt => "<",
            CmpOp::LtEq => "<=",
            CmpOp::Gt => ">",
            CmpOp::GtEq => ">=",
        }
    }
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (integer division truncates when both sides are integers)
    Div,
    /// `%`
    Mod,
}

impl ArithOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Mod => "%",
        }
    }
}

/// The pattern-matching operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchKind {
    /// `:` — case-insensitive wildcard match (same as `like~`).
    Colon,
    /// `like` / `like~` — wildcard match (`*`, `?`).
    Like,
    /// `regex` / `regex~` — Lucene regular expression, anchored.
    Regex,
}

/// `lhs : pattern`, `lhs like~ (p1, p2)`, `lhs regex p`.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchExpr {
    /// Which operator.
    pub kind: MatchKind,
    /// The `~` form (`like~`, `regex~`). Always `false` for `:`, which is insensitive anyway.
    pub case_insensitive: bool,
    /// The value being matched.
    pub lhs: Box<Expr>,
    /// The patterns (constants; the grammar admits only constants here).
    pub patterns: Vec<Expr>,
    /// Written with a parenthesised list (`: ("a")`) rather than a single pattern (`: "a"`).
    pub list: bool,
}

/// `lhs [not] in[~] (values…)`.
#[derive(Clone, Debug, PartialEq)]
pub struct InExpr {
    /// The value being looked up.
    pub lhs: Box<Expr>,
    /// The list.
    pub values: Vec<Expr>,
    /// `not in`.
    pub negated: bool,
    /// `in~`: case-insensitive, still no wildcards.
    pub case_insensitive: bool,
}

/// A function call.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The name as written, without `~` (names are case-insensitive in EQL).
    pub name: String,
    /// Written `name~(…)`.
    pub case_insensitive: bool,
    /// The arguments.
    pub args: Vec<Expr>,
    /// The span of the name (and `~`), for "unknown function" diagnostics.
    pub name_span: Span,
}

impl Query {
    /// This query with every span set to `Span::default()`, for comparison by meaning.
    pub fn without_spans(&self) -> Query {
        let mut q = self.clone();
        q.clear_spans();
        q
    }

    /// Sets every span in the tree to `Span::default()`.
    pub fn clear_spans(&mut self) {
        self.span = Span::default();
        for pipe in &mut self.pipes {
            pipe.span = Span::default();
        }
        match &mut self.body {
            QueryBody::Event(e) => e.clear_spans(),
            QueryBody::Sequence(s) => {
                s.span = Span::default();
                s.by.iter_mut().for_each(Expr::clear_spans);
                if let Some(m) = &mut s.maxspan {
                    m.span = Span::default();
                }
                s.clauses.iter_mut().for_each(SequenceClause::clear_spans);
                if let Some(u) = &mut s.until {
                    u.clear_spans();
                }
            }
            QueryBody::Sample(s) => {
                s.span = Span::default();
                s.by.iter_mut().for_each(Expr::clear_spans);
                s.clauses.iter_mut().for_each(SequenceClause::clear_spans);
            }
        }
    }
}

impl EventQuery {
    fn clear_spans(&mut self) {
        self.span = Span::default();
        match &mut self.category {
            Category::Any(s) | Category::Named(_, s) => *s = Span::default(),
        }
        self.condition.clear_spans();
    }
}

impl SequenceClause {
    fn clear_spans(&mut self) {
        self.span = Span::default();
        self.query.clear_spans();
        self.by.iter_mut().for_each(Expr::clear_spans);
        if let Some(r) = &mut self.runs {
            r.span = Span::default();
        }
    }
}

impl Expr {
    /// A new expression node.
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }

    /// This expression with every span set to `Span::default()`.
    pub fn without_spans(&self) -> Expr {
        let mut e = self.clone();
        e.clear_spans();
        e
    }

    /// Sets every span in the tree to `Span::default()`.
    ///
    /// Recursive: the depth of parsed trees is bounded by the parser's nesting limit.
    pub fn clear_spans(&mut self) {
        self.span = Span::default();
        match &mut self.kind {
            ExprKind::Literal(_) | ExprKind::Field(_) => {}
            ExprKind::Not(e) | ExprKind::Neg(e) => e.clear_spans(),
            ExprKind::And(items) | ExprKind::Or(items) => {
                items.iter_mut().for_each(Expr::clear_spans);
            }
            ExprKind::Compare(_, a, b) | ExprKind::Arith(_, a, b) => {
                a.clear_spans();
                b.clear_spans();
            }
            ExprKind::Match(m) => {
                m.lhs.clear_spans();
                m.patterns.iter_mut().for_each(Expr::clear_spans);
            }
            ExprKind::In(i) => {
                i.lhs.clear_spans();
                i.values.iter_mut().for_each(Expr::clear_spans);
            }
            ExprKind::Call(c) => {
                c.name_span = Span::default();
                c.args.iter_mut().for_each(Expr::clear_spans);
            }
        }
    }

    /// The field this expression is, if it is a bare field reference.
    pub fn as_field(&self) -> Option<&FieldRef> {
        match &self.kind {
            ExprKind::Field(f) => Some(f),
            _ => None,
        }
    }

    /// The literal this expression is, if it is a constant.
    pub fn as_literal(&self) -> Option<&Literal> {
        match &self.kind {
            ExprKind::Literal(l) => Some(l),
            _ => None,
        }
    }
}
