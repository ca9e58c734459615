//! Properties of generated streams: determinism, shape and types of every document, time
//! order and disorder bounds, and planted attacks that match the rules they target (checked by
//! hand-written predicates mirroring each rule's query) while benign events do not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use shrike_gen::{generate, parse_time, Attacks, Config, Limit, Wrap};
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

fn run(cfg: &Config) -> (Vec<u8>, shrike_gen::Summary) {
    let mut out = Vec::new();
    let s = generate(cfg, &mut out).expect("generate");
    (out, s)
}

fn docs(bytes: &[u8]) -> Vec<Value> {
    bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            serde_json::from_slice(l)
                .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", String::from_utf8_lossy(l)))
        })
        .collect()
}

fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    get(v, path).and_then(Value::as_str).unwrap_or("")
}

fn ts(v: &Value) -> i64 {
    parse_time(s(v, "@timestamp")).unwrap()
}

fn cfg(events: u64) -> Config {
    Config {
        limit: Limit::Events(events),
        hosts: 30,
        ..Config::default()
    }
}

#[test]
fn same_seed_same_bytes_on_any_thread_count() {
    let base = Config {
        attacks: Attacks::Count(6),
        disorder: 0.05,
        ..cfg(2 * 4096 + 17)
    };
    let (a, sa) = run(&base);
    let (b, _) = run(&Config {
        threads: 3,
        ..base.clone()
    });
    let (c, _) = run(&Config {
        threads: 2,
        ..base.clone()
    });
    assert_eq!(a, b, "1 thread vs 3 threads");
    assert_eq!(a, c, "1 thread vs 2 threads");
    assert_eq!(sa.events, 2 * 4096 + 17);
    let (d, _) = run(&Config { seed: 2, ..base });
    assert_ne!(a, d, "another seed gives another stream");
}

