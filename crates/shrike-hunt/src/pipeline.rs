//! The hunt itself: inputs → records → events → rules → the caller's sink.
//!
//! ```text
//!  inputs ─► shrike-io readers (one thread per input, chunks of ~1 MiB)
//!        ─► decoding pool: per chunk, each record is decoded selectively and scanned by
//!           every rule that could match it (prefilter, index selection, time window)
//!        ─► hunting thread, chunks in input order:
//!             event-rule matches ─► sink (input order), or
//!                                 ─► time sorter (EventOrder::Time)
//!             sequence/sample candidates ─► external sorter of the rule's clock
//!                                           (memory budget, spills to disk)
//!  end of input ─► each clock's sorted stream ─► streaming sequence runners ─► sink
//! ```
//!
//! Only candidates (events that match one stage filter of a sequence or sample rule, or
//! its `until`) are kept, as their JSON text plus a few bytes of metadata, so memory is
//! bounded by the sorter's budget and the sequence state caps — not by the input size.

use crate::rules::RuleSet;
use crate::sink::{Hit, MatchKind, Progress, SequenceMatch, Sink, Text};
use shrike_engine::{
    Decoder, Event, RuleId, RuleKind, RuleMask, ScanOptions, ScanResult, Scanner, SequenceHit,
    SequenceRunner,
};
use shrike_io::sort::{ExternalSorter, SortKey, SortOptions, SortStats, SpillCompression};
use shrike_io::store::TextStore;
use shrike_io::{
    DefaultIndex, EvtxDecoder, InputReport, InputSpec, Pos, ReadOptions, Reader, Source,
};
use shrike_ir::Value;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::io;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// The order event-rule matches reach the sink.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EventOrder {
    /// As read (input by input, line by line): streaming, no memory held.
    #[default]
    Input,
    /// By the rule's timestamp, tiebreaker, then input order, as Elasticsearch returns
    /// them; matches go through the external sorter and reach the sink at the end.
    Time,
}

/// Settings of a hunt.
#[derive(Clone)]
pub struct HuntOptions {
    /// Decoding threads; 0 uses every core.
    pub threads: usize,
    /// Events before this time (ns since the epoch, inclusive) are not evaluated.
    pub since: Option<i64>,
    /// Events after this time (inclusive) are not evaluated.
    pub until: Option<i64>,
    /// Run every rule on every event, whatever its index.
    pub ignore_index: bool,
    /// Memory for sorting candidates (and time-ordered matches) before spilling to disk,
    /// shared by the clocks (rules sharing timestamp and tiebreaker fields).
    pub memory_budget: usize,
    /// Where spill files go (default: the system's temporary directory).
    pub temp_dir: Option<PathBuf>,
    /// The order event-rule matches are delivered in.
    pub event_order: EventOrder,
    /// Cap on in-flight partial sequences per rule (oldest dropped with a warning).
    pub max_pending_sequences: usize,
    /// Samples per join key (ES `max_samples_per_key`).
    pub max_samples_per_key: usize,
    /// Input problems reported verbatim to the sink (the rest are counted).
    pub max_problem_messages: usize,
    /// Reading limits (record size, nesting, chunking); `threads` is taken from above.
    pub read: ReadOptions,
    /// The EVTX decoder; `None` keeps shrike-io's default (shrike-evtx with its built-in ECS
    /// mapping, when shrike-io's `evtx` feature is on).
    pub evtx: Option<Arc<dyn EvtxDecoder>>,
    /// Evaluate every rule on every event (the prefilter off): for tests that check it
    /// never changes a result, and to measure what it saves.
    pub no_prefilter: bool,
}

impl std::fmt::Debug for HuntOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HuntOptions")
            .field("threads", &self.threads)
            .field("since", &self.since)
            .field("until", &self.until)
            .field("ignore_index", &self.ignore_index)
            .field("memory_budget", &self.memory_budget)
            .field("temp_dir", &self.temp_dir)
            .field("event_order", &self.event_order)
            .field("max_pending_sequences", &self.max_pending_sequences)
            .field("max_samples_per_key", &self.max_samples_per_key)
            .field("max_problem_messages", &self.max_problem_messages)
            .field("read", &self.read)
            .field("evtx", &self.evtx.is_some())
            .field("no_prefilter", &self.no_prefilter)
            .finish()
    }
}

