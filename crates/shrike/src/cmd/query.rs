//! `shrike query`: an ad-hoc EQL search, the local counterpart of `_eql/search`.
//!
//! ```text
//! shrike query [--format ndjson|es|table] [--size N] [--max-samples-per-key K]
//!              [--tiebreaker FIELD] [--timestamp-field F] [--event-category-field F]
//!              [--mapping [INDEX=]FILE]... 'QUERY' [INDEX=]FILE...
//! ```
//!
//! Inputs are NDJSON or JSON-array files (or `-` for stdin); `INDEX=FILE` names the index a
//! file belongs to (default: the file stem). Fields without a mapping are typed the way
//! Elasticsearch's dynamic mapping would type them from the data. Exit status: 0 on
//! success, 1 when an input could not be read or had bad lines (the rest is still
//! searched), 2 on a bad query or bad flags.
//!
//! Inputs are read by `shrike-io` (NDJSON, JSON arrays, ES hits and exports, `_bulk`,
//! gzip/zstd); bad records are reported with their `file:line` and skipped.

use super::split_index;
use clap::ValueEnum;
use serde_json::{json, Value as Json};
use shrike_engine::{
    search, Event, Outcome, Plan, PlanOptions, Position, Results, SearchOptions, SequenceHit,
};
use shrike_eql::lower::{lower, LowerOptions};
use shrike_ir::{Mapping, Schema};
use std::io::{self, BufWriter, Write};
use std::ops::ControlFlow;
use std::process::ExitCode;
use std::time::Instant;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON line per result: an event hit, or `{"join_keys", "events"}`.
    Ndjson,
    /// The whole response as Elasticsearch's `_eql/search` returns it.
    Es,
    /// For humans.
    Table,
}

/// Which end of the results `--size` keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ResultPosition {
    /// The earliest matches.
    Head,
    /// The latest matches (Elasticsearch's default).
    Tail,
}

/// Flags of `shrike query`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value = "ndjson")]
    pub format: Format,
    /// Maximum number of events or sequences returned (ES default: 10).
    #[arg(long, default_value_t = 10)]
    pub size: usize,
    /// Which end of the matches `--size` keeps (ES `result_position`).
    #[arg(long, value_enum, default_value = "tail")]
    pub result_position: ResultPosition,
    /// Samples returned per join key (ES `max_samples_per_key`).
    #[arg(long, default_value_t = 1)]
    pub max_samples_per_key: usize,
    /// Field that breaks timestamp ties.
    #[arg(long, value_name = "FIELD")]
    pub tiebreaker: Option<String>,
    /// Field events are ordered by.
    #[arg(long, value_name = "FIELD", default_value = "@timestamp")]
    pub timestamp_field: String,
    /// Field that `category where …` tests.
    #[arg(long, value_name = "FIELD", default_value = "event.category")]
    pub event_category_field: String,
    /// Elasticsearch mapping JSON for an index (`INDEX=FILE`), or for every index (`FILE`).
    #[arg(long, value_name = "[INDEX=]FILE")]
    pub mapping: Vec<String>,
    /// Cap on in-flight partial sequences (memory bound).
    #[arg(long, default_value_t = shrike_engine::DEFAULT_MAX_PENDING_SEQUENCES, hide = true)]
    pub max_pending_sequences: usize,
    /// The EQL query.
    pub query: String,
    /// Input files (`-` for stdin), optionally `INDEX=FILE`.
    #[arg(value_name = "[INDEX=]FILE", required = true)]
    pub inputs: Vec<String>,
}

struct Doc {
    index: String,
    id: String,
    doc: Json,
}

fn position(p: ResultPosition) -> Position {
    match p {
        ResultPosition::Head => Position::Head,
        ResultPosition::Tail => Position::Tail,
    }
}

fn hit(event: &Event, id: &str) -> Json {
    let meta = event.origin();
    json!({
        "_index": &*meta.index,
        "_id": meta.id.clone().unwrap_or_else(|| id.to_string()),
        "_source": event.source(),
    })
}

fn sequence_json(
    s: &SequenceHit,
    events: &[Event],
    ids: &[String],
    sample: bool,
    es: bool,
) -> Json {
    let evs: Vec<Json> = s
        .events
        .iter()
        .map(|e| match e {
            Some(i) => hit(&events[*i], &ids[*i]),
            None if es => json!({"_index": "", "_id": "", "missing": true}),
            None => json!({"missing": true}),
        })
        .collect();
    json!({
        "join_keys": s.join_keys.iter().map(|k| k.to_json(sample)).collect::<Vec<_>>(),
        "events": evs,
    })
}

