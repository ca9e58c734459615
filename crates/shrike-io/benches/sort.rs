//! The external sorter: in memory vs spilling plain vs spilling zstd-compressed runs, on
//! event-sized payloads with nearly sorted timestamps (as logs are).
//!
//! Run: `cargo bench -p shrike-io --bench sort`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use shrike_io::sort::{ExternalSorter, SortOptions, SpillCompression};

fn bench(c: &mut Criterion) {
    let mut rng = fastrand::Rng::with_seed(3);
    let n = 50_000usize;
    let items: Vec<((i64, u64), Vec<u8>)> = (0..n)
        .map(|i| {
            // Mostly ordered, with some disorder (late events), like merged logs.
            let ts = i as i64 * 10 + if rng.u8(..) < 20 { -rng.i64(0..50_000) } else { 0 };
            let payload = format!(
                r#"{{"@timestamp":{ts},"host":{{"name":"host-{}"}},"process":{{"name":"cmd.exe","command_line":"cmd.exe /c echo {}"}},"pad":"{}"}}"#,
                rng.u32(0..200),
                rng.u64(..),
                "x".repeat(rng.usize(100..400))
            );
            ((ts, i as u64), payload.into_bytes())
        })
        .collect();
    let bytes: usize = items.iter().map(|(_, p)| p.len()).sum();
    eprintln!("sort: {n} items, {bytes} payload bytes");
    let mut g = c.benchmark_group("sort");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    let cases = [
        ("memory", usize::MAX, SpillCompression::None),
        ("spill-plain", bytes / 8, SpillCompression::None),
        ("spill-zstd1", bytes / 8, SpillCompression::Zstd(1)),
    ];
    for (name, budget, compression) in cases {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut s = ExternalSorter::new(SortOptions {
                    memory_budget: budget,
                    compression,
                    ..SortOptions::default()
                });
                for (k, p) in &items {
                    s.push(*k, p).expect("push");
                }
                let mut sorted = s.finish().expect("finish");
                let stats = sorted.stats();
                let mut total = 0usize;
                while let Some((_, p)) = sorted.next_item().expect("next") {
                    total += p.len();
                }
                assert_eq!(total, bytes);
                stats.bytes_spilled
            })
        });
    }
    g.finish();
    // Spill sizes, once.
    for (name, budget, compression) in cases {
        let mut s = ExternalSorter::new(SortOptions {
            memory_budget: budget,
            compression,
            ..SortOptions::default()
        });
        for (k, p) in &items {
            s.push(*k, p).expect("push");
        }
        let st = s.finish().expect("finish").stats();
        eprintln!(
            "sort/{name}: {} runs, {} bytes spilled",
            st.runs_spilled, st.bytes_spilled
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
