//! String matchers compiled once per plan: wildcards, Lucene regular expressions, CIDRs.
//!
//! A wildcard pattern is compiled to the cheapest form that decides it — exact, prefix,
//! suffix, contains (a SIMD substring searcher), "anything" — and otherwise to a [`Glob`]:
//! the pattern's star-separated parts matched left to right, each at its leftmost
//! occurrence (which is optimal: a part matches a fixed number of characters). Only Lucene
//! regular expressions use the `regex` crate. Case-insensitive matchers lower-case the
//! pattern once and the value per match; ASCII values take a fast path that needs no
//! allocation.

use memchr::memmem;
use regex::Regex;
use std::net::IpAddr;

/// An error compiling a pattern (reported as a query error by the front end).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError(pub String);

impl std::fmt::Display for PatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PatternError {}

#[derive(Clone, Debug)]
enum Kind {
    Any,
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(Box<memmem::Finder<'static>>),
    Glob(Box<Glob>),
    Regex(Regex),
}

/// One token of a glob part: literal text, or `?` (exactly one character).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Lit(Box<[u8]>),
    One,
}

/// A wildcard pattern with inner stars or `?`: the parts between stars.
#[derive(Clone, Debug)]
struct Glob {
    parts: Vec<Vec<Tok>>,
    /// Per part, a searcher for its leading literal (to find its leftmost occurrence).
    finders: Vec<Option<memmem::Finder<'static>>>,
    /// The pattern starts with `*` (else the first part is anchored at the start).
    lead_star: bool,
    /// The pattern ends with `*` (else the last part is anchored at the end).
    trail_star: bool,
}