impl Default for HuntOptions {
    fn default() -> Self {
        HuntOptions {
            threads: 0,
            since: None,
            until: None,
            ignore_index: false,
            memory_budget: 256 << 20,
            temp_dir: None,
            event_order: EventOrder::Input,
            max_pending_sequences: 100_000,
            max_samples_per_key: 1,
            max_problem_messages: 20,
            read: ReadOptions::default(),
            evtx: None,
            no_prefilter: false,
        }
    }
}

/// Per-rule counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleStats {
    /// The caller's key.
    pub key: usize,
    /// Events the rule was evaluated on (after prefilter, index selection, time window).
    pub evaluated: u64,
    /// Results delivered (events, sequences or samples).
    pub matches: u64,
    /// Candidate events (sequence and sample rules).
    pub candidates: u64,
}

/// What a hunt did.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Input problems (counts per code, the first ones verbatim) and read totals.
    pub input: InputReport,
    /// Events read and decoded.
    pub events: u64,
    /// Bytes of JSON records read (after decompression).
    pub bytes: u64,
    /// Records that could not be used (malformed, too large, …).
    pub bad_records: u64,
    /// Per rule, in the order rules were added.
    pub rules: Vec<RuleStats>,
    /// Rule evaluations in total (one rule on one event).
    pub evaluations: u64,
    /// Rule evaluations skipped because the event had no usable timestamp for the rule.
    pub no_timestamp: u64,
    /// Rule evaluations skipped because the event was outside `since`/`until`.
    pub outside_window: u64,
    /// Candidate events kept for sequence and sample rules.
    pub candidates: u64,
    /// Sorter activity (items, runs and bytes spilled to disk), over all clocks.
    pub sort: SortStats,
    /// Warnings (also sent to the sink).
    pub warnings: Vec<String>,
}

impl Summary {
    /// Rules evaluated per event, on average (what the prefilter achieved).
    pub fn rules_per_event(&self) -> f64 {
        if self.events == 0 {
            0.0
        } else {
            self.evaluations as f64 / self.events as f64
        }
    }

    /// Rules that never ran (their index patterns matched no event, or no event was in
    /// their time window, or the prefilter ruled every event out).
    pub fn rules_never_evaluated(&self) -> usize {
        self.rules.iter().filter(|r| r.evaluated == 0).count()
    }
}

/// Sort key of a candidate: the rule clock's time (events without one last), tiebreaker
/// (nulls last), input position.
#[derive(Clone, Debug)]
struct CandKey {
    time: Option<i64>,
    tie: Value,
    seq: u64,
}

impl PartialEq for CandKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for CandKey {}
impl PartialOrd for CandKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for CandKey {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.time.is_none(), self.time)
            .cmp(&(other.time.is_none(), other.time))
            .then_with(|| match (self.tie.is_null(), other.tie.is_null()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.tie.cmp(&other.tie),
            })
            .then_with(|| self.seq.cmp(&other.seq))
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(input: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = input.split_first()?;
        *input = rest;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(v);
        }
    }
    None
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn get_bytes<'a>(input: &mut &'a [u8]) -> Option<&'a [u8]> {
    let n = usize::try_from(get_varint(input)?).ok()?;
    if input.len() < n {
        return None;
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Some(head)
}

fn get_str<'a>(input: &mut &'a [u8]) -> Option<&'a str> {
    std::str::from_utf8(get_bytes(input)?).ok()
}

