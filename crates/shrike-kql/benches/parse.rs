//! Parser throughput: a synthetic rule-sized query, and every kuery query of the rule corpus
//! when `shared/` is present.
//!
//! `cargo bench -p shrike-kql --bench parse`

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

/// A query shaped like the larger detection rules: field lists, wildcards, escapes, ranges,
/// a nested group.
fn synthetic() -> String {
    let mut q =
        String::from("event.category: process and event.type: (start or process_started) and (\n");
    for i in 0..20 {
        q.push_str(&format!(
            "  (process.name: (\"tool{i}.exe\" or tool{i}_x64.exe) and process.args: (*-enc* or */c* or \"C:\\\\Temp\\\\{i}\")) or\n"
        ));
    }
    q.push_str("  destination.port >= 1024 and not source.ip: (10.0.0.0/8 or 192.168.0.0/16)\n)");
    q.push_str(" and not user.name: (SYSTEM or \"LOCAL SERVICE\") and a: { b: c and d < 5 }\n");
    q
}

fn corpus() -> Vec<String> {
    let Some(dir) = shrike_testkit::shared_dir().map(|d| d.join("corpus/detection-rules")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for path in shrike_testkit::files_with_suffix(&dir, ".toml") {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(doc) = text.parse::<toml::Table>() else {
            continue;
        };
        let Some(rule) = doc.get("rule").and_then(|r| r.as_table()) else {
            continue;
        };
        if rule.get("language").and_then(|l| l.as_str()) == Some("kuery") {
            if let Some(q) = rule.get("query").and_then(|q| q.as_str()) {
                out.push(q.to_string());
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let q = synthetic();
    assert!(
        shrike_kql::parse(&q).is_ok(),
        "the synthetic query must parse"
    );
    let mut group = c.benchmark_group("kql_parse");
    group.throughput(Throughput::Bytes(q.len() as u64));
    group.bench_function("synthetic", |b| b.iter(|| shrike_kql::parse(black_box(&q))));
    let queries = corpus();
    if !queries.is_empty() {
        let bytes: usize = queries.iter().map(String::len).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(format!("corpus_{}_queries", queries.len()), |b| {
            b.iter(|| {
                for q in &queries {
                    let _ = black_box(shrike_kql::parse(black_box(q)));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
