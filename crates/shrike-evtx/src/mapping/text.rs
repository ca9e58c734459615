//! The string algorithms the mapping steps use, each matching what the integration's ingest
//! pipeline does to the same text (including its quirks, which rules are written against).

/// Splits a command line like Windows' `CommandLineToArgvW`: arguments are separated by
/// spaces or tabs outside double quotes; `2n` backslashes before a quote give `n`
/// backslashes and the quote toggles quoting, `2n+1` give `n` and a literal quote; inside
/// quotes a doubled quote is a literal quote (the pre-2008 rule); other backslashes are
/// literal.
pub(crate) fn windows_argv(cmd: &str) -> Vec<String> {
    let chars: Vec<char> = cmd.chars().collect();
    let mut args = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ' ' || chars[i] == '\t' {
            i += 1;
            continue;
        }
        let mut arg = String::new();
        let mut in_quote = false;
        let mut slashes = 0usize;
        let mut ended = false;
        while i < chars.len() {
            let c = chars[i];
            match c {
                ' ' | '\t' if !in_quote => {
                    arg.extend(std::iter::repeat_n('\\', slashes));
                    i += 1;
                    ended = true;
                    break;
                }
                '"' => {
                    arg.extend(std::iter::repeat_n('\\', slashes / 2));
                    if slashes % 2 == 0 {
                        if in_quote && chars.get(i + 1) == Some(&'"') {
                            arg.push('"');
                            i += 1;
                        }
                        in_quote = !in_quote;
                    } else {
                        arg.push('"');
                    }
                    slashes = 0;
                }
                '\\' => slashes += 1,
                _ => {
                    arg.extend(std::iter::repeat_n('\\', slashes));
                    slashes = 0;
                    arg.push(c);
                }
            }
            i += 1;
        }
        if !ended {
            arg.extend(std::iter::repeat_n('\\', slashes));
        }
        args.push(arg);
    }
    args
}

/// Java's `Character.isWhitespace`: Unicode space separators except the no-break ones,
/// plus the ASCII controls \t \n \u{b} \u{c} \r and \u{1c}–\u{1f}.
pub(crate) fn java_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | '\u{1c}'..='\u{1f}'
    ) || (c.is_whitespace()
        && !matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}' | '\u{85}')
        && !c.is_ascii_control())
}

/// Splits at whitespace outside double quotes, keeping the quotes, the way the Security
/// pipeline splits 4688 command lines: every whitespace character ends an argument, so runs
/// of spaces give empty arguments.
pub(crate) fn quoted_args(cmd: &str) -> Vec<String> {
    let chars: Vec<char> = cmd.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_quote = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == '"' {
            in_quote = !in_quote;
        }
        if java_whitespace(c) && !in_quote {
            out.push(chars[start..i].iter().collect());
            start = i + 1;
        }
        if i == chars.len() - 1 {
            out.push(chars[start.min(chars.len())..].iter().collect());
        }
    }
    out
}

/// Java's `String.split(regex)` for a literal one-character-class regex: parts between
/// matches, trailing empty parts removed.
pub(crate) fn java_split(s: &str, is_sep: impl Fn(char) -> bool, runs: bool) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_sep = false;
    for c in s.chars() {
        if is_sep(c) {
            if !(runs && prev_sep) {
                parts.push(std::mem::take(&mut cur));
            }
            prev_sep = true;
        } else {
            cur.push(c);
            prev_sep = false;
        }
    }
    parts.push(cur);
    while parts.len() > 1 && parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    if parts.len() == 1 && parts[0].is_empty() && !s.is_empty() {
        // Java: "\\\\".split("\\\\") is empty (all parts were trailing empties).
        parts.clear();
    }
    parts
}

/// Painless' `splitOnToken`: every part, empty ones included.
pub(crate) fn split_on_token(s: &str, token: &str) -> Vec<String> {
    if token.is_empty() {
        return vec![s.to_string()];
    }
    s.split(token).map(str::to_string).collect()
}

/// `2019-07-18 03:34:01.239` (UTC) → `2019-07-18T03:34:01.239Z`; `None` unless the text has
/// exactly that shape with plausible ranges.
pub(crate) fn sysmon_time(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() != 23 {
        return None;
    }
    let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];
    if !digits.iter().all(|&i| b[i].is_ascii_digit()) {
        return None;
    }
    if b[4] != b'-' || b[7] != b'-' || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if b[19] != b'.' {
        return None;
    }
    let num = |from: usize, to: usize| s.get(from..to).and_then(|t| t.parse::<u32>().ok());
    let (month, day, hour, min, sec) = (
        num(5, 7)?,
        num(8, 10)?,
        num(11, 13)?,
        num(14, 16)?,
        num(17, 19)?,
    );
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 59 {
        return None;
    }
    Some(format!("{}T{}Z", &s[..10], &s[11..]))
}

