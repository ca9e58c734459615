//! Every input format, read sequentially and in parallel.
#![allow(clippy::unwrap_used)]

mod support;

use std::ops::ControlFlow;
use std::sync::Arc;

use shrike_io::{
    codes, expand, DefaultIndex, EvtxDamage, EvtxDecoder, EvtxEvent, EvtxItem, InputReport,
    InputSpec, ReadOptions, Source,
};
use support::{gzip, read, read_with, write, zstd};

#[test]
fn ndjson_with_crlf_blank_lines_and_bom() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.ndjson",
        b"\xef\xbb\xbf{\"n\":1}\r\n\r\n  \n{\"n\":2}\n{\"n\":3}",
    );
    let o = read(dir.path(), &["a.ndjson"]);
    assert_eq!(
        o.records,
        [
            "a.ndjson:1 {\"n\":1}",
            "a.ndjson:4 {\"n\":2}",
            "a.ndjson:5 {\"n\":3}"
        ]
    );
    assert_eq!(o.report, "");
    assert_eq!(o.stats.records, 3);
    assert_eq!(o.stats.inputs, 1);
}

#[test]
fn ndjson_of_hits_keeps_index_and_id() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "export.ndjson",
        b"{\"_index\":\"logs-a\",\"_id\":\"x1\",\"_score\":1,\"_source\":{\"n\":1}}\n\
          {\"_id\":\"x2\",\"_source\":{\"n\":2},\"_index\":\"logs-\\u0062\"}\n",
    );
    let o = read(dir.path(), &["export.ndjson"]);
    assert_eq!(
        o.records,
        [
            "export.ndjson:1 index=logs-a id=x1 {\"n\":1}",
            "export.ndjson:2 index=logs-b id=x2 {\"n\":2}"
        ]
    );
}

#[test]
fn bulk_bodies() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bulk.ndjson",
        b"{\"index\":{\"_index\":\"winlog\",\"_id\":\"1\"}}\n{\"n\":1}\n\
          {\"delete\":{\"_index\":\"winlog\",\"_id\":\"9\"}}\n\
          {\"create\":{\"_id\":7}}\n{\"n\":2}\n\
          {\"update\":{\"_id\":\"1\"}}\n{\"doc\":{\"n\":3}}\n\
          {\"n\":4}\n\
          {\"index\":{}}\n",
    );
    let o = read(dir.path(), &["bulk.ndjson"]);
    assert_eq!(
        o.records,
        [
            "bulk.ndjson:2 index=winlog id=1 {\"n\":1}",
            "bulk.ndjson:5 id=7 {\"n\":2}"
        ]
    );
    assert_eq!(o.count(codes::BAD_BULK), 3, "{}", o.report);
    assert!(
        o.report
            .contains("bulk.ndjson:6: error[I0010]: `update` actions are not supported"),
        "{}",
        o.report
    );
    assert!(
        o.report
            .contains("bulk.ndjson:8: error[I0010]: expected a `_bulk` action line"),
        "{}",
        o.report
    );
    assert!(
        o.report
            .contains("bulk.ndjson:9: error[I0010]: `_bulk` action without its source line"),
        "{}",
        o.report
    );
}

#[test]
fn json_arrays_with_comments_and_hits() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "data.json",
        b"// test data\n[\n  {\"n\": 1},\n  //// case 2\n  {\n    \"n\": 2, // inline\n    \"s\": \"a//b\"\n  },\n  /* block */ {\"n\": 3},\n]\n",
    );
    write(
        dir.path(),
        "hits.json",
        b"[{\"_index\":\"i\",\"_id\":\"1\",\"_source\":{\"n\":1}},\n {\"_index\":\"i\",\"_id\":\"2\",\"_source\":{\"n\":2}}]",
    );
    let o = read(dir.path(), &["data.json", "hits.json"]);
    assert_eq!(
        o.records,
        [
            "data.json:3 {\"n\":1}",
            "data.json:5 {\"n\":2,\"s\":\"a//b\"}",
            "data.json:9 {\"n\":3}",
            "hits.json:1 index=i id=1 {\"n\":1}",
            "hits.json:2 index=i id=2 {\"n\":2}"
        ]
    );
    assert_eq!(o.report, "");
}

