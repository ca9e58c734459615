//! Elasticsearch's EQL spec suite, run through the library exactly as ES's harness runs it.
//!
//! Every spec of the current harness classes (434 executions) runs twice — with the
//! random string type as `keyword` and as `wildcard` — and, because ES's harness picks
//! `result_position` at random, with both `head` and `tail`: all must pass.
//! Skipped (with a message) when `shared/` is absent.

use serde_json::Value as Json;
use shrike_engine::{search, Plan, PlanOptions, Position, Results, SearchOptions};
use shrike_eql::lower::{lower, LowerOptions};
use shrike_ir::{Mapping, Schema};
use shrike_testkit::es_spec::{
    check, current_query, key_string, suites, Spec, Suite, CORRECTIONS, EXPECTED_RUNS,
};

fn run_spec(suite: &Suite, schema: &Schema, spec: &Spec, position: Position) -> Result<(), String> {
    let ast =
        shrike_eql::parse(&spec.query).map_err(|d| format!("parse error: {:?}", d[0].message))?;
    let ir = lower(&ast, schema, &LowerOptions::default())
        .map_err(|d| format!("lowering error: {}", d[0].message))?;
    let options = PlanOptions {
        timestamp_field: "@timestamp".into(),
        tiebreaker_field: suite.tiebreaker.map(str::to_string),
    };
    let plan = Plan::compile(&ir, schema, &options).map_err(|e| format!("plan error: {e}"))?;
    let mut events = Vec::new();
    for index in &suite.indices {
        let id = plan
            .index_id(&index.name)
            .ok_or("index missing from plan")?;
        for doc in &index.docs {
            let seq = events.len() as u64;
            events.push(plan.event_from_json(id, doc.clone(), seq));
        }
    }
    let opts = SearchOptions {
        size: spec.size,
        position,
        max_samples_per_key: spec.max_samples_per_key.unwrap_or(1),
        ..SearchOptions::default()
    };
    let out = search(&plan, &events, &opts);
    let id_of = |i: usize| -> i64 {
        events[i]
            .source()
            .get(suite.id_field)
            .and_then(Json::as_i64)
            .unwrap_or(i64::MIN)
    };
    let (ids, keys): (Vec<i64>, Vec<String>) = match &out.results {
        Results::Events(v) => (v.iter().map(|&i| id_of(i)).collect(), Vec::new()),
        Results::Sequences(s) | Results::Samples(s) => {
            let sample = matches!(out.results, Results::Samples(_));
            (
                s.iter()
                    .flat_map(|h| h.events.iter().map(|e| e.map_or(-1, id_of)))
                    .collect(),
                s.iter()
                    .flat_map(|h| h.join_keys.iter().map(|k| key_string(&k.to_json(sample))))
                    .collect(),
            )
        }
    };
    match check(spec, &ids, &keys) {
        None => Ok(()),
        Some(diff) => Err(diff),
    }
}

fn schema_of(suite: &Suite) -> Schema {
    let mut schema = Schema::new();
    for index in &suite.indices {
        let mut m = Mapping::from_json_str(&index.mapping).expect("suite mapping parses");
        for d in &index.docs {
            m.add_dynamic(d);
        }
        schema.add_index(&index.name, m);
    }
    schema
}

#[test]
fn es_eql_spec_suite() {
    let Some(dir) = shrike_testkit::shared_or_skip("conformance/es-eql", "es_eql_spec_suite")
    else {
        return;
    };
    let mut failures = Vec::new();
    for keyword_type in ["keyword", "wildcard"] {
        let suites = suites(&dir, keyword_type).expect("suite loads");
        let mut runs = 0;
        let mut passed = 0;
        for suite in &suites {
            let schema = schema_of(suite);
            for spec in &suite.specs {
                runs += 1;
                let mut ok = true;
                for position in [Position::Head, Position::Tail] {
                    let result = run_spec(suite, &schema, spec, position);
                    if let Err(e) = result {
                        failures.push(format!(
                            "[{keyword_type}/{position:?}] {}::{}: {e}\n    query: {}",
                            suite.name,
                            spec.name,
                            spec.query.replace('\n', " ")
                        ));
                        ok = false;
                    }
                }
                passed += usize::from(ok);
            }
        }
        eprintln!(
            "es-eql spec suite ({keyword_type}): {passed}/{runs} passed ({} expectation(s) corrected, see CORRECTIONS)",
            CORRECTIONS.len()
        );
        assert_eq!(runs, EXPECTED_RUNS, "the harness must execute every spec");
    }
    if !failures.is_empty() {
        panic!("{} spec failures:\n{}", failures.len(), failures.join("\n"));
    }
}

