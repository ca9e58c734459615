//! Timestamps: milliseconds since the Unix epoch (UTC), parsed from and written as ISO 8601.
//!
//! Writing a timestamp is on the per-event hot path (three per event), so it is done by hand
//! into the output buffer with the civil-from-days algorithm, without a calendar library.

/// Milliseconds in a second, minute, hour, day.
pub(crate) const SEC: i64 = 1_000;
/// Milliseconds in a minute.
pub(crate) const MIN: i64 = 60 * SEC;
/// Milliseconds in an hour.
pub(crate) const HOUR: i64 = 60 * MIN;
/// Milliseconds in a day.
pub(crate) const DAY: i64 = 24 * HOUR;

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Parses an RFC 3339 / ISO 8601 UTC time: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS`, with optional
/// fraction and a `Z` or `±HH:MM` offset; a plain integer is taken as epoch milliseconds.
pub fn parse_time(text: &str) -> Result<i64, String> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t
            .parse::<i64>()
            .map_err(|e| format!("bad epoch milliseconds `{t}`: {e}"));
    }
    let err = || {
        format!("bad time `{t}`: expected ISO 8601 like 2025-03-01T08:00:00Z or epoch milliseconds")
    };
    let b = t.as_bytes();
    let num = |s: &[u8]| -> Option<i64> {
        if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(s).ok()?.parse().ok()
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(err());
    }
    let y = num(&b[0..4]).ok_or_else(err)?;
    let mo = num(&b[5..7]).ok_or_else(err)? as u32;
    let d = num(&b[8..10]).ok_or_else(err)? as u32;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return Err(err());
    }
    let mut ms = days_from_civil(y, mo, d) * DAY;
    let rest = &b[10..];
    if rest.is_empty() {
        return Ok(ms);
    }
    if rest.len() < 9 || !(rest[0] == b'T' || rest[0] == b't' || rest[0] == b' ') {
        return Err(err());
    }
    if rest[3] != b':' || rest[6] != b':' {
        return Err(err());
    }
    let h = num(&rest[1..3]).ok_or_else(err)?;
    let mi = num(&rest[4..6]).ok_or_else(err)?;
    let s = num(&rest[7..9]).ok_or_else(err)?;
    if h > 23 || mi > 59 || s > 60 {
        return Err(err());
    }
    ms += h * HOUR + mi * MIN + s * SEC;
    let mut i = 9;
    if rest.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while rest.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let frac = &rest[start..i];
        if frac.is_empty() {
            return Err(err());
        }
        let mut millis = 0i64;
        for k in 0..3 {
            millis = millis * 10 + frac.get(k).map_or(0, |c| i64::from(c - b'0'));
        }
        ms += millis;
    }
    match &rest[i..] {
        b"Z" | b"z" | b"" => Ok(ms),
        [sign @ (b'+' | b'-'), oh1, oh2, b':', om1, om2] => {
            let oh = num(&[*oh1, *oh2]).ok_or_else(err)?;
            let om = num(&[*om1, *om2]).ok_or_else(err)?;
            let off = oh * HOUR + om * MIN;
            Ok(if *sign == b'+' { ms - off } else { ms + off })
        }
        _ => Err(err()),
    }
}

#[inline]
fn two(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

/// Appends `ms` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (the shape Elasticsearch documents carry).
pub(crate) fn write_iso(out: &mut Vec<u8>, ms: i64) {
    let days = ms.div_euclid(DAY);
    let in_day = ms.rem_euclid(DAY);
    let (y, m, d) = civil_from_days(days);
    let y = y.clamp(0, 9999) as u32;
    two(out, y / 100);
    two(out, y % 100);
    out.push(b'-');
    two(out, m);
    out.push(b'-');
    two(out, d);
    out.push(b'T');
    let secs = (in_day / SEC) as u32;
    two(out, secs / 3600);
    out.push(b':');
    two(out, secs / 60 % 60);
    out.push(b':');
    two(out, secs % 60);
    out.push(b'.');
    let milli = (in_day % SEC) as u32;
    out.push(b'0' + (milli / 100) as u8);
    two(out, milli % 100);
    out.push(b'Z');
}

/// `ms` as an ISO 8601 string.
pub fn format_time(ms: i64) -> String {
    let mut v = Vec::with_capacity(24);
    write_iso(&mut v, ms);
    String::from_utf8(v).unwrap_or_default()
}

/// Appends the `YYYY.MM.DD` of `ms` (the date part of a backing index name).
pub(crate) fn write_index_date(out: &mut Vec<u8>, ms: i64) {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY));
    let y = y.clamp(0, 9999) as u32;
    two(out, y / 100);
    two(out, y % 100);
    out.push(b'.');
    two(out, m);
    out.push(b'.');
    two(out, d);
}

/// Parses a duration: a number with a unit `ms`, `s`, `m`, `h` or `d` (`90s`, `1.5h`, `7d`).
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: f64 = n
        .parse()
        .map_err(|_| format!("bad duration `{t}`: expected a number and a unit, like 10m or 2h"))?;
    let scale = match unit.trim() {
        "ms" => 1.0,
        "s" | "" => SEC as f64,
        "m" | "min" => MIN as f64,
        "h" => HOUR as f64,
        "d" => DAY as f64,
        other => {
            return Err(format!(
                "bad duration unit `{other}` in `{t}`: use ms, s, m, h or d"
            ))
        }
    };
    let ms = n * scale;
    if !(ms.is_finite() && ms > 0.0 && ms < 1e15) {
        return Err(format!("duration `{t}` is out of range"));
    }
    Ok(ms as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_known_dates() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_time("2000-02-29T12:34:56.789Z"), Ok(951_827_696_789));
        assert_eq!(format_time(951_827_696_789), "2000-02-29T12:34:56.789Z");
        assert_eq!(parse_time("2025-03-01"), Ok(1_740_787_200_000));
        assert_eq!(
            parse_time("2025-03-01T02:00:00+02:00"),
            Ok(1_740_787_200_000)
        );
        assert_eq!(parse_time("1740787200000"), Ok(1_740_787_200_000));
        assert_eq!(format_time(-1), "1969-12-31T23:59:59.999Z");
        for ms in [0, 1, 86_399_999, 1_709_251_199_999, 4_102_444_800_000] {
            assert_eq!(parse_time(&format_time(ms)), Ok(ms));
        }
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "2025-1",
            "2025-13-01",
            "2025-01-01T25:00:00Z",
            "2025-01-01Tab",
            "x",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn index_date() {
        let mut v = Vec::new();
        write_index_date(&mut v, 951_827_696_789);
        assert_eq!(v, b"2000.02.29");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(90_000));
        assert_eq!(parse_duration("1.5h"), Ok(5_400_000));
        assert_eq!(parse_duration("250ms"), Ok(250));
        assert_eq!(parse_duration("2d"), Ok(2 * DAY));
        assert!(parse_duration("10 parsecs").is_err());
        assert!(parse_duration("0s").is_err());
    }
}
