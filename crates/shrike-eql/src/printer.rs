//! AST → canonical EQL text.
//!
//! The output parses back to the same tree (spans aside): `parse(print(q)) == q`. It adds
//! only the parentheses the precedence rules need, plus those that keep an explicitly
//! nested `and`/`or` chain nested. Event queries print on one line; sequences and samples
//! print one clause per line.
//!
//! The printer relies on two invariants of parsed trees: integer literals are never
//! negative (a leading `-` is a [`ExprKind::Neg`]) and floats are finite.

use crate::ast::*;
use crate::lexer::is_plain_identifier;
use std::fmt::Write as _;

/// The canonical text of `query`.
pub fn print(query: &Query) -> String {
    let mut out = String::new();
    match &query.body {
        QueryBody::Event(e) => event_query(&mut out, e),
        QueryBody::Sequence(s) => {
            out.push_str("sequence");
            keys(&mut out, &s.by);
            if let Some(m) = &s.maxspan {
                let _ = write!(out, " with maxspan={}{}", m.value, m.unit.as_str());
            }
            for clause in &s.clauses {
                out.push_str("\n  ");
                seq_clause(&mut out, clause);
            }
            if let Some(until) = &s.until {
                out.push_str("\nuntil ");
                seq_clause(&mut out, until);
            }
        }
        QueryBody::Sample(s) => {
            out.push_str("sample");
            keys(&mut out, &s.by);
            for clause in &s.clauses {
                out.push_str("\n  ");
                seq_clause(&mut out, clause);
            }
        }
    }
    let multiline = !matches!(query.body, QueryBody::Event(_));
    for pipe in &query.pipes {
        out.push_str(if multiline { "\n| " } else { " | " });
        let name = match pipe.kind {
            PipeKind::Head => "head",
            PipeKind::Tail => "tail",
        };
        let _ = write!(out, "{name} {}", pipe.count);
    }
    out
}

/// The canonical text of one expression.
pub fn print_expr(e: &Expr) -> String {
    let mut out = String::new();
    expr(&mut out, e, 0);
    out
}

fn event_query(out: &mut String, e: &EventQuery) {
    match &e.category {
        Category::Any(_) => out.push_str("any"),
        Category::Named(name, _) if is_plain_identifier(name) => out.push_str(name),
        Category::Named(name, _) => string(out, name),
    }
    out.push_str(" where ");
    expr(out, &e.condition, 0);
}

fn seq_clause(out: &mut String, c: &SequenceClause) {
    out.push_str(if c.missing { "![" } else { "[" });
    event_query(out, &c.query);
    out.push(']');
    keys(out, &c.by);
    if let Some(r) = &c.runs {
        let _ = write!(out, " with runs={}", r.count);
    }
}

fn keys(out: &mut String, keys: &[Expr]) {
    for (i, k) in keys.iter().enumerate() {
        out.push_str(if i == 0 { " by " } else { ", " });
        expr(out, k, 0);
    }
}

// Binding strength of each form; a child printed where a stronger form is required gets
// parentheses.
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const CMP: u8 = 4;
const ADD: u8 = 5;
const MUL: u8 = 6;
const NEG: u8 = 7;
const PRED: u8 = 8;
const ATOM: u8 = 9;

fn level(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Or(_) => OR,
        ExprKind::And(_) => AND,
        ExprKind::Not(_) => NOT,
        ExprKind::Compare(..) => CMP,
        ExprKind::Arith(ArithOp::Add | ArithOp::Sub, ..) => ADD,
        ExprKind::Arith(..) => MUL,
        ExprKind::Neg(_) => NEG,
        ExprKind::Match(_) | ExprKind::In(_) => PRED,
        ExprKind::Literal(_) | ExprKind::Field(_) | ExprKind::Call(_) => ATOM,
    }
}