/// Length in bytes of the UTF-8 character starting with byte `b` (1 for a stray byte,
/// which cannot occur in a `str` at a character boundary).
fn char_len(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

impl Glob {
    fn new(pattern: &str) -> Glob {
        let lead_star = pattern.starts_with('*');
        let trail_star = pattern.ends_with('*');
        let parts = pattern
            .split('*')
            .filter(|p| !p.is_empty())
            .map(|part| {
                let mut toks = Vec::new();
                for (i, run) in part.split('?').enumerate() {
                    if i > 0 {
                        toks.push(Tok::One);
                    }
                    if !run.is_empty() {
                        toks.push(Tok::Lit(run.as_bytes().into()));
                    }
                }
                toks
            })
            .collect::<Vec<_>>();
        let finders = parts
            .iter()
            .map(|p| match p.first() {
                Some(Tok::Lit(l)) => Some(memmem::Finder::new(l).into_owned()),
                _ => None,
            })
            .collect();
        Glob {
            parts,
            finders,
            lead_star,
            trail_star,
        }
    }

    /// The end of `part` matched at `pos`, if it matches there.
    fn match_at(part: &[Tok], s: &[u8], mut pos: usize) -> Option<usize> {
        for t in part {
            match t {
                Tok::Lit(l) => {
                    if !s.get(pos..)?.starts_with(l) {
                        return None;
                    }
                    pos += l.len();
                }
                Tok::One => pos += char_len(*s.get(pos)?),
            }
        }
        Some(pos)
    }

    /// The start of `part` matched so that it ends at `end`, if it does.
    fn match_before(part: &[Tok], s: &[u8], mut end: usize) -> Option<usize> {
        for t in part.iter().rev() {
            match t {
                Tok::Lit(l) => {
                    if !s.get(..end)?.ends_with(l) {
                        return None;
                    }
                    end -= l.len();
                }
                Tok::One => {
                    // Step back over one character (continuation bytes are 10xxxxxx).
                    end = end.checked_sub(1)?;
                    while end > 0 && s[end] & 0xC0 == 0x80 {
                        end -= 1;
                    }
                }
            }
        }
        Some(end)
    }

    /// The leftmost match of `part` starting at or after `from`: its end.
    fn find(
        part: &[Tok],
        finder: Option<&memmem::Finder<'_>>,
        s: &[u8],
        mut from: usize,
    ) -> Option<usize> {
        match finder {
            Some(f) => loop {
                let at = from + f.find(s.get(from..)?)?;
                if let Some(end) = Self::match_at(part, s, at) {
                    return Some(end);
                }
                from = at + 1;
            },
            _ => loop {
                if let Some(end) = Self::match_at(part, s, from) {
                    return Some(end);
                }
                from += char_len(*s.get(from)?);
            },
        }
    }

    fn is_match(&self, s: &str) -> bool {
        let s = s.as_bytes();
        let mut parts = &self.parts[..];
        let mut pos = 0;
        if !self.lead_star {
            let Some((first, rest)) = parts.split_first() else {
                return s.is_empty();
            };
            match Self::match_at(first, s, 0) {
                Some(end) => pos = end,
                None => return false,
            }
            parts = rest;
            if parts.is_empty() {
                return self.trail_star || pos == s.len();
            }
        }
        let skipped = self.parts.len() - parts.len();
        let last = if self.trail_star {
            None
        } else {
            match parts.split_last() {
                Some((last, rest)) => {
                    parts = rest;
                    Some(last)
                }
                None => None,
            }
        };
        for (i, part) in parts.iter().enumerate() {
            let finder = self.finders.get(skipped + i).and_then(Option::as_ref);
            match Self::find(part, finder, s, pos) {
                Some(end) => pos = end,
                None => return false,
            }
        }
        match last {
            Some(last) => Self::match_before(last, s, s.len()).is_some_and(|start| start >= pos),
            None => true,
        }
    }
}

/// One compiled pattern.
#[derive(Clone, Debug)]
pub struct Matcher {
    kind: Kind,
    lower: bool,
    /// For a wildcard compiled to a glob: its longest literal run (what any match must
    /// contain), for the prefilter.
    literal: Option<String>,
}

/// What a string must satisfy for a [`Matcher`] to match it (for the rule prefilter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Requirement<'a> {
    /// Equal to this text.
    Exact(&'a str),
    /// Contains this (non-empty) text.
    Contains(&'a str),
}

/// Lower-cases for case-insensitive matching (Unicode simple case folding by
/// `to_lowercase`, like Lucene's `case_insensitive` term queries on keyword fields).
pub fn fold(s: &str) -> String {
    s.to_lowercase()
}

/// [`fold`] into a reused buffer: ASCII text is lower-cased byte by byte (what
/// `to_lowercase` does to ASCII), anything else goes through [`fold`].
pub(crate) fn fold_into(s: &str, buf: &mut String) {
    buf.clear();
    if s.is_ascii() {
        buf.push_str(s);
        buf.make_ascii_lowercase();
    } else {
        buf.push_str(&fold(s));
    }
}

impl Matcher {
    /// Compiles an EQL/KQL wildcard: `*` is any run of characters, `?` exactly one; every
    /// other character, backslash included, is literal.
    pub fn wildcard(pattern: &str, case_insensitive: bool) -> Result<Matcher, PatternError> {
        let p = if case_insensitive {
            fold(pattern)
        } else {
            pattern.to_string()
        };
        let simple = |inner: &str| -> Kind {
            let lead = p.starts_with('*');
            let trail = p.ends_with('*');
            match (lead, trail) {
                (true, true) => {
                    Kind::Contains(Box::new(memmem::Finder::new(inner.as_bytes()).into_owned()))
                }
                (true, false) => Kind::Suffix(inner.to_string()),
                (false, true) => Kind::Prefix(inner.to_string()),
                (false, false) => Kind::Exact(inner.to_string()),
            }
        };
        let inner = p.trim_matches('*');
        let kind = if p.contains('?') || inner.contains('*') {
            Kind::Glob(Box::new(Glob::new(&p)))
        } else if inner.is_empty() && p.contains('*') {
            Kind::Any
        } else {
            simple(inner)
        };
        let literal = match kind {
            Kind::Glob(_) => p
                .split(['*', '?'])
                .max_by_key(|run| run.len())
                .filter(|run| !run.is_empty())
                .map(str::to_string),
            _ => None,
        };
        Ok(Matcher {
            kind,
            lower: case_insensitive,
            literal,
        })
    }

    /// Compiles a Lucene regular expression, anchored at both ends.
    pub fn regex(pattern: &str, case_insensitive: bool) -> Result<Matcher, PatternError> {
        let body = lucene_to_regex(pattern)?;
        let full = format!(
            "{}\\A(?:{body})\\z",
            if case_insensitive { "(?i)" } else { "" }
        );
        let re = regex::RegexBuilder::new(&full)
            .size_limit(1 << 22)
            .build()
            .map_err(|e| PatternError(format!("invalid regular expression `{pattern}`: {e}")))?;
        Ok(Matcher {
            kind: Kind::Regex(re),
            lower: false,
            literal: None,
        })
    }

    /// Whether `s` matches.
    pub fn is_match(&self, s: &str) -> bool {
        if !self.lower {
            return self.raw_match(s);
        }
        if s.is_ascii() {
            if let Some(m) = self.ascii_ci_match(s) {
                return m;
            }
        }
        let mut buf = String::new();
        fold_into(s, &mut buf);
        self.raw_match(&buf)
    }

    /// Whether the matcher compares the value lower-cased.
    pub(crate) fn folds(&self) -> bool {
        self.lower
    }

    /// Whether `s` matches, `folded` being `s` lower-cased by [`fold_into`] (used only
    /// when the matcher [`folds`](Matcher::folds)).
    pub(crate) fn is_match_folded(&self, s: &str, folded: &str) -> bool {
        if self.lower {
            self.raw_match(folded)
        } else {
            self.raw_match(s)
        }
    }

    /// Case-insensitive exact, prefix and suffix tests of an ASCII value without
    /// lower-casing it (the pattern is lower-cased already; an ASCII value can only equal
    /// an ASCII pattern). `None` for the other kinds.
    fn ascii_ci_match(&self, s: &str) -> Option<bool> {
        let s = s.as_bytes();
        Some(match &self.kind {
            Kind::Any => true,
            Kind::Exact(p) => s.eq_ignore_ascii_case(p.as_bytes()),
            Kind::Prefix(p) => s
                .get(..p.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(p.as_bytes())),
            Kind::Suffix(p) => s
                .len()
                .checked_sub(p.len())
                .is_some_and(|i| s[i..].eq_ignore_ascii_case(p.as_bytes())),
            _ => return None,
        })
    }

    fn raw_match(&self, s: &str) -> bool {
        match &self.kind {
            Kind::Any => true,
            Kind::Exact(p) => s == p,
            Kind::Prefix(p) => s.starts_with(p.as_str()),
            Kind::Suffix(p) => s.ends_with(p.as_str()),
            Kind::Contains(f) => f.find(s.as_bytes()).is_some(),
            Kind::Glob(g) => g.is_match(s),
            Kind::Regex(r) => r.is_match(s),
        }
    }

    /// What a matching string must satisfy, and whether it is tested on the string
    /// folded to lower case (`None`: no literal requirement, e.g. `*` or a regex).
    pub(crate) fn requirement(&self) -> Option<(Requirement<'_>, bool)> {
        let req = match &self.kind {
            Kind::Any | Kind::Regex(_) => return None,
            Kind::Exact(p) => Requirement::Exact(p),
            Kind::Prefix(p) | Kind::Suffix(p) if !p.is_empty() => Requirement::Contains(p),
            Kind::Prefix(_) | Kind::Suffix(_) => return None,
            Kind::Contains(f) if !f.needle().is_empty() => {
                Requirement::Contains(std::str::from_utf8(f.needle()).ok()?)
            }
            Kind::Contains(_) => return None,
            Kind::Glob(_) => Requirement::Contains(self.literal.as_deref()?),
        };
        Some((req, self.lower))
    }

    /// The strategy chosen, for `debug plan` and tests.
    pub fn strategy(&self) -> &'static str {
        match self.kind {
            Kind::Any => "any",
            Kind::Exact(_) => "exact",
            Kind::Prefix(_) => "prefix",
            Kind::Suffix(_) => "suffix",
            Kind::Contains(_) => "contains",
            Kind::Glob(_) => "glob",
            Kind::Regex(_) => "regex",
        }
    }
}

/// The wildcard as a regex: the reference the glob matcher is tested against.
#[cfg(test)]
fn wildcard_regex(p: &str) -> Result<Regex, PatternError> {
    let mut out = String::from("(?s)\\A");
    for c in p.chars() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            c => out.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out.push_str("\\z");
    Regex::new(&out).map_err(|e| PatternError(format!("invalid wildcard `{p}`: {e}")))
}

/// Translates Lucene regular-expression syntax (what `regex` means in EQL) into the `regex`
/// crate's syntax.
///
/// Lucene has no anchors (every pattern is anchored); `.` matches any character including
/// newlines. The predefined classes `\d \D \s \S \w \W` mean what they mean in Java (ASCII
/// only: `\s` is `[ \t\n\x0B\f\r]`, `\w` is `[a-zA-Z_0-9]`), in and outside brackets: Lucene
/// gained them in 8.6 (LUCENE-9336) and Elasticsearch supports them on keyword and wildcard
/// fields (elastic/elasticsearch#90064), which Elastic rules rely on. Any other `\c` is the
/// literal `c`; `"…"` quotes
/// a literal string; `@` is any string and `#` the empty language; `<n-m>` is a numeric
/// interval. Quantifiers may stack (`a*?` is `(a*)?`). Intersection `&` and complement `~`
/// cannot be expressed and are reported.
pub fn lucene_to_regex(p: &str) -> Result<String, PatternError> {
    let chars: Vec<char> = p.chars().collect();
    let mut parser = LuceneParser {
        chars: &chars,
        pos: 0,
        depth: 0,
        src: p,
    };
    let out = parser.union()?;
    if parser.pos != chars.len() {
        return Err(parser.err("unbalanced `)`"));
    }
    Ok(out)
}

/// The ASCII class (in bracket syntax, to be placed inside `[…]`) that a Lucene/Java
/// predefined class escape `\d \D \s \S \w \W` stands for.
fn predefined_class(c: char) -> Option<&'static str> {
    Some(match c {
        'd' => "[:digit:]",
        'D' => "[:^digit:]",
        's' => "[:space:]",
        'S' => "[:^space:]",
        'w' => "[:word:]",
        'W' => "[:^word:]",
        _ => return None,
    })
}

