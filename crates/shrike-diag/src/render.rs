//! Rendering diagnostics as text: a header, a `--> origin:line:col` pointer, the source
//! line and a caret under the offending bytes.

use crate::{Diagnostic, Span};
use std::fmt::Write as _;

/// A 1-based line and 1-based column (in characters, not bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in Unicode scalar values.
    pub column: usize,
}

/// Maps byte offsets of one text to lines and columns.
///
/// Built once per text (O(n)), then each lookup is a binary search.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset where each line starts.
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Indexes `text`. Lines end at `\n`; a preceding `\r` stays part of the line's text
    /// but is never shown.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// The 0-based line containing `offset` (clamped to the text).
    fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Line and column of `offset` in `text` (the text this index was built from).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.starts[line];
        let column = text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    /// The text of the 0-based `line`, without its line terminator.
    fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let start = self.starts[line];
        let end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |next| next - 1);
        let s = text.get(start..end).unwrap_or("");
        s.strip_suffix('\r').unwrap_or(s)
    }
}

fn memchr_iter(needle: u8, haystack: &[u8]) -> impl Iterator<Item = usize> + '_ {
    haystack
        .iter()
        .enumerate()
        .filter(move |(_, b)| **b == needle)
        .map(|(i, _)| i)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Renders one diagnostic against the text its spans point into.
///
/// `origin` names the text (a file path, or `query` for a command-line argument).
pub fn render(diag: &Diagnostic, origin: &str, text: &str) -> String {
    let index = LineIndex::new(text);
    render_with(diag, origin, text, &index)
}

/// Renders several diagnostics against the same text, separated by blank lines.
pub fn render_all(diags: &[Diagnostic], origin: &str, text: &str) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for (i, diag) in diags.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&render_with(diag, origin, text, &index));
    }
    out
}

fn render_with(diag: &Diagnostic, origin: &str, text: &str, index: &LineIndex) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{diag}");
    let pos = index.position(text, diag.span.start);
    let mut lines: Vec<usize> = vec![pos.line];
    lines.extend(
        diag.labels
            .iter()
            .map(|l| index.position(text, l.span.start).line),
    );
    let width = lines.iter().max().map_or(1, |l| l.to_string().len());
    let pad = " ".repeat(width);
    let _ = writeln!(out, "{pad}--> {origin}:{}:{}", pos.line, pos.column);
    let _ = writeln!(out, "{pad} |");
    // Markers for spans on the line just shown go under it without repeating the line.
    let mut shown = snippet(&mut out, text, index, diag.span, '^', None, width, None);
    for label in &diag.labels {
        shown = snippet(
            &mut out,
            text,
            index,
            label.span,
            '-',
            Some(&label.message),
            width,
            Some(shown),
        );
    }
    for note in &diag.notes {
        let _ = writeln!(out, "{pad} = note: {note}");
    }
    if let Some(help) = &diag.help {
        let _ = writeln!(out, "{pad} = help: {help}");
    }
    out
}

/// Writes the source line holding `span.start` (unless it is `shown`, the line written just
/// before) and a marker line under the span (clipped to the end of that line; at least one
/// marker even for empty spans). Returns the 1-based line number.
#[allow(clippy::too_many_arguments)]
fn snippet(
    out: &mut String,
    text: &str,
    index: &LineIndex,
    span: Span,
    marker: char,
    message: Option<&str>,
    width: usize,
    shown: Option<usize>,
) -> usize {
    let start = index.position(text, span.start);
    let line = index.line_text(text, start.line - 1);
    let end_col = if index.line_of(span.end) == start.line - 1 {
        index.position(text, span.end).column
    } else {
        line.chars().count() + 1
    };
    let count = end_col.saturating_sub(start.column).max(1);
    // Keep tabs in the prefix so the marker lines up under the source text.
    let prefix: String = line
        .chars()
        .take(start.column - 1)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let markers: String = std::iter::repeat_n(marker, count).collect();
    if shown != Some(start.line) {
        let _ = writeln!(out, "{:>width$} | {}", start.line, line);
    }
    match message {
        Some(m) => {
            let _ = writeln!(out, "{:width$} | {prefix}{markers} {m}", "");
        }
        None => {
            let _ = writeln!(out, "{:width$} | {prefix}{markers}", "");
        }
    }
    start.line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Diagnostic;

    #[test]
    fn positions_count_chars_and_lines() {
        let text = "ab\nçd\r\nef";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), Position { line: 1, column: 1 });
        assert_eq!(idx.position(text, 3), Position { line: 2, column: 1 });
        // `ç` is two bytes: offset 5 is `d`, column 2.
        assert_eq!(idx.position(text, 5), Position { line: 2, column: 2 });
        assert_eq!(idx.position(text, 8), Position { line: 3, column: 1 });
        // Past the end clamps.
        assert_eq!(idx.position(text, 100), Position { line: 3, column: 3 });
        assert_eq!(idx.line_text(text, 1), "çd");
    }

    #[test]
    fn renders_caret_under_span() {
        let text = "process where\n  process.name = \"x\"";
        let d = Diagnostic::error("E0001", "bad operator")
            .with_span(Span::new(29, 30))
            .with_help("use `==`");
        let got = render(&d, "rule.toml", text);
        let want = "error[E0001]: bad operator\n --> rule.toml:2:16\n  |\n2 |   process.name = \"x\"\n  |                ^\n  = help: use `==`\n";
        assert_eq!(got, want);
    }

    #[test]
    fn renders_labels_and_multibyte_spans() {
        let text = "a == b";
        let d = Diagnostic::error("E0002", "field compared to field")
            .with_span(Span::new(0, 6))
            .with_label(Span::new(5, 6), "a field")
            .with_note("Elasticsearch rejects this");
        let got = render(&d, "q", text);
        // The label on the same line goes under it; the line is not repeated.
        assert!(
            got.contains("1 | a == b\n  | ^^^^^^\n  |      - a field\n"),
            "{got}"
        );
        assert_eq!(got.matches("a == b").count(), 1, "{got}");
        assert!(
            got.contains("  = note: Elasticsearch rejects this\n"),
            "{got}"
        );
    }

    #[test]
    fn empty_span_at_end_gets_one_caret() {
        let text = "process where";
        let d = Diagnostic::error("E0003", "expected a condition").with_span(Span::point(13));
        let got = render(&d, "q", text);
        assert!(
            got.contains("1 | process where\n  |              ^\n"),
            "{got}"
        );
    }
}
