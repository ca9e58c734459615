//! Structural JSON scanning: where does a value end, what are an object's members — without
//! building the value.
//!
//! Why hand-written: the readers need byte ranges of documents inside larger texts (array
//! elements, `_source` inside a hit, hits inside a search response), across buffer refills,
//! with a nesting limit enforced iteratively (no recursion on untrusted input) and with
//! `//` and `/* */` comments accepted between tokens, as Elasticsearch's test data files
//! use them. A full parser would build and drop every value; this only tracks strings,
//! brackets and comments, so it runs near memory speed. Syntax inside scalars is left to the
//! consumer's JSON parser, which reports it with the record's location.

use memchr::{memchr, memchr2};

/// Why a scan failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScanError {
    /// More open brackets than the nesting limit.
    TooDeep,
    /// A closing bracket that does not match the open one (`{]`), or one with nothing open.
    Mismatch(u8),
    /// The input ended inside the value.
    Eof,
    /// A `/` outside a string that does not start a comment (or comments are off).
    Stray(u8),
}

impl ScanError {
    pub(crate) fn describe(self, max_depth: usize) -> String {
        match self {
            ScanError::TooDeep => format!("document nested deeper than {max_depth} levels"),
            ScanError::Mismatch(b) => format!("unexpected `{}`", char::from(b)),
            ScanError::Eof => "input ends inside a JSON value".to_string(),
            ScanError::Stray(b) => format!("unexpected byte `{}`", char::from(b).escape_default()),
        }
    }
}

/// Result of feeding bytes to a [`ValueScan`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// The value ends just before this offset (relative to the slice last fed).
    Done(usize),
    /// All bytes fed so far are inside the value.
    NeedMore,
    /// The value is malformed at this offset of the slice last fed.
    Error(ScanError, usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Start,
    Normal,
    Str,
    StrEsc,
    Scalar,
    Slash,
    LineComment,
    BlockComment,
    BlockStar,
}

/// A resumable scanner that finds the end of one JSON value. Feed it consecutive slices
/// of the text starting at the value's first byte until it says [`Step::Done`].
#[derive(Debug)]
pub(crate) struct ValueScan {
    stack: Vec<u8>,
    max_depth: usize,
    comments: bool,
    state: State,
    /// With `skip_deep`, brackets past the nesting limit are only counted, so the value can
    /// still be skipped to its end; `too_deep` then tells the caller to reject it.
    skip_deep: bool,
    overflow: usize,
    pub too_deep: bool,
    /// Whether a comment was seen inside the value (the caller blanks it before handing the
    /// value to a strict JSON parser).
    pub saw_comment: bool,
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\r' | b'\n' | b',' | b']' | b'}' | b':' | b'/'
    )
}

impl ValueScan {
    pub(crate) fn new(max_depth: usize, comments: bool) -> Self {
        ValueScan {
            stack: Vec::new(),
            max_depth,
            comments,
            state: State::Start,
            skip_deep: false,
            overflow: 0,
            too_deep: false,
            saw_comment: false,
        }
    }

    /// Past the nesting limit, keep scanning to the value's end (setting `too_deep`)
    /// instead of failing, so that a stream can skip the value and go on.
    pub(crate) fn skipping_deep(mut self) -> Self {
        self.skip_deep = true;
        self
    }

    /// Readies the scanner for a new value.
    pub(crate) fn reset(&mut self) {
        self.stack.clear();
        self.state = State::Start;
        self.overflow = 0;
        self.too_deep = false;
        self.saw_comment = false;
    }

