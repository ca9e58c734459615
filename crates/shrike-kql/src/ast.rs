//! The KQL abstract syntax tree.
//!
//! Every node carries the byte [`Span`] of the text it was parsed from. Spans take part in
//! `==`, so to compare trees by meaning (tests against hand-built trees, the print/parse round
//! trip) first clear them with [`Query::without_spans`].
//!
//! The tree is syntactic but already holds what Kibana's parser decides, so that lowering
//! needs no second look at the text:
//!
//! * Parentheses leave no node: `(a or b) and c` is `And[Or[a, b], c]`, and `((a))` is `a`,
//!   exactly as Kibana builds it. A parenthesised chain of the same operator stays a nested
//!   node (`a and (b and c)` is `And[a, And[b, c]]`), like Kibana's.
//! * A value list keeps its shape: `f: (a or b and not c)` is one [`FieldMatch`] whose
//!   [`ValueExpr`] is `Or[a, And[b, Not[c]]]`. Kibana distributes the field over the list
//!   (`or(is(f,a), and(is(f,b), not(is(f,c))))`); [`FieldMatch::distribute`] does the same.
//! * Literals are stored decoded and typed as Kibana types them: a quoted string is a
//!   [`ValueKind::Phrase`]; unquoted text is trimmed (JavaScript `trim()`), and becomes
//!   [`ValueKind::Null`] / [`ValueKind::Bool`] when it is exactly `null` / `true` / `false`,
//!   a [`ValueKind::Pattern`] when it has an unescaped `*`, else [`ValueKind::Text`].
//!   Field names and nested paths are literals too (`"a b": x`, `proc*: x`, even `null: x`).

use shrike_diag::Span;

/// A whole KQL query.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The condition; `None` for an empty (or all-whitespace) query, which Kibana turns into
    /// `is(*, *)`: match every document.
    pub expr: Option<Expr>,
    /// The query text without surrounding whitespace (an empty span at 0 when empty).
    pub span: Span,
}

/// A query expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written; includes enclosing parentheses when it was parenthesised.
    pub span: Span,
}

/// The expression forms of KQL.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `a or b or …`: two or more operands. One chain is one node, so the tree's depth is
    /// bounded by parenthesis nesting, not by the chain's length.
    Or(Vec<Expr>),
    /// `a and b and …`: two or more operands, one node per chain like [`ExprKind::Or`].
    And(Vec<Expr>),
    /// `not e`. Kibana allows one `not` before a parenthesised group, a nested query or a
    /// single expression; `not not e` is a syntax error (it needs `not (not e)`).
    Not(Box<Expr>),
    /// `field: value` or `field: (v1 or v2 …)`.
    Field(FieldMatch),
    /// `field < value`, `<=`, `>`, `>=`.
    Range(RangeQuery),
    /// `path: { query }`: a query on the objects of a nested field.
    Nested(NestedQuery),
    /// A value without a field (free text), searched in every default field.
    Term(Value),
}

/// `field: values`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldMatch {
    /// The field name (a literal: quoted, plain or with wildcards).
    pub field: Value,
    /// One value, or a list combined with `or` / `and` / `not`.
    pub value: ValueExpr,
}

impl FieldMatch {
    /// Kibana's form of this match: the field distributed over the value list, giving a tree
    /// of `Or` / `And` / `Not` whose leaves are `(field, value)` pairs.
    pub fn distribute(&self) -> Distributed<'_> {
        distribute(&self.field, &self.value)
    }
}

/// A [`FieldMatch`] with its field distributed over its value list (see
/// [`FieldMatch::distribute`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Distributed<'a> {
    /// All must hold.
    And(Vec<Distributed<'a>>),
    /// At least one must hold.
    Or(Vec<Distributed<'a>>),
    /// Must not hold.
    Not(Box<Distributed<'a>>),
    /// Kibana's `is(field, value)`.
    Is(&'a Value, &'a Value),
}

fn distribute<'a>(field: &'a Value, value: &'a ValueExpr) -> Distributed<'a> {
    match &value.kind {
        ValueExprKind::Or(items) => {
            Distributed::Or(items.iter().map(|v| distribute(field, v)).collect())
        }
        ValueExprKind::And(items) => {
            Distributed::And(items.iter().map(|v| distribute(field, v)).collect())
        }
        ValueExprKind::Not(inner) => Distributed::Not(Box::new(distribute(field, inner))),
        ValueExprKind::Value(v) => Distributed::Is(field, v),
    }
}

/// The value side of `field: …`, with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueExpr {
    /// What it is.
    pub kind: ValueExprKind,
    /// Where it was written; includes enclosing parentheses when it was parenthesised.
    pub span: Span,
}

/// A value or a combination of values inside `field: ( … )`.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueExprKind {
    /// `a or b or …` (two or more).
    Or(Vec<ValueExpr>),
    /// `a and b and …` (two or more).
    And(Vec<ValueExpr>),
    /// `not a` (only inside parentheses: `f: (not a)`; `f: not a` is a syntax error).
    Not(Box<ValueExpr>),
    /// One value.
    Value(Value),
}

