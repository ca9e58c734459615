//! Selective decoding: events straight from JSON bytes, reading only the fields a
//! [`Program`] references.
//!
//! A [`Program`] knows, per index, where in `_source` each field of its table lives. Those
//! source paths form a trie of dotted segments; the decoder runs serde_json's parser over
//! the document with a `DeserializeSeed` that walks the trie: a key that leads into the
//! trie is descended into, any other key's value is skipped with `IgnoredAny` (parsed for
//! validity, never built). Nested objects and dotted keys reach the same trie node
//! (`{"process":{"name":…}}`, `{"process.name":…}`, `{"process":{"parent.name":…}}`), arrays
//! are transparent (every element is a value of the field), and scalars at a field's node
//! are converted to the field's type exactly as [`Program::event_from_json`] converts them.
//!
//! No `serde_json::Value` is built, and the decoder reuses its buffers: the event's value
//! lists are cleared field by field (only the fields the previous document set) and the
//! strings they held are recycled for the next document's values, so decoding allocates
//! nothing in the steady state.
//!
//! An Elasticsearch hit (`{"_index", "_id", "_source": {…}}`) is unwrapped as
//! [`Program::event_from_json`] does: when the document has an object `_source` and an
//! `_index` or `_id`, the event is read from `_source` and [`Decoder::hit_index`] /
//! [`Decoder::hit_id`] give the wrapper's metadata. (A document that is not a hit but has
//! an object `_source` key does not expose fields below it.)

use crate::event::{convert_scalar, recycle_string, Event, FieldId, Origin, Scalar};
use crate::plan::{Extract, Program};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Json;
use shrike_ir::{FieldType, Value};
use std::fmt;
use std::sync::Arc;

type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// The trie of the source paths one index reads.
#[derive(Debug, Default)]
pub(crate) struct Trie {
    nodes: Vec<TNode>,
    /// Fields whose value comes from the mapping (`constant_keyword` with a `value`).
    constants: Vec<(FieldId, String)>,
}

#[derive(Debug, Default)]
struct TNode {
    children: Children,
    leaves: Vec<FieldId>,
}

/// A trie node's children by key segment: a short list compared by length and bytes
/// (most nodes have a handful of children), a hash map beyond [`Children::LINEAR`].
#[derive(Debug, Default)]
struct Children {
    keys: Vec<Box<str>>,
    ids: Vec<u32>,
    map: Option<FastMap<Box<str>, u32>>,
}

impl Children {
    const LINEAR: usize = 8;

    fn get(&self, key: &str) -> Option<u32> {
        if let Some(m) = &self.map {
            return m.get(key).copied();
        }
        let i = self
            .keys
            .iter()
            .position(|k| k.len() == key.len() && **k == *key)?;
        self.ids.get(i).copied()
    }

    fn insert(&mut self, key: &str, id: u32) {
        self.keys.push(key.into());
        self.ids.push(id);
        if self.keys.len() > Self::LINEAR {
            self.map = Some(
                self.keys
                    .iter()
                    .cloned()
                    .zip(self.ids.iter().copied())
                    .collect(),
            );
        }
    }

    fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

const ROOT: u32 = 0;

impl Trie {
    pub(crate) fn empty() -> Trie {
        Trie {
            nodes: vec![TNode::default()],
            constants: Vec::new(),
        }
    }

    pub(crate) fn build(table: &[Option<Extract>]) -> Trie {
        let mut t = Trie {
            nodes: vec![TNode::default()],
            constants: Vec::new(),
        };
        for (id, ex) in table.iter().enumerate() {
            let Some(ex) = ex else { continue };
            if let FieldType::ConstantKeyword(Some(v)) = &ex.ty {
                t.constants.push((id, v.clone()));
                continue;
            }
            let mut node = ROOT;
            for seg in ex.source.split('.') {
                node = match t.nodes[node as usize].children.get(seg) {
                    Some(n) => n,
                    None => {
                        let n = t.nodes.len() as u32;
                        t.nodes.push(TNode::default());
                        t.nodes[node as usize].children.insert(seg, n);
                        n
                    }
                };
            }
            t.nodes[node as usize].leaves.push(id);
        }
        t
    }

