//! Compiling IR into an immutable [`Plan`].
//!
//! The plan interns every field the query reads into a table of [`FieldId`]s, decides per
//! index where each field's values are in `_source` and how to convert them (the same path
//! may be a `date` with one format in one index and another format elsewhere), and turns
//! expressions into [`Node`] trees with their matchers compiled. A plan is `Send + Sync`
//! and never changes; evaluation state (sequence automata) lives in the caller's objects.

use crate::eval::Node;
use crate::event::FieldId;
use crate::matcher::{Cidr, Matcher, PatternError};
use serde_json::Value as Json;
use shrike_ir::{Body, Expr, ExprKind, FieldType, Func, Pipe, Query, Schema, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// How to read one field in one index.
#[derive(Clone, Debug)]
pub(crate) struct Extract {
    pub(crate) source: String,
    pub(crate) ty: FieldType,
    pub(crate) null_value: Option<Json>,
    pub(crate) ignore_above: Option<usize>,
}

/// Settings of a search that are not part of the query text.
#[derive(Clone, Debug)]
pub struct PlanOptions {
    /// The field events are ordered by (`@timestamp`).
    pub timestamp_field: String,
    /// The field that breaks timestamp ties (none by default, as in ES).
    pub tiebreaker_field: Option<String>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            timestamp_field: "@timestamp".to_string(),
            tiebreaker_field: None,
        }
    }
}

/// A join key of a compiled stage.
#[derive(Clone, Debug)]
pub(crate) struct CKey {
    pub(crate) node: Node,
    pub(crate) optional: bool,
    pub(crate) ty: Option<FieldType>,
}

/// A compiled stage.
#[derive(Clone, Debug)]
pub(crate) struct CStage {
    pub(crate) filter: Node,
    pub(crate) keys: Vec<CKey>,
    pub(crate) missing: bool,
}

/// The compiled query shape.
#[derive(Clone, Debug)]
pub(crate) enum CBody {
    Event(Node),
    Sequence {
        stages: Vec<CStage>,
        until: Option<CStage>,
        maxspan: Option<i64>,
    },
    Sample {
        stages: Vec<CStage>,
    },
}

/// An error compiling a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanError(pub String);

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PlanError {}

impl From<PatternError> for PlanError {
    fn from(e: PatternError) -> Self {
        PlanError(e.0)
    }
}

/// A compiled query: immutable, shareable across threads.
#[derive(Debug)]
pub struct Plan {
    fields: Vec<String>,
    extract: Vec<Vec<Option<Extract>>>,
    indices: Vec<Arc<str>>,
    pub(crate) body: CBody,
    pub(crate) pipes: Vec<Pipe>,
    timestamp: FieldId,
    tiebreaker: Option<FieldId>,
}

struct Compiler<'a> {
    schema: &'a Schema,
    fields: Vec<String>,
    ids: HashMap<String, FieldId>,
}

