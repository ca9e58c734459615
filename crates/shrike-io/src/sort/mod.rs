//! An external merge sort for `(key, payload)` items: sorts in memory up to a byte budget,
//! then spills sorted runs to anonymous temporary files and merges them k-way.
//!
//! Why: shrike must process events in (timestamp, tiebreaker) order across all inputs, as
//! Elasticsearch does, on inputs larger than memory. Logs are usually nearly sorted per
//! file, so the in-memory sort (Rust's stable sort, which is adaptive) is close to linear,
//! and a spill is one sequential write and one sequential read.
//!
//! ```
//! use shrike_io::sort::{ExternalSorter, SortOptions};
//!
//! let mut sorter = ExternalSorter::new(SortOptions { memory_budget: 200, ..SortOptions::default() });
//! for (ts, doc) in [(3i64, "c"), (1, "a"), (2, "b1"), (2, "b2")] {
//!     sorter.push(ts, doc.as_bytes()).unwrap();
//! }
//! let mut sorted = sorter.finish().unwrap();
//! let mut out = Vec::new();
//! while let Some((ts, payload)) = sorted.next_item().unwrap() {
//!     out.push(format!("{ts}:{}", std::str::from_utf8(payload).unwrap()));
//! }
//! assert_eq!(out, ["1:a", "2:b1", "2:b2", "3:c"]); // equal keys keep insertion order
//! ```
//!
//! Design:
//!
//! * **Budget.** Each item costs its payload, its key's heap bytes and a fixed overhead;
//!   when the next item would exceed [`SortOptions::memory_budget`] the buffered items are
//!   stably sorted and written as one run. Payloads live in one arena per run (no allocation
//!   per item).
//! * **Runs** are anonymous temporary files (`tempfile`): they have no name, so nothing is
//!   left behind even if the process is killed. Each item is `varint(key length) key
//!   varint(payload length) payload`, through a 256 KiB buffer, optionally zstd-compressed
//!   ([`SpillCompression`]; compression trades CPU for disk bandwidth and space).
//! * **Merge.** A binary heap over the runs' current heads ordered by `(key, run number)`;
//!   the last, unspilled buffer takes part in memory. More runs than
//!   [`SortOptions::max_fan_in`] are first merged in consecutive groups, which keeps
//!   stability and bounds open files and read buffers.
//! * **Stability.** Items with equal keys come out in insertion order: the in-memory sort is
//!   stable, runs hold consecutive stretches of the input, and ties between runs go to the
//!   earlier run. Callers that push in a deterministic order get a deterministic result.

mod key;

pub use key::SortKey;

use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::path::PathBuf;

use key::put_varint;

/// How spilled runs are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SpillCompression {
    /// As is: fastest when the disk keeps up.
    #[default]
    None,
    /// zstd at this level (1 is fast and usually shrinks JSON payloads 4–8×).
    Zstd(i32),
}

/// Sorter settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortOptions {
    /// Bytes of items held in memory before a run is spilled. Default 256 MiB.
    pub memory_budget: usize,
    /// Where spill files go; default the system temporary directory (`TMPDIR`).
    pub temp_dir: Option<PathBuf>,
    /// How runs are stored.
    pub compression: SpillCompression,
    /// The most runs merged at once (open files, read buffers). Default 64.
    pub max_fan_in: usize,
}

impl Default for SortOptions {
    fn default() -> Self {
        SortOptions {
            memory_budget: 256 << 20,
            temp_dir: None,
            compression: SpillCompression::None,
            max_fan_in: 64,
        }
    }
}

/// What a sort did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SortStats {
    /// Items pushed.
    pub items: u64,
    /// Runs written to disk (including intermediate merge runs).
    pub runs_spilled: u64,
    /// Bytes written to spill files.
    pub bytes_spilled: u64,
}

struct Item<K> {
    key: K,
    start: usize,
    len: usize,
}

