//! Criterion benchmarks of single-event evaluation and sequence matching.
//!
//! `cargo bench -p shrike-engine --bench eval`

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use serde_json::json;
use shrike_engine::{search, Plan, PlanOptions, SearchOptions};
use shrike_ir::{
    Body, CmpOp, Expr, FieldRef, FieldType, Key, Mapping, Query, Schema, Sequence, Stage, Value,
};

fn field(path: &str, ty: FieldType) -> Expr {
    Expr::field(FieldRef {
        path: path.into(),
        ty,
    })
}

fn docs(n: usize) -> Vec<serde_json::Value> {
    (0..n)
        .map(|i| {
            json!({
                "@timestamp": 1_700_000_000_000_i64 + i as i64,
                "event": {"category": if i % 3 == 0 { "process" } else { "file" }},
                "process": {"name": format!("proc{}.exe", i % 50), "pid": i % 97,
                            "command_line": format!("C:\\Windows\\system32\\proc{} /c run {}", i % 50, i)},
                "host": {"name": format!("host{}", i % 7)}
            })
        })
        .collect()
}

fn schema(docs: &[serde_json::Value]) -> Schema {
    let mut m = Mapping::new();
    for d in docs {
        m.add_dynamic(d);
    }
    Schema::single("bench", m)
}

fn bench_event(c: &mut Criterion) {
    let docs = docs(10_000);
    let schema = schema(&docs);
    let kw = |p: &str| field(p, FieldType::Keyword);
    let cond = Expr::and(vec![
        Expr::cmp(
            CmpOp::Eq,
            kw("event.category"),
            Expr::constant(Value::Str("process".into())),
        ),
        Expr::wildcard(kw("process.name"), vec!["proc1*.exe".into()], true),
        Expr::wildcard(
            kw("process.command_line"),
            vec!["*system32*run*".into()],
            true,
        ),
    ]);
    let q = Query {
        body: Body::Event(cond),
        pipes: vec![],
    };
    let plan = Plan::compile(&q, &schema, &PlanOptions::default()).expect("plan");
    let index = plan.index_id("bench").expect("index");
    let events: Vec<_> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| plan.event_from_json(index, d.clone(), i as u64))
        .collect();
    let opts = SearchOptions {
        size: usize::MAX,
        ..SearchOptions::default()
    };
    let mut g = c.benchmark_group("event_query");
    g.throughput(Throughput::Elements(events.len() as u64));
    g.bench_function("evaluate_10k_events", |b| {
        b.iter(|| search(&plan, black_box(&events), &opts))
    });
    let raw: Vec<Vec<u8>> = docs
        .iter()
        .map(|d| serde_json::to_vec(d).expect("json"))
        .collect();
    g.bench_function("build_10k_events_from_bytes", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for (i, r) in raw.iter().enumerate() {
                let ev = plan
                    .event_from_slice(index, black_box(r), i as u64)
                    .expect("event");
                n += ev.get(0).len();
            }
            n
        })
    });
    g.finish();
}

fn bench_sequence(c: &mut Criterion) {
    let docs = docs(10_000);
    let schema = schema(&docs);
    let kw = |p: &str| field(p, FieldType::Keyword);
    let stage = |cat: &str| Stage {
        filter: Expr::cmp(
            CmpOp::Eq,
            kw("event.category"),
            Expr::constant(Value::Str(cat.into())),
        ),
        keys: vec![Key {
            expr: kw("host.name"),
            optional: false,
            ty: Some(FieldType::Keyword),
        }],
        missing: false,
    };
    let q = Query {
        body: Body::Sequence(Sequence {
            stages: vec![stage("process"), stage("file"), stage("file")],
            until: None,
            maxspan_nanos: Some(60_000_000_000),
        }),
        pipes: vec![],
    };
    let plan = Plan::compile(&q, &schema, &PlanOptions::default()).expect("plan");
    let index = plan.index_id("bench").expect("index");
    let events: Vec<_> = docs
        .into_iter()
        .enumerate()
        .map(|(i, d)| plan.event_from_json(index, d, i as u64))
        .collect();
    let opts = SearchOptions {
        size: usize::MAX,
        ..SearchOptions::default()
    };
    let mut g = c.benchmark_group("sequence");
    g.throughput(Throughput::Elements(events.len() as u64));
    g.bench_function("three_stage_by_host_10k_events", |b| {
        b.iter(|| search(&plan, black_box(&events), &opts))
    });
    g.finish();
}

criterion_group!(benches, bench_event, bench_sequence);
criterion_main!(benches);
