//! Schema checks on a loaded rule, after Kibana's rule schema (`RuleCreateProps`: the
//! fields each rule type requires, enumerations, ranges) and the facts
//! `elastic/detection-rules` enforces on its files (`YYYY/MM/DD` metadata dates, MITRE
//! ATT&CK ids and URLs, UUID rule ids, `interval` and `from` syntax).
//!
//! Where Kibana accepts something the repository would not (a `rule_id` that is not a
//! UUID, a MITRE URL that does not match its id), the problem is a warning: the rule
//! still runs. Everything Kibana would reject is an error.

use crate::codes;
use crate::model::*;
use shrike_diag::{Diagnostic, Span};

/// Every schema problem of `file`, unordered. `rule_span` points at `[rule]` (for fields
/// that are missing altogether).
pub fn validate(file: &RuleFile) -> Vec<Diagnostic> {
    let mut v = Checker {
        diags: Vec::new(),
        present: file
            .rule
            .as_ref()
            .map(|r| r.value.present.clone())
            .unwrap_or_default(),
    };
    if let Some(meta) = &file.metadata {
        v.metadata(&meta.value);
    }
    if let Some(rule) = &file.rule {
        v.rule(&rule.value, rule.span);
    }
    v.diags
}

struct Checker {
    diags: Vec<Diagnostic>,
    /// Keys of `[rule]` present in the file, valid or not.
    present: std::collections::BTreeSet<String>,
}

impl Checker {
    fn error(&mut self, code: &'static str, span: Span, message: String) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::error(code, message).with_span(span));
        self.diags.last_mut().expect("just pushed")
    }

    fn warning(&mut self, code: &'static str, span: Span, message: String) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::warning(code, message).with_span(span));
        self.diags.last_mut().expect("just pushed")
    }

    fn require<T>(&mut self, value: &Option<T>, path: &str, at: Span) -> bool {
        // A top-level key with a rejected value was reported where it is.
        let written = path
            .strip_prefix("rule.")
            .is_some_and(|key| !key.contains('.') && self.present.contains(key));
        if value.is_none() && !written {
            self.error(
                codes::MISSING_FIELD,
                at,
                format!("`{path}` is required here"),
            );
            return false;
        }
        value.is_some()
    }

    fn non_empty(&mut self, s: &Option<LStr>, path: &str) {
        if let Some(s) = s {
            if s.value.trim().is_empty() {
                self.error(
                    codes::EMPTY_VALUE,
                    s.span,
                    format!("`{path}` must not be empty"),
                );
            }
        }
    }

    fn at_least(&mut self, n: &Option<Located<i64>>, path: &str, min: i64) {
        if let Some(n) = n {
            if n.value < min {
                self.error(
                    codes::OUT_OF_RANGE,
                    n.span,
                    format!("`{path}` must be at least {min}, not {}", n.value),
                );
            }
        }
    }

    fn between(&mut self, n: &Option<Located<i64>>, path: &str, min: i64, max: i64) {
        if let Some(n) = n {
            if n.value < min || n.value > max {
                self.error(
                    codes::OUT_OF_RANGE,
                    n.span,
                    format!("`{path}` must be between {min} and {max}, not {}", n.value),
                );
            }
        }
    }

    fn one_of(&mut self, s: &Option<LStr>, path: &str, allowed: &[&str]) {
        if let Some(s) = s {
            if !allowed.contains(&s.value.as_str()) {
                let list: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
                self.error(
                    codes::BAD_ENUM,
                    s.span,
                    format!("`{path}` cannot be `{}`", s.value),
                )
                .notes
                .push(format!("expected one of {}", list.join(", ")));
            }
        }
    }