#[test]
fn size_limit_stops_after_the_byte_budget() {
    let limit = 300_000;
    let (out, s) = run(&Config {
        limit: Limit::Bytes(limit),
        ..cfg(0)
    });
    assert_eq!(out.len() as u64, s.bytes);
    assert!(s.bytes >= limit, "{} < {limit}", s.bytes);
    let last_line = out[..out.len() - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    assert!((last_line as u64) < limit, "stopped one event too late");
    assert_eq!(docs(&out).len() as u64, s.events);
    // The same stream is a prefix of a longer one.
    let (longer, _) = run(&Config {
        limit: Limit::Bytes(600_000),
        ..cfg(0)
    });
    assert_eq!(&longer[..out.len()], &out[..]);
    // Threads generate blocks ahead; the cut is the same.
    let (threaded, _) = run(&Config {
        limit: Limit::Bytes(limit),
        threads: 3,
        ..cfg(0)
    });
    assert_eq!(threaded, out);
}

fn check_ip(v: &Value, path: &str) {
    if let Some(x) = get(v, path) {
        let text = x
            .as_str()
            .unwrap_or_else(|| panic!("{path} is not a string: {v}"));
        text.parse::<IpAddr>()
            .unwrap_or_else(|_| panic!("{path} `{text}` is not an IP"));
    }
}

fn check_port(v: &Value, path: &str) {
    if let Some(x) = get(v, path) {
        let p = x
            .as_u64()
            .unwrap_or_else(|| panic!("{path} is not a number: {x}"));
        assert!((1..=65535).contains(&p), "{path} = {p}");
    }
}

fn check_iso(v: &Value, path: &str) {
    if let Some(x) = get(v, path) {
        let t = x.as_str().unwrap();
        assert_eq!(t.len(), 24, "{path} `{t}` is not YYYY-MM-DDTHH:MM:SS.mmmZ");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T', "{path} `{t}`");
        parse_time(t).unwrap();
    }
}

#[test]
fn every_document_has_the_common_fields_with_ecs_types() {
    let (out, _) = run(&Config {
        attacks: Attacks::Count(6),
        ..cfg(8_000)
    });
    let all = docs(&out);
    let mut datasets = HashSet::new();
    let mut ids = HashSet::new();
    for d in &all {
        let ds = s(d, "data_stream.dataset");
        datasets.insert(ds.to_string());
        assert_eq!(s(d, "event.dataset"), ds, "{d}");
        assert_eq!(s(d, "data_stream.type"), "logs");
        assert_eq!(s(d, "event.kind"), "event");
        // The System integration sets no action on sudo's COMMAND= lines.
        let sudo_command = ds == "system.auth" && s(d, "process.name") == "sudo";
        assert!(sudo_command || !s(d, "event.action").is_empty(), "{d}");
        for f in ["event.category", "event.type"] {
            let arr = get(d, f)
                .and_then(Value::as_array)
                .unwrap_or_else(|| panic!("{f} missing: {d}"));
            assert!(
                !arr.is_empty() && arr.iter().all(Value::is_string),
                "{f}: {d}"
            );
        }
        assert!(
            ids.insert(s(d, "event.id").to_string()),
            "duplicate event.id"
        );
        for f in ["@timestamp", "event.created", "event.ingested"] {
            check_iso(d, f);
        }
        for f in ["source.ip", "destination.ip", "source.address", "client.ip"] {
            check_ip(d, f);
        }
        for f in ["source.port", "destination.port"] {
            check_port(d, f);
        }
        if let Some(ips) = get(d, "host.ip").and_then(Value::as_array) {
            for ip in ips {
                ip.as_str().unwrap().parse::<IpAddr>().unwrap();
            }
        }
        if !ds.starts_with("aws")
            && !ds.starts_with("azure")
            && !ds.starts_with("okta")
            && !ds.starts_with("gcp")
        {
            assert!(
                ["windows", "linux", "macos"].contains(&s(d, "host.os.type")),
                "{d}"
            );
            assert!(!s(d, "host.id").is_empty());
        }
        if let Some(args) = get(d, "process.args") {
            let n = args.as_array().unwrap().len() as u64;
            assert_eq!(
                get(d, "process.args_count").and_then(Value::as_u64),
                Some(n),
                "{d}"
            );
        }
        if let Some(pid) = get(d, "process.pid") {
            assert!(pid.as_u64().is_some(), "process.pid: {d}");
        }
        let cat = get(d, "event.category").unwrap()[0].as_str().unwrap();
        if ds.starts_with("endpoint.events.process") && cat == "process" {
            assert!(!s(d, "process.entity_id").is_empty(), "{d}");
            assert!(!s(d, "process.executable").is_empty(), "{d}");
        }
    }
    for want in [
        "endpoint.events.process",
        "endpoint.events.network",
        "endpoint.events.file",
        "endpoint.events.registry",
        "endpoint.events.library",
        "windows.sysmon_operational",
        "system.security",
        "system.auth",
        "auditd_manager.auditd",
        "aws.cloudtrail",
        "okta.system",
        "gcp.audit",
        "azure.activitylogs",
    ] {
        assert!(datasets.contains(want), "no {want} events in {datasets:?}");
    }
}

#[test]
fn process_trees_are_consistent() {
    let (out, _) = run(&cfg(8_000));
    let all = docs(&out);
    let mut starts: HashMap<(String, String), &Value> = HashMap::new();
    let mut with_parent = 0;
    for d in &all {
        let is_start = get(d, "event.type")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "start")
            && get(d, "event.category").unwrap()[0] == "process";
        if !is_start {
            continue;
        }
        // auditd records carry no entity id.
        if s(d, "process.entity_id").is_empty() {
            continue;
        }
        let key = (
            s(d, "host.id").to_string(),
            s(d, "process.entity_id").to_string(),
        );
        assert!(
            starts.insert(key, d).is_none(),
            "process started twice: {d}"
        );
        if get(d, "process.parent.entity_id").is_some() {
            with_parent += 1;
            assert_ne!(s(d, "process.parent.entity_id"), s(d, "process.entity_id"));
        }
        // The executable's file name is the process name (Windows and Unix paths).
        let exe = s(d, "process.executable");
        let name = s(d, "process.name");
        assert!(exe.ends_with(name) || exe == "System", "{exe} vs {name}");
    }
    assert!(starts.len() > 500, "only {} process starts", starts.len());
    assert!(
        with_parent * 10 > starts.len() * 9,
        "most processes have a parent"
    );
    // Children started in the stream point at parents started earlier in the stream or
    // resident before it; where the parent started in the stream, names agree.
    let mut linked = 0;
    for ((host, _), d) in &starts {
        let pid = s(d, "process.parent.entity_id");
        if let Some(p) = starts.get(&(host.clone(), pid.to_string())) {
            assert_eq!(s(p, "process.name"), s(d, "process.parent.name"));
            assert_eq!(get(p, "process.pid"), get(d, "process.parent.pid"));
            linked += 1;
        }
    }
    assert!(linked > 50, "only {linked} parent links inside the stream");
    // Container workloads: the runtime's id on every event, the container as entry leader.
    let in_containers: Vec<&&Value> = starts
        .values()
        .filter(|d| get(d, "container.id").is_some())
        .collect();
    assert!(!in_containers.is_empty(), "no containerised processes");
    for d in in_containers {
        let id = s(d, "container.id");
        assert!(
            id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "{id}"
        );
        assert_eq!(s(d, "process.entry_leader.entry_meta.type"), "container");
        assert!(
            s(d, "process.parent.command_line").contains(id),
            "the shim runs this container"
        );
    }
}

