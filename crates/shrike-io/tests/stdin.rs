//! `-` reads standard input, compressed or not. The test runs itself as a child process
//! with a pipe as its stdin.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::ops::ControlFlow;
use std::process::{Command, Stdio};

use shrike_io::{InputReport, ReadOptions, Reader, Source};

const CHILD: &str = "SHRIKE_IO_STDIN_CHILD";

#[test]
fn reads_compressed_stdin() {
    if std::env::var_os(CHILD).is_some() {
        let mut report = InputReport::default();
        Reader::new(ReadOptions::default()).par_map(
            &[Source::stdin()],
            &mut report,
            |batch, _| {
                batch
                    .iter()
                    .map(|r| format!("RECORD {} {}", r.location(), r.json))
                    .collect::<Vec<_>>()
            },
            |lines| {
                for l in lines {
                    println!("{l}");
                }
                ControlFlow::Continue(())
            },
        );
        for p in report.messages() {
            println!("PROBLEM {p}");
        }
        return;
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "reads_compressed_stdin",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"{\"n\":1}\n\n{\"n\":2}\nnope\n").unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&gz.finish().unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // The test harness may print on the same line before ours.
    let ours: Vec<&str> = text
        .lines()
        .filter_map(|l| {
            l.find("RECORD ")
                .or_else(|| l.find("PROBLEM "))
                .map(|i| &l[i..])
        })
        .collect();
    assert_eq!(
        ours,
        [
            "RECORD <stdin>:1 {\"n\":1}",
            "RECORD <stdin>:3 {\"n\":2}",
            "PROBLEM <stdin>:4: error[I0008]: not a JSON object: starts with `nope`"
        ],
        "{text}"
    );
}
