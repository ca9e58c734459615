//! Lowering: EQL AST → shrike IR, with the field types of the searched indices.
//!
//! This is where the checks that need mappings live, as in Elasticsearch's planner:
//! a field missing from every mapping is an error unless written `?field` (then it reads
//! as `null`); a `text` field without a keyword sub-field is not searchable; two fields may
//! not be compared with each other; constants compared with a typed field are converted to
//! the field's domain (`@timestamp < "2020-01-01"` compares dates, `version > "1.5.0"`
//! compares versions, `ip == "10.0.0.1"` compares addresses) and must be valid there.
//!
//! `!=` lowers to `not ==`, `x == null` to an is-null test, `not in` to `not in`,
//! `:` to a case-insensitive wildcard, `with runs=N` to N copies of the clause, and the
//! event category to an exact test of the category field.
//!
//! Diagnostic codes of this module: `E0500`–`E0599`.

use crate::ast::{self, CmpOp as AstCmp, ExprKind as K, Literal, MatchKind, PipeKind, QueryBody};
use shrike_diag::{Diagnostic, Span};
use shrike_ir::{
    ArithOp, Body, CmpOp, DateFormat, Expr, FieldRef, FieldType, Func, Key, Pipe, Query,
    Resolution, Sample, Schema, Sequence, Stage, Value,
};

/// Settings that change what a query means.
#[derive(Clone, Debug)]
pub struct LowerOptions {
    /// The field `category where …` tests (`event.category`).
    pub event_category_field: String,
}

impl Default for LowerOptions {
    fn default() -> Self {
        LowerOptions {
            event_category_field: "event.category".to_string(),
        }
    }
}

/// Maximum `with runs=N`.
pub const MAX_RUNS: i64 = 100;

struct Lowerer<'a> {
    schema: &'a Schema,
    options: &'a LowerOptions,
    diags: Vec<Diagnostic>,
}

/// Lowers a parsed query. All problems found are returned together.
pub fn lower(
    query: &ast::Query,
    schema: &Schema,
    options: &LowerOptions,
) -> Result<Query, Vec<Diagnostic>> {
    let mut l = Lowerer {
        schema,
        options,
        diags: Vec::new(),
    };
    let body = match &query.body {
        QueryBody::Event(e) => Body::Event(l.event_query(e)),
        QueryBody::Sequence(s) => Body::Sequence(l.sequence(s)),
        QueryBody::Sample(s) => Body::Sample(l.sample(s)),
    };
    let mut pipes = Vec::new();
    for p in &query.pipes {
        if p.count < 0 {
            l.diags.push(
                Diagnostic::error(
                    "E0518",
                    format!("`{}` needs a non-negative count", pipe_name(p.kind)),
                )
                .with_span(p.span),
            );
            continue;
        }
        let n = p.count as u64;
        pipes.push(match p.kind {
            PipeKind::Head => Pipe::Head(n),
            PipeKind::Tail => Pipe::Tail(n),
        });
    }
    if l.diags.is_empty() {
        Ok(Query { body, pipes })
    } else {
        Err(l.diags)
    }
}

fn pipe_name(k: PipeKind) -> &'static str {
    match k {
        PipeKind::Head => "head",
        PipeKind::Tail => "tail",
    }
}

/// What a lowered operand is, to decide constant conversions.
enum Side {
    Field(FieldType),
    Const,
    Other,
}

