//! Bad input never crashes and never silently vanishes: each case is reported with its
//! location and code, and everything else is kept. Large inputs are generated here at run
//! time, never checked in.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::Write;

use shrike_io::{codes, expand, DefaultIndex, InputReport, InputSpec, ReadOptions, Source};
use support::{gzip, read, read_with, write, zstd};

#[test]
fn malformed_lines_are_reported_by_the_consumer_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.ndjson",
        b"{\"n\":1}\n{\"n\":}\nhello\n[1,2]\n{\"n\":4}\n{\"n\":5",
    );
    let o = read(dir.path(), &["a.ndjson"]);
    assert_eq!(o.records, ["a.ndjson:1 {\"n\":1}", "a.ndjson:5 {\"n\":4}"]);
    assert_eq!(
        o.report,
        "a.ndjson:2: error[I0006]: malformed JSON: expected value (column 6)\n\
         a.ndjson:3: error[I0008]: not a JSON object: starts with `hello`\n\
         a.ndjson:4: error[I0008]: not a JSON object: starts with `[1,2]`\n\
         a.ndjson:6: error[I0006]: malformed JSON: EOF while parsing an object (column 6)\n"
    );
    assert_eq!(o.errors, 4);
}

#[test]
fn invalid_utf8_is_reported_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "u.ndjson",
        b"{\"n\":1}\n{\"s\":\"\xff\xfe\"}\n{\"n\":3}\n",
    );
    write(
        dir.path(),
        "u.json",
        b"[{\"n\":1},\n{\"s\":\n\"\xc3\"}, {\"n\":3}]",
    );
    let o = read(dir.path(), &["u.ndjson", "u.json"]);
    assert_eq!(
        o.records,
        [
            "u.ndjson:1 {\"n\":1}",
            "u.ndjson:3 {\"n\":3}",
            "u.json:1 {\"n\":1}",
            "u.json:3 {\"n\":3}"
        ]
    );
    assert_eq!(o.count(codes::INVALID_UTF8), 2);
    assert!(
        o.report
            .contains("u.ndjson:2: error[I0005]: invalid UTF-8 at byte 6 of the record"),
        "{}",
        o.report
    );
    assert!(
        o.report.contains("u.json:3: error[I0005]: invalid UTF-8"),
        "{}",
        o.report
    );
}

fn numbered_lines(n: usize) -> Vec<u8> {
    let mut text = Vec::new();
    for i in 0..n {
        writeln!(text, "{{\"n\":{i},\"pad\":\"{}\"}}", "x".repeat(i % 50)).unwrap();
    }
    text
}

#[test]
fn truncated_gzip_and_zstd_keep_what_came_before() {
    let dir = tempfile::tempdir().unwrap();
    let text = numbered_lines(20_000);
    let gz = gzip(&text);
    let zs = zstd(&text);
    write(dir.path(), "t.gz", &gz[..gz.len() / 2]);
    write(dir.path(), "t.zst", &zs[..zs.len() / 2]);
    let mut corrupt = gz.clone();
    let mid = corrupt.len() / 2;
    corrupt[mid..mid + 64].fill(0x55);
    write(dir.path(), "c.gz", &corrupt);
    for name in ["t.gz", "t.zst", "c.gz"] {
        let o = read(dir.path(), &[name]);
        assert_eq!(o.count(codes::CORRUPT_STREAM), 1, "{name}: {}", o.report);
        assert!(
            o.records.len() > 1000 && o.records.len() < 20_000,
            "{name}: {}",
            o.records.len()
        );
        // What was kept is the first lines, in order, with nothing half-read. (Deflate
        // corruption is only certain at the member's CRC: lines decoded from the damaged
        // stretch before that may differ, and are passed on.)
        let intact = if name == "c.gz" {
            1000
        } else {
            o.records.len()
        };
        for (i, r) in o.records.iter().take(intact).enumerate() {
            assert!(
                r.starts_with(&format!("{name}:{} {{\"n\":{i},", i + 1)),
                "{name}: {r}"
            );
        }
        assert_eq!(
            o.errors,
            o.count(codes::CORRUPT_STREAM)
                + o.count(codes::MALFORMED_JSON)
                + o.count(codes::INVALID_UTF8)
                + o.count(codes::NOT_AN_OBJECT),
            "{}",
            o.report
        );
        let stream = if name.ends_with("zst") {
            "zstd"
        } else {
            "gzip"
        };
        // (c.gz decodes to so much garbage that its I0003 is past the verbatim messages.)
        assert!(
            name == "c.gz"
                || o.report.contains(&format!(
                    "error[I0003]: truncated or corrupt {stream} stream"
                )),
            "{}",
            o.report
        );
    }
}

