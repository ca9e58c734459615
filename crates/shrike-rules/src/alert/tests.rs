//! Alert documents checked against what Kibana's own tests expect (ids of a sequence's
//! building blocks and shell, reasons, ancestors), plus overrides and missing events.

use super::*;
use crate::load::load;
use serde_json::json;

/// The rule uuid of Kibana's test fixtures (`sampleRuleGuid`).
const KIBANA_RULE_GUID: &str = "04128c15-0d1b-4716-a4c5-46997ac7f3bd";

fn settings() -> AlertSettings {
    AlertSettings {
        now: "2024-05-01T12:00:00.000Z".into(),
        space: "space".into(),
        ecs: EcsTypes::new([
            ("event.action", "keyword"),
            ("event.kind", "keyword"),
            ("event.severity", "long"),
            ("source.ip", "ip"),
            ("host.name", "keyword"),
            ("user.name", "keyword"),
        ]),
    }
}

fn builder(extra: &str) -> AlertBuilder {
    let text = format!(
        r#"[metadata]
creation_date = "2024/01/31"
updated_date = "2024/02/01"
maturity = "production"

[rule]
author = ["shrike"]
description = "Detecting root and admin users"
name = "rule-name"
risk_score = 50
rule_id = "rule-1"
severity = "high"
type = "eql"
language = "eql"
index = ["myFakeSignalIndex"]
query = "any where true"
{extra}"#
    );
    let loaded = load(&text).expect("valid rule");
    AlertBuilder::new(&loaded.file, "2024-05-01T12:00:00.000Z")
        .expect("a rule")
        .with_rule_uuid(KIBANA_RULE_GUID)
}

/// Kibana's `sampleDocNoSortId` source.
fn sample_source() -> Json {
    json!({"someKey": "someValue", "@timestamp": "2020-04-20T21:27:45+0000", "source": {"ip": "127.0.0.1"}})
}

#[test]
fn sequence_ids_match_kibanas() {
    let b = builder("");
    let src = sample_source();
    let ev = |id: &'static str| {
        Some(SourceEvent {
            index: "myFakeSignalIndex",
            id,
            source: &src,
        })
    };
    let alerts = b.sequence_alerts(
        &[
            ev("d5e8eb51-a6a0-456d-8a15-4b79bfec3d71"),
            ev("619389b2-b077-400e-b40b-abde20d675d3"),
        ],
        &settings(),
    );
    assert_eq!(alerts.len(), 3);
    let (shell, bb0, bb1) = (&alerts[0], &alerts[1], &alerts[2]);
    // The values Kibana's build_alert_group_from_sequence test expects.
    let shell_id = "1b7d06954e74257140f3bf73f139078483f9658fe829fd806cc307fc0388fb23";
    assert_eq!(
        bb0["kibana.alert.uuid"],
        json!("f2db3574eaf8450e3f4d1cf4f416d70b110b035ae0a7a00026242df07f0a6c90")
    );
    assert_eq!(
        bb1["kibana.alert.uuid"],
        json!("1dbc416333244efbda833832eb83f13ea5d980a33c2f981ca8d2b35d82a045da")
    );
    assert_eq!(shell["kibana.alert.uuid"], json!(shell_id));
    assert_eq!(shell["kibana.alert.group.id"], json!(shell_id));
    assert_eq!(
        shell["kibana.alert.reason"],
        json!("event with source 127.0.0.1 created high alert rule-name.")
    );
    assert_eq!(shell["kibana.alert.depth"], json!(2));
    assert!(shell.get("kibana.alert.group.index").is_none());
    assert!(shell.get("kibana.alert.building_block_type").is_none());
    assert_eq!(
        shell["kibana.alert.ancestors"],
        json!([
            {"id": "d5e8eb51-a6a0-456d-8a15-4b79bfec3d71", "type": "event", "index": "myFakeSignalIndex", "depth": 0},
            {"id": bb0["kibana.alert.uuid"], "type": "signal", "index": "", "depth": 1, "rule": KIBANA_RULE_GUID},
            {"id": "619389b2-b077-400e-b40b-abde20d675d3", "type": "event", "index": "myFakeSignalIndex", "depth": 0},
            {"id": bb1["kibana.alert.uuid"], "type": "signal", "index": "", "depth": 1, "rule": KIBANA_RULE_GUID},
        ])
    );
    // The shell keeps what both events share; its original time is the run's.
    assert_eq!(shell["source"], json!({"ip": "127.0.0.1"}));
    assert_eq!(shell["someKey"], json!("someValue"));
    assert_eq!(
        shell["kibana.alert.original_time"],
        json!("2024-05-01T12:00:00.000Z")
    );
    for (i, bb) in [bb0, bb1].into_iter().enumerate() {
        assert_eq!(bb["kibana.alert.building_block_type"], json!("default"));
        assert_eq!(bb["kibana.alert.group.id"], json!(shell_id));
        assert_eq!(bb["kibana.alert.group.index"], json!(i));
        assert_eq!(bb["kibana.alert.depth"], json!(1));
        assert_eq!(
            bb["kibana.alert.original_time"],
            json!("2020-04-20T21:27:45.000Z")
        );
        assert_eq!(bb["event.kind"], json!("signal"));
        assert_eq!(bb["@timestamp"], json!("2024-05-01T12:00:00.000Z"));
    }
}