const ITEM_OVERHEAD: usize = 16;

/// A spilled run.
struct Run {
    file: File,
    items: u64,
}

/// Sorts items by key within a memory budget. See the [module docs](self).
pub struct ExternalSorter<K: SortKey> {
    opts: SortOptions,
    items: Vec<Item<K>>,
    arena: Vec<u8>,
    used: usize,
    runs: Vec<Run>,
    stats: SortStats,
    scratch: Vec<u8>,
}

impl<K: SortKey> ExternalSorter<K> {
    /// An empty sorter.
    pub fn new(opts: SortOptions) -> Self {
        ExternalSorter {
            opts,
            items: Vec::new(),
            arena: Vec::new(),
            used: 0,
            runs: Vec::new(),
            stats: SortStats::default(),
            scratch: Vec::new(),
        }
    }

    /// Adds an item. Spills a run first when the budget would be exceeded.
    pub fn push(&mut self, key: K, payload: &[u8]) -> io::Result<()> {
        let cost =
            payload.len() + key.heap_bytes() + std::mem::size_of::<Item<K>>() + ITEM_OVERHEAD;
        if self.used + cost > self.opts.memory_budget && !self.items.is_empty() {
            self.spill()?;
        }
        // Grow the buffers by doubling, but never past the budget: a doubled `Vec` would
        // hold up to twice the memory the budget allows.
        let budget = self.opts.memory_budget;
        let need = self.arena.len() + payload.len();
        if need > self.arena.capacity() {
            let grown = (self.arena.capacity() * 2).clamp(need, budget.max(need));
            self.arena.reserve_exact(grown - self.arena.len());
        }
        if self.items.len() == self.items.capacity() {
            let item = std::mem::size_of::<Item<K>>() + ITEM_OVERHEAD;
            let most = (budget / item).max(self.items.len() + 1);
            let grown = (self.items.capacity() * 2).clamp(self.items.len() + 1, most);
            self.items.reserve_exact(grown - self.items.len());
        }
        let start = self.arena.len();
        self.arena.extend_from_slice(payload);
        self.items.push(Item {
            key,
            start,
            len: payload.len(),
        });
        self.used += cost;
        self.stats.items += 1;
        Ok(())
    }

    /// Items pushed so far.
    pub fn len(&self) -> u64 {
        self.stats.items
    }