    /// The node a (possibly dotted) key leads to from `node`.
    fn step(&self, node: u32, key: &str) -> Option<u32> {
        let mut n = node;
        let mut rest = key;
        loop {
            let children = &self.nodes.get(n as usize)?.children;
            match memchr::memchr(b'.', rest.as_bytes()) {
                None => return children.get(rest),
                Some(i) => {
                    n = children.get(&rest[..i])?;
                    rest = &rest[i + 1..];
                }
            }
        }
    }
}

/// Where decoded values go.
struct Target<'a> {
    values: &'a mut [Vec<Value>],
    touched: &'a mut Vec<FieldId>,
}

struct Ctx<'a> {
    trie: &'a Trie,
    table: &'a [Option<Extract>],
    pool: &'a mut Vec<String>,
}

impl Ctx<'_> {
    fn scalar(&mut self, out: &mut Target<'_>, node: u32, sc: Scalar<'_>) {
        for &f in &self.trie.nodes[node as usize].leaves {
            let Some(Some(ex)) = self.table.get(f) else {
                continue;
            };
            if let Some(v) = convert_scalar(sc, ex, self.pool) {
                let list = &mut out.values[f];
                if list.is_empty() {
                    out.touched.push(f);
                }
                list.push(v);
            }
        }
    }
}

/// Decodes the value at one trie node.
struct NodeSeed<'c, 'a, 'b> {
    ctx: &'c mut Ctx<'a>,
    out: &'c mut Target<'b>,
    node: u32,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.ctx.scalar(self.out, self.node, Scalar::Bool(v));
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        let sc = if v >= 0 {
            Scalar::U64(v as u64)
        } else {
            Scalar::I64(v)
        };
        self.ctx.scalar(self.out, self.node, sc);
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.ctx.scalar(self.out, self.node, Scalar::U64(v));
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.ctx.scalar(self.out, self.node, Scalar::F64(v));
        Ok(())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.ctx.scalar(self.out, self.node, Scalar::Str(v));
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.ctx.scalar(self.out, self.node, Scalar::Null);
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (ctx, out, node) = (self.ctx, self.out, self.node);
        while seq
            .next_element_seed(NodeSeed {
                ctx: &mut *ctx,
                out: &mut *out,
                node,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (ctx, out, node) = (self.ctx, self.out, self.node);
        let trie = ctx.trie;
        if trie.nodes[node as usize].children.is_empty() {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        while let Some(next) = map.next_key_seed(KeySeed { trie, node })? {
            match next {
                Some(child) => map.next_value_seed(NodeSeed {
                    ctx: &mut *ctx,
                    out: &mut *out,
                    node: child,
                })?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Reads a key and walks the trie with it: `Some(node)` when the key leads into the trie.
struct KeySeed<'a> {
    trie: &'a Trie,
    node: u32,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<u32>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<u32>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<u32>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<u32>, E> {
        Ok(self.trie.step(self.node, v))
    }
}

/// What a top-level key is.
enum RootKey {
    Field(u32),
    Source,
    Index,
    Id,
    Skip,
}

struct RootKeySeed<'a> {
    trie: &'a Trie,
}

impl<'de> DeserializeSeed<'de> for RootKeySeed<'_> {
    type Value = RootKey;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RootKey, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for RootKeySeed<'_> {
    type Value = RootKey;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RootKey, E> {
        Ok(match v {
            "_source" => RootKey::Source,
            "_index" => RootKey::Index,
            "_id" => RootKey::Id,
            _ => match self.trie.step(ROOT, v) {
                Some(n) => RootKey::Field(n),
                None => RootKey::Skip,
            },
        })
    }
}

/// Reads `_index` / `_id`: a string (or, for ids, a number) into a reused buffer.
struct MetaSeed<'a> {
    out: &'a mut String,
    numbers: bool,
}

impl<'de> DeserializeSeed<'de> for MetaSeed<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MetaSeed<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        self.out.clear();
        self.out.push_str(v);
        Ok(true)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        self.out.clear();
        self.out.push_str(&v.to_string());
        Ok(self.numbers)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        self.out.clear();
        self.out.push_str(&v.to_string());
        Ok(self.numbers)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
        self.out.clear();
        if let Some(n) = serde_json::Number::from_f64(v) {
            self.out.push_str(&n.to_string());
        }
        Ok(self.numbers)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(false)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(false)
    }
}

