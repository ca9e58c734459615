//! `shrike hunt`: Elastic detection rules over log files, alerts as Kibana writes them.
//!
//! ```text
//! shrike hunt --rules PATH... [--format table|ndjson|csv] [--output FILE]
//!             [--min-severity low|medium|high|critical] [--tag T]... [--rule-id ID]...
//!             [--tactic NAME|ID]... [--since TIME] [--until TIME] [--no-building-blocks]
//!             [--mapping [INDEX=]FILE]... [--threads N] [--quiet] INPUT...
//! ```
//!
//! Two stages, like ripgrep's flags: clap parses the flags into [`Args`]; [`Setup`] turns
//! them into real objects (schema, rule pack, hunt options), reporting every usage problem
//! before any input is read. The work itself is `shrike_detect::run`.
//!
//! Exit status: 0 when the run succeeded (with alerts or without), 1 when some input or
//! rule file could not be used (everything else still ran and is reported), 2 on usage
//! errors (bad flags, unreadable mapping, no rule files).

use super::{split_index, FINDINGS, USAGE};
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use shrike_detect::output::{CsvWriter, Digest, NdjsonWriter, TimeOrdered};
use shrike_detect::{
    load_pack, read_exception_files, read_indicator_files, tactics, Alert, AlertSink,
    DetectOptions, ExceptionLists, PackOptions, RulePack, RunSummary, ScheduleMode, Selection,
    SkipKind,
};
use shrike_hunt::{EventOrder, HuntOptions, HuntSchema, Progress};
use shrike_io::sort::SortOptions;
use shrike_io::{InputSpec, Problem};
use shrike_ir::datemath::{self, Rounding};
use shrike_ir::{DateFormat, Mapping};
use shrike_rules::model::Severity;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A summary by rule (severity, tactic, count, first/last seen, top hosts), then totals.
    Table,
    /// The alert documents, one per line, as Kibana writes them to the alerts index.
    Ndjson,
    /// A timeline: one row per alert (time, rule, severity, host, user, process, reason,
    /// event ids).
    Csv,
}

/// `--min-severity` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MinSeverity {
    /// Every rule.
    Low,
    /// Medium, high and critical rules.
    Medium,
    /// High and critical rules.
    High,
    /// Critical rules only.
    Critical,
}

/// `--schedule` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Schedule {
    /// The input as one stream (see ARCHITECTURE.md, "Rule types").
    Continuous,
    /// Kibana's schedule replayed over the data: each rule every `interval` over
    /// `[from, now]`, with Kibana's de-duplication and at most `max_signals` alerts per
    /// execution.
    Replay,
}

