//! A hunt whose sequence candidates do not fit its memory budget spills them to disk and
//! keeps the text of waiting events on disk too; its results must be the same as with
//! memory to spare.

use shrike_hunt::{
    hunt, lower_eql, Hit, HuntOptions, HuntSchema, RuleSetBuilder, RuleSettings, SequenceMatch,
    Sink,
};
use shrike_io::InputSpec;
use std::fmt::Write as _;

#[derive(Default)]
struct Collect(Vec<String>);

impl Sink for Collect {
    fn on_event_match(&mut self, rule: usize, hit: &Hit) -> std::io::Result<()> {
        self.0.push(format!("{rule}: {}", hit.source()["n"]));
        Ok(())
    }
    fn on_sequence_match(&mut self, rule: usize, m: &SequenceMatch) -> std::io::Result<()> {
        let ns: Vec<String> = m
            .events
            .iter()
            .flatten()
            .map(|h| h.source()["n"].to_string())
            .collect();
        self.0
            .push(format!("{rule}: {} {}", ns.join(","), m.join_keys[0]));
        Ok(())
    }
}

#[test]
fn spilled_candidates_give_the_same_sequences() {
    let schema = HuntSchema::ecs();
    let settings = RuleSettings::default();
    let mut rules = RuleSetBuilder::new(&schema);
    let q = lower_eql(
        "sequence by host.id [process where process.name == \"a\"] [process where process.name == \"b\"]",
        &schema,
        &settings,
    )
    .expect("lowers");
    rules.add(1, &q, &settings).expect("compiles");
    let rules = rules.build();

    // 20,000 candidates of ~300 bytes (6 MB) over 500 hosts, out of time order.
    let mut text = String::new();
    for n in 0..20_000u64 {
        let t = (n * 7919) % 20_000;
        let name = if n % 3 == 0 { "b" } else { "a" };
        let _ = writeln!(
            text,
            r#"{{"@timestamp":{t},"n":{n},"event":{{"category":"process"}},"process":{{"name":"{name}"}},"host":{{"id":"h{}"}},"pad":"{}"}}"#,
            n % 500,
            "x".repeat(200)
        );
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("events.ndjson");
    std::fs::write(&path, text).expect("write");
    let input = InputSpec::parse(path.to_str().expect("utf-8 path")).expect("input");

    let run = |budget: usize| {
        let mut sink = Collect::default();
        let options = HuntOptions {
            memory_budget: budget,
            threads: 2,
            ..HuntOptions::default()
        };
        let summary =
            hunt(&rules, std::slice::from_ref(&input), &options, &mut sink).expect("hunt");
        (sink.0, summary.sort.runs_spilled)
    };
    let (roomy, spilled_roomy) = run(256 << 20);
    let (tight, spilled_tight) = run(1);
    assert_eq!(spilled_roomy, 0);
    assert!(spilled_tight > 0, "the tight run must spill");
    assert!(roomy.len() > 100, "{}", roomy.len());
    assert_eq!(roomy, tight);
}
