//! Dates as Elasticsearch reads and prints them.
//!
//! Every date is kept as nanoseconds since the Unix epoch in an `i64` (years 1677–2262), so
//! `date` and `date_nanos` fields compare and subtract alike. A [`DateFormat`] is the
//! mapping's `format` string (`strict_date_optional_time||epoch_millis` by default): a list
//! of alternatives tried in order, each a named ES format or a Java-style pattern such as
//! `dd-MM-yyyy`.

/// Nanoseconds in one millisecond.
pub const NANOS_PER_MILLI: i64 = 1_000_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month, day)` of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// One alternative of a date format.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    /// ISO 8601 (`strict_date_optional_time` and its relatives).
    Iso,
    /// Milliseconds since the epoch, optionally with a fraction.
    EpochMillis,
    /// Seconds since the epoch, optionally with a fraction.
    EpochSecond,
    /// A Java `DateTimeFormatter`-style pattern.
    Pattern(Vec<Tok>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Year(usize),
    Month(usize),
    Day(usize),
    Hour(usize),
    Minute(usize),
    Second(usize),
    Fraction(usize),
    Zone,
    Lit(String),
}

/// A mapping's date `format`: alternatives separated by `||`, tried in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateFormat {
    parts: Vec<Part>,
    text: String,
    nanos: bool,
}

impl Default for DateFormat {
    fn default() -> Self {
        DateFormat::parse("strict_date_optional_time||epoch_millis")
    }
}

impl DateFormat {
    /// The default format of `date_nanos` fields.
    pub fn default_nanos() -> Self {
        let mut f = DateFormat::parse("strict_date_optional_time_nanos||epoch_millis");
        f.nanos = true;
        f
    }

    /// Reads a mapping `format` string. Unknown named formats fall back to ISO 8601.
    pub fn parse(text: &str) -> Self {
        let mut parts = Vec::new();
        for alt in text.split("||") {
            let alt = alt.trim();
            let part = match alt {
                "epoch_millis" => Part::EpochMillis,
                "epoch_second" => Part::EpochSecond,
                "" => continue,
                _ if alt.contains('_') || is_named(alt) => match named_pattern(alt) {
                    Some(p) => Part::Pattern(parse_pattern(p)),
                    None => Part::Iso,
                },
                _ => Part::Pattern(parse_pattern(alt)),
            };
            parts.push(part);
        }
        if parts.is_empty() {
            parts.push(Part::Iso);
        }
        DateFormat {
            parts,
            text: text.to_string(),
            nanos: text.contains("nanos"),
        }
    }

    /// The format as written in the mapping.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Parses a string value; `None` if no alternative accepts it.
    pub fn parse_str(&self, s: &str) -> Option<i64> {
        let s = s.trim();
        self.parts.iter().find_map(|p| match p {
            Part::Iso => parse_iso(s),
            Part::EpochMillis => parse_epoch(s, NANOS_PER_MILLI),
            Part::EpochSecond => parse_epoch(s, 1_000_000_000),
            Part::Pattern(toks) => parse_with(toks, s),
        })
    }

    /// Interprets a JSON number: epoch seconds if the format says `epoch_second` before
    /// `epoch_millis`, else epoch milliseconds (what Elasticsearch does for numbers).
    pub fn parse_number(&self, n: f64) -> Option<i64> {
        let unit: i64 = match self
            .parts
            .iter()
            .find(|p| matches!(p, Part::EpochMillis | Part::EpochSecond))
        {
            Some(Part::EpochSecond) => 1_000_000_000,
            _ => NANOS_PER_MILLI,
        };
        if n.fract() == 0.0 && n.abs() < 9.2e18 {
            return (n as i64).checked_mul(unit);
        }
        let v = n * unit as f64;
        (v.is_finite() && v.abs() < 9.2e18).then_some(v.round() as i64)
    }

    /// Prints a date with the format's first alternative, as the fields API does.
    pub fn format(&self, nanos: i64) -> String {
        match self.parts.first() {
            Some(Part::EpochMillis) => nanos.div_euclid(NANOS_PER_MILLI).to_string(),
            Some(Part::EpochSecond) => nanos.div_euclid(1_000_000_000).to_string(),
            Some(Part::Pattern(toks)) => format_with(toks, nanos),
            _ => format_iso(nanos, self.nanos),
        }
    }
}

fn is_named(s: &str) -> bool {
    matches!(s, "date" | "basic_date" | "year" | "date_time")
}

/// Named ES formats that are plain patterns; ISO-like names return `None` (parsed by the
/// lenient ISO reader).
fn named_pattern(name: &str) -> Option<&'static str> {
    Some(match name.trim_start_matches("strict_") {
        "date" | "year_month_day" => "yyyy-MM-dd",
        "basic_date" => "yyyyMMdd",
        "year_month" => "yyyy-MM",
        "year" => "yyyy",
        "hour_minute_second" => "HH:mm:ss",
        "basic_date_time" => "yyyyMMdd'T'HHmmss.SSSZ",
        "basic_date_time_no_millis" => "yyyyMMdd'T'HHmmssZ",
        _ => return None,
    })
}

fn parse_pattern(p: &str) -> Vec<Tok> {
    let chars: Vec<char> = p.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let mut lit = String::new();
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                lit.push(chars[i]);
                i += 1;
            }
            i += 1;
            toks.push(Tok::Lit(lit));
            continue;
        }
        let mut n = 1;
        while i + n < chars.len() && chars[i + n] == c {
            n += 1;
        }
        let tok = match c {
            'y' | 'u' | 'Y' => Tok::Year(n),
            'M' => Tok::Month(n),
            'd' => Tok::Day(n),
            'H' | 'k' => Tok::Hour(n),
            'm' => Tok::Minute(n),
            's' => Tok::Second(n),
            'S' => Tok::Fraction(n),
            'Z' | 'X' | 'x' | 'z' | 'V' => Tok::Zone,
            _ => Tok::Lit(std::iter::repeat_n(c, n).collect()),
        };
        toks.push(tok);
        i += n;
    }
    toks
}

struct Fields {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: i64,
    offset_secs: i64,
}

impl Fields {
    fn new() -> Self {
        Fields {
            year: 1970,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            nanos: 0,
            offset_secs: 0,
        }
    }

    fn to_nanos(&self) -> Option<i64> {
        if !(1..=12).contains(&self.month)
            || self.day < 1
            || self.day > 31
            || self.hour > 24
            || self.minute > 59
            || self.second > 60
        {
            return None;
        }
        let days = days_from_civil(self.year, self.month, self.day);
        let secs = days
            .checked_mul(86_400)?
            .checked_add(i64::from(self.hour) * 3600 + i64::from(self.minute) * 60)?
            .checked_add(i64::from(self.second))?
            .checked_sub(self.offset_secs)?;
        secs.checked_mul(1_000_000_000)?.checked_add(self.nanos)
    }
}

/// Reads exactly `n` ASCII digits (or 1..=max when `n` is 0) from `s` at `*i`.
fn digits(s: &[u8], i: &mut usize, min: usize, max: usize) -> Option<i64> {
    let start = *i;
    while *i < s.len() && *i - start < max && s[*i].is_ascii_digit() {
        *i += 1;
    }
    if *i - start < min {
        return None;
    }
    std::str::from_utf8(&s[start..*i]).ok()?.parse().ok()
}

fn fraction(s: &[u8], i: &mut usize) -> Option<i64> {
    let start = *i;
    while *i < s.len() && s[*i].is_ascii_digit() {
        *i += 1;
    }
    let digits = &s[start..*i];
    if digits.is_empty() {
        return None;
    }
    let mut nanos: i64 = 0;
    for k in 0..9 {
        nanos = nanos * 10 + digits.get(k).map_or(0, |d| i64::from(d - b'0'));
    }
    Some(nanos)
}

fn zone(s: &[u8], i: &mut usize) -> Option<i64> {
    match s.get(*i) {
        Some(b'Z') | Some(b'z') => {
            *i += 1;
            Some(0)
        }
        Some(&c @ (b'+' | b'-')) => {
            *i += 1;
            let h = digits(s, i, 2, 2)?;
            if s.get(*i) == Some(&b':') {
                *i += 1;
            }
            let m = if s.get(*i).is_some_and(u8::is_ascii_digit) {
                digits(s, i, 2, 2)?
            } else {
                0
            };
            let off = h * 3600 + m * 60;
            Some(if c == b'-' { -off } else { off })
        }
        _ => None,
    }
}

/// Lenient ISO 8601: `yyyy[-MM[-dd[(T| )HH[:mm[:ss[.f]]]]]][zone]`.
fn parse_iso(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let mut f = Fields::new();
    let mut i = 0;
    let neg = b.first() == Some(&b'-');
    if neg || b.first() == Some(&b'+') {
        i += 1;
    }
    f.year = digits(b, &mut i, 4, 9)?;
    if neg {
        f.year = -f.year;
    }
    if b.get(i) == Some(&b'-') {
        i += 1;
        f.month = digits(b, &mut i, 2, 2)? as u32;
        if b.get(i) == Some(&b'-') {
            i += 1;
            f.day = digits(b, &mut i, 2, 2)? as u32;
            if matches!(b.get(i), Some(b'T') | Some(b't') | Some(b' ')) {
                i += 1;
                f.hour = digits(b, &mut i, 2, 2)? as u32;
                if b.get(i) == Some(&b':') {
                    i += 1;
                    f.minute = digits(b, &mut i, 2, 2)? as u32;
                    if b.get(i) == Some(&b':') {
                        i += 1;
                        f.second = digits(b, &mut i, 2, 2)? as u32;
                        if matches!(b.get(i), Some(b'.') | Some(b',')) {
                            i += 1;
                            f.nanos = fraction(b, &mut i)?;
                        }
                    }
                }
            }
        }
    }
    if i < b.len() {
        f.offset_secs = zone(b, &mut i)?;
    }
    (i == b.len()).then(|| f.to_nanos()).flatten()
}

fn parse_epoch(s: &str, unit: i64) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = match body.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (body, None),
    };
    if int.is_empty() || !int.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = int.parse().ok()?;
    let mut v = whole.checked_mul(unit)?;
    if let Some(frac) = frac {
        if !frac.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let mut part: i64 = 0;
        let mut scale = unit;
        for c in frac.bytes() {
            scale /= 10;
            if scale == 0 {
                break;
            }
            part += i64::from(c - b'0') * scale;
        }
        v = v.checked_add(part)?;
    }
    Some(if neg { -v } else { v })
}

fn parse_with(toks: &[Tok], s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let mut f = Fields::new();
    let mut i = 0;
    for (k, t) in toks.iter().enumerate() {
        // A field followed directly by another number reads a fixed width.
        let next_is_num = matches!(
            toks.get(k + 1),
            Some(
                Tok::Year(_)
                    | Tok::Month(_)
                    | Tok::Day(_)
                    | Tok::Hour(_)
                    | Tok::Minute(_)
                    | Tok::Second(_)
                    | Tok::Fraction(_)
            )
        );
        let width = |n: usize, max: usize| {
            if next_is_num || n > 1 {
                (n, n)
            } else {
                (1, max)
            }
        };
        match t {
            Tok::Year(n) => {
                let (lo, hi) = if next_is_num { (*n, *n) } else { (1, 9) };
                f.year = digits(b, &mut i, lo.min(4), hi)?;
            }
            Tok::Month(n) => {
                let (lo, hi) = width(*n, 2);
                f.month = digits(b, &mut i, lo, hi)? as u32;
            }
            Tok::Day(n) => {
                let (lo, hi) = width(*n, 2);
                f.day = digits(b, &mut i, lo, hi)? as u32;
            }
            Tok::Hour(n) => {
                let (lo, hi) = width(*n, 2);
                f.hour = digits(b, &mut i, lo, hi)? as u32;
            }
            Tok::Minute(n) => {
                let (lo, hi) = width(*n, 2);
                f.minute = digits(b, &mut i, lo, hi)? as u32;
            }
            Tok::Second(n) => {
                let (lo, hi) = width(*n, 2);
                f.second = digits(b, &mut i, lo, hi)? as u32;
            }
            Tok::Fraction(_) => f.nanos = fraction(b, &mut i)?,
            Tok::Zone => f.offset_secs = zone(b, &mut i)?,
            Tok::Lit(l) => {
                if !s.get(i..)?.starts_with(l.as_str()) {
                    return None;
                }
                i += l.len();
            }
        }
    }
    (i == b.len()).then(|| f.to_nanos()).flatten()
}

fn split(nanos: i64) -> (i64, u32, u32, u32, u32, u32, i64) {
    let secs = nanos.div_euclid(1_000_000_000);
    let sub = nanos.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    (
        y,
        m,
        d,
        (sod / 3600) as u32,
        ((sod % 3600) / 60) as u32,
        (sod % 60) as u32,
        sub,
    )
}

/// ISO 8601 in UTC with milliseconds (`date`) or up to nanoseconds (`date_nanos`), the way
/// Elasticsearch prints `strict_date_optional_time`.
pub fn format_iso(nanos: i64, nano_precision: bool) -> String {
    let (y, mo, d, h, mi, s, sub) = split(nanos);
    let mut frac = format!("{sub:09}");
    if nano_precision {
        while frac.len() > 3 && frac.ends_with('0') {
            frac.pop();
        }
    } else {
        frac.truncate(3);
    }
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{frac}Z")
}

fn format_with(toks: &[Tok], nanos: i64) -> String {
    let (y, mo, d, h, mi, s, sub) = split(nanos);
    let mut out = String::new();
    for t in toks {
        match t {
            Tok::Year(n) if *n == 2 => out.push_str(&format!("{:02}", y.rem_euclid(100))),
            Tok::Year(n) => out.push_str(&format!("{y:0w$}", w = (*n).max(4))),
            Tok::Month(n) => out.push_str(&format!("{mo:0w$}", w = *n)),
            Tok::Day(n) => out.push_str(&format!("{d:0w$}", w = *n)),
            Tok::Hour(n) => out.push_str(&format!("{h:0w$}", w = *n)),
            Tok::Minute(n) => out.push_str(&format!("{mi:0w$}", w = *n)),
            Tok::Second(n) => out.push_str(&format!("{s:0w$}", w = *n)),
            Tok::Fraction(n) => {
                let f = format!("{sub:09}");
                out.push_str(&f[..(*n).min(9)]);
            }
            Tok::Zone => out.push('Z'),
            Tok::Lit(l) => out.push_str(l),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 17_000, 19_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn default_format_reads_iso_and_epoch_millis() {
        let f = DateFormat::default();
        assert_eq!(f.parse_str("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(f.parse_str("1970-01-01"), Some(0));
        assert_eq!(f.parse_str("1"), Some(1_000_000));
        assert_eq!(f.parse_str("1.5"), Some(1_500_000));
        assert_eq!(
            f.parse_str("2017-08-30T20:47:33Z"),
            Some(1_504_126_053_000 * NANOS_PER_MILLI)
        );
        assert_eq!(f.parse_str("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(f.parse_str("not a date"), None);
        assert_eq!(
            f.parse_number(1516116808349.0),
            Some(1_516_116_808_349 * NANOS_PER_MILLI)
        );
    }

    #[test]
    fn nanos_survive() {
        let f = DateFormat::default_nanos();
        let n = f.parse_str("1974-03-03T02:22:54.294365140Z").unwrap();
        assert_eq!(format_iso(n, true), "1974-03-03T02:22:54.29436514Z");
        assert_eq!(
            f.parse_str("131485996510.000001"),
            Some(131_485_996_510_000_001)
        );
    }

    #[test]
    fn custom_patterns() {
        let f = DateFormat::parse("dd-MM-yyyy");
        let n = f.parse_str("17-12-2022").unwrap();
        assert_eq!(n / NANOS_PER_MILLI, 1_671_235_200_000);
        assert_eq!(f.format(n), "17-12-2022");
        let g = DateFormat::parse("yyyy-MM-dd");
        assert_eq!(g.parse_str("2022-12-17"), Some(n));
        assert_eq!(DateFormat::default().format(0), "1970-01-01T00:00:00.000Z");
    }
}
