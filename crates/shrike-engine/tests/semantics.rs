//! Pinned semantic decisions, end to end (EQL text → lower → plan → search), each case a
//! query and the ids it must return over one small data set. Every case also runs with
//! the documents given in reverse order: results must not depend on input order.

use serde_json::{json, Value as Json};
use shrike_engine::{search, Plan, PlanOptions, Position, Results, SearchOptions};
use shrike_eql::lower::{lower, LowerOptions};
use shrike_ir::{Mapping, Schema};

fn docs() -> Vec<Json> {
    vec![
        json!({"@timestamp": "2024-01-01T00:00:00Z", "id": 1, "event": {"category": "process"}, "name": "cmd.exe", "args": ["/c", "whoami"], "pid": 10, "code": 0}),
        json!({"@timestamp": "2024-01-01T00:00:01Z", "id": 2, "event": {"category": "process"}, "name": "CMD.EXE", "args": ["-x"], "pid": 11}),
        json!({"@timestamp": "2024-01-01T00:00:01Z", "id": 3, "event.category": "file", "name": "a.txt", "pid": 10, "tags": ["x", "y"]}),
        json!({"@timestamp": "2024-01-01T00:00:02Z", "id": 4, "event": {"category": "process"}, "name": "powershell.exe", "pid": 10, "code": 1}),
        json!({"@timestamp": "2024-01-01T00:00:03Z", "id": 5, "event": {"category": ["file"]}, "name": "b.txt", "pid": 10}),
        json!({"@timestamp": "2024-01-01T00:00:04Z", "id": 6, "event": {"category": "file"}, "name": "c.txt", "pid": 11}),
    ]
}

const MAPPING: &str = r#"{"properties": {
    "@timestamp": {"type": "date"}, "id": {"type": "long"},
    "event": {"properties": {"category": {"type": "keyword"}}},
    "name": {"type": "keyword"}, "args": {"type": "keyword"}, "tags": {"type": "keyword"},
    "pid": {"type": "long"}, "code": {"type": "long"}
}}"#;

fn run(query: &str, reverse: bool) -> Result<Vec<i64>, String> {
    let mut mapping = Mapping::from_json_str(MAPPING).map_err(|e| e.to_string())?;
    let mut docs = docs();
    if reverse {
        docs.reverse();
    }
    docs.iter().for_each(|d| mapping.add_dynamic(d));
    let schema = Schema::single("t", mapping);
    let ast = shrike_eql::parse(query).map_err(|d| format!("parse: {}", d[0].message))?;
    let ir = lower(&ast, &schema, &LowerOptions::default())
        .map_err(|d| format!("lower: {}", d[0].message))?;
    let opts = PlanOptions {
        timestamp_field: "@timestamp".into(),
        tiebreaker_field: Some("id".into()),
    };
    let plan = Plan::compile(&ir, &schema, &opts).map_err(|e| e.to_string())?;
    let events: Vec<_> = docs
        .into_iter()
        .enumerate()
        .map(|(i, d)| plan.event_from_json(0, d, i as u64))
        .collect();
    let out = search(
        &plan,
        &events,
        &SearchOptions {
            size: 100,
            position: Position::Head,
            ..SearchOptions::default()
        },
    );
    let id = |i: usize| events[i].source()["id"].as_i64().unwrap_or(-99);
    Ok(match out.results {
        Results::Events(v) => v.into_iter().map(id).collect(),
        Results::Sequences(s) | Results::Samples(s) => s
            .iter()
            .flat_map(|h| h.events.iter().map(|e| e.map_or(-1, id)))
            .collect(),
    })
}

#[test]
fn pinned_semantics() {
    let cases: &[(&str, &[i64])] = &[
        // Case rules: `==`, `in`, `like`, `regex` are case-sensitive; `:`, `~` forms are not.
        (r#"process where name == "cmd.exe""#, &[1]),
        (r#"process where name : "cmd.exe""#, &[1, 2]),
        (r#"process where name like "CMD*""#, &[2]),
        (r#"process where name like~ "cmd*""#, &[1, 2]),
        (r#"process where name in ("cmd.exe")"#, &[1]),
        (r#"process where name in~ ("cmd.exe")"#, &[1, 2]),
        (r#"process where name in~ ("cmd*")"#, &[]),
        (r#"process where name regex "c.d\\.exe""#, &[1]),
        (r#"process where name regex~ "C.D\\.EXE""#, &[1, 2]),
        (r#"process where startsWith~(name, "CMD")"#, &[1, 2]),
        (r#"process where startsWith(name, "CMD")"#, &[2]),
        // Null rules: comparisons with a missing value are null, `not null` is null.
        ("process where code == null", &[2]),
        ("process where code != null", &[1, 4]),
        ("process where code >= 0", &[1, 4]),
        ("process where not (code > 0)", &[1]),
        ("process where code != 1", &[1]),
        ("process where ?nope == null", &[1, 2, 4]),
        ("process where ?nope", &[]),
        (r#"process where concat(name, ?nope) == null"#, &[1, 2, 4]),
        // Multi-valued fields: a predicate holds if any value satisfies it; `!=` only if
        // no value is equal.
        (r#"process where args == "-x""#, &[2]),
        (r#"process where args : "/C""#, &[1]),
        (r#"process where args != "/c""#, &[2]),
        (r#"file where tags == "y""#, &[3]),
        (r#"file where tags != "x""#, &[]),
        // Category: nested object, dotted key and one-element array are the same field.
        ("file where true", &[3, 5, 6]),
        // Ordering: timestamp, then tiebreaker (2 and 3 share a timestamp).
        ("any where pid > 0", &[1, 2, 3, 4, 5, 6]),
        ("any where true | tail 2", &[5, 6]),
        ("any where true | head 4 | tail 2", &[3, 4]),
        // Arithmetic: integer division truncates.
        ("any where pid / 10 == 1", &[1, 2, 3, 4, 5, 6]),
        ("any where pid / 10.0 == 1", &[1, 3, 4, 5]),
        // maxspan is inclusive: a span equal to maxspan matches.
        (
            r#"sequence with maxspan=3s [process where name == "cmd.exe"] [file where name == "b.txt"]"#,
            &[1, 5],
        ),
        (
            r#"sequence with maxspan=2999ms [process where name == "cmd.exe"] [file where name == "b.txt"]"#,
            &[],
        ),
        // A newer partial sequence replaces the older one in the same stage and key.
        ("sequence by pid [process where true] [file where true]", &[1, 3, 4, 5, 2, 6]),
        // until discards pending sequences of its key, including one its event just started.
        (
            r#"sequence by pid [process where true] [file where true] until [process where name == "powershell.exe"]"#,
            &[1, 3, 2, 6],
        ),
        // Missing events: a file event between the two process events of pid 10 rejects it.
        (
            "sequence by pid with maxspan=1m [process where true] ![file where true] [process where true]",
            &[],
        ),
        (
            "sequence by pid with maxspan=1m [process where true] ![file where name == \"zzz\"] [process where true]",
            &[1, -1, 4],
        ),
        // Samples: keys ascending, each sample's events in filter order, events distinct.
        ("sample by pid [process where true] [file where true]", &[1, 3, 2, 6]),
    ];
    let mut failures = Vec::new();
    for (query, want) in cases {
        for reverse in [false, true] {
            match run(query, reverse) {
                Ok(got) if got == *want => {}
                Ok(got) => failures.push(format!(
                    "{query} (reverse={reverse}): got {got:?}, want {want:?}"
                )),
                Err(e) => failures.push(format!("{query}: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
