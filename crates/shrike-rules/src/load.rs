//! Loading a rule file's TOML into the [`crate::model`], reporting every type problem.
//!
//! The TOML is parsed into a spanned tree (`toml::de::DeTable`) and walked by hand
//! rather than through `serde`: a derive stops at the first wrong field, while a rule
//! author wants every problem of the file at once, each at its line and column. A field
//! of the wrong type is reported (`R0006`) and left out of the model; a key the schema
//! does not know is a warning (`R0008`); a value outside an enumeration is an error
//! (`R0009`). Requirements that depend on the rule type are [`crate::validate`]'s job.

use crate::codes;
use crate::model::*;
use serde_json::Value as Json;
use shrike_diag::{Diagnostic, Span};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// A loaded rule file and the problems found while loading it.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    /// The model (fields with problems left out).
    pub file: RuleFile,
    /// Type errors and unknown-key warnings, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses `text`. A TOML syntax error is the only failure (one `R0001`): there is no
/// tree to walk then.
pub fn load(text: &str) -> Result<Loaded, Vec<Diagnostic>> {
    let root = DeTable::parse(text).map_err(|e| {
        let span = e.span().map_or(Span::point(0), Span::from);
        let message = e.message().trim().trim_end_matches('.').to_string();
        vec![
            Diagnostic::error(codes::TOML_SYNTAX, format!("invalid TOML: {message}"))
                .with_span(span),
        ]
    })?;
    let mut cx = Cx {
        text,
        diags: Vec::new(),
    };
    let mut top = Tab::new(root.get_ref(), "", span_of(&root));
    let metadata = top
        .take("metadata")
        .and_then(|v| cx.table(v, "metadata"))
        .map(|t| {
            let span = t.span;
            Located::new(metadata(&mut cx, t), span)
        });
    let rule = top.take("rule").and_then(|v| cx.table(v, "rule")).map(|t| {
        let span = cx.header_span(t.span, "rule");
        Located::new(rule(&mut cx, t), span)
    });
    // Other top-level tables (`[transform]`, `[hunt]`…) are the repository's business.
    top.used.iter_mut().for_each(|u| *u = true);
    let mut diagnostics = cx.diags;
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    Ok(Loaded {
        file: RuleFile { metadata, rule },
        diagnostics,
    })
}

fn span_of<T>(v: &Spanned<T>) -> Span {
    Span::from(v.span())
}

/// The loader's state: the text (for header spans) and the diagnostics so far.
struct Cx<'t> {
    text: &'t str,
    diags: Vec<Diagnostic>,
}

/// A table being read: its entries, which ones were taken, its dotted path.
struct Tab<'a, 'i> {
    entries: Vec<(&'a str, Span, &'a Spanned<DeValue<'i>>)>,
    used: Vec<bool>,
    path: String,
    span: Span,
}

impl<'a, 'i> Tab<'a, 'i> {
    fn new(table: &'a DeTable<'i>, path: &str, span: Span) -> Self {
        let entries: Vec<_> = table
            .iter()
            .map(|(k, v)| (k.get_ref().as_ref(), span_of(k), v))
            .collect();
        Tab {
            used: vec![false; entries.len()],
            entries,
            path: path.to_string(),
            span,
        }
    }

    /// The value of `key`, marking it known.
    fn take(&mut self, key: &str) -> Option<Val<'a, 'i>> {
        let i = self.entries.iter().position(|(k, _, _)| *k == key)?;
        self.used[i] = true;
        let (_, key_span, value) = self.entries[i];
        Some(Val {
            path: join(&self.path, key),
            key_span,
            value,
        })
    }

