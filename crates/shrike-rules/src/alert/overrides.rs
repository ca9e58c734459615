//! Per-event overrides of an alert's severity, risk score and rule name, as Kibana's
//! `buildSeverityFromMapping`, `buildRiskScoreFromMapping` and
//! `buildRuleNameFromMapping` compute them from the event's `_source`:
//!
//! * **severity**: the mappings are sorted from low to high severity (stably) and all
//!   tried; the last that matches wins, so the highest matching severity is used. A
//!   mapping matches when one of the field's values, as a string, equals its `value`;
//!   for `event.severity` (a number in ECS) values are compared as whole numbers.
//! * **risk score**: only the first mapping's field is read; its values that are numbers
//!   (or numeric strings) between 0 and 100 count, and the largest is used.
//! * **rule name**: the field's value when it is a single string.

use super::js::{js_number, lodash_get};
use crate::model::{RiskScoreMapping, Rule, Severity, SeverityMapping};
use serde_json::Value as Json;

/// The overridden severity, if a mapping matches.
pub fn severity(source: &Json, mappings: &[&SeverityMapping]) -> Option<Severity> {
    let mut sorted: Vec<&SeverityMapping> = mappings
        .iter()
        .copied()
        .filter(|m| m.field.is_some() && m.value.is_some() && m.severity.is_some())
        .collect();
    sorted.sort_by_key(|m| m.severity.as_ref().map(|s| s.value));
    let mut found = None;
    for m in sorted {
        let (Some(field), Some(value), Some(sev)) = (&m.field, &m.value, &m.severity) else {
            continue;
        };
        let event_values = values(lodash_get(source, &field.value));
        let is_severity = field.value == "event.severity";
        let matched = if is_severity {
            let wanted = js_number(&value.value).map(f64::floor);
            event_values
                .iter()
                .filter_map(|v| safe_integer(v))
                .any(|n| Some(n) == wanted)
        } else {
            event_values.iter().any(|v| match v {
                Json::String(s) => *s == value.value,
                v => safe_integer(v).is_some_and(|n| format_integer(n) == value.value),
            })
        };
        if matched {
            found = Some(sev.value);
        }
    }
    found
}

/// The overridden risk score, if the first mapping's field holds a usable score.
pub fn risk_score(source: &Json, mappings: &[&RiskScoreMapping]) -> Option<f64> {
    let field = mappings.first()?.field.as_ref()?;
    values(lodash_get(source, &field.value))
        .iter()
        .filter_map(|v| {
            let n = match v {
                Json::Number(n) => n.as_f64()?,
                Json::String(s) => js_number(s)?,
                _ => return None,
            };
            (n.is_finite() && (0.0..=100.0).contains(&n)).then_some(n)
        })
        .reduce(f64::max)
}

/// The overridden rule name, if the field holds one string.
pub fn rule_name(source: &Json, rule: &Rule) -> Option<String> {
    let field = rule.rule_name_override.as_ref()?;
    match lodash_get(source, &field.value)? {
        Json::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn values(v: Option<&Json>) -> Vec<&Json> {
    match v {
        None => Vec::new(),
        Some(Json::Array(a)) => a.iter().collect(),
        Some(other) => vec![other],
    }
}

/// A JSON number that is a JavaScript safe integer.
fn safe_integer(v: &Json) -> Option<f64> {
    let n = v.as_f64()?;
    (n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0).then_some(n)
}

fn format_integer(n: f64) -> String {
    format!("{n:.0}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LStr, Located};
    use serde_json::json;
    use shrike_diag::Span;

    fn s(v: &str) -> Option<LStr> {
        Some(Located::new(v.to_string(), Span::default()))
    }

    fn sev(field: &str, value: &str, severity: Severity) -> SeverityMapping {
        SeverityMapping {
            field: s(field),
            operator: s("equals"),
            value: s(value),
            severity: Some(Located::new(severity, Span::default())),
        }
    }

    #[test]
    fn highest_matching_severity_wins_whatever_the_order() {
        let maps = [
            sev("user.name", "root", Severity::Critical),
            sev("host.name", "db", Severity::Low),
            sev("host.name", "db", Severity::High),
        ];
        let refs: Vec<&SeverityMapping> = maps.iter().collect();
        let src = json!({"user": {"name": "root"}, "host": {"name": ["web", "db"]}});
        assert_eq!(severity(&src, &refs), Some(Severity::Critical));
        let src = json!({"host": {"name": "db"}});
        assert_eq!(severity(&src, &refs), Some(Severity::High));
        assert_eq!(severity(&json!({}), &refs), None);
    }

    #[test]
    fn event_severity_is_numeric_other_fields_textual() {
        let maps = [
            sev("event.severity", "73.9", Severity::High),
            sev("process.pid", "4", Severity::Medium),
        ];
        let refs: Vec<&SeverityMapping> = maps.iter().collect();
        assert_eq!(
            severity(&json!({"event": {"severity": 73}}), &refs),
            Some(Severity::High)
        );
        // A string is not a valid `event.severity`.
        assert_eq!(severity(&json!({"event": {"severity": "73"}}), &refs), None);
        assert_eq!(
            severity(&json!({"process": {"pid": 4}}), &refs),
            Some(Severity::Medium)
        );
        assert_eq!(
            severity(&json!({"process": {"pid": "4"}}), &refs),
            Some(Severity::Medium)
        );
    }

    #[test]
    fn risk_score_is_the_largest_valid_value_of_the_first_field() {
        let m = RiskScoreMapping {
            field: s("event.risk_score"),
            operator: s("equals"),
            value: s(""),
            risk_score: None,
        };
        let refs = [&m];
        assert_eq!(
            risk_score(
                &json!({"event": {"risk_score": [12, "90.5", 150, "x"]}}),
                &refs
            ),
            Some(90.5)
        );
        assert_eq!(
            risk_score(&json!({"event": {"risk_score": -1}}), &refs),
            None
        );
        assert_eq!(risk_score(&json!({}), &refs), None);
    }
}
