//! The ECS flat schema loads and types the fields detection rules use.

use shrike_ir::{FieldType, Mapping, Resolution, Schema};

#[test]
fn ecs_flat_schema_types_rule_fields() {
    let Some(path) = shrike_testkit::shared_or_skip(
        "schemas/ecs_flat-9.5.0.json.gz",
        "ecs_flat_schema_types_rule_fields",
    ) else {
        return;
    };
    let bytes = std::fs::read(path).expect("read schema");
    let m = Mapping::from_ecs_flat_gz(&bytes).expect("schema loads");
    assert!(m.len() > 2000, "{} fields", m.len());
    assert!(matches!(
        m.get("@timestamp").map(|d| &d.ty),
        Some(FieldType::Date { .. })
    ));
    assert_eq!(
        m.get("process.args").map(|d| d.ty.clone()),
        Some(FieldType::Keyword)
    );
    assert_eq!(
        m.get("process.args").and_then(|d| d.ignore_above),
        Some(1024)
    );
    assert_eq!(
        m.get("process.pid").map(|d| d.ty.clone()),
        Some(FieldType::Integer)
    );
    assert_eq!(
        m.get("source.ip").map(|d| d.ty.clone()),
        Some(FieldType::Ip)
    );
    let s = Schema::single("ecs", m);
    // `process.command_line` is a wildcard field with a text multi-field.
    assert_eq!(
        s.resolve("process.command_line"),
        Resolution::Field(FieldType::Wildcard)
    );
    assert_eq!(s.resolve("process"), Resolution::Object);
    assert_eq!(s.resolve("process.no_such_field"), Resolution::Unknown);
}
