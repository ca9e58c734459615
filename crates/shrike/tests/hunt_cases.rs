//! End-to-end cases of `shrike hunt`: rule files and events in, alert documents out.
//!
//! Each folder under `tests/data/hunt/` is one case, written without Rust:
//!
//! * `cmd`: the arguments after `shrike hunt` (whitespace-separated; `#` starts a
//!   comment line), run from the case folder. The harness adds `--now
//!   2024-05-01T12:00:00Z` (so alert times and ids are stable) and `--quiet`, and
//!   `--format ndjson` unless `cmd` names a format;
//! * the rule files and inputs it names;
//! * `expected.out`: the command, its output and its exit status. NDJSON output is shown
//!   one pretty-printed document after another, so a reviewer can read each alert.
//!
//! `SHRIKE_BLESS=1 cargo test -p shrike --test hunt_cases` rewrites the expectations.
//! Every case also runs on one and on two threads, and with the rule prefilter off: all
//! must print the same.

use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::Command;

const NOW: &str = "2024-05-01T12:00:00Z";

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hunt");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/data/hunt")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("cmd").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn args_of(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("cmd")).expect("cmd");
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| l.split_whitespace().map(str::to_string))
        .collect()
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[String], extra: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_shrike"))
        .arg("hunt")
        .args(args)
        .args(extra)
        .current_dir(dir)
        .output()
        .expect("run shrike");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// NDJSON output as pretty documents; anything else as is, but for the run time in
/// the totals (`read in 0.03 s`), which varies.
fn readable(stdout: &str, ndjson: bool) -> String {
    if !ndjson {
        return stdout
            .lines()
            .map(|l| match l.find(" read in ") {
                Some(i) if l.ends_with(" s") => format!("{} read in (time)\n", &l[..i]),
                _ => format!("{l}\n"),
            })
            .collect();
    }
    let mut out = String::new();
    for line in stdout.lines() {
        match serde_json::from_str::<Json>(line) {
            Ok(doc) => {
                out.push_str(&serde_json::to_string_pretty(&doc).unwrap_or_default());
                out.push('\n');
            }
            Err(_) => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

#[test]
fn hunt_cases() {
    let mut failures = Vec::new();
    let all = cases();
    assert!(!all.is_empty(), "no cases under tests/data/hunt");
    for dir in all {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let mut args = args_of(&dir);
        let ndjson = !args.iter().any(|a| a == "--format") || {
            let i = args.iter().position(|a| a == "--format").unwrap_or(0);
            args.get(i + 1).map(String::as_str) == Some("ndjson")
        };
        if !args.iter().any(|a| a == "--format") {
            args.extend(["--format".to_string(), "ndjson".to_string()]);
        }
        if !args.iter().any(|a| a == "--now") {
            args.extend(["--now".to_string(), NOW.to_string()]);
        }
        args.push("--quiet".into());
        let first = run(&dir, &args, &["--threads", "1"]);
        let mut actual = format!("$ shrike hunt {}\n", args_of(&dir).join(" "));
        actual.push_str(&readable(&first.stdout, ndjson));
        if !first.stderr.is_empty() {
            actual.push_str("-- stderr --\n");
            actual.push_str(&first.stderr);
        }
        actual.push_str(&format!("-- exit {} --\n", first.code));
        if let Err(e) = shrike_testkit::check_golden(&dir.join("expected.out"), &actual) {
            failures.push(format!("{name}: {e}"));
            continue;
        }
        // The results must not depend on threads or the prefilter (the work counted in
        // the totals' `evaluation:` and `time:` lines does).
        let results = |out: &str| -> String {
            readable(out, ndjson)
                .lines()
                .filter(|l| !l.starts_with("evaluation: ") && !l.starts_with("time: "))
                .map(|l| format!("{l}\n"))
                .collect()
        };
        for extra in [
            &["--threads", "2"][..],
            &["--threads", "2", "--no-prefilter"],
        ] {
            let other = run(&dir, &args, extra);
            let (a, b) = (results(&first.stdout), results(&other.stdout));
            if a != b || other.code != first.code {
                failures.push(format!(
                    "{name}: {extra:?} differs from one thread:\n{}",
                    shrike_testkit::line_diff(&a, &b)
                ));
            }
        }
    }
    if !failures.is_empty() {
        panic!("{}", failures.join("\n\n"));
    }
}