/// `_source`: decoded into the alternative target when it is an object.
struct SourceSeed<'c, 'a, 'b> {
    ctx: &'c mut Ctx<'a>,
    out: &'c mut Target<'b>,
}

impl<'de> DeserializeSeed<'de> for SourceSeed<'_, '_, '_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SourceSeed<'_, '_, '_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
        NodeSeed {
            ctx: self.ctx,
            out: self.out,
            node: ROOT,
        }
        .visit_map(map)?;
        Ok(true)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(false)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}

/// What the root visitor found besides fields.
#[derive(Default)]
struct Meta {
    source_object: bool,
    /// `_index` / `_id` keys present (whatever their values).
    index_key: bool,
    id_key: bool,
    /// `_index` was a string, `_id` a string or number.
    has_index: bool,
    has_id: bool,
}

struct RootSeed<'c, 'a, 'b> {
    ctx: &'c mut Ctx<'a>,
    main: &'c mut Target<'b>,
    alt: &'c mut Target<'b>,
    index: &'c mut String,
    id: &'c mut String,
}

impl<'de> DeserializeSeed<'de> for RootSeed<'_, '_, '_> {
    type Value = Meta;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Meta, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RootSeed<'_, '_, '_> {
    type Value = Meta;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Meta, A::Error> {
        let mut meta = Meta::default();
        let trie = self.ctx.trie;
        while let Some(key) = map.next_key_seed(RootKeySeed { trie })? {
            match key {
                RootKey::Field(node) => map.next_value_seed(NodeSeed {
                    ctx: &mut *self.ctx,
                    out: &mut *self.main,
                    node,
                })?,
                RootKey::Skip => {
                    map.next_value::<IgnoredAny>()?;
                }
                RootKey::Source => {
                    meta.source_object |= map.next_value_seed(SourceSeed {
                        ctx: &mut *self.ctx,
                        out: &mut *self.alt,
                    })?;
                }
                RootKey::Index => {
                    meta.index_key = true;
                    meta.has_index |= map.next_value_seed(MetaSeed {
                        out: &mut *self.index,
                        numbers: false,
                    })?;
                }
                RootKey::Id => {
                    meta.id_key = true;
                    meta.has_id |= map.next_value_seed(MetaSeed {
                        out: &mut *self.id,
                        numbers: true,
                    })?;
                }
            }
        }
        Ok(meta)
    }
}

/// Builds events from JSON for one [`Program`], reusing its buffers from one document to
/// the next. One per thread. See the [module docs](self).
pub struct Decoder<'p> {
    program: &'p Program,
    event: Event,
    alt: Vec<Vec<Value>>,
    touched: Vec<FieldId>,
    alt_touched: Vec<FieldId>,
    pool: Vec<String>,
    index: String,
    id: String,
    is_hit: bool,
    /// `_index` was a string.
    has_index: bool,
    /// `_id` was a string or a number.
    has_id: bool,
}

impl<'p> Decoder<'p> {
    /// A decoder for the events of `program`.
    pub fn new(program: &'p Program) -> Self {
        let n = program.field_paths().len();
        Decoder {
            program,
            event: Event {
                values: vec![Vec::new(); n],
                index: 0,
                timestamp: None,
                tiebreaker: Value::Null,
                seq: 0,
                source: Arc::new(Json::Null),
                origin: Origin {
                    index: Arc::from(""),
                    id: None,
                },
            },
            alt: vec![Vec::new(); n],
            touched: Vec::new(),
            alt_touched: Vec::new(),
            pool: Vec::new(),
            index: String::new(),
            id: String::new(),
            is_hit: false,
            has_index: false,
            has_id: false,
        }
    }

