//! Running a [`RulePack`] over inputs: the hunt pipeline's matches become Kibana-shaped
//! alert documents, handed to an [`AlertSink`].
//!
//! Event and sequence rules alert as their matches arrive (streaming), and so do the
//! windowed types in continuous mode, with bounded state: an indicator-match rule checks
//! each match against the indicators, a threshold rule counts it into its groups (memory:
//! one entry per group), a new-terms rule remembers the terms it has seen (one entry per
//! term; its matches are delivered in time order, through the external sorter), a query
//! rule with `alert_suppression` keeps its open groups (matches in time order too; with a
//! duration, groups are written out once the stream has moved past them). Under
//! schedule replay, the windowed types keep their matches (their text, not parsed) until
//! the input ends, because an execution's alerts depend on the whole window and on the
//! executions before it; each such rule keeps at most
//! [`DetectOptions::max_windowed_matches`] matches (a warning says when a rule hits it).
//! Replayed executions create at most the rule's `max_signals` alerts each, as Kibana
//! does (`shrike_rules::types::alerts`); EQL event queries are replayed too, EQL
//! sequences are not (see [`RuleRun`]). Continuous mode caps nothing: a hunt wants every
//! match, not the share of one scheduled execution.

use crate::pack::{PackRule, RulePack, RuleRun};
use serde_json::Value as Json;
use shrike_hunt::{Hit, HuntOptions, Progress, SequenceMatch, Sink, Summary};
use shrike_io::{InputSpec, Problem};
use shrike_rules::alert::ecs::EcsTypes;
use shrike_rules::alert::{AlertSettings, SourceEvent};
use shrike_rules::types::alerts::{self, Matched, Mode};
use shrike_rules::types::new_terms::Rolling;
use shrike_rules::types::suppression::{self, Suppressor};
use shrike_rules::types::threshold::Counter;
use std::io;
use std::sync::OnceLock;

/// What one alert document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertRole {
    /// The alert of one event (event rules, and the windowed types' alerts).
    Event,
    /// A sequence's shell alert (the sequence as a whole).
    Shell,
    /// One event of a sequence (`kibana.alert.building_block_type: "default"`).
    BuildingBlock,
}

/// One alert document, as Kibana would write it to the alerts index.
#[derive(Clone, Debug)]
pub struct Alert {
    /// The rule's position in [`RulePack::rules`].
    pub rule: usize,
    /// What it is.
    pub role: AlertRole,
    /// The time of the event it is about (a sequence's shell and building blocks: the
    /// sequence's last event), nanoseconds since the epoch; `None` when unknown.
    pub time: Option<i64>,
    /// Which result of the run it belongs to (a sequence's shell and its building blocks
    /// share it), in the order results were found.
    pub group: u64,
    /// The document.
    pub doc: Json,
}

/// Receives a run's alerts and what the hunt reports on the way.
pub trait AlertSink {
    /// One alert. An error stops the run (a closed pipe, a full disk).
    fn alert(&mut self, alert: Alert) -> io::Result<()>;

    /// Reading progressed.
    fn progress(&mut self, _progress: &Progress) {}

    /// A problem with the input (a malformed line…), with its location.
    fn input_problem(&mut self, _problem: &Problem) {}

    /// Something the user should know about the run or one rule.
    fn warning(&mut self, _rule: Option<usize>, _message: &str) {}
}

/// Settings of a run beyond the hunt's.
#[derive(Clone, Debug)]
pub struct DetectOptions {
    /// The run's time, nanoseconds since the epoch: the alerts' `@timestamp`.
    pub now: i64,
    /// Leave out building-block alerts: the per-event alerts of sequences and every
    /// alert of building-block rules (Kibana's alert views hide both by default).
    pub no_building_blocks: bool,
    /// Most matches one windowed rule collects before it drops the rest (with a warning).
    pub max_windowed_matches: usize,
}

impl Default for DetectOptions {
    fn default() -> Self {
        DetectOptions {
            now: 0,
            no_building_blocks: false,
            max_windowed_matches: 1_000_000,
        }
    }
}

