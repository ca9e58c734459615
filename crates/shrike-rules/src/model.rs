//! The typed model of an Elastic detection rule file, as `elastic/detection-rules` writes
//! them: a `[metadata]` table about the file and a `[rule]` table in Kibana's rule schema
//! (the fields of Kibana's `RuleCreateProps`, snake_case, plus the repository's own
//! spellings such as `[rule.new_terms]`).
//!
//! Every field is optional here and carries the span of its value in the file, so that a
//! missing or wrong field is reported at its place by [`crate::validate`] rather than the
//! whole file failing to load; [`crate::load`] builds the model and reports type errors.
//! Free-form parts of the schema (`filters`, `meta`, `threat_filters`, actions) are kept
//! as JSON, as Kibana stores them.

use serde_json::Value as Json;
use shrike_diag::Span;

/// A value and the span of its text in the rule file.
#[derive(Clone, Debug, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where its text is (for a table: its header or first key).
    pub span: Span,
}

impl<T> Located<T> {
    /// Wraps `value` found at `span`.
    pub fn new(value: T, span: Span) -> Self {
        Located { value, span }
    }
}

/// A string field.
pub type LStr = Located<String>;

/// A whole rule file.
#[derive(Clone, Debug, Default)]
pub struct RuleFile {
    /// `[metadata]`: about the file, not the detection.
    pub metadata: Option<Located<Metadata>>,
    /// `[rule]`: the detection, in Kibana's schema.
    pub rule: Option<Located<Rule>>,
}

/// `[metadata]`.
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    /// `YYYY/MM/DD` the rule was created.
    pub creation_date: Option<LStr>,
    /// `YYYY/MM/DD` of the last change.
    pub updated_date: Option<LStr>,
    /// `YYYY/MM/DD` the rule was deprecated, for deprecated rules.
    pub deprecation_date: Option<LStr>,
    /// `production`, `development`, `experimental`, `beta` or `deprecated`.
    pub maturity: Option<Located<Maturity>>,
    /// Why the rule was deprecated.
    pub deprecated_reason: Option<LStr>,
    /// Fleet integrations whose data the rule reads (`endpoint`, `windows`…).
    pub integration: Vec<String>,
    /// Oldest stack version the rule supports (`8.14.0`).
    pub min_stack_version: Option<LStr>,
    /// Why the rule needs that version.
    pub min_stack_comments: Option<LStr>,
    /// Building-block rules exempt from the repository's timing checks.
    pub bypass_bbr_timing: Option<bool>,
    /// Rules that promote external alerts.
    pub promotion: Option<bool>,
    /// Whether the repository validates the query against its schemas.
    pub query_schema_validation: Option<bool>,
}

/// Rule types of Kibana's schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleType {
    /// Event correlation: an EQL query.
    Eql,
    /// Custom query: KQL or Lucene.
    Query,
    /// A query stored as a Kibana saved query.
    SavedQuery,
    /// Counts of matching events per group.
    Threshold,
    /// Indicator match against a threat-intel index.
    ThreatMatch,
    /// Anomalies from machine-learning jobs.
    MachineLearning,
    /// Values never seen before in a history window.
    NewTerms,
    /// An ES|QL query.
    Esql,
}

impl RuleType {
    /// Every type, in the schema's order.
    pub const ALL: [RuleType; 8] = [
        RuleType::Eql,
        RuleType::Query,
        RuleType::SavedQuery,
        RuleType::Threshold,
        RuleType::ThreatMatch,
        RuleType::MachineLearning,
        RuleType::NewTerms,
        RuleType::Esql,
    ];

    /// The schema's spelling (`eql`, `threat_match`…).
    pub fn as_str(self) -> &'static str {
        match self {
            RuleType::Eql => "eql",
            RuleType::Query => "query",
            RuleType::SavedQuery => "saved_query",
            RuleType::Threshold => "threshold",
            RuleType::ThreatMatch => "threat_match",
            RuleType::MachineLearning => "machine_learning",
            RuleType::NewTerms => "new_terms",
            RuleType::Esql => "esql",
        }
    }
}

/// Query languages of Kibana's schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    /// EQL.
    Eql,
    /// KQL.
    Kuery,
    /// Lucene query syntax.
    Lucene,
    /// ES|QL.
    Esql,
}

