//! The expression IR.
//!
//! Nodes are built only through the constructors on [`Expr`], which keep these invariants:
//!
//! * `and`/`or` are flat (no `and` directly inside an `and`) and have at least two operands;
//! * constant operands are folded (`x and true` → `x`, `not false` → `true`,
//!   `1 + 2` → `3`, `"a" == "a"` → `true`), with three-valued logic for `null`;
//! * every node knows the sorted set of fields it reads ([`Expr::fields`]), so the engine
//!   can tell a single-field predicate (evaluated once per value of a multi-valued field)
//!   from the rest, and can extract only what a plan reads.
//!
//! `!=` is `not (a == b)`: with a multi-valued field it is true only when no value equals,
//! as in Elasticsearch's `must_not term` translation.

use crate::mapping::FieldType;
use crate::value::{self, Value};
use std::fmt;

/// A field reference, resolved against the schema by lowering.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldRef {
    /// The field's path as the query names it (aliases are resolved per index by the
    /// engine; a text field is read through its keyword sub-field).
    pub path: String,
    /// The field's type across the searched indices.
    pub ty: FieldType,
}

/// Comparison operators (`!=` is expressed as `not ==`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`
    Eq,
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
    /// The operator's symbol.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Lt => "<",
            CmpOp::LtEq => "<=",
            CmpOp::Gt => ">",
            CmpOp::GtEq => ">=",
        }
    }

    /// Applies the operator to two values (three-valued: `None` is null).
    pub fn apply(self, a: &Value, b: &Value) -> Option<bool> {
        use std::cmp::Ordering::*;
        if self == CmpOp::Eq {
            return value::equals(a, b);
        }
        let o = value::compare(a, b)?;
        Some(match self {
            CmpOp::Lt => o == Less,
            CmpOp::LtEq => o != Greater,
            CmpOp::Gt => o == Greater,
            CmpOp::GtEq => o != Less,
            CmpOp::Eq => o == Equal,
        })
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
    /// `/` (integer division truncates)
    Div,
    /// `%`
    Mod,
}

impl ArithOp {
    /// The operator's symbol.
    pub fn as_str(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Mod => "%",
        }
    }

    /// Applies the operator: null if either side is null or not a number, or on division
    /// by zero; integers stay integers (division truncates) unless they overflow.
    pub fn apply(self, a: &Value, b: &Value) -> Value {
        match (a, b) {
            (Value::Int(x), Value::Int(y)) => {
                let r = match self {
                    ArithOp::Add => x.checked_add(*y),
                    ArithOp::Sub => x.checked_sub(*y),
                    ArithOp::Mul => x.checked_mul(*y),
                    ArithOp::Div => x.checked_div(*y),
                    ArithOp::Mod => x.checked_rem(*y),
                };
                match r {
                    Some(v) => Value::Int(v),
                    None if *y == 0 && matches!(self, ArithOp::Div | ArithOp::Mod) => Value::Null,
                    None => self.apply(&Value::Float(*x as f64), &Value::Float(*y as f64)),
                }
            }
            _ => match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) => {
                    let r = match self {
                        ArithOp::Add => x + y,
                        ArithOp::Sub => x - y,
                        ArithOp::Mul => x * y,
                        ArithOp::Div if y == 0.0 => return Value::Null,
                        ArithOp::Div => x / y,
                        ArithOp::Mod if y == 0.0 => return Value::Null,
                        ArithOp::Mod => x % y,
                    };
                    Value::Float(r)
                }
                _ => Value::Null,
            },
        }
    }
}

