//! The built-in ECS field types and the default types of fields no mapping names.
//!
//! Hunting runs Elastic's rules over logs without a cluster, so there is no index mapping
//! to type the fields a rule reads. shrike uses what an Elastic Agent `logs-*` data stream
//! would have:
//!
//! * the ECS fields with their ECS types — a compact table (`data/ecs_types.tsv`,
//!   `name<TAB>type<TAB>ignore_above<TAB>multi-fields`) generated from the ECS flat schema
//!   (`ecs_flat-<version>.json`) by [`render_table`]; the test `ecs_table` regenerates it
//!   from `shared/schemas` and fails if the checked-in copy differs
//!   (`SHRIKE_BLESS=1 cargo test -p shrike-ir --test ecs_table` rewrites it);
//! * for any other field, the type the `ecs@mappings` component template's dynamic
//!   templates give a string value ([`unmapped_field`]): `*.ip` → `ip`, `*command_line` →
//!   `wildcard`, `*.timestamp` → `date`, …, and otherwise `keyword` with
//!   `ignore_above: 1024` (`all_strings_to_keywords`). Strings, because a rule compares a
//!   field it has no mapping for with what the log writes, and logs write text.

use crate::mapping::{FieldDef, FieldType, Mapping, MappingError};
use crate::DateFormat;
use serde_json::Value as Json;

/// The ECS version of the built-in table.
pub const ECS_VERSION: &str = "9.5.0";

/// The built-in table (see the module docs for its format).
pub const ECS_TYPES_TSV: &str = include_str!("../data/ecs_types.tsv");

