//! Chunks: the unit of work between the reading thread of an input and the threads that
//! decode it. A chunk holds whole records only (never half a line), so chunks of one input
//! can be decoded in parallel and their results put back in input order.

use std::ops::Range;
use std::sync::Arc;

use memchr::memchr_iter;

use crate::location::{Location, Pos};
use crate::report::{codes, Problem, Problems};
use crate::scan::{key_is, unescape, Members, ValueScan};
use crate::spec::Source;

/// How record positions of a chunk are numbered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PosKind {
    Line,
    Record,
}

/// One record inside a chunk: byte ranges into the chunk's text and strings arena.
#[derive(Clone, Debug)]
pub(crate) struct Rec {
    pub range: Range<usize>,
    /// Line or record number.
    pub pos: u64,
    /// Position in the input's stream, for ordering problems (the line in line formats, a
    /// counter in the others).
    pub ord: u64,
    /// The record is an Elasticsearch hit to unwrap (`_source`, `_index`, `_id`).
    pub hit: bool,
    pub index: Option<Range<usize>>,
    pub id: Option<Range<usize>>,
}

/// Per-input totals, sent with an input's last chunk.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SourceStats {
    pub opened: bool,
    pub bytes_in: u64,
    pub bytes_decoded: u64,
}

/// A piece of one input.
#[derive(Debug)]
pub(crate) struct Chunk {
    /// Index of the input in the list being read.
    pub source: usize,
    /// 0, 1, 2… within the input.
    pub seq: u64,
    /// The input's last chunk (carries its stats).
    pub last: bool,
    pub data: Vec<u8>,
    /// `None`: `data` is whole lines starting at line `first_line`, split by the worker.
    pub recs: Option<Vec<Rec>>,
    pub first_line: u64,
    /// For line chunks: unwrap every line as a hit.
    pub hit_lines: bool,
    pub pos_kind: PosKind,
    /// Arena for `_index`/`_id` strings.
    pub strings: String,
    pub problems: Problems,
    pub stats: SourceStats,
}

impl Chunk {
    pub(crate) fn new(source: usize, seq: u64, pos_kind: PosKind) -> Self {
        Chunk {
            source,
            seq,
            last: false,
            data: Vec::new(),
            recs: Some(Vec::new()),
            first_line: 1,
            hit_lines: false,
            pos_kind,
            strings: String::new(),
            problems: Problems::default(),
            stats: SourceStats::default(),
        }
    }
}

/// Recycled chunk buffers: a fresh megabyte per chunk would cost page faults and zeroing
/// on every chunk; the pool is bounded, so memory stays bounded too.
#[derive(Clone, Debug)]
pub(crate) struct BufferPool {
    tx: crossbeam_channel::Sender<Vec<u8>>,
    rx: crossbeam_channel::Receiver<Vec<u8>>,
}

impl BufferPool {
    pub(crate) fn new(buffers: usize) -> Self {
        let (tx, rx) = crossbeam_channel::bounded(buffers.max(1));
        BufferPool { tx, rx }
    }

    /// An empty buffer with at least `capacity` bytes of room.
    pub(crate) fn get(&self, capacity: usize) -> Vec<u8> {
        let mut v = self.rx.try_recv().unwrap_or_default();
        v.clear();
        v.reserve(capacity);
        v
    }

    /// Gives a buffer back (dropped if the pool is full).
    pub(crate) fn put(&self, v: Vec<u8>) {
        let _ = self.tx.try_send(v);
    }
}

/// Limits the decoding threads apply.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub max_record_bytes: usize,
    pub max_depth: usize,
}

/// A chunk after validation: UTF-8 text and the records in it.
#[derive(Debug, Default)]
pub(crate) struct Prepared {
    pub text: String,
    pub strings: String,
    pub recs: Vec<Rec>,
    pub pos_kind: Option<PosKind>,
}

fn trim(bytes: &[u8], mut r: Range<usize>) -> Range<usize> {
    while r.start < r.end && bytes[r.start].is_ascii_whitespace() {
        r.start += 1;
    }
    while r.end > r.start && bytes[r.end - 1].is_ascii_whitespace() {
        r.end -= 1;
    }
    r
}

impl Prepared {
    /// Returns the chunk's buffer to the pool.
    pub(crate) fn recycle(self, pool: &BufferPool) {
        pool.put(self.text.into_bytes());
    }
}

