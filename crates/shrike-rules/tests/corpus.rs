//! The whole detection-rules corpus through `check`: no rule file is an error, every EQL
//! and KQL rule is ok (KQL also lowered with the hunt schema), and every query's offsets map exactly into its file. Skips when the
//! `shared/` folder is absent.

use shrike_rules::check::{check_file_with, CheckOptions, Status};
use shrike_rules::discover::{rule_files, Found};
use shrike_rules::toml_string::StringMap;

#[test]
fn every_corpus_rule_file_checks_without_errors() {
    let Some(dir) = shrike_testkit::shared_or_skip("corpus/detection-rules", "rules corpus") else {
        return;
    };
    let mut eql_ok = 0;
    let mut kql_ok = 0;
    let mut files = 0;
    let mut problems = Vec::new();
    let mut warnings = std::collections::BTreeMap::new();
    // KQL is lowered with the hunt schema's types, as `shrike check` does.
    let schema = shrike_ir::Schema::single("logs", shrike_ir::Mapping::ecs());
    let options = CheckOptions {
        schema: Some(&schema),
    };
    for found in rule_files(&[dir]) {
        let Found::File(path) = found else {
            problems.push(format!("{found:?}"));
            continue;
        };
        files += 1;
        let check = check_file_with(&path, &options);
        match check.status {
            Status::Error => problems.push(check.render()),
            Status::Ok if check.language.as_deref() == Some("eql") => eql_ok += 1,
            Status::Ok if check.language.as_deref() == Some("kuery") => kql_ok += 1,
            Status::Ok => problems.push(format!("{}: ok but neither EQL nor KQL", path.display())),
            Status::Unsupported => {}
        }
        for w in check.warnings() {
            *warnings.entry(w.code).or_insert(0usize) += 1;
        }
        // Offsets into every query map exactly back into the file.
        if let Some(query) = check
            .file
            .rule
            .as_ref()
            .and_then(|r| r.value.query.as_ref())
        {
            let map = StringMap::new(&check.text, query.span.start..query.span.end, &query.value);
            if !map.is_exact() {
                problems.push(format!("{}: query offsets not exact", path.display()));
            }
        }
    }
    // Warnings are where the corpus legitimately deviates from the strictest reading.
    eprintln!("warnings by code: {warnings:?}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(files > 2000, "found only {files} rule files");
    assert_eq!(eql_ok, 1081, "EQL rules checked ok");
    assert_eq!(kql_ok, 792, "KQL rules checked ok");
}