/// A 64-bit integer from decimal or `0x` hexadecimal text (Elasticsearch's `convert` to
/// long accepts both), with an optional sign.
pub(crate) fn parse_long(s: &str) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let magnitude = match body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        Some(hex) if !hex.is_empty() => i128::from_str_radix(hex, 16).ok()?,
        Some(_) => return None,
        None if !body.is_empty() && body.bytes().all(|c| c.is_ascii_digit()) => {
            body.parse::<i128>().ok()?
        }
        None => return None,
    };
    let v = if neg { -magnitude } else { magnitude };
    i64::try_from(v).ok()
}

/// Whether `s` is an IPv4 or IPv6 address Elasticsearch's `ip` type accepts (an IPv6 zone
/// suffix `%…` included).
pub(crate) fn is_ip(s: &str) -> bool {
    let addr = s.split_once('%').map_or(s, |(a, _)| a);
    addr.parse::<std::net::IpAddr>().is_ok()
}

/// `::ffff:1.2.3.4` (optionally bracketed, with a port) → `1.2.3.4`.
pub(crate) fn strip_v4_mapped(s: &str) -> Option<String> {
    let t = s.strip_prefix('[').unwrap_or(s);
    let rest = t.strip_prefix("::ffff:")?;
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let v4 = &rest[..end];
    let tail = &rest[end..];
    let tail_ok = tail.is_empty()
        || (t.len() != s.len()
            && (tail == "]"
                || tail
                    .strip_prefix("]:")
                    .is_some_and(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))));
    let dotted = v4.split('.').count() == 4 && v4.split('.').all(|p| !p.is_empty());
    (tail_ok && dotted).then(|| v4.to_string())
}

/// Registry fields derived from a Sysmon `TargetObject` and its `Details`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct RegistryParts {
    pub path: String,
    pub hive: Option<String>,
    pub key: Option<String>,
    pub value: Option<String>,
    pub data_strings: Option<String>,
    pub data_type: Option<&'static str>,
}

const HIVES: &[(&str, &str)] = &[
    ("HKEY_CLASSES_ROOT", "HKCR"),
    ("HKCR", "HKCR"),
    ("HKEY_CURRENT_CONFIG", "HKCC"),
    ("HKCC", "HKCC"),
    ("HKEY_CURRENT_USER", "HKCU"),
    ("HKCU", "HKCU"),
    ("HKEY_DYN_DATA", "HKDD"),
    ("HKDD", "HKDD"),
    ("HKEY_LOCAL_MACHINE", "HKLM"),
    ("HKLM", "HKLM"),
    ("HKEY_PERFORMANCE_DATA", "HKPD"),
    ("HKPD", "HKPD"),
    ("HKEY_USERS", "HKU"),
    ("HKU", "HKU"),
];

/// `\REGISTRY\MACHINE\…` → `HKLM\…`, `\REGISTRY\USER\…` → `HKU\…` (any case).
pub(crate) fn kernel_to_hive_path(path: &str) -> Option<String> {
    for (prefix, hive) in [("\\REGISTRY\\MACHINE", "HKLM"), ("\\REGISTRY\\USER", "HKU")] {
        if path.len() >= prefix.len()
            && path.is_char_boundary(prefix.len())
            && path[..prefix.len()].eq_ignore_ascii_case(prefix)
        {
            let rest = &path[prefix.len()..];
            if rest.is_empty() || rest.starts_with('\\') {
                return Some(format!("{hive}{rest}"));
            }
        }
    }
    None
}