struct LuceneParser<'a> {
    chars: &'a [char],
    pos: usize,
    depth: usize,
    src: &'a str,
}

fn lit(c: char) -> String {
    regex::escape(c.encode_utf8(&mut [0; 4]))
}

impl LuceneParser<'_> {
    fn err(&self, what: &str) -> PatternError {
        PatternError(format!(
            "invalid regular expression `{}` at character {}: {what}",
            self.src,
            self.pos + 1
        ))
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn union(&mut self) -> Result<String, PatternError> {
        self.depth += 1;
        if self.depth > 100 {
            return Err(self.err("nested too deeply"));
        }
        let mut alts = vec![self.concat()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            alts.push(self.concat()?);
        }
        self.depth -= 1;
        Ok(alts.join("|"))
    }

    fn concat(&mut self) -> Result<String, PatternError> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let mut atom = self.atom()?;
            // Quantifiers, possibly stacked.
            loop {
                let q = match self.peek() {
                    Some('*') => "*".to_string(),
                    Some('+') => "+".to_string(),
                    Some('?') => "?".to_string(),
                    Some('{') => {
                        let start = self.pos;
                        self.pos += 1;
                        let mut body = String::new();
                        while let Some(c) = self.peek() {
                            if c == '}' {
                                break;
                            }
                            if !(c.is_ascii_digit() || c == ',') {
                                return Err(self.err("bad repetition"));
                            }
                            body.push(c);
                            self.pos += 1;
                        }
                        if self.peek() != Some('}') || body.is_empty() {
                            self.pos = start;
                            return Err(self.err("unclosed `{`"));
                        }
                        format!("{{{body}}}")
                    }
                    _ => break,
                };
                if !q.starts_with('{') {
                    self.pos += 1;
                } else {
                    self.pos += 1; // the closing brace
                }
                atom = format!("(?:{atom}){q}");
            }
            out.push_str(&atom);
        }
        Ok(out)
    }

    fn atom(&mut self) -> Result<String, PatternError> {
        let c = self.peek().ok_or_else(|| self.err("unexpected end"))?;
        self.pos += 1;
        Ok(match c {
            '.' => "(?s:.)".to_string(),
            '@' => "(?s:.*)".to_string(),
            '#' => "[^\\x00-\\x{10FFFF}]".to_string(),
            '(' => {
                let inner = if self.peek() == Some(')') {
                    String::new()
                } else {
                    self.union()?
                };
                if self.peek() != Some(')') {
                    return Err(self.err("unclosed `(`"));
                }
                self.pos += 1;
                format!("(?:{inner})")
            }
            '[' => self.class()?,
            '"' => {
                let mut s = String::new();
                loop {
                    match self.peek() {
                        None => return Err(self.err("unclosed `\"`")),
                        Some('"') => {
                            self.pos += 1;
                            break;
                        }
                        Some(c) => {
                            s.push_str(&lit(c));
                            self.pos += 1;
                        }
                    }
                }
                format!("(?:{s})")
            }
            '\\' => {
                let n = self.peek().ok_or_else(|| self.err("trailing `\\`"))?;
                self.pos += 1;
                match predefined_class(n) {
                    Some(class) => format!("[{class}]"),
                    None => lit(n),
                }
            }
            '<' => self.interval()?,
            '&' | '~' => {
                return Err(self.err(&format!(
                    "the Lucene operator `{c}` is not supported; escape it as `\\{c}`"
                )))
            }
            '*' | '+' | '?' | '{' => return Err(self.err("quantifier without an expression")),
            c => lit(c),
        })
    }

    fn class(&mut self) -> Result<String, PatternError> {
        let mut out = String::from("[");
        if self.peek() == Some('^') {
            out.push('^');
            self.pos += 1;
        }
        let mut first = true;
        loop {
            let c = self.peek().ok_or_else(|| self.err("unclosed `[`"))?;
            self.pos += 1;
            match c {
                ']' if !first => break,
                '\\' => {
                    let n = self.peek().ok_or_else(|| self.err("trailing `\\`"))?;
                    self.pos += 1;
                    match predefined_class(n) {
                        Some(class) => out.push_str(class),
                        None => out.push_str(&lit(n)),
                    }
                }
                '-' if !first && self.peek() != Some(']') => out.push('-'),
                c => out.push_str(&lit(c)),
            }
            first = false;
        }
        out.push(']');
        Ok(out)
    }

    fn interval(&mut self) -> Result<String, PatternError> {
        let mut body = String::new();
        loop {
            let c = self.peek().ok_or_else(|| self.err("unclosed `<`"))?;
            self.pos += 1;
            if c == '>' {
                break;
            }
            body.push(c);
        }
        let (a, b) = body
            .split_once('-')
            .ok_or_else(|| self.err("numeric interval needs `<min-max>`"))?;
        let (lo, hi): (u64, u64) = match (a.parse(), b.parse()) {
            (Ok(x), Ok(y)) if x <= y => (x, y),
            _ => return Err(self.err("bad numeric interval")),
        };
        if hi - lo > 10_000 {
            return Err(self.err("numeric interval too wide"));
        }
        let width = a.len().max(b.len());
        let pad = a.len() == b.len() && a.starts_with('0');
        let alts: Vec<String> = (lo..=hi)
            .map(|n| {
                if pad {
                    format!("{n:0width$}")
                } else {
                    n.to_string()
                }
            })
            .collect();
        Ok(format!("(?:{})", alts.join("|")))
    }
}