#[test]
fn search_responses_pretty_and_single_line() {
    let dir = tempfile::tempdir().unwrap();
    let pretty = b"{\n  \"took\": 3,\n  \"timed_out\": false,\n  \"_shards\": {\"total\": 1},\n  \"hits\": {\n    \"total\": {\"value\": 2},\n    \"hits\": [\n      {\"_index\": \"a\", \"_id\": \"1\", \"_source\": {\"n\": 1}},\n      {\n        \"_index\": \"b\", \"_id\": \"2\",\n        \"_source\": {\"n\": 2}\n      }\n    ]\n  },\n  \"aggregations\": {\"x\": {\"buckets\": []}}\n}\n";
    write(dir.path(), "resp.json", pretty);
    let mut one_line = String::from("{\"took\":1,\"hits\":{\"hits\":[");
    for i in 0..3000 {
        if i > 0 {
            one_line.push(',');
        }
        one_line.push_str(&format!(
            "{{\"_index\":\"x\",\"_id\":\"{i}\",\"_source\":{{\"n\":{i},\"pad\":\"{}\"}}}}",
            "p".repeat(20)
        ));
    }
    one_line.push_str("]}}\n");
    assert!(
        one_line.len() > 64 * 1024,
        "longer than the detection sample"
    );
    write(dir.path(), "scroll.json", one_line.as_bytes());
    write(
        dir.path(),
        "eql.json",
        b"{\"is_partial\":false,\"hits\":{\"total\":{\"value\":1},\"events\":[{\"_index\":\"e\",\"_id\":\"q\",\"_source\":{\"n\":9}}]}}",
    );
    let o = read(dir.path(), &["resp.json", "scroll.json", "eql.json"]);
    assert_eq!(
        o.records[..2],
        [
            "resp.json:8 index=a id=1 {\"n\":1}",
            "resp.json:9 index=b id=2 {\"n\":2}"
        ]
    );
    assert_eq!(o.records.len(), 2 + 3000 + 1);
    assert_eq!(
        o.records[2 + 2999],
        format!(
            "scroll.json:1 index=x id=2999 {{\"n\":2999,\"pad\":\"{}\"}}",
            "p".repeat(20)
        )
    );
    assert_eq!(o.records[3002], "eql.json:1 index=e id=q {\"n\":9}");
    assert_eq!(o.report, "");
}

#[test]
fn concatenated_pretty_documents() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "docs.json",
        b"{\n  \"n\": 1\n}\n{\n  \"n\": 2\n}{\"n\": 3}\n",
    );
    let o = read(dir.path(), &["docs.json"]);
    assert_eq!(
        o.records,
        [
            "docs.json:1 {\"n\":1}",
            "docs.json:4 {\"n\":2}",
            "docs.json:6 {\"n\":3}"
        ]
    );
}

#[test]
fn compressed_inputs_by_content_not_name() {
    let dir = tempfile::tempdir().unwrap();
    let text = b"{\"n\":1}\n{\"n\":2}\n";
    write(dir.path(), "a.log", &gzip(text));
    write(dir.path(), "b.json", &zstd(text));
    let mut multi = gzip(b"{\"n\":3}\n");
    multi.extend(gzip(b"{\"n\":4}\n"));
    write(dir.path(), "c.gz", &multi);
    write(dir.path(), "d.bin", &gzip(&zstd(b"[{\"n\":5}]")));
    let o = read(dir.path(), &["a.log", "b.json", "c.gz", "d.bin"]);
    assert_eq!(
        o.records,
        [
            "a.log:1 {\"n\":1}",
            "a.log:2 {\"n\":2}",
            "b.json:1 {\"n\":1}",
            "b.json:2 {\"n\":2}",
            "c.gz:1 {\"n\":3}",
            "c.gz:2 {\"n\":4}",
            "d.bin:1 {\"n\":5}"
        ]
    );
    assert_eq!(o.report, "");
    assert_eq!(o.stats.bytes_decoded, 16 + 16 + 16 + 9);
    assert!(o.stats.bytes_in > 0 && o.stats.bytes_in != o.stats.bytes_decoded);
}

