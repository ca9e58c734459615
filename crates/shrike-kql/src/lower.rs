//! Lowering: KQL AST → shrike IR, as Elasticsearch evaluates the query DSL that Kibana's
//! detection engine builds from the query (`SEMANTICS.md` is the specification; each rule
//! below names its section there).
//!
//! * Field names are resolved against the schema like Kibana resolves them against the
//!   index pattern's field list: a wildcard name selects every known field it matches
//!   (multi-fields and aliases included); a name no mapping knows matches nothing (a
//!   warning, as Elasticsearch ignores unmapped fields — Kibana does not reject it).
//! * Each `field: value` becomes, per candidate field and by the field's type, what the
//!   DSL query does there (§3, §7): `term`/`wildcard` on fields that are only `keyword`
//!   (exact, case-sensitive); `match`/`match_phrase` on `text` (analysed tokens, any /
//!   as a phrase) and on other types (the value parsed as the field's type); `query_string`
//!   for wildcard values on everything but `keyword` (whitespace splits the value into
//!   clauses, `*` alone is `exists`); a `range` with both bounds for `date` fields.
//! * Every leaf is two-valued ([`Expr::holds`]): `not f: x` matches documents without `f`.
//! * Values the field's type cannot parse (`process.pid: abc`, `source.ip: x`) are errors:
//!   Elasticsearch fails the whole search, so the rule produces no alerts in Kibana.
//!
//! Diagnostic codes of this module: `K0500`–`K0599` ([`codes`]).

use crate::ast::{
    self, Distributed, Expr as AExpr, ExprKind as K, Pattern, PatternPart, RangeOp,
    Value as AValue, ValueKind,
};
use shrike_diag::{Diagnostic, Span};
use shrike_ir::analysis::{lowercase, Analyzer};
use shrike_ir::datemath::{self, Rounding};
use shrike_ir::{
    Body, CmpOp, DateFormat, Expr, FieldDef, FieldRef, FieldType, Func, Mapping, Query, Schema,
    TextQuery, Value,
};
use std::collections::BTreeSet;

/// Diagnostic codes of KQL lowering.
pub mod codes {
    /// Warning: no mapping knows the field, so the query on it matches nothing.
    pub const UNKNOWN_FIELD: &str = "K0501";
    /// Error: the value is not valid for the field's type (Elasticsearch rejects the query).
    pub const BAD_VALUE: &str = "K0502";
    /// Error: a wildcard on a field that is neither a string nor text.
    pub const WILDCARD_TYPE: &str = "K0503";
    /// Warning: indices map the field with different types.
    pub const TYPE_CONFLICT: &str = "K0504";
    /// Error: `null` as a value.
    pub const NULL_VALUE: &str = "K0505";
    /// Warning: a nested group is evaluated without the same-object condition.
    pub const NESTED: &str = "K0506";
    /// Warning: a query shrike cannot evaluate on this field type matches nothing.
    pub const UNSUPPORTED: &str = "K0507";
    /// Error: a query-DSL query (rule `filters`, exception items) shrike does not run.
    pub const UNSUPPORTED_DSL: &str = "K0508";
}

mod dsl;
pub use dsl::{lower_dsl, lower_exceptions, lower_filters};

/// Settings that change what a query means.
#[derive(Clone, Debug)]
pub struct LowerOptions {
    /// `now` of date math (`@timestamp > now-1d`), nanoseconds since the epoch: the time
    /// the rule runs. Defaults to the wall clock.
    pub now: i64,
}

impl Default for LowerOptions {
    fn default() -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos().min(i64::MAX as u128) as i64);
        LowerOptions { now }
    }
}

/// A lowered query and the warnings found on the way.
#[derive(Clone, Debug)]
pub struct Lowered {
    /// The condition: true for the documents the query matches.
    pub expr: Expr,
    /// Problems that do not stop the query (unknown fields, type conflicts…).
    pub warnings: Vec<Diagnostic>,
}

impl Lowered {
    /// The condition as an event query.
    pub fn query(&self) -> Query {
        Query {
            body: Body::Event(self.expr.clone()),
            pipes: Vec::new(),
        }
    }
}

/// Lowers a parsed KQL query against the mappings of the indices it searches. Errors are
/// what Elasticsearch would reject when running the DSL Kibana builds; all are reported
/// together.
pub fn lower(
    query: &ast::Query,
    schema: &Schema,
    options: &LowerOptions,
) -> Result<Lowered, Vec<Diagnostic>> {
    let mut l = Lowerer::new(schema, options);
    let expr = match &query.expr {
        None => Expr::boolean(true),
        Some(e) => l.expr(e, None),
    };
    if l.errors.is_empty() {
        Ok(Lowered {
            expr,
            warnings: l.warnings,
        })
    } else {
        l.errors.extend(l.warnings);
        Err(l.errors)
    }
}

