//! Turns EQL text into tokens with byte spans.
//!
//! The token rules follow Elasticsearch's EQL lexer: keywords are lower-case and
//! case-sensitive (`AND` is an identifier), identifiers are `[A-Za-z_@][A-Za-z0-9_]*`,
//! a `~` glued to a name makes a case-insensitive function name (`startsWith~`), numbers
//! are matched greedily (`.5` is a number, so `a.0` needs back-quotes), `//` and nested
//! `/* */` comments are skipped.
//!
//! Lexing never fails: text Elasticsearch would reject still becomes the closest token
//! (a single-quoted string becomes a string, an unknown escape keeps its character) and a
//! diagnostic is recorded, so the parser can go on and report every problem at once.

use crate::codes;
use shrike_diag::{Diagnostic, Span};

/// EQL's reserved words. They cannot be used as field names without back-quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Keyword {
    /// `and`
    And,
    /// `any`
    Any,
    /// `by`
    By,
    /// `false`
    False,
    /// `in`
    In,
    /// `in~`
    InCi,
    /// `join`
    Join,
    /// `like`
    Like,
    /// `like~`
    LikeCi,
    /// `maxspan`
    Maxspan,
    /// `not`
    Not,
    /// `null`
    Null,
    /// `of`
    Of,
    /// `or`
    Or,
    /// `regex`
    Regex,
    /// `regex~`
    RegexCi,
    /// `sample`
    Sample,
    /// `sequence`
    Sequence,
    /// `true`
    True,
    /// `until`
    Until,
    /// `where`
    Where,
    /// `with`
    With,
}

impl Keyword {
    /// Every keyword without a `~`, as written.
    pub const WORDS: [(&'static str, Keyword); 19] = [
        ("and", Keyword::And),
        ("any", Keyword::Any),
        ("by", Keyword::By),
        ("false", Keyword::False),
        ("in", Keyword::In),
        ("join", Keyword::Join),
        ("like", Keyword::Like),
        ("maxspan", Keyword::Maxspan),
        ("not", Keyword::Not),
        ("null", Keyword::Null),
        ("of", Keyword::Of),
        ("or", Keyword::Or),
        ("regex", Keyword::Regex),
        ("sample", Keyword::Sample),
        ("sequence", Keyword::Sequence),
        ("true", Keyword::True),
        ("until", Keyword::Until),
        ("where", Keyword::Where),
        ("with", Keyword::With),
    ];

    /// The keyword spelled exactly `word`, if any.
    pub fn from_word(word: &str) -> Option<Keyword> {
        Self::WORDS
            .iter()
            .find(|(w, _)| *w == word)
            .map(|(_, k)| *k)
    }

    /// The keyword as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::InCi => "in~",
            Keyword::LikeCi => "like~",
            Keyword::RegexCi => "regex~",
            other => Self::WORDS
                .iter()
                .find(|(_, k)| *k == other)
                .map_or("?", |(w, _)| w),
        }
    }
}

/// Whether `word` is reserved in EQL (and so must be back-quoted to be used as a name).
pub fn is_keyword(word: &str) -> bool {
    Keyword::from_word(word).is_some()
}

/// Whether `word` can be written bare as a field segment or category: an identifier that
/// is not a keyword.
pub fn is_plain_identifier(word: &str) -> bool {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_' || first == '@')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !is_keyword(word)
}

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    /// A name that is not a keyword.
    Ident(String),
    /// A name glued to `~` (`startsWith~`), without the `~`.
    TildeIdent(String),
    /// A back-quoted name, unescaped.
    QuotedIdent(String),
    /// A string literal, unescaped.
    Str(String),
    /// An integer as written (digits only).
    Int(String),
    /// A decimal or exponent number as written.
    Decimal(String),
    /// A reserved word.
    Kw(Keyword),
    /// `:`
    Colon,
    /// `=` (not an EQL comparison; kept so the parser can say so)
    Assign,
    /// `==`
    EqEq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtEq,
    /// `>`
    Gt,
    /// `>=`
    GtEq,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// `.`
    Dot,
    /// `,`
    Comma,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `|`
    Pipe,
    /// `?` before a field name
    Question,
    /// `![` opening a missing-event clause
    MissingOpen,
    /// `!` alone (not EQL; the parser suggests `not`)
    Bang,
    /// `&&` (not EQL; the parser suggests `and`)
    AndAnd,
    /// `||` (not EQL; the parser suggests `or`)
    OrOr,
    /// The end of the text.
    Eof,
}