    fn metadata(&mut self, m: &Metadata) {
        for (name, date) in [
            ("creation_date", &m.creation_date),
            ("updated_date", &m.updated_date),
            ("deprecation_date", &m.deprecation_date),
        ] {
            if let Some(d) = date {
                if parse_date(&d.value).is_none() {
                    self.error(
                        codes::BAD_DATE,
                        d.span,
                        format!(
                            "`metadata.{name}` must be a date written `YYYY/MM/DD`, not `{}`",
                            d.value
                        ),
                    );
                }
            }
        }
        if let (Some(c), Some(u)) = (&m.creation_date, &m.updated_date) {
            if let (Some(c_date), Some(u_date)) = (parse_date(&c.value), parse_date(&u.value)) {
                if u_date < c_date {
                    self.warning(
                        codes::BAD_DATE,
                        u.span,
                        format!(
                            "`metadata.updated_date` ({}) is before `creation_date` ({})",
                            u.value, c.value
                        ),
                    );
                }
            }
        }
        if let Some(mat) = &m.maturity {
            if mat.value == Maturity::Deprecated && m.deprecation_date.is_none() {
                self.warning(
                    codes::MISSING_FIELD,
                    mat.span,
                    "a deprecated rule should have `metadata.deprecation_date`".into(),
                );
            }
        }
        if let Some(v) = &m.min_stack_version {
            if !is_stack_version(&v.value) {
                self.warning(
                    codes::BAD_ENUM,
                    v.span,
                    format!(
                        "`metadata.min_stack_version` should be a version like `8.14.0`, not `{}`",
                        v.value
                    ),
                );
            }
        }
    }

    fn rule(&mut self, r: &Rule, at: Span) {
        // Required by every rule type (Kibana's BaseRequiredFields, plus a stable id).
        self.require(&r.rule_id, "rule.rule_id", at);
        self.require(&r.name, "rule.name", at);
        self.require(&r.description, "rule.description", at);
        self.require(&r.risk_score, "rule.risk_score", at);
        self.require(&r.severity, "rule.severity", at);
        self.require(&r.rule_type, "rule.type", at);
        self.non_empty(&r.name, "rule.name");
        self.non_empty(&r.description, "rule.description");
        self.non_empty(&r.rule_id, "rule.rule_id");
        if let Some(id) = &r.rule_id {
            if !id.value.trim().is_empty() && !is_uuid(&id.value) {
                self.warning(
                    codes::RULE_ID_NOT_UUID,
                    id.span,
                    format!("`rule.rule_id` `{}` is not a UUID", id.value),
                )
                .help = Some("elastic/detection-rules gives every rule a random UUID".into());
            }
        }
        self.between(&r.risk_score, "rule.risk_score", 0, 100);
        self.at_least(&r.version, "rule.version", 1);
        self.at_least(&r.max_signals, "rule.max_signals", 1);
        self.schedule(r);
        for (path, field) in [
            ("rule.timestamp_override", &r.timestamp_override),
            ("rule.timestamp_field", &r.timestamp_field),
            ("rule.event_category_override", &r.event_category_override),
            ("rule.tiebreaker_field", &r.tiebreaker_field),
            ("rule.rule_name_override", &r.rule_name_override),
            ("rule.license", &r.license),
        ] {
            self.non_empty(field, path);
        }
        if let Some(bb) = &r.building_block_type {
            if bb.value != "default" {
                self.warning(
                    codes::BAD_ENUM,
                    bb.span,
                    format!(
                        "`rule.building_block_type` is `default` for building-block rules, not `{}`",
                        bb.value
                    ),
                );
            }
        }
        if let Some(index) = &r.index {
            let mut seen = std::collections::HashSet::new();
            for p in &index.value {
                if p.value.trim().is_empty() {
                    self.error(
                        codes::EMPTY_VALUE,
                        p.span,
                        "an index pattern must not be empty".into(),
                    );
                } else if !seen.insert(p.value.as_str()) {
                    self.warning(
                        codes::DUPLICATE,
                        p.span,
                        format!("index pattern `{}` is listed twice", p.value),
                    );
                }
            }
        }
        self.mappings(r);
        self.threats(&r.threat);
        for e in &r.exceptions_list {
            let e = &e.value;
            let span = self.first_span(&[&e.id, &e.list_id, &e.list_type]);
            for (path, f) in [
                ("id", &e.id),
                ("list_id", &e.list_id),
                ("type", &e.list_type),
                ("namespace_type", &e.namespace_type),
            ] {
                self.require(f, &format!("rule.exceptions_list.{path}"), span);
                self.non_empty(f, &format!("rule.exceptions_list.{path}"));
            }
            self.one_of(
                &e.list_type,
                "rule.exceptions_list.type",
                &[
                    "detection",
                    "rule_default",
                    "endpoint",
                    "endpoint_trusted_apps",
                    "endpoint_trusted_devices",
                    "endpoint_events",
                    "endpoint_host_isolation_exceptions",
                    "endpoint_blocklists",
                    "endpoint_custom_yara_signatures",
                ],
            );
            self.one_of(
                &e.namespace_type,
                "rule.exceptions_list.namespace_type",
                &["agnostic", "single"],
            );
        }
        if let Some(inv) = &r.investigation_fields {
            if inv.value.is_empty() {
                self.error(
                    codes::BAD_LENGTH,
                    inv.span,
                    "`rule.investigation_fields.field_names` needs at least one field".into(),
                );
            }
            for f in &inv.value {
                self.non_empty(&Some(f.clone()), "rule.investigation_fields.field_names");
            }
        }
        self.by_type(r, at);
    }

