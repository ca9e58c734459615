//! One `check` helper for the reading tests: every case is read sequentially and in parallel
//! (one thread, several threads with tiny chunks), and all paths must agree.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use shrike_io::{EvtxDecoder, InputReport, ReadOptions, Reader, Record, Source};

/// What a read produced: one line per record (`file:pos [index] [id] json`, the JSON
/// re-serialised by serde_json), and the rendered report.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub records: Vec<String>,
    pub report: String,
    pub codes: Vec<(String, u64)>,
    pub errors: u64,
    pub warnings: u64,
    pub stats: shrike_io::ReadStats,
}

impl Outcome {
    pub fn count(&self, code: &str) -> u64 {
        self.codes
            .iter()
            .find(|(c, _)| c == code)
            .map_or(0, |(_, n)| *n)
    }
}

fn line_of(rec: &Record<'_>, dir: &Path, v: &serde_json::Value) -> String {
    let file = rec.file.replace(&format!("{}/", dir.display()), "");
    let loc = match rec.pos {
        shrike_io::Pos::Line(n) => format!("{file}:{n}"),
        shrike_io::Pos::Record(n) => format!("{file}#{n}"),
        shrike_io::Pos::File => file,
    };
    let mut s = loc;
    if let Some(i) = rec.index {
        s.push_str(&format!(" index={i}"));
    }
    if let Some(i) = rec.id {
        s.push_str(&format!(" id={i}"));
    }
    s.push(' ');
    s.push_str(&v.to_string());
    s
}

fn consume_record(
    rec: Record<'_>,
    problems: &mut shrike_io::Problems,
    dir: &Path,
) -> Option<String> {
    match serde_json::from_str::<serde_json::Value>(rec.json) {
        Ok(v) => Some(line_of(&rec, dir, &v)),
        Err(e) => {
            problems.json_error(&rec, &e);
            None
        }
    }
}

fn outcome(records: Vec<String>, report: &InputReport, dir: &Path) -> Outcome {
    Outcome {
        records,
        report: report.render().replace(&format!("{}/", dir.display()), ""),
        codes: report
            .counts()
            .map(|(c, n)| (c.to_string(), n.count))
            .collect(),
        errors: report.errors(),
        warnings: report.warnings(),
        stats: report.stats,
    }
}

pub fn read_with(
    sources: &[Source],
    opts: ReadOptions,
    evtx: Option<Arc<dyn EvtxDecoder>>,
    dir: &Path,
) -> Outcome {
    let mut reader = Reader::new(opts.clone()).without_evtx();
    if let Some(d) = &evtx {
        reader = reader.with_evtx(d.clone());
    }
    // Sequential.
    let mut report = InputReport::new(1000);
    let mut seq = Vec::new();
    reader.for_each(sources, &mut report, |rec, problems| {
        seq.extend(consume_record(rec, problems, dir));
        ControlFlow::Continue(())
    });
    let first = outcome(seq, &report, dir);
    // Parallel, one thread and three threads with tiny chunks.
    for (threads, chunk) in [(1, opts.chunk_bytes), (3, 64)] {
        let mut o = opts.clone();
        o.threads = threads;
        o.chunk_bytes = chunk;
        o.chunks_in_flight = 2;
        let mut reader = Reader::new(o).without_evtx();
        if let Some(d) = &evtx {
            reader = reader.with_evtx(d.clone());
        }
        let mut report = InputReport::new(1000);
        let mut par = Vec::new();
        reader.par_map(
            sources,
            &mut report,
            |batch, problems| {
                batch
                    .iter()
                    .filter_map(|rec| consume_record(rec, problems, dir))
                    .collect::<Vec<_>>()
            },
            |v| {
                par.extend(v);
                ControlFlow::Continue(())
            },
        );
        let other = outcome(par, &report, dir);
        assert_eq!(
            first, other,
            "sequential and parallel ({threads} threads, {chunk}-byte chunks) differ"
        );
    }
    first
}

/// Reads files of `dir` (given by relative name) with default options, no EVTX decoder.
pub fn read(dir: &Path, files: &[&str]) -> Outcome {
    let sources: Vec<Source> = files.iter().map(|f| Source::file(dir.join(f))).collect();
    read_with(&sources, ReadOptions::default(), None, dir)
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, bytes).unwrap();
    p
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

pub fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 1).unwrap()
}
