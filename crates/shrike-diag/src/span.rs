use serde::Serialize;

/// A half-open byte range `start..end` into some text.
///
/// Spans are byte offsets, not characters, so slicing the source with them is O(1); the
/// renderer converts to 1-based line and character column for display.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (swapped if given backwards).
    pub fn new(start: usize, end: usize) -> Self {
        if end < start {
            Span {
                start: end,
                end: start,
            }
        } else {
            Span { start, end }
        }
    }

    /// An empty span at `offset` (for "expected X here" at end of input).
    pub fn point(offset: usize) -> Self {
        Span {
            start: offset,
            end: offset,
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        self.end - self.start
    }

    /// Whether the span covers no bytes.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The text this span covers, or `""` if it is out of range or not on char boundaries.
    pub fn slice(self, text: &str) -> &str {
        text.get(self.start..self.end).unwrap_or("")
    }

    /// Both ends moved through `map`.
    pub fn map(self, map: impl Fn(usize) -> usize) -> Span {
        Span::new(map(self.start), map(self.end))
    }

    /// Both ends moved by `delta` bytes.
    pub fn shift(self, delta: usize) -> Span {
        Span {
            start: self.start + delta,
            end: self.end + delta,
        }
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_and_slice() {
        let a = Span::new(2, 4);
        let b = Span::new(6, 9);
        assert_eq!(a.to(b), Span::new(2, 9));
        assert_eq!(Span::new(4, 2), Span::new(2, 4));
        assert_eq!(Span::new(0, 3).slice("abcdef"), "abc");
        assert_eq!(Span::new(0, 30).slice("abc"), "");
        assert_eq!(a.shift(10), Span::new(12, 14));
    }
}