    fn first_span(&self, fields: &[&Option<LStr>]) -> Span {
        fields
            .iter()
            .filter_map(|f| f.as_ref().map(|f| f.span))
            .next()
            .unwrap_or_default()
    }

    fn schedule(&mut self, r: &Rule) {
        if let Some(i) = &r.interval {
            if !is_interval(&i.value) {
                self.error(
                    codes::BAD_DURATION,
                    i.span,
                    format!(
                        "`rule.interval` must be a duration like `5m` (a positive number and \
                         `s`, `m`, `h` or `d`), not `{}`",
                        i.value
                    ),
                );
            }
        }
        for (path, field) in [("rule.from", &r.from), ("rule.to", &r.to)] {
            if let Some(f) = field {
                if !is_date_math(&f.value) {
                    self.error(
                        codes::BAD_DURATION,
                        f.span,
                        format!(
                            "`{path}` must be date math like `now-6m`, not `{}`",
                            f.value
                        ),
                    );
                }
            }
        }
    }

    fn mappings(&mut self, r: &Rule) {
        let mut seen = std::collections::HashMap::new();
        for m in &r.severity_mapping {
            let span = m.span;
            let m = &m.value;
            self.require(&m.field, "rule.severity_mapping.field", span);
            self.require(&m.operator, "rule.severity_mapping.operator", span);
            self.require(&m.value, "rule.severity_mapping.value", span);
            self.require(&m.severity, "rule.severity_mapping.severity", span);
            self.non_empty(&m.field, "rule.severity_mapping.field");
            self.one_of(&m.operator, "rule.severity_mapping.operator", &["equals"]);
            if let (Some(f), Some(v)) = (&m.field, &m.value) {
                if let Some(prev) = seen.insert((f.value.clone(), v.value.clone()), v.span) {
                    let _ = prev;
                    self.warning(
                        codes::DUPLICATE,
                        v.span,
                        format!(
                            "`{}` = `{}` is mapped twice in `rule.severity_mapping`; the highest \
                             severity wins",
                            f.value, v.value
                        ),
                    );
                }
            }
        }
        for (i, m) in r.risk_score_mapping.iter().enumerate() {
            let span = m.span;
            let m = &m.value;
            self.require(&m.field, "rule.risk_score_mapping.field", span);
            self.require(&m.operator, "rule.risk_score_mapping.operator", span);
            self.require(&m.value, "rule.risk_score_mapping.value", span);
            self.non_empty(&m.field, "rule.risk_score_mapping.field");
            self.one_of(&m.operator, "rule.risk_score_mapping.operator", &["equals"]);
            self.between(&m.risk_score, "rule.risk_score_mapping.risk_score", 0, 100);
            if i > 0 {
                self.warning(
                    codes::DUPLICATE,
                    span,
                    "only the first `rule.risk_score_mapping` entry is used (as in Kibana)".into(),
                );
            }
        }
    }

