//! Deterministic, realistic ECS event streams for shrike's demos, tests and benchmarks.
//!
//! The generator simulates an organisation — Windows workstations and servers, Linux servers,
//! Macs, and AWS / Azure / Okta / Google Cloud tenants — and writes what its telemetry would
//! have indexed into Elasticsearch: Elastic Defend (`logs-endpoint.events.*`), Sysmon through
//! Elastic Agent (`logs-windows.sysmon_operational-*`), the Windows Security channel
//! (`logs-system.security-*`), auditd (`logs-auditd_manager.auditd-*`), the Linux auth log
//! (`logs-system.auth-*`) and cloud audit logs (`logs-aws.cloudtrail-*`,
//! `logs-azure.activitylogs-*`, `logs-azure.signinlogs-*`, `logs-okta.system-*`,
//! `logs-gcp.audit-*`), one JSON document per line.
//!
//! ```
//! let cfg = shrike_gen::Config { limit: shrike_gen::Limit::Events(100), ..Default::default() };
//! let mut out = Vec::new();
//! let summary = shrike_gen::generate(&cfg, &mut out).expect("writing to memory");
//! assert_eq!(summary.events, 100);
//! assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 100);
//! ```
//!
//! # What the stream looks like
//!
//! Processes have parents, entity ids, command lines split into `process.args` the way the
//! ingest pipelines split them, signatures, PE metadata and hashes; they connect, resolve
//! names, write files and registry values, load libraries and start children. People log on
//! over the network and interactively; service logons carry special privileges; SSH servers
//! facing the internet see password guessing. Field names, `event.category` / `event.type` /
//! `event.action` vocabularies and dataset names follow what each integration produces, so
//! that Elastic's detection rules evaluate the stream as they would production data: most
//! events touch the fields rules test, almost none match.
//!
//! # Determinism
//!
//! The same [`Config`] gives the same bytes, whatever the thread count: the stream is cut into
//! blocks of [`BLOCK_EVENTS`] events, each generated from its own random stream derived from
//! the seed and the block number. The random number generator is part of this crate so that
//! releases do not silently change datasets.
//!
//! # Time
//!
//! Event `i` nominally happens at `start + i / rate`; within a block, activity is placed at
//! random instants and sorted, so nominal times never decrease. `disorder` moves that fraction
//! of the rendered `@timestamp`s by up to `disorder_window` either way (late and early
//! arrivals), never more.
//!
//! # Planted attacks
//!
//! With [`Attacks::Count`] or [`Attacks::Every`], attack scenarios ([`ATTACKS`]) are planted at
//! evenly spread positions, round robin over the kinds. Each names the Elastic rules expected
//! to fire; [`Summary::planted`] lists the `event.id`s of every planted event.

#![deny(missing_docs)]

mod attacks;
mod block;
mod catalog;
mod json;
mod render;
mod rng;
mod time;
mod world;

use std::io::{self, Write};

pub use attacks::{AttackInfo, Planted, ATTACKS};
pub use time::{format_time, parse_duration, parse_time};

use block::{BlockOut, Gen, Span};

/// Events per block (the unit of determinism and parallelism).
pub const BLOCK_EVENTS: u64 = block::BLOCK_EVENTS;

/// Average size of a generated document, used to turn a byte budget into an event estimate
/// (for spreading attacks over a `--size` run).
const AVG_EVENT_BYTES: u64 = 2_000;

/// When to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// Exactly this many events.
    Events(u64),
    /// Stop after the first event that brings the output to at least this many bytes.
    Bytes(u64),
}

/// How each document is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wrap {
    /// The document itself (the `_source`).
    None,
    /// A search hit: `{"_index": ".ds-logs-<dataset>-default-<date>-000001", "_id", "_source"}`.
    Es,
}

/// Which attacks to plant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attacks {
    /// None (the default).
    None,
    /// This many, spread evenly over the stream.
    Count(u64),
    /// One every this many events.
    Every(u64),
}

