//! Data-driven parser tests.
//!
//! * `tests/data/ok/NNNN_name.eql`: a valid query; `.ast` beside it holds the tree dump
//!   and the canonical printed form.
//! * `tests/data/err/NNNN_name.eql`: a query Elasticsearch rejects; `.diag` beside it holds
//!   every diagnostic, rendered as a user sees them.
//!
//! Add a case by dropping in a `.eql` file and running `SHRIKE_BLESS=1 cargo test -p
//! shrike-eql --test golden`, then review the new expected file.

use std::path::{Path, PathBuf};

fn data(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir)
}

fn name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Runs `render` on every `.eql` file of `dir` and compares with the file of extension
/// `ext`; fails once, listing every mismatch.
fn check(dir: &str, ext: &str, mut render: impl FnMut(&str, &str) -> Result<String, String>) {
    let files = shrike_testkit::files_with_suffix(&data(dir), ".eql");
    assert!(!files.is_empty(), "no cases in tests/data/{dir}");
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable case");
        let outcome = render(&name(path), &text)
            .and_then(|actual| shrike_testkit::check_golden(&path.with_extension(ext), &actual));
        if let Err(e) = outcome {
            failures.push(format!("{}: {e}", name(path)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn valid_queries_give_the_expected_tree() {
    check("ok", "ast", |_, text| {
        let query = shrike_eql::parse(text).map_err(|diags| {
            format!(
                "rejected:\n{}",
                shrike_diag::render_all(&diags, "query", text)
            )
        })?;
        let printed = shrike_eql::print(&query);
        Ok(format!(
            "{}\n-- printed --\n{printed}\n",
            shrike_eql::debug::tree(&query)
        ))
    });
}

#[test]
fn invalid_queries_give_the_expected_diagnostics() {
    let mut codes = std::collections::BTreeSet::new();
    check("err", "diag", |origin, text| {
        match shrike_eql::parse(text) {
            Ok(q) => Err(format!("accepted:\n{}", shrike_eql::print(&q))),
            Err(diags) => {
                codes.extend(diags.iter().map(|d| d.code));
                Ok(shrike_diag::render_all(&diags, origin, text))
            }
        }
    });
    // The error cases should keep exercising most of the codes.
    assert!(
        codes.len() >= 50,
        "only {} distinct codes covered",
        codes.len()
    );
}