/// The ECS field types of the alerts index (shrike's built-in ECS table), built once.
pub fn ecs_types() -> &'static EcsTypes {
    static ECS: OnceLock<EcsTypes> = OnceLock::new();
    ECS.get_or_init(|| EcsTypes::from_table(shrike_ir::ecs::ECS_TYPES_TSV))
}

/// Per-rule counts of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleCounts {
    /// Results: matching events, sequences, or the windowed types' alerts.
    pub results: u64,
    /// Alert documents written (a sequence writes a shell and its building blocks).
    pub alerts: u64,
}

/// What a run did.
pub struct RunSummary {
    /// The hunt's own summary (events, bytes, input problems, evaluations…).
    pub hunt: Summary,
    /// Per rule of the pack, by position.
    pub rules: Vec<RuleCounts>,
    /// Alert documents written.
    pub alerts: u64,
}

/// A windowed rule's state during the hunt.
enum Windowed<'a> {
    /// Not windowed (event and sequence rules).
    None,
    /// A threshold rule in continuous mode: its groups, and the latest time counted.
    Count(Counter<'a>, i64),
    /// A new-terms rule in continuous mode (matches arrive in time order).
    Roll(Rolling),
    /// An indicator-match rule: each match is checked as it comes.
    Match,
    /// A suppressing query rule in continuous mode (matches arrive in time order).
    Suppress(Box<Suppressor>),
    /// Under replay: the matches, kept as text until the input ends.
    Keep(Vec<Hit>),
}

impl<'a> Windowed<'a> {
    fn new(rule: &'a PackRule, space: &str) -> Self {
        match &rule.run {
            RuleRun::Suppressed(s, Mode::Continuous) => Windowed::Suppress(Box::new(
                Suppressor::new(s.clone(), rule.builder.rule_uuid(), space),
            )),
            RuleRun::Events | RuleRun::Sequence => Windowed::None,
            RuleRun::Threshold(t, Mode::Continuous) => Windowed::Count(Counter::new(t), 0),
            RuleRun::NewTerms(n, Mode::Continuous) => match Rolling::new(n) {
                Some(r) => Windowed::Roll(r),
                None => Windowed::Keep(Vec::new()),
            },
            RuleRun::Threat(_, Mode::Continuous) => Windowed::Match,
            _ => Windowed::Keep(Vec::new()),
        }
    }
}

struct Adapter<'a> {
    pack: &'a RulePack,
    options: &'a DetectOptions,
    settings: AlertSettings,
    sink: &'a mut dyn AlertSink,
    windowed: Vec<Windowed<'a>>,
    dropped: Vec<u64>,
    counts: Vec<RuleCounts>,
    group: u64,
    alerts: u64,
}

impl Adapter<'_> {
    fn emit(
        &mut self,
        rule: usize,
        role: AlertRole,
        time: Option<i64>,
        doc: Json,
    ) -> io::Result<()> {
        let building_block =
            role == AlertRole::BuildingBlock || self.pack.rules[rule].is_building_block();
        if self.options.no_building_blocks && building_block {
            return Ok(());
        }
        self.counts[rule].alerts += 1;
        self.alerts += 1;
        self.sink.alert(Alert {
            rule,
            role,
            time,
            group: self.group,
            doc,
        })
    }
}

fn source_event(hit: &Hit) -> (String, String) {
    (hit.index().unwrap_or("").to_string(), hit.id())
}

