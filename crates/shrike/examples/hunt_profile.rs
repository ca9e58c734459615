//! Where `shrike hunt`'s time goes: loads a rule pack as `shrike hunt` does, then runs the
//! hunt pipeline over the inputs with a sink that only counts (`--sink count`), or one that
//! also parses each matched event's `_source` as an alert would (`--sink source`), and
//! prints the phases' times and the prefilter's statistics.
//!
//! ```sh
//! cargo run --release -p shrike --example hunt_profile -- \
//!     --rules ../shared/corpus/detection-rules/rules \
//!     --rules ../shared/corpus/detection-rules/rules_building_block \
//!     [--threads N] [--sink count|source] [--no-prefilter] [--unanchored] FILE...
//! ```

use shrike_detect::{load_pack, ExceptionLists, PackOptions, ScheduleMode, Selection};
use shrike_hunt::{Hit, HuntOptions, HuntSchema, SequenceMatch, Sink};
use shrike_io::InputSpec;
use std::io;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Default)]
struct Counting {
    parse: bool,
    events: u64,
    sequences: u64,
    bytes: u64,
}

impl Sink for Counting {
    fn on_event_match(&mut self, _rule: usize, hit: &Hit) -> io::Result<()> {
        self.events += 1;
        if self.parse {
            self.bytes += hit.source().as_object().map_or(0, |o| o.len() as u64);
        }
        Ok(())
    }

    fn on_sequence_match(&mut self, _rule: usize, m: &SequenceMatch) -> io::Result<()> {
        self.sequences += 1;
        if self.parse {
            for h in m.events.iter().flatten() {
                self.bytes += h.source().as_object().map_or(0, |o| o.len() as u64);
            }
        }
        Ok(())
    }
}

fn main() {
    let mut rules = Vec::new();
    let mut inputs = Vec::new();
    let mut threads = 1;
    let mut parse = false;
    let mut no_prefilter = false;
    let mut unanchored = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rules" => rules.push(PathBuf::from(args.next().expect("--rules DIR"))),
            "--threads" => {
                threads = args
                    .next()
                    .and_then(|t| t.parse().ok())
                    .expect("--threads N")
            }
            "--sink" => parse = args.next().as_deref() == Some("source"),
            "--no-prefilter" => no_prefilter = true,
            "--unanchored" => unanchored = true,
            _ => inputs.push(InputSpec::parse(&a).expect("input")),
        }
    }
    let t0 = Instant::now();
    let schema = HuntSchema::ecs();
    let selection = Selection::default();
    let exceptions = ExceptionLists::default();
    let pack = load_pack(
        &rules,
        &PackOptions {
            schema: &schema,
            selection: &selection,
            exceptions: &exceptions,
            indicators: None,
            schedule: ScheduleMode::Continuous,
            now: 0,
        },
    );
    let program = pack.set.program();
    eprintln!(
        "load: {:.2?}, {} rules, {} fields, {} clocks, {} unanchored",
        t0.elapsed(),
        pack.set.len(),
        program.field_paths().len(),
        program.clocks(),
        program.unanchored_rules()
    );
    if unanchored {
        let keys: Vec<usize> = pack.set.keys().collect();
        let name = |r: usize| {
            keys.get(r)
                .and_then(|&k| pack.rules.get(k))
                .map_or("?", |p| p.name())
        };
        for (r, stage, clauses) in program.anchors() {
            if clauses.is_empty() {
                eprintln!("  unanchored: {} (stage {stage})", name(r));
            } else if std::env::var_os("ANCHORS").is_some() {
                eprintln!("  {} (stage {stage}):", name(r));
                for c in clauses {
                    let c: String = c.chars().take(200).collect();
                    eprintln!("      {c}");
                }
            }
        }
    }
    let options = HuntOptions {
        threads,
        no_prefilter,
        ..HuntOptions::default()
    };
    let mut sink = Counting {
        parse,
        ..Counting::default()
    };
    let t1 = Instant::now();
    let summary = shrike_hunt::hunt(&pack.set, &inputs, &options, &mut sink).expect("hunt");
    let dt = t1.elapsed();
    eprintln!(
        "hunt: {dt:.2?}, {} events ({:.0}/s), {:.2} rules/event, {} candidates, {} event matches, {} sequences",
        summary.events,
        summary.events as f64 / dt.as_secs_f64(),
        summary.rules_per_event(),
        summary.candidates,
        sink.events,
        sink.sequences,
    );
    let mut per: Vec<_> = summary
        .rules
        .iter()
        .filter(|r| r.evaluated > 0)
        .map(|r| (r.evaluated, r.matches, r.candidates, r.key))
        .collect();
    per.sort_unstable_by(|a, b| b.cmp(a));
    for (ev, m, c, key) in per.iter().take(40) {
        let name = pack.rules.get(*key).map_or("?", |p| p.name());
        eprintln!("  {ev:>9} evaluated {m:>7} matches {c:>7} candidates  {name}");
    }
}
