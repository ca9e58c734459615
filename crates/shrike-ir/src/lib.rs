//! The normalised expression IR of shrike, and field types.
//!
//! Both query languages (EQL, KQL) lower into this IR; the engine compiles it into a plan.
//! Lowering needs field types, so this crate also owns Elasticsearch mappings
//! ([`Mapping`], [`Schema`]), dynamic-mapping inference and the ECS schema loader.
//!
//! ```
//! use shrike_ir::{CmpOp, Expr, FieldRef, FieldType, Value};
//!
//! let name = Expr::field(FieldRef { path: "process.name".into(), ty: FieldType::Keyword });
//! let e = Expr::and(vec![
//!     Expr::cmp(CmpOp::Eq, name, Expr::constant(Value::Str("cmd.exe".into()))),
//!     Expr::boolean(true), // folded away
//! ]);
//! assert_eq!(e.to_string(), r#"(process.name:keyword == "cmd.exe")"#);
//! assert_eq!(e.fields(), &["process.name"]);
//! ```
//!
//! The IR knows nothing of text syntax or of events.
#![deny(missing_docs)]

pub mod analysis;
pub mod date;
pub mod datemath;
pub mod ecs;
pub mod expr;
pub mod mapping;
pub mod query;
pub mod value;
pub mod version;

pub use date::DateFormat;
pub use ecs::Unmapped;
pub use expr::{ArithOp, CmpOp, Expr, ExprKind, FieldRef, Func, TextQuery};
pub use mapping::{FieldDef, FieldType, Mapping, MappingError, Resolution, Schema};
pub use query::{Body, Key, Pipe, Query, Sample, Sequence, Stage};
pub use value::Value;
