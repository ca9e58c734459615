//! KQL rules through the hunt pipeline: lowered with the hunt schema (ECS types, `logs-*`
//! defaults), with Kibana filters and exception items, matched in one streaming pass.

use serde_json::json;
use shrike_hunt::{
    hunt, lower_kql, Hit, HuntOptions, HuntSchema, KqlParts, RuleSetBuilder, RuleSettings,
    SequenceMatch, Sink,
};
use shrike_io::InputSpec;

#[derive(Default)]
struct Collect(Vec<(usize, String)>);

impl Sink for Collect {
    fn on_event_match(&mut self, rule: usize, hit: &Hit) -> std::io::Result<()> {
        let name = hit.source()["process"]["name"]
            .as_str()
            .unwrap_or("")
            .to_string();
        self.0.push((rule, name));
        Ok(())
    }
    fn on_sequence_match(&mut self, _: usize, _: &SequenceMatch) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn kql_rules_with_filters_and_exceptions_run_in_a_hunt() {
    let schema = HuntSchema::ecs();
    let settings = RuleSettings::default();
    let mut rules = RuleSetBuilder::new(&schema);
    // ECS: process.name keyword (exact), process.command_line wildcard (query_string),
    // message match_only_text (analysed), winlog.* unknown to ECS (logs-* default keyword).
    let (q, warnings) = lower_kql(
        "event.category: process and process.name: (cmd.exe or powershell.exe)",
        &schema,
        &KqlParts::default(),
    )
    .unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    rules.add(1, &q, &settings).unwrap();
    let filters = [json!({"meta": {"negate": true},
        "query": {"wildcard": {"process.command_line": {"value": "*-enc*", "case_insensitive": true}}}})];
    let exceptions = [json!({"entries": [
        {"field": "user.name", "operator": "included", "type": "match", "value": "svc"}]})];
    let (q, _) = lower_kql(
        "process.command_line: *whoami* or message: denied or winlog.event_data.LogonType: 3",
        &schema,
        &KqlParts {
            filters: &filters,
            exceptions: &exceptions,
            now: None,
        },
    )
    .unwrap();
    rules.add(2, &q, &settings).unwrap();
    let rules = rules.build();

    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs.ndjson");
    let docs = [
        json!({"@timestamp": "2024-01-01T00:00:00Z", "event": {"category": "process"},
               "process": {"name": "cmd.exe", "command_line": "cmd /c whoami"}}),
        json!({"@timestamp": "2024-01-01T00:00:01Z", "event": {"category": ["process"]},
               "process": {"name": "CMD.EXE", "command_line": "CMD /C WHOAMI"}}),
        json!({"@timestamp": "2024-01-01T00:00:02Z",
               "process": {"name": "powershell.exe", "command_line": "powershell -ENC whoami"}}),
        json!({"@timestamp": "2024-01-01T00:00:03Z", "process": {"name": "a"}, "message": "Access DENIED"}),
        json!({"@timestamp": "2024-01-01T00:00:04Z", "process": {"name": "b"}, "message": "denied",
               "user": {"name": "svc"}}),
        json!({"@timestamp": "2024-01-01T00:00:05Z", "process": {"name": "c"},
               "winlog": {"event_data": {"LogonType": "3"}}}),
    ];
    let text: String = docs.iter().map(|d| format!("{d}\n")).collect();
    std::fs::write(&logs, text).unwrap();
    let mut sink = Collect::default();
    let input = InputSpec::parse(logs.to_str().unwrap()).unwrap();
    hunt(&rules, &[input], &HuntOptions::default(), &mut sink).unwrap();
    let mut got = sink.0;
    got.sort();
    let want: Vec<(usize, String)> = [(1, "cmd.exe"), (2, "a"), (2, "c"), (2, "cmd.exe")]
        .iter()
        .map(|(r, n)| (*r, n.to_string()))
        .collect();
    // Rule 1: only the exact keyword. Rule 2: the case-sensitive wildcard on
    // command_line (not the upper-case one), the analysed message, the unknown field;
    // the -ENC command line is filtered out, the svc user is an exception.
    assert_eq!(got, want);
}