#[test]
fn nominal_order_and_bounded_disorder() {
    let (ordered, _) = run(&cfg(5_000));
    let t: Vec<i64> = docs(&ordered).iter().map(ts).collect();
    assert!(
        t.windows(2).all(|w| w[0] <= w[1]),
        "without --disorder timestamps never decrease"
    );
    let window = 2_000;
    let (out, _) = run(&Config {
        disorder: 0.2,
        disorder_window: window,
        ..cfg(5_000)
    });
    let t: Vec<i64> = docs(&out).iter().map(ts).collect();
    let mut max_seen = i64::MIN;
    let mut inversions = 0;
    for &x in &t {
        // Every event is displaced by at most `window` from a non-decreasing nominal time.
        assert!(
            x >= max_seen.saturating_sub(2 * window),
            "displacement beyond the window"
        );
        if x < max_seen {
            inversions += 1;
        }
        max_seen = max_seen.max(x);
    }
    assert!(
        inversions > t.len() / 50,
        "only {inversions} out-of-order events"
    );
    let moved = t.len()
        - docs(&ordered)
            .iter()
            .zip(&t)
            .filter(|(d, x)| ts(d) == **x)
            .count();
    let share = moved as f64 / t.len() as f64;
    assert!(
        (0.12..0.28).contains(&share),
        "{share} of events moved, wanted about 0.2"
    );
}

#[test]
fn wrap_es_emits_search_hits() {
    let (out, _) = run(&Config {
        wrap: Wrap::Es,
        ..cfg(2_000)
    });
    for d in docs(&out) {
        let index = s(&d, "_index");
        let ds = s(&d, "_source.data_stream.dataset");
        assert!(
            index.starts_with(&format!(".ds-logs-{ds}-default-2025.03.01-")),
            "{index}"
        );
        assert_eq!(s(&d, "_id"), s(&d, "_source.event.id"));
    }
}

// ----- planted attacks -------------------------------------------------------------------

fn has(v: &Value, path: &str, want: &str) -> bool {
    match get(v, path) {
        Some(Value::String(x)) => x.eq_ignore_ascii_case(want),
        Some(Value::Array(a)) => a
            .iter()
            .any(|x| x.as_str().is_some_and(|x| x.eq_ignore_ascii_case(want))),
        _ => false,
    }
}

fn num(v: &Value, path: &str) -> u64 {
    get(v, path).and_then(Value::as_u64).unwrap_or(0)
}

fn lower(v: &Value, path: &str) -> String {
    s(v, path).to_ascii_lowercase()
}

