//! Elastic detection rule files: loading, the typed rule model, and checks.
//!
//! Rule files are the TOML files of `elastic/detection-rules`: a `[metadata]` table and a
//! `[rule]` table in Kibana's rule schema. This crate reads them into [`model::RuleFile`]
//! ([`load`]) and checks them against Kibana's rule schema ([`validate`]), reporting
//! every problem as a [`shrike_diag::Diagnostic`] located in the rule file itself, including problems inside the query: a query is a TOML string,
//! so its diagnostics are moved through the string's quoting and escapes
//! ([`toml_string::StringMap`]) to the file's line and column.
//!
//! ```
//! use std::path::Path;
//! use shrike_rules::check::{check_text, Status};
//!
//! let text = r#"
//! [rule]
//! rule_id = "6c1a8f52-0000-4000-8000-000000000001"
//! name = "Command shell started"
//! description = "A command shell was started."
//! risk_score = 21
//! severity = "low"
//! type = "eql"
//! language = "eql"
//! query = '''
//! process where process.name = "cmd.exe"
//! '''
//! "#;
//! let check = check_text(Path::new("shell.toml"), text.to_string());
//! assert_eq!(check.status, Status::Error);
//! assert!(check.render().contains("--> shell.toml:11:28"));
//! ```
//!
//! Rules are untrusted input: loading never panics; a broken file is reported and the
//! next one is checked.
#![deny(missing_docs)]

pub mod alert;
pub mod check;
pub mod codes;
pub mod discover;
pub mod load;
pub mod model;
pub mod toml_string;
pub mod types;
pub mod validate;
