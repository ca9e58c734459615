//! `shrike convert` end to end: documents out, damage reported, exit codes.

use std::process::{Command, Output};

use shrike_testkit::shared_or_skip;

fn shrike(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shrike"))
        .args(args)
        .output()
        .expect("runs shrike")
}

fn lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

#[test]
fn converts_a_log_to_ecs_ndjson() {
    let Some(f) = shared_or_skip(
        "samples/evtx/attack-samples/Lateral Movement/LM_ScheduledTask_ATSVC_target_host.evtx",
        "converts_a_log_to_ecs_ndjson",
    ) else {
        return;
    };
    let out = shrike(&["convert", &f.to_string_lossy()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs = lines(&out);
    assert_eq!(docs.len(), 34);
    let task = docs
        .iter()
        .find(|d| d["winlog"]["record_id"] == "566836")
        .expect("the 4698 of the manifest");
    assert_eq!(task["event"]["action"], "scheduled-task-created");
    assert_eq!(task["data_stream"]["dataset"], "system.security");
    assert_eq!(task["@timestamp"], "2019-03-19T00:02:04.3199452Z");

    let bulk = shrike(&["convert", "--bulk", &f.to_string_lossy()]);
    let bulk = lines(&bulk);
    assert_eq!(bulk.len(), 68);
    assert_eq!(
        bulk[0],
        serde_json::json!({"create": {"_index": "logs-system.security-default"}})
    );

    let raw = lines(&shrike(&["convert", "--raw", &f.to_string_lossy()]));
    assert!(raw[0]["Event"]["System"].is_object());
}

#[test]
fn damaged_input_is_reported_and_the_rest_converted() {
    let Some(f) = shared_or_skip(
        "samples/evtx/parser-samples/sysmon.evtx",
        "damaged_input_is_reported_and_the_rest_converted",
    ) else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("shrike-convert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let target = dir.join("out.ndjson");
    let out = shrike(&[
        "convert",
        "--output",
        &target.to_string_lossy(),
        &f.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("chunk 9: damaged chunk skipped"),
        "{stderr}"
    );
    assert!(stderr.contains("8 damaged chunks skipped"), "{stderr}");
    let written = std::fs::read_to_string(&target).expect("output file");
    assert_eq!(written.lines().count(), 358);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_that_is_not_evtx_is_an_input_error() {
    let out = shrike(&["convert", env!("CARGO_MANIFEST_DIR")]);
    // A directory without EVTX files: nothing to do, not an error.
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = format!("{}/Cargo.toml", env!("CARGO_MANIFEST_DIR"));
    let out = shrike(&["convert", &manifest]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an EVTX file"));
    assert!(out.stdout.is_empty());
    let out = shrike(&["convert"]);
    assert_eq!(out.status.code(), Some(2), "no input is a usage error");
}