impl Sink for Adapter<'_> {
    fn on_event_match(&mut self, key: usize, hit: &Hit) -> io::Result<()> {
        let pack = self.pack;
        let Some(rule) = pack.rules.get(key) else {
            return Ok(());
        };
        let (index, id) = source_event(hit);
        let matched = |hit: &Hit| Matched {
            time: hit.timestamp().unwrap_or(0),
            index: index.clone(),
            id: id.clone(),
            source: hit.source().clone(),
        };
        let t = hit.timestamp();
        let docs: Vec<(Json, Option<i64>)> = match (&mut self.windowed[key], &rule.run) {
            (Windowed::None, _) => vec![(
                rule.builder.event_alert(
                    SourceEvent {
                        index: &index,
                        id: &id,
                        source: hit.source(),
                    },
                    &self.settings,
                ),
                t,
            )],
            (Windowed::Suppress(sup), _) => sup
                .observe(t.unwrap_or(0), hit.source(), || matched(hit))
                .iter()
                .map(|o| (o.alert(&rule.builder, &self.settings), Some(o.time())))
                .collect(),
            (Windowed::Count(counter, last), _) => {
                let t = hit.timestamp().unwrap_or(0);
                counter.add(t, hit.source());
                *last = (*last).max(t);
                Vec::new()
            }
            (Windowed::Roll(roll), RuleRun::NewTerms(n, _)) => {
                let t = hit.timestamp().unwrap_or(0);
                roll.observe(n, t, hit.source())
                    .into_iter()
                    .map(|terms| {
                        let event = SourceEvent {
                            index: &index,
                            id: &id,
                            source: hit.source(),
                        };
                        (
                            rule.builder.new_terms_alert(event, &terms, &self.settings),
                            Some(t),
                        )
                    })
                    .collect()
            }
            (Windowed::Match, RuleRun::Threat(threats, _)) => {
                alerts::threat_alert(&rule.builder, threats, &matched(hit), &self.settings)
                    .into_iter()
                    .map(|doc| (doc, t))
                    .collect()
            }
            (Windowed::Keep(list), _) => {
                if list.len() >= self.options.max_windowed_matches {
                    self.dropped[key] += 1;
                } else {
                    list.push(hit.detached());
                }
                Vec::new()
            }
            _ => Vec::new(),
        };
        for (doc, time) in docs {
            self.counts[key].results += 1;
            self.group += 1;
            self.emit(key, AlertRole::Event, time, doc)?;
        }
        Ok(())
    }

    fn on_sequence_match(&mut self, key: usize, m: &SequenceMatch) -> io::Result<()> {
        let Some(rule) = self.pack.rules.get(key) else {
            return Ok(());
        };
        let ids: Vec<Option<(String, String)>> = m
            .events
            .iter()
            .map(|e| e.as_ref().map(|h| source_event(h)))
            .collect();
        let events: Vec<Option<SourceEvent>> = m
            .events
            .iter()
            .zip(&ids)
            .map(|(e, ids)| match (e, ids) {
                (Some(h), Some((index, id))) => Some(SourceEvent {
                    index,
                    id,
                    source: h.source(),
                }),
                _ => None,
            })
            .collect();
        let time = m
            .events
            .iter()
            .flatten()
            .filter_map(|h| h.timestamp())
            .max();
        let docs = rule.builder.sequence_alerts(&events, &self.settings);
        self.counts[key].results += 1;
        self.group += 1;
        for (i, doc) in docs.into_iter().enumerate() {
            let role = if i == 0 {
                AlertRole::Shell
            } else {
                AlertRole::BuildingBlock
            };
            self.emit(key, role, time, doc)?;
        }
        Ok(())
    }

    fn on_progress(&mut self, progress: &Progress) {
        self.sink.progress(progress);
    }

    fn on_input_problem(&mut self, problem: &Problem) {
        self.sink.input_problem(problem);
    }

    fn on_warning(&mut self, rule: Option<usize>, message: &str) {
        self.sink.warning(rule, message);
    }
}

/// The time an alert of a windowed type is about: its event's time (threshold alerts:
/// the last event of the group, `kibana.alert.original_time` being the window's).
fn windowed_time(doc: &Json, fallback: Option<i64>) -> Option<i64> {
    let parse = |v: Option<&Json>| {
        let s = v?.as_str()?;
        shrike_ir::DateFormat::default().parse_str(s)
    };
    parse(doc.get("kibana.alert.original_time")).or(fallback)
}