    fn recycle(values: &mut [Vec<Value>], touched: &mut Vec<FieldId>, pool: &mut Vec<String>) {
        for f in touched.drain(..) {
            for v in values[f].drain(..) {
                if let Value::Str(s) | Value::Version(s) = v {
                    recycle_string(pool, s);
                }
            }
        }
    }

    fn run<'de, D: Deserializer<'de>>(
        &mut self,
        index: usize,
        seq: u64,
        d: D,
    ) -> Result<(), D::Error> {
        Self::recycle(&mut self.event.values, &mut self.touched, &mut self.pool);
        Self::recycle(&mut self.alt, &mut self.alt_touched, &mut self.pool);
        self.index.clear();
        self.id.clear();
        let program = self.program;
        let trie = program.trie(index);
        let table = program.extract_table(index);
        let mut ctx = Ctx {
            trie,
            table,
            pool: &mut self.pool,
        };
        let mut main = Target {
            values: &mut self.event.values,
            touched: &mut self.touched,
        };
        let mut alt = Target {
            values: &mut self.alt,
            touched: &mut self.alt_touched,
        };
        let meta = RootSeed {
            ctx: &mut ctx,
            main: &mut main,
            alt: &mut alt,
            index: &mut self.index,
            id: &mut self.id,
        }
        .deserialize(d)?;
        self.is_hit = meta.source_object && (meta.index_key || meta.id_key);
        self.has_index = meta.has_index;
        self.has_id = meta.has_id;
        if self.is_hit {
            std::mem::swap(&mut self.event.values, &mut self.alt);
            std::mem::swap(&mut self.touched, &mut self.alt_touched);
        }
        for (f, v) in &trie.constants {
            let list = &mut self.event.values[*f];
            if list.is_empty() {
                self.touched.push(*f);
            }
            list.push(Value::Str(v.clone()));
        }
        self.event.index = index;
        self.event.seq = seq;
        Ok(())
    }

    /// Decodes one JSON document of index `index` from text already known to be UTF-8
    /// (the reader validated it): like [`Decoder::decode`] without validating every string
    /// again.
    pub fn decode_str(
        &mut self,
        index: usize,
        json: &str,
        seq: u64,
    ) -> Result<&Event, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(json);
        self.run(index, seq, &mut de)?;
        de.end()?;
        Ok(&self.event)
    }

    /// Decodes one JSON document (an NDJSON line) of index `index` (an id from
    /// [`Program::index_id`]); `seq` is its input position. The event is valid until the
    /// next call.
    pub fn decode(
        &mut self,
        index: usize,
        json: &[u8],
        seq: u64,
    ) -> Result<&Event, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_slice(json);
        self.run(index, seq, &mut de)?;
        de.end()?;
        Ok(&self.event)
    }

    /// Decodes a parsed document (an EVTX record mapped to ECS, say) the same way.
    pub fn decode_value(
        &mut self,
        index: usize,
        doc: &Json,
        seq: u64,
    ) -> Result<&Event, serde_json::Error> {
        self.run(index, seq, doc)?;
        Ok(&self.event)
    }

    /// The event decoded last.
    pub fn event(&self) -> &Event {
        &self.event
    }

    /// Appends to `out` the last event's values of the fields sequence and sample rules
    /// read (their stage filters, join keys, `until` and clocks), in a compact binary form
    /// that [`Decoder::decode_values`] turns back into an event those rules see exactly as
    /// they saw this one — so a candidate kept for them need not be parsed again.
    pub fn encode_values(&self, out: &mut Vec<u8>) {
        let program = self.program;
        let fields: Vec<FieldId> = self
            .touched
            .iter()
            .copied()
            .filter(|&f| program.is_candidate_field(f))
            .collect();
        put_varint(out, fields.len() as u64);
        for f in fields {
            let values = self.event.get(f);
            put_varint(out, f as u64);
            put_varint(out, values.len() as u64);
            for v in values {
                encode_value(v, out);
            }
        }
    }

    /// Rebuilds an event of index `index` from [`Decoder::encode_values`]' bytes (fields
    /// other rules read are empty). `None` when the bytes are not such an encoding. The
    /// event is valid until the next call.
    pub fn decode_values(&mut self, index: usize, mut bytes: &[u8], seq: u64) -> Option<&Event> {
        Self::recycle(&mut self.event.values, &mut self.touched, &mut self.pool);
        Self::recycle(&mut self.alt, &mut self.alt_touched, &mut self.pool);
        self.is_hit = false;
        self.has_index = false;
        self.has_id = false;
        self.event.index = index;
        self.event.seq = seq;
        let input = &mut bytes;
        let n = get_varint(input)?;
        for _ in 0..n {
            let f = usize::try_from(get_varint(input)?).ok()?;
            let count = get_varint(input)?;
            let list = self.event.values.get_mut(f)?;
            if list.is_empty() && count > 0 {
                self.touched.push(f);
            }
            for _ in 0..count {
                list.push(decode_value(input, &mut self.pool)?);
            }
        }
        input.is_empty().then_some(&self.event)
    }

    /// Whether the last document was an Elasticsearch hit (fields read from `_source`).
    pub fn is_hit(&self) -> bool {
        self.is_hit
    }

    /// The `_index` of the last document, if it was a hit with one.
    pub fn hit_index(&self) -> Option<&str> {
        (self.is_hit && self.has_index).then_some(self.index.as_str())
    }

    /// The `_id` of the last document, if it was a hit with one.
    pub fn hit_id(&self) -> Option<&str> {
        (self.is_hit && self.has_id).then_some(self.id.as_str())
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(input: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = input.split_first()?;
        *input = rest;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(v);
        }
    }
    None
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if input.len() < n {
        return None;
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Some(head)
}

