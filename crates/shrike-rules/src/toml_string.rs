//! Where each byte of a TOML string value came from in the file.
//!
//! A rule's query is a TOML string. Diagnostics about the query carry offsets into the
//! decoded value; to show them at the rule file's line and column they must be moved
//! through the string's quoting: `'''` literal strings are verbatim after a trimmed first
//! newline, but basic strings (`"…"`, `"""…"""`) have escapes (`\\`, `\"`, `\u00e9`) and
//! line-ending backslashes, so the offsets drift. [`StringMap`] re-decodes the literal the
//! way TOML does and records the file offset of every decoded byte.

use std::ops::Range;

/// Maps byte offsets in a decoded string value to byte offsets in the file holding it.
#[derive(Clone, Debug)]
pub struct StringMap {
    /// File offset for each value offset `0..=value.len()`.
    offsets: Vec<usize>,
    /// Whether the literal was re-decoded exactly (always, unless there is a bug).
    exact: bool,
}

impl StringMap {
    /// The map for the string literal at `span` in `text` (delimiters included), whose
    /// decoded value is `value`. If the literal cannot be re-decoded to exactly `value`
    /// (which would be a bug), every offset maps to the literal's start: diagnostics then
    /// point at the right string, if not the right character.
    pub fn new(text: &str, span: Range<usize>, value: &str) -> StringMap {
        let raw = text.get(span.clone()).unwrap_or("");
        for normalize_crlf in [false, true] {
            if let Some((decoded, offsets)) = decode(raw, span.start, normalize_crlf) {
                if decoded == value {
                    return StringMap {
                        offsets,
                        exact: true,
                    };
                }
            }
        }
        StringMap {
            offsets: vec![span.start; value.len() + 1],
            exact: false,
        }
    }

    /// Whether offsets are exact (`false`: everything maps to the literal's start).
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    /// The file offset of `value_offset` (clamped to the end of the value).
    pub fn file_offset(&self, value_offset: usize) -> usize {
        let last = self.offsets.len().saturating_sub(1);
        self.offsets
            .get(value_offset.min(last))
            .copied()
            .unwrap_or_default()
    }
}

/// Decodes a TOML string literal `raw` found at file offset `base`; returns the value and
/// the file offset of each of its bytes (plus one for its end).
fn decode(raw: &str, base: usize, normalize_crlf: bool) -> Option<(String, Vec<usize>)> {
    let (delim, basic) = if raw.starts_with("\"\"\"") {
        ("\"\"\"", true)
    } else if raw.starts_with("'''") {
        ("'''", false)
    } else if raw.starts_with('"') {
        ("\"", true)
    } else if raw.starts_with('\'') {
        ("'", false)
    } else {
        return None;
    };
    if raw.len() < 2 * delim.len() || !raw.ends_with(delim) {
        return None;
    }
    let multiline = delim.len() == 3;
    let mut start = delim.len();
    let end = raw.len() - delim.len();
    if multiline {
        // A newline right after the opening delimiter is not part of the value.
        if raw[start..].starts_with("\r\n") {
            start += 2;
        } else if raw[start..].starts_with('\n') {
            start += 1;
        }
    }
    let body = raw.get(start..end)?;
    let mut value = String::with_capacity(body.len());
    let mut offsets = Vec::with_capacity(body.len() + 1);
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let at = base + start + i;
        if normalize_crlf && multiline && c == '\r' && matches!(chars.peek(), Some((_, '\n'))) {
            continue;
        }
        if !basic || c != '\\' {
            // Verbatim: each byte maps to itself.
            for k in 0..c.len_utf8() {
                offsets.push(at + k);
            }
            value.push(c);
            continue;
        }
        let (_, esc) = chars.next()?;
        let decoded = match esc {
            'b' => '\u{8}',
            't' => '\t',
            'n' => '\n',
            'f' => '\u{c}',
            'r' => '\r',
            'e' => '\u{1b}',
            '"' => '"',
            '\\' => '\\',
            'x' | 'u' | 'U' => {
                let digits = match esc {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut code = 0u32;
                for _ in 0..digits {
                    let (_, h) = chars.next()?;
                    code = code * 16 + h.to_digit(16)?;
                }
                char::from_u32(code)?
            }
            // A line-ending backslash: the newline and the whitespace after it vanish.
            ' ' | '\t' | '\r' | '\n' if multiline => {
                while matches!(chars.peek(), Some((_, ' ' | '\t' | '\r' | '\n'))) {
                    chars.next();
                }
                continue;
            }
            _ => return None,
        };
        for _ in 0..decoded.len_utf8() {
            offsets.push(at);
        }
        value.push(decoded);
    }
    offsets.push(base + end);
    Some((value, offsets))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds the map of the first string literal in `text` (given its decoded value).
    fn map(text: &str, value: &str) -> StringMap {
        let start = text.find(['"', '\'']).expect("a literal");
        StringMap::new(text, start..text.len(), value)
    }

    #[test]
    fn literal_strings_are_verbatim() {
        let text = "q = 'a\\b'";
        let m = map(text, "a\\b");
        assert_eq!(m.file_offset(0), 5);
        assert_eq!(m.file_offset(2), 7);
        assert_eq!(m.file_offset(3), 8);
    }

    #[test]
    fn multiline_literal_trims_the_first_newline() {
        let text = "q = '''\nprocess where\n  true\n'''";
        let m = map(text, "process where\n  true\n");
        assert_eq!(&text[m.file_offset(0)..m.file_offset(7)], "process");
        assert_eq!(&text[m.file_offset(16)..m.file_offset(20)], "true");
    }

    #[test]
    fn basic_strings_account_for_escapes() {
        let text = r#"q = "a \"b\" \\c \u00e9d""#;
        let value = "a \"b\" \\c éd";
        let m = map(text, value);
        let b = value.find('b').expect("b");
        assert_eq!(&text[m.file_offset(b)..m.file_offset(b) + 1], "b");
        let c = value.find('c').expect("c");
        assert_eq!(&text[m.file_offset(c)..m.file_offset(c) + 1], "c");
        let d = value.find('d').expect("d");
        assert_eq!(&text[m.file_offset(d)..m.file_offset(d) + 1], "d");
        // é (2 bytes) comes from the 6-character escape.
        let e = value.find('é').expect("é");
        assert_eq!(&text[m.file_offset(e)..m.file_offset(e) + 6], "\\u00e9");
    }

    #[test]
    fn multiline_basic_line_ending_backslash() {
        let text = "q = \"\"\"\nabc \\\n    def\"\"\"";
        let m = map(text, "abc def");
        assert_eq!(&text[m.file_offset(4)..m.file_offset(4) + 3], "def");
        assert_eq!(m.file_offset(7), text.len() - 3);
    }

    #[test]
    fn crlf_files() {
        let text = "q = '''\r\nab\r\ncd'''";
        let m = map(text, "ab\ncd");
        assert_eq!(&text[m.file_offset(3)..m.file_offset(3) + 2], "cd");
    }

    #[test]
    fn mismatch_falls_back_to_the_literal_start() {
        let text = "q = 'abc'";
        let m = map(text, "something else");
        assert!(!m.is_exact());
        assert_eq!(m.file_offset(3), 4);
    }
}
