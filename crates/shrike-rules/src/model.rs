//! The typed model of an Elastic detection rule file, as `elastic/detection-rules` writes
//! them: a `[metadata]` table about the file and a `[rule]` table in Kibana's rule schema.
//!
//! Fields are optional here so that a file missing one is still loaded and the problem
//! reported with its location, rather than the whole file failing to deserialize; the
//! checks decide what is required. Unknown keys are ignored: the model grows as shrike
//! uses more of the schema.

use serde::Deserialize;
use toml::Spanned;

/// A whole rule file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RuleFile {
    /// `[metadata]`: about the file, not the detection.
    pub metadata: Option<Metadata>,
    /// `[rule]`: the detection, in Kibana's schema.
    pub rule: Option<Rule>,
}

/// `[metadata]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Metadata {
    /// `YYYY/MM/DD` the rule was created.
    pub creation_date: Option<String>,
    /// `YYYY/MM/DD` of the last change.
    pub updated_date: Option<String>,
    /// `production`, `development` or `deprecated`.
    pub maturity: Option<String>,
    /// Date the rule was deprecated, for deprecated rules.
    pub deprecation_date: Option<String>,
}

/// `[rule]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Rule {
    /// Stable identifier (a UUID).
    pub rule_id: Option<String>,
    /// Human-readable name.
    pub name: Option<String>,
    /// What the rule does.
    pub description: Option<String>,
    /// Rule type: `eql`, `query`, `threshold`, `new_terms`, `threat_match`, `esql`,
    /// `machine_learning`.
    #[serde(rename = "type")]
    pub rule_type: Option<String>,
    /// Query language: `eql`, `kuery`, `lucene`, `esql` (absent for machine learning).
    pub language: Option<String>,
    /// The query, with its position in the file (for diagnostics).
    pub query: Option<Spanned<String>>,
    /// Indicator-match rules: the KQL (or Lucene) query selecting indicator documents.
    pub threat_query: Option<Spanned<String>>,
    /// Language of `threat_query`: `kuery` or `lucene`.
    pub threat_language: Option<String>,
    /// Index patterns the rule searches.
    pub index: Option<Vec<String>>,
    /// `default` for building-block rules, whose alerts are hidden by default.
    pub building_block_type: Option<String>,
    /// `low`, `medium`, `high`, `critical`.
    pub severity: Option<String>,
    /// 0–100.
    pub risk_score: Option<i64>,
}