    /// Whether nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.stats.items == 0
    }

    /// What the sort did so far.
    pub fn stats(&self) -> SortStats {
        self.stats
    }

    fn temp_file(&self) -> io::Result<File> {
        match &self.opts.temp_dir {
            Some(dir) => tempfile::tempfile_in(dir),
            None => tempfile::tempfile(),
        }
    }

    fn spill(&mut self) -> io::Result<()> {
        self.items.sort_by(|a, b| a.key.cmp(&b.key));
        let mut w = RunWriter::new(self.temp_file()?, self.opts.compression)?;
        for item in &self.items {
            self.scratch.clear();
            item.key.encode(&mut self.scratch);
            let mut head = Vec::with_capacity(20);
            put_varint(&mut head, self.scratch.len() as u64);
            w.write_all(&head)?;
            w.write_all(&self.scratch)?;
            head.clear();
            put_varint(&mut head, item.len as u64);
            w.write_all(&head)?;
            w.write_all(&self.arena[item.start..item.start + item.len])?;
        }
        let (file, bytes) = w.finish()?;
        self.stats.runs_spilled += 1;
        self.stats.bytes_spilled += bytes;
        self.runs.push(Run {
            file,
            items: self.items.len() as u64,
        });
        self.items.clear();
        self.arena.clear();
        self.used = 0;
        Ok(())
    }

    /// Ends input and returns the items in order.
    pub fn finish(mut self) -> io::Result<Sorted<K>> {
        self.items.sort_by(|a, b| a.key.cmp(&b.key));
        let fan_in = self.opts.max_fan_in.max(2);
        // Leave room for the in-memory tail in the final merge.
        while self.runs.len() > fan_in - 1 {
            let mut merged = Vec::new();
            let mut runs = std::mem::take(&mut self.runs).into_iter().peekable();
            while runs.peek().is_some() {
                let group: Vec<Run> = runs.by_ref().take(fan_in).collect();
                if group.len() == 1 {
                    merged.extend(group);
                    continue;
                }
                let items = group.iter().map(|r| r.items).sum();
                let mut merger = Merger::<K>::new(group, None, self.opts.compression)?;
                let mut w = RunWriter::new(self.temp_file()?, self.opts.compression)?;
                let mut head = Vec::with_capacity(20);
                while let Some((key, payload)) = merger.next_item()? {
                    self.scratch.clear();
                    key.encode(&mut self.scratch);
                    head.clear();
                    put_varint(&mut head, self.scratch.len() as u64);
                    w.write_all(&head)?;
                    w.write_all(&self.scratch)?;
                    head.clear();
                    put_varint(&mut head, payload.len() as u64);
                    w.write_all(&head)?;
                    w.write_all(payload)?;
                }
                let (file, bytes) = w.finish()?;
                self.stats.runs_spilled += 1;
                self.stats.bytes_spilled += bytes;
                merged.push(Run { file, items });
            }
            self.runs = merged;
        }
        let memory = MemoryRun {
            items: std::mem::take(&mut self.items).into_iter(),
            arena: std::mem::take(&mut self.arena),
        };
        let stats = self.stats;
        let inner = if self.runs.is_empty() {
            Inner::Memory(memory)
        } else {
            Inner::Merge(Merger::new(
                std::mem::take(&mut self.runs),
                Some(memory),
                self.opts.compression,
            )?)
        };
        Ok(Sorted { inner, stats })
    }
}

/// Writes a run, counting the bytes that reach the file.
struct RunWriter {
    inner: RunSink,
}

enum RunSink {
    Plain(BufWriter<CountingFile>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<CountingFile>>),
}

struct CountingFile {
    file: File,
    bytes: u64,
}

impl Write for CountingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

const RUN_BUFFER: usize = 256 * 1024;

impl RunWriter {
    fn new(file: File, compression: SpillCompression) -> io::Result<Self> {
        let sink = BufWriter::with_capacity(RUN_BUFFER, CountingFile { file, bytes: 0 });
        Ok(RunWriter {
            inner: match compression {
                SpillCompression::None => RunSink::Plain(sink),
                SpillCompression::Zstd(level) => {
                    RunSink::Zstd(zstd::stream::write::Encoder::new(sink, level)?)
                }
            },
        })
    }

    fn finish(self) -> io::Result<(File, u64)> {
        let buffered = match self.inner {
            RunSink::Plain(w) => w,
            RunSink::Zstd(e) => e.finish()?,
        };
        let mut counted = buffered.into_inner().map_err(|e| e.into_error())?;
        counted.file.rewind()?;
        Ok((counted.file, counted.bytes))
    }
}

impl Write for RunWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.inner {
            RunSink::Plain(w) => w.write(buf),
            RunSink::Zstd(e) => e.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.inner {
            RunSink::Plain(w) => w.write_all(buf),
            RunSink::Zstd(e) => e.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            RunSink::Plain(w) => w.flush(),
            RunSink::Zstd(e) => e.flush(),
        }
    }
}

fn corrupt(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("sort spill file is corrupt: {what}"),
    )
}

/// Reads a run back.
struct RunReader {
    r: Box<dyn Read>,
    left: u64,
    key_buf: Vec<u8>,
}

impl RunReader {
    fn new(run: Run, compression: SpillCompression) -> io::Result<Self> {
        let file = BufReader::with_capacity(RUN_BUFFER / 4, run.file);
        let r: Box<dyn Read> = match compression {
            SpillCompression::None => Box::new(file),
            SpillCompression::Zstd(_) => Box::new(zstd::stream::read::Decoder::with_buffer(file)?),
        };
        Ok(RunReader {
            r,
            left: run.items,
            key_buf: Vec::new(),
        })
    }