/// Flags of `shrike hunt`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Rule files, or directories searched recursively for `*.toml` rule files
    /// (repeatable).
    #[arg(long = "rules", value_name = "PATH", required = true)]
    pub rules: Vec<PathBuf>,
    /// Output format [default: table on a terminal, else ndjson; with --output, by the
    /// file's extension (.csv → csv), else ndjson].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the output to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Run only rules of this severity or higher.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub min_severity: Option<MinSeverity>,
    /// Run only rules with this tag (repeatable: any of them; case-insensitive).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Run only the rule with this `rule_id` (repeatable).
    #[arg(long = "rule-id", value_name = "ID")]
    pub rule_ids: Vec<String>,
    /// Run only rules of this MITRE ATT&CK tactic, by name or id (repeatable).
    #[arg(long = "tactic", value_name = "NAME|ID")]
    pub tactics: Vec<String>,
    /// Also run deprecated rules (`maturity = "deprecated"`), which Kibana never installs.
    #[arg(long)]
    pub include_deprecated: bool,
    /// Also run rules switched off in their file (`enabled = false`), which Kibana
    /// installs disabled.
    #[arg(long)]
    pub include_disabled: bool,
    /// Skip events before TIME (ISO 8601 like 2024-05-01T10:00:00Z, epoch milliseconds,
    /// or date math like now-7d).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Skip events after TIME (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Leave out building-block alerts (the per-event alerts of sequences and the alerts
    /// of building-block rules), as Kibana's alert views do by default.
    #[arg(long)]
    pub no_building_blocks: bool,
    /// Elasticsearch mapping JSON for the events of an index (`INDEX=FILE`, INDEX may use
    /// `*`) or for all events (`FILE`). Without one, fields are typed as ECS and the
    /// `logs-*` templates type them.
    #[arg(long, value_name = "[INDEX=]FILE")]
    pub mapping: Vec<String>,
    /// Run every rule on every event, whatever the rule's `index` patterns.
    #[arg(long)]
    pub ignore_index: bool,
    /// How threshold, new-terms and (under replay) query, EQL event and indicator-match
    /// rules form their windows.
    #[arg(long, value_enum, default_value = "continuous")]
    pub schedule: Schedule,
    /// Indicator documents (NDJSON) for indicator-match rules (repeatable).
    #[arg(long = "threat-intel", value_name = "FILE")]
    pub threat_intel: Vec<PathBuf>,
    /// Kibana exception list exports (NDJSON) the rules' `exceptions_list` refer to
    /// (repeatable).
    #[arg(long = "exceptions", value_name = "FILE")]
    pub exceptions: Vec<PathBuf>,
    /// The run's time: the alerts' `@timestamp` and `now` in date math [default: the
    /// current time].
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Reading and matching threads (0: one per core).
    #[arg(long, short = 'j', default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// Memory for sorting sequence candidates before spilling them to disk, in MiB (alerts
    /// get a quarter of it more).
    #[arg(long, default_value_t = 256, value_name = "MIB")]
    pub memory: usize,
    /// Input problems and rule errors shown in full before only counting them.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub max_messages: usize,
    /// No progress bar and no summary on standard error (problems are still reported).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Evaluate every rule on every event (the prefilter off; for testing).
    #[arg(long, hide = true)]
    pub no_prefilter: bool,
    /// Log files or directories (searched recursively), `-` for standard input, each
    /// optionally `INDEX=PATH`: NDJSON, JSON arrays, Elasticsearch search/export files,
    /// `_bulk` bodies, EVTX; gzip or zstd compressed.
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<String>,
}

/// Everything the flags turn into, checked before any input is read.
struct Setup {
    schema: HuntSchema,
    selection: Selection,
    exceptions: ExceptionLists,
    indicators: Option<Vec<shrike_rules::types::threat::Indicator>>,
    now: i64,
    since: Option<i64>,
    until: Option<i64>,
    inputs: Vec<InputSpec>,
    format: Format,
    /// Problems of the side files (indicators, exception lists), shown as warnings.
    notes: Vec<String>,
}

fn wall_clock_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos().min(i64::MAX as u128) as i64)
}

/// A time flag: ISO 8601, epoch milliseconds, or date math relative to `now`.
fn parse_time(flag: &str, text: &str, now: i64) -> Result<i64, String> {
    datemath::resolve(text, &DateFormat::default(), now, Rounding::Down).ok_or_else(|| {
        format!(
            "--{flag} {text}: not a time (use ISO 8601 like 2024-05-01T10:00:00Z, epoch \
             milliseconds, or date math like now-24h)"
        )
    })
}

fn default_format(args: &Args) -> Format {
    if let Some(f) = args.format {
        return f;
    }
    match &args.output {
        Some(p) if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) => Format::Csv,
        Some(_) => Format::Ndjson,
        None if io::stdout().is_terminal() => Format::Table,
        None => Format::Ndjson,
    }
}

