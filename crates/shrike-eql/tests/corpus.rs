//! Every EQL query of Elastic's detection-rules corpus and of Elasticsearch's EQL spec
//! suite that Elasticsearch accepts must parse, verify, and survive the print/parse round
//! trip. Both live in the `shared/` folder beside the repository; the tests skip with a
//! message when it is absent.

use shrike_eql::ast::Query;
use std::path::{Path, PathBuf};

/// The spec files whose active `[[queries]]` Elasticsearch accepts (the current suite plus
/// the historical files written in today's syntax). `test_queries_unsupported.toml` is an
/// old block-list in pre-release syntax, and `test_sampling.toml` uses the old `sampling`
/// keyword; neither is valid EQL today. `test_queries_supported.toml` mixes both and has a
/// test of its own.
const ACCEPTED_SPEC_FILES: &[&str] = &[
    "test_queries.toml",
    "additional_test_queries.toml",
    "test_queries_date.toml",
    "test_queries_date_nanos.toml",
    "test_extra.toml",
    "test_missing_events.toml",
    "test_sample.toml",
    "test_sample_multi.toml",
    "test_failing_shards.toml",
    "test_between_queries.toml",
];

/// Parses, then checks that printing and re-parsing gives the same tree.
fn check(origin: &str, query: &str) -> Result<(), String> {
    let parsed = shrike_eql::parse(query).map_err(|diags| {
        let rendered = shrike_diag::render_all(&diags, origin, query);
        format!("{origin}: rejected\n{rendered}")
    })?;
    round_trip(origin, &parsed)
}

fn round_trip(origin: &str, parsed: &Query) -> Result<(), String> {
    let printed = shrike_eql::print(parsed);
    let reparsed = shrike_eql::parse(&printed).map_err(|diags| {
        let rendered = shrike_diag::render_all(&diags, "printed", &printed);
        format!("{origin}: printed form does not parse:\n{printed}\n{rendered}")
    })?;
    if reparsed.without_spans() != parsed.without_spans() {
        return Err(format!(
            "{origin}: round trip changed the tree; printed:\n{printed}"
        ));
    }
    Ok(())
}

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    shrike_testkit::files_with_suffix(dir, ".toml")
}

#[test]
fn every_eql_rule_of_the_corpus_parses_and_round_trips() {
    let Some(dir) = shrike_testkit::shared_or_skip("corpus/detection-rules", "corpus") else {
        return;
    };
    let mut count = 0;
    let mut failures = Vec::new();
    for path in toml_files(&dir) {
        let text = std::fs::read_to_string(&path).expect("readable rule file");
        let doc: toml::Table = text.parse().expect("valid TOML rule file");
        let Some(rule) = doc.get("rule").and_then(|r| r.as_table()) else {
            continue;
        };
        if rule.get("language").and_then(|l| l.as_str()) != Some("eql") {
            continue;
        }
        let query = rule
            .get("query")
            .and_then(|q| q.as_str())
            .expect("EQL rule has a query");
        count += 1;
        let origin = path
            .strip_prefix(&dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        if let Err(e) = check(&origin, query) {
            failures.push(e);
        }
    }
    assert!(
        count > 1000,
        "expected the full corpus, found {count} EQL rules"
    );
    assert!(
        failures.is_empty(),
        "{} of {count} EQL rules failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("corpus: {count} EQL rules parse and round-trip");
}

/// The `[[queries]]` of a spec file. `test_extra.toml` writes `join_keys = [null]`, which
/// standard TOML rejects; the harness reads it as the string "null", and so do we.
fn spec_queries(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).expect("readable spec file");
    let fixed: String = text
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("join_keys") {
                quote_bare_nulls(l)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let doc: toml::Table = match fixed.parse() {
        Ok(doc) => doc,
        Err(e) => panic!("{}: {}", path.display(), e.message()),
    };
    let Some(queries) = doc.get("queries").and_then(|q| q.as_array()) else {
        return Vec::new();
    };
    queries
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let name = q
                .get("name")
                .and_then(|n| n.as_str())
                .map_or_else(|| format!("#{i}"), str::to_string);
            let query = q
                .get("query")
                .and_then(|q| q.as_str())
                .expect("spec has a query");
            (name, query.trim().to_string())
        })
        .collect()
}

