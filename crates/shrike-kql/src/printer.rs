//! Printing an AST back to canonical KQL, such that `parse(print(q)) == q` (spans aside).
//!
//! The canonical form: lower-case keywords with single spaces, `field: value`,
//! `field < value`, `path: { query }`, parentheses only where the tree needs them (an `or`
//! inside an `and`, a chain inside a chain of the same operator, any group under `not`), and
//! values escaped so that they read back identically:
//!
//! * in quoted strings, `\` and `"` are escaped, tab / CR / LF are written `\t` `\r` `\n`,
//!   other control characters `\uXXXX`;
//! * in unquoted text, the special characters `\ ( ) : < > " * { }` get a backslash, tab / CR
//!   / LF and control characters are escaped as above, `or` / `and` after a space become
//!   `\or` / `\and`, and `not` before whitespace (or at the end) gets its `n` written as
//!   `\u006E` — not `\not`, which Kibana reads as a newline followed by `ot`;
//! * an empty unquoted text (what `f: \u0020` parses to) is written `\t`, which trims back to
//!   nothing.

use crate::ast::*;
use crate::scan;
use std::fmt::Write as _;

/// The canonical KQL text of a query (empty for the empty query).
pub fn print(query: &Query) -> String {
    let mut out = String::new();
    if let Some(e) = &query.expr {
        expr(e, Ctx::Top, &mut out);
    }
    out
}

/// The canonical KQL text of one expression.
pub fn print_expr(e: &Expr) -> String {
    let mut out = String::new();
    expr(e, Ctx::Top, &mut out);
    out
}

/// The canonical KQL text of one literal (field name, value, bound or path).
pub fn print_value(v: &Value) -> String {
    let mut out = String::new();
    value(v, &mut out);
    out
}

impl std::fmt::Display for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&print(self))
    }
}

impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&print_expr(self))
    }
}

/// Where an expression is printed, deciding whether it needs parentheses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Top,
    InOr,
    InAnd,
    InNot,
}

fn expr(e: &Expr, ctx: Ctx, out: &mut String) {
    match &e.kind {
        ExprKind::Or(items) => group(ctx != Ctx::Top, out, |out| {
            chain(items, " or ", Ctx::InOr, out, expr)
        }),
        ExprKind::And(items) => group(matches!(ctx, Ctx::InAnd | Ctx::InNot), out, |out| {
            chain(items, " and ", Ctx::InAnd, out, expr)
        }),
        ExprKind::Not(inner) => group(ctx == Ctx::InNot, out, |out| {
            out.push_str("not ");
            expr(inner, Ctx::InNot, out);
        }),
        ExprKind::Field(m) => {
            value(&m.field, out);
            out.push_str(": ");
            match &m.value.kind {
                ValueExprKind::Value(v) => value(v, out),
                _ => {
                    out.push('(');
                    values(&m.value, Ctx::Top, out);
                    out.push(')');
                }
            }
        }
        ExprKind::Range(r) => {
            value(&r.field, out);
            let _ = write!(out, " {} ", r.op.as_str());
            value(&r.value, out);
        }
        ExprKind::Nested(n) => {
            value(&n.path, out);
            out.push_str(": { ");
            expr(&n.query, Ctx::Top, out);
            out.push_str(" }");
        }
        ExprKind::Term(v) => value(v, out),
    }
}

/// A value list inside `( … )`; `ctx` as for expressions.
fn values(v: &ValueExpr, ctx: Ctx, out: &mut String) {
    match &v.kind {
        ValueExprKind::Or(items) => group(ctx != Ctx::Top, out, |out| {
            chain(items, " or ", Ctx::InOr, out, values)
        }),
        ValueExprKind::And(items) => group(matches!(ctx, Ctx::InAnd | Ctx::InNot), out, |out| {
            chain(items, " and ", Ctx::InAnd, out, values)
        }),
        // After `not` only a value or a parenthesised list may follow.
        ValueExprKind::Not(inner) => group(ctx == Ctx::InNot, out, |out| {
            out.push_str("not ");
            values(inner, Ctx::InNot, out);
        }),
        ValueExprKind::Value(val) => value(val, out),
    }
}

fn group(parens: bool, out: &mut String, body: impl FnOnce(&mut String)) {
    if parens {
        out.push('(');
    }
    body(out);
    if parens {
        out.push(')');
    }
}

fn chain<T>(items: &[T], sep: &str, ctx: Ctx, out: &mut String, each: fn(&T, Ctx, &mut String)) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        each(item, ctx, out);
    }
}

fn value(v: &Value, out: &mut String) {
    match &v.kind {
        ValueKind::Phrase(s) => quoted(s, out),
        ValueKind::Text(s) if s.is_empty() => out.push_str("\\t"),
        ValueKind::Text(s) => unquoted(s, out),
        ValueKind::Pattern(p) => {
            for part in &p.parts {
                match part {
                    PatternPart::Text(s) => unquoted(s, out),
                    PatternPart::Star => out.push('*'),
                }
            }
        }
        ValueKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ValueKind::Null => out.push_str("null"),
    }
}

fn quoted(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            _ => control_or_char(c, out),
        }
    }
    out.push('"');
}

fn unquoted(s: &str, out: &mut String) {
    let mut prev: Option<char> = None;
    let mut i = 0;
    while let Some(c) = s[i..].chars().next() {
        let rest = &s[i..];
        let after_space = prev.is_some_and(|p| p == ' ' || p == '\u{A0}');
        if after_space && scan::starts_with_ignore_ascii_case(rest, "or") {
            out.push('\\');
            out.push_str(&rest[..2]);
            prev = Some('r');
            i += 2;
            continue;
        }
        if after_space && scan::starts_with_ignore_ascii_case(rest, "and") {
            out.push('\\');
            out.push_str(&rest[..3]);
            prev = Some('d');
            i += 3;
            continue;
        }
        if scan::starts_with_ignore_ascii_case(rest, "not")
            && rest[3..].chars().next().is_none_or(scan::is_space)
        {
            out.push_str(if c == 'N' { "\\u004E" } else { "\\u006E" });
            out.push_str(&rest[1..3]);
            prev = Some('t');
            i += 3;
            continue;
        }
        if scan::is_special(c) {
            out.push('\\');
            out.push(c);
        } else {
            control_or_char(c, out);
        }
        prev = Some(c);
        i += c.len_utf8();
    }
}

fn control_or_char(c: char, out: &mut String) {
    match c {
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
            // Control characters outside the BMP do not exist, so one unit suffices.
            let _ = write!(out, "\\u{:04X}", u32::from(c));
        }
        c => out.push(c),
    }
}
