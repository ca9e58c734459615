//! Writing a run's alerts: NDJSON documents or a CSV timeline, in time order, and a
//! per-rule digest for the summary table.
//!
//! Alerts arrive as rules find them (event rules in input order, sequences and windowed
//! rules at the end). [`TimeOrdered`] puts them in the order an analyst reads a case:
//! by the time of the event each is about, a sequence's shell and building blocks kept
//! together (shell first), ties in the order found. It holds them in shrike-io's external
//! sorter, so a noisy rule over a large input spills to disk instead of filling memory.

use crate::run::{Alert, AlertRole, AlertSink};
use serde_json::Value as Json;
use shrike_io::sort::{ExternalSorter, SortOptions, SortStats};
use shrike_rules::types::values_at;
use std::collections::HashMap;
use std::io::{self, Write};

/// How alerts are written.
pub trait AlertWriter {
    /// Writes one alert.
    fn write(&mut self, alert: &Alert) -> io::Result<()>;

    /// Called once after the last alert.
    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One alert document per line.
pub struct NdjsonWriter<W: Write> {
    out: W,
}

impl<W: Write> NdjsonWriter<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> Self {
        NdjsonWriter { out }
    }
}

impl<W: Write> AlertWriter for NdjsonWriter<W> {
    fn write(&mut self, alert: &Alert) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, &alert.doc)?;
        self.out.write_all(b"\n")
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The columns of the CSV timeline.
pub const CSV_COLUMNS: [&str; 12] = [
    "time",
    "rule",
    "severity",
    "risk_score",
    "kind",
    "host",
    "user",
    "process",
    "reason",
    "event_ids",
    "index",
    "rule_id",
];

/// A timeline: one CSV row per alert (RFC 4180 quoting).
pub struct CsvWriter<W: Write> {
    out: W,
    header: bool,
}

