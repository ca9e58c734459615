//! An append-only store of texts on disk, read back by position: for holding many
//! documents (the events of partial sequences) without holding their text in memory.
//!
//! The texts go to an anonymous temporary file (no name: nothing is left behind, even
//! after a crash) through a write buffer; a text is read back with one positioned read.
//! Reading and appending may interleave; the store is shared between threads behind a
//! mutex.
//!
//! ```
//! use shrike_io::store::TextStore;
//!
//! let store = TextStore::new(None).unwrap();
//! let a = store.put("{\"a\":1}").unwrap();
//! let b = store.put("{\"b\":2}").unwrap();
//! assert_eq!(store.get(b).unwrap(), "{\"b\":2}");
//! assert_eq!(store.get(a).unwrap(), "{\"a\":1}");
//! ```

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;

/// Bytes gathered before they are written to the file.
const BUFFER: usize = 1 << 20;

/// Where a text is: its offset in the store and its length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    offset: u64,
    len: u32,
}

impl Slot {
    /// The text's length in bytes.
    pub fn len(self) -> usize {
        self.len as usize
    }

    /// Whether the text is empty.
    pub fn is_empty(self) -> bool {
        self.len == 0
    }
}

struct Inner {
    file: File,
    /// Bytes of the file (written and flushed).
    written: u64,
    /// Appended but not written yet; they follow `written`.
    buffer: Vec<u8>,
}

/// Texts on disk. See the [module docs](self).
pub struct TextStore {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for TextStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TextStore")
    }
}

fn poisoned() -> io::Error {
    io::Error::other("the text store's lock was poisoned")
}

impl TextStore {
    /// A store in `dir` (default: the system's temporary directory).
    pub fn new(dir: Option<&Path>) -> io::Result<TextStore> {
        let file = match dir {
            Some(d) => tempfile::tempfile_in(d)?,
            None => tempfile::tempfile()?,
        };
        Ok(TextStore {
            inner: Mutex::new(Inner {
                file,
                written: 0,
                buffer: Vec::with_capacity(BUFFER),
            }),
        })
    }

    /// Appends `text`; returns where it is. Texts longer than 4 GiB are refused.
    pub fn put(&self, text: &str) -> io::Result<Slot> {
        let len = u32::try_from(text.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "text longer than 4 GiB"))?;
        let mut inner = self.inner.lock().map_err(|_| poisoned())?;
        let offset = inner.written + inner.buffer.len() as u64;
        inner.buffer.extend_from_slice(text.as_bytes());
        if inner.buffer.len() >= BUFFER {
            let Inner {
                file,
                written,
                buffer,
            } = &mut *inner;
            file.seek(SeekFrom::Start(*written))?;
            file.write_all(buffer)?;
            *written += buffer.len() as u64;
            buffer.clear();
        }
        Ok(Slot { offset, len })
    }

    /// The text at `slot`.
    pub fn get(&self, slot: Slot) -> io::Result<String> {
        let mut inner = self.inner.lock().map_err(|_| poisoned())?;
        let mut bytes = vec![0; slot.len as usize];
        if slot.offset >= inner.written {
            let start = usize::try_from(slot.offset - inner.written)
                .map_err(|_| io::Error::other("bad slot"))?;
            let part = inner
                .buffer
                .get(start..start + bytes.len())
                .ok_or_else(|| io::Error::other("slot beyond the store"))?;
            bytes.copy_from_slice(part);
        } else {
            inner.file.seek(SeekFrom::Start(slot.offset))?;
            inner.file.read_exact(&mut bytes)?;
        }
        String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_come_back_from_the_buffer_and_from_the_file() {
        let store = TextStore::new(None).unwrap();
        let big = "x".repeat(BUFFER / 3);
        let slots: Vec<(Slot, String)> = (0..10)
            .map(|i| {
                let t = format!("{i}:{big}");
                (store.put(&t).unwrap(), t)
            })
            .collect();
        // Some are on disk now, the last ones still buffered; all read back, in any order.
        for (slot, text) in slots.iter().rev() {
            assert_eq!(&store.get(*slot).unwrap(), text);
        }
        let e = store.put("").unwrap();
        assert!(e.is_empty());
        assert_eq!(store.get(e).unwrap(), "");
    }
}
