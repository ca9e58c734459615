//! Kibana Query Language (KQL, `language = "kuery"`) front end.
//!
//! Text goes in, an [`ast::Query`] with byte spans (or a diagnostic with a caret) comes out,
//! accepting and rejecting exactly what Kibana's own parser does; [`lower`] turns the tree
//! into shrike's IR with the field types of a schema, as Elasticsearch evaluates the query
//! DSL Kibana's detection engine builds. This crate knows nothing of events or IO.
//!
//! ```
//! use shrike_kql::ast::{ExprKind, ValueKind};
//!
//! let q = shrike_kql::parse(r#"event.code: 4688 and not process.name: ("a.exe" or b*)"#).unwrap();
//! let Some(ExprKind::And(items)) = q.expr.as_ref().map(|e| &e.kind) else { panic!() };
//! assert_eq!(items.len(), 2);
//! // The printer writes canonical KQL that parses back to the same tree.
//! assert_eq!(q.to_string(), r#"event.code: 4688 and not process.name: ("a.exe" or b*)"#);
//!
//! // Errors say what was expected, at the right place.
//! let err = shrike_kql::parse("response:").unwrap_err();
//! assert_eq!(err[0].code, "K0001");
//! assert!(err[0].message.starts_with("expected a value"));
//! # let _ = ValueKind::Null;
//! ```
//!
//! # The language, as Kibana parses it
//!
//! * `field: value`; `field: (v1 or v2 and not v3)` applies the field to each value;
//!   `field < v`, `<=`, `>`, `>=`; `path: { query }` for nested fields; a value alone is
//!   free text.
//! * `and` binds tighter than `or`; `not` is a prefix; keywords are case-insensitive and need
//!   whitespace around them (in `a or(b)` the value is `a or`, and `(` is then an error).
//! * Unquoted values may contain spaces (`message: hello world` is one value) and end at a
//!   keyword, a special character or the end; they are trimmed. `not` followed by whitespace
//!   is a keyword even inside a word, so `a: cannot be` is a syntax error, as in Kibana.
//! * Special characters `\ ( ) : < > " * { }` are escaped with `\`; `\t`, `\r`, `\n` and
//!   `\uXXXX` are escapes; `\or`, `\and`, `\NOT` escape keywords (but `\not` is a newline and
//!   `ot`, because `\n` is tried first). Inside quotes only `\\`, `\"`, `\t`, `\r`, `\n` and
//!   `\uXXXX` are escapes; any other backslash is kept (`"C:\Windows"` is `C:\Windows`).
//! * An unescaped `*` makes a value a wildcard pattern; `field: *` is an exists query; `*`
//!   works in field names too (`process.*: x`). Unquoted `null`, `true`, `false` are typed.
//! * An empty query matches everything.
//!
//! How each construct becomes an Elasticsearch query (and so what it matches) is written
//! down, with sources, in this crate's `SEMANTICS.md`.
//!
//! # Input safety
//!
//! Rules are untrusted input. The parser never panics; its recursion is bounded by
//! [`ParseOptions::max_depth`] open `(` / `{` groups ([`DEFAULT_MAX_DEPTH`] by default;
//! deeper input gets a [`codes::TOO_DEEP`] error). Chains of `and` / `or` are loops, and
//! `not not` is not KQL, so no other construct nests. Parsing is linear in the input for all
//! practical purposes (each literal is read at most a few times as the grammar's
//! alternatives are tried).
#![deny(missing_docs)]

pub mod ast;
pub mod dump;
mod errors;
pub mod lower;
mod parser;
pub mod printer;
mod scan;

pub use parser::{codes, parse, parse_with, ParseOptions, DEFAULT_MAX_DEPTH};
pub use printer::print;

#[cfg(test)]
mod tests;
