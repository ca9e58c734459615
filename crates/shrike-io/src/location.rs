//! Where a record or a problem came from.

use std::fmt;
use std::sync::Arc;

/// A position inside one input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Pos {
    /// The input as a whole (it could not be opened, it is empty, …).
    File,
    /// A 1-based line of the (decompressed) text; for a multi-line document, the line where
    /// the document starts.
    Line(u64),
    /// A record number from a binary container (the EVTX `EventRecordID`).
    Record(u64),
}

impl Pos {
    /// The line or record number, `0` for [`Pos::File`]; used to order problems.
    pub fn number(self) -> u64 {
        match self {
            Pos::File => 0,
            Pos::Line(n) | Pos::Record(n) => n,
        }
    }
}

/// An owned location: display name of the input plus a position, shown as `file:line`,
/// `file#record` or `file`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The input's display name (the path as given, `<stdin>` for `-`).
    pub file: Arc<str>,
    /// Where in it.
    pub pos: Pos,
}

impl Location {
    /// A location.
    pub fn new(file: Arc<str>, pos: Pos) -> Self {
        Location { file, pos }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Pos::File => write!(f, "{}", self.file),
            Pos::Line(n) => write!(f, "{}:{n}", self.file),
            Pos::Record(n) => write!(f, "{}#{n}", self.file),
        }
    }
}

impl serde::Serialize for Location {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Location", 3)?;
        st.serialize_field("file", &*self.file)?;
        match self.pos {
            Pos::File => {}
            Pos::Line(n) => st.serialize_field("line", &n)?,
            Pos::Record(n) => st.serialize_field("record", &n)?,
        }
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_forms() {
        let f: Arc<str> = Arc::from("a/b.ndjson");
        assert_eq!(
            Location::new(f.clone(), Pos::Line(3)).to_string(),
            "a/b.ndjson:3"
        );
        assert_eq!(
            Location::new(f.clone(), Pos::Record(9)).to_string(),
            "a/b.ndjson#9"
        );
        assert_eq!(Location::new(f, Pos::File).to_string(), "a/b.ndjson");
    }
}