/// Parses and lowers in one step.
pub fn parse_and_lower(
    text: &str,
    schema: &Schema,
    options: &LowerOptions,
) -> Result<Lowered, Vec<Diagnostic>> {
    let q = crate::parse(text)?;
    lower(&q, schema, options)
}

/// A field as Kibana's field list describes it: its type and whether every index maps it
/// as exactly `keyword` (`esTypes == ['keyword']`, which picks `term`/`wildcard` queries).
#[derive(Clone, Debug)]
struct Field {
    path: String,
    ty: FieldType,
    /// For `text` fields: how values (and so query text) are analysed.
    analyzer: Analyzer,
    keyword_only: bool,
    /// No mapping names the field: its type is the schema's default for unmapped fields
    /// (a guess), so a value that type rejects is a warning, not an error.
    guessed: bool,
}

impl Field {
    /// An analysed query on this `text` field, with its analyzer.
    fn text(&self, query: TextQuery) -> Expr {
        Expr::text_match_with(
            FieldRef {
                path: self.path.clone(),
                ty: self.ty.clone(),
            },
            query,
            self.analyzer,
        )
    }

    fn reference(&self) -> Expr {
        Expr::field(FieldRef {
            path: self.path.clone(),
            ty: self.ty.clone(),
        })
    }
}

/// The field's own definition in one mapping (not its keyword sub-field); a path the
/// mapping does not name is typed by its unmapped-field policy (the `logs-*` dynamic
/// templates in a hunt).
fn own_def(m: &Mapping, path: &str) -> Option<FieldDef> {
    m.lookup(path).map(std::borrow::Cow::into_owned)
}

struct Lowerer<'a> {
    schema: &'a Schema,
    options: &'a LowerOptions,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    /// Every field name of the schema (fields, multi-fields, aliases), built on first use.
    names: Option<Vec<String>>,
    /// Free text: fields whose type cannot take the value are skipped (`lenient: true`).
    lenient: bool,
}

/// One token of the `query_string` text Kibana builds from a wildcard value.
#[derive(Clone, Debug, PartialEq)]
enum QsToken {
    /// `*` alone: `exists`.
    Star,
    /// A term with an unescaped `*`: literal pieces and stars.
    Wild(Vec<PatternPart>),
    /// A plain term, escapes removed.
    Term(String),
    /// The operators `AND`, `OR`, `NOT` (Kibana does not escape them).
    And,
    Or,
    Not,
}

/// How a `query_string` clause takes part in its boolean query.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Occur {
    Must,
    Should,
    MustNot,
}

impl<'a> Lowerer<'a> {
    fn new(schema: &'a Schema, options: &'a LowerOptions) -> Self {
        Lowerer {
            schema,
            options,
            errors: Vec::new(),
            warnings: Vec::new(),
            names: None,
            lenient: false,
        }
    }
}