impl TokenKind {
    /// How the token is named in "expected …, found …" messages.
    pub fn describe(&self) -> String {
        match self {
            TokenKind::Ident(s) => format!("identifier `{s}`"),
            TokenKind::TildeIdent(s) => format!("`{s}~`"),
            TokenKind::QuotedIdent(s) => format!("back-quoted name `{s}`"),
            TokenKind::Str(_) => "a string".to_string(),
            TokenKind::Int(s) | TokenKind::Decimal(s) => format!("number `{s}`"),
            TokenKind::Kw(k) => format!("keyword `{}`", k.as_str()),
            TokenKind::Eof => "the end of the query".to_string(),
            other => format!("`{}`", other.punct()),
        }
    }

    /// The text of a punctuation token.
    fn punct(&self) -> &'static str {
        match self {
            TokenKind::Colon => ":",
            TokenKind::Assign => "=",
            TokenKind::EqEq => "==",
            TokenKind::NotEq => "!=",
            TokenKind::Lt => "<",
            TokenKind::LtEq => "<=",
            TokenKind::Gt => ">",
            TokenKind::GtEq => ">=",
            TokenKind::Plus => "+",
            TokenKind::Minus => "-",
            TokenKind::Star => "*",
            TokenKind::Slash => "/",
            TokenKind::Percent => "%",
            TokenKind::Dot => ".",
            TokenKind::Comma => ",",
            TokenKind::LBracket => "[",
            TokenKind::RBracket => "]",
            TokenKind::LParen => "(",
            TokenKind::RParen => ")",
            TokenKind::Pipe => "|",
            TokenKind::Question => "?",
            TokenKind::MissingOpen => "![",
            TokenKind::Bang => "!",
            TokenKind::AndAnd => "&&",
            TokenKind::OrOr => "||",
            _ => "?",
        }
    }
}

/// A token and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Its bytes in the source.
    pub span: Span,
}

/// Splits `text` into tokens (always ending with [`TokenKind::Eof`]) and the lexical
/// diagnostics found on the way.
pub fn tokenize(text: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut lx = Lexer {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        tokens: Vec::new(),
        diags: Vec::new(),
    };
    lx.run();
    (lx.tokens, lx.diags)
}

