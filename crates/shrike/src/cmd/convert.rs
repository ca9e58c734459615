//! `shrike convert`: Windows event logs (EVTX) → ECS documents, one JSON object per line.
//!
//! ```text
//! shrike convert [--output FILE] [--raw | --bulk] [--threads N] INPUT...
//! ```
//!
//! Inputs are `.evtx` files, or directories searched recursively for files that are EVTX by
//! content (the `ElfFile` header; other files there are skipped). Each record becomes the
//! document Elastic Agent's `windows` / `system` integrations would index; `--bulk` writes
//! an Elasticsearch `_bulk` body instead (a `create` action naming the record's data stream
//! before each document), `--raw` the records as the EVTX parser renders them, unmapped.
//! `event.ingested` is left to Elasticsearch, so the output is reproducible.
//!
//! Damaged chunks and records are reported on stderr with their location and skipped; the
//! rest of the file is converted. Exit status: 0 on success, 1 when an input could not be
//! read or had damage (everything readable is still written), 2 on bad flags.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use shrike_evtx::{Doc, EvtxReader, Item, OutputKind, ReadOptions};

/// Flags of `shrike convert`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Write the documents to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write records as the EVTX parser renders them, without the ECS mapping.
    #[arg(long, conflicts_with = "bulk")]
    pub raw: bool,
    /// Write an Elasticsearch `_bulk` body: a `create` action naming the data stream
    /// before each document.
    #[arg(long)]
    pub bulk: bool,
    /// Parser threads (0: one per core).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// EVTX files, or directories searched recursively for them.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
}

/// Totals of a run.
#[derive(Default)]
struct Totals {
    files: u64,
    records: u64,
    damaged_chunks: u64,
    damaged_records: u64,
    failed_inputs: u64,
    skipped_files: u64,
}

/// Why writing stopped.
enum Stop {
    /// The reader of our output went away: not an error.
    BrokenPipe,
    /// Writing failed.
    Write(io::Error),
}

