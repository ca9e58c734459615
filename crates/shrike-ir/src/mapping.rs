//! Field types and Elasticsearch mappings.
//!
//! A [`Mapping`] is one index's flat view of its fields: dotted path → [`FieldDef`], plus
//! `alias` fields and object paths. It is read from mapping JSON (the body of
//! `PUT index {"mappings": …}`, a bare `{"properties": …}`, or `GET index/_mapping`
//! output), from the ECS flat schema, or inferred from documents the way Elasticsearch's
//! dynamic mapping does. A [`Schema`] is the set of indices one search covers.

use crate::date::DateFormat;
use serde_json::Value as Json;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// The field types shrike knows. Others are kept as [`FieldType::Other`] and never match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// `keyword`: exact strings.
    Keyword,
    /// `wildcard`: behaves like keyword for every EQL/KQL operator.
    Wildcard,
    /// `constant_keyword`: one value for the whole index (from the mapping's `value`).
    ConstantKeyword(Option<String>),
    /// `text` / `match_only_text`: analysed; EQL uses the exact sub-field if there is one.
    Text,
    /// `long`, `integer`, `short`, `byte`, `unsigned_long`.
    Integer,
    /// `double`, `float`, `half_float`, `scaled_float`.
    Float,
    /// `boolean`.
    Boolean,
    /// `ip`.
    Ip,
    /// `date` (millisecond precision) or `date_nanos`.
    Date {
        /// `date_nanos`.
        nanos: bool,
        /// The mapping's `format`.
        format: DateFormat,
    },
    /// `version`.
    Version,
    /// `flattened`: every leaf under it reads as a keyword.
    Flattened,
    /// `object` / `nested`: a container, not a value.
    Object,
    /// Any other type (`geo_point`, `binary`, …), named.
    Other(String),
}

impl FieldType {
    /// Reads an Elasticsearch type name.
    pub fn from_es(name: &str, format: Option<&str>, value: Option<&str>) -> FieldType {
        match name {
            "keyword" => FieldType::Keyword,
            "wildcard" => FieldType::Wildcard,
            "constant_keyword" => FieldType::ConstantKeyword(value.map(str::to_string)),
            "text" | "match_only_text" => FieldType::Text,
            "long" | "integer" | "short" | "byte" | "unsigned_long" => FieldType::Integer,
            "double" | "float" | "half_float" | "scaled_float" => FieldType::Float,
            "boolean" => FieldType::Boolean,
            "ip" => FieldType::Ip,
            "date" => FieldType::Date {
                nanos: false,
                format: format.map_or_else(DateFormat::default, DateFormat::parse),
            },
            "date_nanos" => FieldType::Date {
                nanos: true,
                format: format.map_or_else(DateFormat::default_nanos, DateFormat::parse),
            },
            "version" => FieldType::Version,
            "flattened" => FieldType::Flattened,
            "object" | "nested" => FieldType::Object,
            other => FieldType::Other(other.to_string()),
        }
    }

    /// Whether values are exact strings (keyword-like).
    pub fn is_keyword_like(&self) -> bool {
        matches!(
            self,
            FieldType::Keyword
                | FieldType::Wildcard
                | FieldType::ConstantKeyword(_)
                | FieldType::Flattened
        )
    }

    /// Whether values are numbers.
    pub fn is_numeric(&self) -> bool {
        matches!(self, FieldType::Integer | FieldType::Float)
    }

    /// A short name for messages.
    pub fn name(&self) -> &str {
        match self {
            FieldType::Keyword => "keyword",
            FieldType::Wildcard => "wildcard",
            FieldType::ConstantKeyword(_) => "constant_keyword",
            FieldType::Text => "text",
            FieldType::Integer => "long",
            FieldType::Float => "double",
            FieldType::Boolean => "boolean",
            FieldType::Ip => "ip",
            FieldType::Date { nanos: false, .. } => "date",
            FieldType::Date { nanos: true, .. } => "date_nanos",
            FieldType::Version => "version",
            FieldType::Flattened => "flattened",
            FieldType::Object => "object",
            FieldType::Other(n) => n,
        }
    }