/// `field op value`.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeQuery {
    /// The field name.
    pub field: Value,
    /// The comparison.
    pub op: RangeOp,
    /// The bound, as written (its interpretation depends on the field's type).
    pub value: Value,
}

/// A range comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RangeOp {
    /// `<`
    Lt,
    /// `<=`
    Lte,
    /// `>`
    Gt,
    /// `>=`
    Gte,
}

impl RangeOp {
    /// The operator as written in KQL.
    pub fn as_str(self) -> &'static str {
        match self {
            RangeOp::Lt => "<",
            RangeOp::Lte => "<=",
            RangeOp::Gt => ">",
            RangeOp::Gte => ">=",
        }
    }

    /// The key Kibana uses in the `range` query (`lt`, `lte`, `gt`, `gte`).
    pub fn dsl_key(self) -> &'static str {
        match self {
            RangeOp::Lt => "lt",
            RangeOp::Lte => "lte",
            RangeOp::Gt => "gt",
            RangeOp::Gte => "gte",
        }
    }
}

/// `path: { query }`.
#[derive(Clone, Debug, PartialEq)]
pub struct NestedQuery {
    /// The nested field's path, relative to an enclosing nested query if any.
    pub path: Value,
    /// The query each nested object is tested against.
    pub query: Box<Expr>,
}

/// A literal: a field name, a value, a range bound or a nested path.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// What it is.
    pub kind: ValueKind,
    /// Where it was written (for unquoted text, without surrounding raw whitespace).
    pub span: Span,
}

/// The literal forms, typed as Kibana's parser types them.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    /// A quoted string (`"…"`), unescaped. As a value it is a phrase (`match_phrase`); as a
    /// field name it is used verbatim (a `*` in it is not a wildcard).
    Phrase(String),
    /// Unquoted text without an unescaped `*`, unescaped and trimmed. Never exactly `null`,
    /// `true` or `false` (those are [`ValueKind::Null`] / [`ValueKind::Bool`]).
    Text(String),
    /// Unquoted text with at least one unescaped `*`.
    Pattern(Pattern),
    /// Unquoted `true` / `false`.
    Bool(bool),
    /// Unquoted `null`. As a field name it means "no field" (Kibana treats `null: x` like
    /// the free text `x`).
    Null,
}

/// Unquoted text with wildcards: literal pieces and `*`s, in order.
///
/// Invariants (kept by the parser, expected by the printer): at least one
/// [`PatternPart::Star`]; no empty [`PatternPart::Text`]; no two `Text` parts in a row; the
/// first part does not start, and the last part does not end, with whitespace
/// ([`is_js_whitespace`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pattern {
    /// The pieces.
    pub parts: Vec<PatternPart>,
}

/// A piece of a [`Pattern`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PatternPart {
    /// Literal text (escaped `\*` is a literal `*` here).
    Text(String),
    /// An unescaped `*`: any sequence of characters, including none.
    Star,
}

impl Pattern {
    /// Whether the pattern is just `*` (Kibana's "lone wildcard": `field: *` is an exists
    /// query, `*: *` matches everything).
    pub fn is_lone_star(&self) -> bool {
        self.parts == [PatternPart::Star]
    }

    /// Whether the pattern starts with `*` and is not a lone `*` (what Kibana's
    /// `allowLeadingWildcards: false` rejects).
    pub fn has_leading_star(&self) -> bool {
        matches!(self.parts.first(), Some(PatternPart::Star)) && !self.is_lone_star()
    }

    /// Whether `text` matches the pattern as a whole (`*` matches any characters; everything
    /// else literally). This is how Kibana expands a wildcard field name against the known
    /// field names (`wildcard.test`).
    pub fn matches(&self, text: &str) -> bool {
        glob_match(&self.parts, text)
    }
}

/// Iterative glob matching with single-star backtracking: O(len(text) × len(pattern)) at
/// worst, no recursion.
fn glob_match(parts: &[PatternPart], text: &str) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    // Where to resume after the last star: (part index after it, text position).
    let mut resume: Option<(usize, usize)> = None;
    loop {
        match parts.get(p) {
            Some(PatternPart::Star) => {
                p += 1;
                resume = Some((p, t));
                continue;
            }
            Some(PatternPart::Text(s)) if text[t..].starts_with(s.as_str()) => {
                p += 1;
                t += s.len();
                continue;
            }
            None if t == text.len() => return true,
            _ => {}
        }
        // Mismatch: let the last star swallow one more character.
        match resume {
            Some((rp, rt)) if rt < text.len() => {
                let next = rt + text[rt..].chars().next().map_or(1, char::len_utf8);
                resume = Some((rp, next));
                p = rp;
                t = next;
            }
            _ => return false,
        }
    }
}

