//! Evaluation of compiled expressions over one event, with three-valued logic.
//!
//! Every node yields a [`Value`]; `Value::Null` is "unknown". `and`/`or`/`not` follow SQL's
//! three-valued logic; an event matches only when its condition is `true`. A field read
//! in a value context gives the field's first value; predicates over a single field are
//! wrapped in [`Node::AnyValue`] at compile time and hold if any value satisfies them.

use crate::event::{Event, FieldId};
use crate::matcher::{fold, fold_into, Cidr, Matcher};
use shrike_ir::analysis::Analyzer;
use shrike_ir::{ArithOp, CmpOp, Func, Value};
use std::borrow::Cow;
use std::cell::Cell;

type FastSet = std::collections::HashSet<Box<str>, foldhash::fast::RandomState>;

/// The text members of an `in` set, for one hash lookup instead of a scan.
#[derive(Clone, Debug, Default)]
pub(crate) struct TextSet {
    /// Case-sensitive: the string and version members (a string equals either exactly).
    /// Case-insensitive: every member's text, lower-cased.
    members: FastSet,
    /// Case-sensitive: the set has a member that is neither a string nor a version (a
    /// number, a date, null…), so a string not in `members` compares as unknown with it.
    other: bool,
}

impl TextSet {
    pub(crate) fn new(set: &[Value], folded: &[Option<String>], case_insensitive: bool) -> Self {
        if case_insensitive {
            TextSet {
                members: folded.iter().flatten().map(|f| f.as_str().into()).collect(),
                other: false,
            }
        } else {
            let mut t = TextSet::default();
            for v in set {
                match v {
                    Value::Str(s) | Value::Version(s) => {
                        t.members.insert(s.as_str().into());
                    }
                    _ => t.other = true,
                }
            }
            t
        }
    }
}

thread_local! {
    /// A buffer for lower-cased values, reused across evaluations on this thread.
    static FOLD: Cell<String> = const { Cell::new(String::new()) };
}

/// Calls `f` with `s` lower-cased as the matchers fold (no allocation in the steady
/// state).
fn with_folded<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    FOLD.with(|cell| {
        let mut buf = cell.take();
        fold_into(s, &mut buf);
        let r = f(&buf);
        cell.set(buf);
        r
    })
}

/// A compiled expression node.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    Const(Value),
    Field(FieldId),
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    IsNull(Box<Node>),
    Cmp(CmpOp, Box<Node>, Box<Node>),
    Arith(ArithOp, Box<Node>, Box<Node>),
    Neg(Box<Node>),
    In {
        value: Box<Node>,
        set: Vec<Value>,
        folded: Vec<Option<String>>,
        case_insensitive: bool,
        texts: Box<TextSet>,
    },
    Match(Box<Node>, Vec<Matcher>),
    Cidr(Box<Node>, Vec<Cidr>),
    Call(Func, bool, Vec<Node>),
    Exists(FieldId),
    Text {
        field: FieldId,
        query: CText,
        analyzer: Analyzer,
    },
    /// Two-valued truth of the operand (query-DSL semantics: null is false).
    Holds(Box<Node>),
    /// Evaluate the inner predicate once per value of the field; true if any is true,
    /// else null if any is null, else false. With no value, evaluate it with null.
    AnyValue(FieldId, Box<Node>),
}

/// A compiled [`shrike_ir::TextQuery`].
#[derive(Clone, Debug)]
pub(crate) enum CText {
    AnyToken(Vec<String>),
    Phrase(Vec<String>),
    TokenMatch(Matcher),
}

/// The binding of one field to one of its values while an [`Node::AnyValue`] iterates.
type Binding<'a> = Option<(FieldId, &'a Value)>;

fn null<'a>() -> Cow<'a, Value> {
    Cow::Owned(Value::Null)
}

fn boolean<'a>(b: Option<bool>) -> Cow<'a, Value> {
    Cow::Owned(b.map_or(Value::Null, Value::Bool))
}