impl Setup {
    fn new(args: &Args) -> Result<Setup, String> {
        let wall = wall_clock_nanos();
        let now = match &args.now {
            Some(t) => parse_time("now", t, wall)?,
            None => wall,
        };
        let since = args
            .since
            .as_deref()
            .map(|t| parse_time("since", t, now))
            .transpose()?;
        let until = args
            .until
            .as_deref()
            .map(|t| parse_time("until", t, now))
            .transpose()?;
        if let (Some(s), Some(u)) = (since, until) {
            if s > u {
                return Err("--since is later than --until: no event can match".into());
            }
        }
        let mut schema = HuntSchema::ecs();
        for m in &args.mapping {
            let (index, path) = split_index(m);
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("--mapping {path}: cannot read: {e}"))?;
            let mapping =
                Mapping::from_json_str(&text).map_err(|e| format!("--mapping {path}: {e}"))?;
            schema.add_mapping(index, &mapping);
        }
        let mut notes = Vec::new();
        let (exceptions, bad) = read_exception_files(&args.exceptions)?;
        notes.extend(bad);
        let indicators = if args.threat_intel.is_empty() {
            None
        } else {
            let (found, bad) = read_indicator_files(&args.threat_intel)?;
            notes.extend(bad);
            Some(found)
        };
        let inputs = args
            .inputs
            .iter()
            .map(|i| InputSpec::parse(i).map_err(|e| format!("input {i}: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let selection = Selection {
            min_severity: args.min_severity.map(|s| match s {
                MinSeverity::Low => Severity::Low,
                MinSeverity::Medium => Severity::Medium,
                MinSeverity::High => Severity::High,
                MinSeverity::Critical => Severity::Critical,
            }),
            tags: args.tags.clone(),
            rule_ids: args.rule_ids.clone(),
            tactics: args.tactics.clone(),
            include_deprecated: args.include_deprecated,
            include_disabled: args.include_disabled,
        };
        Ok(Setup {
            schema,
            selection,
            exceptions,
            indicators,
            now,
            since,
            until,
            inputs,
            format: default_format(args),
            notes,
        })
    }
}

/// Progress on standard error (a spinner when it is a terminal), and the place problems
/// and warnings are printed without tearing the bar.
struct Reporter {
    bar: Option<ProgressBar>,
    quiet: bool,
    max_messages: usize,
    warnings: u64,
    warnings_shown: usize,
}

impl Reporter {
    fn new(quiet: bool, max_messages: usize) -> Reporter {
        let bar = (!quiet && io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {elapsed} {decimal_bytes} read ({decimal_bytes_per_sec}) {wide_msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Reporter {
            bar,
            quiet,
            max_messages,
            warnings: 0,
            warnings_shown: 0,
        }
    }

    fn eprintln(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl AlertSink for Reporter {
    fn alert(&mut self, _alert: Alert) -> io::Result<()> {
        Ok(())
    }

    fn progress(&mut self, progress: &Progress) {
        if let Some(bar) = &self.bar {
            bar.set_position(progress.bytes);
            bar.set_message(format!("{} events", thousands(progress.events)));
        }
    }

    fn input_problem(&mut self, problem: &Problem) {
        // The hunt hands over only the first problems (the rest are counted in its
        // summary); they are shown whatever --quiet says.
        self.eprintln(&format!("shrike: {problem}"));
    }

    fn warning(&mut self, _rule: Option<usize>, message: &str) {
        self.warnings += 1;
        if self.quiet || self.warnings_shown >= self.max_messages {
            return;
        }
        self.warnings_shown += 1;
        self.eprintln(&format!("shrike: warning: {message}"));
    }
}

/// `n` and the noun, singular or plural (`1 rule`, `2 rules`).
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn open_output(path: Option<&Path>) -> io::Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(BufWriter::new(File::create(p).map_err(|e| {
            io::Error::new(e.kind(), format!("--output {}: {e}", p.display()))
        })?)),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    })
}

/// Runs `shrike hunt`.
pub fn run(args: Args) -> ExitCode {
    let setup = match Setup::new(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("shrike: {e}");
            return ExitCode::from(USAGE);
        }
    };
    super::finish(hunt(&args, setup))
}

fn hunt(args: &Args, setup: Setup) -> io::Result<ExitCode> {
    let started = Instant::now();
    let mut reporter = Reporter::new(args.quiet, args.max_messages);
    for n in &setup.notes {
        reporter.eprintln(&format!("shrike: warning: {n}"));
    }
    let pack = load_pack(
        &args.rules,
        &PackOptions {
            schema: &setup.schema,
            selection: &setup.selection,
            exceptions: &setup.exceptions,
            indicators: setup.indicators.as_deref(),
            schedule: match args.schedule {
                Schedule::Continuous => ScheduleMode::Continuous,
                Schedule::Replay => ScheduleMode::Replay,
            },
            now: setup.now,
        },
    );
    if pack.files == 0 {
        reporter.finish();
        eprintln!(
            "shrike: no rule files found under {}",
            args.rules
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(ExitCode::from(USAGE));
    }
    report_rule_problems(&pack, &reporter, args.max_messages);
    if !args.quiet {
        report_rule_notes(&pack, &reporter);
    }

    let budget = args.memory.max(1) << 20;
    let hunt_options = HuntOptions {
        threads: args.threads,
        since: setup.since,
        until: setup.until,
        ignore_index: args.ignore_index,
        memory_budget: budget,
        event_order: EventOrder::Input,
        max_problem_messages: args.max_messages,
        no_prefilter: args.no_prefilter,
        ..HuntOptions::default()
    };
    let options = DetectOptions {
        now: setup.now,
        no_building_blocks: args.no_building_blocks,
        ..DetectOptions::default()
    };
    // Alerts are usually few; their sorter gets a quarter of the budget.
    let ordered = (setup.format != Format::Table).then(|| {
        TimeOrdered::new(SortOptions {
            memory_budget: (budget / 4).max(1 << 20),
            ..SortOptions::default()
        })
    });
    let mut collector = shrike_detect::output::Collector {
        digest: Digest::default(),
        ordered,
        events: &mut reporter,
    };
    let summary = shrike_detect::run(
        &pack,
        &setup.inputs,
        &hunt_options,
        &options,
        &mut collector,
    );
    let shrike_detect::output::Collector {
        digest, ordered, ..
    } = collector;
    reporter.finish();
    let summary = summary?;

    let mut out = open_output(args.output.as_deref())?;
    match (setup.format, ordered) {
        (Format::Ndjson, Some(o)) => {
            o.finish(&mut NdjsonWriter::new(&mut out))?;
        }
        (Format::Csv, Some(o)) => {
            o.finish(&mut CsvWriter::new(&mut out))?;
        }
        _ => {
            write_table(&mut out, &pack, &digest)?;
            writeln!(out)?;
            write_totals(&mut out, &pack, &summary, &reporter, started)?;
        }
    }
    out.flush()?;
    drop(out);
    if setup.format != Format::Table && !args.quiet {
        let mut err = Vec::new();
        write_totals(&mut err, &pack, &summary, &reporter, started)?;
        eprint!("{}", String::from_utf8_lossy(&err));
    }
    let failed = summary.hunt.input.has_errors() || pack.errors() > 0;
    Ok(if failed {
        ExitCode::from(FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

fn report_rule_problems(pack: &RulePack, reporter: &Reporter, max: usize) {
    let errors: Vec<_> = pack
        .skipped
        .iter()
        .filter(|s| s.kind == SkipKind::Error)
        .collect();
    for s in errors.iter().take(max) {
        if s.rendered.is_empty() {
            reporter.eprintln(&format!("shrike: {}: {}", s.path.display(), s.reason));
        } else {
            reporter.eprintln(s.rendered.trim_end());
        }
    }
    if errors.len() > max {
        reporter.eprintln(&format!(
            "shrike: {} more rule files with errors not shown (`shrike check` lists them all)",
            errors.len() - max
        ));
    }
}

fn report_rule_notes(pack: &RulePack, reporter: &Reporter) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &pack.rules {
        for n in &r.notes {
            let kind = if n.starts_with("exception list") {
                "rules run without an exception list they name (supply it with --exceptions)"
            } else {
                n.as_str()
            };
            *counts.entry(kind).or_default() += 1;
        }
    }
    for (what, n) in counts {
        reporter.eprintln(&format!("shrike: note: {n} {what}"));
    }
}

fn short(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
    t.push('…');
    t
}

fn table_time(t: Option<i64>) -> String {
    match t {
        // 2024-05-01T10:00:00.000Z → 2024-05-01 10:00:00Z
        Some(t) => {
            let iso = shrike_ir::date::format_iso(t, false);
            format!("{} {}Z", &iso[..10], &iso[11..19])
        }
        None => "-".into(),
    }
}

fn write_table(out: &mut dyn Write, pack: &RulePack, digest: &Digest) -> io::Result<()> {
    let mut rows: Vec<(usize, &shrike_detect::output::RuleDigest)> =
        digest.rules.iter().map(|(k, d)| (*k, d)).collect();
    rows.sort_by(|a, b| {
        let (ra, rb) = (&pack.rules[a.0], &pack.rules[b.0]);
        rb.severity()
            .cmp(&ra.severity())
            .then(b.1.results.cmp(&a.1.results))
            .then(ra.name().cmp(rb.name()))
    });
    if rows.is_empty() {
        return writeln!(out, "no alerts");
    }
    writeln!(
        out,
        "{:<9} {:<48} {:<22} {:>7}  {:<21} {:<21} TOP HOSTS",
        "SEVERITY", "RULE", "TACTIC", "ALERTS", "FIRST SEEN", "LAST SEEN"
    )?;
    for (k, d) in rows {
        let r = &pack.rules[k];
        let tactic = tactics(&r.rule)
            .map(|(_, name)| name)
            .collect::<Vec<_>>()
            .join(", ");
        let hosts = d
            .top_hosts(3)
            .iter()
            .map(|(h, n)| format!("{h} ({n})"))
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(
            out,
            "{:<9} {:<48} {:<22} {:>7}  {:<21} {:<21} {}",
            r.severity().as_str(),
            short(r.name(), 48),
            short(if tactic.is_empty() { "-" } else { &tactic }, 22),
            thousands(d.results),
            table_time(d.first),
            table_time(d.last),
            if hosts.is_empty() { "-".into() } else { hosts }
        )?;
    }
    Ok(())
}

fn write_totals(
    out: &mut dyn Write,
    pack: &RulePack,
    summary: &RunSummary,
    reporter: &Reporter,
    started: Instant,
) -> io::Result<()> {
    let h = &summary.hunt;
    let firing = summary.rules.iter().filter(|r| r.results > 0).count();
    let results: u64 = summary.rules.iter().map(|r| r.results).sum();
    writeln!(
        out,
        "{} ({}) from {} of {}; {} ({}) read in {:.2} s",
        count(results, "alert", "alerts"),
        count(summary.alerts, "document", "documents"),
        firing,
        count(pack.rules.len() as u64, "rule", "rules"),
        count(h.events, "event", "events"),
        human_bytes(h.bytes),
        started.elapsed().as_secs_f64()
    )?;
    let mut by_kind: BTreeMap<SkipKind, usize> = BTreeMap::new();
    for s in &pack.skipped {
        *by_kind.entry(s.kind).or_default() += 1;
    }
    let mut rules_line = format!(
        "rules: {}, {} run, {} left out by the selection",
        count(pack.files as u64, "file", "files"),
        thousands(pack.rules.len() as u64),
        thousands(pack.filtered as u64)
    );
    if pack.disabled > 0 {
        rules_line.push_str(&format!(
            ", {} disabled (not run; --include-disabled runs them)",
            thousands(pack.disabled as u64)
        ));
    }
    if pack.deprecated > 0 {
        rules_line.push_str(&format!(
            ", {} deprecated (not run; --include-deprecated runs them)",
            thousands(pack.deprecated as u64)
        ));
    }
    for (kind, n) in &by_kind {
        rules_line.push_str(&format!(
            ", {} skipped ({})",
            thousands(*n as u64),
            kind.as_str()
        ));
    }
    writeln!(out, "{rules_line}")?;
    // Why rules were skipped, most common reasons first.
    let mut reasons: BTreeMap<(SkipKind, &str), usize> = BTreeMap::new();
    for s in pack.skipped.iter().filter(|s| s.kind != SkipKind::Error) {
        *reasons.entry((s.kind, s.reason.as_str())).or_default() += 1;
    }
    let mut reasons: Vec<_> = reasons.into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for ((_, reason), n) in reasons {
        writeln!(out, "  {} × {reason}", thousands(n as u64))?;
    }
    if h.events > 0 {
        writeln!(
            out,
            "evaluation: {:.1} rules per event on average (prefilter), {}",
            h.rules_per_event(),
            count(h.evaluations, "rule evaluation", "rule evaluations")
        )?;
    }
    if h.no_timestamp > 0 || h.outside_window > 0 {
        writeln!(
            out,
            "time: {} skipped for events without a usable timestamp, {} outside --since/--until",
            count(h.no_timestamp, "rule evaluation", "rule evaluations"),
            thousands(h.outside_window)
        )?;
    }
    if h.input.is_clean() {
        writeln!(out, "input: no problems")?;
    } else {
        let counts: Vec<String> = h
            .input
            .counts()
            .map(|(code, c)| format!("{code} {}: {}", shrike_io::codes::describe(code), c.count))
            .collect();
        writeln!(
            out,
            "input: {}, {} ({})",
            count(
                h.input.errors(),
                "bad record or file",
                "bad records or files"
            ),
            count(h.input.warnings(), "warning", "warnings"),
            counts.join("; ")
        )?;
    }
    if reporter.warnings > 0 {
        writeln!(out, "warnings: {}", thousands(reporter.warnings))?;
    }
    Ok(())
}
