//! Which rules of a pack run: `--min-severity`, `--tag`, `--rule-id`, `--tactic`.
//!
//! Each kind of condition narrows the pack; several values of one kind widen it again
//! (`--tag A --tag B` runs rules tagged A or B). Names compare without regard to case,
//! because analysts type `execution` for the tactic Elastic spells `Execution`.

use shrike_rules::model::{Rule, Severity};

/// The conditions a rule must meet to run. The default selects every rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Rules below this severity do not run.
    pub min_severity: Option<Severity>,
    /// A rule must carry one of these tags (`OS: Windows`), when any are given.
    pub tags: Vec<String>,
    /// A rule must have one of these `rule_id`s, when any are given.
    pub rule_ids: Vec<String>,
    /// A rule must name one of these MITRE ATT&CK tactics, by name (`Lateral Movement`)
    /// or id (`TA0008`), when any are given.
    pub tactics: Vec<String>,
    /// Run rules whose metadata says `maturity = "deprecated"` too (Kibana never installs
    /// them; off by default).
    pub include_deprecated: bool,
    /// Run rules whose file says `enabled = false` too (Kibana installs them switched
    /// off, such as its onboarding sample rule that matches every event; off by default).
    pub include_disabled: bool,
}

impl Selection {
    /// Whether `rule` meets every condition.
    pub fn selects(&self, rule: &Rule) -> bool {
        if let Some(min) = self.min_severity {
            let severity = rule.severity.as_ref().map_or(Severity::Low, |s| s.value);
            if severity < min {
                return false;
            }
        }
        if !self.tags.is_empty()
            && !rule
                .tags
                .iter()
                .any(|t| self.tags.iter().any(|w| w.eq_ignore_ascii_case(t)))
        {
            return false;
        }
        if !self.rule_ids.is_empty()
            && !self
                .rule_ids
                .iter()
                .any(|w| w.eq_ignore_ascii_case(rule.rule_id()))
        {
            return false;
        }
        if !self.tactics.is_empty() {
            let named = tactics(rule).any(|(id, name)| {
                self.tactics
                    .iter()
                    .any(|w| w.eq_ignore_ascii_case(id) || w.eq_ignore_ascii_case(name))
            });
            if !named {
                return false;
            }
        }
        true
    }
}

/// A rule's MITRE ATT&CK tactics as `(id, name)`, in the order of its `[[rule.threat]]`
/// entries.
pub fn tactics(rule: &Rule) -> impl Iterator<Item = (&str, &str)> {
    rule.threat.iter().filter_map(|t| {
        let tactic = &t.value.tactic.as_ref()?.value;
        let id = tactic.id.as_ref().map_or("", |s| s.value.as_str());
        let name = tactic.name.as_ref().map_or("", |s| s.value.as_str());
        Some((id, name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(extra: &str) -> Rule {
        let text = format!(
            "[rule]\nrule_id = \"abc\"\nname = \"n\"\ndescription = \"d\"\nrisk_score = 47\n\
             severity = \"medium\"\ntype = \"eql\"\nlanguage = \"eql\"\nquery = \"any where true\"\n\
             tags = [\"OS: Windows\", \"Tactic: Execution\"]\n{extra}"
        );
        let loaded = shrike_rules::load::load(&text).expect("loads");
        loaded.file.rule.expect("a rule").value
    }

    const THREAT: &str = "[[rule.threat]]\nframework = \"MITRE ATT&CK\"\n\
        [rule.threat.tactic]\nid = \"TA0002\"\nname = \"Execution\"\n\
        reference = \"https://attack.mitre.org/tactics/TA0002/\"\n";

    #[test]
    fn the_default_selects_everything() {
        assert!(Selection::default().selects(&rule("")));
    }

    #[test]
    fn severity_is_a_floor() {
        let r = rule("");
        let at = |s| Selection {
            min_severity: Some(s),
            ..Selection::default()
        };
        assert!(at(Severity::Low).selects(&r));
        assert!(at(Severity::Medium).selects(&r));
        assert!(!at(Severity::High).selects(&r));
    }

    #[test]
    fn tags_ids_and_tactics_ignore_case_and_any_value_will_do() {
        let r = rule(THREAT);
        let tags = |t: &[&str]| Selection {
            tags: t.iter().map(|s| s.to_string()).collect(),
            ..Selection::default()
        };
        assert!(tags(&["os: windows"]).selects(&r));
        assert!(tags(&["OS: Linux", "OS: Windows"]).selects(&r));
        assert!(!tags(&["OS: Linux"]).selects(&r));
        let ids = Selection {
            rule_ids: vec!["ABC".into()],
            ..Selection::default()
        };
        assert!(ids.selects(&r));
        for t in ["execution", "TA0002", "ta0002"] {
            let s = Selection {
                tactics: vec![t.into()],
                ..Selection::default()
            };
            assert!(s.selects(&r), "{t}");
        }
        let other = Selection {
            tactics: vec!["Persistence".into()],
            ..Selection::default()
        };
        assert!(!other.selects(&r));
        // Conditions of different kinds must all hold.
        let both = Selection {
            tactics: vec!["Execution".into()],
            tags: vec!["OS: Linux".into()],
            ..Selection::default()
        };
        assert!(!both.selects(&r));
    }
}
