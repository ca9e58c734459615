//! Opening an input: decompression and format detection, both by content (magic bytes and
//! the first JSON value), never by file name.

use std::cell::Cell;
use std::io::{self, Cursor, Read};
use std::rc::Rc;

use memchr::memchr;

use crate::scan::{key_is, skip_ws, Members, Step, ValueScan};

/// Counts bytes read from the underlying file.
pub(crate) struct Counting<R> {
    pub inner: R,
    pub count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Reads up to `n` bytes (fewer only at end of input).
pub(crate) fn read_head(r: &mut dyn Read, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    r.take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Reads up to `n` bytes like [`read_head`], but keeps what was read before an error:
/// returns the bytes and the error, if one stopped the reading (a compressed stream cut
/// short fails only after yielding what it holds).
pub(crate) fn read_head_keeping(r: &mut dyn Read, n: usize) -> (Vec<u8>, Option<io::Error>) {
    let mut head = vec![0; n];
    let mut len = 0;
    while len < n {
        match r.read(&mut head[len..]) {
            Ok(0) => break,
            Ok(k) => len += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                head.truncate(len);
                return (head, Some(e));
            }
        }
    }
    head.truncate(len);
    (head, None)
}

/// A reader that fails once with a stored error (then reads as empty): replays an error
/// met while reading ahead, at the point in the stream where it happened.
pub(crate) struct Deferred(pub Option<io::Error>);

impl Read for Deferred {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(e) => Err(e),
            None => Ok(0),
        }
    }
}

/// A compression layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compression {
    Gzip,
    Zstd,
}

impl Compression {
    pub(crate) fn sniff(head: &[u8]) -> Option<Compression> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(Compression::Gzip)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Compression::Zstd)
        } else {
            None
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// Wraps `r` in decoders until the content is no longer compressed (at most two layers).
/// Returns the reader positioned at the start and the layers found.
pub(crate) fn decompress<'a>(
    mut r: Box<dyn Read + 'a>,
) -> io::Result<(Box<dyn Read + 'a>, Vec<Compression>)> {
    let mut layers = Vec::new();
    loop {
        let head = read_head(&mut r, 4)?;
        let kind = Compression::sniff(&head);
        let rest: Box<dyn Read + 'a> = Box::new(Cursor::new(head).chain(r));
        match kind {
            Some(c) if layers.len() < 2 => {
                layers.push(c);
                r = match c {
                    Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(rest)),
                    Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(rest)?),
                };
            }
            _ => return Ok((rest, layers)),
        }
    }
}

/// What an input contains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// One JSON object per line; `hit`: each is an Elasticsearch hit (`_source` inside).
    Lines { hit: bool },
    /// A `_bulk` body: action lines, each followed by a source line (except `delete`).
    Bulk,
    /// Whole JSON values, possibly multi-line and with comments: arrays of documents or
    /// hits, search responses, pretty-printed documents one after another.
    Values,
    /// A Windows event log file.
    Evtx,
    /// Nothing but whitespace.
    Empty,
    /// Not something shrike reads; the message says what it looks like.
    Unrecognised(String),
}

/// Bytes of decoded content examined to detect the format.
pub(crate) const SNIFF_BYTES: usize = 64 * 1024;

/// Detects the format from the first bytes of the (decompressed) content. `eof`: `head` is
/// the whole content. Returns the format and how many leading bytes to drop (a BOM).
pub(crate) fn detect(head: &[u8], eof: bool, max_depth: usize) -> (Format, usize) {
    if head.starts_with(b"ElfFile\0") {
        return (Format::Evtx, 0);
    }
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        return (
            Format::Unrecognised(
                "UTF-16 text (as PowerShell's `>` writes); convert it to UTF-8 first, e.g. with \
                 `iconv -f UTF-16 -t UTF-8`"
                    .into(),
            ),
            0,
        );
    }
    let archive = if head.starts_with(b"PK\x03\x04") {
        Some("a zip archive")
    } else if head.starts_with(b"BZh") {
        Some("bzip2-compressed data")
    } else if head.starts_with(b"\xfd7zXZ\0") {
        Some("xz-compressed data")
    } else if head.len() > 262 && &head[257..262] == b"ustar" {
        Some("a tar archive")
    } else {
        None
    };
    if let Some(what) = archive {
        return (
            Format::Unrecognised(format!(
                "{what}; unpack it first (gzip and zstd are read directly)"
            )),
            0,
        );
    }
    let bom = if head.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    let body = &head[bom..];
    let Ok(i) = skip_ws(body, 0, false) else {
        return (Format::Values, bom);
    };
    let Some(&first) = body.get(i) else {
        return (if eof { Format::Empty } else { Format::Values }, bom);
    };
    match first {
        b'[' | b'/' => (Format::Values, bom),
        b'{' => (detect_object(&body[i..], max_depth), bom),
        _ => {
            if memchr(0, body).is_some() || looks_binary(body) {
                return (Format::Unrecognised("binary data, not JSON".into()), 0);
            }
            // Text that does not start with JSON: still line-oriented JSON if at least half
            // of its lines start with `{` (a log with a few junk lines, reported one by
            // one); prose that happens to hold a `{` line (a licence, a README met while
            // walking a folder) is not.
            let (mut lines, mut json_lines) = (0usize, 0usize);
            for l in body.split(|&b| b == b'\n') {
                match l.iter().find(|b| !b.is_ascii_whitespace()) {
                    None => {}
                    Some(b'{') => {
                        lines += 1;
                        json_lines += 1;
                    }
                    Some(_) => lines += 1,
                }
            }
            if json_lines > 0 && json_lines * 2 >= lines {
                (Format::Lines { hit: false }, bom)
            } else {
                let line = body.split(|&b| b == b'\n').next().unwrap_or_default();
                (
                    Format::Unrecognised(format!(
                        "not JSON: the first line starts with `{}`",
                        crate::chunk::preview(line)
                    )),
                    0,
                )
            }
        }
    }
}