/// Stage 1 of "Remote Scheduled Task Creation".
fn sched_net(d: &Value) -> bool {
    has(d, "host.os.type", "windows")
        && has(d, "event.category", "network")
        && has(d, "process.name", "svchost.exe")
        && (has(d, "network.direction", "incoming") || has(d, "network.direction", "ingress"))
        && num(d, "source.port") >= 49152
        && num(d, "destination.port") >= 49152
        && !["", "127.0.0.1", "::1"].contains(&s(d, "source.ip"))
}

/// Stage 2 of "Remote Scheduled Task Creation".
fn sched_reg(d: &Value) -> bool {
    let path = lower(d, "registry.path");
    has(d, "event.category", "registry")
        && has(d, "event.type", "change")
        && has(d, "registry.value", "Actions")
        && path.contains(r"\software\microsoft\windows nt\currentversion\schedule\taskcache\tasks\")
        && path.ends_with(r"\actions")
}

fn process_start(d: &Value) -> bool {
    has(d, "event.category", "process") && has(d, "event.type", "start")
}

/// "Suspicious Windows Powershell Arguments" (the clause the attack uses).
fn encoded_ps(d: &Value) -> bool {
    process_start(d)
        && has(d, "host.os.type", "windows")
        && has(d, "process.name", "powershell.exe")
        && lower(d, "process.command_line").contains(" -enc ")
}

/// "Suspicious Lsass Process Access".
fn lsass(d: &Value) -> bool {
    let excluded = [
        "0x1000", "0x1400", "0x101400", "0x101000", "0x101001", "0x100000", "0x100040", "0x3200",
        "0x40",
    ];
    let exe = lower(d, "process.executable");
    has(d, "event.code", "10")
        && lower(d, "winlog.event_data.TargetImage").ends_with(r":\windows\system32\lsass.exe")
        && !excluded
            .iter()
            .any(|x| has(d, "winlog.event_data.GrantedAccess", x))
        && !exe.contains(r"\program files")
        && !exe.ends_with(r"\csrss.exe")
        && !exe.ends_with(r"\wininit.exe")
        && !exe.contains(r"\windows defender\platform\")
        && !lower(d, "winlog.event_data.CallTrace").contains("mpengine.dll")
}

/// "Volume Shadow Copy Deleted or Resized via VssAdmin".
fn vssadmin(d: &Value) -> bool {
    process_start(d)
        && has(d, "process.name", "vssadmin.exe")
        && (has(d, "process.args", "delete") || has(d, "process.args", "resize"))
        && get(d, "process.args")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .any(|a| {
                a.as_str()
                    .unwrap()
                    .to_ascii_lowercase()
                    .starts_with("shadows")
            })
}

/// "OpenSSL Password Hash Generation".
fn openssl(d: &Value) -> bool {
    process_start(d)
        && has(d, "host.os.type", "linux")
        && ["exec", "exec_event", "start", "ProcessRollup2", "executed"]
            .iter()
            .any(|a| s(d, "event.action") == *a)
        && s(d, "process.name") == "openssl"
        && get(d, "process.args")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "passwd")
        && num(d, "process.args_count") >= 4
}

/// Stage 2 of the demo rule "Scheduled Task Written after an Inbound RPC Connection".
fn task_file(d: &Value) -> bool {
    has(d, "event.category", "file")
        && !has(d, "event.type", "deletion")
        && lower(d, "file.path").starts_with(r"c:\windows\system32\tasks\")
}

/// Demo rule "PowerShell with an Encoded Command".
fn encoded_ps_demo(d: &Value) -> bool {
    process_start(d)
        && has(d, "process.name", "powershell.exe")
        && ["-enc", "-encodedcommand", "-e", "/enc"]
            .iter()
            .any(|a| has(d, "process.args", a))
        && s(d, "process.command_line").chars().count() > 200
}

/// Demo rule "Command Shell Spawned by an Office Application".
fn office_shell(d: &Value) -> bool {
    process_start(d)
        && has(d, "host.os.type", "windows")
        && ["winword.exe", "excel.exe", "powerpnt.exe", "outlook.exe"]
            .iter()
            .any(|p| has(d, "process.parent.name", p))
        && [
            "cmd.exe",
            "powershell.exe",
            "pwsh.exe",
            "wscript.exe",
            "cscript.exe",
        ]
        .iter()
        .any(|p| has(d, "process.name", p))
}

/// Stage 1 of the demo rule "Reverse Shell Activity".
fn shell_net(d: &Value) -> bool {
    has(d, "event.category", "network")
        && has(d, "event.type", "start")
        && ["bash", "sh", "zsh", "dash"].contains(&s(d, "process.name"))
        && !s(d, "destination.ip").is_empty()
        && !s(d, "destination.ip").starts_with("127.")
        && s(d, "destination.ip") != "::1"
}

/// Stage 2 of "Reverse Shell Activity".
fn recon(d: &Value) -> bool {
    process_start(d) && ["id", "whoami", "uname", "hostname"].contains(&s(d, "process.name"))
}

/// Demo rule "Whoami Execution (KQL)".
fn whoami(d: &Value) -> bool {
    process_start(d) && ["whoami", "whoami.exe"].contains(&s(d, "process.name"))
}

/// One step of the demo rule "Repeated sudo Failures".
fn sudo_failure(d: &Value) -> bool {
    has(d, "event.category", "authentication")
        && s(d, "process.name") == "sudo"
        && s(d, "event.outcome") == "failure"
}

/// Hosts and users with 3 sudo failures within a minute.
fn sudo_runs(docs: &[&Value]) -> usize {
    let mut by: HashMap<(String, String), Vec<i64>> = HashMap::new();
    for d in docs.iter().filter(|d| sudo_failure(d)) {
        by.entry((s(d, "host.id").into(), s(d, "user.name").into()))
            .or_default()
            .push(ts(d));
    }
    by.into_values()
        .filter(|t| {
            let mut t = t.clone();
            t.sort_unstable();
            t.windows(3).any(|w| w[2] - w[0] <= 60_000)
        })
        .count()
}

/// "AWS CloudTrail Log Deleted".
fn trail_deleted(d: &Value) -> bool {
    s(d, "data_stream.dataset") == "aws.cloudtrail"
        && s(d, "event.provider") == "cloudtrail.amazonaws.com"
        && s(d, "event.action") == "DeleteTrail"
        && s(d, "event.outcome") == "success"
}

#[test]
fn planted_attacks_match_their_rules_and_benign_events_do_not() {
    let config = Config {
        attacks: Attacks::Count(18),
        disorder: 0.05,
        ..cfg(16_000)
    };
    let (out, summary) = run(&config);
    let all = docs(&out);
    assert_eq!(summary.planted.len(), 18, "{}", summary.describe());
    assert_eq!(summary.skipped_attacks, 0);
    let by_id: HashMap<&str, (usize, &Value)> = all
        .iter()
        .enumerate()
        .map(|(i, d)| (s(d, "event.id"), (i, d)))
        .collect();
    let planted: HashSet<&str> = summary
        .planted
        .iter()
        .flat_map(|p| p.event_ids.iter().map(String::as_str))
        .collect();

    let mut kinds = HashMap::new();
    for p in &summary.planted {
        *kinds.entry(p.attack).or_insert(0) += 1;
        let evs: Vec<&Value> = p
            .event_ids
            .iter()
            .map(|id| {
                by_id
                    .get(id.as_str())
                    .unwrap_or_else(|| panic!("planted id {id} not in output"))
                    .1
            })
            .collect();
        let any = |f: fn(&Value) -> bool| evs.iter().any(|d| f(d));
        match p.attack {
            "remote_scheduled_task" => {
                let net = evs.iter().find(|d| sched_net(d)).expect("stage 1");
                let reg = evs.iter().find(|d| sched_reg(d)).expect("stage 2");
                assert_eq!(s(net, "host.id"), s(reg, "host.id"));
                assert_eq!(s(net, "process.entity_id"), s(reg, "process.entity_id"));
                let dt = ts(reg) - ts(net);
                assert!((1..60_000).contains(&dt), "stage 2 {dt} ms after stage 1");
                assert!(
                    by_id[s(net, "event.id")].0 < by_id[s(reg, "event.id")].0,
                    "stages in order"
                );
                let file = evs.iter().find(|d| task_file(d)).expect("demo stage 2");
                assert_eq!(s(net, "process.entity_id"), s(file, "process.entity_id"));
                assert!((1..60_000).contains(&(ts(file) - ts(net))));
            }
            "encoded_powershell" => assert!(any(encoded_ps) && any(encoded_ps_demo)),
            "office_child_shell" => assert!(any(office_shell)),
            "reverse_shell" => {
                let net = evs.iter().find(|d| shell_net(d)).expect("stage 1");
                let kids: Vec<&&Value> = evs
                    .iter()
                    .filter(|d| {
                        recon(d) && s(d, "process.parent.entity_id") == s(net, "process.entity_id")
                    })
                    .collect();
                assert_eq!(kids.len(), 3);
                assert!(kids.iter().all(|k| s(k, "host.id") == s(net, "host.id")
                    && (0..10_000).contains(&(ts(k) - ts(net)))));
                assert!(any(whoami));
            }
            "sudo_bruteforce" => assert_eq!(sudo_runs(&evs), 1),
            "lsass_access" => assert!(any(lsass)),
            "shadow_copy_delete" => assert!(any(vssadmin)),
            "openssl_passwd" => assert!(any(openssl)),
            "cloudtrail_deleted" => assert!(any(trail_deleted)),
            other => panic!("unknown attack {other}"),
        }
        for d in &evs {
            assert_eq!(p.host.is_empty(), s(d, "host.name").is_empty());
        }
    }
    assert_eq!(
        kinds.len(),
        shrike_gen::ATTACKS.len(),
        "every kind planted: {kinds:?}"
    );

    // Benign events never satisfy the single-event rules, and never complete the sequence.
    let benign: Vec<&Value> = all
        .iter()
        .filter(|d| !planted.contains(s(d, "event.id")))
        .collect();
    for (name, f) in [
        ("encoded powershell", encoded_ps as fn(&Value) -> bool),
        ("lsass access", lsass),
        ("vssadmin", vssadmin),
        ("openssl", openssl),
        ("trail deleted", trail_deleted),
        ("task cache actions", sched_reg),
        ("task file", task_file),
        ("encoded powershell (demo)", encoded_ps_demo),
        ("office child shell", office_shell),
        ("shell connecting out", shell_net),
        ("whoami", whoami),
    ] {
        let hits: Vec<&&Value> = benign.iter().filter(|d| f(d)).collect();
        assert!(hits.is_empty(), "benign event matches {name}: {}", hits[0]);
    }
    assert_eq!(
        sudo_runs(&benign),
        0,
        "benign sudo failures in a run of three"
    );
    // ... while they do exercise the rules' fields (realistic evaluation cost).
    assert!(
        benign.iter().filter(|d| sched_net(d)).count() > 20,
        "benign RPC traffic to svchost"
    );
    assert!(
        benign.iter().filter(|d| has(d, "event.code", "10")).count() > 10,
        "benign lsass access"
    );
    assert!(
        benign
            .iter()
            .filter(|d| has(d, "process.name", "powershell.exe"))
            .count()
            > 5
    );
    assert!(
        benign
            .iter()
            .filter(|d| lower(d, "registry.path").contains("taskcache"))
            .count()
            > 20
    );

    // The truth file lists the same attacks.
    let mut truth = Vec::new();
    summary.write_truth(&mut truth).unwrap();
    let lines = docs(&truth);
    assert_eq!(lines.len(), 18);
    assert_eq!(
        lines[0]["event_ids"].as_array().unwrap().len(),
        summary.planted[0].event_ids.len()
    );
    assert!(lines.iter().all(|l| {
        let file = l["rules"][0]["file"].as_str().unwrap();
        file.starts_with("rules/") || file.starts_with("demo/rules/")
    }));
}

#[test]
fn attack_kinds_can_be_restricted() {
    let config = Config {
        attacks: Attacks::Every(2_000),
        attack_kinds: vec!["remote_scheduled_task".into()],
        ..cfg(10_000)
    };
    let (_, summary) = run(&config);
    assert_eq!(summary.planted.len(), 5);
    assert!(summary
        .planted
        .iter()
        .all(|p| p.attack == "remote_scheduled_task"));
}

#[test]
fn size_runs_never_cut_an_attack() {
    for limit in [150_000u64, 151_000, 152_500, 200_000] {
        let config = Config {
            limit: Limit::Bytes(limit),
            attacks: Attacks::Every(100),
            ..cfg(0)
        };
        let (out, summary) = run(&config);
        let ids: HashSet<String> = docs(&out)
            .iter()
            .map(|d| s(d, "event.id").to_string())
            .collect();
        for p in &summary.planted {
            assert!(
                p.event_ids.iter().all(|id| ids.contains(id)),
                "attack {} cut",
                p.attack
            );
        }
    }
}

/// Every field that ECS defines carries a JSON value of its ECS type.
#[test]
fn fields_have_their_ecs_types() {
    let Some(path) = shrike_testkit::shared_or_skip(
        "schemas/ecs_flat-9.5.0.json.gz",
        "fields_have_their_ecs_types",
    ) else {
        return;
    };
    let file = std::fs::File::open(path).unwrap();
    let schema: Value = serde_json::from_reader(flate2::read::GzDecoder::new(file)).unwrap();
    let (out, _) = run(&Config {
        attacks: Attacks::Count(6),
        ..cfg(6_000)
    });
    let mut checked = HashSet::new();
    for d in docs(&out) {
        let mut flat = Vec::new();
        flatten("", &d, &mut flat);
        for (field, v) in flat {
            let Some(def) = schema.get(&field) else {
                continue;
            };
            let ty = def["type"].as_str().unwrap_or("");
            let values: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for v in values {
                let ok = match ty {
                    "keyword" | "wildcard" | "text" | "match_only_text" | "constant_keyword" => {
                        v.is_string()
                    }
                    "long" | "integer" | "short" | "byte" | "unsigned_long" => {
                        v.is_i64() || v.is_u64()
                    }
                    "float" | "double" | "scaled_float" | "half_float" => v.is_number(),
                    "boolean" => v.is_boolean(),
                    "ip" => v.as_str().is_some_and(|s| s.parse::<IpAddr>().is_ok()),
                    "date" => v.as_str().is_some_and(|s| parse_time(s).is_ok()),
                    _ => true,
                };
                assert!(ok, "{field} should be {ty}, got {v}");
            }
            checked.insert(field);
        }
    }
    assert!(
        checked.len() > 120,
        "only {} ECS fields checked",
        checked.len()
    );
}

fn flatten<'a>(prefix: &str, v: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                // Arrays of objects (dns.answers) are flattened per element.
                if let Value::Array(a) = x {
                    if a.iter().any(Value::is_object) {
                        for e in a {
                            flatten(&key, e, out);
                        }
                        continue;
                    }
                }
                flatten(&key, x, out);
            }
        }
        other => out.push((prefix.to_string(), other)),
    }
}

/// Every rule an attack names exists: demo rules in this repository, Elastic's in the corpus.
#[test]
fn named_rules_exist() {
    let corpus = shrike_testkit::shared_dir().map(|d| d.join("corpus/detection-rules"));
    for a in shrike_gen::ATTACKS {
        for (name, file) in a.rules {
            let path = if file.starts_with("demo/") {
                shrike_testkit::repo_root().join(file)
            } else {
                match &corpus {
                    Some(c) if c.is_dir() => c.join(file),
                    _ => continue,
                }
            };
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                text.contains(&format!("name = \"{name}\"")),
                "{} is not named {name}",
                path.display()
            );
        }
    }
}
