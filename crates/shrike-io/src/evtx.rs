//! The hook for Windows event logs. shrike-io recognises EVTX files by their magic bytes
//! (`ElfFile\0`, also inside gzip/zstd or on stdin) and hands them to a decoder plugged into
//! the [`Reader`](crate::Reader), so the reading and ECS mapping of EVTX live elsewhere
//! (`shrike-evtx`, wired in by the default `evtx` feature, see [`builtin_decoder`]).

use std::ops::ControlFlow;
use std::path::Path;

/// One decoded event's document.
#[derive(Clone, Debug, PartialEq)]
pub enum EvtxItem {
    /// The event as a JSON value (e.g. already mapped to ECS).
    Value(serde_json::Value),
    /// The event as JSON text.
    Json(String),
}

/// One decoded event.
#[derive(Clone, Debug, PartialEq)]
pub struct EvtxEvent {
    /// The record's number in the file.
    pub record: u64,
    /// The index the event belongs to (from the mapping, e.g.
    /// `logs-system.security-default`), if any; the command line's `INDEX=FILE` overrides it.
    pub index: Option<String>,
    /// The document.
    pub item: EvtxItem,
}

/// A part of an EVTX file that could not be read (skipped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvtxDamage {
    /// The record's number, when known.
    pub record: Option<u64>,
    /// What was skipped and why.
    pub message: String,
}

/// Decodes EVTX files into JSON documents.
pub trait EvtxDecoder: Send + Sync {
    /// Decodes every record of the EVTX file at `path`, in file order, handing each event
    /// or damaged part to `emit`; stop when `emit` breaks. An `Err` means the file as a whole
    /// could not be read (what was emitted before it is kept). `path` is the input itself, or
    /// a temporary copy when the input came compressed or on stdin; `name` is the input's
    /// display name, for documents that record the file they came from.
    fn decode(
        &self,
        path: &Path,
        name: &str,
        emit: &mut dyn FnMut(Result<EvtxEvent, EvtxDamage>) -> ControlFlow<()>,
    ) -> Result<(), String>;
}

/// The EVTX decoder of `shrike-evtx` with its built-in ECS mapping.
#[cfg(feature = "evtx")]
pub fn builtin_decoder() -> std::sync::Arc<dyn EvtxDecoder> {
    static BUILTIN: std::sync::OnceLock<std::sync::Arc<dyn EvtxDecoder>> =
        std::sync::OnceLock::new();
    BUILTIN
        .get_or_init(|| {
            // JSON text, serialized on shrike-evtx's worker threads.
            std::sync::Arc::new(Builtin(shrike_evtx::EvtxReader::with_builtin_mapping(
                shrike_evtx::ReadOptions {
                    output: shrike_evtx::OutputKind::EcsJson,
                    ..shrike_evtx::ReadOptions::default()
                },
            )))
        })
        .clone()
}

/// Adapts [`shrike_evtx::EvtxReader`] to [`EvtxDecoder`].
#[cfg(feature = "evtx")]
struct Builtin(shrike_evtx::EvtxReader);

#[cfg(feature = "evtx")]
impl EvtxDecoder for Builtin {
    fn decode(
        &self,
        path: &Path,
        name: &str,
        emit: &mut dyn FnMut(Result<EvtxEvent, EvtxDamage>) -> ControlFlow<()>,
    ) -> Result<(), String> {
        use shrike_evtx::{DamageKind, Doc, Item};
        let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        // Documents name the input (log.file.path), not a temporary copy of it.
        self.0
            .read(file, Path::new(name), |item| match item {
                Item::Event(e) => emit(Ok(EvtxEvent {
                    record: e.location.record_number,
                    index: e.index,
                    item: match e.doc {
                        Doc::Value(v) => EvtxItem::Value(v),
                        Doc::Json(text) => EvtxItem::Json(text),
                    },
                })),
                Item::Damage(d) => {
                    let what = match d.kind {
                        DamageKind::Chunk => "damaged chunk skipped",
                        DamageKind::Record => "damaged record skipped",
                        DamageKind::Panic => "parser failure, skipped",
                    };
                    let mut message = String::new();
                    if let Some(c) = d.chunk {
                        message.push_str(&format!("chunk {c}: "));
                    }
                    message.push_str(&format!("{what}: {}", d.message));
                    emit(Err(EvtxDamage {
                        record: d.record_number,
                        message,
                    }))
                }
            })
            .map(|_| ())
            .map_err(|e| e.message)
    }
}