    /// The family used to decide whether two indices agree on a field's type.
    fn family(&self) -> u8 {
        match self {
            FieldType::Keyword
            | FieldType::Wildcard
            | FieldType::ConstantKeyword(_)
            | FieldType::Flattened => 0,
            FieldType::Text => 1,
            FieldType::Integer | FieldType::Float => 2,
            FieldType::Boolean => 3,
            FieldType::Ip => 4,
            FieldType::Date { .. } => 5,
            FieldType::Version => 6,
            FieldType::Object => 7,
            FieldType::Other(_) => 8,
        }
    }
}

/// One field of one index.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDef {
    /// Its type.
    pub ty: FieldType,
    /// Where its values are in `_source`: the field's own path, or for a multi-field
    /// (`hostname.keyword`) its parent's path.
    pub source: String,
    /// `null_value`: what an explicit JSON `null` is indexed as.
    pub null_value: Option<Json>,
    /// `ignore_above`: longer strings are not indexed (invisible to queries).
    pub ignore_above: Option<usize>,
    /// For `text` fields: the path of a keyword-like sub-field, used for exact matching.
    pub exact: Option<String>,
    /// For `text` fields: the analyzer of the field's values (and, as Elasticsearch's
    /// default `search_analyzer`, of query text).
    pub analyzer: crate::analysis::Analyzer,
}

impl FieldDef {
    /// A field read from its own path.
    pub fn new(path: &str, ty: FieldType) -> Self {
        FieldDef {
            ty,
            source: path.to_string(),
            null_value: None,
            ignore_above: None,
            exact: None,
            analyzer: crate::analysis::Analyzer::Standard,
        }
    }
}

/// An error reading a mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappingError(pub String);

impl std::fmt::Display for MappingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MappingError {}

/// One index's fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mapping {
    fields: BTreeMap<String, FieldDef>,
    aliases: BTreeMap<String, String>,
    objects: BTreeSet<String>,
    unmapped: crate::ecs::Unmapped,
}

/// The placeholder the ES spec suite's mappings use for "keyword or wildcard".
pub const RANDOM_KEYWORD_PLACEHOLDER: &str = "[runtime_random_keyword_type]";

