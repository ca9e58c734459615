//! Elasticsearch date math (`now-1d/d`, `2020-01-01||+1M`) and time values (`5m`).
//!
//! Range bounds on `date` fields are date-math expressions: an anchor (`now`, or a date
//! followed by `||`), then any number of `+N<unit>` / `-N<unit>` steps and `/<unit>`
//! roundings, with units `y M w d h H m s`. How a bound is *rounded* depends on its side
//! (Elasticsearch's `RangeQueryBuilder`): `gte` and `lt` round down, `lte` and `gt` round
//! up to the last nanosecond of the unit. The same rule fills the fields a partial date
//! leaves out: as an upper bound `2020-01` means `2020-01-31T23:59:59.999999999`.
//!
//! Rule schedules (`interval = "5m"`, `from = "now-6m"`) use the same units.
//!
//! ```
//! use shrike_ir::datemath::{resolve, Rounding};
//! use shrike_ir::DateFormat;
//! let now = 1_700_000_000_000_000_000; // 2023-11-14T22:13:20Z
//! let f = DateFormat::default();
//! let start = resolve("now/d", &f, now, Rounding::Down).unwrap();
//! let end = resolve("now/d", &f, now, Rounding::Up).unwrap();
//! assert_eq!(end - start, 86_400_000_000_000 - 1);
//! ```

use crate::date::{civil_from_days, days_from_civil, DateFormat};

const NS: i64 = 1_000_000_000;

/// A calendar or clock unit of date math.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// `y`
    Year,
    /// `M`
    Month,
    /// `w` (weeks start on Monday)
    Week,
    /// `d`
    Day,
    /// `h` / `H`
    Hour,
    /// `m`
    Minute,
    /// `s`
    Second,
}

impl Unit {
    fn from_char(c: char) -> Option<Unit> {
        Some(match c {
            'y' => Unit::Year,
            'M' => Unit::Month,
            'w' => Unit::Week,
            'd' => Unit::Day,
            'h' | 'H' => Unit::Hour,
            'm' => Unit::Minute,
            's' => Unit::Second,
            _ => return None,
        })
    }

    fn fixed_nanos(self) -> Option<i64> {
        Some(match self {
            Unit::Week => 7 * 86_400 * NS,
            Unit::Day => 86_400 * NS,
            Unit::Hour => 3_600 * NS,
            Unit::Minute => 60 * NS,
            Unit::Second => NS,
            Unit::Year | Unit::Month => return None,
        })
    }
}

/// Which way a bound rounds (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// `gte`, `lt`: to the first instant of the unit.
    Down,
    /// `lte`, `gt`: to the last nanosecond of the unit.
    Up,
}

/// `t` plus `n` units (months and years clamp the day to the month's end, as Java's
/// `plusMonths` does). `None` on overflow.
pub fn add(t: i64, n: i64, unit: Unit) -> Option<i64> {
    if let Some(step) = unit.fixed_nanos() {
        return t.checked_add(n.checked_mul(step)?);
    }
    let months = match unit {
        Unit::Year => n.checked_mul(12)?,
        _ => n,
    };
    let days = t.div_euclid(86_400 * NS);
    let within = t.rem_euclid(86_400 * NS);
    let (y, m, d) = civil_from_days(days);
    let total = y
        .checked_mul(12)?
        .checked_add(i64::from(m) - 1)?
        .checked_add(months)?;
    let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
    let nd = d.min(days_in_month(ny, nm));
    days_from_civil(ny, nm, nd)
        .checked_mul(86_400 * NS)?
        .checked_add(within)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    let next = if m == 12 {
        days_from_civil(y + 1, 1, 1)
    } else {
        days_from_civil(y, m + 1, 1)
    };
    (next - days_from_civil(y, m, 1)) as u32
}

/// The first instant of the unit containing `t` (UTC; weeks start on Monday).
pub fn floor(t: i64, unit: Unit) -> i64 {
    let day = 86_400 * NS;
    match unit {
        Unit::Year | Unit::Month => {
            let (y, m, _) = civil_from_days(t.div_euclid(day));
            let m = if unit == Unit::Year { 1 } else { m };
            days_from_civil(y, m, 1).saturating_mul(day)
        }
        Unit::Week => {
            // 1970-01-01 was a Thursday: Monday-based weeks start 3 days earlier.
            let days = t.div_euclid(day);
            let monday = days - (days + 3).rem_euclid(7);
            monday.saturating_mul(day)
        }
        _ => {
            let step = unit.fixed_nanos().unwrap_or(NS);
            t - t.rem_euclid(step)
        }
    }
}

/// Rounds `t` to `unit` in the given direction.
pub fn round(t: i64, unit: Unit, rounding: Rounding) -> Option<i64> {
    let start = floor(t, unit);
    match rounding {
        Rounding::Down => Some(start),
        Rounding::Up => add(start, 1, unit)?.checked_sub(1),
    }
}

/// The smallest unit an ISO 8601 date string gives (`2020-01` → month); `None` when it has
/// a fraction of a second or is not ISO-shaped (then nothing is filled in).
fn iso_precision(s: &str) -> Option<Unit> {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    // Four digits, or more only when a month follows (all digits is epoch time).
    let year = digits(&mut i);
    if year < 4 || (year > 4 && b.get(i) != Some(&b'-')) {
        return None;
    }
    let mut unit = Unit::Year;
    for (sep, next) in [
        (b'-', Unit::Month),
        (b'-', Unit::Day),
        (b'T', Unit::Hour),
        (b':', Unit::Minute),
        (b':', Unit::Second),
    ] {
        let here = b.get(i).copied();
        let ok = here == Some(sep) || (sep == b'T' && matches!(here, Some(b't' | b' ')));
        if !ok {
            break;
        }
        let mut j = i + 1;
        if digits(&mut j) != 2 {
            break;
        }
        i = j;
        unit = next;
    }
    if unit == Unit::Second && matches!(b.get(i), Some(b'.' | b',')) {
        return None;
    }
    Some(unit)
}