struct Lexer<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    tokens: Vec<Token>,
    diags: Vec<Diagnostic>,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        self.tokens.push(Token {
            kind,
            span: Span::new(start, self.pos),
        });
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let start = self.pos;
            let b = self.bytes[self.pos];
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'/' if self.peek(1) == Some(b'/') => self.line_comment(),
                b'/' if self.peek(1) == Some(b'*') => self.block_comment(),
                b'"' => self.string(start),
                b'\'' => self.single_quoted(start),
                b'`' => self.quoted_ident(start),
                b'?' if self.peek(1) == Some(b'"') || self.peek(1) == Some(b'\'') => {
                    self.old_raw_string(start)
                }
                b'0'..=b'9' => self.number(start),
                b'.' if self.peek(1).is_some_and(|c| c.is_ascii_digit()) => self.number(start),
                b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'@' => self.word(start),
                _ => self.punct(start, b),
            }
        }
        let end = self.bytes.len();
        self.tokens.push(Token {
            kind: TokenKind::Eof,
            span: Span::point(end),
        });
    }

    fn line_comment(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
            self.pos += 1;
        }
    }

    /// `/* … */`, nested like Elasticsearch's grammar allows.
    fn block_comment(&mut self) {
        let start = self.pos;
        let mut depth = 0usize;
        while self.pos < self.bytes.len() {
            if self.bytes[self.pos] == b'/' && self.peek(1) == Some(b'*') {
                depth += 1;
                self.pos += 2;
            } else if self.bytes[self.pos] == b'*' && self.peek(1) == Some(b'/') {
                depth -= 1;
                self.pos += 2;
                if depth == 0 {
                    return;
                }
            } else {
                self.pos += 1;
            }
        }
        self.diags.push(
            Diagnostic::error(codes::UNTERMINATED_COMMENT, "unterminated block comment")
                .with_span(Span::new(start, start + 2))
                .with_help("close the comment with `*/`"),
        );
    }

    fn punct(&mut self, start: usize, b: u8) {
        let next = self.peek(1);
        let (kind, len) = match (b, next) {
            (b'=', Some(b'=')) => (TokenKind::EqEq, 2),
            (b'=', _) => (TokenKind::Assign, 1),
            (b'!', Some(b'=')) => (TokenKind::NotEq, 2),
            (b'!', Some(b'[')) => (TokenKind::MissingOpen, 2),
            (b'!', _) => (TokenKind::Bang, 1),
            (b'<', Some(b'=')) => (TokenKind::LtEq, 2),
            (b'<', _) => (TokenKind::Lt, 1),
            (b'>', Some(b'=')) => (TokenKind::GtEq, 2),
            (b'>', _) => (TokenKind::Gt, 1),
            (b'&', Some(b'&')) => (TokenKind::AndAnd, 2),
            (b'|', Some(b'|')) => (TokenKind::OrOr, 2),
            (b':', _) => (TokenKind::Colon, 1),
            (b'+', _) => (TokenKind::Plus, 1),
            (b'-', _) => (TokenKind::Minus, 1),
            (b'*', _) => (TokenKind::Star, 1),
            (b'/', _) => (TokenKind::Slash, 1),
            (b'%', _) => (TokenKind::Percent, 1),
            (b'.', _) => (TokenKind::Dot, 1),
            (b',', _) => (TokenKind::Comma, 1),
            (b'[', _) => (TokenKind::LBracket, 1),
            (b']', _) => (TokenKind::RBracket, 1),
            (b'(', _) => (TokenKind::LParen, 1),
            (b')', _) => (TokenKind::RParen, 1),
            (b'|', _) => (TokenKind::Pipe, 1),
            (b'?', _) => (TokenKind::Question, 1),
            _ => {
                self.unexpected_char(start);
                return;
            }
        };
        self.pos += len;
        self.push(kind, start);
    }

    fn unexpected_char(&mut self, start: usize) {
        let ch = self.text[start..].chars().next().unwrap_or('\u{FFFD}');
        self.pos += ch.len_utf8();
        let mut diag = Diagnostic::error(
            codes::UNEXPECTED_CHAR,
            format!("unexpected character {}", describe_char(ch)),
        )
        .with_span(Span::new(start, self.pos));
        if ch.is_whitespace() {
            diag = diag.with_help("EQL separates tokens with plain spaces, tabs and newlines only");
        } else if ch.is_alphanumeric() || ch == '-' {
            diag = diag.with_help("names with other characters must be back-quoted: `my-field`");
        } else if matches!(ch, '\u{201C}' | '\u{201D}' | '\u{2018}' | '\u{2019}') {
            diag = diag.with_help("use plain double quotes `\"` around strings");
        }
        self.diags.push(diag);
    }

    fn word(&mut self, start: usize) {
        self.pos += 1;
        while self
            .peek(0)
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
        {
            self.pos += 1;
        }
        let word = &self.text[start..self.pos];
        if self.peek(0) == Some(b'~') {
            self.pos += 1;
            let kind = match word {
                "in" => TokenKind::Kw(Keyword::InCi),
                "like" => TokenKind::Kw(Keyword::LikeCi),
                "regex" => TokenKind::Kw(Keyword::RegexCi),
                _ => TokenKind::TildeIdent(word.to_string()),
            };
            self.push(kind, start);
            return;
        }
        let kind = match Keyword::from_word(word) {
            Some(k) => TokenKind::Kw(k),
            None => TokenKind::Ident(word.to_string()),
        };
        self.push(kind, start);
    }

    /// Numbers as Elasticsearch's lexer reads them: `12`, `1.5`, `1.`, `.5`, `1e3`, `2.5E-3`.
    fn number(&mut self, start: usize) {
        let mut decimal = false;
        self.digits();
        if self.peek(0) == Some(b'.') {
            // `1.` is a decimal in ES; `1..2` is not our concern.
            decimal = true;
            self.pos += 1;
            self.digits();
        }
        if matches!(self.peek(0), Some(b'e' | b'E')) {
            let sign = usize::from(matches!(self.peek(1), Some(b'+' | b'-')));
            if self.peek(1 + sign).is_some_and(|c| c.is_ascii_digit()) {
                decimal = true;
                self.pos += 1 + sign;
                self.digits();
            }
        }
        let text = self.text[start..self.pos].to_string();
        let kind = if decimal {
            TokenKind::Decimal(text)
        } else {
            TokenKind::Int(text)
        };
        self.push(kind, start);
    }

    fn digits(&mut self) {
        while self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    /// `` `name` `` with ```` `` ```` standing for one back-quote.
    fn quoted_ident(&mut self, start: usize) {
        self.pos += 1;
        let mut value = String::new();
        loop {
            match self.peek(0) {
                None => {
                    self.diags.push(
                        Diagnostic::error(
                            codes::UNTERMINATED_QUOTED_NAME,
                            "unterminated back-quoted name",
                        )
                        .with_span(Span::new(start, self.pos))
                        .with_help(
                            "close the name with a back-quote; write `` for a back-quote inside it",
                        ),
                    );
                    break;
                }
                Some(b'`') if self.peek(1) == Some(b'`') => {
                    value.push('`');
                    self.pos += 2;
                }
                Some(b'`') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => {
                    let ch = self.text[self.pos..].chars().next().unwrap_or('\u{FFFD}');
                    value.push(ch);
                    self.pos += ch.len_utf8();
                }
            }
        }
        self.push(TokenKind::QuotedIdent(value), start);
    }

    fn string(&mut self, start: usize) {
        if self.text[start..].starts_with("\"\"\"") {
            self.raw_string(start);
        } else {
            self.escaped_string(start, b'"', true);
        }
    }

    /// `"""…"""`: no escapes; may span lines; up to two extra `"` before the end belong to
    /// the value (`"""say "hi""""` is `say "hi"`).
    fn raw_string(&mut self, start: usize) {
        let body = start + 3;
        match self.text[body..].find("\"\"\"") {
            Some(rel) => {
                let mut end = body + rel;
                let mut close = end + 3;
                let mut extra = 0;
                while extra < 2 && self.bytes.get(close) == Some(&b'"') {
                    end += 1;
                    close += 1;
                    extra += 1;
                }
                self.pos = close;
                let value = self.text[body..end].to_string();
                self.push(TokenKind::Str(value), start);
            }
            None => {
                self.pos = self.bytes.len();
                self.diags.push(
                    Diagnostic::error(codes::UNTERMINATED_STRING, "unterminated raw string")
                        .with_span(Span::new(start, body))
                        .with_help("close the raw string with `\"\"\"`"),
                );
                let value = self.text[body..].to_string();
                self.push(TokenKind::Str(value), start);
            }
        }
    }

    /// A `quote`-delimited string with backslash escapes. Elasticsearch accepts only `"`;
    /// the caller reports `'` separately (and then asks not to `report_escapes`: the
    /// single-quote error already says how to rewrite the whole string).
    fn escaped_string(&mut self, start: usize, quote: u8, report_escapes: bool) {
        let before = self.diags.len();
        self.pos += 1;
        let mut value = String::new();
        loop {
            match self.peek(0) {
                None | Some(b'\n') | Some(b'\r') => {
                    self.diags.push(
                        Diagnostic::error(codes::UNTERMINATED_STRING, "unterminated string")
                            .with_span(Span::new(start, self.pos))
                            .with_help(
                                "close the string on the same line; use `\\n` for a newline, \
                                 or a raw string `\"\"\"…\"\"\"` to span lines",
                            ),
                    );
                    break;
                }
                Some(c) if c == quote => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => self.escape(&mut value),
                Some(_) => {
                    let ch = self.text[self.pos..].chars().next().unwrap_or('\u{FFFD}');
                    value.push(ch);
                    self.pos += ch.len_utf8();
                }
            }
        }
        if !report_escapes {
            let mut added = self.diags.split_off(before);
            added.retain(|d| d.code == codes::UNTERMINATED_STRING);
            self.diags.append(&mut added);
        }
        self.push(TokenKind::Str(value), start);
    }

    /// One escape sequence at `self.pos` (a backslash), appended to `value`.
    fn escape(&mut self, value: &mut String) {
        let start = self.pos;
        let Some(next) = self.text[start + 1..].chars().next() else {
            // A lone backslash at the end: the unterminated-string error covers it.
            self.pos += 1;
            return;
        };
        self.pos += 1 + next.len_utf8();
        let simple = match next {
            't' => Some('\t'),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            '"' => Some('"'),
            '\'' => Some('\''),
            '\\' => Some('\\'),
            _ => None,
        };
        if let Some(c) = simple {
            value.push(c);
            return;
        }
        if next == 'u' {
            self.unicode_escape(start, value);
            return;
        }
        if next == '\n' || next == '\r' {
            // The string ends at the line break: the unterminated-string error covers it.
            self.pos = start + 1;
            return;
        }
        value.push(next);
        self.diags.push(
            Diagnostic::error(
                codes::BAD_ESCAPE,
                format!("unknown escape sequence `\\{}`", next.escape_default()),
            )
            .with_span(Span::new(start, self.pos))
            .with_note("EQL strings know `\\n \\r \\t \\b \\f \\\" \\' \\\\` and `\\u{XXXX}`")
            .with_help(
                "write a backslash as `\\\\`, or use a raw string `\"\"\"…\"\"\"` where \
                 backslashes are plain characters",
            ),
        );
    }

    /// `\u{XX…}` with 2 to 8 hex digits; `self.pos` is just past the `u`.
    fn unicode_escape(&mut self, start: usize, value: &mut String) {
        if self.peek(0) != Some(b'{') {
            self.diags.push(
                Diagnostic::error(codes::BAD_UNICODE_ESCAPE, "malformed unicode escape")
                    .with_span(Span::new(start, self.pos))
                    .with_help(
                        "write unicode escapes with braces and 2 to 8 hex digits: `\\u{263A}`",
                    ),
            );
            return;
        }
        let digits_start = self.pos + 1;
        let mut end = digits_start;
        while self.bytes.get(end).is_some_and(|c| c.is_ascii_hexdigit()) {
            end += 1;
        }
        if self.bytes.get(end) != Some(&b'}') {
            self.pos = end;
            self.diags.push(
                Diagnostic::error(codes::BAD_UNICODE_ESCAPE, "malformed unicode escape")
                    .with_span(Span::new(start, end))
                    .with_help("close the escape with `}`: `\\u{263A}`"),
            );
            return;
        }
        self.pos = end + 1;
        let span = Span::new(start, self.pos);
        let hex = &self.text[digits_start..end];
        if !(2..=8).contains(&hex.len()) {
            self.diags.push(
                Diagnostic::error(
                    codes::BAD_UNICODE_ESCAPE,
                    format!(
                        "unicode escape needs 2 to 8 hex digits, `\\u{{{hex}}}` has {}",
                        hex.len()
                    ),
                )
                .with_span(span)
                .with_help("pad with zeros: `\\u{0041}` is `A`"),
            );
            return;
        }
        let code = u32::from_str_radix(hex, 16).ok();
        match code.and_then(char::from_u32) {
            Some(c) => value.push(c),
            None => {
                let why = match code {
                    Some(c) if (0xD800..=0xDFFF).contains(&c) => "is a surrogate, not a character",
                    _ => "is beyond the last unicode character U+10FFFF",
                };
                self.diags.push(
                    Diagnostic::error(
                        codes::BAD_UNICODE_ESCAPE,
                        format!("invalid unicode escape `\\u{{{hex}}}`: it {why}"),
                    )
                    .with_span(span),
                );
            }
        }
    }

    /// `'…'`: rejected by Elasticsearch; read like a double-quoted string so parsing goes on.
    fn single_quoted(&mut self, start: usize) {
        let before = self.diags.len();
        self.escaped_string(start, b'\'', false);
        let span = Span::new(start, self.pos);
        let raw = &self.text[start + 1..self.pos];
        let raw = raw.strip_suffix('\'').unwrap_or(raw);
        let help = if raw.contains('\\') && !raw.contains("\"\"\"") && !raw.ends_with('"') {
            format!("use double quotes, or triple double quotes to keep backslashes as they are: \"\"\"{raw}\"\"\"")
        } else if !raw.contains('"') {
            format!("use double quotes: \"{raw}\"")
        } else {
            "use double quotes, escaping the ones inside: \"say \\\"hi\\\"\"".to_string()
        };
        let diag = Diagnostic::error(
            codes::SINGLE_QUOTED_STRING,
            "single-quoted strings are not supported in EQL",
        )
        .with_span(span)
        .with_help(help);
        self.diags.insert(before, diag);
    }

    /// `?"…"` / `?'…'`: old EQL raw strings, rejected by Elasticsearch.
    fn old_raw_string(&mut self, start: usize) {
        let quote = self.bytes[start + 1];
        self.pos = start + 2;
        let body = self.pos;
        while let Some(c) = self.peek(0) {
            if c == quote || c == b'\n' || c == b'\r' {
                break;
            }
            // `\"` does not end the string in the old syntax.
            if c == b'\\' && self.peek(1) == Some(quote) {
                self.pos += 1;
            }
            self.pos += 1;
        }
        let value = self.text[body..self.pos].to_string();
        if self.peek(0) == Some(quote) {
            self.pos += 1;
        }
        self.push(TokenKind::Str(value), start);
        self.diags.push(
            Diagnostic::error(
                codes::OLD_RAW_STRING,
                format!(
                    "`?{}` raw strings are not supported in EQL",
                    char::from(quote)
                ),
            )
            .with_span(Span::new(start, self.pos))
            .with_help("write raw strings with triple double quotes: \"\"\"C:\\Windows\\*\"\"\""),
        );
    }
}