impl Compiler<'_> {
    fn field(&mut self, path: &str) -> FieldId {
        if let Some(&id) = self.ids.get(path) {
            return id;
        }
        let id = self.fields.len();
        self.fields.push(path.to_string());
        self.ids.insert(path.to_string(), id);
        id
    }

    fn node(&mut self, e: &Expr) -> Result<Node, PlanError> {
        let node = self.node_inner(e)?;
        // A predicate over exactly one field is evaluated once per value of that field and
        // is true if any value makes it true (Elasticsearch's term/wildcard/range queries).
        let predicate = matches!(
            e.kind(),
            ExprKind::Cmp(..)
                | ExprKind::In { .. }
                | ExprKind::Wildcard { .. }
                | ExprKind::Regex { .. }
                | ExprKind::Call { .. }
        );
        if predicate && e.fields().len() == 1 {
            let fid = self.field(&e.fields()[0]);
            return Ok(Node::AnyValue(fid, Box::new(node)));
        }
        Ok(node)
    }

    fn nodes(&mut self, items: &[Expr]) -> Result<Vec<Node>, PlanError> {
        items.iter().map(|e| self.node(e)).collect()
    }

    fn node_inner(&mut self, e: &Expr) -> Result<Node, PlanError> {
        Ok(match e.kind() {
            ExprKind::Const(v) => Node::Const(v.clone()),
            ExprKind::Field(f) => Node::Field(self.field(&f.path)),
            ExprKind::Not(x) => Node::Not(Box::new(self.node(x)?)),
            ExprKind::And(items) => Node::And(self.nodes(items)?),
            ExprKind::Or(items) => Node::Or(self.nodes(items)?),
            ExprKind::IsNull(x) => Node::IsNull(Box::new(self.node_inner(x)?)),
            ExprKind::Cmp(op, a, b) => Node::Cmp(
                *op,
                Box::new(self.node_inner(a)?),
                Box::new(self.node_inner(b)?),
            ),
            ExprKind::Arith(op, a, b) => Node::Arith(
                *op,
                Box::new(self.node_inner(a)?),
                Box::new(self.node_inner(b)?),
            ),
            ExprKind::Neg(x) => Node::Neg(Box::new(self.node_inner(x)?)),
            ExprKind::In {
                value,
                set,
                case_insensitive,
            } => {
                let folded = if *case_insensitive {
                    set.iter()
                        .map(|v| v.to_text().map(|s| crate::matcher::fold(&s)))
                        .collect()
                } else {
                    Vec::new()
                };
                Node::In {
                    value: Box::new(self.node_inner(value)?),
                    set: set.clone(),
                    folded,
                    case_insensitive: *case_insensitive,
                }
            }
            ExprKind::Wildcard {
                value,
                patterns,
                case_insensitive,
            } => Node::Match(
                Box::new(self.node_inner(value)?),
                patterns
                    .iter()
                    .map(|p| Matcher::wildcard(p, *case_insensitive))
                    .collect::<Result<_, _>>()?,
            ),
            ExprKind::Regex {
                value,
                patterns,
                case_insensitive,
            } => Node::Match(
                Box::new(self.node_inner(value)?),
                patterns
                    .iter()
                    .map(|p| Matcher::regex(p, *case_insensitive))
                    .collect::<Result<_, _>>()?,
            ),
            ExprKind::Call {
                func: Func::CidrMatch,
                args,
                ..
            } if args.iter().skip(1).all(|a| a.as_const().is_some()) => {
                let mut cidrs = Vec::new();
                for a in &args[1..] {
                    match a.as_const() {
                        Some(Value::Str(s)) => cidrs.push(Cidr::parse(s)?),
                        Some(Value::Ip(ip)) => cidrs.push(Cidr::parse(&ip.to_string())?),
                        Some(Value::Null) => {}
                        _ => {
                            return Err(PlanError(
                                "cidrMatch expects string CIDR blocks".to_string(),
                            ))
                        }
                    }
                }
                let value = match args.first() {
                    Some(a) => self.node_inner(a)?,
                    None => Node::Const(Value::Null),
                };
                Node::Cidr(Box::new(value), cidrs)
            }
            ExprKind::Call {
                func,
                case_insensitive,
                args,
            } => Node::Call(
                *func,
                *case_insensitive,
                args.iter()
                    .map(|a| self.node_inner(a))
                    .collect::<Result<_, _>>()?,
            ),
            ExprKind::Exists(f) => Node::Exists(self.field(&f.path)),
            ExprKind::TextMatch {
                field,
                text,
                phrase,
            } => Node::Text {
                field: self.field(&field.path),
                terms: crate::eval::analyze(text),
                phrase: *phrase,
            },
        })
    }

    fn stage(&mut self, s: &shrike_ir::Stage) -> Result<CStage, PlanError> {
        Ok(CStage {
            filter: self.node(&s.filter)?,
            keys: s
                .keys
                .iter()
                .map(|k| {
                    Ok(CKey {
                        node: self.node_inner(&k.expr)?,
                        optional: k.optional,
                        ty: k.ty.clone(),
                    })
                })
                .collect::<Result<_, PlanError>>()?,
            missing: s.missing,
        })
    }
}

