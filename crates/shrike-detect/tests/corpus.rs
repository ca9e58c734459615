//! The Elastic rule corpus (`../shared/corpus/detection-rules`) loads into one pack: every
//! EQL and KQL rule is accepted, lowered against the hunt schema and compiled; the rest
//! are set aside as unsupported with the reason. Skipped with a message when `shared/`
//! is absent.

use shrike_detect::{
    load_pack, ExceptionLists, PackOptions, RuleRun, ScheduleMode, Selection, SkipKind,
};
use shrike_hunt::HuntSchema;
use std::collections::BTreeMap;

#[test]
fn every_eql_and_kql_rule_of_the_corpus_loads() {
    let Some(dir) = shrike_testkit::shared_or_skip(
        "corpus/detection-rules",
        "every_eql_and_kql_rule_of_the_corpus_loads",
    ) else {
        return;
    };
    let schema = HuntSchema::ecs();
    let paths: Vec<_> = ["rules", "rules_building_block"]
        .iter()
        .map(|d| dir.join(d))
        .filter(|p| p.is_dir())
        .collect();
    let pack = load_pack(
        &paths,
        &PackOptions {
            schema: &schema,
            selection: &Selection {
                include_deprecated: true,
                include_disabled: true,
                ..Selection::default()
            },
            exceptions: &ExceptionLists::new(),
            indicators: Some(&[]),
            schedule: ScheduleMode::Continuous,
            now: 1_714_564_800_000_000_000,
        },
    );
    let errors: Vec<String> = pack
        .skipped
        .iter()
        .filter(|s| s.kind == SkipKind::Error)
        .map(|s| format!("{}: {}\n{}", s.path.display(), s.reason, s.rendered))
        .collect();
    assert!(
        errors.is_empty(),
        "{} rules failed to load:\n{}",
        errors.len(),
        errors.join("\n")
    );
    let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &pack.rules {
        *by_type.entry(r.type_name()).or_default() += 1;
    }
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    for s in &pack.skipped {
        *skipped.entry(s.reason.clone()).or_default() += 1;
    }
    eprintln!(
        "corpus: {} files, {} rules loaded {by_type:?}; {} deprecated; skipped {skipped:?}",
        pack.files,
        pack.rules.len(),
        pack.deprecated
    );
    // Only rule types shrike does not run are skipped.
    for s in &pack.skipped {
        assert_eq!(
            s.kind,
            SkipKind::Unsupported,
            "{}: {}",
            s.path.display(),
            s.reason
        );
        let t = s.rule_type.as_deref().unwrap_or_default();
        assert!(
            matches!(t, "esql" | "machine_learning") || s.reason.contains("Lucene"),
            "{}: {t}: {}",
            s.path.display(),
            s.reason
        );
    }
    assert!(
        by_type.get("eql").copied().unwrap_or(0) > 1000,
        "{by_type:?}"
    );
    assert_eq!(
        pack.rules.len() + pack.skipped.len() + pack.deprecated,
        pack.files
    );
    // Query rules with `alert_suppression` group their alerts.
    let suppressing: Vec<&str> = pack
        .rules
        .iter()
        .filter(|r| {
            r.type_name() == "query"
                && r.rule
                    .alert_suppression
                    .as_ref()
                    .is_some_and(|s| !s.value.group_by.is_empty())
        })
        .map(|r| r.name())
        .collect();
    assert!(!suppressing.is_empty());
    for r in &pack.rules {
        let grouped = matches!(r.run, RuleRun::Suppressed(..));
        assert_eq!(
            grouped,
            suppressing.contains(&r.name()) && r.type_name() == "query",
            "{}",
            r.name()
        );
    }
}