impl Mapping {
    /// An empty mapping (every field dynamic).
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses mapping JSON. Lines starting with `#` are dropped first (the ES test suite's
    /// comment convention).
    pub fn from_json_str(text: &str) -> Result<Mapping, MappingError> {
        let cleaned: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        let json: Json = serde_json::from_str(&cleaned)
            .map_err(|e| MappingError(format!("mapping is not valid JSON: {e}")))?;
        Mapping::from_json(&json)
    }

    /// Reads a parsed mapping document.
    pub fn from_json(json: &Json) -> Result<Mapping, MappingError> {
        let props = find_properties(json, 0)
            .ok_or_else(|| MappingError("mapping has no `properties` object".to_string()))?;
        let mut m = Mapping::new();
        m.add_properties("", props, 0)?;
        Ok(m)
    }

    fn add_properties(
        &mut self,
        prefix: &str,
        props: &serde_json::Map<String, Json>,
        depth: usize,
    ) -> Result<(), MappingError> {
        if depth > 64 {
            return Err(MappingError("mapping nests objects too deeply".to_string()));
        }
        for (name, def) in props {
            let path = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}.{name}")
            };
            let Some(def) = def.as_object() else {
                return Err(MappingError(format!(
                    "field `{path}`: definition is not an object"
                )));
            };
            let ty_name = def.get("type").and_then(Json::as_str);
            if let Some(sub) = def.get("properties").and_then(Json::as_object) {
                if matches!(ty_name, None | Some("object") | Some("nested")) {
                    self.objects.insert(path.clone());
                    self.add_properties(&path, sub, depth + 1)?;
                    continue;
                }
            }
            match ty_name {
                Some("alias") => {
                    let target = def.get("path").and_then(Json::as_str).ok_or_else(|| {
                        MappingError(format!("alias field `{path}` has no `path`"))
                    })?;
                    self.aliases.insert(path, target.to_string());
                }
                Some("object") | Some("nested") | None => {
                    self.objects.insert(path);
                }
                Some(t) => {
                    let fdef = leaf_def(&path, &path, t, def);
                    let mut fdef = fdef;
                    if let Some(subs) = def.get("fields").and_then(Json::as_object) {
                        for (sub_name, sub_def) in subs {
                            let Some(sub_def) = sub_def.as_object() else {
                                continue;
                            };
                            let sub_ty = sub_def.get("type").and_then(Json::as_str).unwrap_or("");
                            let sub_path = format!("{path}.{sub_name}");
                            let sd = leaf_def(&sub_path, &path, sub_ty, sub_def);
                            if fdef.ty == FieldType::Text
                                && sd.ty.is_keyword_like()
                                && fdef.exact.is_none()
                            {
                                fdef.exact = Some(sub_path.clone());
                            }
                            self.fields.insert(sub_path, sd);
                        }
                    }
                    self.fields.insert(path, fdef);
                }
            }
        }
        Ok(())
    }

    /// Reads the ECS flat schema (`ecs_flat.json`: flat name → definition).
    pub fn from_ecs_flat(json: &Json) -> Result<Mapping, MappingError> {
        let obj = json
            .as_object()
            .ok_or_else(|| MappingError("ECS flat schema is not an object".to_string()))?;
        let mut m = Mapping::new();
        for (name, def) in obj {
            let ty = def.get("type").and_then(Json::as_str).unwrap_or("keyword");
            if matches!(ty, "object" | "nested") {
                m.objects.insert(name.clone());
                continue;
            }
            let mut fdef = leaf_def(
                name,
                name,
                ty,
                def.as_object().unwrap_or(&serde_json::Map::new()),
            );
            if let Some(multi) = def.get("multi_fields").and_then(Json::as_array) {
                for mf in multi {
                    let (Some(sub), Some(sty)) = (
                        mf.get("name").and_then(Json::as_str),
                        mf.get("type").and_then(Json::as_str),
                    ) else {
                        continue;
                    };
                    let sub_path = format!("{name}.{sub}");
                    let sd = leaf_def(
                        &sub_path,
                        name,
                        sty,
                        mf.as_object().unwrap_or(&serde_json::Map::new()),
                    );
                    if fdef.ty == FieldType::Text && sd.ty.is_keyword_like() && fdef.exact.is_none()
                    {
                        fdef.exact = Some(sub_path.clone());
                    }
                    m.fields.insert(sub_path, sd);
                }
            }
            // Parents of every dotted name are objects.
            let mut p = name.as_str();
            while let Some((parent, _)) = p.rsplit_once('.') {
                m.objects.insert(parent.to_string());
                p = parent;
            }
            m.fields.insert(name.clone(), fdef);
        }
        Ok(m)
    }

    /// Loads the gzipped ECS flat schema file (`ecs_flat-<version>.json.gz`).
    pub fn from_ecs_flat_gz(bytes: &[u8]) -> Result<Mapping, MappingError> {
        use std::io::Read;
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut text)
            .map_err(|e| MappingError(format!("cannot decompress the ECS schema: {e}")))?;
        let json: Json = serde_json::from_str(&text)
            .map_err(|e| MappingError(format!("ECS schema is not valid JSON: {e}")))?;
        Mapping::from_ecs_flat(&json)
    }

    /// Adds a field definition (replacing one at the same path).
    pub fn insert(&mut self, path: &str, def: FieldDef) {
        self.fields.insert(path.to_string(), def);
    }

    /// Records `path` as an object (a container of fields).
    pub fn insert_object(&mut self, path: &str) {
        self.objects.insert(path.to_string());
    }

    /// Sets how fields this mapping does not name are typed.
    pub fn set_unmapped(&mut self, unmapped: crate::ecs::Unmapped) {
        self.unmapped = unmapped;
    }

    /// How fields this mapping does not name are typed.
    pub fn unmapped(&self) -> crate::ecs::Unmapped {
        self.unmapped
    }

    /// Adds every field, alias and object of `other`, replacing definitions at the same
    /// paths (a user's mapping over the ECS defaults).
    pub fn merge(&mut self, other: &Mapping) {
        for (k, v) in &other.fields {
            self.aliases.remove(k);
            self.fields.insert(k.clone(), v.clone());
        }
        for (k, v) in &other.aliases {
            self.fields.remove(k);
            self.aliases.insert(k.clone(), v.clone());
        }
        self.objects.extend(other.objects.iter().cloned());
    }

    /// The field at `path` (following an alias), or, for a path this mapping does not
    /// know at all, the field its [`Unmapped`](crate::ecs::Unmapped) policy gives.
    pub fn lookup(&self, path: &str) -> Option<Cow<'_, FieldDef>> {
        if let Some(d) = self.get(path) {
            return Some(Cow::Borrowed(d));
        }
        match self.unmapped {
            crate::ecs::Unmapped::LogsTemplate if !self.knows(path) && !path.is_empty() => {
                Some(Cow::Owned(crate::ecs::unmapped_field(path)))
            }
            _ => None,
        }
    }

    /// Adds an alias.
    pub fn insert_alias(&mut self, path: &str, target: &str) {
        self.aliases.insert(path.to_string(), target.to_string());
    }

    /// The field at `path`, following an alias.
    pub fn get(&self, path: &str) -> Option<&FieldDef> {
        match self.aliases.get(path) {
            Some(target) => self.fields.get(target),
            None => self.fields.get(path),
        }
    }

    /// Whether `path` names a field, an alias or an object.
    pub fn knows(&self, path: &str) -> bool {
        self.fields.contains_key(path)
            || self.aliases.contains_key(path)
            || self.objects.contains(path)
    }

    /// Number of fields (not counting aliases and objects).
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.aliases.is_empty()
    }

    /// Every alias path with the path it points to.
    pub fn aliases(&self) -> impl Iterator<Item = (&str, &str)> {
        self.aliases.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Every field path with its definition.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &FieldDef)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Adds, for every leaf of `doc` that no field covers, the field Elasticsearch's
    /// dynamic mapping would create: strings → `text` with a `keyword` sub-field
    /// (`ignore_above: 256`), or `date` when the string looks like one (date detection);
    /// integers → `long`; other numbers → `float`; booleans → `boolean`. Arrays take the
    /// type of their first non-null element; `null` adds nothing.
    pub fn add_dynamic(&mut self, doc: &Json) {
        if let Some(obj) = doc.as_object() {
            self.dynamic_object("", obj, 0);
        }
    }

    fn dynamic_object(&mut self, prefix: &str, obj: &serde_json::Map<String, Json>, depth: usize) {
        if depth > 64 {
            return;
        }
        for (k, v) in obj {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            self.dynamic_value(&path, v, depth);
        }
    }

    fn dynamic_value(&mut self, path: &str, v: &Json, depth: usize) {
        if let Some(def) = self.get(path) {
            if def.ty != FieldType::Object {
                return;
            }
        }
        // Below a flattened field, or a mapped leaf, nothing is dynamic.
        let mut p = path;
        while let Some((parent, _)) = p.rsplit_once('.') {
            if let Some(def) = self.fields.get(parent) {
                if def.ty != FieldType::Object {
                    return;
                }
            }
            p = parent;
        }
        match v {
            Json::Null => {}
            Json::Object(o) => {
                self.objects.insert(path.to_string());
                self.dynamic_object(path, o, depth + 1);
            }
            Json::Array(items) => {
                for item in items {
                    if !item.is_null() {
                        self.dynamic_value(path, item, depth + 1);
                        if self.fields.contains_key(path) {
                            break;
                        }
                    }
                }
            }
            Json::Bool(_) => self.insert(path, FieldDef::new(path, FieldType::Boolean)),
            Json::Number(n) => {
                let ty = if n.is_f64() {
                    FieldType::Float
                } else {
                    FieldType::Integer
                };
                self.insert(path, FieldDef::new(path, ty));
            }
            Json::String(s) => {
                if looks_like_date(s) {
                    self.insert(
                        path,
                        FieldDef::new(
                            path,
                            FieldType::Date {
                                nanos: false,
                                format: DateFormat::default(),
                            },
                        ),
                    );
                } else {
                    let sub = format!("{path}.keyword");
                    let mut kw = FieldDef::new(path, FieldType::Keyword);
                    kw.ignore_above = Some(256);
                    self.insert(&sub, kw);
                    let mut text = FieldDef::new(path, FieldType::Text);
                    text.exact = Some(sub);
                    self.insert(path, text);
                }
            }
        }
    }
}

