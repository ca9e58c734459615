//! End to end: `shrike hunt` with Elastic's rule corpus over real EVTX attack recordings
//! (`shared/samples/evtx`, described by its `MANIFEST.md`), as a user would run it. Skipped
//! with a message when `shared/` is absent.
//!
//! * The manifest's ten "strongest end-to-end tests": the exact, sorted set of rule names
//!   that fire on each recording is pinned, including what must *not* fire (neither remote
//!   scheduled-task rule on the ATSVC target-host recording).
//! * Every sample file, damaged ones included, goes through a hunt without a crash, and the
//!   damage is reported.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use shrike_testkit::{files_with_suffix, shared_or_skip};

/// The manifest's "strongest end-to-end tests": each recording (under
/// `samples/evtx/attack-samples`) and every rule that fires on it, sorted. The manifest names
/// one expected rule per recording; the others are the real companions of that attack (the
/// Security log cleared before recording, the share access of the remote task
/// registration, the remote password reset of the spoofing). Each set equals what a hunt of
/// the recording on its own gives (checked when this table was written), minus the guided
/// onboarding "My First Rule", which the `OS: Windows` selection below leaves out.
const STRONGEST: &[(&str, &[&str])] = &[
    (
        "Lateral Movement/LM_ScheduledTask_ATSVC_target_host.evtx",
        &[
            "A scheduled task was created",
            "Potential Network Share Discovery",
            "Temporarily Scheduled Task Creation",
            "Windows Event Logs Cleared",
        ],
    ),
    (
        "Lateral Movement/LM_wmiexec_impacket_sysmon_whoami.evtx",
        &["Suspicious Cmd Execution via WMI"],
    ),
    (
        "Privilege Escalation/System_7045_namedpipe_privesc.evtx",
        &["Suspicious Service was Installed in the System"],
    ),
    (
        "Credential Access/sysmon_10_lsass_mimikatz_sekurlsa_logonpasswords.evtx",
        &["Suspicious Lsass Process Access"],
    ),
    (
        "Credential Access/sysmon_10_1_memdump_comsvcs_minidump.evtx",
        &["Potential Credential Access via Windows Utilities"],
    ),
    (
        "Credential Access/CA_DCSync_4662.evtx",
        &[
            "First Time Seen Account Performing DCSync",
            "Potential Credential Access via DCSync",
        ],
    ),
    (
        "Privilege Escalation/Sysmon_13_1_UAC_Bypass_EventVwrBypass.evtx",
        &["Bypass UAC via Event Viewer"],
    ),
    (
        "Privilege Escalation/samaccount_spoofing_CVE-2021-42287_CVE-2021-42278_DC_securitylogs.evtx",
        &[
            "Account Password Reset Remotely",
            "Potential Privileged Escalation via SamAccountName Spoofing",
            "Windows Event Logs Cleared",
        ],
    ),
    (
        "Defense Evasion/DE_UAC_Disabled_Sysmon_12_13.evtx",
        &["Disabling User Account Control via Registry Modification"],
    ),
    (
        "Persistence/evasion_persis_hidden_run_keyvalue_sysmon_13.evtx",
        &["Persistence via Hidden Run Key Detected"],
    ),
];

/// Rules that must not fire on the ATSVC recording: the task was registered remotely, but
/// its 4698 is a Version 0 event (no `RpcCallClientLocality` / `ClientProcessId`) and no
/// record has a TaskCache registry path (see the manifest's verdict).
const REMOTE_TASK_RULES: &[(&str, &str)] = &[
    (
        "Remote Scheduled Task Creation",
        "rules/windows/lateral_movement_scheduled_task_target.toml",
    ),
    (
        "Remote Scheduled Task Creation via RPC",
        "rules/windows/lateral_movement_remote_task_creation_winlog.toml",
    ),
];

/// Every rule of the corpus that fires on these recordings carries this tag; selecting on
/// it halves the rules to load (the test runs the debug binary) and leaves out the
/// onboarding rule, a threshold over all events by host whose alerts name no file.
const TAG: &str = "OS: Windows";

fn shrike(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shrike"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run shrike")
}