    /// Reports the keys nobody took, with a suggestion when one is close to a known key.
    fn finish(self, cx: &mut Cx, known: &[&str]) {
        for (i, (key, span, _)) in self.entries.iter().enumerate() {
            if self.used[i] {
                continue;
            }
            let mut d = Diagnostic::warning(
                codes::UNKNOWN_FIELD,
                format!("unknown field `{}`; it is ignored", join(&self.path, key)),
            )
            .with_span(*span);
            if let Some(close) = closest(key, known) {
                d = d.with_help(format!("did you mean `{close}`?"));
            }
            cx.diags.push(d);
        }
    }
}

/// A value with where it is.
struct Val<'a, 'i> {
    path: String,
    key_span: Span,
    value: &'a Spanned<DeValue<'i>>,
}

impl Val<'_, '_> {
    fn span(&self) -> Span {
        span_of(self.value)
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn type_name(v: &DeValue) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl<'t> Cx<'t> {
    fn wrong_type(&mut self, v: &Val, expected: &str) {
        let found = type_name(v.value.get_ref());
        self.diags.push(
            Diagnostic::error(
                codes::FIELD_TYPE,
                format!("`{}` must be {expected}, not {found}", v.path),
            )
            .with_span(v.span()),
        );
    }

    /// The `[name]` header line when the table was opened by one, else `span`.
    fn header_span(&self, span: Span, name: &str) -> Span {
        let header = format!("[{name}]");
        let mut offset = 0;
        for line in self.text.split_inclusive('\n') {
            if line.trim() == header {
                let start = offset + (line.len() - line.trim_start().len());
                return Span::new(start, start + header.len());
            }
            offset += line.len();
        }
        span
    }

    fn string(&mut self, v: Option<Val>) -> Option<LStr> {
        let v = v?;
        match v.value.get_ref() {
            DeValue::String(s) => Some(Located::new(s.to_string(), v.span())),
            _ => {
                self.wrong_type(&v, "a string");
                None
            }
        }
    }

    fn int(&mut self, v: Option<Val>) -> Option<Located<i64>> {
        let v = v?;
        match v.value.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(Located::new(n, v.span())),
                Err(_) => {
                    self.diags.push(
                        Diagnostic::error(
                            codes::OUT_OF_RANGE,
                            format!("`{}` is too large", v.path),
                        )
                        .with_span(v.span()),
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(&v, "an integer");
                None
            }
        }
    }

    fn boolean(&mut self, v: Option<Val>) -> Option<bool> {
        let v = v?;
        match v.value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(&v, "a boolean");
                None
            }
        }
    }

    /// An array of strings; wrong elements are reported and dropped.
    fn strings(&mut self, v: Option<Val>) -> Option<Located<Vec<LStr>>> {
        let v = v?;
        let DeValue::Array(items) = v.value.get_ref() else {
            self.wrong_type(&v, "an array of strings");
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(Located::new(s.to_string(), span_of(item))),
                other => self.diags.push(
                    Diagnostic::error(
                        codes::FIELD_TYPE,
                        format!("`{}` must hold strings, not {}", v.path, type_name(other)),
                    )
                    .with_span(span_of(item)),
                ),
            }
        }
        Some(Located::new(out, v.span()))
    }

    fn plain_strings(&mut self, v: Option<Val>) -> Vec<String> {
        self.strings(v)
            .map(|l| l.value.into_iter().map(|s| s.value).collect())
            .unwrap_or_default()
    }

    /// A string or an array of strings (`threshold.field`, `machine_learning_job_id`).
    fn string_or_strings(&mut self, v: Option<Val>) -> Option<Located<Vec<String>>> {
        let v = v?;
        if let DeValue::String(s) = v.value.get_ref() {
            return Some(Located::new(vec![s.to_string()], v.span()));
        }
        if !matches!(v.value.get_ref(), DeValue::Array(_)) {
            self.wrong_type(&v, "a string or an array of strings");
            return None;
        }
        let span = v.span();
        self.strings(Some(v))
            .map(|l| Located::new(l.value.into_iter().map(|s| s.value).collect(), span))
    }

    fn table<'a, 'i>(&mut self, v: Val<'a, 'i>, _what: &str) -> Option<Tab<'a, 'i>> {
        match v.value.get_ref() {
            DeValue::Table(t) => Some(Tab::new(t, &v.path, v.key_span.to(v.span()))),
            _ => {
                self.wrong_type(&v, "a table");
                None
            }
        }
    }

