//! The reading side of one input: open, decompress, detect the format, and cut the content
//! into [`Chunk`]s of whole records. Runs on one thread per input; the expensive per-record
//! work (UTF-8, unwrapping hits, the consumer's parse) happens on the decoding threads.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, Cursor, Read, Write};
use std::ops::ControlFlow;
use std::rc::Rc;

use memchr::{memchr, memchr_iter, memrchr};

use crate::chunk::{BufferPool, Chunk, PosKind, Rec};
use crate::evtx::{EvtxDecoder, EvtxItem};
use crate::location::{Location, Pos};
use crate::open::{decompress, detect, read_head_keeping, Counting, Deferred, Format, SNIFF_BYTES};
use crate::report::{codes, Problem, Problems};
use crate::scan::{blank_comments, key_is, Members, ScanError, Step, ValueScan};
use crate::spec::{InputPath, Source};
use crate::ReadOptions;

fn count_nl(bytes: &[u8]) -> u64 {
    memchr_iter(b'\n', bytes).count() as u64
}

/// What the reader of one input needs.
pub(crate) struct Ctx<'a> {
    pub index: usize,
    pub source: &'a Source,
    pub opts: &'a ReadOptions,
    pub evtx: Option<&'a dyn EvtxDecoder>,
    /// Hands a chunk on; `false` means stop reading.
    pub emit: &'a mut dyn FnMut(Chunk) -> bool,
    pub pool: &'a BufferPool,
    seq: u64,
    stopped: bool,
    pending: Problems,
    /// The stream position of the next record (see `Rec::ord`); problems found by the
    /// reader are placed before that record.
    next_ord: u64,
}

impl Ctx<'_> {
    fn send(&mut self, mut chunk: Chunk) -> bool {
        if self.stopped {
            return false;
        }
        chunk.source = self.index;
        chunk.seq = self.seq;
        self.seq += 1;
        chunk.problems.list.append(&mut self.pending.list);
        if !(self.emit)(chunk) {
            self.stopped = true;
        }
        !self.stopped
    }

    fn problem(&mut self, code: &'static str, pos: Pos, message: impl Into<String>) {
        let loc = Location::new(self.source.name.clone(), pos);
        self.pending
            .push_at((self.next_ord, 0), Problem::error(code, loc, message));
    }

    /// The stream position for the next record pushed (formats without line-per-record).
    fn take_ord(&mut self) -> u64 {
        self.next_ord += 1;
        self.next_ord - 1
    }
}

/// Reads one input to its end (or until `emit` says stop), always finishing with a chunk
/// marked `last` that carries the input's totals and its remaining problems.
pub(crate) fn read_source(
    index: usize,
    source: &Source,
    opts: &ReadOptions,
    evtx: Option<&dyn EvtxDecoder>,
    pool: &BufferPool,
    emit: &mut dyn FnMut(Chunk) -> bool,
) {
    let mut ctx = Ctx {
        index,
        source,
        opts,
        evtx,
        emit,
        pool,
        seq: 0,
        stopped: false,
        pending: Problems::default(),
        next_ord: 0,
    };
    let bytes_in = Rc::new(Cell::new(0u64));
    let bytes_decoded = Rc::new(Cell::new(0u64));
    let opened = read_body(&mut ctx, bytes_in.clone(), bytes_decoded.clone());
    if ctx.stopped {
        return;
    }
    let mut last = Chunk::new(index, 0, PosKind::Line);
    last.last = true;
    last.stats.opened = opened;
    last.stats.bytes_in = bytes_in.get();
    last.stats.bytes_decoded = bytes_decoded.get();
    ctx.send(last);
}