impl SortKey for CandKey {
    fn encode(&self, out: &mut Vec<u8>) {
        match self.time {
            None => out.push(0),
            Some(t) => {
                out.push(1);
                out.extend_from_slice(&t.to_le_bytes());
            }
        }
        match &self.tie {
            Value::Null => out.push(0),
            Value::Bool(b) => out.extend_from_slice(&[1, u8::from(*b)]),
            Value::Int(i) => {
                out.push(2);
                out.extend_from_slice(&i.to_le_bytes());
            }
            Value::Float(f) => {
                out.push(3);
                out.extend_from_slice(&f.to_bits().to_le_bytes());
            }
            Value::Str(s) => {
                out.push(4);
                put_bytes(out, s.as_bytes());
            }
            Value::Date(d) => {
                out.push(5);
                out.extend_from_slice(&d.to_le_bytes());
            }
            Value::Ip(ip) => {
                out.push(6);
                put_bytes(out, ip.to_string().as_bytes());
            }
            Value::Version(s) => {
                out.push(7);
                put_bytes(out, s.as_bytes());
            }
        }
        put_varint(out, self.seq);
    }

    fn decode(input: &mut &[u8]) -> Option<Self> {
        fn eight(input: &mut &[u8]) -> Option<[u8; 8]> {
            if input.len() < 8 {
                return None;
            }
            let (head, rest) = input.split_at(8);
            *input = rest;
            head.try_into().ok()
        }
        let (&t, rest) = input.split_first()?;
        *input = rest;
        let time = match t {
            0 => None,
            _ => Some(i64::from_le_bytes(eight(input)?)),
        };
        let (&tag, rest) = input.split_first()?;
        *input = rest;
        let tie = match tag {
            0 => Value::Null,
            1 => {
                let (&b, rest) = input.split_first()?;
                *input = rest;
                Value::Bool(b != 0)
            }
            2 => Value::Int(i64::from_le_bytes(eight(input)?)),
            3 => Value::Float(f64::from_bits(u64::from_le_bytes(eight(input)?))),
            4 => Value::Str(get_str(input)?.to_string()),
            5 => Value::Date(i64::from_le_bytes(eight(input)?)),
            6 => Value::Ip(get_str(input)?.parse().ok()?),
            7 => Value::Version(get_str(input)?.to_string()),
            _ => return None,
        };
        let seq = get_varint(input)?;
        Some(CandKey { time, tie, seq })
    }

    fn heap_bytes(&self) -> usize {
        match &self.tie {
            Value::Str(s) | Value::Version(s) => s.capacity(),
            _ => 0,
        }
    }
}

/// Where a record came from and what it is, carried from the decoding pool to the
/// hunting thread (and through the sorter).
#[derive(Clone, Debug)]
struct Meta {
    source: usize,
    pos: Pos,
    profile: usize,
    index: Option<String>,
    id: Option<String>,
}

/// A record that matched something or is a candidate.
struct Item {
    local: u64,
    meta: Meta,
    json: Arc<str>,
    /// An event-rule match's `_source`, parsed by the decoding thread.
    source: Option<Arc<serde_json::Value>>,
    /// A candidate's values for sequence and sample rules ([`Decoder::encode_values`]).
    values: Vec<u8>,
    matched: Vec<RuleId>,
    candidates: Vec<RuleId>,
    /// Per clock: (time, tiebreaker).
    clocks: Vec<(Option<i64>, Value)>,
}

/// The result of one chunk.
struct ChunkOut {
    records: u64,
    decoded: u64,
    bytes: u64,
    evaluated: u64,
    no_timestamp: u64,
    outside_window: u64,
    items: Vec<Item>,
}

/// Per-thread state of the decoding pool.
struct Worker<'p> {
    decoder: Decoder<'p>,
    scanner: Scanner<'p>,
    scan: ScanResult,
    masks: HashMap<String, RuleMask>,
}

/// Payload of a sorted item: which rules it matched / is a candidate for (of one clock),
/// its metadata, its values for sequence and sample rules and its JSON text.
fn encode_payload(
    out: &mut Vec<u8>,
    matched: &[RuleId],
    cands: &[RuleId],
    meta: &Meta,
    values: &[u8],
    json: &str,
) {
    out.clear();
    put_varint(out, matched.len() as u64);
    for &r in matched {
        put_varint(out, r as u64);
    }
    put_varint(out, cands.len() as u64);
    for &r in cands {
        put_varint(out, r as u64);
    }
    put_varint(out, meta.source as u64);
    match meta.pos {
        Pos::File => out.push(0),
        Pos::Line(n) => {
            out.push(1);
            put_varint(out, n);
        }
        Pos::Record(n) => {
            out.push(2);
            put_varint(out, n);
        }
    }
    put_varint(out, meta.profile as u64);
    for s in [&meta.index, &meta.id] {
        match s {
            None => out.push(0),
            Some(s) => {
                out.push(1);
                put_bytes(out, s.as_bytes());
            }
        }
    }
    put_bytes(out, values);
    out.extend_from_slice(json.as_bytes());
}