/// Splits, checks and unwraps the records of a chunk. Every record dropped is reported in
/// `problems` with its location.
pub(crate) fn prepare(
    mut chunk: Chunk,
    file: &Arc<str>,
    limits: Limits,
    scan: &mut ValueScan,
    problems: &mut Problems,
) -> Prepared {
    let pos_kind = chunk.pos_kind;
    let loc = |pos: u64| {
        Location::new(
            file.clone(),
            match pos_kind {
                PosKind::Line => Pos::Line(pos),
                PosKind::Record => Pos::Record(pos),
            },
        )
    };
    let mut data = std::mem::take(&mut chunk.data);
    let mut recs = match chunk.recs.take() {
        Some(r) => r,
        None => {
            let mut out = Vec::with_capacity(data.len() / 256 + 1);
            let mut start = 0;
            let mut line = chunk.first_line;
            let hit = chunk.hit_lines;
            let mut push = |r: Range<usize>, line: u64| {
                let r = trim(&data, r);
                if !r.is_empty() {
                    out.push(Rec {
                        range: r,
                        pos: line,
                        ord: line,
                        hit,
                        index: None,
                        id: None,
                    });
                }
            };
            for nl in memchr_iter(b'\n', &data) {
                push(start..nl, line);
                start = nl + 1;
                line += 1;
            }
            if start < data.len() {
                push(start..data.len(), line);
            }
            out
        }
    };

    // Size and shape checks.
    recs.retain(|r| {
        let len = r.range.len();
        if len > limits.max_record_bytes {
            problems.push_at(
                (r.ord, 1),
                Problem::error(
                    codes::TOO_LARGE,
                    loc(r.pos),
                    format!(
                        "record of {len} bytes is larger than the cap of {} bytes; skipped",
                        limits.max_record_bytes
                    ),
                ),
            );
            return false;
        }
        if data.get(r.range.start) != Some(&b'{') {
            problems.push_at(
                (r.ord, 1),
                Problem::error(
                    codes::NOT_AN_OBJECT,
                    loc(r.pos),
                    format!(
                        "not a JSON object: starts with `{}`",
                        preview(&data[r.range.clone()])
                    ),
                ),
            );
            return false;
        }
        true
    });

    // UTF-8: one pass over the whole chunk in the common case.
    let text = match String::from_utf8(data) {
        Ok(t) => t,
        Err(e) => {
            data = e.into_bytes();
            recs.retain(|r| match std::str::from_utf8(&data[r.range.clone()]) {
                Ok(_) => true,
                Err(e) => {
                    let at = r.range.start + e.valid_up_to();
                    let extra = memchr_iter(b'\n', &data[r.range.start..at]).count() as u64;
                    let pos = if pos_kind == PosKind::Line {
                        r.pos + extra
                    } else {
                        r.pos
                    };
                    problems.push_at(
                        (r.ord, 1),
                        Problem::error(
                            codes::INVALID_UTF8,
                            loc(pos),
                            format!(
                                "invalid UTF-8 at byte {} of the record; skipped",
                                e.valid_up_to()
                            ),
                        ),
                    );
                    data[r.range.clone()].fill(b' ');
                    false
                }
            });
            // Bytes outside records (skipped lines, `_bulk` actions) may still be invalid.
            while let Err(e) = std::str::from_utf8(&data) {
                let from = e.valid_up_to();
                let to = e.error_len().map_or(data.len(), |n| from + n);
                data[from..to].fill(b' ');
            }
            String::from_utf8(data).unwrap_or_default()
        }
    };

    let mut strings = std::mem::take(&mut chunk.strings);
    if recs.iter().any(|r| r.hit) {
        recs.retain_mut(|r| {
            if !r.hit {
                return true;
            }
            match unwrap_hit(&text.as_bytes()[r.range.clone()], scan, limits) {
                Ok(h) => {
                    let base = r.range.start;
                    r.range = base + h.source.start..base + h.source.end;
                    if let Some(i) = h.index {
                        let s = strings.len();
                        strings.push_str(&i);
                        r.index = Some(s..strings.len());
                    }
                    if let Some(i) = h.id {
                        let s = strings.len();
                        strings.push_str(&i);
                        r.id = Some(s..strings.len());
                    }
                    true
                }
                Err((code, msg)) => {
                    problems.push_at((r.ord, 1), Problem::error(code, loc(r.pos), msg));
                    false
                }
            }
        });
    }
    Prepared {
        text,
        strings,
        recs,
        pos_kind: Some(pos_kind),
    }
}

/// The first few characters of a bad record, for messages.
pub(crate) fn preview(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(&bytes[..bytes.len().min(24)]);
    let mut out: String = s.chars().flat_map(char::escape_default).collect();
    if bytes.len() > 24 {
        out.push('…');
    }
    out
}

pub(crate) struct Hit {
    pub source: Range<usize>,
    pub index: Option<String>,
    pub id: Option<String>,
}