impl Lowerer<'_> {
    /// A query Elasticsearch would reject on `field`. When the field's type is only the
    /// default for unmapped fields, the type is a guess: a warning, and the leaf matches
    /// nothing.
    fn error(&mut self, field: &Field, code: &'static str, msg: String, span: Span) {
        if self.lenient {
            return;
        }
        if field.guessed {
            self.warn(
                Diagnostic::warning(code, msg)
                    .with_span(span)
                    .with_note(format!(
                        "no mapping names `{}`: its type is the default for unmapped fields, \
                         and this query on it matches nothing",
                        field.path
                    ))
                    .with_help("pass the index's mapping with `--mapping`"),
            );
        } else {
            self.errors
                .push(Diagnostic::error(code, msg).with_span(span));
        }
    }

    fn warn(&mut self, d: Diagnostic) {
        if !self.warnings.iter().any(|w| w.message == d.message) {
            self.warnings.push(d);
        }
    }

    fn expr(&mut self, e: &AExpr, nested: Option<&str>) -> Expr {
        match &e.kind {
            K::Or(items) => Expr::or(items.iter().map(|i| self.expr(i, nested)).collect()),
            K::And(items) => Expr::and(items.iter().map(|i| self.expr(i, nested)).collect()),
            K::Not(x) => Expr::negate(self.expr(x, nested)),
            K::Field(m) => self.distributed(&m.distribute(), nested),
            K::Range(r) => self.range(r, nested),
            K::Nested(n) => {
                let path = match name_of(&n.path) {
                    Some(p) => full_name(nested, &p),
                    None => return Expr::boolean(false),
                };
                self.warn(
                    Diagnostic::warning(
                        codes::NESTED,
                        format!(
                            "nested group on `{path}`: its conditions are tested on the values \
                             of the whole document, not of one object"
                        ),
                    )
                    .with_span(n.path.span)
                    .with_note(
                        "Elasticsearch requires all conditions of a nested group to hold in \
                         the same object of the nested array; shrike does not check that yet",
                    ),
                );
                self.expr(&n.query, Some(&path))
            }
            K::Term(v) => self.free_text(v),
        }
    }

    fn distributed(&mut self, d: &Distributed<'_>, nested: Option<&str>) -> Expr {
        match d {
            Distributed::And(items) => {
                Expr::and(items.iter().map(|i| self.distributed(i, nested)).collect())
            }
            Distributed::Or(items) => {
                Expr::or(items.iter().map(|i| self.distributed(i, nested)).collect())
            }
            Distributed::Not(x) => Expr::negate(self.distributed(x, nested)),
            Distributed::Is(f, v) => self.is(f, v, nested),
        }
    }

    // ----- fields -------------------------------------------------------------------

    fn all_names(&mut self) -> &[String] {
        if self.names.is_none() {
            let mut set = BTreeSet::new();
            for index in self.schema.index_names() {
                if let Some(m) = self.schema.mapping(index) {
                    for (p, def) in m.fields() {
                        if def.ty != FieldType::Object {
                            set.insert(p.to_string());
                        }
                    }
                    for (p, _) in m.aliases() {
                        set.insert(p.to_string());
                    }
                }
            }
            self.names = Some(set.into_iter().collect());
        }
        self.names.as_deref().unwrap_or(&[])
    }

    /// The field at `path`, typed across the indices; `None` when no index maps it as a
    /// field with values.
    fn field(&mut self, path: &str, span: Span) -> Option<Field> {
        let mut found: Option<Field> = None;
        let mut keyword_only = true;
        let mut guessed = true;
        for index in self.schema.index_names() {
            let Some(def) = self.schema.mapping(index).and_then(|m| own_def(m, path)) else {
                continue;
            };
            if def.ty == FieldType::Object {
                continue;
            }
            guessed &= self
                .schema
                .mapping(index)
                .is_some_and(|m| m.get(path).is_none());
            keyword_only &= def.ty == FieldType::Keyword;
            match &found {
                None => {
                    found = Some(Field {
                        path: path.to_string(),
                        ty: def.ty.clone(),
                        analyzer: def.analyzer,
                        keyword_only: false,
                        guessed: false,
                    })
                }
                Some(f) if !same_family(&f.ty, &def.ty) => {
                    let msg = format!(
                        "field `{path}` is `{}` in one mapping and `{}` in `{index}`; \
                         shrike uses the first",
                        f.ty.name(),
                        def.ty.name()
                    );
                    self.warn(Diagnostic::warning(codes::TYPE_CONFLICT, msg).with_span(span));
                }
                Some(_) => {}
            }
        }
        found.map(|mut f| {
            f.keyword_only = keyword_only;
            f.guessed = guessed;
            f
        })
    }

    /// The fields a field literal names (§3 step 3). Empty when none is known (then the
    /// query matches nothing, with a warning).
    fn candidates(&mut self, f: &AValue, nested: Option<&str>) -> Vec<Field> {
        let span = f.span;
        let names: Vec<String> = match &f.kind {
            ValueKind::Pattern(p) => {
                let prefix = nested.map(|n| format!("{n}."));
                let full = match &prefix {
                    Some(pre) => {
                        let mut parts = vec![PatternPart::Text(pre.clone())];
                        parts.extend(p.parts.iter().cloned());
                        Pattern { parts }
                    }
                    None => p.clone(),
                };
                self.all_names()
                    .iter()
                    .filter(|n| full.matches(n))
                    .cloned()
                    .collect()
            }
            _ => match name_of(f) {
                Some(n) => vec![full_name(nested, &n)],
                None => Vec::new(),
            },
        };
        let mut out = Vec::new();
        for n in &names {
            if let Some(field) = self.field(n, span) {
                out.push(field);
            }
        }
        if out.is_empty() {
            let written = match &f.kind {
                ValueKind::Pattern(p) => full_name(nested, &pattern_text(p)),
                _ => full_name(nested, &name_of(f).unwrap_or_default()),
            };
            self.warn(
                Diagnostic::warning(
                    codes::UNKNOWN_FIELD,
                    format!("no mapping has a field `{written}`: this query on it matches nothing"),
                )
                .with_span(span)
                .with_note("Elasticsearch matches no document on a field its mappings do not have")
                .with_help("pass the index's mapping with `--mapping` if the field exists there"),
            );
        }
        out
    }

    // ----- field: value -------------------------------------------------------------

    fn is(&mut self, f: &AValue, v: &AValue, nested: Option<&str>) -> Expr {
        if f.is_lone_star() && v.is_lone_star() {
            return Expr::boolean(true);
        }
        if matches!(f.kind, ValueKind::Null) {
            return self.free_text(v);
        }
        let fields = self.candidates(f, nested);
        let mut alts = Vec::new();
        for field in &fields {
            alts.push(self.is_one(field, v));
        }
        Expr::or(alts)
    }

    /// One field and one value: the query Kibana builds for it, as Elasticsearch runs it.
    fn is_one(&mut self, field: &Field, v: &AValue) -> Expr {
        if v.is_lone_star() {
            return Expr::exists(FieldRef {
                path: field.path.clone(),
                ty: field.ty.clone(),
            });
        }
        if let ValueKind::Pattern(p) = &v.kind {
            return if field.keyword_only {
                Expr::holds(glob(field.reference(), &p.parts, false))
            } else {
                self.query_string(field, p, v.span)
            };
        }
        if matches!(v.kind, ValueKind::Null) {
            self.error(
                field,
                codes::NULL_VALUE,
                format!(
                    "`null` is not a value Elasticsearch can search `{}` for",
                    field.path
                ),
                v.span,
            );
            return Expr::boolean(false);
        }
        let text = literal_text(v);
        if matches!(field.ty, FieldType::Date { .. }) {
            return self.date_equals(field, &text, v.span);
        }
        if field.keyword_only {
            return term(field, Value::Str(text));
        }
        let phrase = matches!(v.kind, ValueKind::Phrase(_));
        self.match_query(field, &text, phrase, v.span)
    }

    /// `match` / `match_phrase` (and plain `query_string` terms) on one field.
    fn match_query(&mut self, field: &Field, text: &str, phrase: bool, span: Span) -> Expr {
        match &field.ty {
            FieldType::Text => {
                let tokens = field.analyzer.tokens(text);
                field.text(if phrase {
                    TextQuery::Phrase(tokens)
                } else {
                    TextQuery::AnyToken(tokens)
                })
            }
            t if t.is_keyword_like() => term(field, Value::Str(text.to_string())),
            FieldType::Date { .. } => self.date_equals(field, text, span),
            _ => match self.typed(field, text, span) {
                Some(Typed::Value(v)) => term(field, v),
                Some(Typed::Cidr(c)) => Expr::holds(Expr::call(
                    Func::CidrMatch,
                    false,
                    vec![field.reference(), Expr::constant(Value::Str(c))],
                )),
                None => Expr::boolean(false),
            },
        }
    }

    /// A value parsed as the type of a non-string field; `None` (after an error) when it
    /// does not parse.
    fn typed(&mut self, field: &Field, text: &str, span: Span) -> Option<Typed> {
        let t = text.trim();
        let parsed = match &field.ty {
            FieldType::Integer | FieldType::Float => parse_number(t).map(Typed::Value),
            FieldType::Ip => {
                if t.contains('/') {
                    valid_cidr(t).then(|| Typed::Cidr(t.to_string()))
                } else {
                    t.parse().ok().map(|ip| Typed::Value(Value::Ip(ip)))
                }
            }
            FieldType::Boolean => match t {
                "true" => Some(Typed::Value(Value::Bool(true))),
                "false" => Some(Typed::Value(Value::Bool(false))),
                _ => None,
            },
            FieldType::Version => Some(Typed::Value(Value::Version(t.to_string()))),
            FieldType::Date { format, .. } => {
                format.parse_str(t).map(|n| Typed::Value(Value::Date(n)))
            }
            other if other.is_keyword_like() || *other == FieldType::Text => {
                Some(Typed::Value(Value::Str(text.to_string())))
            }
            other => {
                let msg = format!(
                    "shrike cannot search a `{}` field (`{}`): this query on it matches nothing",
                    other.name(),
                    field.path
                );
                if !self.lenient {
                    self.warn(Diagnostic::warning(codes::UNSUPPORTED, msg).with_span(span));
                }
                return None;
            }
        };
        if parsed.is_none() {
            self.error(
                field,
                codes::BAD_VALUE,
                format!(
                    "`{text}` is not a valid {} for field `{}`",
                    kind_name(&field.ty),
                    field.path
                ),
                span,
            );
        }
        parsed
    }

    /// `is` on a date field: `range` with `gte` and `lte` both the value (§3), so a
    /// partial date (`2020-01-01`) matches its whole day.
    fn date_equals(&mut self, field: &Field, text: &str, span: Span) -> Expr {
        let (Some(lo), Some(hi)) = (
            self.date_bound(field, text, Rounding::Down, span),
            self.date_bound(field, text, Rounding::Up, span),
        ) else {
            return Expr::boolean(false);
        };
        Expr::holds(Expr::and(vec![
            Expr::cmp(
                CmpOp::GtEq,
                field.reference(),
                Expr::constant(Value::Date(lo)),
            ),
            Expr::cmp(
                CmpOp::LtEq,
                field.reference(),
                Expr::constant(Value::Date(hi)),
            ),
        ]))
    }

    fn date_bound(
        &mut self,
        field: &Field,
        text: &str,
        rounding: Rounding,
        span: Span,
    ) -> Option<i64> {
        let format = match &field.ty {
            FieldType::Date { format, .. } => format.clone(),
            _ => DateFormat::default(),
        };
        let r = datemath::resolve(text, &format, self.options.now, rounding);
        if r.is_none() {
            self.error(
                field,
                codes::BAD_VALUE,
                format!("`{text}` is not a valid date for field `{}`", field.path),
                span,
            );
        }
        r
    }

    // ----- query_string -------------------------------------------------------------

    /// A wildcard value on a field that is not only `keyword`: Kibana sends
    /// `query_string` (§3), which splits the value at whitespace into clauses joined by
    /// `OR` (runs of plain words stay one text), treats `*` alone as `exists`, and
    /// lower-cases wildcard terms on `text` fields.
    fn query_string(&mut self, field: &Field, p: &Pattern, span: Span) -> Expr {
        let tokens = qs_tokens(p);
        let mut must = Vec::new();
        let mut should = Vec::new();
        let mut must_not = Vec::new();
        let mut clauses: Vec<(Occur, Expr)> = Vec::new();
        let mut i = 0;
        let is_term = |t: Option<&QsToken>| matches!(t, Some(QsToken::Term(_)));
        // After a term of a run, these end it (Lucene's `allowedPostMultiTerm`).
        let ends_run =
            |t: Option<&QsToken>| matches!(t, Some(QsToken::Star | QsToken::And | QsToken::Or));
        while i < tokens.len() {
            // Conjunction, then modifier.
            let mut conj_and = false;
            match tokens.get(i) {
                Some(QsToken::And) if !clauses.is_empty() => {
                    conj_and = true;
                    i += 1;
                }
                Some(QsToken::Or) if !clauses.is_empty() => i += 1,
                _ => {}
            }
            let mut not = false;
            if tokens.get(i) == Some(&QsToken::Not) {
                not = true;
                i += 1;
            }
            let Some(tok) = tokens.get(i) else { break };
            // A run of plain terms is one text (`splitOnWhitespace = false`).
            let q = if !conj_and
                && !not
                && is_term(Some(tok))
                && is_term(tokens.get(i + 1))
                && !ends_run(tokens.get(i + 2))
            {
                let mut words = Vec::new();
                if let QsToken::Term(w) = tok {
                    words.push(w.clone());
                }
                i += 1;
                while let Some(QsToken::Term(w)) = tokens.get(i) {
                    if ends_run(tokens.get(i + 1)) {
                        break;
                    }
                    words.push(w.clone());
                    i += 1;
                }
                self.qs_term(field, &words.join(" "), span)
            } else {
                i += 1;
                match tok {
                    QsToken::Star => Some(Expr::exists(FieldRef {
                        path: field.path.clone(),
                        ty: field.ty.clone(),
                    })),
                    QsToken::Wild(parts) => self.qs_wildcard(field, parts, span),
                    QsToken::Term(w) => self.qs_term(field, w, span),
                    // Operators where a term was expected are words to Lucene's lexer
                    // only in odd positions; they carry no condition here.
                    QsToken::And | QsToken::Or | QsToken::Not => None,
                }
            };
            // Lucene's `addClause` with the default operator `OR`.
            if conj_and {
                if let Some(last) = clauses.last_mut() {
                    if last.0 != Occur::MustNot {
                        last.0 = Occur::Must;
                    }
                }
            }
            if let Some(q) = q {
                let occur = if not {
                    Occur::MustNot
                } else if conj_and {
                    Occur::Must
                } else {
                    Occur::Should
                };
                clauses.push((occur, q));
            }
        }
        for (occur, q) in clauses {
            match occur {
                Occur::Must => must.push(q),
                Occur::Should => should.push(q),
                Occur::MustNot => must_not.push(q),
            }
        }
        if must.is_empty() && should.is_empty() && must_not.is_empty() {
            return Expr::boolean(false);
        }
        let mut all = must;
        if all.is_empty() && !should.is_empty() {
            all.push(Expr::or(should));
        }
        if !must_not.is_empty() {
            all.push(Expr::negate(Expr::or(must_not)));
        }
        Expr::and(all)
    }

    fn qs_wildcard(&mut self, field: &Field, parts: &[PatternPart], span: Span) -> Option<Expr> {
        match &field.ty {
            FieldType::Text => {
                let lowered: Vec<PatternPart> = parts
                    .iter()
                    .map(|p| match p {
                        PatternPart::Text(t) => PatternPart::Text(lowercase(t)),
                        PatternPart::Star => PatternPart::Star,
                    })
                    .collect();
                Some(field.text(TextQuery::TokenRegex(glob_regex(&lowered))))
            }
            t if t.is_keyword_like() => Some(Expr::holds(glob(field.reference(), parts, false))),
            other => {
                self.error(
                    field,
                    codes::WILDCARD_TYPE,
                    format!(
                        "wildcards work only on keyword and text fields, and `{}` is a `{}` field",
                        field.path,
                        other.name()
                    ),
                    span,
                );
                None
            }
        }
    }

    fn qs_term(&mut self, field: &Field, text: &str, span: Span) -> Option<Expr> {
        match &field.ty {
            FieldType::Text => {
                let tokens = field.analyzer.tokens(text);
                if tokens.is_empty() {
                    return None;
                }
                Some(self.match_query(field, text, false, span))
            }
            _ => Some(self.match_query(field, text, false, span)),
        }
    }

    // ----- ranges -------------------------------------------------------------------

    fn range(&mut self, r: &ast::RangeQuery, nested: Option<&str>) -> Expr {
        let fields = self.candidates(&r.field, nested);
        let mut alts = Vec::new();
        for f in &fields {
            alts.push(self.range_one(f, r.op, &r.value));
        }
        Expr::or(alts)
    }

    fn range_one(&mut self, field: &Field, op: RangeOp, v: &AValue) -> Expr {
        let cmp = match op {
            RangeOp::Lt => CmpOp::Lt,
            RangeOp::Lte => CmpOp::LtEq,
            RangeOp::Gt => CmpOp::Gt,
            RangeOp::Gte => CmpOp::GtEq,
        };
        if matches!(v.kind, ValueKind::Null) {
            // A null bound is no bound: every document with a value.
            return Expr::exists(FieldRef {
                path: field.path.clone(),
                ty: field.ty.clone(),
            });
        }
        let text = literal_text(v);
        let bound = match &field.ty {
            FieldType::Date { .. } => {
                // `gte`/`lt` round down, `lte`/`gt` round up (date math, partial dates).
                let rounding = match op {
                    RangeOp::Gte | RangeOp::Lt => Rounding::Down,
                    RangeOp::Lte | RangeOp::Gt => Rounding::Up,
                };
                match self.date_bound(field, &text, rounding, v.span) {
                    Some(n) => Value::Date(n),
                    None => return Expr::boolean(false),
                }
            }
            t if t.is_keyword_like() => Value::Str(text),
            FieldType::Text => {
                self.warn(
                    Diagnostic::warning(
                        codes::UNSUPPORTED,
                        format!(
                            "range on the text field `{}` (a range of its tokens) is not \
                             supported: it matches nothing",
                            field.path
                        ),
                    )
                    .with_span(v.span),
                );
                return Expr::boolean(false);
            }
            FieldType::Ip if text.contains('/') => {
                self.error(
                    field,
                    codes::BAD_VALUE,
                    format!(
                        "a range bound on `{}` must be an address, not a block",
                        field.path
                    ),
                    v.span,
                );
                return Expr::boolean(false);
            }
            _ => match self.typed(field, &text, v.span) {
                Some(Typed::Value(x)) => x,
                _ => return Expr::boolean(false),
            },
        };
        Expr::holds(Expr::cmp(cmp, field.reference(), Expr::constant(bound)))
    }

    // ----- free text ----------------------------------------------------------------

    /// A value without a field: `multi_match` (or `query_string` for wildcards) over the
    /// index's default fields with `lenient: true` (§3 step 2, §7). Offline there is no
    /// `index.query.default_field`, so "all fields" is every field the schema knows whose
    /// type can be searched; fields whose type cannot take the value are skipped.
    fn free_text(&mut self, v: &AValue) -> Expr {
        if v.is_lone_star() {
            return Expr::boolean(true);
        }
        if matches!(v.kind, ValueKind::Null) {
            return Expr::boolean(false);
        }
        let names: Vec<String> = self.all_names().to_vec();
        let was = std::mem::replace(&mut self.lenient, true);
        let mut alts = Vec::new();
        for n in names {
            let Some(mut field) = self.field(&n, v.span) else {
                continue;
            };
            if !searchable(&field.ty) {
                continue;
            }
            // `multi_match` runs `match` on every field, keyword ones included.
            field.keyword_only = false;
            let e = match &v.kind {
                ValueKind::Pattern(p) => self.query_string(&field, p, v.span),
                _ => {
                    let phrase = matches!(v.kind, ValueKind::Phrase(_));
                    self.match_query(&field, &literal_text(v), phrase, v.span)
                }
            };
            alts.push(e);
        }
        self.lenient = was;
        Expr::or(alts)
    }
}