struct Payload<'a> {
    matched: Vec<RuleId>,
    cands: Vec<RuleId>,
    meta: Meta,
    values: &'a [u8],
    json: &'a str,
}

fn decode_payload(mut input: &[u8]) -> Option<Payload<'_>> {
    let i = &mut input;
    let list = |i: &mut &[u8]| -> Option<Vec<RuleId>> {
        let n = get_varint(i)?;
        (0..n)
            .map(|_| get_varint(i).and_then(|v| usize::try_from(v).ok()))
            .collect()
    };
    let matched = list(i)?;
    let cands = list(i)?;
    let source = usize::try_from(get_varint(i)?).ok()?;
    let (&tag, rest) = i.split_first()?;
    *i = rest;
    let pos = match tag {
        0 => Pos::File,
        1 => Pos::Line(get_varint(i)?),
        _ => Pos::Record(get_varint(i)?),
    };
    let profile = usize::try_from(get_varint(i)?).ok()?;
    let opt = |i: &mut &[u8]| -> Option<Option<String>> {
        let (&tag, rest) = i.split_first()?;
        *i = rest;
        Some(match tag {
            0 => None,
            _ => Some(get_str(i)?.to_string()),
        })
    };
    let index = opt(i)?;
    let id = opt(i)?;
    let values = get_bytes(i)?;
    let json = std::str::from_utf8(i).ok()?;
    Some(Payload {
        matched,
        cands,
        meta: Meta {
            source,
            pos,
            profile,
            index,
            id,
        },
        values,
        json,
    })
}

struct Hunt<'a> {
    rules: &'a RuleSet,
    options: &'a HuntOptions,
    sources: &'a [Source],
    sink: &'a mut dyn Sink,
    error: Option<io::Error>,
    /// Results of rules with pipes, held until the end (by rule id).
    held_events: HashMap<RuleId, Vec<Arc<Hit>>>,
    sorters: Vec<Option<ExternalSorter<CandKey>>>,
    stats: Vec<RuleStats>,
    warnings: Vec<String>,
    candidates: u64,
    scratch: Vec<u8>,
    sort_stats: SortStats,
}