/// Generator settings. Same settings, same output.
#[derive(Clone, Debug)]
pub struct Config {
    /// Seed of every random choice.
    pub seed: u64,
    /// When to stop.
    pub limit: Limit,
    /// Number of machines.
    pub hosts: u32,
    /// People using each server (workstations have one owner, sometimes a second user).
    pub users_per_host: u32,
    /// Nominal time of the first event (ms since the epoch).
    pub start: i64,
    /// Events per second across the organisation.
    pub rate: f64,
    /// Fraction of events whose timestamp is displaced.
    pub disorder: f64,
    /// Largest displacement, in milliseconds.
    pub disorder_window: i64,
    /// Document wrapping.
    pub wrap: Wrap,
    /// Planted attacks.
    pub attacks: Attacks,
    /// Restrict planted attacks to these kinds ([`AttackInfo::name`]); empty means all.
    pub attack_kinds: Vec<String>,
    /// Worker threads (output does not depend on it).
    pub threads: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            seed: 1,
            limit: Limit::Events(10_000),
            hosts: 50,
            users_per_host: 3,
            start: 1_740_816_000_000, // 2025-03-01T08:00:00Z
            rate: 1_000.0,
            disorder: 0.0,
            disorder_window: 5_000,
            wrap: Wrap::None,
            attacks: Attacks::None,
            attack_kinds: Vec::new(),
            threads: 1,
        }
    }
}

impl Config {
    /// Checks the settings; the message says which one is wrong and why.
    pub fn validate(&self) -> Result<(), String> {
        if self.hosts == 0 || self.hosts > 100_000 {
            return Err(format!(
                "--hosts must be between 1 and 100000, got {}",
                self.hosts
            ));
        }
        if self.users_per_host > 1_000 {
            return Err(format!(
                "--users-per-host must be at most 1000, got {}",
                self.users_per_host
            ));
        }
        if !(self.rate.is_finite() && self.rate > 0.0 && self.rate <= 1e9) {
            return Err(format!(
                "--rate must be a positive number of events per second, got {}",
                self.rate
            ));
        }
        if !(0.0..=1.0).contains(&self.disorder) {
            return Err(format!(
                "--disorder must be a fraction between 0 and 1, got {}",
                self.disorder
            ));
        }
        if self.disorder_window < 0 {
            return Err("--disorder-window must not be negative".into());
        }
        match self.limit {
            Limit::Events(0) | Limit::Bytes(0) => {
                return Err("nothing to generate: --events or --size is 0".into())
            }
            _ => {}
        }
        let expected = self.expected_events();
        match self.attacks {
            Attacks::Count(n) if n > expected / 64 => {
                return Err(format!(
                "--attacks {n} is too many for about {expected} events (at most one per 64 events)"
            ))
            }
            Attacks::Every(m) if m < 64 => {
                return Err(format!("--attacks 1/{m}: at most one attack per 64 events"))
            }
            _ => {}
        }
        for k in &self.attack_kinds {
            if !ATTACKS.iter().any(|a| a.name == k) {
                let names: Vec<&str> = ATTACKS.iter().map(|a| a.name).collect();
                return Err(format!(
                    "unknown attack kind `{k}`; known kinds: {}",
                    names.join(", ")
                ));
            }
        }
        if self.threads == 0 || self.threads > 256 {
            return Err(format!(
                "--threads must be between 1 and 256, got {}",
                self.threads
            ));
        }
        Ok(())
    }

    /// The number of events the run will produce (estimated for a byte limit).
    pub fn expected_events(&self) -> u64 {
        match self.limit {
            Limit::Events(n) => n,
            Limit::Bytes(b) => {
                let per = AVG_EVENT_BYTES + if self.wrap == Wrap::Es { 110 } else { 0 };
                (b / per).max(1)
            }
        }
    }

    /// Sets the rate so the run covers `ms` milliseconds of simulated time.
    pub fn set_duration(&mut self, ms: i64) {
        self.rate = self.expected_events() as f64 * 1000.0 / ms.max(1) as f64;
    }
}

/// What a run produced.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Documents written.
    pub events: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Nominal time of the first and last event.
    pub first: i64,
    /// Nominal time of the last event.
    pub last: i64,
    /// Attacks planted and fully written.
    pub planted: Vec<Planted>,
    /// Attacks that could not be planted (no fitting host) or were cut off by `--size`.
    pub skipped_attacks: u64,
}

impl Summary {
    /// One line per planted attack, as JSON: kind, expected rules, host, time, event ids.
    pub fn write_truth(&self, out: &mut dyn Write) -> io::Result<()> {
        for p in &self.planted {
            let mut buf = Vec::new();
            let mut j = json::Json::new(&mut buf);
            j.begin();
            j.str("attack", p.attack);
            j.open_arr("rules");
            for (name, file) in p.rules {
                j.item_open();
                j.str("name", name);
                j.str("file", file);
                j.close();
            }
            j.close_arr();
            if !p.host.is_empty() {
                j.str("host.name", &p.host);
                j.str("host.id", &p.host_id);
            }
            j.time("@timestamp", p.time);
            j.strings("event_ids", &p.event_ids);
            j.close();
            buf.push(b'\n');
            out.write_all(&buf)?;
        }
        Ok(())
    }

