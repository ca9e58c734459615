//! `shrike hunt` as a user runs it: Elastic's own "Remote Scheduled Task Creation" rule
//! (read from the corpus in `../shared`) over events written here, bad input of every
//! kind, and usage errors.

use serde_json::{json, Value as Json};
use std::io::Write;
use std::path::Path;
use std::process::Command;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn hunt(dir: &Path, args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_shrike"))
        .arg("hunt")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run shrike");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn docs(stdout: &str) -> Vec<Json> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("an alert document per line"))
        .collect()
}

fn hit(index: &str, id: &str, source: Json) -> Json {
    json!({"_index": index, "_id": id, "_source": source})
}

const NET: &str = ".ds-logs-endpoint.events.network-default-2024.05.01-000001";
const REG: &str = ".ds-logs-endpoint.events.registry-default-2024.05.01-000001";

fn inbound(t: &str, host: &str, entity: &str, source_ip: &str) -> Json {
    json!({
        "@timestamp": t,
        "event": {"category": ["network"], "type": ["start"], "action": "connection_accepted"},
        "network": {"direction": "ingress", "transport": "tcp"},
        "process": {"name": "svchost.exe", "pid": 1244, "entity_id": entity},
        "source": {"ip": source_ip, "port": 50211},
        "destination": {"ip": "10.0.0.20", "port": 49670},
        "host": {"id": host, "name": host, "os": {"type": "windows"}},
    })
}

fn task_actions(t: &str, host: &str, entity: &str) -> Json {
    let key = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tasks\{0A1B2C3D-1111-2222-3333-444455556666}";
    json!({
        "@timestamp": t,
        "event": {"category": ["registry"], "type": ["change"], "action": "modification"},
        "registry": {
            "hive": "HKLM",
            "key": key,
            "value": "Actions",
            "path": format!(r"HKLM\{key}\Actions"),
            "data": {"type": "REG_BINARY", "strings": ["AwAMAAAAQQB1AHQAaABvAHIA"]},
        },
        "process": {"name": "svchost.exe", "pid": 1244, "entity_id": entity},
        "host": {"id": host, "name": host, "os": {"type": "windows"}},
    })
}