    /// Scans `bytes`, the next part of the value's text; `eof` says no more text follows.
    pub(crate) fn feed(&mut self, bytes: &[u8], eof: bool) -> Step {
        let len = bytes.len();
        let mut i = 0;
        loop {
            match self.state {
                State::Start => {
                    let Some(&b) = bytes.get(i) else {
                        return self.more(len, eof);
                    };
                    match b {
                        b'{' | b'[' => {
                            if self.max_depth == 0 {
                                return Step::Error(ScanError::TooDeep, i);
                            }
                            self.stack.push(b);
                            self.state = State::Normal;
                        }
                        b'"' => self.state = State::Str,
                        b'}' | b']' => return Step::Error(ScanError::Mismatch(b), i),
                        _ => self.state = State::Scalar,
                    }
                    i += 1;
                }
                State::Scalar => {
                    while i < len && !is_delim(bytes[i]) {
                        i += 1;
                    }
                    if i < len || eof {
                        return Step::Done(i);
                    }
                    return Step::NeedMore;
                }
                State::Str => match memchr2(b'"', b'\\', &bytes[i..]) {
                    None => return self.more(len, eof),
                    Some(k) => {
                        i += k;
                        if bytes[i] == b'\\' {
                            self.state = State::StrEsc;
                            i += 1;
                        } else {
                            i += 1;
                            if self.stack.is_empty() {
                                return Step::Done(i);
                            }
                            self.state = State::Normal;
                        }
                    }
                },
                State::StrEsc => {
                    if i >= len {
                        return self.more(len, eof);
                    }
                    i += 1;
                    self.state = State::Str;
                }
                State::Normal => {
                    while i < len {
                        let b = bytes[i];
                        i += 1;
                        match b {
                            b'"' => {
                                self.state = State::Str;
                                break;
                            }
                            b'{' | b'[' => {
                                if self.stack.len() >= self.max_depth {
                                    if !self.skip_deep {
                                        return Step::Error(ScanError::TooDeep, i - 1);
                                    }
                                    self.too_deep = true;
                                    self.overflow += 1;
                                } else {
                                    self.stack.push(b);
                                }
                            }
                            b'}' | b']' if self.overflow > 0 => self.overflow -= 1,
                            b'}' | b']' => {
                                let open = if b == b'}' { b'{' } else { b'[' };
                                if self.stack.pop() != Some(open) {
                                    return Step::Error(ScanError::Mismatch(b), i - 1);
                                }
                                if self.stack.is_empty() {
                                    return Step::Done(i);
                                }
                            }
                            b'/' => {
                                if !self.comments {
                                    return Step::Error(ScanError::Stray(b), i - 1);
                                }
                                self.state = State::Slash;
                                break;
                            }
                            _ => {}
                        }
                    }
                    if self.state == State::Normal {
                        return self.more(len, eof);
                    }
                }
                State::Slash => {
                    let Some(&b) = bytes.get(i) else {
                        return self.more(len, eof);
                    };
                    self.state = match b {
                        b'/' => State::LineComment,
                        b'*' => State::BlockComment,
                        _ => return Step::Error(ScanError::Stray(b'/'), i.saturating_sub(1)),
                    };
                    self.saw_comment = true;
                    i += 1;
                }
                State::LineComment => match memchr(b'\n', &bytes[i..]) {
                    None => return self.more(len, eof),
                    Some(k) => {
                        i += k + 1;
                        self.state = State::Normal;
                    }
                },
                State::BlockComment => match memchr(b'*', &bytes[i..]) {
                    None => return self.more(len, eof),
                    Some(k) => {
                        i += k + 1;
                        self.state = State::BlockStar;
                    }
                },
                State::BlockStar => {
                    let Some(&b) = bytes.get(i) else {
                        return self.more(len, eof);
                    };
                    i += 1;
                    self.state = match b {
                        b'/' => State::Normal,
                        b'*' => State::BlockStar,
                        _ => State::BlockComment,
                    };
                }
            }
        }
    }

    fn more(&self, len: usize, eof: bool) -> Step {
        if eof {
            Step::Error(ScanError::Eof, len)
        } else {
            Step::NeedMore
        }
    }
}

/// Skips whitespace (and comments when `comments`) in a complete text from `i`; returns the
/// offset of the next token, or `Err` with the offset of an unterminated comment.
pub(crate) fn skip_ws(bytes: &[u8], mut i: usize, comments: bool) -> Result<usize, usize> {
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'/' if comments && bytes.get(i + 1) == Some(&b'/') => {
                match memchr(b'\n', &bytes[i..]) {
                    Some(k) => i += k + 1,
                    None => return Ok(bytes.len()),
                }
            }
            b'/' if comments && bytes.get(i + 1) == Some(&b'*') => {
                match memchr::memmem::find(&bytes[i + 2..], b"*/") {
                    Some(k) => i += k + 4,
                    None => return Err(i),
                }
            }
            _ => return Ok(i),
        }
    }
    Ok(i)
}

/// Replaces every comment outside strings with spaces (newlines kept, so line numbers
/// still hold), making a commented value acceptable to a strict JSON parser.
pub(crate) fn blank_comments(bytes: &mut [u8]) {
    let mut i = 0;
    let len = bytes.len();
    while i < len {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < len {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
            }
            b'/' if i + 1 < len && bytes[i + 1] == b'/' => {
                while i < len && bytes[i] != b'\n' {
                    bytes[i] = b' ';
                    i += 1;
                }
            }
            b'/' if i + 1 < len && bytes[i + 1] == b'*' => {
                let start = i;
                let end =
                    memchr::memmem::find(&bytes[i + 2..], b"*/").map_or(len, |k| i + 2 + k + 2);
                for b in &mut bytes[start..end] {
                    if *b != b'\n' {
                        *b = b' ';
                    }
                }
                i = end;
            }
            _ => i += 1,
        }
    }
}