/// Returns whether the input could be opened.
fn read_body(ctx: &mut Ctx<'_>, bytes_in: Rc<Cell<u64>>, bytes_decoded: Rc<Cell<u64>>) -> bool {
    let raw: Box<dyn Read> = match &ctx.source.path {
        InputPath::Stdin => Box::new(io::stdin().lock()),
        InputPath::Memory(bytes) => Box::new(Cursor::new(bytes.clone())),
        InputPath::Path(p) => match File::open(p) {
            Ok(f) if f.metadata().is_ok_and(|m| m.is_dir()) => {
                ctx.problem(codes::UNREADABLE, Pos::File, "is a directory");
                return false;
            }
            Ok(f) => Box::new(f),
            Err(e) => {
                ctx.problem(codes::UNREADABLE, Pos::File, format!("cannot open: {e}"));
                return false;
            }
        },
    };
    let counted = Counting {
        inner: raw,
        count: bytes_in.clone(),
    };
    let (decoded, layers) = match decompress(Box::new(counted)) {
        Ok(x) => x,
        Err(e) => {
            ctx.problem(codes::UNREADABLE, Pos::File, format!("cannot read: {e}"));
            return true;
        }
    };
    let compressed = !layers.is_empty();
    let stream_name = layers.last().map_or("", |c| c.name());
    let mut decoded = Counting {
        inner: decoded,
        count: bytes_decoded,
    };
    let read_error = |ctx: &mut Ctx<'_>, e: io::Error, pos: Pos| {
        if compressed {
            ctx.problem(
                codes::CORRUPT_STREAM,
                pos,
                format!("truncated or corrupt {stream_name} stream ({e}); the records before this point are kept"),
            );
        } else {
            ctx.problem(codes::UNREADABLE, pos, format!("read error: {e}"));
        }
    };
    // What the head holds before a read error (a compressed stream cut short) is read
    // like the rest; the error is replayed where it happened.
    let (head, failed) = read_head_keeping(&mut decoded, SNIFF_BYTES);
    if let Some(e) = failed.as_ref().filter(|_| head.is_empty()) {
        read_error(ctx, io::Error::new(e.kind(), e.to_string()), Pos::Line(1));
        return true;
    }
    let eof = head.len() < SNIFF_BYTES;
    let (format, skip) = detect(&head, eof, ctx.opts.max_depth);
    let mut cursor = Cursor::new(head);
    cursor.set_position(skip as u64);
    let rest: Box<dyn Read + '_> = match failed {
        Some(e) => Box::new(Deferred(Some(e))),
        None => Box::new(decoded),
    };
    let mut body = cursor.chain(rest);
    let outcome = match format {
        Format::Lines { hit } => read_lines(ctx, &mut body, hit, false),
        Format::Bulk => read_lines(ctx, &mut body, false, true),
        Format::Values => read_values(ctx, &mut body),
        Format::Evtx => {
            read_evtx(ctx, &mut body, compressed);
            (None, 0)
        }
        Format::Empty => (None, 0),
        Format::Unrecognised(what) => {
            let loc = Location::new(ctx.source.name.clone(), Pos::File);
            let msg = format!("not a log format shrike reads: {what}");
            // A stray file met while walking a directory is worth a warning, not a failure.
            ctx.pending.push_at(
                (0, 0),
                if ctx.source.walked {
                    Problem::warning(codes::UNRECOGNISED, loc, msg)
                } else {
                    Problem::error(codes::UNRECOGNISED, loc, msg)
                },
            );
            (None, 0)
        }
    };
    if let (Some(e), line) = outcome {
        ctx.next_ord = u64::MAX;
        read_error(ctx, e, Pos::Line(line.max(1)));
    }
    if let InputPath::Path(p) = &ctx.source.path {
        if bytes_in.get() == 0 {
            // EVTX decoders read the file themselves.
            bytes_in.set(std::fs::metadata(p).map_or(0, |m| m.len()));
        }
    }
    true
}

// ---------------------------------------------------------------------------------------
// Line formats: NDJSON, NDJSON of hits, `_bulk`.

/// Cuts a stream into chunks of whole lines, skipping (and reporting) lines over the cap
/// without buffering them.
struct LineChunker {
    carry: Vec<u8>,
    line: u64,
    chunk: usize,
    cap: usize,
    eof: bool,
    err: Option<io::Error>,
}