#[test]
fn missing_event_stages_make_no_building_block() {
    let b = builder("");
    let src = sample_source();
    let ev = |id: &'static str| {
        Some(SourceEvent {
            index: "myFakeSignalIndex",
            id,
            source: &src,
        })
    };
    let with_missing = b.sequence_alerts(
        &[
            ev("d5e8eb51-a6a0-456d-8a15-4b79bfec3d71"),
            None,
            ev("619389b2-b077-400e-b40b-abde20d675d3"),
        ],
        &settings(),
    );
    let without = b.sequence_alerts(
        &[
            ev("d5e8eb51-a6a0-456d-8a15-4b79bfec3d71"),
            ev("619389b2-b077-400e-b40b-abde20d675d3"),
        ],
        &settings(),
    );
    // Kibana's test: the same ids as the sequence without the missing stage.
    assert_eq!(with_missing, without);
    assert_eq!(with_missing[2]["kibana.alert.group.index"], json!(1));
}

#[test]
fn event_alerts_keep_the_source_and_copy_event_fields() {
    let b = builder("");
    let src = json!({
        "@timestamp": "2020-04-20T21:27:45.123456Z",
        "event": {"action": "socket_opened", "kind": "event", "module": "system"},
        "kibana": {"alert": {"uuid": "forged"}},
        "host": {"name": "h1"},
        "source": {"ip": "10.1.2.3", "port": 80},
        "user": {"name": {"first": "not a keyword"}}
    });
    let alert = b.event_alert(
        SourceEvent {
            index: "logs-system.auth-default",
            id: "abc",
            source: &src,
        },
        &settings(),
    );
    let expected_uuid = {
        let mut h = Sha256::new();
        h.update(b"logs-system.auth-defaultabcundefinedspace:");
        h.update(KIBANA_RULE_GUID.as_bytes());
        h.finalize()
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    };
    assert_eq!(alert["kibana.alert.uuid"], json!(expected_uuid));
    assert_eq!(
        alert["event"],
        json!({"action": "socket_opened", "module": "system"})
    );
    assert_eq!(alert["event.kind"], json!("signal"));
    assert_eq!(alert["kibana.alert.original_event.kind"], json!("event"));
    assert_eq!(
        alert["kibana.alert.original_event.action"],
        json!("socket_opened")
    );
    assert!(
        alert.get("kibana").is_none(),
        "a source `kibana` field is dropped"
    );
    assert!(
        alert.get("user").is_none(),
        "an object where ECS has a keyword is dropped"
    );
    assert_eq!(
        alert["kibana.alert.original_time"],
        json!("2020-04-20T21:27:45.123Z")
    );
    assert_eq!(alert["kibana.alert.depth"], json!(1));
    assert_eq!(
        alert["kibana.alert.ancestors"],
        json!([{"id": "abc", "type": "event", "index": "logs-system.auth-default", "depth": 0}])
    );
    assert_eq!(
        alert["kibana.alert.reason"],
        json!("event with source 10.1.2.3:80, on h1 created high alert rule-name.")
    );
    assert_eq!(alert["kibana.alert.rule.uuid"], json!(KIBANA_RULE_GUID));
    assert_eq!(
        alert["kibana.alert.rule.indices"],
        json!(["myFakeSignalIndex"])
    );
    assert_eq!(
        alert["kibana.alert.rule.parameters"]["index"],
        json!(["myFakeSignalIndex"])
    );
    assert_eq!(
        alert["kibana.alert.rule.created_at"],
        json!("2024-01-31T00:00:00.000Z")
    );
    assert_eq!(alert["kibana.alert.status"], json!("active"));
    assert_eq!(alert["kibana.alert.workflow_status"], json!("open"));
    assert_eq!(alert["kibana.space_ids"], json!(["space"]));
    // The source's fields come first, then the copies, then the alert fields.
    let keys: Vec<&String> = alert.as_object().expect("object").keys().collect();
    assert_eq!(keys[0], "@timestamp");
    assert_eq!(keys[1], "event");
    assert_eq!(keys[4], "kibana.alert.original_event.action");
}

#[test]
fn overrides_apply_to_event_alerts_not_building_blocks() {
    let b = builder(
        r#"rule_name_override = "rule.name"
[[rule.severity_mapping]]
field = "user.name"
operator = "equals"
value = "root"
severity = "critical"
[[rule.risk_score_mapping]]
field = "event.risk_score"
operator = "equals"
value = ""
"#,
    );
    let src = json!({"@timestamp": "2024-01-01T00:00:00Z", "user": {"name": "root"},
        "event": {"risk_score": 88}, "rule": {"name": "From the event"}});
    let ev = SourceEvent {
        index: "i",
        id: "1",
        source: &src,
    };
    let alert = b.event_alert(ev, &settings());
    assert_eq!(alert["kibana.alert.severity"], json!("critical"));
    assert_eq!(alert["kibana.alert.risk_score"], json!(88));
    assert_eq!(alert["kibana.alert.rule.name"], json!("From the event"));
    assert_eq!(alert["kibana.alert.rule.severity"], json!("high"));
    assert_eq!(alert["kibana.alert.rule.risk_score"], json!(50));
    assert_eq!(
        alert["kibana.alert.reason"],
        json!("event by root created critical alert From the event.")
    );
    let seq = b.sequence_alerts(&[Some(ev), Some(ev)], &settings());
    for a in &seq {
        assert_eq!(a["kibana.alert.severity"], json!("high"));
        assert_eq!(a["kibana.alert.risk_score"], json!(50));
        assert_eq!(a["kibana.alert.rule.name"], json!("rule-name"));
    }
}

#[test]
fn rule_uuids_are_stable_and_shaped() {
    let u = rule_uuid("954ee7c8-5437-49ae-b2d6-2960883898e9");
    assert_eq!(u, rule_uuid("954ee7c8-5437-49ae-b2d6-2960883898e9"));
    assert_ne!(u, rule_uuid("954ee7c8-5437-49ae-b2d6-2960883898ea"));
    assert!(crate::validate::is_uuid(&u), "{u}");
    assert_eq!(&u[14..15], "8", "version 8 (custom) UUID: {u}");
}
