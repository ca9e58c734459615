//! Every `language = "kuery"` query of Elastic's detection rules (active, deprecated and
//! building-block rules) parses, and prints back to text that parses to the same tree.
//!
//! The rules are read from `shared/corpus/detection-rules` beside the repository; the test
//! skips with a message when that folder is absent.

use shrike_testkit::{files_with_suffix, shared_or_skip};

#[test]
fn every_kuery_rule_parses_and_round_trips() {
    let Some(dir) = shared_or_skip(
        "corpus/detection-rules",
        "every_kuery_rule_parses_and_round_trips",
    ) else {
        return;
    };
    let (mut kuery, mut lucene, mut round_trips) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for path in files_with_suffix(&dir, ".toml") {
        let text = std::fs::read_to_string(&path).expect("rule file is UTF-8");
        let doc: toml::Table = match text.parse() {
            Ok(t) => t,
            Err(e) => panic!("{}: not TOML: {e}", path.display()),
        };
        let Some(rule) = doc.get("rule").and_then(|r| r.as_table()) else {
            continue;
        };
        let language = rule.get("language").and_then(|l| l.as_str());
        if language == Some("lucene") {
            // Lucene query syntax is not KQL; counted so a change in the corpus is noticed.
            lucene += 1;
            continue;
        }
        if language != Some("kuery") {
            continue;
        }
        kuery += 1;
        let query = rule.get("query").and_then(|q| q.as_str()).unwrap_or("");
        let name = path
            .strip_prefix(&dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        let parsed = match shrike_kql::parse(query) {
            Ok(q) => q,
            Err(diags) => {
                failures.push(shrike_diag::render_all(&diags, &name, query));
                continue;
            }
        };
        let printed = shrike_kql::print(&parsed);
        match shrike_kql::parse(&printed) {
            Ok(again) if again.without_spans() == parsed.without_spans() => round_trips += 1,
            Ok(_) => failures.push(format!(
                "{name}: printed form parses differently:\n{printed}"
            )),
            Err(d) => failures.push(format!(
                "{name}: printed form does not parse:\n{printed}\n{}",
                shrike_diag::render_all(&d, "printed", &printed)
            )),
        }
    }
    eprintln!(
        "kuery rules: {kuery} parsed and printed, {round_trips} round trips; \
         lucene rules skipped: {lucene}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        kuery > 700,
        "expected the full corpus, found {kuery} kuery rules"
    );
    assert_eq!(round_trips, kuery);
}

/// Every kuery query of the corpus (and every `threat_query`) lowers against the hunt
/// schema (the built-in ECS types, other fields typed as Elastic's `logs-*` dynamic
/// templates type them) without errors.
#[test]
fn every_kuery_rule_lowers_against_ecs() {
    let Some(dir) = shared_or_skip(
        "corpus/detection-rules",
        "every_kuery_rule_lowers_against_ecs",
    ) else {
        return;
    };
    let schema = shrike_ir::Schema::single("logs", shrike_ir::Mapping::ecs());
    let options = shrike_kql::lower::LowerOptions::default();
    let (mut lowered, mut with_warnings, mut filters_lowered) = (0usize, 0usize, 0usize);
    let mut codes = std::collections::BTreeMap::<&str, usize>::new();
    let mut failures = Vec::new();
    for path in files_with_suffix(&dir, ".toml") {
        let text = std::fs::read_to_string(&path).expect("rule file is UTF-8");
        let doc: toml::Table = text.parse().expect("TOML");
        let Some(rule) = doc.get("rule").and_then(|r| r.as_table()) else {
            continue;
        };
        let mut queries = Vec::new();
        if rule.get("language").and_then(|l| l.as_str()) == Some("kuery") {
            queries.push(rule.get("query").and_then(|q| q.as_str()).unwrap_or(""));
        }
        if rule.get("threat_language").and_then(|l| l.as_str()) == Some("kuery") {
            queries.push(
                rule.get("threat_query")
                    .and_then(|q| q.as_str())
                    .unwrap_or(""),
            );
        }
        // Kibana filters (query DSL) are lowered too.
        if let Some(filters) = rule.get("filters") {
            let json: serde_json::Value =
                serde_json::to_value(filters).expect("TOML converts to JSON");
            let list = json.as_array().cloned().unwrap_or_default();
            match shrike_kql::lower::lower_filters(&list, &schema, &options) {
                Ok(_) => filters_lowered += 1,
                Err(diags) => failures.push(format!(
                    "{}: filters: {}",
                    path.display(),
                    diags
                        .iter()
                        .map(|d| d.message.clone())
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
            }
        }
        for query in queries {
            match shrike_kql::lower::parse_and_lower(query, &schema, &options) {
                Ok(l) => {
                    lowered += 1;
                    with_warnings += usize::from(!l.warnings.is_empty());
                    for w in &l.warnings {
                        *codes.entry(w.code).or_default() += 1;
                        if std::env::var_os("SHRIKE_SHOW_WARNINGS").is_some() {
                            eprintln!("{}: {}", path.display(), w.message);
                        }
                    }
                }
                Err(diags) => failures.push(format!(
                    "{}:\n{}",
                    path.display(),
                    shrike_diag::render_all(&diags, "query", query)
                )),
            }
        }
    }
    eprintln!(
        "kuery queries lowered against ECS: {lowered} ({with_warnings} with warnings: {codes:?}); \
         rules with filters lowered: {filters_lowered}"
    );
    assert!(filters_lowered >= 20);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(lowered > 700);
}