/// The EQL functions Elasticsearch supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Func {
    /// `add(a, b)`
    Add,
    /// `between(source, left, right[, greedy])`
    Between,
    /// `cidrMatch(ip, cidr…)`
    CidrMatch,
    /// `concat(v…)`
    Concat,
    /// `divide(a, b)`
    Divide,
    /// `endsWith(source, suffix)`
    EndsWith,
    /// `indexOf(source, sub[, start])`
    IndexOf,
    /// `length(s)`
    Length,
    /// `modulo(a, b)`
    Modulo,
    /// `multiply(a, b)`
    Multiply,
    /// `number(s[, base])`
    Number,
    /// `startsWith(source, prefix)`
    StartsWith,
    /// `string(v)`
    String,
    /// `stringContains(source, sub)`
    StringContains,
    /// `substring(source, start[, end])`
    Substring,
    /// `subtract(a, b)`
    Subtract,
}

impl Func {
    /// Looks a function up by name, case-insensitively.
    pub fn from_name(name: &str) -> Option<Func> {
        Some(match name.to_ascii_lowercase().as_str() {
            "add" => Func::Add,
            "between" => Func::Between,
            "cidrmatch" => Func::CidrMatch,
            "concat" => Func::Concat,
            "divide" => Func::Divide,
            "endswith" => Func::EndsWith,
            "indexof" => Func::IndexOf,
            "length" => Func::Length,
            "modulo" => Func::Modulo,
            "multiply" => Func::Multiply,
            "number" => Func::Number,
            "startswith" => Func::StartsWith,
            "string" => Func::String,
            "stringcontains" => Func::StringContains,
            "substring" => Func::Substring,
            "subtract" => Func::Subtract,
            _ => return None,
        })
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        match self {
            Func::Add => "add",
            Func::Between => "between",
            Func::CidrMatch => "cidrMatch",
            Func::Concat => "concat",
            Func::Divide => "divide",
            Func::EndsWith => "endsWith",
            Func::IndexOf => "indexOf",
            Func::Length => "length",
            Func::Modulo => "modulo",
            Func::Multiply => "multiply",
            Func::Number => "number",
            Func::StartsWith => "startsWith",
            Func::String => "string",
            Func::StringContains => "stringContains",
            Func::Substring => "substring",
            Func::Subtract => "subtract",
        }
    }

    /// `(min, max)` argument counts (`max` = `usize::MAX` for variadic).
    pub fn arity(self) -> (usize, usize) {
        match self {
            Func::Add | Func::Divide | Func::Modulo | Func::Multiply | Func::Subtract => (2, 2),
            Func::Between => (3, 4),
            Func::CidrMatch => (2, usize::MAX),
            Func::Concat => (1, usize::MAX),
            Func::EndsWith | Func::StartsWith | Func::StringContains => (2, 2),
            Func::IndexOf | Func::Substring => (2, 3),
            Func::Length | Func::String => (1, 1),
            Func::Number => (1, 2),
        }
    }

    /// Whether the `~` (case-insensitive) form exists.
    pub fn has_insensitive_form(self) -> bool {
        matches!(
            self,
            Func::Between
                | Func::EndsWith
                | Func::IndexOf
                | Func::StartsWith
                | Func::StringContains
        )
    }
}

