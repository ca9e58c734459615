//! Character-level rules of KQL: whitespace, special characters, escapes, the keyword
//! lookahead, and decoding text the way Kibana's JavaScript does (UTF-16 `\uXXXX` escapes,
//! surrogate pairs).
//!
//! This is the lexical layer of the scannerless grammar (see [`crate::parser`] for why there
//! is no separate token stream).

use crate::ast::is_js_whitespace;
use shrike_diag::Span;

/// The grammar's `Space` class: `[ \t\r\n\u00A0]`. Returns its length in bytes.
pub(crate) fn space_at(text: &str, pos: usize) -> Option<usize> {
    match text.get(pos..)?.chars().next()? {
        c @ (' ' | '\t' | '\r' | '\n' | '\u{A0}') => Some(c.len_utf8()),
        _ => None,
    }
}

/// Whether `c` is in the grammar's `Space` class.
pub(crate) fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{A0}')
}

/// The grammar's `SpecialCharacter` class: `[\\():<>"*{}]`.
pub(crate) fn is_special(c: char) -> bool {
    matches!(
        c,
        '\\' | '(' | ')' | ':' | '<' | '>' | '"' | '*' | '{' | '}'
    )
}

/// ASCII case-insensitive prefix test (`'or'i` in the grammar; JavaScript's `toLowerCase`
/// maps no non-ASCII character onto the ASCII letters of the keywords).
pub(crate) fn starts_with_ignore_ascii_case(s: &str, word: &str) -> bool {
    s.len() >= word.len() && s.as_bytes()[..word.len()].eq_ignore_ascii_case(word.as_bytes())
}

/// One decoded piece of a literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Piece<'t> {
    /// A character.
    Char(char),
    /// A UTF-16 code unit from a `\uXXXX` escape (may be half of a surrogate pair).
    Unit(u16),
    /// Text copied as written (an escaped keyword such as `\or`).
    Str(&'t str),
}

/// `\uXXXX` (lowercase `u`, four hex digits of either case): the code unit.
fn unicode_escape(rest: &str) -> Option<u16> {
    let hex = rest.strip_prefix("\\u")?.get(..4)?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(hex, 16).ok()
}

/// `EscapedWhitespace = '\\t' / '\\r' / '\\n'`
fn escaped_whitespace(rest: &str) -> Option<char> {
    match rest.as_bytes() {
        [b'\\', b't', ..] => Some('\t'),
        [b'\\', b'r', ..] => Some('\r'),
        [b'\\', b'n', ..] => Some('\n'),
        _ => None,
    }
}

/// `QuotedCharacter = EscapedWhitespace / EscapedUnicodeSequence / '\\' [\\"] / [^"]`.
/// Returns the piece and how many bytes it took.
pub(crate) fn quoted_char(rest: &str) -> Option<(Piece<'_>, usize)> {
    if let Some(c) = escaped_whitespace(rest) {
        return Some((Piece::Char(c), 2));
    }
    if let Some(unit) = unicode_escape(rest) {
        return Some((Piece::Unit(unit), 6));
    }
    if let [b'\\', c @ (b'\\' | b'"'), ..] = rest.as_bytes() {
        return Some((Piece::Char(char::from(*c)), 2));
    }
    // Any other character, a lone backslash included, stands for itself.
    match rest.chars().next()? {
        '"' => None,
        c => Some((Piece::Char(c), c.len_utf8())),
    }
}

/// What an `UnquotedCharacter` turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unquoted<'t> {
    /// Literal content.
    Piece(Piece<'t>),
    /// An unescaped `*`.
    Star,
}

/// `UnquotedCharacter = EscapedWhitespace / EscapedSpecialCharacter / EscapedUnicodeSequence
/// / EscapedKeyword / Wildcard / !SpecialCharacter !Keyword .`
///
/// `space_tried` records where the keyword lookahead tried the `Space` rule (peggy's cache;
/// see [`crate::parser`]).
pub(crate) fn unquoted_char<'t>(
    text: &'t str,
    pos: usize,
    space_tried: &mut [bool],
) -> Option<(Unquoted<'t>, usize)> {
    let rest = text.get(pos..)?;
    if let Some(c) = escaped_whitespace(rest) {
        return Some((Unquoted::Piece(Piece::Char(c)), 2));
    }
    if let Some(after) = rest.strip_prefix('\\') {
        if let Some(c) = after.chars().next().filter(|c| is_special(*c)) {
            return Some((Unquoted::Piece(Piece::Char(c)), 1 + c.len_utf8()));
        }
    }
    if let Some(unit) = unicode_escape(rest) {
        return Some((Unquoted::Piece(Piece::Unit(unit)), 6));
    }
    if let Some(after) = rest.strip_prefix('\\') {
        for word in ["or", "and", "not"] {
            if starts_with_ignore_ascii_case(after, word) {
                let written = &after[..word.len()];
                return Some((Unquoted::Piece(Piece::Str(written)), 1 + word.len()));
            }
        }
    }
    if rest.starts_with('*') {
        return Some((Unquoted::Star, 1));
    }
    let next = rest.chars().next();
    if next.is_some_and(is_special) {
        return None;
    }
    // `!Keyword` is evaluated even at the end of the input.
    if keyword_at(text, pos, space_tried) {
        return None;
    }
    let c = next?;
    Some((Unquoted::Piece(Piece::Char(c)), c.len_utf8()))
}