impl Language {
    /// Every language.
    pub const ALL: [Language; 4] = [
        Language::Eql,
        Language::Kuery,
        Language::Lucene,
        Language::Esql,
    ];

    /// The schema's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Eql => "eql",
            Language::Kuery => "kuery",
            Language::Lucene => "lucene",
            Language::Esql => "esql",
        }
    }
}

/// Alert severity, ordered from low to critical.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Of interest, generally not an incident.
    Low,
    /// Requires investigation.
    Medium,
    /// Requires immediate investigation.
    High,
    /// Highly likely an incident.
    Critical,
}

impl Severity {
    /// Every severity, low to critical.
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The schema's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses the schema's spelling (exactly: Kibana's enum is case-sensitive).
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// `metadata.maturity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Maturity {
    /// Being written.
    Development,
    /// Released as experimental.
    Experimental,
    /// Released as beta.
    Beta,
    /// Released.
    Production,
    /// No longer shipped.
    Deprecated,
}

impl Maturity {
    /// Every maturity level.
    pub const ALL: [Maturity; 5] = [
        Maturity::Development,
        Maturity::Experimental,
        Maturity::Beta,
        Maturity::Production,
        Maturity::Deprecated,
    ];

    /// The repository's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Maturity::Development => "development",
            Maturity::Experimental => "experimental",
            Maturity::Beta => "beta",
            Maturity::Production => "production",
            Maturity::Deprecated => "deprecated",
        }
    }
}

/// `[rule]`: every field of Kibana's rule schema that a rule file can hold.
#[derive(Clone, Debug, Default)]
pub struct Rule {
    /// The keys written in `[rule]`, including those whose value was rejected (so that a
    /// wrong value is not also reported as missing).
    pub present: std::collections::BTreeSet<String>,

    // ---- identity and description
    /// Stable identifier (a UUID in `elastic/detection-rules`).
    pub rule_id: Option<LStr>,
    /// Human-readable name.
    pub name: Option<LStr>,
    /// What the rule detects.
    pub description: Option<LStr>,
    /// The rule's version (`1` when absent).
    pub version: Option<Located<i64>>,
    /// Authors.
    pub author: Vec<String>,
    /// License of the rule text.
    pub license: Option<LStr>,
    /// Tags (`Tactic: Execution`, `OS: Windows`…).
    pub tags: Vec<String>,
    /// Reference URLs.
    pub references: Vec<String>,
    /// Known false positives.
    pub false_positives: Vec<String>,
    /// Investigation guide (Markdown).
    pub note: Option<LStr>,
    /// Setup guide (Markdown).
    pub setup: Option<LStr>,
    /// MITRE ATT&CK mapping.
    pub threat: Vec<Located<Threat>>,
    /// Whether the rule is enabled on install.
    pub enabled: Option<bool>,
    /// Free-form metadata (`meta`).
    pub meta: Option<Json>,
    /// `related_integrations`, as written.
    pub related_integrations: Option<Json>,
    /// `required_fields`, as written.
    pub required_fields: Option<Json>,

    // ---- what and how it queries
    /// Rule type.
    pub rule_type: Option<Located<RuleType>>,
    /// Query language.
    pub language: Option<Located<Language>>,
    /// The query, with the span of its TOML string literal (delimiters included).
    pub query: Option<LStr>,
    /// Index patterns searched (Kibana's default patterns when absent).
    pub index: Option<Located<Vec<LStr>>>,
    /// A Kibana data view to search instead of `index`.
    pub data_view_id: Option<LStr>,
    /// Extra query-DSL filters ANDed with the query.
    pub filters: Option<Located<Vec<Json>>>,
    /// A Kibana saved query (saved_query rules).
    pub saved_id: Option<LStr>,

    // ---- schedule
    /// Start of each run's window, in date math (`now-6m` when absent).
    pub from: Option<LStr>,
    /// End of the window (`now`).
    pub to: Option<LStr>,
    /// How often the rule runs (`5m`).
    pub interval: Option<LStr>,
    /// Maximum alerts per run (100).
    pub max_signals: Option<Located<i64>>,

