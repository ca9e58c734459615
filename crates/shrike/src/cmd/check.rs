//! `shrike check PATH…`: load rule files, parse their queries and lower KQL ones.

use super::FINDINGS;
use clap::ValueEnum;
use shrike_rules::check::{check_file_with, unreadable, CheckOptions, RuleCheck, Status};
use shrike_rules::discover::{rule_files, Found};
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `shrike check`.
#[derive(clap::Args)]
pub struct Args {
    /// Rule files, or directories searched recursively for `*.toml` rule files.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// `text`: a table of rules, then each error shown in its file with a caret.
    /// `ndjson`: one JSON object per rule file.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Ndjson,
}

/// Counts per status.
#[derive(Default)]
struct Summary {
    ok: usize,
    errors: usize,
    unsupported: usize,
}

/// Checks every rule file under the given paths; exit 1 if any has an error.
pub fn run(args: Args) -> std::io::Result<ExitCode> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut summary = Summary::default();
    let mut kept = Vec::new();
    // KQL queries are lowered with the types a hunt uses (ECS, then the `logs-*` defaults
    // for other fields), so values a field's type rejects are reported here.
    let schema = shrike_ir::Schema::single("logs", shrike_ir::Mapping::ecs());
    let options = CheckOptions {
        schema: Some(&schema),
    };
    for found in rule_files(&args.paths) {
        let mut check = match found {
            Found::File(path) => check_file_with(&path, &options),
            Found::Unreadable(path, error) => unreadable(&path, &error),
        };
        match check.status {
            Status::Ok => summary.ok += 1,
            Status::Error => summary.errors += 1,
            Status::Unsupported => summary.unsupported += 1,
        }
        match args.format {
            Format::Ndjson => write_json(&mut out, &check)?,
            Format::Text => {
                if check.status != Status::Error && check.warnings().next().is_none() {
                    // Only problems are rendered against the file text.
                    check.text = String::new();
                }
                kept.push(check);
            }
        }
    }
    if args.format == Format::Text {
        write_text(&mut out, &kept, &summary)?;
    }
    out.flush()?;
    Ok(if summary.errors > 0 {
        ExitCode::from(FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_json(out: &mut impl Write, check: &RuleCheck) -> std::io::Result<()> {
    let line = serde_json::json!({
        "path": check.path.display().to_string(),
        "rule_id": check.rule_id,
        "name": check.name,
        "type": check.rule_type,
        "language": check.language,
        "status": check.status.as_str(),
        "message": check.message,
        "warnings": warning_lines(check),
    });
    writeln!(out, "{line}")
}

/// One `line:col: warning[code]: message` line per warning.
fn warning_lines(check: &RuleCheck) -> Vec<String> {
    let index = shrike_diag::LineIndex::new(&check.text);
    check
        .warnings()
        .map(|d| {
            let pos = index.position(&check.text, d.span.start);
            format!("{}:{}: {d}", pos.line, pos.column)
        })
        .collect()
}

const NAME_WIDTH: usize = 48;

/// `type/language` as the table shows it (`eql/eql`, `query/kuery`, `machine_learning`).
fn kind(check: &RuleCheck) -> String {
    match (check.rule_type.as_deref(), check.language.as_deref()) {
        (Some(t), Some(l)) => format!("{t}/{l}"),
        (Some(t), None) => t.to_string(),
        (None, Some(l)) => format!("?/{l}"),
        (None, None) => "-".to_string(),
    }
}

fn write_text(
    out: &mut impl Write,
    checks: &[RuleCheck],
    summary: &Summary,
) -> std::io::Result<()> {
    let kinds: Vec<String> = checks.iter().map(kind).collect();
    let kind_width = kinds
        .iter()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    writeln!(
        out,
        "{:<11}  {:<kind_width$}  {:<NAME_WIDTH$}  FILE",
        "STATUS", "TYPE", "RULE"
    )?;
    for (check, kind) in checks.iter().zip(&kinds) {
        writeln!(
            out,
            "{:<11}  {:<kind_width$}  {:<NAME_WIDTH$}  {}",
            check.status.as_str(),
            kind,
            truncate(check.name.as_deref().unwrap_or("-"), NAME_WIDTH),
            check.path.display()
        )?;
    }
    let mut warnings = 0;
    for check in checks
        .iter()
        .filter(|c| c.status == Status::Error || c.warnings().next().is_some())
    {
        warnings += check.warnings().count();
        writeln!(out)?;
        if check.text.is_empty() {
            // Nothing to point into: the file could not be read.
            for diag in &check.diagnostics {
                writeln!(out, "{diag}\n --> {}", check.path.display())?;
            }
        } else {
            write!(out, "{}", check.render())?;
        }
    }
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for check in checks.iter().filter(|c| c.status == Status::Unsupported) {
        *reasons
            .entry(check.message.as_deref().unwrap_or("-"))
            .or_default() += 1;
    }
    if !reasons.is_empty() {
        writeln!(out, "\nunsupported rules:")?;
        for (reason, count) in reasons {
            writeln!(out, "{count:>6}  {reason}")?;
        }
    }
    writeln!(
        out,
        "\nchecked {} rule file{}: {} ok, {} with errors, {} unsupported; {} warning{}",
        checks.len(),
        if checks.len() == 1 { "" } else { "s" },
        summary.ok,
        summary.errors,
        summary.unsupported,
        warnings,
        if warnings == 1 { "" } else { "s" }
    )
}

/// `text` cut to `width` characters, ending in `…` when cut.
fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}