/// Elasticsearch's date detection: only strings with more than one `-`, `:` or `/` are
/// tried, against `strict_date_optional_time` and `yyyy/MM/dd HH:mm:ss Z||yyyy/MM/dd Z`.
fn looks_like_date(s: &str) -> bool {
    let count = |c: char| s.chars().filter(|&x| x == c).count();
    if count('-') <= 1 && count(':') <= 1 && count('/') <= 1 {
        return false;
    }
    DateFormat::parse("strict_date_optional_time||yyyy/MM/dd HH:mm:ss Z||yyyy/MM/dd Z")
        .parse_str(s)
        .is_some()
}

fn leaf_def(path: &str, source: &str, ty: &str, def: &serde_json::Map<String, Json>) -> FieldDef {
    let format = def.get("format").and_then(Json::as_str);
    let value = def.get("value").and_then(Json::as_str);
    let mut f = FieldDef::new(source, FieldType::from_es(ty, format, value));
    let _ = path;
    f.null_value = def.get("null_value").filter(|v| !v.is_null()).cloned();
    f.ignore_above = def
        .get("ignore_above")
        .and_then(Json::as_u64)
        .map(|n| n as usize);
    // A named analyzer (`"analyzer": "name"`), or an in-line definition as Beats' field
    // files write it (`"analyzer": {"name": {…}}`); unknown ones read as `standard`.
    let analyzer_name = match def.get("analyzer") {
        Some(Json::String(n)) => Some(n.as_str()),
        Some(Json::Object(o)) => o.keys().next().map(String::as_str),
        _ => None,
    };
    if let Some(a) = analyzer_name.and_then(crate::analysis::Analyzer::from_name) {
        f.analyzer = a;
    }
    f
}