impl Hunt<'_> {
    fn hit(
        &self,
        meta: &Meta,
        seq: u64,
        time: Option<i64>,
        json: Text,
        source: Option<Arc<serde_json::Value>>,
    ) -> Hit {
        Hit {
            index: meta.index.as_deref().map(Arc::from),
            id: meta.id.as_deref().map(Box::from),
            file: self
                .sources
                .get(meta.source)
                .map_or_else(|| Arc::from(""), |s| s.name.clone()),
            pos: meta.pos,
            timestamp: time,
            seq,
            json,
            source: source.map_or_else(OnceLock::new, OnceLock::from),
        }
    }

    fn emit_event(&mut self, rule: RuleId, hit: Arc<Hit>) {
        if self.error.is_some() {
            return;
        }
        if self.rules.program.has_pipes(rule) {
            self.held_events.entry(rule).or_default().push(hit);
            return;
        }
        self.stats[rule].matches += 1;
        let key = self.rules.rules[rule].key;
        if let Err(e) = self.sink.on_event_match(key, &hit) {
            self.error = Some(e);
        }
    }

    fn emit_sequence(&mut self, rule: RuleId, hit: SequenceHit<Arc<Hit>>) {
        if self.error.is_some() {
            return;
        }
        self.stats[rule].matches += 1;
        let kind = match self.rules.kind(rule) {
            RuleKind::Sample => MatchKind::Sample,
            _ => MatchKind::Sequence,
        };
        let m = SequenceMatch {
            kind,
            join_keys: hit
                .join_keys
                .iter()
                .map(|k| k.to_json(kind == MatchKind::Sample))
                .collect(),
            events: hit.events,
        };
        let key = self.rules.rules[rule].key;
        if let Err(e) = self.sink.on_sequence_match(key, &m) {
            self.error = Some(e);
        }
    }

    fn warn(&mut self, rule: Option<RuleId>, message: String) {
        let key = rule.and_then(|r| self.rules.rules.get(r)).map(|r| r.key);
        self.sink.on_warning(key, &message);
        self.warnings.push(message);
    }

    fn sorter(&mut self, clock: usize) -> &mut ExternalSorter<CandKey> {
        // The clocks share the budget, so memory does not grow with the number of clocks.
        let clocks = self.sorters.len().max(1);
        // Spilled candidates are JSON, which zstd at level 1 shrinks several times for
        // little CPU next to matching: a large hunt's temporary files stay small.
        let opts = SortOptions {
            compression: SpillCompression::Zstd(1),
            memory_budget: (self.options.memory_budget / clocks).max(1 << 20),
            temp_dir: self.options.temp_dir.clone(),
            ..SortOptions::default()
        };
        self.sorters[clock].get_or_insert_with(|| ExternalSorter::new(opts))
    }

    /// The hunting thread's share of one chunk.
    fn consume(&mut self, out: ChunkOut, base: u64) -> ControlFlow<()> {
        let program = &self.rules.program;
        let time_order = self.options.event_order == EventOrder::Time;
        let rules = self.rules;
        let ordered = |r: RuleId| time_order || rules.rules.get(r).is_some_and(|i| i.time_ordered);
        for item in out.items {
            let seq = base + item.local;
            if item.matched.iter().any(|&r| !ordered(r)) {
                // One hit per clock (the time differs), sharing the text and document.
                let mut hits: Vec<Option<Arc<Hit>>> = vec![None; program.clocks()];
                for &r in item.matched.iter().filter(|&&r| !ordered(r)) {
                    let clock = program.clock_of(r);
                    let hit = match hits.get(clock) {
                        Some(Some(h)) => h.clone(),
                        _ => {
                            let time = item.clocks.get(clock).and_then(|c| c.0);
                            let h = Arc::new(self.hit(
                                &item.meta,
                                seq,
                                time,
                                Text::Inline(item.json.clone()),
                                item.source.clone(),
                            ));
                            if let Some(slot) = hits.get_mut(clock) {
                                *slot = Some(h.clone());
                            }
                            h
                        }
                    };
                    self.emit_event(r, hit);
                }
            }
            for &r in &item.candidates {
                self.stats[r].candidates += 1;
            }
            if !item.candidates.is_empty() {
                self.candidates += 1;
            }
            // Per clock: what goes to its sorter.
            for clock in 0..program.clocks() {
                let m: Vec<RuleId> = item
                    .matched
                    .iter()
                    .copied()
                    .filter(|&r| ordered(r) && program.clock_of(r) == clock)
                    .collect();
                let c: Vec<RuleId> = item
                    .candidates
                    .iter()
                    .copied()
                    .filter(|&r| program.clock_of(r) == clock)
                    .collect();
                if m.is_empty() && c.is_empty() {
                    continue;
                }
                let (time, tie) = item
                    .clocks
                    .get(clock)
                    .cloned()
                    .unwrap_or((None, Value::Null));
                let mut payload = std::mem::take(&mut self.scratch);
                encode_payload(&mut payload, &m, &c, &item.meta, &item.values, &item.json);
                let key = CandKey { time, tie, seq };
                if let Err(e) = self.sorter(clock).push(key, &payload) {
                    self.error = Some(e);
                }
                self.scratch = payload;
            }
            if self.error.is_some() {
                return ControlFlow::Break(());
            }
        }
        if self.error.is_some() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    /// After the input: sorted streams into event emission and sequence runners.
    fn finish_sorted(&mut self) {
        let program = &self.rules.program;
        let max_pending = self.options.max_pending_sequences;
        let mut runners: Vec<Option<SequenceRunner<Arc<Hit>>>> = (0..program.len())
            .map(|r| SequenceRunner::new(program, r, max_pending))
            .collect();
        let mut decoder = Decoder::new(program);
        let mut out = Vec::new();
        let mut store: Option<Arc<TextStore>> = None;
        for clock in 0..self.sorters.len() {
            let Some(sorter) = self.sorters[clock].take() else {
                continue;
            };
            let mut sorted = match sorter.finish() {
                Ok(s) => s,
                Err(e) => {
                    self.error = Some(e);
                    return;
                }
            };
            if store.is_none() && sorted.stats().runs_spilled > 0 {
                store = TextStore::new(self.options.temp_dir.as_deref())
                    .ok()
                    .map(Arc::new);
            }
            loop {
                let (key, payload) = match sorted.next_item() {
                    Ok(Some(item)) => item,
                    Ok(None) => break,
                    Err(e) => {
                        self.error = Some(e);
                        return;
                    }
                };
                let Some(p) = decode_payload(payload) else {
                    self.warn(
                        None,
                        "internal: a sorted candidate could not be read back".into(),
                    );
                    continue;
                };
                // Candidates of a large input (one whose candidates spilled) keep their text
                // on disk while they wait in partial sequences.
                let text = match (&store, p.cands.is_empty()) {
                    (Some(st), false) => match st.put(p.json) {
                        Ok(slot) => Text::Stored(st.clone(), slot),
                        Err(_) => Text::Inline(Arc::from(p.json)),
                    },
                    _ => Text::Inline(Arc::from(p.json)),
                };
                let hit = Arc::new(self.hit(&p.meta, key.seq, key.time, text, None));
                for &r in &p.matched {
                    self.emit_event(r, hit.clone());
                }
                if p.cands.is_empty() {
                    continue;
                }
                // The candidate's values as the scan saw them: no second parse.
                let Some(event) = decoder.decode_values(p.meta.profile, p.values, key.seq) else {
                    self.warn(
                        None,
                        "internal: a sorted candidate's values could not be read back".into(),
                    );
                    continue;
                };
                let event: &Event = event;
                for &r in &p.cands {
                    if let Some(Some(runner)) = runners.get_mut(r) {
                        runner.push(program, event, hit.clone(), &mut out);
                        for h in out.drain(..) {
                            self.emit_sequence(r, h);
                        }
                    }
                }
                if self.error.is_some() {
                    return;
                }
            }
            let st = sorted.stats();
            self.add_sort_stats(st);
        }
        for (r, runner) in runners.into_iter().enumerate() {
            let Some(runner) = runner else { continue };
            let warnings = runner.finish(program, self.options.max_samples_per_key, &mut out);
            for h in out.drain(..) {
                self.emit_sequence(r, h);
            }
            for w in warnings {
                self.warn(Some(r), w);
            }
        }
    }

    fn add_sort_stats(&mut self, st: SortStats) {
        let s = &mut self.sort_stats;
        s.items += st.items;
        s.runs_spilled += st.runs_spilled;
        s.bytes_spilled += st.bytes_spilled;
    }
}

