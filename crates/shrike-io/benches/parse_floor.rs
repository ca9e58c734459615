//! The reading baselines issue 6 compares the engine against:
//!
//! * `split`: NDJSON line splitting with memchr (the "near cat" floor);
//! * `split+parse/value` and `split+parse/ignored`: the plain `serde_json` parse of every
//!   line into a `Value` and into `IgnoredAny` (the parse floor);
//! * `reader/*`: the whole shrike-io reader (file read, chunking, UTF-8 check, records) on
//!   one decoding thread, plain and gzip.
//!
//! Run: `cargo bench -p shrike-io --bench parse_floor`. Criterion prints MB/s (throughput
//! is in bytes); lines/s = MB/s ÷ the average line length printed at the start.

use std::io::Write;
use std::ops::ControlFlow;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use shrike_io::{InputReport, ReadOptions, Reader, Source};

/// Deterministic ECS-like events (process, network, authentication), ~500-700 bytes each.
fn ndjson(lines: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(42);
    let mut out = Vec::with_capacity(lines * 650);
    let procs = [
        "cmd.exe",
        "powershell.exe",
        "svchost.exe",
        "schtasks.exe",
        "rundll32.exe",
        "chrome.exe",
    ];
    let users = ["alice", "bob", "SYSTEM", "svc_backup", "carol"];
    for i in 0..lines {
        let ts = 1_700_000_000_000u64 + i as u64 * 13 + rng.u64(0..50);
        let host = format!("host-{:03}", rng.u32(0..200));
        let user = users[rng.usize(0..users.len())];
        match rng.u8(0..3) {
            0 => {
                let p = procs[rng.usize(0..procs.len())];
                let parent = procs[rng.usize(0..procs.len())];
                writeln!(
                    out,
                    r#"{{"@timestamp":"{ts}","event":{{"category":["process"],"type":["start"],"kind":"event","code":"4688"}},"host":{{"name":"{host}","os":{{"family":"windows"}}}},"user":{{"name":"{user}","domain":"CORP"}},"process":{{"pid":{},"name":"{p}","executable":"C:\\Windows\\System32\\{p}","command_line":"{p} /c echo {} && whoami /all","entity_id":"{{{:016x}}}","parent":{{"pid":{},"name":"{parent}","executable":"C:\\Windows\\System32\\{parent}"}},"args":["{p}","/c","echo"]}},"agent":{{"type":"winlogbeat","version":"8.15.0"}}}}"#,
                    rng.u32(100..60000),
                    rng.u64(..),
                    rng.u64(..),
                    rng.u32(100..60000),
                )
                .expect("write to a Vec");
            }
            1 => writeln!(
                out,
                r#"{{"@timestamp":"{ts}","event":{{"category":["network"],"type":["connection"],"action":"connection_attempted"}},"host":{{"name":"{host}"}},"source":{{"ip":"10.{}.{}.{}","port":{}}},"destination":{{"ip":"192.168.{}.{}","port":{}}},"network":{{"transport":"tcp","direction":"egress"}},"process":{{"name":"{}","pid":{}}}}}"#,
                rng.u8(..),
                rng.u8(..),
                rng.u8(..),
                rng.u16(1024..),
                rng.u8(..),
                rng.u8(..),
                [22, 80, 443, 445, 3389][rng.usize(0..5)],
                procs[rng.usize(0..procs.len())],
                rng.u32(100..60000),
            )
            .expect("write to a Vec"),
            _ => writeln!(
                out,
                r#"{{"@timestamp":"{ts}","event":{{"category":["authentication"],"type":["start"],"outcome":"{}","code":"4624"}},"host":{{"name":"{host}"}},"user":{{"name":"{user}","domain":"CORP"}},"source":{{"ip":"10.0.{}.{}"}},"winlog":{{"logon":{{"type":"Network","id":"0x{:x}"}},"channel":"Security","provider_name":"Microsoft-Windows-Security-Auditing"}}}}"#,
                if rng.bool() { "success" } else { "failure" },
                rng.u8(..),
                rng.u8(..),
                rng.u64(..),
            )
            .expect("write to a Vec"),
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let lines = 40_000;
    let data = ndjson(lines);
    eprintln!(
        "parse_floor: {lines} lines, {} bytes, {:.0} bytes/line",
        data.len(),
        data.len() as f64 / lines as f64
    );
    let text = std::str::from_utf8(&data).expect("generated text is UTF-8");

    let mut g = c.benchmark_group("ndjson");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(20);
    g.bench_function("split", |b| {
        b.iter(|| {
            let mut n = 0usize;
            let mut start = 0;
            for nl in memchr::memchr_iter(b'\n', &data) {
                n += usize::from(nl > start);
                start = nl + 1;
            }
            n
        })
    });
    g.bench_function("split+parse/value", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for line in text.lines() {
                let v: serde_json::Value = serde_json::from_str(line).expect("valid");
                n += usize::from(v.is_object());
            }
            n
        })
    });
    g.bench_function("split+parse/ignored", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for line in text.lines() {
                let _: serde::de::IgnoredAny = serde_json::from_str(line).expect("valid");
                n += 1;
            }
            n
        })
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let plain = dir.path().join("events.ndjson");
    std::fs::write(&plain, &data).expect("write");
    let gz = dir.path().join("events.ndjson.gz");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(&data).expect("gzip");
    std::fs::write(&gz, e.finish().expect("gzip")).expect("write");
    let zst = dir.path().join("events.ndjson.zst");
    std::fs::write(&zst, zstd::encode_all(&data[..], 3).expect("zstd")).expect("write");
    // The decompression floor: the decoders alone, into a sink.
    g.bench_function("decompress-only/gzip", |b| {
        b.iter(|| {
            let f = std::fs::File::open(&gz).expect("open");
            std::io::copy(
                &mut flate2::read::MultiGzDecoder::new(std::io::BufReader::new(f)),
                &mut std::io::sink(),
            )
            .expect("gunzip")
        })
    });
    g.bench_function("decompress-only/zstd", |b| {
        b.iter(|| {
            let f = std::fs::File::open(&zst).expect("open");
            std::io::copy(
                &mut zstd::stream::read::Decoder::new(f).expect("zstd"),
                &mut std::io::sink(),
            )
            .expect("unzstd")
        })
    });
    for (name, path) in [
        ("reader/plain", &plain),
        ("reader/gzip", &gz),
        ("reader/zstd", &zst),
    ] {
        let sources = [Source::file(path)];
        let reader = Reader::new(ReadOptions {
            threads: 1,
            ..ReadOptions::default()
        });
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut report = InputReport::default();
                let mut n = 0usize;
                reader.par_map(
                    &sources,
                    &mut report,
                    |batch, _| batch.iter().map(|r| r.json.len()).sum::<usize>(),
                    |k| {
                        n += k;
                        ControlFlow::Continue(())
                    },
                );
                assert_eq!(report.stats.records, lines as u64);
                n
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
