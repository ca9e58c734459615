//! Which rules an event could match (placeholder: every rule).

use crate::event::Event;
use crate::plan::{CRule, RuleId};

/// The prefilter index of a program.
#[derive(Debug, Default)]
pub(crate) struct Prefilter {
    rules: usize,
}

/// Per-thread working memory of the prefilter.
#[derive(Debug, Default)]
pub(crate) struct Scratch {}

impl Scratch {
    pub(crate) fn new(_p: &Prefilter) -> Scratch {
        Scratch {}
    }
}

impl Prefilter {
    pub(crate) fn build(rules: &[CRule], _fields: usize) -> Prefilter {
        Prefilter { rules: rules.len() }
    }

    /// Appends, in rule order, the rules `event` could match.
    pub(crate) fn candidates(&self, _event: &Event, _s: &mut Scratch, out: &mut Vec<RuleId>) {
        out.extend(0..self.rules);
    }
}
