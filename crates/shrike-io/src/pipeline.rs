//! Driving the readers: one input after another on the calling thread ([`Reader::for_each`]),
//! or inputs and chunks decoded in parallel with results handed back in input order
//! ([`Reader::par_map`]).

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crossbeam_channel::{bounded, unbounded, Receiver, Sender};

use crate::chunk::{prepare, Batch, BufferPool, Chunk, Limits, Prepared, SourceStats};
use crate::evtx::EvtxDecoder;
use crate::read::read_source;
use crate::report::{codes, InputReport, Problems};
use crate::scan::ValueScan;
use crate::spec::Source;
use crate::{ReadOptions, Record};

/// Reads inputs into records. Cheap to build; holds the options and the EVTX decoder.
#[derive(Clone)]
pub struct Reader {
    opts: ReadOptions,
    evtx: Option<Arc<dyn EvtxDecoder>>,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("opts", &self.opts)
            .field("evtx", &self.evtx.is_some())
            .finish()
    }
}

impl Default for Reader {
    fn default() -> Self {
        Reader::new(ReadOptions::default())
    }
}

/// Per-input bookkeeping on the consuming side.
#[derive(Default)]
struct Tally {
    records: u64,
    problems: u64,
}

impl Reader {
    /// A reader with these options and, with the `evtx` feature (on by default), the
    /// built-in EVTX decoder.
    pub fn new(opts: ReadOptions) -> Self {
        #[cfg(feature = "evtx")]
        let evtx = Some(crate::evtx::builtin_decoder());
        #[cfg(not(feature = "evtx"))]
        let evtx = None;
        Reader { opts, evtx }
    }

    /// Removes the EVTX decoder: EVTX inputs are then reported (`I0011`) and skipped.
    pub fn without_evtx(mut self) -> Self {
        self.evtx = None;
        self
    }

    /// Plugs in the decoder for EVTX inputs.
    pub fn with_evtx(mut self, decoder: Arc<dyn EvtxDecoder>) -> Self {
        self.evtx = Some(decoder);
        self
    }

    /// The options.
    pub fn options(&self) -> &ReadOptions {
        &self.opts
    }

    fn limits(&self) -> Limits {
        Limits {
            max_record_bytes: self.opts.max_record_bytes,
            max_depth: self.opts.max_depth,
        }
    }

