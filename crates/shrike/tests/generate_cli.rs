//! `shrike generate` end to end: determinism through the binary, the truth file, flag errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn shrike(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_shrike"))
        .args(args)
        .output()
        .expect("run shrike")
}

#[test]
fn same_flags_same_bytes_and_truth_points_into_the_output() {
    let dir = std::env::temp_dir().join(format!("shrike-gen-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let truth = dir.join("truth.ndjson");
    let truth_arg = truth.to_str().unwrap();
    let a = shrike(&[
        "generate",
        "--events",
        "3000",
        "--seed",
        "9",
        "--attacks",
        "6",
        "--truth",
        truth_arg,
        "--threads",
        "1",
    ]);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let b = shrike(&[
        "generate",
        "--events",
        "3000",
        "--seed",
        "9",
        "--attacks",
        "6",
        "--threads",
        "2",
        "-q",
    ]);
    assert!(b.status.success());
    assert_eq!(a.stdout, b.stdout, "output depends only on the flags");
    assert!(b.stderr.is_empty(), "--quiet prints nothing");
    let out = String::from_utf8(a.stdout).unwrap();
    assert_eq!(out.lines().count(), 3000);
    let summary = String::from_utf8_lossy(&a.stderr);
    assert!(summary.contains("planted 6 attacks"), "{summary}");
    let truth = std::fs::read_to_string(&truth).unwrap();
    assert_eq!(truth.lines().count(), 6);
    for line in truth.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for id in v["event_ids"].as_array().unwrap() {
            let needle = format!("\"id\":{id}");
            assert!(
                out.contains(&needle),
                "planted event {id} not in the output"
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn size_and_wrap() {
    let out = shrike(&["generate", "--size", "200K", "--wrap", "es", "-q"]);
    assert!(out.status.success());
    assert!(
        out.stdout.len() >= 200_000 && out.stdout.len() < 220_000,
        "{}",
        out.stdout.len()
    );
    let first = out.stdout.split(|&b| b == b'\n').next().unwrap();
    let v: serde_json::Value = serde_json::from_slice(first).unwrap();
    assert!(v["_index"].as_str().unwrap().starts_with(".ds-logs-"));
    assert!(v["_source"]["@timestamp"].is_string());
}

#[test]
fn bad_flags_exit_2_with_the_reason() {
    for (args, want) in [
        (&["generate", "--disorder", "3"][..], "--disorder"),
        (&["generate", "--attacks", "lots"][..], "--attacks"),
        (
            &["generate", "--attack-kind", "nope", "--attacks", "1"][..],
            "unknown attack kind",
        ),
        (
            &["generate", "--events", "10", "--size", "1M"][..],
            "cannot be used with",
        ),
        (&["generate", "--start", "yesterday"][..], "bad time"),
    ] {
        let out = shrike(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

#[test]
fn help_lists_every_attack_kind() {
    let out = shrike(&["generate", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for a in shrike_gen::ATTACKS {
        assert!(help.contains(a.name), "--help does not document {}", a.name);
        for (rule, file) in a.rules {
            assert!(
                help.contains(rule) && help.contains(file),
                "--help misses {rule} ({file})"
            );
        }
    }
}
