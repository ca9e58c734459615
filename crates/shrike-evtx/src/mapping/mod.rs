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

use serde_json::Value;

use crate::doc::{Key, Node, Obj, Path};
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
    keys: Keys,
}

/// The keys of the base document, allocated once and shared by every document.
#[derive(Debug)]
struct Keys {
    timestamp: Key,
    event: Key,
    kind: Key,
    code: Key,
    provider: Key,
    action: Key,
    outcome: Key,
    created: Key,
    ingested: Key,
    module: Key,
    dataset: Key,
    winlog: Key,
    api: Key,
    channel: Key,
    event_id: Key,
    provider_name: Key,
    provider_guid: Key,
    record_id: Key,
    task: Key,
    computer_name: Key,
    keywords: Key,
    opcode: Key,
    version: Key,
    user: Key,
    identifier: Key,
    event_data: Key,
    user_data: Key,
    xml_name: Key,
    activity_id: Key,
    related_activity_id: Key,
    process: Key,
    pid: Key,
    thread: Key,
    id: Key,
    log: Key,
    level: Key,
    file: Key,
    path: Key,
    host: Key,
    name: Key,
    os: Key,
    os_type: Key,
    family: Key,
    platform: Key,
    data_stream: Key,
    ds_type: Key,
    namespace: Key,
    ecs: Key,
    windows: Key,
}

