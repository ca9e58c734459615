//! Loading a rule pack: rule files → checked rules → lowered queries → one compiled
//! [`RuleSet`], with an [`AlertBuilder`] and a way of running per rule.
//!
//! Every file is checked as `shrike check` checks it ([`shrike_rules::check`]); a file with
//! an error, a rule type shrike cannot run, or a rule that needs input the user did not
//! give (indicators for an indicator-match rule) is set aside as a [`Skipped`] with the
//! reason, and the rest load. Rules the [`Selection`] leaves out, deprecated rules (which
//! Kibana never installs) and rules switched off (`enabled = false`) are only counted.
//!
//! Queries are lowered against the hunt's field types ([`HuntSchema`]), with what Kibana
//! adds to a rule's query before it searches: the rule's `filters` (query DSL) and the
//! items of the exception lists it names, as `query and filters and not (item or …)`. For
//! an EQL rule Kibana sends those as the request's `filter`, which Elasticsearch applies to
//! every event it reads, so here they restrict every stage of a sequence (and its `until`).

use crate::exceptions::ExceptionLists;
use crate::select::Selection;
use serde_json::Value as Json;
use shrike_diag::Diagnostic;
use shrike_engine::{Program, ProgramBuilder, RuleOptions};
use shrike_hunt::{
    lower_eql, lower_kql, HuntSchema, KqlParts, RuleSet, RuleSetBuilder, RuleSettings,
    DEFAULT_PROFILE,
};
use shrike_ir::{Body, Expr, Query};
use shrike_rules::alert::AlertBuilder;
use shrike_rules::check::{check_file_with, unreadable, CheckOptions, RuleCheck, Status};
use shrike_rules::discover::{rule_files, Found};
use shrike_rules::model::{Language, Maturity, Rule, RuleType, Severity};
use shrike_rules::types::alerts::Mode;
use shrike_rules::types::new_terms::NewTerms;
use shrike_rules::types::schedule::Schedule;
use shrike_rules::types::suppression::{MissingFields, Suppression};
use shrike_rules::types::threat::{Condition, Indicator, ThreatIndex};
use shrike_rules::types::threshold::Threshold;
use std::path::{Path, PathBuf};

/// How windowed rule types (threshold, new terms, and query rules under replay) form
/// their windows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ScheduleMode {
    /// The input is one stream: event rules alert on every match, a threshold rule counts
    /// over the whole input, a new-terms rule compares each event with the history length
    /// before it.
    #[default]
    Continuous,
    /// Kibana's schedule replayed: the rule runs every `interval` over `[from, now]`
    /// across the data's time range, with Kibana's de-duplication and state, and at
    /// most `max_signals` alerts per execution (EQL sequences excepted, see [`RuleRun`]).
    Replay,
}

/// What a pack needs besides its rule files.
#[derive(Clone, Copy, Debug)]
pub struct PackOptions<'a> {
    /// Field types queries are lowered with.
    pub schema: &'a HuntSchema,
    /// Which rules run.
    pub selection: &'a Selection,
    /// Exception lists rules may refer to.
    pub exceptions: &'a ExceptionLists,
    /// Indicator documents for indicator-match rules (`None`: those rules are skipped).
    pub indicators: Option<&'a [Indicator]>,
    /// Windows of the windowed rule types.
    pub schedule: ScheduleMode,
    /// The run's time (nanoseconds since the epoch): `now` of date math in queries, and
    /// the alerts' `@timestamp`.
    pub now: i64,
}

