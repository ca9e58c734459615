//! Elasticsearch Event Query Language (EQL) front end.
//!
//! Text goes in, an [`ast::Query`] with byte spans (or a list of diagnostics) comes out.
//! This crate knows nothing of events, field types or IO.
#![deny(missing_docs)]

pub mod ast;