    fn threats(&mut self, threats: &[Located<Threat>]) {
        for t in threats {
            let span = t.span;
            let t = &t.value;
            self.require(&t.framework, "rule.threat.framework", span);
            let mitre = t
                .framework
                .as_ref()
                .is_some_and(|f| f.value == "MITRE ATT&CK");
            if !self.require(&t.tactic, "rule.threat.tactic", span) {
                continue;
            }
            let tactic = t.tactic.as_ref().expect("required above");
            self.mitre_ref(&tactic.value, tactic.span, "rule.threat.tactic");
            if mitre {
                self.mitre_id(&tactic.value, "tactic", r"TA\d{4}", "tactics/{id}/");
            }
            for tech in &t.technique {
                self.mitre_ref(&tech.value.technique, tech.span, "rule.threat.technique");
                if mitre {
                    self.mitre_id(
                        &tech.value.technique,
                        "technique",
                        r"T\d{4}",
                        "techniques/{id}/",
                    );
                }
                let parent = tech.value.technique.id.as_ref().map(|i| i.value.as_str());
                for sub in &tech.value.subtechnique {
                    self.mitre_ref(&sub.value, sub.span, "rule.threat.technique.subtechnique");
                    if !mitre {
                        continue;
                    }
                    self.mitre_id(
                        &sub.value,
                        "subtechnique",
                        r"T\d{4}\.\d{3}",
                        "techniques/{parent}/{sub}/",
                    );
                    if let (Some(parent), Some(id)) = (parent, &sub.value.id) {
                        if shaped(&id.value, r"T\d{4}\.\d{3}")
                            && !id.value.starts_with(&format!("{parent}."))
                        {
                            self.error(
                                codes::BAD_MITRE,
                                id.span,
                                format!(
                                    "sub-technique `{}` does not belong to technique `{parent}`",
                                    id.value
                                ),
                            );
                        }
                    }
                }
            }
        }
    }

    fn mitre_ref(&mut self, m: &MitreRef, span: Span, path: &str) {
        self.require(&m.id, &format!("{path}.id"), span);
        self.require(&m.name, &format!("{path}.name"), span);
        self.require(&m.reference, &format!("{path}.reference"), span);
        self.non_empty(&m.name, &format!("{path}.name"));
    }

    /// Checks the shape of an ATT&CK id (error) and that its URL names it (warning).
    fn mitre_id(&mut self, m: &MitreRef, what: &str, pattern: &str, url: &str) {
        let Some(id) = &m.id else { return };
        if !shaped(&id.value, pattern) {
            let example = match what {
                "tactic" => "TA0002",
                "technique" => "T1053",
                _ => "T1053.005",
            };
            self.error(
                codes::BAD_MITRE,
                id.span,
                format!(
                    "MITRE ATT&CK {what} id `{}` is not shaped like `{example}`",
                    id.value
                ),
            );
            return;
        }
        let Some(reference) = &m.reference else {
            return;
        };
        let expected = match id.value.split_once('.') {
            Some((parent, sub)) => url.replace("{parent}", parent).replace("{sub}", sub),
            None => url.replace("{id}", &id.value),
        };
        let expected = format!("https://attack.mitre.org/{expected}");
        if reference.value != expected {
            self.warning(
                codes::BAD_MITRE,
                reference.span,
                format!(
                    "the reference of {what} `{}` should be `{expected}`",
                    id.value
                ),
            );
        }
    }