    /// An array of tables (`[[rule.threat]]`, or an inline array of inline tables).
    fn tables<'a, 'i>(&mut self, v: Option<Val<'a, 'i>>) -> Vec<Tab<'a, 'i>> {
        let Some(v) = v else { return Vec::new() };
        let DeValue::Array(items) = v.value.get_ref() else {
            self.wrong_type(&v, "an array of tables");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.get_ref() {
                DeValue::Table(t) => out.push(Tab::new(t, &v.path, span_of(item))),
                other => self.diags.push(
                    Diagnostic::error(
                        codes::FIELD_TYPE,
                        format!(
                            "`{}[{i}]` must be a table, not {}",
                            v.path,
                            type_name(other)
                        ),
                    )
                    .with_span(span_of(item)),
                ),
            }
        }
        out
    }

    /// An enumerated string: the allowed spellings are `options`.
    fn one_of<T: Copy>(&mut self, v: Option<Val>, options: &[(&str, T)]) -> Option<Located<T>> {
        let path = v.as_ref().map(|v| v.path.clone()).unwrap_or_default();
        let s = self.string(v)?;
        if let Some((_, t)) = options.iter().find(|(name, _)| *name == s.value) {
            return Some(Located::new(*t, s.span));
        }
        self.bad_enum(&path, &s, options.iter().map(|(n, _)| *n));
        None
    }

    fn bad_enum<'n>(&mut self, path: &str, s: &LStr, allowed: impl Iterator<Item = &'n str>) {
        let allowed: Vec<String> = allowed.map(|a| format!("`{a}`")).collect();
        let mut d = Diagnostic::error(codes::BAD_ENUM, format!("`{path}` cannot be `{}`", s.value))
            .with_span(s.span)
            .with_note(format!("expected one of {}", allowed.join(", ")));
        if let Some(close) = closest(
            &s.value,
            &allowed
                .iter()
                .map(|a| a.trim_matches('`'))
                .collect::<Vec<_>>(),
        ) {
            d = d.with_help(format!("did you mean `{close}`?"));
        }
        self.diags.push(d);
    }

    /// Any value, as JSON (free-form parts: `filters`, `meta`).
    fn json(&mut self, v: Option<Val>) -> Option<Json> {
        v.map(|v| to_json(v.value.get_ref()))
    }
}

/// A TOML value as JSON; date-times become their TOML text.
pub fn to_json(v: &DeValue) -> Json {
    match v {
        DeValue::String(s) => Json::String(s.to_string()),
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .map(Json::from)
            .unwrap_or_else(|_| Json::String(i.as_str().to_string())),
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Json::Null, Json::Number),
        DeValue::Boolean(b) => Json::Bool(*b),
        DeValue::Datetime(d) => Json::String(d.to_string()),
        DeValue::Array(a) => Json::Array(a.iter().map(|x| to_json(x.get_ref())).collect()),
        DeValue::Table(t) => Json::Object(
            t.iter()
                .map(|(k, x)| (k.get_ref().to_string(), to_json(x.get_ref())))
                .collect(),
        ),
    }
}

const METADATA_KEYS: &[&str] = &[
    "creation_date",
    "updated_date",
    "deprecation_date",
    "maturity",
    "deprecated_reason",
    "integration",
    "min_stack_version",
    "min_stack_comments",
    "bypass_bbr_timing",
    "promotion",
    "query_schema_validation",
    "comments",
];

fn metadata(cx: &mut Cx, mut t: Tab) -> Metadata {
    let maturity_options: Vec<(&str, Maturity)> =
        Maturity::ALL.iter().map(|m| (m.as_str(), *m)).collect();
    let m = Metadata {
        creation_date: cx.string(t.take("creation_date")),
        updated_date: cx.string(t.take("updated_date")),
        deprecation_date: cx.string(t.take("deprecation_date")),
        maturity: cx.one_of(t.take("maturity"), &maturity_options),
        deprecated_reason: cx.string(t.take("deprecated_reason")),
        integration: cx
            .string_or_strings(t.take("integration"))
            .map(|l| l.value)
            .unwrap_or_default(),
        min_stack_version: cx.string(t.take("min_stack_version")),
        min_stack_comments: cx.string(t.take("min_stack_comments")),
        bypass_bbr_timing: cx.boolean(t.take("bypass_bbr_timing")),
        promotion: cx.boolean(t.take("promotion")),
        query_schema_validation: cx.boolean(t.take("query_schema_validation")),
    };
    let _ = t.take("comments");
    t.finish(cx, METADATA_KEYS);
    m
}

