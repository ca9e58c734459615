//! KQL semantics per field type, pinned by self-describing cases.
//!
//! Each file of `tests/data/semantics/*.toml` holds a mapping (Elasticsearch mapping
//! JSON), documents (one per line: an id, a space, the JSON document) and cases:
//!
//! ```toml
//! [[case]]
//! name = "keyword term is case-sensitive"
//! fact = "the Elasticsearch / Kibana behaviour this case encodes, with its source"
//! query = 'process.name: cmd.exe'
//! matches = ["a"]          # ids of the documents the query must match, in any order
//! # error = "K0502"        # instead of `matches`: lowering must fail with this code
//! # warnings = ["K0501"]   # codes of the warnings lowering must give (default: none)
//! # mapping = '…' / docs = '…' override the file's for this case
//! ```
//!
//! Instead of `query` (KQL), a case may give `dsl` (one query-DSL query), `filters` (a
//! JSON array of Kibana filters) or `exceptions` (a JSON array of exception list items;
//! the case then lists the documents that are exceptions).
//!
//! Every case is also run negated (`not (query)`), which must match exactly the other
//! documents: Elasticsearch queries are two-valued.

use serde_json::Value as Json;
use shrike_diag::Diagnostic;
use shrike_engine::{search, Plan, PlanOptions, Results, SearchOptions};
use shrike_ir::{Body, Expr, Mapping, Query, Schema};
use shrike_kql::lower::{
    lower_dsl, lower_exceptions, lower_filters, parse_and_lower, LowerOptions, Lowered,
};
use std::collections::BTreeSet;
use std::path::Path;

/// `now` for date math in the cases: 2024-06-15T12:00:00Z.
const NOW: i64 = 1_718_452_800_000_000_000;

struct Case {
    file: String,
    name: String,
    query: String,
    /// `query`, `dsl`, `filters` or `exceptions`.
    kind: &'static str,
    mapping: String,
    docs: String,
    matches: Option<Vec<String>>,
    error: Option<String>,
    warnings: Vec<String>,
}

fn str_of(t: &toml::Table, key: &str) -> Option<String> {
    t.get(key).and_then(|v| v.as_str()).map(str::to_string)
}

fn list_of(t: &toml::Table, key: &str) -> Option<Vec<String>> {
    t.get(key).and_then(|v| v.as_array()).map(|a| {
        a.iter()
            .map(|x| x.as_str().expect("a list of strings").to_string())
            .collect()
    })
}

fn load(dir: &Path) -> Vec<Case> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the semantics folder")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable");
        let file = path
            .file_name()
            .expect("a file name")
            .to_string_lossy()
            .to_string();
        let doc: toml::Table = text
            .parse()
            .unwrap_or_else(|e| panic!("{file}: not TOML: {e}"));
        let mapping = str_of(&doc, "mapping").unwrap_or_else(|| r#"{"properties":{}}"#.into());
        let docs = str_of(&doc, "docs").unwrap_or_default();
        let cases = doc
            .get("case")
            .and_then(|c| c.as_array())
            .unwrap_or_else(|| panic!("{file}: no [[case]]"));
        for c in cases {
            let c = c.as_table().expect("a case table");
            let name = str_of(c, "name").unwrap_or_else(|| panic!("{file}: case without name"));
            assert!(
                str_of(c, "fact").is_some_and(|f| f.len() > 10),
                "{file}: case `{name}` must say which fact it encodes (`fact = …`)"
            );
            let matches = list_of(c, "matches");
            let error = str_of(c, "error");
            assert!(
                matches.is_some() != error.is_some(),
                "{file}: case `{name}` needs exactly one of `matches` and `error`"
            );
            let (kind, query) = ["query", "dsl", "filters", "exceptions"]
                .iter()
                .find_map(|k| str_of(c, k).map(|q| (*k, q)))
                .unwrap_or_else(|| panic!("{file}: `{name}` has no query"));
            out.push(Case {
                file: file.clone(),
                kind,
                query,
                mapping: str_of(c, "mapping").unwrap_or_else(|| mapping.clone()),
                docs: str_of(c, "docs").unwrap_or_else(|| docs.clone()),
                matches,
                error,
                warnings: list_of(c, "warnings").unwrap_or_default(),
                name,
            });
        }
    }
    out
}