/// The node kinds; build them with [`Expr`]'s constructors.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A constant.
    Const(Value),
    /// A field's value (the first one in value contexts; predicates over a single field
    /// consider every value).
    Field(FieldRef),
    /// Three-valued negation.
    Not(Box<Expr>),
    /// Three-valued conjunction, two or more operands.
    And(Vec<Expr>),
    /// Three-valued disjunction, two or more operands.
    Or(Vec<Expr>),
    /// `x == null`: true when the value is missing.
    IsNull(Box<Expr>),
    /// A comparison.
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    /// Arithmetic.
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// Unary minus.
    Neg(Box<Expr>),
    /// Membership in a constant set (exact, or ASCII-case-insensitive for strings).
    In {
        /// The value looked up.
        value: Box<Expr>,
        /// The constants.
        set: Vec<Value>,
        /// `in~`.
        case_insensitive: bool,
    },
    /// Wildcard match (`*` any run, `?` one character; nothing else is special).
    Wildcard {
        /// The value matched (non-strings are matched through their string form).
        value: Box<Expr>,
        /// The patterns; any may match.
        patterns: Vec<String>,
        /// `:` / `like~`.
        case_insensitive: bool,
    },
    /// Lucene regular expression match, anchored at both ends.
    Regex {
        /// The value matched.
        value: Box<Expr>,
        /// The patterns; any may match.
        patterns: Vec<String>,
        /// `regex~`.
        case_insensitive: bool,
    },
    /// A function call.
    Call {
        /// Which function.
        func: Func,
        /// The `~` form.
        case_insensitive: bool,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// The field has at least one value (KQL `field:*`).
    Exists(FieldRef),
    /// Analysed full-text query on a `text` field (KQL's `match`, `match_phrase`, and
    /// `query_string` wildcards on text fields): each value is analysed with the standard
    /// analyzer ([`crate::analysis`]) and its tokens are tested. Two-valued: false when the
    /// field has no value.
    TextMatch {
        /// The text field.
        field: FieldRef,
        /// What the tokens must satisfy.
        query: TextQuery,
        /// How the field's values are analysed into tokens.
        analyzer: crate::analysis::Analyzer,
    },
    /// Query-DSL truth: true when the operand is true, false when it is false *or null*.
    /// Elasticsearch queries are two-valued (`must_not` of a term on a missing field
    /// matches), so KQL wraps each leaf query in this before combining with `not`. When the
    /// operand reads a single field, it holds if *one value* of that field makes the whole
    /// operand true (a `range` with two bounds is satisfied by one value, not by two).
    Holds(Box<Expr>),
}

/// What the tokens of an analysed `text` value must satisfy ([`ExprKind::TextMatch`]).
#[derive(Clone, Debug, PartialEq)]
pub enum TextQuery {
    /// `match`: at least one of these (already analysed) tokens occurs. No tokens never
    /// matches (`zero_terms_query: none`).
    AnyToken(Vec<String>),
    /// `match_phrase`: these tokens occur consecutively and in order in one value.
    Phrase(Vec<String>),
    /// A wildcard term of `query_string`: some token matches this Lucene regular
    /// expression (anchored; built from the lower-cased pattern).
    TokenRegex(String),
}

/// An IR expression with the set of fields it reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    kind: ExprKind,
    fields: Vec<String>,
}

fn union(children: &[&Expr]) -> Vec<String> {
    let mut v: Vec<String> = children
        .iter()
        .flat_map(|c| c.fields.iter().cloned())
        .collect();
    v.sort();
    v.dedup();
    v
}

impl Expr {
    fn make(kind: ExprKind, fields: Vec<String>) -> Expr {
        Expr { kind, fields }
    }

    /// The node.
    pub fn kind(&self) -> &ExprKind {
        &self.kind
    }

    /// The sorted, de-duplicated paths of the fields this expression reads.
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// The constant, if this is one.
    pub fn as_const(&self) -> Option<&Value> {
        match &self.kind {
            ExprKind::Const(v) => Some(v),
            _ => None,
        }
    }

    /// A constant.
    pub fn constant(v: Value) -> Expr {
        Expr::make(ExprKind::Const(v), Vec::new())
    }

    /// `true` / `false`.
    pub fn boolean(b: bool) -> Expr {
        Expr::constant(Value::Bool(b))
    }

    /// `null`.
    pub fn null() -> Expr {
        Expr::constant(Value::Null)
    }

    /// A field read.
    pub fn field(f: FieldRef) -> Expr {
        let fields = vec![f.path.clone()];
        Expr::make(ExprKind::Field(f), fields)
    }

    /// Negation, folded for constants and double negation.
    pub fn negate(e: Expr) -> Expr {
        match e.kind {
            ExprKind::Const(Value::Bool(b)) => Expr::boolean(!b),
            ExprKind::Const(Value::Null) => Expr::null(),
            ExprKind::Not(inner) => *inner,
            kind => {
                let fields = e.fields;
                Expr::make(
                    ExprKind::Not(Box::new(Expr {
                        kind,
                        fields: fields.clone(),
                    })),
                    fields,
                )
            }
        }
    }