/// How a loaded rule turns matches into alerts.
///
/// Under `--schedule replay`, query, EQL event, threshold, new-terms and indicator-match
/// rules follow Kibana's executions, `max_signals` included. EQL sequence (and sample)
/// rules stay continuous: Kibana runs a sequence search per execution window, which
/// finds the sequences lying wholly inside one window, whereas shrike's streaming
/// sequence runner reads the input once; capping its sequences per execution would
/// pretend to a fidelity it does not have, so every sequence alerts (as in continuous
/// mode) and the run's notes say so.
pub enum RuleRun {
    /// One alert per matching event (EQL event queries in continuous mode; KQL query
    /// rules in continuous mode).
    Events,
    /// Sequence (or sample) alerts: a shell and one building block per event.
    Sequence,
    /// A query rule under schedule replay.
    Query(Mode),
    /// An EQL event query under schedule replay (its search `size` is `max_signals`).
    EqlEvents(Mode),
    /// A threshold rule.
    Threshold(Threshold, Mode),
    /// A new-terms rule.
    NewTerms(NewTerms, Mode),
    /// An indicator-match rule.
    Threat(Box<ThreatIndex>, Mode),
    /// A query rule with `alert_suppression` (both modes: the groups need every match).
    Suppressed(Suppression, Mode),
}

impl RuleRun {
    /// Whether the rule's alerts are only known once all input was read (its matches are
    /// collected first).
    pub fn is_windowed(&self) -> bool {
        !matches!(self, RuleRun::Events | RuleRun::Sequence)
    }
}

/// A rule ready to run.
pub struct PackRule {
    /// Its file.
    pub path: PathBuf,
    /// The rule.
    pub rule: Rule,
    /// Builds its alerts.
    pub builder: AlertBuilder,
    /// How its matches become alerts.
    pub run: RuleRun,
    /// Things the user should know about how it runs (an exception list not supplied…).
    pub notes: Vec<String>,
}

impl PackRule {
    /// `rule.name`.
    pub fn name(&self) -> &str {
        self.rule.name()
    }

    /// `rule.rule_id`.
    pub fn rule_id(&self) -> &str {
        self.rule.rule_id()
    }

    /// `rule.severity` (low when absent).
    pub fn severity(&self) -> Severity {
        self.rule
            .severity
            .as_ref()
            .map_or(Severity::Low, |s| s.value)
    }

    /// `rule.type` as Kibana spells it.
    pub fn type_name(&self) -> &'static str {
        self.rule.rule_type().map_or("query", RuleType::as_str)
    }

    /// Whether it is a building-block rule (`building_block_type`).
    pub fn is_building_block(&self) -> bool {
        self.rule.building_block_type.is_some()
    }
}

/// Why a rule file did not load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipKind {
    /// The file or its query is broken.
    Error,
    /// shrike does not run this rule type or language (ES|QL, machine learning, Lucene).
    Unsupported,
    /// The rule needs input that was not supplied (indicators).
    NeedsInput,
}

impl SkipKind {
    /// A short name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipKind::Error => "error",
            SkipKind::Unsupported => "unsupported",
            SkipKind::NeedsInput => "needs input",
        }
    }
}

/// A rule file that did not load, and why.
#[derive(Clone, Debug)]
pub struct Skipped {
    /// The file.
    pub path: PathBuf,
    /// `rule.rule_id`, when the file got that far.
    pub rule_id: Option<String>,
    /// `rule.name`.
    pub name: Option<String>,
    /// `rule.type`.
    pub rule_type: Option<String>,
    /// The kind of reason.
    pub kind: SkipKind,
    /// The reason in one line (for errors, the first error with its `line:col`).
    pub reason: String,
    /// For errors: every diagnostic rendered against the file with a caret.
    pub rendered: String,
}

/// Rules loaded for a run.
pub struct RulePack {
    /// The rules that run, in file order; a rule's position is its key in [`RulePack::set`].
    pub rules: Vec<PackRule>,
    /// Their compiled queries.
    pub set: RuleSet,
    /// Files that did not load.
    pub skipped: Vec<Skipped>,
    /// Rule files found.
    pub files: usize,
    /// Rules the selection left out.
    pub filtered: usize,
    /// Deprecated rules left out (`maturity = "deprecated"`; see
    /// [`Selection::include_deprecated`]).
    pub deprecated: usize,
    /// Rules left out because they are switched off (`enabled = false`; see
    /// [`Selection::include_disabled`]).
    pub disabled: usize,
    /// Warnings found while lowering queries (unknown fields…), over all rules.
    pub lowering_warnings: usize,
}

