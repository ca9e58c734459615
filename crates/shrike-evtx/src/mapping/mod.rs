//! The data-driven EVTX → ECS mapping.
//!
//! A record becomes a document in two stages, mirroring how Elastic Agent gets it into
//! Elasticsearch:
//!
//! 1. **Input** ([`Mapper::base_document`]): what the `winlog` input derives from every
//!    record — `winlog.*` (with `winlog.event_data` as strings), `event.code`,
//!    `event.provider`, `event.action` (the rendered task name), `event.outcome` (from the
//!    audit keywords), `log.level`, `host.name`, `@timestamp` from `TimeCreated` — plus the
//!    data stream the record's channel goes to. The rendering tables are in
//!    `mappings/winlog.toml`.
//! 2. **Pipeline**: the steps of the channel's mapping file (`mappings/sysmon.toml`,
//!    `security.toml`, `powershell.toml`, `system.toml`), which do what the integration's
//!    ingest pipeline does for that data stream.
//!
//! The files are compiled into the binary; see `MAPPING.md` for the step language and the
//! sources each table was reviewed against.

mod ops;
pub(crate) mod spec;
mod text;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use crate::doc::{self, Path};
use crate::record::Record;
use spec::{ChannelMap, Common};

pub use spec::MappingError;

/// The built-in mapping files, as (file name, contents).
const COMMON_FILE: (&str, &str) = ("winlog.toml", include_str!("../../mappings/winlog.toml"));
const CHANNEL_FILES: &[(&str, &str)] = &[
    ("sysmon.toml", include_str!("../../mappings/sysmon.toml")),
    (
        "security.toml",
        include_str!("../../mappings/security.toml"),
    ),
    (
        "powershell.toml",
        include_str!("../../mappings/powershell.toml"),
    ),
    ("system.toml", include_str!("../../mappings/system.toml")),
];

/// The ECS version the documents follow.
const ECS_VERSION: &str = "8.11.0";

/// Per-run settings of the mapping.
#[derive(Debug, Clone, Default)]
pub struct MapOptions {
    /// `event.ingested`: when the documents are produced. `None` leaves the field out
    /// (Elasticsearch would set it at indexing time), which keeps output reproducible.
    pub ingested: Option<String>,
}

/// A mapped record: its ECS document and the index (data stream) it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    /// The document, nested as in Elasticsearch's `_source`.
    pub doc: Value,
    /// `logs-<dataset>-default`, e.g. `logs-windows.sysmon_operational-default`.
    pub index: String,
}

/// Maps records to ECS documents with a set of mapping files.
#[derive(Debug)]
pub struct Mapper {
    common: Common,
    channels: Vec<ChannelMap>,
    by_channel: HashMap<String, usize>,
    event_data: Path,
}

