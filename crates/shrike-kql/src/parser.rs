//! The KQL parser: a hand-written recursive-descent emulation of Kibana's PEG grammar
//! (`kbn-es-query/src/kuery/grammar/grammar.peggy`), rule for rule.
//!
//! Why emulate the PEG instead of a classic lexer + parser: KQL is scannerless. Whether a
//! space, or the letters `not`, belong to a value depends on what follows (`a: b c` is the one
//! value `b c`; `a: b or c` is two; `a: cannot be` is an error because `not ` is a keyword
//! even inside a word). Following the grammar's ordered choices and lookaheads literally is
//! the only way to accept and reject exactly what Kibana does. The character-level pieces
//! (escapes, whitespace classes, the keyword lookahead) live in [`crate::scan`].
//!
//! Error reporting follows peggy too: the error is at the furthest position where any rule
//! failed, and "expected" lists what the non-silent rules that failed there wanted (rules
//! with a display name — `value`, `fieldName`, `whitespace`, `OR`… — report only their name).
//! Kibana compiles its grammar with peggy's rule cache on, so a rule already tried at a
//! position is not tried (nor reported) again there; the `Space` and `Literal` rules can be
//! tried silently first and reported later, so their cache is emulated to list the same
//! expectations as Kibana.

use crate::ast::*;
use crate::scan::{self, TextBuilder};
use shrike_diag::{Diagnostic, Span};

/// The default limit on nested `(` / `{` groups.
pub const DEFAULT_MAX_DEPTH: usize = 100;

/// Parser settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseOptions {
    /// Kibana's `query:allowLeadingWildcards` advanced setting. The detection engine always
    /// parses with leading wildcards allowed (`true`, the default here); `false` rejects
    /// values such as `*foo` (a lone `*` stays allowed).
    pub allow_leading_wildcards: bool,
    /// How many `(` / `{` groups may be open at once. Deeper input is rejected with
    /// [`codes::TOO_DEEP`] instead of risking the stack.
    pub max_depth: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            allow_leading_wildcards: true,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// Diagnostic codes of the KQL front end.
pub mod codes {
    /// Syntax error: the text is not KQL (Kibana's `KQLSyntaxError`).
    pub const SYNTAX: &str = "K0001";
    /// Parentheses or braces nested deeper than [`super::ParseOptions::max_depth`].
    pub const TOO_DEEP: &str = "K0002";
    /// A value starts with `*` while leading wildcards are disabled.
    pub const LEADING_WILDCARD: &str = "K0003";
}

/// Parses a KQL query with the default options (those of Kibana's detection engine).
///
/// On failure returns the diagnostics (today always exactly one: like Kibana, parsing stops
/// at the first syntax error).
pub fn parse(text: &str) -> Result<Query, Vec<Diagnostic>> {
    parse_with(text, &ParseOptions::default())
}

/// Parses a KQL query.
pub fn parse_with(text: &str, options: &ParseOptions) -> Result<Query, Vec<Diagnostic>> {
    let mut parser = Parser::new(text, options);
    parser.run().map_err(|d| vec![*d])
}

/// What a failed rule wanted (peggy's "expectations"), for the error message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Expected {
    FieldName,
    Value,
    Literal,
    Token(&'static str),
    And,
    Or,
    Not,
    Whitespace,
    End,
}

impl Expected {
    /// The description peggy gives it (what Kibana sorts and prints, before translating
    /// `fieldName` to `field name`).
    pub(crate) fn peggy_description(self) -> String {
        match self {
            Expected::FieldName => "fieldName".into(),
            Expected::Value => "value".into(),
            Expected::Literal => "literal".into(),
            Expected::Token(t) => format!("\"{t}\""),
            Expected::And => "AND".into(),
            Expected::Or => "OR".into(),
            Expected::Not => "NOT".into(),
            Expected::Whitespace => "whitespace".into(),
            Expected::End => "end of input".into(),
        }
    }

    /// Kibana's wording (`KQLSyntaxError` translates `fieldName`).
    pub(crate) fn kibana_text(self) -> String {
        match self {
            Expected::FieldName => "field name".into(),
            other => other.peggy_description(),
        }
    }