    /// A human-readable account of the run (for stderr).
    pub fn describe(&self) -> String {
        let mut s = format!(
            "generated {} events, {:.1} MB, {} .. {}",
            self.events,
            self.bytes as f64 / 1e6,
            format_time(self.first),
            format_time(self.last)
        );
        if !self.planted.is_empty() || self.skipped_attacks > 0 {
            s.push_str(&format!("\nplanted {} attacks", self.planted.len()));
            if self.skipped_attacks > 0 {
                s.push_str(&format!(
                    " ({} skipped: no fitting host or cut off by --size)",
                    self.skipped_attacks
                ));
            }
            s.push(':');
            for p in &self.planted {
                let rules: Vec<&str> = p.rules.iter().map(|r| r.0).collect();
                s.push_str(&format!(
                    "\n  {} {} on {} ({} events) -> expect: {}",
                    format_time(p.time),
                    p.attack,
                    if p.host.is_empty() { "aws" } else { &p.host },
                    p.event_ids.len(),
                    rules.join("; ")
                ));
            }
        }
        s
    }
}

/// Generates the stream described by `cfg` into `out`.
///
/// Errors are the writer's (a closed pipe stops generation with `BrokenPipe`) or an invalid
/// configuration (`InvalidInput`, with [`Config::validate`]'s message).
pub fn generate(cfg: &Config, out: &mut dyn Write) -> io::Result<Summary> {
    cfg.validate()
        .map_err(|m| io::Error::new(io::ErrorKind::InvalidInput, m))?;
    let world = world::World::build(cfg);
    let threads = cfg.threads.max(1);
    let total_blocks = match cfg.limit {
        Limit::Events(n) => Some(n.div_ceil(BLOCK_EVENTS)),
        Limit::Bytes(_) => None,
    };
    let mut gens: Vec<Gen<'_>> = (0..threads).map(|_| Gen::new(&world, cfg)).collect();
    let mut outs: Vec<BlockOut> = (0..threads).map(|_| BlockOut::default()).collect();
    let mut summary = Summary {
        first: cfg.start,
        last: cfg.start,
        ..Summary::default()
    };
    let mut next = 0u64;
    let mut requested = 0u64;
    'rounds: loop {
        let n = match total_blocks {
            Some(t) => (t - next).min(threads as u64) as usize,
            None => threads,
        };
        if n == 0 {
            break;
        }
        let spans: Vec<Span> = (0..n as u64)
            .map(|i| {
                let index = next + i;
                let pos0 = index * BLOCK_EVENTS;
                let len = match cfg.limit {
                    Limit::Events(total) => BLOCK_EVENTS.min(total - pos0),
                    Limit::Bytes(_) => BLOCK_EVENTS,
                };
                Span { index, pos0, len }
            })
            .collect();
        if n == 1 {
            gens[0].block(spans[0], &mut outs[0]);
        } else {
            std::thread::scope(|s| {
                for ((g, o), span) in gens.iter_mut().zip(outs.iter_mut()).zip(spans.iter()) {
                    let span = *span;
                    s.spawn(move || g.block(span, o));
                }
            });
        }
        next += n as u64;
        for (o, span) in outs.iter_mut().take(n).zip(&spans) {
            requested += attacks::in_span(cfg, *span).len() as u64;
            let mut keep = o.lines as usize;
            let mut stop = false;
            if let Limit::Bytes(limit) = cfg.limit {
                if summary.bytes + o.bytes.len() as u64 >= limit {
                    let need = limit - summary.bytes;
                    keep = o.line_ends.partition_point(|&e| u64::from(e) < need) + 1;
                    keep = keep.min(o.lines as usize);
                    // Never cut an attack in half: drop a partly covered one entirely.
                    loop {
                        let cut = o.planted.iter().find(|p| {
                            (p.first_line as usize) < keep && p.last_line as usize >= keep
                        });
                        match cut {
                            Some(p) => keep = p.first_line as usize,
                            None => break,
                        }
                    }
                    stop = true;
                }
            }
            let bytes = if keep == 0 {
                0
            } else {
                o.line_ends[keep - 1] as usize
            };
            out.write_all(&o.bytes[..bytes])?;
            if summary.events == 0 && keep > 0 {
                summary.first = o.first;
            }
            summary.events += keep as u64;
            summary.bytes += bytes as u64;
            summary.last =
                Gen::time_of(cfg, span.pos0 + keep.saturating_sub(1) as u64).max(summary.first);
            summary.planted.extend(
                o.planted
                    .iter()
                    .filter(|p| (p.last_line as usize) < keep)
                    .cloned(),
            );
            if stop {
                break 'rounds;
            }
        }
    }
    out.flush()?;
    summary.skipped_attacks = requested.saturating_sub(summary.planted.len() as u64);
    Ok(summary)
}

