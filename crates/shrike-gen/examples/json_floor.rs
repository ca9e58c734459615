//! The parse floor of the benchmark: read an NDJSON file and parse every line with serde_json
//! (the crate and features shrike's engine uses), doing nothing else. `shrike hunt` cannot be
//! faster than reading plus parsing unless it skips parsing, so its throughput is reported as a
//! ratio of this one, measured on the same file in the same run.
//!
//! ```text
//! json_floor [--threads N] [--mode value|skip] FILE
//! ```
//!
//! `value` builds a `serde_json::Value` per line (what a naive engine does); `skip` only
//! validates the syntax (`IgnoredAny`), the floor for an engine that extracts just the fields
//! its rules read. Lines are split among threads by byte ranges cut at newlines. Prints one JSON
//! line: events, bytes, bad lines, seconds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde::de::IgnoredAny;
use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::time::Instant;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Value,
    Skip,
}

/// Parses the lines that start in `[begin, end)`; returns (lines, bytes, bad lines).
fn parse_range(path: &str, begin: u64, end: u64, mode: Mode) -> (u64, u64, u64) {
    let mut f = File::open(path).expect("open input");
    f.seek(SeekFrom::Start(begin)).expect("seek");
    let mut r = BufReader::with_capacity(4 << 20, f);
    let mut line = Vec::with_capacity(64 << 10);
    let mut pos = begin;
    if begin > 0 {
        // Skip the line that started before our range: its owner parses it.
        let mut probe = Vec::new();
        r.seek(SeekFrom::Start(begin - 1)).expect("seek");
        pos = begin - 1;
        pos += r.read_until(b'\n', &mut probe).expect("read") as u64;
    }
    let (mut n, mut bytes, mut bad) = (0u64, 0u64, 0u64);
    while pos < end {
        line.clear();
        let got = r.read_until(b'\n', &mut line).expect("read") as u64;
        if got == 0 {
            break;
        }
        pos += got;
        bytes += got;
        let body = line.strip_suffix(b"\n").unwrap_or(&line);
        if body.is_empty() {
            continue;
        }
        let ok = match mode {
            Mode::Value => serde_json::from_slice::<serde_json::Value>(body).is_ok(),
            Mode::Skip => serde_json::from_slice::<IgnoredAny>(body).is_ok(),
        };
        n += 1;
        bad += u64::from(!ok);
    }
    (n, bytes, bad)
}

fn main() {
    let mut threads = 1usize;
    let mut mode = Mode::Value;
    let mut file = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => threads = args.next().and_then(|v| v.parse().ok()).unwrap_or(1).max(1),
            "--mode" => {
                mode = match args.next().as_deref() {
                    Some("skip") => Mode::Skip,
                    _ => Mode::Value,
                }
            }
            _ => file = Some(a),
        }
    }
    let Some(path) = file else {
        eprintln!("usage: json_floor [--threads N] [--mode value|skip] FILE");
        std::process::exit(2);
    };
    let size = std::fs::metadata(&path).expect("stat input").len();
    let start = Instant::now();
    let parts: Vec<(u64, u64, u64)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads as u64)
            .map(|i| {
                let (b, e) = (size * i / threads as u64, size * (i + 1) / threads as u64);
                let path = &path;
                s.spawn(move || parse_range(path, b, e, mode))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker"))
            .collect()
    });
    let secs = start.elapsed().as_secs_f64();
    let (n, bytes, bad) = parts
        .iter()
        .fold((0, 0, 0), |a, p| (a.0 + p.0, a.1 + p.1, a.2 + p.2));
    println!("{{\"events\":{n},\"bytes\":{bytes},\"bad_lines\":{bad},\"threads\":{threads},\"seconds\":{secs:.3}}}");
}