#[test]
fn a_100_mb_line_is_skipped_without_buffering_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.ndjson");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        f.write_all(b"{\"n\":1}\n{\"big\":\"").unwrap();
        let block = vec![b'a'; 1 << 20];
        for _ in 0..100 {
            f.write_all(&block).unwrap();
        }
        f.write_all(b"\"}\n{\"n\":3}\n").unwrap();
    }
    let o = read(dir.path(), &["big.ndjson"]);
    assert_eq!(
        o.records,
        ["big.ndjson:1 {\"n\":1}", "big.ndjson:3 {\"n\":3}"]
    );
    assert_eq!(
        o.report,
        "big.ndjson:2: error[I0004]: line longer than the cap of 16777216 bytes; skipped\n"
    );
}

#[test]
fn records_over_a_small_cap_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let long = "y".repeat(5000);
    write(
        dir.path(),
        "l.ndjson",
        format!("{{\"n\":1}}\n{{\"s\":\"{long}\"}}\n{{\"n\":3}}").as_bytes(),
    );
    write(
        dir.path(),
        "l.json",
        format!("[{{\"n\":1}},\n{{\"s\":\"{long}\"}},\n{{\"n\":3}}]").as_bytes(),
    );
    write(
        dir.path(),
        "l.gz",
        &gzip(format!("{{\"n\":1}}\n{{\"s\":\"{long}\"}}\n{{\"n\":3}}\n").as_bytes()),
    );
    let sources: Vec<Source> = ["l.ndjson", "l.json", "l.gz"]
        .iter()
        .map(|f| Source::file(dir.path().join(f)))
        .collect();
    let opts = ReadOptions {
        max_record_bytes: 1000,
        chunk_bytes: 100,
        ..ReadOptions::default()
    };
    let o = read_with(&sources, opts, None, dir.path());
    assert_eq!(
        o.records,
        [
            "l.ndjson:1 {\"n\":1}",
            "l.ndjson:3 {\"n\":3}",
            "l.json:1 {\"n\":1}",
            "l.json:3 {\"n\":3}",
            "l.gz:1 {\"n\":1}",
            "l.gz:3 {\"n\":3}"
        ]
    );
    assert_eq!(o.count(codes::TOO_LARGE), 3, "{}", o.report);
    assert!(o.report.contains("l.json:2: error[I0004]"), "{}", o.report);
}

#[test]
fn a_10000_deep_document_is_reported_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(10_000), "]".repeat(10_000));
    write(
        dir.path(),
        "d.ndjson",
        format!("{{\"n\":1}}\n{deep}\n{{\"n\":3}}\n").as_bytes(),
    );
    write(
        dir.path(),
        "d.json",
        format!("[{{\"n\":1}},\n{deep},\n{{\"n\":3}}]").as_bytes(),
    );
    write(
        dir.path(),
        "h.ndjson",
        format!("{{\"_index\":\"i\",\"_source\":{{\"n\":1}}}}\n{{\"_index\":\"i\",\"_source\":{deep}}}\n").as_bytes(),
    );
    let o = read(dir.path(), &["d.ndjson", "d.json", "h.ndjson"]);
    assert_eq!(
        o.records,
        [
            "d.ndjson:1 {\"n\":1}",
            "d.ndjson:3 {\"n\":3}",
            "d.json:1 {\"n\":1}",
            "d.json:3 {\"n\":3}",
            "h.ndjson:1 index=i {\"n\":1}"
        ]
    );
    assert_eq!(o.count(codes::TOO_DEEP), 3, "{}", o.report);
    for at in ["d.ndjson:2:", "d.json:2:", "h.ndjson:2:"] {
        assert!(
            o.report.contains(&format!("{at} error[I0007]")),
            "{at}: {}",
            o.report
        );
    }
}

#[test]
fn empty_inputs_are_warnings() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "empty.ndjson", b"");
    write(dir.path(), "blank.json", b"\n  \n\t");
    write(dir.path(), "empty.gz", &gzip(b""));
    write(dir.path(), "empty-array.json", b"[]");
    let o = read(
        dir.path(),
        &["empty.ndjson", "blank.json", "empty.gz", "empty-array.json"],
    );
    assert!(o.records.is_empty());
    assert_eq!((o.errors, o.warnings), (0, 4), "{}", o.report);
    assert!(
        o.report
            .starts_with("empty.ndjson: warning[I0013]: no records: the input is empty\n"),
        "{}",
        o.report
    );
    assert_eq!(o.stats.inputs, 4);
}