impl RulePack {
    /// Files that had errors.
    pub fn errors(&self) -> usize {
        self.skipped
            .iter()
            .filter(|s| s.kind == SkipKind::Error)
            .count()
    }
}

/// Loads every rule file under `paths` (files, or directories searched for `*.toml`).
///
/// Files are read, checked and lowered on every core; the compiled set is then built in
/// file order, so the pack is the same whatever the number of cores.
pub fn load_pack(paths: &[PathBuf], options: &PackOptions<'_>) -> RulePack {
    let found = rule_files(paths);
    let files = found.len();
    let staged = stage_all(found, options);
    let mut builder = RuleSetBuilder::new(options.schema);
    let mut rules = Vec::new();
    let mut skipped = Vec::new();
    let mut filtered = 0;
    let mut deprecated = 0;
    let mut disabled = 0;
    let mut lowering_warnings = 0;
    let now_iso = shrike_ir::date::format_iso(options.now, false);
    for s in staged {
        let (check, rule, prepared) = match s {
            Staged::Skip(s) => {
                skipped.push(s);
                continue;
            }
            Staged::Filtered => {
                filtered += 1;
                continue;
            }
            Staged::Deprecated => {
                deprecated += 1;
                continue;
            }
            Staged::Disabled => {
                disabled += 1;
                continue;
            }
            Staged::Ready(r) => *r,
        };
        let Some(alerts) = AlertBuilder::new(&check.file, &now_iso) else {
            continue;
        };
        lowering_warnings += prepared.warnings;
        let key = rules.len();
        if let Err(e) = builder.add(key, &prepared.query, &prepared.settings) {
            skipped.push(skip(
                &check,
                SkipKind::Error,
                Some(format!("the query cannot be compiled: {e}")),
            ));
            continue;
        }
        rules.push(PackRule {
            path: check.path.clone(),
            rule,
            builder: alerts,
            run: prepared.run,
            notes: prepared.notes,
        });
    }
    RulePack {
        rules,
        set: builder.build(),
        skipped,
        files,
        filtered,
        deprecated,
        disabled,
        lowering_warnings,
    }
}

/// A rule file after the work that can run in parallel.
enum Staged {
    Skip(Skipped),
    Filtered,
    Deprecated,
    Disabled,
    Ready(Box<(RuleCheck, Rule, Prepared)>),
}

/// Checks and lowers every file, on up to one thread per core, keeping file order.
fn stage_all(found: Vec<Found>, options: &PackOptions<'_>) -> Vec<Staged> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 16)
        .min(found.len().max(1));
    if threads == 1 {
        return found.into_iter().map(|f| stage(f, options)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<Found>>> = found
        .into_iter()
        .map(|f| std::sync::Mutex::new(Some(f)))
        .collect();
    let mut done: Vec<(usize, Staged)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(slot) = slots.get(i) else { break };
                        let taken = slot.lock().ok().and_then(|mut f| f.take());
                        if let Some(f) = taken {
                            out.push((i, stage(f, options)));
                        }
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, s)| s).collect()
}

/// Checks one file, applies the selection and lowers its query.
fn stage(found: Found, options: &PackOptions<'_>) -> Staged {
    let check = match found {
        Found::File(path) => check_file_with(&path, &CheckOptions::default()),
        Found::Unreadable(path, error) => unreadable(&path, &error),
    };
    match check.status {
        Status::Ok => {}
        Status::Error => return Staged::Skip(skip(&check, SkipKind::Error, None)),
        Status::Unsupported => return Staged::Skip(skip(&check, SkipKind::Unsupported, None)),
    }
    let Some(rule) = check.file.rule.as_ref().map(|r| r.value.clone()) else {
        return Staged::Skip(skip(&check, SkipKind::Error, None));
    };
    let is_deprecated = check
        .file
        .metadata
        .as_ref()
        .and_then(|m| m.value.maturity.as_ref())
        .is_some_and(|m| m.value == Maturity::Deprecated);
    if is_deprecated && !options.selection.include_deprecated {
        return Staged::Deprecated;
    }
    if rule.enabled == Some(false) && !options.selection.include_disabled {
        return Staged::Disabled;
    }
    if !options.selection.selects(&rule) {
        return Staged::Filtered;
    }
    match prepare(&rule, options) {
        Ok(p) => Staged::Ready(Box::new((check, rule, p))),
        Err(Problem::Query(diags)) => {
            let failed = check.fail_in_query(diags);
            Staged::Skip(skip(&failed, SkipKind::Error, None))
        }
        Err(Problem::Other(kind, reason)) => Staged::Skip(skip(&check, kind, Some(reason))),
    }
}

