//! Reading `.evtx` files: records out, damage reported, never a panic.
//!
//! Parsing uses the `evtx` crate's chunk pipeline: chunks are parsed (and here also mapped
//! to ECS) on a thread pool, and come back in file order. A chunk that cannot be read (bad
//! magic, broken string table…) or a record that cannot be parsed becomes a [`Damage`] with
//! its location, and reading goes on with the next one.
//!
//! # Panic safety
//!
//! Nothing derived from a file may crash a run. The `evtx` crate is fuzzed and returns
//! errors for the damage we know of (every damaged sample in `shared/samples/evtx` is read
//! without one), but a parser over untrusted binary input can still hit an unforeseen bug.
//! As a documented last resort, per-record work (rendering and mapping) runs under
//! [`std::panic::catch_unwind`], and so does each step of the crate's chunk iterator, whose
//! worker threads hand a panic back to the consumer: a panic there is reported as damage
//! and the next chunk is read. The default panic hook still prints the panic message to
//! stderr.

use std::fmt;
use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use evtx::err::EvtxError;
use evtx::{EvtxParser, EvtxRecord, ParserSettings};
use serde_json::Value;

use crate::mapping::{MapOptions, Mapper};
use crate::record::Record;

/// The first 8 bytes of every EVTX file.
pub const EVTX_MAGIC: &[u8; 8] = b"ElfFile\0";

/// Whether `head` (the first bytes of a file) starts with the EVTX file magic.
pub fn is_evtx(head: &[u8]) -> bool {
    head.starts_with(EVTX_MAGIC)
}

/// Whether the file at `path` is an EVTX file, judged by its first 8 bytes.
pub fn sniff(path: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let mut head = [0u8; 8];
    let mut f = std::fs::File::open(path)?;
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(is_evtx(&head[..n]))
}

/// What the reader produces per record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputKind {
    /// ECS documents (the mapping).
    #[default]
    Ecs,
    /// The record as the `evtx` crate renders it (`{"Event": {"System": …}}`), unmapped.
    Raw,
}

/// How to read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Worker threads for chunk parsing; 0 uses all cores.
    pub threads: usize,
    /// ECS documents or raw records.
    pub output: OutputKind,
    /// Settings of the ECS mapping.
    pub map: MapOptions,
}

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as given to the reader.
    pub file: Arc<PathBuf>,
    /// The record's number in the file (its record header). In a filtered export this is
    /// not the event's `EventRecordID`.
    pub record_number: u64,
    /// `System/EventRecordID`, the id the record had in the log that wrote it.
    pub event_record_id: Option<u64>,
}

/// One record, read and mapped.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The ECS document (or the raw record with [`OutputKind::Raw`]).
    pub doc: Value,
    /// The index the document belongs to, e.g. `logs-system.security-default` (`None` for
    /// raw records).
    pub index: Option<String>,
    /// Where the record is.
    pub location: Location,
}

/// What was damaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DamageKind {
    /// A whole chunk (64 KiB, up to a few hundred records) could not be read.
    Chunk,
    /// One record could not be read or rendered.
    Record,
    /// The parser or mapper panicked (a bug); what it was working on is skipped.
    Panic,
}

/// A damaged part of a file, skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The file.
    pub file: Arc<PathBuf>,
    /// Chunk or record.
    pub kind: DamageKind,
    /// The chunk's number in the file, when known.
    pub chunk: Option<u64>,
    /// The record's number (record header), when known.
    pub record_number: Option<u64>,
    /// The record's byte offset in its chunk, when known.
    pub offset: Option<u64>,
    /// The error, with its causes.
    pub message: String,
}

impl Damage {
    /// The damage without the file name: `chunk 6: damaged chunk skipped: …`.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        if let Some(c) = self.chunk {
            out.push_str(&format!("chunk {c}: "));
        }
        if let Some(r) = self.record_number {
            out.push_str(&format!("record {r}: "));
        }
        if let Some(o) = self.offset {
            out.push_str(&format!("offset {o:#x}: "));
        }
        let what = match self.kind {
            DamageKind::Chunk => "damaged chunk skipped",
            DamageKind::Record => "damaged record skipped",
            DamageKind::Panic => "parser failure, skipped",
        };
        out.push_str(&format!("{what}: {}", self.message));
        out
    }
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.describe())
    }
}

/// One item of a file: an event or a damaged part.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A record.
    Event(Event),
    /// Something skipped.
    Damage(Damage),
}

