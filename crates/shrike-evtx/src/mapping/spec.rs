//! Loading the mapping files (`mappings/*.toml`) into typed steps.
//!
//! Every key of a step is consumed by the step's loader; a key left over is an error, so a
//! typo in a mapping file fails the load (and the test that loads the built-in files)
//! instead of silently doing nothing.

use std::collections::HashMap;

use serde_json::Value;
use toml::Table;

use crate::doc::{Node, Path};

/// A problem in a mapping file: which file, where in it, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingError {
    /// The mapping file's name.
    pub file: String,
    /// Where in the file (`steps[12]`, `events.4624`, …).
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for MappingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.at, self.message)
    }
}

impl std::error::Error for MappingError {}

/// The tables every record uses (from `winlog.toml`).
#[derive(Debug, Default)]
pub(crate) struct Common {
    pub levels: HashMap<u64, String>,
    pub opcodes: HashMap<u64, String>,
    pub keywords: Vec<Keyword>,
    pub default_tasks: HashMap<u64, String>,
    pub tasks: HashMap<String, HashMap<u64, String>>,
    pub datasets: HashMap<String, String>,
    pub fallback_dataset: String,
}

#[derive(Debug)]
pub(crate) struct Keyword {
    pub mask: u64,
    pub name: String,
    pub outcome: Option<String>,
}

/// The mapping of one or more channels (one mapping file).
#[derive(Debug)]
pub(crate) struct ChannelMap {
    pub only_providers: Option<Vec<String>>,
    pub events: HashMap<u32, Categorization>,
    pub default_event: Option<Categorization>,
    pub steps: Steps,
    pub after_steps: Steps,
}

/// Steps, with the ones that can apply to each event id worked out at load time (most
/// steps are for a few ids; a record only visits its own).
#[derive(Debug, Default)]
pub(crate) struct Steps {
    pub steps: Vec<Step>,
    /// For every id some step names in `codes`: the steps that may apply, in order.
    by_code: HashMap<u32, Vec<usize>>,
    /// For any other id (or none): the steps without `codes`.
    default: Vec<usize>,
}

impl Steps {
    fn new(steps: Vec<Step>) -> Steps {
        let mut codes: Vec<u32> = steps
            .iter()
            .filter_map(|s| s.when.codes.as_ref())
            .flatten()
            .copied()
            .collect();
        codes.sort_unstable();
        codes.dedup();
        let applies = |s: &Step, code: Option<u32>| match (&s.when.codes, code) {
            (None, _) => true,
            (Some(list), Some(c)) => list.contains(&c),
            (Some(_), None) => false,
        };
        let by_code = codes
            .iter()
            .map(|&c| {
                let idx = (0..steps.len())
                    .filter(|&i| applies(&steps[i], Some(c)))
                    .collect();
                (c, idx)
            })
            .collect();
        let default = (0..steps.len())
            .filter(|&i| applies(&steps[i], None))
            .collect();
        Steps {
            steps,
            by_code,
            default,
        }
    }

    /// The steps that may apply to a record with this event id, in order.
    pub(crate) fn for_code(&self, code: Option<u32>) -> impl Iterator<Item = &Step> {
        let idx = code
            .and_then(|c| self.by_code.get(&c))
            .unwrap_or(&self.default);
        idx.iter().filter_map(|&i| self.steps.get(i))
    }
}

/// `event.category` / `event.type` / `event.action` / `event.outcome` of one event id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Categorization {
    pub category: Option<Vec<String>>,
    pub kind: Option<Vec<String>>,
    pub action: Option<String>,
    pub outcome: Option<String>,
}

/// One step: an operation and the conditions under which it runs.
#[derive(Debug)]
pub(crate) struct Step {
    pub when: When,
    pub op: Op,
}

/// Conditions shared by all steps.
#[derive(Debug, Default)]
pub(crate) struct When {
    /// Only for these event ids.
    pub codes: Option<Vec<u32>>,
    /// Not for these event ids.
    pub not_codes: Vec<u32>,
    /// Only when all of these fields are present.
    pub if_set: Vec<Path>,
    /// Only when the step's (first) source value is none of these.
    pub unless_value: Vec<String>,
}