impl Lowerer<'_> {
    fn err(&mut self, code: &'static str, msg: impl Into<String>, span: Span) {
        self.diags
            .push(Diagnostic::error(code, msg).with_span(span));
    }

    fn event_query(&mut self, e: &ast::EventQuery) -> Expr {
        let cond = self.expr(&e.condition);
        match &e.category {
            ast::Category::Any(_) => cond,
            ast::Category::Named(name, span) => {
                let path = self.options.event_category_field.clone();
                let ty = match self.schema.resolve(&path) {
                    Resolution::Field(t) => t,
                    Resolution::Conflict(msg) => {
                        self.err("E0503", msg, *span);
                        FieldType::Keyword
                    }
                    // No index has the category field: nothing can match the category.
                    _ => FieldType::Keyword,
                };
                let test = Expr::cmp(
                    CmpOp::Eq,
                    Expr::field(FieldRef { path, ty }),
                    Expr::constant(Value::Str(name.clone())),
                );
                Expr::and(vec![test, cond])
            }
        }
    }

    fn field(&mut self, f: &ast::FieldRef, span: Span) -> Expr {
        match self.schema.resolve(&f.path) {
            Resolution::Field(FieldType::Text) => {
                self.diags.push(
                    Diagnostic::error(
                        "E0502",
                        format!("text field `{}` is not searchable", f.path),
                    )
                    .with_span(span)
                    .with_help("map a keyword sub-field (`fields: {\"keyword\": {\"type\": \"keyword\"}}`) or query a keyword field"),
                );
                Expr::null()
            }
            Resolution::Field(ty) => Expr::field(FieldRef {
                path: f.path.clone(),
                ty,
            }),
            Resolution::Unknown if f.optional => Expr::null(),
            Resolution::Unknown => {
                self.diags.push(
                    Diagnostic::error("E0501", format!("unknown field `{}`", f.path))
                        .with_span(span)
                        .with_note("no mapping of the searched indices has this field")
                        .with_help(format!(
                            "write `?{}` to read a missing field as null",
                            f.path
                        )),
                );
                Expr::null()
            }
            Resolution::Object if f.optional => Expr::null(),
            Resolution::Object => {
                self.err(
                    "E0504",
                    format!("`{}` is an object, not a field with values", f.path),
                    span,
                );
                Expr::null()
            }
            Resolution::Conflict(msg) => {
                self.err("E0503", msg, span);
                Expr::null()
            }
        }
    }

    fn side(e: &Expr) -> Side {
        match e.kind() {
            shrike_ir::ExprKind::Field(f) => Side::Field(f.ty.clone()),
            shrike_ir::ExprKind::Const(_) => Side::Const,
            _ => Side::Other,
        }
    }

    /// Converts a constant to the domain of a field of type `ty`.
    fn coerce(&mut self, v: &Value, ty: &FieldType, span: Span) -> Value {
        let bad = |this: &mut Self, what: &str| {
            this.err(
                "E0506",
                format!(
                    "`{}` is not a valid {what}",
                    v.to_text().unwrap_or_default()
                ),
                span,
            );
            Value::Null
        };
        match (ty, v) {
            (_, Value::Null) => Value::Null,
            (FieldType::Date { format, .. }, Value::Str(s)) => {
                match format
                    .parse_str(s)
                    .or_else(|| DateFormat::default().parse_str(s))
                {
                    Some(n) => Value::Date(n),
                    None => bad(self, "date for this field"),
                }
            }
            (FieldType::Date { format, .. }, Value::Int(i)) => format
                .parse_number(*i as f64)
                .map_or(Value::Null, Value::Date),
            (FieldType::Date { format, .. }, Value::Float(f)) => {
                format.parse_number(*f).map_or(Value::Null, Value::Date)
            }
            (FieldType::Ip, Value::Str(s)) => match s.trim().parse() {
                Ok(ip) => Value::Ip(ip),
                Err(_) => bad(self, "ip address"),
            },
            (FieldType::Version, Value::Str(s)) => Value::Version(s.clone()),
            (t, Value::Int(_) | Value::Float(_) | Value::Bool(_)) if t.is_keyword_like() => {
                Value::Str(v.to_text().unwrap_or_default())
            }
            (FieldType::Integer | FieldType::Float, Value::Str(s)) => {
                if let Ok(i) = s.trim().parse::<i64>() {
                    Value::Int(i)
                } else if let Ok(f) = s.trim().parse::<f64>() {
                    Value::Float(f)
                } else {
                    bad(self, "number")
                }
            }
            (FieldType::Boolean, Value::Str(s)) if s == "true" || s == "false" => {
                Value::Bool(s == "true")
            }
            _ => v.clone(),
        }
    }

    fn coerce_expr(&mut self, e: Expr, ty: &FieldType, span: Span) -> Expr {
        match e.as_const() {
            Some(v) => {
                let c = self.coerce(v, ty, span);
                Expr::constant(c)
            }
            None => e,
        }
    }

    fn expr(&mut self, e: &ast::Expr) -> Expr {
        match &e.kind {
            K::Literal(l) => Expr::constant(literal(l)),
            K::Field(f) => self.field(f, e.span),
            K::Not(x) => {
                let x = self.expr(x);
                Expr::negate(x)
            }
            K::And(items) => {
                let v = items.iter().map(|i| self.expr(i)).collect();
                Expr::and(v)
            }
            K::Or(items) => {
                let v = items.iter().map(|i| self.expr(i)).collect();
                Expr::or(v)
            }
            K::Compare(op, a, b) => self.compare(*op, a, b, e.span),
            K::Arith(op, a, b) => {
                let (x, y) = (self.expr(a), self.expr(b));
                Expr::arith(arith(*op), x, y)
            }
            K::Neg(x) => {
                let x = self.expr(x);
                Expr::minus(x)
            }
            K::Match(m) => self.matching(m),
            K::In(i) => self.membership(i),
            K::Call(c) => self.call(c, e.span),
        }
    }

    fn compare(&mut self, op: AstCmp, a: &ast::Expr, b: &ast::Expr, span: Span) -> Expr {
        let (x, y) = (self.expr(a), self.expr(b));
        if matches!(op, AstCmp::Eq | AstCmp::NotEq) {
            // `x == null` is an is-null test, also when a side is an unknown `?field`
            // (so `?x == ?y` is true, as in Elasticsearch).
            let null_side = match (x.as_const(), y.as_const()) {
                (Some(Value::Null), _) => Some(y.clone()),
                (_, Some(Value::Null)) => Some(x.clone()),
                _ => None,
            };
            if let Some(other) = null_side {
                let t = Expr::is_null(other);
                return if op == AstCmp::Eq { t } else { Expr::negate(t) };
            }
        }
        let (x, y) = match (Self::side(&x), Self::side(&y)) {
            (Side::Field(_), Side::Field(_)) => {
                self.diags.push(
                    Diagnostic::error("E0505", "comparing two fields is not supported")
                        .with_span(span)
                        .with_note(
                            "Elasticsearch EQL compares a field with a constant or an expression",
                        ),
                );
                (x, y)
            }
            (Side::Field(t), Side::Const) => {
                let y = self.coerce_expr(y, &t, b.span);
                (x, y)
            }
            (Side::Const, Side::Field(t)) => {
                let x = self.coerce_expr(x, &t, a.span);
                (x, y)
            }
            _ => (x, y),
        };
        let cmp = |op| Expr::cmp(op, x.clone(), y.clone());
        match op {
            AstCmp::Eq => cmp(CmpOp::Eq),
            AstCmp::NotEq => Expr::negate(cmp(CmpOp::Eq)),
            AstCmp::Lt => cmp(CmpOp::Lt),
            AstCmp::LtEq => cmp(CmpOp::LtEq),
            AstCmp::Gt => cmp(CmpOp::Gt),
            AstCmp::GtEq => cmp(CmpOp::GtEq),
        }
    }

    fn patterns(&mut self, patterns: &[ast::Expr]) -> Vec<String> {
        let mut out = Vec::new();
        for p in patterns {
            match p.as_literal() {
                Some(Literal::String(s)) => out.push(s.clone()),
                _ => self.err("E0508", "a pattern must be a string constant", p.span),
            }
        }
        out
    }

    fn matching(&mut self, m: &ast::MatchExpr) -> Expr {
        let value = self.expr(&m.lhs);
        let patterns = self.patterns(&m.patterns);
        match m.kind {
            MatchKind::Colon => Expr::wildcard(value, patterns, true),
            MatchKind::Like => Expr::wildcard(value, patterns, m.case_insensitive),
            MatchKind::Regex => Expr::regex(value, patterns, m.case_insensitive),
        }
    }

    fn membership(&mut self, i: &ast::InExpr) -> Expr {
        let value = self.expr(&i.lhs);
        let ty = match Self::side(&value) {
            Side::Field(t) => Some(t),
            _ => None,
        };
        let mut set = Vec::new();
        let mut dynamic = Vec::new();
        for v in &i.values {
            let e = self.expr(v);
            match e.as_const() {
                Some(c) => {
                    let c = match &ty {
                        Some(t) => self.coerce(c, t, v.span),
                        None => c.clone(),
                    };
                    set.push(c);
                }
                None => dynamic.push(e),
            }
        }
        let mut e = Expr::in_set(value.clone(), set, i.case_insensitive);
        if !dynamic.is_empty() {
            // Non-constant members: `x in (a, f(y))` is `x == a or x == f(y)`.
            let mut alts = vec![e];
            alts.extend(
                dynamic
                    .into_iter()
                    .map(|d| Expr::cmp(CmpOp::Eq, value.clone(), d)),
            );
            e = Expr::or(alts);
        }
        if i.negated {
            Expr::negate(e)
        } else {
            e
        }
    }

    fn call(&mut self, c: &ast::Call, span: Span) -> Expr {
        let Some(func) = Func::from_name(&c.name) else {
            let unsupported = [
                "arraycontains",
                "arraycount",
                "arraysearch",
                "match",
                "matchlite",
                "safe",
                "wildcard",
            ];
            let mut d = Diagnostic::error("E0509", format!("unknown function `{}`", c.name))
                .with_span(c.name_span);
            if unsupported.contains(&c.name.to_ascii_lowercase().as_str()) {
                d = d.with_note("Elasticsearch EQL does not support this function");
            }
            self.diags.push(d);
            return Expr::null();
        };
        let (min, max) = func.arity();
        if c.args.len() < min || c.args.len() > max {
            let want = if min == max {
                format!("{min}")
            } else if max == usize::MAX {
                format!("at least {min}")
            } else {
                format!("{min} to {max}")
            };
            self.err(
                "E0510",
                format!(
                    "`{}` takes {want} argument{}, not {}",
                    func.name(),
                    if want == "1" { "" } else { "s" },
                    c.args.len()
                ),
                span,
            );
            return Expr::null();
        }
        if c.case_insensitive && !func.has_insensitive_form() {
            self.err(
                "E0511",
                format!("`{}` has no case-insensitive `~` form", func.name()),
                c.name_span,
            );
        }
        let args = c.args.iter().map(|a| self.expr(a)).collect();
        Expr::call(func, c.case_insensitive, args)
    }

    fn key(&mut self, e: &ast::Expr) -> Option<Key> {
        let Some(f) = e.as_field() else {
            self.err("E0512", "a join key must be a field", e.span);
            return None;
        };
        let expr = self.field(f, e.span);
        let ty = match expr.kind() {
            shrike_ir::ExprKind::Field(r) => Some(r.ty.clone()),
            _ => None,
        };
        Some(Key {
            expr,
            optional: f.optional,
            ty,
        })
    }

    fn keys(&mut self, shared: &[ast::Expr], own: &[ast::Expr]) -> Vec<Key> {
        shared
            .iter()
            .chain(own)
            .filter_map(|k| self.key(k))
            .collect()
    }

    fn clause(&mut self, shared: &[ast::Expr], c: &ast::SequenceClause) -> Stage {
        Stage {
            filter: self.event_query(&c.query),
            keys: self.keys(shared, &c.by),
            missing: c.missing,
        }
    }

    fn check_key_counts(&mut self, clauses: &[&ast::SequenceClause], stages: &[Stage]) {
        let Some(first) = stages.first() else { return };
        for (c, s) in clauses.iter().zip(stages) {
            if s.keys.len() != first.keys.len() {
                self.err(
                    "E0513",
                    format!(
                        "every clause must have the same number of join keys ({} here, {} in the first)",
                        s.keys.len(),
                        first.keys.len()
                    ),
                    c.span,
                );
            }
        }
    }

    fn sequence(&mut self, s: &ast::Sequence) -> Sequence {
        let mut stages = Vec::new();
        let mut clauses = Vec::new();
        for c in &s.clauses {
            let runs = match &c.runs {
                Some(r) if r.count < 1 || r.count > MAX_RUNS => {
                    self.err(
                        "E0514",
                        format!("`runs` must be between 1 and {MAX_RUNS}, not {}", r.count),
                        r.span,
                    );
                    1
                }
                Some(r) => r.count as usize,
                None => 1,
            };
            let stage = self.clause(&s.by, c);
            for _ in 0..runs {
                stages.push(stage.clone());
                clauses.push(c);
            }
        }
        let until = s.until.as_ref().map(|u| {
            if u.missing {
                self.err(
                    "E0519",
                    "the `until` clause cannot be a missing event",
                    u.span,
                );
            }
            clauses.push(u);
            self.clause(&s.by, u)
        });
        let mut all: Vec<Stage> = stages.clone();
        all.extend(until.iter().cloned());
        self.check_key_counts(&clauses, &all);
        if stages.iter().any(|st| st.missing) {
            if s.maxspan.is_none() {
                self.err(
                    "E0515",
                    "a sequence with missing events (`![…]`) needs `with maxspan`",
                    s.span,
                );
            }
            if stages.iter().all(|st| st.missing) {
                self.err(
                    "E0516",
                    "a sequence needs at least one clause that is not a missing event",
                    s.span,
                );
            }
        }
        if stages.len() < 2 && !stages.iter().any(|st| st.missing) {
            self.err("E0520", "a sequence needs at least two clauses", s.span);
        }
        Sequence {
            stages,
            until,
            maxspan_nanos: s
                .maxspan
                .as_ref()
                .map(|m| m.as_millis().saturating_mul(1_000_000)),
        }
    }

    fn sample(&mut self, s: &ast::Sample) -> Sample {
        let mut stages = Vec::new();
        let mut clauses = Vec::new();
        for c in &s.clauses {
            if c.missing {
                self.err("E0517", "samples cannot have missing-event clauses", c.span);
            }
            if let Some(r) = &c.runs {
                self.err("E0517", "samples do not support `with runs`", r.span);
            }
            stages.push(self.clause(&s.by, c));
            clauses.push(c);
        }
        self.check_key_counts(&clauses, &stages);
        if stages.first().is_some_and(|st| st.keys.is_empty()) {
            self.err(
                "E0521",
                "a sample needs join keys (`sample by …` or `by` on each clause)",
                s.span,
            );
        }
        Sample { stages }
    }
}