    /// What each rule type requires, and fields that do not belong to it.
    fn by_type(&mut self, r: &Rule, at: Span) {
        let Some(ty) = r.rule_type() else { return };
        let lang = r.language.as_ref();
        let lang_ok = match ty {
            RuleType::Eql => lang.is_some_and(|l| l.value == Language::Eql),
            RuleType::Esql => lang.is_some_and(|l| l.value == Language::Esql),
            RuleType::MachineLearning => lang.is_none(),
            _ => lang.is_none_or(|l| matches!(l.value, Language::Kuery | Language::Lucene)),
        };
        if !lang_ok {
            let expected = match ty {
                RuleType::Eql => "`language = \"eql\"`",
                RuleType::Esql => "`language = \"esql\"`",
                RuleType::MachineLearning => "no `language`",
                _ => "`language = \"kuery\"` or `\"lucene\"`",
            };
            let span = lang.map_or(at, |l| l.span);
            self.error(
                codes::TYPE_LANGUAGE_MISMATCH,
                span,
                format!(
                    "a `{}` rule takes {expected}, not `{}`",
                    ty.as_str(),
                    lang.map_or("(none)", |l| l.value.as_str())
                ),
            );
        }
        let needs_query = matches!(
            ty,
            RuleType::Eql
                | RuleType::Esql
                | RuleType::Threshold
                | RuleType::ThreatMatch
                | RuleType::NewTerms
        );
        if needs_query && r.query.is_none() {
            self.error(
                codes::MISSING_QUERY,
                at,
                format!("this `{}` rule has no `query`", ty.as_str()),
            );
        }
        match ty {
            RuleType::SavedQuery => {
                self.require(&r.saved_id, "rule.saved_id", at);
            }
            RuleType::Threshold if self.require(&r.threshold, "rule.threshold", at) => {
                let t = &r.threshold.as_ref().expect("required").value;
                let span = r.threshold.as_ref().map_or(at, |t| t.span);
                self.require(&t.value, "rule.threshold.value", span);
                self.at_least(&t.value, "rule.threshold.value", 1);
                for c in &t.cardinality {
                    self.require(&c.value.field, "rule.threshold.cardinality.field", c.span);
                    self.require(&c.value.value, "rule.threshold.cardinality.value", c.span);
                    self.at_least(&c.value.value, "rule.threshold.cardinality.value", 0);
                }
            }
            RuleType::NewTerms if self.require(&r.new_terms, "rule.new_terms", at) => {
                let nt = r.new_terms.as_ref().expect("required");
                if nt.value.fields.is_empty() || nt.value.fields.len() > 3 {
                    self.error(
                        codes::BAD_LENGTH,
                        nt.span,
                        format!(
                            "`rule.new_terms` takes 1 to 3 fields, not {}",
                            nt.value.fields.len()
                        ),
                    );
                }
                for f in &nt.value.fields {
                    self.non_empty(&Some(f.clone()), "rule.new_terms.value");
                }
                self.require(
                    &nt.value.history_window_start,
                    "rule.new_terms.history_window_start",
                    nt.span,
                );
                if let Some(h) = &nt.value.history_window_start {
                    if !is_date_math(&h.value) {
                        self.error(
                            codes::BAD_DURATION,
                            h.span,
                            format!(
                                "`history_window_start` must be date math like `now-14d`, \
                                     not `{}`",
                                h.value
                            ),
                        );
                    }
                }
            }
            RuleType::ThreatMatch => {
                self.require(&r.threat_query, "rule.threat_query", at);
                self.require(&r.threat_index, "rule.threat_index", at);
                if self.require(&r.threat_mapping, "rule.threat_mapping", at) {
                    let m = r.threat_mapping.as_ref().expect("required");
                    if m.value.is_empty() {
                        self.error(
                            codes::BAD_LENGTH,
                            m.span,
                            "`rule.threat_mapping` needs at least one entry".into(),
                        );
                    }
                    for group in &m.value {
                        for e in &group.value {
                            self.require(&e.field, "rule.threat_mapping.entries.field", group.span);
                            self.require(&e.value, "rule.threat_mapping.entries.value", group.span);
                            self.require(
                                &e.entry_type,
                                "rule.threat_mapping.entries.type",
                                group.span,
                            );
                            self.non_empty(&e.field, "rule.threat_mapping.entries.field");
                            self.non_empty(&e.value, "rule.threat_mapping.entries.value");
                            self.one_of(
                                &e.entry_type,
                                "rule.threat_mapping.entries.type",
                                &["mapping"],
                            );
                        }
                    }
                }
                self.at_least(&r.concurrent_searches, "rule.concurrent_searches", 1);
                self.at_least(&r.items_per_search, "rule.items_per_search", 1);
            }
            RuleType::MachineLearning => {
                self.require(&r.anomaly_threshold, "rule.anomaly_threshold", at);
                self.between(&r.anomaly_threshold, "rule.anomaly_threshold", 0, 100);
                if self.require(
                    &r.machine_learning_job_id,
                    "rule.machine_learning_job_id",
                    at,
                ) {
                    let ids = r.machine_learning_job_id.as_ref().expect("required");
                    if ids.value.is_empty() || ids.value.iter().any(|i| i.trim().is_empty()) {
                        self.error(
                            codes::EMPTY_VALUE,
                            ids.span,
                            "`rule.machine_learning_job_id` must name a job".into(),
                        );
                    }
                }
            }
            _ => {}
        }
        if let Some(s) = &r.alert_suppression {
            let span = s.span;
            let s = &s.value;
            if ty == RuleType::Threshold {
                self.require(&s.duration, "rule.alert_suppression.duration", span);
            } else if s.group_by.is_empty() || s.group_by.len() > 3 {
                self.error(
                    codes::BAD_LENGTH,
                    span,
                    format!(
                        "`rule.alert_suppression.group_by` takes 1 to 3 fields, not {}",
                        s.group_by.len()
                    ),
                );
            }
            if let Some(d) = &s.duration {
                self.require(
                    &d.value.value,
                    "rule.alert_suppression.duration.value",
                    d.span,
                );
                self.require(
                    &d.value.unit,
                    "rule.alert_suppression.duration.unit",
                    d.span,
                );
                self.at_least(&d.value.value, "rule.alert_suppression.duration.value", 1);
                self.one_of(
                    &d.value.unit,
                    "rule.alert_suppression.duration.unit",
                    &["s", "m", "h"],
                );
            }
            self.one_of(
                &s.missing_fields_strategy,
                "rule.alert_suppression.missing_fields_strategy",
                &["doNotSuppress", "suppress"],
            );
        }
        self.foreign_fields(r, ty);
    }