/// Every key of `[rule]` the model reads.
pub const RULE_KEYS: &[&str] = &[
    "rule_id",
    "name",
    "description",
    "version",
    "author",
    "license",
    "tags",
    "references",
    "false_positives",
    "note",
    "setup",
    "threat",
    "enabled",
    "meta",
    "related_integrations",
    "required_fields",
    "type",
    "language",
    "query",
    "index",
    "data_view_id",
    "filters",
    "saved_id",
    "from",
    "to",
    "interval",
    "max_signals",
    "timestamp_override",
    "timestamp_override_fallback_disabled",
    "timestamp_field",
    "event_category_override",
    "tiebreaker_field",
    "severity",
    "risk_score",
    "severity_mapping",
    "risk_score_mapping",
    "rule_name_override",
    "building_block_type",
    "exceptions_list",
    "alert_suppression",
    "investigation_fields",
    "timeline_id",
    "timeline_title",
    "namespace",
    "output_index",
    "throttle",
    "actions",
    "response_actions",
    "threshold",
    "new_terms",
    "threat_index",
    "threat_query",
    "threat_language",
    "threat_mapping",
    "threat_filters",
    "threat_indicator_path",
    "concurrent_searches",
    "items_per_search",
    "anomaly_threshold",
    "machine_learning_job_id",
];