#[test]
fn binary_junk_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut junk = vec![0u8; 3000];
    fastrand::Rng::with_seed(1).fill(&mut junk);
    junk[0] = 0x00;
    write(dir.path(), "junk.bin", &junk);
    write(dir.path(), "README.md", b"# Logs\nSee below.\n");
    write(dir.path(), "ok.ndjson", b"{\"n\":1}\n");
    let o = read(
        dir.path(),
        &["junk.bin", "missing.ndjson", "ok.ndjson", "README.md"],
    );
    assert_eq!(o.records, ["ok.ndjson:1 {\"n\":1}"]);
    assert_eq!(o.count(codes::UNRECOGNISED), 2);
    assert_eq!(o.count(codes::UNREADABLE), 1);
    assert!(
        o.report
            .contains("junk.bin: error[I0002]: not a log format shrike reads: binary data"),
        "{}",
        o.report
    );
    assert!(
        o.report
            .contains("missing.ndjson: error[I0001]: cannot open"),
        "{}",
        o.report
    );
    assert!(o.report.contains("README.md: error[I0002]: not a log format shrike reads: not JSON: the first line starts with `# Logs`"), "{}", o.report);

    // Met while walking a directory, a stray file is only a warning.
    let mut report = InputReport::default();
    let specs = [InputSpec::parse(&dir.path().display().to_string()).unwrap()];
    let walked = expand(&specs, DefaultIndex::None, &mut report);
    let o = read_with(&walked, ReadOptions::default(), None, dir.path());
    assert_eq!((o.errors, o.warnings), (0, 2), "{}", o.report);
}

#[test]
fn broken_structure_in_whole_value_files() {
    let dir = tempfile::tempdir().unwrap();
    // An array cut off: the elements before the cut are kept.
    write(
        dir.path(),
        "cut.json",
        b"[\n{\"n\":1},\n{\"n\":2},\n{\"n\":",
    );
    // A mismatched bracket inside a pretty-printed document: resynchronise at the next
    // document start.
    write(
        dir.path(),
        "mis.json",
        b"{\n \"a\": [1}\n}\n{\n \"n\": 2\n}\n",
    );
    // Junk between documents, a non-object element, a hit without `_source`.
    write(dir.path(), "junk.json", b"{\"n\":1}\n\nxyz\n{\"n\":2}\n");
    write(dir.path(), "elem.json", b"[{\"n\":1}, 5, \"s\", {\"n\":2}]");
    write(dir.path(), "nosrc.ndjson", b"{\"_index\":\"i\",\"_id\":\"1\",\"_source\":{\"n\":1}}\n{\"_index\":\"i\",\"_id\":\"2\"}\n");
    let o = read(
        dir.path(),
        &[
            "cut.json",
            "mis.json",
            "junk.json",
            "elem.json",
            "nosrc.ndjson",
        ],
    );
    assert_eq!(
        o.records,
        [
            "cut.json:2 {\"n\":1}",
            "cut.json:3 {\"n\":2}",
            "mis.json:4 {\"n\":2}",
            "junk.json:1 {\"n\":1}",
            "junk.json:4 {\"n\":2}",
            "elem.json:1 {\"n\":1}",
            "elem.json:1 {\"n\":2}",
            "nosrc.ndjson:1 index=i id=1 {\"n\":1}"
        ]
    );
    assert!(
        o.report
            .contains("cut.json:4: error[I0006]: malformed JSON: input ends inside a JSON value"),
        "{}",
        o.report
    );
    assert!(
        o.report
            .contains("mis.json:2: error[I0006]: malformed JSON: unexpected `}`"),
        "{}",
        o.report
    );
    assert!(
        o.report
            .contains("junk.json:3: error[I0008]: not a JSON object: starts with `xyz`"),
        "{}",
        o.report
    );
    assert_eq!(o.count(codes::NOT_AN_OBJECT), 3, "{}", o.report);
    assert!(
        o.report
            .contains("nosrc.ndjson:2: error[I0009]: search hit without `_source`"),
        "{}",
        o.report
    );
}

#[test]
fn the_report_keeps_the_first_messages_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = Vec::new();
    for i in 0..500 {
        if i % 2 == 0 {
            writeln!(text, "{{\"n\":{i}}}").unwrap();
        } else {
            writeln!(text, "{{\"n\":").unwrap();
        }
    }
    write(dir.path(), "half.ndjson", &text);
    let o = read(dir.path(), &["half.ndjson"]);
    assert_eq!(o.records.len(), 250);
    assert_eq!(o.count(codes::MALFORMED_JSON), 250);
    // `read` keeps 1000 messages; with the default of 20 the rest are counted.
    let mut report = InputReport::default();
    shrike_io::Reader::new(ReadOptions::default()).for_each(
        &[Source::file(dir.path().join("half.ndjson"))],
        &mut report,
        |rec, p| {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(rec.json) {
                p.json_error(&rec, &e);
            }
            std::ops::ControlFlow::Continue(())
        },
    );
    assert_eq!(report.messages().len(), 20);
    assert_eq!(report.messages()[0].location.pos, shrike_io::Pos::Line(2));
    assert!(
        report
            .render()
            .ends_with("I0006 (malformed JSON): 230 more not shown (250 in total)\n"),
        "{}",
        report.render()
    );
}