/// Splits a registry path into hive / key / value like the integration: the parts are
/// Java `split("\\")` pieces (trailing empty pieces dropped); the first names the hive; the
/// key is everything after it and the value the last piece. Details: `DWORD (0x…)` and
/// `QWORD (0x…-0x…)` are shown in decimal (for a QWORD the integration adds the high part
/// shifted by 8 bits, not 32 — reproduced), `Binary Data` is REG_BINARY, anything else
/// REG_SZ.
pub(crate) fn registry_parts(path: &str, details: Option<&str>) -> RegistryParts {
    let tokens = java_split(path, |c| c == '\\', false);
    let mut out = RegistryParts {
        path: path.to_string(),
        ..RegistryParts::default()
    };
    if let Some(first) = tokens.first() {
        if let Some((_, hive)) = HIVES.iter().find(|(name, _)| *name == first) {
            out.hive = Some((*hive).to_string());
            if tokens.len() > 1 {
                out.key = Some(tokens[1..].join("\\"));
            }
        }
    }
    out.value = tokens.last().cloned();
    if let Some(data) = details.filter(|d| !d.is_empty()) {
        if let Some(q) = parse_qword(data) {
            out.data_strings = Some(q.to_string());
            out.data_type = Some("SZ_QWORD");
        } else if let Some(d) = parse_dword(data) {
            out.data_strings = Some(d.to_string());
            out.data_type = Some("SZ_DWORD");
        } else if data == "Binary Data" {
            out.data_strings = Some(data.to_string());
            out.data_type = Some("REG_BINARY");
        } else {
            out.data_strings = Some(data.to_string());
            out.data_type = Some("REG_SZ");
        }
    }
    out
}

/// `0x` + exactly 8 hex digits (any case).
fn hex8(s: &str) -> Option<i64> {
    let h = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))?;
    (h.len() == 8 && h.bytes().all(|c| c.is_ascii_hexdigit()))
        .then(|| i64::from_str_radix(h, 16).ok())
        .flatten()
}

fn parse_dword(s: &str) -> Option<i64> {
    let inner = strip_ci_prefix(s, "DWORD (")?.strip_suffix(')')?;
    hex8(inner)
}

fn parse_qword(s: &str) -> Option<i64> {
    let inner = strip_ci_prefix(s, "QWORD (")?.strip_suffix(')')?;
    let (hi, lo) = inner.split_once('-')?;
    Some((hex8(hi)? << 8).wrapping_add(hex8(lo)?))
}

fn strip_ci_prefix<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix))
    .then(|| &s[prefix.len()..])
}

/// One parsed DNS answer: its type name (when known) and data.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct DnsAnswer {
    pub kind: Option<String>,
    pub data: Option<String>,
}

/// Sysmon's `QueryResults` (`type:  5 cname;::ffff:1.2.3.4;`): `type:` entries are
/// answers (type number looked up by `type_name`), the rest resolved addresses.
pub(crate) fn dns_results(
    text: &str,
    type_name: impl Fn(&str) -> Option<String>,
) -> (Vec<DnsAnswer>, Vec<String>) {
    let mut answers = Vec::new();
    let mut ips = Vec::new();
    for entry in java_split(text, |c| c == ';', false) {
        if entry.is_empty() {
            continue;
        }
        if entry.starts_with("type:") {
            let parts = java_split(&entry, java_whitespace, true);
            match parts.as_slice() {
                [_, ty, data] => answers.push(DnsAnswer {
                    kind: type_name(ty),
                    data: Some(data.clone()),
                }),
                [_, ty, ..] => answers.push(DnsAnswer {
                    kind: type_name(ty),
                    data: None,
                }),
                _ => {}
            }
        } else {
            ips.push(entry);
        }
    }
    (answers, ips)
}

/// The text after the last backslash of a path longer than one character, if not empty.
pub(crate) fn after_last_backslash(path: &str) -> Option<&str> {
    if path.chars().count() <= 1 {
        return None;
    }
    let idx = path.rfind('\\')?;
    let name = &path[idx + 1..];
    (!name.is_empty()).then_some(name)
}

