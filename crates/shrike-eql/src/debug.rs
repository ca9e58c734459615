//! A stable, readable dump of the AST with byte spans, for `shrike debug ast` and the
//! parser's golden tests.
//!
//! One node per line, children indented by two spaces, spans as `@start..end`. For
//! `:`/`like`/`regex`/`in` the first child is the value tested, the others the patterns or
//! list values:
//!
//! ```text
//! event @0..34
//!   category process @0..7
//!   == @14..34
//!     field process.name @14..26
//!     string "cmd.exe" @30..34
//! ```

use crate::ast::*;
use crate::printer;
use shrike_diag::Span;
use std::fmt::Write as _;

/// The tree of `query`, one node per line.
pub fn tree(query: &Query) -> String {
    let mut d = Dump { out: String::new() };
    d.query(query);
    d.out
}

struct Dump {
    out: String,
}

impl Dump {
    fn line(&mut self, depth: usize, text: &str, span: Span) {
        let _ = writeln!(
            self.out,
            "{:indent$}{text} @{}..{}",
            "",
            span.start,
            span.end,
            indent = depth * 2
        );
    }

    fn query(&mut self, q: &Query) {
        self.line(0, "query", q.span);
        match &q.body {
            QueryBody::Event(e) => self.event(1, "event", e),
            QueryBody::Sequence(s) => {
                self.line(1, "sequence", s.span);
                self.keys(2, &s.by);
                if let Some(m) = &s.maxspan {
                    let text = format!(
                        "maxspan {}{} ({} ms)",
                        m.value,
                        m.unit.as_str(),
                        m.as_millis()
                    );
                    self.line(2, &text, m.span);
                }
                for c in &s.clauses {
                    self.clause(2, c, "clause");
                }
                if let Some(u) = &s.until {
                    self.clause(2, u, "until");
                }
            }
            QueryBody::Sample(s) => {
                self.line(1, "sample", s.span);
                self.keys(2, &s.by);
                for c in &s.clauses {
                    self.clause(2, c, "clause");
                }
            }
        }
        for p in &q.pipes {
            let name = match p.kind {
                PipeKind::Head => "head",
                PipeKind::Tail => "tail",
            };
            self.line(1, &format!("pipe {name} {}", p.count), p.span);
        }
    }

    fn event(&mut self, depth: usize, label: &str, e: &EventQuery) {
        self.line(depth, label, e.span);
        match &e.category {
            Category::Any(span) => self.line(depth + 1, "category any", *span),
            Category::Named(name, span) => {
                let mut text = String::from("category ");
                if crate::lexer::is_plain_identifier(name) {
                    text.push_str(name);
                } else {
                    printer::string(&mut text, name);
                }
                self.line(depth + 1, &text, *span);
            }
        }
        self.expr(depth + 1, &e.condition);
    }

    fn clause(&mut self, depth: usize, c: &SequenceClause, label: &str) {
        let label = if c.missing {
            format!("missing {label}")
        } else {
            label.to_string()
        };
        self.line(depth, &label, c.span);
        self.event(depth + 1, "event", &c.query);
        self.keys(depth + 1, &c.by);
        if let Some(r) = &c.runs {
            self.line(depth + 1, &format!("runs {}", r.count), r.span);
        }
    }

    fn keys(&mut self, depth: usize, keys: &[Expr]) {
        if let (Some(first), Some(last)) = (keys.first(), keys.last()) {
            self.line(depth, "by", first.span.to(last.span));
            for k in keys {
                self.expr(depth + 1, k);
            }
        }
    }

    /// Recursion is bounded by the parser's nesting limit.
    fn expr(&mut self, depth: usize, e: &Expr) {
        match &e.kind {
            ExprKind::Literal(l) => {
                let text = match l {
                    Literal::Null => "null".to_string(),
                    Literal::Bool(b) => format!("bool {b}"),
                    Literal::Int(n) => format!("int {n}"),
                    Literal::Float(f) => format!("float {f:?}"),
                    Literal::String(s) => {
                        let mut t = String::from("string ");
                        printer::string(&mut t, s);
                        t
                    }
                };
                self.line(depth, &text, e.span);
            }
            ExprKind::Field(_) => {
                let text = format!("field {}", printer::print_expr(e));
                self.line(depth, &text, e.span);
            }
            ExprKind::Not(x) => {
                self.line(depth, "not", e.span);
                self.expr(depth + 1, x);
            }
            ExprKind::Neg(x) => {
                self.line(depth, "neg", e.span);
                self.expr(depth + 1, x);
            }
            ExprKind::And(items) | ExprKind::Or(items) => {
                let word = if matches!(e.kind, ExprKind::And(_)) {
                    "and"
                } else {
                    "or"
                };
                self.line(depth, word, e.span);
                items.iter().for_each(|x| self.expr(depth + 1, x));
            }
            ExprKind::Compare(op, a, b) => {
                self.line(depth, op.as_str(), e.span);
                self.expr(depth + 1, a);
                self.expr(depth + 1, b);
            }
            ExprKind::Arith(op, a, b) => {
                self.line(depth, op.as_str(), e.span);
                self.expr(depth + 1, a);
                self.expr(depth + 1, b);
            }
            ExprKind::Match(m) => {
                let op = match (m.kind, m.case_insensitive) {
                    (MatchKind::Colon, _) => ":",
                    (MatchKind::Like, false) => "like",
                    (MatchKind::Like, true) => "like~",
                    (MatchKind::Regex, false) => "regex",
                    (MatchKind::Regex, true) => "regex~",
                };
                let list = if m.list { " (list)" } else { "" };
                self.line(depth, &format!("{op}{list}"), e.span);
                self.expr(depth + 1, &m.lhs);
                m.patterns.iter().for_each(|p| self.expr(depth + 1, p));
            }
            ExprKind::In(i) => {
                let op = match (i.negated, i.case_insensitive) {
                    (false, false) => "in",
                    (false, true) => "in~",
                    (true, false) => "not in",
                    (true, true) => "not in~",
                };
                self.line(depth, op, e.span);
                self.expr(depth + 1, &i.lhs);
                i.values.iter().for_each(|v| self.expr(depth + 1, v));
            }
            ExprKind::Call(c) => {
                let tilde = if c.case_insensitive { "~" } else { "" };
                self.line(depth, &format!("call {}{tilde}", c.name), e.span);
                c.args.iter().for_each(|a| self.expr(depth + 1, a));
            }
        }
    }
}