/// `[null, "x"]` → `["null", "x"]`, leaving quoted `"null"` alone.
fn quote_bare_nulls(line: &str) -> String {
    let mut out = String::new();
    let mut in_string = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if c == '"' {
            in_string = !in_string;
        }
        if !in_string && rest.starts_with("null") {
            out.push_str("\"null\"");
            rest = &rest[4..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[test]
fn every_accepted_spec_query_parses_and_round_trips() {
    let Some(dir) = shrike_testkit::shared_or_skip("conformance/es-eql", "spec") else {
        return;
    };
    let mut count = 0;
    let mut failures = Vec::new();
    for file in ACCEPTED_SPEC_FILES {
        for (name, query) in spec_queries(&dir.join(file)) {
            count += 1;
            if let Err(e) = check(&format!("{file}:{name}"), &query) {
                failures.push(e);
            }
        }
    }
    assert!(
        count > 300,
        "expected the whole suite, found {count} queries"
    );
    assert!(
        failures.is_empty(),
        "{} of {count} spec queries failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("spec: {count} queries parse and round-trip");
}

/// `test_queries_supported.toml` is the pre-release ancestor of
/// `additional_test_queries.toml`: some of its queries use syntax Elasticsearch dropped
/// before release. Each must either parse or be rejected for exactly such a reason.
#[test]
fn historical_spec_queries_parse_or_use_dropped_syntax() {
    let Some(dir) = shrike_testkit::shared_or_skip("conformance/es-eql", "historical spec") else {
        return;
    };
    let dropped = [
        shrike_eql::codes::SINGLE_QUOTED_STRING,
        shrike_eql::codes::OLD_RAW_STRING,
        shrike_eql::codes::SINGLE_EQUALS,
        shrike_eql::codes::UNKNOWN_FUNCTION,
    ];
    let mut rejected = 0;
    let queries = spec_queries(&dir.join("test_queries_supported.toml"));
    for (name, query) in &queries {
        match shrike_eql::parse(query) {
            Ok(q) => round_trip(name, &q).unwrap_or_else(|e| panic!("{e}")),
            Err(diags) => {
                rejected += 1;
                for d in diags {
                    assert!(dropped.contains(&d.code), "{name}: unexpected {d}\n{query}");
                }
            }
        }
    }
    assert!(
        rejected > 0 && rejected < queries.len(),
        "{rejected} of {}",
        queries.len()
    );
}

/// The commented-out `#[[queries]]` of `test_queries.toml` are Elasticsearch's list of
/// EQL it does not support. Each must be rejected, except those whose rejection needs
/// field mappings (unknown fields are reported when the query is lowered) or that were
/// disabled for their results rather than their syntax.
#[test]
fn queries_elasticsearch_disabled_are_rejected() {
    let Some(dir) = shrike_testkit::shared_or_skip("conformance/es-eql", "disabled spec") else {
        return;
    };
    const NOT_A_SYNTAX_MATTER: &[&str] = &[
        // Unknown fields: need the mapping.
        "badFieldWithLength",
        "equalsNullHead",
        "fakeField",
        "fakeFieldWithHead1",
        "fakeFieldWithHead2",
        "invalidFieldName",
        "missingField1",
        // Disabled for their results (case and null semantics), not their syntax.
        "lengthCaseInsensitiveAndBetween",
        "nestedSetComparisons",
        "notExitCodeGtWithHead2",
        "notExitCodeGtWithHead3",
        "processWithStringComparisonCaseInsensitive1",
        "processWithStringComparisonCaseInsensitive2",
        "processWithStringComparisonCaseInsensitive3",
        "processWithStringComparisonCaseInsensitive4",
    ];
    let text = std::fs::read_to_string(dir.join("test_queries.toml")).expect("spec file");
    let mut checked = 0;
    let mut wrongly_accepted = Vec::new();
    for block in text.split("#[[queries]]").skip(1) {
        let body: String = block
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with('#') || l.trim().is_empty())
            .map(|l| l.strip_prefix('#').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let Ok(table) = body.parse::<toml::Table>() else {
            continue;
        };
        let Some(query) = table.get("query").and_then(|q| q.as_str()) else {
            continue;
        };
        let name = table.get("name").and_then(|n| n.as_str()).unwrap_or("?");
        checked += 1;
        if shrike_eql::parse(query.trim()).is_ok() && !NOT_A_SYNTAX_MATTER.contains(&name) {
            wrongly_accepted.push(format!("{name}: {query}"));
        }
    }
    assert!(checked > 100, "found only {checked} disabled queries");
    assert!(
        wrongly_accepted.is_empty(),
        "accepted queries Elasticsearch disabled:\n{}",
        wrongly_accepted.join("\n")
    );
}