enum Typed {
    Value(Value),
    Cidr(String),
}

/// Whether a type takes part in free-text search.
fn searchable(t: &FieldType) -> bool {
    t.is_keyword_like()
        || matches!(
            t,
            FieldType::Text
                | FieldType::Integer
                | FieldType::Float
                | FieldType::Boolean
                | FieldType::Ip
                | FieldType::Date { .. }
                | FieldType::Version
        )
}

fn same_family(a: &FieldType, b: &FieldType) -> bool {
    let fam = |t: &FieldType| -> u8 {
        match t {
            t if t.is_keyword_like() => 0,
            FieldType::Text => 1,
            FieldType::Integer | FieldType::Float => 2,
            FieldType::Boolean => 3,
            FieldType::Ip => 4,
            FieldType::Date { .. } => 5,
            FieldType::Version => 6,
            _ => 7,
        }
    };
    fam(a) == fam(b)
}

fn kind_name(t: &FieldType) -> &'static str {
    match t {
        FieldType::Integer => "integer",
        FieldType::Float => "number",
        FieldType::Ip => "ip address or CIDR block",
        FieldType::Boolean => "boolean (`true` or `false`)",
        FieldType::Date { .. } => "date",
        _ => "value",
    }
}

/// `term`: exact equality with one value of the field.
fn term(field: &Field, v: Value) -> Expr {
    Expr::holds(Expr::in_set(field.reference(), vec![v], false))
}

