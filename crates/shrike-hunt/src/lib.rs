//! shrike's hunt pipeline: many detection rules over many log files in one streaming
//! pass, with Elasticsearch's semantics, results pushed to a caller's [`Sink`].
//!
//! ```
//! use shrike_hunt::{hunt, lower_eql, Hit, HuntOptions, HuntSchema, RuleSetBuilder,
//!                   RuleSettings, SequenceMatch, Sink};
//! use shrike_io::InputSpec;
//!
//! // Rules are lowered against the hunt schema (ECS types, `logs-*` defaults, user
//! // mappings) and compiled together, each under a key of the caller's choosing.
//! let schema = HuntSchema::ecs();
//! let settings = RuleSettings::default();
//! let mut rules = RuleSetBuilder::new(&schema);
//! let q = lower_eql(r#"process where process.name : "whoami.exe""#, &schema, &settings).unwrap();
//! rules.add(7, &q, &settings).unwrap();
//! let q = lower_eql(
//!     "sequence by host.id [process where true] [network where true]",
//!     &schema,
//!     &settings,
//! )
//! .unwrap();
//! rules.add(8, &q, &settings).unwrap();
//! let rules = rules.build();
//!
//! let dir = tempfile::tempdir().unwrap();
//! let logs = dir.path().join("logs.ndjson");
//! std::fs::write(&logs, concat!(
//!     r#"{"@timestamp":"2024-01-01T00:00:00Z","event":{"category":"process"},"process":{"name":"WHOAMI.EXE"},"host":{"id":"h1"}}"#, "\n",
//!     r#"{"@timestamp":"2024-01-01T00:00:01Z","event":{"category":"network"},"host":{"id":"h1"}}"#, "\n",
//! )).unwrap();
//!
//! #[derive(Default)]
//! struct Collect(Vec<String>);
//! impl Sink for Collect {
//!     fn on_event_match(&mut self, rule: usize, hit: &Hit) -> std::io::Result<()> {
//!         self.0.push(format!("{rule}: {}", hit.location()));
//!         Ok(())
//!     }
//!     fn on_sequence_match(&mut self, rule: usize, m: &SequenceMatch) -> std::io::Result<()> {
//!         let at: Vec<String> = m.events.iter().flatten().map(|h| h.location().to_string()).collect();
//!         self.0.push(format!("{rule}: {} by {}", at.join(" -> "), m.join_keys[0]));
//!         Ok(())
//!     }
//! }
//! let mut sink = Collect::default();
//! let input = InputSpec::parse(logs.to_str().unwrap()).unwrap();
//! let summary = hunt(&rules, &[input], &HuntOptions::default(), &mut sink).unwrap();
//! let file = logs.display();
//! assert_eq!(sink.0, [
//!     format!("7: {file}:1"),
//!     format!("8: {file}:1 -> {file}:2 by \"h1\""),
//! ]);
//! assert_eq!(summary.events, 2);
//! ```
//!
//! # Pieces
//!
//! * [`HuntSchema`]: how fields are typed without a cluster (ECS, `logs-*` dynamic
//!   templates, `--mapping [INDEX=]FILE`). Lower rules against it ([`lower_eql`]).
//! * [`RuleSetBuilder`] → [`RuleSet`]: all rules compiled into one program with a shared
//!   field table (each event is decoded once, reading only the fields some rule uses), a
//!   prefilter that picks the rules an event could match, and per-rule settings
//!   ([`RuleSettings`]: timestamp override with `@timestamp` fallback, tiebreaker, event
//!   category field, index patterns).
//! * [`hunt`]: inputs ([`shrike_io::InputSpec`]) in, results out through [`Sink`], a
//!   [`Summary`] at the end. See `pipeline.rs` for the data flow and ARCHITECTURE.md
//!   ("Runtime") for the design and its memory bounds.
//!
//! # Guarantees
//!
//! * Results are the batch engine's (`shrike_engine::search`): the ES spec suite runs
//!   through this pipeline too.
//! * Deterministic: the same results in the same order for any number of threads.
//! * Bounded memory: event rules keep nothing; sequence and sample rules keep their
//!   candidates in an external sorter (spilling past [`HuntOptions::memory_budget`]) and
//!   their partial sequences under [`HuntOptions::max_pending_sequences`].
//! * Bad input is reported (file:line, code) and skipped; it never stops the hunt.
#![deny(missing_docs)]

mod index;
mod pipeline;
mod rules;
mod schema;
mod sink;

pub use pipeline::{hunt, EventOrder, HuntOptions, RuleStats, Summary};
pub use rules::{lower_eql, lower_kql, KqlParts, RuleSet, RuleSetBuilder, RuleSettings};
pub use schema::{HuntSchema, DEFAULT_PROFILE};
pub use shrike_engine::RuleKind;
pub use sink::{derived_id, Hit, MatchKind, Progress, SequenceMatch, Sink};
