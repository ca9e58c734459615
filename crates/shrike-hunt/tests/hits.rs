//! Event-rule matches reach the sink with their `_source` already parsed (on a decoding
//! thread), and the rules matching one event under the same clock share one hit.

use serde_json::json;
use shrike_hunt::{
    hunt, lower_kql, Hit, HuntOptions, HuntSchema, KqlParts, RuleSetBuilder, RuleSettings,
    SequenceMatch, Sink,
};
use shrike_io::InputSpec;

#[derive(Default)]
struct Collect(Vec<(usize, u64, usize, String)>);

impl Sink for Collect {
    fn on_event_match(&mut self, rule: usize, hit: &Hit) -> std::io::Result<()> {
        let doc = hit.source();
        let name = doc["process"]["name"].as_str().unwrap_or("").to_string();
        self.0.push((
            rule,
            hit.seq(),
            doc as *const serde_json::Value as usize,
            name,
        ));
        Ok(())
    }
    fn on_sequence_match(&mut self, _: usize, _: &SequenceMatch) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn rules_matching_one_event_share_its_document() {
    let schema = HuntSchema::ecs();
    let mut rules = RuleSetBuilder::new(&schema);
    for (key, query) in [(1, "process.name: cmd.exe"), (2, "event.category: process")] {
        let (q, _) = lower_kql(query, &schema, &KqlParts::default()).unwrap();
        rules.add(key, &q, &RuleSettings::default()).unwrap();
    }
    let rules = rules.build();
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs.ndjson");
    let docs = [
        json!({"@timestamp": "2024-01-01T00:00:00Z", "event": {"category": "process"},
               "process": {"name": "cmd.exe"}}),
        json!({"@timestamp": "2024-01-01T00:00:01Z", "event": {"category": "process"},
               "process": {"name": "other.exe"}}),
        json!({"_index": "logs-x", "_id": "7", "_source": {"@timestamp": "2024-01-01T00:00:02Z",
               "event": {"category": "process"}, "process": {"name": "cmd.exe"}}}),
    ];
    let text: String = docs.iter().map(|d| format!("{d}\n")).collect();
    std::fs::write(&logs, text).unwrap();
    for threads in [1, 2] {
        let mut sink = Collect::default();
        let input = InputSpec::parse(logs.to_str().unwrap()).unwrap();
        let options = HuntOptions {
            threads,
            ..HuntOptions::default()
        };
        hunt(&rules, &[input], &options, &mut sink).unwrap();
        let got: Vec<(usize, u64, String)> = sink
            .0
            .iter()
            .map(|(r, s, _, n)| (*r, *s, n.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, 0, "cmd.exe".to_string()),
                (2, 0, "cmd.exe".to_string()),
                (2, 1, "other.exe".to_string()),
                (1, 2, "cmd.exe".to_string()),
                (2, 2, "cmd.exe".to_string()),
            ]
        );
        // One parsed document per event, shared by its rules' hits.
        assert_eq!(sink.0[0].2, sink.0[1].2);
        assert_eq!(sink.0[3].2, sink.0[4].2);
    }
}