    /// Our wording.
    pub(crate) fn describe(self) -> String {
        match self {
            Expected::FieldName => "a field name".into(),
            Expected::Value => "a value".into(),
            Expected::Literal => "a literal".into(),
            Expected::Token(t) => format!("`{t}`"),
            Expected::And => "`and`".into(),
            Expected::Or => "`or`".into(),
            Expected::Not => "`not`".into(),
            Expected::Whitespace => "whitespace".into(),
            Expected::End => "the end of the query".into(),
        }
    }

    /// Order in our message: what could come next, most useful first.
    pub(crate) fn rank(self) -> u8 {
        match self {
            Expected::FieldName => 0,
            Expected::Value => 1,
            Expected::Literal => 2,
            Expected::Token("(") => 3,
            Expected::Token("{") => 4,
            Expected::Token(":") => 5,
            Expected::Token(_) => 6,
            Expected::Not => 7,
            Expected::And => 8,
            Expected::Or => 9,
            Expected::Whitespace => 11,
            Expected::End => 12,
        }
    }
}

/// The structured form of a syntax error, kept for tests that compare with Kibana.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// Byte offset of the furthest failure.
    pub pos: usize,
    /// What was expected there, deduplicated, in peggy's sorted order.
    pub expected: Vec<Expected>,
}

impl SyntaxError {
    /// The message Kibana's `KQLSyntaxError` shows (first line), for notes and tests.
    pub(crate) fn kibana_message(&self, text: &str) -> String {
        let list: Vec<String> = self.expected.iter().map(|e| e.kibana_text()).collect();
        let found = match text.get(self.pos..).and_then(|r| r.chars().next()) {
            Some(c) => format!("\"{}\"", crate::errors::show_char(c)),
            None => "end of input".to_string(),
        };
        format!("Expected {} but {found} found.", list.join(", "))
    }
}

struct Parser<'t> {
    text: &'t str,
    pos: usize,
    /// > 0 while inside a named rule or a predicate: failures are not reported.
    silent: u32,
    max_fail_pos: usize,
    expected: Vec<Expected>,
    /// Positions where peggy's cache already holds a `Space` / `Literal` result.
    space_tried: Vec<bool>,
    literal_tried: Vec<bool>,
    /// The last literal scanned: (start, result, end).
    literal_cache: Option<(usize, Option<Value>, usize)>,
    depth: usize,
    max_depth: usize,
    allow_leading_wildcards: bool,
    /// A hard error (nesting limit, leading wildcard) that ends the parse at once, like
    /// peggy's `error()`.
    abort: Option<Box<Diagnostic>>,
}

impl<'t> Parser<'t> {
    fn new(text: &'t str, options: &ParseOptions) -> Self {
        Parser {
            text,
            pos: 0,
            silent: 0,
            max_fail_pos: 0,
            expected: Vec::new(),
            space_tried: vec![false; text.len() + 1],
            literal_tried: vec![false; text.len() + 1],
            literal_cache: None,
            depth: 0,
            max_depth: options.max_depth,
            allow_leading_wildcards: options.allow_leading_wildcards,
            abort: None,
        }
    }

    fn run(&mut self) -> Result<Query, Box<Diagnostic>> {
        self.spaces();
        let expr = self.or_query();
        self.spaces();
        if let Some(d) = self.abort.take() {
            return Err(d);
        }
        if self.pos == self.text.len() {
            let span = expr.as_ref().map_or(Span::point(0), |e| e.span);
            return Ok(Query { expr, span });
        }
        self.fail(Expected::End);
        Err(Box::new(self.syntax_diagnostic()))
    }

    // ---- failure bookkeeping ------------------------------------------------------------

    fn fail(&mut self, e: Expected) {
        if self.silent > 0 || self.pos < self.max_fail_pos {
            return;
        }
        if self.pos > self.max_fail_pos {
            self.max_fail_pos = self.pos;
            self.expected.clear();
        }
        if !self.expected.contains(&e) {
            self.expected.push(e);
        }
    }

    fn syntax_error(&self) -> SyntaxError {
        let mut expected = self.expected.clone();
        expected.sort_by_key(|e| e.peggy_description());
        expected.dedup();
        SyntaxError {
            pos: self.max_fail_pos,
            expected,
        }
    }

