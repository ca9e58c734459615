//! Just enough JSON for the hot path: reading the records the `evtx` crate renders, and
//! writing documents.
//!
//! Strings are kept **as escaped in the input** (a slice between the quotes) and only
//! unescaped when a mapping step needs their text: most values go from the rendered record
//! to the output document untouched, so they are neither unescaped nor escaped again. This
//! is what lets mapping keep up with the `evtx` crate's own JSON output.
//!
//! The reader accepts standard JSON (RFC 8259) and rejects anything else with an error;
//! nesting is bounded ([`MAX_DEPTH`]) so hostile input cannot exhaust the stack.

use std::borrow::Cow;

/// Deepest nesting accepted (a rendered record nests about 6 levels).
pub(crate) const MAX_DEPTH: usize = 64;

/// A JSON string as it appears in the text: the characters between the quotes, escapes
/// not yet decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JStr<'a> {
    /// The escaped text.
    pub raw: &'a str,
    /// Whether `raw` holds a backslash escape.
    pub escaped: bool,
}

impl<'a> JStr<'a> {
    /// The decoded text (borrowed when there is nothing to decode).
    pub(crate) fn text(&self) -> Cow<'a, str> {
        if self.escaped {
            Cow::Owned(unescape(self.raw))
        } else {
            Cow::Borrowed(self.raw)
        }
    }

    /// Whether the decoded text equals `s` (without decoding when possible).
    pub(crate) fn is(&self, s: &str) -> bool {
        if self.escaped {
            unescape(self.raw) == s
        } else {
            self.raw == s
        }
    }
}

/// A parsed JSON value borrowing from the input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    /// A number, as written.
    Num(&'a str),
    Str(JStr<'a>),
    Arr(Vec<Json<'a>>),
    Obj(Vec<(JStr<'a>, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// The first member named `key` of an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Obj(members) => members.iter().find(|(k, _)| k.is(key)).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A syntax error, at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonError {
    pub offset: usize,
    pub message: &'static str,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

/// Parses one JSON value filling all of `text` (surrounding whitespace allowed).
pub(crate) fn parse(text: &str) -> Result<Json<'_>, JsonError> {
    let mut p = Parser {
        s: text,
        b: text.as_bytes(),
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.b.len() {
        return Err(p.err("trailing characters"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn err(&self, message: &'static str) -> JsonError {
        JsonError {
            offset: self.i,
            message,
        }
    }

    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn literal(&mut self, word: &'static str, v: Json<'a>) -> Result<Json<'a>, JsonError> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.err("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json<'a>, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nesting too deep"));
        }
        self.ws();
        match self.b.get(self.i) {
            None => Err(self.err("unexpected end")),
            Some(b'{') => {
                self.i += 1;
                let mut members = Vec::with_capacity(8);
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Json::Obj(members));
                }
                loop {
                    self.ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return Err(self.err("expected a member name"));
                    }
                    let key = self.string()?;
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return Err(self.err("expected `:`"));
                    }
                    self.i += 1;
                    let v = self.value(depth + 1)?;
                    members.push((key, v));
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Json::Obj(members));
                        }
                        _ => return Err(self.err("expected `,` or `}`")),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Arr(items));
                        }
                        _ => return Err(self.err("expected `,` or `]`")),
                    }
                }
            }
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => {
                let start = self.i;
                while let Some(&c) = self.b.get(self.i) {
                    if matches!(c, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                        self.i += 1;
                    } else {
                        break;
                    }
                }
                let num = &self.s[start..self.i];
                if valid_number(num) {
                    Ok(Json::Num(num))
                } else {
                    Err(JsonError {
                        offset: start,
                        message: "invalid number",
                    })
                }
            }
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    /// A string starting at the opening quote.
    fn string(&mut self) -> Result<JStr<'a>, JsonError> {
        self.i += 1;
        let start = self.i;
        let mut escaped = false;
        loop {
            let rest = &self.b[self.i..];
            let Some(k) = memchr::memchr2(b'"', b'\\', rest) else {
                return Err(self.err("unterminated string"));
            };
            // Control characters must be escaped inside strings (checked without an early
            // exit, so the loop vectorizes).
            if rest[..k].iter().fold(false, |bad, &c| bad | (c < 0x20)) {
                return Err(self.err("control character in a string"));
            }
            self.i += k;
            match self.b[self.i] {
                b'"' => {
                    let raw = &self.s[start..self.i];
                    self.i += 1;
                    return Ok(JStr { raw, escaped });
                }
                _ => {
                    escaped = true;
                    match self.b.get(self.i + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.i += 2;
                        }
                        Some(b'u') => {
                            let hex = self.b.get(self.i + 2..self.i + 6);
                            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                                return Err(self.err("bad \\u escape"));
                            }
                            self.i += 6;
                        }
                        _ => return Err(self.err("bad escape")),
                    }
                }
            }
        }
    }
}

