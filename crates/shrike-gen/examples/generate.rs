//! Writes a generated stream to stdout (a stand-in for `shrike generate` while the CLI is not
//! built): `cargo run --release -p shrike-gen --example generate -- EVENTS [SEED] [THREADS]`.
#![allow(clippy::unwrap_used)]

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let events: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let seed: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1);
    let threads: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1);
    let cfg = shrike_gen::Config {
        limit: shrike_gen::Limit::Events(events),
        seed,
        threads,
        attacks: shrike_gen::Attacks::Count((events / 20_000).max(1)),
        disorder: 0.01,
        ..Default::default()
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let t = std::time::Instant::now();
    let summary = shrike_gen::generate(&cfg, &mut out).unwrap();
    out.flush().unwrap();
    let secs = t.elapsed().as_secs_f64();
    eprintln!("{}", summary.describe());
    eprintln!(
        "{:.2}s, {:.0} events/s, {:.1} MB/s",
        secs,
        summary.events as f64 / secs,
        summary.bytes as f64 / 1e6 / secs
    );
}