    // ---- time and ordering
    /// Field used for the time window instead of `@timestamp`.
    pub timestamp_override: Option<LStr>,
    /// Whether events without the override field are ignored rather than falling back to
    /// `@timestamp`.
    pub timestamp_override_fallback_disabled: Option<bool>,
    /// EQL: the field that orders events (`@timestamp`).
    pub timestamp_field: Option<LStr>,
    /// EQL: the field holding the event category (`event.category`).
    pub event_category_override: Option<LStr>,
    /// EQL: the field breaking timestamp ties.
    pub tiebreaker_field: Option<LStr>,

    // ---- alerts
    /// Default severity.
    pub severity: Option<Located<Severity>>,
    /// Default risk score, 0–100.
    pub risk_score: Option<Located<i64>>,
    /// Severity overrides from event values.
    pub severity_mapping: Vec<Located<SeverityMapping>>,
    /// Risk score overrides from an event value.
    pub risk_score_mapping: Vec<Located<RiskScoreMapping>>,
    /// Event field whose value names the alert.
    pub rule_name_override: Option<LStr>,
    /// `default` for building-block rules, whose alerts are hidden by default.
    pub building_block_type: Option<LStr>,
    /// Exception containers the rule uses.
    pub exceptions_list: Vec<Located<ExceptionList>>,
    /// Alert suppression.
    pub alert_suppression: Option<Located<AlertSuppression>>,
    /// Fields to highlight when investigating.
    pub investigation_fields: Option<Located<Vec<LStr>>>,
    /// Timeline template id.
    pub timeline_id: Option<LStr>,
    /// Timeline template title.
    pub timeline_title: Option<LStr>,
    /// Alerts index namespace (no effect).
    pub namespace: Option<LStr>,
    /// Deprecated alerts index (no effect).
    pub output_index: Option<LStr>,
    /// Action throttle.
    pub throttle: Option<LStr>,
    /// Actions, as written.
    pub actions: Option<Json>,
    /// Response actions, as written.
    pub response_actions: Option<Json>,

    // ---- type-specific
    /// Threshold rules.
    pub threshold: Option<Located<Threshold>>,
    /// New-terms rules.
    pub new_terms: Option<Located<NewTerms>>,
    /// Indicator-match rules: the threat-intel index patterns.
    pub threat_index: Option<Located<Vec<LStr>>>,
    /// Indicator-match rules: the query over the threat-intel index.
    pub threat_query: Option<LStr>,
    /// Indicator-match rules: language of `threat_query`.
    pub threat_language: Option<Located<Language>>,
    /// Indicator-match rules: event field ↔ indicator field pairs (OR of ANDs).
    pub threat_mapping: Option<Located<Vec<Located<Vec<ThreatMappingEntry>>>>>,
    /// Indicator-match rules: filters over the threat-intel index.
    pub threat_filters: Option<Json>,
    /// Indicator-match rules: where indicators sit in their documents.
    pub threat_indicator_path: Option<LStr>,
    /// Indicator-match rules: concurrent searches.
    pub concurrent_searches: Option<Located<i64>>,
    /// Indicator-match rules: items per search.
    pub items_per_search: Option<Located<i64>>,
    /// Machine-learning rules: minimum anomaly score, 0–100.
    pub anomaly_threshold: Option<Located<i64>>,
    /// Machine-learning rules: the job(s).
    pub machine_learning_job_id: Option<Located<Vec<String>>>,
}

impl Rule {
    /// The rule's name, or `""`.
    pub fn name(&self) -> &str {
        self.name.as_ref().map_or("", |n| n.value.as_str())
    }

    /// The rule id, or `""`.
    pub fn rule_id(&self) -> &str {
        self.rule_id.as_ref().map_or("", |n| n.value.as_str())
    }

    /// The type, if given and valid.
    pub fn rule_type(&self) -> Option<RuleType> {
        self.rule_type.as_ref().map(|t| t.value)
    }

    /// The language, if given and valid.
    pub fn language(&self) -> Option<Language> {
        self.language.as_ref().map(|t| t.value)
    }

    /// The index patterns, if given.
    pub fn index_patterns(&self) -> Option<Vec<&str>> {
        self.index
            .as_ref()
            .map(|l| l.value.iter().map(|p| p.value.as_str()).collect())
    }
}

/// One `[[rule.threat]]` entry.
#[derive(Clone, Debug, Default)]
pub struct Threat {
    /// `MITRE ATT&CK` (the only framework Kibana supports).
    pub framework: Option<LStr>,
    /// The tactic.
    pub tactic: Option<Located<MitreRef>>,
    /// Techniques, each with optional sub-techniques.
    pub technique: Vec<Located<Technique>>,
}

