//! Hand-written recursive-descent parser: tokens → [`ast::Query`].
//!
//! The grammar and precedence are Elasticsearch's (`EqlBase.g4`), loosest first:
//!
//! ```text
//! or  <  and  <  not  <  comparison (non-associative)  <  + -  <  * / %  <  unary -
//!     <  predicate (`:` `like` `regex` `in`, bound to one primary)  <  primary
//! ```
//!
//! `and`/`or` chains become one n-ary node. Errors are collected, not thrown: where the
//! intent is clear (`=` for `==`, `AND` for `and`, a single-quoted string) the parser
//! records a diagnostic and goes on as if the text were right; elsewhere it skips to the
//! end of the clause (`]`) or to the next pipe and continues, so one run reports as many
//! problems as it can.
//!
//! Input safety: both the parser's recursion and the depth of the tree it builds are
//! limited to [`MAX_DEPTH`]; deeper input is an error (`E0111`), never a stack overflow.
//! Every recursive walk over the AST relies on this bound.

use crate::ast::*;
use crate::codes;
use crate::lexer::{tokenize, Keyword, Token, TokenKind};
use crate::MAX_DEPTH;
use shrike_diag::{Diagnostic, Span};

/// The outcome of parsing: the tree (when the text could be parsed to the end, possibly
/// after recoverable errors) and every diagnostic found.
pub(crate) struct Parsed {
    /// The tree, unless an error forced the parser to skip part of the text.
    pub query: Option<Query>,
    /// Lexical and syntax diagnostics, in source order.
    pub diags: Vec<Diagnostic>,
}

/// Parses `text` into a query; see [`Parsed`].
pub(crate) fn parse_query(text: &str) -> Parsed {
    let (toks, diags) = tokenize(text);
    let mut p = Parser {
        toks,
        pos: 0,
        diags,
        depth: 0,
        incomplete: false,
        gave_up: false,
        last_end: 0,
    };
    let query = p.query();
    let mut diags = p.diags;
    diags.sort_by_key(|d| d.span.start);
    let query = if p.incomplete { None } else { query };
    Parsed { query, diags }
}

/// Marks a construct abandoned after its error was reported.
struct Abort;

type PResult<T> = Result<T, Abort>;

/// An expression and the depth of its tree (1 for a leaf).
struct Node {
    expr: Expr,
    depth: usize,
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    diags: Vec<Diagnostic>,
    /// Current recursion depth of the expression parser.
    depth: usize,
    /// Part of the text was skipped: the tree is incomplete.
    incomplete: bool,
    /// The nesting limit was hit: stop reporting anything else.
    gave_up: bool,
    /// End of the last consumed token.
    last_end: usize,
}

fn is_comparison(kind: &TokenKind) -> Option<CmpOp> {
    Some(match kind {
        TokenKind::EqEq | TokenKind::Assign => CmpOp::Eq,
        TokenKind::NotEq => CmpOp::NotEq,
        TokenKind::Lt => CmpOp::Lt,
        TokenKind::LtEq => CmpOp::LtEq,
        TokenKind::Gt => CmpOp::Gt,
        TokenKind::GtEq => CmpOp::GtEq,
        _ => return None,
    })
}

/// Time units `maxspan` accepts, and words people write instead.
fn time_unit(word: &str) -> Result<TimeUnit, Option<&'static str>> {
    Ok(match word {
        "ms" => TimeUnit::Millis,
        "s" => TimeUnit::Seconds,
        "m" => TimeUnit::Minutes,
        "h" => TimeUnit::Hours,
        "d" => TimeUnit::Days,
        _ => {
            let lower = word.to_ascii_lowercase();
            let hint = match lower.as_str() {
                "ms" | "msec" | "msecs" | "millis" | "millisecond" | "milliseconds" => "ms",
                "s" | "sec" | "secs" | "second" | "seconds" => "s",
                "m" | "min" | "mins" | "minute" | "minutes" => "m",
                "h" | "hr" | "hrs" | "hour" | "hours" => "h",
                "d" | "day" | "days" => "d",
                _ => return Err(None),
            };
            return Err(Some(hint));
        }
    })
}

impl Parser {
    // ----- token access -------------------------------------------------------------