fn literal(l: &Literal) -> Value {
    match l {
        Literal::Null => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::Int(*i),
        Literal::Float(f) => Value::Float(*f),
        Literal::String(s) => Value::Str(s.clone()),
    }
}

fn arith(op: ast::ArithOp) -> ArithOp {
    match op {
        ast::ArithOp::Add => ArithOp::Add,
        ast::ArithOp::Sub => ArithOp::Sub,
        ast::ArithOp::Mul => ArithOp::Mul,
        ast::ArithOp::Div => ArithOp::Div,
        ast::ArithOp::Mod => ArithOp::Mod,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::*;
    use shrike_ir::{FieldDef, Mapping};

    fn sp() -> Span {
        Span::default()
    }
    fn fld(p: &str, optional: bool) -> ast::Expr {
        ast::Expr::new(
            K::Field(ast::FieldRef {
                path: p.into(),
                optional,
            }),
            sp(),
        )
    }
    fn lit(l: Literal) -> ast::Expr {
        ast::Expr::new(K::Literal(l), sp())
    }
    fn event(cat: &str, cond: ast::Expr) -> ast::Query {
        ast::Query {
            body: QueryBody::Event(EventQuery {
                category: Category::Named(cat.into(), sp()),
                condition: cond,
                span: sp(),
            }),
            pipes: vec![],
            span: sp(),
        }
    }
    fn schema() -> Schema {
        let mut m = Mapping::from_json_str(
            r#"{"properties": {
                "event_type": {"type": "keyword"},
                "event": {"properties": {"category": {"type": "alias", "path": "event_type"}}},
                "pid": {"type": "long"},
                "name": {"type": "keyword"},
                "ts": {"type": "date"},
                "ver": {"type": "version"},
                "body": {"type": "text"}
            }}"#,
        )
        .unwrap();
        m.insert("ip", FieldDef::new("ip", FieldType::Ip));
        Schema::single("i", m)
    }
    fn lower_one(q: &ast::Query) -> Result<shrike_ir::Query, Vec<Diagnostic>> {
        lower(q, &schema(), &LowerOptions::default())
    }

    #[test]
    fn category_and_not_equal() {
        let q = event(
            "process",
            ast::Expr::new(
                K::Compare(
                    AstCmp::NotEq,
                    Box::new(fld("name", false)),
                    Box::new(lit(Literal::String("a".into()))),
                ),
                sp(),
            ),
        );
        let ir = lower_one(&q).unwrap();
        assert_eq!(
            ir.to_string(),
            "event ((event.category:keyword == \"process\") and (not (name:keyword == \"a\")))\n"
        );
    }

    #[test]
    fn null_comparisons_become_is_null() {
        let q = event(
            "any",
            ast::Expr::new(
                K::Compare(
                    AstCmp::NotEq,
                    Box::new(fld("pid", false)),
                    Box::new(lit(Literal::Null)),
                ),
                sp(),
            ),
        );
        let ir = lower_one(&q).unwrap();
        assert!(ir.to_string().contains("(not (is_null pid:long))"), "{ir}");
    }

    #[test]
    fn constants_take_the_field_type() {
        let q = event(
            "x",
            ast::Expr::new(
                K::Compare(
                    AstCmp::Lt,
                    Box::new(fld("ts", false)),
                    Box::new(lit(Literal::String("1970-01-02".into()))),
                ),
                sp(),
            ),
        );
        let ir = lower_one(&q).unwrap();
        assert!(
            ir.to_string().contains("date(1970-01-02T00:00:00.000Z)"),
            "{ir}"
        );
        let bad = event(
            "x",
            ast::Expr::new(
                K::Compare(
                    AstCmp::Eq,
                    Box::new(fld("ip", false)),
                    Box::new(lit(Literal::String("nope".into()))),
                ),
                sp(),
            ),
        );
        assert_eq!(lower_one(&bad).unwrap_err()[0].code, "E0506");
    }

    #[test]
    fn unknown_fields_and_optional_fields() {
        let q = event("x", fld("missing", false));
        assert_eq!(lower_one(&q).unwrap_err()[0].code, "E0501");
        let q = event("x", fld("missing", true));
        let ir = lower_one(&q).unwrap();
        assert!(ir.to_string().contains("null"), "{ir}");
        let q = event("x", fld("body", false));
        assert_eq!(lower_one(&q).unwrap_err()[0].code, "E0502");
        let two = event(
            "x",
            ast::Expr::new(
                K::Compare(
                    AstCmp::Eq,
                    Box::new(fld("pid", false)),
                    Box::new(fld("pid", false)),
                ),
                sp(),
            ),
        );
        assert_eq!(lower_one(&two).unwrap_err()[0].code, "E0505");
    }

    #[test]
    fn unknown_function() {
        let q = event(
            "x",
            ast::Expr::new(
                K::Call(Call {
                    name: "arrayContains".into(),
                    case_insensitive: false,
                    args: vec![fld("name", false)],
                    name_span: sp(),
                }),
                sp(),
            ),
        );
        let d = lower_one(&q).unwrap_err();
        assert_eq!(d[0].code, "E0509");
        assert!(!d[0].notes.is_empty());
    }
}