/// Adds every field `node` reads to `out` (a mask by field id).
pub(crate) fn node_fields(node: &Node, out: &mut [bool]) {
    let mut mark = |f: FieldId| {
        if let Some(m) = out.get_mut(f) {
            *m = true;
        }
    };
    match node {
        Node::Const(_) => {}
        Node::Field(f) | Node::Exists(f) => mark(*f),
        Node::Text { field, .. } => mark(*field),
        Node::AnyValue(f, inner) => {
            mark(*f);
            node_fields(inner, out);
        }
        Node::Not(x) | Node::IsNull(x) | Node::Neg(x) | Node::Holds(x) => node_fields(x, out),
        Node::And(items) | Node::Or(items) | Node::Call(_, _, items) => {
            items.iter().for_each(|i| node_fields(i, out))
        }
        Node::Cmp(_, a, b) | Node::Arith(_, a, b) => {
            node_fields(a, out);
            node_fields(b, out);
        }
        Node::In { value, .. } | Node::Match(value, _) | Node::Cidr(value, _) => {
            node_fields(value, out)
        }
    }
}

/// Whether the condition holds (is `true`, not `false` or null).
pub(crate) fn matches(node: &Node, ev: &Event) -> bool {
    matches!(*eval(node, ev, None), Value::Bool(true))
}