impl<W: Write> CsvWriter<W> {
    /// Writes to `out`, header first.
    pub fn new(out: W) -> Self {
        CsvWriter { out, header: false }
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The first value of `path` in `doc` as text (`""` when absent).
pub fn text_at(doc: &Json, path: &str) -> String {
    match doc.get(path) {
        Some(v) if !v.is_null() => scalar_text(v),
        _ => values_at(doc, path)
            .first()
            .map(|v| scalar_text(v))
            .unwrap_or_default(),
    }
}

fn scalar_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Array(a) => a.first().map(scalar_text).unwrap_or_default(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

/// The ids of the source events an alert is about (its `event` ancestors).
pub fn event_ids(doc: &Json) -> Vec<String> {
    doc.get("kibana.alert.ancestors")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter(|x| x.get("type").and_then(Json::as_str) == Some("event"))
                .filter_map(|x| x.get("id").and_then(Json::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// An alert's time as ISO 8601 with milliseconds (`""` when unknown).
pub fn iso(time: Option<i64>) -> String {
    time.map(|t| shrike_ir::date::format_iso(t, false))
        .unwrap_or_default()
}

fn kind_name(role: AlertRole) -> &'static str {
    match role {
        AlertRole::Event => "alert",
        AlertRole::Shell => "sequence",
        AlertRole::BuildingBlock => "building_block",
    }
}

impl<W: Write> AlertWriter for CsvWriter<W> {
    fn write(&mut self, alert: &Alert) -> io::Result<()> {
        if !self.header {
            writeln!(self.out, "{}", CSV_COLUMNS.join(","))?;
            self.header = true;
        }
        let d = &alert.doc;
        let index = d
            .get("kibana.alert.ancestors")
            .and_then(Json::as_array)
            .and_then(|a| a.first())
            .and_then(|a| a.get("index"))
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_string();
        let process = match text_at(d, "process.command_line") {
            s if s.is_empty() => text_at(d, "process.name"),
            s => s,
        };
        // A building block sorts with its sequence (at the sequence's last event) but shows
        // the time of its own event.
        let time = match alert.role {
            AlertRole::BuildingBlock => match text_at(d, "kibana.alert.original_time") {
                t if t.is_empty() => iso(alert.time),
                t => t,
            },
            _ => iso(alert.time),
        };
        let row = [
            time,
            text_at(d, "kibana.alert.rule.name"),
            text_at(d, "kibana.alert.severity"),
            text_at(d, "kibana.alert.risk_score"),
            kind_name(alert.role).to_string(),
            text_at(d, "host.name"),
            text_at(d, "user.name"),
            process,
            text_at(d, "kibana.alert.reason"),
            event_ids(d).join(" "),
            index,
            text_at(d, "kibana.alert.rule.rule_id"),
        ];
        let line: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        writeln!(self.out, "{}", line.join(","))
    }

    fn finish(&mut self) -> io::Result<()> {
        if !self.header {
            writeln!(self.out, "{}", CSV_COLUMNS.join(","))?;
            self.header = true;
        }
        self.out.flush()
    }
}

/// Sort key: time (unknown last), group, position in the group.
type Key = (bool, i64, u64, u64);

/// Collects alerts and writes them in time order at [`TimeOrdered::finish`].
pub struct TimeOrdered {
    sorter: ExternalSorter<Key>,
    member: u64,
    last_group: u64,
    scratch: Vec<u8>,
}

impl TimeOrdered {
    /// Holds up to `memory_budget` bytes of alerts in memory, spilling the rest.
    pub fn new(options: SortOptions) -> Self {
        TimeOrdered {
            sorter: ExternalSorter::new(options),
            member: 0,
            last_group: u64::MAX,
            scratch: Vec::new(),
        }
    }

    /// Takes one alert.
    pub fn push(&mut self, alert: &Alert) -> io::Result<()> {
        if alert.group != self.last_group {
            self.last_group = alert.group;
            self.member = 0;
        }
        let key = (
            alert.time.is_none(),
            alert.time.unwrap_or(0),
            alert.group,
            self.member,
        );
        self.member += 1;
        self.scratch.clear();
        encode(alert, &mut self.scratch)?;
        self.sorter.push(key, &self.scratch)
    }

    /// Writes every alert taken, in order; returns what the sort did.
    pub fn finish(self, writer: &mut dyn AlertWriter) -> io::Result<SortStats> {
        let mut sorted = self.sorter.finish()?;
        while let Some((_, payload)) = sorted.next_item()? {
            let alert = decode(payload)?;
            writer.write(&alert)?;
        }
        writer.finish()?;
        Ok(sorted.stats())
    }
}

fn encode(alert: &Alert, out: &mut Vec<u8>) -> io::Result<()> {
    out.extend_from_slice(&(alert.rule as u64).to_le_bytes());
    out.push(match alert.role {
        AlertRole::Event => 0,
        AlertRole::Shell => 1,
        AlertRole::BuildingBlock => 2,
    });
    match alert.time {
        Some(t) => {
            out.push(1);
            out.extend_from_slice(&t.to_le_bytes());
        }
        None => out.push(0),
    }
    out.extend_from_slice(&alert.group.to_le_bytes());
    serde_json::to_writer(out, &alert.doc).map_err(io::Error::from)
}

fn decode(mut b: &[u8]) -> io::Result<Alert> {
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "a sorted alert is damaged");
    let mut take = |n: usize| -> io::Result<&[u8]> {
        if b.len() < n {
            return Err(bad());
        }
        let (head, rest) = b.split_at(n);
        b = rest;
        Ok(head)
    };
    let u64_of =
        |s: &[u8]| -> io::Result<u64> { Ok(u64::from_le_bytes(s.try_into().map_err(|_| bad())?)) };
    let rule = u64_of(take(8)?)? as usize;
    let role = match take(1)?[0] {
        0 => AlertRole::Event,
        1 => AlertRole::Shell,
        _ => AlertRole::BuildingBlock,
    };
    let time = match take(1)?[0] {
        0 => None,
        _ => Some(u64_of(take(8)?)? as i64),
    };
    let group = u64_of(take(8)?)?;
    let doc = serde_json::from_slice(b).map_err(|_| bad())?;
    Ok(Alert {
        rule,
        role,
        time,
        group,
        doc,
    })
}

/// What a rule raised, for the summary table.
#[derive(Clone, Debug, Default)]
pub struct RuleDigest {
    /// Results (events, sequences, windowed alerts); building blocks are not counted.
    pub results: u64,
    /// Earliest event time.
    pub first: Option<i64>,
    /// Latest event time.
    pub last: Option<i64>,
    /// `host.name` → results.
    pub hosts: HashMap<String, u64>,
}

impl RuleDigest {
    /// The `n` hosts with the most results, most first (ties by name).
    pub fn top_hosts(&self, n: usize) -> Vec<(&str, u64)> {
        let mut v: Vec<(&str, u64)> = self.hosts.iter().map(|(h, c)| (h.as_str(), *c)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.truncate(n);
        v
    }
}

/// Per-rule digests of a run's alerts.
#[derive(Clone, Debug, Default)]
pub struct Digest {
    /// By rule position in the pack.
    pub rules: HashMap<usize, RuleDigest>,
}

/// Most distinct hosts remembered per rule (the rest are counted under `(other)`).
const MAX_HOSTS: usize = 10_000;

impl Digest {
    /// Takes one alert into account.
    pub fn add(&mut self, alert: &Alert) {
        if alert.role == AlertRole::BuildingBlock {
            return;
        }
        let d = self.rules.entry(alert.rule).or_default();
        d.results += 1;
        if let Some(t) = alert.time {
            d.first = Some(d.first.map_or(t, |f| f.min(t)));
            d.last = Some(d.last.map_or(t, |l| l.max(t)));
        }
        let host = text_at(&alert.doc, "host.name");
        if !host.is_empty() {
            let known = d.hosts.contains_key(&host);
            let key = if known || d.hosts.len() < MAX_HOSTS {
                host
            } else {
                "(other)".to_string()
            };
            *d.hosts.entry(key).or_default() += 1;
        }
    }
}

/// An [`AlertSink`] that keeps a [`Digest`] and passes alerts on to a sorter (when
/// writing them) and sink events to a callback.
pub struct Collector<'a> {
    /// The digest so far.
    pub digest: Digest,
    /// Where alerts go to be written in order (`None`: only the digest is kept).
    pub ordered: Option<TimeOrdered>,
    /// Called with progress, input problems and warnings.
    pub events: &'a mut dyn AlertSink,
}

impl AlertSink for Collector<'_> {
    fn alert(&mut self, alert: Alert) -> io::Result<()> {
        self.digest.add(&alert);
        if let Some(o) = &mut self.ordered {
            o.push(&alert)?;
        }
        Ok(())
    }

    fn progress(&mut self, progress: &shrike_hunt::Progress) {
        self.events.progress(progress);
    }

    fn input_problem(&mut self, problem: &shrike_io::Problem) {
        self.events.input_problem(problem);
    }

    fn warning(&mut self, rule: Option<usize>, message: &str) {
        self.events.warning(rule, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn alert(group: u64, time: Option<i64>, role: AlertRole, name: &str) -> Alert {
        Alert {
            rule: 0,
            role,
            time,
            group,
            doc: json!({"kibana.alert.rule.name": name, "host": {"name": "h1"},
                        "kibana.alert.ancestors": [{"id": "e1", "type": "event", "index": "logs", "depth": 0}]}),
        }
    }

    struct Names(Vec<String>);
    impl AlertWriter for Names {
        fn write(&mut self, a: &Alert) -> io::Result<()> {
            self.0.push(text_at(&a.doc, "kibana.alert.rule.name"));
            Ok(())
        }
    }

    #[test]
    fn alerts_come_out_by_time_with_groups_kept_together() {
        for budget in [1, 1 << 20] {
            let mut o = TimeOrdered::new(SortOptions {
                memory_budget: budget,
                ..SortOptions::default()
            });
            o.push(&alert(1, Some(30), AlertRole::Event, "c")).unwrap();
            o.push(&alert(2, None, AlertRole::Event, "z")).unwrap();
            o.push(&alert(3, Some(20), AlertRole::Shell, "s")).unwrap();
            o.push(&alert(3, Some(20), AlertRole::BuildingBlock, "s1"))
                .unwrap();
            o.push(&alert(3, Some(20), AlertRole::BuildingBlock, "s2"))
                .unwrap();
            o.push(&alert(4, Some(20), AlertRole::Event, "d")).unwrap();
            o.push(&alert(5, Some(10), AlertRole::Event, "a")).unwrap();
            let mut names = Names(Vec::new());
            o.finish(&mut names).unwrap();
            assert_eq!(
                names.0,
                ["a", "s", "s1", "s2", "d", "c", "z"],
                "budget {budget}"
            );
        }
    }

    #[test]
    fn csv_rows_quote_what_needs_quoting() {
        let mut out = Vec::new();
        let mut w = CsvWriter::new(&mut out);
        let mut a = alert(1, Some(0), AlertRole::Event, "Rule, \"quoted\"");
        a.doc["process"] = json!({"command_line": "cmd /c \"x\""});
        w.write(&a).unwrap();
        w.finish().unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], CSV_COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "1970-01-01T00:00:00.000Z,\"Rule, \"\"quoted\"\"\",,,alert,h1,,\"cmd /c \"\"x\"\"\",,e1,logs,"
        );
    }

    #[test]
    fn the_digest_counts_results_not_building_blocks() {
        let mut d = Digest::default();
        d.add(&alert(1, Some(5), AlertRole::Shell, "s"));
        d.add(&alert(1, Some(5), AlertRole::BuildingBlock, "s"));
        d.add(&alert(2, Some(9), AlertRole::Event, "e"));
        let r = &d.rules[&0];
        assert_eq!(r.results, 2);
        assert_eq!((r.first, r.last), (Some(5), Some(9)));
        assert_eq!(r.top_hosts(3), [("h1", 2)]);
    }
}
