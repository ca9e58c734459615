//! Elasticsearch Event Query Language (EQL) front end.
//!
//! Text goes in, an [`ast::Query`] with byte spans (or every diagnostic found) comes out:
//!
//! ```
//! let query = shrike_eql::parse(r#"process where process.name : "cmd.exe" | head 5"#).unwrap();
//! assert_eq!(shrike_eql::print(&query), r#"process where process.name : "cmd.exe" | head 5"#);
//!
//! let errors = shrike_eql::parse(r#"process where process.name = 'cmd.exe'"#).unwrap_err();
//! let codes: Vec<_> = errors.iter().map(|d| d.code).collect();
//! assert_eq!(codes, ["E0101", "E0003"]); // `=` and single quotes, both reported
//! ```
//!
//! The stages, each in its own module: [`lexer`] (text → tokens), the parser (tokens →
//! [`ast`], Elasticsearch's grammar and precedence), the verifier (what Elasticsearch
//! rejects after parsing: function arity and argument types, field-to-field comparisons,
//! sequence rules…), [`printer`] (AST → canonical text) and [`debug`] (AST → tree dump).
//! This crate knows nothing of events, field types or IO; checks that need mappings
//! happen when the AST is lowered.
//!
//! # Input safety
//!
//! Queries are untrusted input. Parsing never panics, and nesting (parentheses, `not`,
//! unary minus, function calls and arithmetic chains) deeper than [`MAX_DEPTH`] is
//! rejected with `E0111`, so every recursive walk over a parsed tree, here and in other
//! crates, is bounded.
#![deny(missing_docs)]

pub mod ast;
pub mod codes;
pub mod debug;
pub mod functions;
pub mod lexer;
pub mod lower;
mod parser;
pub mod printer;
mod verify;

use shrike_diag::Diagnostic;

pub use printer::print;

/// The deepest expression tree (and parser recursion) accepted.
///
/// Real rules nest a handful of levels. At the limit, parsing 100 nested parentheses uses
/// about 280 KB of stack in a release build and 1.3 MB in a debug build, so it stays
/// within the 2 MB of a default spawned thread; walks over the finished tree use far less.
pub const MAX_DEPTH: usize = 100;

/// Parses and verifies an EQL query.
///
/// On failure returns every diagnostic found (lexical, syntax and semantic), in source
/// order; spans are byte offsets into `text`.
pub fn parse(text: &str) -> Result<ast::Query, Vec<Diagnostic>> {
    let parsed = parser::parse_query(text);
    let mut diags = parsed.diags;
    if let Some(query) = &parsed.query {
        diags.extend(verify::verify(query));
        diags.sort_by_key(|d| d.span.start);
    }
    match parsed.query {
        Some(query) if !shrike_diag::has_errors(&diags) => Ok(query),
        _ => Err(diags),
    }
}

/// Parses an EQL query by the grammar alone, without the semantic checks of [`parse`].
///
/// For tools that want the tree of a query Elasticsearch would reject later (and for
/// testing the parser on its own).
pub fn parse_syntax(text: &str) -> Result<ast::Query, Vec<Diagnostic>> {
    let parsed = parser::parse_query(text);
    match parsed.query {
        Some(query) if !shrike_diag::has_errors(&parsed.diags) => Ok(query),
        _ => Err(parsed.diags),
    }
}

/// The semantic checks of [`parse`] on an already parsed query.
pub fn verify(query: &ast::Query) -> Vec<Diagnostic> {
    verify::verify(query)
}
