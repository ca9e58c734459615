//! Every EVTX sample in `shared/samples/evtx` is read without a crash; the per-file record
//! and damage counts, and the damage reports themselves, are pinned in golden files.

use std::ops::ControlFlow;
use std::path::Path;

use shrike_evtx::{DamageKind, Doc, EvtxReader, Item, OutputKind, ReadOptions};
use shrike_testkit::{check_golden, files_with_suffix, shared_or_skip};

fn golden(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

#[test]
fn every_sample_reads_with_pinned_counts() {
    let Some(dir) = shared_or_skip("samples/evtx", "every_sample_reads_with_pinned_counts") else {
        return;
    };
    let reader = EvtxReader::with_builtin_mapping(ReadOptions::default());
    let mut counts = String::from("# file\trecords\tdamaged chunks\tdamaged records\n");
    let mut damage = String::new();
    let mut problems = Vec::new();
    let files = files_with_suffix(&dir, ".evtx");
    assert!(
        files.len() >= 130,
        "expected the 130 sample files, found {}",
        files.len()
    );
    for file in files {
        let rel = file
            .strip_prefix(&dir)
            .expect("under the samples dir")
            .to_string_lossy()
            .replace('\\', "/");
        let mut unmapped = 0;
        let result = reader.read_file(&file, |item| {
            match item {
                Item::Event(e) => {
                    let has_stream = match &e.doc {
                        Doc::Value(d) => d.get("data_stream").is_some(),
                        Doc::Json(_) => false,
                    };
                    if !has_stream || e.index.is_none() {
                        unmapped += 1;
                    }
                }
                Item::Damage(dmg) => {
                    if dmg.kind == DamageKind::Panic {
                        problems.push(format!("{rel}: panic: {}", dmg.message));
                    }
                    let mut line = format!("{rel}:");
                    if let Some(c) = dmg.chunk {
                        line.push_str(&format!(" chunk {c}"));
                    }
                    if let Some(r) = dmg.record_number {
                        line.push_str(&format!(" record {r}"));
                    }
                    if let Some(o) = dmg.offset {
                        line.push_str(&format!(" offset {o:#x}"));
                    }
                    line.push_str(&format!(": {}\n", dmg.message));
                    damage.push_str(&line);
                }
            }
            ControlFlow::Continue(())
        });
        match result {
            Ok(s) => {
                counts.push_str(&format!(
                    "{rel}\t{}\t{}\t{}\n",
                    s.records, s.damaged_chunks, s.damaged_records
                ));
                if unmapped > 0 {
                    problems.push(format!("{rel}: {unmapped} documents without a data stream"));
                }
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    if let Err(e) = check_golden(&golden("sample_counts.tsv"), &counts) {
        problems.push(e);
    }
    if let Err(e) = check_golden(&golden("sample_damage.txt"), &damage) {
        problems.push(e);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// One thread or many, the same documents come out in the same order.
#[test]
fn threads_do_not_change_output() {
    let Some(dir) = shared_or_skip(
        "samples/evtx/parser-samples",
        "threads_do_not_change_output",
    ) else {
        return;
    };
    for name in ["sysmon.evtx", "sample_with_a_bad_chunk_magic.evtx"] {
        let file = dir.join(name);
        let run = |threads| {
            let reader = EvtxReader::with_builtin_mapping(ReadOptions {
                threads,
                output: OutputKind::EcsJson,
                ..ReadOptions::default()
            });
            let mut out = Vec::new();
            reader
                .read_file(&file, |item| {
                    out.push(format!("{item:?}"));
                    ControlFlow::Continue(())
                })
                .expect("reads");
            out
        };
        let one = run(1);
        assert!(one.len() > 100, "{name}: {} items", one.len());
        assert_eq!(one, run(4), "{name}: 1 vs 4 threads");
    }
}

/// Flipping bytes all over a real log must never panic or hang; whatever is still
/// readable comes out.
#[test]
fn corrupted_files_never_panic() {
    let Some(src) = shared_or_skip(
        "samples/evtx/parser-samples/security.evtx",
        "corrupted_files_never_panic",
    ) else {
        return;
    };
    let original = std::fs::read(&src).expect("read sample");
    let dir = std::env::temp_dir().join(format!("shrike-evtx-corrupt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let reader = EvtxReader::with_builtin_mapping(ReadOptions::default());
    // A fixed pseudo-random sequence, so a failure reproduces.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..12 {
        let mut bytes = original.clone();
        // Keep the file header intact half of the time so chunks are reached.
        let from = if round % 2 == 0 { 4096 } else { 0 };
        for _ in 0..(50 + round * 40) {
            let i = from + (next() as usize) % (bytes.len() - from);
            bytes[i] = next() as u8;
        }
        if round == 11 {
            bytes.truncate(4096 + 65536 + 1000); // a chunk cut short
        }
        let p = dir.join(format!("corrupt{round}.evtx"));
        std::fs::write(&p, &bytes).expect("write");
        let mut panics = 0;
        let _ = reader.read_file(&p, |item| {
            if let Item::Damage(d) = &item {
                if d.kind == DamageKind::Panic {
                    panics += 1;
                }
            }
            ControlFlow::Continue(())
        });
        assert_eq!(panics, 0, "round {round}: the parser panicked");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The JSON text written on the worker threads (escaped strings copied through) says the
/// same as the `serde_json::Value` documents.
#[test]
fn json_text_and_value_outputs_agree() {
    let Some(dir) = shared_or_skip("samples/evtx", "json_text_and_value_outputs_agree") else {
        return;
    };
    let files = [
        "parser-samples/security.evtx",
        "parser-samples/sysmon.evtx",
        "parser-samples/sample-with-irregular-bool-values.evtx",
        "attack-samples/Credential Access/Powershell_4104_MiniDumpWriteDump_Lsass.evtx",
        "attack-samples/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx",
    ];
    for name in files {
        let file = dir.join(name);
        let read = |output| {
            let reader = EvtxReader::with_builtin_mapping(ReadOptions {
                output,
                ..ReadOptions::default()
            });
            let mut docs = Vec::new();
            reader
                .read_file(&file, |item| {
                    if let Item::Event(e) = item {
                        docs.push(e.doc);
                    }
                    ControlFlow::Continue(())
                })
                .expect("reads");
            docs
        };
        let values = read(OutputKind::Ecs);
        let texts = read(OutputKind::EcsJson);
        assert_eq!(values.len(), texts.len(), "{name}");
        assert!(!values.is_empty(), "{name}");
        for (v, t) in values.into_iter().zip(texts) {
            let Doc::Json(text) = t else {
                panic!("{name}: EcsJson gives text")
            };
            let parsed: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{name}: invalid JSON ({e}): {text}"));
            assert_eq!(Doc::Value(parsed), v, "{name}");
        }
    }
}