/// The members of a complete JSON object, one at a time: `(raw key text between the quotes,
/// value byte range)`. Depth is bounded by the scanner given.
pub(crate) struct Members<'a, 's> {
    bytes: &'a [u8],
    pos: usize,
    scan: &'s mut ValueScan,
    first: bool,
    done: bool,
}

impl<'a, 's> Members<'a, 's> {
    /// Starts walking the object at the start of `bytes` (leading whitespace allowed).
    /// Returns `Ok(None)` when `bytes` is not an object.
    pub(crate) fn new(
        bytes: &'a [u8],
        scan: &'s mut ValueScan,
    ) -> Result<Option<Self>, (ScanError, usize)> {
        let i = skip_ws(bytes, 0, false).map_err(|i| (ScanError::Eof, i))?;
        if bytes.get(i) != Some(&b'{') {
            return Ok(None);
        }
        Ok(Some(Members {
            bytes,
            pos: i + 1,
            scan,
            first: true,
            done: false,
        }))
    }

    /// The next member, `Ok(None)` after the closing brace.
    #[allow(clippy::type_complexity)]
    pub(crate) fn next_member(
        &mut self,
    ) -> Result<Option<(&'a [u8], std::ops::Range<usize>)>, (ScanError, usize)> {
        if self.done {
            return Ok(None);
        }
        let b = self.bytes;
        let ws = |i| skip_ws(b, i, false).map_err(|i| (ScanError::Eof, i));
        let mut i = ws(self.pos)?;
        match b.get(i) {
            Some(b'}') => {
                self.done = true;
                self.pos = i + 1;
                return Ok(None);
            }
            Some(b',') if !self.first => i = ws(i + 1)?,
            Some(b'"') if self.first => {}
            Some(&c) => return Err((ScanError::Stray(c), i)),
            None => return Err((ScanError::Eof, i)),
        }
        self.first = false;
        if b.get(i) != Some(&b'"') {
            return Err(b
                .get(i)
                .map_or((ScanError::Eof, i), |&c| (ScanError::Stray(c), i)));
        }
        // The key.
        let key_start = i + 1;
        let mut j = key_start;
        let key_end = loop {
            match memchr2(b'"', b'\\', &b[j..]) {
                None => return Err((ScanError::Eof, b.len())),
                Some(k) if b[j + k] == b'\\' => j += k + 2,
                Some(k) => break j + k,
            }
        };
        let key = &b[key_start..key_end.min(b.len())];
        i = ws(key_end + 1)?;
        if b.get(i) != Some(&b':') {
            return Err(b
                .get(i)
                .map_or((ScanError::Eof, i), |&c| (ScanError::Stray(c), i)));
        }
        i = ws(i + 1)?;
        self.scan.reset();
        match self.scan.feed(&b[i..], true) {
            Step::Done(k) => {
                self.pos = i + k;
                Ok(Some((key, i..i + k)))
            }
            Step::Error(e, k) => Err((e, i + k)),
            Step::NeedMore => Err((ScanError::Eof, b.len())),
        }
    }
}

/// Decodes a raw key or string body (the text between the quotes) if it has escapes.
pub(crate) fn unescape(raw: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    if memchr(b'\\', raw).is_none() {
        return std::str::from_utf8(raw)
            .ok()
            .map(std::borrow::Cow::Borrowed);
    }
    let mut quoted = Vec::with_capacity(raw.len() + 2);
    quoted.push(b'"');
    quoted.extend_from_slice(raw);
    quoted.push(b'"');
    serde_json::from_slice::<String>(&quoted)
        .ok()
        .map(std::borrow::Cow::Owned)
}