fn string_value(raw: &[u8]) -> Option<String> {
    if raw.len() >= 2 && raw[0] == b'"' && raw[raw.len() - 1] == b'"' {
        unescape(&raw[1..raw.len() - 1]).map(|c| c.into_owned())
    } else {
        None
    }
}

/// Finds `_source`, `_index` and `_id` in an Elasticsearch hit.
pub(crate) fn unwrap_hit(
    bytes: &[u8],
    scan: &mut ValueScan,
    limits: Limits,
) -> Result<Hit, (&'static str, String)> {
    let scan_err = |(e, _at): (crate::scan::ScanError, usize)| {
        let code = if e == crate::scan::ScanError::TooDeep {
            codes::TOO_DEEP
        } else {
            codes::MALFORMED_JSON
        };
        (
            code,
            format!("malformed hit: {}", e.describe(limits.max_depth)),
        )
    };
    let mut members = Members::new(bytes, scan)
        .map_err(scan_err)?
        .ok_or((codes::NOT_AN_OBJECT, "hit is not a JSON object".to_string()))?;
    let mut hit = Hit {
        source: 0..0,
        index: None,
        id: None,
    };
    let mut has_source = false;
    while let Some((key, r)) = members.next_member().map_err(scan_err)? {
        if key_is(key, "_source") {
            if bytes[r.start] != b'{' {
                return Err((
                    codes::NOT_AN_OBJECT,
                    "`_source` is not a JSON object".into(),
                ));
            }
            hit.source = r;
            has_source = true;
        } else if key_is(key, "_index") {
            hit.index = string_value(&bytes[r]);
        } else if key_is(key, "_id") {
            hit.id = string_value(&bytes[r]);
        }
    }
    if !has_source {
        return Err((
            codes::HIT_WITHOUT_SOURCE,
            "search hit without `_source` (was the search run with `_source: false`?)".into(),
        ));
    }
    Ok(hit)
}

/// The records of one chunk of one input, handed to the consumer's map function.
#[derive(Clone, Copy)]
pub struct Batch<'a> {
    pub(crate) source: &'a Source,
    pub(crate) prepared: &'a Prepared,
}

impl<'a> Batch<'a> {
    /// The input these records come from.
    pub fn source(&self) -> &'a Source {
        self.source
    }

    /// How many records.
    pub fn len(&self) -> usize {
        self.prepared.recs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.prepared.recs.is_empty()
    }

    /// The records, in input order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Record<'a>> + 'a {
        let p = self.prepared;
        let source = self.source;
        let kind = p.pos_kind.unwrap_or(PosKind::Line);
        p.recs.iter().map(move |r| Record {
            json: p.text.get(r.range.clone()).unwrap_or(""),
            file: &source.name,
            pos: match kind {
                PosKind::Line => Pos::Line(r.pos),
                PosKind::Record => Pos::Record(r.pos),
            },
            index: source
                .index
                .as_deref()
                .or_else(|| r.index.clone().and_then(|i| p.strings.get(i))),
            id: r.id.clone().and_then(|i| p.strings.get(i)),
            ord: r.ord,
        })
    }
}

/// One raw record: the JSON text of one document and where it came from. Borrowed from
/// the reader's buffer; copy what must outlive the callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// The document's JSON text: valid UTF-8, starts with `{`, at most the record size cap.
    /// Its full JSON syntax is checked by the consumer's parser (report failures with
    /// [`Problems::json_error`]).
    pub json: &'a str,
    /// Display name of the input.
    pub file: &'a Arc<str>,
    /// Line (text inputs; the first line of a multi-line document) or record number (EVTX).
    pub pos: Pos,
    /// The index of the event: the one given on the command line (`INDEX=FILE`) if any,
    /// else the record's own (`_index` of a hit, of a `_bulk` action), else none.
    pub index: Option<&'a str>,
    /// The document id (`_id` of a hit or `_bulk` action), if the input had one.
    pub id: Option<&'a str>,
    /// Position in the input's stream (orders the problems reported on it).
    pub(crate) ord: u64,
}

impl Record<'_> {
    /// The owned location (`file:line`).
    pub fn location(&self) -> Location {
        Location::new(self.file.clone(), self.pos)
    }

    /// The location of line `line` (1-based) inside this record's text, for errors a JSON
    /// parser reports inside a multi-line document.
    pub fn location_at_line_offset(&self, line: usize) -> Location {
        let pos = match self.pos {
            Pos::Line(n) if line > 1 => Pos::Line(n + line as u64 - 1),
            p => p,
        };
        Location::new(self.file.clone(), pos)
    }
}
