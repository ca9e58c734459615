//! Reading Elasticsearch's EQL spec suite (`shared/conformance/es-eql`) the way ES's own
//! harness does, so every execution path (library, CLI) can be checked against it.
//!
//! What is reproduced (see the suite's `HARNESS.md`):
//!
//! * which spec files run against which index, with which tiebreaker and id field;
//! * the data transforms (`timestampToUnixMillis`, `timestampToUnixNanos`), `//` comments
//!   in data files, `#` lines in mappings, the `[runtime_random_keyword_type]` placeholder
//!   (run with `keyword` and with `wildcard`);
//! * spec keys: `expected_event_ids` (flat, or alternatives), `join_keys` (a bare TOML
//!   `null` read as `"null"`), `size` (default 50), `max_samples_per_key`.

use serde_json::Value as Json;
use std::path::Path;

/// One `[[queries]]` entry.
#[derive(Clone, Debug)]
pub struct Spec {
    /// `name` (or `note`, or a counter).
    pub name: String,
    /// The EQL text, trimmed.
    pub query: String,
    /// Accepted results: each a flat list of ids (`-1` for a missing event).
    pub expected: Vec<Vec<i64>>,
    /// Flattened join keys as strings (empty: not compared).
    pub join_keys: Vec<String>,
    /// Request `size` (50 when the spec has none).
    pub size: usize,
    /// Request `max_samples_per_key`, if the spec sets one.
    pub max_samples_per_key: Option<usize>,
}

/// One index of a suite: its mapping text (placeholder resolved) and its documents
/// (transformed as ES's `DataLoader` does).
#[derive(Clone, Debug)]
pub struct IndexData {
    /// The index name.
    pub name: String,
    /// The mapping JSON (with `#` lines still present; readers drop them).
    pub mapping: String,
    /// The `_source` documents, in file order.
    pub docs: Vec<Json>,
}

/// A harness class: spec files, the indices they search, tiebreaker and id field.
#[derive(Clone, Debug)]
pub struct Suite {
    /// The ES test class it mirrors.
    pub name: &'static str,
    /// The specs, from all its files, in order.
    pub specs: Vec<Spec>,
    /// The searched indices.
    pub indices: Vec<IndexData>,
    /// `tiebreaker_field`, if the class sends one.
    pub tiebreaker: Option<&'static str>,
    /// The `_source` field holding a result's id.
    pub id_field: &'static str,
}

/// Total spec executions of the current harness (one keyword-type variant), without the
/// shard-failure class: the number the conformance tests must reach.
pub const EXPECTED_RUNS: usize = 434;

/// A spec whose expectation in the shared copy of the suite is not Elasticsearch's
/// answer, with the answer and why.
#[derive(Clone, Copy, Debug)]
pub struct Correction {
    /// The harness class.
    pub suite: &'static str,
    /// The spec's name.
    pub name: &'static str,
    /// What Elasticsearch returns for the query as the shared file writes it.
    pub expected: &'static [i64],
    /// What it returns for the query as its current suite writes it ([`current_query`]):
    /// the shared file's expectation.
    pub current_expected: &'static [i64],
    /// Why the shared expectation is wrong.
    pub why: &'static str,
}

/// Expectations corrected by [`suites`]. Each is pinned both ways by the conformance
/// tests: the query as shared gives `expected`, and the query as Elasticsearch's current
/// suite writes it gives the shared expectation.
pub const CORRECTIONS: &[Correction] = &[Correction {
    suite: "EqlDateNanosSpecTestCase",
    name: "sequencesOnDifferentEventTypes7",
    expected: &[67, 68, 69, 70, 72, 73, 74, 75],
    current_expected: &[],
    why: "the shared test_queries.toml predates elastic/elasticsearch#76953, which started \
          running it against the date_nanos index and changed this spec's `maxspan=500ms` to \
          `maxspan=50ms`: on that index the FILETIME ticks read as nanoseconds, so the \
          sequences span 50.08-50.86 ms and fit 500 ms. Elasticsearch measures the span in \
          nanoseconds (`SequenceMatcher`: rejected when last - first > maxspan), so with \
          500 ms it returns sequences 3 and 4 of `head 4`; with 50 ms it returns none.",
}];

/// The query Elasticsearch's current suite runs for a corrected spec.
pub fn current_query(c: &Correction, query: &str) -> String {
    match c.name {
        "sequencesOnDifferentEventTypes7" => query.replace("maxspan=500ms", "maxspan=50ms"),
        _ => query.to_string(),
    }
}

fn apply_corrections(suite: &mut Suite) {
    for c in CORRECTIONS.iter().filter(|c| c.suite == suite.name) {
        for spec in suite.specs.iter_mut().filter(|s| s.name == c.name) {
            spec.expected = vec![c.expected.to_vec()];
        }
    }
}