fn skip(check: &RuleCheck, kind: SkipKind, reason: Option<String>) -> Skipped {
    let rendered = if kind == SkipKind::Error && reason.is_none() {
        check.render()
    } else {
        String::new()
    };
    let reason = reason
        .or_else(|| {
            check
                .message
                .as_deref()
                .and_then(|m| m.lines().next())
                .map(str::to_string)
        })
        .unwrap_or_else(|| "the rule cannot run".into());
    Skipped {
        path: check.path.clone(),
        rule_id: check.rule_id.clone(),
        name: check.name.clone(),
        rule_type: check.rule_type.clone(),
        kind,
        reason,
        rendered,
    }
}

enum Problem {
    /// Diagnostics about the rule's `query` (offsets into its value).
    Query(Vec<Diagnostic>),
    /// Anything else, in one line.
    Other(SkipKind, String),
}

struct Prepared {
    query: Query,
    settings: RuleSettings,
    run: RuleRun,
    notes: Vec<String>,
    warnings: usize,
}

fn settings_of(rule: &Rule) -> RuleSettings {
    let s = |v: &Option<shrike_rules::model::LStr>| v.as_ref().map(|v| v.value.clone());
    RuleSettings {
        timestamp_override: s(&rule.timestamp_override),
        tiebreaker_field: s(&rule.tiebreaker_field),
        event_category_field: s(&rule.event_category_override),
        index: rule
            .index_patterns()
            .map(|p| p.into_iter().map(str::to_string).collect())
            .unwrap_or_default(),
        time_ordered: false,
    }
}

/// The exception items of the lists `rule` names, and notes on lists not supplied.
fn exception_items(rule: &Rule, lists: &ExceptionLists) -> (Vec<Json>, Vec<String>) {
    let mut items = Vec::new();
    let mut notes = Vec::new();
    for list in &rule.exceptions_list {
        let Some(id) = list.value.list_id.as_ref().map(|l| l.value.as_str()) else {
            continue;
        };
        match lists.items(id) {
            Some(found) => items.extend(found.iter().cloned()),
            None => notes.push(format!(
                "exception list `{id}` was not supplied (--exceptions): the rule runs without it"
            )),
        }
    }
    (items, notes)
}