impl<'p> Worker<'p> {
    fn new(rules: &'p RuleSet) -> Self {
        Worker {
            decoder: Decoder::new(&rules.program),
            scanner: Scanner::new(&rules.program),
            scan: ScanResult::default(),
            masks: HashMap::new(),
        }
    }
}

/// The index an event is selected by: the record's (command line or hit), else its data
/// stream.
fn index_name(
    rules: &RuleSet,
    record_index: Option<&str>,
    decoder: &Decoder<'_>,
) -> Option<String> {
    if let Some(i) = record_index.or_else(|| decoder.hit_index()) {
        return Some(i.to_string());
    }
    let ev = decoder.event();
    let part = |i: usize| match ev.get(rules.data_stream[i]).first() {
        Some(Value::Str(s)) if !s.is_empty() => Some(s.as_str()),
        _ => None,
    };
    Some(format!("{}-{}-{}", part(0)?, part(1)?, part(2)?))
}

fn mask_for<'m>(
    rules: &RuleSet,
    masks: &'m mut HashMap<String, RuleMask>,
    name: &str,
) -> &'m RuleMask {
    if masks.len() > 4096 {
        masks.clear();
    }
    masks.entry(name.to_string()).or_insert_with(|| {
        let mut m = RuleMask::new(rules.len(), false);
        for (i, r) in rules.rules.iter().enumerate() {
            if crate::index::selects(&r.index, name) {
                m.set(i);
            }
        }
        m
    })
}

