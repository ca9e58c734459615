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

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::doc::{Key, Node, Obj, Path};
use crate::json::JStr;
use crate::record::RawRecord;
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

/// A channel mapping file, loaded on first use (a log rarely holds more than one channel,
/// and start-up time counts when converting many small files).
#[derive(Debug)]
struct LazyChannel {
    name: String,
    text: Cow<'static, str>,
    dataset: String,
    map: OnceLock<Option<ChannelMap>>,
}

impl LazyChannel {
    /// The loaded mapping; `None` if the file does not load (caught by `from_files` for
    /// user files and by the crate's tests for the built-in ones).
    fn get(&self) -> Option<&ChannelMap> {
        self.map
            .get_or_init(|| spec::load_channel(&self.name, &self.text).ok())
            .as_ref()
    }
}

/// Maps records to ECS documents with a set of mapping files.
#[derive(Debug)]
pub struct Mapper {
    common: Common,
    channels: Vec<LazyChannel>,
    by_channel: HashMap<String, usize>,
    event_data: Path,
    fixed: ops::Fixed,
}

impl Mapper {
    /// The mapping compiled into shrike (the files under `mappings/`): the common tables
    /// and each file's header are read once; a channel file's steps when first needed.
    pub fn builtin() -> Arc<Mapper> {
        static BUILTIN: OnceLock<Arc<Mapper>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                let files = CHANNEL_FILES
                    .iter()
                    .map(|(n, t)| (n.to_string(), Cow::Borrowed(*t)))
                    .collect();
                Arc::new(
                    Mapper::build(COMMON_FILE, files, false)
                        .expect("built-in mapping files load (checked by the crate's tests)"),
                )
            })
            .clone()
    }

    /// Builds a mapper from the common tables file and channel mapping files, each given
    /// as (name for messages, TOML text). Every file is loaded and checked now.
    pub fn from_files(
        common: (&str, &str),
        channel_files: &[(&str, &str)],
    ) -> Result<Mapper, MappingError> {
        let files = channel_files
            .iter()
            .map(|(n, t)| (n.to_string(), Cow::Owned(t.to_string())))
            .collect();
        Mapper::build(common, files, true)
    }

    fn build(
        common: (&str, &str),
        channel_files: Vec<(String, Cow<'static, str>)>,
        eager: bool,
    ) -> Result<Mapper, MappingError> {
        let common = spec::load_common(common.0, common.1)?;
        let mut channels = Vec::new();
        let mut by_channel = HashMap::new();
        for (name, text) in channel_files {
            let (names, dataset) = spec::channel_header(&name, &text)?;
            for ch in &names {
                if by_channel.insert(ch.clone(), channels.len()).is_some() {
                    return Err(MappingError {
                        file: name.clone(),
                        at: "channels".into(),
                        message: format!("channel `{ch}` is mapped by two files"),
                    });
                }
            }
            let map = OnceLock::new();
            if eager {
                let _ = map.set(Some(spec::load_channel(&name, &text)?));
            }
            channels.push(LazyChannel {
                name,
                text,
                dataset,
                map,
            });
        }
        Ok(Mapper {
            common,
            channels,
            by_channel,
            event_data: spec::event_data_path(),
            fixed: ops::Fixed::new(),
        })
    }

    /// Maps one record, given as the `evtx` crate renders it (`{"Event": {"System": …}}`,
    /// attributes under `#attributes`). `source_path` becomes `log.file.path` (as when the
    /// agent reads an `.evtx` file). Fails only when the text is not JSON.
    pub fn map_json(
        &self,
        rendered: &[u8],
        source_path: Option<&str>,
        options: &MapOptions,
    ) -> Result<Mapped, String> {
        let text = std::str::from_utf8(rendered).map_err(|e| e.to_string())?;
        let tree = crate::json::parse(text).map_err(|e| e.to_string())?;
        let (doc, index) = self.map_tree(RawRecord::from_json(&tree), source_path, options);
        Ok(Mapped {
            doc: Node::Obj(doc).into_value(),
            index,
        })
    }

    /// Maps one record into the document tree; also returns the index.
    pub(crate) fn map_tree<'a>(
        &'a self,
        record: RawRecord<'a>,
        source_path: Option<&'a str>,
        options: &'a MapOptions,
    ) -> (Obj<'a>, String) {
        let channel_text = record.channel.map(|c| c.text());
        let lazy = channel_text
            .as_deref()
            .and_then(|c| self.by_channel.get(c))
            .and_then(|&i| self.channels.get(i));
        let channel_map = lazy.and_then(LazyChannel::get);
        let dataset: &'a str = match (lazy, channel_text.as_deref()) {
            (Some(l), _) => l.dataset.as_str(),
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
                .is_some_and(|p| list.iter().any(|x| p.is(x))),
        };
        let mut d = self.base_document(record, dataset, source_path, options);
        if let Some(m) = channel_map {
            let ctx = ops::Ctx {
                code,
                category: code
                    .and_then(|c| m.events.get(&c))
                    .or(m.default_event.as_ref()),
                event_data: &self.event_data,
                paths: &self.fixed,
            };
            if provider_ok {
                ops::run(&m.steps, &mut d, &ctx);
            }
            ops::run(&m.after_steps, &mut d, &ctx);
        }
        (d, index)
    }

    /// What the event log input produces for every record, before any pipeline.
    fn base_document<'a>(
        &'a self,
        r: RawRecord<'a>,
        dataset: &'a str,
        source_path: Option<&'a str>,
        options: &'a MapOptions,
    ) -> Obj<'a> {
        let c = &self.common;
        let esc = |j: JStr<'a>| Node::Esc(Cow::Borrowed(j.raw));
        let plain = |s: &'a str| Node::Str(Cow::Borrowed(s));
        let key = |k: &'static str| Key::Borrowed(k);
        let mut d = Obj::with_capacity(10);
        if let Some(t) = r.time_created {
            d.push(key("@timestamp"), esc(t));
        }
        let provider_text = r.provider_name.map(|p| p.text());
        let task: Option<&'a String> = r.task.and_then(|t| {
            provider_text
                .as_deref()
                .and_then(|p| c.tasks.get(p))
                .and_then(|names| names.get(&t))
                .or_else(|| c.default_tasks.get(&t))
        });
        let keywords: Vec<&'a spec::Keyword> = match r.keywords {
            Some(kw) => c.keywords.iter().filter(|x| kw & x.mask != 0).collect(),
            None => Vec::new(),
        };
        // Audit Failure wins over Audit Success, as in the agent.
        let outcome = ["failure", "success"]
            .into_iter()
            .find(|o| keywords.iter().any(|kw| kw.outcome.as_deref() == Some(*o)));
        let id_text = r.event_id.map(|id| id.to_string());

        let mut event = Obj::with_capacity(12);
        event.push(key("kind"), plain("event"));
        if let Some(id) = &id_text {
            event.push(key("code"), Node::str(id.clone()));
        }
        if let Some(p) = r.provider_name {
            event.push(key("provider"), esc(p));
        }
        if let Some(t) = task {
            event.push(key("action"), plain(t));
        }
        if let Some(o) = outcome {
            event.push(key("outcome"), plain(o));
        }
        if let Some(t) = r.time_created {
            event.push(key("created"), esc(t));
        }
        if let Some(i) = &options.ingested {
            event.push(key("ingested"), plain(i));
        }
        let module = dataset.split('.').next().unwrap_or(dataset);
        event.push(key("module"), plain(module));
        event.push(key("dataset"), plain(dataset));
        d.push(key("event"), Node::Obj(event));

        let mut w = Obj::with_capacity(18);
        w.push(key("api"), plain("wineventlog"));
        if let Some(ch) = r.channel {
            w.push(key("channel"), esc(ch));
        }
        if let Some(id) = id_text {
            w.push(key("event_id"), Node::str(id));
        }
        if let Some(p) = r.provider_name {
            w.push(key("provider_name"), esc(p));
        }
        if let Some(g) = r.provider_guid {
            w.push(key("provider_guid"), esc(g));
        }
        if let Some(id) = r.record_id {
            w.push(key("record_id"), Node::str(id.to_string()));
        }
        if let Some(t) = task {
            w.push(key("task"), plain(t));
        }
        if let Some(cn) = r.computer {
            w.push(key("computer_name"), esc(cn));
        }
        if !keywords.is_empty() {
            let names = keywords.iter().map(|x| plain(&x.name)).collect();
            w.push(key("keywords"), Node::Arr(names));
        }
        if let Some(op) = r.opcode.and_then(|o| c.opcodes.get(&o)) {
            w.push(key("opcode"), plain(op));
        }
        if let Some(v) = r.version {
            w.push(key("version"), Node::Int(v as i64));
        }
        if let Some(sid) = r.user_sid {
            let mut user = Obj::with_capacity(1);
            user.push(key("identifier"), esc(sid));
            w.push(key("user"), Node::Obj(user));
        }
        if !r.event_data.is_empty() {
            let mut data = Obj::with_capacity(r.event_data.len());
            for (name, v) in r.event_data {
                data.push(name, Node::Esc(v));
            }
            w.push(key("event_data"), Node::Obj(data));
        }
        if let Some((name, pairs)) = r.user_data {
            let mut ud = Obj::with_capacity(pairs.len() + 1);
            for (k, v) in pairs {
                ud.push(k, Node::Esc(v));
            }
            ud.insert(key("xml_name"), Node::Str(name));
            w.push(key("user_data"), Node::Obj(ud));
        }
        if let Some(a) = r.activity_id {
            w.push(key("activity_id"), esc(a));
        }
        if let Some(a) = r.related_activity_id {
            w.push(key("related_activity_id"), esc(a));
        }
        if r.process_id.is_some() || r.thread_id.is_some() {
            let mut p = Obj::with_capacity(2);
            if let Some(pid) = r.process_id {
                p.push(key("pid"), Node::Int(pid as i64));
            }
            if let Some(tid) = r.thread_id {
                let mut t = Obj::with_capacity(1);
                t.push(key("id"), Node::Int(tid as i64));
                p.push(key("thread"), Node::Obj(t));
            }
            w.push(key("process"), Node::Obj(p));
        }
        d.push(key("winlog"), Node::Obj(w));

        let mut log = Obj::with_capacity(2);
        if let Some(l) = r.level.and_then(|l| c.levels.get(&l)) {
            log.push(key("level"), plain(l));
        }
        if let Some(p) = source_path {
            let mut file = Obj::with_capacity(1);
            file.push(key("path"), plain(p));
            log.push(key("file"), Node::Obj(file));
        }
        if !log.is_empty() {
            d.push(key("log"), Node::Obj(log));
        }

        let mut host = Obj::with_capacity(3);
        if let Some(cn) = r.computer {
            host.push(key("name"), esc(cn));
            host.push(key("id"), esc(cn));
        }
        let mut os = Obj::with_capacity(3);
        for k in ["type", "family", "platform"] {
            os.push(key(k), plain("windows"));
        }
        host.push(key("os"), Node::Obj(os));
        d.push(key("host"), Node::Obj(host));

        let mut ds = Obj::with_capacity(3);
        ds.push(key("type"), plain("logs"));
        ds.push(key("dataset"), plain(dataset));
        ds.push(key("namespace"), plain("default"));
        d.push(key("data_stream"), Node::Obj(ds));
        let mut ecs = Obj::with_capacity(1);
        ecs.push(key("version"), plain(ECS_VERSION));
        d.push(key("ecs"), Node::Obj(ecs));
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Mapped {
        Mapper::builtin()
            .map_json(v.to_string().as_bytes(), None, &MapOptions::default())
            .expect("maps")
    }

    #[test]
    fn builtin_files_load() {
        // Every built-in file loads completely (builtin() loads them lazily).
        let files: Vec<(&str, &str)> = CHANNEL_FILES.to_vec();
        Mapper::from_files(COMMON_FILE, &files).expect("built-in files load");
        let m = Mapper::builtin();
        assert!(m.by_channel.contains_key("Security"));
        assert!(m
            .by_channel
            .contains_key("Microsoft-Windows-Sysmon/Operational"));
    }

    #[test]
    fn unknown_channel_gets_generic_winlog_document() {
        let m = map(json!({"Event": {"System": {
            "Provider": {"#attributes": {"Name": "Some-Provider"}},
            "EventID": 7, "Level": 2, "Task": 0, "Keywords": "0x80000000000000",
            "Channel": "Some/Operational", "Computer": "HOST",
            "TimeCreated": {"#attributes": {"SystemTime": "2020-01-01T00:00:00.1234567Z"}},
            "EventRecordID": 9},
            "EventData": {"A": 1}}}));
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