    fn peek(&self) -> &TokenKind {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> &TokenKind {
        let i = (self.pos + ahead).min(self.toks.len() - 1);
        &self.toks[i].kind
    }

    /// The current token's span; at the end of the text, the point just after the last
    /// token (so "found the end of the query" points at the line that needs more).
    fn span(&self) -> Span {
        let tok = &self.toks[self.pos.min(self.toks.len() - 1)];
        if tok.kind == TokenKind::Eof {
            Span::point(self.last_end)
        } else {
            tok.span
        }
    }

    fn span_at(&self, ahead: usize) -> Span {
        self.toks[(self.pos + ahead).min(self.toks.len() - 1)].span
    }

    fn bump(&mut self) -> Token {
        let tok = self.toks[self.pos.min(self.toks.len() - 1)].clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        if tok.kind != TokenKind::Eof {
            self.last_end = tok.span.end;
        }
        tok
    }

    fn at(&self, kind: &TokenKind) -> bool {
        self.peek() == kind
    }

    fn at_kw(&self, kw: Keyword) -> bool {
        *self.peek() == TokenKind::Kw(kw)
    }

    fn eat(&mut self, kind: &TokenKind) -> bool {
        if self.at(kind) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// Whether the current token is an identifier spelling `word` in another case
    /// (`AND` for `and`).
    fn at_miscased(&self, word: &str) -> bool {
        matches!(self.peek(), TokenKind::Ident(s) if s.eq_ignore_ascii_case(word))
    }

    // ----- diagnostics --------------------------------------------------------------

    fn report(&mut self, diag: Diagnostic) {
        if !self.gave_up {
            self.diags.push(diag);
        }
    }

    /// "expected X, found Y" at the current token; returns [`Abort`] for `?`.
    #[cold]
    #[inline(never)]
    fn expected(&mut self, what: &str) -> Abort {
        let found = self.peek().describe();
        let span = self.span();
        let mut diag = Diagnostic::error(
            codes::UNEXPECTED_TOKEN,
            format!("expected {what}, found {found}"),
        )
        .with_span(span);
        if what.contains("expression") || what.contains("field") {
            if let Some(help) = self.help_for_current() {
                diag = diag.with_help(help);
            }
        }
        self.report(diag);
        Abort
    }

    /// Advice for common mistakes at the current token.
    fn help_for_current(&self) -> Option<String> {
        Some(match self.peek() {
            TokenKind::Kw(k)
                if !matches!(
                    k,
                    Keyword::And
                        | Keyword::Or
                        | Keyword::Not
                        | Keyword::Null
                        | Keyword::True
                        | Keyword::False
                ) =>
            {
                format!(
                    "`{0}` is a reserved word; to use it as a field name, back-quote it: `{0}`",
                    k.as_str()
                )
            }
            TokenKind::Ident(s) if s == "AND" || s == "OR" || s == "NOT" => {
                format!("EQL keywords are lower-case: `{}`", s.to_ascii_lowercase())
            }
            _ => return None,
        })
    }

    #[cold]
    #[inline(never)]
    fn soft(&mut self, code: &'static str, message: impl Into<String>, span: Span, help: &str) {
        let diag = Diagnostic::error(code, message)
            .with_span(span)
            .with_help(help.to_string());
        self.report(diag);
    }

    /// Builds a node whose children have depth `child_depth`, enforcing [`MAX_DEPTH`].
    fn node(&mut self, kind: ExprKind, span: Span, child_depth: usize) -> PResult<Node> {
        let depth = child_depth + 1;
        if depth > MAX_DEPTH {
            return Err(self.too_deep(span));
        }
        Ok(Node {
            expr: Expr::new(kind, span),
            depth,
        })
    }

    #[cold]
    #[inline(never)]
    fn too_deep(&mut self, span: Span) -> Abort {
        if !self.gave_up {
            self.report(
                Diagnostic::error(
                    codes::TOO_DEEP,
                    format!("the query nests more than {MAX_DEPTH} levels deep"),
                )
                .with_span(span)
                .with_help(
                    "split long arithmetic chains and remove redundant parentheses or `not`s",
                ),
            );
            self.gave_up = true;
        }
        self.incomplete = true;
        Abort
    }

    /// Runs `f` one recursion level deeper, failing cleanly past [`MAX_DEPTH`].
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        if self.depth >= MAX_DEPTH {
            let span = self.span();
            return Err(self.too_deep(span));
        }
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        out
    }

    // ----- recovery -------------------------------------------------------------------

    /// Index of the first token at or after the current position that closes the bracket
    /// opened at `open` (a `[` or `![`), if any.
    fn matching_bracket(&self, open: usize) -> Option<usize> {
        let mut depth = 0i64;
        for (i, tok) in self.toks.iter().enumerate().skip(open) {
            match tok.kind {
                TokenKind::LBracket | TokenKind::MissingOpen | TokenKind::LParen => depth += 1,
                TokenKind::RBracket | TokenKind::RParen => {
                    depth -= 1;
                    if depth == 0 && i >= self.pos && tok.kind == TokenKind::RBracket {
                        return Some(i);
                    }
                }
                TokenKind::Eof => return None,
                _ => {}
            }
        }
        None
    }

    /// Moves to the next `|` outside brackets (counting from `start`), or to the end.
    fn skip_to_pipe(&mut self, start: usize) {
        self.incomplete = true;
        let mut depth = 0i64;
        for i in start..self.toks.len() {
            match self.toks[i].kind {
                TokenKind::LBracket | TokenKind::MissingOpen | TokenKind::LParen => depth += 1,
                TokenKind::RBracket | TokenKind::RParen => depth -= 1,
                TokenKind::Pipe if depth <= 0 && i >= self.pos => {
                    self.pos = i;
                    return;
                }
                TokenKind::Eof => break,
                _ => {}
            }
        }
        self.pos = self.toks.len() - 1;
    }

    // ----- queries --------------------------------------------------------------------

    fn query(&mut self) -> Option<Query> {
        let start_span = self.span();
        let start = self.pos;
        let body = match self.peek() {
            TokenKind::Eof => {
                self.report(
                    Diagnostic::error(codes::EMPTY_QUERY, "the query is empty")
                        .with_span(Span::point(0))
                        .with_help(
                            "write an event query (`process where process.name == \"cmd.exe\"`), \
                             a `sequence` or a `sample`",
                        ),
                );
                self.incomplete = true;
                return None;
            }
            TokenKind::Kw(Keyword::Sequence) => self.sequence().map(QueryBody::Sequence),
            TokenKind::Kw(Keyword::Sample) => self.sample().map(QueryBody::Sample),
            TokenKind::Kw(Keyword::Join) => {
                let span = self.span();
                self.report(
                    Diagnostic::error(
                        codes::JOIN_UNSUPPORTED,
                        "`join` is not supported by Elasticsearch EQL",
                    )
                    .with_span(span)
                    .with_help(
                        "use `sequence by …` when the events happen in order, or `sample by …` \
                         when they do not",
                    ),
                );
                Err(Abort)
            }
            _ => self.event_query(false).map(QueryBody::Event),
        };
        let body = match body {
            Ok(b) => Some(b),
            Err(Abort) => {
                self.skip_to_pipe(start);
                None
            }
        };
        let mut pipes = Vec::new();
        while self.at(&TokenKind::Pipe) {
            let pipe_start = self.pos;
            match self.pipe() {
                Ok(Some(p)) => pipes.push(p),
                Ok(None) => {}
                Err(Abort) => self.skip_to_pipe(pipe_start + 1),
            }
        }
        if !self.at(&TokenKind::Eof) && !self.gave_up {
            let what = if body.is_some() && pipes.is_empty() {
                match self.peek() {
                    TokenKind::RBracket | TokenKind::RParen => {
                        "the end of the query (this closing bracket has no opening one)"
                    }
                    _ => "`and`, `or`, a pipe `|` or the end of the query",
                }
            } else {
                "a pipe `|` or the end of the query"
            };
            let found = self.peek().describe();
            let span = self.span();
            let mut diag = Diagnostic::error(
                codes::TRAILING_INPUT,
                format!("expected {what}, found {found}"),
            )
            .with_span(span);
            if let Some(help) = self.help_for_current() {
                diag = diag.with_help(help);
            } else if body.is_some() && self.starts_operand(0) {
                diag = diag.with_help("join two conditions with `and` or `or`");
            }
            self.report(diag);
            self.incomplete = true;
        }
        let span = Span::new(start_span.start, self.last_end.max(start_span.start));
        Some(Query {
            body: body?,
            pipes,
            span,
        })
    }

    /// `category where condition`. In a clause (`in_clause`), stops before `]`.
    fn event_query(&mut self, in_clause: bool) -> PResult<EventQuery> {
        let tok = self.span();
        let category = match self.peek().clone() {
            TokenKind::Kw(Keyword::Any) => {
                self.bump();
                Category::Any(tok)
            }
            TokenKind::Ident(name) | TokenKind::Str(name) => {
                self.bump();
                Category::Named(name, tok)
            }
            TokenKind::QuotedIdent(name) => {
                self.bump();
                self.soft(
                    codes::QUOTED_CATEGORY,
                    "event categories cannot be back-quoted",
                    tok,
                    &format!(
                        "quote the category as a string: \"{}\"",
                        name.escape_default()
                    ),
                );
                Category::Named(name, tok)
            }
            TokenKind::Kw(Keyword::Where) => {
                let diag = Diagnostic::error(
                    codes::UNEXPECTED_TOKEN,
                    "expected an event category before `where`",
                )
                .with_span(tok)
                .with_help("name the category (`process where …`), or use `any where …` to match every event");
                self.report(diag);
                return Err(Abort);
            }
            _ => {
                let what = if in_clause {
                    "an event category (`process`, `file`, `any`…)"
                } else {
                    "an event category (`process`, `any`…), `sequence` or `sample`"
                };
                return Err(self.expected(what));
            }
        };
        if self.at_miscased("where") {
            let span = self.span();
            self.soft(
                codes::KEYWORD_CASE,
                "EQL keywords are lower-case",
                span,
                "write `where`",
            );
            self.bump();
        } else if !self.eat(&TokenKind::Kw(Keyword::Where)) {
            let name = match &category {
                Category::Any(_) => "any".to_string(),
                Category::Named(n, _) => n.clone(),
            };
            return Err(self.expected(&format!("`where` after the event category `{name}`")));
        }
        if matches!(
            self.peek(),
            TokenKind::Eof | TokenKind::RBracket | TokenKind::Pipe
        ) {
            return Err(self.expected("a condition after `where`"));
        }
        let condition = self.expr()?.expr;
        let span = category.span().to(condition.span);
        Ok(EventQuery {
            category,
            condition,
            span,
        })
    }

    /// `sequence [by …] [with maxspan=…] [..]+ [until [..]]`.
    fn sequence(&mut self) -> PResult<Sequence> {
        let start = self.bump().span;
        let mut by = Vec::new();
        let mut maxspan = None;
        if self.at_kw(Keyword::By) {
            by = self.join_keys()?;
            if self.at_kw(Keyword::With) {
                maxspan = Some(self.maxspan()?);
            }
        } else if self.at_kw(Keyword::With) {
            maxspan = Some(self.maxspan()?);
            if self.at_kw(Keyword::By) {
                let span = self.span();
                self.soft(
                    codes::BY_AFTER_WITH,
                    "`by` must come before `with maxspan`",
                    span,
                    "write `sequence by key with maxspan=…`",
                );
                by = self.join_keys()?;
            }
        }
        let mut clauses = Vec::new();
        while matches!(self.peek(), TokenKind::LBracket | TokenKind::MissingOpen) {
            if let Some(clause) = self.clause(ClauseOf::Sequence) {
                clauses.push(clause);
            }
        }
        if clauses.is_empty() && !self.incomplete {
            return Err(self.expected("a bracketed clause `[category where …]`"));
        }
        let mut until = None;
        if self.at_kw(Keyword::Until) {
            self.bump();
            if matches!(self.peek(), TokenKind::LBracket | TokenKind::MissingOpen) {
                until = self.clause(ClauseOf::Until);
            } else {
                return Err(self.expected("a bracketed clause after `until`"));
            }
        }
        Ok(Sequence {
            by,
            maxspan,
            clauses,
            until,
            span: Span::new(start.start, self.last_end),
        })
    }

    /// `sample [by …] [..]+`.
    fn sample(&mut self) -> PResult<Sample> {
        let start = self.bump().span;
        let mut by = Vec::new();
        if self.at_kw(Keyword::By) {
            by = self.join_keys()?;
        }
        if self.at_kw(Keyword::With) {
            let span = self.span();
            self.sample_option(span, "`with maxspan`");
            // Read and drop it so the rest can be checked.
            self.maxspan()?;
        }
        let mut clauses = Vec::new();
        while matches!(self.peek(), TokenKind::LBracket | TokenKind::MissingOpen) {
            if let Some(clause) = self.clause(ClauseOf::Sample) {
                clauses.push(clause);
            }
        }
        if clauses.is_empty() && !self.incomplete {
            return Err(self.expected("a bracketed clause `[category where …]`"));
        }
        if self.at_kw(Keyword::Until) {
            let span = self.span();
            self.sample_option(span, "`until`");
            self.bump();
            if matches!(self.peek(), TokenKind::LBracket | TokenKind::MissingOpen) {
                self.clause(ClauseOf::Sample);
            }
        }
        Ok(Sample {
            by,
            clauses,
            span: Span::new(start.start, self.last_end),
        })
    }

    fn sample_option(&mut self, span: Span, what: &str) {
        self.report(
            Diagnostic::error(
                codes::SAMPLE_OPTION,
                format!("samples do not support {what}"),
            )
            .with_span(span)
            .with_note("a sample matches events that share join keys, in any order and at any distance in time")
            .with_help("use a `sequence` for ordered events within a time span"),
        );
    }

    /// `with maxspan=<int><unit>`.
    fn maxspan(&mut self) -> PResult<TimeSpan> {
        let with = self.bump().span;
        if !self.at_kw(Keyword::Maxspan) {
            if matches!(self.peek(), TokenKind::Ident(s) if s == "runs") {
                let span = self.span();
                self.report(
                    Diagnostic::error(
                        codes::UNEXPECTED_TOKEN,
                        "`runs` belongs to a clause, not to the sequence",
                    )
                    .with_span(span)
                    .with_help("repeat one clause with `[process where …] with runs=3`"),
                );
                return Err(Abort);
            }
            return Err(self.expected("`maxspan` after `with`"));
        }
        self.bump();
        self.assign("maxspan")?;
        let value_span = self.span();
        let value = match self.peek().clone() {
            TokenKind::Int(text) => {
                self.bump();
                match text.parse::<i64>() {
                    Ok(v) => v,
                    Err(_) => {
                        self.soft(
                            codes::BAD_MAXSPAN,
                            format!("maxspan `{text}` is too large"),
                            value_span,
                            "use a larger unit, e.g. `d` for days",
                        );
                        1
                    }
                }
            }
            TokenKind::Decimal(text) => {
                self.bump();
                self.soft(
                    codes::BAD_MAXSPAN,
                    format!("maxspan must be a whole number, found `{text}`"),
                    value_span,
                    "use a smaller unit instead of a fraction: `1500ms` rather than `1.5s`",
                );
                1
            }
            TokenKind::Minus => {
                self.bump();
                self.report(
                    Diagnostic::error(codes::MAXSPAN_NOT_POSITIVE, "maxspan must be positive")
                        .with_span(value_span),
                );
                return Err(Abort);
            }
            _ => return Err(self.expected("a duration such as `5m` after `maxspan=`")),
        };
        let unit = match self.peek().clone() {
            TokenKind::Ident(word) => {
                let unit_span = self.span();
                self.bump();
                match time_unit(&word) {
                    Ok(u) => u,
                    Err(hint) => {
                        let help = match hint {
                            Some(h) => {
                                format!("did you mean `{value}{h}`? units are ms, s, m, h and d")
                            }
                            None => "use one of the units ms, s, m, h, d".to_string(),
                        };
                        self.soft(
                            codes::BAD_MAXSPAN,
                            format!("unknown time unit `{word}` in maxspan"),
                            unit_span,
                            &help,
                        );
                        TimeUnit::Seconds
                    }
                }
            }
            _ => {
                self.soft(
                    codes::BAD_MAXSPAN,
                    format!("maxspan `{value}` has no time unit"),
                    value_span,
                    &format!("did you mean `{value}s`? units are ms, s, m, h and d"),
                );
                TimeUnit::Seconds
            }
        };
        let _ = with;
        Ok(TimeSpan {
            value,
            unit,
            span: Span::new(value_span.start, self.last_end),
        })
    }

    /// Expects `=` (accepting `==` with a diagnostic) after `what` in `with what=`.
    fn assign(&mut self, what: &str) -> PResult<()> {
        match self.peek() {
            TokenKind::Assign => {
                self.bump();
                Ok(())
            }
            TokenKind::EqEq => {
                let span = self.span();
                self.soft(
                    codes::UNEXPECTED_TOKEN,
                    format!("`{what}` takes a single `=`"),
                    span,
                    &format!("write `with {what}=…`"),
                );
                self.bump();
                Ok(())
            }
            _ => Err(self.expected(&format!("`=` after `{what}`"))),
        }
    }

    /// `by e1, e2, …`.
    fn join_keys(&mut self) -> PResult<Vec<Expr>> {
        self.bump();
        let mut keys = vec![self.expr()?.expr];
        while self.eat(&TokenKind::Comma) {
            keys.push(self.expr()?.expr);
        }
        Ok(keys)
    }

    /// One `[…]`/`![…]` clause with its `by` and `with runs`. On a syntax error inside,
    /// skips to the closing `]` and returns `None`.
    fn clause(&mut self, of: ClauseOf) -> Option<SequenceClause> {
        let open_index = self.pos;
        let open = self.bump();
        let missing = open.kind == TokenKind::MissingOpen;
        let inner = self.event_query(true).and_then(|q| {
            if self.eat(&TokenKind::RBracket) {
                Ok(q)
            } else {
                Err(self.list_not_closed(open.span, "`]` to close the clause"))
            }
        });
        let query = match inner {
            Ok(q) => q,
            Err(Abort) => {
                self.incomplete = true;
                match self.matching_bracket(open_index) {
                    Some(close) => self.pos = close + 1,
                    None => self.pos = self.toks.len() - 1,
                }
                // Skip what may follow the clause too.
                self.clause_tail(of).ok();
                return None;
            }
        };
        match self.clause_tail(of) {
            Ok((by, runs)) => Some(SequenceClause {
                query,
                by,
                runs,
                missing,
                span: Span::new(open.span.start, self.last_end),
            }),
            Err(Abort) => {
                self.incomplete = true;
                None
            }
        }
    }

    /// `[by …] [with runs=N]` after a clause's `]`.
    fn clause_tail(&mut self, of: ClauseOf) -> PResult<(Vec<Expr>, Option<Runs>)> {
        let mut by = Vec::new();
        let mut runs = None;
        if self.at_kw(Keyword::By) {
            by = self.join_keys()?;
        }
        if matches!(self.peek(), TokenKind::Ident(s) if s == "fork") {
            let span = self.span();
            self.report(
                Diagnostic::error(
                    codes::FORK_UNSUPPORTED,
                    "`fork` is not supported by Elasticsearch EQL",
                )
                .with_span(span)
                .with_help("remove `fork`; every matching event can start a new sequence"),
            );
            self.bump();
            if (self.eat(&TokenKind::Assign) || self.eat(&TokenKind::EqEq))
                && matches!(self.peek(), TokenKind::Kw(Keyword::True | Keyword::False))
            {
                self.bump();
            }
            if self.at_kw(Keyword::By) && by.is_empty() {
                by = self.join_keys()?;
            }
        }
        if self.at_kw(Keyword::With) {
            let with = self.bump().span;
            match self.peek().clone() {
                TokenKind::Ident(name) if name == "runs" => {
                    self.bump();
                    self.assign("runs")?;
                    let value_span = self.span();
                    let count = match self.peek().clone() {
                        TokenKind::Int(text) => {
                            self.bump();
                            text.parse::<i64>().unwrap_or(i64::MAX)
                        }
                        TokenKind::Decimal(text) => {
                            self.bump();
                            self.soft(
                                codes::BAD_RUNS_VALUE,
                                format!("`runs` must be a whole number, found `{text}`"),
                                value_span,
                                "write `with runs=2`",
                            );
                            1
                        }
                        _ => return Err(self.expected("a number after `runs=`")),
                    };
                    runs = Some(Runs {
                        count,
                        span: Span::new(with.start, self.last_end),
                    });
                    if of == ClauseOf::Sample {
                        self.sample_option(Span::new(with.start, self.last_end), "`with runs`");
                    }
                }
                TokenKind::Kw(Keyword::Maxspan) => {
                    let span = self.span();
                    self.report(
                        Diagnostic::error(
                            codes::UNKNOWN_CLAUSE_OPTION,
                            "`maxspan` applies to the whole sequence, not to one clause",
                        )
                        .with_span(span)
                        .with_help(
                            "write it after `sequence`: `sequence by host.id with maxspan=5m`",
                        ),
                    );
                    self.skip_option();
                }
                TokenKind::Ident(name) => {
                    let span = self.span();
                    self.report(
                        Diagnostic::error(
                            codes::UNKNOWN_CLAUSE_OPTION,
                            format!("unknown clause option `{name}`"),
                        )
                        .with_span(span)
                        .with_help("the only clause option is `runs`: `[…] with runs=3`"),
                    );
                    self.skip_option();
                }
                _ => return Err(self.expected("`runs` after `with`")),
            }
            if self.at_kw(Keyword::By) {
                let span = self.span();
                self.soft(
                    codes::BY_AFTER_WITH,
                    "`by` must come before `with runs`",
                    span,
                    "write `[…] by key with runs=N`",
                );
                by = self.join_keys()?;
            }
        }
        Ok((by, runs))
    }

    /// Skips `name = value [unit]` after a reported clause option.
    fn skip_option(&mut self) {
        self.bump();
        if matches!(self.peek(), TokenKind::Assign | TokenKind::EqEq) {
            self.bump();
        }
        if matches!(self.peek(), TokenKind::Int(_) | TokenKind::Decimal(_)) {
            self.bump();
            if matches!(self.peek(), TokenKind::Ident(_)) {
                self.bump();
            }
        }
    }

    /// `| name args`. `Ok(None)`: a pipe that was reported and skipped.
    fn pipe(&mut self) -> PResult<Option<Pipe>> {
        let bar = self.bump().span;
        let name = match self.peek().clone() {
            TokenKind::Ident(n) => n,
            TokenKind::Kw(Keyword::Sequence | Keyword::Sample) => {
                return Err(self.expected("a pipe name (`head` or `tail`)"));
            }
            _ => return Err(self.expected("a pipe name (`head` or `tail`) after `|`")),
        };
        let name_span = self.span();
        let kind = match name.as_str() {
            "head" => PipeKind::Head,
            "tail" => PipeKind::Tail,
            "count" | "unique" | "unique_count" | "filter" | "sort" => {
                let help = match name.as_str() {
                    "filter" => "move the condition into the query with `and`",
                    "count" | "unique_count" => "count the matches outside the query",
                    "sort" => "results are always ordered by timestamp",
                    _ => "remove the pipe; group the results outside EQL",
                };
                self.report(
                    Diagnostic::error(
                        codes::PIPE_UNSUPPORTED,
                        format!("the `{name}` pipe is not supported by Elasticsearch EQL"),
                    )
                    .with_span(name_span)
                    .with_note("Elasticsearch EQL supports only the `head` and `tail` pipes")
                    .with_help(help),
                );
                return Err(Abort);
            }
            _ => {
                let close: Vec<&str> = ["head", "tail"]
                    .into_iter()
                    .filter(|p| crate::functions::edit_distance(&name.to_ascii_lowercase(), p) <= 2)
                    .collect();
                let mut diag =
                    Diagnostic::error(codes::PIPE_UNKNOWN, format!("unknown pipe `{name}`"))
                        .with_span(name_span);
                diag = match close.first() {
                    Some(c) => diag.with_help(format!("did you mean `{c}`?")),
                    None => {
                        diag.with_help("Elasticsearch EQL supports the `head` and `tail` pipes")
                    }
                };
                self.report(diag);
                return Err(Abort);
            }
        };
        self.bump();
        if matches!(self.peek(), TokenKind::Eof | TokenKind::Pipe) {
            let span = self.span();
            self.report(
                Diagnostic::error(
                    codes::BAD_PIPE_ARGUMENT,
                    format!("`{name}` needs a number of results"),
                )
                .with_span(span)
                .with_help(format!("write `| {name} 10`")),
            );
            return Err(Abort);
        }
        let arg = self.expr()?.expr;
        if self.at(&TokenKind::Comma) {
            let span = self.span();
            self.report(
                Diagnostic::error(
                    codes::BAD_PIPE_ARGUMENT,
                    format!("`{name}` takes exactly one argument"),
                )
                .with_span(span),
            );
            return Err(Abort);
        }
        let count = match &arg.kind {
            ExprKind::Literal(Literal::Int(n)) => Some(*n),
            ExprKind::Neg(inner) => match inner.kind {
                ExprKind::Literal(Literal::Int(n)) => Some(-n),
                _ => None,
            },
            _ => None,
        };
        let Some(count) = count else {
            self.report(
                Diagnostic::error(
                    codes::BAD_PIPE_ARGUMENT,
                    format!("`{name}` expects a whole number of results"),
                )
                .with_span(arg.span)
                .with_help(format!("write `| {name} 10`")),
            );
            return Err(Abort);
        };
        Ok(Some(Pipe {
            kind,
            count,
            span: Span::new(bar.start, self.last_end),
        }))
    }

    // ----- expressions ----------------------------------------------------------------
    //
    // The functions on the recursive path (`expr` down to `primary`) keep their frames
    // small: every diagnostic is built in a separate cold function, so deep but legal
    // nesting fits comfortably on a small thread stack, even in debug builds.

    fn expr(&mut self) -> PResult<Node> {
        self.nested(Self::or_expr)
    }

    fn or_expr(&mut self) -> PResult<Node> {
        let first = self.and_expr()?;
        if !self.at_or() {
            return Ok(first);
        }
        let mut depth = first.depth;
        let mut items = vec![first.expr];
        while self.at_or() {
            self.consume_logical("or");
            let next = self.and_expr()?;
            depth = depth.max(next.depth);
            items.push(next.expr);
        }
        let span = items[0].span.to(items[items.len() - 1].span);
        self.node(ExprKind::Or(items), span, depth)
    }

    fn and_expr(&mut self) -> PResult<Node> {
        let first = self.not_expr()?;
        if !self.at_and() {
            return Ok(first);
        }
        let mut depth = first.depth;
        let mut items = vec![first.expr];
        while self.at_and() {
            self.consume_logical("and");
            let next = self.not_expr()?;
            depth = depth.max(next.depth);
            items.push(next.expr);
        }
        let span = items[0].span.to(items[items.len() - 1].span);
        self.node(ExprKind::And(items), span, depth)
    }

    fn at_or(&self) -> bool {
        self.at_kw(Keyword::Or) || self.at(&TokenKind::OrOr) || self.at_miscased("or")
    }

    fn at_and(&self) -> bool {
        self.at_kw(Keyword::And) || self.at(&TokenKind::AndAnd) || self.at_miscased("and")
    }

    /// Consumes `and`/`or` or a recognisable misspelling of it, reporting the latter.
    #[inline(never)]
    fn consume_logical(&mut self, word: &str) {
        let span = self.span();
        match self.peek() {
            TokenKind::AndAnd | TokenKind::OrOr => {
                let sym = if word == "and" { "&&" } else { "||" };
                self.soft(
                    codes::C_STYLE_OPERATOR,
                    format!("`{sym}` is not an EQL operator"),
                    span,
                    &format!("write `{word}`"),
                );
            }
            TokenKind::Ident(_) => self.keyword_case(span, word),
            _ => {}
        }
        self.bump();
    }

    fn not_expr(&mut self) -> PResult<Node> {
        if !self.at_not()? {
            return self.comparison();
        }
        let start = self.bump().span;
        let operand = self.nested(Self::not_expr)?;
        let span = start.to(operand.expr.span);
        self.node(ExprKind::Not(Box::new(operand.expr)), span, operand.depth)
    }

    /// Whether a `not` (or a recognisable misspelling, reported) starts here. Fails on
    /// process-lineage syntax (`descendant of [...]`).
    #[inline(never)]
    fn at_not(&mut self) -> PResult<bool> {
        let start = self.span();
        match self.peek() {
            TokenKind::Kw(Keyword::Not) => Ok(true),
            TokenKind::Bang => {
                self.soft(
                    codes::C_STYLE_OPERATOR,
                    "`!` is not an EQL operator",
                    start,
                    "write `not`",
                );
                Ok(true)
            }
            TokenKind::Ident(s) if s.eq_ignore_ascii_case("not") && self.starts_operand(1) => {
                self.keyword_case(start, "not");
                Ok(true)
            }
            TokenKind::Ident(rel) if *self.peek_at(1) == TokenKind::Kw(Keyword::Of) => {
                let rel = rel.clone();
                let span = start.to(self.span_at(1));
                self.report(
                    Diagnostic::error(
                        codes::PROCESS_RELATIONSHIP,
                        format!("`{rel} of` (process lineage) is not supported by Elasticsearch EQL"),
                    )
                    .with_span(span)
                    .with_help(
                        "join the events instead: `sequence [process where …] by process.entity_id \
                         [process where …] by process.parent.entity_id`",
                    ),
                );
                Err(Abort)
            }
            _ => Ok(false),
        }
    }

    #[cold]
    #[inline(never)]
    fn keyword_case(&mut self, span: Span, word: &str) {
        self.soft(
            codes::KEYWORD_CASE,
            "EQL keywords are lower-case",
            span,
            &format!("write `{word}`"),
        );
    }

    /// Whether the token `ahead` can start an operand (used to tell `NOT x` from a field
    /// named `NOT`).
    fn starts_operand(&self, ahead: usize) -> bool {
        matches!(
            self.peek_at(ahead),
            TokenKind::Ident(_)
                | TokenKind::TildeIdent(_)
                | TokenKind::QuotedIdent(_)
                | TokenKind::Question
                | TokenKind::LParen
                | TokenKind::Str(_)
                | TokenKind::Int(_)
                | TokenKind::Decimal(_)
                | TokenKind::Kw(Keyword::True | Keyword::False | Keyword::Null | Keyword::Not)
        )
    }

    fn comparison(&mut self) -> PResult<Node> {
        let left = self.additive()?;
        let Some(op) = is_comparison(self.peek()) else {
            return Ok(left);
        };
        let op_span = self.span();
        if *self.peek() == TokenKind::Assign {
            self.single_equals(op_span);
        }
        self.bump();
        let right = self.additive()?;
        let depth = left.depth.max(right.depth);
        let span = left.expr.span.to(right.expr.span);
        let node = self.node(
            ExprKind::Compare(op, Box::new(left.expr), Box::new(right.expr)),
            span,
            depth,
        )?;
        if is_comparison(self.peek()).is_some() {
            self.chained_comparison(op_span)?;
        }
        Ok(node)
    }

    #[cold]
    #[inline(never)]
    fn single_equals(&mut self, span: Span) {
        self.soft(
            codes::SINGLE_EQUALS,
            "`=` is not a comparison operator in EQL",
            span,
            "use `==` for a case-sensitive comparison, or `:` for a case-insensitive match",
        );
    }

    /// Reports and skips `< c` in `a < b < c` (and any further links).
    #[cold]
    #[inline(never)]
    fn chained_comparison(&mut self, first: Span) -> PResult<()> {
        while is_comparison(self.peek()).is_some() {
            let second = self.span();
            self.report(
                Diagnostic::error(
                    codes::CHAINED_COMPARISON,
                    "comparison operators cannot be chained",
                )
                .with_span(second)
                .with_label(first, "first comparison")
                .with_help("combine two comparisons with `and`: `a < b and b < c`"),
            );
            self.bump();
            self.additive()?;
        }
        Ok(())
    }

    fn additive(&mut self) -> PResult<Node> {
        let mut left = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                TokenKind::Plus => ArithOp::Add,
                TokenKind::Minus => ArithOp::Sub,
                _ => return Ok(left),
            };
            self.bump();
            let right = self.multiplicative()?;
            left = self.arith(op, left, right)?;
        }
    }

    fn multiplicative(&mut self) -> PResult<Node> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                TokenKind::Star => ArithOp::Mul,
                TokenKind::Slash => ArithOp::Div,
                TokenKind::Percent => ArithOp::Mod,
                _ => return Ok(left),
            };
            self.bump();
            let right = self.unary()?;
            left = self.arith(op, left, right)?;
        }
    }

    fn arith(&mut self, op: ArithOp, left: Node, right: Node) -> PResult<Node> {
        let depth = left.depth.max(right.depth);
        let span = left.expr.span.to(right.expr.span);
        self.node(
            ExprKind::Arith(op, Box::new(left.expr), Box::new(right.expr)),
            span,
            depth,
        )
    }

    fn unary(&mut self) -> PResult<Node> {
        match self.peek() {
            TokenKind::Minus => {
                let start = self.bump().span;
                let operand = self.nested(Self::unary)?;
                let span = start.to(operand.expr.span);
                self.node(ExprKind::Neg(Box::new(operand.expr)), span, operand.depth)
            }
            // Unary plus means nothing in Elasticsearch EQL; the tree does not record it.
            TokenKind::Plus => {
                self.bump();
                self.nested(Self::unary)
            }
            _ => self.postfix(),
        }
    }

    /// A primary followed by at most one predicate (`in`, `:`, `like`, `regex`).
    fn postfix(&mut self) -> PResult<Node> {
        let lhs = self.primary()?;
        match self.peek() {
            TokenKind::Kw(Keyword::In | Keyword::InCi) => self.in_list(lhs, false),
            TokenKind::Kw(Keyword::Not) => match self.peek_at(1) {
                TokenKind::Kw(Keyword::In | Keyword::InCi) => {
                    self.bump();
                    self.in_list(lhs, true)
                }
                TokenKind::Kw(
                    Keyword::Like | Keyword::LikeCi | Keyword::Regex | Keyword::RegexCi,
                )
                | TokenKind::Colon => self.negated_pattern(lhs),
                _ => Ok(lhs),
            },
            TokenKind::Colon
            | TokenKind::Kw(Keyword::Like | Keyword::LikeCi | Keyword::Regex | Keyword::RegexCi) => {
                self.pattern_match(lhs)
            }
            _ => Ok(lhs),
        }
    }

    /// `a not like "x"`: reported, then read as `not a like "x"`.
    #[cold]
    #[inline(never)]
    fn negated_pattern(&mut self, lhs: Node) -> PResult<Node> {
        let not_span = self.span();
        let op = self.span_at(1);
        self.report(
            Diagnostic::error(
                codes::NEGATED_PATTERN_OPERATOR,
                "only `in` can be negated in place",
            )
            .with_span(not_span.to(op))
            .with_help("put `not` before the whole test: `not field like \"x*\"`"),
        );
        let start = lhs.expr.span;
        self.bump();
        let matched = self.pattern_match(lhs)?;
        let span = start.to(matched.expr.span);
        self.node(ExprKind::Not(Box::new(matched.expr)), span, matched.depth)
    }

    /// `lhs [not] in[~] (v, …)`; the current token is `in`/`in~`.
    fn in_list(&mut self, lhs: Node, negated: bool) -> PResult<Node> {
        let op = self.bump();
        let case_insensitive = op.kind == TokenKind::Kw(Keyword::InCi);
        if !self.at(&TokenKind::LParen) {
            return Err(self.in_without_list());
        }
        let (values, depth, close) = self.paren_list("a value")?;
        let depth = depth.max(lhs.depth);
        let span = lhs.expr.span.to(close);
        self.node(
            ExprKind::In(InExpr {
                lhs: Box::new(lhs.expr),
                values,
                negated,
                case_insensitive,
            }),
            span,
            depth,
        )
    }

    #[cold]
    #[inline(never)]
    fn in_without_list(&mut self) -> Abort {
        let found = self.peek().describe();
        let span = self.span();
        self.report(
            Diagnostic::error(
                codes::UNEXPECTED_TOKEN,
                format!("expected `(` after `in`, found {found}"),
            )
            .with_span(span)
            .with_help("`in` takes a parenthesised list: `process.name in (\"cmd.exe\", \"powershell.exe\")`"),
        );
        Abort
    }

    /// `( e, e, … )` with at least one element; returns the elements, their max depth and
    /// the span of `)`.
    fn paren_list(&mut self, what: &str) -> PResult<(Vec<Expr>, usize, Span)> {
        let open = self.bump().span;
        let mut items = Vec::new();
        let mut depth = 0;
        if self.at(&TokenKind::RParen) {
            return Err(self.expected(what));
        }
        loop {
            let item = self.expr()?;
            depth = depth.max(item.depth);
            items.push(item.expr);
            if self.eat(&TokenKind::Comma) {
                continue;
            }
            if self.at(&TokenKind::RParen) {
                let close = self.bump().span;
                return Ok((items, depth, close));
            }
            return Err(self.list_not_closed(open, "`,` or `)`"));
        }
    }

    #[cold]
    #[inline(never)]
    fn list_not_closed(&mut self, open: Span, what: &str) -> Abort {
        let found = self.peek().describe();
        let span = self.span();
        self.report(
            Diagnostic::error(
                codes::UNEXPECTED_TOKEN,
                format!("expected {what}, found {found}"),
            )
            .with_span(span)
            .with_label(open, "opened here"),
        );
        Abort
    }

    /// `lhs : p`, `lhs like~ (p, …)`…; the current token is the operator.
    fn pattern_match(&mut self, lhs: Node) -> PResult<Node> {
        let op = self.bump();
        let (kind, case_insensitive, word) = match op.kind {
            TokenKind::Colon => (MatchKind::Colon, false, ":"),
            TokenKind::Kw(Keyword::Like) => (MatchKind::Like, false, "like"),
            TokenKind::Kw(Keyword::LikeCi) => (MatchKind::Like, true, "like~"),
            TokenKind::Kw(Keyword::Regex) => (MatchKind::Regex, false, "regex"),
            _ => (MatchKind::Regex, true, "regex~"),
        };
        let (patterns, list, end, depth) = if self.at(&TokenKind::LParen) {
            let (items, depth, close) = self.paren_list("a pattern")?;
            (items, true, close, depth)
        } else {
            let item = self.single_pattern(word)?;
            let end = item.expr.span;
            (vec![item.expr], false, end, item.depth)
        };
        for pattern in &patterns {
            if pattern.as_literal().is_none() {
                self.pattern_not_constant(word, pattern.span);
            }
        }
        let depth = depth.max(lhs.depth);
        let span = lhs.expr.span.to(end);
        self.node(
            ExprKind::Match(MatchExpr {
                kind,
                case_insensitive,
                lhs: Box::new(lhs.expr),
                patterns,
                list,
            }),
            span,
            depth,
        )
    }

    /// The pattern after `:`/`like`/`regex` when it is not a list. The grammar admits a
    /// constant; a leading `-` or a field is parsed so the error can point at it.
    #[inline(never)]
    fn single_pattern(&mut self, word: &str) -> PResult<Node> {
        match self.peek() {
            TokenKind::LBracket => {
                let span = self.span();
                self.report(
                    Diagnostic::error(
                        codes::UNEXPECTED_TOKEN,
                        format!("expected a pattern after `{word}`, found `[`"),
                    )
                    .with_span(span)
                    .with_help(format!(
                        "lists are written in parentheses: `{word} (\"a*\", \"b*\")`"
                    )),
                );
                Err(Abort)
            }
            TokenKind::Eof | TokenKind::RBracket | TokenKind::Pipe => {
                Err(self.expected(&format!("a pattern after `{word}`")))
            }
            TokenKind::Minus => self.nested(Self::unary),
            _ => self.primary(),
        }
    }

    #[cold]
    #[inline(never)]
    fn pattern_not_constant(&mut self, word: &str, span: Span) {
        self.report(
            Diagnostic::error(
                codes::PATTERN_NOT_CONSTANT,
                format!("the pattern after `{word}` must be a constant"),
            )
            .with_span(span)
            .with_note("Elasticsearch cannot compare a field with another field or expression here")
            .with_help("write the value as a string: `process.name : \"cmd.exe\"`"),
        );
    }

    fn primary(&mut self) -> PResult<Node> {
        let span = self.span();
        match self.peek() {
            TokenKind::Kw(Keyword::Null | Keyword::True | Keyword::False)
            | TokenKind::Str(_)
            | TokenKind::Int(_)
            | TokenKind::Decimal(_) => {
                let lit = self.literal();
                self.node(ExprKind::Literal(lit), span, 0)
            }
            TokenKind::LParen => self.parenthesized(),
            TokenKind::Ident(_) if *self.peek_at(1) == TokenKind::LParen => self.call(false),
            TokenKind::TildeIdent(_) => self.call(true),
            TokenKind::Ident(_) | TokenKind::QuotedIdent(_) | TokenKind::Question => self.field(),
            _ => Err(self.no_expression()),
        }
    }

    #[cold]
    #[inline(never)]
    fn no_expression(&mut self) -> Abort {
        if self.at(&TokenKind::LBracket) {
            let span = self.span();
            let diag =
                Diagnostic::error(codes::UNEXPECTED_TOKEN, "expected an expression, found `[`")
                    .with_span(span)
                    .with_help("lists are written in parentheses: `field in (\"a\", \"b\")`");
            self.report(diag);
            return Abort;
        }
        self.expected("an expression")
    }

    /// The literal at the current token (which is one).
    #[inline(never)]
    fn literal(&mut self) -> Literal {
        let tok = self.bump();
        match tok.kind {
            TokenKind::Kw(Keyword::True) => Literal::Bool(true),
            TokenKind::Kw(Keyword::False) => Literal::Bool(false),
            TokenKind::Str(s) => Literal::String(s),
            TokenKind::Int(text) => match text.parse::<i64>() {
                Ok(n) => Literal::Int(n),
                // Too large for an integer: Elasticsearch quietly reads it as a float.
                Err(_) => Literal::Float(self.float(&text, tok.span)),
            },
            TokenKind::Decimal(text) => Literal::Float(self.float(&text, tok.span)),
            _ => Literal::Null,
        }
    }

    /// `( expr )`: the node keeps its meaning; its span grows to the parentheses.
    fn parenthesized(&mut self) -> PResult<Node> {
        let open = self.bump().span;
        let mut node = self.expr()?;
        if !self.at(&TokenKind::RParen) {
            return Err(self.list_not_closed(open, "`)`"));
        }
        let close = self.bump().span;
        node.expr.span = open.to(close);
        Ok(node)
    }

    /// A float literal, reporting values out of `f64` range.
    #[cold]
    #[inline(never)]
    fn float(&mut self, text: &str, span: Span) -> f64 {
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                self.report(
                    Diagnostic::error(
                        codes::NUMBER_TOO_LARGE,
                        format!("the number `{text}` is too large"),
                    )
                    .with_span(span),
                );
                0.0
            }
        }
    }

    /// `name(args…)` / `name~(args…)`; the current token is the name.
    fn call(&mut self, case_insensitive: bool) -> PResult<Node> {
        let name_tok = self.bump();
        let name = match name_tok.kind {
            TokenKind::Ident(n) | TokenKind::TildeIdent(n) => n,
            _ => String::new(),
        };
        if !self.at(&TokenKind::LParen) {
            return Err(self.expected(&format!("`(` after `{name}~`")));
        }
        let (args, depth, close) = self.arguments()?;
        let span = name_tok.span.to(close);
        self.node(
            ExprKind::Call(Call {
                name,
                case_insensitive,
                args,
                name_span: name_tok.span,
            }),
            span,
            depth,
        )
    }

    /// `( [e, …] )` after a function name.
    fn arguments(&mut self) -> PResult<(Vec<Expr>, usize, Span)> {
        if *self.peek_at(1) == TokenKind::RParen {
            self.bump();
            let close = self.bump().span;
            return Ok((Vec::new(), 0, close));
        }
        self.paren_list("an argument")
    }

    /// `[?]name(.name | [index])*`.
    fn field(&mut self) -> PResult<Node> {
        let start = self.span();
        let optional = self.eat(&TokenKind::Question);
        // Parts that need back-quotes, reported once the whole name is known so the help
        // can show it written correctly.
        let mut misquoted: Vec<(Span, &'static str, String)> = Vec::new();
        let mut segments = vec![self.name_segment(true, &mut misquoted)?];
        loop {
            match self.peek().clone() {
                TokenKind::Dot => {
                    self.bump();
                    segments.push(self.name_segment(false, &mut misquoted)?);
                }
                // `a.0` lexes as `a` `.0`: Elasticsearch rejects it.
                TokenKind::Decimal(text)
                    if text.starts_with('.') && self.span().start == self.last_end =>
                {
                    let span = self.span();
                    self.bump();
                    let part = text[1..].to_string();
                    misquoted.push((span, codes::NUMERIC_NAME_SEGMENT, part.clone()));
                    segments.push(part);
                }
                TokenKind::LBracket if matches!(self.peek_at(1), TokenKind::Int(_)) => {
                    self.array_index()?;
                }
                _ => break,
            }
        }
        let span = start.to(Span::new(self.last_end, self.last_end));
        let field = FieldRef {
            path: segments.join("."),
            optional,
        };
        if !misquoted.is_empty() {
            self.misquoted_parts(&field, &misquoted);
        }
        self.node(ExprKind::Field(field), span, 0)
    }

    #[cold]
    #[inline(never)]
    fn misquoted_parts(&mut self, field: &FieldRef, parts: &[(Span, &'static str, String)]) {
        let fixed =
            crate::printer::print_expr(&Expr::new(ExprKind::Field(field.clone()), Span::default()));
        for (span, code, part) in parts {
            let message = if *code == codes::KEYWORD_AS_NAME {
                format!("`{part}` is a reserved word and cannot be a bare part of a field name")
            } else {
                "a part of a field name cannot start with a digit".to_string()
            };
            self.report(
                Diagnostic::error(code, message)
                    .with_span(*span)
                    .with_help(format!("back-quote that part: {fixed}")),
            );
        }
    }

    /// `[0]` after a field: reported and skipped.
    #[cold]
    #[inline(never)]
    fn array_index(&mut self) -> PResult<()> {
        let open = self.bump().span;
        while matches!(self.peek(), TokenKind::Int(_)) {
            self.bump();
        }
        if !self.at(&TokenKind::RBracket) {
            return Err(self.expected("`]`"));
        }
        let end = self.bump().span;
        self.soft(
            codes::ARRAY_INDEX,
            "array indexes are not supported in EQL",
            open.to(end),
            "a field with several values matches when any of its values matches: \
             compare the field itself",
        );
        Ok(())
    }

    fn name_segment(
        &mut self,
        first: bool,
        misquoted: &mut Vec<(Span, &'static str, String)>,
    ) -> PResult<String> {
        let span = self.span();
        match self.peek().clone() {
            TokenKind::Ident(s) | TokenKind::QuotedIdent(s) => {
                self.bump();
                Ok(s)
            }
            TokenKind::Kw(k) if !first => {
                self.bump();
                let word = k.as_str().to_string();
                misquoted.push((span, codes::KEYWORD_AS_NAME, word.clone()));
                Ok(word)
            }
            TokenKind::Int(text) if !first => {
                self.bump();
                misquoted.push((span, codes::NUMERIC_NAME_SEGMENT, text.clone()));
                Ok(text)
            }
            _ if first => Err(self.expected("a field name after `?`")),
            _ => Err(self.expected("a field name after `.`")),
        }
    }
}

/// Where a clause appears, for the options it may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClauseOf {
    Sequence,
    Sample,
    Until,
}

#[cfg(test)]
mod tests {
    use crate::ast::*;
    use crate::{codes, parse, parse_syntax, MAX_DEPTH};

    /// The condition of an event query as an S-expression, to pin down tree shapes.
    fn sexpr(e: &Expr) -> String {
        let list = |xs: &[Expr]| xs.iter().map(sexpr).collect::<Vec<_>>().join(" ");
        match &e.kind {
            ExprKind::Literal(Literal::String(s)) => format!("{s:?}"),
            ExprKind::Literal(Literal::Int(n)) => n.to_string(),
            ExprKind::Literal(Literal::Float(f)) => format!("{f:?}"),
            ExprKind::Literal(Literal::Bool(b)) => b.to_string(),
            ExprKind::Literal(Literal::Null) => "null".into(),
            ExprKind::Field(f) => format!("{}{}", if f.optional { "?" } else { "" }, f.path),
            ExprKind::Not(x) => format!("(not {})", sexpr(x)),
            ExprKind::Neg(x) => format!("(neg {})", sexpr(x)),
            ExprKind::And(xs) => format!("(and {})", list(xs)),
            ExprKind::Or(xs) => format!("(or {})", list(xs)),
            ExprKind::Compare(op, a, b) => format!("({} {} {})", op.as_str(), sexpr(a), sexpr(b)),
            ExprKind::Arith(op, a, b) => format!("({} {} {})", op.as_str(), sexpr(a), sexpr(b)),
            ExprKind::Match(m) => format!(
                "({:?}{} {} [{}])",
                m.kind,
                if m.case_insensitive { "~" } else { "" },
                sexpr(&m.lhs),
                list(&m.patterns)
            ),
            ExprKind::In(i) => format!(
                "({}in{} {} [{}])",
                if i.negated { "not-" } else { "" },
                if i.case_insensitive { "~" } else { "" },
                sexpr(&i.lhs),
                list(&i.values)
            ),
            ExprKind::Call(c) => format!(
                "({}{} {})",
                c.name,
                if c.case_insensitive { "~" } else { "" },
                list(&c.args)
            ),
        }
    }

    fn cond(text: &str) -> String {
        let q =
            parse_syntax(&format!("any where {text}")).unwrap_or_else(|d| panic!("{text}: {d:?}"));
        match q.body {
            QueryBody::Event(e) => sexpr(&e.condition),
            _ => unreachable!(),
        }
    }

    fn codes_of(text: &str) -> Vec<&'static str> {
        parse(text)
            .err()
            .unwrap_or_default()
            .iter()
            .map(|d| d.code)
            .collect()
    }

    #[test]
    fn logical_precedence_not_and_or() {
        assert_eq!(cond("a or b and not c or d"), "(or a (and b (not c)) d)");
        assert_eq!(cond("not a and b"), "(and (not a) b)");
        assert_eq!(cond("not not a"), "(not (not a))");
        // Parenthesised chains stay nested; unparenthesised ones are flat.
        assert_eq!(cond("a and (b and c) and d"), "(and a (and b c) d)");
    }

    #[test]
    fn arithmetic_and_comparison_precedence() {
        assert_eq!(cond("a + b * c - d == 5"), "(== (- (+ a (* b c)) d) 5)");
        assert_eq!(cond("a - b - c < 1"), "(< (- (- a b) c) 1)");
        assert_eq!(cond("-a * b > 0"), "(> (* (neg a) b) 0)");
        assert_eq!(cond("+a == 1"), "(== a 1)");
        assert_eq!(
            cond("a % 2 == 0 and b / 2 != 1"),
            "(and (== (% a 2) 0) (!= (/ b 2) 1))"
        );
    }

    #[test]
    fn predicates_bind_to_one_primary() {
        assert_eq!(cond("a : \"x\""), "(Colon a [\"x\"])");
        assert_eq!(cond("a like~ (\"x\", \"y\")"), "(Like~ a [\"x\" \"y\"])");
        assert_eq!(cond("a regex \"[0-9]+\""), "(Regex a [\"[0-9]+\"])");
        assert_eq!(cond("a not in~ (1, 2)"), "(not-in~ a [1 2])");
        assert_eq!(cond("a + b in (1)"), "(+ a (in b [1]))");
        assert_eq!(cond("not a : \"x\""), "(not (Colon a [\"x\"]))");
        assert_eq!(cond("-a : \"x\""), "(neg (Colon a [\"x\"]))");
    }

    #[test]
    fn literals_and_fields() {
        assert_eq!(cond("a == 1.5e3"), "(== a 1500.0)");
        assert_eq!(
            cond("a == 9223372036854775807"),
            "(== a 9223372036854775807)"
        );
        // Too large for i64: a float, as in Elasticsearch.
        assert_eq!(
            cond("a == 9223372036854775808"),
            "(== a 9.223372036854776e18)"
        );
        assert_eq!(cond("?a.b == null"), "(== ?a.b null)");
        assert_eq!(cond("`a-b`.`c``d`.e == true"), "(== a-b.c`d.e true)");
        assert_eq!(cond("@timestamp > 0"), "(> @timestamp 0)");
        assert_eq!(cond("a == \"\"\"C:\\x\"\"\""), "(== a \"C:\\\\x\")");
        assert_eq!(cond("startsWith~(a, \"x\")"), "(startsWith~ a \"x\")");
        assert_eq!(cond("CONCAT()"), "(CONCAT )");
    }

    #[test]
    fn sequences_samples_and_pipes() {
        let q = parse(
            "sequence by host.id with maxspan=30s\n  [process where true] by user.id with runs=2\n  \
             ![file where true] by user.id\nuntil [process where false] by user.id\n| tail 3",
        )
        .unwrap();
        let QueryBody::Sequence(s) = &q.body else {
            panic!()
        };
        assert_eq!(s.by.len(), 1);
        assert_eq!(s.maxspan.as_ref().map(TimeSpan::as_millis), Some(30_000));
        assert_eq!(s.clauses.len(), 2);
        assert_eq!(s.clauses[0].runs.as_ref().map(|r| r.count), Some(2));
        assert!(s.clauses[1].missing);
        assert!(s.until.is_some());
        assert_eq!(q.pipes[0].kind, PipeKind::Tail);
        assert_eq!(q.pipes[0].count, 3);

        let q = parse("sample by a [any where true] by b [\"my cat\" where true] by b").unwrap();
        let QueryBody::Sample(s) = &q.body else {
            panic!()
        };
        assert_eq!(s.clauses.len(), 2);
        assert_eq!(
            s.clauses[1].query.category,
            Category::Named("my cat".into(), s.clauses[1].query.category.span())
        );
    }

    #[test]
    fn spans_point_at_the_source() {
        let text = "process where process.name == \"cmd.exe\" | head 5";
        let q = parse(text).unwrap();
        assert_eq!(q.span.slice(text), text);
        let QueryBody::Event(e) = &q.body else {
            panic!()
        };
        assert_eq!(e.category.span().slice(text), "process");
        assert_eq!(e.condition.span.slice(text), "process.name == \"cmd.exe\"");
        assert_eq!(q.pipes[0].span.slice(text), "| head 5");
    }

    #[test]
    fn errors_are_collected_and_specific() {
        assert_eq!(
            codes_of("process where a = 'x' and b == \"\\d\""),
            vec![
                codes::SINGLE_EQUALS,
                codes::SINGLE_QUOTED_STRING,
                codes::BAD_ESCAPE
            ]
        );
        assert_eq!(
            codes_of("process where a < 1 < 2"),
            vec![codes::CHAINED_COMPARISON]
        );
        assert_eq!(
            codes_of("process where x[0] == 1"),
            vec![codes::ARRAY_INDEX]
        );
        assert_eq!(
            codes_of("process where true | sort a"),
            vec![codes::PIPE_UNSUPPORTED]
        );
        assert_eq!(
            codes_of("process where a == 1 AND b == 2"),
            vec![codes::KEYWORD_CASE]
        );
        // A broken clause is skipped; the next one is still checked.
        assert_eq!(
            codes_of("sequence [process where a ==] [file where b = 1]"),
            vec![codes::UNEXPECTED_TOKEN, codes::SINGLE_EQUALS]
        );
    }

    /// Nesting past the limit is an error at any depth, never a stack overflow; this runs
    /// on the test harness's small thread stack.
    #[test]
    fn nesting_is_bounded() {
        let n = 100_000;
        let cases = [
            format!("any where {}a{}", "(".repeat(n), ")".repeat(n)),
            format!("any where {}a", "not ".repeat(n)),
            format!("any where {}a == 1", "-".repeat(n)),
            format!("any where {}a{}", "length(".repeat(n), ")".repeat(n)),
            format!("any where a in {}1{}", "(1 in ".repeat(n), ")".repeat(n)),
            format!("any where a == {}", vec!["1"; n].join(" + ")),
            format!("any where {}", vec!["a"; n].join(" - ")),
        ];
        for case in &cases {
            let err = parse(case).expect_err("too deep");
            assert_eq!(err.len(), 1, "{:?}", err);
            assert_eq!(err[0].code, codes::TOO_DEEP);
        }
        // Long flat chains are fine: `and`/`or` are n-ary.
        let flat = format!("any where {}", vec!["a == 1"; n].join(" or "));
        assert!(parse(&flat).is_ok());
    }

    #[test]
    fn nesting_just_under_the_limit_works_everywhere() {
        let d = MAX_DEPTH - 2;
        let text = format!("any where {}a{} == 1", "length(".repeat(d), ")".repeat(d));
        let q = parse_syntax(&text).expect("within the limit");
        let printed = crate::print(&q);
        let again = parse_syntax(&printed).expect("printed form parses");
        assert_eq!(again.without_spans(), q.without_spans());
        let _ = crate::debug::tree(&q);
        let _ = crate::verify(&q);
    }
}
