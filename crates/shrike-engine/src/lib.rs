//! shrike's engine: compiles IR into an immutable [`Plan`] and runs it over events with
//! Elasticsearch's EQL semantics.
//!
//! ```
//! use shrike_engine::{search, Plan, PlanOptions, Results, SearchOptions};
//! use shrike_ir::{Body, CmpOp, Expr, FieldRef, FieldType, Mapping, Query, Schema, Value};
//! use serde_json::json;
//!
//! // `process where pid == 4`, lowered by hand.
//! let pid = Expr::field(FieldRef { path: "pid".into(), ty: FieldType::Integer });
//! let query = Query {
//!     body: Body::Event(Expr::cmp(CmpOp::Eq, pid, Expr::constant(Value::Int(4)))),
//!     pipes: vec![],
//! };
//! let docs = vec![
//!     json!({"@timestamp": "2024-01-01T00:00:02Z", "pid": [1, 4]}),
//!     json!({"@timestamp": "2024-01-01T00:00:01Z", "pid": 4}),
//!     json!({"@timestamp": "2024-01-01T00:00:03Z", "pid": 5}),
//! ];
//! let mut mapping = Mapping::new();
//! docs.iter().for_each(|d| mapping.add_dynamic(d));
//! let schema = Schema::single("logs", mapping);
//! let plan = Plan::compile(&query, &schema, &PlanOptions::default()).unwrap();
//! let index = plan.index_id("logs").unwrap();
//! let events: Vec<_> = docs
//!     .into_iter()
//!     .enumerate()
//!     .map(|(i, d)| plan.event_from_json(index, d, i as u64))
//!     .collect();
//! let out = search(&plan, &events, &SearchOptions::default());
//! // Ordered by timestamp; the multi-valued `pid: [1, 4]` matches.
//! assert_eq!(out.results, Results::Events(vec![1, 0]));
//! ```
//!
//! # Input safety
//!
//! Documents are untrusted: reading a field never panics, whatever the JSON holds, and the
//! work per document is bounded by the plan's field paths. Sequence state is bounded: a
//! partial sequence older than `maxspan` is dropped, and at most
//! [`SearchOptions::max_pending_sequences`] (default [`DEFAULT_MAX_PENDING_SEQUENCES`])
//! partial sequences are kept; past that the oldest are dropped with a warning in
//! [`Outcome::warnings`].
#![deny(missing_docs)]

mod decode;
mod eval;
mod event;
pub mod matcher;
mod plan;
mod prefilter;
mod run;
mod sample;
mod sequence;
mod stream;

pub use decode::Decoder;
pub use event::{Event, FieldId, Origin};
pub use plan::{
    Plan, PlanError, PlanOptions, Program, ProgramBuilder, RuleId, RuleKind, RuleOptions,
};
pub use run::{
    search, KeyValue, Outcome, Position, Results, SearchOptions, SequenceHit,
    DEFAULT_MAX_PENDING_SEQUENCES,
};
pub use stream::{RuleMask, ScanOptions, ScanResult, Scanner, SequenceRunner};
