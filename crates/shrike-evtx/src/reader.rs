//! Reading `.evtx` files: records out, damage reported, never a panic.
//!
//! Parsing uses the `evtx` crate's chunk pipeline, which renders whole chunks to JSON on
//! its worker threads (the fast path its own `evtx_dump` uses); batches of rendered chunks
//! are then mapped to ECS in parallel, and results come back in file order. A chunk that cannot be read (bad
//! magic, broken string table…) or a record that cannot be parsed becomes a [`Damage`] with
//! its location, and reading goes on with the next one.
//!
//! # Panic safety
//!
//! Nothing derived from a file may crash a run. The `evtx` crate is fuzzed and returns
//! errors for the damage we know of (every damaged sample in `shared/samples/evtx` is read
//! without one), but a parser over untrusted binary input can still hit an unforeseen bug.
//! As a documented last resort, mapping each record runs under
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
use evtx::{EvtxParser, ParserSettings, RenderedChunk, RenderedChunkItem};
use rayon::prelude::*;
use serde_json::Value;

use crate::doc::Node;
use crate::mapping::{MapOptions, Mapper};
use crate::record::RawRecord;

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
    /// ECS documents as `serde_json::Value` ([`Doc::Value`]).
    #[default]
    Ecs,
    /// ECS documents as compact JSON text ([`Doc::Json`]), serialized on the worker threads:
    /// the fast path for writing documents out.
    EcsJson,
    /// The record as the `evtx` crate renders it (`{"Event": {"System": …}}`), unmapped,
    /// as JSON text.
    Raw,
}

/// A record's document, in the form [`OutputKind`] asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Doc {
    /// A JSON value.
    Value(Value),
    /// Compact JSON text (one line).
    Json(String),
}

impl Doc {
    /// The document as a JSON value (parsing it if it is text).
    pub fn into_value(self) -> Result<Value, serde_json::Error> {
        match self {
            Doc::Value(v) => Ok(v),
            Doc::Json(s) => serde_json::from_str(&s),
        }
    }
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
    pub doc: Doc,
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

        let threads = match self.options.threads {
            0 => rayon::current_num_threads(),
            n => n,
        };
        let job = MapJob {
            mapper: &self.mapper,
            output: self.options.output,
            // An unnamed input (stdin, spooled data) gets no log.file.path.
            path: Some(path.to_string_lossy()).filter(|p| !p.is_empty()),
            options: &self.options.map,
        };
        let mut summary = FileSummary::default();
        let mut panics_in_a_row = 0u32;
        // The evtx crate renders chunks to JSON on its worker threads (up to 2 per thread
        // ahead of us); we map a batch of rendered chunks in parallel, then hand the
        // results to the sink in file order.
        let mut chunks = parser.chunks_json_bytes(false);
        let batch_size = threads.max(1) * 2;
        let mut done = false;
        'file: while !done {
            let mut batch: Vec<Result<RenderedChunk, String>> = Vec::with_capacity(batch_size);
            while batch.len() < batch_size {
                match catch_unwind(AssertUnwindSafe(|| chunks.next())) {
                    Ok(Some(chunk)) => batch.push(Ok(chunk)),
                    Ok(None) => {
                        done = true;
                        break;
                    }
                    Err(p) => batch.push(Err(panic_message(&*p))),
                }
            }
            let mapped: Vec<Vec<Produced>> = if threads > 1 && batch.len() > 1 {
                batch.into_par_iter().map(|c| job.chunk(c)).collect()
            } else {
                batch.into_iter().map(|c| job.chunk(c)).collect()
            };
            for produced in mapped.into_iter().flatten() {
                let item = match produced {
                    Produced::Event(number, doc, index, event_record_id) => {
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
                    Produced::Failed(e) => {
                        panics_in_a_row = 0;
                        let damage = damage_of(&file, &e);
                        match damage.kind {
                            DamageKind::Chunk => summary.damaged_chunks += 1,
                            _ => summary.damaged_records += 1,
                        }
                        Item::Damage(damage)
                    }
                    Produced::RecordPanic(number, message) => {
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
                    Produced::ChunkPanic(mut message) => {
                        panics_in_a_row += 1;
                        summary.damaged_chunks += 1;
                        let stop = panics_in_a_row >= MAX_CONSECUTIVE_PANICS;
                        if stop {
                            message.push_str(" (too many failures in a row; rest of file skipped)");
                            done = true;
                        }
                        Item::Damage(Damage {
                            file: Arc::clone(&file),
                            kind: DamageKind::Panic,
                            chunk: None,
                            record_number: None,
                            offset: None,
                            message,
                        })
                    }
                };
                if sink(item).is_break() {
                    break 'file;
                }
            }
        }
        Ok(summary)
    }
}

