//! The built-in ECS type table (`data/ecs_types.tsv`) is generated from the ECS flat schema
//! in `shared/schemas`; this test regenerates it and fails if the checked-in copy differs.
//! `SHRIKE_BLESS=1 cargo test -p shrike-ir --test ecs_table` rewrites it.

use shrike_ir::ecs::{render_table, ECS_VERSION};
use shrike_ir::{FieldType, Mapping, Resolution, Schema};
use std::io::Read;

#[test]
fn checked_in_table_matches_the_schema() {
    let rel = format!("schemas/ecs_flat-{ECS_VERSION}.json.gz");
    let Some(path) = shrike_testkit::shared_or_skip(&rel, "checked_in_table_matches_the_schema")
    else {
        return;
    };
    let bytes = std::fs::read(path).expect("read schema");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .expect("gunzip schema");
    let json: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    let table = render_table(&json, ECS_VERSION).expect("render");
    let file = shrike_testkit::repo_root().join("crates/shrike-ir/data/ecs_types.tsv");
    if let Err(diff) = shrike_testkit::check_golden(&file, &table) {
        panic!("{diff}");
    }
    // The table types fields as the full schema does.
    let full = Mapping::from_ecs_flat(&json).expect("schema loads");
    let table = Mapping::from_ecs_table(&table).expect("table loads");
    for (path, def) in full.fields() {
        let t = table.get(path).expect("every schema field is in the table");
        assert_eq!(t.ty, def.ty, "{path}");
        assert_eq!(t.ignore_above, def.ignore_above, "{path}");
        assert_eq!(t.source, def.source, "{path}");
    }
    assert_eq!(full.len(), table.len());
}

#[test]
fn builtin_ecs_mapping_types_fields_and_unmapped_ones() {
    let s = Schema::single("logs", Mapping::ecs());
    assert_eq!(
        s.resolve("process.command_line"),
        Resolution::Field(FieldType::Wildcard)
    );
    assert_eq!(
        s.resolve("process.pid"),
        Resolution::Field(FieldType::Integer)
    );
    assert_eq!(s.resolve("process"), Resolution::Object);
    // Not ECS: typed as the `logs-*` dynamic templates map strings.
    assert_eq!(
        s.resolve("winlog.event_data.TargetUserName"),
        Resolution::Field(FieldType::Keyword)
    );
    // Mapped by the Windows integration itself: analysed text.
    assert_eq!(
        s.resolve("powershell.file.script_block_text"),
        Resolution::Field(FieldType::Text)
    );
    // `winlog.event_data` is an `object_type: keyword` object: no `ignore_above`.
    assert_eq!(
        s.exact_field("logs", "winlog.event_data.TargetUserName")
            .and_then(|d| d.ignore_above),
        None
    );
    assert_eq!(
        s.exact_field("logs", "custom.field")
            .and_then(|d| d.ignore_above),
        Some(1024)
    );
}
