//! The hook for Windows event logs. shrike-io recognises EVTX files by their magic bytes
//! (`ElfFile\0`, also inside gzip/zstd) and hands them to a decoder plugged in by the
//! caller, so this crate does not depend on the EVTX reader and its ECS mapping.

use std::io::{Read, Seek};
use std::ops::ControlFlow;

/// A readable, seekable input (EVTX readers need to seek between chunks).
pub trait ReadSeek: Read + Seek {}

impl<T: Read + Seek> ReadSeek for T {}

/// One decoded event record.
#[derive(Clone, Debug, PartialEq)]
pub enum EvtxItem {
    /// The event as a JSON value (e.g. already mapped to ECS).
    Value(serde_json::Value),
    /// The event as JSON text.
    Json(String),
}

/// Decodes EVTX files into JSON documents.
pub trait EvtxDecoder: Send + Sync {
    /// Decodes every record of `input`, in file order, calling `emit` with the record's
    /// number (`EventRecordID`) and the document or a message saying why that record could
    /// not be read. Stop when `emit` breaks. An `Err` means the file as a whole could not be
    /// read (records emitted before it are kept).
    fn decode(
        &self,
        input: &mut dyn ReadSeek,
        emit: &mut dyn FnMut(u64, Result<EvtxItem, String>) -> ControlFlow<()>,
    ) -> Result<(), String>;
}
