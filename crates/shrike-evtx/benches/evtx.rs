//! In-process throughput of EVTX → ECS against the `evtx` crate's own JSON rendering of
//! the same file (the work `evtx_dump -o jsonl` does), without process start-up costs.
//!
//! `cargo bench -p shrike-evtx --bench evtx` (needs `shared/samples/evtx`; set
//! `SHRIKE_SHARED` when `shared/` is not beside the repository).

use std::io::Cursor;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use evtx::{EvtxParser, ParserSettings};
use shrike_evtx::{EvtxReader, Item, OutputKind, ReadOptions};

fn sample() -> Option<(PathBuf, Vec<u8>)> {
    let shared = std::env::var_os("SHRIKE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let file = shared.join("samples/evtx/parser-samples/security.evtx");
    let bytes = std::fs::read(&file).ok()?;
    Some((file, bytes))
}

fn bench(c: &mut Criterion) {
    let Some((file, bytes)) = sample() else {
        eprintln!("SKIP evtx bench: shared/samples/evtx not found (set SHRIKE_SHARED)");
        return;
    };
    let mut group = c.benchmark_group("security.evtx");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(20);
    for threads in [1, 2] {
        group.bench_function(format!("evtx JSON, {threads} thread(s)"), |b| {
            b.iter(|| {
                let parser = EvtxParser::from_read_seek(Cursor::new(bytes.as_slice()))
                    .expect("opens")
                    .with_configuration(ParserSettings::new().num_threads(threads).indent(false));
                let mut parser = parser;
                let mut out = 0usize;
                for chunk in parser.chunks_json_bytes(false) {
                    out += chunk.data.len();
                }
                out
            })
        });
        for (name, output) in [("ECS JSON", OutputKind::EcsJson), ("raw", OutputKind::Raw)] {
            let reader = EvtxReader::with_builtin_mapping(ReadOptions {
                threads,
                output,
                ..ReadOptions::default()
            });
            group.bench_function(format!("shrike {name}, {threads} thread(s)"), |b| {
                b.iter(|| {
                    let mut n = 0usize;
                    reader
                        .read(Cursor::new(bytes.as_slice()), &file, |item| {
                            if let Item::Event(_) = item {
                                n += 1;
                            }
                            ControlFlow::Continue(())
                        })
                        .expect("reads");
                    n
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