/// A CIDR block (`10.0.0.0/8`, `::1/128`) or a single address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `addr/prefix` or a bare address.
    pub fn parse(s: &str) -> Result<Cidr, PatternError> {
        let bad = || PatternError(format!("invalid CIDR `{s}`"));
        let (a, p) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let addr: IpAddr = a.parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p.parse::<u8>().map_err(|_| bad())?,
            None => max,
        };
        if prefix > max {
            return Err(bad());
        }
        Ok(Cidr { addr, prefix })
    }

    /// Whether `ip` is inside the block (IPv4 and IPv4-mapped IPv6 match IPv4 blocks).
    pub fn contains(&self, ip: &IpAddr) -> bool {
        let bits = |ip: &IpAddr| -> (u128, u8) {
            match ip {
                IpAddr::V4(v4) => (u128::from(u32::from(*v4)), 32),
                IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => (u128::from(u32::from(v4)), 32),
                    None => (u128::from(*v6), 128),
                },
            }
        };
        let (net, nw) = bits(&self.addr);
        let (x, xw) = bits(ip);
        if nw != xw {
            return false;
        }
        let prefix = u32::from(self.prefix.min(nw));
        if prefix == 0 {
            return true;
        }
        let shift = u32::from(nw) - prefix;
        (net >> shift) == (x >> shift)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_pick_the_cheapest_strategy() {
        let cases = [
            ("abc", "exact"),
            ("abc*", "prefix"),
            ("*abc", "suffix"),
            ("*abc*", "contains"),
            ("*", "any"),
            ("a*c", "glob"),
            ("a?c", "glob"),
            ("?:\\Windows\\*.exe", "glob"),
            ("**", "any"),
            ("", "exact"),
        ];
        for (p, s) in cases {
            assert_eq!(Matcher::wildcard(p, false).unwrap().strategy(), s, "{p}");
        }
    }

    #[test]
    fn wildcard_semantics() {
        let m = Matcher::wildcard(r"*\MACHINE\SAM\SAM\*\Account\Us*ers\00*03E9\F", true).unwrap();
        assert!(m.is_match(r"\REGISTRY\MACHINE\SAM\SAM\DOMAINS\Account\Users\000003E9\F"));
        let q = Matcher::wildcard("1?", false).unwrap();
        assert!(q.is_match("10") && !q.is_match("1") && !q.is_match("100"));
        let ci = Matcher::wildcard("WinINIT.*", true).unwrap();
        assert!(ci.is_match("wininit.exe"));
        let cs = Matcher::wildcard("WinINIT.*", false).unwrap();
        assert!(!cs.is_match("wininit.exe"));
        // Backslash is literal, not an escape.
        assert!(Matcher::wildcard(r"\TestLogs\something", false)
            .unwrap()
            .is_match(r"\TestLogs\something"));
    }

    #[test]
    fn lucene_regex_translation() {
        let m = Matcher::regex(".*?net1[ ]+localgroup.*?", false).unwrap();
        assert!(m.is_match("net1  localgroup x"));
        assert!(!m.is_match("xnet1localgroup"));
        // Anchored: a partial match is no match.
        assert!(!Matcher::regex("net", false).unwrap().is_match("network"));
        // Java's predefined classes, ASCII only, in and outside brackets (Lucene 8.6+).
        assert!(Matcher::regex(r"a\sb", false).unwrap().is_match("a b"));
        assert!(Matcher::regex(r"a\sb", false).unwrap().is_match("a\u{b}b"));
        assert!(!Matcher::regex(r"a\sb", false).unwrap().is_match("asb"));
        assert!(!Matcher::regex(r"a\sb", false).unwrap().is_match("a\u{a0}b"));
        assert!(Matcher::regex(r"\d+\D", false).unwrap().is_match("123x"));
        assert!(!Matcher::regex(r"\d+", false).unwrap().is_match("١٢"));
        assert!(Matcher::regex(r"\w+\W\S", false).unwrap().is_match("a_9-x"));
        assert!(!Matcher::regex(r"\w", false).unwrap().is_match("é"));
        let m = Matcher::regex(r"/[a-z0-9\s_\-\\./]+\s", false).unwrap();
        assert!(m.is_match("/usr/bin/ps "));
        assert!(!m.is_match("/usr/bin/ps"));
        // Other escapes stay literal.
        assert!(Matcher::regex(r"a\qb", false).unwrap().is_match("aqb"));
        assert!(Matcher::regex(r#""a.b"c"#, false).unwrap().is_match("a.bc"));
        assert!(!Matcher::regex(r#""a.b"c"#, false).unwrap().is_match("axbc"));
        assert!(Matcher::regex("ab{2,3}", false).unwrap().is_match("abbb"));
        assert!(Matcher::regex("x<1-12>", false).unwrap().is_match("x12"));
        assert!(Matcher::regex("NET", true).unwrap().is_match("net"));
        assert!(Matcher::regex("a&b", false).is_err());
        assert!(Matcher::regex("(a", false).is_err());
    }

    #[test]
    fn cidr_blocks() {
        let c = Cidr::parse("10.6.48.157/8").unwrap();
        assert!(c.contains(&"10.1.2.3".parse().unwrap()));
        assert!(!c.contains(&"11.1.2.3".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0")
            .unwrap()
            .contains(&"1.2.3.4".parse().unwrap()));
        assert!(Cidr::parse("::1/128")
            .unwrap()
            .contains(&"::1".parse().unwrap()));
        assert!(Cidr::parse("1.2.3.4/33").is_err());
    }

    #[test]
    fn globs_match_like_the_regex() {
        let cases = [
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "acb", false),
            ("a*b*c", "abcbc", true),
            ("?:\\Users\\*.exe", "C:\\Users\\x\\y.exe", true),
            ("?:\\Users\\*.exe", "CC:\\Users\\y.exe", false),
            ("a?", "aé", true),
            ("a?", "aéb", false),
            ("*?", "", false),
            ("*?", "é", true),
            ("?*?", "é", false),
            ("*a?b", "xxaébaa", false),
            ("*a?b", "xxaébaéb", true),
            ("*a?b", "aab", true),
            ("a*a", "a", false),
            ("a*a", "aa", true),
            ("*ab*ab*", "abab", true),
            ("*ab*ab*", "aba", false),
        ];
        for (p, s, want) in cases {
            let m = Matcher::wildcard(p, false).unwrap();
            assert_eq!(m.is_match(s), want, "{p} on {s}");
            assert_eq!(
                wildcard_regex(p).unwrap().is_match(s),
                want,
                "regex {p} on {s}"
            );
        }
    }

    #[test]
    fn case_insensitive_folding_edge_cases() {
        // 'İ' lower-cases to "i̇" (two characters); ASCII 'I' to 'i'.
        let m = Matcher::wildcard("İ*", true).unwrap();
        assert!(m.is_match("i\u{307}x") && m.is_match("İX") && !m.is_match("ix"));
        let q = Matcher::wildcard("?x", true).unwrap();
        assert!(q.is_match("AX") && q.is_match("ÉX") && !q.is_match("İX"));
        // 'ß' has no single-character upper case: "SS" does not fold to it.
        let ss = Matcher::wildcard("straße", true).unwrap();
        assert!(ss.is_match("STRAßE") && !ss.is_match("STRASSE"));
        // The Kelvin sign lower-cases to ASCII 'k'; the ASCII fast path must not miss it.
        let k = Matcher::wildcard("k*", true).unwrap();
        assert!(k.is_match("\u{212a}elvin") && k.is_match("Kelvin"));
        let e = Matcher::wildcard("*.EXE", true).unwrap();
        assert!(e.is_match("A.exe") && e.is_match("ÀÉ.ExE") && !e.is_match("a.exf"));
        let x = Matcher::wildcard("CMD.EXE", true).unwrap();
        assert!(x.is_match("cmd.exe") && !x.is_match("cmd.ex") && !x.is_match("cmd.exe "));
        assert!(Matcher::wildcard("abc", false).unwrap().is_match("abc"));
        assert!(!Matcher::wildcard("abc", false).unwrap().is_match("ABC"));
        // Folding once for the node gives what `is_match` gives.
        for s in ["ÀÉ.ExE", "İX", "plain.EXE", "\u{212a}"] {
            let mut f = String::new();
            fold_into(s, &mut f);
            for m in [&m, &q, &ss, &k, &e, &x] {
                assert_eq!(m.is_match_folded(s, &f), m.is_match(s), "{s}");
            }
        }
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]
        #[test]
        fn glob_agrees_with_the_regex(
            p in prop_oneof!["[a*?é]{0,6}", "[ab*?é.İ]{0,8}"],
            s in prop_oneof!["[aAéÉ]{0,6}", "[abAB.éÉİi\u{307}]{0,9}"],
        ) {
            let re = wildcard_regex(&p).unwrap();
            prop_assert_eq!(Matcher::wildcard(&p, false).unwrap().is_match(&s), re.is_match(&s));
            let ci = wildcard_regex(&fold(&p)).unwrap();
            prop_assert_eq!(Matcher::wildcard(&p, true).unwrap().is_match(&s), ci.is_match(&fold(&s)));
        }
    }
}
