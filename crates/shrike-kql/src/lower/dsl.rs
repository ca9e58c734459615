//! Elasticsearch query DSL → IR: a rule's Kibana `filters` and its exception list items,
//! which Kibana adds to the rule's query (`buildEsQuery(…, filters)`; exceptions as a
//! `must_not` of their items, `build_exception_filter.ts`).
//!
//! The queries these produce: `bool` (`must`/`filter`/`should`/`must_not`,
//! `minimum_should_match`), `term`, `terms`, `match`, `match_phrase`, `wildcard`
//! (`?` one character, `*` any, `\` escapes, `case_insensitive`), `prefix`, `range`,
//! `exists`, `match_all`, `match_none`. Each leaf is lowered per field type exactly like
//! the KQL leaf it corresponds to. Anything else is an error (`K0508`): shrike would not
//! run the rule as Kibana does.

use super::{codes, Field, Lowered, Lowerer};
use crate::ast::{RangeOp, Value as AValue, ValueKind};
use serde_json::Value as Json;
use shrike_diag::{Diagnostic, Span};
use shrike_ir::analysis::lowercase;
use shrike_ir::{Expr, ExprKind, FieldRef, FieldType, TextQuery, Value};

/// Nesting limit of `bool` queries (untrusted input).
const MAX_DEPTH: usize = 64;