/// How a source string becomes a field value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Convert {
    /// Kept as a string.
    None,
    /// A 64-bit integer, decimal or `0x` hexadecimal.
    Long,
    /// An IP address (kept as written when valid).
    Ip,
    /// `true` / `false`, any case.
    Boolean,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArgsStyle {
    /// Windows' CommandLineToArgvW rules (backslashes, quotes, doubled quotes).
    Windows,
    /// Split at whitespace outside double quotes, keeping the quotes.
    Quoted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BasenameStyle {
    /// After the last backslash; nothing when there is none or the result is empty.
    AfterLastBackslash,
    /// The last backslash-separated part, whatever it is.
    LastPart,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Separator {
    /// Java's `split("\\s+")`: a leading empty part is kept, trailing empty parts dropped.
    Whitespace,
    /// A literal token; every part kept.
    Token(String),
}

/// The operations a mapping file can use.
#[derive(Debug)]
pub(crate) enum Op {
    /// Remove `winlog.event_data` entries whose value is one of these.
    DropValues { values: Vec<String> },
    /// Apply the file's `[events]` table.
    Categorize,
    /// `@timestamp` from a time field in the given format.
    Timestamp { from: Path, format: TimeFormat },
    /// `move` (the pipeline's rename: skipped when the target is set, source removed) or
    /// `copy` (overwrites; the source is removed only with `remove_source`), converting
    /// the value. A value that fails to convert sets nothing and stays where it was.
    Put {
        from: Path,
        to: Path,
        convert: Convert,
        rename: bool,
        remove_source: bool,
        before: Option<String>,
        strip: Vec<String>,
        related: Option<Path>,
    },
    /// Set a constant.
    Set { to: Path, value: Node<'static> },
    /// Remove fields.
    Remove { fields: Vec<Path> },
    /// Translate a value through a table (no-op when absent from it).
    Lookup {
        from: Path,
        to: Path,
        table: HashMap<String, Node<'static>>,
        lowercase: bool,
    },
    /// The names of the table's bit masks all set in the (numeric) value.
    Flags {
        from: Path,
        to: Path,
        table: Vec<(u64, String)>,
    },
    /// Split a string field into an array, in place.
    Split {
        from: Path,
        separator: Separator,
        trim: bool,
        drop_empty: bool,
    },
    /// `DOMAIN\name` → two fields.
    SplitUser {
        from: Path,
        domain: Path,
        name: Path,
    },
    /// `ALGO=hex,…` → `<to>.hash.<algo>`, `<to>.pe.imphash`, `related.hash`.
    Hashes {
        from: Path,
        /// Event ids, `<target>.hash`, `<target>.pe.imphash`.
        targets: Vec<(Vec<u32>, Path, Path)>,
    },
    /// A command line → its arguments (and their count).
    Args {
        from: Path,
        to: Path,
        count_to: Option<Path>,
        style: ArgsStyle,
    },
    /// The file name of a Windows path, when the target is not set yet.
    Basename {
        from: Path,
        to: Path,
        style: BasenameStyle,
    },
    /// `<to>.name`, `<to>.directory`, `<to>.extension` from a Windows path.
    FileParts { from: Path, to: [Path; 3] },
    /// The extension of a file name (after its last dot).
    Extension { from: Path, to: Path },
    /// `registry.*` from a Sysmon registry path and its details.
    Registry {
        from: Path,
        details: Path,
        /// `<to>.path`, `.hive`, `.key`, `.value`, `.data.strings`, `.data.type`.
        to: [Path; 6],
        kernel_paths: bool,
    },
    /// `dns.answers` / `dns.resolved_ip` / `related.hosts` from Sysmon's QueryResults.
    DnsAnswers {
        from: Path,
        types: HashMap<String, String>,
    },
    /// Append values (strings or arrays of strings) to `related.<kind>`, without duplicates.
    Related { kind: Path, from: Vec<Path> },
    /// A string built from other fields; skipped unless all are present.
    Template { to: Path, parts: Vec<TemplatePart> },
    /// `key = value` lines into an object.
    Kv {
        from: Path,
        to: Path,
        field_split: String,
        value_split: String,
        trim: Vec<char>,
    },
    /// Remove whitespace from `winlog.event_data` keys.
    StripKeySpaces,
    /// Trim whitespace around a string field.
    Trim { field: Path },
    /// `::ffff:1.2.3.4` → `1.2.3.4`.
    StripV4Mapped { field: Path },
    /// The first present source into `to`, or into `else_to` when `to` is already set.
    PutOr {
        from: Vec<Path>,
        to: Path,
        else_to: Path,
        before: Option<String>,
        related: Option<Path>,
    },
    /// One comma-separated part of a distinguished name, with prefixes removed.
    DnPart {
        from: Path,
        to: Path,
        index: usize,
        strip: Vec<String>,
        related: Option<Path>,
    },
}

impl Op {
    /// The source whose value `unless_value` looks at.
    pub(crate) fn primary_source(&self) -> Option<&Path> {
        match self {
            Op::Timestamp { from, .. }
            | Op::Put { from, .. }
            | Op::Lookup { from, .. }
            | Op::Flags { from, .. }
            | Op::Split { from, .. }
            | Op::SplitUser { from, .. }
            | Op::Hashes { from, .. }
            | Op::Args { from, .. }
            | Op::Basename { from, .. }
            | Op::FileParts { from, .. }
            | Op::Extension { from, .. }
            | Op::Registry { from, .. }
            | Op::DnsAnswers { from, .. }
            | Op::Kv { from, .. }
            | Op::DnPart { from, .. } => Some(from),
            Op::Related { from, .. } | Op::PutOr { from, .. } => from.first(),
            Op::Trim { field } | Op::StripV4Mapped { field } => Some(field),
            Op::DropValues { .. }
            | Op::Categorize
            | Op::Set { .. }
            | Op::Remove { .. }
            | Op::Template { .. }
            | Op::StripKeySpaces => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeFormat {
    /// `yyyy-MM-dd HH:mm:ss.SSS` in UTC (Sysmon's UtcTime).
    Sysmon,
}

#[derive(Debug)]
pub(crate) enum TemplatePart {
    Text(String),
    Field(Path),
}

/// The path of `winlog.event_data`.
pub(crate) fn event_data_path() -> Path {
    Path::parse("winlog.event_data")
}

/// A source name: a bare name is a `winlog.event_data` key, a dotted one a document path.
pub(crate) fn source(name: &str) -> Path {
    if name.contains('.') {
        Path::parse(name)
    } else {
        Path::under(&event_data_path(), name)
    }
}

/// Takes keys out of a TOML table, remembering where it is for error messages.
struct Reader<'a> {
    file: &'a str,
    at: String,
    table: Table,
}

impl<'a> Reader<'a> {
    fn new(file: &'a str, at: impl Into<String>, table: Table) -> Self {
        Reader {
            file,
            at: at.into(),
            table,
        }
    }

    fn err(&self, message: impl Into<String>) -> MappingError {
        MappingError {
            file: self.file.to_string(),
            at: self.at.clone(),
            message: message.into(),
        }
    }

    fn opt_str(&mut self, key: &str) -> Result<Option<String>, MappingError> {
        match self.table.remove(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.err(format!("`{key}` must be a string, not {other}"))),
        }
    }

    fn str(&mut self, key: &str) -> Result<String, MappingError> {
        self.opt_str(key)?
            .ok_or_else(|| self.err(format!("missing `{key}`")))
    }

    fn opt_bool(&mut self, key: &str) -> Result<Option<bool>, MappingError> {
        match self.table.remove(key) {
            None => Ok(None),
            Some(toml::Value::Boolean(b)) => Ok(Some(b)),
            Some(other) => Err(self.err(format!("`{key}` must be true or false, not {other}"))),
        }
    }

    fn opt_strings(&mut self, key: &str) -> Result<Option<Vec<String>>, MappingError> {
        match self.table.remove(key) {
            None => Ok(None),
            Some(toml::Value::Array(items)) => items
                .into_iter()
                .map(|i| match i {
                    toml::Value::String(s) => Ok(s),
                    other => Err(self.err(format!("`{key}` must list strings, found {other}"))),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(self.err(format!("`{key}` must be a list, not {other}"))),
        }
    }

    fn opt_codes(&mut self, key: &str) -> Result<Option<Vec<u32>>, MappingError> {
        self.opt_codes_in(key, &HashMap::new())
    }

    /// Event ids: a list, or the name of a `[code_sets]` entry.
    fn opt_codes_in(
        &mut self,
        key: &str,
        sets: &HashMap<String, Vec<u32>>,
    ) -> Result<Option<Vec<u32>>, MappingError> {
        match self.table.remove(key) {
            None => Ok(None),
            Some(toml::Value::String(name)) => match sets.get(&name) {
                Some(ids) => Ok(Some(ids.clone())),
                None => Err(self.err(format!("`{key}`: no code set `{name}` in [code_sets]"))),
            },
            Some(v) => codes(&v)
                .map(Some)
                .map_err(|m| self.err(format!("`{key}`: {m}"))),
        }
    }

    fn opt_value(&mut self, key: &str) -> Option<toml::Value> {
        self.table.remove(key)
    }

    fn path(&mut self, key: &str) -> Result<Path, MappingError> {
        Ok(Path::parse(&self.str(key)?))
    }

    fn src(&mut self, key: &str) -> Result<Path, MappingError> {
        Ok(source(&self.str(key)?))
    }

    fn finish(self) -> Result<(), MappingError> {
        match self.table.keys().next() {
            None => Ok(()),
            Some(k) => Err(self.err(format!("unknown key `{k}`"))),
        }
    }
}

fn codes(v: &toml::Value) -> Result<Vec<u32>, String> {
    let toml::Value::Array(items) = v else {
        return Err("must be a list of event ids".into());
    };
    items
        .iter()
        .map(|i| match i {
            toml::Value::Integer(n) => u32::try_from(*n).map_err(|_| format!("bad event id {n}")),
            other => Err(format!("bad event id {other}")),
        })
        .collect()
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

fn parse_toml(file: &str, text: &str) -> Result<Table, MappingError> {
    text.parse::<Table>().map_err(|e| MappingError {
        file: file.to_string(),
        at: "file".into(),
        message: e.to_string(),
    })
}

fn number_key(file: &str, at: &str, key: &str) -> Result<u64, MappingError> {
    key.parse().map_err(|_| MappingError {
        file: file.to_string(),
        at: at.to_string(),
        message: format!("`{key}` is not a number"),
    })
}

fn string_table(
    file: &str,
    at: &str,
    v: Option<toml::Value>,
) -> Result<Vec<(String, String)>, MappingError> {
    let bad = |message: String| MappingError {
        file: file.to_string(),
        at: at.to_string(),
        message,
    };
    match v {
        None => Ok(Vec::new()),
        Some(toml::Value::Table(t)) => t
            .into_iter()
            .map(|(k, v)| match v {
                toml::Value::String(s) => Ok((k, s)),
                other => Err(bad(format!("`{k}` must map to a string, not {other}"))),
            })
            .collect(),
        Some(other) => Err(bad(format!("must be a table, not {other}"))),
    }
}

fn numbered(
    file: &str,
    at: &str,
    v: Option<toml::Value>,
) -> Result<HashMap<u64, String>, MappingError> {
    string_table(file, at, v)?
        .into_iter()
        .map(|(k, s)| Ok((number_key(file, at, &k)?, s)))
        .collect()
}

/// Loads `winlog.toml`.
pub(crate) fn load_common(file: &str, text: &str) -> Result<Common, MappingError> {
    let mut r = Reader::new(file, "file", parse_toml(file, text)?);
    let levels = numbered(file, "levels", r.opt_value("levels"))?;
    let opcodes = numbered(file, "opcodes", r.opt_value("opcodes"))?;
    let default_tasks = numbered(file, "default_tasks", r.opt_value("default_tasks"))?;
    let mut keywords = Vec::new();
    if let Some(toml::Value::Array(items)) = r.opt_value("keywords") {
        for (i, item) in items.into_iter().enumerate() {
            let toml::Value::Table(t) = item else {
                return Err(r.err(format!("keywords[{i}] must be a table")));
            };
            let mut k = Reader::new(file, format!("keywords[{i}]"), t);
            let mask = match k.opt_value("mask") {
                Some(toml::Value::Integer(m)) => m as u64,
                _ => return Err(k.err("`mask` must be an integer")),
            };
            let name = k.str("name")?;
            let outcome = k.opt_str("outcome")?;
            k.finish()?;
            keywords.push(Keyword {
                mask,
                name,
                outcome,
            });
        }
    }
    let mut tasks = HashMap::new();
    if let Some(toml::Value::Table(t)) = r.opt_value("tasks") {
        for (provider, names) in t {
            let at = format!("tasks.{provider}");
            tasks.insert(provider, numbered(file, &at, Some(names))?);
        }
    }
    let datasets = string_table(file, "datasets", r.opt_value("datasets"))?
        .into_iter()
        .collect();
    let fallback_dataset = match r.opt_value("fallback") {
        Some(toml::Value::Table(t)) => {
            let mut f = Reader::new(file, "fallback", t);
            let d = f.str("dataset")?;
            f.finish()?;
            d
        }
        _ => return Err(r.err("missing [fallback] dataset")),
    };
    r.finish()?;
    Ok(Common {
        levels,
        opcodes,
        keywords,
        default_tasks,
        tasks,
        datasets,
        fallback_dataset,
    })
}

/// A channel file's top-level keys (before its first `[table]`): which channels it maps and
/// to which data stream. Cheap to read, so the rest of the file can wait until a record of
/// one of those channels shows up.
pub(crate) fn channel_header(
    file: &str,
    text: &str,
) -> Result<(Vec<String>, String), MappingError> {
    let end = text
        .lines()
        .scan(0usize, |pos, line| {
            let start = *pos;
            *pos += line.len() + 1;
            Some((start, line))
        })
        .find(|(_, line)| line.trim_start().starts_with('['))
        .map_or(text.len(), |(start, _)| start);
    let mut r = Reader::new(file, "file", parse_toml(file, &text[..end])?);
    let channels = r
        .opt_strings("channels")?
        .ok_or_else(|| r.err("missing `channels` before the first table"))?;
    let dataset = r.str("dataset")?;
    Ok((channels, dataset))
}

/// Loads one channel mapping file.
pub(crate) fn load_channel(file: &str, text: &str) -> Result<ChannelMap, MappingError> {
    let mut r = Reader::new(file, "file", parse_toml(file, text)?);
    // Read by `channel_header`; taken here so they are not unknown keys.
    r.opt_strings("channels")?
        .ok_or_else(|| r.err("missing `channels`"))?;
    r.str("dataset")?;
    let only_providers = r.opt_strings("only_providers")?;
    let tables: HashMap<String, HashMap<String, Value>> = match r.opt_value("tables") {
        None => HashMap::new(),
        Some(toml::Value::Table(t)) => t
            .into_iter()
            .map(|(name, v)| match toml_to_json(v) {
                Value::Object(o) => Ok((name, o.into_iter().collect())),
                _ => Err(r.err(format!("tables.{name} must be a table"))),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(r.err("`tables` must be a table")),
    };
    let mut events = HashMap::new();
    let mut default_event = None;
    if let Some(v) = r.opt_value("events") {
        let toml::Value::Table(t) = v else {
            return Err(r.err("`events` must be a table"));
        };
        for (key, entry) in t {
            let at = format!("events.{key}");
            let toml::Value::Table(entry) = entry else {
                return Err(r.err(format!("{at} must be a table")));
            };
            let mut e = Reader::new(file, at.clone(), entry);
            let cat = Categorization {
                category: e.opt_strings("category")?,
                kind: e.opt_strings("type")?,
                action: e.opt_str("action")?,
                outcome: e.opt_str("outcome")?,
            };
            e.finish()?;
            if key == "default" {
                default_event = Some(cat);
            } else {
                let code = u32::try_from(number_key(file, &at, &key)?)
                    .map_err(|_| r.err(format!("{at}: event id out of range")))?;
                events.insert(code, cat);
            }
        }
    }
    let mut code_sets = HashMap::new();
    if let Some(v) = r.opt_value("code_sets") {
        let toml::Value::Table(t) = v else {
            return Err(r.err("`code_sets` must be a table"));
        };
        for (name, list) in t {
            let ids = codes(&list).map_err(|m| r.err(format!("code_sets.{name}: {m}")))?;
            code_sets.insert(name, ids);
        }
    }
    let lookups = Lookups {
        tables: &tables,
        code_sets: &code_sets,
    };
    let steps = Steps::new(load_steps(file, "steps", r.opt_value("steps"), &lookups)?);
    let after_steps = Steps::new(load_steps(
        file,
        "after_steps",
        r.opt_value("after_steps"),
        &lookups,
    )?);
    r.finish()?;
    Ok(ChannelMap {
        only_providers,
        events,
        default_event,
        steps,
        after_steps,
    })
}

/// Named things steps refer to.
struct Lookups<'a> {
    tables: &'a HashMap<String, HashMap<String, Value>>,
    code_sets: &'a HashMap<String, Vec<u32>>,
}

fn load_steps(
    file: &str,
    what: &str,
    v: Option<toml::Value>,
    lookups: &Lookups<'_>,
) -> Result<Vec<Step>, MappingError> {
    let Some(v) = v else {
        return Ok(Vec::new());
    };
    let toml::Value::Array(items) = v else {
        return Err(MappingError {
            file: file.into(),
            at: what.into(),
            message: "must be an array of tables ([[…]])".into(),
        });
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let at = format!("{what}[{i}]");
            let toml::Value::Table(t) = item else {
                return Err(MappingError {
                    file: file.into(),
                    at,
                    message: "must be a table".into(),
                });
            };
            load_step(Reader::new(file, at, t), lookups)
        })
        .collect()
}

fn load_step(mut r: Reader<'_>, lookups: &Lookups<'_>) -> Result<Step, MappingError> {
    let tables = lookups.tables;
    let op_name = r.str("op")?;
    r.at = format!("{} (op {op_name})", r.at);
    let when = When {
        codes: r.opt_codes_in("codes", lookups.code_sets)?,
        not_codes: r
            .opt_codes_in("not_codes", lookups.code_sets)?
            .unwrap_or_default(),
        if_set: r
            .opt_strings("if_set")?
            .unwrap_or_default()
            .iter()
            .map(|s| Path::parse(s))
            .collect(),
        unless_value: r.opt_strings("unless_value")?.unwrap_or_default(),
    };
    let table = |r: &mut Reader<'_>, key: &str| -> Result<HashMap<String, Value>, MappingError> {
        match r.opt_value(key) {
            Some(toml::Value::String(name)) => tables
                .get(&name)
                .cloned()
                .ok_or_else(|| r.err(format!("no table `{name}` in [tables]"))),
            Some(toml::Value::Table(t)) => {
                Ok(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
            }
            Some(other) => Err(r.err(format!("`{key}` must name a table or be one, not {other}"))),
            None => Err(r.err(format!("missing `{key}`"))),
        }
    };
    let related = |r: &mut Reader<'_>| -> Result<Option<Path>, MappingError> {
        Ok(r.opt_str("related")?
            .map(|k| Path::parse("related").join(&k)))
    };
    let op = match op_name.as_str() {
        "drop_values" => Op::DropValues {
            values: r
                .opt_strings("values")?
                .ok_or_else(|| r.err("missing `values`"))?,
        },
        "categorize" => Op::Categorize,
        "timestamp" => {
            let from = r.src("from")?;
            let format = match r.str("format")?.as_str() {
                "sysmon" => TimeFormat::Sysmon,
                other => return Err(r.err(format!("unknown time format `{other}`"))),
            };
            Op::Timestamp { from, format }
        }
        "move" | "copy" => {
            let from = r.src("from")?;
            let to = r.path("to")?;
            let convert = match r.opt_str("convert")?.as_deref() {
                None | Some("string") => Convert::None,
                Some("long") => Convert::Long,
                Some("ip") => Convert::Ip,
                Some("boolean") => Convert::Boolean,
                Some(other) => return Err(r.err(format!("unknown conversion `{other}`"))),
            };
            let before = r.opt_str("before")?;
            let strip = r.opt_strings("strip")?.unwrap_or_default();
            let related = related(&mut r)?;
            let rename = op_name == "move";
            let remove_source = rename || r.opt_bool("remove_source")?.unwrap_or(false);
            Op::Put {
                from,
                to,
                convert,
                rename,
                remove_source,
                before,
                strip,
                related,
            }
        }
        "set" => {
            let to = r.path("to")?;
            let value = r
                .opt_value("value")
                .map(|v| Node::from_value(&toml_to_json(v)))
                .ok_or_else(|| r.err("missing `value`"))?;
            Op::Set { to, value }
        }
        "remove" => Op::Remove {
            fields: r
                .opt_strings("fields")?
                .ok_or_else(|| r.err("missing `fields`"))?
                .iter()
                .map(|f| source(f))
                .collect(),
        },
        "lookup" => Op::Lookup {
            from: r.src("from")?,
            to: r.path("to")?,
            table: table(&mut r, "table")?
                .into_iter()
                .map(|(k, v)| (k, Node::from_value(&v)))
                .collect(),
            lowercase: r.opt_bool("lowercase")?.unwrap_or(false),
        },
        "flags" => {
            let from = r.src("from")?;
            let to = r.path("to")?;
            let t = table(&mut r, "table")?;
            let mut flags = Vec::new();
            for (mask, name) in t {
                let m = crate::record::parse_u64(&mask)
                    .ok_or_else(|| r.err(format!("flag `{mask}` is not a number")))?;
                let Value::String(name) = name else {
                    return Err(r.err(format!("flag `{mask}` must map to a string")));
                };
                flags.push((m, name));
            }
            flags.sort_by_key(|f| std::cmp::Reverse(f.0));
            Op::Flags {
                from,
                to,
                table: flags,
            }
        }
        "split" => {
            let from = r.src("from")?;
            let separator = match r.str("separator")?.as_str() {
                "whitespace" => Separator::Whitespace,
                token => Separator::Token(token.to_string()),
            };
            Op::Split {
                from,
                separator,
                trim: r.opt_bool("trim")?.unwrap_or(false),
                drop_empty: r.opt_bool("drop_empty")?.unwrap_or(false),
            }
        }
        "split_user" => Op::SplitUser {
            from: r.src("from")?,
            domain: r.path("domain")?,
            name: r.path("name")?,
        },
        "hashes" => {
            let from = r.src("from")?;
            let mut targets = Vec::new();
            if let Some(v) = r.opt_value("targets") {
                let toml::Value::Array(items) = v else {
                    return Err(r.err("`targets` must be a list"));
                };
                for item in items {
                    let toml::Value::Table(t) = item else {
                        return Err(r.err("each target must be a table"));
                    };
                    let mut tr = Reader::new(r.file, format!("{} targets", r.at), t);
                    let codes = tr.opt_codes("codes")?.unwrap_or_default();
                    let to = tr.path("to")?;
                    tr.finish()?;
                    targets.push((codes, to.join("hash"), to.join("pe.imphash")));
                }
            }
            Op::Hashes { from, targets }
        }
        "args" => {
            let from = r.src("from")?;
            let to = r.path("to")?;
            let count_to = r.opt_str("count_to")?.map(|p| Path::parse(&p));
            let style = match r.str("style")?.as_str() {
                "windows" => ArgsStyle::Windows,
                "quoted" => ArgsStyle::Quoted,
                other => return Err(r.err(format!("unknown args style `{other}`"))),
            };
            Op::Args {
                from,
                to,
                count_to,
                style,
            }
        }
        "basename" => {
            let from = r.src("from")?;
            let to = r.path("to")?;
            let style = match r.opt_str("style")?.as_deref() {
                None | Some("after_last_backslash") => BasenameStyle::AfterLastBackslash,
                Some("last_part") => BasenameStyle::LastPart,
                Some(other) => return Err(r.err(format!("unknown basename style `{other}`"))),
            };
            Op::Basename { from, to, style }
        }
        "file_parts" => {
            let from = r.src("from")?;
            let to = r.path("to")?;
            Op::FileParts {
                from,
                to: [to.join("name"), to.join("directory"), to.join("extension")],
            }
        }
        "extension" => Op::Extension {
            from: r.src("from")?,
            to: r.path("to")?,
        },
        "registry" => {
            let from = r.src("from")?;
            let details = r.src("details")?;
            let to = r.path("to")?;
            Op::Registry {
                from,
                details,
                to: ["path", "hive", "key", "value", "data.strings", "data.type"]
                    .map(|f| to.join(f)),
                kernel_paths: r.opt_bool("kernel_paths")?.unwrap_or(false),
            }
        }
        "dns_answers" => {
            let from = r.src("from")?;
            let mut types = HashMap::new();
            for (k, v) in table(&mut r, "types")? {
                let Value::String(name) = v else {
                    return Err(r.err(format!("type `{k}` must map to a string")));
                };
                types.insert(k, name);
            }
            Op::DnsAnswers { from, types }
        }
        "related" => {
            let kind = Path::parse("related").join(&r.str("kind")?);
            let from = r
                .opt_strings("from")?
                .ok_or_else(|| r.err("missing `from`"))?
                .iter()
                .map(|s| source(s))
                .collect();
            Op::Related { kind, from }
        }
        "template" => {
            let to = r.path("to")?;
            let value = r.str("value")?;
            let parts = parse_template(&value).map_err(|m| r.err(m))?;
            Op::Template { to, parts }
        }
        "kv" => Op::Kv {
            from: r.src("from")?,
            to: r.path("to")?,
            field_split: r.str("field_split")?,
            value_split: r.str("value_split")?,
            trim: r.opt_str("trim")?.unwrap_or_default().chars().collect(),
        },
        "strip_key_spaces" => Op::StripKeySpaces,
        "trim" => Op::Trim {
            field: r.src("field")?,
        },
        "strip_v4_mapped" => Op::StripV4Mapped {
            field: r.src("field")?,
        },
        "put_or" => {
            let from = r
                .opt_strings("from")?
                .ok_or_else(|| r.err("missing `from`"))?
                .iter()
                .map(|s| source(s))
                .collect();
            Op::PutOr {
                from,
                to: r.path("to")?,
                else_to: r.path("else_to")?,
                before: r.opt_str("before")?,
                related: related(&mut r)?,
            }
        }
        "dn_part" => {
            let from = r.src("from")?;
            let to = r.path("to")?;
            let index = match r.opt_value("index") {
                Some(toml::Value::Integer(i)) if i >= 0 => i as usize,
                _ => return Err(r.err("`index` must be a non-negative integer")),
            };
            Op::DnPart {
                from,
                to,
                index,
                strip: r.opt_strings("strip")?.unwrap_or_default(),
                related: related(&mut r)?,
            }
        }
        other => return Err(r.err(format!("unknown op `{other}`"))),
    };
    if !when.unless_value.is_empty() && op.primary_source().is_none() {
        return Err(r.err("`unless_value` needs an op with a source"));
    }
    r.finish()?;
    Ok(Step { when, op })
}

/// `"{a.b}\\{c}"` → text and field parts.
fn parse_template(s: &str) -> Result<Vec<TemplatePart>, String> {
    let mut parts = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            parts.push(TemplatePart::Text(rest[..open].to_string()));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("unclosed `{{` in template `{s}`"))?;
        parts.push(TemplatePart::Field(Path::parse(&after[..close])));
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(TemplatePart::Text(rest.to_string()));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_ops_are_errors() {
        let e = load_channel(
            "t.toml",
            "channels = [\"X\"]\ndataset = \"d\"\n[[steps]]\nop = \"move\"\nfrom = \"A\"\nto = \"b\"\ntoo = 1\n",
        )
        .expect_err("typo");
        assert!(e.message.contains("unknown key `too`"), "{e}");
        let e = load_channel(
            "t.toml",
            "channels = [\"X\"]\ndataset = \"d\"\n[[steps]]\nop = \"frobnicate\"\n",
        )
        .expect_err("bad op");
        assert!(e.message.contains("unknown op"), "{e}");
        assert_eq!(e.at, "steps[0] (op frobnicate)");
    }

    #[test]
    fn named_tables_resolve() {
        let m = load_channel(
            "t.toml",
            "channels = [\"X\"]\ndataset = \"d\"\n[[steps]]\nop = \"lookup\"\nfrom = \"A\"\nto = \"b\"\ntable = \"t\"\n[tables.t]\n\"1\" = \"one\"\n",
        )
        .expect("loads");
        assert!(matches!(&m.steps.steps[0].op, Op::Lookup { table, .. } if table.len() == 1));
        let e = load_channel(
            "t.toml",
            "channels = [\"X\"]\ndataset = \"d\"\n[[steps]]\nop = \"lookup\"\nfrom = \"A\"\nto = \"b\"\ntable = \"nope\"\n",
        )
        .expect_err("missing table");
        assert!(e.message.contains("no table `nope`"), "{e}");
    }

    #[test]
    fn header_is_read_without_the_tables() {
        let text = "channels = [\"A\", \"B\"]\ndataset = \"x.y\"\n\n[[steps]]\nop = \"nope\"\n";
        let (channels, dataset) = channel_header("t.toml", text).expect("header");
        assert_eq!(channels, ["A", "B"]);
        assert_eq!(dataset, "x.y");
        assert!(
            load_channel("t.toml", text).is_err(),
            "the full load still checks steps"
        );
        let e = channel_header("t.toml", "[events]\nchannels = [\"A\"]\n").expect_err("late");
        assert!(e.message.contains("before the first table"), "{e}");
    }

    #[test]
    fn templates_parse() {
        let p = parse_template("{file.directory}\\{file.name}").expect("ok");
        assert_eq!(p.len(), 3);
        assert!(parse_template("{open").is_err());
    }
}
