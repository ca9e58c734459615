//! Helpers for shrike's tests (a dev-dependency only).
//!
//! * [`shared_dir`] finds the read-only `shared/` folder (ES conformance suite, rule corpus,
//!   schemas, EVTX samples) that sits beside the repository, so tests can read it without a
//!   copy in the repo. When it is absent (a fresh clone elsewhere) tests that need it call
//!   [`shared_or_skip`], print why, and pass.
//! * [`check_golden`] compares output with a checked-in file; run with `SHRIKE_BLESS=1` to
//!   (re)write the files, then review the diff.
#![deny(missing_docs)]
#![allow(clippy::unwrap_used)]

pub mod es_spec;

use std::path::{Path, PathBuf};

/// The repository root (the workspace directory).
pub fn repo_root() -> PathBuf {
    // This crate lives at <root>/crates/shrike-testkit.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The `shared/` folder: `$SHRIKE_SHARED` if set, else `<repo>/../shared`, if it exists.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("SHRIKE_SHARED") {
        Some(d) => PathBuf::from(d),
        None => repo_root().join("..").join("shared"),
    };
    dir.is_dir().then_some(dir)
}

/// `shared/<rel>` if it exists; otherwise prints a skip message naming the test and returns
/// `None`, so the caller can `return` and the test passes on a fresh clone.
pub fn shared_or_skip(rel: &str, test: &str) -> Option<PathBuf> {
    match shared_dir().map(|d| d.join(rel)) {
        Some(p) if p.exists() => Some(p),
        _ => {
            eprintln!(
                "SKIP {test}: shared/{rel} not found (set SHRIKE_SHARED or place the shared \
                 folder beside the repository)"
            );
            None
        }
    }
}

/// Whether golden files should be rewritten instead of compared.
pub fn blessing() -> bool {
    std::env::var_os("SHRIKE_BLESS").is_some_and(|v| v != "0")
}

/// Compares `actual` with the golden file at `path`; with `SHRIKE_BLESS=1`, writes it
/// instead. Returns a description of the mismatch, so a data-driven test can collect every
/// failing case before failing once.
pub fn check_golden(path: &Path, actual: &str) -> Result<(), String> {
    if blessing() {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(path, actual).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "{}: {e} (run with SHRIKE_BLESS=1 to create it)",
            path.display()
        )
    })?;
    if expected == actual {
        Ok(())
    } else {
        Err(format!(
            "{} differs (run with SHRIKE_BLESS=1 to accept):\n{}",
            path.display(),
            line_diff(&expected, actual)
        ))
    }
}

/// A minimal line diff: the first differing lines with context, enough to see what changed.
pub fn line_diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    let first = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    let from = first.saturating_sub(2);
    for i in from..(first + 8).min(e.len().max(a.len())) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => out.push_str(&format!("  {x}\n")),
            (x, y) => {
                if let Some(x) = x {
                    out.push_str(&format!("- {x}\n"));
                }
                if let Some(y) = y {
                    out.push_str(&format!("+ {y}\n"));
                }
            }
        }
    }
    out
}

/// Every file under `dir` (recursively) whose name ends with `suffix`, sorted, so
/// data-driven tests run in a stable order.
pub fn files_with_suffix(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(suffix) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_shows_changed_line() {
        let d = line_diff("a\nb\nc\n", "a\nx\nc\n");
        assert!(d.contains("- b") && d.contains("+ x"), "{d}");
    }

    #[test]
    fn repo_root_has_workspace_manifest() {
        assert!(repo_root().join("Cargo.toml").is_file());
    }
}