impl Lowerer<'_> {
    fn unsupported(&mut self, what: String) -> Expr {
        self.errors.push(
            Diagnostic::error(codes::UNSUPPORTED_DSL, what)
                .with_note("shrike runs these query-DSL queries: bool, term, terms, match, match_phrase, wildcard, prefix, range, exists, match_all, match_none"),
        );
        Expr::boolean(false)
    }

    fn dsl_fields(&mut self, name: &str) -> Vec<Field> {
        let f = AValue::new(ValueKind::Text(name.to_string()), Span::default());
        self.candidates(&f, None)
    }

    /// One query-DSL query.
    pub(super) fn dsl(&mut self, q: &Json, depth: usize) -> Expr {
        if depth > MAX_DEPTH {
            return self.unsupported("the query nests `bool` queries too deeply".into());
        }
        let Some(obj) = q.as_object() else {
            return self.unsupported(format!("a query must be an object, not `{q}`"));
        };
        let mut parts = Vec::new();
        for (kind, body) in obj {
            parts.push(self.dsl_one(kind, body, depth));
        }
        Expr::and(parts)
    }

    fn dsl_one(&mut self, kind: &str, body: &Json, depth: usize) -> Expr {
        match kind {
            "bool" => self.dsl_bool(body, depth),
            "match_all" => Expr::boolean(true),
            "match_none" => Expr::boolean(false),
            "exists" => match body.get("field").and_then(Json::as_str) {
                Some(name) => {
                    let fields = self.dsl_fields(name);
                    Expr::or(
                        fields
                            .iter()
                            .map(|f| {
                                Expr::exists(FieldRef {
                                    path: f.path.clone(),
                                    ty: f.ty.clone(),
                                })
                            })
                            .collect(),
                    )
                }
                None => self.unsupported("`exists` needs a `field`".into()),
            },
            "term" | "terms" | "match" | "match_phrase" | "wildcard" | "prefix" | "range" => {
                let Some((name, spec)) = body.as_object().and_then(|o| {
                    o.iter()
                        .find(|(k, _)| !matches!(k.as_str(), "boost" | "_name"))
                }) else {
                    return self.unsupported(format!("`{kind}` needs a field"));
                };
                let fields = self.dsl_fields(name);
                let mut alts = Vec::new();
                for f in &fields {
                    alts.push(self.dsl_leaf(kind, f, spec));
                }
                Expr::or(alts)
            }
            other => self.unsupported(format!("the query-DSL query `{other}` is not supported")),
        }
    }

    fn dsl_bool(&mut self, body: &Json, depth: usize) -> Expr {
        let list = |k: &str| -> Vec<Json> {
            match body.get(k) {
                Some(Json::Array(a)) => a.clone(),
                Some(Json::Null) | None => Vec::new(),
                Some(one) => vec![one.clone()],
            }
        };
        let must: Vec<Expr> = list("must")
            .iter()
            .chain(list("filter").iter())
            .map(|q| self.dsl(q, depth + 1))
            .collect();
        let should: Vec<Expr> = list("should")
            .iter()
            .map(|q| self.dsl(q, depth + 1))
            .collect();
        let must_not: Vec<Expr> = list("must_not")
            .iter()
            .map(|q| self.dsl(q, depth + 1))
            .collect();
        // `minimum_should_match` defaults to 1 without must/filter clauses, else 0.
        let min = match body.get("minimum_should_match") {
            Some(Json::Number(n)) => n.as_u64().unwrap_or(1) as usize,
            Some(Json::String(s)) => s.trim().parse().unwrap_or(1),
            _ => usize::from(must.is_empty()),
        };
        let mut all = must;
        if min > 1 && should.len() > 1 {
            return self.unsupported(format!("`minimum_should_match: {min}` is not supported"));
        }
        if min >= 1 {
            all.push(Expr::or(should));
        }
        if !must_not.is_empty() {
            all.push(Expr::negate(Expr::or(must_not)));
        }
        Expr::and(all)
    }

    fn dsl_leaf(&mut self, kind: &str, field: &Field, spec: &Json) -> Expr {
        // `{"f": v}` or `{"f": {"value"|"query": v, …}}`.
        let (value, ci) = match spec {
            Json::Object(o) if kind != "range" => (
                o.get("value")
                    .or_else(|| o.get("query"))
                    .or_else(|| o.get("wildcard"))
                    .cloned()
                    .unwrap_or(Json::Null),
                o.get("case_insensitive")
                    .and_then(Json::as_bool)
                    .unwrap_or(false),
            ),
            other => (other.clone(), false),
        };
        let text = |v: &Json| match v {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        };
        match kind {
            "term" => self.dsl_term(field, &text(&value), ci),
            "terms" => {
                let values = value.as_array().cloned().unwrap_or_default();
                Expr::or(
                    values
                        .iter()
                        .map(|v| self.dsl_term(field, &text(v), false))
                        .collect(),
                )
            }
            "match" | "match_phrase" => {
                let t = text(&value);
                if matches!(field.ty, FieldType::Date { .. }) {
                    return self.date_equals(field, &t, Span::default());
                }
                self.match_query(field, &t, kind == "match_phrase", Span::default())
            }
            "wildcard" => self.dsl_wildcard(field, &es_wildcard_regex(&text(&value)), ci),
            "prefix" => {
                let mut re = lucene_escape(&text(&value));
                re.push_str(".*");
                self.dsl_wildcard(field, &re, ci)
            }
            "range" => {
                let Some(o) = spec.as_object() else {
                    return self.unsupported("`range` needs bounds".into());
                };
                let mut inner = Vec::new();
                let mut outer = Vec::new();
                for (k, op) in [
                    ("gt", RangeOp::Gt),
                    ("gte", RangeOp::Gte),
                    ("lt", RangeOp::Lt),
                    ("lte", RangeOp::Lte),
                ] {
                    let Some(b) = o.get(k) else { continue };
                    let v = match b {
                        Json::Null => AValue::new(ValueKind::Null, Span::default()),
                        other => AValue::new(ValueKind::Text(text(other)), Span::default()),
                    };
                    let e = self.range_one(field, op, &v);
                    match e.kind() {
                        ExprKind::Holds(x) => inner.push((**x).clone()),
                        _ => outer.push(e),
                    }
                }
                if !inner.is_empty() {
                    outer.push(Expr::holds(Expr::and(inner)));
                }
                Expr::and(outer)
            }
            _ => Expr::boolean(false),
        }
    }

    /// `term`: not analysed. On text fields it must equal one token as indexed.
    fn dsl_term(&mut self, field: &Field, v: &str, ci: bool) -> Expr {
        match &field.ty {
            FieldType::Text => field.text(TextQuery::AnyToken(vec![v.to_string()])),
            t if t.is_keyword_like() => Expr::holds(Expr::in_set(
                field.reference(),
                vec![Value::Str(v.to_string())],
                ci,
            )),
            FieldType::Date { .. } => self.date_equals(field, v, Span::default()),
            _ => self.match_query(field, v, false, Span::default()),
        }
    }

    fn dsl_wildcard(&mut self, field: &Field, regex: &str, ci: bool) -> Expr {
        match &field.ty {
            FieldType::Text => field.text(TextQuery::TokenRegex(lowercase(regex))),
            t if t.is_keyword_like() => {
                Expr::holds(Expr::regex(field.reference(), vec![regex.to_string()], ci))
            }
            other => {
                let msg = format!(
                    "wildcards work only on keyword and text fields, and `{}` is a `{}` field",
                    field.path,
                    other.name()
                );
                self.error(field, codes::WILDCARD_TYPE, msg, Span::default());
                Expr::boolean(false)
            }
        }
    }
}

/// Every character literal in a Lucene regular expression.
fn lucene_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// An Elasticsearch `wildcard` pattern (`*`, `?`, `\` escapes) as a Lucene regex.
fn es_wildcard_regex(p: &str) -> String {
    let mut out = String::new();
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            '\\' => match chars.next() {
                Some(n) => out.push_str(&lucene_escape(&n.to_string())),
                None => out.push_str("\\\\"),
            },
            c => out.push_str(&lucene_escape(&c.to_string())),
        }
    }
    out
}

