//! Any bytes as an input file: reading never panics, records are what the reader promises
//! (UTF-8 text starting with `{`, within the size cap), and the sequential and parallel
//! readers agree on records and problems.
#![no_main]

use std::ops::ControlFlow;

use libfuzzer_sys::fuzz_target;
use shrike_io::{InputReport, ReadOptions, Reader, Source};

fn options(threads: usize) -> ReadOptions {
    ReadOptions {
        threads,
        max_record_bytes: 4096,
        max_document_bytes: 1 << 16,
        max_depth: 32,
        chunk_bytes: 97,
        chunks_in_flight: 2,
    }
}

fuzz_target!(|data: &[u8]| {
    let sources = [Source::memory("fuzz", data.to_vec())];
    let mut seq = Vec::new();
    let mut report = InputReport::new(1000);
    Reader::new(options(1)).without_evtx().for_each(&sources, &mut report, |rec, problems| {
        assert!(rec.json.starts_with('{') && rec.json.len() <= 4096);
        if let Err(e) = serde_json::from_str::<serde_json::Value>(rec.json) {
            problems.json_error(&rec, &e);
        }
        seq.push((rec.pos, rec.index.map(str::to_string), rec.json.to_string()));
        ControlFlow::Continue(())
    });
    let seq_report = report.render();
    let mut par = Vec::new();
    let mut report = InputReport::new(1000);
    Reader::new(options(2)).without_evtx().par_map(
        &sources,
        &mut report,
        |batch, problems| {
            let mut out = Vec::new();
            for rec in batch.iter() {
                if let Err(e) = serde_json::from_str::<serde_json::Value>(rec.json) {
                    problems.json_error(&rec, &e);
                }
                out.push((rec.pos, rec.index.map(str::to_string), rec.json.to_string()));
            }
            out
        },
        |v| {
            par.extend(v);
            ControlFlow::Continue(())
        },
    );
    assert_eq!(seq, par);
    assert_eq!(seq_report, report.render());
});