fn find_properties(json: &Json, depth: usize) -> Option<&serde_json::Map<String, Json>> {
    if depth > 3 {
        return None;
    }
    let obj = json.as_object()?;
    if let Some(p) = obj.get("properties").and_then(Json::as_object) {
        return Some(p);
    }
    if let Some(m) = obj.get("mappings") {
        return find_properties(m, depth + 1);
    }
    // `GET index/_mapping`: {"index-name": {"mappings": …}}; `_doc` type wrappers.
    if obj.len() == 1 {
        return find_properties(obj.values().next()?, depth + 1);
    }
    None
}

/// How a path resolves in a [`Schema`].
#[derive(Clone, Debug, PartialEq)]
pub enum Resolution {
    /// No index maps it.
    Unknown,
    /// A field; its type is the first index's (all indices agree on the family).
    Field(FieldType),
    /// Indices disagree on the type.
    Conflict(String),
    /// It is an object, not a value.
    Object,
}

/// The indices one search covers, each with its mapping.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    indices: Vec<(String, Mapping)>,
}

impl Schema {
    /// An empty schema.
    pub fn new() -> Self {
        Self::default()
    }

    /// A schema of one index.
    pub fn single(index: &str, mapping: Mapping) -> Self {
        let mut s = Schema::new();
        s.add_index(index, mapping);
        s
    }

    /// Adds (or replaces) an index.
    pub fn add_index(&mut self, index: &str, mapping: Mapping) {
        if let Some(slot) = self.indices.iter_mut().find(|(n, _)| n == index) {
            slot.1 = mapping;
        } else {
            self.indices.push((index.to_string(), mapping));
        }
    }

    /// The mapping of `index`, if present.
    pub fn mapping(&self, index: &str) -> Option<&Mapping> {
        self.indices
            .iter()
            .find(|(n, _)| n == index)
            .map(|(_, m)| m)
    }

    /// The mapping of `index`, created empty if absent.
    pub fn mapping_mut(&mut self, index: &str) -> &mut Mapping {
        if let Some(pos) = self.indices.iter().position(|(n, _)| n == index) {
            return &mut self.indices[pos].1;
        }
        self.indices.push((index.to_string(), Mapping::new()));
        let last = self.indices.len() - 1;
        &mut self.indices[last].1
    }

    /// Index names in order.
    pub fn index_names(&self) -> impl Iterator<Item = &str> {
        self.indices.iter().map(|(n, _)| n.as_str())
    }