fn rule(cx: &mut Cx, mut t: Tab) -> Rule {
    let types: Vec<(&str, RuleType)> = RuleType::ALL.iter().map(|r| (r.as_str(), *r)).collect();
    let languages: Vec<(&str, Language)> = Language::ALL.iter().map(|l| (l.as_str(), *l)).collect();
    let severities: Vec<(&str, Severity)> =
        Severity::ALL.iter().map(|s| (s.as_str(), *s)).collect();

    let present = t.entries.iter().map(|(k, _, _)| k.to_string()).collect();
    let mut r = Rule {
        present,
        rule_id: cx.string(t.take("rule_id")),
        name: cx.string(t.take("name")),
        description: cx.string(t.take("description")),
        version: cx.int(t.take("version")),
        author: cx.plain_strings(t.take("author")),
        license: cx.string(t.take("license")),
        tags: cx.plain_strings(t.take("tags")),
        references: cx.plain_strings(t.take("references")),
        false_positives: cx.plain_strings(t.take("false_positives")),
        note: cx.string(t.take("note")),
        setup: cx.string(t.take("setup")),
        enabled: cx.boolean(t.take("enabled")),
        meta: cx.json(t.take("meta")),
        related_integrations: cx.json(t.take("related_integrations")),
        required_fields: cx.json(t.take("required_fields")),
        rule_type: cx.one_of(t.take("type"), &types),
        language: cx.one_of(t.take("language"), &languages),
        query: cx.string(t.take("query")),
        index: cx.strings(t.take("index")),
        data_view_id: cx.string(t.take("data_view_id")),
        saved_id: cx.string(t.take("saved_id")),
        from: cx.string(t.take("from")),
        to: cx.string(t.take("to")),
        interval: cx.string(t.take("interval")),
        max_signals: cx.int(t.take("max_signals")),
        timestamp_override: cx.string(t.take("timestamp_override")),
        timestamp_override_fallback_disabled: cx
            .boolean(t.take("timestamp_override_fallback_disabled")),
        timestamp_field: cx.string(t.take("timestamp_field")),
        event_category_override: cx.string(t.take("event_category_override")),
        tiebreaker_field: cx.string(t.take("tiebreaker_field")),
        severity: cx.one_of(t.take("severity"), &severities),
        risk_score: cx.int(t.take("risk_score")),
        rule_name_override: cx.string(t.take("rule_name_override")),
        building_block_type: cx.string(t.take("building_block_type")),
        timeline_id: cx.string(t.take("timeline_id")),
        timeline_title: cx.string(t.take("timeline_title")),
        namespace: cx.string(t.take("namespace")),
        output_index: cx.string(t.take("output_index")),
        throttle: cx.string(t.take("throttle")),
        actions: cx.json(t.take("actions")),
        response_actions: cx.json(t.take("response_actions")),
        threat_index: cx.strings(t.take("threat_index")),
        threat_query: cx.string(t.take("threat_query")),
        threat_language: cx.one_of(t.take("threat_language"), &languages),
        threat_filters: cx.json(t.take("threat_filters")),
        threat_indicator_path: cx.string(t.take("threat_indicator_path")),
        concurrent_searches: cx.int(t.take("concurrent_searches")),
        items_per_search: cx.int(t.take("items_per_search")),
        anomaly_threshold: cx.int(t.take("anomaly_threshold")),
        machine_learning_job_id: cx.string_or_strings(t.take("machine_learning_job_id")),
        ..Rule::default()
    };

    if let Some(v) = t.take("filters") {
        let span = v.span();
        match v.value.get_ref() {
            DeValue::Array(items) => {
                let filters = items.iter().map(|i| to_json(i.get_ref())).collect();
                r.filters = Some(Located::new(filters, span));
            }
            _ => cx.wrong_type(&v, "an array of filter tables"),
        }
    }
    r.threat = cx
        .tables(t.take("threat"))
        .into_iter()
        .map(|tab| {
            let span = tab.span;
            Located::new(threat(cx, tab), span)
        })
        .collect();
    r.severity_mapping = cx
        .tables(t.take("severity_mapping"))
        .into_iter()
        .map(|mut m| {
            let span = m.span;
            let v = SeverityMapping {
                field: cx.string(m.take("field")),
                operator: cx.string(m.take("operator")),
                value: cx.string(m.take("value")),
                severity: cx.one_of(m.take("severity"), &severities),
            };
            m.finish(cx, &["field", "operator", "value", "severity"]);
            Located::new(v, span)
        })
        .collect();
    r.risk_score_mapping = cx
        .tables(t.take("risk_score_mapping"))
        .into_iter()
        .map(|mut m| {
            let span = m.span;
            let v = RiskScoreMapping {
                field: cx.string(m.take("field")),
                operator: cx.string(m.take("operator")),
                value: cx.string(m.take("value")),
                risk_score: cx.int(m.take("risk_score")),
            };
            m.finish(cx, &["field", "operator", "value", "risk_score"]);
            Located::new(v, span)
        })
        .collect();
    r.exceptions_list = cx
        .tables(t.take("exceptions_list"))
        .into_iter()
        .map(|mut m| {
            let span = m.span;
            let v = ExceptionList {
                id: cx.string(m.take("id")),
                list_id: cx.string(m.take("list_id")),
                list_type: cx.string(m.take("type")),
                namespace_type: cx.string(m.take("namespace_type")),
            };
            m.finish(cx, &["id", "list_id", "type", "namespace_type"]);
            Located::new(v, span)
        })
        .collect();
    if let Some(mut s) = t
        .take("alert_suppression")
        .and_then(|v| cx.table(v, "alert_suppression"))
    {
        let span = s.span;
        let duration = s.take("duration").and_then(|v| cx.table(v, "duration"));
        let duration = duration.map(|mut d| {
            let span = d.span;
            let v = SuppressionDuration {
                value: cx.int(d.take("value")),
                unit: cx.string(d.take("unit")),
            };
            d.finish(cx, &["value", "unit"]);
            Located::new(v, span)
        });
        let v = AlertSuppression {
            group_by: cx
                .strings(s.take("group_by"))
                .map(|l| l.value)
                .unwrap_or_default(),
            duration,
            missing_fields_strategy: cx.string(s.take("missing_fields_strategy")),
        };
        s.finish(cx, &["group_by", "duration", "missing_fields_strategy"]);
        r.alert_suppression = Some(Located::new(v, span));
    }
    if let Some(mut s) = t
        .take("investigation_fields")
        .and_then(|v| cx.table(v, "investigation_fields"))
    {
        let span = s.span;
        let names = cx.strings(s.take("field_names"));
        s.finish(cx, &["field_names"]);
        r.investigation_fields = Some(Located::new(
            names.map(|l| l.value).unwrap_or_default(),
            span,
        ));
    }
    if let Some(mut s) = t.take("threshold").and_then(|v| cx.table(v, "threshold")) {
        let span = s.span;
        let field = cx
            .string_or_strings(s.take("field"))
            .map(|l| l.value)
            .unwrap_or_default();
        let value = cx.int(s.take("value"));
        let cardinality = cx
            .tables(s.take("cardinality"))
            .into_iter()
            .map(|mut c| {
                let span = c.span;
                let v = ThresholdCardinality {
                    field: cx.string(c.take("field")),
                    value: cx.int(c.take("value")),
                };
                c.finish(cx, &["field", "value"]);
                Located::new(v, span)
            })
            .collect();
        s.finish(cx, &["field", "value", "cardinality"]);
        r.threshold = Some(Located::new(
            Threshold {
                field,
                value,
                cardinality,
            },
            span,
        ));
    }
    if let Some(mut s) = t.take("new_terms").and_then(|v| cx.table(v, "new_terms")) {
        r.new_terms = Some(new_terms(cx, &mut s));
        s.finish(cx, &["field", "value", "history_window_start"]);
    }
    if let Some(v) = t.take("threat_mapping") {
        let span = v.span();
        let groups = cx
            .tables(Some(v))
            .into_iter()
            .map(|mut g| {
                let gspan = g.span;
                let entries = cx
                    .tables(g.take("entries"))
                    .into_iter()
                    .map(|mut e| {
                        let v = ThreatMappingEntry {
                            field: cx.string(e.take("field")),
                            entry_type: cx.string(e.take("type")),
                            value: cx.string(e.take("value")),
                            negate: cx.boolean(e.take("negate")),
                        };
                        e.finish(cx, &["field", "type", "value", "negate"]);
                        v
                    })
                    .collect();
                g.finish(cx, &["entries"]);
                Located::new(entries, gspan)
            })
            .collect();
        r.threat_mapping = Some(Located::new(groups, span));
    }
    t.finish(cx, RULE_KEYS);
    r
}

