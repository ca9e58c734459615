//! End-to-end tests of the `shrike` binary: output goldens under `tests/data/golden/`
//! (regenerate with `SHRIKE_BLESS=1`), exit codes, and the whole rule corpus when the
//! `shared/` folder is present.

use std::path::Path;
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `shrike args…` from the repository root, so paths in the output are relative.
fn shrike(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_shrike"))
        .args(args)
        .current_dir(shrike_testkit::repo_root())
        .output()
        .expect("run shrike");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The one helper of this suite: runs `args`, checks the exit code, and compares stdout
/// and stderr with `tests/data/golden/<name>.out`.
fn check(name: &str, args: &[&str], code: i32) {
    let run = shrike(args);
    let mut actual = format!("$ shrike {}\n", args.join(" "));
    actual.push_str(&run.stdout);
    if !run.stderr.is_empty() {
        actual.push_str("-- stderr --\n");
        actual.push_str(&run.stderr);
    }
    actual.push_str(&format!("-- exit {} --\n", run.code));
    let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/golden")
        .join(format!("{name}.out"));
    if let Err(e) = shrike_testkit::check_golden(&golden, &actual) {
        panic!("{e}");
    }
    assert_eq!(run.code, code, "{actual}");
}

const FIXTURES: &str = "crates/shrike/tests/data/rules";

#[test]
fn check_the_demo_rules() {
    check("check_demo", &["check", "demo/rules"], 0);
}

#[test]
fn check_broken_rules_as_text() {
    check("check_fixtures_text", &["check", FIXTURES], 1);
}

#[test]
fn check_broken_rules_as_ndjson() {
    check(
        "check_fixtures_ndjson",
        &["check", "--format", "ndjson", FIXTURES, "no/such/dir"],
        1,
    );
}

#[test]
fn debug_ast_prints_the_tree() {
    check(
        "debug_ast",
        &[
            "debug",
            "ast",
            "sequence by host.id with maxspan=5m [process where process.name : (\"a\", \"b\")] ![file where true]",
        ],
        0,
    );
}

#[test]
fn debug_ast_reports_errors() {
    check(
        "debug_ast_error",
        &[
            "debug",
            "ast",
            "process where process.name = 'cmd.exe' | count",
        ],
        1,
    );
}

#[test]
fn debug_ast_kql() {
    check(
        "debug_ast_kql",
        &[
            "debug",
            "ast",
            "--kql",
            "event.category: process and not process.name: (\"cmd.exe\" or pwsh*) and a: { b > 5 }",
        ],
        0,
    );
    check(
        "debug_ast_kql_error",
        &["debug", "ast", "--kql", "message: cannot be"],
        1,
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(shrike(&["check"]).code, 2);
    assert_eq!(shrike(&["check", "--format", "xml", "demo/rules"]).code, 2);
    assert_eq!(shrike(&["frobnicate"]).code, 2);
}

/// The acceptance command: every EQL rule of the corpus is `ok`.
#[test]
fn corpus_eql_rules_are_all_ok() {
    let Some(dir) = shrike_testkit::shared_or_skip("corpus/detection-rules", "cli corpus") else {
        return;
    };
    let run = shrike(&["check", "--format", "ndjson", &dir.display().to_string()]);
    let mut eql_ok = 0;
    let mut errors = Vec::new();
    for line in run.stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("one JSON object per line");
        match (v["language"].as_str(), v["status"].as_str()) {
            (Some("eql"), Some("ok")) => eql_ok += 1,
            (_, Some("error")) => errors.push(line.to_string()),
            _ => {}
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert_eq!(eql_ok, 1081);
    assert_eq!(run.code, 0);
}

/// A reader that stops early (`shrike check … | head -1`) is not an error.
#[test]
fn closed_pipe_exits_cleanly() {
    let Some(dir) = shrike_testkit::shared_or_skip("corpus/detection-rules", "cli pipe") else {
        return;
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_shrike"))
        .args(["check", "--format", "ndjson", &dir.display().to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run shrike");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).expect("some output");
    drop(stdout);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