/// Resolves a date-math expression against `now` (nanoseconds since the epoch), parsing
/// an explicit anchor date with `format`. `None` when it is not valid date math (an
/// Elasticsearch query error).
pub fn resolve(text: &str, format: &DateFormat, now: i64, rounding: Rounding) -> Option<i64> {
    let text = text.trim();
    let (mut t, math) = if let Some(rest) = text.strip_prefix("now") {
        (now, rest)
    } else {
        let (anchor, math) = match text.split_once("||") {
            Some((a, m)) => (a, m),
            None => (text, ""),
        };
        let mut t = format
            .parse_str(anchor)
            .or_else(|| DateFormat::default().parse_str(anchor))?;
        // A partial date used as an upper bound covers its whole last unit.
        if rounding == Rounding::Up {
            if let Some(unit) = iso_precision(anchor.trim()) {
                t = round(t, unit, Rounding::Up)?;
            }
        }
        (t, math)
    };
    let chars: Vec<char> = math.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '/' => {
                let unit = Unit::from_char(*chars.get(i + 1)?)?;
                t = round(t, unit, rounding)?;
                i += 2;
            }
            op @ ('+' | '-') => {
                i += 1;
                let start = i;
                while chars.get(i).is_some_and(char::is_ascii_digit) {
                    i += 1;
                }
                let n: i64 = if i == start {
                    1
                } else {
                    chars[start..i].iter().collect::<String>().parse().ok()?
                };
                let unit = Unit::from_char(*chars.get(i)?)?;
                i += 1;
                t = add(t, if op == '-' { -n } else { n }, unit)?;
            }
            _ => return None,
        }
    }
    Some(t)
}

/// Parses an Elasticsearch time value (`500ms`, `30s`, `5m`, `1h`, `2d`, also `nanos` and
/// `micros`) into nanoseconds.
pub fn parse_duration(text: &str) -> Option<i64> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: i64 = n.parse().ok()?;
    let mult = match unit.trim() {
        "nanos" => 1,
        "micros" => 1_000,
        "ms" => 1_000_000,
        "s" => NS,
        "m" => 60 * NS,
        "h" => 3_600 * NS,
        "d" => 86_400 * NS,
        _ => return None,
    };
    n.checked_mul(mult)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::format_iso;

    fn iso(s: &str) -> i64 {
        DateFormat::default().parse_str(s).unwrap()
    }

    fn r(text: &str, now: &str, rounding: Rounding) -> String {
        let t = resolve(text, &DateFormat::default(), iso(now), rounding).unwrap();
        // Whole nanoseconds, so that `.999999999` and `.000000000` show.
        let s = format_iso(t - t.rem_euclid(1_000_000_000), false);
        format!(
            "{}.{:09}Z",
            s.trim_end_matches('Z').trim_end_matches(".000"),
            t.rem_euclid(1_000_000_000)
        )
    }

    #[test]
    fn math_and_rounding() {
        let now = "2024-03-31T10:20:30.456Z";
        assert_eq!(
            r("now-1d/d", now, Rounding::Down),
            "2024-03-30T00:00:00.000000000Z"
        );
        assert_eq!(
            r("now-1d/d", now, Rounding::Up),
            "2024-03-30T23:59:59.999999999Z"
        );
        // Month arithmetic clamps to the month's end.
        assert_eq!(
            r("now-1M", now, Rounding::Down),
            "2024-02-29T10:20:30.456000000Z"
        );
        assert_eq!(
            r("2020-01-01||+1y/M", now, Rounding::Up),
            "2021-01-31T23:59:59.999999999Z"
        );
        assert_eq!(
            r("now/w", now, Rounding::Down),
            "2024-03-25T00:00:00.000000000Z"
        );
        assert_eq!(
            r("now-90m", now, Rounding::Down),
            "2024-03-31T08:50:30.456000000Z"
        );
    }

    #[test]
    fn partial_dates_fill_to_the_end_when_rounding_up() {
        let now = "2000-01-01";
        assert_eq!(
            r("2020-02", now, Rounding::Up),
            "2020-02-29T23:59:59.999999999Z"
        );
        assert_eq!(
            r("2020-02", now, Rounding::Down),
            "2020-02-01T00:00:00.000000000Z"
        );
        assert_eq!(
            r("2020-01-01T10:00:00Z", now, Rounding::Up),
            "2020-01-01T10:00:00.999999999Z"
        );
        assert_eq!(
            r("2020-01-01T10:00:00.5Z", now, Rounding::Up),
            "2020-01-01T10:00:00.500000000Z"
        );
        // Epoch milliseconds are exact.
        assert_eq!(
            r("1577836800000", now, Rounding::Up),
            "2020-01-01T00:00:00.000000000Z"
        );
    }

    #[test]
    fn invalid_math_is_rejected() {
        let f = DateFormat::default();
        assert_eq!(resolve("now-1x", &f, 0, Rounding::Down), None);
        assert_eq!(resolve("yesterday", &f, 0, Rounding::Down), None);
        assert_eq!(resolve("now/", &f, 0, Rounding::Down), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5m"), Some(300 * NS));
        assert_eq!(parse_duration("1h"), Some(3_600 * NS));
        assert_eq!(parse_duration("250ms"), Some(250_000_000));
        assert_eq!(parse_duration("5x"), None);
        assert_eq!(parse_duration("m"), None);
    }
}