/// Whether JavaScript's `String.prototype.trim` removes `c` (ECMAScript WhiteSpace and
/// LineTerminator). Kibana trims unquoted literals with it, so this — not Rust's
/// `char::is_whitespace`, which differs on U+0085 and U+FEFF — decides what is trimmed.
pub fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

impl Value {
    /// A value with the given kind and span.
    pub fn new(kind: ValueKind, span: Span) -> Self {
        Value { kind, span }
    }

    /// Whether this is an unquoted lone `*`.
    pub fn is_lone_star(&self) -> bool {
        matches!(&self.kind, ValueKind::Pattern(p) if p.is_lone_star())
    }
}

impl Query {
    /// A copy with every span cleared, for comparing trees by meaning.
    pub fn without_spans(&self) -> Query {
        let mut q = self.clone();
        q.clear_spans();
        q
    }

    /// Sets every span in the tree to `Span::default()`.
    pub fn clear_spans(&mut self) {
        self.span = Span::default();
        if let Some(e) = &mut self.expr {
            e.clear_spans();
        }
    }
}

impl Expr {
    /// An expression with the given kind and span.
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }

    /// A copy with every span cleared.
    pub fn without_spans(&self) -> Expr {
        let mut e = self.clone();
        e.clear_spans();
        e
    }

    /// Sets every span in the tree to `Span::default()`.
    pub fn clear_spans(&mut self) {
        self.span = Span::default();
        match &mut self.kind {
            ExprKind::Or(items) | ExprKind::And(items) => {
                items.iter_mut().for_each(Expr::clear_spans)
            }
            ExprKind::Not(inner) => inner.clear_spans(),
            ExprKind::Field(m) => {
                m.field.span = Span::default();
                m.value.clear_spans();
            }
            ExprKind::Range(r) => {
                r.field.span = Span::default();
                r.value.span = Span::default();
            }
            ExprKind::Nested(n) => {
                n.path.span = Span::default();
                n.query.clear_spans();
            }
            ExprKind::Term(v) => v.span = Span::default(),
        }
    }
}

impl ValueExpr {
    /// A value expression with the given kind and span.
    pub fn new(kind: ValueExprKind, span: Span) -> Self {
        ValueExpr { kind, span }
    }

    /// Sets every span in the tree to `Span::default()`.
    pub fn clear_spans(&mut self) {
        self.span = Span::default();
        match &mut self.kind {
            ValueExprKind::Or(items) | ValueExprKind::And(items) => {
                items.iter_mut().for_each(ValueExpr::clear_spans)
            }
            ValueExprKind::Not(inner) => inner.clear_spans(),
            ValueExprKind::Value(v) => v.span = Span::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(parts: &[&str]) -> Pattern {
        Pattern {
            parts: parts
                .iter()
                .map(|p| {
                    if *p == "*" {
                        PatternPart::Star
                    } else {
                        PatternPart::Text((*p).to_string())
                    }
                })
                .collect(),
        }
    }

    #[test]
    fn glob_matches_like_kibana_field_expansion() {
        assert!(pat(&["process.", "*"]).matches("process.name"));
        assert!(pat(&["process.", "*"]).matches("process."));
        assert!(!pat(&["process.", "*"]).matches("processes"));
        assert!(pat(&["*", ".name"]).matches("process.parent.name"));
        assert!(pat(&["a", "*", "b", "*", "c"]).matches("a-b-b-c"));
        assert!(!pat(&["a", "*", "b", "*", "c"]).matches("a-c-b"));
        assert!(pat(&["*"]).matches(""));
        assert!(pat(&["*", "é", "*"]).matches("café!"));
        // Case-sensitive, like the JavaScript RegExp Kibana builds.
        assert!(!pat(&["Process", "*"]).matches("process.name"));
    }

    #[test]
    fn lone_and_leading_stars() {
        assert!(pat(&["*"]).is_lone_star());
        assert!(!pat(&["*"]).has_leading_star());
        assert!(pat(&["*", "x"]).has_leading_star());
        assert!(!pat(&["x", "*"]).has_leading_star());
        assert!(!pat(&["*", "*"]).is_lone_star());
        assert!(pat(&["*", "*"]).has_leading_star());
    }

    #[test]
    fn js_whitespace_differs_from_rust_where_javascript_does() {
        assert!(is_js_whitespace('\u{FEFF}') && !'\u{FEFF}'.is_whitespace());
        assert!(!is_js_whitespace('\u{85}') && '\u{85}'.is_whitespace());
        assert!(is_js_whitespace('\u{3000}'));
        assert!(!is_js_whitespace('x'));
    }
}