impl Plan {
    /// Compiles a lowered query against the schema of the indices it searches.
    pub fn compile(
        query: &Query,
        schema: &Schema,
        options: &PlanOptions,
    ) -> Result<Plan, PlanError> {
        let mut c = Compiler {
            schema,
            fields: Vec::new(),
            ids: HashMap::new(),
        };
        let body = match &query.body {
            Body::Event(e) => CBody::Event(c.node(e)?),
            Body::Sequence(s) => CBody::Sequence {
                stages: s
                    .stages
                    .iter()
                    .map(|st| c.stage(st))
                    .collect::<Result<_, _>>()?,
                until: s.until.as_ref().map(|u| c.stage(u)).transpose()?,
                maxspan: s.maxspan_nanos,
            },
            Body::Sample(s) => CBody::Sample {
                stages: s
                    .stages
                    .iter()
                    .map(|st| c.stage(st))
                    .collect::<Result<_, _>>()?,
            },
        };
        let timestamp = c.field(&options.timestamp_field);
        let tiebreaker = options.tiebreaker_field.as_deref().map(|t| c.field(t));
        let indices: Vec<Arc<str>> = c.schema.index_names().map(Arc::from).collect();
        let mut extract = Vec::new();
        for index in c.schema.index_names() {
            let row: Vec<Option<Extract>> = c
                .fields
                .iter()
                .enumerate()
                .map(|(id, path)| {
                    let def = c.schema.exact_field(index, path);
                    match def {
                        Some(d) => Some(Extract {
                            source: d.source.clone(),
                            ty: d.ty.clone(),
                            null_value: d.null_value.clone(),
                            ignore_above: d.ignore_above,
                        }),
                        // An unmapped timestamp is still read as a date.
                        None if id == timestamp => Some(Extract {
                            source: path.clone(),
                            ty: FieldType::Date {
                                nanos: true,
                                format: shrike_ir::DateFormat::default(),
                            },
                            null_value: None,
                            ignore_above: None,
                        }),
                        None => None,
                    }
                })
                .collect();
            extract.push(row);
        }
        Ok(Plan {
            fields: c.fields,
            extract,
            indices,
            body,
            pipes: query.pipes.clone(),
            timestamp,
            tiebreaker,
        })
    }

    /// The id of an index of the schema the plan was compiled with.
    pub fn index_id(&self, name: &str) -> Option<usize> {
        self.indices.iter().position(|n| &**n == name)
    }

    /// Index names, in schema order.
    pub fn index_names(&self) -> impl Iterator<Item = &str> {
        self.indices.iter().map(|n| &**n)
    }

    pub(crate) fn index_arc(&self, index: usize) -> Arc<str> {
        self.indices
            .get(index)
            .cloned()
            .unwrap_or_else(|| Arc::from(""))
    }

    /// The field table: paths by [`FieldId`].
    pub fn field_paths(&self) -> &[String] {
        &self.fields
    }

    /// The id of a field the plan reads.
    pub fn field_id(&self, path: &str) -> Option<FieldId> {
        self.fields.iter().position(|f| f == path)
    }

    pub(crate) fn extract_table(&self, index: usize) -> &[Option<Extract>] {
        self.extract.get(index).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn tiebreaker_field(&self) -> Option<FieldId> {
        self.tiebreaker
    }

    pub(crate) fn timestamp_of(&self, values: &[Vec<Value>]) -> Option<i64> {
        match values.get(self.timestamp)?.first()? {
            Value::Date(n) => Some(*n),
            Value::Int(ms) => ms.checked_mul(1_000_000),
            Value::Float(ms) => Some((ms * 1e6) as i64),
            Value::Str(s) => shrike_ir::DateFormat::default().parse_str(s),
            _ => None,
        }
    }

    /// Whether the plan is a sequence query.
    pub fn is_sequence(&self) -> bool {
        matches!(self.body, CBody::Sequence { .. })
    }

    /// Whether the plan is a sample query.
    pub fn is_sample(&self) -> bool {
        matches!(self.body, CBody::Sample { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Plan>();
    }
}