    /// Conjunction: flattened, `true` operands dropped, `false` absorbing.
    pub fn and(items: Vec<Expr>) -> Expr {
        let mut out = Vec::new();
        for e in items {
            match e.kind {
                ExprKind::And(inner) => out.extend(inner),
                ExprKind::Const(Value::Bool(true)) => {}
                ExprKind::Const(Value::Bool(false)) => return Expr::boolean(false),
                _ => out.push(e),
            }
        }
        match out.len() {
            0 => Expr::boolean(true),
            1 => out.pop().expect("one operand"),
            _ => {
                let fields = union(&out.iter().collect::<Vec<_>>());
                Expr::make(ExprKind::And(out), fields)
            }
        }
    }

    /// Disjunction: flattened, `false` operands dropped, `true` absorbing.
    pub fn or(items: Vec<Expr>) -> Expr {
        let mut out = Vec::new();
        for e in items {
            match e.kind {
                ExprKind::Or(inner) => out.extend(inner),
                ExprKind::Const(Value::Bool(false)) => {}
                ExprKind::Const(Value::Bool(true)) => return Expr::boolean(true),
                _ => out.push(e),
            }
        }
        match out.len() {
            0 => Expr::boolean(false),
            1 => out.pop().expect("one operand"),
            _ => {
                let fields = union(&out.iter().collect::<Vec<_>>());
                Expr::make(ExprKind::Or(out), fields)
            }
        }
    }

    /// `e == null`.
    pub fn is_null(e: Expr) -> Expr {
        if let Some(v) = e.as_const() {
            return Expr::boolean(v.is_null());
        }
        let fields = e.fields.clone();
        Expr::make(ExprKind::IsNull(Box::new(e)), fields)
    }

    /// A comparison, folded when both sides are constant.
    pub fn cmp(op: CmpOp, a: Expr, b: Expr) -> Expr {
        if let (Some(x), Some(y)) = (a.as_const(), b.as_const()) {
            return match op.apply(x, y) {
                Some(r) => Expr::boolean(r),
                None => Expr::null(),
            };
        }
        let fields = union(&[&a, &b]);
        Expr::make(ExprKind::Cmp(op, Box::new(a), Box::new(b)), fields)
    }

    /// Arithmetic, folded when both sides are constant.
    pub fn arith(op: ArithOp, a: Expr, b: Expr) -> Expr {
        if let (Some(x), Some(y)) = (a.as_const(), b.as_const()) {
            return Expr::constant(op.apply(x, y));
        }
        let fields = union(&[&a, &b]);
        Expr::make(ExprKind::Arith(op, Box::new(a), Box::new(b)), fields)
    }

    /// Unary minus, folded for constants.
    pub fn minus(e: Expr) -> Expr {
        if let Some(v) = e.as_const() {
            return Expr::constant(match v {
                Value::Int(i) => i
                    .checked_neg()
                    .map_or(Value::Float(-(*i as f64)), Value::Int),
                Value::Float(f) => Value::Float(-f),
                _ => Value::Null,
            });
        }
        let fields = e.fields.clone();
        Expr::make(ExprKind::Neg(Box::new(e)), fields)
    }

    /// Set membership.
    pub fn in_set(e: Expr, set: Vec<Value>, case_insensitive: bool) -> Expr {
        let fields = e.fields.clone();
        Expr::make(
            ExprKind::In {
                value: Box::new(e),
                set,
                case_insensitive,
            },
            fields,
        )
    }

    /// Wildcard match against any of `patterns`.
    pub fn wildcard(e: Expr, patterns: Vec<String>, case_insensitive: bool) -> Expr {
        let fields = e.fields.clone();
        Expr::make(
            ExprKind::Wildcard {
                value: Box::new(e),
                patterns,
                case_insensitive,
            },
            fields,
        )
    }

