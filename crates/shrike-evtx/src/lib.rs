//! Windows event logs (`.evtx`) for shrike: reading them with the [`evtx`] crate and mapping
//! each record to the ECS document Elastic Agent's `windows` and `system` integrations would
//! index, so Elastic's detection rules can run on raw logs.
//!
//! ```no_run
//! use std::ops::ControlFlow;
//! use shrike_evtx::{EvtxReader, Item, ReadOptions};
//!
//! let reader = EvtxReader::with_builtin_mapping(ReadOptions::default());
//! let summary = reader.read_file("Security.evtx".as_ref(), |item| {
//!     match item {
//!         Item::Event(e) => println!("{} {:?}", e.index.unwrap_or_default(), e.doc),
//!         Item::Damage(d) => eprintln!("{d}"),
//!     }
//!     ControlFlow::Continue(())
//! })?;
//! eprintln!("{} records, {} damaged chunks", summary.records, summary.damaged_chunks);
//! # Ok::<(), shrike_evtx::OpenError>(())
//! ```
//!
//! * [`reader`]: files in, [`Item`]s out in file order; damaged chunks and records are
//!   reported with their location and skipped; never a panic.
//! * [`record`]: the typed view of one record (its `System` header and data pairs).
//! * [`mapping`]: the data-driven ECS mapping; its tables live in `mappings/*.toml` and are
//!   described, with their sources, in `MAPPING.md`.
//!
//! This crate knows nothing of rules: it produces `serde_json::Value` documents and the
//! index each belongs to.
#![deny(missing_docs)]

mod doc;
mod json;
pub mod mapping;
pub mod reader;
pub mod record;

pub use doc::sorted;
pub use mapping::{MapOptions, Mapped, Mapper, MappingError};
pub use reader::{
    is_evtx, sniff, Damage, DamageKind, Doc, Event, EvtxReader, FileSummary, Item, Location,
    OpenError, OutputKind, ReadOptions,
};
pub use record::Record;