pub(crate) fn eval<'a>(node: &'a Node, ev: &'a Event, bind: Binding<'a>) -> Cow<'a, Value> {
    match node {
        Node::Const(v) => Cow::Borrowed(v),
        Node::Field(f) => match bind {
            Some((b, v)) if b == *f => Cow::Borrowed(v),
            _ => ev.get(*f).first().map_or_else(null, Cow::Borrowed),
        },
        Node::Not(x) => match *eval(x, ev, bind) {
            Value::Bool(b) => Cow::Owned(Value::Bool(!b)),
            _ => null(),
        },
        Node::And(items) => {
            let mut unknown = false;
            for i in items {
                match *eval(i, ev, bind) {
                    Value::Bool(false) => return Cow::Owned(Value::Bool(false)),
                    Value::Bool(true) => {}
                    _ => unknown = true,
                }
            }
            boolean((!unknown).then_some(true))
        }
        Node::Or(items) => {
            let mut unknown = false;
            for i in items {
                match *eval(i, ev, bind) {
                    Value::Bool(true) => return Cow::Owned(Value::Bool(true)),
                    Value::Bool(false) => {}
                    _ => unknown = true,
                }
            }
            boolean((!unknown).then_some(false))
        }
        Node::IsNull(x) => {
            let is_null = match (&**x, bind) {
                // A field is null when it has no value at all.
                (Node::Field(f), None) => ev.get(*f).is_empty(),
                _ => eval(x, ev, bind).is_null(),
            };
            Cow::Owned(Value::Bool(is_null))
        }
        Node::Cmp(op, a, b) => {
            let (x, y) = (eval(a, ev, bind), eval(b, ev, bind));
            boolean(op.apply(&x, &y))
        }
        Node::Arith(op, a, b) => Cow::Owned(op.apply(&eval(a, ev, bind), &eval(b, ev, bind))),
        Node::Neg(x) => Cow::Owned(match *eval(x, ev, bind) {
            Value::Int(i) => i
                .checked_neg()
                .map_or(Value::Float(-(i as f64)), Value::Int),
            Value::Float(f) => Value::Float(-f),
            _ => Value::Null,
        }),
        Node::In {
            value,
            set,
            folded,
            case_insensitive,
            texts,
        } => {
            let v = eval(value, ev, bind);
            if v.is_null() {
                return null();
            }
            if let Value::Str(s) | Value::Version(s) = &*v {
                return if *case_insensitive {
                    boolean(Some(with_folded(s, |f| texts.members.contains(f))))
                } else if texts.members.contains(s.as_str()) {
                    Cow::Owned(Value::Bool(true))
                } else {
                    boolean((!texts.other).then_some(false))
                };
            }
            if *case_insensitive {
                if let Some(s) = v.to_text() {
                    let s = fold(&s);
                    return boolean(Some(folded.iter().any(|f| f.as_deref() == Some(&s))));
                }
            }
            let mut unknown = false;
            for c in set {
                match shrike_ir::value::equals(&v, c) {
                    Some(true) => return Cow::Owned(Value::Bool(true)),
                    Some(false) => {}
                    None => unknown = true,
                }
            }
            boolean((!unknown).then_some(false))
        }
        Node::Match(value, matchers) => {
            let v = eval(value, ev, bind);
            let s = match &*v {
                Value::Null => return null(),
                Value::Str(s) => Cow::Borrowed(s.as_str()),
                other => match other.to_text() {
                    Some(s) => Cow::Owned(s),
                    None => return null(),
                },
            };
            // Lower-case the value once for all the node's case-insensitive patterns.
            let hit = if matchers.iter().any(Matcher::folds) {
                with_folded(&s, |f| matchers.iter().any(|m| m.is_match_folded(&s, f)))
            } else {
                matchers.iter().any(|m| m.is_match(&s))
            };
            boolean(Some(hit))
        }
        Node::Cidr(value, cidrs) => {
            let v = eval(value, ev, bind);
            let ip = match &*v {
                Value::Ip(ip) => *ip,
                Value::Str(s) => match s.trim().parse() {
                    Ok(ip) => ip,
                    Err(_) => return null(),
                },
                _ => return null(),
            };
            boolean(Some(cidrs.iter().any(|c| c.contains(&ip))))
        }
        Node::Call(func, ci, args) => {
            let vals: Vec<Cow<'a, Value>> = args.iter().map(|a| eval(a, ev, bind)).collect();
            Cow::Owned(call(*func, *ci, &vals))
        }
        Node::Exists(f) => Cow::Owned(Value::Bool(!ev.get(*f).is_empty())),
        Node::Text {
            field,
            query,
            analyzer,
        } => {
            let hit = |v: &Value| {
                v.to_text()
                    .is_some_and(|s| text_matches(&analyzer.tokens(&s), query))
            };
            let any = match bind {
                Some((b, v)) if b == *field => hit(v),
                _ => ev.get(*field).iter().any(hit),
            };
            Cow::Owned(Value::Bool(any))
        }
        Node::Holds(x) => Cow::Owned(Value::Bool(matches!(*eval(x, ev, bind), Value::Bool(true)))),
        Node::AnyValue(f, inner) => {
            // Already iterating this field's values (a KQL leaf query with two bounds,
            // `Holds` over an `and`): keep the outer value.
            if matches!(bind, Some((b, _)) if b == *f) {
                return eval(inner, ev, bind);
            }
            let values = ev.get(*f);
            if values.len() <= 1 {
                return eval(inner, ev, bind);
            }
            let mut unknown = false;
            for v in values {
                match *eval(inner, ev, Some((*f, v))) {
                    Value::Bool(true) => return Cow::Owned(Value::Bool(true)),
                    Value::Bool(false) => {}
                    _ => unknown = true,
                }
            }
            boolean((!unknown).then_some(false))
        }
    }
}

/// Whether the tokens of one value satisfy a text query. Phrases do not span values:
/// Elasticsearch puts a position gap of 100 between the values of a multi-valued field.
fn text_matches(tokens: &[String], query: &CText) -> bool {
    match query {
        CText::AnyToken(terms) => terms.iter().any(|t| tokens.contains(t)),
        CText::Phrase(terms) => {
            !terms.is_empty() && tokens.windows(terms.len()).any(|w| w == terms)
        }
        CText::TokenMatch(m) => tokens.iter().any(|t| m.is_match(t)),
    }
}

fn text_of(v: &Value) -> Option<String> {
    v.to_text()
}

fn chars_slice(s: &str, start: usize, end: usize) -> String {
    s.chars()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect()
}

/// Index (in characters) of `needle` in `hay` at or after character `from`.
fn char_index_of(hay: &str, needle: &str, from: usize) -> Option<usize> {
    let byte_from = hay.char_indices().nth(from).map_or(hay.len(), |(b, _)| b);
    if from > hay.chars().count() {
        return None;
    }
    hay[byte_from..]
        .find(needle)
        .map(|b| hay[..byte_from + b].chars().count())
}

