//! Sort keys that can be written to and read back from spill files.

/// A key the [`ExternalSorter`](super::ExternalSorter) orders by. The encoding only has to
/// round-trip (`decode(encode(k)) == k`); order always comes from `Ord`, so any key type
/// works, e.g. `(i64 timestamp, Option<String> tiebreaker)`.
pub trait SortKey: Ord + Sized {
    /// Appends the key's bytes.
    fn encode(&self, out: &mut Vec<u8>);
    /// Reads a key from the front of `input`, advancing it; `None` if the bytes are not a key.
    fn decode(input: &mut &[u8]) -> Option<Self>;
    /// Heap memory the key owns beyond its own size (a `String`'s buffer), for the budget.
    fn heap_bytes(&self) -> usize {
        0
    }
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if input.len() < n {
        return None;
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Some(head)
}

/// LEB128: 7 bits a byte, low first.
pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(crate) fn get_varint(input: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *take(input, 1)?.first()?;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(v);
        }
    }
    None
}

macro_rules! int_key {
    ($($t:ty),*) => {$(
        impl SortKey for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn decode(input: &mut &[u8]) -> Option<Self> {
                let b = take(input, std::mem::size_of::<$t>())?;
                Some(<$t>::from_le_bytes(b.try_into().ok()?))
            }
        }
    )*};
}

int_key!(u8, u16, u32, u64, u128, i8, i16, i32, i64, i128);

impl SortKey for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    fn decode(input: &mut &[u8]) -> Option<Self> {
        match take(input, 1)?[0] {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

impl SortKey for () {
    fn encode(&self, _: &mut Vec<u8>) {}
    fn decode(_: &mut &[u8]) -> Option<Self> {
        Some(())
    }
}

impl SortKey for Vec<u8> {
    fn encode(&self, out: &mut Vec<u8>) {
        put_varint(out, self.len() as u64);
        out.extend_from_slice(self);
    }
    fn decode(input: &mut &[u8]) -> Option<Self> {
        let n = usize::try_from(get_varint(input)?).ok()?;
        Some(take(input, n)?.to_vec())
    }
    fn heap_bytes(&self) -> usize {
        self.capacity()
    }
}

impl SortKey for String {
    fn encode(&self, out: &mut Vec<u8>) {
        put_varint(out, self.len() as u64);
        out.extend_from_slice(self.as_bytes());
    }
    fn decode(input: &mut &[u8]) -> Option<Self> {
        let n = usize::try_from(get_varint(input)?).ok()?;
        String::from_utf8(take(input, n)?.to_vec()).ok()
    }
    fn heap_bytes(&self) -> usize {
        self.capacity()
    }
}

impl<T: SortKey> SortKey for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.encode(out);
            }
        }
    }
    fn decode(input: &mut &[u8]) -> Option<Self> {
        match take(input, 1)?[0] {
            0 => Some(None),
            1 => Some(Some(T::decode(input)?)),
            _ => None,
        }
    }
    fn heap_bytes(&self) -> usize {
        self.as_ref().map_or(0, T::heap_bytes)
    }
}

impl<T: SortKey> SortKey for std::cmp::Reverse<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }
    fn decode(input: &mut &[u8]) -> Option<Self> {
        T::decode(input).map(std::cmp::Reverse)
    }
    fn heap_bytes(&self) -> usize {
        self.0.heap_bytes()
    }
}

macro_rules! tuple_key {
    ($($name:ident),+) => {
        impl<$($name: SortKey),+> SortKey for ($($name,)+) {
            #[allow(non_snake_case)]
            fn encode(&self, out: &mut Vec<u8>) {
                let ($($name,)+) = self;
                $($name.encode(out);)+
            }
            fn decode(input: &mut &[u8]) -> Option<Self> {
                Some(($($name::decode(input)?,)+))
            }
            #[allow(non_snake_case)]
            fn heap_bytes(&self) -> usize {
                let ($($name,)+) = self;
                0 $(+ $name.heap_bytes())+
            }
        }
    };
}

tuple_key!(A);
tuple_key!(A, B);
tuple_key!(A, B, C);
tuple_key!(A, B, C, D);

#[cfg(test)]
mod tests {
    use super::*;

    fn round<K: SortKey + std::fmt::Debug + Clone>(k: K) {
        let mut buf = Vec::new();
        k.encode(&mut buf);
        buf.push(0xAA);
        let mut input = &buf[..];
        assert_eq!(K::decode(&mut input), Some(k));
        assert_eq!(input, &[0xAA]);
    }

    #[test]
    fn keys_round_trip() {
        round(-5i64);
        round(u64::MAX);
        round(String::from("héllo"));
        round((1_700_000_000_000_000_000i64, Some(String::from("tb")), 7u64));
        round((i64::MIN, None::<String>));
        round(vec![0u8, 255, 3]);
        round(std::cmp::Reverse(3u32));
        round(true);
        for v in [0u64, 127, 128, 300, u64::MAX] {
            let mut b = Vec::new();
            put_varint(&mut b, v);
            assert_eq!(get_varint(&mut &b[..]), Some(v));
        }
        assert_eq!(String::decode(&mut &[5u8, b'a'][..]), None);
    }
}