    /// Calls `f` with every record of every input, in input order, on this thread. `f` may
    /// report a record it cannot use in the [`Problems`] it is given, and stop the run by
    /// returning `Break`.
    pub fn for_each<F>(&self, sources: &[Source], report: &mut InputReport, mut f: F)
    where
        F: FnMut(Record<'_>, &mut Problems) -> ControlFlow<()>,
    {
        let mut scan = ValueScan::new(self.opts.max_depth, false);
        let limits = self.limits();
        let mut stop = false;
        let pool = BufferPool::new(2);
        for (i, source) in sources.iter().enumerate() {
            let mut tally = Tally::default();
            read_source(
                i,
                source,
                &self.opts,
                self.evtx.as_deref(),
                &pool,
                &mut |mut chunk: Chunk| {
                    let mut problems = std::mem::take(&mut chunk.problems);
                    let (last, stats) = (chunk.last, chunk.stats);
                    let prepared = prepare(chunk, &source.name, limits, &mut scan, &mut problems);
                    let batch = Batch {
                        source,
                        prepared: &prepared,
                    };
                    for rec in batch.iter() {
                        tally.records += 1;
                        if f(rec, &mut problems).is_break() {
                            stop = true;
                            break;
                        }
                    }
                    finish_chunk(
                        report,
                        source,
                        &mut tally,
                        &mut problems,
                        last.then_some(stats),
                    );
                    !stop
                },
            );
            if stop {
                break;
            }
        }
    }

    /// Decodes inputs on `threads` threads: `map` runs on worker threads, once per chunk
    /// of records (about [`ReadOptions::chunk_bytes`] of text); `consume` runs on this
    /// thread with each chunk's result **in input order** (input by input, chunk by chunk),
    /// so the output is the same for any number of threads. `consume` may stop the run by
    /// returning `Break`.
    ///
    /// Memory is bounded: each input being read has at most
    /// [`ReadOptions::chunks_in_flight`] chunks decoded but not yet consumed.
    pub fn par_map<R, M, C>(
        &self,
        sources: &[Source],
        report: &mut InputReport,
        map: M,
        mut consume: C,
    ) where
        R: Send,
        M: Fn(Batch<'_>, &mut Problems) -> R + Sync,
        C: FnMut(R) -> ControlFlow<()>,
    {
        if sources.is_empty() {
            return;
        }
        let threads = self.opts.threads();
        let readers = threads.min(sources.len()).max(1);
        let in_flight = self.opts.chunks_in_flight.max(1);
        let next_source = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let panic: Mutex<Option<Box<dyn std::any::Any + Send>>> = Mutex::new(None);
        let limits = self.limits();
        // Tokens bound the chunks each reader has in flight; the consumer returns a token
        // when it has consumed a chunk. A reader's outstanding chunks all belong to the input
        // it is reading, which the consumer reaches in order, so tokens always come back.
        let tokens: Vec<(Sender<()>, Receiver<()>)> =
            (0..readers).map(|_| bounded(in_flight)).collect();
        for (tx, _) in &tokens {
            for _ in 0..in_flight {
                let _ = tx.send(());
            }
        }
        let (work_tx, work_rx) = bounded::<(usize, Chunk)>(threads * 2);
        let (done_tx, done_rx) = unbounded::<Done<R>>();
        let pool = BufferPool::new(readers * (in_flight + 1) + threads * 2);

        std::thread::scope(|s| {
            for (reader, (_, token_rx)) in tokens.iter().enumerate() {
                let work_tx = work_tx.clone();
                let token_rx = token_rx.clone();
                let (next_source, stop) = (&next_source, &stop);
                let evtx = self.evtx.as_deref();
                let opts = &self.opts;
                let pool = &pool;
                s.spawn(move || loop {
                    let i = next_source.fetch_add(1, Ordering::Relaxed);
                    if i >= sources.len() || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    read_source(i, &sources[i], opts, evtx, pool, &mut |chunk| {
                        if token_rx.recv().is_err() || stop.load(Ordering::Relaxed) {
                            return false;
                        }
                        work_tx.send((reader, chunk)).is_ok()
                    });
                });
            }
            drop(work_tx);
            for _ in 0..threads {
                let work_rx = work_rx.clone();
                let done_tx = done_tx.clone();
                let (map, stop, panic, pool) = (&map, &stop, &panic, &pool);
                s.spawn(move || {
                    let mut scan = ValueScan::new(limits.max_depth, false);
                    for (reader, mut chunk) in work_rx.iter() {
                        let source = &sources[chunk.source];
                        let mut problems = std::mem::take(&mut chunk.problems);
                        let (index, seq, last, stats) =
                            (chunk.source, chunk.seq, chunk.last, chunk.stats);
                        let prepared: Prepared =
                            prepare(chunk, &source.name, limits, &mut scan, &mut problems);
                        let records = prepared.recs.len() as u64;
                        let result = if records > 0 && !stop.load(Ordering::Relaxed) {
                            let batch = Batch {
                                source,
                                prepared: &prepared,
                            };
                            let run = std::panic::AssertUnwindSafe(|| map(batch, &mut problems));
                            match std::panic::catch_unwind(run) {
                                Ok(r) => Some(r),
                                Err(payload) => {
                                    stop.store(true, Ordering::Relaxed);
                                    if let Ok(mut slot) = panic.lock() {
                                        slot.get_or_insert(payload);
                                    }
                                    None
                                }
                            }
                        } else {
                            None
                        };
                        prepared.recycle(pool);
                        let done = Done {
                            reader,
                            index,
                            seq,
                            last: last.then_some(stats),
                            records,
                            result,
                            problems,
                        };
                        if done_tx.send(done).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(done_tx);
            drop(work_rx);

            // The consumer: put results back in input order.
            let mut pending: HashMap<(usize, u64), Done<R>> = HashMap::new();
            let mut cur = (0usize, 0u64);
            let mut tally = Tally::default();
            for done in done_rx.iter() {
                if stop.load(Ordering::Relaxed) {
                    // Stopping: hand tokens back so blocked readers can see the stop.
                    let _ = tokens[done.reader].0.send(());
                    continue;
                }
                pending.insert((done.index, done.seq), done);
                while let Some(mut d) = pending.remove(&cur) {
                    let _ = tokens[d.reader].0.send(());
                    let source = &sources[d.index];
                    tally.records += d.records;
                    if let Some(r) = d.result.take() {
                        if consume(r).is_break() {
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                    finish_chunk(report, source, &mut tally, &mut d.problems, d.last);
                    if stop.load(Ordering::Relaxed) {
                        for (_, d) in pending.drain() {
                            let _ = tokens[d.reader].0.send(());
                        }
                        break;
                    }
                    cur = if d.last.is_some() {
                        (cur.0 + 1, 0)
                    } else {
                        (cur.0, cur.1 + 1)
                    };
                }
            }
        });
        let payload = panic.into_inner().ok().flatten();
        if let Some(payload) = payload {
            std::panic::resume_unwind(payload);
        }
    }
}

/// One decoded chunk on its way back to the consumer.
struct Done<R> {
    reader: usize,
    index: usize,
    seq: u64,
    last: Option<SourceStats>,
    records: u64,
    result: Option<R>,
    problems: Problems,
}

fn finish_chunk(
    report: &mut InputReport,
    source: &Source,
    tally: &mut Tally,
    problems: &mut Problems,
    last: Option<SourceStats>,
) {
    tally.problems += problems.len() as u64;
    report.absorb(problems);
    if let Some(stats) = last {
        let s = &mut report.stats;
        s.records += tally.records;
        s.bytes_in += stats.bytes_in;
        s.bytes_decoded += stats.bytes_decoded;
        if stats.opened {
            s.inputs += 1;
        }
        if stats.opened && tally.records == 0 && tally.problems == 0 {
            report.file_problem(
                codes::EMPTY,
                &source.name,
                false,
                "no records: the input is empty".into(),
            );
        }
        *tally = Tally::default();
    }
}