fn prepare(rule: &Rule, options: &PackOptions<'_>) -> Result<Prepared, Problem> {
    let mut settings = settings_of(rule);
    let (items, notes) = exception_items(rule, options.exceptions);
    let filters: &[Json] = rule.filters.as_ref().map_or(&[], |f| f.value.as_slice());
    let query_text = rule.query.as_ref().map_or("", |q| q.value.as_str());
    let rule_type = rule.rule_type().unwrap_or(RuleType::Query);
    let mode = || -> Result<Mode, Problem> {
        Ok(match options.schedule {
            ScheduleMode::Continuous => Mode::Continuous,
            ScheduleMode::Replay => Mode::Replay(
                Schedule::new(
                    rule.interval.as_ref().map(|v| v.value.as_str()),
                    rule.from.as_ref().map(|v| v.value.as_str()),
                )
                .map_err(|e| Problem::Other(SkipKind::Error, e.to_string()))?
                .with_max_signals(rule.max_signals.as_ref().map(|m| m.value)),
            ),
        })
    };
    let lower_options = shrike_kql::lower::LowerOptions { now: options.now };
    if rule_type == RuleType::Eql {
        let query = lower_eql(query_text, options.schema, &settings).map_err(Problem::Query)?;
        let mut extra = Vec::new();
        let mut warnings = 0;
        if !filters.is_empty() {
            let f =
                shrike_kql::lower::lower_filters(filters, options.schema.schema(), &lower_options)
                    .map_err(|d| other_diags("the rule's `filters`", &d))?;
            warnings += f.warnings.len();
            extra.push(f.expr);
        }
        if !items.is_empty() {
            let e = shrike_kql::lower::lower_exceptions(
                &items,
                options.schema.schema(),
                &lower_options,
            )
            .map_err(|d| other_diags("an exception item", &d))?;
            warnings += e.warnings.len();
            extra.push(Expr::negate(e.expr));
        }
        let query = restrict(query, extra);
        let mut notes = notes;
        let run = match (&query.body, options.schedule) {
            // Pipes (`head`, `tail`) apply to the whole stream here; keep them continuous.
            (Body::Event(_), ScheduleMode::Replay) if query.pipes.is_empty() => {
                RuleRun::EqlEvents(mode()?)
            }
            (Body::Event(_), _) => RuleRun::Events,
            (Body::Sequence(_) | Body::Sample(_), schedule) => {
                if schedule == ScheduleMode::Replay {
                    notes.push(
                        "EQL sequence rules find their sequences over the whole input \
                         (--schedule replay does not split sequence searches into \
                         executions)"
                            .into(),
                    );
                }
                RuleRun::Sequence
            }
        };
        return Ok(Prepared {
            query,
            settings,
            run,
            notes,
            warnings,
        });
    }
    if rule.language() == Some(Language::Lucene) || rule.language() == Some(Language::Esql) {
        return Err(Problem::Other(
            SkipKind::Unsupported,
            "only EQL and KQL queries are supported".into(),
        ));
    }
    let parts = KqlParts {
        filters,
        exceptions: &items,
        now: Some(options.now),
    };
    let (query, warnings) =
        lower_kql(query_text, options.schema, &parts).map_err(|d| split_query_diags(d, filters))?;
    let run = match rule_type {
        RuleType::Query | RuleType::SavedQuery => match (suppression_of(rule)?, options.schedule) {
            (Some(s), _) => RuleRun::Suppressed(s, mode()?),
            (None, ScheduleMode::Continuous) => RuleRun::Events,
            (None, ScheduleMode::Replay) => RuleRun::Query(mode()?),
        },
        RuleType::Threshold => RuleRun::Threshold(threshold_of(rule)?, mode()?),
        RuleType::NewTerms => RuleRun::NewTerms(new_terms_of(rule)?, mode()?),
        RuleType::ThreatMatch => {
            let Some(indicators) = options.indicators else {
                return Err(Problem::Other(
                    SkipKind::NeedsInput,
                    "an indicator match rule needs indicator documents (--threat-intel FILE)"
                        .into(),
                ));
            };
            RuleRun::Threat(
                Box::new(threat_index_of(rule, indicators, options)?),
                mode()?,
            )
        }
        RuleType::Eql | RuleType::MachineLearning | RuleType::Esql => {
            return Err(Problem::Other(
                SkipKind::Unsupported,
                format!("rules of type `{}` are not supported", rule_type.as_str()),
            ))
        }
    };
    // A new-terms rule in continuous mode compares each match with those before it, and
    // a suppressing rule opens and closes its groups by time: their matches must arrive
    // in time order.
    settings.time_ordered = matches!(
        run,
        RuleRun::NewTerms(_, Mode::Continuous) | RuleRun::Suppressed(_, Mode::Continuous)
    );
    Ok(Prepared {
        query,
        settings,
        run,
        notes,
        warnings: warnings.len(),
    })
}

/// Errors of a KQL rule's lowering: about the query itself when the rule has no filters
/// (they then carry offsets into the query); otherwise they may come from the filters or
/// exception items, which have no place in the file to point at.
fn split_query_diags(diags: Vec<Diagnostic>, filters: &[Json]) -> Problem {
    if filters.is_empty() && diags.iter().all(|d| d.span.end > 0) {
        Problem::Query(diags)
    } else {
        other_diags("the rule's query, filters or exceptions", &diags)
    }
}