/// Whether a raw key equals `name` (escapes decoded).
pub(crate) fn key_is(raw: &[u8], name: &str) -> bool {
    if raw == name.as_bytes() {
        return true;
    }
    memchr(b'\\', raw).is_some() && unescape(raw).is_some_and(|k| k == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(text: &str) -> Step {
        ValueScan::new(128, true).feed(text.as_bytes(), true)
    }

    #[test]
    fn finds_value_ends() {
        assert_eq!(end(r#"{"a":[1,{"b":"}]"}]} tail"#), Step::Done(20));
        assert_eq!(end(r#""x\"y" ,"#), Step::Done(6));
        assert_eq!(end("123, 4"), Step::Done(3));
        assert_eq!(end("true"), Step::Done(4));
        assert_eq!(end("{\"a\" // c }\n : 1 /* } */}x"), Step::Done(25));
    }

    #[test]
    fn reports_errors() {
        assert_eq!(end("{\"a\":1]"), Step::Error(ScanError::Mismatch(b']'), 6));
        assert_eq!(end("{\"a\":1"), Step::Error(ScanError::Eof, 6));
        assert_eq!(end("{\"a\":\"1"), Step::Error(ScanError::Eof, 7));
        let deep = "[".repeat(10_000);
        assert_eq!(end(&deep), Step::Error(ScanError::TooDeep, 128));
        let mut skip = ValueScan::new(4, false).skipping_deep();
        let text = format!("{}{} x", "[".repeat(1000), "]".repeat(1000));
        assert_eq!(skip.feed(text.as_bytes(), true), Step::Done(2000));
        assert!(skip.too_deep);
        let mut no_comments = ValueScan::new(8, false);
        assert_eq!(
            no_comments.feed(b"{/}", true),
            Step::Error(ScanError::Stray(b'/'), 1)
        );
    }

    #[test]
    fn resumes_across_any_split() {
        let text = br#"{"k\"ey": [1, "a\\", {"x": null}] /* c */ , "z": "w"}"#;
        let want = text.len();
        for cut in 0..=text.len() {
            for cut2 in cut..=text.len() {
                let mut s = ValueScan::new(16, true);
                let parts = [&text[..cut], &text[cut..cut2], &text[cut2..]];
                let mut off = 0;
                let mut got = None;
                for (n, p) in parts.iter().enumerate() {
                    match s.feed(p, n == 2) {
                        Step::Done(k) => {
                            got = Some(off + k);
                            break;
                        }
                        Step::NeedMore => off += p.len(),
                        Step::Error(e, k) => panic!("{e:?} at {k} with cuts {cut},{cut2}"),
                    }
                }
                assert_eq!(got, Some(want), "cuts {cut},{cut2}");
            }
        }
    }

    #[test]
    fn walks_members() {
        let text = br#" { "_index" : "i\"x", "_source": {"a": [1, 2]}, "n": 5 } "#;
        let mut s = ValueScan::new(16, false);
        let mut m = Members::new(text, &mut s).unwrap().unwrap();
        let mut seen = Vec::new();
        while let Some((k, r)) = m.next_member().unwrap() {
            seen.push((
                String::from_utf8_lossy(k).into_owned(),
                String::from_utf8_lossy(&text[r]).into_owned(),
            ));
        }
        assert_eq!(
            seen,
            vec![
                ("_index".into(), "\"i\\\"x\"".into()),
                ("_source".into(), "{\"a\": [1, 2]}".into()),
                ("n".into(), "5".into())
            ]
        );
        assert!(Members::new(b"[1]", &mut s).unwrap().is_none());
        let mut m = Members::new(br#"{"a" 1}"#, &mut s).unwrap().unwrap();
        assert!(m.next_member().is_err());
    }

    #[test]
    fn blanks_comments_outside_strings() {
        let mut t = b"{\"a//b\": 1, // x\n /* y\n */ \"c\": 2}".to_vec();
        blank_comments(&mut t);
        let v: serde_json::Value = serde_json::from_slice(&t).unwrap();
        assert_eq!(v["a//b"], 1);
        assert_eq!(t.iter().filter(|&&b| b == b'\n').count(), 2);
    }

    #[test]
    fn unescapes_keys() {
        assert!(key_is(b"_source", "_source"));
        assert!(key_is(br"\u005fsource", "_source"));
        assert!(!key_is(b"_id", "_source"));
    }
}

/// Whether the JSON text `json` nests arrays and objects more than `max_depth` deep
/// (brackets inside strings do not count). For consumers that parse records selectively,
/// skipping what they do not read without a depth limit, so that a record nested deeper
/// than the reader's limit is rejected ([`crate::codes::TOO_DEEP`]) whoever parses it.
///
/// Cheap on ordinary records: when the text holds at most `max_depth` opening brackets in
/// all, it cannot nest deeper, and only those bytes are counted.
pub fn nesting_exceeds(json: &[u8], max_depth: usize) -> bool {
    if memchr::memchr2_iter(b'[', b'{', json)
        .nth(max_depth)
        .is_none()
    {
        return false;
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in json {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max_depth {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod nesting_tests {
    use super::nesting_exceeds;

    #[test]
    fn depth_is_counted_outside_strings() {
        assert!(!nesting_exceeds(br#"{"a":[1,{"b":2}]}"#, 3));
        assert!(nesting_exceeds(br#"{"a":[1,{"b":[2]}]}"#, 3));
        // Brackets in strings, escaped quotes included, do not count.
        assert!(!nesting_exceeds(br#"{"a":"[[[[\"[[[[","b":{}}"#, 2));
        let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(nesting_exceeds(deep.as_bytes(), 128));
        // Many brackets side by side are not deep.
        let wide = format!("[{}1]", "[],".repeat(1_000));
        assert!(!nesting_exceeds(wide.as_bytes(), 128));
    }
}