impl LineChunker {
    fn fill(&mut self, r: &mut dyn Read, data: &mut Vec<u8>, want: usize) {
        if self.eof {
            return;
        }
        // Large reads straight into the chunk (not `read_to_end`, whose small adaptive
        // reads slow decompressors down).
        let start = data.len();
        data.resize(start + want, 0);
        let mut filled = start;
        while filled < data.len() {
            match r.read(&mut data[filled..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.err = Some(e);
                    self.eof = true;
                    break;
                }
            }
        }
        data.truncate(filled);
    }

    fn next(&mut self, r: &mut dyn Read, ctx: &mut Ctx<'_>) -> Option<(Vec<u8>, u64)> {
        'outer: loop {
            let mut data = ctx.pool.get(self.chunk + self.carry.len());
            data.extend_from_slice(&self.carry);
            self.carry.clear();
            let first_line = self.line;
            let mut scanned = 0;
            loop {
                if self.eof {
                    if data.is_empty() {
                        return None;
                    }
                    if self.err.is_some() && data.last() != Some(&b'\n') {
                        // The stream broke inside this line: it is incomplete, drop it
                        // (the read error is reported at this line).
                        let cut = memrchr(b'\n', &data).map_or(0, |k| k + 1);
                        data.truncate(cut);
                        if data.is_empty() {
                            return None;
                        }
                    }
                    self.line += count_nl(&data);
                    return Some((data, first_line));
                }
                let want = self.chunk.saturating_sub(data.len()).max(64 * 1024);
                self.fill(r, &mut data, want);
                if self.eof {
                    continue;
                }
                if let Some(k) = memrchr(b'\n', &data[scanned..]) {
                    let cut = scanned + k + 1;
                    self.carry.extend_from_slice(&data[cut..]);
                    data.truncate(cut);
                    self.line += count_nl(&data);
                    return Some((data, first_line));
                }
                scanned = data.len();
                if data.len() > self.cap {
                    ctx.next_ord = first_line;
                    ctx.problem(
                        codes::TOO_LARGE,
                        Pos::Line(first_line),
                        format!("line longer than the cap of {} bytes; skipped", self.cap),
                    );
                    loop {
                        data.clear();
                        if self.eof {
                            return None;
                        }
                        self.fill(r, &mut data, 256 * 1024);
                        if let Some(k) = memchr(b'\n', &data) {
                            self.carry.extend_from_slice(&data[k + 1..]);
                            self.line = first_line + 1;
                            continue 'outer;
                        }
                    }
                }
            }
        }
    }
}

fn read_lines(
    ctx: &mut Ctx<'_>,
    r: &mut dyn Read,
    hit: bool,
    bulk: bool,
) -> (Option<io::Error>, u64) {
    let mut chunker = LineChunker {
        carry: Vec::new(),
        line: 1,
        chunk: ctx.opts.chunk_bytes.max(1),
        cap: ctx.opts.max_record_bytes,
        eof: false,
        err: None,
    };
    let mut pairing = BulkPairing::default();
    while let Some((data, first_line)) = chunker.next(r, ctx) {
        let mut chunk = Chunk::new(ctx.index, 0, PosKind::Line);
        chunk.first_line = first_line;
        if bulk {
            pairing.split(&data, first_line, &mut chunk, ctx);
        } else {
            chunk.recs = None;
            chunk.hit_lines = hit;
        }
        chunk.data = data;
        if !ctx.send(chunk) {
            break;
        }
    }
    if let Some(line) = pairing.expecting.take().map(|e| e.line) {
        ctx.problem(
            codes::BAD_BULK,
            Pos::Line(line),
            "`_bulk` action without its source line at the end of input",
        );
    }
    (chunker.err.take(), chunker.line)
}

#[derive(serde::Deserialize)]
struct ActionMeta {
    #[serde(rename = "_index")]
    index: Option<String>,
    #[serde(rename = "_id")]
    id: Option<serde_json::Value>,
}

struct Expect {
    line: u64,
    /// `None`: skip the next line (an `update` body).
    meta: Option<(Option<String>, Option<String>)>,
}