/// `[rule.new_terms]`: `field = "new_terms_fields"`, `value = [...]`,
/// `[[rule.new_terms.history_window_start]]` with `field = "history_window_start"` and
/// `value = "now-14d"`.
fn new_terms(cx: &mut Cx, s: &mut Tab) -> Located<NewTerms> {
    let span = s.span;
    if let Some(field) = cx.string(s.take("field")) {
        if field.value != "new_terms_fields" {
            cx.bad_enum(
                "rule.new_terms.field",
                &field,
                ["new_terms_fields"].into_iter(),
            );
        }
    }
    let fields = cx
        .strings(s.take("value"))
        .map(|l| l.value)
        .unwrap_or_default();
    let mut history_window_start = None;
    for mut h in cx.tables(s.take("history_window_start")) {
        if let Some(field) = cx.string(h.take("field")) {
            if field.value != "history_window_start" {
                cx.bad_enum(
                    "rule.new_terms.history_window_start.field",
                    &field,
                    ["history_window_start"].into_iter(),
                );
            }
        }
        history_window_start = cx.string(h.take("value")).or(history_window_start);
        h.finish(cx, &["field", "value"]);
    }
    Located::new(
        NewTerms {
            fields,
            history_window_start,
        },
        span,
    )
}

fn mitre_ref(cx: &mut Cx, t: &mut Tab) -> MitreRef {
    MitreRef {
        id: cx.string(t.take("id")),
        name: cx.string(t.take("name")),
        reference: cx.string(t.take("reference")),
    }
}

fn threat(cx: &mut Cx, mut t: Tab) -> Threat {
    let framework = cx.string(t.take("framework"));
    let tactic = t
        .take("tactic")
        .and_then(|v| cx.table(v, "tactic"))
        .map(|mut tt| {
            let span = tt.span;
            let v = mitre_ref(cx, &mut tt);
            tt.finish(cx, &["id", "name", "reference"]);
            Located::new(v, span)
        });
    let technique = cx
        .tables(t.take("technique"))
        .into_iter()
        .map(|mut tt| {
            let span = tt.span;
            let technique = mitre_ref(cx, &mut tt);
            let subtechnique = cx
                .tables(tt.take("subtechnique"))
                .into_iter()
                .map(|mut st| {
                    let span = st.span;
                    let v = mitre_ref(cx, &mut st);
                    st.finish(cx, &["id", "name", "reference"]);
                    Located::new(v, span)
                })
                .collect();
            tt.finish(cx, &["id", "name", "reference", "subtechnique"]);
            Located::new(
                Technique {
                    technique,
                    subtechnique,
                },
                span,
            )
        })
        .collect();
    t.finish(cx, &["framework", "tactic", "technique"]);
    Threat {
        framework,
        tactic,
        technique,
    }
}