/// `'x'` for a visible character, `U+00A0 (no-break space)`-style for the rest.
fn describe_char(ch: char) -> String {
    let name = match ch {
        '\u{A0}' => Some("no-break space"),
        '\u{200B}' => Some("zero-width space"),
        '\u{FEFF}' => Some("byte order mark"),
        '\u{201C}' | '\u{201D}' => Some("curly double quote"),
        '\u{2018}' | '\u{2019}' => Some("curly single quote"),
        _ => None,
    };
    match name {
        Some(n) => format!("U+{:04X} ({n})", u32::from(ch)),
        None if ch.is_control() || ch.is_whitespace() => format!("U+{:04X}", u32::from(ch)),
        None => format!("`{ch}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        let (toks, diags) = tokenize(text);
        assert!(diags.is_empty(), "{diags:?}");
        toks.into_iter().map(|t| t.kind).collect()
    }

    fn ident(s: &str) -> TokenKind {
        TokenKind::Ident(s.to_string())
    }

    #[test]
    fn words_keywords_and_tilde_names() {
        assert_eq!(
            kinds("process where in~ like~ startsWith~ AND @timestamp _x1"),
            vec![
                ident("process"),
                TokenKind::Kw(Keyword::Where),
                TokenKind::Kw(Keyword::InCi),
                TokenKind::Kw(Keyword::LikeCi),
                TokenKind::TildeIdent("startsWith".into()),
                ident("AND"),
                ident("@timestamp"),
                ident("_x1"),
                TokenKind::Eof,
            ]
        );
    }

    #[test]
    fn numbers_follow_es_maximal_munch() {
        assert_eq!(
            kinds("1 1.5 1. .5 1e3 2E-3 5m a.0"),
            vec![
                TokenKind::Int("1".into()),
                TokenKind::Decimal("1.5".into()),
                TokenKind::Decimal("1.".into()),
                TokenKind::Decimal(".5".into()),
                TokenKind::Decimal("1e3".into()),
                TokenKind::Decimal("2E-3".into()),
                TokenKind::Int("5".into()),
                ident("m"),
                ident("a"),
                TokenKind::Decimal(".0".into()),
                TokenKind::Eof,
            ]
        );
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(
            kinds(r#""a\"b\\c\n\u{41}\u{1F600}" """raw\n "x"""" `a``b`"#),
            vec![
                TokenKind::Str("a\"b\\c\nA\u{1F600}".into()),
                TokenKind::Str("raw\\n \"x\"".into()),
                TokenKind::QuotedIdent("a`b".into()),
                TokenKind::Eof,
            ]
        );
    }

    #[test]
    fn comments_nest_and_are_skipped() {
        assert_eq!(
            kinds("a /* x /* y */ z */ b // c\nd"),
            vec![ident("a"), ident("b"), ident("d"), TokenKind::Eof]
        );
    }

    #[test]
    fn punctuation() {
        assert_eq!(
            kinds("== != <= >= = ![ ! && || ? :"),
            vec![
                TokenKind::EqEq,
                TokenKind::NotEq,
                TokenKind::LtEq,
                TokenKind::GtEq,
                TokenKind::Assign,
                TokenKind::MissingOpen,
                TokenKind::Bang,
                TokenKind::AndAnd,
                TokenKind::OrOr,
                TokenKind::Question,
                TokenKind::Colon,
                TokenKind::Eof,
            ]
        );
    }

    #[test]
    fn rejected_forms_still_make_tokens() {
        let (toks, diags) = tokenize(r#"'abc' ?"raw" "\d" "\u{1}" "open"#);
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            vec![
                codes::SINGLE_QUOTED_STRING,
                codes::OLD_RAW_STRING,
                codes::BAD_ESCAPE,
                codes::BAD_UNICODE_ESCAPE,
                codes::UNTERMINATED_STRING
            ]
        );
        assert_eq!(toks[0].kind, TokenKind::Str("abc".into()));
        assert_eq!(toks[1].kind, TokenKind::Str("raw".into()));
        assert_eq!(toks[2].kind, TokenKind::Str("d".into()));
    }

    #[test]
    fn unicode_escape_bounds() {
        let (_, d) = tokenize(r#""\u{D800}" "\u{110000}" "\u{123456789}""#);
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(d[0].message.contains("surrogate"));
        assert!(d[1].message.contains("U+10FFFF"));
        assert!(d[2].message.contains("2 to 8"));
    }

    #[test]
    fn odd_characters_are_reported_once() {
        let (toks, d) = tokenize("a\u{A0}b #");
        assert_eq!(d.len(), 2);
        assert!(d[0].message.contains("no-break space"), "{}", d[0].message);
        assert_eq!(toks.len(), 3);
    }
}