/// Counts for one file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileSummary {
    /// Records read.
    pub records: u64,
    /// Chunks skipped.
    pub damaged_chunks: u64,
    /// Records skipped (including panics).
    pub damaged_records: u64,
}

impl FileSummary {
    /// Whether anything was skipped.
    pub fn is_damaged(&self) -> bool {
        self.damaged_chunks + self.damaged_records > 0
    }
}

/// A file that could not be opened as EVTX at all.
#[derive(Debug)]
pub struct OpenError {
    /// The file.
    pub file: PathBuf,
    /// Why, with causes.
    pub message: String,
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: cannot read as EVTX: {}",
            self.file.display(),
            self.message
        )
    }
}

impl std::error::Error for OpenError {}

/// Reads EVTX files into ECS documents.
#[derive(Debug, Clone)]
pub struct EvtxReader {
    mapper: Arc<Mapper>,
    options: ReadOptions,
}

/// The per-record result computed on a worker thread.
enum Outcome {
    Event(Value, Option<String>, Option<u64>),
    Panic(String),
}

/// A panic payload as text.
fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

/// An error and its causes, joined with ": ".
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let s = c.to_string();
        if !out.ends_with(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = c.source();
    }
    out
}

/// Gives up on a file after this many panics in a row (each one skips a chunk).
const MAX_CONSECUTIVE_PANICS: u32 = 64;

impl EvtxReader {
    /// A reader using `mapper`.
    pub fn new(mapper: Arc<Mapper>, options: ReadOptions) -> EvtxReader {
        EvtxReader { mapper, options }
    }

    /// A reader with the built-in mapping.
    pub fn with_builtin_mapping(options: ReadOptions) -> EvtxReader {
        EvtxReader::new(Mapper::builtin(), options)
    }

    /// Reads the file at `path`, handing every event and every damaged part to `sink` in
    /// file order; `sink` returns [`ControlFlow::Break`] to stop early. Fails only when the
    /// file cannot be opened as EVTX at all (missing, unreadable, no EVTX header).
    pub fn read_file(
        &self,
        path: &Path,
        sink: impl FnMut(Item) -> ControlFlow<()>,
    ) -> Result<FileSummary, OpenError> {
        let file = std::fs::File::open(path).map_err(|e| OpenError {
            file: path.to_path_buf(),
            message: e.to_string(),
        })?;
        self.read(file, path, sink)
    }

    /// Like [`EvtxReader::read_file`], from any seekable input; `path` names it in
    /// locations and in `log.file.path`.
    pub fn read<R: std::io::Read + std::io::Seek>(
        &self,
        input: R,
        path: &Path,
        mut sink: impl FnMut(Item) -> ControlFlow<()>,
    ) -> Result<FileSummary, OpenError> {
        let file = Arc::new(path.to_path_buf());
        let open_err = |message: String| OpenError {
            file: path.to_path_buf(),
            message,
        };
        let parser = catch_unwind(AssertUnwindSafe(|| EvtxParser::from_read_seek(input)))
            .map_err(|p| open_err(format!("parser failure: {}", panic_message(&*p))))?
            .map_err(|e| open_err(chain(&e)))?;
        let settings = ParserSettings::new()
            .num_threads(self.options.threads)
            .indent(false)
            .separate_json_attributes(false)
            .validate_checksums(false);
        let mut parser = parser.with_configuration(settings);

        let mapper = Arc::clone(&self.mapper);
        let output = self.options.output;
        let map_options = self.options.map.clone();
        // An unnamed input (stdin, spooled data) gets no log.file.path.
        let path_text: Option<Arc<str>> =
            Some(Arc::from(path.to_string_lossy().as_ref())).filter(|p: &Arc<str>| !p.is_empty());
        let work =
            move |rec: evtx::err::Result<EvtxRecord<'_>>| -> evtx::err::Result<(u64, Outcome)> {
                let rec = rec?;
                let number = rec.event_record_id;
                let result = catch_unwind(AssertUnwindSafe(|| {
                    render_and_map(rec, &mapper, output, path_text.as_deref(), &map_options)
                }));
                match result {
                    Ok(Ok(outcome)) => Ok((number, outcome)),
                    Ok(Err(e)) => Err(e),
                    Err(p) => Ok((number, Outcome::Panic(panic_message(&*p)))),
                }
            };

