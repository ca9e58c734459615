//! Bad-input accounting: every problem has a stable code and a location; the first few are
//! kept verbatim, the rest are counted per code, and the run goes on.

use std::collections::BTreeMap;
use std::fmt;

use shrike_diag::{Diagnostic, Severity};

use crate::location::{Location, Pos};

/// The input diagnostic codes (`I0001–I0999`). A code never changes meaning once published.
pub mod codes {
    /// An input could not be opened or read (missing file, permission, I/O error).
    pub const UNREADABLE: &str = "I0001";
    /// An input is not in a format shrike reads (binary junk, an archive, UTF-16 text, …).
    pub const UNRECOGNISED: &str = "I0002";
    /// A gzip or zstd stream is truncated or corrupt; what came before is kept.
    pub const CORRUPT_STREAM: &str = "I0003";
    /// A line or document is longer than the record size cap; it is skipped.
    pub const TOO_LARGE: &str = "I0004";
    /// A record is not valid UTF-8.
    pub const INVALID_UTF8: &str = "I0005";
    /// A record is not well-formed JSON (including a document cut off by the end of input).
    pub const MALFORMED_JSON: &str = "I0006";
    /// A document is nested deeper than the nesting limit.
    pub const TOO_DEEP: &str = "I0007";
    /// A record is valid JSON but not an object, so it cannot be an event.
    pub const NOT_AN_OBJECT: &str = "I0008";
    /// An Elasticsearch hit without a `_source` object.
    pub const HIT_WITHOUT_SOURCE: &str = "I0009";
    /// A `_bulk` body with a malformed or unsupported action line.
    pub const BAD_BULK: &str = "I0010";
    /// An EVTX file, but no EVTX decoder is plugged in.
    pub const NO_EVTX_DECODER: &str = "I0011";
    /// An EVTX file or record the decoder could not read.
    pub const EVTX: &str = "I0012";
    /// An input with no records at all (a warning).
    pub const EMPTY: &str = "I0013";
    /// A directory could not be walked (permission, symlink loop, …).
    pub const WALK: &str = "I0014";

    /// One line of explanation per code, for `--explain`-style help and summaries.
    pub fn describe(code: &str) -> &'static str {
        match code {
            UNREADABLE => "input could not be opened or read",
            UNRECOGNISED => "input format not recognised",
            CORRUPT_STREAM => "truncated or corrupt compressed stream",
            TOO_LARGE => "record larger than the size cap",
            INVALID_UTF8 => "record is not valid UTF-8",
            MALFORMED_JSON => "malformed JSON",
            TOO_DEEP => "document nested too deeply",
            NOT_AN_OBJECT => "record is not a JSON object",
            HIT_WITHOUT_SOURCE => "search hit without _source",
            BAD_BULK => "malformed _bulk action",
            NO_EVTX_DECODER => "EVTX input but no EVTX decoder",
            EVTX => "unreadable EVTX data",
            EMPTY => "empty input",
            WALK => "directory could not be walked",
            _ => "input problem",
        }
    }
}

/// One problem with the input.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Stable code from [`codes`].
    pub code: &'static str,
    /// Error (data lost) or warning (nothing lost, but worth knowing).
    #[serde(serialize_with = "ser_severity")]
    pub severity: Severity,
    /// Where.
    pub location: Location,
    /// What, in one line.
    pub message: String,
}

fn ser_severity<S: serde::Serializer>(s: &Severity, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.as_str())
}

impl Problem {
    /// An error: something in the input was skipped.
    pub fn error(code: &'static str, location: Location, message: impl Into<String>) -> Self {
        Problem {
            code,
            severity: Severity::Error,
            location,
            message: message.into(),
        }
    }

    /// A warning: nothing was lost.
    pub fn warning(code: &'static str, location: Location, message: impl Into<String>) -> Self {
        Problem {
            code,
            severity: Severity::Warning,
            location,
            message: message.into(),
        }
    }

    /// The problem as a [`Diagnostic`] (the location goes into a note, as input files are
    /// not rendered with a caret).
    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::new(self.severity, self.code, self.message.clone())
            .with_note(format!("in {}", self.location))
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}[{}]: {}",
            self.location,
            self.severity.as_str(),
            self.code,
            self.message
        )
    }
}