/// name / directory / extension of a path longer than one character with a backslash. The
/// extension follows the path's last dot, even one in a directory name (as the integration
/// does).
pub(crate) fn file_parts(path: &str) -> Option<(&str, &str, Option<&str>)> {
    if path.chars().count() <= 1 {
        return None;
    }
    let idx = path.rfind('\\')?;
    let ext = path.rfind('.').map(|d| &path[d + 1..]);
    Some((&path[idx + 1..], &path[..idx], ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv_follows_windows_rules() {
        assert_eq!(
            windows_argv(r#""C:\Program Files\a.exe" -x "b c" d\\"e f""#),
            [r"C:\Program Files\a.exe", "-x", "b c", r#"d\e f"#]
        );
        assert_eq!(windows_argv(r#"a\\\"b c"#), [r#"a\"b"#, "c"]);
        // A doubled quote inside quotes is a literal quote and still toggles quoting.
        assert_eq!(windows_argv(r#""a""b" c"#), [r#"a"b c"#]);
        assert_eq!(windows_argv("  a\t\tb  "), ["a", "b"]);
        assert_eq!(windows_argv(r"C:\dir\ x"), [r"C:\dir\", "x"]);
        assert!(windows_argv("").is_empty());
    }

    #[test]
    fn quoted_args_keep_quotes_and_empty_runs() {
        assert_eq!(
            quoted_args(r#""C:\a b.exe" /c  x"#),
            [r#""C:\a b.exe""#, "/c", "", "x"]
        );
        assert_eq!(quoted_args("a "), ["a", ""]);
        assert_eq!(quoted_args("a"), ["a"]);
        assert!(quoted_args("").is_empty());
    }

    #[test]
    fn java_split_drops_trailing_empties() {
        assert_eq!(
            java_split(r"HKLM\Run\", |c| c == '\\', false),
            ["HKLM", "Run"]
        );
        assert_eq!(
            java_split(r"\REG\X", |c| c == '\\', false),
            ["", "REG", "X"]
        );
        assert_eq!(java_split("a  b", char::is_whitespace, true), ["a", "b"]);
        assert!(java_split(r"\\", |c| c == '\\', false).is_empty());
        assert_eq!(java_split("", |c| c == ';', false), [""]);
    }

    #[test]
    fn sysmon_time_shapes() {
        assert_eq!(
            sysmon_time("2019-07-18 03:34:01.239").as_deref(),
            Some("2019-07-18T03:34:01.239Z")
        );
        assert_eq!(sysmon_time("2019-07-18 03:34:01"), None);
        assert_eq!(sysmon_time("2019-13-18 03:34:01.239"), None);
    }

    #[test]
    fn longs_and_ips() {
        assert_eq!(parse_long("0x21a4"), Some(8612));
        assert_eq!(parse_long("49236"), Some(49236));
        assert_eq!(parse_long("-"), None);
        assert_eq!(parse_long("12a"), None);
        assert!(is_ip("10.0.2.15") && is_ip("fe80::1%12") && is_ip("::1"));
        assert!(!is_ip("-") && !is_ip("host"));
        assert_eq!(
            strip_v4_mapped("::ffff:10.0.0.1").as_deref(),
            Some("10.0.0.1")
        );
        assert_eq!(
            strip_v4_mapped("[::ffff:10.0.0.1]:53").as_deref(),
            Some("10.0.0.1")
        );
        assert_eq!(strip_v4_mapped("::1"), None);
    }

    #[test]
    fn registry_splits_like_the_integration() {
        let r = registry_parts(
            r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\",
            Some("DWORD (0x00000000)"),
        );
        assert_eq!(r.hive.as_deref(), Some("HKLM"));
        assert_eq!(
            r.key.as_deref(),
            Some(r"SOFTWARE\Microsoft\Windows\CurrentVersion\Run")
        );
        assert_eq!(r.value.as_deref(), Some("Run"));
        assert_eq!(r.data_strings.as_deref(), Some("0"));
        assert_eq!(r.data_type, Some("SZ_DWORD"));
        let q = registry_parts(r"HKU\x\v", Some("QWORD (0x00000001-0x00000002)"));
        assert_eq!(q.data_strings.as_deref(), Some("258"));
        let k = registry_parts(r"\REGISTRY\MACHINE\X", Some("c:\\a.exe"));
        assert_eq!((k.hive, k.value.as_deref()), (None, Some("X")));
        assert_eq!(k.data_type, Some("REG_SZ"));
        assert_eq!(
            kernel_to_hive_path(r"\REGISTRY\USER\S-1\x").as_deref(),
            Some(r"HKU\S-1\x")
        );
        assert_eq!(kernel_to_hive_path(r"\REGISTRY\MACHINEX"), None);
    }

    #[test]
    fn dns_results_split() {
        let (a, ips) = dns_results("type:  5 x.net;type:  5 y.net;::ffff:1.2.3.4;", |t| {
            (t == "5").then(|| "CNAME".to_string())
        });
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].kind.as_deref(), Some("CNAME"));
        assert_eq!(a[1].data.as_deref(), Some("y.net"));
        assert_eq!(ips, ["::ffff:1.2.3.4"]);
    }

    #[test]
    fn path_parts() {
        assert_eq!(after_last_backslash(r"C:\a\b.exe"), Some("b.exe"));
        assert_eq!(after_last_backslash("b.exe"), None);
        assert_eq!(
            file_parts(r"C:\a.b\c"),
            Some(("c", r"C:\a.b", Some(r"b\c")))
        );
    }
}