impl Keys {
    fn new() -> Keys {
        let k = Key::from;
        Keys {
            timestamp: k("@timestamp"),
            event: k("event"),
            kind: k("kind"),
            code: k("code"),
            provider: k("provider"),
            action: k("action"),
            outcome: k("outcome"),
            created: k("created"),
            ingested: k("ingested"),
            module: k("module"),
            dataset: k("dataset"),
            winlog: k("winlog"),
            api: k("api"),
            channel: k("channel"),
            event_id: k("event_id"),
            provider_name: k("provider_name"),
            provider_guid: k("provider_guid"),
            record_id: k("record_id"),
            task: k("task"),
            computer_name: k("computer_name"),
            keywords: k("keywords"),
            opcode: k("opcode"),
            version: k("version"),
            user: k("user"),
            identifier: k("identifier"),
            event_data: k("event_data"),
            user_data: k("user_data"),
            xml_name: k("xml_name"),
            activity_id: k("activity_id"),
            related_activity_id: k("related_activity_id"),
            process: k("process"),
            pid: k("pid"),
            thread: k("thread"),
            id: k("id"),
            log: k("log"),
            level: k("level"),
            file: k("file"),
            path: k("path"),
            host: k("host"),
            name: k("name"),
            os: k("os"),
            os_type: k("type"),
            family: k("family"),
            platform: k("platform"),
            data_stream: k("data_stream"),
            ds_type: k("type"),
            namespace: k("namespace"),
            ecs: k("ecs"),
            windows: k("windows"),
        }
    }
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
            keys: Keys::new(),
        })
    }

    /// Maps one record. `source_path` becomes `log.file.path` (as when the agent reads an
    /// `.evtx` file).
    pub fn map(&self, record: &Record, source_path: Option<&str>, options: &MapOptions) -> Mapped {
        let (doc, index) = self.map_tree(record.clone(), source_path, options);
        Mapped {
            doc: Node::Obj(doc).into_value(),
            index,
        }
    }

    /// Maps one record into the document tree; also returns the index.
    pub(crate) fn map_tree(
        &self,
        record: Record,
        source_path: Option<&str>,
        options: &MapOptions,
    ) -> (Obj, String) {
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
        let index = format!("logs-{dataset}-default");
        let code = record.event_id;
        let provider_ok = match channel_map.and_then(|m| m.only_providers.as_ref()) {
            None => true,
            Some(list) => record
                .provider_name
                .as_deref()
                .is_some_and(|p| list.iter().any(|x| x == p)),
        };
        let mut d = self.base_document(record, dataset, source_path, options);
        if let Some(m) = channel_map {
            let ctx = ops::Ctx {
                code,
                category: code
                    .and_then(|c| m.events.get(&c))
                    .or(m.default_event.as_ref()),
                event_data: &self.event_data,
            };
            if provider_ok {
                ops::run(&m.steps, &mut d, &ctx);
            }
            ops::run(&m.after_steps, &mut d, &ctx);
        }
        (d, index)
    }

    /// What the event log input produces for every record, before any pipeline.
    pub(crate) fn base_document(
        &self,
        r: Record,
        dataset: &str,
        source_path: Option<&str>,
        options: &MapOptions,
    ) -> Obj {
        let c = &self.common;
        let k = &self.keys;
        let mut d = Obj::with_capacity(10);
        if let Some(t) = &r.time_created {
            d.push(k.timestamp.clone(), Node::str(t.as_str()));
        }
        let task = r.task.and_then(|t| {
            r.provider_name
                .as_deref()
                .and_then(|p| c.tasks.get(p))
                .and_then(|names| names.get(&t))
                .or_else(|| c.default_tasks.get(&t))
        });
        let keywords: Vec<&spec::Keyword> = match r.keywords {
            Some(kw) => c.keywords.iter().filter(|x| kw & x.mask != 0).collect(),
            None => Vec::new(),
        };
        // Audit Failure wins over Audit Success, as in the agent.
        let outcome = ["failure", "success"]
            .into_iter()
            .find(|o| keywords.iter().any(|kw| kw.outcome.as_deref() == Some(*o)));

        let mut event = Obj::with_capacity(12);
        event.push(k.kind.clone(), Node::str("event"));
        if let Some(id) = r.event_id {
            event.push(k.code.clone(), Node::Str(id.to_string()));
        }
        if let Some(p) = &r.provider_name {
            event.push(k.provider.clone(), Node::str(p.as_str()));
        }
        if let Some(t) = task {
            event.push(k.action.clone(), Node::str(t.as_str()));
        }
        if let Some(o) = outcome {
            event.push(k.outcome.clone(), Node::str(o));
        }
        if let Some(t) = &r.time_created {
            event.push(k.created.clone(), Node::str(t.as_str()));
        }
        if let Some(i) = &options.ingested {
            event.push(k.ingested.clone(), Node::str(i.as_str()));
        }
        let module = dataset.split('.').next().unwrap_or(dataset);
        event.push(k.module.clone(), Node::str(module));
        event.push(k.dataset.clone(), Node::str(dataset));
        d.push(k.event.clone(), Node::Obj(event));

        let mut w = Obj::with_capacity(18);
        w.push(k.api.clone(), Node::str("wineventlog"));
        if let Some(ch) = r.channel {
            w.push(k.channel.clone(), Node::Str(ch));
        }
        if let Some(id) = r.event_id {
            w.push(k.event_id.clone(), Node::Str(id.to_string()));
        }
        if let Some(p) = r.provider_name {
            w.push(k.provider_name.clone(), Node::Str(p));
        }
        if let Some(g) = r.provider_guid {
            w.push(k.provider_guid.clone(), Node::Str(g));
        }
        if let Some(id) = r.record_id {
            w.push(k.record_id.clone(), Node::Str(id.to_string()));
        }
        if let Some(t) = task {
            w.push(k.task.clone(), Node::str(t.as_str()));
        }
        if let Some(cn) = &r.computer {
            w.push(k.computer_name.clone(), Node::str(cn.as_str()));
        }
        if !keywords.is_empty() {
            let names = keywords
                .iter()
                .map(|x| Node::str(x.name.as_str()))
                .collect();
            w.push(k.keywords.clone(), Node::Arr(names));
        }
        if let Some(op) = r.opcode.and_then(|o| c.opcodes.get(&o)) {
            w.push(k.opcode.clone(), Node::str(op.as_str()));
        }
        if let Some(v) = r.version {
            w.push(k.version.clone(), Node::Int(v as i64));
        }
        if let Some(sid) = r.user_sid {
            let mut user = Obj::with_capacity(1);
            user.push(k.identifier.clone(), Node::Str(sid));
            w.push(k.user.clone(), Node::Obj(user));
        }
        if !r.event_data.is_empty() {
            let mut data = Obj::with_capacity(r.event_data.len());
            for (name, v) in r.event_data {
                data.push(Key::from(name), Node::Str(v));
            }
            w.push(k.event_data.clone(), Node::Obj(data));
        }
        if let Some((name, pairs)) = r.user_data {
            let mut ud = Obj::with_capacity(pairs.len() + 1);
            for (key, v) in pairs {
                ud.push(Key::from(key), Node::Str(v));
            }
            ud.insert(k.xml_name.clone(), Node::Str(name));
            w.push(k.user_data.clone(), Node::Obj(ud));
        }
        if let Some(a) = r.activity_id {
            w.push(k.activity_id.clone(), Node::Str(a));
        }
        if let Some(a) = r.related_activity_id {
            w.push(k.related_activity_id.clone(), Node::Str(a));
        }
        if r.process_id.is_some() || r.thread_id.is_some() {
            let mut p = Obj::with_capacity(2);
            if let Some(pid) = r.process_id {
                p.push(k.pid.clone(), Node::Int(pid as i64));
            }
            if let Some(tid) = r.thread_id {
                let mut t = Obj::with_capacity(1);
                t.push(k.id.clone(), Node::Int(tid as i64));
                p.push(k.thread.clone(), Node::Obj(t));
            }
            w.push(k.process.clone(), Node::Obj(p));
        }
        d.push(k.winlog.clone(), Node::Obj(w));

        let mut log = Obj::with_capacity(2);
        if let Some(l) = r.level.and_then(|l| c.levels.get(&l)) {
            log.push(k.level.clone(), Node::str(l.as_str()));
        }
        if let Some(p) = source_path {
            let mut file = Obj::with_capacity(1);
            file.push(k.path.clone(), Node::str(p));
            log.push(k.file.clone(), Node::Obj(file));
        }
        if !log.is_empty() {
            d.push(k.log.clone(), Node::Obj(log));
        }

        let mut host = Obj::with_capacity(3);
        if let Some(cn) = r.computer {
            host.push(k.name.clone(), Node::str(cn.as_str()));
            host.push(k.id.clone(), Node::Str(cn));
        }
        let mut os = Obj::with_capacity(3);
        for key in [&k.os_type, &k.family, &k.platform] {
            os.push(key.clone(), Node::str(&*k.windows));
        }
        host.push(k.os.clone(), Node::Obj(os));
        d.push(k.host.clone(), Node::Obj(host));

        let mut ds = Obj::with_capacity(3);
        ds.push(k.ds_type.clone(), Node::str("logs"));
        ds.push(k.dataset.clone(), Node::str(dataset));
        ds.push(k.namespace.clone(), Node::str("default"));
        d.push(k.data_stream.clone(), Node::Obj(ds));
        let mut ecs = Obj::with_capacity(1);
        ecs.push(k.version.clone(), Node::str(ECS_VERSION));
        d.push(k.ecs.clone(), Node::Obj(ecs));
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
