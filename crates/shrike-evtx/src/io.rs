//! The EVTX reader as `shrike-io`'s EVTX decoder, so `.evtx` files are accepted wherever
//! shrike reads inputs (files, folders mixing EVTX and NDJSON, compressed files, stdin).

use std::ops::ControlFlow;
use std::path::Path;

use shrike_io::{EvtxDecoder, EvtxItem, ReadSeek};

use crate::reader::{Doc, EvtxReader, Item};

/// Decodes EVTX inputs into ECS documents for `shrike_io::Reader::with_evtx`.
#[derive(Debug, Clone)]
pub struct IoDecoder {
    reader: EvtxReader,
}

impl IoDecoder {
    /// A decoder reading with `reader` (best built with [`crate::OutputKind::EcsJson`]:
    /// shrike-io wants JSON text, and the workers then produce it).
    pub fn new(reader: EvtxReader) -> IoDecoder {
        IoDecoder { reader }
    }
}

impl EvtxDecoder for IoDecoder {
    /// Emits each record under its `EventRecordID` (its number in the file when the record
    /// has none), and each damaged chunk or record as an error message with its location.
    fn decode(
        &self,
        input: &mut dyn ReadSeek,
        emit: &mut dyn FnMut(u64, Result<EvtxItem, String>) -> ControlFlow<()>,
    ) -> Result<(), String> {
        self.reader
            .read(input, Path::new(""), |item| match item {
                Item::Event(e) => {
                    let number = e
                        .location
                        .event_record_id
                        .unwrap_or(e.location.record_number);
                    let item = match e.doc {
                        Doc::Value(v) => EvtxItem::Value(v),
                        Doc::Json(text) => EvtxItem::Json(text),
                    };
                    emit(number, Ok(item))
                }
                Item::Damage(d) => emit(d.record_number.unwrap_or(0), Err(d.describe())),
            })
            .map(|_| ())
            .map_err(|e| e.message)
    }
}