    fn syntax_diagnostic(&self) -> Diagnostic {
        let err = self.syntax_error();
        crate::errors::syntax_diagnostic(self.text, &err)
    }

    fn aborted(&self) -> bool {
        self.abort.is_some()
    }

    // ---- terminals ------------------------------------------------------------------------

    fn rest(&self) -> &'t str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn eat(&mut self, token: &'static str) -> bool {
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            self.fail(Expected::Token(token));
            false
        }
    }

    /// `Space "whitespace" = [ \t\r\n\u00A0]`, with peggy's cache: a position already tried
    /// is not reported again.
    fn space(&mut self) -> bool {
        let first_try = !self.space_tried[self.pos];
        self.space_tried[self.pos] = true;
        match scan::space_at(self.text, self.pos) {
            Some(len) => {
                self.pos += len;
                true
            }
            None => {
                if first_try {
                    self.fail(Expected::Whitespace);
                }
                false
            }
        }
    }

    /// `Space*`
    fn spaces(&mut self) {
        while self.space() {}
    }

    /// `Space+`
    fn spaces1(&mut self) -> bool {
        if !self.space() {
            return false;
        }
        self.spaces();
        true
    }

    /// A named keyword rule: `Or = Space+ 'or'i Space+`, `And = …`, `Not = 'not'i Space+`.
    fn keyword(&mut self, word: &str, leading_space: bool, name: Expected) -> bool {
        let start = self.pos;
        self.silent += 1;
        let ok = (!leading_space || self.spaces1())
            && scan::starts_with_ignore_ascii_case(self.rest(), word)
            && {
                self.pos += word.len();
                self.spaces1()
            };
        self.silent -= 1;
        if !ok {
            self.pos = start;
            self.fail(name);
        }
        ok
    }

    fn or_keyword(&mut self) -> bool {
        self.keyword("or", true, Expected::Or)
    }

    fn and_keyword(&mut self) -> bool {
        self.keyword("and", true, Expected::And)
    }

    fn not_keyword(&mut self) -> bool {
        self.keyword("not", false, Expected::Not)
    }

    /// Opens a `(` / `{` group that started at `at`; false (and a hard error) past the limit.
    fn enter(&mut self, at: usize) -> bool {
        if self.depth >= self.max_depth {
            if self.abort.is_none() {
                let d = Diagnostic::error(
                    codes::TOO_DEEP,
                    format!(
                        "groups are nested too deeply (more than {} levels)",
                        self.max_depth
                    ),
                )
                .with_span(Span::new(at, at + 1))
                .with_note("shrike limits nesting so that hostile input cannot exhaust the stack");
                self.abort = Some(Box::new(d));
            }
            return false;
        }
        self.depth += 1;
        true
    }

    // ---- query rules ----------------------------------------------------------------------

    /// `OrQuery = AndQuery (Or AndQuery)+ / AndQuery`
    fn or_query(&mut self) -> Option<Expr> {
        let head = self.and_query()?;
        let mut items = vec![head];
        loop {
            let save = self.pos;
            if self.or_keyword() {
                if let Some(e) = self.and_query() {
                    items.push(e);
                    continue;
                }
            }
            self.pos = save;
            break;
        }
        Some(join(items, ExprKind::Or))
    }

    /// `AndQuery = NotQuery (And NotQuery)+ / NotQuery`
    fn and_query(&mut self) -> Option<Expr> {
        let head = self.not_query()?;
        let mut items = vec![head];
        loop {
            let save = self.pos;
            if self.and_keyword() {
                if let Some(e) = self.not_query() {
                    items.push(e);
                    continue;
                }
            }
            self.pos = save;
            break;
        }
        Some(join(items, ExprKind::And))
    }

    /// `NotQuery = Not SubQuery / SubQuery`
    fn not_query(&mut self) -> Option<Expr> {
        if self.aborted() {
            return None;
        }
        let start = self.pos;
        if self.not_keyword() {
            if let Some(e) = self.sub_query() {
                let span = Span::new(start, e.span.end);
                return Some(Expr::new(ExprKind::Not(Box::new(e)), span));
            }
            self.pos = start;
        }
        self.sub_query()
    }

    /// `SubQuery = '(' Space* OrQuery OptionalSpace ')' / NestedQuery`
    fn sub_query(&mut self) -> Option<Expr> {
        if self.aborted() {
            return None;
        }
        let start = self.pos;
        if self.eat("(") {
            if self.enter(start) {
                self.spaces();
                let inner = self.or_query();
                self.depth -= 1;
                if let Some(mut e) = inner {
                    self.spaces();
                    if self.eat(")") {
                        e.span = Span::new(start, self.pos);
                        return Some(e);
                    }
                }
            }
            self.pos = start;
        }
        if self.aborted() {
            return None;
        }
        self.nested_query()
    }

    /// `NestedQuery = Field Space* ':' Space* '{' Space* OrQuery OptionalSpace '}' / Expression`
    fn nested_query(&mut self) -> Option<Expr> {
        let start = self.pos;
        if let Some(path) = self.field() {
            self.spaces();
            if self.eat(":") {
                self.spaces();
                let brace = self.pos;
                if self.eat("{") && self.enter(brace) {
                    self.spaces();
                    let inner = self.or_query();
                    self.depth -= 1;
                    if let Some(query) = inner {
                        self.spaces();
                        if self.eat("}") {
                            let span = Span::new(start, self.pos);
                            let kind = ExprKind::Nested(NestedQuery {
                                path,
                                query: Box::new(query),
                            });
                            return Some(Expr::new(kind, span));
                        }
                    }
                }
            }
            self.pos = start;
        }
        if self.aborted() {
            return None;
        }
        self.expression()
    }

    /// `Expression = FieldRangeExpression / FieldValueExpression / ValueExpression`
    fn expression(&mut self) -> Option<Expr> {
        if let Some(e) = self.field_range() {
            return Some(e);
        }
        if let Some(e) = self.field_value() {
            return Some(e);
        }
        // ValueExpression = Value
        let value = self.value()?;
        let span = value.span;
        Some(Expr::new(ExprKind::Term(value), span))
    }

    /// `FieldRangeExpression = Field Space* RangeOperator Space* Literal`
    fn field_range(&mut self) -> Option<Expr> {
        let start = self.pos;
        let field = self.field()?;
        self.spaces();
        if let Some(op) = self.range_operator() {
            self.spaces();
            if let Some(value) = self.literal() {
                let span = Span::new(start, value.span.end);
                let kind = ExprKind::Range(RangeQuery { field, op, value });
                return Some(Expr::new(kind, span));
            }
        }
        self.pos = start;
        None
    }

    /// `RangeOperator = '<=' / '>=' / '<' / '>'`
    fn range_operator(&mut self) -> Option<RangeOp> {
        for (token, op) in [
            ("<=", RangeOp::Lte),
            (">=", RangeOp::Gte),
            ("<", RangeOp::Lt),
            (">", RangeOp::Gt),
        ] {
            if self.eat(token) {
                return Some(op);
            }
        }
        None
    }

    /// `FieldValueExpression = Field Space* ':' Space* ListOfValues`
    fn field_value(&mut self) -> Option<Expr> {
        let start = self.pos;
        let field = self.field()?;
        self.spaces();
        if self.eat(":") {
            self.spaces();
            if let Some(value) = self.list_of_values() {
                let span = Span::new(start, value.span.end);
                let kind = ExprKind::Field(FieldMatch { field, value });
                return Some(Expr::new(kind, span));
            }
        }
        self.pos = start;
        None
    }

    // ---- value-list rules -----------------------------------------------------------------

    /// `ListOfValues = '(' Space* OrListOfValues OptionalSpace ')' / Value`
    fn list_of_values(&mut self) -> Option<ValueExpr> {
        if self.aborted() {
            return None;
        }
        let start = self.pos;
        if self.eat("(") {
            if self.enter(start) {
                self.spaces();
                let inner = self.or_list();
                self.depth -= 1;
                if let Some(mut v) = inner {
                    self.spaces();
                    if self.eat(")") {
                        v.span = Span::new(start, self.pos);
                        return Some(v);
                    }
                }
            }
            self.pos = start;
        }
        if self.aborted() {
            return None;
        }
        let value = self.value()?;
        let span = value.span;
        Some(ValueExpr::new(ValueExprKind::Value(value), span))
    }

    /// `OrListOfValues = AndListOfValues (Or AndListOfValues)+ / AndListOfValues`
    fn or_list(&mut self) -> Option<ValueExpr> {
        let head = self.and_list()?;
        let mut items = vec![head];
        loop {
            let save = self.pos;
            if self.or_keyword() {
                if let Some(v) = self.and_list() {
                    items.push(v);
                    continue;
                }
            }
            self.pos = save;
            break;
        }
        Some(join_values(items, ValueExprKind::Or))
    }

    /// `AndListOfValues = NotListOfValues (And NotListOfValues)+ / NotListOfValues`
    fn and_list(&mut self) -> Option<ValueExpr> {
        let head = self.not_list()?;
        let mut items = vec![head];
        loop {
            let save = self.pos;
            if self.and_keyword() {
                if let Some(v) = self.not_list() {
                    items.push(v);
                    continue;
                }
            }
            self.pos = save;
            break;
        }
        Some(join_values(items, ValueExprKind::And))
    }

    /// `NotListOfValues = Not ListOfValues / ListOfValues`
    fn not_list(&mut self) -> Option<ValueExpr> {
        if self.aborted() {
            return None;
        }
        let start = self.pos;
        if self.not_keyword() {
            if let Some(v) = self.list_of_values() {
                let span = Span::new(start, v.span.end);
                return Some(ValueExpr::new(ValueExprKind::Not(Box::new(v)), span));
            }
            self.pos = start;
        }
        self.list_of_values()
    }

    // ---- literals -------------------------------------------------------------------------

    /// `Field "fieldName" = Literal`
    fn field(&mut self) -> Option<Value> {
        if self.aborted() {
            return None;
        }
        self.silent += 1;
        let v = self.literal();
        self.silent -= 1;
        if v.is_none() {
            self.fail(Expected::FieldName);
        }
        v
    }

    /// `Literal "literal" = QuotedString / UnquotedLiteral` (with peggy's cache: see
    /// [`Parser::space`]).
    fn literal(&mut self) -> Option<Value> {
        let first_try = !self.literal_tried[self.pos];
        self.literal_tried[self.pos] = true;
        self.silent += 1;
        let v = self.quoted_or_unquoted();
        self.silent -= 1;
        if v.is_none() && first_try {
            self.fail(Expected::Literal);
        }
        v
    }

    /// `Value "value" = QuotedString / UnquotedLiteral` (rejecting leading wildcards when
    /// they are disabled).
    fn value(&mut self) -> Option<Value> {
        if self.aborted() {
            return None;
        }
        self.silent += 1;
        let v = self.quoted_or_unquoted();
        self.silent -= 1;
        match v {
            Some(v) => {
                if let ValueKind::Pattern(p) = &v.kind {
                    if !self.allow_leading_wildcards && p.has_leading_star() {
                        self.abort = Some(Box::new(leading_wildcard_error(v.span)));
                        return None;
                    }
                }
                Some(v)
            }
            None => {
                self.fail(Expected::Value);
                None
            }
        }
    }

    /// `QuotedString / UnquotedLiteral`, the body of both `Literal` and `Value`.
    ///
    /// The grammar tries a field name up to three times at the start of every expression
    /// (nested query, range, field match) and then maybe as a free-text value; like peggy's
    /// rule cache, the last result is remembered so the text is scanned once. The scan is
    /// silent and marks the same `Space` positions every time, so reusing it changes nothing
    /// but the speed.
    fn quoted_or_unquoted(&mut self) -> Option<Value> {
        let start = self.pos;
        if let Some((at, result, end)) = &self.literal_cache {
            if *at == start {
                self.pos = *end;
                return result.clone();
            }
        }
        let result = match self.quoted_string() {
            Some(v) => Some(v),
            None => self.unquoted_literal(),
        };
        self.literal_cache = Some((start, result.clone(), self.pos));
        result
    }

    /// `QuotedString = '"' QuotedCharacter* '"'`
    fn quoted_string(&mut self) -> Option<Value> {
        let start = self.pos;
        if !self.rest().starts_with('"') {
            return None;
        }
        self.pos += 1;
        let mut text = TextBuilder::default();
        while let Some((piece, len)) = scan::quoted_char(self.rest()) {
            text.push(piece);
            self.pos += len;
        }
        if self.rest().starts_with('"') {
            self.pos += 1;
            let span = Span::new(start, self.pos);
            return Some(Value::new(ValueKind::Phrase(text.finish()), span));
        }
        self.pos = start;
        None
    }

    /// `UnquotedLiteral = UnquotedCharacter+`, then Kibana's action: join, `trim()`, and type
    /// it as null / boolean / wildcard / string.
    fn unquoted_literal(&mut self) -> Option<Value> {
        let start = self.pos;
        let mut parts: Vec<PatternPart> = Vec::new();
        let mut text = TextBuilder::default();
        loop {
            match scan::unquoted_char(self.text, self.pos, &mut self.space_tried) {
                Some((scan::Unquoted::Piece(piece), len)) => {
                    text.push(piece);
                    self.pos += len;
                }
                Some((scan::Unquoted::Star, len)) => {
                    if !text.is_empty() {
                        parts.push(PatternPart::Text(std::mem::take(&mut text).finish()));
                    }
                    parts.push(PatternPart::Star);
                    self.pos += len;
                }
                None => break,
            }
        }
        if self.pos == start {
            return None;
        }
        if !text.is_empty() {
            parts.push(PatternPart::Text(text.finish()));
        }
        let span = scan::trim_span(self.text, Span::new(start, self.pos));
        Some(Value::new(classify(parts), span))
    }
}

