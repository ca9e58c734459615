//! Spans and diagnostics shared by every shrike front end (EQL, KQL, rule TOML).
//!
//! A [`Diagnostic`] is data: a stable code, a message, a primary [`Span`] and optional
//! labels, notes and help. It is rendered once, at the edge (CLI, test), against the text
//! it points into, in the familiar compiler layout:
//!
//! ```
//! use shrike_diag::{Diagnostic, Span, render};
//!
//! let query = r#"process where process.name = "cmd.exe""#;
//! let diag = Diagnostic::error("E0101", "`=` is not supported in EQL")
//!     .with_span(Span::new(27, 28))
//!     .with_help("use `==` to compare, or `:` for a case-insensitive match");
//! let text = render(&diag, "query", query);
//! assert!(text.contains("query:1:28"));
//! assert!(text.contains("^"));
//! ```
//!
//! Why a crate of its own: the EQL and KQL parsers and the rule loader all produce
//! diagnostics, and the rule loader shifts query-relative spans into the rule file so that
//! an error in a query embedded in TOML points at the rule file's line and column.
#![deny(missing_docs)]

mod render;
mod span;

pub use render::{render, render_all, LineIndex, Position};
pub use span::Span;

use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something worth knowing that does not change the result.
    Note,
    /// Suspicious, but the input is still accepted.
    Warning,
    /// The input is rejected.
    Error,
}

impl Severity {
    /// The word used when rendering (`error`, `warning`, `note`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A secondary location with its own short message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// One problem found in some text, with where it is and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable identifier, e.g. `E0101`. Codes never change meaning once published.
    pub code: &'static str,
    /// How bad it is.
    pub severity: Severity,
    /// One-line description, lower-case start, no trailing period.
    pub message: String,
    /// The primary location (byte offsets into the rendered text).
    pub span: Span,
    /// Other relevant locations.
    pub labels: Vec<Label>,
    /// Extra facts ("note: ...").
    pub notes: Vec<String>,
    /// How to fix it ("help: ...").
    pub help: Option<String>,
}

impl Diagnostic {
    /// A new diagnostic of the given severity with an empty span.
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            span: Span::default(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    /// A new error.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A new warning.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    /// Sets the primary span.
    pub fn with_span(mut self, span: Span) -> Self {
        self.span = span;
        self
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Sets the help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this diagnostic rejects the input.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Moves every span of this diagnostic through `map`.
    ///
    /// Used when the diagnosed text is embedded in a larger file (a query inside a rule's
    /// TOML): `map` turns an offset in the query into an offset in the file.
    pub fn map_spans(mut self, map: impl Fn(usize) -> usize) -> Self {
        self.span = self.span.map(&map);
        for label in &mut self.labels {
            label.span = label.span.map(&map);
        }
        self
    }
}

impl std::fmt::Display for Diagnostic {
    /// The short form: `error[E0101]: message`. Use [`render`] for the full form.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}[{}]: {}",
            self.severity.as_str(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for Diagnostic {}

/// Whether any diagnostic in the list is an error.
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}