fn valid_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let from = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == from {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let from = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == from {
            return false;
        }
    }
    i == b.len()
}

/// Decodes the escapes of a JSON string body (already validated by the parser; invalid
/// sequences, which only hand-built input could hold, are kept as they are).
pub(crate) fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, '"')) => out.push('"'),
            Some((_, '\\')) => out.push('\\'),
            Some((_, '/')) => out.push('/'),
            Some((_, 'b')) => out.push('\u{8}'),
            Some((_, 'f')) => out.push('\u{c}'),
            Some((_, 'n')) => out.push('\n'),
            Some((_, 'r')) => out.push('\r'),
            Some((_, 't')) => out.push('\t'),
            Some((_, 'u')) => {
                let unit = |at: usize| {
                    raw.get(at..at + 4)
                        .and_then(|h| u16::from_str_radix(h, 16).ok())
                };
                let Some(hi) = unit(i + 2) else {
                    out.push_str("\\u");
                    continue;
                };
                for _ in 0..4 {
                    chars.next();
                }
                let code = if (0xD800..0xDC00).contains(&hi) && raw.get(i + 6..i + 8) == Some("\\u")
                {
                    match unit(i + 8) {
                        Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                            for _ in 0..6 {
                                chars.next();
                            }
                            0x10000 + ((u32::from(hi) - 0xD800) << 10) + (u32::from(lo) - 0xDC00)
                        }
                        _ => u32::from(hi),
                    }
                } else {
                    u32::from(hi)
                };
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            Some((_, other)) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Appends `s` as a JSON string (with quotes), escaping what JSON requires.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    write_escaped(out, s);
    out.push(b'"');
}

/// Bytes that need an escape in a JSON string: 1 for the short escapes, 2 for `\u00XX`.
const NEEDS_ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = 2;
        i += 1;
    }
    t[b'"' as usize] = 1;
    t[b'\\' as usize] = 1;
    t[b'\n' as usize] = 1;
    t[b'\r' as usize] = 1;
    t[b'\t' as usize] = 1;
    t[0x08] = 1;
    t[0x0c] = 1;
    t
};

/// Appends the escaped body of `s` (no quotes).
pub(crate) fn write_escaped(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    // Most strings (keys, names, numbers) need no escape: one branch-free pass decides.
    if !b.iter().fold(false, |any, &c| {
        any | (c < 0x20) | (c == b'"') | (c == b'\\')
    }) {
        out.extend_from_slice(b);
        return;
    }
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let kind = NEEDS_ESCAPE[c as usize];
        if kind == 0 {
            i += 1;
            continue;
        }
        out.extend_from_slice(&b[start..i]);
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(c >> 4)]);
                out.push(HEX[usize::from(c & 0xf)]);
            }
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&b[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The escaped form of `s` (for building an escaped value from plain text).
    fn escape(s: &str) -> String {
        let mut out = Vec::with_capacity(s.len() + 2);
        write_escaped(&mut out, s);
        // Only ASCII escapes were inserted into valid UTF-8.
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn parses_rendered_records() {
        let v = parse("{\"a\": \"line\nbreak\"}");
        assert!(v.is_err(), "a raw newline inside a string is invalid");
        let v = parse(r#"{"a": [1, -2.5e3, true, null], "b\"": {"c": "x\\y\n\u00e9"}}"#)
            .expect("valid");
        let Json::Obj(m) = &v else { panic!("object") };
        assert_eq!(m[1].0.text(), "b\"");
        let Some(Json::Str(c)) = m[1].1.get("c") else {
            panic!("string")
        };
        assert_eq!(c.raw, r"x\\y\n\u00e9");
        assert_eq!(c.text(), "x\\y\né");
        assert_eq!(
            v.get("a"),
            Some(&Json::Arr(vec![
                Json::Num("1"),
                Json::Num("-2.5e3"),
                Json::Bool(true),
                Json::Null
            ]))
        );
    }

    #[test]
    fn rejects_bad_json_without_panicking() {
        for bad in [
            "",
            "{",
            "[1,",
            "{\"a\"}",
            "{\"a\":}",
            "01",
            "1.",
            "-",
            "\"\\x\"",
            "\"\\u12\"",
            "tru",
            "[1]]",
            "{\"a\":1,}",
            "\"abc",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should fail");
        }
        let deep = "[".repeat(MAX_DEPTH + 5) + &"]".repeat(MAX_DEPTH + 5);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn escapes_round_trip() {
        let s = "a\"b\\c\nd\u{1}é😀";
        let mut out = Vec::new();
        write_str(&mut out, s);
        let text = String::from_utf8(out).expect("utf8");
        assert_eq!(text, "\"a\\\"b\\\\c\\nd\\u0001é😀\"");
        let back: String = serde_json::from_str(&text).expect("serde agrees");
        assert_eq!(back, s);
        assert_eq!(unescape(&escape(s)), s);
        assert_eq!(unescape(r"\ud83d\ude00"), "😀");
    }
}