fn take8(input: &mut &[u8]) -> Option<[u8; 8]> {
    take(input, 8)?.try_into().ok()
}

fn encode_value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.push(0),
        Value::Bool(b) => out.extend_from_slice(&[1, u8::from(*b)]),
        Value::Int(i) => {
            out.push(2);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::Float(x) => {
            out.push(3);
            out.extend_from_slice(&x.to_bits().to_le_bytes());
        }
        Value::Str(s) | Value::Version(s) => {
            out.push(if matches!(v, Value::Str(_)) { 4 } else { 5 });
            put_varint(out, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        }
        Value::Date(d) => {
            out.push(6);
            out.extend_from_slice(&d.to_le_bytes());
        }
        Value::Ip(std::net::IpAddr::V4(ip)) => {
            out.push(7);
            out.extend_from_slice(&ip.octets());
        }
        Value::Ip(std::net::IpAddr::V6(ip)) => {
            out.push(8);
            out.extend_from_slice(&ip.octets());
        }
    }
}

fn decode_value(input: &mut &[u8], pool: &mut Vec<String>) -> Option<Value> {
    let (&tag, rest) = input.split_first()?;
    *input = rest;
    Some(match tag {
        0 => Value::Null,
        1 => Value::Bool(*take(input, 1)?.first()? != 0),
        2 => Value::Int(i64::from_le_bytes(take8(input)?)),
        3 => Value::Float(f64::from_bits(u64::from_le_bytes(take8(input)?))),
        4 | 5 => {
            let n = usize::try_from(get_varint(input)?).ok()?;
            let text = std::str::from_utf8(take(input, n)?).ok()?;
            let mut s = pool.pop().unwrap_or_default();
            s.clear();
            s.push_str(text);
            if tag == 4 {
                Value::Str(s)
            } else {
                Value::Version(s)
            }
        }
        6 => Value::Date(i64::from_le_bytes(take8(input)?)),
        7 => {
            let b: [u8; 4] = take(input, 4)?.try_into().ok()?;
            Value::Ip(std::net::IpAddr::from(b))
        }
        8 => {
            let b: [u8; 16] = take(input, 16)?.try_into().ok()?;
            Value::Ip(std::net::IpAddr::from(b))
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{ProgramBuilder, RuleOptions};
    use proptest::prelude::*;
    use serde_json::json;
    use shrike_ir::{Body, Expr, FieldRef, Mapping, Query, Schema};

    const MAPPING: &str = r#"{"properties": {
        "@timestamp": {"type": "date"},
        "a": {"properties": {"b": {"type": "keyword", "ignore_above": 5},
                             "n": {"type": "long"}, "f": {"type": "double"},
                             "c": {"properties": {"d": {"type": "keyword", "null_value": "NULL"}}}}},
        "x": {"type": "text", "fields": {"keyword": {"type": "keyword"}}},
        "ip": {"type": "ip"}, "flag": {"type": "boolean"}, "v": {"type": "version"},
        "k": {"type": "constant_keyword", "value": "const"},
        "when": {"type": "date", "format": "epoch_second"},
        "alias": {"type": "alias", "path": "a.b"}
    }}"#;

    const FIELDS: &[&str] = &[
        "@timestamp",
        "a.b",
        "a.n",
        "a.f",
        "a.c.d",
        "x",
        "x.keyword",
        "ip",
        "flag",
        "v",
        "k",
        "when",
        "alias",
        "a",
        "missing.field",
    ];

    fn program() -> Program {
        let schema = Schema::single("i", Mapping::from_json_str(MAPPING).unwrap());
        let mut b = ProgramBuilder::new(&schema);
        // Reference every field through `?field` reads in an event query.
        let items: Vec<Expr> = FIELDS
            .iter()
            .map(|p| {
                Expr::is_null(Expr::field(FieldRef {
                    path: p.to_string(),
                    ty: FieldType::Keyword,
                }))
            })
            .collect();
        let q = Query {
            body: Body::Event(Expr::or(items)),
            pipes: vec![],
        };
        b.add(&q, &RuleOptions::default()).unwrap();
        b.build()
    }

    fn same(p: &Program, d: &mut Decoder<'_>, doc: &Json) {
        let text = serde_json::to_vec(doc).unwrap();
        // serde_json's float parsing is not exact, so compare with the document as parsed
        // back from its text, as a reader would see it.
        let doc: Json = serde_json::from_slice(&text).unwrap();
        let expected = p.event_from_json(0, doc.clone(), 0);
        let got = d.decode(0, &text, 0).unwrap().values.clone();
        assert_eq!(got, expected.values, "{doc}");
        let text_str = std::str::from_utf8(&text).unwrap();
        let got = d.decode_str(0, text_str, 0).unwrap().values.clone();
        assert_eq!(got, expected.values, "{doc}");
        assert_eq!(
            d.hit_index().unwrap_or("i"),
            &*expected.origin.index,
            "{doc}"
        );
        assert_eq!(d.hit_id(), expected.origin.id.as_deref(), "{doc}");
        let got = d.decode_value(0, &doc, 0).unwrap().values.clone();
        assert_eq!(got, expected.values, "{doc}");
    }

    #[test]
    fn decodes_like_the_value_path() {
        let p = program();
        let mut d = Decoder::new(&p);
        for doc in [
            json!({"@timestamp": "2024-01-01T00:00:00Z", "a": {"b": "xy", "n": 3, "f": 1.5}}),
            json!({"a.b": ["x", "toolong", 7, true], "a": {"c.d": null}, "a.c": {"d": "z"}}),
            json!({"a": [{"b": "p"}, {"b": ["q", ["r"]]}], "x": "Hello", "ip": "10.0.0.1"}),
            json!({"a": {"n": "42", "f": "2.5"}, "flag": "true", "v": "1.2.3", "when": 1700000000}),
            json!({"a": {"n": 18446744073709551615u64, "f": -3}, "when": "1700000000", "k": "other"}),
            json!({"_index": "idx", "_id": "7", "_source": {"a": {"b": "hit"}}, "a": {"b": "outer"}}),
            json!({"_id": 12, "_source": {"x": "y"}}),
            json!({"_id": {"o": 1}, "_index": 5, "_source": {"x": "y"}}),
            json!({"_index": "idx", "_source": "not an object", "a": {"b": "plain"}}),
            json!({"a": {"b": {"nested": "object"}}, "x": {"keyword": "sub"}}),
            json!({"a..b": "empty segment", "a.": 1, ".a": 2}),
        ] {
            same(&p, &mut d, &doc);
        }
    }

    fn json_value() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            any::<i64>().prop_map(Json::from),
            any::<u64>().prop_map(Json::from),
            (-1e6f64..1e6).prop_map(Json::from),
            "[a-z0-9.:\\- ]{0,8}".prop_map(Json::String),
            Just(Json::String("2024-05-01T10:00:00.123456789Z".into())),
        ];
        let keys = prop::sample::select(vec![
            "a",
            "b",
            "a.b",
            "c",
            "c.d",
            "a.c",
            "x",
            "keyword",
            "x.keyword",
            "n",
            "f",
            "ip",
            "@timestamp",
            "k",
            "when",
            "_source",
            "_id",
            "_index",
            "zz",
        ]);
        leaf.prop_recursive(4, 32, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
                prop::collection::vec((keys.clone(), inner), 0..5).prop_map(|kv| {
                    Json::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                }),
            ]
        })
    }

    /// A program whose sequence reads some fields and whose event rule reads others.
    fn sequence_program() -> Program {
        let schema = Schema::single("i", Mapping::from_json_str(MAPPING).unwrap());
        let mut b = ProgramBuilder::new(&schema);
        let f = |p: &str| {
            Expr::field(FieldRef {
                path: p.to_string(),
                ty: FieldType::Keyword,
            })
        };
        let stage = |e: Expr| shrike_ir::Stage {
            filter: e,
            keys: vec![shrike_ir::Key {
                expr: f("a.b"),
                optional: true,
                ty: Some(FieldType::Keyword),
            }],
            missing: false,
        };
        let seq = Query {
            body: Body::Sequence(shrike_ir::Sequence {
                stages: vec![stage(Expr::is_null(f("ip"))), stage(Expr::is_null(f("v")))],
                until: Some(stage(Expr::is_null(f("a.n")))),
                maxspan_nanos: None,
            }),
            pipes: vec![],
        };
        b.add(&seq, &RuleOptions::default()).unwrap();
        let ev = Query {
            body: Body::Event(Expr::is_null(f("x"))),
            pipes: vec![],
        };
        b.add(&ev, &RuleOptions::default()).unwrap();
        b.build()
    }

    fn values_round_trip(p: &Program, doc: &Json) {
        let text = serde_json::to_string(doc).unwrap();
        let mut d = Decoder::new(p);
        let mut back = Decoder::new(p);
        if d.decode_str(0, &text, 3).is_err() {
            return;
        }
        let orig = d.event();
        let mut bytes = Vec::new();
        d.encode_values(&mut bytes);
        let got = back.decode_values(0, &bytes, 3).expect("decodes");
        for (f, path) in p.field_paths().iter().enumerate() {
            let want: &[Value] = if p.is_candidate_field(f) {
                orig.get(f)
            } else {
                &[]
            };
            assert_eq!(got.get(f), want, "{path} in {doc}");
        }
        // Garbage is refused, not misread.
        assert!(back.decode_values(0, &[1, 200, 1, 9], 0).is_none());
    }

    #[test]
    fn candidate_values_round_trip() {
        let p = sequence_program();
        for path in ["@timestamp", "a.b", "ip", "v", "a.n"] {
            assert!(p.is_candidate_field(p.field_id(path).unwrap()), "{path}");
        }
        assert!(!p.is_candidate_field(p.field_id("x").unwrap()));
        values_round_trip(
            &p,
            &json!({"@timestamp": "2024-01-01T00:00:00Z", "a": {"b": ["x", "y"], "n": -4},
                    "ip": ["10.0.0.1", "::1"], "v": "1.2.3", "x": "other"}),
        );
    }

    proptest! {
        #[test]
        fn candidate_values_round_trip_any_document(doc in json_value()) {
            if doc.is_object() {
                values_round_trip(&sequence_program(), &doc);
            }
        }

        #[test]
        fn decoder_agrees_with_the_value_path(doc in json_value()) {
            if doc.is_object() {
                let p = program();
                let mut d = Decoder::new(&p);
                same(&p, &mut d, &doc);
            }
        }
    }
}