/// Numbers as Elasticsearch reads a query value for a numeric field: an integer, else a
/// decimal (`1.5` on a `long` field then matches no value, as in Elasticsearch).
fn parse_number(t: &str) -> Option<Value> {
    if let Ok(i) = t.parse::<i64>() {
        return Some(Value::Int(i));
    }
    t.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Value::Float)
}

fn valid_cidr(t: &str) -> bool {
    let Some((a, p)) = t.split_once('/') else {
        return false;
    };
    let Ok(ip) = a.parse::<std::net::IpAddr>() else {
        return false;
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    p.parse::<u8>().is_ok_and(|n| n <= max)
}

/// A value literal as the string Kibana sends (`true`/`false` as words).
fn literal_text(v: &AValue) -> String {
    match &v.kind {
        ValueKind::Phrase(s) | ValueKind::Text(s) => s.clone(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Null => "null".to_string(),
        ValueKind::Pattern(p) => pattern_text(p),
    }
}

fn pattern_text(p: &Pattern) -> String {
    p.parts
        .iter()
        .map(|x| match x {
            PatternPart::Text(t) => t.as_str(),
            PatternPart::Star => "*",
        })
        .collect()
}

/// A field name literal as a plain name (`None` for `null`, which means "no field").
fn name_of(f: &AValue) -> Option<String> {
    match &f.kind {
        ValueKind::Phrase(s) | ValueKind::Text(s) => Some(s.clone()),
        ValueKind::Bool(b) => Some(b.to_string()),
        ValueKind::Pattern(p) => Some(pattern_text(p)),
        ValueKind::Null => None,
    }
}

fn full_name(nested: Option<&str>, name: &str) -> String {
    match nested {
        Some(n) => format!("{n}.{name}"),
        None => name.to_string(),
    }
}

/// A case-sensitive glob over the whole value: literal pieces and `*`. Uses the IR's
/// wildcard (where `?` is special) unless a piece holds `*` or `?`, then a regex.
fn glob(value: Expr, parts: &[PatternPart], case_insensitive: bool) -> Expr {
    let plain = parts.iter().all(|p| match p {
        PatternPart::Text(t) => !t.contains(['*', '?']),
        PatternPart::Star => true,
    });
    if plain {
        let pattern: String = parts
            .iter()
            .map(|p| match p {
                PatternPart::Text(t) => t.as_str(),
                PatternPart::Star => "*",
            })
            .collect();
        Expr::wildcard(value, vec![pattern], case_insensitive)
    } else {
        Expr::regex(value, vec![glob_regex(parts)], case_insensitive)
    }
}

/// A glob as an anchored Lucene regular expression (every literal character escaped).
fn glob_regex(parts: &[PatternPart]) -> String {
    let mut out = String::new();
    for p in parts {
        match p {
            PatternPart::Star => out.push_str(".*"),
            PatternPart::Text(t) => {
                for c in t.chars() {
                    if !c.is_alphanumeric() {
                        out.push('\\');
                    }
                    out.push(c);
                }
            }
        }
    }
    out
}

/// Lucene's whitespace (the classic query parser's `_WHITESPACE`).
fn is_qs_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{3000}')
}

/// Splits a wildcard value the way Lucene's classic query parser reads the
/// `query_string` Kibana builds from it (`wildcard.toQueryStringQuery`: special characters
/// escaped, whitespace and the words `AND`/`OR`/`NOT` not).
fn qs_tokens(p: &Pattern) -> Vec<QsToken> {
    // Characters with a flag: `true` for an unescaped star.
    let mut chars: Vec<(char, bool)> = Vec::new();
    for part in &p.parts {
        match part {
            PatternPart::Star => chars.push(('*', true)),
            PatternPart::Text(t) => chars.extend(t.chars().map(|c| (c, false))),
        }
    }
    let mut out = Vec::new();
    for word in chars.split(|(c, star)| !star && is_qs_space(*c)) {
        if word.is_empty() {
            continue;
        }
        let has_star = word.iter().any(|(_, s)| *s);
        let text: String = word.iter().map(|(c, _)| *c).collect();
        if word.len() == 1 && has_star {
            out.push(QsToken::Star);
        } else if has_star {
            let mut parts = Vec::new();
            for (c, star) in word {
                if *star {
                    parts.push(PatternPart::Star);
                } else if let Some(PatternPart::Text(t)) = parts.last_mut() {
                    t.push(*c);
                } else {
                    parts.push(PatternPart::Text(c.to_string()));
                }
            }
            out.push(QsToken::Wild(parts));
        } else {
            out.push(match text.as_str() {
                "AND" => QsToken::And,
                "OR" => QsToken::Or,
                "NOT" => QsToken::Not,
                _ => QsToken::Term(text),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<QsToken> {
        let q = crate::parse(&format!("f: {s}")).unwrap();
        let Some(ast::Expr {
            kind: K::Field(m), ..
        }) = q.expr
        else {
            panic!("not a field match")
        };
        let ast::ValueExprKind::Value(AValue {
            kind: ValueKind::Pattern(p),
            ..
        }) = m.value.kind
        else {
            panic!("not a pattern")
        };
        qs_tokens(&p)
    }

    #[test]
    fn query_string_tokens() {
        use QsToken::*;
        assert_eq!(
            toks("*S3 Browser*"),
            [
                Wild(vec![PatternPart::Star, PatternPart::Text("S3".into())]),
                Wild(vec![PatternPart::Text("Browser".into()), PatternPart::Star])
            ]
        );
        assert_eq!(toks(r"a\*b *"), [Term("a*b".into()), Star]);
        assert_eq!(
            toks(r"x* \AND y"),
            [
                Wild(vec![PatternPart::Text("x".into()), PatternPart::Star]),
                And,
                Term("y".into())
            ]
        );
    }

    #[test]
    fn globs_escape_what_is_literal() {
        assert_eq!(
            glob_regex(&[
                PatternPart::Star,
                PatternPart::Text("a?b.c".into()),
                PatternPart::Star
            ]),
            r".*a\?b\.c.*"
        );
    }
}
