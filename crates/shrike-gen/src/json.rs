//! A minimal JSON writer into a reused byte buffer.
//!
//! Generating is meant to run far faster than anything that reads the output, so documents are
//! written straight into the output buffer: no intermediate tree, no allocation per field.
//! Commas are placed by looking at the previous byte (after `{` or `[` none is needed), so the
//! writer needs no state beyond the buffer; callers open and close objects in order.

/// Which bytes need escaping inside a JSON string.
static ESCAPE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// Appends `s` as the body of a JSON string (without the quotes).
pub(crate) fn escape_into(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !ESCAPE[b as usize] {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 15) as usize]);
            }
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Appends the decimal digits of `v`.
#[inline]
pub(crate) fn write_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&tmp[i..]);
}

/// Appends the decimal digits of `v`, with a sign when negative.
#[inline]
pub(crate) fn write_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    write_u64(out, v.unsigned_abs());
}

/// Writes JSON members into a buffer. See the module docs for the comma rule.
pub(crate) struct Json<'a> {
    /// The output buffer; a document is appended to it.
    pub(crate) buf: &'a mut Vec<u8>,
}

impl<'a> Json<'a> {
    /// A writer appending to `buf`.
    pub(crate) fn new(buf: &'a mut Vec<u8>) -> Json<'a> {
        Json { buf }
    }

    #[inline]
    fn sep(&mut self) {
        if !matches!(self.buf.last(), Some(b'{' | b'[') | None) {
            self.buf.push(b',');
        }
    }

    /// Writes `"k":` (keys are static field names and never need escaping).
    #[inline]
    pub(crate) fn key(&mut self, k: &str) {
        self.sep();
        self.buf.push(b'"');
        self.buf.extend_from_slice(k.as_bytes());
        self.buf.extend_from_slice(b"\":");
    }

    /// Opens the document.
    #[inline]
    pub(crate) fn begin(&mut self) {
        self.buf.push(b'{');
    }

    /// Opens `"k":{`.
    #[inline]
    pub(crate) fn open(&mut self, k: &str) {
        self.key(k);
        self.buf.push(b'{');
    }

    /// Closes the innermost object.
    #[inline]
    pub(crate) fn close(&mut self) {
        self.buf.push(b'}');
    }

    /// Opens `"k":[`.
    #[inline]
    pub(crate) fn open_arr(&mut self, k: &str) {
        self.key(k);
        self.buf.push(b'[');
    }

    /// Closes the innermost array.
    #[inline]
    pub(crate) fn close_arr(&mut self) {
        self.buf.push(b']');
    }

    /// Opens an object as an array element.
    #[inline]
    pub(crate) fn item_open(&mut self) {
        self.sep();
        self.buf.push(b'{');
    }

    /// A string array element.
    #[inline]
    pub(crate) fn item_str(&mut self, v: &str) {
        self.sep();
        self.buf.push(b'"');
        escape_into(self.buf, v);
        self.buf.push(b'"');
    }

    /// `"k":"v"`.
    #[inline]
    pub(crate) fn str(&mut self, k: &str, v: &str) {
        self.key(k);
        self.buf.push(b'"');
        escape_into(self.buf, v);
        self.buf.push(b'"');
    }

    /// `"k":["a","b"]`.
    pub(crate) fn strs(&mut self, k: &str, vs: &[&str]) {
        self.open_arr(k);
        for v in vs {
            self.item_str(v);
        }
        self.close_arr();
    }

    /// `"k":["a","b"]` from owned strings.
    pub(crate) fn strings(&mut self, k: &str, vs: &[String]) {
        self.open_arr(k);
        for v in vs {
            self.item_str(v);
        }
        self.close_arr();
    }

    /// `"k":123`.
    #[inline]
    pub(crate) fn u64(&mut self, k: &str, v: u64) {
        self.key(k);
        write_u64(self.buf, v);
    }

    /// `"k":-123`.
    #[inline]
    pub(crate) fn i64(&mut self, k: &str, v: i64) {
        self.key(k);
        write_i64(self.buf, v);
    }

    /// `"k":true`.
    #[inline]
    pub(crate) fn bool(&mut self, k: &str, v: bool) {
        self.key(k);
        self.buf
            .extend_from_slice(if v { b"true" } else { b"false" });
    }

    /// `"k":"<ISO 8601 time>"`.
    #[inline]
    pub(crate) fn time(&mut self, k: &str, ms: i64) {
        self.key(k);
        self.buf.push(b'"');
        crate::time::write_iso(self.buf, ms);
        self.buf.push(b'"');
    }

    /// Appends bytes that are already a sequence of JSON members (a pre-rendered fragment).
    #[inline]
    pub(crate) fn fragment(&mut self, members: &[u8]) {
        if members.is_empty() {
            return;
        }
        self.sep();
        self.buf.extend_from_slice(members);
    }
}

/// Renders a fragment of members once (for per-host or per-process parts reused by many events).
pub(crate) fn fragment(f: impl FnOnce(&mut Json<'_>)) -> Vec<u8> {
    let mut buf = vec![b'{'];
    f(&mut Json::new(&mut buf));
    buf.remove(0);
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_valid_nested_json() {
        let mut buf = Vec::new();
        let mut j = Json::new(&mut buf);
        j.begin();
        j.str("path", "C:\\Windows\\\"x\"\n\u{1}");
        j.open("process");
        j.u64("pid", 4);
        j.i64("exit_code", -1);
        j.strs("args", &["a", "b c"]);
        j.open_arr("empty");
        j.close_arr();
        j.bool("ok", true);
        j.close();
        j.time("@timestamp", 0);
        let frag = fragment(|f| {
            f.str("a", "1");
            f.u64("b", 2);
        });
        j.fragment(&frag);
        j.close();
        let text = String::from_utf8(buf).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["path"], "C:\\Windows\\\"x\"\n\u{1}");
        assert_eq!(v["process"]["pid"], 4);
        assert_eq!(v["process"]["exit_code"], -1);
        assert_eq!(v["process"]["args"][1], "b c");
        assert_eq!(v["@timestamp"], "1970-01-01T00:00:00.000Z");
        assert_eq!(v["b"], 2);
    }

    #[test]
    fn numbers() {
        let mut v = Vec::new();
        write_u64(&mut v, 0);
        v.push(b' ');
        write_u64(&mut v, u64::MAX);
        v.push(b' ');
        write_i64(&mut v, i64::MIN);
        assert_eq!(
            String::from_utf8(v).unwrap(),
            "0 18446744073709551615 -9223372036854775808"
        );
    }
}