/// Runs `shrike convert`.
pub fn run(args: Args) -> ExitCode {
    let started = Instant::now();
    let out: Box<dyn Write> = match &args.output {
        Some(path) => match File::create(path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("shrike: cannot create {}: {e}", path.display());
                return ExitCode::from(1);
            }
        },
        None => Box::new(io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let reader = EvtxReader::with_builtin_mapping(ReadOptions {
        threads: args.threads,
        output: if args.raw {
            OutputKind::Raw
        } else {
            OutputKind::EcsJson
        },
        ..ReadOptions::default()
    });
    let progress = Progress::new();
    let mut totals = Totals::default();
    let mut stop = None;
    'inputs: for input in &args.inputs {
        for file in files_of(input, &mut totals, &progress) {
            if let Err(s) = convert_file(&reader, &file, &args, &mut out, &mut totals, &progress) {
                stop = Some(s);
                break 'inputs;
            }
        }
    }
    if stop.is_none() {
        if let Err(e) = out.flush() {
            stop = Some(if e.kind() == io::ErrorKind::BrokenPipe {
                Stop::BrokenPipe
            } else {
                Stop::Write(e)
            });
        }
    }
    progress.finish();
    match stop {
        Some(Stop::BrokenPipe) => return ExitCode::SUCCESS,
        Some(Stop::Write(e)) => {
            eprintln!("shrike: writing output: {e}");
            return ExitCode::from(1);
        }
        None => {}
    }
    eprintln!(
        "shrike: converted {} records from {} files in {:.2}s{}{}",
        totals.records,
        totals.files,
        started.elapsed().as_secs_f64(),
        damage_note(&totals),
        if totals.skipped_files > 0 {
            format!("; {} non-EVTX files skipped", totals.skipped_files)
        } else {
            String::new()
        }
    );
    if totals.failed_inputs + totals.damaged_chunks + totals.damaged_records > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn damage_note(t: &Totals) -> String {
    let mut parts = Vec::new();
    if t.damaged_chunks > 0 {
        parts.push(format!("{} damaged chunks skipped", t.damaged_chunks));
    }
    if t.damaged_records > 0 {
        parts.push(format!("{} damaged records skipped", t.damaged_records));
    }
    if t.failed_inputs > 0 {
        parts.push(format!("{} inputs unreadable", t.failed_inputs));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

/// The EVTX files an input names: the file itself (an error if it is not EVTX), or the EVTX
/// files under a directory, in name order.
fn files_of(input: &Path, totals: &mut Totals, progress: &Progress) -> Vec<PathBuf> {
    if !input.is_dir() {
        return match shrike_evtx::sniff(input) {
            Ok(true) => vec![input.to_path_buf()],
            Ok(false) => {
                progress.eprintln(&format!(
                    "shrike: {}: not an EVTX file (no ElfFile header)",
                    input.display()
                ));
                totals.failed_inputs += 1;
                Vec::new()
            }
            Err(e) => {
                progress.eprintln(&format!("shrike: {}: {e}", input.display()));
                totals.failed_inputs += 1;
                Vec::new()
            }
        };
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(input).sort_by_file_name() {
        match entry {
            Ok(e) if e.file_type().is_file() => match shrike_evtx::sniff(e.path()) {
                Ok(true) => files.push(e.into_path()),
                Ok(false) => totals.skipped_files += 1,
                Err(err) => {
                    progress.eprintln(&format!("shrike: {}: {err}", e.path().display()));
                    totals.failed_inputs += 1;
                }
            },
            Ok(_) => {}
            Err(e) => {
                progress.eprintln(&format!("shrike: {e}"));
                totals.failed_inputs += 1;
            }
        }
    }
    files
}

fn convert_file(
    reader: &EvtxReader,
    file: &Path,
    args: &Args,
    out: &mut impl Write,
    totals: &mut Totals,
    progress: &Progress,
) -> Result<(), Stop> {
    progress.set_file(file);
    let mut failure = None;
    let result = reader.read_file(file, |item| {
        match item {
            Item::Event(e) => {
                let written = write_event(out, args.bulk, e.index.as_deref(), &e.doc);
                if let Err(err) = written {
                    failure = Some(if err.kind() == io::ErrorKind::BrokenPipe {
                        Stop::BrokenPipe
                    } else {
                        Stop::Write(err)
                    });
                    return ControlFlow::Break(());
                }
                progress.tick_record();
            }
            Item::Damage(d) => progress.eprintln(&format!("shrike: {d}")),
        }
        ControlFlow::Continue(())
    });
    if let Some(stop) = failure {
        return Err(stop);
    }
    totals.files += 1;
    match result {
        Ok(summary) => {
            totals.records += summary.records;
            totals.damaged_chunks += summary.damaged_chunks;
            totals.damaged_records += summary.damaged_records;
            if summary.is_damaged() {
                progress.eprintln(&format!(
                    "shrike: {}: {} records converted, {} damaged chunks and {} damaged records skipped",
                    file.display(),
                    summary.records,
                    summary.damaged_chunks,
                    summary.damaged_records
                ));
            }
        }
        Err(e) => {
            progress.eprintln(&format!("shrike: {e}"));
            totals.failed_inputs += 1;
        }
    }
    Ok(())
}

fn write_event(out: &mut impl Write, bulk: bool, index: Option<&str>, doc: &Doc) -> io::Result<()> {
    if bulk {
        let action = serde_json::json!({"create": {"_index": index}});
        serde_json::to_writer(&mut *out, &action)?;
        out.write_all(b"\n")?;
    }
    match doc {
        Doc::Json(text) => out.write_all(text.as_bytes())?,
        Doc::Value(v) => serde_json::to_writer(&mut *out, v)?,
    }
    out.write_all(b"\n")
}

/// A spinner with the current file and record count, on stderr when it is a terminal.
struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new() -> Progress {
        let bar = io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {pos} records ({per_sec}) {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress { bar }
    }

    fn set_file(&self, file: &Path) {
        if let Some(b) = &self.bar {
            b.set_message(file.display().to_string());
        }
    }

    fn tick_record(&self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }

    fn eprintln(&self, line: &str) {
        match &self.bar {
            Some(b) => b.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
