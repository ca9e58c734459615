//! Kibana's rule schedule, replayed over the data's time range.
//!
//! Kibana runs a rule every `interval` (default `5m`); each execution at time `now`
//! searches the window `[from, now]` where `from` is date math on `now` (default
//! `now-6m`: one interval plus a minute of look-back for late events), both ends
//! inclusive. Windows usually overlap; alerts are de-duplicated by their ids (an event
//! seen by two executions gives one alert), and threshold and new-terms rules carry state
//! from one execution to the next.
//!
//! [`Schedule::executions`] lists the executions that cover a time range, aligned to
//! multiples of the interval since the epoch (Kibana's phase depends on when the rule was
//! enabled; any fixed phase gives the same alerts when windows overlap).
//!
//! Each execution creates at most [`Schedule::max_signals`] alerts: the rule's
//! `max_signals` (Kibana's default 100), itself capped by Kibana's alerting limit
//! `xpack.alerting.rules.run.alerts.max` (default 1000; `getRuleRangeTuples` in
//! `rule_types/utils/utils.ts`). How each rule type spends that budget is described
//! with its alerts ([`super::alerts`]).

use shrike_ir::datemath::{self, Rounding};
use shrike_ir::DateFormat;

/// Kibana's default `interval`.
pub const DEFAULT_INTERVAL: &str = "5m";
/// Kibana's default `from`.
pub const DEFAULT_FROM: &str = "now-6m";
/// Kibana's default `max_signals`.
pub const DEFAULT_MAX_SIGNALS: usize = 100;
/// Kibana's default limit of alerts per rule run (`xpack.alerting.rules.run.alerts.max`),
/// which caps a rule's `max_signals`.
pub const MAX_ALERTS_PER_RUN: usize = 1000;

/// One execution of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Execution {
    /// When it runs (`now`), nanoseconds since the epoch.
    pub now: i64,
    /// The first instant it searches (inclusive).
    pub from: i64,
}

impl Execution {
    /// Whether `t` is inside the window (both ends inclusive, as Kibana's range query).
    pub fn covers(&self, t: i64) -> bool {
        self.from <= t && t <= self.now
    }
}

/// A rule's schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Time between executions, nanoseconds.
    pub interval: i64,
    /// `from` as written (date math relative to each execution's `now`).
    pub from: String,
    /// Most alerts one execution creates (`max_signals`, at most
    /// [`MAX_ALERTS_PER_RUN`]).
    pub max_signals: usize,
}

/// A schedule field that does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleError(pub String);

impl std::fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScheduleError {}

impl Schedule {
    /// A rule's schedule from its `interval` and `from` (Kibana's defaults when absent).
    pub fn new(interval: Option<&str>, from: Option<&str>) -> Result<Schedule, ScheduleError> {
        let iv = interval.unwrap_or(DEFAULT_INTERVAL);
        let interval = datemath::parse_duration(iv)
            .filter(|n| *n > 0)
            .ok_or_else(|| ScheduleError(format!("`interval = \"{iv}\"` is not a duration")))?;
        let from = from.unwrap_or(DEFAULT_FROM).to_string();
        let s = Schedule {
            interval,
            from,
            max_signals: DEFAULT_MAX_SIGNALS,
        };
        s.window_start(0)
            .ok_or_else(|| ScheduleError(format!("`from = \"{}\"` is not date math", s.from)))?;
        Ok(s)
    }

    /// The schedule with the rule's `max_signals` (`None`: Kibana's default), kept
    /// within 1 and [`MAX_ALERTS_PER_RUN`].
    pub fn with_max_signals(mut self, max_signals: Option<i64>) -> Schedule {
        self.max_signals = max_signals.map_or(DEFAULT_MAX_SIGNALS, |m| {
            usize::try_from(m.max(1)).unwrap_or(MAX_ALERTS_PER_RUN)
        });
        self.max_signals = self.max_signals.min(MAX_ALERTS_PER_RUN);
        self
    }

