//! Elasticsearch's EQL spec suite driven through the `shrike query` binary, the way an
//! external harness would use it: data files as `INDEX=FILE`, mappings as
//! `--mapping INDEX=FILE`, the request parameters as flags, `--format es` parsed back.
//! Both string-type variants run. Skipped (with a message) when `shared/` is absent.

use serde_json::Value as Json;
use shrike_testkit::es_spec::{check, key_string, suites, Spec, Suite, CORRECTIONS, EXPECTED_RUNS};
use std::path::{Path, PathBuf};
use std::process::Command;

fn write_suite(dir: &Path, suite: &Suite) -> Vec<(String, PathBuf, PathBuf)> {
    let mut files = Vec::new();
    for index in &suite.indices {
        let data = dir.join(format!("{}.ndjson", index.name));
        let lines: Vec<String> = index.docs.iter().map(Json::to_string).collect();
        std::fs::write(&data, lines.join("\n") + "\n").expect("write data");
        let mapping = dir.join(format!("{}.mapping.json", index.name));
        std::fs::write(&mapping, &index.mapping).expect("write mapping");
        files.push((index.name.clone(), data, mapping));
    }
    files
}

fn run_spec(
    suite: &Suite,
    files: &[(String, PathBuf, PathBuf)],
    spec: &Spec,
) -> Result<(), String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shrike"));
    cmd.arg("query")
        .arg("--format")
        .arg("es")
        .arg("--size")
        .arg(spec.size.to_string());
    if let Some(m) = spec.max_samples_per_key {
        cmd.arg("--max-samples-per-key").arg(m.to_string());
    }
    if let Some(t) = suite.tiebreaker {
        cmd.arg("--tiebreaker").arg(t);
    }
    for (name, _, mapping) in files {
        cmd.arg("--mapping")
            .arg(format!("{name}={}", mapping.display()));
    }
    cmd.arg(&spec.query);
    for (name, data, _) in files {
        cmd.arg(format!("{name}={}", data.display()));
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run shrike: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let resp: Json =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("bad JSON output: {e}"))?;
    let id_of = |hit: &Json| -> i64 {
        match hit.get("_source") {
            Some(src) => src
                .get(suite.id_field)
                .and_then(Json::as_i64)
                .unwrap_or(i64::MIN),
            None => -1,
        }
    };
    let hits = &resp["hits"];
    let (ids, keys): (Vec<i64>, Vec<String>) = if let Some(events) = hits["events"].as_array() {
        (events.iter().map(id_of).collect(), Vec::new())
    } else if let Some(seqs) = hits["sequences"].as_array() {
        (
            seqs.iter()
                .flat_map(|s| s["events"].as_array().into_iter().flatten().map(id_of))
                .collect(),
            seqs.iter()
                .flat_map(|s| {
                    s["join_keys"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(key_string)
                })
                .collect(),
        )
    } else {
        return Err("No events or sequences found".to_string());
    };
    match check(spec, &ids, &keys) {
        None => Ok(()),
        Some(d) => Err(d),
    }
}

#[test]
fn es_eql_spec_suite_through_the_cli() {
    let Some(dir) =
        shrike_testkit::shared_or_skip("conformance/es-eql", "es_eql_spec_suite_through_the_cli")
    else {
        return;
    };
    let tmp = std::env::temp_dir().join(format!("shrike-es-spec-cli-{}", std::process::id()));
    let mut failures = Vec::new();
    for keyword_type in ["keyword", "wildcard"] {
        let mut runs = 0;
        let mut passed = 0;
        for suite in suites(&dir, keyword_type).expect("suite loads") {
            let sdir = tmp.join(keyword_type).join(suite.name);
            std::fs::create_dir_all(&sdir).expect("temp dir");
            let files = write_suite(&sdir, &suite);
            for spec in &suite.specs {
                runs += 1;
                match run_spec(&suite, &files, spec) {
                    Ok(()) => passed += 1,
                    Err(e) => failures.push(format!(
                        "[{keyword_type}] {}::{}: {e}\n    query: {}",
                        suite.name,
                        spec.name,
                        spec.query.replace('\n', " ")
                    )),
                }
            }
        }
        eprintln!(
            "es-eql spec suite via `shrike query` ({keyword_type}): {passed}/{runs} passed ({} expectation(s) corrected, see CORRECTIONS)",
            CORRECTIONS.len()
        );
        assert_eq!(runs, EXPECTED_RUNS, "the harness must execute every spec");
    }
    let _ = std::fs::remove_dir_all(&tmp);
    if !failures.is_empty() {
        panic!("{} spec failures:\n{}", failures.len(), failures.join("\n"));
    }
}