/// Each corrected expectation is pinned the other way too: the query as Elasticsearch's
/// current suite writes it gives the shared file's expectation.
#[test]
fn corrected_specs_match_the_current_suite() {
    let Some(dir) = shrike_testkit::shared_or_skip(
        "conformance/es-eql",
        "corrected_specs_match_the_current_suite",
    ) else {
        return;
    };
    let suites = suites(&dir, "keyword").expect("suite loads");
    for c in CORRECTIONS {
        let suite = suites.iter().find(|s| s.name == c.suite).expect("suite");
        let spec = suite.specs.iter().find(|s| s.name == c.name).expect("spec");
        let current = Spec {
            query: current_query(c, &spec.query),
            expected: vec![c.current_expected.to_vec()],
            ..spec.clone()
        };
        assert_ne!(current.query, spec.query, "{}: query unchanged", c.name);
        let schema = schema_of(suite);
        for position in [Position::Head, Position::Tail] {
            run_spec(suite, &schema, &current, position)
                .unwrap_or_else(|e| panic!("{}::{} ({position:?}): {e}", c.suite, c.name));
        }
    }
}

/// The streaming runner (what a hunt uses) finds the same samples as the batch search on
/// every sample spec: it keeps compact candidates instead of events, so this pins that
/// nothing a sample needs was left behind.
#[test]
fn streaming_samples_match_the_batch_search() {
    let Some(dir) = shrike_testkit::shared_or_skip(
        "conformance/es-eql",
        "streaming_samples_match_the_batch_search",
    ) else {
        return;
    };
    let mut compared = 0;
    for suite in suites(&dir, "keyword").expect("suite loads") {
        let schema = schema_of(&suite);
        for spec in &suite.specs {
            let Ok(ast) = shrike_eql::parse(&spec.query) else {
                continue;
            };
            let Ok(ir) = lower(&ast, &schema, &LowerOptions::default()) else {
                continue;
            };
            if !matches!(ir.body, shrike_ir::Body::Sample(_)) || !ir.pipes.is_empty() {
                continue;
            }
            let options = PlanOptions {
                timestamp_field: "@timestamp".into(),
                tiebreaker_field: suite.tiebreaker.map(str::to_string),
            };
            let plan = Plan::compile(&ir, &schema, &options).expect("compiles");
            let mut events = Vec::new();
            for index in &suite.indices {
                let id = plan.index_id(&index.name).expect("index");
                for doc in &index.docs {
                    let seq = events.len() as u64;
                    events.push(plan.event_from_json(id, doc.clone(), seq));
                }
            }
            let per_key = spec.max_samples_per_key.unwrap_or(1);
            let batch = search(
                &plan,
                &events,
                &SearchOptions {
                    size: usize::MAX,
                    position: Position::Head,
                    max_samples_per_key: per_key,
                    ..SearchOptions::default()
                },
            );
            let Results::Samples(batch) = batch.results else {
                panic!("{}: not samples", spec.name);
            };
            let program = plan.program();
            let mut runner =
                shrike_engine::SequenceRunner::new(program, 0, 1_000_000).expect("a sample rule");
            let mut out = Vec::new();
            for (i, ev) in events.iter().enumerate() {
                runner.push(program, ev, i, &mut out);
            }
            runner.finish(program, per_key, &mut out);
            let ids = |hits: &[shrike_engine::SequenceHit]| -> Vec<Vec<Option<usize>>> {
                hits.iter().map(|h| h.events.clone()).collect()
            };
            assert_eq!(ids(&out), ids(&batch), "{}::{}", suite.name, spec.name);
            compared += 1;
        }
    }
    assert!(compared >= 30, "only {compared} sample specs compared");
}
