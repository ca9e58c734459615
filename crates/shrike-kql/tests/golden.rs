//! Data-driven parser goldens.
//!
//! * `tests/data/ok/NNNN_name.kql` must parse; `NNNN_name.ast` holds its canonical printed
//!   form and its tree with spans; the printed form must parse back to the same tree.
//! * `tests/data/err/NNNN_name.kql` must be rejected; `NNNN_name.diag` holds the rendered
//!   diagnostic (which includes, as a note, the message Kibana gives for the same input).
//!
//! Regenerate with `SHRIKE_BLESS=1 cargo test -p shrike-kql --test golden`, then review.

use shrike_testkit::{check_golden, files_with_suffix};
use std::path::{Path, PathBuf};

fn data(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
        .join(dir)
}

fn name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn accepted_queries() {
    let files = files_with_suffix(&data("ok"), ".kql");
    assert!(files.len() >= 30, "only {} ok goldens", files.len());
    let mut failures = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("golden input is UTF-8");
        let query = match shrike_kql::parse(&text) {
            Ok(q) => q,
            Err(d) => {
                failures.push(shrike_diag::render_all(&d, &name(&path), &text));
                continue;
            }
        };
        let printed = shrike_kql::print(&query);
        match shrike_kql::parse(&printed) {
            Ok(again) if again.without_spans() == query.without_spans() => {}
            _ => failures.push(format!(
                "{}: printed {printed:?} does not round-trip",
                name(&path)
            )),
        }
        let actual = format!("canonical: {printed}\n{}", shrike_kql::dump::dump(&query));
        if let Err(e) = check_golden(&path.with_extension("ast"), &actual) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn rejected_queries() {
    let files = files_with_suffix(&data("err"), ".kql");
    assert!(files.len() >= 20, "only {} err goldens", files.len());
    let mut failures = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("golden input is UTF-8");
        match shrike_kql::parse(&text) {
            Ok(q) => failures.push(format!(
                "{} should be rejected but parsed as {q}",
                name(&path)
            )),
            Err(diags) => {
                let actual = shrike_diag::render_all(&diags, &name(&path), &text);
                if let Err(e) = check_golden(&path.with_extension("diag"), &actual) {
                    failures.push(e);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