    /// Warns about fields Kibana's schema does not define for this rule type.
    fn foreign_fields(&mut self, r: &Rule, ty: RuleType) {
        use RuleType::*;
        let span = |s: Option<Span>| s;
        let checks: [(&str, Option<Span>, &[RuleType]); 16] = [
            (
                "threshold",
                span(r.threshold.as_ref().map(|x| x.span)),
                &[Threshold],
            ),
            (
                "new_terms",
                span(r.new_terms.as_ref().map(|x| x.span)),
                &[NewTerms],
            ),
            (
                "threat_query",
                r.threat_query.as_ref().map(|x| x.span),
                &[ThreatMatch],
            ),
            (
                "threat_index",
                r.threat_index.as_ref().map(|x| x.span),
                &[ThreatMatch],
            ),
            (
                "threat_mapping",
                r.threat_mapping.as_ref().map(|x| x.span),
                &[ThreatMatch],
            ),
            (
                "threat_indicator_path",
                r.threat_indicator_path.as_ref().map(|x| x.span),
                &[ThreatMatch],
            ),
            (
                "concurrent_searches",
                r.concurrent_searches.as_ref().map(|x| x.span),
                &[ThreatMatch],
            ),
            (
                "items_per_search",
                r.items_per_search.as_ref().map(|x| x.span),
                &[ThreatMatch],
            ),
            (
                "anomaly_threshold",
                r.anomaly_threshold.as_ref().map(|x| x.span),
                &[MachineLearning],
            ),
            (
                "machine_learning_job_id",
                r.machine_learning_job_id.as_ref().map(|x| x.span),
                &[MachineLearning],
            ),
            (
                "event_category_override",
                r.event_category_override.as_ref().map(|x| x.span),
                &[Eql],
            ),
            (
                "tiebreaker_field",
                r.tiebreaker_field.as_ref().map(|x| x.span),
                &[Eql],
            ),
            (
                "timestamp_field",
                r.timestamp_field.as_ref().map(|x| x.span),
                &[Eql],
            ),
            (
                "saved_id",
                r.saved_id.as_ref().map(|x| x.span),
                &[Query, SavedQuery, Threshold, ThreatMatch],
            ),
            (
                "index",
                r.index.as_ref().map(|x| x.span),
                &[Eql, Query, SavedQuery, Threshold, ThreatMatch, NewTerms],
            ),
            (
                "filters",
                r.filters.as_ref().map(|x| x.span),
                &[Eql, Query, SavedQuery, Threshold, ThreatMatch, NewTerms],
            ),
        ];
        for (name, at, types) in checks {
            if let Some(at) = at {
                if !types.contains(&ty) {
                    self.warning(
                        codes::FIELD_NOT_FOR_TYPE,
                        at,
                        format!(
                            "`rule.{name}` does not apply to `{}` rules; it is ignored",
                            ty.as_str()
                        ),
                    );
                }
            }
        }
    }
}

