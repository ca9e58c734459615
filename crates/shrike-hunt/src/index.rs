//! Index selection: which rules look at an event, by the event's index.
//!
//! A rule's `index` patterns (`logs-endpoint.events.*`, `winlogbeat-*`, `-logs-excluded*`)
//! are matched against the event's index name, which is, in order of preference:
//!
//! 1. the index given on the command line (`INDEX=FILE`), or the `_index` of a search hit
//!    or `_bulk` action the event was read from;
//! 2. the data stream named by the event's `data_stream.type`, `data_stream.dataset` and
//!    `data_stream.namespace` fields (`logs-endpoint.events.process-default`), as Elastic
//!    Agent indexes it.
//!
//! A backing index of a data stream (`.ds-logs-x-default-2024.01.01-000001`) also answers
//! to its data stream's name, since rules name data streams. **An event with no known
//! index is checked by every rule** (hunting over a bare NDJSON file should not depend on
//! how it was exported), and `ignore_index` turns selection off altogether.

/// `*`-only glob (Elasticsearch index patterns).
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if text.len() < first.len() + last.len() || !text.starts_with(first) || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// The data stream a backing index belongs to: `.ds-<stream>-<yyyy.MM.dd>-<generation>`.
pub(crate) fn data_stream_of(index: &str) -> Option<&str> {
    let rest = index.strip_prefix(".ds-")?;
    let (head, generation) = rest.rsplit_once('-')?;
    let (stream, date) = head.rsplit_once('-')?;
    let date_ok = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'.'
            } else {
                b.is_ascii_digit()
            }
        });
    (date_ok && !generation.is_empty() && generation.bytes().all(|b| b.is_ascii_digit()))
        .then_some(stream)
}

/// Whether a rule with index patterns `patterns` searches index `name`. An empty list
/// searches everything; `-pattern` excludes.
pub(crate) fn selects(patterns: &[String], name: &str) -> bool {
    if patterns.is_empty() {
        return true;
    }
    let names: [Option<&str>; 2] = [Some(name), data_stream_of(name)];
    let hit = |p: &str| names.iter().flatten().any(|n| glob(p, n));
    let mut included = false;
    for p in patterns {
        // Remote clusters (`cluster:pattern`) are read as the local pattern.
        let p = p.rsplit_once(':').map_or(p.as_str(), |(_, local)| local);
        if let Some(excluded) = p.strip_prefix('-') {
            if hit(excluded) {
                return false;
            }
        } else if hit(p) {
            included = true;
        }
    }
    included
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_select_indices_and_data_streams() {
        let pats = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let endpoint = pats(&["logs-endpoint.events.process-*", "winlogbeat-*"]);
        assert!(selects(&endpoint, "logs-endpoint.events.process-default"));
        assert!(selects(
            &endpoint,
            ".ds-logs-endpoint.events.process-default-2024.01.31-000001"
        ));
        assert!(selects(&endpoint, "winlogbeat-8.1"));
        assert!(!selects(&endpoint, "logs-endpoint.events.network-default"));
        assert!(selects(&[], "anything"));
        let excl = pats(&["logs-*", "-logs-noisy*"]);
        assert!(selects(&excl, "logs-a"));
        assert!(!selects(&excl, "logs-noisy-1"));
        assert!(selects(&pats(&["remote:logs-*"]), "logs-x"));
        assert_eq!(
            data_stream_of(".ds-logs-x-default-2024.01.31-000001"),
            Some("logs-x-default")
        );
        assert_eq!(data_stream_of(".ds-logs-x"), None);
        assert!(glob("a*b*c", "aXbYc") && !glob("a*b*c", "aXc"));
    }
}