fn other_diags(what: &str, diags: &[Diagnostic]) -> Problem {
    let first = diags
        .iter()
        .find(|d| d.is_error())
        .or(diags.first())
        .map_or_else(|| "cannot be used".to_string(), |d| d.to_string());
    Problem::Other(SkipKind::Error, format!("{what}: {first}"))
}

/// `query` restricted to events for which every condition of `extra` holds, in every
/// place it reads events: the event condition, or each stage and the `until` of a
/// sequence or sample.
fn restrict(mut query: Query, extra: Vec<Expr>) -> Query {
    if extra.is_empty() {
        return query;
    }
    let with = |e: &mut Expr| {
        let mut all = vec![e.clone()];
        all.extend(extra.iter().cloned());
        *e = Expr::and(all);
    };
    match &mut query.body {
        Body::Event(e) => with(e),
        Body::Sequence(s) => {
            s.stages.iter_mut().for_each(|st| with(&mut st.filter));
            if let Some(u) = &mut s.until {
                with(&mut u.filter);
            }
        }
        Body::Sample(s) => s.stages.iter_mut().for_each(|st| with(&mut st.filter)),
    }
    query
}

fn threshold_of(rule: &Rule) -> Result<Threshold, Problem> {
    let t = rule.threshold.as_ref().map(|t| &t.value).ok_or_else(|| {
        Problem::Other(
            SkipKind::Error,
            "a threshold rule needs `[rule.threshold]`".into(),
        )
    })?;
    let value = t.value.as_ref().map_or(1, |v| v.value.max(1)) as u64;
    let cardinality = t.cardinality.first().and_then(|c| {
        let c = &c.value;
        Some((
            c.field.as_ref()?.value.clone(),
            c.value.as_ref()?.value.max(0) as u64,
        ))
    });
    Ok(Threshold {
        fields: t.field.iter().filter(|f| !f.is_empty()).cloned().collect(),
        value,
        cardinality,
    })
}

/// A query rule's `alert_suppression`, when it has `group_by` fields (Kibana suppresses
/// only then).
fn suppression_of(rule: &Rule) -> Result<Option<Suppression>, Problem> {
    let Some(s) = rule.alert_suppression.as_ref().map(|s| &s.value) else {
        return Ok(None);
    };
    let group_by: Vec<String> = s.group_by.iter().map(|g| g.value.clone()).collect();
    if group_by.is_empty() {
        return Ok(None);
    }
    let duration = match &s.duration {
        None => None,
        Some(d) => {
            let value = d.value.value.as_ref().map_or(0, |v| v.value);
            let unit = d.value.unit.as_ref().map_or("", |u| u.value.as_str());
            let per: i64 = match unit {
                "s" => 1_000_000_000,
                "m" => 60_000_000_000,
                "h" => 3_600_000_000_000,
                _ => 0,
            };
            match value.checked_mul(per).filter(|n| *n > 0) {
                Some(n) => Some(n),
                None => {
                    return Err(Problem::Other(
                        SkipKind::Error,
                        format!("`alert_suppression.duration` ({value}{unit}) is not a duration"),
                    ))
                }
            }
        }
    };
    let missing = match s.missing_fields_strategy.as_ref().map(|m| m.value.as_str()) {
        Some("doNotSuppress") => MissingFields::DoNotSuppress,
        _ => MissingFields::Suppress,
    };
    Ok(Some(Suppression {
        group_by,
        duration,
        missing,
    }))
}

fn new_terms_of(rule: &Rule) -> Result<NewTerms, Problem> {
    let n = rule.new_terms.as_ref().map(|n| &n.value).ok_or_else(|| {
        Problem::Other(
            SkipKind::Error,
            "a new terms rule needs `[rule.new_terms]`".into(),
        )
    })?;
    let nt = NewTerms {
        fields: n.fields.iter().map(|f| f.value.clone()).collect(),
        history_window_start: n
            .history_window_start
            .as_ref()
            .map_or_else(|| "now-7d".to_string(), |h| h.value.clone()),
    };
    if nt.history_len().is_none() {
        return Err(Problem::Other(
            SkipKind::Error,
            format!(
                "`history_window_start = \"{}\"` is not date math",
                nt.history_window_start
            ),
        ));
    }
    Ok(nt)
}

