//! The rule types whose alerts are not one per matching event, as Kibana computes them
//! from the events a rule's query selects: [`threshold`] (groups counted per execution
//! window), [`new_terms`] (values not seen in a history window), [`threat`] (events
//! matched against indicator documents), [`suppression`] (a query rule's alerts grouped
//! by field values), and the [`schedule`] Kibana runs a rule on.
//!
//! These are pure functions over matched events (their time and `_source`), so they work
//! the same behind the batch engine and the streaming hunt pipeline: the caller runs the
//! rule's query, hands each match here, and writes the alerts that come out.
//!
//! Memory: [`threshold`] keeps one bucket per group of the current window, [`new_terms`]
//! one entry per distinct term combination, [`threat`] the indicators.

pub mod alerts;
pub mod new_terms;
pub mod schedule;
pub mod suppression;
pub mod threat;
pub mod threshold;

use serde_json::Value as Json;

/// The values of a dotted field in a document, as Elasticsearch sees them: nested objects
/// and dotted keys alike, arrays flattened, `null`s skipped.
pub fn values_at<'a>(doc: &'a Json, path: &str) -> Vec<&'a Json> {
    let mut out = Vec::new();
    collect(doc, path, &mut out, 0);
    out
}

fn collect<'a>(node: &'a Json, path: &str, out: &mut Vec<&'a Json>, depth: usize) {
    if depth > 64 {
        return;
    }
    match node {
        Json::Array(items) => items.iter().for_each(|i| collect(i, path, out, depth + 1)),
        Json::Null => {}
        _ if path.is_empty() => out.push(node),
        Json::Object(obj) => {
            // Every split of the path: "a.b.c" as "a" + "b.c", "a.b" + "c", or "a.b.c".
            for (i, _) in path.match_indices('.').chain([(path.len(), "")]) {
                if let Some(child) = obj.get(&path[..i]) {
                    let rest = if i < path.len() { &path[i + 1..] } else { "" };
                    collect(child, rest, out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// A scalar as the string a terms aggregation keys it by (strings as they are, numbers and
/// booleans in JSON form); `None` for objects.
pub fn term_text(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The order in which Elasticsearch's `terms` and `composite` aggregations list keys
/// (`_key` ascending): numbers by value, strings by their UTF-8 bytes, `false` before
/// `true`, `null` (a composite `missing_bucket` with `missing_order: last`) after every
/// value. One field has one type in an index; values of different JSON types (unmapped
/// fields across indices) are ordered numbers, then strings, then booleans.
pub fn compare_terms(a: &Json, b: &Json) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    fn rank(v: &Json) -> u8 {
        match v {
            Json::Number(_) => 0,
            Json::String(_) => 1,
            Json::Bool(_) => 2,
            Json::Null => 4,
            _ => 3,
        }
    }
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => {
                let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                x.partial_cmp(&y).unwrap_or(Ordering::Equal)
            }
        },
        (Json::String(x), Json::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Json::Bool(x), Json::Bool(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// [`compare_terms`] over composite keys (one value per field, in field order).
pub fn compare_keys(a: &[Json], b: &[Json]) -> std::cmp::Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| compare_terms(x, y))
        .find(|o| o.is_ne())
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

/// Every combination of one value per field (a document with several values in a field
/// counts once for each: a composite terms aggregation's buckets). Empty when a field has
/// no value. Capped at `limit` combinations.
pub fn combinations(doc: &Json, fields: &[String], limit: usize) -> Vec<Vec<Json>> {
    let mut out: Vec<Vec<Json>> = vec![Vec::new()];
    for f in fields {
        let mut values: Vec<Json> = Vec::new();
        for v in values_at(doc, f) {
            if term_text(v).is_some() && !values.contains(v) {
                values.push(v.clone());
            }
        }
        if values.is_empty() {
            return Vec::new();
        }
        let mut next = Vec::new();
        'outer: for prefix in &out {
            for v in &values {
                if next.len() >= limit {
                    break 'outer;
                }
                let mut c = prefix.clone();
                c.push(v.clone());
                next.push(c);
            }
        }
        out = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_follow_elasticsearch_paths() {
        let doc = json!({"a": {"b": [1, null, {"c": 2}]}, "a.b": 3, "x": {"y.z": "w"}});
        assert_eq!(
            values_at(&doc, "a.b"),
            [&json!(1), &json!({"c": 2}), &json!(3)]
        );
        assert_eq!(values_at(&doc, "a.b.c"), [&json!(2)]);
        assert_eq!(values_at(&doc, "x.y.z"), [&json!("w")]);
        assert!(values_at(&doc, "nope").is_empty());
    }

    #[test]
    fn keys_sort_as_aggregations_list_them() {
        let mut v = vec![
            json!(null),
            json!("b"),
            json!(10),
            json!("B"),
            json!(9),
            json!(true),
            json!(2.5),
            json!(false),
        ];
        v.sort_by(compare_terms);
        assert_eq!(
            v,
            [
                json!(2.5),
                json!(9),
                json!(10),
                json!("B"),
                json!("b"),
                json!(false),
                json!(true),
                json!(null)
            ]
        );
        assert!(compare_keys(&[json!("a"), json!(2)], &[json!("a"), json!(10)]).is_lt());
        assert!(compare_keys(&[json!("a"), json!(null)], &[json!("a"), json!("z")]).is_gt());
    }

    #[test]
    fn combinations_are_a_cartesian_product() {
        let doc = json!({"h": ["a", "b", "a"], "u": "x", "n": 5});
        let f = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            combinations(&doc, &f(&["h", "u"]), 100),
            vec![vec![json!("a"), json!("x")], vec![json!("b"), json!("x")]]
        );
        assert!(combinations(&doc, &f(&["h", "missing"]), 100).is_empty());
        assert_eq!(combinations(&doc, &f(&[]), 100), vec![Vec::<Json>::new()]);
        assert_eq!(combinations(&doc, &f(&["h"]), 1).len(), 1);
    }
}