/// Parses a byte size: a number with an optional unit `K`, `M`, `G`, `T` (powers of 1000) or
/// `KiB`, `MiB`, `GiB`, `TiB` (powers of 1024); a trailing `B` is allowed (`1G`, `500MB`, `2GiB`).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: f64 = n
        .parse()
        .map_err(|_| format!("bad size `{t}`: expected a number and a unit, like 1G or 500MB"))?;
    let u = unit.trim().to_ascii_lowercase();
    let scale = match u.trim_end_matches('b') {
        "" => 1.0,
        "k" => 1e3,
        "m" => 1e6,
        "g" => 1e9,
        "t" => 1e12,
        "ki" => 1024.0,
        "mi" => 1024.0 * 1024.0,
        "gi" => 1024.0 * 1024.0 * 1024.0,
        "ti" => 1024.0f64.powi(4),
        _ => {
            return Err(format!(
                "bad size unit `{unit}` in `{t}`: use K, M, G, T or KiB, MiB, GiB, TiB"
            ))
        }
    };
    let v = n * scale;
    if !(1.0..1.8e19).contains(&v) {
        return Err(format!("size `{t}` is out of range"));
    }
    Ok(v as u64)
}

/// Parses `--attacks`: `N` (a count spread over the stream) or `1/M` (one every M events).
pub fn parse_attacks(text: &str) -> Result<Attacks, String> {
    let t = text.trim();
    let bad = || format!("bad --attacks `{t}`: expected a count like 10, or a rate like 1/100000");
    if let Some((one, m)) = t.split_once('/') {
        if one.trim() != "1" {
            return Err(bad());
        }
        let m: u64 = m.trim().parse().map_err(|_| bad())?;
        return Ok(if m == 0 {
            Attacks::None
        } else {
            Attacks::Every(m)
        });
    }
    let n: u64 = t.parse().map_err(|_| bad())?;
    Ok(if n == 0 {
        Attacks::None
    } else {
        Attacks::Count(n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1G"), Ok(1_000_000_000));
        assert_eq!(parse_size("500MB"), Ok(500_000_000));
        assert_eq!(parse_size("2GiB"), Ok(2 * 1024 * 1024 * 1024));
        assert_eq!(parse_size("1.5k"), Ok(1_500));
        assert_eq!(parse_size("123"), Ok(123));
        assert!(parse_size("1 parsec").is_err());
        assert!(parse_size("").is_err());
    }

    #[test]
    fn attack_specs() {
        assert_eq!(parse_attacks("10"), Ok(Attacks::Count(10)));
        assert_eq!(parse_attacks("1/5000"), Ok(Attacks::Every(5000)));
        assert_eq!(parse_attacks("0"), Ok(Attacks::None));
        assert!(parse_attacks("2/5").is_err());
        assert!(parse_attacks("many").is_err());
    }

    #[test]
    fn validation_names_the_flag() {
        let bad = Config {
            hosts: 0,
            ..Config::default()
        };
        assert!(bad.validate().unwrap_err().contains("--hosts"));
        let bad = Config {
            disorder: 2.0,
            ..Config::default()
        };
        assert!(bad.validate().unwrap_err().contains("--disorder"));
        let bad = Config {
            attacks: Attacks::Count(1_000),
            ..Config::default()
        };
        assert!(bad.validate().unwrap_err().contains("--attacks"));
        let bad = Config {
            attack_kinds: vec!["nope".into()],
            ..Config::default()
        };
        assert!(bad
            .validate()
            .unwrap_err()
            .contains("remote_scheduled_task"));
        assert!(Config::default().validate().is_ok());
    }
}