/// Where a problem belongs in the input's stream: the ordinal of the record it concerns (or
/// precedes) and the phase that found it (0 reading, 1 checking, 2 the consumer, 3 the
/// consumer without a record). Sorting a batch's problems by it gives input order however
/// the input was cut into batches.
pub(crate) type Order = (u64, u8);

/// The problems found while reading one batch of records; merged into an [`InputReport`]
/// in input order, so reports are deterministic however many threads read.
#[derive(Debug, Default)]
pub struct Problems {
    pub(crate) list: Vec<(Order, Problem)>,
    cursor: u64,
}

impl Problems {
    /// Records a problem, after those of the last record rejected.
    pub fn push(&mut self, problem: Problem) {
        self.list.push(((self.cursor, 3), problem));
    }

    pub(crate) fn push_at(&mut self, order: Order, problem: Problem) {
        self.list.push((order, problem));
    }

    /// Records that a record was rejected by the consumer (e.g. its JSON did not parse).
    pub fn reject(
        &mut self,
        record: &crate::Record<'_>,
        code: &'static str,
        message: impl Into<String>,
    ) {
        self.cursor = record.ord;
        self.push_at(
            (record.ord, 2),
            Problem::error(code, record.location(), message),
        );
    }

    /// Records a `serde_json` parse failure of a record, classified as
    /// [`codes::TOO_DEEP`] (serde_json's recursion limit) or [`codes::MALFORMED_JSON`].
    pub fn json_error(&mut self, record: &crate::Record<'_>, err: &serde_json::Error) {
        let (code, message) = classify_json_error(err);
        self.cursor = record.ord;
        let location = record.location_at_line_offset(err.line());
        self.push_at((record.ord, 2), Problem::error(code, location, message));
    }

    /// How many problems were recorded.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether none were recorded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The recorded problems, in the order they were recorded.
    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        self.list.iter().map(|(_, p)| p)
    }
}

/// Maps a `serde_json` error to an input code and a message without serde's own
/// "at line L column C" suffix (the location is reported separately).
pub fn classify_json_error(err: &serde_json::Error) -> (&'static str, String) {
    let text = err.to_string();
    let bare = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    if bare.contains("recursion limit exceeded") {
        (
            codes::TOO_DEEP,
            "document nested too deeply (serde_json's limit is 128 levels)".into(),
        )
    } else {
        let col = err.column();
        if col > 0 {
            (
                codes::MALFORMED_JSON,
                format!("malformed JSON: {bare} (column {col})"),
            )
        } else {
            (codes::MALFORMED_JSON, format!("malformed JSON: {bare}"))
        }
    }
}

/// Counts for one code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CodeCount {
    /// How many problems had this code.
    pub count: u64,
    /// How many of them are among the verbatim messages.
    pub shown: u64,
}

/// Totals over everything read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReadStats {
    /// Inputs opened (files and stdin).
    pub inputs: u64,
    /// Records handed to the consumer.
    pub records: u64,
    /// Bytes read from disk or stdin (compressed size for compressed inputs).
    pub bytes_in: u64,
    /// Bytes after decompression.
    pub bytes_decoded: u64,
}

/// Everything that went wrong while reading inputs: the first `max_messages` problems
/// verbatim, in input order, and a count of all problems per code.
#[derive(Clone, Debug, serde::Serialize)]
pub struct InputReport {
    max_messages: usize,
    messages: Vec<Problem>,
    counts: BTreeMap<&'static str, CodeCount>,
    errors: u64,
    warnings: u64,
    /// Totals over everything read.
    pub stats: ReadStats,
}

impl Default for InputReport {
    fn default() -> Self {
        InputReport::new(20)
    }
}

impl InputReport {
    /// A report that keeps the first `max_messages` problems verbatim.
    pub fn new(max_messages: usize) -> Self {
        InputReport {
            max_messages,
            messages: Vec::new(),
            counts: BTreeMap::new(),
            errors: 0,
            warnings: 0,
            stats: ReadStats::default(),
        }
    }

    /// Adds one problem.
    pub fn push(&mut self, problem: Problem) {
        let entry = self.counts.entry(problem.code).or_default();
        entry.count += 1;
        if problem.severity == Severity::Error {
            self.errors += 1;
        } else {
            self.warnings += 1;
        }
        if self.messages.len() < self.max_messages {
            entry.shown += 1;
            self.messages.push(problem);
        }
    }