#[derive(Default)]
struct BulkPairing {
    expecting: Option<Expect>,
}

impl BulkPairing {
    fn split(&mut self, data: &[u8], first_line: u64, chunk: &mut Chunk, ctx: &mut Ctx<'_>) {
        let recs = chunk.recs.get_or_insert_with(Vec::new);
        let mut start = 0;
        let mut ends: Vec<usize> = memchr_iter(b'\n', data).collect();
        if data.last().is_some_and(|&b| b != b'\n') {
            ends.push(data.len());
        }
        for (this_line, end) in (first_line..).zip(ends) {
            let mut r = start..end;
            while r.start < r.end && data[r.start].is_ascii_whitespace() {
                r.start += 1;
            }
            while r.end > r.start && data[r.end - 1].is_ascii_whitespace() {
                r.end -= 1;
            }
            start = end + 1;
            if r.is_empty() {
                continue;
            }
            ctx.next_ord = this_line;
            if let Some(exp) = self.expecting.take() {
                if let Some((index, id)) = exp.meta {
                    let mut push = |s: Option<String>| {
                        s.map(|s| {
                            let a = chunk.strings.len();
                            chunk.strings.push_str(&s);
                            a..chunk.strings.len()
                        })
                    };
                    let index = push(index);
                    let id = push(id);
                    recs.push(Rec {
                        range: r,
                        pos: this_line,
                        ord: this_line,
                        hit: false,
                        index,
                        id,
                    });
                }
                continue;
            }
            let line_bytes = &data[r];
            match serde_json::from_slice::<std::collections::BTreeMap<String, ActionMeta>>(line_bytes) {
                Ok(map) if map.len() == 1 => {
                    let Some((op, meta)) = map.into_iter().next() else {
                        continue;
                    };
                    let id = meta.id.map(|v| match v {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    });
                    match op.as_str() {
                        "index" | "create" => {
                            self.expecting = Some(Expect {
                                line: this_line,
                                meta: Some((meta.index, id)),
                            })
                        }
                        "delete" => {}
                        "update" => {
                            ctx.problem(
                                codes::BAD_BULK,
                                Pos::Line(this_line),
                                "`update` actions are not supported; the update body on the next line is skipped",
                            );
                            self.expecting = Some(Expect {
                                line: this_line,
                                meta: None,
                            });
                        }
                        other => ctx.problem(
                            codes::BAD_BULK,
                            Pos::Line(this_line),
                            format!("unknown `_bulk` action `{other}`; line skipped"),
                        ),
                    }
                }
                _ => ctx.problem(
                    codes::BAD_BULK,
                    Pos::Line(this_line),
                    format!(
                        "expected a `_bulk` action line like {{\"index\":{{…}}}}, found `{}`; line skipped",
                        crate::chunk::preview(line_bytes)
                    ),
                ),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Whole JSON values: arrays, search responses, pretty-printed documents.

/// A sliding buffer over a stream that keeps the value being scanned in memory.
struct Window<'r> {
    r: &'r mut dyn Read,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    err: Option<io::Error>,
    line: u64,
}

const READ_SIZE: usize = 256 * 1024;

enum Captured {
    /// A value of this many bytes at the window's position.
    Value(usize),
    /// Over the cap; skipped (the window is past it).
    TooLarge(u64),
    /// Nested too deep; skipped.
    TooDeep(u64),
    /// Malformed at this line.
    Bad(ScanError, u64),
}

impl Window<'_> {
    fn avail(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    /// Reads more, keeping everything from `pos`; `false` at end of input.
    fn fill(&mut self) -> bool {
        if self.eof {
            return false;
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.buf.len() < self.end + READ_SIZE {
            self.buf.resize(self.end + READ_SIZE, 0);
        }
        loop {
            match self.r.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return false;
                }
                Ok(n) => {
                    self.end += n;
                    return true;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.err = Some(e);
                    self.eof = true;
                    return false;
                }
            }
        }
    }

    fn consume(&mut self, n: usize) {
        self.line += count_nl(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
    }

    /// Skips whitespace and comments; `Err(line)` for a comment that never ends (or is
    /// longer than `cap`).
    fn skip_ws(&mut self, cap: usize) -> Result<(), u64> {
        loop {
            if self.end - self.pos < 2 && !self.eof {
                self.fill();
                continue;
            }
            let a = self.avail();
            let Some(&b) = a.first() else {
                return Ok(());
            };
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => {
                    let n = a
                        .iter()
                        .position(|b| !b.is_ascii_whitespace())
                        .unwrap_or(a.len());
                    self.consume(n);
                }
                b'/' if a.get(1) == Some(&b'/') => loop {
                    match memchr(b'\n', self.avail()) {
                        Some(k) => {
                            self.consume(k + 1);
                            break;
                        }
                        None => {
                            let n = self.end - self.pos;
                            self.consume(n);
                            if !self.fill() {
                                break;
                            }
                        }
                    }
                },
                b'/' if a.get(1) == Some(&b'*') => match memchr::memmem::find(&a[2..], b"*/") {
                    Some(k) => self.consume(k + 4),
                    None if self.eof || a.len() > cap => return Err(self.line),
                    None => {
                        self.fill();
                    }
                },
                _ => return Ok(()),
            }
        }
    }

    /// Skips to the next line that starts with `{` or `[` (resynchronising after an error).
    fn skip_to_value_line(&mut self) {
        loop {
            match memchr(b'\n', self.avail()) {
                Some(k) => {
                    self.consume(k + 1);
                    if matches!(self.avail().first(), Some(b'{' | b'[')) {
                        return;
                    }
                    if self.avail().is_empty() && !self.fill() {
                        return;
                    }
                }
                None => {
                    let n = self.end - self.pos;
                    self.consume(n);
                    if !self.fill() {
                        return;
                    }
                }
            }
        }
    }

    fn capture(&mut self, scan: &mut ValueScan, cap: usize) -> Captured {
        scan.reset();
        let mut scanned = 0;
        loop {
            match scan.feed(&self.buf[self.pos + scanned..self.end], self.eof) {
                Step::Done(k) => {
                    let len = scanned + k;
                    if scan.too_deep {
                        let line = self.line;
                        self.consume(len);
                        return Captured::TooDeep(line);
                    }
                    return Captured::Value(len);
                }
                // A value cut off by the end of input is reported where it starts.
                Step::Error(ScanError::Eof, _) => return Captured::Bad(ScanError::Eof, self.line),
                Step::Error(e, k) => {
                    let line = self.line + count_nl(&self.buf[self.pos..self.pos + scanned + k]);
                    return Captured::Bad(e, line);
                }
                Step::NeedMore => {
                    scanned = self.end - self.pos;
                    if scanned > cap {
                        let line = self.line;
                        loop {
                            let n = self.end - self.pos;
                            self.consume(n);
                            self.fill();
                            match scan.feed(self.avail(), self.eof) {
                                Step::Done(k) => {
                                    self.consume(k);
                                    return Captured::TooLarge(line);
                                }
                                Step::NeedMore => {}
                                Step::Error(e, _) => return Captured::Bad(e, self.line),
                            }
                        }
                    }
                    self.fill();
                }
            }
        }
    }
}

/// Collects records into chunks.
struct Builder {
    chunk: Chunk,
    limit: usize,
    pos_kind: PosKind,
}

impl Builder {
    fn new(ctx: &Ctx<'_>, pos_kind: PosKind) -> Self {
        let mut chunk = Chunk::new(ctx.index, 0, pos_kind);
        chunk.data = ctx.pool.get(ctx.opts.chunk_bytes.max(1));
        Builder {
            chunk,
            limit: ctx.opts.chunk_bytes.max(1),
            pos_kind,
        }
    }

    fn push(&mut self, text: &[u8], pos: u64, ord: u64, hit: bool, blank: bool) {
        let c = &mut self.chunk;
        let start = c.data.len();
        c.data.extend_from_slice(text);
        if blank {
            blank_comments(&mut c.data[start..]);
        }
        c.recs.get_or_insert_with(Vec::new).push(Rec {
            range: start..c.data.len(),
            pos,
            ord,
            hit,
            index: None,
            id: None,
        });
    }

    /// Sets the index of the record pushed last.
    fn set_last_index(&mut self, index: Option<&str>) {
        let c = &mut self.chunk;
        if let (Some(i), Some(rec)) = (index, c.recs.as_mut().and_then(|r| r.last_mut())) {
            let start = c.strings.len();
            c.strings.push_str(i);
            rec.index = Some(start..c.strings.len());
        }
    }

    fn full(&self) -> bool {
        self.chunk.data.len() >= self.limit
    }

    fn flush(&mut self, ctx: &mut Ctx<'_>) -> bool {
        if self.chunk.recs.as_ref().is_none_or(|r| r.is_empty()) && ctx.pending.is_empty() {
            return true;
        }
        let mut next = Chunk::new(ctx.index, 0, self.pos_kind);
        next.data = ctx.pool.get(self.limit);
        let c = std::mem::replace(&mut self.chunk, next);
        ctx.send(c)
    }
}

fn is_hit(text: &[u8], scan: &mut ValueScan) -> bool {
    let Ok(Some(mut m)) = Members::new(text, scan) else {
        return false;
    };
    while let Ok(Some((k, r))) = m.next_member() {
        if key_is(k, "_source") {
            return text[r.start] == b'{';
        }
    }
    false
}

fn read_values(ctx: &mut Ctx<'_>, r: &mut dyn Read) -> (Option<io::Error>, u64) {
    let max_depth = ctx.opts.max_depth;
    let mut w = Window {
        r,
        buf: Vec::new(),
        pos: 0,
        end: 0,
        eof: false,
        err: None,
        line: 1,
    };
    let mut scan = ValueScan::new(max_depth, true).skipping_deep();
    let mut side = ValueScan::new(max_depth, true);
    let mut out = Builder::new(ctx, PosKind::Line);
    'top: loop {
        if let Err(line) = w.skip_ws(ctx.opts.max_record_bytes) {
            ctx.problem(codes::MALFORMED_JSON, Pos::Line(line), "comment never ends");
            break;
        }
        let Some(&b) = w.avail().first() else {
            break;
        };
        match b {
            b'[' => {
                let open_line = w.line;
                w.consume(1);
                let mut first = true;
                let mut hits: Option<bool> = None;
                loop {
                    if let Err(line) = w.skip_ws(ctx.opts.max_record_bytes) {
                        ctx.problem(codes::MALFORMED_JSON, Pos::Line(line), "comment never ends");
                        break 'top;
                    }
                    let Some(&b) = w.avail().first() else {
                        ctx.problem(
                            codes::MALFORMED_JSON,
                            Pos::Line(open_line),
                            "the array that starts here is not closed: the input ends inside it",
                        );
                        break 'top;
                    };
                    if b == b']' {
                        w.consume(1);
                        break;
                    }
                    if !first {
                        if b != b',' {
                            ctx.problem(
                                codes::MALFORMED_JSON,
                                Pos::Line(w.line),
                                format!(
                                    "expected `,` or `]` after an array element, found `{}`; the rest of the input is skipped",
                                    char::from(b).escape_default()
                                ),
                            );
                            break 'top;
                        }
                        w.consume(1);
                        if w.skip_ws(ctx.opts.max_record_bytes).is_err() {
                            continue;
                        }
                        if w.avail().first() == Some(&b']') {
                            // A trailing comma, as hand-edited files have.
                            continue;
                        }
                    }
                    first = false;
                    let line = w.line;
                    match w.capture(&mut scan, ctx.opts.max_record_bytes) {
                        Captured::Value(len) => {
                            let text = &w.buf[w.pos..w.pos + len];
                            if text[0] == b'{' {
                                let hit = *hits.get_or_insert_with(|| is_hit(text, &mut side));
                                out.push(text, line, ctx.take_ord(), hit, scan.saw_comment);
                            } else {
                                ctx.problem(
                                    codes::NOT_AN_OBJECT,
                                    Pos::Line(line),
                                    format!(
                                        "array element is not a JSON object: `{}`",
                                        crate::chunk::preview(text)
                                    ),
                                );
                            }
                            w.consume(len);
                        }
                        other => {
                            if !report_capture(ctx, other, ctx.opts.max_record_bytes) {
                                break 'top;
                            }
                        }
                    }
                    if out.full() && !out.flush(ctx) {
                        break 'top;
                    }
                }
            }
            b'{' => {
                let line = w.line;
                match w.capture(&mut scan, ctx.opts.max_document_bytes) {
                    Captured::Value(len) => {
                        let saw_comment = scan.saw_comment;
                        let text = &w.buf[w.pos..w.pos + len];
                        if !split_response(ctx, &mut out, text, line, saw_comment, &mut side) {
                            if len > ctx.opts.max_record_bytes {
                                ctx.problem(
                                    codes::TOO_LARGE,
                                    Pos::Line(line),
                                    format!(
                                        "document of {len} bytes is larger than the cap of {} bytes; skipped",
                                        ctx.opts.max_record_bytes
                                    ),
                                );
                            } else {
                                out.push(text, line, ctx.take_ord(), false, saw_comment);
                            }
                        }
                        w.consume(len);
                    }
                    other => {
                        if !report_capture(ctx, other, ctx.opts.max_document_bytes) {
                            w.skip_to_value_line();
                        }
                    }
                }
            }
            other => {
                ctx.problem(
                    codes::MALFORMED_JSON,
                    Pos::Line(w.line),
                    format!(
                        "unexpected `{}` between JSON documents; skipped to the next line starting with `{{` or `[`",
                        char::from(other).escape_default()
                    ),
                );
                w.skip_to_value_line();
            }
        }
        if out.full() && !out.flush(ctx) {
            break;
        }
    }
    out.flush(ctx);
    (w.err.take(), w.line)
}

/// Reports a value that could not be captured; `false` when the stream cannot go on from
/// where it is (a structural error).
fn report_capture(ctx: &mut Ctx<'_>, c: Captured, cap: usize) -> bool {
    match c {
        Captured::Value(_) => true,
        Captured::TooLarge(line) => {
            ctx.problem(
                codes::TOO_LARGE,
                Pos::Line(line),
                format!("document larger than the cap of {cap} bytes; skipped"),
            );
            true
        }
        Captured::TooDeep(line) => {
            ctx.problem(
                codes::TOO_DEEP,
                Pos::Line(line),
                format!(
                    "document nested deeper than {} levels; skipped",
                    ctx.opts.max_depth
                ),
            );
            true
        }
        Captured::Bad(e, line) => {
            let what = e.describe(ctx.opts.max_depth);
            ctx.problem(
                codes::MALFORMED_JSON,
                Pos::Line(line),
                format!("malformed JSON: {what}"),
            );
            false
        }
    }
}

/// If `text` is a search response (`hits.hits` or an EQL response's `hits.events`), pushes
/// its hits and returns `true`.
fn split_response(
    ctx: &mut Ctx<'_>,
    out: &mut Builder,
    text: &[u8],
    line: u64,
    blank: bool,
    scan: &mut ValueScan,
) -> bool {
    let Some(hits) = member(text, "hits", scan).filter(|r| text[r.start] == b'{') else {
        return false;
    };
    let inner = &text[hits.clone()];
    let Some(arr) = member(inner, "hits", scan)
        .or_else(|| member(inner, "events", scan))
        .filter(|r| inner[r.start] == b'[')
    else {
        return false;
    };
    let base = hits.start + arr.start;
    let arr_text = &text[base..hits.start + arr.end];
    let mut line_at = line + count_nl(&text[..base]);
    let mut counted = base;
    let mut i = 1;
    while let Ok(j) = crate::scan::skip_ws(arr_text, i, true) {
        match arr_text.get(j) {
            None | Some(b']') => break,
            Some(b',') => {
                i = j + 1;
                continue;
            }
            _ => {}
        }
        scan.reset();
        let Step::Done(k) = scan.feed(&arr_text[j..], true) else {
            ctx.problem(
                codes::MALFORMED_JSON,
                Pos::Line(line_at),
                "malformed hit in a search response",
            );
            break;
        };
        line_at += count_nl(&text[counted..base + j]);
        counted = base + j;
        let hit = &arr_text[j..j + k];
        if hit[0] == b'{' {
            if hit.len() > ctx.opts.max_record_bytes {
                ctx.problem(
                    codes::TOO_LARGE,
                    Pos::Line(line_at),
                    "hit larger than the record cap; skipped",
                );
            } else {
                out.push(hit, line_at, ctx.take_ord(), true, blank);
            }
        } else {
            ctx.problem(
                codes::NOT_AN_OBJECT,
                Pos::Line(line_at),
                "search hit is not a JSON object",
            );
        }
        if out.full() && !out.flush(ctx) {
            return true;
        }
        i = j + k;
    }
    true
}

/// The value range of member `name` of the object `text`.
fn member(text: &[u8], name: &str, scan: &mut ValueScan) -> Option<std::ops::Range<usize>> {
    let mut m = Members::new(text, scan).ok()??;
    while let Ok(Some((k, r))) = m.next_member() {
        if key_is(k, name) {
            return Some(r);
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// EVTX.

fn read_evtx(ctx: &mut Ctx<'_>, body: &mut dyn Read, compressed: bool) {
    let Some(decoder) = ctx.evtx else {
        ctx.problem(
            codes::NO_EVTX_DECODER,
            Pos::File,
            "a Windows event log (EVTX), but no EVTX decoder is available in this build",
        );
        return;
    };
    // Decoders read files: hand them the input itself, or a temporary copy of stdin or of
    // decompressed data (removed when done).
    let spooled;
    let path: &std::path::Path = match (&ctx.source.path, compressed) {
        (InputPath::Path(p), false) => p,
        _ => {
            let copy = tempfile::NamedTempFile::new().and_then(|mut f| {
                io::copy(body, &mut f)?;
                f.flush()?;
                Ok(f)
            });
            match copy {
                Ok(f) => {
                    spooled = f;
                    spooled.path()
                }
                Err(e) => {
                    ctx.problem(
                        codes::UNREADABLE,
                        Pos::File,
                        format!("cannot spool EVTX data: {e}"),
                    );
                    return;
                }
            }
        }
    };
    let mut out = Builder::new(ctx, PosKind::Record);
    let mut json = Vec::new();
    let cap = ctx.opts.max_record_bytes;
    let name = ctx.source.name.clone();
    let result = decoder.decode(path, &name, &mut |item| {
        let event = match item {
            Ok(e) => e,
            Err(damage) => {
                let pos = damage.record.map_or(Pos::File, Pos::Record);
                ctx.problem(codes::EVTX, pos, damage.message);
                return ControlFlow::Continue(());
            }
        };
        let text: &[u8] = match &event.item {
            EvtxItem::Value(v) => {
                json.clear();
                if let Err(e) = serde_json::to_writer(&mut json, v) {
                    ctx.problem(
                        codes::EVTX,
                        Pos::Record(event.record),
                        format!("cannot serialise the event: {e}"),
                    );
                    return ControlFlow::Continue(());
                }
                &json
            }
            EvtxItem::Json(s) => s.as_bytes(),
        };
        if text.len() > cap {
            ctx.problem(
                codes::TOO_LARGE,
                Pos::Record(event.record),
                "EVTX record larger than the record cap; skipped",
            );
        } else {
            let ord = ctx.take_ord();
            out.push(text, event.record, ord, false, false);
            out.set_last_index(event.index.as_deref());
        }
        if out.full() && !out.flush(ctx) {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    if let Err(msg) = result {
        ctx.problem(codes::EVTX, Pos::File, format!("cannot read EVTX: {msg}"));
    }
    out.flush(ctx);
}