/// Renders the table from the ECS flat schema (flat name → definition): one line per
/// field, sorted by name, after a header naming the source.
pub fn render_table(ecs_flat: &Json, version: &str) -> Result<String, MappingError> {
    let obj = ecs_flat
        .as_object()
        .ok_or_else(|| MappingError("ECS flat schema is not an object".to_string()))?;
    let mut names: Vec<&String> = obj.keys().collect();
    names.sort();
    let mut out = format!(
        "# ECS {version} field types, generated from ecs_flat-{version}.json by shrike-ir's \
         `ecs_table` test.\n# name\ttype\tignore_above\tmulti-fields (name:type,...)\n"
    );
    for name in names {
        let def = &obj[name.as_str()];
        let ty = def.get("type").and_then(Json::as_str).unwrap_or("keyword");
        let ignore = def
            .get("ignore_above")
            .and_then(Json::as_u64)
            .map(|n| n.to_string())
            .unwrap_or_default();
        let multi: Vec<String> = def
            .get("multi_fields")
            .and_then(Json::as_array)
            .map(|m| {
                m.iter()
                    .filter_map(|mf| {
                        Some(format!(
                            "{}:{}",
                            mf.get("name")?.as_str()?,
                            mf.get("type")?.as_str()?
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push_str(&format!("{name}\t{ty}\t{ignore}\t{}\n", multi.join(",")));
    }
    Ok(out)
}

impl Mapping {
    /// The ECS fields of the built-in table ([`ECS_VERSION`]), with unmapped fields typed
    /// as a `logs-*` data stream's dynamic templates would ([`Unmapped::LogsTemplate`]).
    pub fn ecs() -> Mapping {
        let mut m = Mapping::from_ecs_table(ECS_TYPES_TSV).expect("the built-in ECS table parses");
        m.set_unmapped(Unmapped::LogsTemplate);
        m
    }

    /// Reads a table in the format [`render_table`] writes.
    pub fn from_ecs_table(text: &str) -> Result<Mapping, MappingError> {
        let mut m = Mapping::new();
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(name), Some(ty)) = (cols.next(), cols.next()) else {
                return Err(MappingError(format!(
                    "ECS table line {}: too few columns",
                    n + 1
                )));
            };
            let ignore_above = match cols.next().unwrap_or("") {
                "" => None,
                s => Some(s.parse::<usize>().map_err(|_| {
                    MappingError(format!("ECS table line {}: bad ignore_above `{s}`", n + 1))
                })?),
            };
            let multi = cols.next().unwrap_or("");
            if matches!(ty, "object" | "nested") {
                m.insert_object(name);
                continue;
            }
            let mut def = FieldDef::new(name, FieldType::from_es(ty, None, None));
            def.ignore_above = ignore_above;
            for mf in multi.split(',').filter(|s| !s.is_empty()) {
                let Some((sub, sty)) = mf.split_once(':') else {
                    return Err(MappingError(format!(
                        "ECS table line {}: bad multi-field `{mf}`",
                        n + 1
                    )));
                };
                let sub_path = format!("{name}.{sub}");
                let sd = FieldDef::new(name, FieldType::from_es(sty, None, None));
                if def.ty == FieldType::Text && sd.ty.is_keyword_like() && def.exact.is_none() {
                    def.exact = Some(sub_path.clone());
                }
                m.insert(&sub_path, sd);
            }
            let mut p = name;
            while let Some((parent, _)) = p.rsplit_once('.') {
                m.insert_object(parent);
                p = parent;
            }
            m.insert(name, def);
        }
        Ok(m)
    }
}

/// How a [`Mapping`] types a field it does not name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Unmapped {
    /// The field is unknown (a query naming it is an error, as in Elasticsearch).
    #[default]
    Unknown,
    /// As the dynamic templates of Elastic's `logs-*` index template (`ecs@mappings`) map
    /// a string value at that path: see [`unmapped_field`].
    LogsTemplate,
}

/// `*`-only glob over a dotted path, as dynamic templates' `match`/`path_match` use it.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if text.len() < first.len() + last.len() || !text.starts_with(first) || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// The field the `ecs@mappings` dynamic templates create for a string value at `path`,
/// tried in the template's order (the first that matches wins). `match` patterns test the
/// last path segment, `path_match` patterns the whole dotted path.
pub fn unmapped_field(path: &str) -> FieldDef {
    let leaf = path.rsplit('.').next().unwrap_or(path);
    let any = |patterns: &[&str], s: &str| patterns.iter().any(|p| glob(p, s));
    let date = || FieldType::Date {
        nanos: false,
        format: DateFormat::default(),
    };
    let with_text = |ty: FieldType| {
        // A `text` multi-field (`match_only_text`) exists but EQL and KQL's exact
        // operators read the field itself.
        FieldDef::new(path, ty)
    };
    if path == "@timestamp" {
        return FieldDef::new(path, date());
    }
    // Fields the integrations behind most `logs-*` data map themselves, ahead of the
    // generic templates: PowerShell script blocks are `text` with the Windows
    // integration's pattern analyzer (Winlogbeat maps them the same way); `winlog.event_data`
    // and `winlog.user_data` are `object_type: keyword` objects, whose dynamic template
    // sets no `ignore_above`.
    if path == "powershell.file.script_block_text" {
        let mut def = FieldDef::new(path, FieldType::Text);
        def.analyzer = crate::analysis::Analyzer::PowershellScript;
        return def;
    }
    if any(&["winlog.event_data.*", "winlog.user_data.*"], path) {
        return FieldDef::new(path, FieldType::Keyword);
    }
    if any(&["message", "*.message"], path) {
        return FieldDef::new(path, FieldType::Text);
    }
    if any(&["ip", "*.ip", "*_ip"], path) {
        return FieldDef::new(path, FieldType::Ip);
    }
    if any(
        &[
            "*.io.text",
            "*.message_id",
            "*registry.data.strings",
            "*url.path",
        ],
        path,
    ) {
        return FieldDef::new(path, FieldType::Wildcard);
    }
    if any(&["*.body.content", "*url.full", "*url.original"], path) {
        return with_text(FieldType::Wildcard);
    }
    if any(&["*command_line", "*stack_trace"], leaf) {
        return with_text(FieldType::Wildcard);
    }
    if any(
        &[
            "*.title",
            "*.executable",
            "*.name",
            "*.working_directory",
            "*.full_name",
            "*file.path",
            "*file.target_path",
            "*os.full",
            "email.subject",
            "vulnerability.description",
            "user_agent.original",
        ],
        path,
    ) {
        return with_text(FieldType::Keyword);
    }
    if any(
        &[
            "*.timestamp",
            "*_timestamp",
            "*.not_after",
            "*.not_before",
            "*.accessed",
            "created",
            "*.created",
            "*.installed",
            "*.creation_date",
            "*.ctime",
            "*.mtime",
            "ingested",
            "*.ingested",
            "*.start",
            "*.end",
        ],
        path,
    ) {
        return FieldDef::new(path, date());
    }
    if any(&["*.score.*", "*_score*"], path) && !glob("*.version", path) {
        return FieldDef::new(path, FieldType::Float);
    }
    if any(&["location", "*.location"], path) {
        return FieldDef::new(path, FieldType::Other("geo_point".to_string()));
    }
    if any(&["*structured_data", "*exports", "*imports"], path) {
        return FieldDef::new(path, FieldType::Flattened);
    }
    let mut def = FieldDef::new(path, FieldType::Keyword);
    def.ignore_above = Some(1024);
    def
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("*.ip", "source.ip"));
        assert!(!glob("*.ip", "ip"));
        assert!(glob("*_score*", "x.risk_score_norm"));
        assert!(glob("a*b*c", "a.b.c"));
        assert!(!glob("a*b*c", "a.c"));
        assert!(glob("x", "x"));
    }

    #[test]
    fn dynamic_templates_type_unmapped_strings() {
        let ty = |p: &str| unmapped_field(p).ty;
        assert_eq!(ty("winlog.event_data.TargetUserName"), FieldType::Keyword);
        assert_eq!(
            unmapped_field("winlog.event_data.TargetUserName").ignore_above,
            None
        );
        assert_eq!(unmapped_field("other.thing").ignore_above, Some(1024));
        let script = unmapped_field("powershell.file.script_block_text");
        assert_eq!(script.ty, FieldType::Text);
        assert_eq!(script.analyzer, crate::analysis::Analyzer::PowershellScript);
        assert_eq!(ty("foo.command_line"), FieldType::Wildcard);
        assert_eq!(ty("foo.source_ip"), FieldType::Ip);
        assert_eq!(ty("x.y.ip"), FieldType::Ip);
        assert!(matches!(ty("okta.event.created"), FieldType::Date { .. }));
        assert_eq!(ty("aws.cloudtrail.name"), FieldType::Keyword);
        assert_eq!(unmapped_field("aws.cloudtrail.name").ignore_above, None);
        assert_eq!(ty("x.message"), FieldType::Text);
        assert_eq!(ty("x.risk_score"), FieldType::Float);
        assert_eq!(ty("pe.imports"), FieldType::Flattened);
    }

    #[test]
    fn table_round_trips() {
        let flat = serde_json::json!({
            "process.name": {"type": "keyword", "ignore_above": 1024,
                "multi_fields": [{"name": "text", "type": "match_only_text"}]},
            "process.pid": {"type": "long"},
            "labels": {"type": "object"},
        });
        let text = render_table(&flat, "x").unwrap();
        let m = Mapping::from_ecs_table(&text).unwrap();
        assert_eq!(m.get("process.name").unwrap().ignore_above, Some(1024));
        assert_eq!(m.get("process.name.text").unwrap().ty, FieldType::Text);
        assert_eq!(m.get("process.name.text").unwrap().source, "process.name");
        assert_eq!(m.get("process.pid").unwrap().ty, FieldType::Integer);
        assert!(m.knows("labels") && m.knows("process"));
    }
}