/// An ATT&CK tactic, technique or sub-technique: id, name, URL.
#[derive(Clone, Debug, Default)]
pub struct MitreRef {
    /// `TA0008`, `T1021`, `T1053.005`.
    pub id: Option<LStr>,
    /// Display name.
    pub name: Option<LStr>,
    /// `https://attack.mitre.org/…`.
    pub reference: Option<LStr>,
}

/// A technique and its sub-techniques.
#[derive(Clone, Debug, Default)]
pub struct Technique {
    /// The technique itself.
    pub technique: MitreRef,
    /// Its sub-techniques.
    pub subtechnique: Vec<Located<MitreRef>>,
}

/// One `severity_mapping` entry: events whose `field` equals `value` get `severity`.
#[derive(Clone, Debug, Default)]
pub struct SeverityMapping {
    /// Event field.
    pub field: Option<LStr>,
    /// `equals`.
    pub operator: Option<LStr>,
    /// Value compared with the field.
    pub value: Option<LStr>,
    /// Severity given on a match.
    pub severity: Option<Located<Severity>>,
}

/// One `risk_score_mapping` entry: the risk score is read from `field`.
#[derive(Clone, Debug, Default)]
pub struct RiskScoreMapping {
    /// Event field holding a score.
    pub field: Option<LStr>,
    /// `equals`.
    pub operator: Option<LStr>,
    /// Unused by Kibana (written as `""`).
    pub value: Option<LStr>,
    /// Unused by Kibana.
    pub risk_score: Option<Located<i64>>,
}

/// One `exceptions_list` entry.
#[derive(Clone, Debug, Default)]
pub struct ExceptionList {
    /// Container id.
    pub id: Option<LStr>,
    /// Container list id.
    pub list_id: Option<LStr>,
    /// `detection`, `endpoint`, `rule_default`…
    pub list_type: Option<LStr>,
    /// `single` or `agnostic`.
    pub namespace_type: Option<LStr>,
}

/// `[rule.alert_suppression]`.
#[derive(Clone, Debug, Default)]
pub struct AlertSuppression {
    /// Fields to group alerts by (1 to 3).
    pub group_by: Vec<LStr>,
    /// Suppression window.
    pub duration: Option<Located<SuppressionDuration>>,
    /// `doNotSuppress` or `suppress`.
    pub missing_fields_strategy: Option<LStr>,
}

/// `alert_suppression.duration`.
#[derive(Clone, Debug, Default)]
pub struct SuppressionDuration {
    /// At least 1.
    pub value: Option<Located<i64>>,
    /// `s`, `m` or `h`.
    pub unit: Option<LStr>,
}

/// `[rule.threshold]`.
#[derive(Clone, Debug, Default)]
pub struct Threshold {
    /// Fields to group by (a string or a list; empty: one group).
    pub field: Vec<String>,
    /// Events per group that raise an alert (at least 1).
    pub value: Option<Located<i64>>,
    /// Distinct-value conditions.
    pub cardinality: Vec<Located<ThresholdCardinality>>,
}

/// One `threshold.cardinality` entry.
#[derive(Clone, Debug, Default)]
pub struct ThresholdCardinality {
    /// Field whose distinct values are counted.
    pub field: Option<LStr>,
    /// Minimum distinct count.
    pub value: Option<Located<i64>>,
}

/// `[rule.new_terms]` as `elastic/detection-rules` writes it (`field =
/// "new_terms_fields"`, `value = [...]`, and a `history_window_start` sub-entry).
#[derive(Clone, Debug, Default)]
pub struct NewTerms {
    /// The fields whose value combinations must be new (1 to 3).
    pub fields: Vec<LStr>,
    /// Start of the history window, in date math (`now-14d`).
    pub history_window_start: Option<LStr>,
}

/// One `threat_mapping` entry: an event field matched against an indicator field.
#[derive(Clone, Debug, Default)]
pub struct ThreatMappingEntry {
    /// Event field.
    pub field: Option<LStr>,
    /// `mapping`.
    pub entry_type: Option<LStr>,
    /// Indicator field.
    pub value: Option<LStr>,
    /// Whether the match is negated.
    pub negate: Option<bool>,
}