fn text(v: &Value, pointer: &str, flat: &str) -> Option<String> {
    v.pointer(pointer)
        .or_else(|| v.get(flat))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Rule names per input file. An alert names its file through its source event's
/// `log.file.path`; a sequence's alert has no source event, so it takes the files of its
/// building-block alerts (the events of the sequence), which share its `kibana.alert.group.id`.
fn rules_per_file(ndjson: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut per_file: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut group_files: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut group_rules: Vec<(String, String)> = Vec::new();
    for line in ndjson.lines().filter(|l| !l.trim().is_empty()) {
        let alert: Value = serde_json::from_str(line).expect("an alert is JSON");
        let rule = text(&alert, "/kibana.alert.rule.name", "kibana.alert.rule.name")
            .expect("an alert names its rule");
        let group = text(&alert, "/kibana.alert.group.id", "kibana.alert.group.id");
        let file = text(&alert, "/log/file/path", "log.file.path");
        let member = alert.get("kibana.alert.group.index").is_some();
        match (group, file) {
            (Some(g), Some(f)) if member => {
                group_files.entry(g).or_default().insert(f);
            }
            (Some(g), _) => group_rules.push((g, rule)),
            (None, Some(f)) => {
                per_file.entry(f).or_default().insert(rule);
            }
            (None, None) => panic!("cannot tell which file this alert of `{rule}` is from"),
        }
    }
    for (group, rule) in group_rules {
        let files = group_files
            .get(&group)
            .unwrap_or_else(|| panic!("sequence alert of `{rule}` without its events"));
        for f in files {
            per_file.entry(f.clone()).or_default().insert(rule.clone());
        }
    }
    per_file
}

/// The ten recordings in one hunt (one load of the rules), each alert traced back to its
/// file. The hosts of these recordings do not meet in any rule that fires, so every file
/// gives what a hunt of it alone gives.
#[test]
fn strongest_recordings_fire_exactly_their_rules() {
    let test = "strongest_recordings_fire_exactly_their_rules";
    let Some(corpus) = shared_or_skip("corpus/detection-rules", test) else {
        return;
    };
    let Some(samples) = shared_or_skip("samples/evtx/attack-samples", test) else {
        return;
    };
    for (name, rel) in REMOTE_TASK_RULES {
        let toml = std::fs::read_to_string(corpus.join(rel)).expect("remote task rule file");
        assert!(
            toml.contains(&format!("name = \"{name}\"")) && toml.contains(TAG),
            "{rel}: expected rule `{name}` tagged `{TAG}`, so that it runs"
        );
    }
    let rules = corpus.join("rules");
    let blocks = corpus.join("rules_building_block");
    let mut args = vec![
        "hunt",
        "--rules",
        rules.to_str().expect("UTF-8 path"),
        "--rules",
        blocks.to_str().expect("UTF-8 path"),
        "--tag",
        TAG,
        "--format",
        "ndjson",
        "--now",
        "2024-01-01T00:00:00Z",
        "--quiet",
    ];
    args.extend(STRONGEST.iter().map(|(file, _)| *file));
    let out = shrike(&samples, &args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Exit 0: no input problem and no broken rule (rules needing input are skipped, not errors).
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");

    let fired = rules_per_file(&stdout);
    let mut problems = Vec::new();
    for (file, expected) in STRONGEST {
        let expected: BTreeSet<String> = expected.iter().map(|r| r.to_string()).collect();
        let got = fired.get(*file).cloned().unwrap_or_default();
        if got != expected {
            problems.push(format!(
                "{file}:\n  expected {expected:?}\n  fired    {got:?}"
            ));
        }
    }
    let atsvc = fired.get(STRONGEST[0].0).cloned().unwrap_or_default();
    for (name, _) in REMOTE_TASK_RULES {
        if atsvc.contains(*name) {
            problems.push(format!("{}: `{name}` must not fire", STRONGEST[0].0));
        }
    }
    for file in fired.keys() {
        if !STRONGEST.iter().any(|(f, _)| f == file) {
            problems.push(format!("alert from a file not given: {file}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The damage the `evtx` crate reports in the sample files: file → damaged chunks and
/// records skipped (the reader's own golden, `shrike-evtx/tests/data/sample_damage.txt`,
/// has the messages).
const DAMAGED: &[(&str, usize)] = &[
    ("parser-samples/sample-with-zero-data-size-event.evtx", 1),
    ("parser-samples/sample_with_a_bad_chunk_magic.evtx", 3),
    ("parser-samples/sysmon.evtx", 8),
];

/// Records read from all sample files (the reader's `sample_counts.tsv`, summed).
const SAMPLE_EVENTS: &str = "12,284 events";

/// Every sample file, damaged ones included, in one hunt: no crash, every damaged chunk or
/// record reported (`I0012`, exit 1) and the rest read.
#[test]
fn every_sample_file_goes_through_a_hunt() {
    let test = "every_sample_file_goes_through_a_hunt";
    let Some(samples) = shared_or_skip("samples/evtx", test) else {
        return;
    };
    let files: Vec<String> = files_with_suffix(&samples, ".evtx")
        .iter()
        .map(|f| {
            f.strip_prefix(&samples)
                .expect("under the samples dir")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    assert!(
        files.len() >= 130,
        "expected the 130 sample files, found {}",
        files.len()
    );
    let demo_rules = shrike_testkit::repo_root().join("demo/rules");
    let mut args = vec![
        "hunt",
        "--rules",
        demo_rules.to_str().expect("UTF-8 path"),
        "--format",
        "ndjson",
        "--now",
        "2024-01-01T00:00:00Z",
        "--max-messages",
        "1000",
    ];
    args.extend(files.iter().map(String::as_str));
    let out = shrike(&samples, &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "damaged input is reported with exit 1, not a crash; stderr:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let mut problems = Vec::new();
    let damage: Vec<&str> = stderr.lines().filter(|l| l.contains("error[")).collect();
    for (file, n) in DAMAGED {
        let reported = damage
            .iter()
            .filter(|l| l.contains(&format!("{file}: error[I0012]: chunk ")))
            .count();
        if reported != *n {
            problems.push(format!("{file}: {reported} damage reports, expected {n}"));
        }
    }
    let expected: usize = DAMAGED.iter().map(|(_, n)| n).sum();
    if damage.len() != expected {
        problems.push(format!("{} errors, expected {expected}", damage.len()));
    }
    if !stderr.contains(&format!("; {SAMPLE_EVENTS} (")) {
        problems.push(format!("the summary does not report {SAMPLE_EVENTS} read"));
    }
    if !stdout_is_alerts(&out.stdout) {
        problems.push("stdout is not NDJSON alerts".to_string());
    }
    assert!(
        problems.is_empty(),
        "{}\nstderr:\n{stderr}",
        problems.join("\n")
    );
}

fn stdout_is_alerts(stdout: &[u8]) -> bool {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .all(|l| {
            serde_json::from_str::<Value>(l)
                .is_ok_and(|v| v.get("kibana.alert.rule.name").is_some())
        })
}
