//! The input side of shrike: turns files, directories and stdin into a stream of raw JSON
//! records, reports every bad input with its location, and sorts events by time within a
//! memory budget.
//!
//! ```
//! use std::ops::ControlFlow;
//! use shrike_io::{InputReport, ReadOptions, Reader, Source};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("events.ndjson");
//! std::fs::write(&path, "{\"a\":1}\nnot json\n{\"a\":2}\n").unwrap();
//!
//! let mut report = InputReport::default();
//! let mut docs = Vec::new();
//! Reader::new(ReadOptions::default()).for_each(&[Source::file(&path)], &mut report, |rec, problems| {
//!     match serde_json::from_str::<serde_json::Value>(rec.json) {
//!         Ok(v) => docs.push((rec.pos, v)),
//!         Err(e) => problems.json_error(&rec, &e),
//!     }
//!     ControlFlow::Continue(())
//! });
//! assert_eq!(docs.len(), 2);
//! assert_eq!(report.count(shrike_io::codes::NOT_AN_OBJECT), 1); // line 2, reported
//! assert!(report.messages()[0].to_string().ends_with("events.ndjson:2: error[I0008]: not a JSON object: starts with `not json`"));
//! ```
//!
//! # Inputs
//!
//! [`InputSpec::parse`] reads command-line arguments (`FILE`, `DIR`, `-`, `INDEX=FILE`) and
//! [`expand`] turns them into [`Source`]s: directories recursively, sorted by name, hidden
//! entries skipped. Formats are detected by content, never by name:
//!
//! * NDJSON (one document per line, blank lines ignored, `\r\n` accepted, UTF-8 BOM
//!   skipped);
//! * NDJSON of Elasticsearch hits (`{"_index":…,"_id":…,"_source":{…}}` per line, as export
//!   tools write): the record is `_source`, with `_index` and `_id` kept;
//! * `_bulk` bodies: action lines (`index`, `create`; `delete` skipped; `update` reported)
//!   each followed by its document, whose index and id come from the action;
//! * whole JSON values, possibly pretty-printed and with `//` or `/* */` comments (as
//!   Elasticsearch's test data files have): arrays of documents or of hits, search
//!   responses (`hits.hits`, or an EQL response's `hits.events`), documents one after
//!   another;
//! * each of these gzip- or zstd-compressed (by magic bytes, multi-member gzip included);
//! * EVTX (`ElfFile\0`), decoded by the [`EvtxDecoder`] plugged into the [`Reader`]
//!   (with the default `evtx` feature, [`Reader::default`] plugs in `shrike-evtx` with its
//!   built-in ECS mapping; the event's index comes from that mapping).
//!
//! A [`Record`] is the document's JSON text (borrowed from the reader's buffer), its file
//! and line (or EVTX record number), its index and its id. The index given on the command
//! line overrides the record's own `_index`.
//!
//! # Reading in parallel, in order
//!
//! [`Reader::par_map`] is the fast path: each input is read by one thread (reading,
//! decompressing, cutting the text into chunks of whole records, about 1 MiB each) and the
//! chunks are decoded by a pool of threads; `map` runs on each chunk on the pool, and
//! `consume` gets the results on the calling thread in input order — input by input, chunk
//! by chunk — so that output is the same for one thread or many. Records are borrowed
//! slices of the chunk's buffer: no per-record allocation; newlines are found with
//! `memchr`; the whole chunk is checked for UTF-8 at once.
//!
//! # Bad input
//!
//! Nothing read can crash the reader or vanish silently: each problem is a [`Problem`] with a
//! stable code ([`codes`], `I0001`–`I0999`) and a [`Location`], collected in an
//! [`InputReport`] (the first N verbatim, then counts per code), and reading goes on with
//! the next record. See the "Input safety" section of the repository's ARCHITECTURE.md for
//! the limits ([`ReadOptions`]).
//!
//! # Time order
//!
//! [`sort::ExternalSorter`] sorts any number of `(key, payload)` items within a memory
//! budget: in memory while it fits, then as sorted runs spilled to anonymous temporary files
//! and merged k-way. Equal keys keep their insertion order, so the result is deterministic.
#![deny(missing_docs)]

mod chunk;
mod evtx;
mod location;
mod open;
mod pipeline;
mod read;
mod report;
mod scan;
pub mod sort;
mod spec;
pub mod store;

pub use chunk::{Batch, Record};
#[cfg(feature = "evtx")]
pub use evtx::builtin_decoder;
pub use evtx::{EvtxDamage, EvtxDecoder, EvtxEvent, EvtxItem};
pub use location::{Location, Pos};
pub use pipeline::Reader;
pub use report::{
    classify_json_error, codes, CodeCount, InputReport, Problem, Problems, ReadStats,
};
pub use scan::nesting_exceeds;
pub use spec::{expand, file_stem, DefaultIndex, InputPath, InputSpec, Source, SpecError};

/// Limits and tuning for reading. The defaults suit hunting over large logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    /// Decoding threads; `0` means one per available core.
    pub threads: usize,
    /// The largest record (line or document) accepted, in bytes; longer ones are reported
    /// ([`codes::TOO_LARGE`]) and skipped without being buffered whole. Default 16 MiB.
    pub max_record_bytes: usize,
    /// The largest whole JSON value read at once to find documents inside it (a search
    /// response); default 256 MiB. Arrays are streamed element by element and do not need
    /// this.
    pub max_document_bytes: usize,
    /// The deepest nesting of arrays and objects the reader's own scanning accepts (hits,
    /// arrays, responses); deeper documents are reported ([`codes::TOO_DEEP`]). Default 128,
    /// as `serde_json`'s recursion limit, which bounds the consumer's parse of plain lines.
    pub max_depth: usize,
    /// Target size of a chunk of records handed to a decoding thread. Default 1 MiB.
    pub chunk_bytes: usize,
    /// Chunks each reading thread may have decoded but not yet consumed. Default 4.
    pub chunks_in_flight: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            threads: 0,
            max_record_bytes: 16 << 20,
            max_document_bytes: 256 << 20,
            max_depth: 128,
            chunk_bytes: 1 << 20,
            chunks_in_flight: 4,
        }
    }
}

impl ReadOptions {
    /// The number of decoding threads to use.
    pub fn threads(&self) -> usize {
        if self.threads > 0 {
            self.threads
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        }
    }
}