fn scan_chunk(
    rules: &RuleSet,
    options: &HuntOptions,
    window: &ScanOptions,
    w: &mut Worker<'_>,
    batch: shrike_io::Batch<'_>,
    problems: &mut shrike_io::Problems,
    source_index: usize,
) -> ChunkOut {
    let program = &rules.program;
    let mut out = ChunkOut {
        records: batch.len() as u64,
        decoded: 0,
        bytes: 0,
        evaluated: 0,
        no_timestamp: 0,
        outside_window: 0,
        items: Vec::new(),
    };
    let keep_clocks = options.event_order == EventOrder::Time;
    for (local, rec) in batch.iter().enumerate() {
        out.bytes += rec.json.len() as u64 + 1;
        let profile = rules.profile(rec.index);
        // The decoder skips what no rule reads without a depth limit; a record nested
        // deeper than the reader's limit is rejected as a full parse would reject it.
        if shrike_io::nesting_exceeds(rec.json.as_bytes(), options.read.max_depth) {
            problems.reject(
                &rec,
                shrike_io::codes::TOO_DEEP,
                format!(
                    "document nested more than {} levels deep; skipped",
                    options.read.max_depth
                ),
            );
            continue;
        }
        if let Err(e) = w.decoder.decode_str(profile, rec.json, local as u64) {
            problems.json_error(&rec, &e);
            continue;
        }
        out.decoded += 1;
        let name = index_name(rules, rec.index, &w.decoder);
        let mask = match (&name, options.ignore_index) {
            (Some(n), false) => Some(mask_for(rules, &mut w.masks, n)),
            _ => None,
        };
        w.scanner.scan(w.decoder.event(), mask, window, &mut w.scan);
        out.evaluated += w.scan.evaluated as u64;
        out.no_timestamp += w.scan.no_timestamp as u64;
        out.outside_window += w.scan.outside_window as u64;
        if w.scan.matched.is_empty() && w.scan.candidates.is_empty() {
            continue;
        }
        let ev = w.decoder.event();
        let need_clocks =
            keep_clocks || !w.scan.candidates.is_empty() || !w.scan.matched.is_empty();
        let clocks = if need_clocks {
            (0..program.clocks())
                .map(|c| (program.time(c, ev), program.tiebreaker(c, ev)))
                .collect()
        } else {
            Vec::new()
        };
        let mut values = Vec::new();
        if !w.scan.candidates.is_empty() {
            w.decoder.encode_values(&mut values);
        }
        out.items.push(Item {
            local: local as u64,
            values,
            meta: Meta {
                source: source_index,
                pos: rec.pos,
                profile,
                index: name,
                id: rec.id.or_else(|| w.decoder.hit_id()).map(str::to_string),
            },
            json: Arc::from(rec.json),
            // Parsed here, on a decoding thread, for the sink (alerts need it).
            source: (!keep_clocks && !w.scan.matched.is_empty())
                .then(|| Arc::new(crate::sink::parse_source(rec.json))),
            matched: w.scan.matched.clone(),
            candidates: w.scan.candidates.clone(),
            clocks,
        });
    }
    out
}