fn threat_index_of(
    rule: &Rule,
    indicators: &[Indicator],
    options: &PackOptions<'_>,
) -> Result<ThreatIndex, Problem> {
    let entries: Vec<Vec<Condition>> = rule
        .threat_mapping
        .as_ref()
        .map(|m| {
            m.value
                .iter()
                .map(|entry| {
                    entry
                        .value
                        .iter()
                        .filter(|c| c.negate != Some(true))
                        .filter_map(|c| {
                            Some(Condition {
                                field: c.field.as_ref()?.value.clone(),
                                value: c.value.as_ref()?.value.clone(),
                            })
                        })
                        .collect::<Vec<_>>()
                })
                .filter(|e| !e.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if entries.is_empty() {
        return Err(Problem::Other(
            SkipKind::Error,
            "the rule's `threat_mapping` has no usable entry".into(),
        ));
    }
    let kept = match &rule.threat_query {
        Some(q) if !q.value.trim().is_empty() => {
            filter_indicators(&q.value, indicators, options.schema, options.now)?
        }
        _ => indicators.to_vec(),
    };
    let path = rule
        .threat_indicator_path
        .as_ref()
        .map_or("threat.indicator", |p| p.value.as_str());
    Ok(ThreatIndex::new(entries, kept, path).with_paging(
        rule.items_per_search.as_ref().map(|v| v.value),
        rule.concurrent_searches.as_ref().map(|v| v.value),
    ))
}

/// The indicators the rule's `threat_query` (KQL) selects, as Kibana's indicator search
/// does (a plain query: no time range of its own).
fn filter_indicators(
    query: &str,
    indicators: &[Indicator],
    schema: &HuntSchema,
    now: i64,
) -> Result<Vec<Indicator>, Problem> {
    let parts = KqlParts {
        now: Some(now),
        ..KqlParts::default()
    };
    let (q, _) = lower_kql(query, schema, &parts)
        .map_err(|d| other_diags("the rule's `threat_query`", &d))?;
    let mut builder = ProgramBuilder::new(schema.schema());
    let id = builder
        .add(&q, &RuleOptions::default())
        .map_err(|e| Problem::Other(SkipKind::Error, format!("the `threat_query`: {e}")))?;
    let program: Program = builder.build();
    let index = program.index_id(DEFAULT_PROFILE).unwrap_or(0);
    Ok(indicators
        .iter()
        .enumerate()
        .filter(|(i, ind)| {
            let ev = program.event_from_json(index, ind.source.clone(), *i as u64);
            program.condition_holds(id, &ev)
        })
        .map(|(_, ind)| ind.clone())
        .collect())
}

/// Reads indicator files (NDJSON of indicator documents or ES hits).
pub fn read_indicator_files(paths: &[PathBuf]) -> Result<(Vec<Indicator>, Vec<String>), String> {
    let mut all = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let text = read_text(path)?;
        let name = path.display().to_string();
        let (found, bad) = shrike_rules::types::threat::read_indicators(&text, &name);
        all.extend(found);
        problems.extend(
            bad.into_iter()
                .map(|(line, msg)| format!("{name}:{line}: not an indicator document: {msg}")),
        );
    }
    Ok((all, problems))
}

/// Reads exception list export files.
pub fn read_exception_files(paths: &[PathBuf]) -> Result<(ExceptionLists, Vec<String>), String> {
    let mut lists = ExceptionLists::new();
    let mut problems = Vec::new();
    for path in paths {
        let text = read_text(path)?;
        for bad in lists.add_export(&text) {
            problems.push(format!("{}:{}: {}", path.display(), bad.line, bad.message));
        }
    }
    Ok((lists, problems))
}

fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}