/// One record's (or chunk's) result, computed on a worker thread.
enum Produced {
    /// Record number in the file, document, index, EventRecordID.
    Event(u64, Doc, Option<String>, Option<u64>),
    /// The evtx crate's error for a chunk or record.
    Failed(EvtxError),
    /// Mapping a record panicked.
    RecordPanic(u64, String),
    /// Reading or rendering a chunk panicked.
    ChunkPanic(String),
}

/// What mapping a rendered chunk needs (shared by the worker threads).
struct MapJob<'a> {
    mapper: &'a Mapper,
    output: OutputKind,
    path: Option<std::borrow::Cow<'a, str>>,
    options: &'a MapOptions,
}

impl MapJob<'_> {
    /// Maps every record of a rendered chunk, in order.
    fn chunk(&self, chunk: Result<RenderedChunk, String>) -> Vec<Produced> {
        let RenderedChunk { data, items } = match chunk {
            Ok(c) => c,
            Err(message) => return vec![Produced::ChunkPanic(message)],
        };
        let mut out = Vec::with_capacity(items.len());
        let mut start = 0;
        for item in items {
            match item {
                RenderedChunkItem::Record {
                    event_record_id: number,
                    end,
                } => {
                    // Each record's bytes end with a newline at `end - 1`.
                    let bytes = data.get(start..end.saturating_sub(1)).unwrap_or(&[]);
                    start = end;
                    let mapped = catch_unwind(AssertUnwindSafe(|| self.record(number, bytes)));
                    out.push(match mapped {
                        Ok(Ok((doc, index, erid))) => Produced::Event(number, doc, index, erid),
                        Ok(Err(e)) => Produced::Failed(e),
                        Err(p) => Produced::RecordPanic(number, panic_message(&*p)),
                    });
                }
                RenderedChunkItem::Failed(e) => out.push(Produced::Failed(e)),
            }
        }
        out
    }

    /// Maps one record's rendered JSON.
    fn record(
        &self,
        number: u64,
        json: &[u8],
    ) -> Result<(Doc, Option<String>, Option<u64>), EvtxError> {
        let bad_json = |e: &dyn fmt::Display| EvtxError::FailedToParseRecord {
            record_id: number,
            source: Box::new(EvtxError::CalculationError(format!(
                "rendered JSON does not parse: {e}"
            ))),
        };
        let text = std::str::from_utf8(json).map_err(|e| bad_json(&e))?;
        let tree = crate::json::parse(text).map_err(|e| bad_json(&e))?;
        let record = RawRecord::from_json(&tree);
        let event_record_id = record.record_id;
        let path = self.path.as_deref();
        Ok(match self.output {
            OutputKind::Raw => (Doc::Json(text.to_string()), None, event_record_id),
            OutputKind::Ecs => {
                let (doc, index) = self.mapper.map_tree(record, path, self.options);
                (
                    Doc::Value(Node::Obj(doc).into_value()),
                    Some(index),
                    event_record_id,
                )
            }
            OutputKind::EcsJson => {
                let (doc, index) = self.mapper.map_tree(record, path, self.options);
                let mut out = Vec::with_capacity(json.len() + json.len() / 2);
                doc.write(&mut out);
                // Valid UTF-8: pieces of the (valid) input and ASCII punctuation.
                let text = String::from_utf8(out).map_err(|e| bad_json(&e))?;
                (Doc::Json(text), Some(index), event_record_id)
            }
        })
    }
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