/// Elastic's rule, loaded from its TOML file in the corpus, on events written here: the
/// exact sequence alerts (one shell, one building block per event, in Kibana's shape and
/// with Kibana's ids).
#[test]
fn remote_scheduled_task_creation_from_the_corpus() {
    let Some(corpus) = shrike_testkit::shared_or_skip(
        "corpus/detection-rules/rules/windows/lateral_movement_scheduled_task_target.toml",
        "remote_scheduled_task_creation_from_the_corpus",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let events = [
        // The attack: an inbound RPC connection to the scheduler's svchost, then the
        // task's Actions written by the same process 20 s later.
        hit(
            NET,
            "net-1",
            inbound("2024-05-01T10:00:00.000Z", "target-1", "svc-1", "10.0.0.9"),
        ),
        hit(
            REG,
            "reg-1",
            task_actions("2024-05-01T10:00:20.000Z", "target-1", "svc-1"),
        ),
        // Another process of the same host writes a task: a different join key.
        hit(
            REG,
            "reg-2",
            task_actions("2024-05-01T10:00:30.000Z", "target-1", "svc-2"),
        ),
        // Too late: 2 minutes after the connection (maxspan = 1m).
        hit(
            NET,
            "net-3",
            inbound("2024-05-01T10:05:00.000Z", "target-3", "svc-3", "10.0.0.9"),
        ),
        hit(
            REG,
            "reg-3",
            task_actions("2024-05-01T10:07:00.000Z", "target-3", "svc-3"),
        ),
        // From loopback: excluded by the rule.
        hit(
            NET,
            "net-4",
            inbound("2024-05-01T10:10:00.000Z", "target-4", "svc-4", "127.0.0.1"),
        ),
        hit(
            REG,
            "reg-4",
            task_actions("2024-05-01T10:10:05.000Z", "target-4", "svc-4"),
        ),
    ];
    let text: String = events.iter().map(|e| format!("{e}\n")).collect();
    std::fs::write(dir.path().join("hits.ndjson"), text).expect("write");
    let rule = corpus.display().to_string();
    let out = hunt(
        dir.path(),
        &[
            "--rules",
            &rule,
            "--format",
            "ndjson",
            "--now",
            "2024-05-01T12:00:00Z",
            "hits.ndjson",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let alerts = docs(&out.stdout);
    assert_eq!(
        alerts.len(),
        3,
        "a shell and two building blocks:\n{}",
        out.stdout
    );
    let (shell, blocks) = (&alerts[0], &alerts[1..]);
    let s = |d: &Json, k: &str| d[k].as_str().unwrap_or_default().to_string();

    // The rule, as Kibana copies it into every alert.
    for a in &alerts {
        assert_eq!(
            s(a, "kibana.alert.rule.rule_id"),
            "954ee7c8-5437-49ae-b2d6-2960883898e9"
        );
        assert_eq!(
            s(a, "kibana.alert.rule.name"),
            "Remote Scheduled Task Creation"
        );
        assert_eq!(s(a, "kibana.alert.rule.type"), "eql");
        assert_eq!(s(a, "kibana.alert.severity"), "medium");
        assert_eq!(a["kibana.alert.risk_score"], 47);
        assert_eq!(s(a, "event.kind"), "signal");
        assert_eq!(s(a, "@timestamp"), "2024-05-01T12:00:00.000Z");
        assert_eq!(s(a, "kibana.alert.status"), "active");
        assert_eq!(s(a, "kibana.alert.workflow_status"), "open");
        assert_eq!(a["kibana.alert.rule.threat"][0]["tactic"]["id"], "TA0008");
    }

    // The shell: the fields both events share, the building blocks as ancestors.
    let group = s(shell, "kibana.alert.uuid");
    assert_eq!(
        group, "fa97c3f5253baad2257bd404c5239f10362c2a5436a9682094ed9466aceaee31",
        "shell id (Kibana: SHA-256 of the ancestors' ids and indices and the rule uuid)"
    );
    assert_eq!(s(shell, "kibana.alert.group.id"), group);
    assert_eq!(shell["kibana.alert.depth"], 2);
    assert!(shell.get("kibana.alert.building_block_type").is_none());
    assert_eq!(shell["host"]["id"], "target-1");
    assert_eq!(shell["process"]["entity_id"], "svc-1");
    assert!(
        shell.get("registry").is_none(),
        "only shared fields: {shell}"
    );
    let ancestors = shell["kibana.alert.ancestors"]
        .as_array()
        .expect("ancestors");
    let kinds: Vec<(String, String)> = ancestors
        .iter()
        .map(|a| (s(a, "type"), s(a, "id")))
        .collect();
    assert_eq!(kinds[0], ("event".into(), "net-1".into()));
    assert_eq!(kinds[1].0, "signal");
    assert_eq!(kinds[1].1, s(&blocks[0], "kibana.alert.uuid"));
    assert_eq!(kinds[2], ("event".into(), "reg-1".into()));
    assert_eq!(kinds[3].1, s(&blocks[1], "kibana.alert.uuid"));

    // The building blocks: each event's own fields, grouped under the shell.
    for (i, (b, (index, id, time))) in blocks
        .iter()
        .zip([
            (NET, "net-1", "2024-05-01T10:00:00.000Z"),
            (REG, "reg-1", "2024-05-01T10:00:20.000Z"),
        ])
        .enumerate()
    {
        assert_eq!(s(b, "kibana.alert.building_block_type"), "default");
        assert_eq!(s(b, "kibana.alert.group.id"), group);
        assert_eq!(b["kibana.alert.group.index"], i);
        assert_eq!(b["kibana.alert.depth"], 1);
        assert_eq!(s(b, "kibana.alert.original_time"), time);
        let a = &b["kibana.alert.ancestors"][0];
        assert_eq!(
            (s(a, "index"), s(a, "id")),
            (index.to_string(), id.to_string())
        );
    }
    assert_eq!(blocks[1]["registry"]["value"], "Actions");
    assert_eq!(
        s(&blocks[0], "kibana.alert.reason"),
        "network event with process svchost.exe, source 10.0.0.9:50211, destination \
         10.0.0.20:49670, on target-1 created medium alert Remote Scheduled Task Creation."
    );
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

const RULE: &str = r#"[rule]
rule_id = "5f1c2d7e-9999-4a6b-9c1d-2e3f4a5b6c7d"
name = "Marker"
description = "Events of the marker process."
risk_score = 21
severity = "low"
type = "eql"
language = "eql"
query = 'process where process.name : "marker.exe"'
"#;

fn marker(n: usize) -> String {
    format!(
        r#"{{"@timestamp":"2024-05-01T10:00:{:02}Z","event":{{"category":"process","id":"m{n}"}},"process":{{"name":"marker.exe"}}}}"#,
        n % 60
    )
}

/// Every kind of bad input is reported with its place and skipped; every good event
/// around it still alerts; the exit status says input was lost.
#[test]
fn bad_input_is_reported_and_skipped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    std::fs::write(p.join("rule.toml"), RULE).expect("write");

    // Line 2 malformed, line 4 not UTF-8, line 5 nested 10,000 deep.
    let mut mixed: Vec<u8> = Vec::new();
    mixed.extend(format!("{}\n", marker(1)).as_bytes());
    mixed.extend(
        b"{\"@timestamp\": \"2024-05-01T10:00:02Z\", \"process\": {\"name\": \"marker.exe\"\n",
    );
    mixed.extend(format!("{}\n", marker(3)).as_bytes());
    mixed.extend(b"{\"process\": {\"name\": \"marker\xff\xfe.exe\"}}\n");
    let deep = format!(
        "{{\"@timestamp\":\"2024-05-01T10:00:05Z\",\"x\":{}1{}}}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    mixed.extend(deep.as_bytes());
    mixed.extend(format!("{}\n", marker(6)).as_bytes());
    std::fs::write(p.join("mixed.ndjson"), &mixed).expect("write");

    // A 100 MB line between two good ones.
    let mut big = std::fs::File::create(p.join("big.ndjson")).expect("create");
    writeln!(big, "{}", marker(7)).expect("write");
    let chunk = vec![b'a'; 1 << 20];
    big.write_all(b"{\"pad\": \"").expect("write");
    for _ in 0..100 {
        big.write_all(&chunk).expect("write");
    }
    big.write_all(b"\"}\n").expect("write");
    writeln!(big, "{}", marker(8)).expect("write");
    drop(big);

    // A gzip file cut in the middle of its stream.
    let lines: String = (10..400).map(|n| format!("{}\n", marker(n))).collect();
    let gz = gzip(lines.as_bytes());
    std::fs::write(p.join("cut.ndjson.gz"), &gz[..gz.len() * 2 / 3]).expect("write");

    let out = hunt(
        p,
        &[
            "--rules",
            "rule.toml",
            "--format",
            "ndjson",
            "--now",
            "2024-05-01T12:00:00Z",
            "mixed.ndjson",
            "big.ndjson",
            "cut.ndjson.gz",
        ],
    );
    assert_eq!(out.code, 1, "input was lost: exit 1\n{}", out.stderr);
    let ids: Vec<String> = docs(&out.stdout)
        .iter()
        .filter_map(|d| d["event"]["id"].as_str().map(str::to_string))
        .collect();
    for n in [1, 3, 6, 7, 8] {
        assert!(ids.contains(&format!("m{n}")), "m{n} missing: {ids:?}");
    }
    // What the gzip stream held before the cut is still read.
    let from_gzip = ids
        .iter()
        .filter(|i| i[1..].parse::<usize>().is_ok_and(|n| n >= 10))
        .count();
    assert!(from_gzip > 100, "{from_gzip} events from the cut gzip");
    for place in [
        "mixed.ndjson:2",
        "mixed.ndjson:4",
        "mixed.ndjson:5",
        "big.ndjson:2",
        "cut.ndjson.gz",
    ] {
        assert!(
            out.stderr.contains(place),
            "{place} not reported:\n{}",
            out.stderr
        );
    }
    assert!(out.stderr.contains("input: "), "{}", out.stderr);
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    std::fs::write(p.join("rule.toml"), RULE).expect("write");
    std::fs::write(p.join("e.ndjson"), marker(1) + "\n").expect("write");
    let cases: [&[&str]; 4] = [
        &[
            "--rules",
            "rule.toml",
            "--since",
            "yesterday-ish",
            "e.ndjson",
        ],
        &[
            "--rules",
            "rule.toml",
            "--mapping",
            "missing.json",
            "e.ndjson",
        ],
        &["--rules", "empty-dir", "e.ndjson"],
        &[
            "--rules",
            "rule.toml",
            "--since",
            "2024-05-02T00:00:00Z",
            "--until",
            "2024-05-01T00:00:00Z",
            "e.ndjson",
        ],
    ];
    std::fs::create_dir(p.join("empty-dir")).expect("mkdir");
    for args in cases {
        let out = hunt(p, args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.starts_with("shrike: "),
            "{args:?}: {}",
            out.stderr
        );
        assert!(out.stdout.is_empty());
    }
}

/// A broken rule is reported in its file with a caret and skipped; the others run; the
/// exit status says something was lost.
#[test]
fn a_broken_rule_is_reported_and_the_rest_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    std::fs::create_dir(p.join("rules")).expect("mkdir");
    std::fs::write(p.join("rules/good.toml"), RULE).expect("write");
    std::fs::write(
        p.join("rules/broken.toml"),
        RULE.replace("5f1c2d7e-9999", "5f1c2d7e-9998")
            .replace("process.name : ", "process.name = "),
    )
    .expect("write");
    std::fs::write(p.join("e.ndjson"), marker(1) + "\n").expect("write");
    let out = hunt(p, &["--rules", "rules", "--format", "ndjson", "e.ndjson"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(docs(&out.stdout).len(), 1);
    assert!(
        out.stderr.contains("rules/broken.toml:9:"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains('^'), "{}", out.stderr);
    assert!(out.stderr.contains("1 skipped (error)"), "{}", out.stderr);
}