    /// Adds a batch's problems, in input order.
    pub fn absorb(&mut self, problems: &mut Problems) {
        problems.list.sort_by_key(|(order, _)| *order);
        for (_, p) in problems.list.drain(..) {
            self.push(p);
        }
    }

    /// The problems kept verbatim, in input order.
    pub fn messages(&self) -> &[Problem] {
        &self.messages
    }

    /// How many problems had `code`.
    pub fn count(&self, code: &str) -> u64 {
        self.counts.get(code).map_or(0, |c| c.count)
    }

    /// Counts per code, sorted by code.
    pub fn counts(&self) -> impl Iterator<Item = (&'static str, CodeCount)> + '_ {
        self.counts.iter().map(|(k, v)| (*k, *v))
    }

    /// Problems of error severity (something was skipped).
    pub fn errors(&self) -> u64 {
        self.errors
    }

    /// Problems of warning severity.
    pub fn warnings(&self) -> u64 {
        self.warnings
    }

    /// Whether any input data was lost.
    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    /// Whether nothing at all was reported.
    pub fn is_clean(&self) -> bool {
        self.errors == 0 && self.warnings == 0
    }

    /// A human summary: the verbatim messages, then one line per code with problems that
    /// were not shown.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for p in &self.messages {
            out.push_str(&p.to_string());
            out.push('\n');
        }
        for (code, c) in &self.counts {
            if c.count > c.shown {
                out.push_str(&format!(
                    "{code} ({}): {} more not shown ({} in total)\n",
                    codes::describe(code),
                    c.count - c.shown,
                    c.count
                ));
            }
        }
        out
    }

    pub(crate) fn file_problem(
        &mut self,
        code: &'static str,
        file: &std::sync::Arc<str>,
        error: bool,
        msg: String,
    ) {
        let loc = Location::new(file.clone(), Pos::File);
        self.push(if error {
            Problem::error(code, loc, msg)
        } else {
            Problem::warning(code, loc, msg)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn p(n: u64) -> Problem {
        Problem::error(
            codes::MALFORMED_JSON,
            Location::new(Arc::from("f"), Pos::Line(n)),
            "bad",
        )
    }

    #[test]
    fn keeps_first_messages_and_counts_the_rest() {
        let mut r = InputReport::new(2);
        for n in 1..=5 {
            r.push(p(n));
        }
        r.push(Problem::warning(
            codes::EMPTY,
            Location::new(Arc::from("g"), Pos::File),
            "empty",
        ));
        assert_eq!(r.messages().len(), 2);
        assert_eq!(r.count(codes::MALFORMED_JSON), 5);
        assert_eq!(r.count(codes::EMPTY), 1);
        assert_eq!(r.errors(), 5);
        assert_eq!(r.warnings(), 1);
        let text = r.render();
        assert!(
            text.starts_with("f:1: error[I0006]: bad\nf:2: error[I0006]: bad\n"),
            "{text}"
        );
        assert!(
            text.contains("I0006 (malformed JSON): 3 more not shown (5 in total)"),
            "{text}"
        );
        assert!(
            text.contains("I0013 (empty input): 1 more not shown (1 in total)"),
            "{text}"
        );
    }

    #[test]
    fn absorb_orders_by_stream_position() {
        let mut r = InputReport::new(10);
        let mut ps = Problems::default();
        ps.push_at((5, 1), p(9));
        ps.push_at((2, 0), p(3));
        r.absorb(&mut ps);
        let lines: Vec<_> = r.messages().iter().map(|m| m.location.pos).collect();
        assert_eq!(lines, vec![Pos::Line(3), Pos::Line(9)]);
    }

    #[test]
    fn classifies_serde_errors() {
        let deep = "[".repeat(200) + &"]".repeat(200);
        let e = serde_json::from_str::<serde_json::Value>(&deep).unwrap_err();
        assert_eq!(classify_json_error(&e).0, codes::TOO_DEEP);
        let e = serde_json::from_str::<serde_json::Value>("{\"a\":}").unwrap_err();
        let (code, msg) = classify_json_error(&e);
        assert_eq!(code, codes::MALFORMED_JSON);
        assert!(
            msg.starts_with("malformed JSON: expected value (column 6)"),
            "{msg}"
        );
    }
}