impl Lowered {
    fn from_parts(expr: Expr, l: Lowerer<'_>) -> Result<Lowered, Vec<Diagnostic>> {
        if l.errors.is_empty() {
            Ok(Lowered {
                expr,
                warnings: l.warnings,
            })
        } else {
            let mut e = l.errors;
            e.extend(l.warnings);
            Err(e)
        }
    }
}

/// Lowers one query-DSL query.
pub fn lower_dsl(
    query: &Json,
    schema: &shrike_ir::Schema,
    options: &super::LowerOptions,
) -> Result<Lowered, Vec<Diagnostic>> {
    let mut l = Lowerer::new(schema, options);
    let e = l.dsl(query, 0);
    Lowered::from_parts(e, l)
}

/// Lowers a rule's Kibana `filters` (each `{meta, query}` or a bare query with `meta`):
/// all must hold; `meta.negate` negates one, `meta.disabled` drops it.
pub fn lower_filters(
    filters: &[Json],
    schema: &shrike_ir::Schema,
    options: &super::LowerOptions,
) -> Result<Lowered, Vec<Diagnostic>> {
    let mut l = Lowerer::new(schema, options);
    let mut all = Vec::new();
    for f in filters {
        let meta = f.get("meta");
        if meta.and_then(|m| m.get("disabled")).and_then(Json::as_bool) == Some(true) {
            continue;
        }
        let negate = meta.and_then(|m| m.get("negate")).and_then(Json::as_bool) == Some(true);
        let query = match f.get("query") {
            Some(q) => q.clone(),
            None => {
                let mut o = f.as_object().cloned().unwrap_or_default();
                o.remove("meta");
                o.remove("$state");
                Json::Object(o)
            }
        };
        let e = l.dsl(&query, 0);
        all.push(if negate { Expr::negate(e) } else { e });
    }
    Lowered::from_parts(Expr::and(all), l)
}

/// Lowers exception list items (Kibana's export: one item per object with `entries`) into
/// the condition under which an event is an exception: any item whose entries all hold.
/// The rule runs with `not` of it. Items of other types than `simple` and `list` entries
/// (value lists) are reported as unsupported.
pub fn lower_exceptions(
    items: &[Json],
    schema: &shrike_ir::Schema,
    options: &super::LowerOptions,
) -> Result<Lowered, Vec<Diagnostic>> {
    let mut l = Lowerer::new(schema, options);
    let mut any = Vec::new();
    for item in items {
        let entries = item
            .get("entries")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        let mut all = Vec::new();
        for entry in &entries {
            all.push(l.exception_entry(entry, None, 0));
        }
        if !all.is_empty() {
            any.push(Expr::and(all));
        }
    }
    Lowered::from_parts(Expr::or(any), l)
}

impl Lowerer<'_> {
    fn exception_entry(&mut self, entry: &Json, parent: Option<&str>, depth: usize) -> Expr {
        let field = entry.get("field").and_then(Json::as_str).unwrap_or("");
        let field = match parent {
            Some(p) => format!("{p}.{field}"),
            None => field.to_string(),
        };
        let excluded = entry.get("operator").and_then(Json::as_str) == Some("excluded");
        let value = entry.get("value");
        let phrase = |v: &Json| serde_json::json!({"match_phrase": {field.clone(): v}});
        let q = match entry.get("type").and_then(Json::as_str) {
            Some("match") => phrase(value.unwrap_or(&Json::Null)),
            Some("match_any") => {
                serde_json::json!({"bool": {"should": value.and_then(Json::as_array).cloned().unwrap_or_default().iter().map(phrase).collect::<Vec<_>>(), "minimum_should_match": 1}})
            }
            Some("wildcard") => {
                serde_json::json!({"wildcard": {field.clone(): value.cloned().unwrap_or(Json::Null)}})
            }
            Some("exists") => serde_json::json!({"exists": {"field": field}}),
            Some("nested") if depth < 4 => {
                let subs = entry
                    .get("entries")
                    .and_then(Json::as_array)
                    .cloned()
                    .unwrap_or_default();
                let e = Expr::and(
                    subs.iter()
                        .map(|s| self.exception_entry(s, Some(&field), depth + 1))
                        .collect(),
                );
                return if excluded { Expr::negate(e) } else { e };
            }
            other => {
                return self.unsupported(format!(
                    "exception entries of type `{}` are not supported",
                    other.unwrap_or("?")
                ))
            }
        };
        let e = self.dsl(&q, 0);
        if excluded {
            Expr::negate(e)
        } else {
            e
        }
    }
}