    fn varint(&mut self) -> io::Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let mut b = [0u8];
            self.r.read_exact(&mut b)?;
            v |= u64::from(b[0] & 0x7f) << shift;
            if b[0] < 0x80 {
                return Ok(v);
            }
        }
        Err(corrupt("bad length"))
    }

    /// Reads the next item's payload into `payload` and returns its key.
    fn next<K: SortKey>(&mut self, payload: &mut Vec<u8>) -> io::Result<Option<K>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let klen = usize::try_from(self.varint()?).map_err(|_| corrupt("key length"))?;
        self.key_buf.resize(klen, 0);
        self.r.read_exact(&mut self.key_buf)?;
        let mut kb = &self.key_buf[..];
        let key = K::decode(&mut kb).ok_or_else(|| corrupt("key"))?;
        let plen = usize::try_from(self.varint()?).map_err(|_| corrupt("payload length"))?;
        payload.resize(plen, 0);
        self.r.read_exact(payload)?;
        Ok(Some(key))
    }
}

/// The unspilled tail, already sorted.
struct MemoryRun<K> {
    items: std::vec::IntoIter<Item<K>>,
    arena: Vec<u8>,
}

enum Input<K> {
    Run(RunReader),
    Memory(MemoryRun<K>),
}

struct Head<K> {
    key: K,
    input: usize,
}

impl<K: Ord> PartialEq for Head<K> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl<K: Ord> Eq for Head<K> {}
impl<K: Ord> PartialOrd for Head<K> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<K: Ord> Ord for Head<K> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the smallest `(key, input)`.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.key.cmp(&self.key).then(other.input.cmp(&self.input))
    }
}

struct Merger<K> {
    inputs: Vec<Input<K>>,
    /// The current payload of each input (for memory inputs: a range into the arena).
    payloads: Vec<Vec<u8>>,
    mem_range: (usize, usize),
    heap: BinaryHeap<Head<K>>,
    /// The input whose head was handed out last and must advance before the next item.
    advance: Option<usize>,
}

impl<K: SortKey> Merger<K> {
    fn new(
        runs: Vec<Run>,
        memory: Option<MemoryRun<K>>,
        compression: SpillCompression,
    ) -> io::Result<Self> {
        let mut inputs = Vec::with_capacity(runs.len() + 1);
        for run in runs {
            inputs.push(Input::Run(RunReader::new(run, compression)?));
        }
        if let Some(m) = memory {
            inputs.push(Input::Memory(m));
        }
        let mut m = Merger {
            payloads: vec![Vec::new(); inputs.len()],
            inputs,
            mem_range: (0, 0),
            heap: BinaryHeap::new(),
            advance: None,
        };
        for i in 0..m.inputs.len() {
            m.pull(i)?;
        }
        Ok(m)
    }

    fn pull(&mut self, i: usize) -> io::Result<()> {
        let key = match &mut self.inputs[i] {
            Input::Run(r) => r.next::<K>(&mut self.payloads[i])?,
            Input::Memory(m) => m.items.next().map(|item| {
                self.mem_range = (item.start, item.len);
                item.key
            }),
        };
        if let Some(key) = key {
            self.heap.push(Head { key, input: i });
        }
        Ok(())
    }

    fn next_item(&mut self) -> io::Result<Option<(K, &[u8])>> {
        if let Some(i) = self.advance.take() {
            self.pull(i)?;
        }
        let Some(head) = self.heap.pop() else {
            return Ok(None);
        };
        self.advance = Some(head.input);
        let payload = match &self.inputs[head.input] {
            Input::Run(_) => &self.payloads[head.input][..],
            Input::Memory(m) => &m.arena[self.mem_range.0..self.mem_range.0 + self.mem_range.1],
        };
        Ok(Some((head.key, payload)))
    }
}