/// Runs `rules` over `inputs` (files, directories, `-`, `INDEX=FILE`; any format
/// `shrike-io` reads), delivering results to `sink`. Returns what happened, or the first
/// error a sink method returned (the hunt stops there) or a spill file could not be
/// written.
///
/// Output is deterministic: the same for any number of threads.
pub fn hunt(
    rules: &RuleSet,
    inputs: &[InputSpec],
    options: &HuntOptions,
    sink: &mut dyn Sink,
) -> io::Result<Summary> {
    let mut report = InputReport::new(options.max_problem_messages);
    let sources = shrike_io::expand(inputs, DefaultIndex::None, &mut report);
    let mut read = options.read.clone();
    read.threads = options.threads;
    let mut reader = Reader::new(read);
    if let Some(evtx) = &options.evtx {
        reader = reader.with_evtx(evtx.clone());
    }
    let window = ScanOptions {
        since: options.since,
        until: options.until,
        no_prefilter: options.no_prefilter,
    };
    let program = &rules.program;
    let mut h = Hunt {
        rules,
        options,
        sources: &sources,
        sink,
        error: None,
        held_events: HashMap::new(),
        sorters: (0..program.clocks()).map(|_| None).collect(),
        stats: rules
            .rules
            .iter()
            .map(|r| RuleStats {
                key: r.key,
                ..RuleStats::default()
            })
            .collect(),
        warnings: Vec::new(),
        candidates: 0,
        scratch: Vec::new(),
        sort_stats: SortStats::default(),
    };
    let pool: Mutex<Vec<Worker<'_>>> = Mutex::new(Vec::new());
    // Batches name their input by reference; find its position by address.
    let source_ids: HashMap<usize, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s as *const Source as usize, i))
        .collect();
    let mut totals = ChunkOut {
        records: 0,
        decoded: 0,
        bytes: 0,
        evaluated: 0,
        no_timestamp: 0,
        outside_window: 0,
        items: Vec::new(),
    };
    let mut base = 0u64;
    reader.par_map(
        &sources,
        &mut report,
        |batch, problems| {
            let mut w = pool
                .lock()
                .ok()
                .and_then(|mut p| p.pop())
                .unwrap_or_else(|| Worker::new(rules));
            let source_index = source_ids
                .get(&(batch.source() as *const Source as usize))
                .copied()
                .unwrap_or(0);
            let out = scan_chunk(
                rules,
                options,
                &window,
                &mut w,
                batch,
                problems,
                source_index,
            );
            if let Ok(mut p) = pool.lock() {
                p.push(w);
            }
            out
        },
        |out| {
            totals.records += out.records;
            totals.decoded += out.decoded;
            totals.bytes += out.bytes;
            totals.evaluated += out.evaluated;
            totals.no_timestamp += out.no_timestamp;
            totals.outside_window += out.outside_window;
            let records = out.records;
            let flow = h.consume(out, base);
            base += records;
            h.sink.on_progress(&Progress {
                bytes: totals.bytes,
                events: totals.records,
            });
            flow
        },
    );
    if let Some(e) = h.error.take() {
        return Err(e);
    }
    for p in report.messages() {
        h.sink.on_input_problem(p);
    }
    h.finish_sorted();
    // Rules with pipes: their event matches, now complete.
    let mut held: Vec<(RuleId, Vec<Arc<Hit>>)> =
        std::mem::take(&mut h.held_events).into_iter().collect();
    held.sort_by_key(|(r, _)| *r);
    for (r, hits) in held {
        for hit in program.apply_pipes(r, hits) {
            if h.error.is_some() {
                break;
            }
            h.stats[r].matches += 1;
            let key = rules.rules[r].key;
            if let Err(e) = h.sink.on_event_match(key, &hit) {
                h.error = Some(e);
            }
        }
    }
    if let Some(e) = h.error.take() {
        return Err(e);
    }
    let workers = pool.into_inner().unwrap_or_default();
    for w in &workers {
        for (i, n) in w.scanner.evaluations_per_rule().iter().enumerate() {
            if let Some(s) = h.stats.get_mut(i) {
                s.evaluated += n;
            }
        }
    }
    if h.sort_stats.runs_spilled > 0 {
        let msg = format!(
            "candidates spilled to disk: {} runs, {} bytes (memory budget {} bytes)",
            h.sort_stats.runs_spilled, h.sort_stats.bytes_spilled, options.memory_budget
        );
        h.warn(None, msg);
    }
    Ok(Summary {
        bad_records: report.errors(),
        input: report,
        events: totals.decoded,
        bytes: totals.bytes,
        rules: h.stats,
        evaluations: totals.evaluated,
        no_timestamp: totals.no_timestamp,
        outside_window: totals.outside_window,
        candidates: h.candidates,
        sort: h.sort_stats,
        warnings: h.warnings,
    })
}