/// Kibana's `UnquotedLiteral` action: trim with JavaScript's `trim()` (which stops at a
/// wildcard), then `null` / `true` / `false` / wildcard / string.
fn classify(mut parts: Vec<PatternPart>) -> ValueKind {
    if let Some(PatternPart::Text(first)) = parts.first_mut() {
        let trimmed = first.trim_start_matches(is_js_whitespace);
        if trimmed.len() != first.len() {
            *first = trimmed.to_string();
        }
        if first.is_empty() && parts.len() > 1 {
            parts.remove(0);
        }
    }
    if let Some(PatternPart::Text(last)) = parts.last_mut() {
        let trimmed = last.trim_end_matches(is_js_whitespace);
        if trimmed.len() != last.len() {
            *last = trimmed.to_string();
        }
        if last.is_empty() && parts.len() > 1 {
            parts.pop();
        }
    }
    if parts.contains(&PatternPart::Star) {
        return ValueKind::Pattern(Pattern { parts });
    }
    let text = match parts.pop() {
        Some(PatternPart::Text(t)) => t,
        _ => String::new(),
    };
    match text.as_str() {
        "null" => ValueKind::Null,
        "true" => ValueKind::Bool(true),
        "false" => ValueKind::Bool(false),
        _ => ValueKind::Text(text),
    }
}