    /// Lucene regex match against any of `patterns`.
    pub fn regex(e: Expr, patterns: Vec<String>, case_insensitive: bool) -> Expr {
        let fields = e.fields.clone();
        Expr::make(
            ExprKind::Regex {
                value: Box::new(e),
                patterns,
                case_insensitive,
            },
            fields,
        )
    }

    /// A function call (arity is checked by the front end).
    pub fn call(func: Func, case_insensitive: bool, args: Vec<Expr>) -> Expr {
        let fields = union(&args.iter().collect::<Vec<_>>());
        Expr::make(
            ExprKind::Call {
                func,
                case_insensitive,
                args,
            },
            fields,
        )
    }

    /// The field has a value.
    pub fn exists(f: FieldRef) -> Expr {
        let fields = vec![f.path.clone()];
        Expr::make(ExprKind::Exists(f), fields)
    }

    /// Analysed text query on a field indexed with the standard analyzer.
    pub fn text_match(f: FieldRef, query: TextQuery) -> Expr {
        Expr::text_match_with(f, query, crate::analysis::Analyzer::Standard)
    }

    /// Analysed text query on a field indexed with `analyzer` (the query's tokens must
    /// come from the same analyzer).
    pub fn text_match_with(
        f: FieldRef,
        query: TextQuery,
        analyzer: crate::analysis::Analyzer,
    ) -> Expr {
        let fields = vec![f.path.clone()];
        Expr::make(
            ExprKind::TextMatch {
                field: f,
                query,
                analyzer,
            },
            fields,
        )
    }

    /// Query-DSL truth of `e` (see [`ExprKind::Holds`]): constants fold (null is false),
    /// and nodes that are already two-valued are returned as they are.
    pub fn holds(e: Expr) -> Expr {
        match e.kind {
            ExprKind::Const(Value::Bool(b)) => Expr::boolean(b),
            ExprKind::Const(_) => Expr::boolean(false),
            ExprKind::Holds(_)
            | ExprKind::Exists(_)
            | ExprKind::TextMatch { .. }
            | ExprKind::IsNull(_) => e,
            kind => {
                let fields = e.fields;
                Expr::make(
                    ExprKind::Holds(Box::new(Expr {
                        kind,
                        fields: fields.clone(),
                    })),
                    fields,
                )
            }
        }
    }
}

fn fmt_value(v: &Value, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match v {
        Value::Null => f.write_str("null"),
        Value::Str(s) => write!(f, "{s:?}"),
        Value::Version(s) => write!(f, "version({s:?})"),
        Value::Date(n) => write!(f, "date({})", crate::date::format_iso(*n, true)),
        Value::Ip(ip) => write!(f, "ip({ip})"),
        other => f.write_str(&other.to_text().unwrap_or_default()),
    }
}

fn fmt_list(items: &[Expr], sep: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for (i, e) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{e}")?;
    }
    Ok(())
}