enum Inner<K> {
    Memory(MemoryRun<K>),
    Merge(Merger<K>),
}

/// The sorted items, read one at a time.
pub struct Sorted<K: SortKey> {
    inner: Inner<K>,
    stats: SortStats,
}

impl<K: SortKey> Sorted<K> {
    /// The next item: its key and its payload (valid until the next call).
    pub fn next_item(&mut self) -> io::Result<Option<(K, &[u8])>> {
        match &mut self.inner {
            Inner::Memory(m) => Ok(m
                .items
                .next()
                .map(|item| (item.key, &m.arena[item.start..item.start + item.len]))),
            Inner::Merge(merger) => merger.next_item(),
        }
    }

    /// What the sort did.
    pub fn stats(&self) -> SortStats {
        self.stats
    }
}

impl<K: SortKey> Iterator for Sorted<K> {
    type Item = io::Result<(K, Vec<u8>)>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_item() {
            Ok(Some((k, p))) => Some(Ok((k, p.to_vec()))),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(opts: SortOptions, items: &[(u32, Vec<u8>)]) -> (Vec<(u32, Vec<u8>)>, SortStats) {
        let mut s = ExternalSorter::new(opts);
        for (k, p) in items {
            s.push(*k, p).unwrap();
        }
        let sorted = s.finish().unwrap();
        let stats = sorted.stats();
        (sorted.map(|r| r.unwrap()).collect(), stats)
    }

    #[test]
    fn matches_a_stable_in_memory_sort() {
        let mut rng = fastrand::Rng::with_seed(7);
        for case in 0..30 {
            let budget = [1usize, 300, 1000, 4000, 1 << 20][case % 5];
            // One run per item is slow-ish (a file each): keep those cases small.
            let n = rng.usize(0..if budget == 1 { 60 } else { 400 });
            let keys = rng.u32(1..50);
            let items: Vec<(u32, Vec<u8>)> = (0..n)
                .map(|i| {
                    let mut p = format!("item{i}:").into_bytes();
                    p.extend(std::iter::repeat_n(b'x', rng.usize(0..40)));
                    (rng.u32(0..keys), p)
                })
                .collect();
            let mut want = items.clone();
            want.sort_by_key(|(k, _)| *k);
            let compression = if case % 2 == 0 || budget < 300 {
                SpillCompression::None
            } else {
                SpillCompression::Zstd(1)
            };
            let dir = tempfile::tempdir().unwrap();
            let opts = SortOptions {
                memory_budget: budget,
                temp_dir: Some(dir.path().to_path_buf()),
                compression,
                max_fan_in: 2 + case % 5,
            };
            let (got, stats) = run(opts, &items);
            assert_eq!(got, want, "case {case}, budget {budget}");
            if budget <= 300 && n > 20 {
                assert!(
                    stats.runs_spilled > 1,
                    "case {case}: expected spills, got {stats:?}"
                );
            }
            assert_eq!(
                std::fs::read_dir(dir.path()).unwrap().count(),
                0,
                "spill files left behind"
            );
        }
    }

    #[test]
    fn composite_keys_and_empty_input() {
        let (got, stats) = run(SortOptions::default(), &[]);
        assert!(got.is_empty());
        assert_eq!(stats.items, 0);
        let mut s = ExternalSorter::new(SortOptions {
            memory_budget: 64,
            ..SortOptions::default()
        });
        let keys = [
            (2i64, Some("b".to_string())),
            (1, None),
            (2, None),
            (1, Some("a".to_string())),
        ];
        for (i, k) in keys.iter().enumerate() {
            s.push(k.clone(), &[i as u8]).unwrap();
        }
        let got: Vec<u8> = s.finish().unwrap().map(|r| r.unwrap().1[0]).collect();
        assert_eq!(got, [1, 3, 2, 0]);
    }
}
