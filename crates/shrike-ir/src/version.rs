//! Ordering of Elasticsearch `version` fields.
//!
//! Valid semantic versions (`1.2.3`, `1.2.4-SNAPSHOT`, `1.2.3+build`) sort by semver
//! precedence: numeric parts numerically, a pre-release before its release. Anything else
//! (`"bad"`) is still a legal value: it sorts after every valid version, bytewise.

use std::cmp::Ordering;

struct Parsed<'a> {
    main: Vec<u64>,
    pre: Option<Vec<&'a str>>,
}

fn parse(s: &str) -> Option<Parsed<'_>> {
    let s = s.split_once('+').map_or(s, |(a, _)| a);
    let (main, pre) = match s.split_once('-') {
        Some((m, p)) => (m, Some(p)),
        None => (s, None),
    };
    let main: Vec<u64> = main
        .split('.')
        .map(|p| {
            if p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) {
                None
            } else {
                p.parse().ok()
            }
        })
        .collect::<Option<_>>()?;
    let pre = match pre {
        Some(p) if p.is_empty() || p.split('.').any(str::is_empty) => return None,
        Some(p) => Some(p.split('.').collect()),
        None => None,
    };
    Some(Parsed { main, pre })
}

fn ident_cmp(a: &str, b: &str) -> Ordering {
    let num = |s: &str| -> Option<u64> {
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// Compares two version strings the way a `version` field sorts.
pub fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => {
            let n = x.main.len().max(y.main.len());
            for i in 0..n {
                let o = x
                    .main
                    .get(i)
                    .copied()
                    .unwrap_or(0)
                    .cmp(&y.main.get(i).copied().unwrap_or(0));
                if o != Ordering::Equal {
                    return o;
                }
            }
            match (&x.pre, &y.pre) {
                (None, None) => Ordering::Equal,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(p), Some(q)) => {
                    for (i, j) in p.iter().zip(q.iter()) {
                        let o = ident_cmp(i, j);
                        if o != Ordering::Equal {
                            return o;
                        }
                    }
                    p.len().cmp(&q.len())
                }
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.as_bytes().cmp(b.as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_order() {
        assert_eq!(compare("1.11.3", "1.5.0"), Ordering::Greater);
        assert_eq!(compare("1.2.4-SNAPSHOT", "1.5.0"), Ordering::Less);
        assert_eq!(compare("1.2.4-SNAPSHOT", "1.2.4"), Ordering::Less);
        assert_eq!(compare("bad", "100.0.0"), Ordering::Greater);
        assert_eq!(compare("1.2.4", "1.2.4"), Ordering::Equal);
    }
}
