//! Where results go: the caller's [`Sink`], called on the hunting thread as results become
//! final, in a deterministic order (the same for any number of threads).

use serde_json::Value as Json;
use shrike_io::store::{Slot, TextStore};
use shrike_io::{Location, Pos, Problem};
use std::borrow::Cow;
use std::io;
use std::sync::{Arc, OnceLock};

/// A hit's JSON text: in memory, or in the hunt's text store on disk (the events of
/// partial sequences of a large input, so that their number does not weigh on memory).
#[derive(Clone, Debug)]
pub(crate) enum Text {
    Inline(Arc<str>),
    Stored(Arc<TextStore>, Slot),
}

/// One event a rule matched (alone, or as part of a sequence or sample).
///
/// The event's full `_source` is built only for matches: an event-rule match has it parsed
/// on the decoding thread that found it (so the thread calling the sink does not parse
/// every match), a sequence's events when first asked for ([`Hit::source`]). The hits of
/// one event share its text and its parsed document.
#[derive(Debug)]
pub struct Hit {
    pub(crate) index: Option<Arc<str>>,
    pub(crate) id: Option<Box<str>>,
    pub(crate) file: Arc<str>,
    pub(crate) pos: Pos,
    pub(crate) timestamp: Option<i64>,
    pub(crate) seq: u64,
    pub(crate) json: Text,
    pub(crate) source: OnceLock<Arc<Json>>,
}

impl Hit {
    /// The event's index, if known: `INDEX=FILE`, the `_index` of the hit or `_bulk`
    /// action it was read from, or its data stream (`data_stream.type-dataset-namespace`).
    pub fn index(&self) -> Option<&str> {
        self.index.as_deref()
    }

    /// The event's `_id`: the one its hit or `_bulk` action carried, else one derived from
    /// where it was read (see [`derived_id`]).
    pub fn id(&self) -> String {
        match &self.id {
            Some(id) => id.to_string(),
            None => derived_id(&self.file, self.pos),
        }
    }

    /// Whether [`Hit::id`] was derived (the input had no `_id`).
    pub fn id_is_derived(&self) -> bool {
        self.id.is_none()
    }

    /// Where the event was read: `file:line` (text) or `file#record` (EVTX).
    pub fn location(&self) -> Location {
        Location::new(self.file.clone(), self.pos)
    }

    /// The event's time for the rule that matched it (its `timestamp_override`, falling
    /// back to `@timestamp`), in nanoseconds since the epoch.
    pub fn timestamp(&self) -> Option<i64> {
        self.timestamp
    }

    /// The event's position in the whole input (0-based, in input order across all files).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// A copy that keeps the text and drops the parsed `_source` (parsed again on first
    /// use): for holding many hits with little memory.
    pub fn detached(&self) -> Hit {
        Hit {
            index: self.index.clone(),
            id: self.id.clone(),
            file: self.file.clone(),
            pos: self.pos,
            timestamp: self.timestamp,
            seq: self.seq,
            json: self.json.clone(),
            source: OnceLock::new(),
        }
    }

    /// The document's JSON text as read (for a search hit: the `_source` document, or the
    /// hit if the reader passed it whole). Read back from disk when the hunt stored it
    /// there; empty if that read fails.
    pub fn raw_json(&self) -> Cow<'_, str> {
        match &self.json {
            Text::Inline(t) => Cow::Borrowed(t),
            Text::Stored(store, slot) => Cow::Owned(store.get(*slot).unwrap_or_default()),
        }
    }

    /// The event's `_source` document, parsed on first use. The text was validated when
    /// the event was read, so this does not fail; a hit wrapper is unwrapped.
    pub fn source(&self) -> &Json {
        self.source
            .get_or_init(|| Arc::new(parse_source(&self.raw_json())))
    }
}