/// The known key closest to `key` by edit distance, if close enough to be a typo.
fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes_of(l: &Loaded) -> Vec<&'static str> {
        l.diagnostics.iter().map(|d| d.code).collect()
    }

    #[test]
    fn collects_every_type_problem_with_its_place() {
        let text = "[rule]\nname = 1\nrisk_score = \"high\"\ntags = [\"a\", 2]\nseverity = \"severe\"\nrisk_scor = 3\n";
        let l = load(text).expect("valid TOML");
        assert_eq!(
            codes_of(&l),
            vec![
                codes::FIELD_TYPE,
                codes::FIELD_TYPE,
                codes::FIELD_TYPE,
                codes::BAD_ENUM,
                codes::UNKNOWN_FIELD
            ]
        );
        let d = &l.diagnostics[0];
        assert_eq!(&text[d.span.start..d.span.end], "1");
        assert_eq!(d.message, "`rule.name` must be a string, not an integer");
        let unknown = &l.diagnostics[4];
        assert_eq!(unknown.help.as_deref(), Some("did you mean `risk_score`?"));
        assert!(!unknown.is_error());
        let rule = l.file.rule.expect("rule").value;
        assert_eq!(rule.tags, vec!["a".to_string()]);
        assert!(rule.name.is_none());
    }

    #[test]
    fn reads_nested_tables_of_the_schema() {
        let text = r#"
[rule]
type = "eql"
[[rule.threat]]
framework = "MITRE ATT&CK"
[[rule.threat.technique]]
id = "T1053"
name = "Scheduled Task/Job"
reference = "https://attack.mitre.org/techniques/T1053/"
[[rule.threat.technique.subtechnique]]
id = "T1053.005"
name = "Scheduled Task"
reference = "https://attack.mitre.org/techniques/T1053/005/"
[rule.threat.tactic]
id = "TA0002"
name = "Execution"
reference = "https://attack.mitre.org/tactics/TA0002/"
[rule.new_terms]
field = "new_terms_fields"
value = ["host.id"]
[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-7d"
[rule.alert_suppression]
group_by = ["host.name"]
[rule.alert_suppression.duration]
unit = "h"
value = 6
"#;
        let l = load(text).expect("valid TOML");
        assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
        let rule = l.file.rule.expect("rule").value;
        let threat = &rule.threat[0].value;
        let tactic = threat.tactic.as_ref().expect("tactic");
        assert_eq!(tactic.value.id.as_ref().expect("id").value, "TA0002");
        let sub = &threat.technique[0].value.subtechnique[0].value;
        assert_eq!(sub.id.as_ref().expect("id").value, "T1053.005");
        let nt = rule.new_terms.expect("new terms").value;
        assert_eq!(nt.fields[0].value, "host.id");
        assert_eq!(
            nt.history_window_start.expect("window").value,
            "now-7d".to_string()
        );
        let s = rule.alert_suppression.expect("suppression").value;
        assert_eq!(
            s.duration.expect("duration").value.value.expect("v").value,
            6
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = load("[rule]\nname = \"x\nquery = 1\n").expect_err("broken TOML");
        let e = &e[0];
        assert_eq!(e.code, codes::TOML_SYNTAX);
        assert!(e.span.start >= 7, "{:?}", e.span);
    }

    #[test]
    fn rule_header_is_the_rule_span() {
        let text = "[metadata]\nmaturity = \"production\"\n\n[rule]\nname = \"x\"\n";
        let l = load(text).expect("valid");
        let span = l.file.rule.expect("rule").span;
        assert_eq!(&text[span.start..span.end], "[rule]");
    }
}