/// A stable, fully parenthesised rendering for `debug ir` and golden tests.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Const(v) => fmt_value(v, f),
            ExprKind::Field(r) => write!(f, "{}:{}", r.path, r.ty.name()),
            ExprKind::Not(e) => write!(f, "(not {e})"),
            ExprKind::And(items) => {
                f.write_str("(")?;
                fmt_list(items, " and ", f)?;
                f.write_str(")")
            }
            ExprKind::Or(items) => {
                f.write_str("(")?;
                fmt_list(items, " or ", f)?;
                f.write_str(")")
            }
            ExprKind::IsNull(e) => write!(f, "(is_null {e})"),
            ExprKind::Cmp(op, a, b) => write!(f, "({a} {} {b})", op.as_str()),
            ExprKind::Arith(op, a, b) => write!(f, "({a} {} {b})", op.as_str()),
            ExprKind::Neg(e) => write!(f, "(- {e})"),
            ExprKind::In {
                value,
                set,
                case_insensitive,
            } => {
                write!(
                    f,
                    "({value} in{} [",
                    if *case_insensitive { "~" } else { "" }
                )?;
                for (i, v) in set.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    fmt_value(v, f)?;
                }
                f.write_str("])")
            }
            ExprKind::Wildcard {
                value,
                patterns,
                case_insensitive,
            } => write!(
                f,
                "({value} like{} {patterns:?})",
                if *case_insensitive { "~" } else { "" }
            ),
            ExprKind::Regex {
                value,
                patterns,
                case_insensitive,
            } => write!(
                f,
                "({value} regex{} {patterns:?})",
                if *case_insensitive { "~" } else { "" }
            ),
            ExprKind::Call {
                func,
                case_insensitive,
                args,
            } => {
                write!(
                    f,
                    "{}{}(",
                    func.name(),
                    if *case_insensitive { "~" } else { "" }
                )?;
                fmt_list(args, ", ", f)?;
                f.write_str(")")
            }
            ExprKind::Exists(r) => write!(f, "(exists {})", r.path),
            ExprKind::TextMatch {
                field,
                query,
                analyzer,
            } => {
                let path = match analyzer {
                    crate::analysis::Analyzer::Standard => field.path.clone(),
                    a => format!("{}[{}]", field.path, a.name()),
                };
                match query {
                    TextQuery::AnyToken(t) => write!(f, "({path} match {t:?})"),
                    TextQuery::Phrase(t) => write!(f, "({path} match_phrase {t:?})"),
                    TextQuery::TokenRegex(r) => write!(f, "({path} token_regex {r:?})"),
                }
            }
            ExprKind::Holds(e) => write!(f, "(holds {e})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fld(p: &str) -> Expr {
        Expr::field(FieldRef {
            path: p.to_string(),
            ty: FieldType::Keyword,
        })
    }

    #[test]
    fn and_or_flatten_and_fold() {
        let e = Expr::and(vec![
            Expr::and(vec![fld("a"), fld("b")]),
            Expr::boolean(true),
            fld("c"),
        ]);
        assert!(matches!(e.kind(), ExprKind::And(v) if v.len() == 3));
        assert_eq!(e.fields(), &["a", "b", "c"]);
        assert_eq!(
            Expr::and(vec![fld("a"), Expr::boolean(false)]),
            Expr::boolean(false)
        );
        assert_eq!(
            Expr::or(vec![fld("a"), Expr::boolean(true)]),
            Expr::boolean(true)
        );
        assert_eq!(Expr::or(vec![Expr::boolean(false), fld("a")]), fld("a"));
        assert_eq!(Expr::and(vec![]), Expr::boolean(true));
    }

    #[test]
    fn constants_fold_with_three_valued_logic() {
        assert_eq!(Expr::negate(Expr::null()), Expr::null());
        assert_eq!(Expr::negate(Expr::negate(fld("a"))), fld("a"));
        let three = Expr::arith(
            ArithOp::Add,
            Expr::constant(Value::Int(1)),
            Expr::constant(Value::Int(2)),
        );
        assert_eq!(three, Expr::constant(Value::Int(3)));
        let div = Expr::arith(
            ArithOp::Div,
            Expr::constant(Value::Int(7)),
            Expr::constant(Value::Int(2)),
        );
        assert_eq!(
            div,
            Expr::constant(Value::Int(3)),
            "integer division truncates"
        );
        let cmp = Expr::cmp(CmpOp::Eq, Expr::null(), Expr::constant(Value::Int(1)));
        assert_eq!(cmp, Expr::null());
        assert_eq!(Expr::is_null(Expr::null()), Expr::boolean(true));
    }

    #[test]
    fn display_is_stable() {
        let e = Expr::and(vec![
            Expr::cmp(CmpOp::Eq, fld("a"), Expr::constant(Value::Str("x".into()))),
            Expr::negate(Expr::wildcard(fld("b"), vec!["*.exe".into()], true)),
        ]);
        assert_eq!(
            e.to_string(),
            r#"((a:keyword == "x") and (not (b:keyword like~ ["*.exe"])))"#
        );
    }
}
