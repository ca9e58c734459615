//! Property tests: the printer and the parser agree.
//!
//! * Any tree the parser could produce prints to text that parses back to the same tree.
//! * Any text at all either fails with a diagnostic or parses to a tree that round-trips,
//!   with spans inside the text; nothing panics.

use proptest::prelude::*;
use shrike_diag::Span;
use shrike_kql::ast::*;

/// Characters that exercise escaping: specials, whitespace of every kind, keyword letters,
/// non-ASCII, controls.
const ALPHABET: &[char] = &[
    'a', 'b', 'x', 'o', 'r', 'n', 't', 'd', 'N', 'O', 'T', 'A', '1', '.', '-', '/', '_', '@', '\\',
    '(', ')', ':', '<', '>', '"', '*', '{', '}', ' ', ' ', '\t', '\r', '\n', '\u{A0}', '\u{2003}',
    '\u{FEFF}', '\u{85}', '\0', 'é', '😀', '\u{FFFD}', 'u', '0',
];

fn raw_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(ALPHABET).prop_map(String::from),
            prop::sample::select(&["or", "and", "not", "OR", "NOT", " or ", " and ", "not "][..])
                .prop_map(String::from),
        ],
        0..max,
    )
    .prop_map(|parts| parts.concat())
}

fn trimmed(s: String) -> String {
    s.trim_matches(is_js_whitespace).to_string()
}

fn text_value() -> impl Strategy<Value = ValueKind> {
    raw_string(8).prop_map(|s| match trimmed(s) {
        t if t == "null" || t == "true" || t == "false" => ValueKind::Text(format!("{t}!")),
        t => ValueKind::Text(t),
    })
}

fn pattern_value() -> impl Strategy<Value = ValueKind> {
    prop::collection::vec(prop::option::of(raw_string(5)), 1..5).prop_map(|pieces| {
        // `None` is a star; texts between stars are merged; then trim the ends.
        let mut parts: Vec<PatternPart> = Vec::new();
        for piece in pieces {
            match piece {
                None => parts.push(PatternPart::Star),
                Some(s) if s.is_empty() => {}
                Some(s) => match parts.last_mut() {
                    Some(PatternPart::Text(t)) => t.push_str(&s),
                    _ => parts.push(PatternPart::Text(s)),
                },
            }
        }
        if !parts.contains(&PatternPart::Star) {
            parts.push(PatternPart::Star);
        }
        if let Some(PatternPart::Text(t)) = parts.first_mut() {
            *t = t.trim_start_matches(is_js_whitespace).to_string();
        }
        if let Some(PatternPart::Text(t)) = parts.last_mut() {
            *t = t.trim_end_matches(is_js_whitespace).to_string();
        }
        parts.retain(|p| !matches!(p, PatternPart::Text(t) if t.is_empty()));
        ValueKind::Pattern(Pattern { parts })
    })
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => text_value(),
        2 => raw_string(6).prop_map(ValueKind::Phrase),
        2 => pattern_value(),
        1 => any::<bool>().prop_map(ValueKind::Bool),
        1 => Just(ValueKind::Null),
    ]
    .prop_map(|kind| Value::new(kind, Span::default()))
}

fn value_expr() -> impl Strategy<Value = ValueExpr> {
    let leaf = value().prop_map(|v| ValueExpr::new(ValueExprKind::Value(v), Span::default()));
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(ValueExprKind::Or),
            prop::collection::vec(inner.clone(), 2..4).prop_map(ValueExprKind::And),
            inner.prop_map(|v| ValueExprKind::Not(Box::new(v))),
        ]
        .prop_map(|k| ValueExpr::new(k, Span::default()))
    })
}

fn range_op() -> impl Strategy<Value = RangeOp> {
    prop::sample::select(&[RangeOp::Lt, RangeOp::Lte, RangeOp::Gt, RangeOp::Gte][..])
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf =
        prop_oneof![
            (value(), value_expr())
                .prop_map(|(field, value)| ExprKind::Field(FieldMatch { field, value })),
            (value(), range_op(), value())
                .prop_map(|(field, op, value)| ExprKind::Range(RangeQuery { field, op, value })),
            value().prop_map(ExprKind::Term),
        ]
        .prop_map(|k| Expr::new(k, Span::default()));
    leaf.prop_recursive(5, 32, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(ExprKind::Or),
            prop::collection::vec(inner.clone(), 2..4).prop_map(ExprKind::And),
            inner.clone().prop_map(|e| ExprKind::Not(Box::new(e))),
            (value(), inner).prop_map(|(path, q)| ExprKind::Nested(NestedQuery {
                path,
                query: Box::new(q)
            })),
        ]
        .prop_map(|k| Expr::new(k, Span::default()))
    })
}

proptest! {
    #[test]
    fn printed_trees_parse_back(e in expr()) {
        let query = Query { expr: Some(e), span: Span::default() };
        let text = shrike_kql::print(&query);
        let parsed = shrike_kql::parse(&text);
        prop_assert!(parsed.is_ok(), "{text:?}: {:?}", parsed.err());
        let parsed = parsed.map(|q| q.without_spans()).ok();
        prop_assert_eq!(parsed, Some(query), "{:?}", text);
    }

    #[test]
    fn any_text_fails_cleanly_or_round_trips(text in raw_string(30)) {
        match shrike_kql::parse(&text) {
            Err(diags) => {
                prop_assert_eq!(diags.len(), 1);
                prop_assert!(diags[0].span.end <= text.len());
                prop_assert!(text.is_char_boundary(diags[0].span.start));
            }
            Ok(q) => {
                prop_assert!(q.span.end <= text.len());
                let printed = shrike_kql::print(&q);
                let again = shrike_kql::parse(&printed).map(|q| q.without_spans());
                prop_assert_eq!(again.ok(), Some(q.without_spans()), "{:?} -> {:?}", text, printed);
            }
        }
    }
}