/// Prints `e` where a form binding at least as strongly as `min` is required.
/// Recursion is bounded by the parser's nesting limit.
fn expr(out: &mut String, e: &Expr, min: u8) {
    if level(e) < min {
        out.push('(');
        expr(out, e, 0);
        out.push(')');
        return;
    }
    match &e.kind {
        ExprKind::Literal(l) => literal(out, l),
        ExprKind::Field(f) => field(out, f),
        ExprKind::Or(items) => list(out, items, " or ", AND),
        ExprKind::And(items) => list(out, items, " and ", NOT),
        ExprKind::Not(x) => {
            out.push_str("not ");
            expr(out, x, NOT);
        }
        ExprKind::Compare(op, a, b) => {
            expr(out, a, ADD);
            let _ = write!(out, " {} ", op.as_str());
            expr(out, b, ADD);
        }
        ExprKind::Arith(op, a, b) => {
            let (left, right) = match op {
                ArithOp::Add | ArithOp::Sub => (ADD, MUL),
                _ => (MUL, NEG),
            };
            expr(out, a, left);
            let _ = write!(out, " {} ", op.as_str());
            expr(out, b, right);
        }
        ExprKind::Neg(x) => {
            out.push('-');
            // `- -x` rather than `--x`, which reads like a typo.
            if matches!(x.kind, ExprKind::Neg(_)) {
                out.push(' ');
            }
            expr(out, x, NEG);
        }
        ExprKind::Match(m) => {
            expr(out, &m.lhs, ATOM);
            out.push_str(match (m.kind, m.case_insensitive) {
                (MatchKind::Colon, _) => " : ",
                (MatchKind::Like, false) => " like ",
                (MatchKind::Like, true) => " like~ ",
                (MatchKind::Regex, false) => " regex ",
                (MatchKind::Regex, true) => " regex~ ",
            });
            if m.list {
                out.push('(');
                list(out, &m.patterns, ", ", 0);
                out.push(')');
            } else if let Some(p) = m.patterns.first() {
                expr(out, p, PRED);
            }
        }
        ExprKind::In(i) => {
            expr(out, &i.lhs, ATOM);
            if i.negated {
                out.push_str(" not");
            }
            out.push_str(if i.case_insensitive {
                " in~ ("
            } else {
                " in ("
            });
            list(out, &i.values, ", ", 0);
            out.push(')');
        }
        ExprKind::Call(c) => {
            out.push_str(&c.name);
            if c.case_insensitive {
                out.push('~');
            }
            out.push('(');
            list(out, &c.args, ", ", 0);
            out.push(')');
        }
    }
}

fn list(out: &mut String, items: &[Expr], sep: &str, min: u8) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        expr(out, item, min);
    }
}

fn literal(out: &mut String, l: &Literal) {
    match l {
        Literal::Null => out.push_str("null"),
        Literal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Literal::Int(n) => {
            let _ = write!(out, "{n}");
        }
        // `{:?}` keeps a fraction or exponent (`1.0`, `1e300`), so it reads back as a float.
        Literal::Float(f) => {
            let _ = write!(out, "{f:?}");
        }
        Literal::String(s) => string(out, s),
    }
}

/// A string literal: raw `"""…"""` when that avoids escaping backslashes, else escaped.
pub fn string(out: &mut String, s: &str) {
    let raw_ok = s.contains('\\') && !s.contains('"') && !s.chars().any(|c| c.is_control());
    if raw_ok {
        out.push_str("\"\"\"");
        out.push_str(s);
        out.push_str("\"\"\"");
        return;
    }
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:02X}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A field path, back-quoting the segments that are not plain identifiers.
fn field(out: &mut String, f: &FieldRef) {
    if f.optional {
        out.push('?');
    }
    for (i, segment) in f.path.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        if is_plain_identifier(segment) {
            out.push_str(segment);
        } else {
            out.push('`');
            out.push_str(&segment.replace('`', "``"));
            out.push('`');
        }
    }
}