fn looks_binary(body: &[u8]) -> bool {
    let sample = &body[..body.len().min(4096)];
    let control = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    control * 10 > sample.len()
}

/// Classifies the first object: a line format when it ends on its own line, else whole
/// values; then by its top-level keys (possibly from an incomplete prefix).
fn detect_object(text: &[u8], max_depth: usize) -> Format {
    let mut scan = ValueScan::new(max_depth, false);
    let single_line = match scan.feed(text, false) {
        Step::Done(end) => {
            let rest_of_line =
                &text[end..memchr(b'\n', &text[end..]).map_or(text.len(), |k| end + k)];
            memchr(b'\n', &text[..end]).is_none()
                && rest_of_line.iter().all(u8::is_ascii_whitespace)
        }
        // Longer than the sample: single-line if no newline so far.
        Step::NeedMore => memchr(b'\n', text).is_none(),
        // Malformed on its first line: lines, reported one by one; malformed further down:
        // a multi-line document.
        Step::Error(_, at) if memchr(b'\n', &text[..at]).is_none() => {
            return Format::Lines { hit: false }
        }
        Step::Error(..) => return Format::Values,
    };
    // Top-level keys, as far as the sample goes.
    let mut keys: Vec<(String, u8)> = Vec::new();
    let mut scan = ValueScan::new(max_depth, true);
    if let Ok(Some(mut m)) = Members::new(text, &mut scan) {
        while let Ok(Some((k, r))) = m.next_member() {
            let name = crate::scan::unescape(k)
                .map(|c| c.into_owned())
                .unwrap_or_default();
            keys.push((name, text[r.start]));
            if keys.len() > 64 {
                break;
            }
        }
    }
    let has = |name: &str, first: u8| keys.iter().any(|(k, b)| k == name && *b == first);
    if keys.len() == 1
        && ["index", "create", "update", "delete"]
            .iter()
            .any(|a| has(a, b'{'))
    {
        return Format::Bulk;
    }
    let response = has("hits", b'{')
        || (keys.iter().any(|(k, _)| k == "took" || k == "_scroll_id") && !has("_source", b'{'));
    if response {
        return Format::Values;
    }
    if !single_line {
        return Format::Values;
    }
    Format::Lines {
        hit: has("_source", b'{')
            && keys
                .iter()
                .any(|(k, _)| key_is(k.as_bytes(), "_index") || k == "_id"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> Format {
        detect(text.as_bytes(), true, 128).0
    }

    #[test]
    fn detects_formats() {
        assert_eq!(fmt("{\"a\":1}\n{\"a\":2}\n"), Format::Lines { hit: false });
        assert_eq!(
            fmt("{\"_index\":\"i\",\"_id\":\"1\",\"_source\":{\"a\":1}}\n"),
            Format::Lines { hit: true }
        );
        assert_eq!(
            fmt("{\"index\":{\"_index\":\"i\"}}\n{\"a\":1}\n"),
            Format::Bulk
        );
        assert_eq!(fmt("[\n{\"a\":1}\n]"), Format::Values);
        assert_eq!(fmt("  // comment\n[{\"a\":1}]"), Format::Values);
        assert_eq!(fmt("{\n  \"a\": 1\n}\n"), Format::Values);
        assert_eq!(fmt("{\"took\":3,\"hits\":{\"hits\":[]}}"), Format::Values);
        assert_eq!(fmt(" \n\t\n"), Format::Empty);
        assert_eq!(fmt(""), Format::Empty);
        assert_eq!(fmt("\u{feff}{\"a\":1}\n"), Format::Lines { hit: false });
        assert_eq!(detect(b"\xef\xbb\xbf{}", true, 128).1, 3);
        assert_eq!(fmt("garbage\n{\"a\":1}\n"), Format::Lines { hit: false });
        // Prose with one line that starts with `{` is not a log.
        let licence = format!(
            "LICENCE\n{}{{ if (x) return; }}\n",
            "Some terms.\n".repeat(20)
        );
        assert!(
            matches!(fmt(&licence), Format::Unrecognised(_)),
            "{licence}"
        );
        assert!(
            matches!(fmt("# README\nhello\n"), Format::Unrecognised(m) if m.contains("# README"))
        );
        assert!(
            matches!(detect(b"\x00\x01\x02\x03junk", true, 128).0, Format::Unrecognised(m) if m.contains("binary"))
        );
        assert!(
            matches!(detect(b"PK\x03\x04....", true, 128).0, Format::Unrecognised(m) if m.contains("zip"))
        );
        assert!(
            matches!(detect(b"\xff\xfe{\x00", true, 128).0, Format::Unrecognised(m) if m.contains("UTF-16"))
        );
        assert_eq!(detect(b"ElfFile\0rest", true, 128).0, Format::Evtx);
    }

    #[test]
    fn long_first_line_prefix_is_classified() {
        // A single-line search response longer than the sample.
        let mut text = String::from("{\"took\":5,\"timed_out\":false,\"hits\":{\"hits\":[");
        text.push_str(&"{\"_source\":{\"a\":1}},".repeat(10));
        assert_eq!(detect(text.as_bytes(), false, 128).0, Format::Values);
        let mut line = String::from("{\"a\":\"");
        line.push_str(&"x".repeat(100));
        assert_eq!(
            detect(line.as_bytes(), false, 128).0,
            Format::Lines { hit: false }
        );
    }
}