/// Evaluates an EQL function on evaluated arguments.
pub(crate) fn call(func: Func, ci: bool, args: &[Cow<'_, Value>]) -> Value {
    let arg = |i: usize| -> &Value { args.get(i).map_or(&Value::Null, |c| &**c) };
    let case = |s: String| if ci { fold(&s) } else { s };
    match func {
        Func::Add => ArithOp::Add.apply(arg(0), arg(1)),
        Func::Subtract => ArithOp::Sub.apply(arg(0), arg(1)),
        Func::Multiply => ArithOp::Mul.apply(arg(0), arg(1)),
        Func::Divide => ArithOp::Div.apply(arg(0), arg(1)),
        Func::Modulo => ArithOp::Mod.apply(arg(0), arg(1)),
        Func::Concat => {
            let mut out = String::new();
            for a in args {
                match text_of(a) {
                    Some(s) => out.push_str(&s),
                    None => return Value::Null,
                }
            }
            Value::Str(out)
        }
        Func::String => text_of(arg(0)).map_or(Value::Null, Value::Str),
        Func::Length => {
            text_of(arg(0)).map_or(Value::Null, |s| Value::Int(s.chars().count() as i64))
        }
        Func::StartsWith | Func::EndsWith | Func::StringContains => {
            let (Some(src), Some(sub)) = (text_of(arg(0)), text_of(arg(1))) else {
                return Value::Null;
            };
            let (src, sub) = (case(src), case(sub));
            Value::Bool(match func {
                Func::StartsWith => src.starts_with(&sub),
                Func::EndsWith => src.ends_with(&sub),
                _ => !sub.is_empty() && src.contains(&sub),
            })
        }
        Func::IndexOf => {
            let (Some(src), Some(sub)) = (text_of(arg(0)), text_of(arg(1))) else {
                return Value::Null;
            };
            let start = match arg(2) {
                Value::Null => 0,
                Value::Int(i) => (*i).max(0) as usize,
                Value::Float(f) => f.max(0.0) as usize,
                _ => return Value::Null,
            };
            let (src, sub) = (case(src), case(sub));
            char_index_of(&src, &sub, start).map_or(Value::Null, |i| Value::Int(i as i64))
        }
        Func::Between => {
            let (Some(src), Some(left), Some(right)) =
                (text_of(arg(0)), text_of(arg(1)), text_of(arg(2)))
            else {
                return Value::Null;
            };
            let greedy = match arg(3) {
                Value::Bool(b) => *b,
                Value::Null => false,
                _ => return Value::Null,
            };
            let (s, l, r) = if ci {
                (fold(&src), fold(&left), fold(&right))
            } else {
                (src.clone(), left, right)
            };
            let Some(lpos) = s.find(&l) else {
                return Value::Str(String::new());
            };
            let start = lpos + l.len();
            let end = if greedy {
                match s.rfind(&r) {
                    Some(e) if e >= start => e,
                    _ => return Value::Str(String::new()),
                }
            } else {
                match s[start..].find(&r) {
                    Some(e) => start + e,
                    None => return Value::Str(String::new()),
                }
            };
            // Map byte offsets of the (possibly folded) string back to characters.
            let cs = s[..start].chars().count();
            let ce = s[..end].chars().count();
            Value::Str(chars_slice(&src, cs, ce))
        }
        Func::Substring => {
            let Some(src) = text_of(arg(0)) else {
                return Value::Null;
            };
            let len = src.chars().count() as i64;
            let norm = |v: &Value, default: i64| -> Option<i64> {
                let i = match v {
                    Value::Null => default,
                    Value::Int(i) => *i,
                    Value::Float(f) => *f as i64,
                    _ => return None,
                };
                Some(if i < 0 { (len + i).max(0) } else { i.min(len) })
            };
            let (Some(s), Some(e)) = (norm(arg(1), 0), norm(arg(2), len)) else {
                return Value::Null;
            };
            if s >= e {
                return Value::Str(String::new());
            }
            Value::Str(chars_slice(&src, s as usize, e as usize))
        }
        Func::Number => {
            let Some(s) = text_of(arg(0)) else {
                return Value::Null;
            };
            let base = match arg(1) {
                Value::Null => None,
                Value::Int(b) if (2..=36).contains(b) => Some(*b as u32),
                _ => return Value::Null,
            };
            parse_number(&s, base)
        }
        Func::CidrMatch => {
            let ip = match arg(0) {
                Value::Ip(ip) => *ip,
                Value::Str(s) => match s.trim().parse() {
                    Ok(ip) => ip,
                    Err(_) => return Value::Null,
                },
                _ => return Value::Null,
            };
            let mut any = false;
            for c in &args[1..] {
                let Some(s) = text_of(c) else { continue };
                match Cidr::parse(&s) {
                    Ok(c) => any |= c.contains(&ip),
                    Err(_) => return Value::Null,
                }
            }
            Value::Bool(any)
        }
    }
}

/// `number(s, base)`: whitespace and a sign allowed; `0x` means hexadecimal; with base 10
/// a fraction or exponent gives a float.
fn parse_number(s: &str, base: Option<u32>) -> Value {
    let t = s.trim();
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let hex = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X"));
    let (base, digits) = match (base, hex) {
        (None, Some(h)) | (Some(16), Some(h)) => (16, h),
        (None, None) => (10, body),
        (Some(b), _) => (b, body),
    };
    if digits.is_empty() {
        return Value::Null;
    }
    match i64::from_str_radix(digits, base) {
        Ok(v) => Value::Int(if neg { -v } else { v }),
        Err(_) if base == 10 => match t.parse::<f64>() {
            Ok(f) if f.is_finite() => Value::Float(f),
            _ => Value::Null,
        },
        Err(_) => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Cow<'static, Value> {
        Cow::Owned(Value::Str(x.to_string()))
    }
    fn i(x: i64) -> Cow<'static, Value> {
        Cow::Owned(Value::Int(x))
    }
    fn n() -> Cow<'static, Value> {
        Cow::Owned(Value::Null)
    }

    #[test]
    fn string_functions() {
        assert_eq!(
            call(
                Func::Between,
                false,
                &[s("System Idle Process"), s("s"), s("e")]
            ),
            Value::Str("t".into())
        );
        assert_eq!(
            call(
                Func::Between,
                false,
                &[
                    s("System Idle Process"),
                    s("S"),
                    s("e"),
                    Cow::Owned(Value::Bool(true))
                ]
            ),
            Value::Str("ystem Idle Proc".into())
        );
        assert_eq!(
            call(Func::Between, true, &[s("System"), s("s"), s("E")]),
            Value::Str("yst".into())
        );
        assert_eq!(
            call(Func::Between, false, &[s("abc"), s("x"), s("c")]),
            Value::Str(String::new())
        );
        assert_eq!(
            call(Func::IndexOf, true, &[s("explorer.exe"), s("plore")]),
            Value::Int(2)
        );
        assert_eq!(
            call(Func::IndexOf, false, &[s("explorer.exe"), s(".pf")]),
            Value::Null
        );
        assert_eq!(
            call(
                Func::IndexOf,
                false,
                &[s("explorer.exe"), s("plorer."), i(100)]
            ),
            Value::Null
        );
        assert_eq!(
            call(Func::IndexOf, false, &[s("abc"), s(""), i(2)]),
            Value::Int(2)
        );
        assert_eq!(
            call(Func::Substring, false, &[s("explorer.exe"), i(-4)]),
            Value::Str(".exe".into())
        );
        assert_eq!(
            call(Func::Substring, false, &[s("explorer.exe"), i(-4), i(-1)]),
            Value::Str(".ex".into())
        );
        assert_eq!(
            call(Func::Substring, false, &[s("abc"), i(5)]),
            Value::Str(String::new())
        );
        assert_eq!(
            call(Func::StringContains, false, &[s("abc"), s("")]),
            Value::Bool(false)
        );
        assert_eq!(
            call(Func::StartsWith, false, &[s(""), s("")]),
            Value::Bool(true)
        );
        assert_eq!(
            call(Func::Concat, false, &[i(5), s(":"), s("x")]),
            Value::Str("5:x".into())
        );
        assert_eq!(call(Func::Concat, false, &[s("a"), n()]), Value::Null);
        assert_eq!(call(Func::Length, false, &[s("héllo")]), Value::Int(5));
    }

    /// `in` as a linear scan, as it was before hash sets: the reference for the fast path.
    fn in_reference(v: &Value, set: &[Value], ci: bool) -> Value {
        if v.is_null() {
            return Value::Null;
        }
        if ci {
            if let Some(s) = v.to_text() {
                let s = fold(&s);
                return Value::Bool(
                    set.iter()
                        .any(|c| c.to_text().map(|t| fold(&t)) == Some(s.clone())),
                );
            }
        }
        let mut unknown = false;
        for c in set {
            match shrike_ir::value::equals(v, c) {
                Some(true) => return Value::Bool(true),
                Some(false) => {}
                None => unknown = true,
            }
        }
        if unknown {
            Value::Null
        } else {
            Value::Bool(false)
        }
    }

    #[test]
    fn in_sets_agree_with_a_scan() {
        use crate::event::Origin;
        use std::sync::Arc;
        let st = |x: &str| Value::Str(x.into());
        let sets = [
            vec![st("a"), st("b")],
            vec![st("a"), Value::Int(1)],
            vec![st("a"), Value::Null],
            vec![Value::Version("1.2.3".into()), st("x")],
            vec![st("İx"), st("ABC"), st("straße"), Value::Int(7)],
            vec![],
        ];
        let values = [
            st("a"),
            st("c"),
            st("A"),
            Value::Version("1.2.3".into()),
            Value::Version("x".into()),
            Value::Int(1),
            Value::Int(7),
            st("i\u{307}x"),
            st("İX"),
            st("abc"),
            st("STRASSE"),
            st("STRAßE"),
            st("7"),
        ];
        for set in &sets {
            for ci in [false, true] {
                let folded: Vec<Option<String>> =
                    set.iter().map(|v| v.to_text().map(|t| fold(&t))).collect();
                let node = Node::In {
                    value: Box::new(Node::Field(0)),
                    texts: Box::new(TextSet::new(set, &folded, ci)),
                    set: set.clone(),
                    folded,
                    case_insensitive: ci,
                };
                for v in &values {
                    let ev = Event {
                        values: vec![vec![v.clone()]],
                        index: 0,
                        timestamp: None,
                        tiebreaker: Value::Null,
                        seq: 0,
                        source: Arc::new(serde_json::Value::Null),
                        origin: Origin {
                            index: Arc::from(""),
                            id: None,
                        },
                    };
                    let got = eval(&node, &ev, None).into_owned();
                    let want = in_reference(v, set, ci);
                    assert_eq!(
                        format!("{got:?}"),
                        format!("{want:?}"),
                        "{v:?} in {set:?} ci={ci}"
                    );
                }
            }
        }
    }

    #[test]
    fn number_parsing() {
        assert_eq!(parse_number("0x32", Some(16)), Value::Int(50));
        assert_eq!(parse_number("32", Some(16)), Value::Int(50));
        assert_eq!(parse_number(" +17 ", None), Value::Int(17));
        assert_eq!(parse_number("1.5", None), Value::Float(1.5));
        assert_eq!(parse_number("zz", None), Value::Null);
        assert_eq!(call(Func::Number, false, &[s("17"), n()]), Value::Int(17));
    }

    #[test]
    fn arithmetic_and_nulls() {
        assert_eq!(
            call(Func::Divide, false, &[i(30), Cow::Owned(Value::Float(4.0))]),
            Value::Float(7.5)
        );
        assert_eq!(call(Func::Divide, false, &[i(83), i(2)]), Value::Int(41));
        assert_eq!(call(Func::Divide, false, &[i(1), i(0)]), Value::Null);
        assert_eq!(call(Func::Add, false, &[i(1), n()]), Value::Null);
        assert_eq!(call(Func::Modulo, false, &[i(11), i(10)]), Value::Int(1));
    }
}