/// An event's `_source` document from its JSON text: a hit wrapper is unwrapped; text that
/// does not parse (it was validated when read, so this does not happen) gives `null`.
pub(crate) fn parse_source(json: &str) -> Json {
    match serde_json::from_str::<Json>(json) {
        Ok(Json::Object(mut obj)) => {
            let is_hit = obj.get("_source").is_some_and(Json::is_object)
                && (obj.contains_key("_index") || obj.contains_key("_id"));
            if is_hit {
                obj.remove("_source").unwrap_or(Json::Null)
            } else {
                Json::Object(obj)
            }
        }
        Ok(other) => other,
        Err(_) => Json::Null,
    }
}

/// The `_id` of an event whose input had none: 20 hexadecimal digits of a 128-bit FNV-1a
/// hash of its input's display name and its position (`file:line` / `file#record`), so the
/// same event read from the same place always gets the same id (and the alerts built from
/// it the same ids). Naming the same file differently (a relative vs. an absolute path)
/// gives different ids.
pub fn derived_id(file: &str, pos: Pos) -> String {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut h = OFFSET;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            h ^= u128::from(b);
            h = h.wrapping_mul(PRIME);
        }
    };
    feed(file.as_bytes());
    match pos {
        Pos::File => feed(b"\0f"),
        Pos::Line(n) => {
            feed(b"\0l");
            feed(&n.to_le_bytes());
        }
        Pos::Record(n) => {
            feed(b"\0r");
            feed(&n.to_le_bytes());
        }
    }
    format!("{:020x}", h >> 48)
}

/// What kind of multi-event result a [`SequenceMatch`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchKind {
    /// An EQL sequence: events in time order, one per stage.
    Sequence,
    /// An EQL sample: events sharing join keys, one per stage, in no time order.
    Sample,
}

/// A sequence (or sample) a rule matched.
#[derive(Clone, Debug)]
pub struct SequenceMatch {
    /// Sequence or sample.
    pub kind: MatchKind,
    /// The events in stage order; `None` for a missing-event stage (`![…]`), which
    /// matched no event.
    pub events: Vec<Option<Arc<Hit>>>,
    /// The join-key values, in key order, as Elasticsearch's response shows them.
    pub join_keys: Vec<Json>,
}

/// How far reading has got (cumulative).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of JSON records read (after decompression).
    pub bytes: u64,
    /// Records read.
    pub events: u64,
}

/// Receives a hunt's results (like ripgrep's searcher sink). Every method runs on the
/// thread that called [`crate::hunt`]. An error from a match method stops the hunt and is
/// returned by it (a closed pipe, a full disk).
///
/// Order: event-rule matches in input order (or in time order with
/// [`crate::EventOrder::Time`]); sequence and sample matches after all input was read,
/// in time order of their last event per clock (rules sharing timestamp and tiebreaker
/// fields), samples and rules with missing-event stages or pipes at the end; input
/// problems once reading has finished (the first
/// [`crate::HuntOptions::max_problem_messages`], the rest counted in the summary).
pub trait Sink {
    /// Rule `rule` (the caller's key) matched one event.
    fn on_event_match(&mut self, rule: usize, hit: &Hit) -> io::Result<()>;

    /// Rule `rule` matched a sequence or sample.
    fn on_sequence_match(&mut self, rule: usize, m: &SequenceMatch) -> io::Result<()>;

    /// Reading progressed (called about once per MiB of input).
    fn on_progress(&mut self, _progress: &Progress) {}

    /// A problem with the input (a malformed line, an unreadable file), with its location.
    fn on_input_problem(&mut self, _problem: &Problem) {}

    /// Something the user should know (`rule` is the caller's key when it concerns one
    /// rule): sequence state hit its cap, candidates spilled, etc.
    fn on_warning(&mut self, _rule: Option<usize>, _message: &str) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        let a = derived_id("logs/a.ndjson", Pos::Line(1));
        assert_eq!(a, derived_id("logs/a.ndjson", Pos::Line(1)));
        assert_eq!(a.len(), 20);
        assert_ne!(a, derived_id("logs/a.ndjson", Pos::Line(2)));
        assert_ne!(a, derived_id("logs/a.ndjson", Pos::Record(1)));
        assert_ne!(a, derived_id("logs/b.ndjson", Pos::Line(1)));
    }
}