/// The alerts of a windowed rule once the input has ended, with the time of the event
/// each is about when known (else [`windowed_time`] finds it).
fn windowed_alerts(
    rule: &PackRule,
    state: Windowed<'_>,
    settings: &AlertSettings,
) -> Vec<(Json, Option<i64>)> {
    let b = &rule.builder;
    let untimed = |docs: Vec<Json>| docs.into_iter().map(|d| (d, None)).collect();
    match (state, &rule.run) {
        (Windowed::Suppress(sup), _) => sup
            .finish()
            .iter()
            .map(|o| (o.alert(b, settings), Some(o.time())))
            .collect(),
        (Windowed::Count(counter, last), RuleRun::Threshold(t, _)) => untimed(
            counter
                .finish()
                .iter()
                .map(|bucket| alerts::threshold_alert(b, rule.rule_id(), t, bucket, last, settings))
                .collect(),
        ),
        (Windowed::Keep(hits), run) => {
            let matches: Vec<Matched> = hits
                .iter()
                .map(|h| Matched {
                    time: h.timestamp().unwrap_or(0),
                    index: h.index().unwrap_or("").to_string(),
                    id: h.id(),
                    source: h.source().clone(),
                })
                .collect();
            drop(hits);
            match run {
                RuleRun::Query(mode) => untimed(alerts::query_alerts(b, mode, &matches, settings)),
                RuleRun::EqlEvents(mode) => {
                    untimed(alerts::eql_alerts(b, mode, &matches, settings))
                }
                RuleRun::Threshold(t, mode) => untimed(alerts::threshold_alerts(
                    b,
                    rule.rule_id(),
                    t,
                    mode,
                    &matches,
                    settings,
                )),
                RuleRun::NewTerms(n, mode) => {
                    untimed(alerts::new_terms_alerts(b, n, mode, &matches, settings))
                }
                RuleRun::Threat(index, mode) => {
                    untimed(alerts::threat_alerts(b, index, mode, &matches, settings))
                }
                RuleRun::Suppressed(s, Mode::Replay(schedule)) => {
                    suppression::replay_alerts(b, s, schedule, &matches, settings)
                        .into_iter()
                        .map(|(doc, t)| (doc, Some(t)))
                        .collect()
                }
                RuleRun::Suppressed(_, Mode::Continuous) => Vec::new(),
                RuleRun::Events | RuleRun::Sequence => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// Runs `pack` over `inputs`, handing every alert to `sink`. Returns what happened, or the
/// first error the sink returned.
pub fn run(
    pack: &RulePack,
    inputs: &[InputSpec],
    hunt: &HuntOptions,
    options: &DetectOptions,
    sink: &mut dyn AlertSink,
) -> io::Result<RunSummary> {
    let n = pack.rules.len();
    let settings = AlertSettings {
        now: shrike_ir::date::format_iso(options.now, false),
        space: "default".into(),
        ecs: ecs_types().clone(),
    };
    let windowed = pack
        .rules
        .iter()
        .map(|r| Windowed::new(r, &settings.space))
        .collect();
    let mut adapter = Adapter {
        pack,
        options,
        settings,
        sink,
        windowed,
        dropped: vec![0; n],
        counts: vec![RuleCounts::default(); n],
        group: 0,
        alerts: 0,
    };
    let summary = shrike_hunt::hunt(&pack.set, inputs, hunt, &mut adapter)?;
    for key in 0..n {
        let state = std::mem::replace(&mut adapter.windowed[key], Windowed::None);
        let rule = &pack.rules[key];
        if adapter.dropped[key] > 0 {
            let msg = format!(
                "rule \"{}\": kept its first {} matches and dropped {} more; its alerts are \
                 computed from those kept",
                rule.name(),
                options.max_windowed_matches,
                adapter.dropped[key]
            );
            adapter.sink.warning(Some(key), &msg);
        }
        let last = match &state {
            Windowed::Keep(hits) => hits.iter().filter_map(|h| h.timestamp()).max(),
            Windowed::Count(_, last) => Some(*last),
            _ => None,
        };
        for (doc, time) in windowed_alerts(rule, state, &adapter.settings) {
            let time = time.or_else(|| windowed_time(&doc, last));
            adapter.counts[key].results += 1;
            adapter.group += 1;
            adapter.emit(key, AlertRole::Event, time, doc)?;
        }
    }
    Ok(RunSummary {
        hunt: summary,
        rules: adapter.counts,
        alerts: adapter.alerts,
    })
}
