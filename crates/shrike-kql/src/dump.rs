//! A stable, indented text view of the AST with spans (`shrike debug ast`, golden files).
//!
//! ```text
//! and 0..29
//!   field 0..14
//!     name text "event.code" 0..10
//!     value text "4688" 12..16
//!   not 19..29
//!     term text "x" 23..24
//! ```

use crate::ast::*;
use std::fmt::Write as _;

/// The tree of `query`, one node per line.
pub fn dump(query: &Query) -> String {
    let mut out = String::new();
    match &query.expr {
        Some(e) => expr(e, 0, &mut out),
        None => {
            let _ = writeln!(out, "empty (match all) {}", span(query.span));
        }
    }
    out
}

fn span(s: shrike_diag::Span) -> String {
    format!("{}..{}", s.start, s.end)
}

fn line(out: &mut String, depth: usize, text: &str) {
    let _ = writeln!(out, "{:indent$}{text}", "", indent = depth * 2);
}

fn expr(e: &Expr, depth: usize, out: &mut String) {
    let at = span(e.span);
    match &e.kind {
        ExprKind::Or(items) => {
            line(out, depth, &format!("or {at}"));
            items.iter().for_each(|i| expr(i, depth + 1, out));
        }
        ExprKind::And(items) => {
            line(out, depth, &format!("and {at}"));
            items.iter().for_each(|i| expr(i, depth + 1, out));
        }
        ExprKind::Not(inner) => {
            line(out, depth, &format!("not {at}"));
            expr(inner, depth + 1, out);
        }
        ExprKind::Field(m) => {
            line(out, depth, &format!("field {at}"));
            line(out, depth + 1, &format!("name {}", literal(&m.field)));
            values(&m.value, depth + 1, out);
        }
        ExprKind::Range(r) => {
            line(out, depth, &format!("range {} {at}", r.op.as_str()));
            line(out, depth + 1, &format!("name {}", literal(&r.field)));
            line(out, depth + 1, &format!("bound {}", literal(&r.value)));
        }
        ExprKind::Nested(n) => {
            line(out, depth, &format!("nested {at}"));
            line(out, depth + 1, &format!("path {}", literal(&n.path)));
            expr(&n.query, depth + 1, out);
        }
        ExprKind::Term(v) => line(out, depth, &format!("term {}", literal(v))),
    }
}

fn values(v: &ValueExpr, depth: usize, out: &mut String) {
    let at = span(v.span);
    match &v.kind {
        ValueExprKind::Or(items) => {
            line(out, depth, &format!("values or {at}"));
            items.iter().for_each(|i| values(i, depth + 1, out));
        }
        ValueExprKind::And(items) => {
            line(out, depth, &format!("values and {at}"));
            items.iter().for_each(|i| values(i, depth + 1, out));
        }
        ValueExprKind::Not(inner) => {
            line(out, depth, &format!("values not {at}"));
            values(inner, depth + 1, out);
        }
        ValueExprKind::Value(val) => line(out, depth, &format!("value {}", literal(val))),
    }
}

/// `text "x" 3..4`, `phrase "a b" 0..5`, `pattern "a" * 1..3`, `bool true 0..4`, `null 0..4`.
fn literal(v: &Value) -> String {
    let kind = match &v.kind {
        ValueKind::Phrase(s) => format!("phrase {s:?}"),
        ValueKind::Text(s) => format!("text {s:?}"),
        ValueKind::Pattern(p) => {
            let parts: Vec<String> = p
                .parts
                .iter()
                .map(|part| match part {
                    PatternPart::Text(s) => format!("{s:?}"),
                    PatternPart::Star => "*".to_string(),
                })
                .collect();
            format!("pattern {}", parts.join(" "))
        }
        ValueKind::Bool(b) => format!("bool {b}"),
        ValueKind::Null => "null".to_string(),
    };
    format!("{kind} {}", span(v.span))
}
