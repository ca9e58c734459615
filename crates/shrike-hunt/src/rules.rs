//! Compiling many rules into one [`RuleSet`].

use crate::schema::HuntSchema;
use shrike_diag::Diagnostic;
use shrike_engine::{PlanError, Program, ProgramBuilder, RuleKind, RuleOptions};
use shrike_ir::Query;

/// A rule's settings that are not part of its query (the Elastic rule's TOML fields).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleSettings {
    /// `timestamp_override`: events are placed in time by this field, or by `@timestamp`
    /// when an event does not have it (as Kibana does).
    pub timestamp_override: Option<String>,
    /// `tiebreaker_field`: breaks timestamp ties (EQL).
    pub tiebreaker_field: Option<String>,
    /// `event_category_override`: the field `category where …` tests (EQL; default
    /// `event.category`).
    pub event_category_field: Option<String>,
    /// `index`: the index patterns the rule searches; empty searches everything.
    pub index: Vec<String>,
    /// Deliver this event rule's matches in time order (through the external sorter, at
    /// the end of the input) whatever [`crate::EventOrder`] the hunt uses: for callers
    /// whose work on matches depends on their order (new-terms detection).
    pub time_ordered: bool,
}

impl RuleSettings {
    fn rule_options(&self) -> RuleOptions {
        match &self.timestamp_override {
            Some(field) => RuleOptions {
                timestamp_field: field.clone(),
                timestamp_fallback: Some("@timestamp".to_string()),
                tiebreaker_field: self.tiebreaker_field.clone(),
            },
            None => RuleOptions {
                timestamp_field: "@timestamp".to_string(),
                timestamp_fallback: None,
                tiebreaker_field: self.tiebreaker_field.clone(),
            },
        }
    }
}

/// Parses and lowers an EQL query the way a hunt runs it: typed by `schema`, with the
/// rule's event category field.
pub fn lower_eql(
    query: &str,
    schema: &HuntSchema,
    settings: &RuleSettings,
) -> Result<Query, Vec<Diagnostic>> {
    let ast = shrike_eql::parse(query)?;
    let mut options = shrike_eql::lower::LowerOptions::default();
    if let Some(f) = &settings.event_category_field {
        options.event_category_field = f.clone();
    }
    shrike_eql::lower::lower(&ast, schema.schema(), &options)
}

/// A KQL rule's parts besides its query: Kibana's `filters` (query DSL) and the items of
/// the exception lists it uses, all lowered with the query into one condition
/// (`query and filters and not (any exception item)`, as Kibana's `buildEsQuery`).
#[derive(Clone, Debug, Default)]
pub struct KqlParts<'a> {
    /// The rule's `filters` (JSON).
    pub filters: &'a [serde_json::Value],
    /// Exception list items (JSON, Kibana's export format).
    pub exceptions: &'a [serde_json::Value],
    /// `now` of date math, nanoseconds since the epoch (`None`: the wall clock).
    pub now: Option<i64>,
}

/// Parses and lowers a KQL query the way a hunt runs it: typed by `schema`, with the
/// rule's filters and exceptions. On success also returns the warnings (unknown fields…).
pub fn lower_kql(
    query: &str,
    schema: &HuntSchema,
    parts: &KqlParts<'_>,
) -> Result<(Query, Vec<Diagnostic>), Vec<Diagnostic>> {
    use shrike_kql::lower;
    let mut options = lower::LowerOptions::default();
    if let Some(now) = parts.now {
        options.now = now;
    }
    let q = lower::parse_and_lower(query, schema.schema(), &options)?;
    let mut warnings = q.warnings;
    let mut all = vec![q.expr];
    if !parts.filters.is_empty() {
        let f = lower::lower_filters(parts.filters, schema.schema(), &options)?;
        warnings.extend(f.warnings);
        all.push(f.expr);
    }
    if !parts.exceptions.is_empty() {
        let e = lower::lower_exceptions(parts.exceptions, schema.schema(), &options)?;
        warnings.extend(e.warnings);
        all.push(shrike_ir::Expr::negate(e.expr));
    }
    let query = Query {
        body: shrike_ir::Body::Event(shrike_ir::Expr::and(all)),
        pipes: Vec::new(),
    };
    Ok((query, warnings))
}

#[derive(Clone, Debug)]
pub(crate) struct RuleInfo {
    pub(crate) key: usize,
    pub(crate) index: Vec<String>,
    pub(crate) time_ordered: bool,
}

/// Collects lowered rules, then compiles them into one [`RuleSet`].
pub struct RuleSetBuilder<'s> {
    schema: &'s HuntSchema,
    program: ProgramBuilder<'s>,
    rules: Vec<RuleInfo>,
    data_stream: [shrike_engine::FieldId; 3],
}

impl<'s> RuleSetBuilder<'s> {
    /// A builder for rules lowered against `schema` (see [`lower_eql`]).
    pub fn new(schema: &'s HuntSchema) -> Self {
        let mut program = ProgramBuilder::new(schema.schema());
        let data_stream = [
            program.extra_field("data_stream.type"),
            program.extra_field("data_stream.dataset"),
            program.extra_field("data_stream.namespace"),
        ];
        RuleSetBuilder {
            schema,
            program,
            rules: Vec::new(),
            data_stream,
        }
    }

    /// Adds a lowered rule under the caller's `key` (reported back with its results). A
    /// rule that does not compile is not added, and the others are unaffected.
    pub fn add(
        &mut self,
        key: usize,
        query: &Query,
        settings: &RuleSettings,
    ) -> Result<(), PlanError> {
        self.program.add(query, &settings.rule_options())?;
        self.rules.push(RuleInfo {
            key,
            index: settings.index.clone(),
            time_ordered: settings.time_ordered,
        });
        Ok(())
    }

    /// Compiles the rules added into one immutable set.
    pub fn build(self) -> RuleSet {
        let program = self.program.build();
        let profiles = self
            .schema
            .mapped_indices()
            .filter_map(|p| Some((p.to_string(), program.index_id(p)?)))
            .collect();
        let default_profile = program
            .index_id(crate::schema::DEFAULT_PROFILE)
            .unwrap_or(0);
        RuleSet {
            program,
            rules: self.rules,
            profiles,
            default_profile,
            data_stream: self.data_stream,
        }
    }
}

/// Compiled rules, ready to hunt with: one program with a shared field table, so each
/// event is read once for all rules. Immutable and `Send + Sync`.
#[derive(Debug)]
pub struct RuleSet {
    pub(crate) program: Program,
    pub(crate) rules: Vec<RuleInfo>,
    /// User index patterns with a mapping of their own → the program's index id.
    profiles: Vec<(String, usize)>,
    default_profile: usize,
    pub(crate) data_stream: [shrike_engine::FieldId; 3],
}

impl RuleSet {
    /// The number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The caller's keys, in the order the rules were added.
    pub fn keys(&self) -> impl Iterator<Item = usize> + '_ {
        self.rules.iter().map(|r| r.key)
    }

    /// What kind of query the `i`-th rule added is.
    pub fn kind(&self, i: usize) -> RuleKind {
        self.program.kind(i)
    }

    /// The compiled program (for statistics and `explain` views).
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The number of distinct fields the rules read (the shared field table).
    pub fn field_count(&self) -> usize {
        self.program.field_paths().len()
    }

    /// The program index (mapping profile) the events of `index` are read with.
    pub(crate) fn profile(&self, index: Option<&str>) -> usize {
        if let Some(name) = index {
            for (pattern, id) in &self.profiles {
                if crate::index::glob(pattern, name) {
                    return *id;
                }
            }
        }
        self.default_profile
    }
}
