//! EVTX through shrike-io's input pipeline: the same records come out as from the reader,
//! and a damaged file's damage shows up as input problems.

use std::ops::ControlFlow;
use std::sync::Arc;

use shrike_evtx::{EvtxReader, IoDecoder, OutputKind, ReadOptions};
use shrike_io::{expand, DefaultIndex, InputReport, InputSpec, Reader};
use shrike_testkit::shared_or_skip;

#[test]
fn evtx_inputs_decode_through_shrike_io() {
    let Some(file) = shared_or_skip(
        "samples/evtx/parser-samples/sample_with_a_bad_chunk_magic.evtx",
        "evtx_inputs_decode_through_shrike_io",
    ) else {
        return;
    };
    let decoder = IoDecoder::new(EvtxReader::with_builtin_mapping(ReadOptions {
        output: OutputKind::EcsJson,
        ..ReadOptions::default()
    }));
    let reader = Reader::new(shrike_io::ReadOptions::default()).with_evtx(Arc::new(decoder));
    let mut report = InputReport::new(100);
    let spec = InputSpec::parse(&file.to_string_lossy()).expect("input spec");
    let sources = expand(&[spec], DefaultIndex::None, &mut report);
    let mut records = 0;
    let mut sysmon_like = 0;
    reader.for_each(&sources, &mut report, |rec, _| {
        records += 1;
        let v: serde_json::Value = serde_json::from_str(rec.json).expect("document JSON");
        if v.pointer("/data_stream/dataset").is_some() {
            sysmon_like += 1;
        }
        ControlFlow::Continue(())
    });
    // Same counts as the reader pins in sample_counts.tsv: 301 records, 3 damaged parts.
    assert_eq!(records, 301);
    assert_eq!(sysmon_like, 301);
    assert_eq!(report.errors(), 3, "{:?}", report.messages());
}