/// `YYYY/MM/DD` as a comparable `(year, month, day)`, if it is a real date.
pub fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'/' || b[7] != b'/' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (d >= 1 && d <= days).then_some((y, m, d))
}

/// Kibana's rule schedule: a positive whole number of `s`, `m`, `h` or `d`.
pub fn is_interval(s: &str) -> bool {
    let Some(unit) = s.chars().last() else {
        return false;
    };
    let digits = &s[..s.len() - unit.len_utf8()];
    matches!(unit, 's' | 'm' | 'h' | 'd')
        && !digits.is_empty()
        && digits.bytes().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
}

/// Elastic date math as rules use it: `now`, then any number of `+N<unit>` / `-N<unit>`,
/// then an optional rounding `/<unit>` (units `y M w d h H m s`).
pub fn is_date_math(s: &str) -> bool {
    let Some(mut rest) = s.strip_prefix("now") else {
        return false;
    };
    let is_unit = |c: u8| matches!(c, b'y' | b'M' | b'w' | b'd' | b'h' | b'H' | b'm' | b's');
    loop {
        let b = rest.as_bytes();
        match b.first() {
            None => return true,
            Some(b'+') | Some(b'-') => {
                let digits = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                let Some(&unit) = b.get(1 + digits) else {
                    return false;
                };
                if digits == 0 || !is_unit(unit) {
                    return false;
                }
                rest = &rest[2 + digits..];
            }
            Some(b'/') => return b.len() == 2 && is_unit(b[1]),
            Some(_) => return false,
        }
    }
}

/// A lowercase-hex UUID (`8-4-4-4-12`), as `elastic/detection-rules` writes them.
pub fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|c| c.is_ascii_hexdigit()))
}

/// `x` matches one of the three MITRE id shapes (`TA\d{4}`, `T\d{4}`, `T\d{4}\.\d{3}`).
fn shaped(x: &str, pattern: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|c| c.is_ascii_digit());
    match pattern {
        r"TA\d{4}" => x.strip_prefix("TA").is_some_and(|d| digits(d, 4)),
        r"T\d{4}" => x.strip_prefix('T').is_some_and(|d| digits(d, 4)),
        _ => x.strip_prefix('T').is_some_and(|d| {
            d.split_once('.')
                .is_some_and(|(a, b)| digits(a, 4) && digits(b, 3))
        }),
    }
}

fn is_stack_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load;

    fn problems(text: &str) -> Vec<(String, &'static str, String)> {
        let loaded = load(text).expect("valid TOML");
        let mut diags = loaded.diagnostics;
        diags.extend(validate(&loaded.file));
        diags.sort_by_key(|d| d.span.start);
        diags
            .into_iter()
            .map(|d| {
                (
                    text[d.span.start..d.span.end].to_string(),
                    d.code,
                    d.severity.as_str().to_string(),
                )
            })
            .collect()
    }

    const OK: &str = r#"[metadata]