        let mut summary = FileSummary::default();
        let mut records = parser.serialized_records(work);
        let mut panics_in_a_row = 0u32;
        loop {
            let next = catch_unwind(AssertUnwindSafe(|| records.next()));
            let item = match next {
                Ok(None) => break,
                Ok(Some(Ok((number, Outcome::Event(doc, index, event_record_id))))) => {
                    panics_in_a_row = 0;
                    summary.records += 1;
                    Item::Event(Event {
                        doc,
                        index,
                        location: Location {
                            file: Arc::clone(&file),
                            record_number: number,
                            event_record_id,
                        },
                    })
                }
                Ok(Some(Ok((number, Outcome::Panic(message))))) => {
                    summary.damaged_records += 1;
                    Item::Damage(Damage {
                        file: Arc::clone(&file),
                        kind: DamageKind::Panic,
                        chunk: None,
                        record_number: Some(number),
                        offset: None,
                        message,
                    })
                }
                Ok(Some(Err(e))) => {
                    panics_in_a_row = 0;
                    let damage = damage_of(&file, &e);
                    match damage.kind {
                        DamageKind::Chunk => summary.damaged_chunks += 1,
                        _ => summary.damaged_records += 1,
                    }
                    Item::Damage(damage)
                }
                Err(p) => {
                    panics_in_a_row += 1;
                    summary.damaged_chunks += 1;
                    let stop = panics_in_a_row >= MAX_CONSECUTIVE_PANICS;
                    let mut message = panic_message(&*p);
                    if stop {
                        message.push_str(" (too many failures in a row; rest of file skipped)");
                    }
                    let flow = sink(Item::Damage(Damage {
                        file: Arc::clone(&file),
                        kind: DamageKind::Panic,
                        chunk: None,
                        record_number: None,
                        offset: None,
                        message,
                    }));
                    if stop || flow.is_break() {
                        break;
                    }
                    continue;
                }
            };
            if sink(item).is_break() {
                break;
            }
        }
        Ok(summary)
    }
}

/// Renders one record to JSON and maps it (on a worker thread).
fn render_and_map(
    rec: EvtxRecord<'_>,
    mapper: &Mapper,
    output: OutputKind,
    path: Option<&str>,
    options: &MapOptions,
) -> evtx::err::Result<Outcome> {
    let number = rec.event_record_id;
    let rendered = rec.into_json_bytes()?;
    let json: Value = match serde_json::from_slice(&rendered.data) {
        Ok(v) => v,
        Err(e) => {
            return Err(EvtxError::FailedToParseRecord {
                record_id: number,
                source: Box::new(EvtxError::CalculationError(format!(
                    "rendered JSON does not parse: {e}"
                ))),
            });
        }
    };
    let record = Record::from_json(&json);
    let event_record_id = record.record_id;
    Ok(match output {
        OutputKind::Raw => Outcome::Event(json, None, event_record_id),
        OutputKind::Ecs => {
            let m = mapper.map(&record, path, options);
            Outcome::Event(m.doc, Some(m.index), event_record_id)
        }
    })
}

/// Where an `evtx` error happened and what it says.
fn damage_of(file: &Arc<PathBuf>, e: &EvtxError) -> Damage {
    let (kind, chunk, record_number, offset) = match e {
        EvtxError::FailedToParseChunk { chunk_id, .. } => {
            (DamageKind::Chunk, Some(*chunk_id), None, None)
        }
        EvtxError::FailedToParseRecord { record_id, .. } => {
            (DamageKind::Record, None, Some(*record_id), None)
        }
        EvtxError::FailedToReadRecordAt { chunk, offset, .. } => {
            (DamageKind::Record, *chunk, None, Some(*offset))
        }
        _ => (DamageKind::Record, None, None, None),
    };
    Damage {
        file: Arc::clone(file),
        kind,
        chunk,
        record_number,
        offset,
        message: chain(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_detection() {
        assert!(is_evtx(b"ElfFile\0rest"));
        assert!(!is_evtx(b"ElfFile"));
        assert!(!is_evtx(b"{\"a\":1}\n"));
    }

    #[test]
    fn not_evtx_is_an_open_error() {
        let dir = std::env::temp_dir().join(format!("shrike-evtx-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let p = dir.join("not.evtx");
        std::fs::write(&p, b"this is not an event log").expect("write");
        let r = EvtxReader::with_builtin_mapping(ReadOptions::default());
        let e = r
            .read_file(&p, |_| ControlFlow::Continue(()))
            .expect_err("not evtx");
        assert!(e.to_string().contains("cannot read as EVTX"), "{e}");
        assert!(!sniff(&p).expect("sniff"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