    /// The field an EQL/KQL query means by `path` in one index: a `text` field with a
    /// keyword-like sub-field is read through that sub-field.
    ///
    /// Fields the index's mapping does not name are typed by its
    /// [`Unmapped`](crate::ecs::Unmapped) policy.
    pub fn exact_field<'a>(&'a self, index: &str, path: &str) -> Option<Cow<'a, FieldDef>> {
        let m = self.mapping(index)?;
        let def = m.lookup(path)?;
        match &def.exact {
            Some(sub) if def.ty == FieldType::Text => m.lookup(sub).or(Some(def)),
            _ => Some(def),
        }
    }

    /// Resolves `path` across all indices (exact sub-fields applied).
    pub fn resolve(&self, path: &str) -> Resolution {
        let mut found: Option<FieldType> = None;
        let mut object = false;
        for (index, m) in &self.indices {
            if let Some(def) = self.exact_field(index, path) {
                if def.ty == FieldType::Object {
                    object = true;
                    continue;
                }
                match &found {
                    None => found = Some(def.ty.clone()),
                    Some(t) if t.family() != def.ty.family() => {
                        return Resolution::Conflict(format!(
                            "field `{path}` is mapped as `{}` in one index and `{}` in index `{index}`",
                            t.name(),
                            def.ty.name()
                        ));
                    }
                    Some(_) => {}
                }
            } else if m.knows(path) {
                object = true;
            }
        }
        match found {
            Some(t) => Resolution::Field(t),
            None if object => Resolution::Object,
            None => Resolution::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_properties_aliases_and_multi_fields() {
        let text = r##"# comment line
        {"properties": {
            "event_type": {"type": "keyword"},
            "event": {"properties": {"category": {"type": "alias", "path": "event_type"}}},
            "hostname": {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}},
            "opt": {"type": "keyword", "null_value": "NULL"},
            "when": {"type": "date", "format": "dd-MM-yyyy"}
        }}"##;
        let m = Mapping::from_json_str(text).unwrap();
        assert_eq!(m.get("event.category").unwrap().ty, FieldType::Keyword);
        assert_eq!(m.get("event.category").unwrap().source, "event_type");
        let host = m.get("hostname").unwrap();
        assert_eq!(host.ty, FieldType::Text);
        assert_eq!(host.exact.as_deref(), Some("hostname.keyword"));
        let kw = m.get("hostname.keyword").unwrap();
        assert_eq!(kw.source, "hostname");
        assert_eq!(kw.ignore_above, Some(256));
        assert_eq!(
            m.get("opt").unwrap().null_value,
            Some(Json::String("NULL".into()))
        );
        assert!(matches!(
            m.get("when").unwrap().ty,
            FieldType::Date { nanos: false, .. }
        ));
        let s = Schema::single("i", m);
        assert_eq!(
            s.exact_field("i", "hostname").unwrap().ty,
            FieldType::Keyword
        );
        assert_eq!(s.resolve("event"), Resolution::Object);
        assert_eq!(s.resolve("nope"), Resolution::Unknown);
    }

    #[test]
    fn dynamic_mapping_follows_elasticsearch() {
        let mut m = Mapping::new();
        m.add_dynamic(&serde_json::json!({
            "s": "text", "n": 3, "f": 1.5, "b": true, "d": "2020-01-01T00:00:00Z",
            "obj": {"x": [null, 2]}, "dotted.key": "v", "nums": "1-2"
        }));
        assert_eq!(m.get("s").unwrap().ty, FieldType::Text);
        assert_eq!(m.get("s.keyword").unwrap().ignore_above, Some(256));
        assert_eq!(m.get("n").unwrap().ty, FieldType::Integer);
        assert_eq!(m.get("f").unwrap().ty, FieldType::Float);
        assert_eq!(m.get("b").unwrap().ty, FieldType::Boolean);
        assert!(matches!(m.get("d").unwrap().ty, FieldType::Date { .. }));
        assert_eq!(m.get("obj.x").unwrap().ty, FieldType::Integer);
        assert_eq!(m.get("dotted.key").unwrap().ty, FieldType::Text);
        assert_eq!(m.get("nums").unwrap().ty, FieldType::Text);
    }

    #[test]
    fn conflicting_types_are_reported() {
        let mut s = Schema::new();
        let mut a = Mapping::new();
        a.insert("x", FieldDef::new("x", FieldType::Keyword));
        let mut b = Mapping::new();
        b.insert("x", FieldDef::new("x", FieldType::Integer));
        s.add_index("a", a);
        s.add_index("b", b);
        assert!(matches!(s.resolve("x"), Resolution::Conflict(_)));
    }
}