creation_date = "2024/01/31"
maturity = "production"
updated_date = "2024/02/01"

[rule]
author = ["shrike"]
description = "d"
from = "now-9m"
interval = "5m"
language = "eql"
license = "MIT"
name = "n"
risk_score = 47
rule_id = "6c1a8f52-0000-4000-8000-000000000001"
severity = "medium"
type = "eql"
query = "process where true"
"#;

    #[test]
    fn a_complete_rule_has_no_problems() {
        assert_eq!(problems(OK), vec![]);
    }

    #[test]
    fn ranges_dates_durations_and_ids() {
        let text = OK
            .replace("risk_score = 47", "risk_score = 101")
            .replace("2024/01/31", "2024/02/30")
            .replace("interval = \"5m\"", "interval = \"5 minutes\"")
            .replace("now-9m", "9m")
            .replace("6c1a8f52-0000-4000-8000-000000000001", "my-rule");
        let got = problems(&text);
        let codes: Vec<_> = got.iter().map(|(s, c, _)| (s.as_str(), *c)).collect();
        assert_eq!(
            codes,
            vec![
                ("\"2024/02/30\"", codes::BAD_DATE),
                ("\"9m\"", codes::BAD_DURATION),
                ("\"5 minutes\"", codes::BAD_DURATION),
                ("101", codes::OUT_OF_RANGE),
                ("\"my-rule\"", codes::RULE_ID_NOT_UUID),
            ]
        );
        assert_eq!(got[4].2, "warning");
    }

    #[test]
    fn mitre_ids_and_urls() {
        let text = format!(
            "{OK}{}",
            r#"
[[rule.threat]]
framework = "MITRE ATT&CK"
[[rule.threat.technique]]
id = "T1053"
name = "Scheduled Task/Job"
reference = "https://attack.mitre.org/techniques/T1053/"
[[rule.threat.technique.subtechnique]]
id = "T1021.005"
name = "x"
reference = "https://attack.mitre.org/techniques/T1021/005/"
[rule.threat.tactic]
id = "TA02"
name = "Execution"
reference = "https://attack.mitre.org/tactics/TA0002/"
"#
        );
        let got = problems(&text);
        let codes: Vec<_> = got.iter().map(|(s, c, _)| (s.as_str(), *c)).collect();
        assert_eq!(
            codes,
            vec![
                ("\"T1021.005\"", codes::BAD_MITRE),
                ("\"TA02\"", codes::BAD_MITRE)
            ]
        );
    }

    #[test]
    fn required_fields_per_type() {
        let text = "[rule]\nrule_id = \"x\"\ntype = \"threshold\"\nlanguage = \"eql\"\n";
        let got = problems(text);
        let codes: Vec<_> = got.iter().map(|(_, c, _)| *c).collect();
        assert!(codes.contains(&codes::MISSING_QUERY), "{got:?}");
        assert!(codes.contains(&codes::TYPE_LANGUAGE_MISMATCH), "{got:?}");
        assert_eq!(
            codes.iter().filter(|c| **c == codes::MISSING_FIELD).count(),
            5,
            "name, description, risk_score, severity, threshold: {got:?}"
        );
    }

    #[test]
    fn date_math_and_intervals() {
        for ok in ["now", "now-6m", "now-1h+5m", "now-7d/d", "now-7205m"] {
            assert!(is_date_math(ok), "{ok}");
        }
        for bad in ["6m", "now-", "now-6", "now-6x", "now/", "now-6m/dd", " now"] {
            assert!(!is_date_math(bad), "{bad}");
        }
        for ok in ["5m", "1s", "24h", "7d", "60m"] {
            assert!(is_interval(ok), "{ok}");
        }
        for bad in ["0m", "05m", "5", "m", "5 m", "5ms", "1w"] {
            assert!(!is_interval(bad), "{bad}");
        }
        assert_eq!(parse_date("2024/02/29"), Some((2024, 2, 29)));
        assert_eq!(parse_date("2023/02/29"), None);
        assert_eq!(parse_date("2024-02-01"), None);
    }
}