/// `Keyword = Space 'or'i Space / Space 'and'i Space / 'not'i Space` at `pos`, as a
/// lookahead (nothing consumed). So `a or b` stops a value before ` or `, and `not ` stops
/// it anywhere, even inside a word (`cannot be`).
pub(crate) fn keyword_at(text: &str, pos: usize, space_tried: &mut [bool]) -> bool {
    let mut space = |p: usize| {
        if let Some(t) = space_tried.get_mut(p) {
            *t = true;
        }
        space_at(text, p)
    };
    let rest = |p: usize| text.get(p..).unwrap_or("");
    if let Some(len) = space(pos) {
        let p = pos + len;
        if starts_with_ignore_ascii_case(rest(p), "or") && space(p + 2).is_some() {
            return true;
        }
        if starts_with_ignore_ascii_case(rest(p), "and") && space(p + 3).is_some() {
            return true;
        }
    }
    starts_with_ignore_ascii_case(rest(pos), "not") && space(pos + 3).is_some()
}

/// `span` without raw JavaScript whitespace at either end (unless that leaves nothing).
pub(crate) fn trim_span(text: &str, span: Span) -> Span {
    let s = span.slice(text);
    let start_trim = s.len() - s.trim_start_matches(is_js_whitespace).len();
    let end_trim = s.len() - s.trim_end_matches(is_js_whitespace).len();
    if start_trim + end_trim >= s.len() {
        return span;
    }
    Span::new(span.start + start_trim, span.end - end_trim)
}

/// Joins pieces the way JavaScript joins strings of UTF-16 code units: a `\uD83D\uDE00`
/// escape pair becomes one character. A surrogate left unpaired becomes U+FFFD, which is
/// what Elasticsearch's term encoding (Lucene's UTF-16 → UTF-8 conversion) turns it into.
#[derive(Clone, Debug, Default)]
pub(crate) struct TextBuilder {
    out: String,
    high: Option<u16>,
}

impl TextBuilder {
    pub(crate) fn push(&mut self, piece: Piece<'_>) {
        match piece {
            Piece::Unit(unit) => self.push_unit(unit),
            Piece::Char(c) => {
                self.flush_high();
                self.out.push(c);
            }
            Piece::Str(s) => {
                self.flush_high();
                self.out.push_str(s);
            }
        }
    }

    fn push_unit(&mut self, unit: u16) {
        match unit {
            0xD800..=0xDBFF => {
                self.flush_high();
                self.high = Some(unit);
            }
            0xDC00..=0xDFFF => match self.high.take() {
                Some(high) => {
                    let c =
                        0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                    self.out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                }
                None => self.out.push('\u{FFFD}'),
            },
            _ => {
                self.flush_high();
                self.out
                    .push(char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'));
            }
        }
    }

    fn flush_high(&mut self) {
        if self.high.take().is_some() {
            self.out.push('\u{FFFD}');
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.out.is_empty() && self.high.is_none()
    }

    pub(crate) fn finish(mut self) -> String {
        self.flush_high();
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(pieces: &[Piece<'_>]) -> String {
        let mut b = TextBuilder::default();
        for p in pieces {
            b.push(*p);
        }
        b.finish()
    }

    #[test]
    fn surrogate_pairs_join_and_lone_halves_become_replacement() {
        assert_eq!(decode(&[Piece::Unit(0xD83D), Piece::Unit(0xDE00)]), "😀");
        assert_eq!(decode(&[Piece::Unit(0xD83D)]), "\u{FFFD}");
        assert_eq!(
            decode(&[Piece::Unit(0xDE00), Piece::Char('x')]),
            "\u{FFFD}x"
        );
        assert_eq!(
            decode(&[Piece::Unit(0xD83D), Piece::Char('x')]),
            "\u{FFFD}x"
        );
        assert_eq!(decode(&[Piece::Unit(0x41), Piece::Str("or")]), "Aor");
    }

    #[test]
    fn unicode_escapes_need_lowercase_u_and_four_hex_digits() {
        assert_eq!(unicode_escape("\\u00e9x"), Some(0xE9));
        assert_eq!(unicode_escape("\\u00E9"), Some(0xE9));
        assert_eq!(unicode_escape("\\U00E9"), None);
        assert_eq!(unicode_escape("\\u00E"), None);
        assert_eq!(unicode_escape("\\u00G9"), None);
    }

    #[test]
    fn keyword_lookahead() {
        let mut tried = vec![false; 64];
        assert!(keyword_at(" or x", 0, &mut tried));
        assert!(keyword_at(" OR\tx", 0, &mut tried));
        assert!(!keyword_at(" or", 0, &mut tried));
        assert!(!keyword_at(" orx", 0, &mut tried));
        assert!(keyword_at(" and x", 0, &mut tried));
        assert!(keyword_at("not x", 0, &mut tried));
        assert!(keyword_at("NoT\u{A0}x", 0, &mut tried));
        assert!(!keyword_at("nothing", 0, &mut tried));
        assert!(!keyword_at("or x", 0, &mut tried));
    }

    #[test]
    fn escaped_n_wins_over_escaped_not() {
        // `\not` is a newline followed by `ot`, because `\n` is tried first.
        let mut tried = vec![false; 8];
        assert_eq!(
            unquoted_char("\\not", 0, &mut tried),
            Some((Unquoted::Piece(Piece::Char('\n')), 2))
        );
        assert_eq!(
            unquoted_char("\\Not", 0, &mut tried),
            Some((Unquoted::Piece(Piece::Str("Not")), 4))
        );
    }

    #[test]
    fn trimming_spans() {
        let t = "  ab  ";
        assert_eq!(trim_span(t, Span::new(0, 6)), Span::new(2, 4));
        assert_eq!(trim_span(t, Span::new(0, 2)), Span::new(0, 2));
    }
}
