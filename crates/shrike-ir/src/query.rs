//! Query-level IR: an event filter, a sequence or a sample, then pipes.

use crate::expr::Expr;
use crate::mapping::FieldType;
use std::fmt;

/// A whole query after lowering.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// What it selects.
    pub body: Body,
    /// `head`/`tail` pipes, in order.
    pub pipes: Vec<Pipe>,
}

/// The three query shapes.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// Every event for which the condition (category test included) is true.
    Event(Expr),
    /// Ordered stages sharing join keys.
    Sequence(Sequence),
    /// Unordered stages sharing join keys.
    Sample(Sample),
}

/// A pipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pipe {
    /// The first N results.
    Head(u64),
    /// The last N results (still in ascending order).
    Tail(u64),
}

/// A join key of one stage.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key's value (a field read, or `null` for an unknown `?field`).
    pub expr: Expr,
    /// Written `?field`: a null value is a legal key instead of excluding the event.
    pub optional: bool,
    /// The field's type, for printing key values (`None` for an unknown optional field).
    pub ty: Option<FieldType>,
}

/// One stage of a sequence or sample (`with runs=N` is expanded into N stages).
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    /// Which events the stage accepts.
    pub filter: Expr,
    /// The stage's keys: the query-level `by` keys, then the clause's own.
    pub keys: Vec<Key>,
    /// A missing-event stage (`![…]`).
    pub missing: bool,
}

/// A sequence.
#[derive(Clone, Debug, PartialEq)]
pub struct Sequence {
    /// The stages, in order.
    pub stages: Vec<Stage>,
    /// `until [...]`: an event of this stage with a pending sequence's key ends it.
    pub until: Option<Stage>,
    /// `with maxspan`, in nanoseconds.
    pub maxspan_nanos: Option<i64>,
}

/// A sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The stages.
    pub stages: Vec<Stage>,
}

impl Query {
    /// Every field path the query reads, sorted and de-duplicated.
    pub fn fields(&self) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        let mut stage = |s: &Stage| {
            v.extend(s.filter.fields().iter().cloned());
            for k in &s.keys {
                v.extend(k.expr.fields().iter().cloned());
            }
        };
        match &self.body {
            Body::Event(e) => v.extend(e.fields().iter().cloned()),
            Body::Sequence(s) => {
                s.stages.iter().for_each(&mut stage);
                if let Some(u) = &s.until {
                    stage(u);
                }
            }
            Body::Sample(s) => s.stages.iter().for_each(&mut stage),
        }
        v.sort();
        v.dedup();
        v
    }
}

fn fmt_stage(s: &Stage, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "  {}[{}]", if s.missing { "!" } else { "" }, s.filter)?;
    if !s.keys.is_empty() {
        f.write_str(" by ")?;
        for (i, k) in s.keys.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}{}", if k.optional { "?" } else { "" }, k.expr)?;
        }
    }
    writeln!(f)
}

/// A stable multi-line rendering for `debug ir` and golden tests.
impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.body {
            Body::Event(e) => writeln!(f, "event {e}")?,
            Body::Sequence(s) => {
                match s.maxspan_nanos {
                    Some(n) => writeln!(f, "sequence maxspan={}ms", n / 1_000_000)?,
                    None => writeln!(f, "sequence")?,
                }
                for st in &s.stages {
                    fmt_stage(st, f)?;
                }
                if let Some(u) = &s.until {
                    writeln!(f, "until")?;
                    fmt_stage(u, f)?;
                }
            }
            Body::Sample(s) => {
                writeln!(f, "sample")?;
                for st in &s.stages {
                    fmt_stage(st, f)?;
                }
            }
        }
        for p in &self.pipes {
            match p {
                Pipe::Head(n) => writeln!(f, "| head {n}")?,
                Pipe::Tail(n) => writeln!(f, "| tail {n}")?,
            }
        }
        Ok(())
    }
}