#[test]
fn index_from_command_line_overrides_the_records_own() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "logs/h.ndjson",
        b"{\"_index\":\"orig\",\"_source\":{\"n\":1}}\n",
    );
    write(dir.path(), "logs/p.ndjson", b"{\"n\":2}\n");
    let mut report = InputReport::default();
    let arg = format!("winlogbeat={}", dir.path().join("logs/h.ndjson").display());
    let specs = [
        InputSpec::parse(&arg).unwrap(),
        InputSpec::parse(&dir.path().join("logs").display().to_string()).unwrap(),
    ];
    let none = expand(&specs, DefaultIndex::None, &mut report);
    let o = read_with(&none, ReadOptions::default(), None, dir.path());
    assert_eq!(
        o.records,
        [
            "logs/h.ndjson:1 index=winlogbeat {\"n\":1}",
            "logs/h.ndjson:1 index=orig {\"n\":1}",
            "logs/p.ndjson:1 {\"n\":2}"
        ]
    );
    let stems = expand(&specs, DefaultIndex::FileStem, &mut report);
    let o = read_with(&stems, ReadOptions::default(), None, dir.path());
    assert_eq!(
        o.records[1..],
        [
            "logs/h.ndjson:1 index=h {\"n\":1}",
            "logs/p.ndjson:1 index=p {\"n\":2}"
        ]
    );
}

#[test]
fn many_files_and_chunks_keep_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    let mut want = Vec::new();
    for f in 0..12 {
        let name = format!("f{f:02}.ndjson");
        let mut text = String::new();
        for l in 0..(50 + f * 37) {
            text.push_str(&format!("{{\"f\":{f},\"l\":{l}}}\n"));
            want.push(format!("{name}:{} {{\"f\":{f},\"l\":{l}}}", l + 1));
        }
        let bytes = if f % 3 == 0 {
            gzip(text.as_bytes())
        } else {
            text.into_bytes()
        };
        write(dir.path(), &name, &bytes);
        names.push(name);
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let o = read(dir.path(), &refs);
    assert_eq!(o.records, want);
}

#[test]
fn par_map_can_stop_early() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for l in 0..5000 {
        text.push_str(&format!("{{\"l\":{l}}}\n"));
    }
    let sources: Vec<Source> = (0..4)
        .map(|i| Source::file(write(dir.path(), &format!("{i}.ndjson"), text.as_bytes())))
        .collect();
    let opts = ReadOptions {
        threads: 3,
        chunk_bytes: 256,
        chunks_in_flight: 2,
        ..ReadOptions::default()
    };
    let mut seen = 0;
    let mut report = InputReport::default();
    shrike_io::Reader::new(opts).par_map(
        &sources,
        &mut report,
        |b, _| b.len(),
        |n| {
            seen += n;
            if seen > 100 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        },
    );
    assert!(seen > 100 && seen < 20_000, "{seen}");
}

/// A stand-in EVTX decoder: the "file" is `ElfFile\0` followed by JSON lines.
struct FakeEvtx;

impl EvtxDecoder for FakeEvtx {
    fn decode(
        &self,
        path: &std::path::Path,
        _name: &str,
        emit: &mut dyn FnMut(Result<EvtxEvent, EvtxDamage>) -> ControlFlow<()>,
    ) -> Result<(), String> {
        let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        let body = text.strip_prefix("ElfFile\0").ok_or("bad magic")?;
        for (i, line) in body.lines().enumerate() {
            let record = 100 + i as u64;
            let item = if line == "broken" {
                Err(EvtxDamage {
                    record: Some(record),
                    message: "bad record".to_string(),
                })
            } else {
                let item = if i % 2 == 0 {
                    EvtxItem::Value(serde_json::from_str(line).map_err(|e| e.to_string())?)
                } else {
                    EvtxItem::Json(line.to_string())
                };
                Ok(EvtxEvent {
                    record,
                    index: (i == 0).then(|| "logs-system.security-default".to_string()),
                    item,
                })
            };
            if emit(item).is_break() {
                break;
            }
        }
        Ok(())
    }
}

