//! Stable diagnostic codes for rule files (`R0001`–`R0999`). A code never changes meaning
//! once published; new problems get new codes.

/// The file is not valid TOML.
pub const TOML_SYNTAX: &str = "R0001";
/// The file has no `[rule]` table.
pub const NO_RULE_TABLE: &str = "R0002";
/// A field the rule's type requires is missing (`rule_id`, `name`, `type`, `description`,
/// `risk_score`, `severity`, a threshold rule's `threshold`…).
pub const MISSING_FIELD: &str = "R0003";
/// A query rule without `query`.
pub const MISSING_QUERY: &str = "R0004";
/// The file cannot be read (permissions, not UTF-8…).
pub const UNREADABLE: &str = "R0005";
/// A field has the wrong type (`index = "x"` instead of a list).
pub const FIELD_TYPE: &str = "R0006";
/// `type` and `language` do not go together (`type = "eql"` with `language = "kuery"`).
pub const TYPE_LANGUAGE_MISMATCH: &str = "R0007";
/// A key the rule schema does not know (a warning: it is ignored).
pub const UNKNOWN_FIELD: &str = "R0008";
/// A value outside its field's allowed set (`severity = "severe"`, `type = "sigma"`).
pub const BAD_ENUM: &str = "R0009";
/// A number outside its field's range (`risk_score = 150`, `max_signals = 0`).
pub const OUT_OF_RANGE: &str = "R0010";
/// A MITRE ATT&CK id or reference that is not shaped like one (`TA0008`, `T1021`,
/// `T1053.005`), or a sub-technique outside its technique.
pub const BAD_MITRE: &str = "R0011";
/// A metadata date that is not a real `YYYY/MM/DD` date.
pub const BAD_DATE: &str = "R0012";
/// A schedule that is not a duration or date-math expression (`interval = "5 minutes"`,
/// `from = "6m"`).
pub const BAD_DURATION: &str = "R0013";
/// A string that must not be empty is empty (or only spaces).
pub const EMPTY_VALUE: &str = "R0014";
/// A list with too few or too many items (`alert_suppression.group_by` takes 1 to 3).
pub const BAD_LENGTH: &str = "R0015";
/// A field that belongs to another rule type (`threshold` on an EQL rule); ignored.
pub const FIELD_NOT_FOR_TYPE: &str = "R0016";
/// A `rule_id` that is not a UUID, as `elastic/detection-rules` requires (a warning:
/// Kibana accepts any string).
pub const RULE_ID_NOT_UUID: &str = "R0017";
/// The same key twice in a list where each must be unique (two `severity_mapping`
/// entries for one value, a repeated index pattern) — a warning.
pub const DUPLICATE: &str = "R0018";
