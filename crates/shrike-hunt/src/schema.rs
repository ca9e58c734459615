//! The field types rules are lowered and events are read with when hunting.
//!
//! There is no cluster, so no index mapping: fields are typed as an Elastic Agent `logs-*`
//! data stream would type them — the ECS fields by their ECS types, any other field as the
//! `ecs@mappings` dynamic templates map a string (`keyword`, mostly; see
//! [`shrike_ir::ecs`]) — overridden by the user's mappings (`--mapping [INDEX=]FILE`).
//!
//! A mapping without an index applies to every event; a mapping for an index (a name, or a
//! pattern with `*`) applies, on top of those, to the events of the indices it matches. The
//! rules are lowered against all of them (a field typed differently by two of them is an
//! error, as in Elasticsearch), and each event is read with the mapping of its index.

use shrike_ir::{Mapping, Schema};

/// The name of the mapping every event without a mapping of its own is read with. (`*`
/// cannot be part of an Elasticsearch index name, so no user index collides with it.)
pub const DEFAULT_PROFILE: &str = "*";

/// Field types for hunting: ECS + `logs-*` dynamic defaults + user mappings.
#[derive(Clone, Debug)]
pub struct HuntSchema {
    global: Mapping,
    per_index: Vec<(String, Mapping)>,
    schema: Schema,
    /// Built from a caller's schema ([`HuntSchema::from_schema`]), not from ECS.
    custom: bool,
}

impl Default for HuntSchema {
    fn default() -> Self {
        HuntSchema::ecs()
    }
}

impl HuntSchema {
    /// The ECS types and `logs-*` defaults, no user mapping.
    pub fn ecs() -> Self {
        let mut s = HuntSchema {
            global: Mapping::new(),
            per_index: Vec::new(),
            schema: Schema::new(),
            custom: false,
        };
        s.rebuild();
        s
    }

    /// A schema given as is (no ECS defaults): its indices are the mapping profiles,
    /// matched by exact name; events of no listed index are read with the first. For
    /// running queries against known mappings, as the ES spec suite does.
    pub fn from_schema(schema: Schema) -> Self {
        HuntSchema {
            global: Mapping::new(),
            per_index: schema
                .index_names()
                .map(|n| (n.to_string(), Mapping::new()))
                .collect(),
            schema,
            custom: true,
        }
    }

    /// Adds a user mapping (`--mapping FILE` when `index` is `None`, `--mapping INDEX=FILE`
    /// otherwise; `INDEX` may contain `*`). Its fields replace the defaults'.
    pub fn add_mapping(&mut self, index: Option<&str>, mapping: &Mapping) {
        if self.custom {
            let names: Vec<String> = match index {
                Some(n) => vec![n.to_string()],
                None => self.schema.index_names().map(str::to_string).collect(),
            };
            for n in names {
                if !self.per_index.iter().any(|(p, _)| *p == n) {
                    self.per_index.push((n.clone(), Mapping::new()));
                }
                self.schema.mapping_mut(&n).merge(mapping);
            }
            return;
        }
        match index {
            None => self.global.merge(mapping),
            Some(name) => match self.per_index.iter_mut().find(|(n, _)| n == name) {
                Some((_, m)) => m.merge(mapping),
                None => self.per_index.push((name.to_string(), mapping.clone())),
            },
        }
        self.rebuild();
    }

    fn rebuild(&mut self) {
        let mut base = Mapping::ecs();
        base.merge(&self.global);
        let mut schema = Schema::new();
        schema.add_index(DEFAULT_PROFILE, base.clone());
        for (name, m) in &self.per_index {
            let mut full = base.clone();
            full.merge(m);
            schema.add_index(name, full);
        }
        self.schema = schema;
    }

    /// The schema rules are lowered and compiled against: one index per mapping profile,
    /// [`DEFAULT_PROFILE`] first.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The mapping profile (an index of [`HuntSchema::schema`]) the events of `index` are
    /// read with: the first user mapping whose index name or pattern matches, else
    /// [`DEFAULT_PROFILE`].
    pub fn profile(&self, index: Option<&str>) -> &str {
        if let Some(name) = index {
            for (pattern, _) in &self.per_index {
                if crate::index::glob(pattern, name) {
                    return pattern;
                }
            }
        }
        DEFAULT_PROFILE
    }

    /// The user's index patterns with a mapping, in the order given.
    pub fn mapped_indices(&self) -> impl Iterator<Item = &str> {
        self.per_index.iter().map(|(n, _)| n.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shrike_ir::{FieldType, Resolution};

    #[test]
    fn user_mappings_override_ecs_per_index() {
        let mut s = HuntSchema::ecs();
        let m = Mapping::from_json_str(r#"{"properties": {"custom": {"type": "long"}}}"#).unwrap();
        s.add_mapping(None, &m);
        assert_eq!(
            s.schema().resolve("custom"),
            Resolution::Field(FieldType::Integer)
        );
        let m = Mapping::from_json_str(r#"{"properties": {"only_here": {"type": "ip"}}}"#).unwrap();
        s.add_mapping(Some("fw-*"), &m);
        assert_eq!(s.profile(Some("fw-1")), "fw-*");
        assert_eq!(s.profile(Some("other")), DEFAULT_PROFILE);
        assert_eq!(s.profile(None), DEFAULT_PROFILE);
        // `only_here` is an ip in fw-* and a keyword (logs-* default) elsewhere: lowering a
        // rule that reads it reports the conflict, as Elasticsearch would.
        assert!(matches!(
            s.schema().resolve("only_here"),
            Resolution::Conflict(_)
        ));
        assert_eq!(
            s.schema().resolve("custom"),
            Resolution::Field(FieldType::Integer)
        );
    }
}