fn read(dir: &Path, rel: &str) -> Result<String, String> {
    std::fs::read_to_string(dir.join(rel)).map_err(|e| format!("{rel}: {e}"))
}

/// Removes `//` comments outside strings (ES's XContent accepts them in data files).
fn strip_line_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_str = false;
        let mut escaped = false;
        let mut cut = line.len();
        let b = line.as_bytes();
        for i in 0..b.len() {
            let c = b[i];
            if in_str {
                if escaped {
                    escaped = false;
                } else if c == b'\\' {
                    escaped = true;
                } else if c == b'"' {
                    in_str = false;
                }
            } else if c == b'"' {
                in_str = true;
            } else if c == b'/' && b.get(i + 1) == Some(&b'/') {
                cut = i;
                break;
            }
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

fn load_docs(dir: &Path, rel: &str) -> Result<Vec<Json>, String> {
    let text = strip_line_comments(&read(dir, rel)?);
    match serde_json::from_str::<Json>(&text).map_err(|e| format!("{rel}: {e}"))? {
        Json::Array(items) => Ok(items),
        _ => Err(format!("{rel}: not a JSON array")),
    }
}

/// `@timestamp = timestamp / 10000 − 11644473600000` (FILETIME → epoch millis).
fn to_millis(mut docs: Vec<Json>) -> Vec<Json> {
    for d in &mut docs {
        if let Some(ts) = d.get("timestamp").and_then(Json::as_i64) {
            d["@timestamp"] = Json::from(ts / 10_000 - 11_644_473_600_000);
        }
    }
    docs
}

/// The FILETIME digits read as epoch nanos: `@timestamp` = an epoch-millis string with a
/// six-digit fraction (dropped when `.000000`), `timestamp` = value / 1e6.
fn to_nanos(mut docs: Vec<Json>) -> Vec<Json> {
    for d in &mut docs {
        if let Some(ts) = d.get("timestamp").and_then(Json::as_i64) {
            let s = ts.to_string();
            let at = if s.len() > 6 {
                let (millis, frac) = s.split_at(s.len() - 6);
                if frac == "000000" {
                    millis.to_string()
                } else {
                    format!("{millis}.{frac}")
                }
            } else {
                format!("0.{s:0>6}")
            };
            d["@timestamp"] = Json::String(at);
            d["timestamp"] = Json::from(ts / 1_000_000);
        }
    }
    docs
}

fn mapping(dir: &Path, rel: &str, keyword_type: &str) -> Result<String, String> {
    Ok(read(dir, rel)?.replace("[runtime_random_keyword_type]", keyword_type))
}

fn ids(v: &toml::Value) -> Option<Vec<i64>> {
    v.as_array()?.iter().map(toml::Value::as_integer).collect()
}

/// Parses one spec file.
pub fn load_specs(dir: &Path, rel: &str) -> Result<Vec<Spec>, String> {
    let raw = read(dir, rel)?;
    // jtoml accepts a bare `null` in `join_keys`; it means the string "null".
    let fixed: String = raw
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("join_keys") {
                l.replace("\"null\"", "\u{1}")
                    .replace("null", "\"null\"")
                    .replace('\u{1}', "\"null\"")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let doc: toml::Table = fixed.parse().map_err(|e| format!("{rel}: {e}"))?;
    let Some(queries) = doc.get("queries").and_then(toml::Value::as_array) else {
        return Ok(Vec::new());
    };
    let mut specs = Vec::new();
    for (n, q) in queries.iter().enumerate() {
        let get_str = |k: &str| q.get(k).and_then(toml::Value::as_str).map(str::to_string);
        let name = get_str("name")
            .or_else(|| get_str("note"))
            .unwrap_or_else(|| format!("{rel}#{n}"));
        let query = get_str("query")
            .ok_or_else(|| format!("{rel}: {name}: no query"))?
            .trim()
            .to_string();
        let exp = q
            .get("expected_event_ids")
            .ok_or_else(|| format!("{rel}: {name}: no expected_event_ids"))?;
        let expected = match exp.as_array() {
            Some(a) if a.first().is_some_and(|x| x.is_array()) => {
                a.iter().map(ids).collect::<Option<Vec<_>>>()
            }
            _ => ids(exp).map(|v| vec![v]),
        }
        .ok_or_else(|| format!("{rel}: {name}: bad expected_event_ids"))?;
        let join_keys = q
            .get("join_keys")
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|v| match v {
                        toml::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let size = q
            .get("size")
            .and_then(toml::Value::as_integer)
            .map_or(50, |s| s.max(0) as usize);
        let max_samples_per_key = q
            .get("max_samples_per_key")
            .and_then(toml::Value::as_integer)
            .filter(|&m| m > 0)
            .map(|m| m as usize);
        specs.push(Spec {
            name,
            query,
            expected,
            join_keys,
            size,
            max_samples_per_key,
        });
    }
    Ok(specs)
}

/// The harness classes of the current suite (without the shard-failure class), with
/// `keyword_type` (`keyword` or `wildcard`) substituted for the random placeholder, and
/// the [`CORRECTIONS`] applied.
pub fn suites(dir: &Path, keyword_type: &str) -> Result<Vec<Suite>, String> {
    let specs = |files: &[&str]| -> Result<Vec<Spec>, String> {
        let mut all = Vec::new();
        for f in files {
            all.extend(load_specs(dir, f)?);
        }
        Ok(all)
    };
    let endgame = load_docs(dir, "data/endgame-140.data")?;
    let index = |name: &str, mapping_file: &str, docs: Vec<Json>| -> Result<IndexData, String> {
        Ok(IndexData {
            name: name.to_string(),
            mapping: mapping(dir, mapping_file, keyword_type)?,
            docs,
        })
    };
    let mut all = vec![
        Suite {
            name: "EqlSpecTestCase",
            specs: specs(&[
                "test_queries.toml",
                "additional_test_queries.toml",
                "test_queries_date.toml",
            ])?,
            indices: vec![index(
                "endgame-140",
                "data/endgame-140.mapping",
                to_millis(endgame.clone()),
            )?],
            tiebreaker: Some("serial_event_id"),
            id_field: "serial_event_id",
        },
        Suite {
            name: "EqlDateNanosSpecTestCase",
            specs: specs(&["test_queries_date_nanos.toml", "test_queries.toml"])?,
            indices: vec![index(
                "endgame-140-nanos",
                "data/endgame-140-nanos.mapping",
                to_nanos(endgame),
            )?],
            tiebreaker: Some("serial_event_id"),
            id_field: "serial_event_id",
        },
        Suite {
            name: "EqlExtraSpecTestCase",
            specs: specs(&["test_extra.toml"])?,
            indices: vec![index(
                "extra",
                "data/extra.mapping",
                load_docs(dir, "data/extra.data")?,
            )?],
            tiebreaker: Some("sequence"),
            id_field: "sequence",
        },
        Suite {
            name: "EqlMissingEventsSpecTestCase",
            specs: specs(&["test_missing_events.toml"])?,
            indices: vec![index(
                "missing-events",
                "data/missing-events.mapping",
                load_docs(dir, "data/missing-events.data")?,
            )?],
            tiebreaker: Some("sequence"),
            id_field: "sequence",
        },
        Suite {
            name: "EqlSampleTestCase",
            specs: specs(&["test_sample.toml"])?,
            indices: vec![
                index(
                    "sample1",
                    "data/sample1.mapping",
                    load_docs(dir, "data/sample1.data")?,
                )?,
                index(
                    "sample2",
                    "data/sample2.mapping",
                    load_docs(dir, "data/sample2.data")?,
                )?,
                index(
                    "sample3",
                    "data/sample3.mapping",
                    load_docs(dir, "data/sample3.data")?,
                )?,
            ],
            tiebreaker: None,
            id_field: "id",
        },
        Suite {
            name: "EqlSampleMultipleEntriesTestCase",
            specs: specs(&["test_sample_multi.toml"])?,
            indices: vec![index(
                "sample-multi",
                "data/sample-multi.mapping",
                load_docs(dir, "data/sample-multi.data")?,
            )?],
            tiebreaker: None,
            id_field: "id",
        },
    ];
    all.iter_mut().for_each(apply_corrections);
    Ok(all)
}

/// A join-key value as the ES harness compares it (`toString()`, null as `"null"`).
pub fn key_string(v: &Json) -> String {
    match v {
        Json::Null => "null".to_string(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Checks one result against a spec; `None` when it passes, else what differs.
pub fn check(spec: &Spec, ids: &[i64], join_keys: &[String]) -> Option<String> {
    if !spec.expected.iter().any(|e| e == ids) {
        let want = if spec.expected.len() == 1 {
            format!("{:?}", spec.expected[0])
        } else {
            format!("one of {:?}", spec.expected)
        };
        return Some(format!("ids {ids:?}, expected {want}"));
    }
    if !spec.join_keys.is_empty() && spec.join_keys != join_keys {
        return Some(format!(
            "join keys {join_keys:?}, expected {:?}",
            spec.join_keys
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_stripped_outside_strings() {
        let t = strip_line_comments("[{\"a\": \"x//y\"} // note\n]");
        assert_eq!(t, "[{\"a\": \"x//y\"} \n]\n");
    }

    #[test]
    fn nanos_transform_matches_the_harness() {
        let d = to_nanos(vec![
            serde_json::json!({"timestamp": 131485996510000000_i64}),
        ]);
        assert_eq!(d[0]["@timestamp"], "131485996510");
        let d = to_nanos(vec![
            serde_json::json!({"timestamp": 131486001742943651_i64}),
        ]);
        assert_eq!(d[0]["@timestamp"], "131486001742.943651");
    }
}