fn write_output(
    out: &mut dyn Write,
    format: Format,
    outcome: &Outcome,
    events: &[Event],
    ids: &[String],
    took: u128,
) -> io::Result<()> {
    let sample = matches!(outcome.results, Results::Samples(_));
    match format {
        Format::Ndjson => match &outcome.results {
            Results::Events(v) => {
                for &i in v {
                    serde_json::to_writer(&mut *out, &hit(&events[i], &ids[i]))?;
                    out.write_all(b"\n")?;
                }
            }
            Results::Sequences(s) | Results::Samples(s) => {
                for seq in s {
                    serde_json::to_writer(
                        &mut *out,
                        &sequence_json(seq, events, ids, sample, false),
                    )?;
                    out.write_all(b"\n")?;
                }
            }
        },
        Format::Es => {
            let total = outcome.results.len();
            let mut hits = json!({"total": {"value": total, "relation": "eq"}});
            match &outcome.results {
                Results::Events(v) => {
                    hits["events"] = v.iter().map(|&i| hit(&events[i], &ids[i])).collect();
                }
                Results::Sequences(s) | Results::Samples(s) => {
                    hits["sequences"] = s
                        .iter()
                        .map(|q| sequence_json(q, events, ids, sample, true))
                        .collect();
                }
            }
            let resp = json!({
                "is_partial": false,
                "is_running": false,
                "took": took,
                "timed_out": false,
                "hits": hits,
            });
            serde_json::to_writer_pretty(&mut *out, &resp)?;
            out.write_all(b"\n")?;
        }
        Format::Table => write_table(out, outcome, events, ids)?,
    }
    out.flush()
}

fn ts_text(e: &Event) -> String {
    e.timestamp().map_or_else(
        || "-".to_string(),
        |n| shrike_ir::date::format_iso(n, n % 1_000_000 != 0),
    )
}

fn brief(src: &Json) -> String {
    let s = src.to_string();
    if s.chars().count() > 120 {
        let cut: String = s.chars().take(117).collect();
        format!("{cut}...")
    } else {
        s
    }
}

fn write_table(
    out: &mut dyn Write,
    outcome: &Outcome,
    events: &[Event],
    ids: &[String],
) -> io::Result<()> {
    let line = |out: &mut dyn Write, e: &Event, id: &str| {
        writeln!(
            out,
            "{:<30} {:<16} {:<8} {}",
            ts_text(e),
            &*e.origin().index,
            e.origin().id.as_deref().unwrap_or(id),
            brief(e.source())
        )
    };
    match &outcome.results {
        Results::Events(v) => {
            writeln!(
                out,
                "{:<30} {:<16} {:<8} SOURCE",
                "TIMESTAMP", "INDEX", "ID"
            )?;
            for &i in v {
                line(out, &events[i], &ids[i])?;
            }
            writeln!(out, "{} event(s)", v.len())?;
        }
        Results::Sequences(s) | Results::Samples(s) => {
            let sample = matches!(outcome.results, Results::Samples(_));
            let kind = if sample { "sample" } else { "sequence" };
            for (n, q) in s.iter().enumerate() {
                let keys: Vec<String> = q
                    .join_keys
                    .iter()
                    .map(|k| k.to_json(sample).to_string())
                    .collect();
                writeln!(out, "{kind} {} join_keys=[{}]", n + 1, keys.join(", "))?;
                for e in &q.events {
                    match e {
                        Some(i) => {
                            write!(out, "  ")?;
                            line(out, &events[*i], &ids[*i])?;
                        }
                        None => writeln!(out, "  (missing event)")?,
                    }
                }
            }
            writeln!(out, "{} {kind}(s)", s.len())?;
        }
    }
    Ok(())
}

