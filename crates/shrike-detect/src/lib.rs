//! shrike's detection runs: a pack of Elastic detection rules over log files, and the
//! alerts Kibana would have written for them.
//!
//! ```
//! use shrike_detect::{load_pack, run, Alert, AlertSink, DetectOptions, ExceptionLists,
//!                     PackOptions, ScheduleMode, Selection};
//! use shrike_hunt::{HuntOptions, HuntSchema};
//! use shrike_io::InputSpec;
//!
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("whoami.toml"), r#"
//! [rule]
//! rule_id = "0f9a2b7e-4c1d-4b8a-9e3f-6d5c4b3a2910"
//! name = "Whoami"
//! description = "whoami ran."
//! risk_score = 21
//! severity = "low"
//! type = "eql"
//! language = "eql"
//! query = 'process where process.name : "whoami.exe"'
//! "#).unwrap();
//! let logs = dir.path().join("logs.ndjson");
//! std::fs::write(&logs, concat!(
//!     r#"{"@timestamp":"2024-01-01T00:00:00Z","event":{"category":"process"},"process":{"name":"WHOAMI.EXE"}}"#,
//!     "\n",
//! )).unwrap();
//!
//! let schema = HuntSchema::ecs();
//! let now = 1_704_067_200_000_000_000; // 2024-01-01T00:00:00Z
//! let pack = load_pack(&[dir.path().to_path_buf()], &PackOptions {
//!     schema: &schema,
//!     selection: &Selection::default(),
//!     exceptions: &ExceptionLists::new(),
//!     indicators: None,
//!     schedule: ScheduleMode::Continuous,
//!     now,
//! });
//! assert_eq!(pack.rules.len(), 1);
//!
//! struct Keep(Vec<Alert>);
//! impl AlertSink for Keep {
//!     fn alert(&mut self, alert: Alert) -> std::io::Result<()> {
//!         self.0.push(alert);
//!         Ok(())
//!     }
//! }
//! let mut keep = Keep(Vec::new());
//! let input = InputSpec::parse(logs.to_str().unwrap()).unwrap();
//! let options = DetectOptions { now, ..DetectOptions::default() };
//! run(&pack, &[input], &HuntOptions::default(), &options, &mut keep).unwrap();
//! let alert = &keep.0[0].doc;
//! assert_eq!(alert["kibana.alert.rule.name"], "Whoami");
//! assert_eq!(alert["event.kind"], "signal");
//! assert_eq!(alert["process"]["name"], "WHOAMI.EXE");
//! ```
//!
//! # Pieces
//!
//! * [`load_pack`] ([`pack`]): rule files checked, selected ([`Selection`]), lowered with
//!   the rule's filters and exception items, compiled into one rule set; broken and
//!   unsupported rules are set aside with the reason ([`Skipped`]).
//! * [`run`]: the hunt pipeline over the inputs, matches turned into Kibana-shaped alert
//!   documents (shrike-rules' alert builder and rule types), handed to an [`AlertSink`].
//! * [`output`]: alerts in time order (bounded memory), as NDJSON or a CSV timeline, and a
//!   per-rule digest for a summary table.
#![deny(missing_docs)]

pub mod exceptions;
pub mod output;
pub mod pack;
pub mod run;
pub mod select;

pub use exceptions::ExceptionLists;
pub use pack::{
    load_pack, read_exception_files, read_indicator_files, PackOptions, PackRule, RulePack,
    RuleRun, ScheduleMode, SkipKind, Skipped,
};
pub use run::{run, Alert, AlertRole, AlertSink, DetectOptions, RuleCounts, RunSummary};
pub use select::{tactics, Selection};
