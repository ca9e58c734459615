//! Stable diagnostic codes for rule files (`R0001`–`R0999`).

/// The file is not valid TOML.
pub const TOML_SYNTAX: &str = "R0001";
/// The file has no `[rule]` table.
pub const NO_RULE_TABLE: &str = "R0002";
/// A field every rule needs (`rule_id`, `name`, `type`) is missing.
pub const MISSING_FIELD: &str = "R0003";
/// A query rule without `query`.
pub const MISSING_QUERY: &str = "R0004";
/// The file cannot be read (permissions, not UTF-8…).
pub const UNREADABLE: &str = "R0005";
/// A field has the wrong type (`index = "x"` instead of a list).
pub const FIELD_TYPE: &str = "R0006";
/// `type` and `language` do not go together (`type = "eql"` with `language = "kuery"`).
pub const TYPE_LANGUAGE_MISMATCH: &str = "R0007";