/// Runs `shrike query`.
pub fn run(args: Args) -> ExitCode {
    let started = Instant::now();
    // The query first: a bad query is a usage error whatever the inputs are.
    let ast = match shrike_eql::parse(&args.query) {
        Ok(q) => q,
        Err(diags) => {
            eprint!("{}", shrike_diag::render_all(&diags, "query", &args.query));
            return ExitCode::from(2);
        }
    };
    let mut report = shrike_io::InputReport::default();
    let mut specs = Vec::new();
    for input in &args.inputs {
        match shrike_io::InputSpec::parse(input) {
            Ok(s) => specs.push(s),
            Err(e) => {
                eprintln!("shrike: error: {}", e.0);
                return ExitCode::from(2);
            }
        }
    }
    let sources = shrike_io::expand(&specs, shrike_io::DefaultIndex::FileStem, &mut report);
    let mut docs = Vec::new();
    let mut order: Vec<String> = Vec::new();
    shrike_io::Reader::new(shrike_io::ReadOptions::default()).for_each(
        &sources,
        &mut report,
        |rec, problems| {
            match serde_json::from_str::<Json>(rec.json) {
                Ok(doc) => {
                    let index = rec.index.unwrap_or("stdin").to_string();
                    if !order.contains(&index) {
                        order.push(index.clone());
                    }
                    docs.push(Doc {
                        index,
                        id: rec
                            .id
                            .map_or_else(|| rec.pos.number().to_string(), str::to_string),
                        doc,
                    });
                }
                Err(e) => problems.json_error(&rec, &e),
            }
            ControlFlow::Continue(())
        },
    );
    if !report.is_clean() {
        eprint!("{}", report.render());
    }
    let input_errors = report.errors();
    // Mappings: per index, or for all indices.
    let mut schema = Schema::new();
    let mut default_mapping: Option<Mapping> = None;
    let mut per_index: Vec<(String, Mapping)> = Vec::new();
    for m in &args.mapping {
        let (idx, path) = split_index(m);
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("shrike: mapping {path}: {e}");
                return ExitCode::from(2);
            }
        };
        let mapping = match Mapping::from_json_str(&text) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("shrike: mapping {path}: {e}");
                return ExitCode::from(2);
            }
        };
        match idx {
            Some(i) => {
                if !order.iter().any(|o| o == i) {
                    eprintln!(
                        "shrike: warning: mapping for index `{i}`, which no input belongs to"
                    );
                }
                per_index.push((i.to_string(), mapping));
            }
            None => default_mapping = Some(mapping),
        }
    }
    for index in &order {
        let mut m = per_index
            .iter()
            .find(|(i, _)| i == index)
            .map(|(_, m)| m.clone())
            .or_else(|| default_mapping.clone())
            .unwrap_or_default();
        for d in docs.iter().filter(|d| &d.index == index) {
            let source = match d.doc.get("_source") {
                Some(s)
                    if s.is_object()
                        && (d.doc.get("_index").is_some() || d.doc.get("_id").is_some()) =>
                {
                    s
                }
                _ => &d.doc,
            };
            m.add_dynamic(source);
        }
        schema.add_index(index, m);
    }
    let lower_opts = LowerOptions {
        event_category_field: args.event_category_field.clone(),
    };
    let ir = match lower(&ast, &schema, &lower_opts) {
        Ok(ir) => ir,
        Err(diags) => {
            eprint!("{}", shrike_diag::render_all(&diags, "query", &args.query));
            return ExitCode::from(2);
        }
    };
    let plan_opts = PlanOptions {
        timestamp_field: args.timestamp_field.clone(),
        tiebreaker_field: args.tiebreaker.clone(),
    };
    let plan = match Plan::compile(&ir, &schema, &plan_opts) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("shrike: error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut events = Vec::with_capacity(docs.len());
    let mut ids = Vec::with_capacity(docs.len());
    for (seq, d) in docs.into_iter().enumerate() {
        let Some(index) = plan.index_id(&d.index) else {
            continue;
        };
        events.push(plan.event_from_json(index, d.doc, seq as u64));
        ids.push(d.id);
    }
    let options = SearchOptions {
        size: args.size,
        position: position(args.result_position),
        max_samples_per_key: args.max_samples_per_key.max(1),
        max_pending_sequences: args.max_pending_sequences,
    };
    let outcome = search(&plan, &events, &options);
    if outcome.no_timestamp > 0 {
        eprintln!(
            "shrike: warning: {} event(s) without a usable `{}` were not searched",
            outcome.no_timestamp, args.timestamp_field
        );
    }
    for w in &outcome.warnings {
        eprintln!("shrike: warning: {w}");
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let took = started.elapsed().as_millis();
    match write_output(&mut out, args.format, &outcome, &events, &ids, took) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("shrike: writing output: {e}");
            return ExitCode::from(1);
        }
    }
    if input_errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_names_come_from_the_argument_or_the_stem() {
        assert_eq!(split_index("logs=a/b.ndjson"), (Some("logs"), "a/b.ndjson"));
        assert_eq!(split_index("a/b.ndjson"), (None, "a/b.ndjson"));
        assert_eq!(split_index("dir=x/y=z.json").0, Some("dir"));
    }
}