    /// The first instant the execution at `now` searches.
    pub fn window_start(&self, now: i64) -> Option<i64> {
        datemath::resolve(&self.from, &DateFormat::default(), now, Rounding::Down)
    }

    /// The executions whose windows touch `[first, last]`, in time order: from the first
    /// aligned execution at or after `first` to the last whose window starts at or before
    /// `last` (with overlapping windows, executions after `last` still see its events,
    /// and pick up what an earlier execution left for want of `max_signals`). Capped at
    /// `max` executions.
    pub fn executions(&self, first: i64, last: i64, max: usize) -> Vec<Execution> {
        let mut out = Vec::new();
        let mut now = first.div_euclid(self.interval) * self.interval;
        if now < first {
            now += self.interval;
        }
        while let Some(from) = self.window_start(now) {
            if now >= last && from > last {
                break;
            }
            out.push(Execution { now, from });
            if out.len() >= max {
                break;
            }
            now = match now.checked_add(self.interval) {
                Some(n) => n,
                None => break,
            };
        }
        out
    }

    /// The first execution (of `executions`) whose window holds `t`; `None` when `t`
    /// falls in a gap (`from` shorter than the interval) or outside them all.
    pub fn first_covering(executions: &[Execution], t: i64) -> Option<Execution> {
        // Executions are in time order; the first whose `now` is at or after `t`.
        let i = executions.partition_point(|e| e.now < t);
        executions[i..]
            .iter()
            .take_while(|e| e.from <= t)
            .find(|e| e.covers(t))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: i64 = 60_000_000_000;

    #[test]
    fn executions_cover_the_range_with_overlap() {
        let s = Schedule::new(Some("5m"), Some("now-6m")).unwrap();
        let ex = s.executions(2 * M, 12 * M, 100);
        assert_eq!(
            ex.iter()
                .map(|e| (e.from / M, e.now / M))
                .collect::<Vec<_>>(),
            [(-1, 5), (4, 10), (9, 15)]
        );
        // Windows still holding the last event run too.
        let s10 = Schedule::new(Some("5m"), Some("now-10m")).unwrap();
        let ex = s10.executions(2 * M, 12 * M, 100);
        assert_eq!(
            ex.iter().map(|e| e.now / M).collect::<Vec<_>>(),
            [5, 10, 15, 20]
        );
        assert_eq!(
            Schedule::first_covering(&ex, 4 * M).map(|e| e.now / M),
            Some(5)
        );
        assert_eq!(
            Schedule::first_covering(&ex, 5 * M).map(|e| e.now / M),
            Some(5)
        );
        assert_eq!(
            Schedule::first_covering(&ex, 5 * M + 1).map(|e| e.now / M),
            Some(10)
        );
    }

    #[test]
    fn short_lookback_leaves_gaps() {
        let s = Schedule::new(Some("10m"), Some("now-5m")).unwrap();
        let ex = s.executions(0, 20 * M, 100);
        assert_eq!(Schedule::first_covering(&ex, 12 * M), None);
        assert_eq!(
            Schedule::first_covering(&ex, 16 * M).map(|e| e.now / M),
            Some(20)
        );
    }

    #[test]
    fn bad_fields_are_reported() {
        assert!(Schedule::new(Some("5x"), None).is_err());
        assert!(Schedule::new(None, Some("yesterday")).is_err());
        assert_eq!(Schedule::new(None, None).unwrap().interval, 5 * M);
    }

    #[test]
    fn max_signals_defaults_and_is_capped() {
        let s = Schedule::new(None, None).unwrap();
        assert_eq!(s.max_signals, 100);
        assert_eq!(s.clone().with_max_signals(Some(5)).max_signals, 5);
        assert_eq!(s.clone().with_max_signals(Some(0)).max_signals, 1);
        assert_eq!(s.clone().with_max_signals(Some(5000)).max_signals, 1000);
        assert_eq!(s.with_max_signals(None).max_signals, 100);
    }
}