fn lower_case(case: &Case, schema: &Schema) -> Result<Lowered, Vec<Diagnostic>> {
    let options = LowerOptions { now: NOW };
    let json = || -> Json { serde_json::from_str(&case.query).expect("the case's JSON") };
    match case.kind {
        "query" => parse_and_lower(&case.query, schema, &options),
        "dsl" => lower_dsl(&json(), schema, &options),
        "filters" => lower_filters(json().as_array().expect("an array"), schema, &options),
        _ => lower_exceptions(json().as_array().expect("an array"), schema, &options),
    }
}

fn run_expr(
    schema: &Schema,
    expr: Expr,
    docs: &[(String, Json)],
) -> Result<BTreeSet<String>, String> {
    let query = Query {
        body: Body::Event(expr),
        pipes: Vec::new(),
    };
    let plan =
        Plan::compile(&query, schema, &PlanOptions::default()).map_err(|e| format!("plan: {e}"))?;
    let events: Vec<_> = docs
        .iter()
        .enumerate()
        .map(|(i, (_, d))| plan.event_from_json(0, d.clone(), i as u64))
        .collect();
    let opts = SearchOptions {
        size: usize::MAX,
        ..SearchOptions::default()
    };
    let Results::Events(hits) = search(&plan, &events, &opts).results else {
        return Err("not an event query".into());
    };
    Ok(hits.iter().map(|&i| docs[i].0.clone()).collect())
}

fn check(case: &Case) -> Result<(), String> {
    let mapping = Mapping::from_json_str(&case.mapping).map_err(|e| format!("mapping: {e}"))?;
    let schema = Schema::single("test", mapping);
    let mut docs = Vec::new();
    for (n, line) in case.docs.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (id, json) = line
            .split_once(' ')
            .ok_or_else(|| format!("docs line {}: `ID JSON` expected", n + 1))?;
        let mut doc: Json =
            serde_json::from_str(json).map_err(|e| format!("docs line {}: {e}", n + 1))?;
        if let Some(obj) = doc.as_object_mut() {
            obj.entry("@timestamp")
                .or_insert_with(|| Json::from(format!("2024-06-01T00:00:{:02}Z", n % 60)));
        }
        docs.push((id.to_string(), doc));
    }
    let lowered = lower_case(case, &schema);
    let expr = lowered.as_ref().map(|l| l.expr.clone()).ok();
    match (&case.error, lowered) {
        (Some(code), Err(diags)) => {
            return if diags.iter().any(|d| d.code == code) {
                Ok(())
            } else {
                Err(format!(
                    "expected error {code}, got {:?}",
                    diags.iter().map(|d| d.code).collect::<Vec<_>>()
                ))
            };
        }
        (Some(code), Ok(_)) => return Err(format!("expected error {code}, but it lowered")),
        (None, Err(d)) => {
            return Err(format!(
                "lowering failed: {}",
                d.iter()
                    .map(|x| format!("{} {}", x.code, x.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
        }
        (None, Ok(l)) => {
            let got: Vec<&str> = l.warnings.iter().map(|w| w.code).collect();
            if got != case.warnings {
                return Err(format!(
                    "warnings: expected {:?}, got {:?} ({})",
                    case.warnings,
                    got,
                    l.warnings
                        .iter()
                        .map(|w| w.message.clone())
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
        }
    }
    let expected: BTreeSet<String> = case
        .matches
        .clone()
        .unwrap_or_default()
        .into_iter()
        .collect();
    let expr = expr.expect("lowered");
    let got = run_expr(&schema, expr.clone(), &docs)?;
    if got != expected {
        return Err(format!("expected {expected:?}, matched {got:?}"));
    }
    // Two-valued: the negation matches exactly the other documents.
    let negated = run_expr(&schema, Expr::negate(expr), &docs)?;
    let rest: BTreeSet<String> = docs
        .iter()
        .map(|(id, _)| id.clone())
        .filter(|id| !expected.contains(id))
        .collect();
    if negated != rest {
        return Err(format!("negated: expected {rest:?}, matched {negated:?}"));
    }
    Ok(())
}

#[test]
fn kql_semantics_per_field_type() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/semantics");
    let cases = load(&dir);
    let mut failures = Vec::new();
    let mut names = BTreeSet::new();
    for case in &cases {
        assert!(
            names.insert((case.file.clone(), case.name.clone())),
            "{}: duplicate case name `{}`",
            case.file,
            case.name
        );
        if let Err(e) = check(case) {
            failures.push(format!(
                "{} / {}: `{}`\n    {e}",
                case.file, case.name, case.query
            ));
        }
    }
    eprintln!("{} KQL semantic cases", cases.len());
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(cases.len() >= 60, "the suite should pin at least 60 cases");
}