#[test]
fn evtx_is_routed_to_the_plugged_decoder() {
    let dir = tempfile::tempdir().unwrap();
    let evtx =
        b"ElfFile\0{\"event\":{\"code\":\"4688\"}}\n{\"event\":{\"code\":\"4624\"}}\nbroken\n";
    write(dir.path(), "Security.evtx", evtx);
    write(dir.path(), "Security.evtx.zst", &zstd(evtx));
    let sources = [
        Source::file(dir.path().join("Security.evtx")),
        Source::file(dir.path().join("Security.evtx.zst")),
    ];
    let decoder: Arc<dyn EvtxDecoder> = Arc::new(FakeEvtx);
    let o = read_with(&sources, ReadOptions::default(), Some(decoder), dir.path());
    assert_eq!(
        o.records,
        [
            "Security.evtx#100 index=logs-system.security-default {\"event\":{\"code\":\"4688\"}}",
            "Security.evtx#101 {\"event\":{\"code\":\"4624\"}}",
            "Security.evtx.zst#100 index=logs-system.security-default {\"event\":{\"code\":\"4688\"}}",
            "Security.evtx.zst#101 {\"event\":{\"code\":\"4624\"}}"
        ]
    );
    assert_eq!(o.count(codes::EVTX), 2);
    assert!(
        o.report
            .contains("Security.evtx#102: error[I0012]: bad record"),
        "{}",
        o.report
    );

    let o = read_with(&sources[..1], ReadOptions::default(), None, dir.path());
    assert!(o.records.is_empty());
    assert!(
        o.report.starts_with(
            "Security.evtx: error[I0011]: a Windows event log (EVTX), but no EVTX decoder"
        ),
        "{}",
        o.report
    );
}

#[test]
fn elasticsearch_spec_data_files() {
    let Some(data) =
        shrike_testkit::shared_or_skip("conformance/es-eql/data", "elasticsearch_spec_data_files")
    else {
        return;
    };
    let mut total = 0;
    for name in [
        "endgame-140.data",
        "extra.data",
        "missing-events.data",
        "sample1.data",
        "sample-multi.data",
    ] {
        let o = read_with(
            &[Source::file(data.join(name))],
            ReadOptions::default(),
            None,
            &data,
        );
        assert_eq!(o.report, "", "{name}");
        assert!(!o.records.is_empty(), "{name}");
        total += o.records.len();
    }
    assert!(total > 100, "{total}");
}

#[test]
fn real_evtx_files_through_the_builtin_decoder() {
    let Some(dir) = shrike_testkit::shared_or_skip(
        "samples/evtx/parser-samples",
        "real_evtx_files_through_the_builtin_decoder",
    ) else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "evtx"))
        .collect();
    files.sort();
    let Some(first) = files.first() else {
        eprintln!("SKIP: no .evtx file in {}", dir.display());
        return;
    };
    // The same log plain and zstd-compressed (spooled to a temporary file): same events.
    let tmp = tempfile::tempdir().unwrap();
    let raw = std::fs::read(first).unwrap();
    write(tmp.path(), "copy.evtx.zst", &zstd(&raw));
    let sources = [
        Source::file(first),
        Source::file(tmp.path().join("copy.evtx.zst")),
    ];
    let mut report = InputReport::default();
    let mut docs: Vec<(String, Option<String>, String)> = Vec::new();
    shrike_io::Reader::default().for_each(&sources, &mut report, |rec, _| {
        docs.push((
            rec.file.to_string(),
            rec.index.map(str::to_string),
            rec.json.to_string(),
        ));
        ControlFlow::Continue(())
    });
    let (a, b): (Vec<_>, Vec<_>) = docs.iter().partition(|d| d.0 == sources[0].name.as_ref());
    assert!(
        !a.is_empty(),
        "no events from {}: {}",
        first.display(),
        report.render()
    );
    assert_eq!(a.len(), b.len(), "{}", report.render());
    for (x, y) in a.iter().zip(&b) {
        // Identical but for the file they name.
        let y_as_x = y.2.replace(
            &serde_json::to_string(sources[1].name.as_ref()).unwrap(),
            &serde_json::to_string(sources[0].name.as_ref()).unwrap(),
        );
        assert_eq!((&x.1, &x.2), (&y.1, &y_as_x));
        let yv: serde_json::Value = serde_json::from_str(&y.2).unwrap();
        if let Some(path) = yv.pointer("/log/file/path") {
            assert_eq!(
                path,
                sources[1].name.as_ref(),
                "the input, not the spooled copy"
            );
        }
        let v: serde_json::Value = serde_json::from_str(&x.2).unwrap();
        assert!(
            v.get("@timestamp").is_some() || v.get("Event").is_some(),
            "{}",
            x.2
        );
    }
}

#[test]
fn memory_sources() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = gzip(b"{\"n\":1}\n[1]\n");
    let o = read_with(
        &[Source::memory("mem.gz", bytes)],
        ReadOptions::default(),
        None,
        dir.path(),
    );
    assert_eq!(o.records, ["mem.gz:1 {\"n\":1}"]);
    assert_eq!(
        o.report,
        "mem.gz:2: error[I0008]: not a JSON object: starts with `[1]`\n"
    );
}
