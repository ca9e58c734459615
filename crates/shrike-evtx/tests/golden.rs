//! One record per mapped event id → its expected ECS document (`tests/data/golden/`).
//!
//! `cases.tsv` lists the cases. Each expected document was reviewed by hand against the
//! integrations' documented fields (see MAPPING.md); regenerate with `SHRIKE_BLESS=1` and
//! review the diff.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use serde_json::Value;
use shrike_evtx::{sorted, EvtxReader, Item, MapOptions, Mapper, ReadOptions};
use shrike_testkit::{check_golden, shared_dir};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden")
}

struct Case {
    name: String,
    input: String,
    record: Option<u64>,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(data_dir().join("cases.tsv")).expect("cases.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 3, "bad case line: {l}");
            Case {
                name: f[0].to_string(),
                input: f[1].to_string(),
                record: f[2].parse().ok(),
            }
        })
        .collect()
}

/// The document as a golden file, shaped like a search hit (`_index`, `_source`): keys
/// sorted, `log.file.path` made machine-independent.
fn render(mut doc: Value, index: Option<String>, input: &str) -> String {
    if let Some(p) = doc.pointer_mut("/log/file/path") {
        *p = Value::String(input.to_string());
    }
    let hit = serde_json::json!({"_index": index, "_source": sorted(&doc)});
    let mut s = serde_json::to_string_pretty(&hit).expect("serialises");
    s.push('\n');
    s
}

#[test]
fn golden_documents() {
    let shared = shared_dir();
    let reader = EvtxReader::with_builtin_mapping(ReadOptions::default());
    let mapper = Mapper::builtin();
    // Read each sample file once: record number → (document, index).
    let mut files: BTreeMap<String, BTreeMap<u64, (Value, Option<String>)>> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut skipped = 0;
    let mut checked = 0;
    for case in cases() {
        let (doc, index) = if let Some(rel) = case.input.strip_prefix("samples/") {
            let Some(shared) = &shared else {
                skipped += 1;
                continue;
            };
            let records = files.entry(rel.to_string()).or_insert_with(|| {
                let mut m = BTreeMap::new();
                let path = shared.join("samples/evtx").join(rel);
                reader
                    .read_file(&path, |item| {
                        if let Item::Event(e) = item {
                            let doc = e.doc.into_value().expect("a document");
                            m.insert(e.location.record_number, (doc, e.index));
                        }
                        ControlFlow::Continue(())
                    })
                    .unwrap_or_else(|e| panic!("{e}"));
                m
            });
            let Some(found) = case.record.and_then(|r| records.get(&r)) else {
                failures.push(format!(
                    "{}: no record {:?} in {rel}",
                    case.name, case.record
                ));
                continue;
            };
            found.clone()
        } else {
            let text = std::fs::read_to_string(data_dir().join(&case.input))
                .unwrap_or_else(|e| panic!("{}: {e}", case.input));
            let m = mapper
                .map_json(text.as_bytes(), Some(&case.input), &MapOptions::default())
                .expect("synthetic record is JSON");
            (m.doc, Some(m.index))
        };
        let out = render(doc, index, &case.input);
        let path = data_dir().join(format!("{}.json", case.name));
        if let Err(e) = check_golden(&path, &out) {
            failures.push(e);
        }
        checked += 1;
    }
    if skipped > 0 {
        eprintln!("SKIP {skipped} golden cases: shared/samples/evtx not found");
    }
    assert!(checked > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