fn leading_wildcard_error(span: Span) -> Diagnostic {
    Diagnostic::error(codes::LEADING_WILDCARD, "leading wildcards are disabled")
        .with_span(span)
        .with_note(
            "Kibana's `query:allowLeadingWildcards` setting is off for this parse; the \
             detection engine always allows them",
        )
        .with_help("remove the leading `*`, or allow leading wildcards")
}

/// One item stays itself; several become one `Or` / `And` node spanning them all.
fn join(mut items: Vec<Expr>, make: fn(Vec<Expr>) -> ExprKind) -> Expr {
    if items.len() == 1 {
        if let Some(only) = items.pop() {
            return only;
        }
    }
    let span = match (items.first(), items.last()) {
        (Some(a), Some(b)) => a.span.to(b.span),
        _ => Span::default(),
    };
    Expr::new(make(items), span)
}

fn join_values(mut items: Vec<ValueExpr>, make: fn(Vec<ValueExpr>) -> ValueExprKind) -> ValueExpr {
    if items.len() == 1 {
        if let Some(only) = items.pop() {
            return only;
        }
    }
    let span = match (items.first(), items.last()) {
        (Some(a), Some(b)) => a.span.to(b.span),
        _ => Span::default(),
    };
    ValueExpr::new(make(items), span)
}

/// Runs the parser and returns the structured syntax error, for tests comparing with Kibana.
#[cfg(test)]
pub(crate) fn syntax_error_of(text: &str) -> Option<SyntaxError> {
    let mut parser = Parser::new(text, &ParseOptions::default());
    match parser.run() {
        Ok(_) => None,
        Err(_) => Some(parser.syntax_error()),
    }
}