impl Mapper {
    /// The mapping compiled into shrike (the files under `mappings/`), loaded once.
    pub fn builtin() -> Arc<Mapper> {
        static BUILTIN: OnceLock<Arc<Mapper>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                Arc::new(
                    Mapper::from_files(COMMON_FILE, CHANNEL_FILES)
                        .expect("built-in mapping files load (checked by the crate's tests)"),
                )
            })
            .clone()
    }

    /// Builds a mapper from the common tables file and channel mapping files, each given
    /// as (name for messages, TOML text).
    pub fn from_files(
        common: (&str, &str),
        channel_files: &[(&str, &str)],
    ) -> Result<Mapper, MappingError> {
        let common = spec::load_common(common.0, common.1)?;
        let mut channels = Vec::new();
        let mut by_channel = HashMap::new();
        for (name, text) in channel_files {
            let map = spec::load_channel(name, text)?;
            for ch in &map.channels {
                if by_channel.insert(ch.clone(), channels.len()).is_some() {
                    return Err(MappingError {
                        file: (*name).to_string(),
                        at: "channels".into(),
                        message: format!("channel `{ch}` is mapped by two files"),
                    });
                }
            }
            channels.push(map);
        }
        Ok(Mapper {
            common,
            channels,
            by_channel,
            event_data: spec::event_data_path(),
        })
    }

    /// Maps one record. `source_path` becomes `log.file.path` (as when the agent reads an
    /// `.evtx` file).
    pub fn map(&self, record: &Record, source_path: Option<&str>, options: &MapOptions) -> Mapped {
        let channel_map = record
            .channel
            .as_deref()
            .and_then(|c| self.by_channel.get(c))
            .and_then(|&i| self.channels.get(i));
        let dataset = match (channel_map, record.channel.as_deref()) {
            (Some(m), _) => m.dataset.as_str(),
            (None, Some(c)) => self
                .common
                .datasets
                .get(c)
                .map_or(self.common.fallback_dataset.as_str(), String::as_str),
            (None, None) => self.common.fallback_dataset.as_str(),
        };
        let mut d = self.base_document(record, dataset, source_path, options);
        if let Some(m) = channel_map {
            let ctx = ops::Ctx {
                code: record.event_id,
                category: record
                    .event_id
                    .and_then(|c| m.events.get(&c))
                    .or(m.default_event.as_ref()),
                event_data: &self.event_data,
            };
            let provider_ok = match &m.only_providers {
                None => true,
                Some(list) => record
                    .provider_name
                    .as_deref()
                    .is_some_and(|p| list.iter().any(|x| x == p)),
            };
            if provider_ok {
                ops::run(&m.steps, &mut d, &ctx);
            }
            ops::run(&m.after_steps, &mut d, &ctx);
        }
        Mapped {
            doc: Value::Object(d),
            index: format!("logs-{dataset}-default"),
        }
    }

    /// What the event log input produces for every record, before any pipeline.
    pub fn base_document(
        &self,
        r: &Record,
        dataset: &str,
        source_path: Option<&str>,
        options: &MapOptions,
    ) -> Map<String, Value> {
        let c = &self.common;
        let mut d = Map::new();
        let s = |v: &str| Value::String(v.to_string());
        if let Some(t) = &r.time_created {
            d.insert("@timestamp".into(), s(t));
        }
        let task = r.task.and_then(|t| {
            r.provider_name
                .as_deref()
                .and_then(|p| c.tasks.get(p))
                .and_then(|names| names.get(&t))
                .or_else(|| c.default_tasks.get(&t))
        });
        let keywords: Vec<&spec::Keyword> = match r.keywords {
            Some(k) => c.keywords.iter().filter(|kw| k & kw.mask != 0).collect(),
            None => Vec::new(),
        };
        // Audit Failure wins over Audit Success, as in the agent.
        let outcome = ["failure", "success"]
            .into_iter()
            .find(|o| keywords.iter().any(|kw| kw.outcome.as_deref() == Some(*o)));

        let mut event = Map::new();
        event.insert("kind".into(), s("event"));
        if let Some(id) = r.event_id {
            event.insert("code".into(), Value::String(id.to_string()));
        }
        if let Some(p) = &r.provider_name {
            event.insert("provider".into(), s(p));
        }
        if let Some(t) = task {
            event.insert("action".into(), s(t));
        }
        if let Some(o) = outcome {
            event.insert("outcome".into(), s(o));
        }
        if let Some(t) = &r.time_created {
            event.insert("created".into(), s(t));
        }
        if let Some(i) = &options.ingested {
            event.insert("ingested".into(), s(i));
        }
        let module = dataset.split('.').next().unwrap_or(dataset);
        event.insert("module".into(), s(module));
        event.insert("dataset".into(), s(dataset));
        d.insert("event".into(), Value::Object(event));

        let mut w = Map::new();
        w.insert("api".into(), s("wineventlog"));
        if let Some(ch) = &r.channel {
            w.insert("channel".into(), s(ch));
        }
        if let Some(id) = r.event_id {
            w.insert("event_id".into(), Value::String(id.to_string()));
        }
        if let Some(p) = &r.provider_name {
            w.insert("provider_name".into(), s(p));
        }
        if let Some(g) = &r.provider_guid {
            w.insert("provider_guid".into(), s(g));
        }
        if let Some(id) = r.record_id {
            w.insert("record_id".into(), Value::String(id.to_string()));
        }
        if let Some(t) = task {
            w.insert("task".into(), s(t));
        }
        if let Some(cn) = &r.computer {
            w.insert("computer_name".into(), s(cn));
        }
        if !keywords.is_empty() {
            let names = keywords.iter().map(|k| s(&k.name)).collect();
            w.insert("keywords".into(), Value::Array(names));
        }
        if let Some(op) = r.opcode.and_then(|o| c.opcodes.get(&o)) {
            w.insert("opcode".into(), s(op));
        }
        if let Some(v) = r.version {
            w.insert("version".into(), Value::from(v));
        }
        if let Some(sid) = &r.user_sid {
            let mut user = Map::new();
            user.insert("identifier".into(), s(sid));
            w.insert("user".into(), Value::Object(user));
        }
        if !r.event_data.is_empty() {
            let data = r
                .event_data
                .iter()
                .map(|(k, v)| (k.clone(), s(v)))
                .collect();
            w.insert("event_data".into(), Value::Object(data));
        }
        if let Some((name, pairs)) = &r.user_data {
            let mut ud: Map<String, Value> = pairs.iter().map(|(k, v)| (k.clone(), s(v))).collect();
            ud.insert("xml_name".into(), s(name));
            w.insert("user_data".into(), Value::Object(ud));
        }
        if let Some(a) = &r.activity_id {
            w.insert("activity_id".into(), s(a));
        }
        if let Some(a) = &r.related_activity_id {
            w.insert("related_activity_id".into(), s(a));
        }
        if r.process_id.is_some() || r.thread_id.is_some() {
            let mut p = Map::new();
            if let Some(pid) = r.process_id {
                p.insert("pid".into(), Value::from(pid));
            }
            if let Some(tid) = r.thread_id {
                let mut t = Map::new();
                t.insert("id".into(), Value::from(tid));
                p.insert("thread".into(), Value::Object(t));
            }
            w.insert("process".into(), Value::Object(p));
        }
        d.insert("winlog".into(), Value::Object(w));

        let mut log = Map::new();
        if let Some(l) = r.level.and_then(|l| c.levels.get(&l)) {
            log.insert("level".into(), s(l));
        }
        if let Some(p) = source_path {
            doc::set(&mut log, &Path::parse("file.path"), s(p));
        }
        if !log.is_empty() {
            d.insert("log".into(), Value::Object(log));
        }

        let mut host = Map::new();
        if let Some(cn) = &r.computer {
            host.insert("name".into(), s(cn));
            host.insert("id".into(), s(cn));
        }
        let mut os = Map::new();
        for k in ["type", "family", "platform"] {
            os.insert(k.into(), s("windows"));
        }
        host.insert("os".into(), Value::Object(os));
        d.insert("host".into(), Value::Object(host));

        let mut ds = Map::new();
        ds.insert("type".into(), s("logs"));
        ds.insert("dataset".into(), s(dataset));
        ds.insert("namespace".into(), s("default"));
        d.insert("data_stream".into(), Value::Object(ds));
        let mut ecs = Map::new();
        ecs.insert("version".into(), s(ECS_VERSION));
        d.insert("ecs".into(), Value::Object(ecs));
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(v: Value) -> Record {
        Record::from_json(&v)
    }

    #[test]
    fn builtin_files_load() {
        let m = Mapper::builtin();
        assert!(m.by_channel.contains_key("Security"));
        assert!(m
            .by_channel
            .contains_key("Microsoft-Windows-Sysmon/Operational"));
    }

    #[test]
    fn unknown_channel_gets_generic_winlog_document() {
        let r = record(json!({"Event": {"System": {
            "Provider": {"#attributes": {"Name": "Some-Provider"}},
            "EventID": 7, "Level": 2, "Task": 0, "Keywords": "0x80000000000000",
            "Channel": "Some/Operational", "Computer": "HOST",
            "TimeCreated": {"#attributes": {"SystemTime": "2020-01-01T00:00:00.1234567Z"}},
            "EventRecordID": 9},
            "EventData": {"A": 1}}}));
        let m = Mapper::builtin().map(&r, None, &MapOptions::default());
        assert_eq!(m.index, "logs-winlog.winlog-default");
        let d = &m.doc;
        assert_eq!(d["@timestamp"], "2020-01-01T00:00:00.1234567Z");
        assert_eq!(d["event"]["code"], "7");
        assert_eq!(d["event"]["action"], "None");
        assert_eq!(d["winlog"]["record_id"], "9");
        assert_eq!(d["winlog"]["keywords"], json!(["Classic"]));
        assert_eq!(d["winlog"]["event_data"]["A"], "1");
        assert_eq!(d["log"]["level"], "error");
        assert_eq!(d["host"]["os"]["type"], "windows");
        assert_eq!(d["data_stream"]["dataset"], "winlog.winlog");
    }

    #[test]
    fn duplicate_channel_is_an_error() {
        let f = "channels = [\"X\"]\ndataset = \"d\"\n";
        let e = Mapper::from_files(COMMON_FILE, &[("a.toml", f), ("b.toml", f)])
            .expect_err("duplicate");
        assert!(e.message.contains("two files"), "{e}");
    }
}
